"""Saving the workbook: document properties (with language en-GB), optional encryption and an
atomic, reproducible write."""
from __future__ import annotations

import errno
import io
import os
import re
import stat
import tempfile
import time
import zipfile
from io import StringIO
from pathlib import Path

import xlsxwriter
from xlsxwriter.packager import Packager

CORE_PROPERTIES = "docProps/core.xml"
LANGUAGE = "en-GB"


WINDOWS_MAX_PATH = 260  # characters in a full path that Windows opens unless long paths are turned on


class OutputNotWritable(OSError):
    """The workbook could not be saved at the chosen path: ``locked`` when another program holds it (on
    Windows, Excel's lock) or the folder is read-only; else the folder is missing or the path too long.
    The message says which, and what to do."""

    def __init__(self, message: str, locked: bool = True):
        super().__init__(message)
        self.locked = locked


def _with_language(core_xml: str, language: str = LANGUAGE) -> str:
    """The core properties' XML with <dc:language> as their last element (``add_language`` writes the same)."""
    if "<dc:language>" in core_xml:
        return core_xml
    return core_xml.replace("</cp:coreProperties>", f"<dc:language>{language}</dc:language></cp:coreProperties>")


class _LanguagePackager(Packager):
    """XlsxWriter's packager, writing the core properties with <dc:language> in the first place."""

    def __init__(self, workbook: "Workbook") -> None:
        super().__init__()
        self._owner = workbook

    def _write_core_file(self) -> None:
        super()._write_core_file()
        stream, name, _binary = self.filenames[-1]
        if name == CORE_PROPERTIES and isinstance(stream, StringIO):
            text = _with_language(stream.getvalue())
            stream.seek(0)
            stream.truncate()
            stream.write(text)
            self._owner.language_written = True


class Workbook(xlsxwriter.Workbook):
    """An in-memory XlsxWriter workbook whose core properties say their language (en-GB).

    ``add_language`` did this after the package was written, by unzipping and re-compressing every part: a
    tenth of a large council's workbook's render time (issue 18). Written in the first place, through the
    packager XlsxWriter lets a subclass choose (``Workbook._get_packager``), the bytes are the same: the
    same parts, compressed alike, with XlsxWriter's fixed 1980 timestamps. ``bytes_with_language`` falls
    back to ``add_language`` should a later XlsxWriter package its files some other way.
    """

    language_written = False

    def _get_packager(self):
        return _LanguagePackager(self)


def bytes_with_language(workbook: xlsxwriter.Workbook, xlsx: bytes) -> bytes:
    """The closed ``workbook``'s bytes (``xlsx``), with the language its packager wrote or added now."""
    return xlsx if getattr(workbook, "language_written", False) else add_language(xlsx)


def let_go(workbook: xlsxwriter.Workbook) -> None:
    """Empty a closed workbook and its parts (sheets, charts, drawings) so that reference counting frees
    them at once. XlsxWriter's objects refer to one another in cycles, so a council's written workbook (some
    75,000 objects: every cell written, each sheet's rows and formats) was left for the cyclic garbage
    collector, whose next full pass walked all of it: 13 ms on a quiet machine, up to 45 ms at the end of the
    app's build, with every thread of the window waiting (issue 18). Only once its bytes have been taken."""
    for part in (*workbook.worksheets_objs, *workbook.charts, *workbook.drawings, workbook):
        part.__dict__.clear()


def add_language(xlsx: bytes, language: str = LANGUAGE) -> bytes:
    """Add <dc:language> to the core properties.

    XlsxWriter's set_properties() has no language, so the package is rewritten with every other part
    copied byte for byte, keeping XlsxWriter's fixed 1980 timestamps (the output stays reproducible).
    """
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == CORE_PROPERTIES and b"<dc:language>" not in data:
                data = data.replace(b"</cp:coreProperties>",
                                    f"<dc:language>{language}</dc:language></cp:coreProperties>".encode())
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            target.writestr(copy, data)
    return out.getvalue()


