"""A job that fails never hangs the window: whatever raises (the check's or the build's worker, the reading
process, the slot that shows a finished job's result), the user is told in plain words what failed and where
the report for support is, the window is usable again (progress stopped, buttons back, no half-written
workbook), and the next job runs. The messages and reports never echo the child's details the exception held.

Real returns, the real pipeline; each failure is injected where it would happen.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QMessageBox

from pqa_desktop.app import check_view, pipeline_work
from pqa_desktop.app.after_build import AfterBuild
from pqa_desktop.app.crash import install_excepthook
from pqa_desktop.core.pipeline import reading
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.report import package
from pqa_desktop.core.returns.templates import write_return
from tests.app_fixtures import add_and_check, anytown_window, crash_reports  # noqa: F401 (window)
from tests.app_fixtures import isolated_qsettings, message_boxes, save_dialog  # noqa: F401 (fixtures)

WAIT_MS = 30000
CHILD = "AB100001 Jane Smith"  # what an exception's message may carry from a cell: never shown, never reported


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings):
    yield


def _return(path: Path, ref: str, day: int) -> None:
    write_return(path, "case_file_audit", {
        "case_ref": ref, "service_area": "IRT", "team": "IRT 1", "auditor": "Ann Auditor",
        "audit_date": date(2024, 7, day), "overall": "Good"})


@pytest.fixture
def returns(tmp_path) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir()
    for n in (1, 2):
        _return(folder / f"Audit {n}.xlsx", f"AB10000{n}", 10 + n)
    return folder


def assert_told_and_usable(window, message_boxes, what: str) -> None:
    """One plain dialog naming what failed and the report for support (which holds no data from the files);
    the window idle, its progress stopped and Build available again."""
    [(kind, title, text)] = message_boxes
    assert (kind, title) == ("critical", "Something went wrong")
    assert what in text and "Traceback" not in text
    assert "AB100001" not in text and "Jane" not in text
    [report] = crash_reports()
    assert str(report) in text and "It holds no data from your files" in text
    content = report.read_text(encoding="utf-8")
    assert "AB100001" not in content and "Jane" not in content
    assert not window.busy
    assert not window.progress.running and not window.progress.bar.isVisible()
    assert not window.progress.cancel_button.isVisible()
    assert window.build_button.isEnabled() and window.add_files_button.isEnabled()


def broken(*args, **kwargs):
    raise RuntimeError(CHILD)


# ---------------------------------------------------------------------------------------------------------
# the job's worker thread
# ---------------------------------------------------------------------------------------------------------
def test_a_check_whose_worker_raises_says_so_and_the_next_check_runs(qtbot, window, returns, message_boxes,
                                                                     monkeypatch, expected_job_errors):
    with monkeypatch.context() as patch:
        # after the files are read: what will be blank is worked out in the worker too
        patch.setattr(pipeline_work, "blank_reasons", broken)
        window.add_paths([returns])
        qtbot.waitUntil(lambda: len(message_boxes) == 1 and not window.busy, timeout=WAIT_MS)
    assert_told_and_usable(window, message_boxes, "while checking the inputs")
    assert window.progress.stage_label.text() == "Something went wrong."
    assert [type(e) for _, e in expected_job_errors] == [RuntimeError]

    # the cause gone, a change of inputs checks again, and the check shows
    _return(returns / "Audit 3.xlsx", "AB100003", 20)
    add_and_check(qtbot, window, [returns / "Audit 3.xlsx"])
    assert sorted(r.name for r in window.inputs_model.rows()) == ["Audit 1.xlsx", "Audit 2.xlsx", "Audit 3.xlsx"]
    assert len(message_boxes) == 1


def test_a_failure_while_counting_for_the_report_still_says_what_failed(qtbot, window, returns, message_boxes,
                                                                          monkeypatch, expected_job_errors):
    """The report's counts come from the window; when counting fails too, the report and the message still go."""
    monkeypatch.setattr(pipeline, "analyse", broken)
    monkeypatch.setattr(window.check_view, "crash_context", broken)
    window.add_paths([returns])
    qtbot.waitUntil(lambda: len(message_boxes) == 1 and not window.busy, timeout=WAIT_MS)
    assert_told_and_usable(window, message_boxes, "while checking the inputs")
    [report] = crash_reports()
    assert "Step: analyse" in report.read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["render", "replace"])
def test_a_build_whose_worker_raises_leaves_the_last_workbook_whole_and_builds_again(
        qtbot, window, returns, tmp_path, save_dialog, message_boxes, monkeypatch, expected_job_errors, where):
    add_and_check(qtbot, window, [returns])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "report.xlsx"
    out.write_bytes(b"last month's workbook")
    save_dialog["path"] = str(out)
    with monkeypatch.context() as patch:
        if where == "render":
            patch.setattr(pipeline, "render_workbook", broken)
        else:  # the new workbook written beside it, then the step that puts it in place raises
            patch.setattr(package.os, "replace", broken)
        window.build_button.click()
        qtbot.waitUntil(lambda: len(message_boxes) == 1 and not window.busy, timeout=WAIT_MS)
    assert_told_and_usable(window, message_boxes, "while building the workbook")
    assert out.read_bytes() == b"last month's workbook"  # never half-written
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.xlsx"]  # no temporary file left
    assert window.last_output is None and not window.open_button.isEnabled()

    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        window.build_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    assert load_workbook(out, read_only=True).sheetnames  # a whole workbook now
    assert window.progress.stage_label.text() == "Workbook saved: report.xlsx"


