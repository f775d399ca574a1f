"""Worker processes as Windows starts them, on Linux: the start-method switch (PQA_START_METHOD), the pool
that pays its way, a clean exit on every start method, and a pool that fails telling the user.

The command line is run for real (``python -m pqa_desktop``, a fresh process each time) so the start
method, the resource tracker and the end of the process are the real ones.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pqa_desktop.core.runtime import processes
from pqa_desktop.core.pipeline import reading
from pqa_desktop.core.records import InputFile
from pqa_desktop.core.returns.templates import write_return

ROOT = Path(__file__).resolve().parent.parent
METHODS = [m for m in ("fork", "forkserver", "spawn") if m in multiprocessing.get_all_start_methods()]


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> Path:
    """A dozen returns: few enough to run quickly, enough for two workers to share."""
    from datetime import date

    folder = tmp_path_factory.mktemp("returns")
    for n in range(12):
        write_return(folder / f"Audit {n:02}.xlsx", "case_file_audit", {
            "case_ref": f"AB{100000 + n}", "service_area": "IRT", "team": "IRT 1", "auditor": "Ann Auditor",
            "audit_date": date(2024, 7, 1 + n), "overall": ("Good", "Requires improvement")[n % 2]})
    return folder


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PQA_") or k == "PQA_DESKTOP_HOME"}
    env.update(PYTHONPATH=str(ROOT), **extra)
    return env


def _pqa(args: list[str], *, env: dict, script: Path | None = None, timeout: int = 180
         ) -> tuple[subprocess.CompletedProcess, list[tuple[int, str]]]:
    """Run the command line in a session of its own; returns the run and the processes of that session
    still there the moment it ended (pid, command line)."""
    command = [sys.executable, str(script)] if script else [sys.executable, "-m", "pqa_desktop"]
    proc = subprocess.Popen(command + args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    left = _session(proc.pid)  # the session's id is the pid of its first process
    run = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    run.sid = proc.pid
    return run, left


def _session(sid: int) -> list[tuple[int, str]]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] not in "ZX" and cmdline:
            # fields[3]: the session id; Z, X, or no command line left: ending, its memory already released
            found.append((int(stat.parent.name), cmdline))
    return found


def _wait_gone(sid: int, seconds: float = 15) -> list[tuple[int, str]]:
    deadline = time.monotonic() + seconds
    while (left := _session(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


# ---------------------------------------------------------------------------------------------------------
# the switch
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", METHODS)
def test_the_start_method_can_be_forced_for_testing(method, monkeypatch):
    monkeypatch.setattr(processes, "fork_is_safe", lambda: True)  # as on the command line
    monkeypatch.setenv(processes.START_METHOD_ENV, method)
    assert processes.start_method() == method
    assert reading._start_method() == method  # noqa: SLF001 - the pool asks the same place


def test_without_the_switch_fork_where_safe_else_a_fork_server(monkeypatch):
    monkeypatch.delenv(processes.START_METHOD_ENV, raising=False)
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("POSIX only")
    monkeypatch.setattr(processes, "fork_is_safe", lambda: True)
    assert processes.start_method() == "fork"
    monkeypatch.setattr(processes, "fork_is_safe", lambda: False)  # the app: Qt's threads
    assert processes.start_method() == "forkserver"


def test_a_forced_fork_is_not_honoured_where_forking_is_unsafe_and_a_typo_is_ignored(monkeypatch):
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("POSIX only")
    monkeypatch.setattr(processes, "fork_is_safe", lambda: False)
    monkeypatch.setenv(processes.START_METHOD_ENV, "fork")
    assert processes.start_method() == "forkserver"
    monkeypatch.setattr(processes, "fork_is_safe", lambda: True)
    monkeypatch.setenv(processes.START_METHOD_ENV, "spwan")
    assert processes.start_method() == "fork"


# ---------------------------------------------------------------------------------------------------------
# the pool pays its way
# ---------------------------------------------------------------------------------------------------------
def _returns(n: int) -> list[tuple[str, int]]:
    return [(f"Audit {i}.xlsx", 12_000) for i in range(n)]


COUNCIL = _returns(1360) + [("Annex A.xlsx", 7_600_000), ("Contacts.csv", 9_900_000), ("Allocations.csv", 2_300_000)]
SAMPLE = _returns(127) + [("Anytown exports.xlsx", 560_000), ("Contacts export.csv", 500_000),
                          ("Allocation history.csv", 310_000)]  # the demo's folder (130 inputs)


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_a_pool_that_must_start_python_is_left_alone_on_small_folders(method, monkeypatch):
    """The issue's 142-file folder took 2.57 s with two spawned workers against 1.47 s in one process."""
    monkeypatch.delenv(processes.WORKERS_ENV, raising=False)
    plan = processes.reading_plan(SAMPLE, method=method, cores=2)
    assert plan.workers == 0 and plan.seconds_pool > plan.seconds_here
    assert processes.reading_plan(_returns(400), method=method, cores=2).workers == 0


