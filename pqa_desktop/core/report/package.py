"""Saving the workbook: document properties (with language en-GB), optional encryption and an
atomic, reproducible write."""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

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


def write_atomically(path: str | os.PathLike, data: bytes, program: str = "Excel") -> None:
    """Write to a temporary file beside path, then replace path in one step.

    On any failure the file already at path is untouched and no temporary file is left behind. A
    PermissionError (on Windows: the file is open in Excel, or in ``program``) becomes
    OutputNotWritable, with a message saying so.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=".tmp", dir=folder)
    except PermissionError as exc:
        raise OutputNotWritable(_not_writable(target, program)) from exc
    except OSError as exc:  # no such folder, or (Windows) a path longer than it opens
        raise OutputNotWritable(_cannot_create(target), locked=False) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
    except PermissionError as exc:
        _remove_quietly(tmp_name)
        raise OutputNotWritable(_not_writable(target, program)) from exc
    except (FileNotFoundError, NotADirectoryError) as exc:
        _remove_quietly(tmp_name)
        raise OutputNotWritable(_cannot_create(target), locked=False) from exc
    except BaseException:
        _remove_quietly(tmp_name)
        raise


def _not_writable(target: Path, program: str = "Excel") -> str:
    return (f"Cannot save {target.name}: the file is open in {program} or the folder is read-only. "
            f"Close {target.name} in {program}, or choose another name or folder, and build again.")


def _cannot_create(target: Path) -> str:
    length = len(os.path.abspath(target))
    if length >= WINDOWS_MAX_PATH:
        return (f"Cannot save {target.name}: its full path is {length} characters long, and Windows saves paths "
                f"longer than {WINDOWS_MAX_PATH} characters only where long paths are turned on. Choose a folder "
                "nearer the top of the drive (such as Documents) or a shorter name, and build again.")
    return (f"Cannot save {target.name}: the folder it should go in does not exist or is not available. "
            "Choose another folder, and build again.")


def _remove_quietly(name: str) -> None:
    try:
        os.remove(name)
    except FileNotFoundError:
        pass
