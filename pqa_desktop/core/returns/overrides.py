"""Value corrections applied to a file's cell grid before any reader interprets it.

A correction (kept in the workspace, never written into the input) names a sheet and a cell ("B12")
and the value the QA officer wants read there instead. Applying it to the grid, not to the record,
means every rule of the reader (grades, dates, required fields) judges the corrected value exactly as
it would judge a value typed into the file, and the finding about the old value goes away.
"""
from __future__ import annotations

import re
from typing import Mapping

from ..inputs.tables import SheetTable

Overrides = Mapping[tuple[str, str], object]  # (sheet, cell such as "B12") -> value to read there

_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def parse_cell(cell: str) -> tuple[int, int] | None:
    """"B12" -> 0-based (row 11, column 1); None when the text is not a cell address."""
    match = _CELL.fullmatch(cell.strip())
    if match is None:
        return None
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + ord(ch) - 64
    row = int(match.group(2))
    if row < 1:
        return None
    return row - 1, col - 1


def apply_overrides(tables: list[SheetTable], overrides: Overrides | None) -> list[SheetTable]:
    """Write each override into its sheet's grid (in place; the grids are fresh for each read).

    Sheet names match case-insensitively, as in Excel. An override naming a sheet or cell that is
    not there (the sheet was renamed since) is ignored rather than guessed at. A blank value ("")
    reads as an empty cell.
    """
    if not overrides:
        return tables
    by_name = {t.sheet.casefold(): t for t in tables}
    for (sheet, cell), value in overrides.items():
        table = by_name.get(str(sheet).casefold())
        place = parse_cell(str(cell))
        if table is None or place is None:
            continue
        row, col = place
        while len(table.rows) <= row:
            table.rows.append([])
        line = table.rows[row]
        while len(line) <= col:
            line.append(None)
        line[col] = None if isinstance(value, str) and value.strip() == "" else value
    return tables
