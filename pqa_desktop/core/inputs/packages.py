"""Safety checks on a zip-based spreadsheet (.xlsx, .xlsm, .ods) before any cell reader opens it.

python-calamine decompresses each part whole and builds a dense grid from cell A1 to the last used
cell, in native code where running out of memory ends the process (there is no exception to catch):
a 10 kB workbook with one cell at XFD1048576 asks for 17 billion cells, and a sheet of compressed
blanks unpacks to gigabytes. So the package is checked first, from its own bytes: every part is
decompressed in chunks within the limits used for a zip the user drops (``ArchiveLimits``), and
every worksheet's used area (from the row and cell references it holds, every r attribute of a tag
counted, quoted values read whole) must stay within the cell limit; an OpenDocument spreadsheet's
repeated rows and cells (``_OdsExtent``) likewise; no XML part may declare a DTD or entities (the
"billion laughs" and external-entity attacks). A package that breaks one is refused with a finding.
The patterns read tags as the reader's XML parser (quick-xml) does, not as XML allows: an element's local
name is what follows the first ':' of its name, whatever comes before; an attribute may follow a quoted
value without white space. ``tests/test_scan_against_reader.py`` holds the scan to the reader itself. Cells
written without a reference (Power BI's exports) are counted row by row, as the reader places them, when
counting them over the whole sheet would refuse it (``_widest_run``).

The reader is handed only a package every part of which this scan has read whole: a zip that cannot be
read, or a part that cannot (a CRC that does not match, a local header naming another part, data cut
short), is refused as damaged. The reader reads some such parts without those checks, so leaving them
to it let a damaged sheet past the scan and end the process (issue 15). An Excel Binary Workbook
(.xlsb) renamed .xlsx is refused too: its cells are binary records this scan does not read.

Speed: an export's worksheets hold tens of megabytes of XML and a council's returns are a thousand
small packages, so the work is arranged to give the same answer for less:

- a small part is inflated with one zlib call, exactly as ``zipfile`` would read it (same bytes, same
  errors); anything unusual is read by ``zipfile`` itself;
- a small worksheet whose references are all short (one column letter, at most four row digits) is
  accepted from a few counts when even the most its tags could add cannot reach the limit;
- a large worksheet's chunks are scanned with numpy when every row and cell tag is written the way
  Excel writes it (``<row r="12"``, ``<c r="AB12"``): then the used area is the largest row and column
  referenced, read from the tag positions in bulk. Any other chunk is scanned with the regular
  expressions that define the used area (``_Extent._scan_exact``), which a test compares the fast
  paths against.
"""
from __future__ import annotations

import io
import os
import re
import struct
import xml.parsers.expat
import zipfile
import zlib
from functools import lru_cache

import numpy as np

from ..findings import register_rule
from .archives import ArchiveLimits, describe_size

RULE_REFUSED = register_rule(
    "file.refused",
    "A spreadsheet breaks a safety limit (a sheet far larger than any real return or export, parts "
    "compressed like a 'zip bomb', or XML entities), so it was not opened.")
RULE_CORRUPT = register_rule(
    "file.corrupt",
    "The file could not be opened: it is damaged or not the format its name says.")


class Refusal(str):
    """Why a spreadsheet must not be opened: the message for the user (the string itself), and the rule
    it is reported under (``rule``: a safety limit, or damage the cell reader must not be left to meet)."""

    rule: str

    def __new__(cls, message: str, rule: str = RULE_REFUSED) -> "Refusal":
        refusal = super().__new__(cls, message)
        refusal.rule = rule
        return refusal


_CHUNK = 1024 * 1024
_WORKSHEET = re.compile(r"^xl/(worksheets|macrosheets|dialogsheets)/[^/]+\.xml$", re.IGNORECASE)
# A tag's attributes up to the reference: a quoted value is read whole (it may hold a '>', which does not
# end the tag), and white space may surround the '='. XML never has a '<' inside a tag, quoted or not, so an
# attempt stops at the next '<': each tag is then read once. Reading on past it let every unclosed tag of a
# run read to the run's end: time growing with the square of the sheet (a 7.7 kB workbook of 12,000 "<c "
# took 6.5 s to scan, and one of a megabyte of them hours). A reference such a tag holds is still counted
# (``_ANY_REF``) and the tag counts as one without a reference, so the area is never less than it was.
_TAG_BODY = rb"(?:[^<>\"']|\"[^<\"]*\"|'[^<']*')"
_ATTRIBUTES = _TAG_BODY + rb"*?"
# The cell reader's XML parser (quick-xml) reads an attribute's key from where the previous quoted value ended:
# white space before "r" is not needed (t="n"r="XFD1048576" places the cell at the sheet's far corner).
_BEFORE_KEY = rb"[\s\"']"
_R = rb"(?<=" + _BEFORE_KEY + rb")r\s*=\s*[\"']"
# Elements may carry a namespace prefix (<x:row>); attributes other than r may come first. The parser takes an
# element's local name as what follows the first ':' of its name, whatever comes before it ("<:c", "<é:c" and
# "<a/b:c" are cells to the reader; "<a:b:c" is not), so a prefix is any run of name characters without a ':'.
_PREFIX = rb"(?:(?![/!?])[^\s<>:]*:)?"
# A cell's name ends at white space, '/' or '>' ("<c.d" is no cell): the same test in the tag and reference
# patterns, so that a tag counted as a reference is always a tag counted (a reference counted for a tag that is
# not counted as one would cancel a cell without a reference).
_CELL_NAME = rb"c(?=[\s/>])"
_ROW_REF = re.compile(rb"<" + _PREFIX + rb"row\b" + _ATTRIBUTES + _R + rb"\$?(\d+)")
_CELL_REF = re.compile(rb"<" + _PREFIX + _CELL_NAME + _ATTRIBUTES + _R + rb"\$?([A-Za-z]+)\$?(\d+)")
# Every r attribute wherever it is, a tag's second one too (the cell reader keeps the last): only the
# largest row and column matter, and a reference counted twice cannot lower them.
_ANY_REF = re.compile(rb"r(?<=" + _BEFORE_KEY + rb"r)\s*=\s*[\"']\$?([A-Za-z]*)\$?(\d+)")
# A reference written with a character reference (r="&#88;FD1") is not read here: the sheet is refused.
_ESCAPED_REF = re.compile(rb"r(?<=" + _BEFORE_KEY + rb"r)\s*=\s*[\"'][^\"'<>]*&")
# A document type definition can only come before the root element, so the first bytes of a part
# tell; Office never writes one, and entities are how XML "billion laughs" and external-entity attacks work.
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_PROLOG_BYTES = 64 * 1024
_UNSAFE_XML = ("This workbook's XML uses a document type definition or entities, which Excel never writes "
               "and which can be used to attack the computer reading it, so it was not opened. Ask the "
               "sender to save it again from Excel.")
