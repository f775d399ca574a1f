"""What the app's UI thread was doing when its event loop stalled (``scripts/bench_app.py --trace``).

A watchdog thread wakes every ``interval`` ms. When the UI thread's heartbeat (the probe's 10 ms timer) is
older than ``threshold`` ms, it takes the stack of every thread (``sys._current_frames``). When the
watchdog itself wakes late, some thread held the interpreter lock that long (a long C call, a garbage
collection): that is noted with every thread's stack at the moment the lock came back. Garbage collections
are timed by generation and thread (``gc.callbacks``). ``report`` gives, for each stall longer than a
limit, the UI thread's commonest stacks, the other threads' and the collections and lock waits inside it.

A diagnostic for developers: nothing of it runs in the app.
"""
from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SKIP = ("stall_trace.py", "bench_app.py", "threading.py")


def _stack(frame, depth: int = 10) -> tuple[str, ...]:
    out = []
    while frame is not None and len(out) < depth:
        code = frame.f_code
        name = Path(code.co_filename)
        if name.name not in _SKIP:
            try:
                where = name.relative_to(ROOT)
            except ValueError:
                where = Path(*name.parts[-2:])
            out.append(f"{where}:{frame.f_lineno} {code.co_name}")
        frame = frame.f_back
    return tuple(out)


