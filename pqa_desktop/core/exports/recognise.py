"""Which export table a sheet holds, and where its header row is: decided by the set of headers only.

A sheet is a table of a kind when one of its first 10 rows names every required column of that kind
(after header normalisation and aliases). When several kinds match, the one with more matched
columns wins (then the one whose columns are matched in a larger share; then the file's order).

A sheet that matches no kind fully may still *nearly* match one: at least 60% of the kind's columns
(and at least 3) are present, but a required one is missing. That is almost certainly the export
with a column renamed or deleted, so the reader says which required columns are missing instead of
silently skipping the sheet.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..inputs.tables import SheetTable, find_header_row
from ..values import label_key
from .spec import TableSpec, table_specs

HEADER_ROWS = 10  # the header row is one of the first 10 rows
NEAR_SHARE = 0.6
NEAR_MINIMUM = 3


@dataclass(frozen=True)
class HeaderMatch:
    spec: TableSpec
    header_row: int  # 0-based index of the header row in the sheet grid
    positions: dict[str, int]  # canonical column id -> 0-based column index in the sheet

    @property
    def missing(self) -> tuple[str, ...]:
        """Required column ids not found in the header (empty for a complete match)."""
        return tuple(c for c in self.spec.required if c not in self.positions)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def score(self) -> tuple[int, float]:
        return len(self.positions), len(self.positions) / len(self.spec.columns)


def match_header(row: list, spec: TableSpec) -> dict[str, int]:
    """Canonical column id -> column index for the cells of ``row`` that name a column of ``spec``.

    A column named twice is taken from its first (leftmost) cell.
    """
    positions: dict[str, int] = {}
    for index, cell in enumerate(row):
        column_id = spec.column_for(cell)
        if column_id is not None and column_id not in positions:
            positions[column_id] = index
    return positions


_index: list = [None, {}]  # the specs the index was made from, and header key -> ((spec's place, column id), ...)


def _header_index(specs: tuple[TableSpec, ...]) -> dict[str, tuple[tuple[int, str], ...]]:
    """Every header key of every kind, and which kinds' columns it names, made once for ``specs``."""
    if _index[0] is not specs:
        index: dict[str, list[tuple[int, str]]] = {}
        for place, spec in enumerate(specs):
            for key, column_id in spec.header_keys.items():
                index.setdefault(key, []).append((place, column_id))
        _index[:] = [specs, {key: tuple(hits) for key, hits in index.items()}]
    return _index[1]


def _matches(row: list, specs: tuple[TableSpec, ...]) -> dict[int, dict[str, int]]:
    """``match_header(row, spec)`` for every kind at once, by the kind's place in ``specs`` (kinds none of
    whose columns the row names are left out): each cell's key is worked out and looked up once, not once per
    kind (a sheet's first rows are searched for a header of each of the contract's kinds)."""
    index = _header_index(specs)
    found: dict[int, dict[str, int]] = {}
    for column, cell in enumerate(row):
        if cell is None:
            continue
        hits = index.get(label_key(cell))
        if hits is None:
            continue
        for place, column_id in hits:
            positions = found.setdefault(place, {})
            if column_id not in positions:  # a column named twice is taken from its first cell
                positions[column_id] = column
    return found


def _best(row: list, complete_only: bool) -> HeaderMatch | None:
    best: HeaderMatch | None = None
    specs = table_specs()
    matches = _matches(row, specs)
    for place, spec in enumerate(specs):  # the file's order breaks ties
        positions = matches.get(place)
        if not positions:
            continue
        candidate = HeaderMatch(spec, 0, positions)
        if complete_only and not candidate.complete:
            continue
        if not complete_only and not _near(candidate):
            continue
        if best is None or candidate.score > best.score:
            best = candidate
    return best


def _near(match: HeaderMatch) -> bool:
    needed = max(NEAR_MINIMUM, math.ceil(NEAR_SHARE * len(match.spec.columns)))
    return len(match.positions) >= needed


def recognise(table: SheetTable) -> HeaderMatch | None:
    """The kind and header row of a sheet: a complete match if any row gives one, else the best
    near match (``complete`` False), else None (the sheet is not a system export)."""
    index = find_header_row(table.rows, lambda row: _best(row, complete_only=True) is not None,
                            within=HEADER_ROWS)
    if index is not None:
        match = _best(table.rows[index], complete_only=True)
        return HeaderMatch(match.spec, index, match.positions)
    near: HeaderMatch | None = None
    for index, row in enumerate(table.rows[:HEADER_ROWS]):
        candidate = _best(row, complete_only=False) if row else None
        if candidate is not None and (near is None or candidate.score > near.score):
            near = HeaderMatch(candidate.spec, index, candidate.positions)
    return near
