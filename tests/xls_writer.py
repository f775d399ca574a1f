"""A minimal Excel 97-2003 (.xls, BIFF8) writer for test fixtures: enough records for a cell reader to find
the sheets and their cells, in a compound file written by ``msg_writer.write_cfb``.

The workbook globals hold BOF, CODEPAGE (UTF-16), one BOUNDSHEET per sheet and EOF; each sheet holds BOF,
DIMENSIONS, a LABEL (text, 0x0204) or NUMBER (0x0203) record per cell and EOF. No shared strings, styles or
formats: LibreOffice writes those, and the tests that need them convert an .xlsx with it instead.
"""
from __future__ import annotations

import struct
from typing import Sequence

from tests.msg_writer import write_cfb

Rows = Sequence[Sequence[object]]


def record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _text(value: str) -> bytes:
    """XLUnicodeString: compressed (one byte a character) when every character fits, else UTF-16."""
    if all(ord(ch) < 256 for ch in value):
        return struct.pack("<HB", len(value), 0) + value.encode("latin-1")
    return struct.pack("<HB", len(value), 1) + value.encode("utf-16-le")


def _bof(kind: int) -> bytes:
    return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x0006))


_EOF = record(0x000A, b"")


def _sheet(rows: Rows) -> bytes:
    width = max((len(row) for row in rows), default=0)
    out = [_bof(0x0010), record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.append(record(0x0203, struct.pack("<HHHd", r, c, 0, float(value))))
            else:
                out.append(record(0x0204, struct.pack("<HHH", r, c, 0) + _text(str(value))))
    out.append(_EOF)
    return b"".join(out)


def _boundsheet(position: int, name: str) -> bytes:
    encoded = name.encode("latin-1")
    return record(0x0085, struct.pack("<IBBBB", position, 0, 0, len(encoded), 0) + encoded)


def workbook_stream(sheets: dict[str, Rows]) -> bytes:
    head = _bof(0x0005) + record(0x0042, struct.pack("<H", 1200))
    bodies = [_sheet(rows) for rows in sheets.values()]
    position = len(head) + sum(len(_boundsheet(0, name)) for name in sheets) + len(_EOF)
    bound = b""
    for name, body in zip(sheets, bodies):
        bound += _boundsheet(position, name)
        position += len(body)
    return head + bound + _EOF + b"".join(bodies)


def xls_bytes(sheets: dict[str, Rows]) -> bytes:
    """An .xls holding ``sheets`` (name -> rows of text and numbers)."""
    return write_cfb({"Workbook": workbook_stream(sheets)})
