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
