"""Reading inputs: one file (``read_input``), or many at once across worker processes (``read_inputs``).

A large council's month is a few big exports and a thousand or more small returns. Reading is almost
all CPU (unzipping, parsing XML, cleaning cells), and Python runs one thread at a time, so the files
are read in worker processes, one per core (up to ``MAX_WORKERS``), when that is quicker than one
process, start-up included (``processes.reading_plan``: a spawned worker costs about a second to start,
a forked one milliseconds). Results come back in the order the files were given, whatever order the
workers finish in, so the workbook does not depend on scheduling.

**A reader that crashes stops one file, never the build.** The spreadsheet reader (python-calamine) is
native code: a file it cannot cope with can end the process reading it (running out of memory aborts it;
there is no exception to catch). The safety scans (``inputs.packages``, ``inputs.biff``) refuse every such
file known, but a scan cannot know every way a reader can fail, so spreadsheets are never read in the
process holding the build: with little to read, they go to one reading process (``_Quarantine``; the
other files are read here), and with much, to the pool. When a worker dies the pool is broken and the
files it had not finished are read again one at a time in a reading process; a file that ends that
process too is the culprit, and becomes a ``file.reader_stopped`` finding on it while every other file is
read. Panics in the native reader come back as exceptions and are findings where they happen
(``inputs.tables.reader_failed``).

How workers start (fork on the Linux command line, a fork server behind the app, spawn on Windows;
``PQA_START_METHOD`` forces one for testing) is decided in ``processes``; the frozen bundle's entry
points call ``multiprocessing.freeze_support()`` for spawn and the fork server. A spawned or fork-server
pool (and the reading process) is kept for the life of the process, so the app's second build does not
pay to start it again; behind the app's window its workers run below normal priority, so the window keeps
answering while they read. Forked workers (the command line) are stopped once the files are read: they
start again in milliseconds, and a process with no other thread may fork again (``processes.fork_is_safe``).
``shutdown_pool`` stops the workers and the reading process and releases the pool's semaphores; the
command line calls it before it ends. A worker stops by itself when the process that started it has gone
(a crash leaves no one to stop it). A pool that cannot start, or whose worker dies, falls back: the files
not yet read are read one at a time in a reading process (spreadsheets) or here, and
``ReadingStats.fell_back`` says so (the command line prints a warning, the app shows one and logs it).
When no reading process can be started either, the files are read in this process.

``PQA_READ_WORKERS`` overrides the choice: 0 or 1 reads in this process (spreadsheets included: for
tests and debugging, without the protection above), N uses up to N workers whatever the amount of input
(the tests use it to run the parallel path on small inputs).
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Callable, Sequence

from ..runtime import processes
from . import reading_start
from ..exports.reader import read_export, sheet_reader
from ..findings import Finding, Severity, register_rule
from ..inputs.tables import SPREADSHEET_SUFFIXES
from ..runtime.memory import no_cycle_collection
from ..records import InputFile, ReadResult
from ..returns.reader import read_return_with_tables
from .parcels import Parcel

RULE_NOT_RECOGNISED = register_rule(
    "input.not_recognised",
    "A file is not an auditor return, an audit register or a system export that PQA Desktop recognises.")

RULE_READER_STOPPED = register_rule(
    "file.reader_stopped",
    "The spreadsheet reader stopped while reading a file (it is damaged, or made to harm the computer reading "
    "it), so that file was not read; the others were.")

WORKERS_ENV = processes.WORKERS_ENV
MAX_WORKERS = processes.MAX_WORKERS
# Small files travel to a worker in batches (a task per 2 ms file would be mostly messaging);
# a file of this size or more is a task on its own.
BATCH_BYTES = 512 * 1024
BATCH_FILES = 48

Overrides = dict | None
ProgressFn = Callable[[int, int, str], None]  # files done, files in all, name of the last one done
ResultFn = Callable[[int, ReadResult], None]  # index in the items given, what reading it gave
CancelFn = Callable[[], bool]


_HANDED_OVER = ReadResult(kind="handed over", kind_label="")  # read_inputs(keep=False): read, passed on


class Cancelled(Exception):
    """The user cancelled while the files were being read."""


@dataclass
class ReadingStats:
    """How the inputs of one run were read: for the ``--json`` summary, the app's log, and the warning
    when the worker pool failed. Counts of inputs, never names."""

    start_method: str = ""  # how workers start here (fork, forkserver, spawn)
    workers: int = 0  # worker processes asked for; 0 read everything in this process
    reason: str = ""  # why (processes.reading_plan)
    in_workers: int = 0  # inputs read by worker processes
    in_process: int = 0  # inputs read in this process
    in_reader: int = 0  # inputs read one at a time in the reading process (spreadsheets, when no pool)
    fell_back: int = 0  # inputs the pool should have read (it failed to start, or a worker died): read here or one at a time
    failure: str = ""  # what went wrong with the pool, in plain words

    @property
    def pool_fell_back(self) -> bool:
        return self.fell_back > 0

    def as_dict(self) -> dict:
        return {"start_method": self.start_method, "workers": self.workers, "reason": self.reason,
                "read_in_workers": self.in_workers, "read_in_reading_process": self.in_reader,
                "read_in_process": self.in_process,
                "pool_fell_back": self.pool_fell_back, "fell_back_inputs": self.fell_back}

    def warning(self) -> str | None:
        """The plain-English warning when the pool fell back, else None."""
        if not self.pool_fell_back:
            return None
        return (f"The reading workers stopped ({self.failure or 'a worker process ended'}), so "
                f"{self.fell_back} of the inputs were read by this program itself instead: nothing is missing, "
                "but reading took longer. If this happens every time, tell your IT support: something on this "
                "computer may be stopping PQA Desktop from starting its worker processes.")


def read_input(item: InputFile, overrides: Overrides = None) -> ReadResult:
    """One input as an auditor return or register, else system exports, else skipped (with a warning)."""
    # Each sheet that cannot be a register is read as an export as soon as it is read, so a large export's
    # sheets are held as typed columns, not as cells all at once (a reading worker's peak memory).
    result, tables, found = read_return_with_tables(item, overrides, hand_over=sheet_reader(item))
    if result is None:
        # The sheets the returns reader already read (overrides applied) are reused: reading a large
        # export's bytes again would double the read stage. What reading them found goes with them.
        result = read_export(item, tables=tables, overrides=overrides, found=found)
    if result is None:
        result = ReadResult(kind="skipped", kind_label="Skipped: not recognised", findings=list(found))
        result.findings.append(Finding(
            item.name, "", "", Severity.WARNING, RULE_NOT_RECOGNISED,
            "This file is not an auditor return, an audit register or a system export PQA Desktop "
            "recognises, so it was not used. If it should be, check it was made from the current template."))
    return result


def _read_batch(batch: list[tuple[InputFile, Overrides]]) -> list[Parcel]:
    """(in a worker) Each file of the batch read as ``read_input`` reads it, packed for the trip back
    (``parcels``: a large export unpacked in one call held every thread of the app that long).

    Python's cycle collector is paused meanwhile: a large sheet is a hundred thousand fresh row lists,
    which it walked again and again for nothing (reading makes no reference cycles to collect), at a
    tenth of the time of reading an export."""
    with no_cycle_collection():
        return [Parcel(read_input(item, overrides), in_pieces=_behind_window) for item, overrides in batch]


def reading_plan(items: Sequence[tuple[InputFile, Overrides]]) -> processes.PoolPlan:
    """Whether to read ``items`` in worker processes (``processes.reading_plan``), a running pool counting
    as started."""
    method = _start_method()
    files = [(item.name, len(item.data)) for item, _ in items]
    cores = os.cpu_count() or 1
    workers = min(cores, MAX_WORKERS, len(files))
    return processes.reading_plan(files, warm=_pool_running(workers, method), method=method, cores=cores)


def worker_count(items: Sequence[tuple[InputFile, Overrides]]) -> int:
    """How many worker processes to read ``items`` with; 0 means read them in this process."""
    return reading_plan(items).workers


def _batches(items: Sequence[tuple[InputFile, Overrides]]) -> list[list[int]]:
    """Indices of ``items`` grouped into tasks, largest first (so the big exports start at once and the
    small returns fill the gaps: the longest-task-first rule keeps both cores busy to the end)."""
    order = sorted(range(len(items)), key=lambda i: -len(items[i][0].data))
    tasks: list[list[int]] = []
    batch: list[int] = []
    batch_bytes = 0
    for i in order:
        size = len(items[i][0].data)
        if size >= BATCH_BYTES:
            tasks.append([i])
            continue
        batch.append(i)
        batch_bytes += size
        if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
            tasks.append(batch)
            batch, batch_bytes = [], 0
    if batch:
        tasks.append(batch)
    return tasks


def _start_method() -> str:
    return processes.start_method()


_pool_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_key: tuple[int, str] | None = None


def _pool_running(workers: int, method: str) -> bool:
    """Whether a pool of ``workers`` started by ``method`` is running or starting (one started ahead by the
    command line counts: its start is paid already)."""
    if _pool is not None and _pool_key == (workers, method) and not _pool._broken:  # noqa: SLF001
        return True
    return _pool is None and reading_start.pool_ahead_key() == (workers, method)


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_key
    method = _start_method()
    with _pool_lock:
        if _pool is not None and _pool_key == (workers, method):
            return _pool
        if _pool is not None:
            _let_go.append(_pool)
            _pool.shutdown(wait=False, cancel_futures=True)
        # the pool the command line started before its imports (``reading_start.start_pool_ahead``), if it
        # is the one wanted; one of another size is ended
        ahead = reading_start.take_pool((workers, method))
        if ahead is not None:
            _pool, _pool_key = ahead, (workers, method)
            return _pool
        # Behind a window, the workers yield the processor to it: the window keeps answering while they read.
        _pool = reading_start.new_pool(workers, method)
        _pool_key = (workers, method)
        return _pool


# (in a worker) Whether the process that started it shows a window (the app): then results go back in pieces
# (``parcels``), so that unpacking one never holds the window's thread for long; the command line, with no
# window, takes them whole, which costs less memory.
_behind_window = True


def _start_worker(owner: int, lower_priority: bool) -> None:
    """(in a worker) Stop when the process that started the pool has gone (a crash or a kill leaves no
    one to stop it otherwise), and run below normal priority behind a window (``lower_priority``: the
    program that started it has Qt loaded), sending results back in pieces there."""
    global _behind_window
    _behind_window = lower_priority
    threading.Thread(target=_watch_owner, args=(owner,), name="pqa-owner-watch", daemon=True).start()
    if lower_priority:
        _lower_priority()
    # A reader that ends this process is a finding on the file; a Python stack dump on the console (a
    # fault handler inherited from whoever started us) would only alarm.
    import faulthandler

    faulthandler.disable()


def _watch_owner(owner: int, interval: float = 0.5) -> None:
    parent = multiprocessing.parent_process()  # the owner, with a sentinel that tells when it has gone
    while True:
        if parent is not None:
            parent.join(interval)
            if not parent.is_alive():
                os._exit(0)
        else:
            threading.Event().wait(interval)
        if os.getppid() != owner and _gone(owner):
            os._exit(0)


def _gone(pid: int) -> bool:
    if sys.platform == "win32":
        return False  # the parent's sentinel above tells on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _lower_priority() -> None:
    """(in a worker) Run below normal priority, so the app's own thread is scheduled first."""
    try:
        if hasattr(os, "nice"):
            os.nice(5)
        elif sys.platform == "win32":
            import ctypes

            below_normal = 0x00004000  # BELOW_NORMAL_PRIORITY_CLASS
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal)
    except OSError:
        pass  # not allowed here: normal priority is fine too


