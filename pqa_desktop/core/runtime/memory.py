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


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused meanwhile (and put back as it was). For work that makes many
    short-lived containers and no reference cycles (reading sheets, decoding stored frames, writing and
    inspecting the workbook): each collection they set off walks every object the process holds (a
    council's year of records) for nothing, and in the app it holds the window while it does. What the work
    drops is freed as usual, by reference counting; any cycles are collected after."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def release_freed_memory() -> bool:
    """Return the C heap's free memory to the system; whether it could be asked to."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
