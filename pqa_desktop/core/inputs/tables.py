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

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from ..findings import FindingSink, register_rule
from ..records import InputFile
from .packages import RULE_REFUSED, check_package

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
RULE_CORRUPT = register_rule(
    "file.corrupt",
    "The file could not be opened: it is damaged or not the format its name says.")
RULE_TRUNCATED = register_rule(
    "file.sheet_truncated",
    "A sheet is too large to read whole; only its first rows were read.")

# Findings that mean a file could not be opened at all (the readers then report only that one).
UNOPENABLE_RULES = (RULE_PASSWORD, RULE_CORRUPT, RULE_REFUSED)

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class SheetTable:
    """One sheet as a grid; ``rows[r][c]`` is sheet cell (row r+1, column c+1)."""

    sheet: str
    rows: list[list] = field(default_factory=list)

    def cell(self, row: int, col: int):
        """Value at 0-based (row, col), None outside the grid."""
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= col < len(line):
                return line[col]
        return None


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


def is_password_protected(data: bytes) -> bool:
    """An encrypted Office file: OOXML wrapped in an OLE compound file with an EncryptedPackage
    stream (what Excel writes for "Encrypt with password"), or a legacy .xls with a FILEPASS record."""
    if not data.startswith(_OLE_SIGNATURE):
        return False
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # a damaged OLE file is "corrupt", decided by the caller
        return False
    try:
        if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
            return True
        for stream in ("Workbook", "Book"):
            if ole.exists(stream):
                return _biff_has_filepass(ole.openstream(stream).read(65536))
        return False
    finally:
        ole.close()


def _biff_has_filepass(head: bytes) -> bool:
    """FILEPASS (0x002F) appears among the first records of an encrypted BIFF workbook globals."""
    pos = 0
    while pos + 4 <= len(head):
        rtype = int.from_bytes(head[pos:pos + 2], "little")
        size = int.from_bytes(head[pos + 2:pos + 4], "little")
        if rtype == 0x002F:
            return True
        if rtype == 0x0085:  # BOUNDSHEET: past the point where FILEPASS would be
            return False
        pos += 4 + size
    return False


def package_refusal(item: InputFile, max_cells: int = DEFAULT_MAX_CELLS) -> str | None:
    """Why a zip-based spreadsheet (.xlsx, .xlsm, .ods, whatever its name says) must not be opened, or None."""
    if not item.data.startswith(b"PK"):
        return None
    return check_package(item.data, max_cells * REFUSE_FACTOR)


def report_unopenable(item: InputFile, sink: FindingSink) -> None:
    """One error finding saying why a spreadsheet cannot be opened (password, safety limit, else damage)."""
    refusal = None if item.data.startswith(_OLE_SIGNATURE) else package_refusal(item)
    if refusal is not None:
        sink.error(RULE_REFUSED, refusal)
    elif is_password_protected(item.data):
        # Reached when no password was given for the file or none of those given fits it.
        sink.error(RULE_PASSWORD,
                   "This file is password protected, so it cannot be read. Enter its password when "
                   "PQA Desktop asks for it (on the command line, put it in the file given to "
                   "--input-passwords), or ask the sender for a copy saved without a password.")
    else:
        sink.error(RULE_CORRUPT,
                   "This file could not be opened: it may be damaged, incomplete or not really a "
                   f"{item.suffix or 'spreadsheet'} file. Open it in Excel and save it again, or ask "
                   "the sender for a new copy.")


def open_workbook(item: InputFile, sink: FindingSink, max_cells: int = DEFAULT_MAX_CELLS):
    """The calamine workbook for a spreadsheet file, or None with one error finding."""
    from python_calamine import CalamineWorkbook

    if is_password_protected(item.data):
        report_unopenable(item, sink)
        return None
    refusal = package_refusal(item, max_cells)
    if refusal is not None:  # checked first: calamine would allocate what the package asks for
        sink.error(RULE_REFUSED, refusal)
        return None
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(item.data))
    except Exception:  # calamine raises its own error types and, for odd files, others
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
    if isinstance(value, timedelta):  # a duration-formatted cell: keep it as a number of days
        return value.total_seconds() / 86400
    return value


def _clean_row(row: list) -> list:
    """``_clean_value`` on each cell of a row; non-empty text, the commonest cell, is passed straight
    through (a call per cell on an export's millions of cells was a large part of reading it)."""
    return [v if v.__class__ is str and v else _clean_value(v) for v in row]


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


def workbook_tables(workbook, sheet_name: str, sink: FindingSink,
                    max_cells: int = DEFAULT_MAX_CELLS) -> SheetTable | None:
    """One worksheet of an open calamine workbook as a SheetTable (None for a chart sheet etc.)."""
    try:
        sheet = workbook.get_sheet_by_name(sheet_name)
    except Exception:
        return None
    # ``end`` is the 0-based (row, column) of the last used cell; None for an empty sheet.
    end = sheet.end
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
    except Exception:
        sink.error(RULE_CORRUPT,
                   "This sheet could not be read: the file may be damaged. Open it in Excel and "
                   "save it again.", sheet=sheet_name)
        return None
    return SheetTable(sheet_name, _trim([_clean_row(row) for row in raw]))


def read_tables(item: InputFile, sink: FindingSink, max_cells: int = DEFAULT_MAX_CELLS) -> list[SheetTable]:
    """Every worksheet of a spreadsheet or CSV file as grids; [] with an error finding if unreadable.

    Files of other types give [] without a finding: deciding that a file is not an input is the
    caller's business.
    """
    suffix = item.suffix
    if suffix == ".csv":
        table = read_csv(item, sink, max_cells)
        return [table] if table is not None else []
    if suffix not in SPREADSHEET_SUFFIXES:
        return []
    workbook = open_workbook(item, sink, max_cells)
    if workbook is None:
        return []
    tables: list[SheetTable] = []
    for meta in workbook.sheets_metadata:
        if "WorkSheet" not in str(meta.typ):  # chart sheets and macro sheets hold no table
            continue
        table = workbook_tables(workbook, meta.name, sink, max_cells)
        if table is not None:
            tables.append(table)
    return tables


# --- CSV -------------------------------------------------------------------------------------

def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (what Excel "CSV" writes on UK Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


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
    """A CSV file as one SheetTable named after the file (as Excel names the tab when opening it)."""
    if b"\x00" in item.data[:4096]:
        # NUL bytes: UTF-16 or a binary file renamed .csv; neither is a CSV we can read.
        report_unopenable(item, sink)
        return None
    text = decode_text(item.data)
    delimiter = _sniff_delimiter(text)
    rows: list[list] = []
    cells = 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            row = [v if v and not v.isspace() else None for v in record]
            cells += max(1, len(row))
            if cells > max_cells:
                sink.warning(RULE_TRUNCATED,
                             f"This file is too large to read whole; only its first {len(rows):,} "
                             "rows were read. Split it and add the parts.")
                break
            rows.append(row)
    except csv.Error:
        report_unopenable(item, sink)
        return None
    stem = re.sub(r"\.csv$", "", item.leaf_name, flags=re.IGNORECASE)
    return SheetTable(stem, _trim(rows))


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
