"""The command line starts its reading process before it imports the pipeline (issue 18, target 4 with
spawn): a build against a workspace reads only what is new, and a spawned reading process imports the
readers for about half a second before it can read one file. Started first (``reading_start``), it imports
them while the command line imports the rest, and the read takes it over rather than starting another.

Spawn is what every Windows laptop does; forced here with ``PQA_START_METHOD=spawn``.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import pqa_desktop.__main__ as entry
from pqa_desktop.core.pipeline import reading, reading_start
from pqa_desktop.core.records import InputFile
from pqa_desktop.core.returns.templates import return_bytes
from pqa_desktop.core.runtime import processes
from tests import fuzz_support as fz

ROOT = Path(__file__).resolve().parent.parent
HAS_SPAWN = "spawn" in multiprocessing.get_all_start_methods()

# Run as the bundle's entry file runs (``pqa_desktop/__main__.py``), with each launch of a reading process
# reported on stderr: whether the command line (and pandas) had been imported when it was started.
DRIVER = r'''
import json, os, sys

if __name__ == "__main__":
    from pqa_desktop.core.pipeline import reading_start

    launch = reading_start.launch

    def reported_launch(method, qt_loaded):
        started = launch(method, qt_loaded)
        print("LAUNCH " + json.dumps({"method": method, "pid": started.process.pid,
                                      "cli_imported": "pqa_desktop.cli" in sys.modules,
                                      "pandas_imported": "pandas" in sys.modules}), file=sys.stderr, flush=True)
        return started

    reading_start.launch = reported_launch
    from pqa_desktop.__main__ import main

    sys.argv = ["pqa", *sys.argv[1:]]
    sys.exit(main())
'''


def _env(home: Path, method: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in (processes.START_METHOD_ENV, reading.WORKERS_ENV)}
    env["PQA_DESKTOP_HOME"] = str(home)
    env["PYTHONPATH"] = str(ROOT)
    if method:
        env[processes.START_METHOD_ENV] = method
    return env


def _reports(stderr: str, tag: str) -> list[dict]:
    return [json.loads(line[len(tag) + 1:]) for line in stderr.splitlines() if line.startswith(tag + " ")]


@pytest.mark.skipif(not HAS_SPAWN, reason="no spawn here")
def test_a_workspace_build_starts_its_reading_process_before_importing_the_pipeline(tmp_path):
    year, new = tmp_path / "year", tmp_path / "new"
    year.mkdir()
    new.mkdir()
    (year / "Audit 1.xlsx").write_bytes(fz.case_return())
    (year / "EDT August.xlsx").write_bytes(fz.edt_return())
    (new / "Audit 2.xlsx").write_bytes(return_bytes("case_file_audit", {**fz.CASE_VALUES, "case_ref": "CR-4472"}))
    workspace, home = tmp_path / "ws.sqlite", tmp_path / "home"
    first = subprocess.run([sys.executable, "-m", "pqa_desktop", "build", str(year), "-o", str(tmp_path / "a.xlsx"),
                            "--workspace", str(workspace)],
                           env=_env(home, None), capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    out = tmp_path / "b.xlsx"
    second = subprocess.run([sys.executable, str(driver), "build", str(year), str(new), "-o", str(out),
                             "--workspace", str(workspace), "--json"],
                            env=_env(home, "spawn"), capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert out.exists()
    launches = _reports(second.stderr, "LAUNCH")
    # one process, started before the command line and pandas were imported, and no other ...
    assert launches == [{"method": "spawn", "pid": launches[0]["pid"], "cli_imported": False,
                         "pandas_imported": False}]
    # ... read the one new return (the year came back from the workspace)
    reading_stats = json.loads(second.stdout)["reading"]
    assert (reading_stats["read_in_reading_process"], reading_stats["read_in_process"],
            reading_stats["read_in_workers"]) == (1, 0, 0)


@pytest.mark.parametrize("argv, started", [
    (["build", "IN", "--workspace", "WS"], True),
    (["build", "--workspace=WS", "IN", "-o", "out.xlsx"], True),
    (["validate", "IN", "--workspace", "WS"], True),
    (["build", "IN", "-o", "out.xlsx"], False),  # no workspace: everything is read, by the worker pool
    (["build", "IN", "--workspace", "MISSING"], False),  # its first build: the same
    (["build", "IN", "--workspace", "EMPTY"], False),
    (["lookup", "--workspace", "WS", "abc"], False),  # reads no input
    (["purge", "--workspace", "WS", "--older-than", "24"], False),
    (["--version"], False),
    ([], False),
])
def test_the_command_line_starts_a_reading_process_ahead_only_for_a_build_with_a_workspace(
        tmp_path, monkeypatch, argv, started):
    (tmp_path / "WS").write_bytes(b"SQLite format 3\x00")
    (tmp_path / "EMPTY").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert entry.reads_few_beside_a_workspace(argv) is started


@pytest.mark.parametrize("workers, method", [("", "fork"), ("1", "spawn")])
def test_nothing_is_started_ahead_with_fork_or_when_files_are_read_in_the_program(monkeypatch, workers, method):
    # fork: a reading process is ready in milliseconds; PQA_READ_WORKERS=1: there is none
    monkeypatch.setenv(reading.WORKERS_ENV, workers)
    launched = []
    monkeypatch.setattr(reading_start, "launch", lambda *a: launched.append(a))
    reading_start.start_ahead(method)
    assert launched == [] and reading_start.take_started(method) is None


@pytest.mark.skipif(not HAS_SPAWN, reason="no spawn here")
def test_a_process_started_ahead_and_never_taken_is_ended_with_the_reading_processes(monkeypatch):
    # a workspace build with nothing new to read: the command line's end (shutdown_pool) kills it, still
    # importing, rather than waiting for it
    monkeypatch.setenv(reading.WORKERS_ENV, "")
    reading_start.start_ahead("spawn")
    started = reading_start._started
    assert started is not None and started.process.is_alive()
    reading.shutdown_pool()
    assert started.process.exitcode == -signal.SIGKILL
    assert reading_start.take_started("spawn") is None


@pytest.mark.skipif(not HAS_SPAWN, reason="no spawn here")
def test_a_process_started_ahead_by_another_method_is_ended_not_used(monkeypatch):
    monkeypatch.setenv(reading.WORKERS_ENV, "")
    reading_start.start_ahead("spawn")
    started = reading_start._started
    assert reading_start.take_started("forkserver") is None
    assert started.process.exitcode is not None and not started.process.is_alive()


@pytest.mark.skipif(not HAS_SPAWN, reason="no spawn here")
def test_the_reading_process_takes_over_the_one_started_ahead_and_reads_with_it(monkeypatch):
    monkeypatch.setenv(reading.WORKERS_ENV, "")
    monkeypatch.setattr(reading, "_quarantine_method", lambda: "spawn")
    reading.stop_quarantine()
    try:
        reading_start.start_ahead("spawn")
        pid = reading_start._started.process.pid
        item = InputFile("Audit 1.xlsx", fz.case_return(), "x")
        assert reading.read_inputs([(item, None)])[0].kind == "case_file_audit"
        assert reading._quarantine()._process.pid == pid
        assert reading_start._started is None
    finally:
        reading.stop_quarantine()


# --- the worker pool, started ahead of a build that reads many files ---------------------------------------

# Run as DRIVER is, reporting the pool started ahead (when, and its workers) and the pool the read took over.
POOL_DRIVER = r'''
import json, os, sys

if __name__ == "__main__":
    from pqa_desktop.core.pipeline import reading_start

    start_pool_ahead, take_pool = reading_start.start_pool_ahead, reading_start.take_pool

    def reported_start(paths, method=None):
        start_pool_ahead(paths, method)
        ahead = reading_start._pool_ahead
        print("AHEAD " + json.dumps({"key": list(ahead.key) if ahead else None, "pool": id(ahead.pool) if ahead else None,
                                     "cli_imported": "pqa_desktop.cli" in sys.modules,
                                     "pandas_imported": "pandas" in sys.modules}), file=sys.stderr, flush=True)

    def reported_take(key):
        pool = take_pool(key)
        print("TAKEN " + json.dumps({"key": list(key), "pool": id(pool) if pool is not None else None}),
              file=sys.stderr, flush=True)
        return pool

    reading_start.start_pool_ahead, reading_start.take_pool = reported_start, reported_take
    from pqa_desktop.__main__ import main

    sys.argv = ["pqa", *sys.argv[1:]]
    sys.exit(main())
'''


def _year_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "Audit 1.xlsx").write_bytes(fz.case_return())
    (folder / "EDT August.xlsx").write_bytes(fz.edt_return())
    (folder / "Audit 2.xlsx").write_bytes(return_bytes("case_file_audit", {**fz.CASE_VALUES, "case_ref": "CR-4472"}))
    return folder


@pytest.mark.skipif(not HAS_SPAWN, reason="no spawn here")
@pytest.mark.parametrize("workspace", [False, True], ids=["no workspace", "a new workspace"])
def test_a_build_that_reads_many_files_starts_its_workers_before_importing_the_pipeline(tmp_path, workspace):
    # PQA_READ_WORKERS=2 makes three returns "many files" (the plan's rule is tested in test_processes);
    # a new workspace's first build reads everything, as a build without one does
    year = _year_folder(tmp_path / "year")
    driver = tmp_path / "driver.py"
    driver.write_text(POOL_DRIVER, encoding="utf-8")
    env = _env(tmp_path / "home", "spawn")
    env[reading.WORKERS_ENV] = "2"
    out = tmp_path / "out.xlsx"
    argv = [sys.executable, str(driver), "build", str(year), "-o", str(out), "--json"]
    if workspace:
        argv += ["--workspace", str(tmp_path / "ws.sqlite")]
    run = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    (ahead,) = _reports(run.stderr, "AHEAD")
    # started by spawn with two workers, before the command line and pandas were imported ...
    assert ahead["key"] == [2, "spawn"] and not ahead["cli_imported"] and not ahead["pandas_imported"]
    # ... and that pool, not another, read every file
    assert _reports(run.stderr, "TAKEN") == [{"key": [2, "spawn"], "pool": ahead["pool"]}]
    stats = json.loads(run.stdout)["reading"]
    assert (stats["read_in_workers"], stats["read_in_process"], stats["fell_back_inputs"]) == (3, 0, 0)
    assert out.exists()


@pytest.mark.parametrize("argv, paths", [
    (["build", "IN", "-o", "out.xlsx"], ["IN", "out.xlsx"]),
    (["build", "--json", "IN", "IN2", "--period-end=2024-09"], ["IN", "IN2"]),
    (["validate", "IN"], ["IN"]),
    (["build"], []),
])
def test_the_paths_named_are_every_word_after_the_command_that_is_not_an_option(argv, paths):
    assert entry.paths_named(argv) == paths


def test_the_command_line_starts_a_pool_ahead_for_a_build_without_a_workspace_only(tmp_path, monkeypatch):
    (tmp_path / "WS").write_bytes(b"SQLite format 3\x00")
    monkeypatch.chdir(tmp_path)
    calls = []
    monkeypatch.setattr(reading_start, "start_pool_ahead", lambda paths: calls.append(("pool", paths)))
    monkeypatch.setattr(reading_start, "start_ahead", lambda: calls.append(("process",)))
    monkeypatch.setattr("pqa_desktop.cli.main", lambda: 0)
    for argv in (["build", "IN", "-o", "o.xlsx"], ["build", "IN", "--workspace", "WS"], ["lookup", "IN"],
                 ["demo", "o.xlsx"], ["validate", "IN", "--workspace", "NEW"]):
        monkeypatch.setattr(sys, "argv", ["pqa", *argv])
        assert entry.main() == 0
    assert calls == [("pool", ["IN", "o.xlsx"]), ("process",), ("pool", ["IN", "NEW"])]


@pytest.mark.parametrize("workers, method, many", [("", "fork", True), ("1", "spawn", True), ("", "spawn", False)],
                         ids=["fork", "read in the program", "a few small files"])
def test_no_pool_is_started_ahead_with_fork_in_the_program_or_for_a_few_files(tmp_path, monkeypatch, workers,
                                                                              method, many):
    # fork: a forked worker is ready in milliseconds; PQA_READ_WORKERS=1: there are no workers; three
    # returns: quicker read in one process (the plan's rule), so no worker is started for them
    monkeypatch.setenv(reading.WORKERS_ENV, workers)
    folder = _year_folder(tmp_path / "year")
    if many:  # large enough for a pool by the plan's rule, whatever the start method
        with open(folder / "Contacts export.csv", "wb") as big:  # sparse: its size is all the plan looks at
            big.truncate(60_000_000)
    reading_start.start_pool_ahead([str(folder)], method)
    assert reading_start.pool_ahead_key() is None


@pytest.mark.skipif(not HAS_SPAWN, reason="no spawn here")
def test_a_pool_started_ahead_and_never_taken_is_ended_with_the_reading_processes(monkeypatch):
    # a build that reads nothing in the end (an error before reading): the command line's end (shutdown_pool)
    # kills its workers, perhaps still importing the readers, rather than waiting for them
    monkeypatch.setenv(reading.WORKERS_ENV, "2")
    reading_start.start_pool_ahead([], "spawn")
    ahead = reading_start._pool_ahead
    assert ahead is not None and ahead.key == (2, "spawn")
    workers = list(ahead.pool._processes.values())
    assert len(workers) == 2
    reading.shutdown_pool()
    assert all(w.exitcode == -signal.SIGKILL for w in workers)
    assert reading_start.pool_ahead_key() is None


@pytest.mark.skipif(not HAS_SPAWN, reason="no spawn here")
def test_a_pool_started_ahead_of_another_size_is_ended_and_the_read_starts_its_own(monkeypatch):
    monkeypatch.setenv(reading.WORKERS_ENV, "3")
    monkeypatch.setattr(reading, "_start_method", lambda: "spawn")
    reading.shutdown_pool()
    reading_start.start_pool_ahead([], "spawn")
    ahead = reading_start._pool_ahead
    workers = list(ahead.pool._processes.values())
    monkeypatch.setenv(reading.WORKERS_ENV, "2")
    items = [(InputFile(f"Audit {n}.xlsx", fz.case_return(), str(n)), None) for n in range(2)]
    try:
        stats = reading.ReadingStats()
        results = reading.read_inputs(items, stats=stats)
        assert [r.kind for r in results] == ["case_file_audit"] * 2 and stats.in_workers == 2
        assert reading._current_pool() is not ahead.pool and reading_start.pool_ahead_key() is None
        assert all(not w.is_alive() for w in workers)
    finally:
        reading.shutdown_pool()


@pytest.mark.skipif(not HAS_SPAWN, reason="no spawn here")
def test_a_pool_is_started_ahead_for_inputs_the_plan_would_read_in_a_pool(tmp_path, monkeypatch):
    # the same returns as the last case, with four large exports: the plan's rule now wants a pool
    monkeypatch.setenv(reading.WORKERS_ENV, "")
    folder = _year_folder(tmp_path / "year")
    for n in range(4):
        with open(folder / f"Contacts export {n}.csv", "wb") as big:
            big.truncate(15_000_000)
    expected = processes.reading_plan([(p.name, p.stat().st_size) for p in folder.iterdir()], method="spawn")
    try:
        reading_start.start_pool_ahead([str(folder)], "spawn")
        assert expected.workers >= 2 and reading_start.pool_ahead_key() == (expected.workers, "spawn")
    finally:
        reading_start.discard_pool_ahead()
    assert reading_start.pool_ahead_key() is None
