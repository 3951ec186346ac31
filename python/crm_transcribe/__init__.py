"""Speech recognition for AI CRM Analytics: Whisper engines behind one JSON contract."""