class StallTracer:
    def __init__(self, threshold_ms: float = 30.0, interval_ms: float = 2.0):
        self.threshold = threshold_ms / 1000
        self.interval = interval_ms / 1000
        self.heartbeat = time.perf_counter()
        self.samples: list[tuple[float, dict[str, tuple[str, ...]]]] = []
        self.starved: list[tuple[float, float, dict[str, tuple[str, ...]]]] = []  # (woke, late s, stacks)
        self.collections: list[tuple[float, float, int, str, int]] = []  # (start, end, generation, thread, collected)
        self._gc_start: dict[int, float] = {}
        self._stop = threading.Event()
        self._main = threading.main_thread().ident
        self._thread = threading.Thread(target=self._run, name="stall-watchdog", daemon=True)
        self.peak_rss_mb = 0.0
        self.peak_stacks: dict[str, tuple[str, ...]] = {}
        self.rss_marks: list[tuple[float, float]] = []  # (time, MB) each time a new peak was reached
        # (time, {thread: (ns on a processor, ns runnable but waiting for one)}), from the kernel's schedstat
        self.sched: list[tuple[float, dict[str, tuple[int, int]]]] = []

    def beat(self) -> None:
        self.heartbeat = time.perf_counter()

    def start(self) -> None:
        gc.callbacks.append(self._on_gc)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict) -> None:
        me = threading.get_ident()
        if phase == "start":
            self._gc_start[me] = time.perf_counter()
        elif me in self._gc_start:
            self.collections.append((self._gc_start.pop(me), time.perf_counter(), info.get("generation", -1),
                                     threading.current_thread().name, info.get("collected", 0)))

    def _stacks(self) -> dict[str, tuple[str, ...]]:
        names = {t.ident: ("UI" if t.ident == self._main else t.name) for t in threading.enumerate()}
        return {names.get(ident, str(ident)): _stack(frame) for ident, frame in sys._current_frames().items()
                if names.get(ident) != "stall-watchdog"}

    def _sched(self) -> dict[str, tuple[int, int]]:
        """Each thread's time on a processor and time runnable but not running, so far (Linux), by the
        thread's kernel name (the main thread is "UI")."""
        out = {}
        watchdog = self._thread.native_id
        for tid in os.listdir("/proc/self/task"):
            if int(tid) == watchdog:
                continue
            try:
                with open(f"/proc/self/task/{tid}/schedstat", "rb") as f:
                    on_cpu, waiting = f.read().split()[:2]
                with open(f"/proc/self/task/{tid}/comm", encoding="ascii", errors="replace") as f:
                    name = "UI" if int(tid) == os.getpid() else f.read().strip()
            except OSError:
                continue
            key = f"{name}#{tid}"
            out[key] = (int(on_cpu), int(waiting))
        return out

    def _ui_wait(self) -> str:
        """Where the main thread sleeps in the kernel (futex: a lock such as the interpreter's; poll: idle)."""
        try:
            with open(f"/proc/self/task/{os.getpid()}/wchan", encoding="ascii", errors="replace") as f:
                wchan = f.read().strip() or "-"
            with open(f"/proc/self/task/{os.getpid()}/stat", encoding="ascii", errors="replace") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return "?"
        return f"{state}:{wchan}"

    def _rss_mb(self) -> float:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * 4096 / 2**20

    def _run(self) -> None:
        last = time.perf_counter()
        turns = 0
        while not self._stop.is_set():
            time.sleep(self.interval)
            now = time.perf_counter()
            turns += 1
            if turns % 5 == 0 or now - self.heartbeat > self.threshold:  # every 10 ms, each turn in a stall
                self.sched.append((now, self._sched()))
            if turns % 10 == 0:
                rss = self._rss_mb()
                if rss > self.peak_rss_mb + 5:
                    self.peak_rss_mb = rss
                    self.peak_stacks = self._stacks()
                    self.rss_marks.append((now, rss))
            if now - last > self.interval + 0.015:
                self.starved.append((now, now - last - self.interval, self._stacks()))
            last = now
            if now - self.heartbeat > self.threshold:
                stacks = self._stacks()
                stacks["UI-kernel"] = (self._ui_wait(),)
                self.samples.append((now, stacks))

    def report(self, ticks: list[float], limit_ms: float = 50.0, top: int = 3) -> str:
        """For each gap between ticks longer than ``limit_ms`` (+ the tick), what ran."""
        lines = []
        if ticks:
            for t, mb in self.rss_marks:
                if ticks[0] <= t <= ticks[-1]:
                    lines.append(f"resident {mb:.0f} MB at +{t - ticks[0]:.2f} s")
            lines.append(f"peak so far {self.peak_rss_mb:.0f} MB, at: " + "; ".join(
                f"{name}: {' < '.join(stack[:5])}" for name, stack in self.peak_stacks.items()))
            full = [(e - s) * 1000 for s, e, g, _t, _c in self.collections if g == 2 and ticks[0] <= s <= ticks[-1]]
            lines.append(f"full collections: {len(full)}, longest {max(full, default=0):.0f} ms; "
                         f"{len(gc.get_objects())} objects tracked now")
        gaps = [(a, b) for a, b in zip(ticks, ticks[1:]) if (b - a) * 1000 - 10 > limit_ms]
        for a, b in gaps:
            lines.append(f"stall {(b - a) * 1000 - 10:.0f} ms at +{a - ticks[0]:.2f} s")
            for start, end, generation, thread, collected in self.collections:
                if end > a and start < b:
                    lines.append(f"    gc gen {generation} in {thread}: {(end - start) * 1000:.0f} ms, "
                                 f"{collected} collected")
            within = [(t, c) for t, c in self.sched if a - 0.003 <= t <= b + 0.003]
            if len(within) >= 2:
                (t0, first), (t1, last) = within[0], within[-1]
                span = (t1 - t0) * 1000
                parts = []
                for name in last:
                    if name in first:
                        cpu = (last[name][0] - first[name][0]) / 1e6
                        queued = (last[name][1] - first[name][1]) / 1e6
                        if cpu + queued >= 1:
                            parts.append(f"{name} ran {cpu:.0f} queued {queued:.0f}")
                lines.append(f"    over {span:.0f} ms: " + "; ".join(parts) + " (ms; the rest asleep)")
            for woke, late, stacks in self.starved:
                if a < woke <= b + 0.005:
                    lines.append(f"    watchdog held off {late * 1000:.0f} ms (interpreter lock); at release:")
                    for name, stack in stacks.items():
                        lines.append(f"        {name}: {' < '.join(stack[:4])}")
            for t0, name, spent in getattr(self, "timed", []):
                if a - 0.5 < t0 <= b:
                    lines.append(f"    UI called {name}: {spent:.0f} ms at +{t0 - ticks[0]:.2f} s")
            inside = [stacks for t, stacks in self.samples if a < t <= b]
            ui = Counter(s.get("UI", ()) for s in inside)
            for stack, n in ui.most_common(top):
                lines.append(f"    UI x{n}: {' < '.join(stack[:7])}")
            others = Counter((name, s[:3]) for stacks in inside for name, s in stacks.items()
                             if name not in ("UI", "UI-kernel"))
            waits = Counter(s.get("UI-kernel", ("?",))[0] for s in inside)
            if waits:
                lines.append("    UI in the kernel: " + ", ".join(f"{w} x{n}" for w, n in waits.most_common()))
            for (name, stack), n in others.most_common(top):
                lines.append(f"    {name} x{n}: {' < '.join(stack)}")
        return "\n".join(lines)


def time_methods(targets: list[tuple[type, str]], log: list, limit_ms: float = 8.0) -> None:
    """Wrap each class method so that a call on the UI thread over ``limit_ms`` is noted in ``log``."""
    import functools

    for cls, name in targets:
        original = getattr(cls, name)

        @functools.wraps(original)
        def timed(*args, _original=original, _name=f"{cls.__name__}.{name}", **kwargs):
            t0 = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent = (time.perf_counter() - t0) * 1000
                if spent > limit_ms and threading.current_thread() is threading.main_thread():
                    log.append((t0, _name, spent))

        setattr(cls, name, timed)
