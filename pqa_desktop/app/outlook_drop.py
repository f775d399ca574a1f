"""Attachments dragged straight out of Outlook: Windows "virtual files" saved into a private folder.

Outlook does not drag attachments as files on disk. Its drag carries two clipboard formats instead:
``FileGroupDescriptorW`` (a FILEGROUPDESCRIPTORW: a UINT count, then that many 592-byte FILEDESCRIPTORW
entries giving each file's name and size) and ``FileContents`` (the bytes of one file, chosen by the
``lindex`` of the OLE FORMATETC). Qt on Windows exposes such formats under the MIME type
``application/x-qt-windows-mime;value="<format>"`` and always asks for ``FileContents`` without an index,
so only one file's bytes (the first attachment's) can be reached through ``QMimeData``. This module
parses what is reachable, tells the user plainly about the rest, and writes the files it has into
``app_data_dir()/dropped``: a folder inside the user's profile, one sub-folder per app session, deleted
when the app closes (and left-overs of a crashed session a day later), because the attachments hold
children's records.

Everything here is pure Python except ``read_virtual_files``, which only reads bytes out of a QMimeData;
parsing, name cleaning and saving are tested without Qt.
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import struct
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Protocol

from ..core.runtime.userdata import app_data_dir

DROPPED_FOLDER = "dropped"
STALE_AFTER_SECONDS = 24 * 3600  # a session folder this old belongs to an app that crashed: remove it

WINDOWS_MIME = 'application/x-qt-windows-mime;value="{}"'
DESCRIPTOR_W = "FileGroupDescriptorW"
DESCRIPTOR_A = "FileGroupDescriptor"  # the ANSI form, offered by older programs alongside (or instead)
CONTENTS = "FileContents"

# FILEDESCRIPTOR: dwFlags, clsid (16), sizel (8), pointl (8), dwFileAttributes, ftCreationTime (8),
# ftLastAccessTime (8), ftLastWriteTime (8), nFileSizeHigh, nFileSizeLow, then cFileName[MAX_PATH].
_FIXED = struct.Struct("<I16s8s8sIQQQII")  # 72 bytes, little-endian, no padding (all fields 4-aligned)
MAX_PATH = 260
DESCRIPTOR_W_SIZE = _FIXED.size + 2 * MAX_PATH  # 592
DESCRIPTOR_A_SIZE = _FIXED.size + MAX_PATH  # 332
FD_ATTRIBUTES = 0x04
FD_FILESIZE = 0x40
FILE_ATTRIBUTE_DIRECTORY = 0x10

_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}
_BAD_CHARACTERS = re.compile(r'[\x00-\x1f<>:"/\\|?*\x7f]')
MAX_NAME_LENGTH = 120  # leaves room under Windows' 260-character path limit for the profile folders


@dataclass(frozen=True)
class VirtualFileEntry:
    """One FILEDESCRIPTOR: the name Outlook gave and, when it says so, the size."""

    name: str
    size: int | None  # None when FD_FILESIZE is not set
    is_folder: bool = False


@dataclass
class VirtualDrop:
    """What could be read out of one drag: named contents, and plain-English notes on what could not."""

    files: list[tuple[str, bytes]] = field(default_factory=list)  # (clean file name, bytes)
    problems: list[str] = field(default_factory=list)


class MimeLike(Protocol):
    def formats(self) -> list[str]: ...

    def data(self, mime_type: str): ...


def parse_file_group_descriptor(data: bytes, wide: bool = True) -> list[VirtualFileEntry]:
    """The entries of a FILEGROUPDESCRIPTORW (``wide``) or FILEGROUPDESCRIPTORA.

    A count larger than the bytes hold is cut to the entries present (a truncated buffer is not an error
    to the user: they get the files that are described).
    """
    if len(data) < 4:
        return []
    (count,) = struct.unpack_from("<I", data, 0)
    size = DESCRIPTOR_W_SIZE if wide else DESCRIPTOR_A_SIZE
    count = min(count, (len(data) - 4) // size)
    entries = []
    for n in range(count):
        offset = 4 + n * size
        flags, _clsid, _sizel, _pointl, attributes, _created, _accessed, _written, high, low = \
            _FIXED.unpack_from(data, offset)
        raw_name = data[offset + _FIXED.size: offset + size]
        if wide:
            name = raw_name.decode("utf-16-le", errors="replace").split("\x00", 1)[0]
        else:
            name = raw_name.split(b"\x00", 1)[0].decode("mbcs" if os.name == "nt" else "cp1252", errors="replace")
        entries.append(VirtualFileEntry(
            name=name,
            size=(high << 32) | low if flags & FD_FILESIZE else None,
            is_folder=bool(flags & FD_ATTRIBUTES and attributes & FILE_ATTRIBUTE_DIRECTORY),
        ))
    return entries


def clean_file_name(name: str, fallback: str = "attachment") -> str:
    """A name safe to create in one folder: no folders, no traversal, no characters or names Windows refuses."""
    leaf = re.split(r"[\\/]", name)[-1]
    leaf = _BAD_CHARACTERS.sub("_", leaf).strip().rstrip(". ")
    if leaf in ("", ".", ".."):
        leaf = fallback
    stem, dot, suffix = leaf.rpartition(".")
    if not dot or not stem:  # no extension, or a name like ".profile" that is all extension
        stem, suffix = leaf, ""
    if stem.split(".")[0].upper() in _RESERVED_NAMES:
        stem = "_" + stem
    suffix = suffix[:20]
    stem = stem[:MAX_NAME_LENGTH - len(suffix) - 1] or fallback
    return f"{stem}.{suffix}" if suffix else stem


def _mime_format(mime: MimeLike, name: str) -> str | None:
    """The QMimeData format carrying a Windows clipboard format (Qt's wrapped name, or the bare name)."""
    formats = set(mime.formats())
    for candidate in (WINDOWS_MIME.format(name), name):
        if candidate in formats:
            return candidate
    return None


def has_virtual_files(mime: MimeLike | None) -> bool:
    if mime is None:
        return False
    return (_mime_format(mime, DESCRIPTOR_W) or _mime_format(mime, DESCRIPTOR_A)) is not None


def read_virtual_files(mime: MimeLike) -> VirtualDrop:
    """Read the virtual files Qt can reach (see the module note: the first file's contents only)."""
    drop = VirtualDrop()
    wide_format = _mime_format(mime, DESCRIPTOR_W)
    descriptor_format = wide_format or _mime_format(mime, DESCRIPTOR_A)
    if descriptor_format is None:
        return drop
    entries = parse_file_group_descriptor(bytes(mime.data(descriptor_format)), wide=wide_format is not None)
    files = [e for e in entries if not e.is_folder]
    if not files:
        drop.problems.append("Nothing that was dragged in could be read. Save the attachments to a folder "
                             "(in Outlook: File, Save Attachments), then drop that folder here.")
        return drop
    contents_format = _mime_format(mime, CONTENTS)
    contents = bytes(mime.data(contents_format)) if contents_format is not None else b""
    first = files[0]
    name = clean_file_name(first.name)
    if first.size is not None and len(contents) > first.size:
        contents = contents[:first.size]  # Windows may round a memory block up: the descriptor has the size
    if not contents or (first.size is not None and len(contents) < first.size):
        what = "email" if name.lower().endswith(".msg") else "attachment"
        drop.problems.append(f"Outlook did not hand over the {what} {name}. Save it to a folder first (in "
                             "Outlook: File, Save As or Save Attachments), then drop the saved file here.")
    else:
        drop.files.append((name, contents))
    if len(files) > 1:
        rest = len(files) - 1
        drop.problems.append(
            f"Outlook can only pass on one attachment per drag, so {rest} of the {len(files)} attachments "
            f"{'was' if rest == 1 else 'were'} not added. Drag them in one at a time, or save them to a folder "
            "(in Outlook: File, Save Attachments) and drop that folder here.")
    return drop


class DroppedFileStore:
    """This session's private folder of dropped attachments; removed by ``discard`` (and at exit)."""

    def __init__(self, root: Path | None = None):
        self.root = root if root is not None else app_data_dir() / DROPPED_FOLDER
        self.session = self.root / f"session-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._registered = False

    def save(self, files: Iterable[tuple[str, bytes]]) -> list[Path]:
        """Write each (name, bytes) into a new folder of its own (two drops may both hold "Audit.xlsx")."""
        files = list(files)
        if not files:
            return []
        self._remove_stale()
        folder = self.session / f"drop-{uuid.uuid4().hex[:12]}"
        folder.mkdir(parents=True, exist_ok=False)
        if not self._registered:
            atexit.register(self.discard)  # a backstop: the window discards the folder when it closes
            self._registered = True
        saved = []
        used: set[str] = set()
        for name, data in files:
            target_name = _unique(clean_file_name(name), used)
            used.add(target_name.casefold())
            path = folder / target_name
            with open(path, "xb") as handle:  # "x": never follow or overwrite anything already there
                handle.write(data)
            saved.append(path)
        return saved

    def discard(self) -> None:
        shutil.rmtree(self.session, ignore_errors=True)
        try:
            self.root.rmdir()  # only when empty: another running app may still have its own session there
        except OSError:
            pass

    def _remove_stale(self) -> None:
        if not self.root.is_dir():
            return
        now = time.time()
        for old in self.root.glob("session-*"):
            if old == self.session:
                continue
            try:
                if now - old.stat().st_mtime > STALE_AFTER_SECONDS:
                    shutil.rmtree(old, ignore_errors=True)
            except OSError:
                pass


def _unique(name: str, used: set[str]) -> str:
    if name.casefold() not in used:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    n = 2
    while True:
        candidate = f"{stem} ({n}).{suffix}" if suffix else f"{stem} ({n})"
        if candidate.casefold() not in used:
            return candidate
        n += 1
