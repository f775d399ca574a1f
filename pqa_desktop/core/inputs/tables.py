"""Reading any spreadsheet-like input into plain grids of Python values.

Shared by every tabular reader (audit registers, Annex A lists, workforce lists): one place knows how
to open .xlsx/.xlsm/.xls/.ods (python-calamine, from bytes) and .csv (UTF-8, UTF-8 with BOM, else
Windows-1252; comma, semicolon or tab), and how to say that a file cannot be opened.

Grids keep sheet coordinates: ``rows[r][c]`` is the cell in sheet row ``r + 1`` and column ``c + 1``
(leading empty rows and columns are kept), so readers can name cells and rows as the user sees them.
Cell values are ``str``, ``int``, ``float``, ``datetime``/``date``/``time`` or ``None`` (blank).
CSV cells stay text (a reference such as ``007`` must keep its zeros); the value parsers read text.
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator, MutableSequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Callable

import numpy as np

from ..encryption import OLE_SIGNATURE, is_password_protected
from ..findings import FindingSink, register_rule
from ..records import InputFile
from ..values import EXCEL_CELL_CHARS
from .biff import check_legacy_workbook
from .packages import RULE_CORRUPT, RULE_REFUSED, Refusal, check_package

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TABLE_SUFFIXES = SPREADSHEET_SUFFIXES + (".csv",)

# A sheet larger than this is read only up to the row that reaches it: exports run to tens of
# thousands of rows, but a runaway "used range" (formatting down to row 1,048,576) must not
# exhaust a council laptop's memory.
DEFAULT_MAX_CELLS = 5_000_000
# A workbook sheet whose used area is this many times the cell limit is refused before it is opened
# rather than read in part: the cell reader would allocate the whole area first (see inputs.packages).
REFUSE_FACTOR = 4

RULE_PASSWORD = register_rule(
    "file.password_protected",
    "The file is password protected, so it cannot be read.")
RULE_TRUNCATED = register_rule(
    "file.sheet_truncated",
    "A sheet is too large to read whole; only its first rows were read.")

# Findings that mean a file could not be opened at all (the readers then report only that one).
UNOPENABLE_RULES = (RULE_PASSWORD, RULE_CORRUPT, RULE_REFUSED)



@dataclass
class SheetTable:
    """One sheet as a grid; ``rows[r][c]`` is sheet cell (row r+1, column c+1).

    ``rows`` is a list of lists, or for a large sheet a ``LazyRows`` that answers as one."""

    sheet: str
    rows: list[list] | LazyRows = field(default_factory=list)

    def cell(self, row: int, col: int):
        """Value at 0-based (row, col), None outside the grid."""
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= col < len(line):
                return line[col]
        return None


@dataclass
class SheetHead(SheetTable):
    """A sheet already read by another reader as it was read (``returns.reader``): ``rows`` holds only its
    first rows, which are all that decides what the sheet is, and ``read_as`` what that reader made of it.
    The rest of its cells were let go with it (a large export's sheet, once typed, is a fraction of them)."""

    read_as: object = None


@lru_cache(maxsize=1024)  # readers name the same few hundred columns again and again
def column_letter(col: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) -> "B7"."""
    return f"{column_letter(col)}{row + 1}"


def package_refusal(item: InputFile, max_cells: int = DEFAULT_MAX_CELLS) -> Refusal | None:
    """Why a spreadsheet must not be handed to the cell reader, or None: a zip package (.xlsx, .xlsm, .ods)
    or a compound file (.xls), whatever its name says, as the cell reader decides by content too."""
    if item.data.startswith(b"PK"):
        return check_package(item.data, max_cells * REFUSE_FACTOR)
    if item.data.startswith(OLE_SIGNATURE) and not is_password_protected(item.data):
        return check_legacy_workbook(item.data, max_cells * REFUSE_FACTOR)
    return None


def report_unopenable(item: InputFile, sink: FindingSink) -> None:
    """One error finding saying why a spreadsheet cannot be opened (password, safety limit, else damage)."""
    refusal = package_refusal(item)
    if refusal is not None:
        sink.error(refusal.rule, refusal)
    elif is_password_protected(item.data):
        # Reached when no password was given for the file or none of those given fits it.
        sink.error(RULE_PASSWORD,
                   "This file is password protected, so it cannot be read. Enter its password when "
                   "PQA Desktop asks for it, or ask the sender for a copy saved without a password.")
    else:
        sink.error(RULE_CORRUPT,
                   "This file could not be opened: it may be damaged, incomplete or not really a "
                   f"{item.suffix or 'spreadsheet'} file. Open it in Excel and save it again, or ask "
                   "the sender for a new copy.")


def reader_failed(error: BaseException) -> bool:
    """Whether ``error`` is the cell reader failing on a file: any Exception, or a panic in its native code
    (pyo3's PanicException derives from BaseException, so ``except Exception`` lets it through)."""
    return isinstance(error, Exception) or type(error).__name__ == "PanicException"


def open_workbook(item: InputFile, sink: FindingSink, max_cells: int = DEFAULT_MAX_CELLS):
    """The calamine workbook for a spreadsheet file, or None with one error finding."""
    from python_calamine import CalamineWorkbook

    if is_password_protected(item.data):
        report_unopenable(item, sink)
        return None
    refusal = package_refusal(item, max_cells)
    if refusal is not None:  # checked first: calamine would allocate what the file asks for
        sink.error(refusal.rule, refusal)
        return None
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(item.data))
    except BaseException as error:  # calamine raises its own error types, panics and, for odd files, others
        if not reader_failed(error):
            raise
        report_unopenable(item, sink)
        return None


def _clean_value(value):
    """Calamine cell -> our cell: "" -> None, whole floats -> int (so IDs read "12345", not "12345.0")."""
    if value is None:
        return None
    if isinstance(value, str):
        return None if value == "" else value
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if isinstance(value, timedelta):  # a duration-formatted cell: keep it as a number of days, cleaned as
        return _clean_value(value.total_seconds() / 86400)  # any number is, so cleaning again changes nothing
    return value


def _clean_row(row: list) -> list:
    """``_clean_value`` on each cell of a row; non-empty text, the commonest cell, is passed straight
    through (a call per cell on an export's millions of cells was a large part of reading it)."""
    return [v if v.__class__ is str and v else _clean_value(v) for v in row]


def clean_cell(value):
    """A cell value as read_tables gives it (see ``_clean_value``), from a value ``column_values``
    passed through uncleaned; cleaning a clean value changes nothing."""
    return _clean_value(value)


def _trim(rows: list[list]) -> list[list]:
    """Drop trailing empty cells and trailing empty rows (keeps coordinates of what remains).

    Works in place: callers pass rows they have just built."""
    out = rows
    for r in out:
        while r and r[-1] is None:
            r.pop()
    while out and not out[-1]:
        out.pop()
    return out


def _clean_csv_row(row: list) -> list:
    """A CSV record's cells as ``read_csv`` gives them: blank or white-space-only text -> None (CSV cells
    stay text otherwise)."""
    return [v if v and not v.isspace() else None for v in row]


# Sheets with more cells than this keep their rows as the cell reader gave them and clean each row
# the first time it is read: an export's readers look at a few header rows and a few columns, and
# cleaning every one of its million cells up front cost more than reading them.
LAZY_CELLS = 50_000


class LazyRows(MutableSequence):
    """A sheet's rows as the list of lists ``_trim([clean_row(r) for r in raw])`` would be, each row
    cleaned (and its trailing blanks dropped) the first time it is read. ``clean_row`` is ``_clean_row``
    for a workbook's sheet, ``_clean_csv_row`` for a CSV file's records.

    It answers as that list does: ``len``, indexing (a row is the same list object each time, so it
    can be edited in place), slices (plain lists), iteration, ``append`` and the other list methods,
    ``==`` and ``+`` with a list. ``column_values`` reads whole columns without cleaning the rows.
    """

    def __init__(self, raw: list[list], clean_row: Callable[[list], list] = _clean_row) -> None:
        end = len(raw)
        while end and all(v is None for v in clean_row(raw[end - 1])):
            end -= 1  # trailing empty rows are not part of the sheet
        self._raw = raw
        self._clean = clean_row
        self._rows: list[list | None] = [None] * end  # cleaned rows, filled as they are read

    def _row(self, index: int) -> list:
        row = self._rows[index]
        if row is None:
            row = self._rows[index] = self._clean(self._raw[index])
            while row and row[-1] is None:
                row.pop()
        return row

    def _all(self) -> list[list]:
        return [self._row(i) for i in range(len(self._rows))]

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(len(self._rows)))]
        row = self._rows[index]  # an int as a list takes it: negative from the end, IndexError past it
        if row is None:
            index = index.__index__()
            row = self._row(index + len(self._rows) if index < 0 else index)
        return row

    def __setitem__(self, index, value) -> None:
        if isinstance(index, slice):
            self._rows = self._all()
        self._rows[index] = value

    def __delitem__(self, index) -> None:
        self._rows = self._all()  # positions shift: every row must be cleaned before they do
        del self._rows[index]

    def __iter__(self):
        i = 0
        while i < len(self._rows):  # as a list's iterator, rows appended meanwhile are included
            yield self._row(i)
            i += 1

    def __reversed__(self):
        for i in range(len(self._rows) - 1, -1, -1):
            yield self._row(i)

    def __contains__(self, item) -> bool:
        return any(row == item for row in self)

    def __eq__(self, other) -> bool:
        if isinstance(other, LazyRows):
            other = other._all()
        return self._all() == other if isinstance(other, list) else NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self._all())

    def __add__(self, other):
        return self._all() + other if isinstance(other, list) else NotImplemented

    def __radd__(self, other):
        return other + self._all() if isinstance(other, list) else NotImplemented

    def copy(self) -> list[list]:
        return self._all()

    def append(self, row: list) -> None:
        self._rows.append(row)

    def insert(self, index: int, row: list) -> None:
        self._rows = self._all()
        self._rows.insert(index, row)

    def pop(self, index: int = -1) -> list:
        self._rows = self._all()
        return self._rows.pop(index)

    def column_values(self, indices, start: int) -> dict[int, list | np.ndarray]:
        """For each 0-based column in ``indices``, its cells from row ``start`` to the last row, as
        ``[row[i] if i < len(row) else None for row in rows[start:]]`` would give them once cleaned
        with ``clean_cell``: rows not read yet give the cell reader's value uncleaned (a CSV file's
        blank or white-space-only text too, which the export reader's columns count as blank).

        The columns come as object arrays cut from one array of the rows (the cell reader's rows are
        all as wide as the sheet), or as lists when the rows are not.
        """
        rows, raw = self._rows, self._raw
        start = min(max(start, 0), len(rows))
        count = len(rows) - start
        body = raw[start:start + count]  # shorter when rows were appended below the sheet (all read)
        read = [i for i in range(start, len(rows)) if rows[i] is not None] if rows.count(None) != len(rows) else []
        grid = None
        if body and len(set(map(len, body))) == 1:
            grid = np.empty((len(body), len(body[0])), dtype=object)
            grid[:] = body
        out: dict[int, list | np.ndarray] = {}
        for col in indices:
            if grid is not None and col < grid.shape[1]:
                values = np.empty(count, dtype=object)  # None where there is no cell
                values[:len(body)] = grid[:, col]
            else:
                values = [row[col] if col < len(row) else None for row in body] + [None] * (count - len(body))
            for i in read:
                line = rows[i]
                values[i - start] = line[col] if col < len(line) else None
            out[col] = values
        return out


