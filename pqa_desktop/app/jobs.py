"""Run pipeline work off the UI thread.

A ``PipelineJob`` is a QThread running one callable ``work(progress, cancel)``. Progress is passed on as
a signal, so it reaches the window through a queued connection and only the UI thread touches widgets (Anki's
``QueryOp`` warns why). Cancelling sets a flag that the pipeline's ``cancel`` callback reads between files
and stages (as Spyder's search thread checks its stop flag); the pipeline then raises ``Cancelled``.

Work may hand results over as they come (``emit_item``, e.g. each file as it is read); exactly one of
``succeeded``, ``failed`` or ``cancelled`` is emitted at the end, then QThread's own ``finished``.
"""
from __future__ import annotations

import gc
import sys
import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal

from ..core.pipeline import run as pipeline
from ..core.runtime.memory import full_collections_deferred, release_freed_memory

ProgressFn = Callable[[str, int, int, str], None]
CancelFn = Callable[[], bool]
Work = Callable[[ProgressFn, CancelFn], Any]

ANALYSE = "analyse"
BUILD = "build"
SEND_BACK = "send back"  # the auditors' lists, written from the check on screen


_SET_ASIDE = False
# How long the window's thread may wait for the interpreter while a job's thread runs Python. Each call the
# window makes into Python (a list asking its model for a cell's text, a slot) waits for the job's thread to
# let go, up to this long: Python's default of 5 ms made one redraw of the lists, a few hundred such calls,
# stall the window for 70-110 ms while a build ran (issue 18), and at 1 ms the build and the re-build still
# stalled it 161-267 ms (the longest stalls of the app's probe in 11 runs of 12, either start method); at
# 0.1 ms the longest stall of a run was 51-86 ms. The job's thread gives way more often for it
# only while the window asks (a thread waiting for the interpreter asks it to let go after this long), so a
# job alone runs as fast as before: the re-build took as long with either.
WINDOW_SWITCH_SECONDS = 0.0001


def set_aside_startup_objects() -> None:
    """Leave the objects made while starting (the modules imported, the window) out of the cyclic garbage
    collector's full passes; once per process, when the first window has been made.

    A full pass walks every object the process holds and keeps every thread waiting meanwhile, the window's
    too: at a council's scale it took 110-140 ms, the longest stall left in the window's event loop (issue
    18), and most of what it walked was the code of Qt, pandas and the app, which lives as long as the
    process. Those are kept in a permanent generation (``gc.freeze``); later passes walk only what was made
    since (the check on screen, the workspace's imports), and free it as before.
    """
    global _SET_ASIDE
    if not _SET_ASIDE:
        _SET_ASIDE = True
        gc.freeze()


def set_aside_survivors() -> None:
    """Leave what a job has left alive (the check it made, kept on screen) out of later full passes of the
    garbage collector, as the objects made while starting are: a full pass walks every member of the
    identifiers' sets a check keeps (some 700,000 for a large council: 40-50 ms), and in a re-build the
    check on screen and the one being made are both alive at the next job's end. Called just after the job's
    own full pass (``full_collections_deferred``), so only what is alive is set aside, no garbage; what is
    set aside is still freed by reference counting when the window lets it go (a check's objects hold no
    reference cycles: ``tests/test_app_jobs_gc.py``). Then what the job freed is given back to the system:
    the C heap keeps it otherwise, and the next job's rise comes on top of it (14 MB of the re-check's peak)."""
    gc.freeze()
    release_freed_memory()


# Freeing is C code that holds the interpreter lock throughout, whichever thread does it: done at once, it held
# up the window's thread still, which was then showing the new check. Done a little later, the window has
# drawn it and is idle between its timer's ticks.
LET_GO_AFTER_SECONDS = 0.05


def let_go_elsewhere(holder: list) -> None:
    """Free what ``holder`` holds (the window's last references to a check it no longer shows) in a short-lived
    thread of its own, not the window's. A council's year is records and sets of identifiers in the hundreds of
    thousands: freeing the check replaced by a re-check took 6-7 ms of the window's thread, about half of the
    stall between the re-check and the build (issue 18). The caller puts the object in a list, lets go of
    every other reference, then hands the list over: the thread then holds the last one, whenever it runs."""
    if any(item is not None for item in holder):
        try:
            threading.Thread(target=_empty, args=(holder,), name="pqa-let-go", daemon=True).start()
        except RuntimeError:  # no thread can be started now: freed by the caller, as before
            pass


def _empty(holder: list) -> None:
    time.sleep(LET_GO_AFTER_SECONDS)
    while holder:
        holder.pop()


class PipelineJob(QThread):
    progressed = Signal(str, int, int, str)  # stage, done, total, detail
    item_ready = Signal(object)  # something ready before the work ends (a file just read), see emit_item
    succeeded = Signal(object)  # whatever the work returned (Analysis, BuildResult)
    failed = Signal(object)  # the exception, traceback attached
    cancelled = Signal()

    def __init__(self, kind: str, work: Work | None, parent: QObject | None = None):
        super().__init__(parent)
        if sys.getswitchinterval() > WINDOW_SWITCH_SECONDS:
            sys.setswitchinterval(WINDOW_SWITCH_SECONDS)
        self.kind = kind
        self._work = work
        self._cancel = threading.Event()

    def set_work(self, work: Work) -> None:
        """The work, when it needs the job itself (to hand items over with ``emit_item``); before ``start``."""
        self._work = work

    def request_cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def emit_item(self, item: Any) -> None:
        """(in the worker) Hand something to the window as soon as it is ready; it arrives queued."""
        self.item_ready.emit(item)

    def _report(self, stage: str, done: int, total: int, detail: str = "") -> None:
        self.progressed.emit(stage, int(done), int(total), detail or "")

    def run(self) -> None:  # runs in the worker thread
        try:
            # no full pass of the garbage collector while the work holds a year of short-lived tables: one at
            # the end (core.runtime.memory)
            with full_collections_deferred():
                result = self._work(self._report, self._cancel.is_set)
            set_aside_survivors()
        except pipeline.Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # every failure goes back to the UI thread to be reported, never lost
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
