"""What a job leaves to the window, and when the garbage collector walks it (issue 18: the window's longest
stalls and its peak memory). The times themselves are measured by the benchmark (scripts/bench_app.py)."""
from __future__ import annotations

import gc
import os
import sqlite3
import threading
import weakref
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest
from PySide6.QtCore import QDate

from pqa_desktop.app import jobs
from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.main_window import MainWindow
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.inputs.discover import discover_inputs
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.runtime import memory
from pqa_desktop.core.workspace import Workspace, codec
from tests.app_fixtures import TODAY, check, isolated_qsettings, save_dialog  # noqa: F401 (fixtures)
from tests.returns_fixtures import write_template
from tests.workspace_fixtures import BASE

AUGUST = Period(date(2024, 8, 1))


def _audit(path: Path, reference: str, day: int, auditor: str) -> Path:
    values = {**BASE, "case_ref": reference, "audit_date": f"{day:02d}/08/2024", "overall": "Good",
              "auditor": auditor}
    return write_template(path, "case_file_audit", values)


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for n in range(1, 4):
        _audit(folder / f"CFA {n}.xlsx", f"CR-100{n}", n + 4, "Jane Smith" if n % 2 else "Ann Lee")
    return folder


# ---------------------------------------------------------------------------------------------------------
# the garbage collector while a job runs
# ---------------------------------------------------------------------------------------------------------
def _cyclic_garbage(n: int) -> None:
    for _ in range(n):
        a: list = []
        a.append(a)


def test_no_full_collection_while_a_job_runs_and_one_once_it_has_ended():
    passes: list[int] = []

    def seen(phase, info):
        if phase == "start":
            passes.append(info["generation"])

    before = gc.get_threshold()
    gc.callbacks.append(seen)
    try:
        with memory.full_collections_deferred():
            kept = [[i] for i in range(200_000)]  # a year's worth of survivors: each full pass would walk them
            _cyclic_garbage(200_000)  # enough allocations to set off every generation's collection many times
            inside = list(passes)
            assert gc.get_threshold()[:2] == before[:2]  # the young generations are collected as usual
        after = passes[len(inside):]
    finally:
        gc.callbacks.remove(seen)
    del kept
    assert 0 in inside and 2 not in inside
    assert after == [2]  # one full pass at the end
    assert gc.get_threshold() == before


