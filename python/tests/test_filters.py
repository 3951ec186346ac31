import unittest
from dataclasses import replace

from crm_transcribe.filters import (Segment, collapse_repeats, filter_segments, is_known_hallucination,
                                    is_repetition_loop, is_silence)


def segments(*texts):
    return [Segment(float(index), index + 0.9, text) for index, text in enumerate(texts)]


class KnownHallucinationTest(unittest.TestCase):
    def test_known_phrases_match_whatever_the_case_and_punctuation(self):
        for text in ["Продолжение следует...", "продолжение следует", "ПРОДОЛЖЕНИЕ СЛЕДУЕТ!!!",
                     "Субтитры сделал DimaTorzok", "субтитры создавал dimatorzok.",
                     "Редактор субтитров А.Синецкая Корректор А.Егорова", "Спасибо за просмотр!",
                     "Thank you for watching.", "Subtitles by the Amara.org community"]:
            with self.subTest(text=text):
                self.assertTrue(is_known_hallucination(text))

    def test_ordinary_speech_containing_similar_words_is_kept(self):
        for text in ["Продолжение следует обсудить с руководителем", "Спасибо за звонок!",
                     "Я смотрел субтитры вчера"]:
            with self.subTest(text=text):
                self.assertFalse(is_known_hallucination(text))


class RepetitionLoopTest(unittest.TestCase):
    def test_a_phrase_repeated_many_times_in_one_segment_is_a_loop(self):
        self.assertTrue(is_repetition_loop("Алло, вы меня слышите? " * 6))
        self.assertTrue(is_repetition_loop("Здравствуйте. Я хотел уточнить, " + "да, " * 12))

    def test_natural_repetition_is_not_a_loop(self):
        self.assertFalse(is_repetition_loop("Да, да, да, конечно, отправлю сегодня"))
        self.assertFalse(is_repetition_loop("Алло? Алло? Вас плохо слышно"))


class FilterSegmentsTest(unittest.TestCase):
    def test_drops_silence_only_when_no_speech_is_likely_and_confidence_low(self):
        kept, dropped = filter_segments([
            Segment(0, 1, "Угу.", no_speech_prob=0.92, avg_logprob=-1.3),
            Segment(1, 2, "Да, слушаю.", no_speech_prob=0.92, avg_logprob=-0.2),
            Segment(2, 3, "Понятно.", no_speech_prob=0.1, avg_logprob=-1.5),
        ])
        self.assertEqual([s.text for s in kept], ["Да, слушаю.", "Понятно."])
        self.assertEqual(dropped, 1)

    def test_drops_known_phrases_loops_and_empty_text(self):
        kept, dropped = filter_segments(segments("Добрый день.", "Продолжение следует...", "  ", "ну " * 10,
                                                 "До свидания."))
        self.assertEqual([s.text for s in kept], ["Добрый день.", "До свидания."])
        self.assertEqual(dropped, 3)



class CollapseRepeatsTest(unittest.TestCase):
    def test_a_segment_repeated_consecutively_more_than_three_times_keeps_only_its_first(self):
        timeline = [(segment, "client") for segment in segments("Алло?", "Спасибо.", "Спасибо!", "спасибо", "Спасибо.", "Пока.")]
        kept, dropped = collapse_repeats(timeline)
        self.assertEqual([s.text for s, _ in kept], ["Алло?", "Спасибо.", "Пока."])
        self.assertEqual(dropped, 3)

    def test_up_to_three_consecutive_repeats_are_kept(self):
        kept, dropped = collapse_repeats([(segment, "manager") for segment in segments("Алло?", "Алло?", "Алло?", "Да, слушаю.")])
        self.assertEqual(len(kept), 4)
        self.assertEqual(dropped, 0)

    def test_the_same_short_answer_after_each_question_of_the_other_speaker_is_kept(self):
        kept, dropped = collapse_repeats(turns(Segment(0, 2, "Вопрос?", 0.02, -0.2, 1.1), Segment(2.5, 2.9, "Да.", 0.05, -0.3, 0.6)))
        self.assertEqual(len(kept), 10)
        self.assertEqual(dropped, 0)

    def test_a_loop_that_does_not_sound_like_speech_stays_a_loop_while_the_other_speaker_talks(self):
        kept, dropped = collapse_repeats(turns(Segment(0, 5, "Рассказ.", 0.02, -0.2, 1.1), Segment(0.5, 5.5, "Спасибо.", 0.5, -0.9, 0.6)))
        self.assertEqual([s.text for s, speaker in kept if speaker == "client"], ["Спасибо."])
        self.assertEqual(dropped, 4)

    def test_servers_without_signals_still_have_their_answers_kept_between_questions(self):
        self.assertEqual(collapse_repeats(turns(Segment(0, 2, "Вопрос?"), Segment(2.5, 2.9, "Да.")))[1], 0)


def turns(question, answer, count=5, every_sec=6.0):
    """The manager's `question` (numbered) and the client's `answer`, `count` times, `every_sec` apart."""
    timeline = []
    for index in range(count):
        shift = every_sec * index
        timeline.append((replace(question, start=question.start + shift, end=question.end + shift,
                                 text=f"{question.text} {index}"), "manager"))
        timeline.append((replace(answer, start=answer.start + shift, end=answer.end + shift), "client"))
    return timeline


class SilenceWithoutNoSpeechProbabilityTest(unittest.TestCase):
    def test_unsure_text_stretched_over_a_long_time_is_silence(self):
        self.assertTrue(is_silence(Segment(0, 12, "Угу.", avg_logprob=-1.3)))
        self.assertTrue(is_silence(Segment(0, 9, "Да да да да.", compression_ratio=3.1)))

    def test_unsure_text_of_a_plausible_length_is_kept(self):
        self.assertFalse(is_silence(Segment(0, 1.2, "Угу.", avg_logprob=-1.3)))

    def test_confident_text_is_kept_however_long(self):
        self.assertFalse(is_silence(Segment(0, 12, "Угу.", avg_logprob=-0.3)))
        self.assertFalse(is_silence(Segment(0, 12, "Угу.")))
