"""The readers' previous implementations, kept as oracles for the tests of their faster versions.

``reference_check`` is ``inputs.packages.check_package`` as it was before the package scan was made
faster (every worksheet chunk scanned with four regular expressions, every part read by ``zipfile``);
``reference_parse_date_values`` is ``exports.columns._parse_date_values`` before it stopped going through
pandas for each step. The tests compare the current code with these on generated, hostile and mutated
inputs: any difference in what is refused, or in a date read, fails them. The reference scan uses the scan's
own regular expressions, which since read a tag only up to the next '<' (``tests/test_scan_broken_tags.py``
compares them with the patterns before that on broken tags). Where the scan counts a sheet's cells without
references row by row, ``reference_widest_run`` is the oracle: the same rule over expat's events.
"""
from __future__ import annotations

import io
import zipfile
from xml.parsers import expat
from datetime import date, datetime
from functools import lru_cache

import numpy as np
import pandas as pd

from pqa_desktop.core.exports.columns import (_DMY, _EARLIEST, _ISO, _LATEST, _SERIAL_MAX, _SERIAL_MIN,
                                              DATE_DTYPE, _from_parts, _to_ns)
from pqa_desktop.core.inputs.archives import ArchiveLimits, describe_size
from pqa_desktop.core.inputs.packages import (_ANY_REF, _BINARY_PART, _BINARY_WORKBOOK, _CELL_REF, _CELL_TAG,
                                              _CHUNK, _DTD, _ESCAPED_REF, _FAR_CORNER, _ODS_CONTENT,
                                              _PLAIN_CELL_REF, _PLAIN_CELL_TAG, _PLAIN_ROW_REF, _PLAIN_ROW_TAG,
                                              _PREFIXED_TAG, _PROLOG_BYTES, _ROW_REF, _ROW_TAG, _UNREADABLE_ZIP,
                                              _UNSAFE_XML, _WORKSHEET, RULE_CORRUPT, Refusal, _column_number,
                                              _damaged, _not_well_formed, _OdsExtent, _plain_extent,
                                              _small_member_bytes, _too_large, _too_long, _LONG_REFERENCE,
                                              _part_key, _sheet_parts)
from pqa_desktop.core.values import parse_uk_date


class _ReferenceExtent:
    """The bounding box a cell reader will allocate for one worksheet: the largest row and column
    referenced, plus rows and cells written without a reference (a reader places those one after
    another, so each may extend the box by one)."""

    def __init__(self) -> None:
        self.max_row = self.max_col = 0
        self.rows = self.row_refs = self.cells = self.cell_refs = 0
        self.irregular = False  # a chunk not as Excel writes a sheet: the sheet must then be well-formed XML

    def scan(self, xml: bytes) -> None:
        # Only the distinct references are converted: an export's million cells name a few hundred
        # thousand rows and a few dozen columns, and a Python call per cell cost seconds.
        if _PREFIXED_TAG.search(xml) is None:
            row_ref, cell_ref, row_tag, cell_tag = _PLAIN_ROW_REF, _PLAIN_CELL_REF, _PLAIN_ROW_TAG, _PLAIN_CELL_TAG
        else:
            row_ref, cell_ref, row_tag, cell_tag = _ROW_REF, _CELL_REF, _ROW_TAG, _CELL_TAG
        if _ESCAPED_REF.search(xml):
            self.max_row, self.max_col = max(self.max_row, _FAR_CORNER[0]), max(self.max_col, _FAR_CORNER[1])
        found = _ANY_REF.findall(xml)
        if found:  # the largest of the distinct references is the largest of them all
            letters, numbers = zip(*set(found))
            self.max_row = max(self.max_row, max(map(int, numbers)))
            self.max_col = max(self.max_col, max(map(_column_number, letters)))
        self.row_refs += len(row_ref.findall(xml))
        self.cell_refs += len(cell_ref.findall(xml))
        self.rows += len(row_tag.findall(xml))
        self.cells += len(cell_tag.findall(xml))
        if xml.strip() and _plain_extent(xml) is None:
            self.irregular = True

    widest_run: int | None = None  # set from ``reference_widest_run`` once the whole sheet is read

    @property
    def loose_cells(self) -> int:
        return max(0, self.cells - self.cell_refs)

    @property
    def height(self) -> int:
        # A cell without a reference between rows lands on the row below the last one ended.
        return self.max_row + max(0, self.rows - self.row_refs) + (self.loose_cells > 0)

    @property
    def cells_allocated(self) -> int:
        return self.height * (self.max_col + (self.loose_cells if self.widest_run is None else self.widest_run))

    @property
    def area_so_far(self) -> int:
        """What a chunk's scan compares with the limit: with cells without a reference, the largest row by the
        largest column (they may yet fall into rows of their own); otherwise the whole area."""
        return self.height * self.max_col if self.loose_cells else self.cells_allocated