_ROW_TAG = re.compile(rb"<" + _PREFIX + rb"row\b")
_CELL_TAG = re.compile(rb"<" + _PREFIX + _CELL_NAME)
# The same four patterns for XML without prefixed row and cell tags (what Excel writes): starting
# with a literal, they scan an export's tens of megabytes of XML several times faster.
_PREFIXED_TAG = re.compile(rb"<(?![/!?])[^\s<>:]*:(?:c|row)\b")
_PLAIN_ROW_REF = re.compile(rb"<row\b" + _ATTRIBUTES + _R + rb"\$?(\d+)")
_PLAIN_CELL_REF = re.compile(rb"<" + _CELL_NAME + _ATTRIBUTES + _R + rb"\$?([A-Za-z]+)\$?(\d+)")
_PLAIN_ROW_TAG = re.compile(rb"<row\b")
_PLAIN_CELL_TAG = re.compile(rb"<" + _CELL_NAME)
_FAR_CORNER = (1_048_576, 16_384)


def _column_number(letters: bytes) -> int:
    """Column number of letters (A = 1); 0 for none (a row's reference)."""
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
        # Row and cell tags minus the references found in them, summed over the chunks scanned.
        self.loose_rows = self.loose_cells = 0
        # The most cells without a reference the reader places one after another in a row (``_widest_run``),
        # once known: then the width is the largest column plus that, not plus every such cell of the sheet.
        self.widest_run: int | None = None
        self.irregular = False  # a chunk not in the form Excel writes (``scan``)

    def scan(self, xml: bytes) -> None:
        found = _plain_extent(xml) if len(xml) >= _VECTOR_BYTES else None
        if found is None:
            self._scan_exact(xml)
            # Not written as Excel writes a sheet: the regular expressions read it, and they read tags as the
            # reader does only in well-formed XML (``_check`` then makes sure it is).
            if not self.irregular and (len(xml) >= _VECTOR_BYTES or _plain_extent(xml) is None) and xml.strip():
                self.irregular = True
        else:
            self.max_row = max(self.max_row, found[0])
            self.max_col = max(self.max_col, found[1])

    def _scan_exact(self, xml: bytes) -> None:
        # Only the distinct references are converted: an export's million cells name a few hundred
        # thousand rows and a few dozen columns, and a Python call per cell cost seconds.
        if _PREFIXED_TAG.search(xml) is None:
            row_ref, cell_ref, row_tag, cell_tag = _PLAIN_ROW_REF, _PLAIN_CELL_REF, _PLAIN_ROW_TAG, _PLAIN_CELL_TAG
        else:
            row_ref, cell_ref, row_tag, cell_tag = _ROW_REF, _CELL_REF, _ROW_TAG, _CELL_TAG
        if b"&" in xml and _ESCAPED_REF.search(xml):
            self.max_row, self.max_col = max(self.max_row, _FAR_CORNER[0]), max(self.max_col, _FAR_CORNER[1])
        rows = row_ref.findall(xml)
        if rows:
            self.max_row = max(self.max_row, max(map(int, set(rows))))
        cells = cell_ref.findall(xml)
        if cells:
            letters, numbers = zip(*cells)
            self.max_row = max(self.max_row, max(map(int, set(numbers))))
            self.max_col = max(self.max_col, max(map(_column_number, set(letters))))
        if _r_attributes(xml) != len(rows) + len(cells):
            # An r attribute the patterns above did not read (a tag's second one, which the cell reader
            # keeps): every r attribute counts towards the largest row and column.
            found = _ANY_REF.findall(xml)
            if found:
                letters, numbers = zip(*found)
                self.max_row = max(self.max_row, max(map(int, set(numbers))))
                self.max_col = max(self.max_col, max(map(_column_number, set(letters))))
        self.loose_rows += len(row_tag.findall(xml)) - len(rows)
        self.loose_cells += len(cell_tag.findall(xml)) - len(cells)

    @property
    def height(self) -> int:
        # A cell without a reference goes to the row the reader is on, and after a row's end tag that is the row
        # below it: such a cell written between rows (or before the first) may lie one row past every row counted.
        return self.max_row + max(0, self.loose_rows) + (self.loose_cells > 0)

    @property
    def cells_allocated(self) -> int:
        loose = max(0, self.loose_cells) if self.widest_run is None else self.widest_run
        return self.height * (self.max_col + loose)

    @property
    def least_cells(self) -> int:
        """The area however the cells without a reference fall into rows: the largest row by the largest column."""
        return self.height * self.max_col

    def cells_per_row_needed(self, limit: int) -> bool:
        """True when only counting cells without a reference row by row can keep the sheet within ``limit``."""
        return self.cells_allocated > limit and self.loose_cells > 0 and self.widest_run is None \
            and self.least_cells <= limit


# --- large worksheets: row and cell tags as Excel writes them, read with numpy -----------------

