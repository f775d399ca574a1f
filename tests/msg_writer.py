"""A minimal compound-file (CFB version 3, 512-byte sectors) writer for Outlook .msg test fixtures.

Enough of [MS-CFB] to be read by olefile and Outlook-compatible readers: a header with up to 109 FAT
sectors (no DIFAT), a FAT, a mini FAT and mini stream for streams under 4,096 bytes, and a directory
whose siblings form a balanced binary tree (all entries black, which readers accept). No timestamps, no
CLSIDs. ``build_msg`` lays out the .msg streams of [MS-OXMSG] that the input reader looks at.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Sequence, Union

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096  # streams shorter than this live in the mini stream
FREE, END_OF_CHAIN, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5
BLACK = 1


@dataclass
class _Entry:
    name: str
    data: bytes | None  # None for a storage
    children: dict[str, "_Entry"] = field(default_factory=dict)
    start: int = END_OF_CHAIN
    size: int = 0
    left: int = NO_STREAM
    right: int = NO_STREAM
    child: int = NO_STREAM


def _cfb_order(entry: _Entry) -> tuple:
    """Directory order of siblings in [MS-CFB]: shorter names first, then upper-cased comparison."""
    return (len(entry.name), entry.name.upper())


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams``, keyed by "storage/sub-storage/stream" paths."""
    root = _Entry("Root Entry", None)
    for path, data in streams.items():
        node = root
        *storages, leaf = path.split("/")
        for name in storages:
            node = node.children.setdefault(name, _Entry(name, None))
        node.children[leaf] = _Entry(leaf, bytes(data))

    # Directory order: root first, then breadth first; a parent's children sorted.
    entries = [root]
    for entry in entries:  # grows while iterating
        entries.extend(sorted(entry.children.values(), key=_cfb_order))
    index = {id(e): i for i, e in enumerate(entries)}
    for entry in entries:
        kids = sorted(entry.children.values(), key=_cfb_order)
        entry.child = _link_siblings(kids, index)

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        """Append ``data`` in whole sectors, chained in the FAT; returns its first sector."""
        if not data:
            return END_OF_CHAIN
        first = len(sectors)
        count = -(-len(data) // SECTOR)
        for i in range(count):
            sectors.append(data[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\0"))
            fat.append(first + i + 1 if i < count - 1 else END_OF_CHAIN)
        return first

    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in entries[1:]:
        if entry.data is None:
            entry.start = 0  # storages have no stream; readers ignore the field
            continue
        entry.size = len(entry.data)
        if entry.size >= MINI_CUTOFF:
            entry.start = place(entry.data)
        elif entry.size:
            entry.start = len(mini_fat)
            count = -(-entry.size // MINI_SECTOR)
            mini_fat.extend(entry.start + i + 1 if i < count - 1 else END_OF_CHAIN for i in range(count))
            mini_stream += entry.data.ljust(count * MINI_SECTOR, b"\0")
    root.start, root.size = place(bytes(mini_stream)), len(mini_stream)
    mini_fat_bytes = _table(mini_fat)
    mini_fat_start = place(mini_fat_bytes)

    directory = b"".join(_direntry(e, ROOT if e is root else (STORAGE if e.data is None else STREAM))
                         for e in entries)
    directory += _EMPTY_DIRENTRY * (-len(entries) % (SECTOR // 128))
    directory_start = place(directory)

    # The FAT must also describe its own sectors.
    fat_count = 1
    while fat_count * (SECTOR // 4) < len(fat) + fat_count:
        fat_count += 1
    if fat_count > 109:
        raise ValueError("file too large for a header-only FAT (more than 109 FAT sectors)")
    fat_start = len(sectors)
    fat.extend([FAT_SECTOR] * fat_count)
    fat_bytes = _table(fat)
    sectors.extend(fat_bytes[i * SECTOR:(i + 1) * SECTOR] for i in range(fat_count))

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", MAGIC, b"\0" * 16, 0x003E, 3, 0xFFFE, 9, 6, b"\0" * 6,
        0, fat_count, directory_start, 0, MINI_CUTOFF, mini_fat_start,
        len(mini_fat_bytes) // SECTOR, END_OF_CHAIN, 0)
    difat = [fat_start + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header += struct.pack("<109I", *difat)
    return header + b"".join(sectors)


def _link_siblings(kids: list[_Entry], index: dict[int, int]) -> int:
    """Make ``kids`` (sorted) a balanced binary tree through left/right; returns the root's id."""
    if not kids:
        return NO_STREAM
    middle = len(kids) // 2
    top = kids[middle]
    top.left = _link_siblings(kids[:middle], index)
    top.right = _link_siblings(kids[middle + 1:], index)
    return index[id(top)]


def _table(values: list[int]) -> bytes:
    """A FAT or mini FAT: 32-bit entries, padded with free entries to whole sectors."""
    if not values:
        return b""
    padded = values + [FREE] * (-len(values) % (SECTOR // 4))
    return struct.pack(f"<{len(padded)}I", *padded)


def _direntry(entry: _Entry, kind: int) -> bytes:
    name = entry.name.encode("utf-16-le")
    if len(name) > 62:
        raise ValueError(f"entry name longer than 31 characters: {entry.name!r}")
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name) + 2, kind, BLACK, entry.left, entry.right,
                       entry.child, b"\0" * 16, 0, 0, 0, entry.start, entry.size)


_EMPTY_DIRENTRY = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NO_STREAM, NO_STREAM, NO_STREAM,
                              b"\0" * 16, 0, 0, 0, 0, 0)


# ---------------------------------------------------------------- Outlook message layout


@dataclass
class EmbeddedMessage:
    """An Outlook item attached to a message (attach method 5)."""

    name: str
    subject: str
    attachments: Sequence["Attachment"] = ()


Attachment = Union[tuple[str, bytes], EmbeddedMessage]


def build_msg(subject: str, attachments: Sequence[Attachment], *, name_stream: str = "3707001F") -> bytes:
    """A .msg with a subject and ``attachments`` ((file name, bytes) or EmbeddedMessage).

    ``name_stream`` picks the property holding the file name: 3707001F (long name) or 3704001F (short).
    """
    return write_cfb(_message_streams("", subject, attachments, top_level=True, name_stream=name_stream))


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _message_streams(prefix: str, subject: str, attachments: Sequence[Attachment], *, top_level: bool,
                     name_stream: str) -> dict[str, bytes]:
    # Property stream header: 32 bytes for the top-level message (reserved, next recipient id, next
    # attachment id, recipient count, attachment count, reserved), 24 for an embedded one.
    counts = struct.pack("<8xIIII", 0, len(attachments), 0, len(attachments))
    streams = {
        prefix + "__properties_version1.0": counts + (b"\0" * 8 if top_level else b""),
        prefix + "__substg1.0_0037001F": _utf16(subject),
    }
    for number, attachment in enumerate(attachments):
        storage = f"{prefix}__attach_version1.0_#{number:08X}/"
        streams[storage + "__properties_version1.0"] = b"\0" * 8
        if isinstance(attachment, EmbeddedMessage):
            streams[storage + "__substg1.0_3001001F"] = _utf16(attachment.name)
            streams.update(_message_streams(storage + "__substg1.0_3701000D/", attachment.subject,
                                            attachment.attachments, top_level=False, name_stream=name_stream))
        else:
            name, data = attachment
            streams[storage + f"__substg1.0_{name_stream}"] = _utf16(name)
            streams[storage + "__substg1.0_37010102"] = data
    return streams
