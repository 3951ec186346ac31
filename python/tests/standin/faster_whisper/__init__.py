"""Stand-in for the faster-whisper package with the same interface (WhisperModel(...).transcribe -> (segments, info)).

It "recognises" the tones that the tests write into WAV files: each stretch of sound becomes one segment whose
text depends on the tone's frequency, including the phrases Whisper invents on silence. Its file names also
trigger the failures a real engine process has: crash-once, crash-always, hang, slow.
Env STANDIN_LOG names a file where every model load and every call is appended as a JSON line.
"""
import json
import math
import os
import time
import wave
from array import array
from typing import NamedTuple, Optional

FRAME_SEC = 0.02
SILENCE_RMS = 300
MERGE_GAP_SEC = 0.2

PHRASES = {
    440: ("Здравствуйте, компания Ромашка, меня зовут Анна.", 0.01, -0.2),
    550: ("Добрый день, мне нужна доставка.", 0.02, -0.25),
    660: ("Да, конечно, оформим заказ.", 0.01, -0.3),
    880: ("Продолжение следует...", 0.3, -0.6),
    990: ("Угу.", 0.95, -1.4),
}


class Segment(NamedTuple):
    id: int
    seek: int
    start: float
    end: float
    text: str
    tokens: list
    avg_logprob: float
    compression_ratio: float
    no_speech_prob: float
    words: Optional[list]
    temperature: float


class TranscriptionInfo(NamedTuple):
    language: str
    language_probability: float
    duration: float
    duration_after_vad: float
    all_language_probs: Optional[list]
    transcription_options: object
    vad_options: object


class WhisperModel:
    def __init__(self, model_size_or_path, device="auto", compute_type="default", **kwargs):
        if model_size_or_path == "unavailable-model":
            raise RuntimeError(f"Unable to open file 'model.bin' in model '{model_size_or_path}'")
        self.model_size_or_path = model_size_or_path
        _log({"event": "load", "model": model_size_or_path, "device": device, "computeType": compute_type})

    def transcribe(self, audio, language=None, task="transcribe", beam_size=5, initial_prompt=None, **kwargs):
        started = time.time()
        _misbehave(audio)
        samples, rate = _read(audio)
        segments = [_segment(index, samples, rate, start, end) for index, (start, end) in enumerate(_voiced(samples, rate))]
        _log({"event": "transcribe", "audio": os.path.basename(audio), "language": language, "beamSize": beam_size,
              "initialPrompt": initial_prompt, "started": started, "finished": time.time()})
        duration = len(samples) / rate
        info = TranscriptionInfo(language or "ru", 1.0 if language else 0.93, duration, duration, None, None, None)
        return iter(segments), info


def _log(entry):
    path = os.environ.get("STANDIN_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({**entry, "pid": os.getpid()}, ensure_ascii=False) + "\n")


def _misbehave(audio):
    name = os.path.basename(audio)
    crashed = os.path.join(os.path.dirname(os.environ.get("STANDIN_LOG", audio)), name.split("-chunk")[0] + ".crashed")
    if "crash-once" in name and not os.path.exists(crashed):
        open(crashed, "w").close()
        os._exit(3)
    if "crash-always" in name:
        os._exit(3)
    if "hang" in name:
        time.sleep(3600)
    if "slow" in name:
        time.sleep(0.4)


def _read(path):
    with wave.open(path, "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise ValueError("the stand-in reads 16-bit mono WAV only")
        samples = array("h", wav.readframes(wav.getnframes()))
        return samples, wav.getframerate()


def _voiced(samples, rate):
    frame = int(rate * FRAME_SEC)
    regions = []
    for offset in range(0, len(samples), frame):
        chunk = samples[offset:offset + frame]
        if math.sqrt(sum(value * value for value in chunk) / max(len(chunk), 1)) < SILENCE_RMS:
            continue
        start, end = offset / rate, (offset + len(chunk)) / rate
        if regions and start - regions[-1][1] <= MERGE_GAP_SEC:
            regions[-1] = (regions[-1][0], end)
        else:
            regions.append((start, end))
    return regions


def _segment(index, samples, rate, start, end):
    part = samples[int(start * rate):int(end * rate)]
    crossings = sum(1 for a, b in zip(part, part[1:]) if (a < 0) != (b < 0))
    frequency = int(round(crossings / 2 / (end - start) / 10.0) * 10)
    text, no_speech_prob, avg_logprob = PHRASES.get(frequency, (f"Тон {frequency} герц.", 0.05, -0.3))
    return Segment(index, int(start * 100), round(start, 2), round(end, 2), " " + text, [], avg_logprob, 1.2,
                   no_speech_prob, None, 0.0)
