"""One WAV file in, one transcript out: channel split, recognition, filtering, merged timeline."""
from dataclasses import dataclass, field

from .audio import read_info, remove_quietly, split_channels
from .errors import TranscribeError
from .filters import collapse_repeats, filter_segments

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


def transcribe_file(engine, request):
    info = read_info(request.audio_path)
    language = None if request.language == "auto" else request.language
    prompt = build_prompt(request.vocabulary_hints)
    segments, dropped, detected = [], 0, None
    if info.frames:
        segments, dropped, detected = _transcribe_tracks(engine, info, request.manager_channel, language, prompt)
    timeline, repeats = collapse_repeats(sorted(segments, key=lambda pair: (pair[0].start, pair[0].end)))
    segments = _timeline(timeline, info.duration_sec)
    return {
        "text": " ".join(segment["text"] for segment in segments),
        "language": language or detected or "unknown",
        "durationSec": round(info.duration_sec, 3),
        "segments": segments,
        "engine": engine.name,
        "model": engine.model,
        "dropped": dropped + repeats,
    }


def _transcribe_tracks(engine, info, manager_channel, language, prompt):
    if info.channels == 1:
        return _transcribe_track(engine, info.path, "unknown", language, prompt)
    paths = split_channels(info)
    try:
        merged, dropped, detected = [], 0, None
        for channel, path in enumerate(paths):
            track = _transcribe_track(engine, path, _speaker(channel, manager_channel), language, prompt)
            merged += track[0]
            dropped += track[1]
            detected = detected or track[2]
        return merged, dropped, detected
    finally:
        remove_quietly(paths)


def _speaker(channel, manager_channel):
    if channel > 1:
        return "unknown"
    return "manager" if channel == manager_channel else "client"


def _transcribe_track(engine, path, speaker, language, prompt):
    result = engine.transcribe(path, language, prompt)
    kept, dropped = filter_segments(result.segments)
    return [(segment, speaker) for segment in kept], dropped, result.language


def _timeline(segments, duration_sec):
    """Engines overshoot the end of the audio by a few frames; times are clamped into it."""
    timeline = []
    for segment, speaker in segments:
        end = round(min(max(segment.end, 0.0), duration_sec), 3)
        start = round(min(max(segment.start, 0.0), end), 3)
        timeline.append({"start": start, "end": end, "speaker": speaker, "text": segment.text})
    return timeline
