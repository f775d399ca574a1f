"""Laying out one sheet the way a report reads: title and description, the section's key messages and
commentary, the tables stacked down column A (each with a sparkline column beside it where its rows have
a monthly series), then the charts in a grid below the last table; and the print set-up.

Every table is a real Excel table with one header row, flush left, a small heading row above it and one
blank row below. A table with nothing to show keeps its headers and gets one data row whose first cell
says "No data" (Excel needs at least one data row), so its name and columns are always there. Header rows
carry their emphasis as cell formats (bold, a light fill, a rule below), aligned as their column's values
are (numbers right, text left), because LibreOffice draws no table styles. Long text wraps inside its
column, so no table is wider than the page allows.

Widths are counted in Excel's character widths (the width of "0" in the default font, 7 pixels): the
contract keeps the Summary and the section sheets within 200 of them so they print at a legible scale.
"""
from __future__ import annotations

import math
import numbers
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ..measures.notes import resolve_note_refs
from ..values import EXCEL_CELL_CHARS
from . import styles as st
from .context import ReportContext
from .spec import WorkbookSpec
from .styles import Styles
from .text import is_blank

TABLE_STYLE = "Table Style Medium 2"
ROW_HEIGHT_PX = 20
CHART_WIDTH_PX = 600
CHART_HEIGHT_PX = 300
CHART_GAP_PX = 16
CHARTS_PER_ROW = 2
CHART_TOP_PX = 6  # a chart starts a little below its row's top, clear of a page break there
CHART_ROWS = math.ceil((CHART_TOP_PX + CHART_HEIGHT_PX + CHART_GAP_PX) / ROW_HEIGHT_PX)  # rows a row of charts takes
MAX_COLUMN_WIDTH = 60  # text longer than this wraps inside its column
MAX_PRINT_WIDTH = 200  # character widths: the contract's bound for the Summary and the section sheets
NARRATIVE_CHARS = 240  # a sentence or paragraph longer than this continues on the next row
TEXT_PX_PER_CHAR = 5.85  # a character of 11-point Calibri text (the widest sentences measured), for overflow
CHARS_PER_WIDTH = 1.18  # characters of body text a character width holds (a "0" is wider than most letters)
SPARKLINE_WIDTH = 10
MIN_TEXT_WIDTH = 12  # a text column of a report sheet is never narrowed below this
SPARKLINE_HEADER = "Last 12 months"
SPARKLINE_HEADROOM = 1.25  # a sparkline's axis reaches 25% above its highest month, so rows stay apart
BULLET = "\u2022 "

# Row heights in points. Rows holding wrapped text get one line's height per line, so a program that does
# not fit rows to their text (LibreOffice) shows every line; titles and headings their font's height.
LINE_PT = 15.0
TITLE_PT = 21.0
HEADING_PT = 16.5
# The printed page (A4 landscape, the margins set in finish), in points.
PAGE_WIDTH_PT = 841.9 - 2 * 0.4 * 72
PAGE_HEIGHT_PT = 595.3 - (0.7 + 0.6) * 72
PAGE_SAFETY = 0.97  # the fit-to-width scale is rounded to a whole percent by the program, which can only fit more
NOTE_COLUMN = "Note"  # any table's column of notes: its references to the cover's notes become [note N]

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
# The classes of value for which default_format's answer depends on the value's class, the column's header and
# the row's unit only, never on the value itself (a float's does: a blank NaN, a whole number): text and
# blanks have no number format of their own, every int is a count, every date a date or month.
_FORMAT_BY_CLASS = frozenset({str, type(None), int, bool, date, datetime, pd.Timestamp})


def _is_whole(value: object) -> bool:
    """True for blanks, text and whole numbers; False for a number with a fraction."""
    if value.__class__ is str or is_blank(value) or isinstance(value, (bool, str, date, datetime, pd.Timestamp)):
        return True
    if isinstance(value, numbers.Real):
        return float(value).is_integer()
    return True


