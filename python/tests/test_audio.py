import os
import wave
from array import array

from crm_transcribe.audio import read_info, split_channels
from crm_transcribe.errors import TranscribeError
from tests.support import TempDirTestCase
from tests.wavgen import write_wav


def samples_of(path):
    with wave.open(path, "rb") as wav:
        return wav.getnchannels(), wav.getframerate(), array("h", wav.readframes(wav.getnframes()))


class ChannelSplitTest(TempDirTestCase):
    def test_each_channel_becomes_a_mono_file_with_that_channels_samples(self):
        path = write_wav(self.path("call.wav"), 1.0, [[(0.0, 0.5, 440)], [(0.5, 1.0, 660)]])
        _, _, interleaved = samples_of(path)

        left, right = split_channels(read_info(path), self.tmp)

        self.assertEqual(samples_of(left), (1, 16000, interleaved[0::2]))
        self.assertEqual(samples_of(right), (1, 16000, interleaved[1::2]))
        self.assertTrue(any(interleaved[0:16000:2]) and not any(interleaved[1:16000:2]))

    def test_info_reports_channels_and_duration(self):
        info = read_info(write_wav(self.path("call.wav"), 2.5, [[], []]))
        self.assertEqual((info.channels, info.sample_rate, info.duration_sec), (2, 16000, 2.5))

    def test_missing_file_is_file_not_found(self):
        with self.assertRaises(TranscribeError) as caught:
            read_info(self.path("absent.wav"))
        self.assertEqual(caught.exception.code, "file_not_found")

    def test_file_that_is_not_a_wav_is_unreadable_audio(self):
        with open(self.path("call.wav"), "wb") as file:
            file.write(b"ID3\x03\x00 an mp3, not a wav" + os.urandom(64))
        with self.assertRaises(TranscribeError) as caught:
            read_info(self.path("call.wav"))
        self.assertEqual(caught.exception.code, "unreadable_audio")
