import os
import subprocess
import unittest
import wave

from crm_transcribe.encoding import MAX_CHUNK_SEC, UPLOAD_FORMATS, UploadFormat, write_chunk_file
from crm_transcribe.errors import TranscribeError
from tests.support import FFMPEG, TempDirTestCase
from tests.wavgen import write_wav


def speechlike_pcm(path):
    with wave.open(path, "rb") as wav:
        return [wav.readframes(wav.getnframes())]


def duration_of(path):
    decoded = subprocess.run([FFMPEG, "-v", "error", "-i", path, "-f", "s16le", "-ac", "1", "-ar", "16000", "-"],
                             capture_output=True, check=True).stdout
    return len(decoded) / 2 / 16000


class WriteChunkFileTest(TempDirTestCase):
    def setUp(self):
        super().setUp()
        tones = [(start, start + 0.8, 300 + 40 * index) for index, start in enumerate(range(0, 30))]
        self.pcm = speechlike_pcm(write_wav(self.path("source.wav"), 30.0, [tones], noise=400))

    def test_opus_in_ogg_is_a_fraction_of_the_pcm_and_plays_as_long(self):
        path = write_chunk_file(self.path("chunk.ogg"), UPLOAD_FORMATS["ogg"], 16000, self.pcm, FFMPEG)
        with open(path, "rb") as file:
            head = file.read(64)
        self.assertTrue(head.startswith(b"OggS") and b"OpusHead" in head)
        self.assertLess(os.path.getsize(path), 30 * UPLOAD_FORMATS["ogg"].bytes_per_sec)
        self.assertAlmostEqual(duration_of(path), 30.0, delta=0.1)

    def test_mp3_fits_its_expected_size(self):
        path = write_chunk_file(self.path("chunk.mp3"), UPLOAD_FORMATS["mp3"], 16000, self.pcm, FFMPEG)
        self.assertLess(os.path.getsize(path), 30 * UPLOAD_FORMATS["mp3"].bytes_per_sec)
        self.assertAlmostEqual(duration_of(path), 30.0, delta=0.1)

    def test_wav_needs_no_ffmpeg(self):
        path = write_chunk_file(self.path("chunk.wav"), UPLOAD_FORMATS["wav"], 16000, self.pcm, None)
        with wave.open(path, "rb") as wav:
            self.assertEqual((wav.getnchannels(), wav.getframerate(), wav.getnframes()), (1, 16000, 480000))

    def test_a_missing_ffmpeg_is_not_configured(self):
        with self.assertRaises(TranscribeError) as caught:
            write_chunk_file(self.path("chunk.ogg"), UPLOAD_FORMATS["ogg"], 16000, self.pcm, self.path("no-ffmpeg"))
        self.assertEqual(caught.exception.code, "not_configured")

    def test_an_ffmpeg_failure_says_what_ffmpeg_said(self):
        broken = UploadFormat("ogg", "audio/ogg", ("-c:a", "no-such-codec"), 3000.0)
        with self.assertRaises(TranscribeError) as caught:
            write_chunk_file(self.path("chunk.ogg"), broken, 16000, [bytes(32000)] * 20, FFMPEG)
        self.assertEqual(caught.exception.code, "engine_failed")
        self.assertIn("no-such-codec", caught.exception.message)


class MaxChunkTest(unittest.TestCase):
    def test_pcm_chunks_fit_the_upload_limit_and_compressed_ones_stop_at_twenty_minutes(self):
        limit = 25 * 1024 * 1024
        self.assertAlmostEqual(UPLOAD_FORMATS["wav"].max_chunk_sec(limit, 16000), (limit - 65536) / 32000)
        self.assertEqual(UPLOAD_FORMATS["ogg"].max_chunk_sec(limit, 16000), MAX_CHUNK_SEC)
        self.assertEqual(UPLOAD_FORMATS["wav"].max_chunk_sec(None, 16000), MAX_CHUNK_SEC)
        self.assertLess(UPLOAD_FORMATS["ogg"].max_chunk_sec(2 * 1024 * 1024, 16000), 700)