def _is_number(value: object) -> bool:
    """A value shown right-aligned: a number (not text, Yes/No or a date: dates are labels, shown left)."""
    if value.__class__ is str or is_blank(value) or isinstance(value, bool) or type(value).__name__ == "bool_":
        return False
    return isinstance(value, numbers.Number)


def _is_date(value: object) -> bool:
    return isinstance(value, (date, datetime, pd.Timestamp))


def column_px(width: float) -> int:
    """A column's width in pixels, as Excel (and XlsxWriter) turn character widths into pixels."""
    return int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5


def stored_width(width: float) -> float:
    """A column width as the file stores it (and openpyxl reads it): whole pixels, padding included."""
    return st.DEFAULT_COLUMN_WIDTH if width == st.DEFAULT_COLUMN_WIDTH else column_px(width) / 7


def header_width(text: str, lines: int | None = None) -> int:
    """The narrowest width (characters) at which a header wraps onto at most two lines (three when long)."""
    words = text.split()
    if not words:
        return 0
    if lines is None:
        lines = 3 if len(text) > 20 else 2
    width = max(len(w) for w in words)
    while width < len(text):
        if len(textwrap.wrap(text, width, break_long_words=False)) <= lines:
            return width
        width += 1
    return len(text)


def shown_width(value: object, num_format: str | None) -> int:
    """Characters a value takes as its number format shows it."""
    if value.__class__ is str:
        return len(value)
    if is_blank(value):
        return 0
    if isinstance(value, (date, datetime, pd.Timestamp)):
        return 8 if num_format == st.MONTH else 10
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return 3
    if isinstance(value, numbers.Number):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return 0
        if num_format in (st.PERCENT, st.BENCHMARK_PERCENT):
            places = 1 if num_format == st.BENCHMARK_PERCENT else 0
            return len(f"{number * 100:.{places}f}%")
        if num_format == st.CHANGE_POINTS:
            return len(f"{number:+.1f} pts")
        if num_format in (st.COUNT, st.CHANGE_COUNT):
            return len(f"{number:+,.0f}" if num_format == st.CHANGE_COUNT else f"{number:,.0f}")
        if num_format in (st.DECIMAL, st.CHANGE_DECIMAL):
            return len(f"{number:+,.1f}" if num_format == st.CHANGE_DECIMAL else f"{number:,.1f}")
        return len(f"{number:,.2f}".rstrip("0").rstrip("."))
    return min(len(str(value)), MAX_COLUMN_WIDTH)


@dataclass
class TableLoc:
    """Where a table landed: enough to point a chart or a sparkline at its cells."""

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

    def range_text(self, header: str, first: int, last: int) -> str:
        """'Sheet'!C6:C17: the cells of one column for data rows first..last (a sparkline's data)."""
        from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell

        c = self.col(header)
        return (f"{quote_sheetname(self.sheet)}!{xl_rowcol_to_cell(self.first_row + first, c)}:"
                f"{xl_rowcol_to_cell(self.first_row + last, c)}")

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
    """The frame's rows as lists of the values iterating each column gives (``frame.itertuples``)."""
    columns = [_column_values(frame.iloc[:, i]) for i in range(frame.shape[1])]
    if not columns:
        return [[] for _ in range(len(frame))]
    return [list(row) for row in zip(*columns)]


def _column_values(column: pd.Series) -> list:
    """``list(column)``, at once where it can be: a column of a NumPy type or of text kept as Python strings
    (pandas' default text type) gives the values iterating it gives, the builtin scalars NumPy's ``item`` makes
    or the strings and blanks held, from one ``tolist`` (iterating pandas' text column asks for each value on
    its own: 20 ms of every render, the KPI table's rows taken by each of its six sheets). Any other type
    (nullable integers give NumPy scalars, for one) is iterated as before."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcOU":
        return column.to_numpy().tolist()
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "python":
        return column.to_numpy(dtype=object).tolist()
    return list(column)


@dataclass
class ChartItem:
    """A chart waiting for its place in the grid below the tables, with the alt text stating its finding."""

    chart: Chart
    alt_text: str


@dataclass
class _Extent:
    """What the sheet's print area must hold: its last row, last column and pixels of overflowing content."""

    last_row: int = 1
    last_col: int = 0
    px: int = 0
    longest_table: tuple[int, int] | None = None  # (data rows, header row) of the longest table


