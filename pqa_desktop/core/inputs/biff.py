"""Safety checks on a legacy Excel workbook (.xls: a compound file holding BIFF records) before the cell
reader opens it.

python-calamine reads every sheet of an .xls when it opens the file and builds a dense grid from the
smallest to the largest row and column any cell record names, in native code where running out of
memory ends the process (no exception to catch): a 9 kB file with one cell at row 65,536, column 65,536
asks for four billion cells. It also reserves room for the shared-string count the file declares, and
for the sizes its compound-file header and directory declare. So the file is read here first, as the cell
reader will read it:

- the compound-file header's counts (FAT, directory, mini FAT and DIFAT sectors) and every directory
  entry's declared size must fit in the file itself, and every sector chain the reader follows (DIFAT,
  directory, mini FAT, mini stream, workbook stream) must end: the reader follows a chain to its end
  marker whatever sizes are declared, so a chain that loops grows its buffer until memory runs out;
- the workbook stream (``Workbook``, else ``Book``) is walked record by record from its start, and each
  sheet's records from the position its BOUNDSHEET record gives (where the cell reader goes), so a
  sheet cannot hide its cells from this scan by pointing into the middle of another record;
- the shared-string count may not exceed what the stream could hold, the room a sheet's DIMENSIONS record
  reserves (32-bit arithmetic that wraps round when its last row is before its first) must stay within the
  area limit, and each sheet's cells within the cell limit.

A file this scan cannot read is refused as damaged; the cell reader never sees it.
"""
from __future__ import annotations

import io
import struct

from .packages import RULE_CORRUPT, WHOLE_READ_SHARE, Refusal

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Cell records and where their column(s) are: (row at 0, column at 2) for most; MULRK and MULBLANK
# give a first column at 2 and a last column in their final two bytes.
_CELLS = frozenset({
    0x0001, 0x0002, 0x0003, 0x0004, 0x0005,  # BIFF2 blank, integer, number, label, boolean/error
    0x0006, 0x0206, 0x0406,  # formula (BIFF5/8, 3, 4)
    0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E,  # rstring, labelsst, blank, number, label, boolerr, rk
})
_MULTIPLE = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK
_EOF = 0x000A
_DIMENSIONS = 0x0200
_BOUNDSHEET = 0x0085
_SST = 0x00FC
_RECORD = struct.Struct("<HH")

_DAMAGED = ("This file is damaged: its structure cannot be read whole (an Excel 97-2003 workbook whose "
            "parts are cut short or point outside the file), so it was not opened. Open it in Excel and "
            "save it again, or ask the sender for a new copy.")


def _too_large(max_cells: int) -> Refusal:
    return Refusal(f"A sheet of this workbook uses cells spread over more than {max_cells:,} cells, far more than "
                   "any real return or export, so the file was not opened. If it is a real export, delete unused "
                   "rows and columns below and to the right of the data, save it and add it again.")


