"""From what the user drops (files, folders, zips, saved emails) to a flat list of candidate inputs.

Every file is read once, as bytes, and never written. Containers are opened (zips, .eml, .msg, nested
up to ``ArchiveLimits.max_depth``); what is inside becomes an ``InputFile`` whose display name chains
the containers ("Audits.eml › returns.zip › Audit 1.xlsx"). Nothing raises: a missing path, a damaged
zip or a file that is not an input is a finding.
"""
from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from dataclasses import dataclass, field

from ..findings import Finding, Severity, register_rule
from ..records import InputFile
from .archives import (RULE_TOO_DEEP, SEP, ArchiveLimits, BuildBudget, ExtractionBudget, build_limit_finding,
                       describe_size, read_zip, safe_name)
from .emails import read_eml, read_msg
from . import signatures
from .signatures import Hashed, Signature, signature_of

INPUT_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".xml"})
CONTAINER_SUFFIXES = frozenset({".zip", ".eml", ".msg"})
# Files Windows and macOS leave in folders; lower case.
SYSTEM_FILES = frozenset({"desktop.ini", "thumbs.db", ".ds_store"})

RULE_SKIPPED = register_rule("input.skipped", "A file is not an input (wrong type, or a system or lock file), "
                                              "so it was skipped.")
RULE_EMPTY = register_rule("input.empty", "A file is empty (0 bytes), so there is nothing to read.")
RULE_DUPLICATE_FILE = register_rule(
    "input.duplicate_file", "Two inputs have exactly the same content, so the file is read once.")
RULE_UNREADABLE = register_rule(
    "input.unreadable", "A file or folder could not be found or opened.")
RULE_TOO_LARGE = register_rule("input.too_large", "A file is larger than any real input, so it was not read.")

CancelFn = Callable[[], bool]
KnownSignatureFn = Callable[[str, os.stat_result], "str | None"]

CONTAINER_LABELS = {".zip": "Zip archive", ".eml": "Saved email", ".msg": "Saved email"}


@dataclass(frozen=True)
class PassedOver:
    """An input that gave no file to read (skipped, empty, a copy of another, unopenable, or a zip or email
    whose own problems are findings), so the inputs list can still show it with why."""

    name: str  # display name, as its findings name it
    path: str | None  # the outermost file on disk, when known
    label: str  # why, in a few words: "Skipped: a lock file Office leaves while a document is open"