def test_writing_the_auditors_lists_that_raises_says_so(qtbot, window, returns, tmp_path, message_boxes,
                                                        monkeypatch, expected_job_errors):
    add_and_check(qtbot, window, [returns])
    folder = tmp_path / "lists"
    folder.mkdir()
    monkeypatch.setattr(pipeline_work, "write_send_back", broken)
    from pqa_desktop.app import send_back_flow

    monkeypatch.setattr(send_back_flow, "ask_send_back_folder", lambda parent, start: str(folder))
    assert window.send_back_flow.send_back(window.findings_model.findings(), None)
    qtbot.waitUntil(lambda: len(message_boxes) == 1 and not window.busy, timeout=WAIT_MS)
    assert_told_and_usable(window, message_boxes, "while writing the auditors' lists")
    assert list(folder.iterdir()) == []


# ---------------------------------------------------------------------------------------------------------
# the slot that shows a finished job's result (an uncaught error there goes to the app's excepthook)
# ---------------------------------------------------------------------------------------------------------
@pytest.fixture
def app_excepthook(window):
    """The hook ``pqa_desktop.app.main`` installs: an error in a slot becomes a report and a plain dialog."""
    restore = install_excepthook(lambda text: QMessageBox.critical(window, "Something went wrong", text))
    yield
    restore()


def test_a_check_whose_result_cannot_be_shown_leaves_the_window_usable(qtbot, window, returns, message_boxes,
                                                                       app_excepthook, monkeypatch):
    real_show = check_view.CheckView.show

    def show_fails(self, analysis, *args, **kwargs):
        if analysis is not None and not analysis.stopped:
            raise RuntimeError(CHILD)
        return real_show(self, analysis, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(check_view.CheckView, "show", show_fails)
        window.add_paths([returns])
        qtbot.waitUntil(lambda: len(message_boxes) == 1 and not window.busy, timeout=WAIT_MS)
    assert_told_and_usable(window, message_boxes, "Something went wrong")
    assert window.progress.stage_label.text() == ("Something went wrong while showing the check; change the inputs "
                                                  "or the period to check again.")

    # the next change of inputs checks again, and this check shows
    _return(returns / "Audit 3.xlsx", "AB100003", 20)
    add_and_check(qtbot, window, [returns / "Audit 3.xlsx"])
    assert sorted(r.name for r in window.inputs_model.rows()) == ["Audit 1.xlsx", "Audit 2.xlsx", "Audit 3.xlsx"]


def test_a_build_whose_result_cannot_be_shown_leaves_a_whole_workbook_and_a_usable_window(
        qtbot, window, returns, tmp_path, save_dialog, message_boxes, app_excepthook, monkeypatch):
    add_and_check(qtbot, window, [returns])
    monkeypatch.setattr(AfterBuild, "built", broken)
    out = tmp_path / "report.xlsx"
    save_dialog["path"] = str(out)
    window.build_button.click()
    qtbot.waitUntil(lambda: len(message_boxes) == 1 and not window.busy, timeout=WAIT_MS)
    assert_told_and_usable(window, message_boxes, "Something went wrong")
    assert window.progress.stage_label.text() == "report.xlsx was saved, but something went wrong while showing it."
    assert load_workbook(out, read_only=True).sheetnames  # saved whole before the window was told
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".~")) == []


# ---------------------------------------------------------------------------------------------------------
# the reading process
# ---------------------------------------------------------------------------------------------------------
@pytest.fixture
def forked_reader(monkeypatch):
    """The reading process forked from this one, so what the test puts in ``reading.read_input`` is what it runs."""
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("the reading process runs a test's replacement only when forked")
    monkeypatch.setattr(reading, "_start_method", lambda: "fork")
    monkeypatch.setenv(reading.WORKERS_ENV, "")
    reading.shutdown_pool()
    yield
    reading.shutdown_pool()


@pytest.mark.parametrize("death", ["killed", "raises"])
def test_a_reading_process_that_dies_on_a_file_is_a_finding_and_the_rest_is_read(
        qtbot, window, returns, message_boxes, monkeypatch, forked_reader, death):
    parent, real_read = os.getpid(), reading.read_input

    def read_input(item, overrides=None):
        if os.getpid() != parent and item.leaf_name == "Audit 2.xlsx":  # only in the reading process
            if death == "killed":
                os.kill(os.getpid(), 9)  # as the system ends it (out of memory), or a native crash
            raise RuntimeError(CHILD)  # an unexpected error in the reading process: it ends
        return real_read(item, overrides)

    monkeypatch.setattr(reading, "read_input", read_input)
    add_and_check(qtbot, window, [returns])
    rows = {r.name: r for r in window.inputs_model.rows()}
    assert rows["Audit 1.xlsx"].records == 1 and rows["Audit 2.xlsx"].records == 0
    [stopped] = [f for f in window.findings_model.findings() if f.file == "Audit 2.xlsx"]
    assert stopped.rule == "file.reader_stopped" and "AB100001" not in stopped.message
    assert message_boxes == [] and crash_reports() == []
    assert not window.progress.running and window.build_button.isEnabled()
