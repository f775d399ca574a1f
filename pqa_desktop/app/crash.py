"""Crash reports: an unexpected error becomes a small text file for support, never a traceback on screen.

The report holds versions, the exception type, the code locations (file, line, function) and counts the
caller passes in. It leaves out the exception's message and local values: either can hold a file name or a
cell value from the inputs, and support details are versions and counts, never values.
"""
from __future__ import annotations

import platform
import traceback
from datetime import datetime
from pathlib import Path
from typing import Mapping

from PySide6 import __version__ as pyside_version

from .. import __version__
from ..core.userdata import app_data_dir

CRASH_FOLDER = "crash-reports"


def crash_report_text(exc: BaseException, context: Mapping[str, object] | None = None,
                      when: datetime | None = None) -> str:
    when = when or datetime.now()
    lines = [
        "PQA Desktop crash report",
        f"Time: {when.isoformat(timespec='seconds')}",
        f"PQA Desktop: {__version__}",
        f"Python: {platform.python_version()}",
        f"PySide6: {pyside_version}",
        f"System: {platform.system()} {platform.release()} ({platform.machine()})",
        "",
    ]
    for key, value in (context or {}).items():
        lines.append(f"{key}: {value}")
    if context:
        lines.append("")
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for n, item in enumerate(chain):
        heading = "Error" if n == 0 else "Raised while handling"
        lines.append(f"{heading}: {type(item).__module__}.{type(item).__qualname__}")
        for frame in traceback.extract_tb(item.__traceback__):
            lines.append(f"  {_code_location(frame.filename)}:{frame.lineno} in {frame.name}")
    lines.append("")
    lines.append("The error message and any values are left out: they can contain details from the inputs.")
    return "\n".join(lines) + "\n"


def _code_location(filename: str) -> str:
    """The module path from the package (or library) down, so the report does not show a user's folders."""
    parts = Path(filename).parts
    for anchor in ("pqa_desktop", "site-packages", "lib"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor):])
    return Path(filename).name


def write_crash_report(exc: BaseException, context: Mapping[str, object] | None = None,
                       folder: Path | None = None) -> Path:
    """Write the report into the app-data folder; returns its path."""
    when = datetime.now()
    target = (folder or app_data_dir()) / CRASH_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    stem = f"crash-{when:%Y%m%d-%H%M%S}"
    path = target / f"{stem}.txt"
    n = 1
    while path.exists():
        n += 1
        path = target / f"{stem}-{n}.txt"
    path.write_text(crash_report_text(exc, context, when), encoding="utf-8")
    return path
