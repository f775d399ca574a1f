"""Large sheets are read lazily and by whole columns, with exactly the results of reading every cell.

``inputs.tables.LazyRows`` stands in for the cleaned list of rows of a large sheet and cleans a row
only when it is read; ``column_values`` hands the export reader whole columns, some cells uncleaned,
and ``exports.columns`` cleans and parses each distinct value once (text and dates without a pandas
call per step). Each is checked against the way it was done before: the eager list, the per-cell
column, and ``tests.reference_readers`` for dates; and whole inputs (generated messy exports, returns,
mutated workbooks) are read both ways and must give identical results.
"""
from __future__ import annotations

import copy
import csv
import io
import math
import tempfile
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqa_desktop.core.exports import columns, sheet_reader
from pqa_desktop.core.exports.columns import Distinct, _each, _text_of, parse_column
from pqa_desktop.core.exports.reader import read_export
from pqa_desktop.core.exports.spec import ColumnSpec
from pqa_desktop.core.findings import FindingSink
from pqa_desktop.core.inputs import tables
from pqa_desktop.core.inputs.tables import LazyRows, SheetTable, _clean_row, _trim, clean_cell, column_values
from pqa_desktop.core.returns.reader import read_return_with_tables
from pqa_desktop.core.sample.exports import generate_exports
from tests import fuzz_support as fz
from tests.reference_readers import reference_parse_date_values

PROPERTY = settings(max_examples=200, derandomize=True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck))

# What the cell reader gives: text (blank, white space, no-break spaces, tabs), numbers (whole floats
# become int when cleaned, NaN blank), booleans, durations, dates and times.
raw_cells = st.one_of(
    st.sampled_from(["", " ", "\u00a0x\u00a0", "a\tb", "a  b", " lead", "trail ", "x", "007", "31/02/2024",
                     "03/05/2024", "2024-05-03", "1 Apr 2024", "24/4/24", "Yes", "n", "a) Yes", "U1: Foster"]),
    st.none(), st.just(math.nan), st.just(1.0), st.just(2.0**53), st.just(-0.0),
    st.floats(allow_nan=False, allow_infinity=True), st.integers(-2**60, 2**60).map(float),
    st.booleans(), st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3)),
    st.dates(), st.datetimes(), st.times(), st.text(max_size=6),
)
grids = st.lists(st.lists(raw_cells, min_size=0, max_size=5), max_size=8)
rectangular_grids = st.integers(1, 5).flatmap(
    lambda width: st.lists(st.lists(raw_cells, min_size=width, max_size=width), max_size=8))