@pytest.mark.parametrize("method", METHODS)
def test_a_large_councils_year_is_read_by_the_pool_on_every_start_method(method, monkeypatch):
    monkeypatch.delenv(processes.WORKERS_ENV, raising=False)
    plan = processes.reading_plan(COUNCIL, method=method, cores=2)
    assert plan.workers == 2 and plan.seconds_pool < plan.seconds_here


def test_a_running_pool_costs_nothing_to_start(monkeypatch):
    """The app keeps its pool: the second build of a mid-sized folder uses it where the first would not."""
    monkeypatch.delenv(processes.WORKERS_ENV, raising=False)
    middle = _returns(900)
    assert processes.reading_plan(middle, method="spawn", cores=2).workers == 0
    assert processes.reading_plan(middle, method="spawn", cores=2, warm=True).workers == 2


def test_forked_pools_pay_sooner_than_spawned_ones(monkeypatch):
    monkeypatch.delenv(processes.WORKERS_ENV, raising=False)
    crossover = {}
    for method in ("fork", "forkserver", "spawn"):
        n = next(n for n in range(2, 5000, 10) if processes.reading_plan(_returns(n), method=method, cores=2).workers)
        crossover[method] = n
    assert crossover["fork"] < crossover["forkserver"] <= crossover["spawn"], crossover


def test_the_estimate_follows_the_measured_costs():
    """A return costs about a millisecond and a half; a large spreadsheet by the megabyte, about four
    times a CSV (processes.READ_SECONDS_*)."""
    assert processes.read_seconds("Audit 1.xlsx", 12_000) == pytest.approx(0.0015)
    big_xlsx = processes.read_seconds("Annex A.xlsx", 7_600_000)
    big_csv = processes.read_seconds("Contacts.csv", 7_600_000)
    assert big_xlsx == pytest.approx(3.77, abs=0.05) and big_xlsx / big_csv == pytest.approx(3.8, abs=0.2)


