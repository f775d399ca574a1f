"""Giving memory the build has finished with back to the system, between its stages.

A large council's year passes through the build's process as input bytes, pickled results from the reading
workers and their unpickled tables; once a stage is done most of that is freed, but the C library's heap
keeps freed blocks for reuse instead of returning them, so the process still holds them (the command
line's peak memory, issue 18, and the app's between checks). ``release_freed_memory`` asks the C library to
return what it holds free: glibc's ``malloc_trim`` (Linux; a few milliseconds). Elsewhere it does nothing
(Windows' heap gives back free pages of its own accord; macOS's allocator likewise).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim  # glibc only (musl has none)
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_NO_FULL_THRESHOLD = 1 << 30  # the oldest generation's threshold that no count of young collections reaches
_deferring = 0  # how many ``full_collections_deferred`` are open (one job at a time in the app; nested is fine)
_saved_threshold: tuple[int, ...] | None = None


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused meanwhile (and put back as it was). For work that makes many
    short-lived containers and no reference cycles (reading sheets, decoding stored frames, writing and
    inspecting the workbook): each collection they set off walks every object the process holds (a
    council's year of records) for nothing, and in the app it holds the window while it does. What the work
    drops is freed as usual, by reference counting; any cycles are collected after.

    Inside ``full_collections_deferred`` (the app's jobs) nothing is paused: the young collections go on,
    each walking only the objects made since the last, and the full ones are held off already. Paused there,
    the first collection after it walked (and freed) everything the work had made at once: 70 ms of the
    window's event loop after writing the workbook (issue 18)."""
    if _deferring:
        yield
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextmanager
def full_collections_deferred() -> Iterator[None]:
    """No full pass of the cyclic garbage collector meanwhile, one at the end instead; the young generations
    are collected as usual. For the app's jobs, which run beside the window's thread: a full pass walks
    every object the process holds and keeps every thread waiting, and in the middle of a check or a build
    the process holds a council's year of short-lived tables and records besides what it keeps (135 ms of
    the window's event loop, issue 18). Once the work has ended and let those go, the full pass walks only
    what is kept: a few milliseconds."""
    global _deferring, _saved_threshold
    if not _deferring:
        _saved_threshold = gc.get_threshold()
        gc.set_threshold(_saved_threshold[0], _saved_threshold[1], _NO_FULL_THRESHOLD)
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        if not _deferring and _saved_threshold is not None:
            gc.set_threshold(*_saved_threshold)
            _saved_threshold = None
            gc.collect()


def release_freed_memory() -> bool:
    """Return the C heap's free memory to the system; whether it could be asked to."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