def _same(a, b) -> bool:
    """Equal, and of the same types cell by cell (1 and 1.0 are equal but read differently)."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _eager(raw: list[list]) -> list[list]:
    return _trim([_clean_row(row) for row in copy.deepcopy(raw)])


# ---------------------------------------------------------------- LazyRows


@PROPERTY
@given(raw=grids)
def test_lazy_rows_read_as_the_cleaned_list(raw):
    lazy, eager = LazyRows(raw), _eager(raw)
    assert len(lazy) == len(eager) and bool(lazy) == bool(eager)
    assert _same(list(lazy), eager) and lazy == eager and eager == lazy
    assert _same(lazy[::-1], eager[::-1]) and _same(lazy[1:3], eager[1:3]) and _same(lazy[::2], eager[::2])
    assert _same(list(reversed(lazy)), list(reversed(eager)))
    for index in range(-len(eager), len(eager)):
        assert _same(lazy[index], eager[index])
    for index in (len(eager), -len(eager) - 1):
        with pytest.raises(IndexError):
            lazy[index]
    assert repr(lazy) == repr(eager)


@PROPERTY
@given(raw=grids, reads=st.lists(st.integers(0, 9), max_size=4))
def test_lazy_rows_keep_edits_like_a_list(raw, reads):
    lazy, eager = LazyRows(raw), _eager(raw)
    for index in reads:  # a row is the same list each time it is read, so edits to it stay
        if index < len(eager):
            lazy[index].append("edited")
            eager[index].append("edited")
    lazy.append(["new"])
    eager.append(["new"])
    lazy[0] = ["first"]
    eager[0] = ["first"]
    assert _same(list(lazy), eager)
    lazy.insert(1, ["inserted"])
    eager.insert(1, ["inserted"])
    assert _same(lazy.pop(), eager.pop()) and _same(list(lazy), eager)
    del lazy[0]
    del eager[0]
    assert _same(list(lazy), eager) and (["inserted"] in lazy) == (["inserted"] in eager)
    lazy.extend([["x"], []])
    eager.extend([["x"], []])
    assert _same(lazy.copy(), eager) and _same(lazy + [["y"]], eager + [["y"]])
    assert _same([["y"]] + lazy, [["y"]] + eager) and lazy.count(["x"]) == eager.count(["x"])
    assert lazy.index(["x"]) == eager.index(["x"])


def _cleaned_columns(rows: list[list], indices, start: int) -> dict[int, list]:
    body = rows[start:]
    return {col: [clean_cell(row[col]) if col < len(row) else None for row in body] for col in indices}


@PROPERTY
@given(raw=st.one_of(grids, rectangular_grids), reads=st.lists(st.integers(0, 9), max_size=4),
       start=st.integers(0, 9), indices=st.sets(st.integers(0, 6), max_size=4))
def test_column_values_are_the_columns_of_the_rows(raw, reads, start, indices):
    table = SheetTable("s", LazyRows(raw))
    for index in reads:  # rows read (and edited) before the columns are taken come as they are now
        if index < len(table.rows):
            table.rows[index].append("edited")
    columns_now = {col: [clean_cell(v) for v in values]
                   for col, values in column_values(table, indices, start).items()}
    expected = _cleaned_columns(list(table.rows), indices, start)
    assert columns_now.keys() == expected.keys()
    for col in indices:
        assert _same(list(columns_now[col]), expected[col])
    eager = SheetTable("s", list(table.rows))
    assert all(_same(column_values(eager, indices, start)[col], expected[col]) for col in indices)


def test_large_sheets_are_read_lazily_and_small_ones_not(tmp_path):
    path = tmp_path / "wide.xlsx"
    workbook = openpyxl.Workbook()
    for r in range(1, 31):
        workbook.active.append([f"r{r}c{c}" for c in range(10)])
    workbook.save(path)
    item = fz.input_file("wide.xlsx", path.read_bytes())
    [small] = tables.read_tables(item, FindingSink("wide.xlsx"))
    assert isinstance(small.rows, list)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "LAZY_CELLS", 100)
        [large] = tables.read_tables(item, FindingSink("wide.xlsx"))
    assert isinstance(large.rows, LazyRows) and large.rows == small.rows


# ---------------------------------------------------------------- columns


text_values = st.one_of(raw_cells, st.text(alphabet=" \t\u00a0\n\rab\u2003", max_size=6))


@PROPERTY
@given(values=st.one_of(st.lists(text_values, max_size=12),
                        st.lists(st.text(alphabet=" \t\u00a0\n\rab\u2003", min_size=1, max_size=6), max_size=12)))
def test_texts_are_each_value_cleaned(values):
    uniques = list(dict.fromkeys(v for v in values if not (isinstance(v, float) and math.isnan(v))))
    fast, fast_bad = columns._texts(uniques)
    slow, slow_bad = _each(uniques, _text_of)
    assert _same(list(fast), list(slow)) and not fast_bad.any() and not slow_bad.any()


@pytest.mark.parametrize("odd", ["a  b", "a\tb", "a\u00a0b", " a", "a ", "", "  ", "a\nb", "\u2003a", 7.0])
def test_texts_with_one_value_to_clean(odd):
    uniques = ["ok", odd, "fine"]
    assert _same(list(columns._texts(uniques)[0]), list(_each(uniques, _text_of)[0]))


def test_texts_clean_only_what_needs_it():
    clean = [f"ID{n}" for n in range(1000)]
    out, _ = columns._texts(clean)
    assert list(out) == clean
    out, _ = columns._texts(clean + [" x\u00a0 y\t", 12.0])
    assert list(out[-2:]) == ["x y", "12"]


date_values = st.one_of(
    st.dates(), st.datetimes(), st.datetimes(min_value=datetime(2261, 12, 30), max_value=datetime(2262, 1, 2)),
    st.datetimes(min_value=datetime(1677, 12, 30), max_value=datetime(1678, 1, 2)),
    st.builds(pd.Timestamp, st.datetimes(min_value=datetime(1700, 1, 1), max_value=datetime(2200, 1, 1))),
    st.integers(-5, 2_958_470), st.floats(-5, 2_958_470), st.sampled_from([2.0**70, math.inf, -math.inf, 10**30]),
    st.booleans(), st.times(),
    st.sampled_from(["03/05/2024", " 3.5.24 ", "31/02/2024", "29/02/2023", "2024-05-03", "2024-02-30",
                     "2024-05-03 10:30", "2024-05-03T10:30:00.5", "1 Apr 2024", "1st April 24", "00/00/0000",
                     "9999-99-99", "01/01/0001", "01/01/1600", "12/13/2024", "5/5/05", "2261-12-31", "",
                     "  ", "not a date", "03/05/2024\n", "０３/05/2024"]),
    st.text(alphabet="0123456789/-. :T", max_size=12),
)


@PROPERTY
@given(values=st.lists(date_values, max_size=12))
def test_date_values_are_read_as_before(values):
    uniques = list(dict.fromkeys(values))
    out, bad = columns._parse_date_values(uniques)
    reference_out, reference_bad = reference_parse_date_values(uniques)
    assert out.dtype == reference_out.dtype
    assert np.array_equal(out, reference_out, equal_nan=True) and np.array_equal(bad, reference_bad)


KINDS = [ColumnSpec(id="d", header="D", type="date"), ColumnSpec(id="n", header="N", type="number"),
         ColumnSpec(id="y", header="Y", type="yes_no"), ColumnSpec(id="t", header="T", type="text"),
         ColumnSpec(id="c", header="C", type="code", values=("Yes", "No", "U1")),
         ColumnSpec(id="r", header="R", type="code", codes="workforce_roles")]


@PROPERTY
@given(values=st.lists(st.one_of(raw_cells, date_values), max_size=14))
def test_uncleaned_cells_parse_as_cleaned_ones(values):
    for spec in KINDS:
        series, bad = parse_column(Distinct.of_cells(values), spec)
        cleaned = [clean_cell(v) for v in values]
        expected, expected_bad = parse_column(Distinct.of(cleaned), spec)
        pd.testing.assert_series_equal(series, expected)
        assert [type(v) for v in series] == [type(v) for v in expected]
        assert np.array_equal(bad, expected_bad)


# ---------------------------------------------------------------- whole inputs, both ways


def _read(item, overrides=None):
    result, tables_read, found = read_return_with_tables(item, overrides)
    if result is None:
        result = read_export(item, tables=tables_read, today=date(2024, 10, 1), overrides=overrides, found=found)
    return result


def _eager_columns(table, indices, start):
    body = list(table.rows)[start:]
    return {col: [row[col] if col < len(row) else None for row in body] for col in indices}


def _reference_seen_add(self, column, values):
    if not column.personal:
        return
    strings = {str(v) for v in values.dropna().unique() if str(v).strip()}
    self.sensitive |= strings
    if column.personal == "staff":
        self.staff_names |= strings


def _read_as_before(item, monkeypatch, overrides=None):
    """The input read the way it was before: every cell cleaned up front, columns built cell by cell,
    dates through the reference parser, text cleaned one value at a time."""
    with monkeypatch.context() as patch:
        patch.setattr(tables, "LAZY_CELLS", 10**12)
        patch.setattr(sheet_reader, "column_values", _eager_columns)
        patch.setattr(sheet_reader.Distinct, "of_cells", classmethod(lambda cls, values: cls.of(values)))
        patch.setattr(columns, "_parse_date_values", reference_parse_date_values)
        patch.setattr(columns, "_texts", lambda uniques: _each(uniques, _text_of))
        patch.setattr(sheet_reader.Seen, "add", _reference_seen_add)
        return _read(item, overrides)


def _assert_same_result(now, before):
    if now is None or before is None:
        assert now is before
        return
    for name in ("kind", "kind_label", "findings", "audits", "edt_samples", "sensitive", "staff_names"):
        assert getattr(now, name) == getattr(before, name), name
    assert len(now.exports) == len(before.exports)
    for a, b in zip(now.exports, before.exports):
        for name in ("kind", "label", "file", "sheet", "columns", "header_row", "date_column", "snapshot",
                     "modified"):
            assert getattr(a, name) == getattr(b, name), name
        pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
        for col in a.frame.columns:
            if a.frame[col].dtype == object:
                assert [type(v) for v in a.frame[col]] == [type(v) for v in b.frame[col]], col


@lru_cache(maxsize=None)
def _generated(scale: float, seed: int, messy: bool, months: int) -> tuple[tuple[str, bytes], ...]:
    folder = Path(tempfile.mkdtemp(prefix="pqa-lazy-"))
    generate_exports(folder, scale=scale, seed=seed, messy=messy, months=months)
    return tuple((p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file())


@pytest.mark.parametrize("scale, seed, messy, months", [(1.0, 3, True, 12), (0.1, 8, True, 6), (0.1, 4, False, 6)])
def test_generated_exports_read_as_before(scale, seed, messy, months, monkeypatch):
    files = _generated(scale, seed, messy, months)
    lazily = 0
    for name, data in files:
        item = fz.input_file(name, data)
        now = _read(item)
        assert now is not None and now.kind == "system_export", name
        _assert_same_result(now, _read_as_before(item, monkeypatch))
        if name.endswith(".xlsx"):
            lazily += sum(isinstance(t.rows, LazyRows) for t in read_return_with_tables(item)[1])
    if scale >= 1:
        assert lazily >= 2  # the larger lists were read lazily


def test_all_lazy_reads_as_all_eager(monkeypatch):
    """Every sheet read lazily (returns too, whose readers look at every row) gives what reading every
    cell up front gives, with workspace corrections written into the grids."""
    inputs = [("Audit 1.xlsx", fz.case_return()), ("EDT August.xlsx", fz.edt_return()),
              ("Annex A list 2.xlsx", fz.annex_a_xlsx()), *_generated(0.1, 8, True, 6)]
    for name, data in inputs:
        item = fz.input_file(name, data)
        before = _read_as_before(item, monkeypatch)
        sheets = [t.sheet for t in read_return_with_tables(item)[1] or []]
        overrides = {(sheets[0], "B2"): "", (sheets[-1], "C7"): "31/02/2024", (sheets[-1], "A40"): "late"} \
            if sheets else None
        with monkeypatch.context() as patch:
            patch.setattr(tables, "LAZY_CELLS", 0)
            _assert_same_result(_read(item), before)
            _assert_same_result(_read(item, overrides), _read_as_before(item, monkeypatch, overrides))


@settings(max_examples=150, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from(["Audit 1.xlsx", "EDT August.xlsx", "Annex A list 2.xlsx"]), ops=fz.xlsx_ops)
def test_mutated_workbooks_read_lazily_as_eagerly(name, ops):
    seed = {"Audit 1.xlsx": fz.case_return, "EDT August.xlsx": fz.edt_return,
            "Annex A list 2.xlsx": fz.annex_a_xlsx}[name]()
    item = fz.input_file(name, fz.mutate_xlsx(seed, ops))
    with pytest.MonkeyPatch.context() as patch:
        before = _read_as_before(item, patch)
        patch.setattr(tables, "LAZY_CELLS", 0)
        _assert_same_result(_read(item), before)



@pytest.mark.parametrize("duration, days", [(timedelta(0), 0), (timedelta(days=2), 2), (timedelta(hours=12), 0.5)])
def test_a_duration_cell_cleans_to_days_and_cleaning_again_changes_nothing(duration, days):
    # A whole-day duration came out as 0.0 and a second clean made it 0: the lazy column path (cleaned
    # once) and the eager one (cleaned twice) disagreed on a zero-length duration.
    once = clean_cell(duration)
    assert once == days and type(once) is type(days)
    assert clean_cell(once) == once and type(clean_cell(once)) is type(once)


# ---------------------------------------------------------------- CSV files, lazily

csv_cells = st.one_of(st.sampled_from(["", " ", "\t", "  \u00a0", "x", " lead", "trail ", "007", "a,b", 'say "hi"',
                                       "line\nbreak", "31/02/2024", "Yes"]), st.text(max_size=5))
csv_grids = st.lists(st.lists(csv_cells, min_size=0, max_size=5), min_size=0, max_size=9)


def _csv_bytes(grid: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(grid)
    return buffer.getvalue().encode("utf-8")


def _csv_cleaned(grid: list[list[str]]) -> list[list]:
    """The rows as read_csv gave them before issue 18: each cell cleaned as it was read, then trimmed."""
    return _trim([[v if v and not v.isspace() else None for v in row] for row in copy.deepcopy(grid)])


@PROPERTY
@given(grid=csv_grids, reads=st.lists(st.integers(0, 9), max_size=3), start=st.integers(0, 9),
       indices=st.sets(st.integers(0, 5), max_size=3))
def test_a_large_csv_file_reads_lazily_as_every_cell_cleaned_at_once(grid, reads, start, indices):
    """A CSV file's records are cleaned as each row is read (``LazyRows`` with the CSV cleaning: blank and
    white-space-only text is None), and give the rows, columns and findings cleaning every cell up front gave."""
    item = fz.input_file("List.csv", _csv_bytes(grid))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "LAZY_CELLS", 0)
        lazy_sink = FindingSink("List.csv")
        lazy = tables.read_tables(item, lazy_sink)
    eager_sink = FindingSink("List.csv")
    eager = tables.read_tables(item, eager_sink)
    assert lazy_sink.findings == eager_sink.findings
    assert len(lazy) == len(eager) <= 1
    if not eager:
        return
    text = _csv_bytes(grid).decode("utf-8")
    records = csv.reader(io.StringIO(text, newline=""), delimiter=tables._sniff_delimiter(text))
    reference = _csv_cleaned(list(records))
    assert isinstance(eager[0].rows, list) and eager[0].rows == reference
    if grid:
        assert isinstance(lazy[0].rows, LazyRows)
    for index in reads:  # a row read (and edited) before the columns are taken comes as it is now
        if index < len(lazy[0].rows):
            lazy[0].rows[index].append("edited")
            reference[index].append("edited")
    columns_now = {col: [clean_cell(v) for v in values] for col, values in column_values(lazy[0], indices, start).items()}
    expected = _cleaned_columns(reference, indices, start)
    for col in indices:
        # White-space-only text is still text to clean_cell; the export reader's columns count it as blank.
        assert [None if isinstance(v, str) and v.isspace() else v for v in columns_now[col]] == expected[col]
    assert list(lazy[0].rows) == reference


def test_large_csv_files_are_read_lazily_and_small_ones_not():
    grid = [["Child ID", "Worker ID", "Start date"]] + [[f"C{n}", " ", f"0{1 + n % 9}/01/2024"] for n in range(40)]
    item = fz.input_file("Allocation history.csv", _csv_bytes(grid + [[""], [" ", ""]]))
    [small] = tables.read_tables(item, FindingSink("x"))
    assert isinstance(small.rows, list) and len(small.rows) == 41 and small.rows[1] == ["C0", None, "01/01/2024"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "LAZY_CELLS", 100)
        [large] = tables.read_tables(item, FindingSink("x"))
    assert isinstance(large.rows, LazyRows) and large.rows == small.rows


def test_a_long_csv_cell_is_reported_only_when_it_is_not_blank():
    """Excel's 32,767-character limit: a cell over it is named, one of white space alone (a blank cell) not."""
    long_text, long_blank = "x" * 32_768, " " * 32_768
    item = fz.input_file("Notes.csv", _csv_bytes([["ID", "Note", "Other"], ["1", long_text, long_blank]]))
    sink = FindingSink("Notes.csv")
    [table] = tables.read_tables(item, sink)
    [finding] = [f for f in sink.findings if f.rule == tables.RULE_LONG_TEXT]
    assert finding.cell == "B2" and "C2" not in finding.message
    assert table.rows[1] == ["1", long_text]