def reference_widest_run(xml: bytes) -> int | None:
    """The most cells without a reference python-calamine places one after another in a row, from expat's
    events over the whole part: a cell (local name "c", after the first ':') with an attribute named r sets the
    column unless it lies inside another cell, any other cell goes to the next column, and a row's end (an empty
    row tag too) goes back to column A unless it lies inside a cell. None for a part that is not well-formed or
    holds a comment, a CDATA section or a processing instruction."""
    parser = expat.ParserCreate()
    state = {"run": 0, "widest": 0, "depth": 0, "opaque": False}

    def local(name: str) -> str:
        return name.split(":", 1)[1] if ":" in name else name

    def start(name, attributes):
        if local(name) == "c":
            if state["depth"] == 0 and "r" in attributes:
                state["run"] = 0
            else:
                state["run"] += 1
                state["widest"] = max(state["widest"], state["run"])
            state["depth"] += 1

    def end(name):
        if local(name) == "c":
            state["depth"] -= 1
        elif local(name) == "row" and state["depth"] == 0:
            state["run"] = 0

    def opaque(*_):
        state["opaque"] = True

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CommentHandler = parser.StartCdataSectionHandler = parser.ProcessingInstructionHandler = opaque
    try:
        parser.Parse(xml, True)
    except (expat.ExpatError, LookupError, ValueError):
        return None
    return None if state["opaque"] else state["widest"]


def reference_check(data: bytes, max_cells: int, limits: ArchiveLimits) -> str | None:
    """The refusal for ``data`` at ``max_cells``, or None: the first of the scan's events that refuses it."""
    for event, value, part in _reference_events(data, limits):
        if event == "refused":
            return value
        if event == "malformed":
            if part is None or part > max_cells:  # here ``part`` is the limit from which its counts suffice
                return value
            continue
        if value > max_cells:  # a worksheet's used area, after a chunk or at its end
            return _too_large(part, max_cells)
    return None


@lru_cache(maxsize=4)
def _reference_events(data: bytes, limits: ArchiveLimits) -> tuple[tuple[str, object, str | None], ...]:
    """The scan of the package as it was, run once whatever the cell limit: in order, each worksheet's used area
    after each chunk and at its end (``("area", cells, part)``, where the scan compared it with the limit) and
    the refusal that ended the scan, if one did (``("refused", message, None)``). The tests ask the same package
    at several limits; only the comparisons differ, so the scan is not repeated for each."""
    events: list[tuple[str, object, str | None]] = []

    def refused(message) -> tuple:
        events.append(("refused", message, None))
        return tuple(events)

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except Exception:  # noqa: BLE001 - not a zip, or a damaged one: refused as damaged
        return refused(Refusal(_UNREADABLE_ZIP, RULE_CORRUPT))
    if len(entries) > limits.max_members:
        return refused(f"This workbook holds more than {limits.max_members:,} parts, far more than any real "
                       "spreadsheet, so it was not opened. Check where it came from.")
    if any(_BINARY_PART.match(info.filename) for info in entries):
        return refused(_BINARY_WORKBOOK)
    # Which parts are sheets: the scan's own answer (by name, and as the relationships name them).
    sheets = _sheet_parts(entries, data, archive)
    if isinstance(sheets, Refusal):
        return refused(sheets)
    total = 0
    for info in entries:
        is_sheet = _WORKSHEET.match(info.filename) or _part_key(info.filename) in sheets
        extent = _ReferenceExtent() if is_sheet else _OdsExtent() if info.filename == _ODS_CONTENT else None
        compressed = max(1, min(info.compress_size, len(data)))
        produced, tail, content = 0, b"", []
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    if produced == 0 and _DTD.search(chunk[:_PROLOG_BYTES]):
                        return refused(_UNSAFE_XML)
                    produced += len(chunk)
                    total += len(chunk)
                    if produced > limits.max_member_bytes or total > limits.max_total_bytes:
                        return refused(
                            f"This workbook unpacks to more than "
                            f"{describe_size(min(limits.max_member_bytes, limits.max_total_bytes))}, far "
                            "more than any real return or export, so it was not opened. Check it is the "
                            "right file.")
                    if produced > limits.ratio_floor_bytes and produced / compressed > limits.max_ratio:
                        return refused(
                            f"Part of this workbook is compressed more than {limits.max_ratio:g} to 1, "
                            "which real spreadsheets never are (it may be a 'zip bomb'), so it was not "
                            "opened. Check where it came from.")
                    if extent is not None:
                        # Scan whole tags only: keep what follows the last '>' for the next chunk.
                        content.append(chunk)
                        buffer = tail + chunk
                        cut = buffer.rfind(b">") + 1
                        extent.scan(buffer[:cut])
                        tail = buffer[cut:]
                        if len(tail) > _CHUNK:
                            return refused(_too_long(info.filename))
                        events.append(("area", _so_far(extent), info.filename))
        except Exception:  # noqa: BLE001 - a damaged part: refused, never left to the cell reader
            return refused(_damaged(info.filename))
        if extent is not None:
            extent.scan(tail)
            if isinstance(extent, _ReferenceExtent) and extent.irregular:
                whole = b"".join(content)
                try:
                    expat.ParserCreate().Parse(whole, True)
                except (expat.ExpatError, LookupError, ValueError):
                    # Refused unless the scan accepts the sheet from its counts alone, never reading its tags: a
                    # sheet small enough to be read whole, at limits its count bound stays within.
                    fits_from = None
                    if _small_member_bytes(info, data) is not None and not _LONG_REFERENCE.search(whole):
                        tags = whole.count(b"<")
                        fits_from = (999 + tags) * (26 + tags)
                    events.append(("malformed", _not_well_formed(info.filename), fits_from))
                    continue
                if extent.loose_cells:
                    extent.widest_run = reference_widest_run(whole)
            events.append(("area", extent.cells_allocated, info.filename))
    return tuple(events)


