"""Rendering the workbook costs less without changing a byte of it (issue 18).

Each shortcut the writer takes is checked here against the way it was done before: the bytes rendered must
be the same, for the full fixture figures and for a table of every kind of cell.
"""
from __future__ import annotations

import io
import numbers
import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal
from unittest import mock

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from pqa_desktop.core.report import layout as layout_module
from pqa_desktop.core.report import package as report_package
from pqa_desktop.core.report import render_workbook, writer
from pqa_desktop.core.report import styles as st
from pqa_desktop.core.report.layout import SheetLayout
from pqa_desktop.core.report.spec import workbook_spec
from pqa_desktop.core.report.styles import Styles
from pqa_desktop.core.report.text import is_blank
from tests import report_fixtures as fx


def _core(xlsx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return z.read("docProps/core.xml").decode()


def _rezipped_render(figures, context) -> bytes:
    """The render as it was: a plain XlsxWriter workbook, then every part re-compressed by add_language."""
    with mock.patch.object(writer, "Workbook", xlsxwriter.Workbook):
        return render_workbook(figures, context)


def test_language_written_in_the_first_place_gives_the_same_bytes_as_adding_it_after():
    figures, context = fx.full_figures(), fx.context()
    data = render_workbook(figures, context)
    assert _core(data).endswith("<dc:language>en-GB</dc:language></cp:coreProperties>")
    assert _core(data).count("<dc:language>") == 1
    assert data == _rezipped_render(figures, context)


def test_the_language_is_still_added_when_the_packager_did_not_write_it():
    # A later XlsxWriter that packaged its files another way would not call our packager: the language is
    # then added as before, never left out.
    with mock.patch.object(report_package.Workbook, "_get_packager", xlsxwriter.Workbook._get_packager):
        data = render_workbook(fx.full_figures(), fx.context())
    assert _core(data).count("<dc:language>en-GB</dc:language>") == 1
    assert data == render_workbook(fx.full_figures(), fx.context())


# --- a table's cells: formats decided once per kind of value ---------------------------------------------

MIXED = [  # every kind of value a table's column can hold
    "text", "", None, 0, 7, -12345678, 2.0, 0.25, -1234.5, float("nan"), float("inf"), True, False,
    np.int64(42), np.float64(3.75), np.float64("nan"), np.bool_(True), Decimal("1.5"), pd.NA, pd.NaT,
    date(2024, 9, 30), datetime(2024, 9, 1, 12, 0), pd.Timestamp("2024-08-01"), "12", "a longer piece of text",
]


def _table_bytes(data_sheet: bool, rows: list[list], headers: list[str], units=None) -> tuple[bytes, dict]:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, writer.WORKBOOK_OPTIONS)
    layout = SheetLayout(wb.add_worksheet("Sheet"), Styles(wb), workbook_spec(), data_sheet=data_sheet)
    layout.table("tbl_mixed", "Mixed", headers, rows, units=units)
    widths = dict(layout._widths)
    layout.finish("OFFICIAL")
    # a fixed creation time: XlsxWriter stamps the core properties with the clock otherwise, and two renders
    # either side of a second's turn differed there (the fresh-clone CI of 2026-12-07 night, once)
    wb.set_properties({"created": datetime(2024, 10, 7, tzinfo=timezone.utc)})
    wb.close()
    return buffer.getvalue(), widths


@pytest.mark.parametrize("data_sheet", [True, False])
def test_formats_by_kind_of_value_write_the_same_cells_as_asking_the_rule_for_each(data_sheet):
    headers = ["Name", "Value", "Rate %", "Children", "Month", "England", "Change"]
    rows = [[v] * len(headers) for v in MIXED] + [[v] * len(headers) for v in reversed(MIXED)]
    units = (["percent", "count", None, "days", "number"] * len(rows))[:len(rows)]
    for u in (None, units):
        fast = _table_bytes(data_sheet, rows, headers, u)
        with mock.patch.object(layout_module, "_FORMAT_BY_CLASS", frozenset()):
            slow = _table_bytes(data_sheet, rows, headers, u)
        assert fast == slow


