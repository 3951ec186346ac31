import os

from tests.support import TempDirTestCase, engine_env, run_cli
from tests.wavgen import write_wav

MANAGER_LEFT = [(0.2, 1.0, 440), (2.0, 2.8, 660)]
CLIENT_RIGHT = [(1.1, 1.9, 550), (3.0, 3.5, 880)]


class OneShotOutputTest(TempDirTestCase):
    def setUp(self):
        super().setUp()
        self.env = engine_env(STANDIN_LOG=self.path("standin.log"))
        self.stereo = write_wav(self.path("call.wav"), 4.0, [MANAGER_LEFT, CLIENT_RIGHT])

    def test_stereo_channels_merge_into_one_timeline_with_speakers(self):
        code, output, stderr = run_cli([self.stereo], self.env)

        self.assertEqual(code, 0)
        self.assertEqual(set(output), {"text", "language", "durationSec", "segments", "engine", "model", "dropped",
                                       "channelLayout", "sentSec", "requests"})
        self.assertEqual(output["segments"], [
            {"start": 0.2, "end": 1.0, "speaker": "manager", "text": "Здравствуйте, компания Ромашка, меня зовут Анна."},
            {"start": 1.1, "end": 1.9, "speaker": "client", "text": "Добрый день, мне нужна доставка."},
            {"start": 2.0, "end": 2.8, "speaker": "manager", "text": "Да, конечно, оформим заказ."},
        ])
        self.assertEqual((output["durationSec"], output["language"], output["dropped"]), (4.0, "ru", 1))
        self.assertEqual((output["engine"], output["model"]), ("faster-whisper", "small"))
        self.assertEqual((output["channelLayout"], output["requests"]), ("stereo", 2))
        self.assertLess(output["sentSec"], 2 * output["durationSec"])
        self.assertTrue(output["text"].startswith("Здравствуйте, компания Ромашка"))
        self.assertIn("ready in", stderr)

    def test_manager_channel_one_swaps_the_speakers(self):
        _, output, _ = run_cli([self.stereo, "--manager-channel", "1"], self.env)
        self.assertEqual([s["speaker"] for s in output["segments"]], ["client", "manager", "client"])

    def test_mono_audio_has_unknown_speaker(self):
        mono = write_wav(self.path("mono.wav"), 2.0, [[(0.2, 1.0, 440)]])
        _, output, _ = run_cli([mono], self.env)
        self.assertEqual([s["speaker"] for s in output["segments"]], ["unknown"])

    def test_hints_and_language_reach_the_engine(self):
        run_cli([self.stereo, "--language", "auto", "--hint", "Ромашка", "--hints-json", '["Доставка", "СДЭК"]',
                 "--model", "medium", "--beam-size", "2"], self.env)
        calls = [entry for entry in self.read_log() if entry["event"] == "transcribe"]
        self.assertEqual(len(calls), 2)
        for call in calls:
            self.assertEqual((call["language"], call["initialPrompt"], call["beamSize"]),
                             (None, "Ромашка, Доставка, СДЭК", 2))

    def test_backend_and_model_come_from_the_environment(self):
        env = dict(self.env, TRANSCRIBE_BACKEND="faster-whisper", WHISPER_MODEL="tiny")
        _, output, _ = run_cli([self.stereo], env)
        self.assertEqual(output["model"], "tiny")

    def test_temporary_channel_files_are_removed(self):
        env = dict(self.env, TMPDIR=self.path("scratch"))
        os.mkdir(env["TMPDIR"])
        run_cli([self.stereo], env)
        self.assertEqual(os.listdir(env["TMPDIR"]), [])


class OneShotErrorTest(TempDirTestCase):
    def assert_error(self, args, env, code):
        exit_code, output, _ = run_cli(args, env)
        self.assertNotEqual(exit_code, 0)
        self.assertEqual(set(output), {"error"})
        self.assertEqual(output["error"]["code"], code)
        return output["error"]["message"]

    def test_missing_file(self):
        self.assert_error([self.path("absent.wav")], engine_env(), "file_not_found")

    def test_unreadable_audio(self):
        with open(self.path("call.wav"), "w") as file:
            file.write("not audio")
        self.assert_error([self.path("call.wav")], engine_env(), "unreadable_audio")

    def test_missing_engine_says_how_to_install_it(self):
        wav = write_wav(self.path("call.wav"), 1.0, [[]])
        message = self.assert_error([wav], engine_env(with_standin=False), "engine_missing")
        self.assertIn("pip install faster-whisper", message)

    def test_bad_arguments(self):
        wav = write_wav(self.path("call.wav"), 1.0, [[]])
        self.assert_error([wav, "--manager-channel", "2"], engine_env(), "bad_request")
        self.assert_error([wav, "--hints-json", "{not json"], engine_env(), "bad_request")
        self.assert_error([], engine_env(), "bad_request")

    def test_engine_failure(self):
        wav = write_wav(self.path("call.wav"), 1.0, [[]])
        self.assert_error([wav, "--model", "unavailable-model"], engine_env(), "engine_failed")