# Chunks shorter than this are scanned with the regular expressions (numpy's per-call cost would
# outweigh what it saves).
_VECTOR_BYTES = 64 * 1024
_PAD = bytes(16)
_WORD = np.zeros(256, dtype=bool)  # what \w matches in a bytes pattern
_WORD[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")] = True
_NON_WORD = ~_WORD
_U64 = np.uint64


def _big(text: bytes) -> np.uint64:
    return _U64(int.from_bytes(text.ljust(8, b"\0"), "big"))


def _bytes_of(byte: int) -> np.uint64:
    return _U64(int.from_bytes(bytes([byte]) * 8, "big"))


_ROW_OPEN = _big(b'<row r="')  # the whole 8-byte window
_CELL_OPEN = _big(b'<c r="') >> _U64(16)
# Bytewise tests on 8 bytes at once: each leaves a byte's top bit set where the test fails.
_TOPS, _LOW7 = _bytes_of(0x80), _bytes_of(0x7F)


def _not_digits(words: np.ndarray) -> np.ndarray:
    flipped = words ^ _bytes_of(0x30)  # digits become 0-9
    return (((flipped & _LOW7) + _bytes_of(0x76)) | flipped) & _TOPS  # 10 and over (or >= 0x80)


def _not_letters(words: np.ndarray) -> np.ndarray:
    folded = words | _bytes_of(0x20)  # A-Z become a-z
    low = folded & _LOW7
    letter = ((low + _bytes_of(0x1F)) & ~(low + _bytes_of(0x05)) & ~folded) & _TOPS  # 0x61-0x7A, below 0x80
    return letter ^ _TOPS


def _leading(flags: np.ndarray) -> np.ndarray:
    """How many leading bytes of each window (most significant first) have their flag clear (0 to 8): from
    the position of the highest flag, which float conversion gives exactly (flags sit on byte tops)."""
    return (64 - np.frexp(flags.astype(np.float64))[1]) // 8


_SPACE = np.zeros(256, dtype=bool)  # white space as ``\s`` reads it (the parser's, and form and line feeds)
_SPACE[[0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]] = True
_SLASH_OR_GT = np.zeros(256, dtype=bool)
_SLASH_OR_GT[[0x2F, 0x3E]] = True
_BEFORE_KEYS = _SPACE.copy()  # and what else ``_BEFORE_KEY`` matches: the quote that ended a value
_BEFORE_KEYS[[0x22, 0x27]] = True


def _r_attributes(xml: bytes) -> int:
    """How many times an attribute named r may start in ``xml``: an 'r' after white space or a quote and before
    an '=' or white space ("r=", "r ="), wherever ``_ANY_REF`` may match. In a sheet as Excel writes it, once
    per row and cell tag; one more is a tag's second r attribute (or text that looks like one), which only the
    exact scan reads."""
    codes = np.frombuffer(xml, dtype=np.uint8)
    at = np.flatnonzero(codes[1:-1] == 0x72) + 1
    before, after = codes[at - 1], codes[at + 1]
    return int((_BEFORE_KEYS[before] & ((after == 0x3D) | _SPACE[after])).sum())


def _largest_number(windows: np.ndarray) -> int | None:
    """The largest of the decimal numbers starting each 8-byte window (native uint64 of big-endian bytes),
    when each is 1 to 7 digits without a leading zero; None otherwise."""
    length = _leading(_not_digits(windows))
    if not ((length >= 1) & (length <= 7)).all() or ((windows >> _U64(56)) == 0x30).any():
        return None
    shift = (64 - 8 * length).astype(np.uint64)
    key = (windows >> shift) | (length.astype(np.uint64) << _U64(56))  # more digits first, then by value
    best = int(np.argmax(key))
    return int(int(windows[best]).to_bytes(8, "big")[:int(length[best])])


def _plain_extent(xml: bytes) -> tuple[int, int] | None:
    """(largest row, largest column) referenced by ``xml``'s row and cell tags, when there are no prefixed
    tags and every tag the reference scan would read is ``<row r="N"`` or ``<c r="LN"`` (1 to 3 letters, 1
    to 7 digits, no leading zero): then each row and cell tag carries exactly the reference the regular
    expressions find, and there are no loose rows or cells. None for anything else."""
    n = len(xml)
    if n < 16:  # the 8-byte windows below need a few bytes; a chunk this short is left to the patterns
        return None
    # Every row and cell tag, and every prefixed one (after its ':'), starts at a '<' or ':' followed by
    # c or r. Read as 16-bit pairs, (pair | 0x1106) == 0x733E finds those and a few others ('8', '>'
    # before b, c, r, s), which the tests below set aside.
    even = np.flatnonzero((np.frombuffer(xml, dtype="<u2", count=n // 2) | 0x1106) == 0x733E) * 2
    odd = np.flatnonzero((np.frombuffer(xml, dtype="<u2", offset=1, count=(n - 1) // 2) | 0x1106) == 0x733E)
    marks = np.concatenate((even, odd * 2 + 1))
    # The 8 bytes from each position as a big-endian integer: one gather per field. A field is read at
    # most 16 bytes after a mark; near the end the bytes are padded with zeros.
    if len(marks) and marks.max() + 24 > n:
        windows = np.ndarray((n + 8,), dtype=">u8", buffer=xml + _PAD, strides=(1,))
    else:
        windows = np.ndarray((n - 7,), dtype=">u8", buffer=xml, strides=(1,))
    words = windows[marks].astype(np.uint64)
    rows = words == _ROW_OPEN
    cells = (words >> _U64(16)) == _CELL_OPEN
    others = ~(rows | cells)
    if others.any():
        # Any other '<c' or '<row' that the tag patterns match (c or row then \b) is a tag without a
        # plain reference; any ':c' or ':row' may be a prefixed tag. Either way the regular expressions
        # decide.
        head = windows[marks[others]].view(np.uint8).reshape(-1, 8)
        tag_start = (head[:, 0] == 60) | (head[:, 0] == 58)
        cell_like = (head[:, 1] == 99) & _NON_WORD[head[:, 2]]
        row_like = (head[:, 1] == 114) & (head[:, 2] == 111) & (head[:, 3] == 119) & _NON_WORD[head[:, 4]]
        if (tag_start & (cell_like | row_like)).any():
            return None
    max_row = max_col = 0
    if rows.any():
        found = _largest_number(windows[marks[rows] + 8].astype(np.uint64))
        if found is None:
            return None
        max_row = found
    if cells.any():
        at = marks[cells] + 6
        letters = windows[at].astype(np.uint64)
        count = _leading(_not_letters(letters))
        if not ((count >= 1) & (count <= 3)).all():
            return None
        found = _largest_number(windows[at + count].astype(np.uint64))
        if found is None:
            return None
        max_row = max(max_row, found)
        upper = (letters & _bytes_of(0xDF)) >> (64 - 8 * count).astype(np.uint64)  # the letters, upper case
        best = int(np.argmax(upper | (count.astype(np.uint64) << _U64(32))))  # more letters first
        max_col = _column_number(int(letters[best]).to_bytes(8, "big")[:int(count[best])])
    if _r_attributes(xml) != int(rows.sum()) + int(cells.sum()):
        return None  # another r attribute somewhere (a tag's second one, which the cell reader keeps)
    return max_row, max_col


# --- small worksheets --------------------------------------------------------------------------

# An r attribute (wherever it is, as the reference patterns read it) whose value is not a short reference:
# two or more column letters, four or more row digits (leading zeros included), or anything else (a
# character reference, a sign). The lookbehind after the literal "r" keeps the fast literal search.
_LONG_REFERENCE = re.compile(rb"r(?<=" + _BEFORE_KEY + rb"r)" + rb"""\s*=\s*(["'])(?!\$?[A-Za-z]?\$?\d{1,3}\1)""")


def _small_sheet_fits(xml: bytes, max_cells: int) -> bool:
    """True when the worksheet ``xml`` cannot reach ``max_cells`` whatever its tags hold.

    With no reference past column Z or row 999 the used area is at most (999 + loose rows) x (26 +
    loose cells), and every row or cell tag starts with its own '<'. A return's sheet (a few thousand
    tags) passes; anything else is scanned.
    """
    if _LONG_REFERENCE.search(xml):
        return False
    tags = xml.count(b"<")
    return (999 + tags) * (26 + tags) <= max_cells


# --- worksheets written without cell references ------------------------------------------------

# Some writers leave out a cell's reference (Power BI, .NET libraries that stream large sheets): the reader
# places such a cell after the one before it in its row, back at column A after each row's end tag. Counted
# over the whole sheet, the cells of a 3,000-row export of 17 columns would make it 51,000 columns wide, and
# it would be refused. So a sheet that only that count takes over the limit is read again, and its cells without a
# reference are counted row by row, as the reader places them (``_widest_run``).
#
# That count reads the tags with regular expressions, which only a well-formed part makes certain: expat
# checks it (no '<' in a value, every tag closed, every element ended where it began), and a part that holds
# what the regular expressions could misread (a comment, a CDATA section, a processing instruction), that is
# not ASCII-compatible, or whose text or tag runs on past a megabyte, is left to the count over the sheet.
_RUN_TOKEN = re.compile(rb"<(/?)" + _PREFIX + rb"(c|row)(?=[\s/>])([^<>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^<>\"']*)*)>")
_ATTRIBUTE_KEY = re.compile(rb"""([^\s=]+)\s*=\s*(?:"[^"]*"|'[^']*')""")
_R_CANDIDATE = re.compile(rb"(?<=" + _BEFORE_KEY + rb")r\s*=")
# A prefixed row or cell tag, for reading in bulk as if it had none (the same tags ``_RUN_TOKEN`` reads).
_PREFIXED_NAME = re.compile(rb"<(/?)(?![/!?])[^\s<>:]*:(c|row)(?=[\s/>])")
_MOST_TAGS_ONE_BY_ONE = 1_000_000
_LONGEST_TAIL = _CHUNK


def _has_r(attributes: bytes) -> bool:
    """Whether a well-formed tag's attributes include one named r (the key the reader reads a cell's place from)."""
    return _R_CANDIDATE.search(attributes) is not None and b"r" in _ATTRIBUTE_KEY.findall(attributes)


class _Unreadable(Exception):
    """A part whose tags the regular expressions may not read as the reader does (``_widest_run``)."""


class _RowRuns:
    """Cells without a reference counted as the reader places them: a cell with an r attribute sets the column
    (the run starts again after it), one without goes to the next column, and a row's end tag (or an empty row
    tag) goes back to column A, unless it lies inside a cell (inside an inline string, say), where the reader
    never sees it. Stops (``Full``) once a run passes ``most``."""

    class Full(Exception):
        pass

    def __init__(self, most: int) -> None:
        self.most = most
        self.run = self.widest = self.depth = 0
        self.tags_left = _MOST_TAGS_ONE_BY_ONE

    def read(self, text: bytes) -> None:
        """Count the tags of ``text``: well-formed XML cut before a tag, never inside one."""
        if b"<?" in text or b"<!" in text:
            raise _Unreadable()
        if len(text) >= _VECTOR_BYTES:
            plain = _PREFIXED_NAME.sub(rb"<\1\2", text) if b":" in text else text
            if self._read_in_bulk(plain):
                if self.widest > self.most:
                    raise _RowRuns.Full()
                return
        self._read_tags(text)

    def _read_tags(self, text: bytes) -> None:
        tags = _RUN_TOKEN.findall(text)
        # Tag by tag costs about a microsecond each: what the bulk reading leaves here (small chunks, tags whose
        # quotes it cannot pair) is bounded, and past that the part is left to the count over the sheet.
        self.tags_left -= len(tags)
        if self.tags_left < 0:
            raise _Unreadable()
        for closing, name, attributes in tags:
            if name == b"c":
                if closing:
                    self.depth -= self.depth > 0
                    continue
                if self.depth == 0 and _has_r(attributes):
                    self.run = 0
                else:
                    self.run += 1
                    if self.run > self.widest:
                        self.widest = self.run
                        if self.widest > self.most:
                            raise _RowRuns.Full()
                self.depth += not attributes.endswith(b"/")
            elif self.depth == 0 and (closing or attributes.endswith(b"/")):
                self.run = 0

    def _read_in_bulk(self, text: bytes) -> bool:
        """``_read_tags`` with numpy, for text whose row and cell tags carry no prefix (``read`` takes them off):
        False (nothing counted) when a tag's quotes leave it unclear where the tag ends or what is quoted."""
        codes = np.frombuffer(text, dtype=np.uint8)
        starts = np.flatnonzero(codes == 0x3C)  # '<'
        if not len(starts):
            return True
        ends = np.flatnonzero(codes == 0x3E)  # '>'
        # Where each tag ends: the first '>' after its '<', unless a quoted value holds one (then its quotes are
        # not paired up to that '>': left to the regular expressions).
        end = ends[np.minimum(np.searchsorted(ends, starts), len(ends) - 1)] if len(ends) else starts
        if (end < starts).any() or (len(starts) > 1 and (end[:-1] > starts[1:]).any()):
            return False
        # Tags holding one kind of quote only: then an even number of them before a position within the tag
        # puts it outside every quoted value. (How many quotes lie before a position: its place among them.)
        double, single = np.flatnonzero(codes == 0x22), np.flatnonzero(codes == 0x27)
        doubles = np.searchsorted(double, end) - np.searchsorted(double, starts)
        singles = np.searchsorted(single, end) - np.searchsorted(single, starts)
        if ((doubles % 2) | (singles % 2) | ((doubles > 0) & (singles > 0))).any():
            return False
        padded = np.concatenate((codes, np.zeros(6, dtype=np.uint8)))
        after = [padded[starts + k] for k in range(1, 6)]
        closing = after[0] == 0x2F  # '/'
        name = [np.where(closing, after[k + 1] if k < 4 else 0, after[k]) for k in range(4)]
        delimiter = _SPACE | _SLASH_OR_GT
        cell = (name[0] == 0x63) & delimiter[name[1]]
        row = (name[0] == 0x72) & (name[1] == 0x6F) & (name[2] == 0x77) & delimiter[name[3]]
        empty = codes[end - 1] == 0x2F  # '/>'
        cell_start, cell_end = cell & ~closing, cell & (closing | empty)
        row_end = row & (closing | empty)
        # A cell tag with an r attribute: an 'r' key (as _r_attributes finds them) inside the tag, and not
        # inside a quoted value (an even number of each quote before it within the tag).
        keys = np.flatnonzero(codes[1:-1] == 0x72) + 1
        keys = keys[_BEFORE_KEYS[codes[keys - 1]] & ((codes[keys + 1] == 0x3D) | _SPACE[codes[keys + 1]])]
        has_r = np.zeros(len(starts), dtype=bool)
        if len(keys):
            tag = np.searchsorted(starts, keys) - 1
            inside = (tag >= 0)
            tag = np.maximum(tag, 0)
            quotes = (np.searchsorted(double, keys) - np.searchsorted(double, starts[tag])
                      + np.searchsorted(single, keys) - np.searchsorted(single, starts[tag]))
            inside &= (keys < end[tag]) & (quotes % 2 == 0)
            has_r[tag[inside]] = True
        # The tags that count, in order: depth before each is the cells open before it.
        relevant = np.flatnonzero(cell_start | cell_end | row_end)
        if not len(relevant):
            return True
        opens = (cell_start & ~empty)[relevant].astype(np.int64)
        closes = (cell_end & closing)[relevant].astype(np.int64)
        depth_before = self.depth + np.concatenate(([0], np.cumsum(opens - closes)[:-1]))
        start_here = cell_start[relevant]
        anchor = start_here & (depth_before == 0) & has_r[relevant]
        loose = start_here & ~anchor
        reset = anchor | (row_end[relevant] & ~start_here & (depth_before == 0))
        counted = np.cumsum(loose)
        # Loose cells since the last reset (or since the chunk began, on top of the run carried in).
        at_reset = np.where(reset, counted, -1)
        last = np.maximum.accumulate(at_reset)
        runs = np.where(last >= 0, counted - np.maximum(last, 0), counted + self.run)
        if loose.any():
            self.widest = max(self.widest, int(runs[loose].max()))
        self.run = int(runs[-1])
        self.depth = int(depth_before[-1] + opens[-1] - closes[-1])
        return True


def _widest_run(chunks, most: int, well_formed: bool = False) -> int | None:
    """The most cells without a reference the reader places one after another in a row of the worksheet read
    from ``chunks`` (its content, in order), as ``_RowRuns`` counts them; more than ``most`` once the count
    passes it (it stops there, at the end of the chunk). None when the part is not one whose tags the regular
    expressions read as the reader does. ``well_formed``: expat has already read ``chunks`` without an error."""
    parser = None if well_formed else xml.parsers.expat.ParserCreate()
    runs = _RowRuns(most)
    tail = b""
    started = False  # past the XML declaration, if there is one (the only '<?' allowed)
    try:
        for chunk in chunks:
            if b"\0" in chunk:
                return None  # UTF-16 or UTF-32 (XML 1.0 has no NUL): the patterns read bytes as ASCII
            if parser is not None:
                parser.Parse(chunk, False)
            buffer = tail + chunk
            if not started:
                first = buffer.find(b"<")
                if first >= 0 and len(buffer) >= first + 5:  # enough to tell a declaration
                    if buffer.startswith(b"<?xml", first):
                        end = buffer.find(b"?>", first)
                        if end >= 0:
                            buffer, started = buffer[end + 2:], True
                    else:
                        started = True
            cut = buffer.rfind(b"<") if started else 0  # whole tags only: a '>' may lie inside a quoted value
            if cut < 0:
                cut = len(buffer)
            runs.read(buffer[:cut])
            tail = buffer[cut:]
            if len(tail) > _LONGEST_TAIL:
                return None
        if parser is not None:
            parser.Parse(b"", True)
        runs.read(tail)
    except _RowRuns.Full:
        return runs.widest
    except (xml.parsers.expat.ExpatError, LookupError, ValueError, _Unreadable):
        return None
    return runs.widest


# --- reading members ---------------------------------------------------------------------------

_END_RECORD = struct.Struct("<4s4H2LH")  # zipfile.structEndArchive
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")  # zipfile.structCentralDir
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile.structFileHeader


class _Member:
    """What the scan needs of a member, as ``zipfile.ZipInfo`` holds it."""

    __slots__ = ("filename", "orig_filename", "header_offset", "compress_type", "flag_bits", "CRC",
                 "compress_size", "file_size")


def _plain_members(data: bytes) -> list[_Member] | None:
    """The members ``zipfile.ZipFile(data).infolist()`` lists, read from the central directory when the
    archive is one zipfile reads without question: end record last with no comment, no zip64 records, no
    extra fields, every entry whole. None for anything else, which is left to zipfile.

    Building a ZipFile cost a tenth of a return's whole scan.
    """
    size = len(data)
    if size < _END_RECORD.size or data[-22:-18] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        return None
    if size >= 42 and data[-42:-38] == b"PK\x06\x07":  # a zip64 end record locator
        return None
    directory_size, directory_offset = _END_RECORD.unpack_from(data, size - 22)[5:7]
    start = end = size - 22 - directory_size  # where zipfile reads the directory from
    if start < 0:
        return None
    concat = start - directory_offset  # bytes before the archive (a self-extractor's stub)
    members = []
    while end - start < directory_size:
        if end + _CENTRAL_HEADER.size > size - 22:
            return None
        fields = _CENTRAL_HEADER.unpack_from(data, end)
        name_length, extra_length, comment_length = fields[12:15]
        if (fields[0] != b"PK\x01\x02" or extra_length or fields[3] > 63  # zipfile.MAX_EXTRACT_VERSION
                or end + 46 + name_length + comment_length > size - 22):
            return None
        try:
            name = data[end + 46:end + 46 + name_length].decode("utf-8" if fields[5] & 0x800 else "cp437")
        except UnicodeDecodeError:
            return None
        member = _Member()
        member.orig_filename = name
        if "\0" in name:  # as zipfile.ZipInfo: the name ends at a NUL, and uses '/'
            name = name[:name.index("\0")]
        if os.sep != "/" and os.sep in name:
            name = name.replace(os.sep, "/")
        member.filename = name
        member.flag_bits, member.compress_type = fields[5], fields[6]
        member.CRC, member.compress_size, member.file_size = fields[9:12]
        member.header_offset = fields[18] + concat
        members.append(member)
        end += 46 + name_length + comment_length
    return members
_UNREAD_FLAGS = 0x01 | 0x20 | 0x40  # encrypted, compressed patched data, strong encryption


def _small_member_bytes(info: zipfile.ZipInfo | _Member, data: bytes) -> bytes | None:
    """The compressed bytes of a small stored or deflated member, or None when ``zipfile`` must read it:
    it must fit in one chunk (compressed and declared sizes), and its local header must be whole and
    name it (zipfile refuses it otherwise)."""
    if (info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & _UNREAD_FLAGS
            or info.file_size > _CHUNK or info.compress_size > _CHUNK):
        return None
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
        return None
    header = _LOCAL_HEADER.unpack_from(data, offset)
    if header[0] != b"PK\x03\x04":
        return None
    start = offset + _LOCAL_HEADER.size
    try:
        name = data[start:start + header[10]].decode("utf-8" if header[3] & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None
    if name != info.orig_filename:
        return None
    start += header[10] + header[11]
    end = start + info.compress_size
    return data[start:end] if end <= len(data) else None


def _inflated(raw: bytes, compress_type: int, file_size: int, crc: int) -> bytes:
    """A small member's content exactly as ``zipfile``'s first ``read(_CHUNK)`` gives it, raising where
    that raises (damaged data, a CRC that does not match)."""
    content = raw
    if compress_type == zipfile.ZIP_DEFLATED:
        inflate = zlib.decompressobj(-15)
        content = inflate.decompress(raw, _CHUNK)
        if inflate.eof or not inflate.unconsumed_tail:
            content += inflate.flush()
    content = content[:file_size]
    if zlib.crc32(content) != crc:
        raise zipfile.BadZipFile("Bad CRC-32")
    return content


def _small_member(info: zipfile.ZipInfo | _Member, data: bytes) -> bytes | None:
    """The whole content of a small stored or deflated member, exactly as ``zipfile``'s first
    ``read(_CHUNK)`` gives it (and raising where that raises), or None when ``zipfile`` must read it.

    ``zipfile``'s reader costs more than inflating the ten small parts of a return.
    """
    raw = _small_member_bytes(info, data)
    return None if raw is None else _inflated(raw, info.compress_type, info.file_size, info.CRC)


def plain_parts(data: bytes, names: tuple[str, ...], max_bytes: int) -> dict[str, bytes] | None:
    """The content of each of ``names`` that the zip ``data`` holds (the last member of a name, as
    ``zipfile`` takes it), read as ``zipfile.ZipFile(data).read(name)`` reads it, raising where that raises;
    None when ``zipfile`` must be asked instead: an archive ``_plain_members`` leaves to it, a part larger
    than ``max_bytes`` or than one chunk, or one that ``_small_member`` cannot read itself.

    Opening a return with ``zipfile`` for its two small parts (the defined names and the modified date) cost
    a tenth of reading it; the scan reads the same central directory this way already."""
    members = _plain_members(data)
    if members is None:
        return None
    last = {member.filename: member for member in members}
    out: dict[str, bytes] = {}
    for name in names:
        info = last.get(name)
        if info is None:
            continue
        if info.file_size > max_bytes:
            return None
        content = _small_member(info, data)
        if content is None:
            return None
        out[name] = content
    return out


# Parts a council's returns share byte for byte (theme, styles, relationships, the workbook part of
# one template): what the scan needs of each is kept, so each is inflated once.
_SHARED_PART_BYTES = 16 * 1024


@lru_cache(maxsize=256)
def _part_summary(raw: bytes, compress_type: int, file_size: int, crc: int) -> tuple[int, bool] | None:
    """(length, declares a DTD or entities) of a small non-sheet member's content; None when reading it
    fails (the scan skips such a part)."""
    try:
        content = _inflated(raw, compress_type, file_size, crc)
    except Exception:  # noqa: BLE001 - as in the scan: a damaged part is skipped
        return None
    return len(content), bool(content) and _declares_dtd(content)


def _declares_dtd(first_chunk: bytes) -> bool:
    # The pattern starts "<!": most parts hold no '!' at all, which one byte search tells.
    return first_chunk.find(b"!", 0, _PROLOG_BYTES) >= 0 and \
        _DTD.search(first_chunk, 0, _PROLOG_BYTES) is not None


def _streamed(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            yield chunk


def check_package(data: bytes, max_cells: int, limits: ArchiveLimits = ArchiveLimits()) -> Refusal | None:
    """Why the zip-based spreadsheet ``data`` (.xlsx, .xlsm, .ods) must not be opened, or None.

    The cell reader is handed only a package whose every part this scan has read whole, as the reader
    will read it: a zip that cannot be read, or a part that cannot (a CRC that does not match, a local
    header naming another part, data cut short, an unknown compression), is refused as damaged
    (``RULE_CORRUPT``) rather than left to the reader, which reads some such parts without checking
    them and would then allocate whatever they ask for.
    """
    return _check(data, max_cells, limits)


_UNREADABLE_ZIP = ("This file could not be opened: it is damaged or incomplete (it is not a zip package that "
                   "can be read whole). Open it in Excel and save it again, or ask the sender for a new copy.")
_BINARY_WORKBOOK = ("This workbook is saved as an Excel Binary Workbook (.xlsb), which PQA Desktop does not read, "
                    "so it was not opened. Open it in Excel and save it as an Excel Workbook (.xlsx).")
# Parts of an Excel Binary Workbook: their cells are binary records the scan does not read.
_BINARY_PART = re.compile(r"^xl/(workbook|worksheets/[^/]+|macrosheets/[^/]+)\.bin$", re.IGNORECASE)
_ODS_CONTENT = "content.xml"
# Formats the cell reader reads whole on opening (.ods here, .xls in inputs.biff) get this share of the
# area limit: the limit on cells read, since none of them can be read in part.
WHOLE_READ_SHARE = 4


@lru_cache(maxsize=4)  # the returns reader and the exports reader both open the same file
def _check(data: bytes, max_cells: int, limits: ArchiveLimits) -> Refusal | None:
    archive = None
    entries = _plain_members(data)
    if entries is None:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            entries = archive.infolist()
        except Exception:  # noqa: BLE001 - not a zip, or a damaged one: never handed to the cell reader
            return Refusal(_UNREADABLE_ZIP, RULE_CORRUPT)
    if len(entries) > limits.max_members:
        return Refusal(f"This workbook holds more than {limits.max_members:,} parts, far more than any real "
                       "spreadsheet, so it was not opened. Check where it came from.")
    if any(_BINARY_PART.match(info.filename) for info in entries):
        return Refusal(_BINARY_WORKBOOK)
    sheets = _sheet_parts(entries, data, archive)
    if isinstance(sheets, Refusal):
        return sheets
    total = 0
    for index, info in enumerate(entries):
        limit = max_cells
        if _WORKSHEET.match(info.filename) or _part_key(info.filename) in sheets:
            extent: _Extent | _OdsExtent | None = _Extent()
        elif info.filename == _ODS_CONTENT:
            # The OpenDocument reader expands every table when the file is opened (it cannot read only the
            # first rows of a sheet, as the other readers do) and copies a repeated cell's text into each cell.
            extent, limit = _OdsExtent(), max_cells // WHOLE_READ_SHARE
        else:
            extent = None
        compressed = max(1, min(info.compress_size, len(data)))
        produced, tail = 0, b""
        try:
            # The member's chunks as (length, declares a DTD or None to test the chunk, chunk).
            raw = _small_member_bytes(info, data)
            whole = None
            if raw is None:
                if archive is None:  # a member zipfile must read: it lists the members as above
                    archive = zipfile.ZipFile(io.BytesIO(data))
                chunks = ((len(chunk), None, chunk) for chunk in _streamed(archive, archive.infolist()[index]))
            elif extent is None and len(raw) <= _SHARED_PART_BYTES:
                summary = _part_summary(raw, info.compress_type, info.file_size, info.CRC)
                if summary is None:
                    return _damaged(info.filename)
                chunks = ((*summary, None),) if summary[0] else ()
            else:
                whole = _inflated(raw, info.compress_type, info.file_size, info.CRC)
                chunks = ((len(whole), None, whole),) if whole else ()
            for length, dtd, chunk in chunks:
                if produced == 0 and (_declares_dtd(chunk) if dtd is None else dtd):
                    return Refusal(_UNSAFE_XML)
                produced += length
                total += length
                if produced > limits.max_member_bytes or total > limits.max_total_bytes:
                    return Refusal(f"This workbook unpacks to more than "
                                   f"{describe_size(min(limits.max_member_bytes, limits.max_total_bytes))}, "
                                   "far more than any real return or export, so it was not opened. Check it "
                                   "is the right file.")
                if produced > limits.ratio_floor_bytes and produced / compressed > limits.max_ratio:
                    return Refusal(f"Part of this workbook is compressed more than {limits.max_ratio:g} to 1, "
                                   "which real spreadsheets never are (it may be a 'zip bomb'), so it was not "
                                   "opened. Check where it came from.")
                if extent is not None:
                    if whole is not None and isinstance(extent, _Extent) and _small_sheet_fits(whole, max_cells):
                        extent = None  # the whole sheet is this chunk, and it cannot reach the limit
                        continue
                    # Scan whole tags only: keep what follows the last '>' for the next chunk.
                    buffer = tail + chunk
                    cut = buffer.rfind(b">") + 1
                    extent.scan(buffer[:cut])
                    # What follows is kept whole for the next chunk: a tag cut there may hold its reference
                    # thousands of bytes from its start. Nothing real runs on for a megabyte without a '>'.
                    tail = buffer[cut:]
                    if len(tail) > _CHUNK:
                        return _too_long(info.filename)
                    if extent.cells_allocated > limit and not (isinstance(extent, _Extent)
                                                               and extent.cells_per_row_needed(limit)):
                        return _too_large(info.filename, limit)
        except BrokenTag:
            return _broken_xml(info.filename)
        except Exception:  # noqa: BLE001 - a part that cannot be read whole: the reader must not meet it
            return _damaged(info.filename)
        if extent is not None:
            extent.scan(tail)
            if isinstance(extent, _Extent) and extent.irregular:
                # The regular expressions read this sheet; they read tags as the reader does only in well-formed
                # XML (the reader also reads XML that is not: a '</row>' closing another element, a name or key
                # with a quote or a space in it), and Excel opens only well-formed XML.
                try:
                    if not _well_formed(_member_chunks(whole, archive, index)):
                        return _not_well_formed(info.filename)
                    if extent.cells_per_row_needed(limit):
                        # Over the limit only counted over the whole sheet: read it again, count row by row.
                        extent.widest_run = _widest_run(_member_chunks(whole, archive, index),
                                                        limit // extent.height - extent.max_col, well_formed=True)
                except Exception:  # noqa: BLE001 - read again, a part that cannot be: the reader must not meet it
                    return _damaged(info.filename)
            if extent.cells_allocated > limit:
                return _too_large(info.filename, limit)
    return None


# --- which parts are sheets -------------------------------------------------------------------------

# The reader opens a sheet wherever the workbook's relationships say it is (relative to the workbook's folder,
# or from the package's root with a leading '/'), matching part names without regard to case and with '\' read
# as '/'. A sheet outside xl/worksheets/ must be scanned all the same: every relationship of a sheet's type in
# any .rels part names a part to scan (the folder a .rels part describes is the one its _rels/ folder is in).
# The relationships are read with regular expressions from a part expat finds well-formed (so names, keys and
# quotes are where XML puts them; a value may still hold a '>'), and their values as the reader takes them:
# raw, no character reference decoded.
_RELATIONSHIP = re.compile(rb"<(?:[^\s<>:]*:)?Relationship(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_REL_TYPE = re.compile(rb"""\sType\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REL_TARGET = re.compile(rb"""\sTarget\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_TYPES = (b"worksheet", b"chartsheet", b"dialogsheet")


def _part_key(name: str) -> str:
    """A part's name as the reader matches it."""
    return name.replace("\\", "/").lower()


@lru_cache(maxsize=256)
def _sheet_targets(content: bytes, folder: str) -> frozenset[str] | None:
    """The sheets a relationships part names (``_part_key``); None when it is not well-formed XML."""
    if not _well_formed((content,)):
        return None
    targets = set()
    for attributes in _RELATIONSHIP.findall(content):
        kind, target = _REL_TYPE.search(attributes), _REL_TARGET.search(attributes)
        if kind and target and (kind.group(1) or kind.group(2) or b"").rsplit(b"/", 1)[-1] in _SHEET_TYPES:
            path = (target.group(1) if target.group(1) is not None else target.group(2)).decode("utf-8", "replace")
            targets.add(_part_key(path[1:] if path.startswith("/") else folder + path))
    return frozenset(targets)


def _sheet_parts(entries, data: bytes, archive: zipfile.ZipFile | None) -> frozenset[str] | Refusal:
    """The parts (``_part_key``) the package's relationships name as sheets; a refusal when a relationships part
    runs on past ``_LONGEST_RELS`` (none real comes near) or is not well-formed XML."""
    found: set[str] = set()
    for index, info in enumerate(entries):
        key = _part_key(info.filename)
        if not key.endswith(".rels") or "_rels/" not in key:
            continue
        try:
            content = _small_member(info, data)
            if content is None:
                if archive is None:
                    archive = zipfile.ZipFile(io.BytesIO(data))
                with archive.open(archive.infolist()[index]) as stream:
                    content = stream.read(_LONGEST_RELS + 1)
        except Exception:  # noqa: BLE001 - a damaged part: the scan refuses it when it reaches it
            continue
        if len(content) > _LONGEST_RELS:
            return Refusal(_RELS_TOO_LONG)
        targets = _sheet_targets(content, key.rsplit("_rels/", 1)[0])
        if targets is None:
            return _not_well_formed(info.filename, "part", "")
        found |= targets
    return frozenset(found)


_LONGEST_RELS = 4 * _CHUNK
_RELS_TOO_LONG = ("This workbook's list of its parts (a relationships part) runs on for megabytes, far more than any "
                  "real spreadsheet's, so it was not opened. Check where it came from.")


def _member_chunks(whole: bytes | None, archive: zipfile.ZipFile | None, index: int):
    """A member's content again: the one chunk read whole, or streamed from the archive."""
    return (whole,) if whole is not None else _streamed(archive, archive.infolist()[index])


def _well_formed(chunks) -> bool:
    parser = xml.parsers.expat.ParserCreate()
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except Exception:  # noqa: BLE001 - ExpatError, or LookupError for an encoding it does not know ("TTF-8")
        return False
    return True


def _leaf(part: str) -> str:
    return part.rsplit("/", 1)[-1] or "a part"


def _not_well_formed(part: str, kind: str = "sheet", how: str = ", which Excel would not open either") -> Refusal:
    return Refusal(f"This file is damaged: a {kind} inside it ({_leaf(part)}) is not well-formed XML{how}, so it was "
                   "not opened. Open it in the program that made it and save it again, or ask the sender for a new "
                   "copy.", RULE_CORRUPT)


def _too_long(part: str) -> Refusal:
    return Refusal(f"A sheet of this file ({_leaf(part)} inside it) holds a tag or a text running on for more than a "
                   "megabyte without a break, far more than any real return or export, so the file was not opened. "
                   "Check where it came from.")


class BrokenTag(ValueError):
    """A part's row or cell tag holds a '<' before its end (``_OdsExtent.scan``)."""


def _broken_xml(part: str) -> Refusal:
    return _not_well_formed(part, "part", " (a tag is broken off before its end)")


def _damaged(part: str) -> Refusal:
    return Refusal(f"This file is damaged: a part inside it ({_leaf(part)}) cannot be read whole (its check sum "
                   "does not match, its data is cut short, or its headers disagree), so it was not opened. Open it "
                   "in Excel and save it again, or ask the sender for a new copy.", RULE_CORRUPT)


# --- OpenDocument spreadsheets (.ods) ----------------------------------------------------------

# Row and cell tags of content.xml as the cell reader names them (the "table:" prefix is literal there),
# their attributes read with quoted values whole, up to the next '<' at most (``_TAG_BODY``).
_ODS_START = rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])"
_ODS_TAG = re.compile(_ODS_START + rb"(" + _TAG_BODY + rb"*)>")
_ODS_TAG_START = re.compile(_ODS_START)
_ODS_ROWS_REPEATED = re.compile(rb"\stable:number-rows-repeated\s*=\s*[\"']([^\"']*)")
_ODS_COLUMNS_REPEATED = re.compile(rb"\stable:number-columns-repeated\s*=\s*[\"']([^\"']*)")
# Attributes that give a cell a value (or may: a string's value can be its text); a cell without one is
# empty, and empty cells are expanded only between cells that are not.
_ODS_VALUE = re.compile(rb"\s(?:office:(?:value|string-value|date-value|time-value|boolean-value|value-type)"
                        rb"|table:formula)\s*=")


def _repeats(pattern: re.Pattern, attributes: bytes) -> int:
    found = pattern.search(attributes)
    if found is None:
        return 1
    try:
        return max(1, int(found.group(1)))
    except ValueError:
        return 1  # the cell reader cannot read the number either, and stops there


class _OdsExtent:
    """The cells the OpenDocument cell reader expands, for the largest table of content.xml.

    It repeats a row written with ``number-rows-repeated`` and a cell written with
    ``number-columns-repeated`` as many times as they say, once something follows that is not empty: a
    17 kB file can ask for billions of cells. A table costs (rows from its first row holding a value to
    its last, repeats included) x (the widest such row, up to its last value); empty rows and cells at the
    end of a table or a row (what LibreOffice writes to the sheet's edge) cost nothing.
    """

    def __init__(self) -> None:
        self.largest = 0
        self._table()

    def _table(self) -> None:
        self.largest = max(self.largest, getattr(self, "current", 0))
        self.rows = self.waiting_rows = self.width = self.current = 0
        self.position = self.row_length = 0
        self.row_repeats = 1

    def scan(self, xml: bytes) -> None:
        matched = end = 0
        for tag in _ODS_TAG.finditer(xml):
            matched += 1
            end = tag.end()
            closing, name, attributes = tag.groups()
            empty_element = attributes.endswith(b"/")
            if name == b"table":
                self._table()
            elif name == b"table-row":
                if closing:
                    self._end_row()
                elif not empty_element:  # the reader reads a row only from its start tag
                    self.position = self.row_length = 0
                    self.row_repeats = _repeats(_ODS_ROWS_REPEATED, attributes)
            elif not closing:  # a cell
                self.position += _repeats(_ODS_COLUMNS_REPEATED, attributes)
                if _ODS_VALUE.search(attributes):
                    self.row_length = self.position
        # A row or cell tag with a '<' before its end is not XML, and here there is nothing else to count it
        # by (a worksheet's references are counted wherever they are): such a file is refused as damaged.
        # (The last tag of a chunk may end in the next one: only tags before the last one read are counted.)
        if matched != len(_ODS_TAG_START.findall(xml, 0, end)):
            raise BrokenTag()

    def _end_row(self) -> None:
        if self.row_length:
            self.rows += self.waiting_rows + self.row_repeats
            self.waiting_rows = 0
            self.width = max(self.width, self.row_length)
        elif self.rows:
            self.waiting_rows += self.row_repeats
        self.current = max(self.current, self.rows * self.width)
        self.position = self.row_length = 0

    @property
    def cells_allocated(self) -> int:
        return max(self.largest, self.current)


def _too_large(part: str, max_cells: int) -> Refusal:
    if part == _ODS_CONTENT:
        return Refusal(f"A sheet of this spreadsheet repeats rows or cells over more than {max_cells:,} cells, far "
                       "more than any real return or export, so the file was not opened. If it is a real export, "
                       "delete unused rows and columns below and to the right of the data, save it and add it "
                       "again.")
    sheet = part.rsplit("/", 1)[-1]
    return Refusal(f"A sheet of this workbook ({sheet} inside the file) uses cells spread over more than "
                   f"{max_cells:,} cells, far more than any real return or export, so the file was not opened. "
                   "If it is a real export, delete unused rows and columns below and to the right of the data, "
                   "save it and add it again.")