# Pools let go of without waiting (broken, or replaced by one of another size): shut down for good, and
# their semaphores released, by ``shutdown_pool``.
_let_go: list[ProcessPoolExecutor] = []


def _discard_pool(pool: ProcessPoolExecutor) -> None:
    global _pool, _pool_key
    with _pool_lock:
        if _pool is pool:
            _pool, _pool_key = None, None
        _let_go.append(pool)
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_pool() -> None:
    """Stop the worker processes and the reading process, and release what the pool holds (the app calls
    this when it closes, the command line before it ends: ending with ``os._exit`` while a pool is alive
    leaves its semaphores for the resource tracker to report as leaked)."""
    global _pool, _pool_key
    with _pool_lock:
        pools = [p for p in (_pool, *_let_go) if p is not None]
        _pool, _pool_key = None, None
        _let_go.clear()
    for pool in pools:
        # Waits for the workers to end; the pool's queues (which hold its semaphores) are then released
        # with the last reference to it, their finalizers unlinking them and telling the resource tracker.
        pool.shutdown(wait=True, cancel_futures=True)
    stop_quarantine()
    reading_start.discard_pool_ahead()


def read_inputs(items: Sequence[tuple[InputFile, Overrides]], progress: ProgressFn | None = None,
                cancel: CancelFn | None = None, stats: ReadingStats | None = None,
                on_result: ResultFn | None = None, keep: bool = True) -> list[ReadResult]:
    """``read_input`` on every (file, overrides) pair, in worker processes when that pays, and never a
    spreadsheet in this process (see the module's docstring) unless ``PQA_READ_WORKERS`` says so.

    Results are in the order of ``items``. ``on_result(index, result)`` is called for each file as soon
    as it has been read (in the order they finish), so a caller can keep or show it at once. Raises
    ``Cancelled`` when ``cancel()`` turns true (checked between files, or between tasks when workers
    read); the files already passed to ``on_result`` stay read. ``stats``, when given, is filled with how
    the inputs were read (counts added to what it holds).

    ``keep=False`` (with ``on_result``): each result is let go once passed to ``on_result``, and an empty
    list is returned. Kept, every file read stayed in memory until the last was read: for a council's year
    a hundred megabytes more at the app's peak, while the workspace importing each file had no more use
    for it.
    """
    progress = progress or (lambda done, total, name: None)
    stats = stats if stats is not None else ReadingStats()
    plan = reading_plan(items) if items else processes.PoolPlan(0, _start_method(), "no input")
    stats.start_method, stats.reason = plan.method, plan.reason
    stats.workers = max(stats.workers, plan.workers)
    contained = not _in_this_process()
    results: list[ReadResult | None] = [None] * len(items)
    if on_result is not None and not keep:
        given = on_result

        def on_result(index: int, result: ReadResult) -> None:
            given(index, result)
            results[index] = _HANDED_OVER  # read (not None), no longer held here
    if plan.workers:
        try:
            failure = _read_in_workers(items, plan.workers, results, progress, cancel, on_result)
        finally:
            if _pool_key is not None and _pool_key[1] == "fork":
                # Forked workers cost milliseconds to start again; stopping them leaves this process
                # with no other thread, so it may fork again (the KPIs are worked out in a fork).
                shutdown_pool()
        read = sum(r is not None for r in results)
        stats.in_workers += read
        if read < len(items):
            stats.fell_back += len(items) - read
            stats.failure = failure or "a worker process ended"
        # What the pool did not read is read again one file at a time (a worker that died: the culprit
        # is found by reading alone).
        isolate = [i for i, result in enumerate(results) if result is None] if contained else []
    else:
        isolate = [i for i, (item, _) in enumerate(items) if contained and _native(item)]
    done = sum(r is not None for r in results)
    if isolate:
        try:
            for i in isolate:
                item, overrides = items[i]
                if cancel is not None and cancel():
                    raise Cancelled()
                progress(done, len(items), item.leaf_name)
                results[i] = _quarantine().read(item, overrides, cancel) or _reader_stopped(item)
                stats.in_reader += 1
                done += 1
                if on_result is not None:
                    on_result(i, results[i])
        except NoReadingProcess:
            pass  # read here below, as without a reading process
        finally:
            if _quarantine_method() == "fork":
                stop_quarantine()
    for i, (item, overrides) in enumerate(items):
        if results[i] is not None:
            continue
        if cancel is not None and cancel():
            raise Cancelled()
        progress(done, len(items), item.leaf_name)
        results[i] = read_input(item, overrides)
        stats.in_process += 1
        done += 1
        if on_result is not None:
            on_result(i, results[i])
    progress(len(items), len(items), "")
    return results if keep else []  # type: ignore[return-value]


