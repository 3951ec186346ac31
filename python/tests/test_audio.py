import os
import wave
from array import array

from crm_transcribe.audio import chunk_pcm, read_info, require_16_bit
from crm_transcribe.chunks import JOIN_GAP_SEC, Chunk
from crm_transcribe.errors import TranscribeError
from tests.support import TempDirTestCase
from tests.wavgen import write_wav


def samples_of(path):
    with wave.open(path, "rb") as wav:
        return wav.getnchannels(), wav.getframerate(), array("h", wav.readframes(wav.getnframes()))


class ChunkAudioTest(TempDirTestCase):
    def test_a_chunk_is_its_pieces_of_one_channel_joined_by_silence(self):
        path = write_wav(self.path("call.wav"), 3.0, [[(0.0, 3.0, 440)], [(0.0, 3.0, 660)]])
        _, _, interleaved = samples_of(path)
        chunk = Chunk()
        chunk.add(0.5, 1.0)
        chunk.add(2.0, 2.25)

        pcm = array("h", b"".join(chunk_pcm(read_info(path), 1, chunk)))

        right = interleaved[1::2]
        gap = round(JOIN_GAP_SEC * 16000)
        self.assertEqual(len(pcm), 8000 + gap + 4000)
        self.assertEqual(pcm[:8000], right[8000:16000])
        self.assertFalse(any(pcm[8000:8000 + gap]))
        self.assertEqual(pcm[8000 + gap:], right[32000:36000])

    def test_a_mono_file_gives_its_only_channel(self):
        path = write_wav(self.path("mono.wav"), 1.0, [[(0.0, 1.0, 440)]])
        chunk = Chunk()
        chunk.add(0.25, 0.5)
        self.assertEqual(array("h", b"".join(chunk_pcm(read_info(path), 0, chunk))), samples_of(path)[2][4000:8000])

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

    def test_only_16_bit_pcm_is_read(self):
        with wave.open(self.path("8bit.wav"), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(1)
            wav.setframerate(8000)
            wav.writeframes(bytes(800))
        with self.assertRaises(TranscribeError) as caught:
            require_16_bit(read_info(self.path("8bit.wav")))
        self.assertEqual(caught.exception.code, "unreadable_audio")
