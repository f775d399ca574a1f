"""Laying out one sheet: title and description, tables stacked down column A, and a panel to the right
(key messages, commentary, charts) that never overlaps a table.

Every table is a real Excel table with one header row, flush left, a small heading row above it and one
blank row below. A table with nothing to show keeps its headers and gets one data row whose first cell
says "No data" (Excel needs at least one data row), so its name and columns are always there.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Sequence

import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ..values import EXCEL_CELL_CHARS
from . import styles as st
from .context import ReportContext
from .spec import WorkbookSpec
from .styles import Styles
from .text import is_blank, wrap_lines

TABLE_STYLE = "Table Style Medium 2"
ROW_HEIGHT_PX = 20
CHART_WIDTH_PX = 620
CHART_HEIGHT_PX = 340
MAX_COLUMN_WIDTH = 60

# A cell's number format given (table name, header, value, unit of the row's measure or None).
FormatRule = Callable[[str, str, object, str | None], str | None]


def default_format(table: str, header: str, value: object, unit: str | None) -> str | None:
    if unit is not None and header in ("Value", "Previous", "Target"):
        return st.value_format(unit)
    if unit is not None and header in st.BENCHMARK_COLUMNS:
        return st.value_format(unit, benchmark=True)
    if unit is not None and header == "Change":
        return st.change_format(unit)
    if header.endswith("%"):
        return st.PERCENT
    if header in st.BENCHMARK_COLUMNS:
        return st.BENCHMARK_PERCENT
    if isinstance(value, (date, datetime, pd.Timestamp)):
        return st.MONTH if header == "Month" else st.DATE
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return st.COUNT
    if isinstance(value, numbers.Real) and not is_blank(value):
        return st.COUNT if float(value).is_integer() and header in ("Children", "Rows", "Months covered") else st.DECIMAL
    return None


UNIT_COLUMNS = ("Value", "Previous", "Target", "Change", *st.BENCHMARK_COLUMNS)


def _is_whole(value: object) -> bool:
    """True for blanks, text and whole numbers; False for a number with a fraction."""
    if is_blank(value) or isinstance(value, (bool, str, date, datetime, pd.Timestamp)):
        return True
    if isinstance(value, numbers.Real):
        return float(value).is_integer()
    return True


@dataclass
class TableLoc:
    """Where a table landed: enough to point a chart at its cells."""

    sheet: str
    name: str
    header_row: int  # 0-based
    columns: list[str]
    rows: list[list]  # the data rows as written (the placeholder row for an empty table)
    has_data: bool

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.header_row + len(self.rows)

    def col(self, header: str) -> int:
        return self.columns.index(header)

    def column_ref(self, header: str, first: int | None = None, last: int | None = None) -> list:
        """[sheet, first_row, col, last_row, col] for data rows first..last (0-based within the data)."""
        c = self.col(header)
        r0 = self.first_row + (0 if first is None else first)
        r1 = self.first_row + (len(self.rows) - 1 if last is None else last)
        return [self.sheet, r0, c, r1, c]

    def row_ref(self, data_index: int, first_header: str, last_header: str) -> list:
        r = self.first_row + data_index
        return [self.sheet, r, self.col(first_header), r, self.col(last_header)]

    def header_ref(self, first_header: str, last_header: str) -> list:
        return [self.sheet, self.header_row, self.col(first_header), self.header_row, self.col(last_header)]

    def cell_ref(self, data_index: int, header: str) -> list:
        r = self.first_row + data_index
        c = self.col(header)
        return [self.sheet, r, c, r, c]

    def value(self, data_index: int, header: str) -> object:
        return self.rows[data_index][self.col(header)]


def frame_rows(frame: pd.DataFrame) -> list[list]:
    return [list(row) for row in frame.itertuples(index=False, name=None)]


class SheetLayout:
    def __init__(self, ws: Worksheet, styles: Styles, spec: WorkbookSpec, panel_col: int,
                 cut_cells: list | None = None) -> None:
        self.ws = ws
        self.cut_cells = cut_cells  # (sheet, cell, characters) of each text cut to what a cell holds
        self.styles = styles
        self.spec = spec
        self.row = 0  # next free row down column A
        self.panel_col = panel_col  # first column of the right-hand panel
        self.panel_row = 3  # next free row in the panel
        self._widths: dict[int, float] = {}

    # ------------------------------------------------------------------ cells
    def _note_width(self, col: int, value: object, fmt: str | None) -> None:
        if value.__class__ is str:  # the commonest cell: its length
            width = min(len(value), MAX_COLUMN_WIDTH)
        elif is_blank(value):
            width = 0
        elif isinstance(value, (date, datetime, pd.Timestamp)):
            width = 10
        elif isinstance(value, numbers.Number) and not isinstance(value, bool):
            width = 8 if fmt in (st.CHANGE_POINTS,) else 7
            width = max(width, len(f"{float(value):,.1f}"))
        else:
            width = min(len(str(value)), MAX_COLUMN_WIDTH)
        self._widths[col] = max(self._widths.get(col, 0), width)

    def write_value(self, row: int, col: int, value: object, num_format: str | None = None,
                    **props) -> None:
        """Write one cell by its Python type: text stays text (never a formula or link), numbers as numbers."""
        fmt = self.styles.get(num_format, **props) if (num_format or props) else None
        ws = self.ws
        if value.__class__ is str:  # the commonest cell, first
            if len(value) > EXCEL_CELL_CHARS:
                value = self._cut(row, col, value)
            ws.write_string(row, col, value, fmt)
        elif is_blank(value):
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool) or type(value).__name__ == "bool_":
            ws.write_string(row, col, "Yes" if value else "No", fmt)
        elif isinstance(value, pd.Timestamp):
            ws.write_datetime(row, col, value.to_pydatetime(), fmt)
        elif isinstance(value, (date, datetime)):
            ws.write_datetime(row, col, value, fmt)
        elif isinstance(value, numbers.Number):
            number = float(value)
            if math.isinf(number):
                ws.write_blank(row, col, None, fmt)
            else:
                ws.write_number(row, col, number, fmt)
        else:
            text = str(value)
            ws.write_string(row, col, self._cut(row, col, text) if len(text) > EXCEL_CELL_CHARS else text, fmt)
        self._note_width(col, value, num_format)

    def _cut(self, row: int, col: int, text: str) -> str:
        """Text over what an Excel cell holds, cut to it; the cell is noted for the Data quality sheet
        (``cut_cells``), which says so (the writer library cut such text without a word)."""
        if self.cut_cells is not None:
            self.cut_cells.append((self.ws.name, xl_rowcol_to_cell(row, col), len(text)))
        return text[:EXCEL_CELL_CHARS]

    # ------------------------------------------------------------------ blocks
    def title(self, title: str, description: str) -> None:
        self.ws.write_string(0, 0, title, self.styles.title)
        self.ws.write_string(1, 0, description, self.styles.text)
        self.row = 3

    def label_value(self, label: str, value: object, num_format: str | None = None) -> None:
        """A cover line: bold label in A, value in B."""
        self.ws.write_string(self.row, 0, label, self.styles.label)
        self._note_width(0, label, None)
        self.write_value(self.row, 1, value, num_format, align="left")
        self.row += 1

    def heading(self, text: str) -> None:
        self.ws.write_string(self.row, 0, text, self.styles.heading)
        self.row += 1

    def table(self, name: str, heading: str, headers: Sequence[str], rows: list[list] | None,
              units: Sequence[str | None] | None = None, format_rule: FormatRule = default_format,
              links: dict[int, str] | None = None) -> TableLoc:
        """Heading row, then the table (header + rows), then one blank row. rows None/empty: placeholder."""
        headers = [str(h) for h in headers]
        has_data = bool(rows)
        if not has_data:
            rows = [[self.spec.no_data] + [None] * (len(headers) - 1)]
            units = None
        self.heading(heading)
        header_row = self.row
        last_row = header_row + len(rows)
        self.ws.add_table(header_row, 0, last_row, len(headers) - 1, {
            "name": name,
            "style": TABLE_STYLE,
            "columns": [{"header": h} for h in headers],
        })
        for c, h in enumerate(headers):
            self._note_width(c, h + "  ", None)  # room for the filter button
        # A count column holding a blank arrives as floats (412.0): show it as a count when every
        # number in the column is whole.
        whole = [all(_is_whole(r[c]) for r in rows if c < len(r)) for c in range(len(headers))]
        for i, values in enumerate(rows):
            unit = units[i] if units is not None else None
            for c, h in enumerate(headers):
                value = values[c] if c < len(values) else None
                target = links.get(i) if links and c == 0 else None
                if target is not None:
                    self.ws.write_url(header_row + 1 + i, c, target, self.styles.link, string=str(value))
                    self._note_width(c, value, None)
                    continue
                fmt = format_rule(name, h, value, unit) if has_data else None
                if fmt == st.DECIMAL and whole[c] and (unit is None or h not in UNIT_COLUMNS):
                    fmt = st.COUNT
                self.write_value(header_row + 1 + i, c, value, fmt)
        self.row = last_row + 2
        return TableLoc(self.ws.name, name, header_row, headers, rows, has_data)

    # ------------------------------------------------------------------ right-hand panel
    def panel_text(self, text: str, bold: bool = False, size: int | None = None) -> None:
        props = {"bold": True} if bold else {}
        if size:
            props["font_size"] = size
        self.ws.write_string(self.panel_row, self.panel_col, text, self.styles.get(None, **props))
        self.panel_row += 1

    def narrative(self, section: str, context: ReportContext, with_section_heading: bool = False) -> None:
        """The section's key messages and commentary, one line per row, in the panel."""
        if with_section_heading:
            self.panel_text(section, bold=True, size=12)
        self.panel_text("Key messages", bold=True)
        messages = [m for m in context.messages.get(section, []) if str(m).strip()]
        if messages:
            for message in messages:
                for line in wrap_lines(message, first_prefix="\u2022 ", next_prefix="  "):
                    self.panel_text(line)
        else:
            self.panel_text(self.spec.no_messages)
        self.panel_text("Commentary", bold=True)
        lines = wrap_lines(context.commentary.get(section, "") or "")
        for line in lines or [self.spec.no_commentary]:
            self.panel_text(line)
        self.panel_row += 1

    def chart(self, chart: Chart, alt_text: str, anchor_row: int = 0) -> None:
        """Insert a chart in the panel at or below anchor_row, below everything already in the panel."""
        chart.set_size({"width": CHART_WIDTH_PX, "height": CHART_HEIGHT_PX})
        row = max(self.panel_row, anchor_row)
        self.ws.insert_chart(row, self.panel_col, chart, {"description": alt_text, "object_position": 1})
        self.panel_row = row + math.ceil(CHART_HEIGHT_PX / ROW_HEIGHT_PX) + 1

    # ------------------------------------------------------------------ finishing
    def finish(self, classification: str) -> None:
        for col, width in sorted(self._widths.items()):
            if col >= self.panel_col:
                continue  # panel text overflows into the empty cells to its right
            self.ws.set_column(col, col, min(max(width + 2, 9), MAX_COLUMN_WIDTH))
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
        ws.set_header("&C" + classification.replace("&", "&&"))
        ws.set_footer("&L&A&RPage &P of &N")