def column_values(table: "SheetTable", indices, start: int) -> dict[int, list | np.ndarray]:
    """For each 0-based column in ``indices``, the cells of ``table`` from row ``start`` down; a cell
    may be uncleaned (pass it through ``clean_cell``) when the table reads its rows lazily."""
    rows = table.rows
    if isinstance(rows, LazyRows):
        return rows.column_values(indices, start)
    body = rows[start:]
    return {col: [row[col] if col < len(row) else None for row in body] for col in indices}


def _sheet_unreadable(sink: FindingSink, sheet_name: str) -> None:
    """The one finding for a sheet calamine cannot open or cannot decode."""
    sink.error(RULE_CORRUPT,
               "This sheet could not be read: the file may be damaged. Open it in Excel and "
               "save it again.", sheet=sheet_name)


def workbook_tables(workbook, sheet_name: str, sink: FindingSink,
                    max_cells: int = DEFAULT_MAX_CELLS) -> SheetTable | None:
    """One worksheet of an open calamine workbook as a SheetTable (None for a chart sheet etc.)."""
    try:
        sheet = workbook.get_sheet_by_name(sheet_name)
        # ``end`` is the 0-based (row, column) of the last used cell; None for an empty sheet.
        end = sheet.end
    except BaseException as error:
        if not reader_failed(error):
            raise
        _sheet_unreadable(sink, sheet_name)
        return None
    height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
    nrows = None
    if width and height * width > max_cells:
        nrows = max(1, max_cells // width)
        sink.warning(RULE_TRUNCATED,
                     f"This sheet is too large to read whole ({height:,} rows); only its first "
                     f"{nrows:,} rows were read. Delete unused rows below the data and add the file "
                     "again.", sheet=sheet_name)
    try:
        raw = sheet.to_python(skip_empty_area=False, nrows=nrows) if nrows else \
            sheet.to_python(skip_empty_area=False)
    except BaseException as error:
        if not reader_failed(error):
            raise
        _sheet_unreadable(sink, sheet_name)
        return None
    if sum(map(len, raw)) > LAZY_CELLS:
        return SheetTable(sheet_name, LazyRows(raw))
    return SheetTable(sheet_name, _trim([_clean_row(row) for row in raw]))


def read_tables(item: InputFile, sink: FindingSink, max_cells: int = DEFAULT_MAX_CELLS) -> list[SheetTable]:
    """Every worksheet of a spreadsheet or CSV file as grids; [] with an error finding if unreadable.

    Files of other types give [] without a finding: deciding that a file is not an input is the
    caller's business.
    """
    return list(iter_tables(item, sink, max_cells))


def iter_tables(item: InputFile, sink: FindingSink, max_cells: int = DEFAULT_MAX_CELLS) -> Iterator[SheetTable]:
    """``read_tables`` one sheet at a time: each sheet is read when the one before has been taken, and this
    holds no sheet it has given, so a caller that keeps only what it makes of each sheet never holds the
    cells of two (a large export's sheets, all read at once, were most of a reading worker's peak memory)."""
    suffix = item.suffix
    if suffix == ".csv":
        table = read_csv(item, sink, max_cells)
        if table is not None:
            yield table
        return
    if suffix not in SPREADSHEET_SUFFIXES:
        return
    workbook = open_workbook(item, sink, max_cells)
    if workbook is None:
        return
    try:
        sheets = [meta.name for meta in workbook.sheets_metadata
                  if "WorkSheet" in str(meta.typ)]  # chart sheets and macro sheets hold no table
    except BaseException as error:
        if not reader_failed(error):
            raise
        report_unopenable(item, sink)
        return
    for name in sheets:
        table = workbook_tables(workbook, name, sink, max_cells)
        if table is not None:
            yield table
        table = None  # not held while the next sheet is read


# --- CSV -------------------------------------------------------------------------------------

# The csv module refuses a field over 131,072 characters (and the whole file with it); a field may be as
# long as the file.
csv.field_size_limit(2**31 - 1)

RULE_MIXED_ENCODING = register_rule(
    "file.mixed_encoding",
    "A text file mixes two character encodings (UTF-8 and Windows-1252): each line was read in its own.")
RULE_LONG_TEXT = register_rule(
    "file.text_over_excel_limit",
    "A cell holds more characters than an Excel cell can (32,767): where the workbook shows it, it is cut.")

_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def text_encoding(data: bytes) -> str | None:
    """How a text file's bytes are encoded: "utf-16" (what Excel's "Unicode Text" saves, with a byte order
    mark; -le/-be when the mark is missing but every other byte is 0), "utf-8-sig" (UTF-8, with or
    without a byte order mark), "cp1252" (what Excel's "CSV" saves on UK Windows), or None when lines of
    both UTF-8 and Windows-1252 are mixed (each line is then read in its own: ``_mixed_lines``)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    head = head[:len(head) - len(head) % 2]
    if len(head) >= 4 and b"\x00" in head:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if odd >= 0.9 * (len(head) // 2) and even <= 0.1 * (len(head) // 2):
            return "utf-16-le"
        if even >= 0.9 * (len(head) // 2) and odd <= 0.1 * (len(head) // 2):
            return "utf-16-be"
    if _valid_utf8(data):
        return "utf-8-sig"
    return None if _has_utf8_character(data) else "cp1252"


def _has_utf8_character(data: bytes) -> bool:
    """Whether some bytes of ``data`` form a multi-byte UTF-8 character (a lead byte and a continuation
    byte), which Windows-1252 text does not hold in practice ("Ã©" is how UTF-8 looks read as it)."""
    codes = np.frombuffer(data, dtype=np.uint8)
    high = np.flatnonzero(codes[:-1] >= 0xC2)  # the bytes above ASCII are few, even in accented text
    if not len(high):
        return False
    lead, follow = codes[high], codes[high + 1]
    return bool(((lead <= 0xF4) & (follow >= 0x80) & (follow <= 0xBF)).any())


def _valid_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8, checked a megabyte at a time (no copy of the whole text is made)."""
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(view[start:start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def decode_text(data: bytes) -> str:
    """A text file's whole text, decoded as ``text_encoding`` says (Windows-1252 where a line is not UTF-8)."""
    encoding = text_encoding(data)
    if encoding is None:
        return "".join(_mixed_lines(data, []))
    return data.decode(encoding, errors="replace")


def _mixed_lines(data: bytes, windows_lines: list[int]):
    """The lines of a file mixing UTF-8 and Windows-1252 (line endings kept), each decoded as UTF-8 when it
    is, else as Windows-1252; the 1-based numbers of the latter are added to ``windows_lines``."""
    for number, found in enumerate(_LINE.finditer(data, 3 if data.startswith(b"\xef\xbb\xbf") else 0), start=1):
        line = found.group()
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            windows_lines.append(number)
            yield line.decode("cp1252", errors="replace")


def _text_lines(data: bytes, encoding: str | None, windows_lines: list[int]):
    """The file's lines, decoded as they are read: the whole text is never held (with Python's text
    buffer, four bytes a character, it took four times the file on top of the file itself)."""
    if encoding is None:
        return _mixed_lines(data, windows_lines)
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")


# The sniffer's regular expressions take time growing with the square of the sample, so one very long
# line (a broken or hostile file) would hang the read: a few kB of the first lines decide the delimiter.
_SNIFF_LINES = 20
_SNIFF_LINE_CHARS = 1_000
_SNIFF_CHARS = 4_096


def _sniff_sample(text: str) -> str:
    lines = text[: _SNIFF_LINES * (_SNIFF_LINE_CHARS + 2)].splitlines()[:_SNIFF_LINES]
    sample = "\n".join(line[:_SNIFF_LINE_CHARS] for line in lines)
    if len(sample) > _SNIFF_CHARS:
        cut = sample.rfind("\n", 0, _SNIFF_CHARS)
        sample = sample[:cut] if cut > 0 else sample[:_SNIFF_CHARS]  # whole lines keep the counts consistent
    return sample


def _sniff_delimiter(text: str) -> str:
    sample = _sniff_sample(text)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        # The sniffer gives up on one-column or irregular files: take the commonest candidate.
        counts = {d: sample.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def read_csv(item: InputFile, sink: FindingSink, max_cells: int = DEFAULT_MAX_CELLS) -> SheetTable | None:
    """A CSV file as one SheetTable named after the file (as Excel names the tab when opening it).

    UTF-8 (with or without a byte order mark), Windows-1252, UTF-16 (Excel's "Unicode Text", tab
    separated), or lines of UTF-8 and Windows-1252 mixed (each line read in its own, with a finding naming
    the rows read as Windows-1252). The text is decoded as it is parsed, never held whole.
    """
    data = item.data
    encoding = text_encoding(data)
    if encoding is None or not encoding.startswith("utf-16"):
        if b"\x00" in data[:4096]:
            # NUL bytes in what is not UTF-16: a binary file renamed .csv, not a CSV we can read.
            report_unopenable(item, sink)
            return None
    windows_lines: list[int] = []
    lines = _text_lines(data, encoding, windows_lines)
    head = list(itertools.islice(lines, _SNIFF_LINES))
    delimiter = _sniff_delimiter("".join(head))
    reader = csv.reader(itertools.chain(head, lines), delimiter=delimiter)
    # The records as the csv module gives them: cleaned (``_clean_csv_row``) at once for a small file, and for a
    # large one by ``LazyRows`` as each row is read. An export's reader takes whole columns and cleans each
    # distinct value once, so cleaning every one of its hundreds of thousands of cells first was work done twice.
    rows: list[list] = []
    line_ends: list[int] = []  # the last physical line of each row, for findings naming rows
    cells = 0
    try:
        for record in reader:
            cells += len(record) or 1
            if cells > max_cells:
                sink.warning(RULE_TRUNCATED,
                             f"This file is too large to read whole; only its first {len(rows):,} "
                             "rows were read. Split it and add the parts.")
                break
            rows.append(record)
            line_ends.append(reader.line_num)
    except csv.Error:
        report_unopenable(item, sink)
        return None
    if windows_lines and line_ends:
        _report_mixed_encoding(windows_lines, line_ends, sink)
    if len(data) > EXCEL_CELL_CHARS:  # else no cell can be over Excel's limit
        _report_long_texts(rows, _rows_that_may_be_long(data, line_ends), sink)
    stem = re.sub(r"\.csv$", "", item.leaf_name, flags=re.IGNORECASE)
    if cells > LAZY_CELLS:
        return SheetTable(stem, LazyRows(rows, _clean_csv_row))
    return SheetTable(stem, _trim([_clean_csv_row(record) for record in rows]))


def _rows_named(numbers: list[int], limit: int = 10) -> str:
    shown = ", ".join(f"{n:,}" for n in numbers[:limit])
    return shown + (f" and {len(numbers) - limit:,} more" if len(numbers) > limit else "")


def _report_mixed_encoding(windows_lines: list[int], line_ends: list[int], sink: FindingSink) -> None:
    """One finding naming the rows read as Windows-1252, when other lines were UTF-8 (a file written by two
    programs, or pasted into): each was read in its own encoding, so no name is garbled."""
    rows, row = [], 0
    for line in windows_lines:
        while row < len(line_ends) and line_ends[row] < line:
            row += 1
        if row < len(line_ends) and (not rows or rows[-1] != row + 1):
            rows.append(row + 1)
    if not rows:
        return
    sink.info(RULE_MIXED_ENCODING,
              f"This file mixes two character encodings: row{'s' if len(rows) > 1 else ''} {_rows_named(rows)} "
              "were saved as Windows-1252 and the others as UTF-8. Each row was read in its own encoding, so "
              "names with accents or dashes read correctly; check them, and save the file again from one "
              "program (CSV UTF-8) to be sure.", cell=f"row {rows[0]}")


def _rows_that_may_be_long(data: bytes, line_ends: list[int]):
    """Indices of the rows that may hold a cell over Excel's limit: every row when some line of the file is
    longer than the limit in bytes (no character takes less than a byte), else the rows spanning several
    lines (a quoted text with line breaks). Looking at every cell of an export cost a tenth of its read."""
    if _longest_line(data) > EXCEL_CELL_CHARS:
        return range(len(line_ends))
    ends = np.asarray(line_ends, dtype=np.int64)
    return np.flatnonzero(np.diff(ends, prepend=0) > 1).tolist()


def _longest_line(data: bytes, chunk: int = 1 << 20) -> int:
    """The longest run of bytes between line feeds, found a megabyte at a time (a comparison over the whole
    file at once would take as much memory again as the file)."""
    longest, last = 0, -1
    for start in range(0, len(data), chunk):
        breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8, count=min(chunk, len(data) - start),
                                              offset=start) == 10) + start
        if len(breaks):
            longest = max(longest, int(breaks[0] - last), int(np.diff(breaks).max(initial=0)))
            last = int(breaks[-1])
    return max(longest, len(data) - 1 - last)


def _report_long_texts(rows: list[list], candidates, sink: FindingSink) -> None:
    """A warning naming the cells of CSV records ``rows`` (not cleaned) longer than Excel's limit."""
    places = [(r, c) for r in candidates for c, value in enumerate(rows[r])
              if len(value) > EXCEL_CELL_CHARS and not value.isspace()]  # white space alone is a blank cell
    if not places:
        return
    named = ", ".join(cell_name(r, c) for r, c in places[:10]) + (f" and {len(places) - 10:,} more"
                                                                  if len(places) > 10 else "")
    sink.warning(RULE_LONG_TEXT,
                 f"Cell{'s' if len(places) > 1 else ''} {named} hold{'' if len(places) > 1 else 's'} more than "
                 f"the {EXCEL_CELL_CHARS:,} characters an Excel cell can: the text was read whole, but where "
                 f"the workbook shows it only its first {EXCEL_CELL_CHARS:,} characters appear. Shorten it if "
                 "it matters.", cell=cell_name(*places[0]))


# --- headers ---------------------------------------------------------------------------------

def find_header_row(rows: list[list], matcher: Callable[[list], bool], within: int = 10) -> int | None:
    """0-based index of the first of the first ``within`` rows that ``matcher`` accepts, else None."""
    for index, row in enumerate(rows[:within]):
        if row and matcher(row):
            return index
    return None


def is_ooxml(data: bytes) -> bool:
    """A zip holding an Office Open XML workbook part."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False