# ---------------------------------------------------------------------------------------------------------
# the command line: workers read, the JSON says so, the process ends cleanly on every start method
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", METHODS)
def test_the_command_line_ends_cleanly_on_every_start_method(method, returns, tmp_path, request):
    """No 'resource_tracker: There appear to be N leaked semaphore objects' (the pool's semaphores are
    released before the process ends) and no worker left behind."""
    out = tmp_path / "report.xlsx"
    # The temporary folder of this run alone: what is left in it was left by it. Short: the fork server's
    # socket goes in it, and a socket's path may not be longer than 107 bytes (a pytest folder can be).
    temp = Path(tempfile.mkdtemp(prefix="pqa-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(temp, ignore_errors=True))
    run, left = _pqa(["build", str(returns), "-o", str(out), "--period-end", "2024-09", "--la-name", "Anytown",
                      "--produced", "2024-10-07", "--json"],
                     env=_env(PQA_START_METHOD=method, PQA_READ_WORKERS="2", TMPDIR=str(temp)))
    assert run.returncode == 0, run.stderr
    assert "leaked" not in run.stderr and "resource_tracker" not in run.stderr, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    summary = json.loads(run.stdout)
    assert summary["reading"]["start_method"] == method
    assert summary["reading"]["read_in_workers"] == 12 and summary["reading"]["read_in_process"] == 0
    assert summary["reading"]["pool_fell_back"] is False
    # The moment it ended, only multiprocessing's own helpers were left (they end when they see it gone).
    workers = [(pid, cmd) for pid, cmd in left if "resource_tracker" not in cmd and "forkserver" not in cmd]
    assert workers == [], f"workers outlived the command line: {workers}"
    assert _wait_gone(run.sid) == [], "multiprocessing's helpers did not end after the command line"
    assert list(temp.iterdir()) == [], "left in the temporary folder (the fork server's pymp-… folder?)"


@pytest.mark.parametrize("entry", ["__main__.py", "app/__main__.py"])
def test_the_entry_point_imports_nothing_before_it_knows_it_is_a_worker(entry):
    """A spawned worker runs the program's entry file's top level before ``freeze_support`` makes it a worker
    (the frozen bundle runs it as the program; from source it is re-run as ``__mp_main__``): whatever that top
    level imports, every worker imports too. Neither the command line's entry nor the app's imports anything
    of the program (the app's imported Qt and the whole window into every worker)."""
    probe = ("import runpy, sys; runpy.run_path(sys.argv[1], run_name='__mp_main__'); "
             "print(sorted(m for m in sys.modules if m.startswith(('pqa_desktop', 'pandas', 'numpy', 'PySide6'))))")
    run = subprocess.run([sys.executable, "-c", probe, str(ROOT / "pqa_desktop" / entry)], cwd=ROOT,
                         env=_env(), capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


@pytest.mark.skipif("spawn" not in METHODS, reason="spawn only")
def test_spawned_workers_import_the_reading_code_not_the_command_line(returns, tmp_path):
    """The program started from its entry file, as the bundle starts it (each spawned worker then runs that
    file's top level first, as the bundle's workers do). With ``-X importtime`` (which a spawned worker
    inherits) each process logs what it imports: the reading code is imported by the command line and by the
    workers that read, the command line and its report writer only by the command line itself. Each spawned
    worker used to import the whole command line (issue 18)."""
    out = tmp_path / "report.xlsx"
    env = _env(PQA_START_METHOD="spawn", PQA_READ_WORKERS="2")
    command = [sys.executable, "-X", "importtime", str(ROOT / "pqa_desktop" / "__main__.py"), "build", str(returns),
               "-o", str(out), "--period-end", "2024-09", "--la-name", "Anytown", "--produced", "2024-10-07",
               "--json"]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["reading"]["read_in_workers"] == 12

    def imports_of(module: str) -> int:
        return sum(line.rsplit("|", 1)[-1].strip() == module for line in run.stderr.splitlines()
                   if line.startswith("import time:"))

    # the readers by the command line and a worker (or two); counted by the readers themselves, as a worker of
    # the pool started ahead imports the reading module by name (importlib), which -X importtime leaves out
    assert imports_of("pqa_desktop.core.returns.reader") >= 2
    assert imports_of("pqa_desktop.core.report.writer") == 1
    assert imports_of("pqa_desktop.cli") == 1


_NO_MAIN_GUARD = """
import sys
from pqa_desktop.cli import run

# No `if __name__ == "__main__":` and no freeze_support(): a spawned worker re-runs this whole script
# when it starts, tries to start workers of its own, and dies. The frozen bundle without
# freeze_support() fails the same way.
sys.exit(run(sys.argv[1:]))
"""


@pytest.mark.skipif("spawn" not in METHODS, reason="spawn only")
def test_workers_that_cannot_start_are_a_warning_not_a_silent_retry(returns, tmp_path):
    script = tmp_path / "no_guard.py"
    script.write_text(_NO_MAIN_GUARD, encoding="utf-8")
    out = tmp_path / "report.xlsx"
    args = ["build", str(returns), "-o", str(out), "--period-end", "2024-09", "--la-name", "Anytown",
            "--produced", "2024-10-07", "--json"]
    run, _ = _pqa(args, env=_env(PQA_START_METHOD="spawn", PQA_READ_WORKERS="2"), script=script)
    assert run.returncode == 0, run.stderr  # the workbook is still complete ...
    summary = json.loads(run.stdout)
    assert summary["reading"]["pool_fell_back"] is True
    assert summary["reading"]["read_in_process"] == 12 and summary["reading"]["fell_back_inputs"] == 12
    warning = next(line for line in run.stderr.splitlines() if line.startswith("pqa: warning:"))
    assert "reading workers stopped" in warning
    assert "12 of the inputs were read by this program itself" in warning
    alone, _ = _pqa(args[:3] + [str(tmp_path / "alone.xlsx")] + args[4:], env=_env(PQA_READ_WORKERS="0"))
    assert out.read_bytes() == (tmp_path / "alone.xlsx").read_bytes()  # ... and the same


def test_a_pool_that_cannot_start_falls_back_with_a_reason(returns, monkeypatch):
    """Where the system refuses to start a process (Windows: AppLocker or endpoint protection blocking an
    executable that starts a copy of itself), every file is read here, and the stats say why."""
    from pqa_desktop.core.inputs.discover import discover

    def refused(workers):
        raise PermissionError(13, "Access is denied")

    monkeypatch.setattr(reading, "_get_pool", refused)
    monkeypatch.setenv(processes.WORKERS_ENV, "2")
    files, _ = discover([returns])
    stats = reading.ReadingStats()
    results = reading.read_inputs([(f, None) for f in files], stats=stats)
    assert all(r.kind == "case_file_audit" for r in results)
    # read one at a time in the reading process (spreadsheets never in the build's own process)
    assert (stats.in_workers, stats.in_reader, stats.in_process, stats.fell_back) == (0, 12, 0, 12)
    assert "(this computer did not allow them to start)" in stats.warning()


# ---------------------------------------------------------------------------------------------------------
# the app: its workers read, its log says so, and ending it (SIGTERM) leaves nothing behind
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", [m for m in ("forkserver", "spawn") if m in METHODS])
def test_the_app_ended_by_sigterm_closes_cleanly_with_its_workers(method, returns, tmp_path):
    home = tmp_path / "app-data"
    env = _env(PQA_START_METHOD=method, PQA_READ_WORKERS="2", QT_QPA_PLATFORM="offscreen",
               PQA_DESKTOP_HOME=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "pqa_desktop.app", str(returns)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            start_new_session=True)
    log = home / "pqa-desktop.log"
    try:
        deadline = time.monotonic() + 120
        while not (log.is_file() and "check:" in log.read_text(encoding="utf-8")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()[1]
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert f"check: 12 inputs; read in workers 12; read in the reading process 0; read in the app 0; workers 2 ({method}" in log.read_text(
        encoding="utf-8")
    assert proc.returncode == 0, err
    assert "leaked" not in err and "resource_tracker" not in err and "Traceback" not in err, err
    assert _wait_gone(proc.pid) == [], "processes outlived the app"
