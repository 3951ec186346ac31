import os
import wave
from dataclasses import dataclass

from .chunks import JOIN_GAP_SEC
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


def require_16_bit(info):
    if info.sample_width != 2:
        raise TranscribeError("unreadable_audio", f"expected 16-bit PCM, got {8 * info.sample_width}-bit: {info.path}")


def chunk_pcm(info, channel, chunk):
    """The chunk's audio of one channel as 16-bit mono PCM, piece by piece, with silence between the pieces."""
    gap = bytes(2 * round(JOIN_GAP_SEC * info.sample_rate))
    with wave.open(info.path, "rb") as wav:
        for index, piece in enumerate(chunk.pieces):
            if index:
                yield gap
            first = round(piece.start * info.sample_rate)
            wav.setpos(min(first, info.frames))
            frames = wav.readframes(round(piece.end * info.sample_rate) - first)
            if info.channels == 1:
                yield frames
            else:
                yield memoryview(frames).cast("h")[channel::info.channels].tobytes()


def write_wav(path, sample_rate, parts):
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        for part in parts:
            out.writeframes(part)
    return path


def remove_quietly(paths):
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass
