"""Measure what worker processes cost here, for the figures in ``pqa_desktop/core/runtime/processes.py``.

    .venv/bin/python scripts/start_cost.py [--runs 5] [FOLDER ...]

1. Start-up: for each start method this system has, the seconds from asking for a pool of two reading
   workers to both answering (a fresh pool each run; for the fork server, its first start).
2. With ``--kpis FOLDER`` (system exports at council scale): the KPIs worked out in this process, in a
   fresh copy started with each start method (the tables sent pickled; fork shares them), and in a
   spawned reading worker already running.
3. For each FOLDER: the read stage (``reading.read_inputs``) in one process and with two workers for each
   start method, each run in a fresh process (so imports and pool start-up count as they do for
   ``pqa build``), against what ``processes.reading_plan`` would choose there.

Medians of ``--runs``. The machine should be otherwise idle: the figures are wall-clock seconds.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_READ_ONCE = r"""
import json, sys, time
from pqa_desktop.core.runtime import processes
from pqa_desktop.core.pipeline import reading
from pqa_desktop.core.inputs.discover import discover

if __name__ == "__main__":
    files, _ = discover([sys.argv[1]])
    items = [(f, None) for f in files]
    plan = reading.reading_plan(items)
    stats = reading.ReadingStats()
    t = time.perf_counter()
    reading.read_inputs(items, stats=stats)
    seconds = time.perf_counter() - t
    reading.shutdown_pool()
    print(json.dumps({"seconds": seconds, "files": len(files), "bytes": sum(len(f.data) for f in files),
                      "in_workers": stats.in_workers, "plan": plan.workers, "plan_here": plan.seconds_here,
                      "plan_pool": plan.seconds_pool}))
"""


def _ping(_: int) -> int:
    return os.getpid()


def startup_seconds(method: str) -> float:
    from concurrent.futures import ProcessPoolExecutor

    from pqa_desktop.core.pipeline import reading

    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["pqa_desktop.core.pipeline.reading"])
    started = time.perf_counter()
    pool = ProcessPoolExecutor(2, mp_context=context, initializer=reading._start_worker,  # noqa: SLF001
                               initargs=(os.getpid(), False))
    # Two tasks that each wait a little, so both workers have to be up before both answer.
    list(pool.map(time.sleep, [0.05, 0.05]))
    seconds = time.perf_counter() - started - 0.05
    pool.shutdown()
    return seconds


def read_seconds(folder: str, method: str | None) -> dict:
    env = dict(os.environ)
    if method is None:
        env["PQA_READ_WORKERS"] = "0"
    else:
        env["PQA_READ_WORKERS"] = "2"
        env["PQA_START_METHOD"] = method
    out = subprocess.run([sys.executable, "-c", _READ_ONCE, folder], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True, encoding="utf-8").stdout
    return json.loads(out.strip().splitlines()[-1])


def plan_for(folder: str, method: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PQA_READ_WORKERS"}
    env["PQA_START_METHOD"] = method
    out = subprocess.run([sys.executable, "-c", _READ_ONCE.replace("reading.read_inputs(items, stats=stats)",
                                                                   "pass"), folder],
                         env=env, cwd=ROOT, check=True, capture_output=True, text=True, encoding="utf-8").stdout
    return json.loads(out.strip().splitlines()[-1])


def _kpis_in_copy(exports, period, settings, send) -> None:
    from pqa_desktop.core.measures.kpis import kpi_figures

    send.send(kpi_figures(exports, period, settings))


def kpi_seconds(folder: str, runs: int) -> None:
    from concurrent.futures import ProcessPoolExecutor
    from datetime import date

    from pqa_desktop.core.pipeline import run as pipeline, reading
    from pqa_desktop.core.calendar import Period
    from pqa_desktop.core.measures.kpis import kpi_figures
    from pqa_desktop.core.settings import Settings

    period = Period(date(2024, 9, 1))
    exports = pipeline.analyse([folder], period).exports
    settings = Settings(la_name="Anytown Council")
    rows = sum(t.rows for t in exports.tables.values())
    figures = {}

    def timed(label, work):
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            work()
            seconds.append(time.perf_counter() - started)
        figures[label] = statistics.median(seconds)

    timed("in this process", lambda: kpi_figures(exports, period, settings))
    for method in [m for m in ("fork", "forkserver", "spawn") if m in multiprocessing.get_all_start_methods()]:
        def copy(method=method):
            context = multiprocessing.get_context(method)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_kpis_in_copy, args=(exports, period, settings, send))
            process.start()
            send.close()
            receive.recv()
            process.join()
        timed(f"a fresh copy ({method})", copy)
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=reading._start_worker, initargs=(os.getpid(), False))  # noqa: SLF001
    pool.submit(time.sleep, 0).result()
    timed("a running spawned worker", lambda: pool.submit(kpi_figures, exports, period, settings).result())
    pool.shutdown()
    print(f"KPIs over {rows:,} export rows, median of {runs}:")
    for label, seconds in figures.items():
        print(f"  {label:28} {seconds:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kpis", metavar="FOLDER", help="system exports at council scale")
    parser.add_argument("folders", nargs="*")
    args = parser.parse_args()
    if args.kpis:
        kpi_seconds(args.kpis, args.runs)
    methods = [m for m in ("fork", "forkserver", "spawn") if m in multiprocessing.get_all_start_methods()]
    print(f"start-up of a 2-worker pool, median of {args.runs} (cpu count {os.cpu_count()}):")
    for method in methods:
        runs = [startup_seconds(method) for _ in range(args.runs)]
        print(f"  {method:10} {statistics.median(runs):.3f} s  (min {min(runs):.3f}, max {max(runs):.3f})")
    for folder in args.folders:
        first = read_seconds(folder, None)
        print(f"{folder}: {first['files']} files, {first['bytes'] / 1e6:.1f} MB")
        for method in [None, *methods]:
            runs = [read_seconds(folder, method)["seconds"] for _ in range(args.runs)]
            label = "one process" if method is None else f"2 workers, {method}"
            line = f"  {label:22} read {statistics.median(runs):.2f} s"
            if method is not None:
                plan = plan_for(folder, method)
                line += (f"   plan: {'pool' if plan['plan'] else 'one process'} "
                         f"(estimates: here {plan['plan_here']:.2f} s, pool {plan['plan_pool']:.2f} s)")
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
