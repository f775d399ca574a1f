"""Reading many inputs across worker processes (core/pipeline/reading.py): same results, same order, as reading
them one by one in this process; cancel; a worker that dies; when workers are used at all."""
from __future__ import annotations

import hashlib
import os
import pickle
from datetime import date
from pathlib import Path

import pytest

from pqa_desktop.core.runtime import processes
from pqa_desktop.core.pipeline import reading
from pqa_desktop.core.records import InputFile
from pqa_desktop.core.sample.demo import generate_returns
from pqa_desktop.core.sample.exports import generate_exports


def _item(path: Path) -> InputFile:
    data = path.read_bytes()
    return InputFile(path.name, data, hashlib.sha256(data).hexdigest(), str(path))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[InputFile]:
    folder = tmp_path_factory.mktemp("reading")
    generate_returns(folder / "returns", period_end=date(2024, 9, 1), seed=7, messy=True,
                     case_file_audits=30, foster_audits=5, edt_samples=2)
    generate_exports(folder / "exports", period_end=date(2024, 9, 1), seed=7, scale=0.1, messy=True)
    (folder / "notes.txt").write_text("not an input")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return [_item(p) for p in files]


def _comparable(result) -> bytes:
    """Everything a result holds, as bytes (frames compared by content through pickle)."""
    exports = [(t.kind, t.frame.to_dict("list")) for t in result.exports]
    return pickle.dumps((result.kind, result.kind_label, result.audits, result.edt_samples, result.findings,
                         sorted(result.sensitive), sorted(result.staff_names), exports))


@pytest.fixture()
def fresh_pool():
    reading.shutdown_pool()
    yield
    reading.shutdown_pool()


def test_workers_give_the_same_results_in_the_same_order(inputs, monkeypatch, fresh_pool):
    items = [(item, None) for item in inputs]
    monkeypatch.setenv(reading.WORKERS_ENV, "1")
    alone = reading.read_inputs(items)
    monkeypatch.setenv(reading.WORKERS_ENV, "2")
    seen = []
    parallel = []
    real = reading._read_in_workers
    monkeypatch.setattr(reading, "_read_in_workers", lambda *a: parallel.append(1) or real(*a))
    together = reading.read_inputs(items, progress=lambda done, total, name: seen.append((done, total)))
    assert parallel, "the parallel path was not taken"
    assert [_comparable(r) for r in together] == [_comparable(r) for r in alone]
    kinds = {r.kind for r in together}
    assert {"case_file_audit", "system_export", "skipped"} <= kinds
    assert seen[-1] == (len(items), len(items))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen), "progress went backwards"


def test_overrides_reach_the_worker(inputs, monkeypatch, fresh_pool):
    """A value correction travels with its file: the worker reads the corrected value."""
    from pqa_desktop.core.findings import FindingSink
    from pqa_desktop.core.inputs.tables import read_tables

    audit = next(item for item in inputs if reading.read_input(item).kind == "case_file_audit")
    plain = reading.read_input(audit)
    table, row, col = next((t, r, c) for t in read_tables(audit, FindingSink(audit.name))
                           for r, cells in enumerate(t.rows) for c, v in enumerate(cells)
                           if isinstance(v, str) and v in plain.sensitive)
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    overrides = {(table.sheet, f"{letters}{row + 1}"): "CORRECTED-REF-1"}
    corrected = reading.read_input(audit, overrides)
    assert "CORRECTED-REF-1" in corrected.sensitive, "the override did not change what was read"
    monkeypatch.setenv(reading.WORKERS_ENV, "2")
    items = [(audit, overrides)] + [(item, None) for item in inputs if item is not audit]
    together = reading.read_inputs(items)
    assert _comparable(together[0]) == _comparable(corrected)


def test_batches_cover_every_file_once_big_ones_alone():
    sizes = [10, reading.BATCH_BYTES + 5, 3, 700_000, 20] + [1_000] * 120
    items = [(InputFile(f"f{i}.xlsx", b"x" * size, str(i)), None) for i, size in enumerate(sizes)]
    tasks = reading._batches(items)
    flat = [i for task in tasks for i in task]
    assert sorted(flat) == list(range(len(items)))
    assert tasks[0] == [3] and tasks[1] == [1], "largest first, each big file a task of its own"
    assert all(len(task) <= reading.BATCH_FILES for task in tasks)


def test_small_inputs_are_read_here_large_ones_in_workers(monkeypatch, fresh_pool):
    """The pool is used when it is quicker, start-up included: a forked pool pays on a few hundred returns,
    a spawned one (a second to start) only on a council's month; PQA_READ_WORKERS overrides the estimate."""
    monkeypatch.delenv(reading.WORKERS_ENV, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    returns = lambda n: [(InputFile(f"f{i}.xlsx", b"x" * 12_000, str(i)), None) for i in range(n)]  # noqa: E731
    few, many, council = returns(20), returns(800), returns(1360)  # a large council's year (make bench):
    council += [(InputFile("Annex A.xlsx", b"x" * 7_600_000, "a"), None),  # the exports workbook,
                (InputFile("Contacts.csv", b"x" * 9_900_000, "c"), None),  # List 1 and the allocations as CSV
                (InputFile("Allocations.csv", b"x" * 2_300_000, "l"), None)]
    for method, small, large in (("fork", few, many), ("spawn", many, council), ("forkserver", many, council)):
        monkeypatch.setattr(reading, "_start_method", lambda: method)
        assert reading.worker_count(small) == 0, method
        assert reading.worker_count(large) == 2, method
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert reading.worker_count(council) == 0
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert reading.worker_count(council) == reading.MAX_WORKERS
    monkeypatch.setenv(reading.WORKERS_ENV, "0")
    assert reading.worker_count(council) == 0
    monkeypatch.setenv(reading.WORKERS_ENV, "3")
    assert reading.worker_count(few) == 3


def test_cancel_stops_reading(inputs, monkeypatch, fresh_pool):
    monkeypatch.setenv(reading.WORKERS_ENV, "2")
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(reading.Cancelled):
        reading.read_inputs([(item, None) for item in inputs], cancel=cancel)


def test_a_worker_that_dies_stops_one_file_and_every_other_is_read(inputs, monkeypatch, fresh_pool):
    """A worker killed mid-file breaks the pool: the files it had not finished are read again one at a time
    in a reading process, never in this one; the file that ends that process too becomes a finding, and
    every other file is read as it would be alone."""
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("the crash is planted through fork; other start methods re-import the module")
    monkeypatch.setattr(reading, "_start_method", lambda: "fork")
    parent = os.getpid()
    real = reading.read_input
    victim = next(item.name for item in inputs if item.name.endswith(".xlsx"))

    def crashing(item, overrides=None):
        if os.getpid() != parent and item.name == victim:
            os._exit(3)  # as a native crash in a cell reader would end the worker
        return real(item, overrides)

    monkeypatch.setattr(reading, "read_input", crashing)
    monkeypatch.setenv(reading.WORKERS_ENV, "2")
    items = [(item, None) for item in inputs]
    together = reading.read_inputs(items)
    assert len(together) == len(items) and all(r is not None for r in together)
    stopped = [(item.name, r.kind, [f.rule for f in r.findings]) for item, r in zip(inputs, together)
               if item.name == victim]
    assert stopped == [(victim, "unreadable", ["file.reader_stopped"])]
    assert [_comparable(r) for item, r in zip(inputs, together) if item.name != victim] == \
        [_comparable(real(item)) for item in inputs if item.name != victim]
    assert reading._pool is None, "the worker did not die (or the broken pool was kept)"
    # The broken pool was let go: the next read starts a working one.
    monkeypatch.setattr(reading, "read_input", real)
    again = reading.read_inputs(items)
    assert [_comparable(r) for r in again] == [_comparable(real(item)) for item in inputs]


def test_behind_a_window_workers_start_from_a_fork_server_below_normal_priority(inputs, monkeypatch, fresh_pool):
    """The app has Qt's threads: its workers come from a fork server (never a fork of the app), run
    niced, and read the same as anywhere else."""
    if not hasattr(os, "nice") or "forkserver" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("POSIX only")
    monkeypatch.setattr(processes, "qt_loaded", lambda: True)  # the one place the pool and the start method ask
    monkeypatch.delenv(processes.START_METHOD_ENV, raising=False)  # the automatic choice, whatever CI forces
    assert reading._start_method() == "forkserver"
    pool = reading._get_pool(2)
    assert pool.submit(os.nice, 0).result(timeout=60) == os.nice(0) + 5
    monkeypatch.setenv(reading.WORKERS_ENV, "2")
    items = [(item, None) for item in inputs[:6]]
    assert [_comparable(r) for r in reading.read_inputs(items)] == \
        [_comparable(reading.read_input(item)) for item, _ in items]


_ORPHAN_SCRIPT = """
import os, signal, sys
from pqa_desktop.core.pipeline import reading

if __name__ == "__main__":
    reading._start_method = lambda: sys.argv[1]
    pool = reading._get_pool(2)
    list(pool.map(abs, range(4)))  # the workers are up
    print(" ".join(str(pid) for pid in pool._processes), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # a crash: no atexit, no shutdown
"""


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_workers_stop_when_the_process_that_started_them_is_killed(method, tmp_path):
    import subprocess
    import sys
    import time

    if method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"no {method} here")
    script = tmp_path / "orphan.py"
    script.write_text(_ORPHAN_SCRIPT, encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run([sys.executable, str(script), method], capture_output=True, text=True, timeout=120,
                         cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    pids = [int(p) for p in run.stdout.split()]
    assert len(pids) == 2, run.stderr

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        stat = Path(f"/proc/{pid}/stat")
        return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")

    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if alive(pid)], "workers outlived the process that started them"


def test_forked_workers_are_stopped_once_the_files_are_read(inputs, monkeypatch, fresh_pool):
    """The command line's workers are forked: stopped after reading, so the process may fork again."""
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no fork here")
    monkeypatch.setattr(reading, "_start_method", lambda: "fork")
    monkeypatch.setenv(reading.WORKERS_ENV, "2")
    reading.read_inputs([(item, None) for item in inputs])
    assert reading._pool is None


def test_read_inputs_can_let_each_result_go_once_it_is_handed_over(tmp_path, monkeypatch):
    """Issue 18: every file read stayed in memory until the last was read, though the pipeline had imported
    it (a hundred megabytes of a council's year at the app's peak). With keep=False each result is passed
    on and let go."""
    import gc
    import weakref

    from pqa_desktop.core.pipeline import reading
    from pqa_desktop.core.inputs.discover import discover

    monkeypatch.setenv(reading.WORKERS_ENV, "0")
    for n in range(4):
        (tmp_path / f"notes {n}.csv").write_text(f"a,b\n1,{n}\n", encoding="utf-8")
    files, _ = discover([tmp_path])
    alive: list = []
    kinds = []

    def took(index, result):
        kinds.append((index, result.kind))
        assert all(ref() is None for ref in alive), "an earlier result is still held"
        alive.append(weakref.ref(result))

    gc.disable()  # only reference counting frees them: nothing waits for a collection
    try:
        returned = reading.read_inputs([(f, None) for f in files], on_result=took, keep=False)
    finally:
        gc.enable()
    assert returned == [] and sorted(i for i, _ in kinds) == [0, 1, 2, 3]
    kept = reading.read_inputs([(f, None) for f in files])
    assert [r.kind for r in kept] == [kind for _, kind in sorted(kinds)]
