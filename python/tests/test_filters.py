import unittest

from crm_transcribe.filters import Segment, filter_segments, is_known_hallucination, is_repetition_loop


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

    def test_a_segment_repeated_consecutively_more_than_three_times_keeps_only_its_first(self):
        kept, dropped = filter_segments(segments("Алло?", "Спасибо.", "Спасибо!", "спасибо", "Спасибо.", "Пока."))
        self.assertEqual([s.text for s in kept], ["Алло?", "Спасибо.", "Пока."])
        self.assertEqual(dropped, 3)

    def test_up_to_three_consecutive_repeats_are_kept(self):
        kept, dropped = filter_segments(segments("Алло?", "Алло?", "Алло?", "Да, слушаю."))
        self.assertEqual(len(kept), 4)
        self.assertEqual(dropped, 0)
