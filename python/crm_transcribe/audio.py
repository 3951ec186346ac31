import os
import tempfile
import wave
from dataclasses import dataclass

from .errors import TranscribeError


@dataclass
class AudioInfo:
    path: str
    channels: int
    sample_rate: int
    sample_width: int
    frames: int

    @property
    def duration_sec(self):
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def read_info(path):
    if not os.path.isfile(path):
        raise TranscribeError("file_not_found", f"audio file not found: {path}")
    try:
        with wave.open(path, "rb") as wav:
            return AudioInfo(path, wav.getnchannels(), wav.getframerate(), wav.getsampwidth(), wav.getnframes())
    except (wave.Error, EOFError, OSError) as error:
        raise TranscribeError("unreadable_audio", f"not a PCM WAV file: {path} ({error})") from error


def split_channels(info, directory=None):
    """Writes one mono WAV per channel; the caller removes them."""
    with wave.open(info.path, "rb") as wav:
        frames = wav.readframes(info.frames)
    frame_size = info.sample_width * info.channels
    paths = []
    for channel in range(info.channels):
        fd, path = tempfile.mkstemp(prefix=f"channel{channel}-", suffix=".wav", dir=directory)
        os.close(fd)
        _write_mono(path, info, _channel_samples(frames, frame_size, info.sample_width, channel))
        paths.append(path)
    return paths


_ARRAY_CODES = {1: "B", 2: "h", 4: "i"}


def _channel_samples(frames, frame_size, sample_width, channel):
    channels = frame_size // sample_width
    code = _ARRAY_CODES.get(sample_width)
    if code:
        whole = len(frames) - len(frames) % frame_size
        return memoryview(frames[:whole]).cast(code)[channel::channels].tobytes()
    offset = channel * sample_width
    return b"".join(frames[start:start + sample_width] for start in range(offset, len(frames), frame_size))


def _write_mono(path, info, samples):
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(info.sample_width)
        out.setframerate(info.sample_rate)
        out.writeframes(samples)


def remove_quietly(paths):
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass
