import os
import subprocess
import wave

from crm_transcribe.encoding import UPLOAD_FORMATS
from crm_transcribe.engines import EngineOptions, FasterWhisperEngine, Upload
from crm_transcribe.errors import TranscribeError
from crm_transcribe.pipeline import Request, transcribe_file
from tests.support import FFMPEG, StandinTestCase
from tests.wavgen import write_wav

HELLO, DELIVERY, YES = 440, 550, 660


class RecordingEngine:
    """The faster-whisper stand-in behind any upload format: notes every file it is sent."""
    name, model = "recording", "fake-1"

    def __init__(self, upload=Upload(), refuse_longer_than=None):
        self.upload = upload
        self.refuse_longer_than = refuse_longer_than
        self.sent = []
        self._engine = FasterWhisperEngine(EngineOptions())

    def transcribe(self, path, language, prompt, audio_sec=None):
        with open(path, "rb") as file:
            head = file.read(4)
        self.sent.append({"path": path, "audioSec": audio_sec, "head": head, "bytes": os.path.getsize(path)})
        if self.refuse_longer_than and audio_sec > self.refuse_longer_than:
            raise TranscribeError("too_large", "Maximum content size limit (26214400) exceeded")
        if head == b"RIFF":
            return self._engine.transcribe(path, language, prompt)
        decoded = path + ".wav"
        subprocess.run([FFMPEG, "-v", "error", "-i", path, "-ar", "16000", "-ac", "1", decoded], check=True)
        try:
            return self._engine.transcribe(decoded, language, prompt)
        finally:
            os.remove(decoded)


def times(result):
    return [(segment["start"], segment["end"], segment["speaker"]) for segment in result["segments"]]


class SpeechOnlyTest(StandinTestCase):
    def test_only_speech_is_sent_and_its_times_map_back_onto_the_call(self):
        path = write_wav(self.path("call.wav"), 60.0, [[(1.0, 3.0, HELLO), (20.0, 22.0, YES)], [(5.0, 7.0, DELIVERY)]])
        engine = RecordingEngine()

        result = transcribe_file(engine, Request(path))

        self.assertEqual(times(result), [(1.0, 3.0, "manager"), (5.0, 7.0, "client"), (20.0, 22.0, "manager")])
        self.assertEqual(result["requests"], 2)
        self.assertAlmostEqual(result["sentSec"], (2.4 + 0.5 + 2.4) + 2.4, places=3)
        self.assertEqual(sorted(round(sent["audioSec"], 3) for sent in engine.sent), [2.4, 5.3])
        self.assertEqual(result["channelLayout"], "stereo")

    def test_a_silent_recording_sends_nothing(self):
        engine = RecordingEngine()
        result = transcribe_file(engine, Request(write_wav(self.path("call.wav"), 30.0, [[], []], noise=50)))
        self.assertEqual((result["segments"], result["requests"], result["sentSec"], engine.sent), ([], 0, 0.0, []))


