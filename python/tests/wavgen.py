"""WAV files for the tests: stretches of pure tone on silence, one list of (start, end, hertz) per channel."""
import math
import random
import wave
from array import array

RATE = 16000
AMPLITUDE = 8000


def write_wav(path, duration_sec, channels, rate=RATE, noise=0, gains=None):
    """`noise`: amplitude of random line noise under every channel; `gains`: a factor per channel."""
    frames = int(duration_sec * rate)
    noise_source = random.Random(7)
    tracks = [_track(tones, frames, rate, noise, noise_source, (gains or [1.0] * len(channels))[index])
              for index, tones in enumerate(channels)]
    interleaved = array("h", bytes(2 * frames * len(tracks)))
    for channel, track in enumerate(tracks):
        interleaved[channel::len(tracks)] = track
    with wave.open(path, "wb") as wav:
        wav.setnchannels(len(tracks))
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(interleaved.tobytes())
    return path


def _track(tones, frames, rate, noise, noise_source, gain):
    samples = array("h", bytes(2 * frames))
    if noise:
        samples = array("h", (noise_source.randint(-noise, noise) for _ in range(frames)))
    for start, end, hertz in tones:
        for index in range(int(start * rate), min(int(end * rate), frames)):
            tone = gain * AMPLITUDE * math.sin(2 * math.pi * hertz * index / rate)
            samples[index] = max(-32768, min(32767, int(samples[index] + tone)))
    return samples