def read_contained(item: InputFile, overrides: Overrides = None, stats: ReadingStats | None = None) -> ReadResult:
    """``read_input`` on one file as ``read_inputs`` reads it: a spreadsheet in a reading process."""
    return read_inputs([(item, overrides)], stats=stats)[0]


_in_this_process = reading_start.reads_in_this_process


def _native(item: InputFile) -> bool:
    """Whether reading ``item`` reaches the native spreadsheet reader (which the readers pick by suffix)."""
    return item.suffix in SPREADSHEET_SUFFIXES


def _reader_stopped(item: InputFile) -> ReadResult:
    result = ReadResult(kind="unreadable", kind_label="Unreadable: could not be opened")
    result.findings.append(Finding(
        item.name, "", "", Severity.ERROR, RULE_READER_STOPPED,
        "The spreadsheet reader stopped while reading this file, so it was not read (every other file was). "
        "The file is damaged, or made to harm the computer reading it: open it in Excel and save it again, "
        "or ask the sender for a new copy."))
    return result


NoReadingProcess = reading_start.NoReadingProcess
_READY, _STOP, _START_SECONDS = reading_start.READY, reading_start.STOP, reading_start.START_SECONDS


class _Quarantine:
    """One reading process, sent one file at a time: when it ends while reading a file, that file is the
    one it could not read (``read`` gives None), and the next file gets a new process."""

    def __init__(self, method: str) -> None:
        self.method = method
        self._process = None
        self._conn = None  # results come back here
        self._send = None  # files go there
        self._ready = False  # it has said it is ready (a process started ahead, ``launch``, may not have yet)
        self._lock = threading.Lock()  # one file in flight: two threads reading at once take turns

    def read(self, item: InputFile, overrides: Overrides, cancel: CancelFn | None = None) -> ReadResult | None:
        """The result of reading ``item`` there; None when the process ended while reading it. Raises
        ``NoReadingProcess`` when no reading process can be started at all."""
        with self._lock:
            return self._read(item, overrides, cancel)

    def launch(self) -> None:
        """Start the process now, without waiting for it to be ready: a spawned one imports the readers
        (half a second, more on a slow laptop) while this process gets on with other work, and the first
        read waits only for what is left of that."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._launch()

    def _read(self, item: InputFile, overrides: Overrides, cancel: CancelFn | None) -> ReadResult | None:
        if self._process is None or not self._process.is_alive():
            self._launch()
        if not self._ready:
            self._await_ready()
        try:
            self._send.send((item, overrides))
            while not self._conn.poll(0.2):
                if cancel is not None and cancel():
                    self.stop()  # it may be deep in a large file: not waited for
                    raise Cancelled()
                if not self._process.is_alive() and not self._conn.poll(0):
                    raise EOFError
            parcel = self._conn.recv()
        except (EOFError, OSError):  # the process ended while reading this file
            self.stop()
            return None
        return parcel.unpack()

    def _launch(self) -> None:
        self.stop()  # one that ended: its pipes closed before the next is started
        # the one the command line started before its imports, if any; else a new one
        started = reading_start.take_started(self.method) or reading_start.launch(self.method, processes.qt_loaded())
        self._process, self._conn, self._send = started.process, started.replies, started.requests
        self._ready = False

    def _await_ready(self) -> None:
        try:  # it says it is ready once started: one that cannot start is not taken for a crash on a file
            ready = self._conn.poll(_START_SECONDS) and self._conn.recv() == _READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise NoReadingProcess()
        self._ready = True

    def stop(self) -> None:
        process, conn, send = self._process, self._conn, self._send
        self._process = self._conn = self._send = None
        ready, self._ready = self._ready, False
        if process is not None and not ready and process.is_alive():
            # started ahead and not ready yet (still importing the readers): it holds no file, so it is
            # ended now rather than waited for while it finishes starting
            process.kill()
        if send is not None and process is not None and process.is_alive():
            # Told to stop, not left to see its pipe closed: a forked reading process holds a copy of the
            # pipe's sending end itself (a fork inherits every open file), so it never saw the pipe close,
            # and every stop waited the two seconds below before killing it (a small build, or a
            # workspace build with one new file, took two seconds longer than its work).
            try:
                send.send(_STOP)
            except (OSError, ValueError):
                pass
        for end in (send, conn):
            if end is not None:
                end.close()
        if process is not None:
            process.join(2)
            if process.is_alive():
                process.kill()
                process.join(2)


def serve(requests, replies, owner: int, lower_priority: bool) -> None:
    """(in a reading process, started by ``reading_start``) Read each file sent, send its result back,
    until the pipe closes."""
    _start_worker(owner, lower_priority)
    gc.disable()  # as _read_batch: reading makes no reference cycles to collect
    replies.send(_READY)
    while True:
        try:
            request = requests.recv()
        except (EOFError, OSError):
            return
        if request == _STOP:
            return
        item, overrides = request
        replies.send(Parcel(read_input(item, overrides), in_pieces=_behind_window))


_quarantine_lock = threading.Lock()
_quarantine_process: _Quarantine | None = None


def _quarantine_method() -> str:
    return _start_method()


def _quarantine() -> _Quarantine:
    """The reading process, kept while the start method stays the same (a forked one is stopped after each
    read_inputs, as the forked pool is)."""
    global _quarantine_process
    method = _quarantine_method()
    with _quarantine_lock:
        if _quarantine_process is not None and _quarantine_process.method != method:
            _quarantine_process.stop()
            _quarantine_process = None
        if _quarantine_process is None:
            _quarantine_process = _Quarantine(method)
        return _quarantine_process


def prestart_reading_process() -> None:
    """Start the reading process ahead of a read of a few files (a workspace build, the app's next check),
    where starting it costs: a spawned process (Windows) imports the readers first, about half a second the
    read would otherwise wait for. Nothing where files are read in this process, where one is running, or
    with fork, where a reading process starts in milliseconds and is stopped after each read. Never raises:
    a process that cannot start is found, and said, by the read that needs it."""
    if _in_this_process() or _quarantine_method() == "fork":
        return
    try:
        _quarantine().launch()
    except (NoReadingProcess, OSError):
        stop_quarantine()


def stop_quarantine() -> None:
    """Stop the reading process, and one started ahead that no read took over."""
    global _quarantine_process
    with _quarantine_lock:
        quarantine, _quarantine_process = _quarantine_process, None
    if quarantine is not None:
        quarantine.stop()
    reading_start.discard_started()


def _read_in_workers(items: Sequence[tuple[InputFile, Overrides]], workers: int,
                     results: list[ReadResult | None], progress: ProgressFn, cancel: CancelFn | None,
                     on_result: ResultFn | None = None) -> str:
    """Fill ``results`` from worker processes; leaves None where a pool that failed stopped them
    (``read_inputs`` reads those again one at a time), and returns what went wrong then ("" when nothing
    did)."""
    tasks = _batches(items)

    def submit_all(pool: ProcessPoolExecutor) -> dict[Future, list[int]]:
        return {pool.submit(_read_batch, [items[i] for i in task]): task for task in tasks}

    try:
        pool = _get_pool(workers)
        try:
            pending = submit_all(pool)
        except (BrokenProcessPool, RuntimeError):  # a pool broken (or shut down) before: start again
            _discard_pool(pool)  # cancels whatever was submitted to it
            pool = _get_pool(workers)
            pending = submit_all(pool)
    except (OSError, BrokenProcessPool) as exc:  # no process may be started here
        # (A RuntimeError is left to rise: it is a spawned worker re-running a main module that has no
        # ``if __name__ == "__main__"`` or ``freeze_support()``. It must die, not read everything again.)
        pool = _current_pool()
        if pool is not None:
            _discard_pool(pool)
        if isinstance(exc, PermissionError):
            return "this computer did not allow them to start"
        return "they could not be started"
    done = 0
    failure = ""
    try:
        while pending:
            finished, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in finished:  # what has been read is kept, even when the user has just cancelled
                task = pending.pop(future)
                try:
                    read = future.result()
                except BrokenProcessPool:
                    failure = "a worker process ended unexpectedly"
                    continue  # read below, in this process
                for i, parcel in zip(task, read):
                    results[i] = result = parcel.unpack()
                    if on_result is not None:
                        on_result(i, result)
                done += len(task)
                progress(done, len(items), items[task[-1]][0].leaf_name)
            if cancel is not None and cancel():
                for future in pending:
                    future.cancel()
                raise Cancelled()
    except BrokenProcessPool:
        failure = "a worker process ended unexpectedly"
    finally:
        if pool._broken:  # noqa: SLF001 - the only way concurrent.futures tells a broken pool
            _discard_pool(pool)
    return failure


def _current_pool() -> ProcessPoolExecutor | None:
    with _pool_lock:
        return _pool
