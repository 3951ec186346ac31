"""Drops what Whisper writes on silence, music and noise instead of speech."""
import unicodedata
from dataclasses import dataclass

NO_SPEECH_PROB = 0.6
LOW_AVG_LOGPROB = -1.0
MAX_CONSECUTIVE_REPEATS = 3
LOOP_MIN_REPEATS = 4
LOOP_MIN_REPEATS_SINGLE_WORD = 8
LOOP_MAX_PHRASE_WORDS = 8

KNOWN_HALLUCINATIONS = [
    "Продолжение следует...",
    "Субтитры сделал DimaTorzok",
    "Субтитры создавал DimaTorzok",
    "Субтитры делал DimaTorzok",
    "Редактор субтитров А.Синецкая Корректор А.Егорова",
    "Корректор А.Кулакова",
    "Спасибо за просмотр",
    "Спасибо за просмотр!",
    "Спасибо за внимание!",
    "Подписывайтесь на канал",
    "Ставьте лайки и подписывайтесь на канал",
    "Thank you for watching",
    "Thanks for watching!",
    "Please subscribe to my channel",
    "Subtitles by the Amara.org community",
]

HALLUCINATION_PREFIXES = [
    "субтитры сделал",
    "субтитры создавал",
    "субтитры подготовил",
    "редактор субтитров",
    "subtitles by",
]


@dataclass
class Segment:
    start: float
    end: float
    text: str
    no_speech_prob: float = None
    avg_logprob: float = None


def normalise(text):
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    kept = "".join(" " if unicodedata.category(char)[0] in "PSZ" else char for char in text)
    return " ".join(kept.split())


_KNOWN = {normalise(phrase) for phrase in KNOWN_HALLUCINATIONS}


def is_known_hallucination(text):
    normalised = normalise(text)
    return normalised in _KNOWN or any(normalised.startswith(prefix) for prefix in HALLUCINATION_PREFIXES)


def is_silence(segment):
    if segment.no_speech_prob is None or segment.no_speech_prob < NO_SPEECH_PROB:
        return False
    return segment.avg_logprob is None or segment.avg_logprob <= LOW_AVG_LOGPROB


def is_repetition_loop(text):
    words = normalise(text).split()
    for size in range(1, LOOP_MAX_PHRASE_WORDS + 1):
        needed = LOOP_MIN_REPEATS_SINGLE_WORD if size == 1 else LOOP_MIN_REPEATS
        if _longest_run(words, size) >= needed:
            return True
    return False


def _longest_run(words, size):
    longest = 0
    for start in range(size):
        run, previous = 0, None
        for offset in range(start, len(words) - size + 1, size):
            phrase = words[offset:offset + size]
            run = run + 1 if phrase == previous else 1
            previous = phrase
            longest = max(longest, run)
    return longest


def filter_segments(segments):
    """Returns (kept, dropped_count)."""
    kept = []
    dropped = 0
    for segment in segments:
        if not segment.text.strip() or is_silence(segment) or is_known_hallucination(segment.text) \
                or is_repetition_loop(segment.text):
            dropped += 1
            continue
        kept.append(segment)
    return _collapse_repeated_runs(kept, dropped)


def _collapse_repeated_runs(segments, dropped):
    """A run of more than MAX_CONSECUTIVE_REPEATS identical segments is a decoding loop: keep its first."""
    kept = []
    index = 0
    while index < len(segments):
        end = index + 1
        key = normalise(segments[index].text)
        while end < len(segments) and normalise(segments[end].text) == key:
            end += 1
        run = end - index
        if run > MAX_CONSECUTIVE_REPEATS:
            kept.append(segments[index])
            dropped += run - 1
        else:
            kept.extend(segments[index:end])
        index = end
    return kept, dropped