class ChunkingTest(StandinTestCase):
    def test_a_long_channel_goes_in_chunks_within_the_upload_limit_and_joins_back_in_order(self):
        starts = [5.0 + 15 * index for index in range(8)]
        tones = [(start, start + 3.0, (HELLO, DELIVERY, YES)[index % 3]) for index, start in enumerate(starts)]
        path = write_wav(self.path("call.wav"), 130.0, [tones])
        limit = int(12 * 32000) + 65536
        engine = RecordingEngine(Upload(UPLOAD_FORMATS["wav"], limit))

        result = transcribe_file(engine, Request(path))

        self.assertEqual([start for start, _, _ in times(result)], starts)
        self.assertEqual([end - start for start, end, _ in times(result)], [3.0] * 8)
        self.assertEqual(result["requests"], len(engine.sent))
        self.assertEqual([round(sent["audioSec"], 1) for sent in engine.sent], [11.2, 11.2, 7.3])
        self.assertTrue(all(sent["bytes"] <= limit - 65536 for sent in engine.sent))

    def test_compressed_chunks_go_through_ffmpeg(self):
        path = write_wav(self.path("call.wav"), 20.0, [[(2.0, 9.0, HELLO), (12.0, 16.0, YES)]])
        engine = RecordingEngine(Upload(UPLOAD_FORMATS["ogg"], 25 * 1024 * 1024, FFMPEG))

        result = transcribe_file(engine, Request(path))

        self.assertEqual([sent["head"] for sent in engine.sent], [b"OggS"])
        self.assertEqual([(round(start, 1), round(end, 1)) for start, end, _ in times(result)], [(2.0, 9.0), (12.0, 16.0)])

    def test_a_chunk_of_a_few_seconds_goes_as_wav_without_starting_an_encoder(self):
        path = write_wav(self.path("call.wav"), 20.0, [[(2.0, 5.0, HELLO), (12.0, 14.0, YES)]])
        engine = RecordingEngine(Upload(UPLOAD_FORMATS["ogg"], 25 * 1024 * 1024, self.path("no-ffmpeg")))

        result = transcribe_file(engine, Request(path))

        self.assertEqual([sent["head"] for sent in engine.sent], [b"RIFF"])
        self.assertEqual(len(result["segments"]), 2)

    def test_a_chunk_refused_as_too_large_goes_again_in_halves(self):
        path = write_wav(self.path("call.wav"), 60.0, [[(5.0, 9.0, HELLO), (20.0, 24.0, DELIVERY), (40.0, 44.0, YES)]])
        engine = RecordingEngine(refuse_longer_than=10.0)

        with self.assertLogs("transcribe", "WARNING"):
            result = transcribe_file(engine, Request(path))

        self.assertEqual([start for start, _, _ in times(result)], [5.0, 20.0, 40.0])
        self.assertEqual([round(sent["audioSec"], 1) for sent in engine.sent], [14.2, 4.4, 9.3])
        self.assertEqual(result["requests"], 3)

    def test_progress_is_told_before_each_chunk(self):
        starts = [5.0 + 15 * index for index in range(4)]
        path = write_wav(self.path("call.wav"), 70.0, [[(start, start + 3.0, HELLO) for start in starts]])
        told = []
        engine = RecordingEngine(Upload(UPLOAD_FORMATS["wav"], int(20 * 32000) + 65536))

        transcribe_file(engine, Request(path), told.append)

        self.assertEqual(told, [sent["audioSec"] for sent in engine.sent])


class DualMonoTest(StandinTestCase):
    def test_the_same_mix_on_both_channels_is_transcribed_once_without_speakers(self):
        mix = [(1.0, 3.0, HELLO), (4.0, 6.0, DELIVERY)]
        path = write_wav(self.path("call.wav"), 8.0, [mix, mix], noise=100, gains=[1.0, 0.7])
        engine = RecordingEngine()

        result = transcribe_file(engine, Request(path))

        self.assertEqual(times(result), [(1.0, 3.0, "unknown"), (4.0, 6.0, "unknown")])
        self.assertEqual((result["channelLayout"], result["requests"]), ("dual_mono", 1))


class RepeatedAnswersTest(StandinTestCase):
    def test_the_same_short_answer_to_each_question_is_kept(self):
        questions = [(1.0 + 5 * index, 3.0 + 5 * index, HELLO) for index in range(5)]
        answers = [(3.5 + 5 * index, 4.3 + 5 * index, YES) for index in range(5)]
        path = write_wav(self.path("call.wav"), 27.0, [questions, answers])

        result = transcribe_file(RecordingEngine(), Request(path))

        self.assertEqual([speaker for _, _, speaker in times(result)], ["manager", "client"] * 5)
        self.assertEqual(result["dropped"], 0)

    def test_the_same_phrase_again_and_again_on_one_channel_is_a_loop(self):
        loop = [(1.0 + 1.5 * index, 2.0 + 1.5 * index, YES) for index in range(6)]
        path = write_wav(self.path("call.wav"), 12.0, [[(0.2, 0.8, HELLO)], loop])

        result = transcribe_file(RecordingEngine(), Request(path))

        self.assertEqual([speaker for _, _, speaker in times(result)], ["manager", "client"])
        self.assertEqual(result["dropped"], 5)