@dataclass
class Discovered:
    files: list[InputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    passed_over: list[PassedOver] = field(default_factory=list)
    # with ``known_signature``: each file on disk read and hashed, with its signature (to record)
    hashed: list[Hashed] = field(default_factory=list)


def skip_reason(name: str) -> str | None:
    """Why a file called ``name`` is not an input, or None when it is a candidate (or a container)."""
    lower = name.lower()
    if lower in SYSTEM_FILES:
        return "a file Windows or macOS keeps in folders"
    if name.startswith("~$"):
        return "a lock file Office leaves while a document is open"
    if name.startswith("._"):
        return "macOS file information, not a document"
    suffix = Path(lower).suffix
    if suffix in INPUT_SUFFIXES or suffix in CONTAINER_SUFFIXES:
        return None
    return f"PQA Desktop does not read {suffix} files" if suffix else "a file with no type (no extension)"


def discover(paths: Sequence[str | Path], *, cancel: CancelFn | None = None,
             limits: ArchiveLimits = ArchiveLimits()) -> tuple[list[InputFile], list[Finding]]:
    """Candidate input files from ``paths`` (files, folders searched recursively, zips, .eml, .msg).

    Order is deterministic: paths in the order given, folder entries by name (ignoring case), zip
    members by path, attachments in message order. Byte-identical files are kept once. ``cancel`` is
    checked between files; when it returns True, what was found so far is returned.
    """
    found = discover_inputs(paths, cancel=cancel, limits=limits)
    return found.files, found.findings


def discover_inputs(paths: Sequence[str | Path], *, cancel: CancelFn | None = None,
                    limits: ArchiveLimits = ArchiveLimits(),
                    keep_bytes: Callable[[str], bool] | None = None,
                    known_signature: KnownSignatureFn | None = None) -> Discovered:
    """``discover``, and every input that gave no file to read, with why (``Discovered.passed_over``): one
    per display name that has findings but no file, in the order found.

    ``keep_bytes(sha256)``: whether a file's content will be read; a file it says no to is given without its
    bytes (its hash, name and place are all the caller needs, e.g. a file already imported in a workspace).
    A council's year is some 35 MB of files, all held at once until discovery ended, on top of the check on
    screen when the app checks again after one new return (issue 18).

    ``known_signature(path key, stat)``: the content hash of a file on disk whose stat signature is the one
    recorded when it was hashed (``signatures.SignatureBook.known``), else None. A file it knows, which
    ``keep_bytes`` says no to, is not even opened: it is given with that hash and no bytes, as if read (a
    duplicate still found, its size counted in the build's budget). Every other file on disk (not a member
    of a zip or email, nor a zip or email itself, which are always opened) is read and hashed, and listed in
    ``Discovered.hashed`` with the signature taken before it was opened, to be recorded."""
    if isinstance(paths, (str, Path)):  # a single path passed by mistake would iterate its characters
        paths = [paths]
    run = _Discovery(limits, cancel or (lambda: False), keep_bytes, known_signature)
    for path in paths:
        if run.cancel():
            break
        run.add_path(Path(path))
    read = {f.name for f in run.files}
    passed: dict[str, PassedOver] = {}
    for finding in run.findings:
        name = finding.file
        if name in read or name in passed:
            continue
        outer = name.split(SEP, 1)[0].strip()
        suffix = Path(name.rsplit(SEP, 1)[-1].strip().lower()).suffix
        label = run.labels.get(name) or CONTAINER_LABELS.get(suffix) or "Not read"
        passed[name] = PassedOver(name, run.origins.get(name) or run.origins.get(outer), label)
    return Discovered(run.files, run.findings, list(passed.values()), run.hashed)


def _modified(info: os.stat_result) -> datetime:
    """A file's modified time, naive UTC like the "modified" property openpyxl reads from a workbook, so the
    two compare."""
    return datetime.fromtimestamp(info.st_mtime, tz=timezone.utc).replace(tzinfo=None)


WINDOWS_MAX_PATH = 260  # characters in a full path that Windows opens unless long paths are turned on


def _long_path_note(path: Path) -> str:
    """Why a file with a very long path may fail on Windows (nothing when the path is short enough).
    Says the length only, never the path: folder names can hold a child's or a worker's name."""
    length = len(os.path.abspath(path))
    if length < WINDOWS_MAX_PATH:
        return ""
    return (f" Its full path is {length} characters long: Windows opens paths longer than {WINDOWS_MAX_PATH} "
            "characters only where long paths are turned on, so if it is there, move the folder nearer the top "
            "of the drive or shorten the folder names.")


class _Discovery:
    def __init__(self, limits: ArchiveLimits, cancel: CancelFn,
                 keep_bytes: Callable[[str], bool] | None = None,
                 known_signature: KnownSignatureFn | None = None) -> None:
        self.limits = limits
        self.keep_bytes = keep_bytes  # whether a file's content is wanted (None: every file's)
        self.known_signature = known_signature  # a file's hash from its stat signature (None: always read)
        self.hashed: list[Hashed] = []
        self.build = BuildBudget(limits)  # what the build may still read, every input together
        self.cancel = cancel
        self.files: list[InputFile] = []
        self.findings: list[Finding] = []
        self.seen: dict[str, str] = {}  # sha256 -> display name of the first file with that content
        self.names: set[str] = set()  # display names given out, to keep them unique
        self.origins: dict[str, str] = {}  # display name -> the outermost file on disk (for the inputs list)
        self.labels: dict[str, str] = {}  # display name -> why it gave no file to read, in a few words

    # ------------------------------------------------------------ disk

    def add_path(self, path: Path) -> None:
        name = safe_name(path.name, str(path))
        try:
            info = path.stat()  # follows a link the user dropped: they chose it
        except FileNotFoundError:
            self._finding(name, Severity.ERROR, RULE_UNREADABLE,
                          "This file or folder could not be found. Check it has not been moved or renamed, "
                          "then add it again." + _long_path_note(path), label="Not found")
            return
        except OSError:
            self._unreadable(name, path)
            return
        if stat.S_ISDIR(info.st_mode):
            root = path.resolve()
            self._walk(path, root)
        else:
            self._add_disk_file(path, name)

    def _walk(self, folder: Path, root: Path) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: (e.name.casefold(), e.name))
        except OSError:
            self._finding(safe_name(folder.name, str(folder)), Severity.ERROR, RULE_UNREADABLE,
                          "This folder could not be opened (no permission, or it is on a drive that is not "
                          "available). Check you can open it, then add it again.", label="Folder could not be opened")
            return
        for entry in entries:
            if self.cancel():
                return
            path = Path(entry.path)
            name = safe_name(entry.name)
            try:
                if entry.is_symlink():
                    self._linked(path, name, root)
                elif entry.is_dir(follow_symlinks=False):
                    self._walk(path, root)
                else:
                    self._add_disk_file(path, name)
            except OSError:
                self._unreadable(name, path)

    def _linked(self, path: Path, name: str, root: Path) -> None:
        """A link inside a folder: read a linked file inside the same tree, never leave the tree and never
        follow a linked folder (its content is either in the tree already or outside it; a loop is possible)."""
        target = path.resolve()
        if target.is_dir():
            return
        if not target.is_relative_to(root):
            self.origins.setdefault(name, str(path))
            self._skipped(name, "a shortcut to a file outside the folder that was added")
            return
        self._add_disk_file(path, name)

    def _add_disk_file(self, path: Path, name: str) -> None:
        self.origins.setdefault(name, str(path))
        reason = skip_reason(name)
        if reason is not None:  # not even opened: a lock file may be held by Excel
            self._skipped(name, reason)
            return
        counted = Path(name.lower()).suffix not in CONTAINER_SUFFIXES
        before = None  # (path key, signature, when) taken before the file is opened, to record once hashed
        if self.known_signature is not None and counted:
            before = self._quick_check(path, name)
            if before is None:
                return  # known by its signature: not opened
        # O_NONBLOCK: opening a named pipe for reading would otherwise wait for a writer forever.
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            with os.fdopen(os.open(path, flags), "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode):  # a pipe or a device would block or never end
                    self._skipped(name, "not an ordinary file")
                    return
                # What a build holds is counted as it becomes inputs: a file itself, or what a zip or an email
                # on disk unpacks (its own bytes are let go once it is opened).
                if counted and self.limits.max_member_bytes >= info.st_size > self.build.bytes_left:
                    self.findings.append(build_limit_finding(name, self.build.limit))
                    return
                # Read with a cap, whatever size the file system says: the file may be growing.
                cap = min(self.limits.max_member_bytes, self.build.bytes_left) if counted else self.limits.max_member_bytes
                data = handle.read(cap + 1)
        except OSError:
            self._unreadable(name, path)
            return
        if len(data) > self.limits.max_member_bytes:
            self._finding(name, Severity.ERROR, RULE_TOO_LARGE,
                          f"This file is larger than {describe_size(self.limits.max_member_bytes)}, far larger "
                          "than any return or export, so it was not read. Check it is the right file.",
                          label="Skipped: far too large to be an input")
            return
        if counted:
            if len(data) > self.build.bytes_left:
                self.findings.append(build_limit_finding(name, self.build.limit))
                return
            self.build.bytes_left -= len(data)
        sha = self._add_bytes(name, data, str(path), _modified(info), depth=0,
                              budget=ExtractionBudget(self.limits, self.build))
        if before is not None and before[1] is not None and sha is not None:
            key, signature, read_at = before
            self.hashed.append(Hashed(key, signature, sha, read_at))

    def _quick_check(self, path: Path, name: str) -> tuple[str, Signature | None, int] | None:
        """Give a file known by its stat signature without opening it (None), else what to record of it once
        it is hashed: its path key, its signature before it was opened, and when that was taken. A file that
        cannot be looked at, is not an ordinary file, is empty or too large for what the build may still hold
        goes the usual way, which says so as it always has."""
        read_at = signatures.clock_ns()  # before the stat: a record is judged racy against the earliest moment
        try:
            key = signatures.path_key(path)
            info = signatures.file_stat(path)
        except OSError:
            return "", None, read_at
        fits = 0 < info.st_size <= min(self.limits.max_member_bytes, self.build.bytes_left)
        if stat.S_ISREG(info.st_mode) and fits and self.keep_bytes is not None:
            sha = self.known_signature(key, info)
            if sha is not None and not self.keep_bytes(sha):
                self.build.bytes_left -= info.st_size  # counted as its bytes would have been
                self._add_known(name, sha, str(path), _modified(info))
                return None
        return key, signature_of(info), read_at

    # ------------------------------------------------------------ content (disk or container)

    def _add_known(self, display: str, sha: str, origin: str, modified: datetime) -> None:
        """A file on disk known by its signature to hold content hashed before (and not wanted again): what
        ``_add_bytes`` gives for such a file, without its bytes."""
        self.origins.setdefault(display, origin)
        if self._is_duplicate(display, sha):
            return
        self.files.append(InputFile(name=self._unique(display), data=b"", sha256=sha, path=origin,
                                    modified=modified))

    def _is_duplicate(self, display: str, sha: str) -> bool:
        """Whether content ``sha`` was found before (said as a finding); else it is now."""
        first = self.seen.get(sha)
        if first is not None:
            self._finding(display, Severity.INFO, RULE_DUPLICATE_FILE,
                          f"'{display}' has exactly the same content as '{first}', so it is read once "
                          f"(as '{first}'). Nothing to do.", label=f"Duplicate: same as {first}, read once")
            return True
        self.seen[sha] = display
        return False

    def _add_bytes(self, display: str, data: bytes, origin: str, modified: datetime, depth: int,
                   budget: ExtractionBudget) -> str | None:
        """One file's content, whether from disk or from a container; ``depth`` counts the containers
        around it. Returns its content hash (None when empty)."""
        self.origins.setdefault(display, origin)
        if not data:
            self._finding(display, Severity.WARNING, RULE_EMPTY,
                          "This file is empty (0 bytes), so there is nothing to read. If it should hold a "
                          "return, ask the auditor to send it again.", label="Skipped: empty (0 bytes)")
            return None
        sha = hashlib.sha256(data).hexdigest()
        if self._is_duplicate(display, sha):
            return sha
        suffix = Path(display.rsplit(SEP, 1)[-1].lower()).suffix
        if suffix in CONTAINER_SUFFIXES:
            self._open_container(display, suffix, data, origin, modified, depth, budget)
            return sha
        if self.keep_bytes is not None and not self.keep_bytes(sha):
            data = b""
        self.files.append(InputFile(name=self._unique(display), data=data, sha256=sha, path=origin,
                                    modified=modified))
        return sha

    def _open_container(self, display: str, suffix: str, data: bytes, origin: str, modified: datetime,
                        depth: int, budget: ExtractionBudget) -> None:
        if depth >= self.limits.max_depth:
            self._finding(display, Severity.WARNING, RULE_TOO_DEEP,
                          f"This {suffix} file is inside {depth} other zips or emails, more than PQA Desktop "
                          "opens, so it was not opened. Take it out and add it directly.",
                          label="Skipped: inside too many zips or emails")
            return
        if suffix == ".zip":
            parts = read_zip(data, display, self.findings, skip_reason, budget)
        elif suffix == ".eml":
            parts = read_eml(data, display, self.findings, skip_reason)
        else:
            parts = read_msg(data, display, self.findings, skip_reason, self.limits.max_depth - depth - 1)
        for part in parts:
            if self.cancel():
                return
            inner = display + SEP + SEP.join(part.names)
            self.origins.setdefault(inner, origin)
            if part.data is None:
                self._skipped(inner, part.skip_reason or "not an input")
                continue
            if suffix != ".zip":  # an attachment: what a zip unpacks is counted as it is unpacked
                if len(part.data) > self.build.bytes_left:
                    self.findings.append(build_limit_finding(inner, self.build.limit))
                    continue
                self.build.bytes_left -= len(part.data)
            self._add_bytes(inner, part.data, origin, modified, depth + len(part.names), budget)

    # ------------------------------------------------------------ helpers

    def _unique(self, display: str) -> str:
        """Two different files may share a name (in different folders, which display names leave out):
        number the later one, keeping its suffix, so findings point at one file."""
        candidate, number = display, 1
        while candidate in self.names:
            number += 1
            head, dot, suffix = display.rpartition(".")
            candidate = f"{head} ({number}).{suffix}" if dot and SEP not in suffix else f"{display} ({number})"
        self.names.add(candidate)
        return candidate

    def _skipped(self, display: str, reason: str) -> None:
        self._finding(display, Severity.INFO, RULE_SKIPPED, f"Skipped: not an input ({reason}). Nothing to do.",
                      label=f"Skipped: {reason}")

    def _unreadable(self, name: str, path: Path | None = None) -> None:
        self._finding(name, Severity.ERROR, RULE_UNREADABLE,
                      "This file could not be opened (it may be open in another program, or you may not "
                      "have permission to read it). Close it or check the permission, then try again."
                      + (_long_path_note(path) if path is not None else ""), label="Could not be opened")

    def _finding(self, display: str, severity: Severity, rule: str, message: str, label: str = "") -> None:
        self.findings.append(Finding(display, "", "", severity, rule, message))
        if label:
            self.labels.setdefault(display, label)
