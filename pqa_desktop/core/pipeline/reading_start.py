"""Starting the reading process (``reading._Quarantine``), apart from the readers.

A spawned reading process (every Windows laptop) imports the readers before it can read: about half a second
here, more on a slow laptop. A command-line build with a workspace reads only what is new, often one return,
so that start was most of its reading. This module starts the process without importing the readers, so the
command line can start it before it imports the pipeline itself (``start_ahead``, called by
``pqa_desktop/__main__.py`` when its arguments ask for a build against a workspace): the two imports then run side by side, and the read that needs the process
takes it over (``take_started``) rather than starting another.

Kept light on purpose (the standard library and ``runtime.processes`` only): importing it must not load
what it is there to overlap.
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
from typing import NamedTuple, Sequence

from ..runtime import processes

READY = "ready"  # the process's first message: it has imported the readers and can read
STOP = "stop"  # sent to the reading process: read nothing more, and end
START_SECONDS = 120  # a spawned process imports the readers first: seconds on a slow laptop
READING_MODULE = "pqa_desktop.core.pipeline.reading"


class NoReadingProcess(Exception):
    """No reading process could be started (the system allows no more processes)."""


class Started(NamedTuple):
    """A reading process just started: ``replies`` brings its results back, ``requests`` sends it files."""
    method: str
    process: multiprocessing.process.BaseProcess
    replies: object
    requests: object


def reads_in_this_process() -> bool:
    """``PQA_READ_WORKERS`` set to 0 or 1: everything is read in this process."""
    setting = os.environ.get(processes.WORKERS_ENV, "").strip()
    if not setting:
        return False
    try:
        return int(setting) < 2
    except ValueError:
        return True


def launch(method: str, qt_loaded: bool) -> Started:
    """Start a reading process by ``method`` without waiting for it to be ready. Raises
    ``NoReadingProcess`` when the system allows no more processes."""
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload([READING_MODULE])
    # Two one-way pipes (a two-way one is a socket pair on POSIX; these are plain pipes).
    requests, request_end = context.Pipe(duplex=False)
    replies, reply_end = context.Pipe(duplex=False)
    process = context.Process(target=_serve, args=(requests, reply_end, os.getpid(), qt_loaded),
                              daemon=True, name="pqa-reader")
    try:
        process.start()
    except OSError as error:  # no more processes allowed
        request_end.close()
        replies.close()
        raise NoReadingProcess() from error
    finally:
        requests.close()
        reply_end.close()
    return Started(method, process, replies, request_end)


def _serve(requests, replies, owner: int, lower_priority: bool) -> None:
    """(in the reading process) Import the readers, then serve (``reading.serve``). The reading module is
    named, as the fork server's preload names it, not imported by this one: this module is what the reading
    module starts its process with, and a process started ahead imports the readers itself while the program
    that started it imports the rest."""
    importlib.import_module(READING_MODULE).serve(requests, replies, owner, lower_priority)


_started_lock = threading.Lock()
_started: Started | None = None  # started ahead, not yet taken over by a read


def start_ahead(method: str | None = None) -> None:
    """Start the reading process now, for a read to take over later (``take_started``). Nothing with fork
    (a forked process is ready in milliseconds), where files are read in this process, or where one is
    already waiting. Never raises: a process that cannot start is found, and said, by the read that needs
    it."""
    global _started
    method = method or processes.start_method()
    if method == "fork" or reads_in_this_process():
        return
    with _started_lock:
        if _started is not None:
            return
        try:
            _started = launch(method, processes.qt_loaded())
        except (NoReadingProcess, OSError):
            _started = None


def take_started(method: str) -> Started | None:
    """The process started ahead, if it was started by ``method`` and is still running; the caller owns it
    from here. One started by another method (the start method was changed since) is ended."""
    global _started
    with _started_lock:
        started, _started = _started, None
    if started is None:
        return None
    if started.method == method and started.process.is_alive():
        return started
    _end(started)
    return None


def discard_started() -> None:
    """End a process started ahead that no read took over (the command line's end, a build with nothing
    new to read). It holds no file and may still be importing the readers: killed, not waited for."""
    global _started
    with _started_lock:
        started, _started = _started, None
    if started is not None:
        _end(started)


def _end(started: Started) -> None:
    for end in (started.requests, started.replies):
        try:
            end.close()
        except OSError:
            pass
    if started.process.is_alive():
        started.process.kill()
    started.process.join(2)
