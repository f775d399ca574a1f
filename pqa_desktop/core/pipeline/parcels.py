"""A file's reading result packed for the trip back from a reading process, in pieces none of which takes
long to unpack.

A reading process (a pool worker, the reading process) sends what it read back pickled, and the receiving
end unpickles it in one call into C: for a council's largest export (120,000 rows, its 100,000 child IDs)
30-50 ms on a quiet machine and up to 100 ms on a busy one, with the interpreter lock held throughout, so
behind the app every other thread waited that long, the window's too (issue 18: the executor's result
thread unpacking a spawned worker's result was one of the window's longest stalls). A ``Parcel`` carries
the result with its large parts taken out and pickled apart, each large table in pieces of rows and each
large set of identifiers in pieces of members; receiving it unpickles only the result's small rest and a
list of byte strings (a copy of memory), and ``unpack`` unpacks the pieces one call each, a few milliseconds
apiece, so another thread gets its turn between them. What ``unpack`` gives equals what was packed:
the same tables (columns, types, index, values) and sets.
"""
from __future__ import annotations

import pickle
from dataclasses import replace

import pandas as pd

from ..records import ReadResult

PIECE_ROWS = 8192  # rows of a table per piece: about half a megabyte pickled, 2-4 ms to unpickle
PIECE_MEMBERS = 16384  # members of a set per piece
_PROTOCOL = pickle.HIGHEST_PROTOCOL
_SETS = ("sensitive", "staff_names")


class Parcel:
    """``Parcel(result)`` in the reading process; ``parcel.unpack()`` where it arrives.

    ``in_pieces=False`` sends the result whole: for a program with no window to keep responsive (the command
    line), where pieces would only cost memory, the pieces and the table joined from them both held for a
    moment (15-30 MB more at the command line's peak on a council's year)."""

    __slots__ = ("_rest", "_sets", "_tables")

    def __init__(self, result: ReadResult, in_pieces: bool = True):
        if not in_pieces:
            self._rest, self._sets, self._tables = result, {}, {}
            return
        sets = {name: getattr(result, name) for name in _SETS if len(getattr(result, name)) > PIECE_MEMBERS}
        large = {i: table.frame for i, table in enumerate(result.exports) if len(table.frame) > PIECE_ROWS}
        exports = [replace(table, frame=None) if i in large else table for i, table in enumerate(result.exports)]
        self._rest = replace(result, exports=exports, **{name: set() for name in sets})
        self._sets = {name: _set_pieces(values) for name, values in sets.items()}
        self._tables = {i: _frame_pieces(frame) for i, frame in large.items()}

    def unpack(self) -> ReadResult:
        """The result packed, each piece unpickled by a call of its own."""
        result = self._rest
        for name, pieces in self._sets.items():
            values = getattr(result, name)
            for piece in _taken(pieces):
                values.update(pickle.loads(piece))
        for i, pieces in self._tables.items():
            parts = [pickle.loads(piece) for piece in _taken(pieces)]
            result.exports[i].frame = pd.concat(parts) if len(parts) > 1 else parts[0]
        self._rest, self._sets, self._tables = None, {}, {}  # unpacked once: the pieces are let go
        return result

    def pieces(self) -> list[bytes]:
        """The pieces packed apart (for the tests: none is large)."""
        return [piece for pieces in (*self._sets.values(), *self._tables.values()) for piece in pieces]


def _taken(pieces: list[bytes]):
    """Each piece in turn, let go as it is taken (a large export's pieces are megabytes)."""
    pieces.reverse()
    while pieces:
        yield pieces.pop()


def _set_pieces(values: set) -> list[bytes]:
    members = list(values)  # in the set's own order, as pickling a set keeps it
    return [pickle.dumps(members[start:start + PIECE_MEMBERS], _PROTOCOL)
            for start in range(0, len(members), PIECE_MEMBERS)]


def _frame_pieces(frame: pd.DataFrame) -> list[bytes]:
    return [pickle.dumps(frame.iloc[start:start + PIECE_ROWS], _PROTOCOL)
            for start in range(0, len(frame), PIECE_ROWS)]
