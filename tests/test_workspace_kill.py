"""A kill at any point of a multi-file import leaves every file fully imported or absent.

Each run imports returns and a two-table system export into a workspace that already holds one import, in
a separate process that sends itself SIGKILL just before its Nth SQL statement: inside a file's transaction,
between files, right before a COMMIT. The kill points are a fixed seeded sample, without repeats, of every
statement an uninterrupted import executes; each killed run has a workspace file of its own (five run at
once). Afterwards the file passes ``PRAGMA integrity_check``, each file is either absent or has exactly the
records, tables and findings an uninterrupted import gives it, the earlier import is untouched, and
importing again completes it.

The killed processes are forked by one launcher process that imported the pipeline once (what a fork server
with the pipeline preloaded does). Started by the test's own fork server, each of them imported the pipeline
and this module again whenever an earlier test of the same worker had already started the fork server for its
reading processes (the preload is taken only by a server not yet running): 0.3 s of imports a kill, most of
the test's time, spent before the import that is killed had even begun.

CI's profile: 4 returns (64 statements), 50 kill points. The long profile (``PQA_FUZZ_LONG=1``, ``make
fuzz``): 20 returns (about 260 statements), 200 distinct kill points.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.pipeline.run import analyse
from pqa_desktop.core.workspace import Workspace
from tests.exports_fixtures import VERBATIM, row_for, write_xlsx
from tests.workspace_fixtures import write_audit

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork servers are POSIX")

PERIOD = Period(date(2024, 9, 1))
# CI's fixed profile: 50 distinct kill points; PQA_FUZZ_LONG=1 runs 200 (issue 5's long profile), over an
# import long enough to have 200 distinct statements to kill at.
LONG_PROFILE = os.environ.get("PQA_FUZZ_LONG", "") not in ("", "0")
KILL_POINTS = 200 if LONG_PROFILE else 50
EXTRA_RETURNS = 16 if LONG_PROFILE else 0
SEED = 4


def _inputs(folder: Path, extra_returns: int = EXTRA_RETURNS) -> tuple[Path, list[Path]]:
    """(the file imported beforehand, the files whose import is killed)."""
    earlier = write_audit(folder / "earlier" / "CFA 0.xlsx", "CR-0999", date(2024, 7, 1), "Good")
    run = folder / "run"
    write_audit(run / "CFA 2.xlsx", "CR-1002", date(2024, 8, 12), "Inadequate")
    write_audit(run / "CFA 3.xlsx", "CR-1003", date(2024, 8, 19), "Goodish")
    write_audit(run / "CFA 4.xlsx", "CR-1004", date(2024, 9, 2), "Good", feedback="Helpful visits.")
    write_audit(run / "CFA 5.xlsx", "CR-1005", date(2024, 9, 16), "Requires improvement")
    for n in range(extra_returns):
        write_audit(run / f"CFA {n + 6:02d}.xlsx", f"CR-{1006 + n}", date(2024, 8, 1 + n), "Good")
    contacts = VERBATIM["annex_a_list_1"]
    households = VERBATIM["households"]
    write_xlsx(run / "Exports.xlsx", {
        "Contacts": [contacts] + [row_for(contacts, {"Child Unique ID": f"C{n:05d}", "Date of Birth": "01/02/2015",
                                                     "Date of Contact": f"{n:02d}/09/2024", "Contact Source": "Police"})
                                  for n in range(1, 21)],
        "Households": [households] + [row_for(households, {"Household reference": f"H{n}", "Household type":
                                                           "Mainstream", "Approval date": "01/03/2020",
                                                           "Approved places": 2}) for n in range(1, 6)]})
    return earlier, sorted(run.iterdir())


def _contents(path: Path) -> dict[str, tuple]:
    """Per imported file: (audits, EDT samples, export rows, findings) as stored."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT i.name, (SELECT COUNT(*) FROM audits a WHERE a.import_id = i.id), "
            "(SELECT COUNT(*) FROM edt_samples s WHERE s.import_id = i.id), "
            "(SELECT COALESCE(SUM(row_count), 0) FROM export_tables e WHERE e.import_id = i.id), "
            "(SELECT COUNT(*) FROM findings f WHERE f.import_id = i.id) FROM imports i").fetchall()
        orphans = sum(conn.execute(f"SELECT COUNT(*) FROM {t} WHERE import_id NOT IN (SELECT id FROM imports)")
                      .fetchone()[0] for t in ("audits", "edt_samples", "export_tables", "findings"))
    finally:
        conn.close()
    assert orphans == 0
    return {name: tuple(counts) for name, *counts in rows}


def _import_and_die(workspace: str, paths: list[str], kill_at: int) -> None:
    """In the child process: import, sending ourselves SIGKILL just before statement ``kill_at``."""
    ws = Workspace.open(workspace)
    executed = 0

    def trace(statement: str) -> None:
        nonlocal executed
        executed += 1
        if executed == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    ws._conn.set_trace_callback(trace)
    analyse(paths, PERIOD, workspace=ws)
    ws.close()


