"""
One WAV file in, one transcript out: the speech of each channel found, sent in chunks, filtered, and merged into
one timeline.
"""
import logging
import os
import tempfile
from dataclasses import dataclass, field, replace
from functools import partial

from .audio import chunk_pcm, read_info, remove_quietly, require_16_bit
from .chunks import MIN_CHUNK_SEC, plan_chunks
from .encoding import MULTIPART_MARGIN_BYTES, format_for, write_chunk_file
from .errors import TranscribeError
from .filters import collapse_repeats, filter_segments
from .speech import quietest_frame, scan, speech_stretches

log = logging.getLogger("transcribe")

MAX_PROMPT_CHARS = 600


@dataclass
class Request:
    audio_path: str
    manager_channel: int = 0
    language: str = "ru"
    vocabulary_hints: list = field(default_factory=list)

    @classmethod
    def from_json(cls, payload):
        if not isinstance(payload, dict) or not isinstance(payload.get("audioPath"), str):
            raise TranscribeError("bad_request", "a request needs audioPath (string)")
        request = cls(payload["audioPath"], payload.get("managerChannel", 0), payload.get("language") or "ru",
                      payload.get("vocabularyHints") or [])
        request.validate()
        return request

    def validate(self):
        if self.manager_channel not in (0, 1):
            raise TranscribeError("bad_request", "managerChannel must be 0 or 1")
        if not isinstance(self.language, str):
            raise TranscribeError("bad_request", "language must be a string such as ru, en or auto")
        if not isinstance(self.vocabulary_hints, list) or not all(isinstance(h, str) for h in self.vocabulary_hints):
            raise TranscribeError("bad_request", "vocabularyHints must be a list of strings")


def build_prompt(hints):
    prompt = ""
    for hint in (h.strip() for h in hints):
        candidate = f"{prompt}, {hint}" if prompt else hint
        if not hint or len(candidate) > MAX_PROMPT_CHARS:
            continue
        prompt = candidate
    return prompt or None


def transcribe_file(engine, request, on_chunk=None):
    """`on_chunk(seconds)` is told before each request to the engine how much audio that request carries."""
    info = read_info(request.audio_path)
    language = None if request.language == "auto" else request.language
    work = _Work(engine, info, language, build_prompt(request.vocabulary_hints), on_chunk or (lambda seconds: None))
    layout = "mono" if info.channels == 1 else "stereo"
    if info.frames:
        require_16_bit(info)
        found = scan(info)
        layout = "dual_mono" if found.dual_mono else layout
        for channel, speaker in _tracks(info.channels, layout, request.manager_channel):
            work.transcribe_channel(found, channel, speaker)
    timeline, repeats = collapse_repeats(sorted(work.timeline, key=lambda pair: (pair[0].start, pair[0].end)))
    segments = _clamped(timeline, info.duration_sec)
    return {
        "text": " ".join(segment["text"] for segment in segments),
        "language": language or work.detected or "unknown",
        "durationSec": round(info.duration_sec, 3),
        "segments": segments,
        "engine": engine.name,
        "model": engine.model,
        "dropped": work.dropped + repeats,
        "channelLayout": layout,
        "sentSec": round(work.sent_sec, 3),
        "requests": work.requests,
    }


def _tracks(channels, layout, manager_channel):
    """(channel, speaker) to recognise. The two channels of a dual-mono recording carry the same mix: one is enough."""
    if layout != "stereo":
        return [(0, "unknown")]
    return [(channel, _speaker(channel, manager_channel)) for channel in range(channels)]


def _speaker(channel, manager_channel):
    if channel > 1:
        return "unknown"
    return "manager" if channel == manager_channel else "client"


class _Work:
    """The requests of one file and what they found, gathered channel by channel."""

    def __init__(self, engine, info, language, prompt, on_chunk):
        self.engine, self.info, self.language, self.prompt, self.on_chunk = engine, info, language, prompt, on_chunk
        self.timeline, self.dropped, self.detected, self.sent_sec, self.requests = [], 0, None, 0.0, 0

    def transcribe_channel(self, found, channel, speaker):
        levels = found.levels[channel]
        stretches = speech_stretches(levels, found.frame_sec, self.info.duration_sec)
        upload = self.engine.upload
        max_sec = upload.format.max_chunk_sec(upload.max_bytes, self.info.sample_rate)
        for chunk in plan_chunks(stretches, max_sec, partial(quietest_frame, levels, found.frame_sec)):
            self.transcribe_chunk(chunk, channel, speaker)

    def transcribe_chunk(self, chunk, channel, speaker):
        """A chunk the server refuses as too large goes again in two halves."""
        try:
            result = self.recognise(chunk, channel)
        except TranscribeError as error:
            if error.code != "too_large" or chunk.duration_sec < MIN_CHUNK_SEC:
                raise
            log.warning("%s; sending %.0fs of audio in two halves", error.message, chunk.duration_sec)
            for half in chunk.halves():
                self.transcribe_chunk(half, channel, speaker)
            return
        kept, dropped = filter_segments(result.segments)
        self.dropped += dropped
        self.detected = self.detected or result.language
        for segment in kept:
            start, end = chunk.to_call_time(segment.start, False), chunk.to_call_time(segment.end, True)
            if end < start:
                self.dropped += 1
                continue
            self.timeline.append((replace(segment, start=start, end=end), speaker))

    def recognise(self, chunk, channel):
        upload = self.engine.upload
        file_format = format_for(upload.format, chunk.duration_sec)
        self.on_chunk(chunk.duration_sec)
        stem = os.path.splitext(os.path.basename(self.info.path))[0]
        fd, path = tempfile.mkstemp(prefix=f"{stem}-chunk", suffix=f".{file_format.extension}")
        os.close(fd)
        try:
            write_chunk_file(path, file_format, self.info.sample_rate, chunk_pcm(self.info, channel, chunk), upload.ffmpeg)
            size = os.path.getsize(path)
            if upload.max_bytes and size > upload.max_bytes - MULTIPART_MARGIN_BYTES:
                raise TranscribeError("too_large", f"{chunk.duration_sec:.0f}s of audio took {size} bytes")
            self.requests += 1
            self.sent_sec += chunk.duration_sec
            return self.engine.transcribe(path, self.language, self.prompt, chunk.duration_sec)
        finally:
            remove_quietly([path])


def _clamped(timeline, duration_sec):
    """Engines overshoot the end of the audio by a few frames; times are clamped into it."""
    clamped = []
    for segment, speaker in timeline:
        end = round(min(max(segment.end, 0.0), duration_sec), 3)
        start = round(min(max(segment.start, 0.0), end), 3)
        clamped.append({"start": start, "end": end, "speaker": speaker, "text": segment.text})
    return clamped
