"""Worker processes: how they start, what starting them costs, and whether a pool of them pays its way.

The one place that decides (``reading`` and ``pipeline`` ask here; tune the figures here):

* **How workers start** (``start_method``): ``fork`` where that is safe (Linux, a process with no other
  threads and no Qt: the command line), else ``forkserver`` (Linux, the desktop app) or ``spawn``
  (Windows, macOS; a spawned worker is a fresh Python that imports the reading code, about a second).
  ``PQA_START_METHOD=spawn|forkserver|fork`` forces one, **for testing**: with ``spawn`` Linux runs the
  path every Windows laptop runs (CI does, for the whole suite and the bundle). A forced ``fork`` is
  honoured only where forking is safe (elsewhere the automatic choice stands: forking a process with
  Qt's threads can deadlock the copy); a name this system does not have is ignored.
* **Whether a pool pays** (``reading_plan``): reading in ``w`` workers costs the pool's start-up
  (``STARTUP_SECONDS``, nothing when a pool is already running) plus the larger of the biggest file and
  a ``w``-th of the work; reading here costs the work. The work is estimated from each file's size and
  kind (``READ_SECONDS_*``). The pool is used only when it is clearly quicker (``POOL_MARGIN``), so a
  spawned pool is never slower than one process on a small folder.
* **Where the KPIs are worked out** (``kpi_plan``): beside the other figures in a forked copy (fork
  only: it shares the tables without copying them), else here; see ``KPI_ELSEWHERE_MIN_ROWS``.

The figures below were measured on the project's machine (2 cores, Linux, Python 3.11; README, "Worker
processes") with ``scripts/start_cost.py``, while it was shared with other work; Windows' spawn is slower
still (antivirus scans each start), which only makes the in-process choice more likely there.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from dataclasses import dataclass
from typing import Sequence

START_METHOD_ENV = "PQA_START_METHOD"
WORKERS_ENV = "PQA_READ_WORKERS"
MAX_WORKERS = 4

# What a pool of two workers costs before and after the reading itself (scripts/start_cost.py): asking
# for the pool until both workers answer, plus sending the work and joining the workers at the end. A
# forked worker is a copy of this process (answers in 0.02-0.03 s; the whole pool's overhead, measured
# on the read stage of small folders, is nearer 0.15 s); a fork server starts once (a fresh Python
# importing the reading code, 0.9 s; later pools fork from it in 0.1 s) and forks each worker from
# itself; a spawned worker is a fresh Python importing the reading code (pandas and numpy are most of
# it), all workers at once (1.3-1.7 s measured here, on a machine shared with other work; importing the
# reading code alone takes 1.0-1.3 s).
STARTUP_SECONDS = {"fork": 0.15, "forkserver": 0.9, "spawn": 1.3}
# Reading cost by size (scripts/start_cost.py, in one process): a return (10-20 KB) costs about a
# millisecond and a half whatever its size, most of its bytes being the template's styles; beyond
# ``READ_SMALL_BYTES`` a file costs by the megabyte, a spreadsheet's compressed bytes about four times
# a CSV's plain ones.
READ_SECONDS_PER_FILE = 0.0015
READ_SMALL_BYTES = 64 * 1024
READ_SECONDS_PER_MB = {"text": 0.13, "spreadsheet": 0.50}
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".xml")
# Results travel back from a worker pickled: an allowance of a share of the reading time (large export
# frames are most of it).
RESULT_TRANSFER_SHARE = 0.08
# The pool must beat one process by this share of the estimate: estimates are rough, and losing is worse
# than not gaining.
POOL_MARGIN = 0.15


def qt_loaded() -> bool:
    return any(name.startswith(("PySide6", "shiboken6")) for name in sys.modules)


def fork_is_safe() -> bool:
    """Whether this process may be forked: Linux, no Qt and no other thread (the command line), so
    nothing is running that a forked copy could find half-done."""
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform.startswith("linux") \
        and not qt_loaded() and threading.active_count() == 1


def forced_start_method() -> str | None:
    """``PQA_START_METHOD`` when it names a start method this system has (for testing), else None."""
    wanted = os.environ.get(START_METHOD_ENV, "").strip().lower()
    return wanted if wanted in multiprocessing.get_all_start_methods() else None


def start_method() -> str:
    """How worker processes start here (see the module docstring)."""
    forced = forced_start_method()
    if forced is not None and (forced != "fork" or fork_is_safe()):
        return forced
    if forced is None and fork_is_safe():
        return "fork"
    if "forkserver" in multiprocessing.get_all_start_methods():
        return "forkserver"
    return "spawn"


def read_seconds(name: str, size: int) -> float:
    """Estimated seconds to read one input of ``size`` bytes in this process."""
    kind = "text" if name.lower().endswith(TEXT_SUFFIXES) else "spreadsheet"
    return READ_SECONDS_PER_FILE + max(0, size - READ_SMALL_BYTES) / 1e6 * READ_SECONDS_PER_MB[kind]


@dataclass(frozen=True)
class PoolPlan:
    """How a set of inputs is read: ``workers`` 0 means in this process."""

    workers: int
    method: str
    reason: str
    seconds_here: float = 0.0  # estimated, read in this process
    seconds_pool: float = 0.0  # estimated, read by the pool (start-up included)


def reading_plan(files: Sequence[tuple[str, int]], *, warm: bool = False, method: str | None = None,
                 cores: int | None = None) -> PoolPlan:
    """Whether to read ``files`` (name, size in bytes) in worker processes, and how many.

    ``warm``: a pool with the workers this plan would use is already running (no start-up to pay).
    ``PQA_READ_WORKERS`` overrides the estimate: 0 or 1 reads here, N uses N workers whatever the input
    (the tests use it to run the pool on small inputs).
    """
    method = method or start_method()
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if setting:
        try:
            wanted = int(setting)
        except ValueError:
            wanted = 0
        if wanted >= 2:
            return PoolPlan(wanted, method, f"{WORKERS_ENV}={wanted}")
        return PoolPlan(0, method, f"{WORKERS_ENV}={setting}")
    cores = cores if cores is not None else (os.cpu_count() or 1)
    workers = min(cores, MAX_WORKERS, len(files))
    if workers < 2:
        return PoolPlan(0, method, "one file" if cores >= 2 else "one core")
    estimates = [read_seconds(name, size) for name, size in files]
    here = sum(estimates)
    startup = 0.0 if warm else STARTUP_SECONDS.get(method, STARTUP_SECONDS["spawn"])
    pool = startup + max(max(estimates), here / workers) + RESULT_TRANSFER_SHARE * here
    if pool < here * (1 - POOL_MARGIN):
        return PoolPlan(workers, method, "the pool is quicker", here, pool)
    return PoolPlan(0, method, "quicker in one process", here, pool)


# Export rows from which the KPIs are worth a forked copy of their own (the measure stage at council
# scale: 0.73 s in one process, 0.46 s with the KPIs forked). Without fork they are worked out here:
# measured at council scale (293,000 export rows, KPIs 0.3-0.7 s here), a spawned copy has to start
# Python, import pandas and receive every table pickled (19 MB), and answers after 1.4-2.0 s; even a
# reading worker already running answers after 0.55-0.67 s, no sooner than this process would have
# finished the KPIs after the other figures (scripts/start_cost.py has the method; README, "Worker
# processes").
KPI_ELSEWHERE_MIN_ROWS = 50_000


def kpi_plan(rows: int, method: str | None = None) -> str:
    """Where the KPIs over ``rows`` export rows are worked out: "fork" (a forked copy) or "here"."""
    method = method or start_method()
    if rows >= KPI_ELSEWHERE_MIN_ROWS and method == "fork" and fork_is_safe():
        return "fork"
    return "here"
