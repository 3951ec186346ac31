"""The audio a chunk is sent as: a WAV, or speech compressed by ffmpeg so that long calls fit an upload limit."""
import os
import shutil
import subprocess
from dataclasses import dataclass

from .audio import write_wav
from .errors import TranscribeError

_PACKAGED_FFMPEG = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "node_modules", "@ffmpeg-installer", "linux-x64", "ffmpeg")

# A chunk is timed by its length and, when it fails, sent again whole: twenty minutes keeps both within bounds.
MAX_CHUNK_SEC = 1200.0
# A shorter chunk goes as WAV: at 32 KB a second it is small, and starting an encoder would take longer than the
# upload it saves.
MIN_COMPRESSED_SEC = 10.0
# Room in the request body for the form fields around the file.
MULTIPART_MARGIN_BYTES = 64 * 1024


@dataclass(frozen=True)
class UploadFormat:
    extension: str
    content_type: str
    codec_args: tuple = ()
    # Expected size per second of 16 kHz mono speech; None for PCM, whose size follows from the sample rate.
    bytes_per_sec: float = None

    @property
    def compressed(self):
        return bool(self.codec_args)

    def max_chunk_sec(self, max_bytes, sample_rate):
        if not max_bytes:
            return MAX_CHUNK_SEC
        per_sec = self.bytes_per_sec or 2 * sample_rate
        return min(MAX_CHUNK_SEC, (max_bytes - MULTIPART_MARGIN_BYTES) / per_sec)


UPLOAD_FORMATS = {
    # Opus is a speech codec: 24 kbit/s keeps what Whisper needs. Complexity 0 encodes a hundred times faster than
    # real time on one core; the voice mode (SILK) loses little by it.
    "ogg": UploadFormat("ogg", "audio/ogg", ("-c:a", "libopus", "-b:a", "24k", "-application", "voip",
                                            "-compression_level", "0"), 3300.0),
    "mp3": UploadFormat("mp3", "audio/mpeg", ("-c:a", "libmp3lame", "-b:a", "32k"), 4100.0),
    "wav": UploadFormat("wav", "audio/wav"),
}


def format_for(upload_format, duration_sec):
    return UPLOAD_FORMATS["wav"] if duration_sec < MIN_COMPRESSED_SEC else upload_format


def content_type_of(path):
    extension = os.path.splitext(path)[1].lstrip(".")
    return next((upload.content_type for upload in UPLOAD_FORMATS.values() if upload.extension == extension),
                "application/octet-stream")


def default_ffmpeg(env):
    """FFMPEG_PATH, else the ffmpeg that the service's npm packages ship, else one on PATH."""
    if env.get("FFMPEG_PATH"):
        return env["FFMPEG_PATH"]
    if os.access(_PACKAGED_FFMPEG, os.X_OK):
        return _PACKAGED_FFMPEG
    return shutil.which("ffmpeg") or "ffmpeg"


def write_chunk_file(path, upload_format, sample_rate, parts, ffmpeg):
    """Writes `parts` (16-bit mono PCM) to `path` in the upload format."""
    if not upload_format.compressed:
        return write_wav(path, sample_rate, parts)
    command = [ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "s16le", "-ar", str(sample_rate), "-ac", "1",
               "-i", "pipe:0", *upload_format.codec_args, path]
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        raise TranscribeError("not_configured", f"cannot run ffmpeg ({ffmpeg}) to compress audio: {error}") from error
    _feed(process.stdin, parts)
    with process.stderr:
        stderr = process.stderr.read()
    process.wait()
    if process.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise TranscribeError("engine_failed", f"ffmpeg failed to compress audio: {detail[0][:300]}")
    return path


def _feed(stdin, parts):
    """A pipe that breaks means ffmpeg stopped early; its exit status and message say why."""
    try:
        for part in parts:
            stdin.write(part)
        stdin.close()
    except BrokenPipeError:
        try:
            stdin.close()
        except BrokenPipeError:
            pass