def test_inside_a_job_the_work_that_paused_the_collector_leaves_the_young_collections_running():
    """Paused, the first collection after it walked (and freed) everything the work had made at once."""
    with memory.full_collections_deferred():
        with memory.no_cycle_collection():
            assert gc.isenabled()
    with memory.no_cycle_collection():  # outside a job (the command line): paused as before
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_job_sets_aside_what_it_leaves_alive_and_gives_back_freed_memory(qtbot, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(jobs.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(jobs, "release_freed_memory", lambda: calls.append("trim") or True)

    def work(progress, cancel):
        calls.append("work")
        assert gc.get_threshold()[2] == memory._NO_FULL_THRESHOLD  # no full pass meanwhile
        return 1

    job = jobs.PipelineJob(jobs.ANALYSE, work)
    with qtbot.waitSignal(job.succeeded, timeout=10000):
        job.start()
    job.wait()
    assert calls == ["work", "freeze", "trim"]


def test_a_check_leaves_no_reference_cycles_so_setting_it_aside_leaks_nothing(inbox, tmp_path):
    """What a job leaves alive is set aside from later full passes (gc.freeze); it is still freed by reference
    counting when let go, but a cycle in it would be kept until the process ends."""
    workspace = Workspace.open(tmp_path / "w.pqaw")
    analysis = pipeline.analyse([inbox], AUGUST, workspace=workspace)
    pipeline.compute(analysis, pipeline.BuildOptions(period=AUGUST))
    analysis.summaries()
    gc.collect()
    gone = weakref.ref(analysis)
    gc.disable()
    try:
        del analysis
        assert gone() is None  # freed by reference counting alone
        assert gc.collect() == 0
    finally:
        gc.enable()
        workspace.close()


class _Node:
    """An object whose attributes could lead back to the set holding it."""


class _Text(str):
    """A string whose instances have attributes, so could lead back to the set holding one."""


def _referents_walked() -> int:
    """How many references a full pass of the collector would follow now (what it costs)."""
    return sum(len(gc.get_referents(o)) for o in gc.get_objects())


def test_large_sets_of_strings_are_left_out_of_the_collectors_walks_and_still_work():
    """A full pass visits every member of every set it tracks (a council's 500,000 identifiers: 40-200 ms of
    the window's event loop at a job's end); a set of strings cannot be part of a cycle."""
    identifiers = {f"CHILD-{n:06d}" for n in range(5000)}
    frozen = frozenset(f"REF-{n}" for n in range(3000))
    small = {"A", "B"}
    holding = {f"X{n}" for n in range(4999)} | {_Node()}  # an object that could be part of a cycle
    numbers = set(range(5000))  # not strings: left as CPython leaves them
    # strings but for one of a subclass of str (which, unlike a str, can hold a reference back): exactly
    # ``str`` is what is asked
    subclassed = {f"S{n}" for n in range(4999)} | {_Text("S-sub")}
    assert all(map(gc.is_tracked, (identifiers, frozen, small, holding, numbers, subclassed)))
    before = _referents_walked()
    untracked = memory.untrack_sets_of_strings()
    assert untracked >= 8000
    assert not gc.is_tracked(identifiers) and not gc.is_tracked(frozen)
    assert gc.is_tracked(small) and gc.is_tracked(holding) and gc.is_tracked(numbers) and gc.is_tracked(subclassed)
    assert before - _referents_walked() >= 8000  # their members are no longer walked
    # still sets: looked up, grown, shrunk, copied, and freed by reference counting when let go
    assert "CHILD-004999" in identifiers and "REF-7" in frozen and "CHILD-5000" not in identifiers
    identifiers |= {"NEW-1"}
    identifiers.discard("CHILD-000000")
    assert len(identifiers) == 5000 and not gc.is_tracked(identifiers)
    assert gc.is_tracked(set(identifiers))  # a copy is an ordinary set
    assert sorted(identifiers)[0] == "CHILD-000001"


def test_a_set_changed_while_being_checked_is_left_tracked(monkeypatch):
    monkeypatch.setattr(memory, "_CHECK_PIECE", 10)
    values = {f"ID{n}" for n in range(2000)}
    real_islice = memory.islice
    pieces = []

    def islice_that_changes_the_set(iterable, n):
        pieces.append(n)
        if len(pieces) == 3:
            values.add("added meanwhile")  # as another thread might
        return real_islice(iterable, n)

    monkeypatch.setattr(memory, "islice", islice_that_changes_the_set)
    memory.untrack_sets_of_strings()
    assert gc.is_tracked(values)


def test_a_jobs_end_leaves_the_identifiers_it_keeps_out_of_later_walks(qtbot, monkeypatch):
    """The full pass at a job's end no longer walks the check's identifiers (nor does any later one)."""
    monkeypatch.setattr(jobs.gc, "freeze", lambda: None)  # this test's objects are not set aside for good
    walked: list[int] = []
    real_collect = gc.collect

    def collect(*args):
        if not args:  # the job's full pass
            walked.append(_referents_walked())
        return real_collect(*args)

    monkeypatch.setattr(memory.gc, "collect", collect)

    def work(progress, cancel):
        return {"sensitive": {f"CR-{n:06d}" for n in range(50_000)}}

    job = jobs.PipelineJob(jobs.ANALYSE, work)
    with qtbot.waitSignal(job.succeeded, timeout=10000) as blocker:
        job.start()
    job.wait()
    kept = blocker.args[0]["sensitive"]
    assert not gc.is_tracked(kept) and len(kept) == 50_000
    assert walked and walked[0] < _referents_walked() + 50_000 - 1000  # the pass did not visit the 50,000


# ---------------------------------------------------------------------------------------------------------
# long calls into C broken into pieces, with the window's turn between them
# ---------------------------------------------------------------------------------------------------------
def test_identifiers_sorted_in_pieces_are_sorted_as_one_call_sorts_them(monkeypatch):
    monkeypatch.setattr(codec, "_PIECE", 7)
    values = {f"ID{(n * 7919) % 1000:04d}{'x' * (n % 3)}" for n in range(1000)}
    assert codec.sorted_in_pieces(values) == sorted(values)
    assert codec.sorted_in_pieces(set(list(values)[:5])) == sorted(list(values)[:5])
    assert codec.sorted_in_pieces([]) == []


def test_rows_fetched_in_pieces_are_every_row_in_order():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t(a INTEGER, b TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(n, f"r{n}") for n in range(2500)])
    query = "SELECT a, b FROM t ORDER BY a DESC"
    assert codec.fetch_in_pieces(conn.execute(query)) == conn.execute(query).fetchall()
    assert codec.fetch_in_pieces(conn.execute("SELECT a FROM t WHERE a < 0")) == []


# ---------------------------------------------------------------------------------------------------------
# what the window holds
# ---------------------------------------------------------------------------------------------------------
def test_discovery_keeps_only_the_bytes_that_will_be_read(inbox):
    every = discover_inputs([inbox]).files
    wanted = every[1].sha256
    found = discover_inputs([inbox], keep_bytes=lambda sha: sha == wanted).files
    assert [(f.name, f.sha256, f.path, f.modified) for f in found] == \
        [(f.name, f.sha256, f.path, f.modified) for f in every]
    assert [bool(f.data) for f in found] == [False, True, False]
    assert found[1].data == every[1].data


def test_a_check_again_in_a_workspace_holds_no_bytes_of_the_files_imported_before(inbox, tmp_path, monkeypatch):
    workspace = Workspace.open(tmp_path / "w.pqaw")
    try:
        first = pipeline.analyse([inbox], AUGUST, workspace=workspace)
        new = _audit(inbox / "CFA 9.xlsx", "CR-1009", 20, "Ann Lee")
        held: list = []
        real = pipeline.discover_inputs
        monkeypatch.setattr(pipeline, "discover_inputs",
                            lambda *a, **k: held.append(real(*a, **k)) or held[-1])
        again = pipeline.analyse([inbox], AUGUST, workspace=workspace)
        assert {f.name: bool(f.data) for f in held[0].files} == \
            {"CFA 1.xlsx": False, "CFA 2.xlsx": False, "CFA 3.xlsx": False, new.name: True}
        assert len(again.records.audits) == len(first.records.audits) + 1
        assert [s.name for s in again.summaries()] == sorted([s.name for s in first.summaries()] + [new.name])
    finally:
        workspace.close()


@pytest.fixture
def window(qtbot, isolated_qsettings, monkeypatch):
    monkeypatch.setenv("PQA_READ_WORKERS", "0")
    w = MainWindow(settings=AppSettings(), today=TODAY)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.la_name_edit.setText("Anytown Council")
    w.period_edit.setDate(QDate(2024, 8, 1))
    return w


def test_the_inputs_rows_are_made_by_the_checks_worker_not_the_window(qtbot, window, inbox, monkeypatch):
    """A council's thousand rows took 30-60 ms of the window's event loop when the view made them."""
    threads: list[bool] = []
    real = pipeline.Analysis.summaries
    monkeypatch.setattr(pipeline.Analysis, "summaries",
                        lambda self: threads.append(threading.current_thread() is threading.main_thread())
                        or real(self))
    check(qtbot, window, lambda: window.add_paths([inbox]))
    assert threads and not any(threads)
    assert window.inputs_model.rowCount() == 3


def test_after_a_build_and_a_fresh_check_the_window_keeps_only_the_fresh_check(qtbot, window, inbox, save_dialog,
                                                                               tmp_path):
    """The last build's result held its check and every table of the workbook (a council's year) beside the
    check on screen; the email draft needs only the headline figures and the period."""
    check(qtbot, window, lambda: window.add_paths([inbox]))
    first = weakref.ref(window.session.analysis)
    output = tmp_path / "out.xlsx"
    window.checks.ask_output_path = lambda: output
    with qtbot.waitSignal(window.build_succeeded, timeout=30000) as built:
        window.build_workbook()
    result = built.args[0]
    assert window.after_build.headlines == list(result.figures.headlines)
    assert window.after_build.period == AUGUST
    del result, built
    _audit(inbox / "CFA 9.xlsx", "CR-1009", 20, "Ann Lee")
    check(qtbot, window, lambda: window.add_paths([inbox / "CFA 9.xlsx"]))
    assert window.session.analysis is not first()
    # the finished jobs are deleted by the event loop, and the replaced check is freed a moment later, off the
    # window's thread (jobs.let_go_elsewhere)
    qtbot.waitUntil(lambda: gc.collect() >= 0 and first() is None, timeout=5000)
    assert window.after_build.email_button.isEnabled()


def test_a_stored_export_is_decoded_without_a_second_copy_of_its_text():
    """The workspace's frames are read back in the window's process (the app's check); the text's lines were
    split all at once beside the values read from them: 55.9 MB at the peak of decoding 120,000 rows, 46.1
    MB with the lines taken one at a time (this test's 60,000 rows: 28.0 -> 23.1 MB)."""
    import tracemalloc

    import numpy as np
    import pandas as pd

    n = 60_000
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "child_id": [f"CH{int(x):07d}" for x in rng.integers(0, 10**7, n)],
        "source": rng.choice(["Police", "School", "Health", "Self", "Other agency"], n).astype(object),
        "contact_date": pd.to_datetime("2023-10-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        "decision_date": pd.to_datetime("2023-10-02") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        "age": rng.random(n) * 17, "row": np.arange(n)})
    blob = codec.encode_frame(frame)
    tracemalloc.start()
    try:
        back = codec.decode_frame(blob)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    pd.testing.assert_frame_equal(back, frame)
    assert peak < 25.5 * 2**20, peak / 2**20


def test_a_stored_exports_repeated_texts_are_read_back_as_one_object_each():
    """An export's coded columns repeat a few texts a hundred thousand times; the JSON parser made a string
    per cell, a third of what the window kept of a council's year. Only texts are shared."""
    import pandas as pd

    sources = ["Police", "School", "Police", None, "Health", "Police"] * 5000
    mixed = [1, 1.0, True, "1", None, "1"] * 5000
    frame = pd.DataFrame({"source": pd.Series(sources, dtype=object), "mixed": pd.Series(mixed, dtype=object)})
    back = codec.decode_frame(codec.encode_frame(frame))
    pd.testing.assert_frame_equal(back, frame)
    assert len({id(v) for v in back["source"] if v is not None}) == 3
    assert [type(v) for v in back["mixed"][:6]] == [int, float, bool, str, type(None), str]
    assert back["mixed"][3] is back["mixed"][5]


def test_the_identifiers_a_masker_keeps_are_left_out_of_the_collectors_walks():
    """A job's end walks what it leaves alive, member by member for a set: the masker's folded identifiers
    (a council's 124,000) are a dict's keys, which the collector leaves out."""
    from pqa_desktop.core.privacy import IdentifierMasker

    masker = IdentifierMasker(["CR-1001", "Jane Smith"])
    assert not gc.is_tracked(masker._known)
    masker.add(["CR-1002", "cr-1001"])
    assert not gc.is_tracked(masker._known)
    assert masker("CR-1002 and Jane Smith.xlsx") == "\u2022\u2022\u2022 and \u2022\u2022\u2022.xlsx"


def test_a_union_of_sets_already_checked_and_small_sets_of_strings_is_left_out_at_once():
    """``untrack_union``: the identifiers grown by a new return are checked by what was added alone; anything
    else is left for the job's end to look at."""
    before = frozenset(f"REF-{n}" for n in range(3000))
    memory.untrack_sets_of_strings()
    assert not gc.is_tracked(before)
    added = {"REF-NEW-1", "REF-NEW-2"}
    grown = frozenset(before | added)
    assert gc.is_tracked(grown)
    memory.untrack_union(grown, (before, added))
    assert not gc.is_tracked(grown) and "REF-NEW-2" in grown and len(grown) == 3002

    with_object = {"REF-NEW-3", _Node()}
    kept = before | with_object
    memory.untrack_union(kept, (before, with_object))
    assert gc.is_tracked(kept)  # what was added could lead back to it

    unchecked = {f"U{n}" for n in range(3000)}  # large and never looked at (the command line): not looked at now
    from_unchecked = unchecked | added
    memory.untrack_union(from_unchecked, (unchecked, added))
    assert gc.is_tracked(from_unchecked)


def test_a_recheck_leaves_its_identifiers_out_at_once(tmp_path):
    """The check's union of every input's identifiers, made from the workspace's kept sets and a new return's."""
    from datetime import datetime

    from pqa_desktop.core.calendar import Period
    from pqa_desktop.core.pipeline.run import analyse
    from pqa_desktop.core.workspace import Workspace
    from tests.workspace_fixtures import august, contacts_list, september

    contacts = contacts_list(tmp_path / "contacts.xlsx", 1500, datetime(2024, 10, 1, 8))
    period = Period.parse("2024-09")
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        first = analyse([august(tmp_path / "aug"), contacts], period, workspace=ws)
        assert len(first.sensitive) >= 1500
        found = first.found_identifiers()  # the first build's
        memory.untrack_sets_of_strings()  # the first check's (and build's) job end
        again = analyse([september(tmp_path / "sep")], period, workspace=ws, previous=first)
        assert not gc.is_tracked(again.sensitive)
        assert again.sensitive >= first.sensitive and len(again.sensitive) > len(first.sensitive)
        # the re-build's case references, grown from the first build's by the new return's
        grown = again.found_identifiers().case_refs
        assert not gc.is_tracked(grown)
        assert grown > found.case_refs


def test_the_inspectors_references_grown_by_a_new_return_are_left_out_at_once():
    from pqa_desktop.core.inspect.matching import CaseReferences

    first = CaseReferences.of([f"CF{n:05d}" for n in range(4000)])  # one token each: "plain"
    memory.untrack_sets_of_strings()
    assert not gc.is_tracked(first.runs.plain)
    grown = first.grown(["CF99999"])
    assert not gc.is_tracked(grown.runs.plain)
    assert grown.runs.plain == first.runs.plain | CaseReferences.of(["CF99999"]).runs.plain and "cf99999" in grown.runs.plain


def test_the_check_a_re_check_replaces_is_freed_off_the_windows_thread(qtbot, window, inbox):
    """Freeing a council's year of records and identifiers took 6-7 ms of the window's thread at the end of a
    re-check; it is freed in a thread of its own, after the window has shown the new check."""
    check(qtbot, window, lambda: window.add_paths([inbox]))
    freed_in = []
    weakref.finalize(window.session.analysis, lambda: freed_in.append(threading.current_thread().name))
    _audit(inbox / "CFA 9.xlsx", "CR-1009", 20, "Ann Lee")
    check(qtbot, window, lambda: window.add_paths([inbox / "CFA 9.xlsx"]))
    qtbot.waitUntil(lambda: bool(freed_in), timeout=5000)
    assert freed_in == ["pqa-let-go"]


def test_let_go_elsewhere_frees_in_its_own_thread_and_starts_none_for_nothing(monkeypatch):
    monkeypatch.setattr(jobs, "LET_GO_AFTER_SECONDS", 0)

    class Check:
        pass

    freed_in = []
    held = Check()
    weakref.finalize(held, lambda: freed_in.append(threading.current_thread().name))
    holder = [held]
    del held
    jobs.let_go_elsewhere(holder)
    del holder
    for _ in range(500):
        if freed_in:
            break
        threading.Event().wait(0.01)
    assert freed_in == ["pqa-let-go"]
    started = []
    monkeypatch.setattr(jobs.threading, "Thread", lambda *a, **k: started.append(k))
    jobs.let_go_elsewhere([None])
    assert started == []

    class NoThreads:
        def __init__(self, *args, **kwargs):
            pass

        def start(self):
            raise RuntimeError("can't start new thread")

    monkeypatch.setattr(jobs.threading, "Thread", NoThreads)
    jobs.let_go_elsewhere([Check()])  # freed by the caller then, never an error in the window
