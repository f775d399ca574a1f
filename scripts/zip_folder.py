"""Zip a folder for release, and unzip it again, keeping what Python's ``zipfile -c`` loses.

- Symbolic links stay links (the Linux bundle links libQt6*.so and ICU into _internal; following them
  would store 60 MB twice). Windows bundles have none.
- Unix permissions are kept, so the executables stay executable after ``unzip`` or ``extract`` here.
- Entries are sorted, so the same folder gives the same order of entries on every machine.

Usage: python scripts/zip_folder.py create OUT.zip FOLDER     (entries start with FOLDER's name)
       python scripts/zip_folder.py extract IN.zip DEST
"""
from __future__ import annotations

import os
import stat
import sys
import zipfile
from pathlib import Path

_SYMLINK = stat.S_IFLNK | 0o777


def create(out: Path, folder: Path) -> Path:
    folder = folder.resolve()
    paths = sorted(p for p in folder.rglob("*"))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in [folder, *paths]:
            name = path.relative_to(folder.parent).as_posix()
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                entry = zipfile.ZipInfo(name)
                entry.create_system = 3  # Unix, so external_attr is read as a mode
                entry.external_attr = _SYMLINK << 16
                archive.writestr(entry, os.readlink(path))
            elif path.is_dir():
                archive.write(path, name + "/")
            else:
                archive.write(path, name)
    return out


def extract(archive_path: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive_path) as archive:
        for entry in archive.infolist():
            mode = entry.external_attr >> 16
            target = dest / entry.filename
            if stat.S_ISLNK(mode) and os.name != "nt":
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(archive.read(entry).decode("utf-8"), target)
                continue
            archive.extract(entry, dest)
            if mode and not entry.is_dir() and os.name != "nt":
                os.chmod(target, stat.S_IMODE(mode))
    return dest


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in {"create", "extract"}:
        sys.exit(__doc__)
    if sys.argv[1] == "create":
        print(f"zip: {create(Path(sys.argv[2]), Path(sys.argv[3]))}")
    else:
        print(f"extracted: {extract(Path(sys.argv[2]), Path(sys.argv[3]))}")
