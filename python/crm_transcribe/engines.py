"""Recognition engines. Each one is imported only when chosen, so the standard library suffices otherwise."""
import importlib
import logging
import os
import time
from dataclasses import dataclass, field

from .encoding import UPLOAD_FORMATS, content_type_of
from .errors import TranscribeError
from .filters import Segment
from . import openai_api

log = logging.getLogger("transcribe")

DEFAULT_MODELS = {"faster-whisper": "small", "openai-whisper": "small", "openai-api": "whisper-1"}
BACKENDS = tuple(DEFAULT_MODELS)


@dataclass
class EngineOptions:
    backend: str = "faster-whisper"
    model: str = None
    device: str = "auto"
    compute_type: str = "default"
    beam_size: int = 5
    base_url: str = None
    api_key: str = None
    api_timeout_sec: float = 60.0
    api_timeout_per_audio_sec: float = 2.0
    api_retries: int = 2
    upload_format: str = "ogg"
    max_upload_mb: float = 25.0
    ffmpeg: str = "ffmpeg"
    env: dict = field(default_factory=lambda: dict(os.environ))

    @property
    def model_name(self):
        return self.model or DEFAULT_MODELS[self.backend]


@dataclass
class EngineResult:
    segments: list
    language: str = None


@dataclass(frozen=True)
class Upload:
    """How an engine takes its audio: the format, the largest request it accepts, and the ffmpeg that encodes."""
    format: object = UPLOAD_FORMATS["wav"]
    max_bytes: int = None
    ffmpeg: str = None


LOCAL_FILES = Upload()


def load_engine(options):
    if options.backend not in BACKENDS:
        raise TranscribeError("bad_request", f"unknown backend {options.backend!r}; choose one of {', '.join(BACKENDS)}")
    started = time.monotonic()
    engine = {"faster-whisper": FasterWhisperEngine, "openai-whisper": OpenAIWhisperEngine,
              "openai-api": OpenAIApiEngine}[options.backend](options)
    log.info("engine %s with model %s ready in %.2fs", engine.name, engine.model, time.monotonic() - started)
    return engine


def import_engine(module_name, pip_name, required_attribute):
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise TranscribeError("engine_missing",
                              f"engine {pip_name} is not installed ({error}); install it with: pip install {pip_name}") from error
    if not hasattr(module, required_attribute):
        raise TranscribeError("engine_missing",
                              f"module {module_name!r} is not {pip_name}; install it with: pip install {pip_name}")
    return module


def _engine_failure(name, action, error):
    log.exception("%s failed to %s", name, action)
    return TranscribeError("engine_failed", f"{name} failed to {action}: {type(error).__name__}: {error}")


class FasterWhisperEngine:
    name = "faster-whisper"
    upload = LOCAL_FILES

    def __init__(self, options):
        module = import_engine("faster_whisper", "faster-whisper", "WhisperModel")
        self.model = options.model_name
        self._beam_size = options.beam_size
        try:
            self._model = module.WhisperModel(self.model, device=options.device, compute_type=options.compute_type)
        except Exception as error:
            raise _engine_failure(self.name, f"load model {self.model}", error) from error

    def transcribe(self, path, language, prompt, audio_sec=None):
        try:
            segments, info = self._model.transcribe(path, language=language, beam_size=self._beam_size,
                                                    initial_prompt=prompt)
            return EngineResult([_segment_from_attributes(segment) for segment in segments], info.language)
        except Exception as error:
            raise _engine_failure(self.name, "transcribe", error) from error


def _segment_from_attributes(segment):
    return Segment(float(segment.start), float(segment.end), segment.text.strip(),
                   getattr(segment, "no_speech_prob", None), getattr(segment, "avg_logprob", None),
                   getattr(segment, "compression_ratio", None))


def segment_from_dict(segment):
    return Segment(float(segment["start"]), float(segment["end"]), str(segment.get("text", "")).strip(),
                   segment.get("no_speech_prob"), segment.get("avg_logprob"), segment.get("compression_ratio"))


class OpenAIWhisperEngine:
    name = "openai-whisper"
    upload = LOCAL_FILES

    def __init__(self, options):
        module = import_engine("whisper", "openai-whisper", "load_model")
        self.model = options.model_name
        self._beam_size = options.beam_size
        self._fp16 = options.device == "cuda"
        device = None if options.device == "auto" else options.device
        try:
            self._model = module.load_model(self.model, device=device)
        except Exception as error:
            raise _engine_failure(self.name, f"load model {self.model}", error) from error

    def transcribe(self, path, language, prompt, audio_sec=None):
        try:
            result = self._model.transcribe(_load_samples(path), language=language, initial_prompt=prompt,
                                            beam_size=self._beam_size, fp16=self._fp16)
            return EngineResult([segment_from_dict(segment) for segment in result["segments"]], result.get("language"))
        except Exception as error:
            raise _engine_failure(self.name, "transcribe", error) from error


def _load_samples(path):
    """openai-whisper decodes paths with an ffmpeg binary; a 16 kHz PCM WAV is read directly instead."""
    import wave
    import numpy
    with wave.open(path, "rb") as wav:
        if wav.getframerate() != 16000 or wav.getsampwidth() != 2:
            return path
        frames = wav.readframes(wav.getnframes())
    return numpy.frombuffer(frames, numpy.int16).astype(numpy.float32) / 32768.0


class OpenAIApiEngine:
    name = "openai-api"

    def __init__(self, options):
        if options.upload_format not in UPLOAD_FORMATS:
            raise TranscribeError("bad_request", f"unknown upload format {options.upload_format!r}; "
                                                 f"choose one of {', '.join(UPLOAD_FORMATS)}")
        self.model = options.model_name
        self.upload = Upload(UPLOAD_FORMATS[options.upload_format], int(options.max_upload_mb * 1024 * 1024),
                             options.ffmpeg)
        self._client = openai_api.TranscriptionClient.from_options(options)

    def transcribe(self, path, language, prompt, audio_sec=None):
        payload = self._client.transcribe(path, content_type_of(path), self.model, language, prompt, audio_sec)
        segments = [segment_from_dict(segment) for segment in payload.get("segments") or []]
        if not segments and str(payload.get("text", "")).strip():
            segments = [Segment(0.0, float(payload.get("duration") or 0.0), payload["text"].strip())]
        return EngineResult(segments, openai_api.language_code(payload.get("language")))
