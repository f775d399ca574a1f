"""The generic table reader: spreadsheets and CSV into grids that keep sheet coordinates."""
from __future__ import annotations

import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from pqa_desktop.core.findings import FindingSink, Severity
from pqa_desktop.core.inputs.tables import (cell_name, column_letter, find_header_row, read_tables)
from tests.returns_fixtures import input_file, write_register_csv


def _sink(name="f") -> FindingSink:
    return FindingSink(name)


def test_xlsx_keeps_coordinates_and_python_values(tmp_path):
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "First"
    ws["C3"] = "Case reference"
    ws["C4"] = 12345  # an ID typed as a number must read "12345", not 12345.0
    ws["D4"] = datetime(2024, 5, 3)
    ws["E4"] = 2.5
    second = wb.create_sheet("Second")
    second["A1"] = "x"
    wb.save(path)
    sink = _sink()
    tables = read_tables(input_file(path), sink)
    assert [t.sheet for t in tables] == ["First", "Second"]
    first = tables[0]
    assert first.cell(2, 2) == "Case reference"  # C3
    assert first.cell(3, 2) == 12345 and isinstance(first.cell(3, 2), int)
    assert first.cell(3, 3) in (datetime(2024, 5, 3), date(2024, 5, 3))
    assert first.cell(3, 4) == 2.5
    assert first.cell(0, 0) is None and first.cell(99, 99) is None
    assert sink.findings == []


@pytest.mark.parametrize("encoding,text", [
    ("utf-8", "Café – “quoted”"),
    ("utf-8-sig", "Café – “quoted”"),
    ("cp1252", "Café – “quoted”"),
])
def test_csv_encodings(tmp_path, encoding, text):
    path = write_register_csv(tmp_path / "list.csv", ["Name", "Note"], [["007", text]], encoding=encoding)
    sink = _sink()
    tables = read_tables(input_file(path), sink)
    assert len(tables) == 1
    assert tables[0].sheet == "list"
    assert tables[0].rows[0] == ["Name", "Note"]  # no BOM left on the first header
    assert tables[0].rows[1] == ["007", text]  # leading zeros kept: CSV cells stay text
    assert sink.findings == []


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(tmp_path, delimiter):
    path = write_register_csv(tmp_path / "d.csv", ["A", "B", "C"], [["1", "", "x y"]], delimiter=delimiter)
    tables = read_tables(input_file(path), _sink())
    assert tables[0].rows == [["A", "B", "C"], ["1", None, "x y"]]


def test_corrupt_xlsx_is_one_error_not_an_exception(tmp_path):
    path = tmp_path / "broken.xlsx"
    good = tmp_path / "good.xlsx"
    openpyxl.Workbook().save(good)
    path.write_bytes(good.read_bytes()[:300])  # truncated download
    sink = _sink("broken.xlsx")
    assert read_tables(input_file(path), sink) == []
    assert [(f.severity, f.rule) for f in sink.findings] == [(Severity.ERROR, "file.corrupt")]
    assert "could not be opened" in sink.findings[0].message


def test_password_protected_xlsx(tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    locked = tmp_path / "locked.xlsx"
    with open(plain, "rb") as src, open(locked, "wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    sink = _sink()
    assert read_tables(input_file(locked), sink) == []
    assert [(f.severity, f.rule) for f in sink.findings] == [(Severity.ERROR, "file.password_protected")]
    assert msoffcrypto  # imported for the encryption above


def test_other_files_are_not_tables(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    sink = _sink()
    assert read_tables(input_file(path), sink) == []
    assert sink.findings == []


def test_max_cells_truncates_with_a_warning(tmp_path):
    path = tmp_path / "big.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 101):
        ws.cell(r, 1, r)
        ws.cell(r, 2, r * 2)
    wb.save(path)
    sink = _sink()
    tables = read_tables(input_file(path), sink, max_cells=50)
    assert len(tables[0].rows) == 25  # 50 cells / 2 columns
    assert [f.rule for f in sink.findings] == ["file.sheet_truncated"]
    assert sink.findings[0].severity == Severity.WARNING


def test_find_header_row():
    rows = [["Title"], [], ["Case reference", "Audit date"], ["A1", "01/04/2024"]]
    assert find_header_row(rows, lambda row: "Audit date" in row) == 2
    assert find_header_row(rows, lambda row: "Audit date" in row, within=2) is None
    assert find_header_row(rows, lambda row: "Nope" in row) is None


def test_cell_names():
    assert column_letter(0) == "A" and column_letter(25) == "Z" and column_letter(26) == "AA"
    assert cell_name(6, 1) == "B7"


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    sink = _sink()
    assert read_tables(input_file(path), sink) == []
    assert [f.rule for f in sink.findings] == ["file.corrupt"]
