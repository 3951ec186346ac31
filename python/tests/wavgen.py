"""WAV files for the tests: stretches of pure tone on silence, one list of (start, end, hertz) per channel."""
import math
import wave
from array import array

RATE = 16000
AMPLITUDE = 8000


def write_wav(path, duration_sec, channels, rate=RATE):
    frames = int(duration_sec * rate)
    tracks = [_track(tones, frames, rate) for tones in channels]
    interleaved = array("h", bytes(2 * frames * len(tracks)))
    for channel, track in enumerate(tracks):
        interleaved[channel::len(tracks)] = track
    with wave.open(path, "wb") as wav:
        wav.setnchannels(len(tracks))
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(interleaved.tobytes())
    return path


def _track(tones, frames, rate):
    samples = array("h", bytes(2 * frames))
    for start, end, hertz in tones:
        for index in range(int(start * rate), min(int(end * rate), frames)):
            samples[index] = int(AMPLITUDE * math.sin(2 * math.pi * hertz * index / rate))
    return samples