@dataclass
class _Wrapped:
    """Cells whose text wraps (row, col, text, bold), so their rows are given the height the text needs."""

    cells: list[tuple[int, int, str, bool]] = field(default_factory=list)


@dataclass
class Sparkline:
    """A row's monthly series: the cells it is drawn from and their values (for the axis maximum)."""

    cells: str
    values: list[float]


class SheetLayout:
    """One sheet being written top to bottom (``row`` is the next free row)."""

    def __init__(self, ws: Worksheet, styles: Styles, spec: WorkbookSpec, data_sheet: bool = False,
                 note_numbers: dict[str, int] | None = None, cut_cells: list | None = None) -> None:
        self.ws = ws
        self.note_numbers = note_numbers or {}  # a Note cell's references -> [note N] (see core/measures/notes.py)
        self.cut_cells = cut_cells  # (sheet, cell, characters) of each text cut to what a cell holds
        self.styles = styles
        self.spec = spec
        self.data_sheet = data_sheet  # analysts' sheet: filter buttons on its tables
        self.row = 0  # next free row down column A
        self._widths: dict[int, float] = {}
        self._fixed: dict[int, float] = {}  # columns whose width is decided (sparklines)
        self._caps: dict[int, float] = {}  # columns' widest allowed width (text wider than it wraps)
        self._floors: dict[int, float] = {}  # text columns a story sheet may narrow, and how far
        self._extent = _Extent()
        self._charts: list[ChartItem] = []
        self._wrapped = _Wrapped()
        self._heights: dict[int, float] = {}  # row -> points, where not one line
        self._overflow: list[tuple[int, int]] = []  # (column, pixels) of text that may run to its right
        self._keep_with_next: set[int] = set()  # headings and header rows: never the last row of a page

    # ------------------------------------------------------------------ cells
    def _note_width(self, col: int, width: float) -> None:
        if width > self._widths.get(col, 0):
            self._widths[col] = width

    def write_value(self, row: int, col: int, value: object, num_format: str | None = None, **props) -> None:
        """Write one cell by its Python type: text stays text (never a formula or link), numbers as numbers."""
        self._write(row, col, value, self.styles.get(num_format, **props) if (num_format or props) else None)

    def _write(self, row: int, col: int, value: object, cell_format) -> None:
        """write_value with a Format object already made (the per-cell path of tables): the commonest cells
        (text, None, plain numbers) first."""
        ws = self.ws
        if value.__class__ is str:
            if len(value) > EXCEL_CELL_CHARS:
                value = self._cut(row, col, value)
            ws.write_string(row, col, value, cell_format)
        elif value is None:
            ws.write_blank(row, col, None, cell_format)
        elif value.__class__ is int or value.__class__ is float:
            if value != value or math.isinf(value):
                ws.write_blank(row, col, None, cell_format)
            else:
                ws.write_number(row, col, value, cell_format)
        else:
            fmt = cell_format
            if is_blank(value):
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
                ws.write_string(row, col, text if len(text) <= EXCEL_CELL_CHARS else self._cut(row, col, text), fmt)

    def _text(self, row: int, col: int, text: str, fmt, size: float = 11, bold: bool = False) -> None:
        """A text cell that may overflow to its right: the print area is widened to hold it."""
        self.ws.write_string(row, col, text, fmt)
        px_per_char = TEXT_PX_PER_CHAR * size / 11 * (1.1 if bold else 1.0)
        self._overflow.append((col, int(len(text) * px_per_char)))
        self._extent.last_row = max(self._extent.last_row, row)

    @property
    def max_print_px(self) -> int:
        return column_px(MAX_PRINT_WIDTH) if not self.data_sheet else 10 ** 6

    def _cut(self, row: int, col: int, text: str) -> str:
        """Text over what an Excel cell holds, cut to it; the cell is noted for the Data quality sheet
        (``cut_cells``), which says so (the writer library cut such text without a word)."""
        if self.cut_cells is not None:
            self.cut_cells.append((self.ws.name, xl_rowcol_to_cell(row, col), len(text)))
        return text[:EXCEL_CELL_CHARS]

    # ------------------------------------------------------------------ blocks
    def title(self, title: str, description: str) -> None:
        self._text(0, 0, title, self.styles.title, size=16, bold=True)
        self._heights[0] = TITLE_PT
        self._text(1, 0, description, self.styles.text)
        self.row = 3

    def label_value(self, label: str, value: object, num_format: str | None = None) -> None:
        """A cover line: bold label in A, value in B."""
        self.ws.write_string(self.row, 0, label, self.styles.label)
        self._note_width(0, len(label) + 1)
        self.write_value(self.row, 1, value, num_format, align="left")
        self._overflow.append((1, int(shown_width(value, num_format) * TEXT_PX_PER_CHAR)))
        self._extent.last_row = max(self._extent.last_row, self.row)
        self.row += 1

    def heading(self, text: str) -> None:
        self._text(self.row, 0, text, self.styles.heading, size=12, bold=True)
        self._heights[self.row] = HEADING_PT
        self._keep_with_next.add(self.row)
        self.row += 1

    def lines(self, texts: Sequence[str], first_prefix: str = "", next_prefix: str = "") -> None:
        """Each text in one cell (a whole sentence or paragraph), overflowing to its right; text longer than
        the page is wide continues on the next rows."""
        for text in texts:
            for line in narrative_lines(text, first_prefix, next_prefix):
                self._text(self.row, 0, line, self.styles.text)
                self.row += 1

    def key_messages(self, section: str, context: ReportContext, limit: int | None = None) -> None:
        """The section's key messages: a heading, then one sentence per cell."""
        self.heading("Key messages")
        messages = [str(m).strip() for m in context.messages.get(section, []) if str(m).strip()]
        if limit is not None:
            messages = messages[:limit]
        self.lines([BULLET + m for m in messages] or [self.spec.no_messages], next_prefix="  ")

    def commentary(self, section: str, context: ReportContext) -> None:
        """The QA officer's commentary for the section: a heading, then one paragraph per cell."""
        self.heading("Commentary")
        text = (context.commentary.get(section, "") or "").replace("\r\n", "\n")
        paragraphs = [" ".join(p.split()) for p in text.split("\n") if p.strip()]
        self.lines(paragraphs or [self.spec.no_commentary])

    def narrative(self, section: str, context: ReportContext) -> None:
        """Key messages then commentary, above the sheet's tables, each followed by a blank row."""
        self.key_messages(section, context)
        self.row += 1
        self.commentary(section, context)
        self.row += 1

    def table(self, name: str, heading: str, headers: Sequence[str], rows: list[list] | None,
              units: Sequence[str | None] | None = None, format_rule: FormatRule = default_format,
              links: dict[int, str] | None = None, wrap: dict[str, int] | None = None) -> TableLoc:
        """Heading row, then the table (header + rows), then one blank row. rows None/empty: placeholder.

        ``wrap``: header -> the width at which that text column wraps (default MAX_COLUMN_WIDTH)."""
        headers = [str(h) for h in headers]
        has_data = bool(rows)
        if not has_data:
            rows = [[self.spec.no_data] + [None] * (len(headers) - 1)]
            units = None
        self.heading(heading)
        header_row = self.row
        self._keep_with_next.add(header_row)
        last_row = header_row + len(rows)
        ncols = len(headers)
        # A count column holding a blank arrives as floats (412.0): show it as a count when every number in
        # the column is whole.
        if min(map(len, rows)) >= ncols:  # every row holds every column (a short row's missing cells are blank)
            columns = [list(column) for column in zip(*rows)][:ncols]
        else:
            columns = [[r[c] if c < len(r) else None for r in rows] for c in range(ncols)]
        for c, h in enumerate(headers):  # a Note cell's references to the cover's notes become [note N]
            if h == NOTE_COLUMN:
                columns[c] = [resolve_note_refs(v, self.note_numbers) if v.__class__ is str else v
                              for v in columns[c]]
        caps = [(wrap or {}).get(h, MAX_COLUMN_WIDTH) for h in headers]
        button = 2 if self.data_sheet else 0  # room for the filter button
        header_formats = []
        # (text is never a number, nor a fraction: a text column's thousands of cells are not asked one by one)
        numeric = [has_data and any(_is_number(v) for v in columns[c] if v.__class__ is not str) for c in range(ncols)]
        # Text right after a column of right-aligned numbers is indented a little, so "79.7%" and
        # "[note 9]" do not read as one.
        indented = [c > 0 and numeric[c - 1] and not numeric[c] for c in range(ncols)]
        for c, h in enumerate(headers):
            header_formats.append(self.styles.header(numeric[c], indent=bool(button) if numeric[c] else indented[c]))
            self._note_width(c, header_width(h) + 1 + button)
            self._wrapped.cells.append((header_row, c, h, True))
        self.ws.add_table(header_row, 0, last_row, ncols - 1, {
            "name": name,
            "style": TABLE_STYLE,
            "autofilter": self.data_sheet,
            "columns": [{"header": h, "header_format": header_formats[c]} for c, h in enumerate(headers)],
        })
        link_format = self.styles.get(None, font_color="#0B3D91", underline=1, valign="top")
        write_string = self.ws.write_string
        for c in range(ncols):
            column = columns[c]
            header = headers[c]
            whole = None  # every number in the column whole: asked when a cell's format is a decimal
            # On a report sheet every text column wraps, so it can be narrowed to keep the page legible.
            text_column = has_data and any(v.__class__ is str for v in column)
            wraps = (text_column and not self.data_sheet) or any(v.__class__ is str and len(v) > caps[c] for v in column)
            if text_column and not self.data_sheet:
                longest_word = max(len(w) for w in header.split()) if header.split() else 0
                self._floors[c] = max(self._floors.get(c, 0), longest_word + 1, MIN_TEXT_WIDTH)
            props = {"valign": "top", "text_wrap": True} if wraps else {"valign": "top"}
            if indented[c]:
                props.update(align="left", indent=1)
            formats: dict[tuple[str | None, bool], object] = {}  # (number format, date) -> Format
            extremes: dict[str | None, list[float]] = {}  # number format -> [lowest, highest] number
            # (value's class, unit) -> (number format, date, Format) for the classes whose format the
            # default rule decides by class alone (see _FORMAT_BY_CLASS): a 20,000-row table repeats a few.
            by_class: dict[tuple[type, str | None], tuple[str | None, bool, object]] | None = \
                {} if format_rule is default_format and has_data else None
            text_width = 0
            for i, value in enumerate(column):
                r = header_row + 1 + i
                if links and c == 0 and i in links:
                    self.ws.write_url(r, c, links[i], link_format, string=str(value))
                    text_width = max(text_width, len(str(value)))
                    continue
                unit = units[i] if units is not None else None
                cls = value.__class__
                known = by_class.get((cls, unit)) if by_class is not None else None
                if known is not None:
                    fmt, dated, cell_format = known
                else:
                    fmt = format_rule(name, header, value, unit) if has_data else None
                    if fmt == st.DECIMAL and (unit is None or header not in UNIT_COLUMNS):
                        if whole is None:
                            whole = all(_is_whole(v) for v in column if v.__class__ is not str)
                        if whole:
                            fmt = st.COUNT
                    dated = cls is not str and _is_date(value)  # a month or date labels its row: left-aligned
                    key = (fmt, dated)
                    cell_format = formats.get(key)
                    if cell_format is None:
                        cell_format = formats[key] = self.styles.get(fmt, **{**props, **({"align": "left"} if dated else {})})
                    if by_class is not None and cls in _FORMAT_BY_CLASS:
                        by_class[(cls, unit)] = (fmt, dated, cell_format)
                if cls is str and len(value) <= EXCEL_CELL_CHARS:  # the commonest cell, written at once
                    write_string(r, c, value, cell_format)
                else:
                    self._write(r, c, value, cell_format)
                if cls is str:
                    if len(value) > text_width:
                        text_width = len(value)
                    if wraps and len(value) > 8:
                        self._wrapped.cells.append((r, c, value, False))
                elif dated:
                    text_width = max(text_width, shown_width(value, fmt))
                elif value is None:
                    continue
                # A number is counted (an int or a float that is not NaN at once; any other kind as before).
                elif (cls is int or (cls is float and value == value)) or (
                        cls is not float and isinstance(value, numbers.Number) and not isinstance(value, bool)
                        and not is_blank(value)):
                    low_high = extremes.get(fmt)
                    number = float(value)
                    if low_high is None:
                        extremes[fmt] = [number, number]
                    elif number < low_high[0]:
                        low_high[0] = number
                    elif number > low_high[1]:
                        low_high[1] = number
            width = min(text_width, caps[c]) + 1
            for fmt, (low, high) in extremes.items():  # a right-aligned number keeps clear of text beside it
                width = max(width, shown_width(low, fmt) + 2, shown_width(high, fmt) + 2)
            self._note_width(c, min(width, caps[c] + 1))
            self._caps[c] = max(self._caps.get(c, MAX_COLUMN_WIDTH), caps[c])
        self._extent.last_row = max(self._extent.last_row, last_row)
        self._extent.last_col = max(self._extent.last_col, ncols - 1)
        if self._extent.longest_table is None or len(rows) > self._extent.longest_table[0]:
            self._extent.longest_table = (len(rows), header_row)
        self.row = last_row + 2
        return TableLoc(self.ws.name, name, header_row, headers, rows, has_data)

    def sparklines(self, loc: TableLoc, series: Sequence[Sparkline | None]) -> None:
        """A column of native column sparklines right of the table, one per data row with a monthly series
        (None for a row without one), columns from zero, the last month highlighted. Each row is its own
        group, its axis reaching a quarter above its highest month, so neighbouring rows never touch."""
        col = len(loc.columns)
        self.ws.write_string(loc.header_row, col, SPARKLINE_HEADER, self.styles.header(False, indent=True))
        self._wrapped.cells.append((loc.header_row, col, SPARKLINE_HEADER, True))
        self._fixed[col] = max(self._fixed.get(col, 0), SPARKLINE_WIDTH, header_width(SPARKLINE_HEADER) + 1)
        self._extent.last_col = max(self._extent.last_col, col)
        for i, line in enumerate(series):
            if line is None:
                continue
            highest = max([v for v in line.values if not is_blank(v)] or [0.0])
            options = {
                "range": line.cells,
                "type": "column",
                "series_color": self.spec.series_colours[0],
                "last_point": True,
                "last_color": self.spec.series_colours[1],
                "min": 0,  # columns from zero: a month's column is as tall as its value, never exaggerated
                "empty_cells": "gaps",
            }
            if highest > 0:
                options["max"] = float(highest) * SPARKLINE_HEADROOM
            self.ws.add_sparkline(loc.first_row + i, col, options)

    # ------------------------------------------------------------------ charts
    def chart(self, chart: Chart, alt_text: str) -> None:
        """A chart for the grid below the sheet's last table (placed by ``finish``, in the order given)."""
        self._charts.append(ChartItem(chart, alt_text))

    def _place_charts(self) -> None:
        """Charts two across below the last table, reading order left to right then down; a chart never
        covers a cell holding text (nothing is written below the tables)."""
        if not self._charts:
            return
        first = self.row
        for i, item in enumerate(self._charts):
            item.chart.set_size({"width": CHART_WIDTH_PX, "height": CHART_HEIGHT_PX})
            row = first + (i // CHARTS_PER_ROW) * CHART_ROWS
            x = (i % CHARTS_PER_ROW) * (CHART_WIDTH_PX + CHART_GAP_PX)
            self.ws.insert_chart(row, 0, item.chart, {"x_offset": x, "y_offset": CHART_TOP_PX, "description": item.alt_text,
                                                     "object_position": 1})
        per_row = min(len(self._charts), CHARTS_PER_ROW)
        self._extent.px = max(self._extent.px, per_row * CHART_WIDTH_PX + (per_row - 1) * CHART_GAP_PX)
        self.row = first + math.ceil(len(self._charts) / CHARTS_PER_ROW) * CHART_ROWS
        self._extent.last_row = max(self._extent.last_row, self.row - 1)

    # ------------------------------------------------------------------ finishing
    def column_widths(self) -> dict[int, float]:
        out = {c: min(max(w, 4), self._caps.get(c, MAX_COLUMN_WIDTH) + 1) for c, w in self._widths.items()}
        out.update(self._fixed)
        if not self.data_sheet:
            self._fit_width(out)
        return out

    def _fit_width(self, widths: dict[int, float]) -> None:
        """Narrow a report sheet's text columns (widest first) until its tables fit the page: the contract's
        200 character widths, counted as Excel stores them. Their text wraps onto more lines instead."""
        last_col = max([self._extent.last_col, *widths]) if widths else 0

        def total() -> float:
            return sum(stored_width(widths.get(c, st.DEFAULT_COLUMN_WIDTH)) for c in range(last_col + 1))

        excess = total() - (MAX_PRINT_WIDTH - 1)
        while excess > 0:
            room = {c: widths.get(c, 0) - floor for c, floor in self._floors.items() if widths.get(c, 0) - 1 >= floor}
            if not room:
                return
            widest = max(room, key=lambda c: (room[c], -c))
            widths[widest] -= 1
            excess -= 1

    def _row_heights(self, widths: dict[int, float]) -> dict[int, float]:
        """Rows' heights in points: one line's height per line of their longest wrapped cell (a character
        counted as a full character width, as wide fonts need), titles and headings their font's."""
        heights = dict(self._heights)
        for row, col, text, bold in self._wrapped.cells:
            if bold:  # a header: wrapped at whole words (header_width chose a width that needs no more)
                width = int(widths.get(col, st.DEFAULT_COLUMN_WIDTH) - 1)
            else:
                width = int((widths.get(col, st.DEFAULT_COLUMN_WIDTH) - 1) * CHARS_PER_WIDTH)
            if len(text) <= width:
                continue
            lines = len(textwrap.wrap(text, max(width, 1), break_long_words=not bold)) or 1
            heights[row] = max(heights.get(row, LINE_PT), lines * LINE_PT)
        return heights

    def _page_breaks(self, heights: dict[int, float], print_px: int, last_row: int,
                     first_chart_row: int) -> list[int]:
        """Page breaks for a report sheet, so no chart is cut by the foot of a page and no table's heading is
        left at the foot of one: the sheet is paged row by row at the fit-to-width scale (the longest
        table's header repeated at the top of each new page), a row of charts moving whole to the next page
        when it would cross the foot, a heading and header row staying with the table's first row. Every
        page is broken by hand, so a program fitting more on a page (LibreOffice with wider fonts) breaks
        nowhere else. (Data sheets are left to the program: they have no charts, and a header row is
        repeated on each page.)"""
        if self.data_sheet:
            return []
        scale = min(1.0, PAGE_WIDTH_PT / (print_px * 0.75))
        page = PAGE_HEIGHT_PT * PAGE_SAFETY / scale
        repeat_row = self._extent.longest_table[1] if self._extent.longest_table else None
        breaks: list[int] = []
        y = 0.0
        row = 0
        while row <= last_row:
            if row >= first_chart_row:  # a row of charts: its rows move together
                block = min(CHART_ROWS, last_row + 1 - row)
            else:  # a heading stays with its table's header row, and that with the first row of data
                block = 1
                while row + block - 1 in self._keep_with_next and row + block <= last_row:
                    block += 1
            h = sum(heights.get(r, LINE_PT) for r in range(row, row + block))
            if y + h > page and y > 0:
                breaks.append(row)
                y = heights.get(repeat_row, LINE_PT) if repeat_row is not None and repeat_row < row else 0.0
            y += h
            row += block
        return breaks

    def finish(self, classification: str, one_page: bool = False) -> None:
        """Charts placed, column widths and row heights set, and the print set-up: A4 landscape, one page
        wide (the Summary one page in all), page breaks that keep charts whole, the longest table's header
        row on every page, the classification in the page header."""
        first_chart_row = self.row
        self._place_charts()
        widths = self.column_widths()
        for col, width in sorted(widths.items()):
            self.ws.set_column(col, col, width)

        def left(col: int) -> int:
            return sum(column_px(widths.get(c, st.DEFAULT_COLUMN_WIDTH)) for c in range(col))

        for col, px in self._overflow:  # text overflowing to its right, up to the widest page allowed
            self._extent.px = max(self._extent.px, min(left(col) + px, self.max_print_px))
        last_col = max([self._extent.last_col, *widths]) if widths else self._extent.last_col
        covered = left(last_col + 1)
        used = sum(stored_width(widths.get(c, st.DEFAULT_COLUMN_WIDTH)) for c in range(last_col + 1))
        while covered < self._extent.px:  # overflowing text and charts reach past the tables
            more = stored_width(widths.get(last_col + 1, st.DEFAULT_COLUMN_WIDTH))
            if not self.data_sheet and used + more > MAX_PRINT_WIDTH:
                # A report sheet's page is never wider than the contract allows: an empty last column is
                # narrowed to what is left of it, so overflowing text has the whole page.
                room = MAX_PRINT_WIDTH - used - 0.8
                if room >= 2 and last_col + 1 not in widths:
                    last_col += 1
                    widths[last_col] = room
                    self.ws.set_column(last_col, last_col, room)
                    covered += column_px(room)
                break
            last_col += 1
            used += more
            covered += column_px(widths.get(last_col, st.DEFAULT_COLUMN_WIDTH))
        heights = self._row_heights(widths)
        last_row = max(self._extent.last_row, self.row - 1)
        # A story sheet states every row's height: programs differ in the height of an empty row (charts,
        # which span rows, would shrink), and the page breaks keeping charts whole count on them. (A row
        # of the default height has no height written, so the default is set one point higher.)
        if not self.data_sheet:
            self.ws.set_default_row(LINE_PT + 1)
        rows = range(last_row + 1) if not self.data_sheet else sorted(heights)
        for row in rows:
            self.ws.set_row(row, heights.get(row, LINE_PT))
        ws = self.ws
        ws.print_area(0, 0, last_row, last_col)
        if self._extent.longest_table is not None:
            ws.repeat_rows(self._extent.longest_table[1])
        breaks = [] if one_page else self._page_breaks(heights, covered, last_row, first_chart_row)
        if breaks:
            ws.set_h_pagebreaks(breaks)
        ws.set_landscape()
        ws.set_paper(9)  # A4 (XlsxWriter's default is US Letter)
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        ws.fit_to_pages(1, 1 if one_page else 0)  # one page wide, as many tall as needed (Summary: one)
        ws.set_header("&C" + classification.replace("&", "&&"))
        ws.set_footer("&L&A&RPage &P of &N")


def _cell_name(row: int, col: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    return xl_rowcol_to_cell(row, col)


def narrative_lines(text: str, first_prefix: str = "", next_prefix: str = "") -> list[str]:
    """A sentence or paragraph as it is written: one line unless it is longer than the page is wide."""
    text = first_prefix + " ".join(str(text).split())
    if len(text) <= NARRATIVE_CHARS:
        return [text]
    return textwrap.wrap(text, width=NARRATIVE_CHARS, subsequent_indent=next_prefix, break_long_words=True,
                         break_on_hyphens=False)
