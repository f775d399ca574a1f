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
from itertools import islice
from operator import countOf


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
            untrack_sets_of_strings()
            gc.collect()


def release_freed_memory() -> bool:
    """Return the C heap's free memory to the system; whether it could be asked to."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


# A set smaller than this costs a full pass little (a set's strings are a thousandth of a millisecond each).
UNTRACK_AT_LEAST = 1024
# Strings checked per call into C while making sure a set holds nothing else: each piece is a few
# milliseconds, so the window gets the interpreter lock between them.
_CHECK_PIECE = 16384


@lru_cache(maxsize=1)
def _gc_untrack():
    """CPython's ``PyObject_GC_UnTrack`` (part of its stable interface), or None where it cannot be had."""
    try:
        untrack = ctypes.pythonapi.PyObject_GC_UnTrack
    except (AttributeError, OSError):
        return None
    untrack.argtypes = [ctypes.py_object]
    untrack.restype = None
    return untrack


def untrack_sets_of_strings(min_size: int = UNTRACK_AT_LEAST) -> int:
    """Leave the large sets (and frozen sets) of strings alive now out of the cyclic garbage collector's
    walks; how many strings they hold.

    A full pass of the collector visits every member of every set it tracks, with every thread waiting: the
    identifiers a council's check keeps (each export's child IDs and references, the check's union of them,
    the leak inspector's sorted copies, the workspace's own) are some 500,000 strings in sets, 40-60 ms of
    one pass on a quiet machine and 100-200 ms on a busy one, the longest stall left in the window's event
    loop at a job's end (issue 18). A set of strings cannot be part of a reference cycle, so the collector
    has nothing to find in it; CPython leaves dictionaries and tuples that hold only such values out of its
    walks itself, but never sets. Here each large set holding strings alone is checked (in pieces, the
    window's thread free to run between them) and then untracked, as CPython untracks such a tuple: it is
    still freed by reference counting when let go. Only the sets met at or past ``min_size``; sets that
    change while being checked are left as they are. Where the interpreter offers no way to untrack (not
    CPython), nothing is done.

    Every identifier set in the product holds strings only and is never given anything else: a container
    added to an untracked set later would not be walked, so a reference cycle through it would be kept until
    the process ends (a leak, never a fault)."""
    untrack = _gc_untrack()
    if untrack is None:
        return 0
    candidates = [o for o in gc.get_objects() if type(o) in (set, frozenset) and len(o) >= min_size]
    untracked = 0
    for values in candidates:
        size = len(values)
        if gc.is_tracked(values) and _strings_only(values) and len(values) == size:
            untrack(values)
            untracked += size
    return untracked


def untrack_union(union, parts) -> None:
    """Leave ``union``, a new set made of ``parts`` (sets), out of the collector's walks at once when each
    large part is out of them already (its strings were checked: ``untrack_sets_of_strings``) and each other
    part holds strings alone: only the small parts are checked, not the whole of ``union`` again at the job's
    end. In the app's re-check and re-build a council's identifiers are such unions, the workspace's kept sets
    with the few a new return added: the check's (124,000 strings) and the leak inspector's case references
    grown (two of 123,000), 10 ms each at the job's end with the window's thread waiting. Otherwise (a part
    never checked, as on the command line, which has no job's end), or where the interpreter offers no way
    to untrack, ``union`` is left as it is."""
    untrack = _gc_untrack()
    if untrack is None or len(union) < UNTRACK_AT_LEAST or not gc.is_tracked(union):
        return
    small = []
    for part in parts:
        if not isinstance(part, (set, frozenset)):
            return
        if gc.is_tracked(part):
            if len(part) >= UNTRACK_AT_LEAST:
                return
            small.append(part)
    if all(map(_strings_only, small)):
        untrack(union)


def _strings_only(values) -> bool:
    """Whether every member of ``values`` is a ``str`` (exactly); False when it changes meanwhile."""
    members = iter(values)
    try:
        while piece := list(islice(members, _CHECK_PIECE)):
            # how many are exactly ``str`` (a type compares equal only to itself, unless its metaclass says
            # otherwise: none in the product does), counted in C: a third faster than gathering the types
            # into a set
            if countOf(map(type, piece), str) != len(piece):
                return False
    except RuntimeError:  # changed size while being checked (another thread): left tracked
        return False
    return True
