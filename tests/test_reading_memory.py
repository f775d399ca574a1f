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
from pqa_desktop.core.exports.reader import read_export
from pqa_desktop.core.pipeline.reading import read_input
from pqa_desktop.core.returns.reader import read_return_with_tables
from tests.exports_fixtures import LIST_9_2019, as_input
from tests.returns_fixtures import write_hand_laid_out, write_register_xlsx

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


def _read_whole(item, overrides=None):
    """What reading ``item`` gave before its sheets were handed over as read: every sheet held whole."""
    result, tables, found = read_return_with_tables(item, overrides)
    return result if result is not None else read_export(item, tables=tables, overrides=overrides, found=found)


def _same(a, b) -> None:
    assert (a.kind, a.kind_label, a.findings, a.sensitive, a.staff_names) == \
        (b.kind, b.kind_label, b.findings, b.sensitive, b.staff_names)
    assert a.audits == b.audits and a.edt_samples == b.edt_samples
    assert len(a.exports) == len(b.exports)
    for x, y in zip(a.exports, b.exports):
        assert (x.kind, x.sheet, x.columns, x.header_row, x.snapshot) == (y.kind, y.sheet, y.columns, y.header_row, y.snapshot)
        assert x.frame.equals(y.frame) and list(x.frame.dtypes) == list(y.frame.dtypes)


def _add_export_sheet(path, rows: int = 300):
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("List 9")
    ws.append(LIST_9_2019)
    for r in range(rows):
        ws.append([f"CL{r:05d}", "Female", "WBRI", "31/02/2003" if r == 7 else date(2003, 1, 1) + timedelta(days=r),
                   19, "No", "Team 1", "Worker 2", "Relevant", "Yes", "Independent living", "Suitable", "In education"])
    wb.save(path)
    return as_input(path)


def test_a_form_with_an_export_sheet_is_read_as_the_return_it_was(tmp_path):
    # No defined names: the form is claimed by the labels of its first rows, after the export sheet has been
    # typed and let go, so the workbook is read again whole.
    path = tmp_path / "return.xlsx"
    write_hand_laid_out(path, "case_file_audit", {"case_ref": "C123", "audit_date": date(2024, 5, 3),
                                                  "service_area": "CIN", "overall": "Good"})
    item = _add_export_sheet(path)
    result = read_input(item)
    assert result.kind == "case_file_audit" and len(result.audits) == 1
    _same(result, _read_whole(item))


def test_a_register_with_an_export_sheet_is_read_as_the_register_it_was(tmp_path):
    path = tmp_path / "register.xlsx"
    write_register_xlsx(path, ["Case reference", "Audit date", "Service area", "Overall judgement"],
                        [[f"C{n}", date(2024, 5, n), "CIN", "Good"] for n in range(1, 6)])
    item = _add_export_sheet(path)
    result = read_input(item)
    assert result.kind != "system_export" and len(result.audits) == 5
    _same(result, _read_whole(item))


def test_an_export_with_corrections_is_read_as_before(tmp_path):
    path = tmp_path / "export.xlsx"
    write_register_xlsx(path, ["Note"], [["not a table"]], sheet_title="Notes")
    item = _add_export_sheet(path, rows=2_000)
    overrides = {("list 9", "D9"): "01/02/2003", ("List 9", "A1500"): "", ("Nowhere", "A1"): "x"}
    result = read_input(item, overrides)
    assert result.kind == "system_export" and len(result.exports) == 1
    _same(result, _read_whole(item, overrides))
    _same(read_input(item), _read_whole(item))
