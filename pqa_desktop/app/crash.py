"""Crash reports: an unexpected error becomes a small text file for support, never a traceback on screen.

The report holds versions, the exception type, the code locations (file, line, function) and counts the
caller passes in. It leaves out the exception's message and local values: either can hold a file name or a
cell value from the inputs, and support details are versions and counts, never values.

Three routes lead here: a failed check (analysis) or build, which the window reports from the job's
``failed`` signal, and any other uncaught exception, caught by the hook ``install_excepthook`` sets up.
"""
from __future__ import annotations

import platform
import sys
import threading
import traceback
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from PySide6 import __version__ as pyside_version

from .. import __version__
from ..core.runtime.userdata import app_data_dir

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


def unexpected_error_message(report: Path | None, what: str = "") -> str:
    """The plain dialog after an unexpected error: what happened, where the report is, what to do next."""
    during = f" while {what}" if what else ""
    where = (f"A report for support was saved as {report}. It holds no data from your files."
             if report is not None else "A report for support could not be saved.")
    return (f"Something went wrong{during}, so that step did not finish. {where} Try again; if it happens "
            "again, send that report to support.")


def install_excepthook(show: Callable[[str], None] | None = None,
                       folder: Path | None = None) -> Callable[[], None]:
    """Send every uncaught exception (in a Qt slot or event handler, or a Python thread) to a crash report
    instead of a traceback on a console the user never sees, and tell the user with ``show(message)``.

    PySide6 hands an exception raised in a slot to ``sys.excepthook`` and carries on, so the window stays
    usable. ``show`` runs only for the UI thread's errors (a worker thread must not touch widgets). Returns a
    function that puts the previous hooks back.
    """
    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook
    showing = threading.local()

    def report(exc: BaseException) -> Path | None:
        try:
            return write_crash_report(exc, {"Where": "unexpected error"}, folder)
        except OSError:
            return None

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt) or exc is None:
            previous_hook(exc_type, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        path = report(exc)
        if show is not None and not getattr(showing, "active", False):
            showing.active = True  # an error raised while the dialog is up is reported, not shown again
            try:
                show(unexpected_error_message(path))
            finally:
                showing.active = False

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            previous_thread_hook(args)
            return
        report(args.exc_value)

    sys.excepthook = hook
    threading.excepthook = thread_hook

    def uninstall() -> None:
        sys.excepthook, threading.excepthook = previous_hook, previous_thread_hook

    return uninstall