def check_legacy_workbook(data: bytes, max_cells: int) -> Refusal | None:
    """Why the compound file ``data`` (an .xls, whatever its name says) must not be opened, or None.

    ``max_cells`` is the area limit; every sheet is read whole on opening, so a sheet may use a quarter of
    it (``WHOLE_READ_SHARE``), the limit on cells read. A password-protected file is the caller's to report
    (its records are encrypted)."""
    if not data.startswith(_OLE_SIGNATURE):
        return None
    problem = _header_problem(data) or _chains_problem(data)
    if problem is not None:
        return problem
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            for entry in ole.direntries:
                if entry is not None and entry.size > len(data):
                    return Refusal(_DAMAGED, RULE_CORRUPT)
            name = next((n for n in ("Workbook", "Book") if ole.exists(n) and ole.get_type(n) == olefile.STGTY_STREAM),
                        None)
            if name is None:
                return Refusal(_DAMAGED, RULE_CORRUPT)
            stream = ole.openstream(name).read()
    except Exception:  # noqa: BLE001 - olefile's failures on damaged files are many and undocumented
        return Refusal(_DAMAGED, RULE_CORRUPT)
    return _records_problem(stream, max_cells // WHOLE_READ_SHARE)


def _header_problem(data: bytes) -> Refusal | None:
    """The compound-file header's sizes, which a reader reserves room for, must fit in the file."""
    if len(data) < 512:
        return Refusal(_DAMAGED, RULE_CORRUPT)
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if sector_shift not in (9, 12) or mini_shift != 6:
        return Refusal(_DAMAGED, RULE_CORRUPT)
    sectors = max(1, len(data) >> sector_shift)
    directory, fat, _, _, _, _, mini_fat, _, difat = struct.unpack_from("<9L", data, 40)
    if max(directory, fat, mini_fat, difat) > sectors:
        return Refusal(_DAMAGED, RULE_CORRUPT)
    return None


_END_OF_CHAIN, _FREE = 0xFFFFFFFE, 0xFFFFFFFF


def _chains_problem(data: bytes) -> Refusal | None:
    """The sector chains the cell reader follows must end: the DIFAT's, the directory's, the mini FAT's, the
    mini stream's and the workbook stream's. The reader follows a chain until its end marker, whatever
    the sizes declared, so a chain that loops (a FAT entry pointing back) grows its buffer until the
    process runs out of memory; olefile reads only as far as a stream's size and does not notice."""
    shift = struct.unpack_from("<H", data, 30)[0]
    size = 1 << shift
    count = len(data) // size - 1  # whole sectors after the header
    if count <= 0:
        return Refusal(_DAMAGED, RULE_CORRUPT)

    def sector(index: int) -> bytes | None:
        start = (index + 1) * size
        return data[start:start + size] if 0 <= index < count and start + size <= len(data) else None

    def entries(index: int) -> tuple[int, ...] | None:
        chunk = sector(index)
        return struct.unpack(f"<{size // 4}L", chunk) if chunk is not None else None

    directory_start, _, _, mini_fat_start, _, difat_start, _ = struct.unpack_from("<7L", data, 48)
    difat = list(struct.unpack_from("<109L", data, 76))
    step, next_sector = 0, difat_start
    while next_sector not in (_FREE, _END_OF_CHAIN):
        found = entries(next_sector)
        step += 1
        if found is None or step > count:
            return Refusal(_DAMAGED, RULE_CORRUPT)
        difat.extend(found[:-1])
        next_sector = found[-1]
    fat: list[int] = []
    for index in difat:
        if index == _FREE:
            continue
        found = entries(index)
        if found is None:
            return Refusal(_DAMAGED, RULE_CORRUPT)
        fat.extend(found)

    def chain(start: int, table: list[int]) -> list[int] | None:
        """The sectors of the chain from ``start``, or None when it leaves the table or loops."""
        out = []
        index = start
        while index != _END_OF_CHAIN:
            if index >= len(table) or len(out) > len(table):
                return None
            out.append(index)
            index = table[index]
        return out

    directory_sectors = chain(directory_start, fat)
    if not directory_sectors:
        return Refusal(_DAMAGED, RULE_CORRUPT)
    directory = b"".join(sector(i) or b"" for i in directory_sectors)
    mini_fat: list[int] = []
    if mini_fat_start != _END_OF_CHAIN:
        mini_sectors = chain(mini_fat_start, fat)
        if mini_sectors is None:
            return Refusal(_DAMAGED, RULE_CORRUPT)
        for index in mini_sectors:
            mini_fat.extend(entries(index) or ())
    cutoff = struct.unpack_from("<L", data, 56)[0]
    for at in range(0, len(directory) - 127, 128):
        entry = directory[at:at + 128]
        name_length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[:max(0, min(name_length, 64) - 2)].decode("utf-16-le", "replace")
        kind, start = entry[66], struct.unpack_from("<L", entry, 116)[0]
        stream_size = struct.unpack_from("<Q" if shift == 12 else "<L", entry, 120)[0]
        if at == 0 or (kind == 2 and name in ("Workbook", "Book")):  # the root (its mini stream), the workbook
            table = mini_fat if at and stream_size < cutoff else fat
            if start != _END_OF_CHAIN and chain(start, table) is None:
                return Refusal(_DAMAGED, RULE_CORRUPT)
    return None


def _records(stream: bytes, start: int):
    """(type, data) of each record from ``start`` to the end of the stream or a record cut short."""
    position = start
    end = len(stream)
    while position + 4 <= end:
        kind, size = _RECORD.unpack_from(stream, position)
        body = position + 4
        if body + size > end:
            return
        yield kind, stream[body:body + size]
        position = body + size


def _reserved_cells(body: bytes) -> int:
    """The cells the reader reserves room for from a DIMENSIONS record, worked out as it does (32-bit
    arithmetic that wraps round: a last row before the first reserves four billion rows)."""
    if len(body) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<LLHH", body)
    elif len(body) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", body)
    else:
        return 0  # the reader stops on it with an error
    if last_row >= 1 and last_col >= 1:
        end_row, end_col = last_row - 1, last_col - 1
    else:
        end_row, end_col = first_row, first_col
    rows = (end_row - first_row + 1) % 2 ** 32
    columns = (end_col - first_col + 1) % 2 ** 32
    return rows * columns


def _records_problem(stream: bytes, max_cells: int) -> Refusal | None:
    sheets = []
    for kind, body in _records(stream, 0):
        if kind == _EOF:
            break
        if kind == _BOUNDSHEET and len(body) >= 4:
            sheets.append(struct.unpack_from("<L", body)[0])
        elif kind == _SST and len(body) >= 8:
            # The reader reserves room for this many strings: each takes three bytes at least.
            count = struct.unpack_from("<l", body, 4)[0]
            if count > len(stream) // 3:
                return Refusal(_DAMAGED, RULE_CORRUPT)
    for start in sheets:
        # As the cell reader reads a sheet: its records from where BOUNDSHEET points, up to the first EOF.
        top = left = None
        bottom = right = 0
        for kind, body in _records(stream, start):
            if kind == _EOF:
                break
            if kind == _DIMENSIONS:
                # Room reserved up front: allowed up to the area limit (the whole of an old Excel sheet,
                # 65,536 x 256, fits), as what is reserved is not yet used.
                if _reserved_cells(body) > max_cells * WHOLE_READ_SHARE:
                    return _too_large(max_cells * WHOLE_READ_SHARE)
                continue
            if kind in _CELLS and len(body) >= 4:
                row, column = struct.unpack_from("<HH", body)
                last = column
            elif kind in _MULTIPLE and len(body) >= 6:
                row, column = struct.unpack_from("<HH", body)
                last = max(column, struct.unpack_from("<H", body, len(body) - 2)[0])
            else:
                continue
            top = row if top is None else min(top, row)
            left = column if left is None else min(left, column)
            bottom, right = max(bottom, row), max(right, last)
            if (bottom - top + 1) * (right - left + 1) > max_cells:
                return _too_large(max_cells)
    return None
