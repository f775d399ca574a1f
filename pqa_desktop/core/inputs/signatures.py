"""What a file on disk looked like when its content was hashed (its stat signature), and whether it still
looks the same: git's index and rsync's quick check, so that a workspace build does not read and hash again
the thousand returns it imported unchanged (issue 18).

A signature is the file's size, modified time, change time (on Windows its creation time), file number and
device, to the nanosecond, as ``os.stat`` gives them. A file whose signature is the one recorded when its
content was hashed is taken to hold that content still, unless the record is *racy*: taken so soon after the
file's modified (or change) time that a later write could have left every field as it was (a timestamp's
granularity is up to two seconds on FAT; a file server stamps with its own clock). Such a record is not
trusted and the file is hashed again. What this cannot see, and why each field is there on each platform, is
in docs/decisions.md ("A file's stat signature").

Pure: no workspace; discovery reads the clock (``clock_ns``) and the stat (``file_stat``) through here. The
workspace keeps the records (``Workspace.file_signatures``); discovery asks ``SignatureBook.known`` before
opening a file.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Iterable, Mapping

# A record taken less than this after the file's newest timestamp is not trusted: FAT keeps modified times to
# 2 s, and a file on a network drive is stamped by the server's clock, which may differ from this computer's
# (Windows domain time keeps them within about a second; 3 s of margin on top of FAT's 2).
RACY_NS = 5_000_000_000


@dataclass(frozen=True)
class Signature:
    """What ``os.stat`` says of a file, the fields that change when its content may have."""

    size: int
    mtime_ns: int  # modified
    ctime_ns: int  # POSIX: inode change time (any write, rename or utime); Windows: creation time
    ino: str  # the file's number on its device (text: an unsigned 64-bit, or on ReFS 128-bit, number)
    dev: str  # the device (POSIX) or volume serial number (Windows)

    @property
    def newest_ns(self) -> int:
        """The latest time the file system says it changed (content, metadata or, on Windows, arrival)."""
        return max(self.mtime_ns, self.ctime_ns)


def signature_of(info: os.stat_result) -> Signature:
    return Signature(int(info.st_size), int(info.st_mtime_ns), int(info.st_ctime_ns), str(info.st_ino),
                     str(info.st_dev))


def clock_ns() -> int:
    """This computer's time, as a record's ``read_at_ns`` is taken (one place, so a test can run it later)."""
    return time.time_ns()


def file_stat(path: str | os.PathLike) -> os.stat_result:
    """The file's stat, following a link as opening it does (one place, so a test can emulate Windows')."""
    return os.stat(path)


def path_key(path: str | os.PathLike) -> str:
    """The name a file's record is kept under: its absolute path, in Windows' case-blind form there."""
    return os.path.normcase(os.path.abspath(path))


@dataclass(frozen=True)
class Hashed:
    """A file on disk discovery read and hashed: its signature taken just before it was opened, at
    ``read_at_ns`` (this computer's clock)."""

    key: str
    signature: Signature
    sha256: str
    read_at_ns: int

    @property
    def racy(self) -> bool:
        return self.read_at_ns - self.signature.newest_ns < RACY_NS


class SignatureBook:
    """The records a workspace holds for this computer (path key -> what was hashed), asked before a file
    is opened."""

    def __init__(self, recorded: Mapping[str, Hashed]):
        self._recorded = recorded

    def known(self, key: str, info: os.stat_result) -> str | None:
        """The content hash of the file at ``key`` when ``info`` is exactly its recorded signature and the
        record is not racy; else None (read and hash it)."""
        record = self._recorded.get(key)
        if record is None or record.racy or record.signature != signature_of(info):
            return None
        return record.sha256

    def to_record(self, hashed: Iterable[Hashed]) -> list[Hashed]:
        """What discovery hashed that is not recorded as it is (new, changed, or racy last time)."""
        out = []
        for item in hashed:
            record = self._recorded.get(item.key)
            if record is None or record.racy or record.signature != item.signature or record.sha256 != item.sha256:
                out.append(item)
        return out
