"""Safety checks on an .xlsx/.xlsm package before any cell reader opens it.

python-calamine decompresses each part whole and builds a dense grid from cell A1 to the last used
cell, in native code where running out of memory ends the process (there is no exception to catch):
a 10 kB workbook with one cell at XFD1048576 asks for 17 billion cells, and a sheet of compressed
blanks unpacks to gigabytes. So the package is checked first, from its own bytes: every part is
decompressed in chunks within the limits used for a zip the user drops (``ArchiveLimits``), and
every worksheet's used area (from the row and cell references it holds) must stay within the cell
limit; no XML part may declare a DTD or entities (the "billion laughs" and external-entity attacks).
A package that breaks one is refused with a finding; one that is merely damaged is left for the cell
reader to report.
"""
from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache

from ..findings import register_rule
from .archives import ArchiveLimits, describe_size

RULE_REFUSED = register_rule(
    "file.refused",
    "A spreadsheet breaks a safety limit (a sheet far larger than any real return or export, parts "
    "compressed like a 'zip bomb', or XML entities), so it was not opened.")

_CHUNK = 1024 * 1024
_WORKSHEET = re.compile(r"^xl/(worksheets|macrosheets|dialogsheets)/[^/]+\.xml$", re.IGNORECASE)
# Elements may carry a namespace prefix (<x:row>); attributes other than r may come first.
_ROW_REF = re.compile(rb"<(?:[\w.-]+:)?row\b[^>]*?\sr=[\"'](\d+)")
_CELL_REF = re.compile(rb"<(?:[\w.-]+:)?c\b[^>]*?\sr=[\"']\$?([A-Za-z]+)\$?(\d+)")
# A document type definition can only come before the root element, so the first bytes of a part
# tell; Office never writes one, and entities are how XML "billion laughs" and external-entity attacks work.
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_PROLOG_BYTES = 64 * 1024
_UNSAFE_XML = ("This workbook's XML uses a document type definition or entities, which Excel never writes "
               "and which can be used to attack the computer reading it, so it was not opened. Ask the "
               "sender to save it again from Excel.")
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row\b")
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
# The same four patterns for XML without prefixed row and cell tags (what Excel writes): starting
# with a literal, they scan an export's tens of megabytes of XML several times faster.
_PREFIXED_TAG = re.compile(rb"<[\w.-]+:(?:c|row)\b")
_PLAIN_ROW_REF = re.compile(rb"<row\b[^>]*?\sr=[\"'](\d+)")
_PLAIN_CELL_REF = re.compile(rb"<c\b[^>]*?\sr=[\"']\$?([A-Za-z]+)\$?(\d+)")
_PLAIN_ROW_TAG = re.compile(rb"<row\b")
_PLAIN_CELL_TAG = re.compile(rb"<c[\s/>]")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


class _Extent:
    """The bounding box a cell reader will allocate for one worksheet: the largest row and column
    referenced, plus rows and cells written without a reference (a reader places those one after
    another, so each may extend the box by one)."""

    def __init__(self) -> None:
        self.max_row = self.max_col = 0
        self.rows = self.row_refs = self.cells = self.cell_refs = 0

    def scan(self, xml: bytes) -> None:
        # Only the distinct references are converted: an export's million cells name a few hundred
        # thousand rows and a few dozen columns, and a Python call per cell cost seconds.
        if _PREFIXED_TAG.search(xml) is None:
            row_ref, cell_ref, row_tag, cell_tag = _PLAIN_ROW_REF, _PLAIN_CELL_REF, _PLAIN_ROW_TAG, _PLAIN_CELL_TAG
        else:
            row_ref, cell_ref, row_tag, cell_tag = _ROW_REF, _CELL_REF, _ROW_TAG, _CELL_TAG
        rows = row_ref.findall(xml)
        if rows:
            self.max_row = max(self.max_row, max(map(int, set(rows))))
            self.row_refs += len(rows)
        cells = cell_ref.findall(xml)
        if cells:
            letters, numbers = zip(*cells)
            self.max_row = max(self.max_row, max(map(int, set(numbers))))
            self.max_col = max(self.max_col, max(map(_column_number, set(letters))))
            self.cell_refs += len(cells)
        self.rows += len(row_tag.findall(xml))
        self.cells += len(cell_tag.findall(xml))

    @property
    def cells_allocated(self) -> int:
        height = self.max_row + max(0, self.rows - self.row_refs)
        width = self.max_col + max(0, self.cells - self.cell_refs)
        return height * width


def check_package(data: bytes, max_cells: int, limits: ArchiveLimits = ArchiveLimits()) -> str | None:
    """Why the OOXML package ``data`` must not be opened (a message for the user), or None.

    None also for bytes that are not a readable zip: the cell reader reports those as damaged.
    """
    return _check(data, max_cells, limits)


@lru_cache(maxsize=4)  # the returns reader and the exports reader both open the same file
def _check(data: bytes, max_cells: int, limits: ArchiveLimits) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except Exception:  # noqa: BLE001 - not a zip, or a damaged one: the cell reader says so
        return None
    if len(entries) > limits.max_members:
        return (f"This workbook holds more than {limits.max_members:,} parts, far more than any real "
                "spreadsheet, so it was not opened. Check where it came from.")
    total = 0
    for info in entries:
        extent = _Extent() if _WORKSHEET.match(info.filename) else None
        compressed = max(1, min(info.compress_size, len(data)))
        produced, tail = 0, b""
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    if produced == 0 and _DTD.search(chunk[:_PROLOG_BYTES]):
                        return _UNSAFE_XML
                    produced += len(chunk)
                    total += len(chunk)
                    if produced > limits.max_member_bytes or total > limits.max_total_bytes:
                        return (f"This workbook unpacks to more than "
                                f"{describe_size(min(limits.max_member_bytes, limits.max_total_bytes))}, far "
                                "more than any real return or export, so it was not opened. Check it is the "
                                "right file.")
                    if produced > limits.ratio_floor_bytes and produced / compressed > limits.max_ratio:
                        return (f"Part of this workbook is compressed more than {limits.max_ratio:g} to 1, "
                                "which real spreadsheets never are (it may be a 'zip bomb'), so it was not "
                                "opened. Check where it came from.")
                    if extent is not None:
                        # Scan whole tags only: keep what follows the last '>' for the next chunk.
                        buffer = tail + chunk
                        cut = buffer.rfind(b">") + 1
                        extent.scan(buffer[:cut])
                        tail = buffer[cut:][-4096:]
                        if extent.cells_allocated > max_cells:
                            return _too_large(info.filename, max_cells)
        except Exception:  # noqa: BLE001 - a damaged part: the cell reader reports the damage
            continue
        if extent is not None:
            extent.scan(tail)
            if extent.cells_allocated > max_cells:
                return _too_large(info.filename, max_cells)
    return None


def _too_large(part: str, max_cells: int) -> str:
    sheet = part.rsplit("/", 1)[-1]
    return (f"A sheet of this workbook ({sheet} inside the file) uses cells spread over more than "
            f"{max_cells:,} cells, far more than any real return or export, so the file was not opened. "
            "If it is a real export, delete unused rows and columns below and to the right of the data, "
            "save it and add it again.")
