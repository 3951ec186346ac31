import os

from crm_transcribe.engines import EngineOptions, FasterWhisperEngine, load_engine
from crm_transcribe.errors import TranscribeError
from tests.support import StandinTestCase, TempDirTestCase
from tests.wavgen import write_wav


class FasterWhisperAdapterTest(StandinTestCase):
    def test_loads_the_configured_model_on_the_configured_device(self):
        engine = load_engine(EngineOptions(backend="faster-whisper", model="large-v3", device="cpu",
                                           compute_type="int8"))
        self.assertEqual((engine.name, engine.model), ("faster-whisper", "large-v3"))
        self.assertEqual(self.read_log()[0], {"event": "load", "model": "large-v3", "device": "cpu",
                                              "computeType": "int8", "pid": os.getpid()})

    def test_passes_language_prompt_and_beam_size_and_converts_segments(self):
        engine = FasterWhisperEngine(EngineOptions(beam_size=3))
        path = write_wav(self.path("call.wav"), 2.0, [[(0.2, 0.8, 440), (1.2, 1.8, 990)]])

        result = engine.transcribe(path, "ru", "Ромашка, доставка")

        call = self.read_log()[1]
        self.assertEqual((call["language"], call["initialPrompt"], call["beamSize"]), ("ru", "Ромашка, доставка", 3))
        self.assertEqual(result.language, "ru")
        first, second = result.segments
        self.assertEqual((first.start, first.end, first.text), (0.2, 0.8, "Здравствуйте, компания Ромашка, меня зовут Анна."))
        self.assertEqual((second.no_speech_prob, second.avg_logprob), (0.95, -1.4))

    def test_auto_language_lets_the_engine_detect_it(self):
        engine = FasterWhisperEngine(EngineOptions())
        result = engine.transcribe(write_wav(self.path("call.wav"), 1.0, [[(0.1, 0.5, 550)]]), None, None)
        self.assertIsNone(self.read_log()[1]["language"])
        self.assertEqual(result.language, "ru")

    def test_a_model_that_cannot_load_is_engine_failed(self):
        with self.assertRaises(TranscribeError) as caught, self.assertLogs("transcribe", "ERROR"):
            FasterWhisperEngine(EngineOptions(model="unavailable-model"))
        self.assertEqual(caught.exception.code, "engine_failed")
        self.assertIn("unavailable-model", caught.exception.message)


class MissingEngineTest(TempDirTestCase):
    def test_each_local_engine_names_the_package_to_install(self):
        for backend, package in [("faster-whisper", "faster-whisper"), ("openai-whisper", "openai-whisper")]:
            with self.subTest(backend=backend), self.assertRaises(TranscribeError) as caught:
                load_engine(EngineOptions(backend=backend))
            self.assertEqual(caught.exception.code, "engine_missing")
            self.assertIn(f"pip install {package}", caught.exception.message)
