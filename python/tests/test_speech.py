import subprocess
import unittest
import wave
from array import array

from crm_transcribe.audio import read_info
from crm_transcribe.speech import quietest_frame, scan, speech_stretches
from tests.support import TempDirTestCase
from tests.wavgen import write_wav


def stretches_of(path, channel=0):
    info = read_info(path)
    found = scan(info)
    return [(round(start, 2), round(end, 2)) for start, end in speech_stretches(found.levels[channel], found.frame_sec,
                                                                               info.duration_sec)]


class SpeechStretchTest(TempDirTestCase):
    def test_each_stretch_of_sound_is_found_padded_and_joined_across_short_pauses(self):
        path = write_wav(self.path("call.wav"), 8.0, [[(0.5, 1.5, 440), (1.9, 2.4, 550), (5.0, 5.3, 660)]])
        self.assertEqual(stretches_of(path), [(0.3, 2.6), (4.8, 5.5)])

    def test_a_stretch_at_the_edges_of_the_file_stays_inside_it(self):
        path = write_wav(self.path("call.wav"), 2.0, [[(0.0, 0.5, 440), (1.8, 2.0, 550)]])
        self.assertEqual(stretches_of(path), [(0.0, 0.7), (1.6, 2.0)])

    def test_speech_over_line_noise_is_found_and_the_noise_alone_is_not(self):
        path = write_wav(self.path("call.wav"), 10.0, [[(3.0, 4.0, 440)], []], noise=200)
        self.assertEqual(stretches_of(path, 0), [(2.8, 4.2)])
        self.assertEqual(stretches_of(path, 1), [])

    def test_a_silent_channel_has_no_speech(self):
        self.assertEqual(stretches_of(write_wav(self.path("call.wav"), 3.0, [[]])), [])

    def test_spoken_russian_is_found_where_it_was_placed(self):
        turns = [(1.0, "Здравствуйте, компания Ромашка."), (6.5, "Да."), (9.0, "Чем могу помочь?")]
        path, placed = self.spoken(12.0, turns)
        found = stretches_of(path)
        self.assertEqual(len(found), len(placed))
        for (start, end), (spoken_start, spoken_end) in zip(found, placed):
            self.assertAlmostEqual(start, spoken_start - 0.2, delta=0.1)
            self.assertAlmostEqual(end, spoken_end + 0.2, delta=0.1)

    def spoken(self, duration_sec, turns):
        """A mono WAV with each phrase spoken by espeak-ng at its time; returns it and where each has sound."""
        rate = 16000
        samples = array("h", bytes(2 * int(duration_sec * rate)))
        placed = []
        for index, (start, text) in enumerate(turns):
            raw = self.path(f"turn{index}.wav")
            subprocess.run(["espeak-ng", "-v", "ru", "-w", raw, text], check=True)
            with wave.open(raw, "rb") as wav:
                voice = array("h", wav.readframes(wav.getnframes()))
                voice_rate = wav.getframerate()
            resampled = [voice[int(i * voice_rate / rate)] for i in range(int(len(voice) * rate / voice_rate))]
            loud = [i for i, value in enumerate(resampled) if abs(value) > 500]
            offset = int(start * rate)
            samples[offset:offset + len(resampled)] = array("h", resampled)
            placed.append(((offset + loud[0]) / rate, (offset + loud[-1]) / rate))
        path = self.path("spoken.wav")
        with wave.open(path, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate)
            wav.writeframes(samples.tobytes())
        return path, placed


class DualMonoTest(TempDirTestCase):
    def test_the_same_mix_on_both_channels_is_dual_mono(self):
        mix = [(0.5, 2.0, 440), (2.5, 4.0, 550)]
        self.assertTrue(scan(read_info(write_wav(self.path("same.wav"), 5.0, [mix, mix]))).dual_mono)

    def test_the_same_mix_at_another_gain_under_its_own_noise_is_dual_mono(self):
        mix = [(0.5, 2.0, 440), (2.5, 4.0, 550)]
        path = write_wav(self.path("near.wav"), 5.0, [mix, mix], noise=300, gains=[1.0, 0.6])
        self.assertTrue(scan(read_info(path)).dual_mono)

    def test_two_parties_on_their_own_channels_are_not(self):
        path = write_wav(self.path("stereo.wav"), 5.0, [[(0.5, 2.0, 440)], [(2.5, 4.0, 550)]], noise=100)
        self.assertFalse(scan(read_info(path)).dual_mono)

    def test_a_silent_second_channel_is_not_dual_mono(self):
        self.assertFalse(scan(read_info(write_wav(self.path("one.wav"), 2.0, [[(0.5, 1.5, 440)], []]))).dual_mono)

    def test_a_mono_file_is_not_dual_mono(self):
        self.assertFalse(scan(read_info(write_wav(self.path("mono.wav"), 2.0, [[(0.5, 1.5, 440)]]))).dual_mono)


class QuietestFrameTest(unittest.TestCase):
    def test_the_quietest_frame_within_the_window(self):
        levels = array("f", [-20.0] * 100)
        levels[30], levels[70] = -60.0, -80.0
        self.assertAlmostEqual(quietest_frame(levels, 0.02, 0.4, 1.0), 0.6)
        self.assertAlmostEqual(quietest_frame(levels, 0.02, 1.0, 1.9), 1.4)
