"""A worker that starts properly, then answers a request with a line that is not JSON, as a stray print would."""
import json
import sys

print(json.dumps({"ready": True, "engine": "faster-whisper", "model": "small"}), flush=True)
for line in sys.stdin:
    print("Downloading model.bin: 42%|████      |", flush=True)