def _old_is_shown_number(value) -> bool:
    """How a column's numbers were told apart for its width, before the quick tests for int and float."""
    return isinstance(value, numbers.Number) and not isinstance(value, bool) and not is_blank(value)


def _old_width(column: list, header: str, unit: str | None) -> int:
    """A column's width as the table worked it out before (one format asked for each cell)."""
    whole = all(layout_module._is_whole(v) for v in column)
    text_width, extremes = 0, {}
    for v in column:
        fmt = layout_module.default_format("tbl_mixed", header, v, unit)
        if fmt == st.DECIMAL and whole and (unit is None or header not in layout_module.UNIT_COLUMNS):
            fmt = st.COUNT
        if v.__class__ is str:
            text_width = max(text_width, len(v))
        elif layout_module._is_date(v):
            text_width = max(text_width, layout_module.shown_width(v, fmt))
        elif _old_is_shown_number(v):
            number = float(v)
            if fmt not in extremes:
                extremes[fmt] = [number, number]
            elif number < extremes[fmt][0]:
                extremes[fmt][0] = number
            elif number > extremes[fmt][1]:
                extremes[fmt][1] = number
    width = text_width + 1
    for fmt, (low, high) in extremes.items():
        width = max(width, layout_module.shown_width(low, fmt) + 2, layout_module.shown_width(high, fmt) + 2)
    return max(width, layout_module.header_width(header) + 1)


@pytest.mark.parametrize("header, unit", [("A", None), ("Value", "count"), ("Value", "number")])
@pytest.mark.parametrize("value", MIXED)
def test_a_column_is_as_wide_as_its_numbers_and_text_as_before(value, header, unit):
    # Each kind of value under a one-letter header, alone beside a one-letter text, and before and after
    # numbers of each kind: the column's width counts the value exactly when, and as, it counted before.
    for column in (["a", value], [value, "a", value], ["a", value, 1234567.5, -3, value],
                   [value, "a", 2, value, -98765.25], [value, 7.0, 10], [value, 0.5, 1.5, value]):
        _, widths = _table_bytes(False, [[v] for v in column], [header], [unit] * len(column))
        assert widths[0] == _old_width(column, header, unit)


def test_a_frames_rows_are_the_values_iterating_it_gives():
    """``frame_rows`` takes a column of a NumPy type or of pandas' text type at once (``tolist``) and any other
    column by iterating it: every value is the one ``itertuples`` gives, of the same type (a nullable integer's
    NumPy scalar stays one, a date a date, a blank text the text column's NaN, a timestamp a Timestamp)."""
    frame = pd.DataFrame({
        "object": pd.Series([date(2024, 9, 30), None, "text", 3, 2.5, pd.Timestamp("2024-01-01"), np.nan],
                            dtype=object),
        "text": pd.Series(["a", None, "b", "", "c", "Ü", "x"], dtype="str"),
        "text (python)": pd.Series(["a", None, "b", "", "c", "d", "e"], dtype=pd.StringDtype("python")),
        "int": pd.Series([1, 2, 3, 4, 5, 6, 7], dtype="int64"),
        "nullable int": pd.Series([1, None, 3, 4, 5, 6, 7], dtype="Int64"),
        "float": pd.Series([1.0, np.nan, 2.5, 0.0, -1.0, 1e-9, 3.0]),
        "bool": pd.Series([True, False, True, True, False, False, True]),
        "nullable bool": pd.Series([True, None, False, True, False, True, True], dtype="boolean"),
        "datetime": pd.Series(pd.to_datetime(["2024-09-30", None, "2024-01-01", "2024-02-29", "2024-03-01",
                                              "2024-04-01", "2024-05-01"])),
        "category": pd.Series(["x", "y", None, "x", "y", "x", "y"], dtype="category"),
    })
    expected = [list(row) for row in frame.itertuples(index=False, name=None)]
    rows = layout_module.frame_rows(frame)
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        assert [type(v) for v in got] == [type(v) for v in want]
        assert all(a is b or a == b or (a != a and b != b) for a, b in zip(got, want)), (got, want)
    assert layout_module.frame_rows(frame.iloc[:, :0]) == [[] for _ in range(len(frame))]
    assert layout_module.frame_rows(frame.iloc[:0]) == []