RUN_SECONDS = 60  # for one batch of killed runs: a run that outlives it is ended and fails the test


def _launch_killed_runs(requests, replies) -> None:
    """(in the launcher process) For each batch asked for, start one process per (workspace, paths, kill_at)
    running ``_import_and_die``, all at once, forked from here (no Qt, no other thread: fork is safe), and send
    back each one's exit code (negative: the signal that ended it; None: still running after ``RUN_SECONDS``,
    then killed)."""
    import threading

    assert threading.active_count() == 1, "forking is safe only without other threads"
    fork = multiprocessing.get_context("fork")
    while True:
        try:
            batch = requests.recv()
        except EOFError:
            return
        if batch is None:
            return
        runs = [(kill_at, fork.Process(target=_import_and_die, args=(workspace, paths, kill_at)))
                for workspace, paths, kill_at in batch]
        for _, run in runs:
            run.start()
        codes: dict[int, int | None] = {}
        for kill_at, run in runs:
            run.join(RUN_SECONDS)
            codes[kill_at] = run.exitcode
            if run.exitcode is None:
                run.kill()
                run.join()
        replies.send(codes)


def test_killed_imports_leave_each_file_whole_or_absent(tmp_path):
    earlier, files = _inputs(tmp_path / "inputs")
    base = tmp_path / "base.sqlite"
    with Workspace.open(base) as ws:
        analyse([earlier], PERIOD, workspace=ws)
        ws.secret()  # created before the run, so every run executes the same statements

    # The uninterrupted import: what each file should hold, and how many statements it takes.
    reference = tmp_path / "reference.sqlite"
    shutil.copy(base, reference)
    statements = []
    with Workspace.open(reference) as ws:
        ws._conn.set_trace_callback(statements.append)
        analyse(files, PERIOD, workspace=ws)
    complete = _contents(reference)
    assert len(complete) == 6 + EXTRA_RETURNS and complete["Exports.xlsx"][2] == 25
    assert sum(s.strip().upper() == "COMMIT" for s in statements) >= 5  # the imports (in batches), signatures, facts

    rng = random.Random(SEED)
    points = list(range(1, len(statements) + 1))
    assert len(points) >= KILL_POINTS, f"{len(points)} statements: too few for {KILL_POINTS} distinct kill points"
    kill_points = sorted(rng.sample(points, KILL_POINTS))  # distinct: every kill is at another statement
    seen_partial = 0
    workspaces: set[Path] = set()
    context = multiprocessing.get_context("forkserver")
    requests, request_end = context.Pipe(duplex=False)
    replies, reply_end = context.Pipe(duplex=False)
    launcher = context.Process(target=_launch_killed_runs, args=(requests, reply_end))
    launcher.start()
    requests.close()
    reply_end.close()
    try:
        for batch in range(0, KILL_POINTS, 5):
            runs = []
            for run_number, kill_at in enumerate(kill_points[batch:batch + 5], start=batch):
                # a file of its own for each run: concurrent runs never share a workspace file
                workspace = tmp_path / f"run-{run_number:03d}-killed-at-{kill_at}.sqlite"
                assert workspace not in workspaces
                workspaces.add(workspace)
                shutil.copy(base, workspace)
                runs.append((str(workspace), [str(f) for f in files], kill_at))
            request_end.send(runs)
            assert replies.poll(RUN_SECONDS + 30), "the launcher of the killed runs stopped answering"
            codes = replies.recv()
            for workspace, _, kill_at in runs:
                assert codes[kill_at] == -signal.SIGKILL, f"statement {kill_at}: exit {codes[kill_at]}"
                conn = sqlite3.connect(workspace)  # a hot journal is rolled back here
                try:
                    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                finally:
                    conn.close()
                found = _contents(Path(workspace))
                for name, counts in found.items():
                    assert counts == complete[name], f"statement {kill_at}: {name} is partly imported"
                assert "CFA 0.xlsx" in found
                seen_partial += len(found) < len(complete)
                with Workspace.open(workspace) as ws:  # importing again completes the set
                    analyse(files, PERIOD, workspace=ws)
                assert _contents(Path(workspace)) == complete
    finally:
        try:
            request_end.send(None)
        except OSError:  # the launcher has gone: it is killed below if not
            pass
        request_end.close()
        launcher.join(10)
        if launcher.is_alive():
            launcher.kill()
            launcher.join()
        replies.close()
    assert seen_partial > 0  # the sample did interrupt imports, not only the reads after them
    import warnings

    assert len(set(kill_points)) == KILL_POINTS and len(workspaces) == KILL_POINTS
    warnings.warn(f"kill test: {len(kill_points)} SIGKILLs at {len(set(kill_points))} distinct kill points over "
                  f"{len(statements)} SQL statements, {len(workspaces)} workspace files, {len(kill_points)} integrity "
                  f"checks ok, {seen_partial} interrupted mid-import, 0 partly imported")
