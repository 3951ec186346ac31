"""
What goes to the engine: the speech stretches of a channel, joined by short silences into chunks that fit the
engine's limits, and the way back from a time in a chunk to the time in the call.
"""
from dataclasses import dataclass, field

JOIN_GAP_SEC = 0.5
MIN_CHUNK_SEC = 10.0


@dataclass
class Piece:
    """The call's audio from `start` to `end`, placed at `offset` seconds into the chunk."""
    start: float
    end: float
    offset: float

    @property
    def length(self):
        return self.end - self.start


@dataclass
class Chunk:
    pieces: list = field(default_factory=list)

    @property
    def duration_sec(self):
        last = self.pieces[-1]
        return last.offset + last.length

    def add(self, start, end):
        offset = self.duration_sec + JOIN_GAP_SEC if self.pieces else 0.0
        self.pieces.append(Piece(start, end, offset))

    def to_call_time(self, seconds, is_end):
        """
        A time in the chunk as a time in the call. A time inside a joining silence belongs to no speech: a start
        moves forward to the next piece, an end back to the previous one.
        """
        previous = None
        for piece in self.pieces:
            if seconds < piece.offset:
                return previous.end if is_end and previous else piece.start
            if seconds <= piece.offset + piece.length:
                return piece.start + (seconds - piece.offset)
            previous = piece
        return previous.end

    def halves(self):
        """Two chunks for a server that refused this one as too large: split between pieces, or in the middle."""
        if len(self.pieces) > 1:
            middle = len(self.pieces) // 2
            return [_chunk_of(self.pieces[:middle]), _chunk_of(self.pieces[middle:])]
        piece = self.pieces[0]
        middle = piece.start + piece.length / 2
        return [_chunk_of([Piece(piece.start, middle, 0.0)]), _chunk_of([Piece(middle, piece.end, 0.0)])]


def _chunk_of(pieces):
    chunk = Chunk()
    for piece in pieces:
        chunk.add(piece.start, piece.end)
    return chunk


def plan_chunks(stretches, max_sec, cut_point):
    """
    Consecutive stretches fill a chunk up to `max_sec`; a stretch longer than that is cut first, at the point that
    `cut_point(start, end)` picks (the quietest moment) within the last third of each part.
    """
    max_sec = max(max_sec, MIN_CHUNK_SEC)
    chunks = []
    current = Chunk()
    for start, end in _cut_long(stretches, max_sec, cut_point):
        if current.pieces and current.duration_sec + JOIN_GAP_SEC + (end - start) > max_sec:
            chunks.append(current)
            current = Chunk()
        current.add(start, end)
    if current.pieces:
        chunks.append(current)
    return chunks


def _cut_long(stretches, max_sec, cut_point):
    for start, end in stretches:
        while end - start > max_sec:
            cut = cut_point(start + max_sec * 2 / 3, start + max_sec)
            yield start, cut
            start = cut
        yield start, end