def save_workbook(path: str | os.PathLike, xlsx: bytes, password: str | None = None) -> None:
    """Save rendered workbook bytes at path atomically, encrypted first when a password is given.

    The password is used in memory only (ECMA-376 agile encryption, as Excel does): it is never
    stored, logged or written. Raises OutputNotWritable when path cannot be replaced.
    """
    if password:
        from ..encryption import encrypt_xlsx

        xlsx = encrypt_xlsx(xlsx, password)
    write_atomically(path, xlsx)


# Our own temporary files, as ``write_atomically`` names them: ".~<name>." + mkstemp's 8 characters + ".tmp".
# A kill during a save leaves one behind; the next save to the folder removes those this old or older (no
# save takes minutes, so a younger one may be another save's, still being written).
_TEMPORARY = re.compile(r"^\.~.+\.[a-z0-9_]{8}\.tmp$")
STALE_TEMPORARY_SECONDS = 10 * 60


def write_atomically(path: str | os.PathLike, data: bytes, program: str = "Excel") -> None:
    """Write to a temporary file beside path, then replace path in one step.

    On any failure the file already at path is untouched and no temporary file is left behind; a save
    killed outright leaves one, which the next save to that folder removes (``remove_stale_temporaries``).
    Every failure becomes OutputNotWritable with a plain message: a PermissionError (on Windows: the file
    is open in Excel, or in ``program``) says so; a missing folder, a name too long or a full disk say that.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temporaries(folder)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=".tmp", dir=folder)
    except OSError as exc:  # open elsewhere, read-only, no such folder, (Windows) a path longer than it opens
        raise OutputNotWritable(_not_writable(target, program, exc), locked=_is_locked(exc)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
    except OSError as exc:
        _remove_quietly(tmp_name)
        raise OutputNotWritable(_not_writable(target, program, exc), locked=_is_locked(exc)) from exc
    except BaseException:
        _remove_quietly(tmp_name)
        raise


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[str]:
    """Remove from ``folder`` the temporary files a killed save of ours left (by name and age: only ours,
    only those at least ``STALE_TEMPORARY_SECONDS`` old); the names removed. Never raises."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _TEMPORARY.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_TEMPORARY_SECONDS:
                continue
            os.remove(entry.path)
            removed.append(entry.name)
        except OSError:
            continue  # in use, or gone meanwhile: left for the next save
    return removed


def _is_locked(error: OSError) -> bool:
    """Whether another program may hold the file (Windows' sharing violation is a PermissionError)."""
    return isinstance(error, PermissionError)


def _not_writable(target: Path, program: str = "Excel", error: OSError | None = None) -> str:
    """What to tell the user when ``target`` cannot be saved: only a permission error can be the file being
    open in ``program``; other errors say what they are, never as an "[Errno n]"."""
    folder = target.parent if str(target.parent) else Path(".")
    if error is not None and not isinstance(error, PermissionError):
        length = len(os.path.abspath(target))
        if (length >= WINDOWS_MAX_PATH and isinstance(error, (FileNotFoundError, NotADirectoryError))) \
                or error.errno == errno.ENAMETOOLONG:
            return (f"Cannot save {target.name}: its full path is {length} characters long, too long for Windows, "
                    f"which saves paths longer than {WINDOWS_MAX_PATH} characters only where long paths are turned "
                    "on. Choose a folder nearer the top of the drive (such as Documents) or a shorter name, and "
                    "build again.")
        if isinstance(error, FileNotFoundError):
            reason = f"the folder '{folder}' does not exist (any more)"
        elif isinstance(error, IsADirectoryError):
            reason = f"'{target.name}' is a folder"
        elif isinstance(error, NotADirectoryError):
            reason = f"'{folder}' is not a folder"
        elif error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            reason = "the disk is full"
        elif error.errno == errno.EROFS:
            reason = "the disk is read-only"
        else:
            reason = f"the computer said: {error.strerror or 'the file could not be written'}"
        return f"Cannot save {target.name}: {reason}. Choose another name or folder, and build again."
    return (f"Cannot save {target.name}: the file is open in {program} or the folder is read-only. "
            f"Close {target.name} in {program}, or choose another name or folder, and build again.")


def _remove_quietly(name: str) -> None:
    try:
        os.remove(name)
    except FileNotFoundError:
        pass
