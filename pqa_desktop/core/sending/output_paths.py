"""Where the workbook and the email draft will be written, checked before any work (issue 15, cases 5 and 6).

An output must never take the place of an input, and a mistake in the path is said at once, in plain
words, before a single input is read: not after a minute of reading, as an ``[Errno 2]`` or as a file
"open in Excel" that is not. The command line and the app's save dialogs both call ``output_problem`` and
``draft_problem``; each returns the message to show, or None when the path can be written.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterable, Mapping

from ..inputs.discover import CONTAINER_SUFFIXES, INPUT_SUFFIXES

# The longest file name (without its folder) the file systems allow: 255 bytes (Linux, macOS) or 255
# UTF-16 characters (Windows NTFS).
MAX_NAME = 255

PathLike = str | os.PathLike


def output_problem(output: PathLike, *, inputs: Iterable[PathLike] = (),
                   other_files: Mapping[str, PathLike | None] | None = None, what: str = "workbook") -> str | None:
    """Why ``output`` cannot be the ``what`` written (a message for the user), or None.

    ``inputs`` are the files and folders given as inputs (a file found inside a folder given is an input
    too); ``other_files`` are the other files the command reads, by what they are ("the settings file":
    path), none of which may be written over either.
    """
    text = os.fspath(output) if output is not None else ""
    if not text.strip() or text == ".":  # "." is what an empty -o becomes through Path("")
        return (f"No file name was given for the {what}: give one, such as "
                f"{'report.xlsx' if what == 'workbook' else 'report.eml'}.")
    path = Path(text)
    if path.name in ("", ".", "..") or text.endswith(("/", "\\")):
        return (f"'{text}' names a folder, not a file: give the {what} a file name in it, such as "
                f"{Path(text) / ('report.xlsx' if what == 'workbook' else 'report.eml')}.")
    if _too_long(path.name):
        return (f"The file name for the {what} is too long ({len(path.name):,} characters; file names may have "
                f"at most {MAX_NAME}): choose a shorter name.")
    if path.is_dir():
        return (f"'{path.name}' is a folder, not a file: give the {what} a file name inside it, such as "
                f"{path / ('report.xlsx' if what == 'workbook' else 'report.eml')}.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.exists():
        return (f"The folder '{folder}' does not exist, so the {what} cannot be saved there: create it first, "
                "or choose a folder that exists.")
    if not folder.is_dir():
        return f"'{folder}' is a file, not a folder, so the {what} cannot be saved in it: choose a folder."
    for given in inputs:
        if _is_input(path, Path(given)):
            return (f"The {what} would be written over '{path.name}', which is one of the inputs, and the input "
                    f"would be lost: choose another name or folder for the {what}. Nothing was read or written.")
    for label, other in (other_files or {}).items():
        if other is not None and _same_file(path, Path(other)):
            return (f"The {what} would be written over {label} ('{path.name}'), which this build reads: choose "
                    f"another name for the {what}. Nothing was read or written.")
    return None


def draft_problem(draft: PathLike, *, workbook: PathLike, inputs: Iterable[PathLike] = (),
                  other_files: Mapping[str, PathLike | None] | None = None) -> str | None:
    """``output_problem`` for the email draft, which may not be the workbook either."""
    problem = output_problem(draft, inputs=inputs, other_files=other_files, what="email draft")
    if problem is not None:
        return problem
    if _same_file(Path(draft), Path(workbook)):
        return ("The email draft and the workbook would be the same file, and the draft would take the workbook's "
                "place: give the draft its own name, ending .eml. Nothing was read or written.")
    return None


def _too_long(name: str) -> bool:
    if sys.platform == "win32":
        return len(name.encode("utf-16-le", "surrogatepass")) // 2 > MAX_NAME
    return len(os.fsencode(name)) > MAX_NAME


def _key(path: Path) -> str:
    """A path as the file system compares it: absolute, links resolved, case folded where case does not
    matter (Windows)."""
    try:
        resolved = path.resolve(strict=False)
    except (OSError, RuntimeError):  # a link loop: compare it as written
        resolved = path.absolute()
    return os.path.normcase(os.fspath(resolved))


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return _key(a) == _key(b)


def _is_input(output: Path, given: Path) -> bool:
    """Whether writing ``output`` would replace ``given`` or a file inside it that is read as an input."""
    if _same_file(output, given):
        return True
    try:
        if not given.is_dir() or not output.is_file():
            return False
    except OSError:
        return False
    inside = _key(output).startswith(_key(given).rstrip(os.sep) + os.sep)
    suffix = output.suffix.lower()
    return inside and (suffix in INPUT_SUFFIXES or suffix in CONTAINER_SUFFIXES)
