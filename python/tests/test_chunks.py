import unittest

from crm_transcribe.chunks import JOIN_GAP_SEC, Chunk, plan_chunks


def at_end(start, end):
    return end


def spans(chunks):
    return [[(piece.start, piece.end) for piece in chunk.pieces] for chunk in chunks]


class PlanChunksTest(unittest.TestCase):
    def test_consecutive_stretches_fill_a_chunk_up_to_the_limit(self):
        chunks = plan_chunks([(0, 100), (200, 300), (400, 500), (600, 650)], 250, at_end)
        self.assertEqual(spans(chunks), [[(0, 100), (200, 300)], [(400, 500), (600, 650)]])
        self.assertEqual([chunk.duration_sec for chunk in chunks], [200 + JOIN_GAP_SEC, 150 + JOIN_GAP_SEC])

    def test_a_stretch_longer_than_the_limit_is_cut_where_the_cut_point_says(self):
        asked = []

        def quietest(start, end):
            asked.append((start, end))
            return start + 10

        chunks = plan_chunks([(0, 700)], 300, quietest)
        self.assertEqual(asked, [(200, 300), (410, 510)])
        self.assertEqual(spans(chunks), [[(0, 210)], [(210, 420)], [(420, 700)]])

    def test_no_stretches_no_chunks(self):
        self.assertEqual(plan_chunks([], 300, at_end), [])


class ChunkTimeTest(unittest.TestCase):
    def setUp(self):
        self.chunk = Chunk()
        self.chunk.add(10.0, 12.0)
        self.chunk.add(20.0, 21.0)

    def test_a_time_in_a_piece_maps_onto_the_call(self):
        self.assertEqual(self.chunk.to_call_time(1.0, False), 11.0)
        self.assertEqual(self.chunk.to_call_time(3.0, True), 20.5)

    def test_a_time_in_the_joining_silence_moves_to_the_nearest_speech(self):
        self.assertEqual(self.chunk.to_call_time(2.2, False), 20.0)
        self.assertEqual(self.chunk.to_call_time(2.2, True), 12.0)

    def test_a_time_past_the_end_is_the_end_of_the_last_piece(self):
        self.assertEqual(self.chunk.to_call_time(9.0, True), 21.0)

    def test_halves_split_between_pieces(self):
        first, second = self.chunk.halves()
        self.assertEqual(spans([first, second]), [[(10.0, 12.0)], [(20.0, 21.0)]])
        self.assertEqual(second.pieces[0].offset, 0.0)

    def test_a_single_piece_halves_in_its_middle(self):
        chunk = Chunk()
        chunk.add(100.0, 160.0)
        self.assertEqual(spans(chunk.halves()), [[(100.0, 130.0)], [(130.0, 160.0)]])
