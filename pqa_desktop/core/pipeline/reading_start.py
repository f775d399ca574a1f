"""Starting the reading process (``reading._Quarantine``), apart from the readers.

A spawned reading process (every Windows laptop) imports the readers before it can read: about half a second
here, more on a slow laptop. A command-line build with a workspace reads only what is new, often one return,
so that start was most of its reading. This module starts the process without importing the readers, so the
command line can start it before it imports the pipeline itself (``start_ahead``, called by
``pqa_desktop/__main__.py`` when its arguments ask for a build against a workspace): the two imports then run side by side, and the read that needs the process
takes it over (``take_started``) rather than starting another.

A build that reads many files (a council's year, without a workspace or into a new one) reads them in a
pool of worker processes instead; each spawned worker imports the readers too, and they were started only
after the command line had imported the pipeline and found its inputs, so for about half a second both
cores did nothing but that. ``start_pool_ahead`` starts the pool first, when the inputs named look large
enough for one (``processes.reading_plan`` on their sizes, the rule the read itself applies), and the read
takes it over (``take_pool``).

Kept light on purpose (the standard library and ``runtime.processes`` only): importing it must not load
what it is there to overlap.
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator, NamedTuple, Sequence

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


# --- the worker pool, started ahead --------------------------------------------------------------------

# Files looked at to guess whether the inputs named want a pool: enough for any council's year (a year is
# some 1,400 files); a folder with more is taken as large enough without counting on.
AHEAD_FILES_LOOKED_AT = 20_000


class PoolAhead(NamedTuple):
    """A worker pool started ahead: ``key`` is (workers, start method), as ``reading`` keys its pool."""
    key: tuple[int, str]
    pool: ProcessPoolExecutor


_pool_ahead: PoolAhead | None = None


def start_pool_ahead(paths: Sequence[str], method: str | None = None) -> None:
    """Start the reading workers now, for the read to take over later (``take_pool``), when the files under
    ``paths`` (those that exist; the rest are ignored) would be read by a pool of them
    (``processes.reading_plan`` on their sizes). Nothing with fork (a forked worker is a copy of the program,
    ready in milliseconds, and forking a program that has started threads is not safe), where files are read
    in this process, or where a pool is already waiting. A guess, before the inputs are found as the
    pipeline finds them (inside zips and emails): a wrong one costs workers started unused, never a wrong
    result. Never raises: workers that cannot start are found, and said, by the read that needs them."""
    global _pool_ahead
    method = method or processes.start_method()
    if method == "fork" or reads_in_this_process():
        return
    plan = processes.reading_plan(list(_files_under(paths)), method=method)
    if plan.workers < 2:
        return
    with _started_lock:
        if _pool_ahead is not None:
            return
        try:
            pool = new_pool(plan.workers, method)
            for _ in range(plan.workers):  # a worker is started by each task submitted while none is idle
                pool.submit(_ready)
        except (OSError, RuntimeError, ValueError):
            return
        _pool_ahead = PoolAhead((plan.workers, method), pool)


def new_pool(workers: int, method: str) -> ProcessPoolExecutor:
    """A pool of reading workers started by ``method`` (each started when a task needs it): every worker
    imports the readers (named, not imported here: the fork server preloads them) and starts as every reading
    worker does (``reading._start_worker``: it stops when this program has gone and, behind a window, yields
    the processor to it)."""
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload([READING_MODULE])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_pool_worker,
                               initargs=(os.getpid(), processes.qt_loaded()))


def pool_ahead_key() -> tuple[int, str] | None:
    """(workers, start method) of the pool started ahead and not yet taken, if any."""
    ahead = _pool_ahead
    return ahead.key if ahead is not None else None


def take_pool(key: tuple[int, str]) -> ProcessPoolExecutor | None:
    """The pool started ahead, if it has ``key``'s workers and start method; the caller owns it from here.
    One of another size or method is ended."""
    global _pool_ahead
    with _started_lock:
        ahead, _pool_ahead = _pool_ahead, None
    if ahead is None:
        return None
    if ahead.key == key:
        return ahead.pool
    _end_pool(ahead.pool)
    return None


def discard_pool_ahead() -> None:
    """End a pool started ahead that no read took over (the command line's end, a build that read
    nothing): its workers hold no file and may still be importing the readers, so they are killed, not
    waited for."""
    global _pool_ahead
    with _started_lock:
        ahead, _pool_ahead = _pool_ahead, None
    if ahead is not None:
        _end_pool(ahead.pool)


def _end_pool(pool: ProcessPoolExecutor) -> None:
    # concurrent.futures has no call that ends a worker still starting: its own list of them is the way in
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _pool_worker(owner: int, lower_priority: bool) -> None:
    """(in a reading worker) Import the readers, then start as every reading worker does
    (``reading._start_worker``)."""
    importlib.import_module(READING_MODULE)._start_worker(owner, lower_priority)


def _ready() -> None:
    """(in a worker) Nothing: the task that starts a worker of a pool started ahead."""


def _files_under(paths: Sequence[str]) -> Iterator[tuple[str, int]]:
    """(name, size) of each file at or under ``paths``, as far as ``AHEAD_FILES_LOOKED_AT`` files."""
    seen = 0
    for path in paths:
        try:
            if os.path.isfile(path):
                seen += 1
                yield os.path.basename(path), os.path.getsize(path)
                continue
            walk = os.walk(path) if os.path.isdir(path) else ()
            for folder, _, names in walk:
                for name in names:
                    if seen >= AHEAD_FILES_LOOKED_AT:
                        return
                    try:
                        size = os.stat(os.path.join(folder, name)).st_size
                    except OSError:
                        continue
                    seen += 1
                    yield name, size
        except (OSError, ValueError):  # a name the system cannot take (too long, a NUL)
            continue
