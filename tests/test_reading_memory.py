"""A workbook's sheets are read one at a time (issue 18, the command line's peak memory).

A large export's sheets were all held as Python cells at once before any was typed, so the reading worker
given the year's Annex A workbook peaked at every sheet's cells together. Each sheet is now typed as soon
as it is read and its cells let go before the next is read: reading a workbook of several large sheets
peaks about one sheet's cells above what reading one such sheet does. Measured with tracemalloc (Python's
own allocations: deterministic, unlike the process's resident memory).
"""
from __future__ import annotations

import gc
import tracemalloc
from datetime import date, timedelta

import openpyxl
from pqa_desktop.core.pipeline.reading import read_input
from tests.exports_fixtures import LIST_9_2019, as_input

ROWS = 6_000  # 78,000 cells a sheet: read lazily, as an export's large sheets are (inputs.tables.LAZY_CELLS)
SHEETS = 4


def _write(path, sheets: int):
    wb = openpyxl.Workbook(write_only=True)
    for s in range(sheets):
        ws = wb.create_sheet(f"List 9 part {s + 1}")
        ws.append(LIST_9_2019)
        for r in range(ROWS):
            ws.append([f"CL{s}{r:06d}", "Female" if r % 2 else "Male", "WBRI", date(2003, 1, 1) + timedelta(days=r % 900),
                       19 + r % 3, "No", f"Team {r % 7}", f"Worker {r % 41}", "Relevant", "Yes",
                       "Independent living", "Suitable", "In education"])
    wb.save(path)
    return as_input(path)


def _peak(item) -> tuple[int, object]:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        result = read_input(item)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    return peak, result


def test_a_workbooks_large_sheets_are_not_all_held_at_once(tmp_path):
    one_peak, one = _peak(_write(tmp_path / "one.xlsx", 1))
    many_peak, many = _peak(_write(tmp_path / "many.xlsx", SHEETS))
    assert one.kind == many.kind == "system_export"
    assert len(many.exports) == SHEETS and all(len(t.frame) == ROWS for t in many.exports)
    # Held all at once, the sheets' cells added SHEETS - 1 sheets' to the peak of reading one (about twice
    # that peak); one at a time, only each further sheet's typed columns are added (about half of it).
    assert many_peak - one_peak < one_peak, (one_peak, many_peak)