def _so_far(extent) -> int:
    return extent.area_so_far if isinstance(extent, _ReferenceExtent) else extent.cells_allocated


def reference_parse_date_values(uniques: list) -> tuple[np.ndarray, np.ndarray]:
    """Distinct non-blank values -> (datetime64 array, unreadable mask), fast paths first."""
    raw = pd.Series(uniques, dtype=object)
    out = pd.Series(pd.NaT, index=raw.index, dtype=DATE_DTYPE)
    kinds = raw.map(type)

    is_date = kinds.isin([datetime, date, pd.Timestamp]).to_numpy()
    if is_date.any():
        out[is_date] = _to_ns(pd.to_datetime(raw[is_date], errors="coerce"))

    is_serial = kinds.isin([int, float]).to_numpy()
    if is_serial.any():
        numbers = pd.to_numeric(raw[is_serial], errors="coerce").astype(float)
        days = np.floor(numbers[numbers.between(_SERIAL_MIN, _SERIAL_MAX - 1)])
        out[days.index] = _to_ns(pd.to_datetime(days, unit="D", origin="1899-12-30", errors="coerce"))

    is_text = kinds.eq(str).to_numpy()
    if is_text.any():
        text = raw[is_text].str.strip()
        dmy = text.str.extract(_DMY).dropna()
        if len(dmy):
            year = dmy[2].astype("int64")
            year = year.where(dmy[2].str.len() > 2, year + 2000)  # two-digit years are 20xx
            out[dmy.index] = _from_parts(year, dmy[1], dmy[0])
        iso = text.str.extract(_ISO).dropna()
        if len(iso):
            out[iso.index] = _from_parts(iso[0], iso[1], iso[2])

    # Leftovers: text in other accepted forms ("1 Apr 2024"), or values the fast paths refused
    # (31/02/2024, out-of-range serials, booleans): parse_uk_date decides.
    bad = np.zeros(len(raw), dtype=bool)
    for i in np.flatnonzero(out.isna().to_numpy()):
        try:
            stamp = pd.Timestamp(parse_uk_date(raw.iloc[i]))
        except (ValueError, OverflowError, TypeError, pd.errors.OutOfBoundsDatetime):
            stamp = None
        if stamp is None or not _EARLIEST <= stamp <= _LATEST:
            bad[i] = True
        else:
            out.iloc[i] = stamp.normalize()
    return out.to_numpy(dtype=DATE_DTYPE), bad
