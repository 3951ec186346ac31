"""Drops what Whisper writes on silence, music and noise instead of speech."""
import unicodedata
from dataclasses import dataclass

NO_SPEECH_PROB = 0.6
DOUBTFUL_NO_SPEECH_PROB = 0.4
LOW_AVG_LOGPROB = -1.0
# Whisper itself retries a window whose text compresses better than this: it repeats itself.
HIGH_COMPRESSION_RATIO = 2.4
# Even a slow «Да-а…» takes no more than this per word; a word stretched over longer was heard in noise.
MAX_SEC_PER_WORD = 1.5
DURATION_SLACK_SEC = 1.0
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
    compression_ratio: float = None


def normalise(text):
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    kept = "".join(" " if unicodedata.category(char)[0] in "PSZ" else char for char in text)
    return " ".join(kept.split())


_KNOWN = {normalise(phrase) for phrase in KNOWN_HALLUCINATIONS}


def is_known_hallucination(text):
    normalised = normalise(text)
    return normalised in _KNOWN or any(normalised.startswith(prefix) for prefix in HALLUCINATION_PREFIXES)


def is_silence(segment):
    if segment.no_speech_prob is not None:
        if segment.no_speech_prob < NO_SPEECH_PROB:
            return False
        return segment.avg_logprob is None or segment.avg_logprob <= LOW_AVG_LOGPROB
    # A server that does not say how likely silence was: unsure text stretched over too long is not speech.
    return is_unsure(segment) and not has_plausible_duration(segment)


def is_unsure(segment):
    return (segment.avg_logprob is not None and segment.avg_logprob <= LOW_AVG_LOGPROB) or \
        (segment.compression_ratio is not None and segment.compression_ratio > HIGH_COMPRESSION_RATIO)


def has_plausible_duration(segment):
    words = len(normalise(segment.text).split())
    return segment.end - segment.start <= words * MAX_SEC_PER_WORD + DURATION_SLACK_SEC


def sounds_like_speech(segment):
    """Every signal the server gave agrees that someone said this; signals it did not give do not count against."""
    if segment.no_speech_prob is not None and segment.no_speech_prob >= DOUBTFUL_NO_SPEECH_PROB:
        return False
    return not is_unsure(segment) and has_plausible_duration(segment)


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
    """Drops what is no speech, segment by segment. Returns (kept, dropped_count)."""
    kept = [segment for segment in segments if segment.text.strip() and not is_silence(segment)
            and not is_known_hallucination(segment.text) and not is_repetition_loop(segment.text)]
    return kept, len(segments) - len(kept)


def collapse_repeats(timeline):
    """
    `timeline`: (segment, speaker) pairs of the whole call in time order. More than MAX_CONSECUTIVE_REPEATS
    identical segments in a row from one speaker are a decoding loop, of which the first is kept. A turn of the
    other speaker between two of them ends the run when both sound like speech: five «Да.» to five questions are
    answers, not a loop. Returns (kept, dropped_count).
    """
    drop = set()
    runs = {}
    interrupted = {}
    for index, (segment, speaker) in enumerate(timeline):
        key = normalise(segment.text)
        run = runs.get(speaker)
        answered = interrupted.get(speaker) and run and sounds_like_speech(timeline[run[-1]][0]) \
            and sounds_like_speech(segment)
        if run and normalise(timeline[run[0]][0].text) == key and not answered:
            run.append(index)
        else:
            drop.update(_loop_tail(run))
            runs[speaker] = [index]
        interrupted = {other: True for other in interrupted}
        interrupted[speaker] = False
    for run in runs.values():
        drop.update(_loop_tail(run))
    return [pair for index, pair in enumerate(timeline) if index not in drop], len(drop)


def _loop_tail(run):
    return run[1:] if run and len(run) > MAX_CONSECUTIVE_REPEATS else []
