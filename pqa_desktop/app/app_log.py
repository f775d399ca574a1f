"""The app's log, for support: one line per finished check or build, in the app-data folder.

``pqa-desktop.log`` holds counts and seconds only (how many inputs, how they were read: worker processes
or the app's own, and whether the worker pool fell back), never a file name, a path or a value from the
inputs, as the crash reports. It is kept under ``MAX_BYTES``: the older half moves to ``.1``.
A log that cannot be written is skipped silently: it must never stop a check or a build.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..core.runtime.userdata import app_data_dir

LOG_FILE = "pqa-desktop.log"
MAX_BYTES = 256 * 1024


def log_path(folder: Path | None = None) -> Path:
    return (folder or app_data_dir()) / LOG_FILE


def write_log(line: str, folder: Path | None = None, when: datetime | None = None) -> None:
    path = log_path(folder)
    stamp = (when or datetime.now()).isoformat(timespec="seconds")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.stat().st_size > MAX_BYTES:
            os.replace(path, path.with_name(LOG_FILE + ".1"))
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{stamp} {line}\n")
    except OSError:
        pass


def reading_line(step: str, analysis) -> str:
    """``check``/``build``: inputs, how they were read, and the read stage's seconds."""
    stats = analysis.reading
    parts = [f"{step}: {len(analysis.results)} inputs",
             f"read in workers {stats.in_workers}", f"read in the reading process {stats.in_reader}",
             f"read in the app {stats.in_process}",
             f"workers {stats.workers} ({stats.start_method or 'none'}: {stats.reason or 'nothing to read'})",
             f"pool fell back {'yes, ' + str(stats.fell_back) + ' inputs' if stats.pool_fell_back else 'no'}"]
    if "read" in analysis.timings:
        parts.append(f"read {analysis.timings['read']:.2f} s")
    return "; ".join(parts)
