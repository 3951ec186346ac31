#!/usr/bin/env python3
"""Transcribe call recordings with Whisper. See crm_transcribe/cli.py for the options and the worker protocol."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from crm_transcribe.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
