"""What the user sees when things go wrong: a finding or a plain dialog saying what to do next, never a
traceback; a crash report in the app-data folder; the previous workbook intact; nothing written when a
build is cancelled.

These drive the real pipeline on real generated returns. Linux does not lock a file open in another
program (and CI runs as root, which ignores permissions), so "the workbook is open in Excel" is emulated
by making the report layer's ``os.replace`` raise what Windows raises: PermissionError, and the sharing
violation (winerror 32, errno 13).
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import errno
import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer, Signal

from pqa_desktop.app.crash import install_excepthook
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.report import package
from pqa_desktop.core.returns.templates import write_return
from tests.app_fixtures import add_and_check, anytown_window, crash_reports  # noqa: F401 (window)
from tests.app_fixtures import (isolated_qsettings, message_boxes,  # noqa: F401 (fixtures)
                                save_dialog)

WAIT_MS = 30000


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings):
    yield


@pytest.fixture
def returns(tmp_path) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir()
    for n, (ref, overall) in enumerate((("AB100001", "Good"), ("AB100002", "Inadequate")), start=1):
        write_return(folder / f"Audit {n}.xlsx", "case_file_audit", {
            "case_ref": ref, "service_area": "IRT", "team": "IRT 1", "auditor": "Ann Auditor",
            "audit_date": date(2024, 7, 10 + n), "overall": overall,
        })
    return folder


def sharing_violation(target: str) -> PermissionError:
    """What Windows raises when another program holds the file open: winerror 32 maps to errno 13."""
    exc = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                        "another process", target)
    exc.winerror = 32  # set by hand: on Linux OSError ignores the winerror argument
    return exc


# ---------------------------------------------------------------------------------------------------------
# an output that cannot be written
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make_error", [
    lambda target: PermissionError(errno.EACCES, "Permission denied", target),
    sharing_violation,
], ids=["permission-denied", "sharing-violation"])
def test_a_workbook_open_in_excel_gives_a_plain_message_and_the_previous_file_survives(
        qtbot, window, returns, tmp_path, save_dialog, message_boxes, monkeypatch, make_error):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "report.xlsx"
    out.write_bytes(b"last month's workbook")
    real_replace = os.replace
    attempts = []

    def locked_replace(src, dst, *args, **kwargs):
        if Path(dst) == out:  # only the workbook is "open in Excel"; other files (the secret) save as usual
            attempts.append(Path(src))
            raise make_error(str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(package.os, "replace", locked_replace)
    add_and_check(qtbot, window, [returns])
    save_dialog["path"] = str(out)
    window.build_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)

    assert len(attempts) == 1  # the report layer really got as far as replacing the file
    [(kind, title, text)] = message_boxes
    assert (kind, title) == ("warning", "Could not save the workbook")
    assert "report.xlsx" in text and "open in Excel, close it" in text and "build again" in text
    assert "Traceback" not in text and "Errno" not in text and "winerror" not in text.lower()
    assert out.read_bytes() == b"last month's workbook"  # the previous file is intact
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.xlsx"]  # and no temporary file is left
    assert window.progress.stage_label.text() == "The workbook could not be saved."
    assert not window.open_button.isEnabled() and window.build_button.isEnabled()
    assert crash_reports() == []  # an expected problem, not a crash


def test_after_excel_closes_the_workbook_building_again_saves_it(qtbot, window, returns, tmp_path, save_dialog,
                                                                 message_boxes, monkeypatch):
    """The retry: the message says close it in Excel and build again; once it is closed, that works."""
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"last month's workbook")
    real_replace = os.replace
    excel_has_it = [True]

    def replace(src, dst, *args, **kwargs):
        if Path(dst) == out and excel_has_it[0]:
            raise sharing_violation(str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(package.os, "replace", replace)
    add_and_check(qtbot, window, [returns])
    save_dialog["path"] = str(out)
    window.build_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    assert [title for _, title, _ in message_boxes] == ["Could not save the workbook"]
    excel_has_it[0] = False  # the user closes the workbook in Excel
    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        window.build_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    assert out.read_bytes()[:2] == b"PK" and window.last_output == out
    assert window.progress.stage_label.text() == "Workbook saved: report.xlsx"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".~")) == []
    assert len(message_boxes) == 1


# ---------------------------------------------------------------------------------------------------------
# reading workers that cannot start: said once, logged each time
# ---------------------------------------------------------------------------------------------------------
def test_reading_workers_that_cannot_start_are_said_once_and_logged(qtbot, window, returns, message_boxes,
                                                                    monkeypatch, tmp_path):
    from pqa_desktop.app.app_log import log_path
    from pqa_desktop.core.pipeline import reading

    def refused(workers):  # e.g. endpoint protection stopping the app from starting a copy of itself
        raise PermissionError(13, "Access is denied")

    monkeypatch.setattr(reading, "_get_pool", refused)
    monkeypatch.setenv(reading.WORKERS_ENV, "2")
    add_and_check(qtbot, window, [returns])
    rows = {r.name: r for r in window.inputs_model.rows()}
    assert rows["Audit 1.xlsx"].records == 1 and rows["Audit 2.xlsx"].records == 1  # every file still read
    [(kind, title, text)] = message_boxes
    assert (kind, title) == ("warning", "Reading took longer than it should")
    assert "2 of the inputs were read by this program itself" in text and "IT support" in text
    more = tmp_path / "more"
    more.mkdir()
    write_return(more / "Audit 3.xlsx", "case_file_audit", {
        "case_ref": "AB100003", "service_area": "IRT", "team": "IRT 1", "auditor": "Ann Auditor",
        "audit_date": date(2024, 7, 20), "overall": "Good"})
    add_and_check(qtbot, window, [more])  # a second check reading a new file: not a second dialog
    assert len(message_boxes) == 1
    assert "1 of the inputs were read by this program itself" in window.statusBar().currentMessage()
    log = log_path().read_text(encoding="utf-8").splitlines()
    method = reading._start_method()  # noqa: SLF001 - a fork server behind the window (spawn when forced)
    assert [line.split(" ", 1)[1] for line in log if " check: " in line] == [
        f"check: 2 inputs; read in workers 0; read in the reading process 2; read in the app 0; "
        f"workers 2 ({method}: PQA_READ_WORKERS=2); "
        "pool fell back yes, 2 inputs; read " + log[0].rsplit("read ", 1)[1],
        f"check: 3 inputs; read in workers 0; read in the reading process 1; read in the app 0; "
        f"workers 2 ({method}: PQA_READ_WORKERS=2); "
        "pool fell back yes, 1 inputs; read " + log[2].rsplit("read ", 1)[1]]
    assert sum("warning: The reading workers stopped" in line for line in log) == 2
    assert not any("Audit" in line or str(tmp_path) in line for line in log)  # counts, never names


def test_the_log_says_how_each_check_read_its_inputs(qtbot, window, returns, message_boxes, monkeypatch):
    from pqa_desktop.app.app_log import log_path
    from pqa_desktop.core.pipeline import reading

    monkeypatch.setenv(reading.WORKERS_ENV, "0")
    add_and_check(qtbot, window, [returns])
    [line] = log_path().read_text(encoding="utf-8").splitlines()
    assert "check: 2 inputs; read in workers 0; read in the reading process 0; read in the app 2; workers 0" in line
    assert "pool fell back no" in line and message_boxes == []


# ---------------------------------------------------------------------------------------------------------
# a corrupt input
# ---------------------------------------------------------------------------------------------------------
def test_a_corrupt_input_is_a_finding_on_its_row_not_a_dialog(qtbot, window, returns, message_boxes):
    (returns / "Audit 3.xlsx").write_bytes(b"PK\x03\x04" + b"\x00 damaged " * 50)
    add_and_check(qtbot, window, [returns])
    rows = {r.name: r for r in window.inputs_model.rows()}
    assert rows["Audit 3.xlsx"].errors == 1 and rows["Audit 3.xlsx"].records == 0
    assert rows["Audit 1.xlsx"].records == 1 and rows["Audit 2.xlsx"].records == 1
    [corrupt] = [f for f in window.findings_model.findings() if f.file == "Audit 3.xlsx"]
    assert corrupt.rule == "file.corrupt"
    assert "Open it in Excel and save it again, or ask the sender for a new copy." in corrupt.message
    assert window.inputs_panel.summary_text() == "1 file of 3 needs attention"
    assert message_boxes == [] and crash_reports() == []
    assert window.build_button.isEnabled()  # errors never block the build


# ---------------------------------------------------------------------------------------------------------
# cancel in the middle of a build
# ---------------------------------------------------------------------------------------------------------
def test_cancel_mid_build_returns_to_idle_and_writes_nothing(qtbot, window, returns, tmp_path, save_dialog,
                                                             message_boxes, monkeypatch):
    building, entered, release = threading.Event(), threading.Event(), threading.Event()
    real_compute = pipeline.compute

    def slow_compute(*args, **kwargs):  # the build's measure stage, held until the test has pressed Cancel
        if building.is_set():  # the check also drafts the key messages with compute: that one runs through
            entered.set()
            assert release.wait(10), "the test never let the measure stage finish"
        return real_compute(*args, **kwargs)

    monkeypatch.setattr(pipeline, "compute", slow_compute)
    add_and_check(qtbot, window, [returns])
    out = tmp_path / "out" / "report.xlsx"
    out.parent.mkdir()
    save_dialog["path"] = str(out)
    building.set()
    window.build_button.click()
    qtbot.waitUntil(entered.is_set, timeout=WAIT_MS)
    assert window.busy and not window.build_button.isEnabled()
    qtbot.waitUntil(lambda: window.progress.cancel_button.isVisible(), timeout=WAIT_MS)
    window.progress.cancel_button.click()
    assert window.progress.stage_label.text() == "Stopping\u2026"  # the window answers at once
    release.set()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)

    assert window.progress.stage_label.text() == "Build stopped; no workbook was written."
    assert list(out.parent.iterdir()) == []  # no workbook and no temporary file
    assert window.last_output is None and not window.open_button.isEnabled()
    assert window.build_button.isEnabled() and not window.progress.bar.isVisible()
    assert message_boxes == [] and crash_reports() == []


# ---------------------------------------------------------------------------------------------------------
# unexpected errors: a crash report, a plain dialog
# ---------------------------------------------------------------------------------------------------------
def test_an_unexpected_error_while_checking_writes_a_crash_report_and_says_what_to_do(
        qtbot, window, returns, message_boxes, monkeypatch, expected_job_errors):
    def broken_analyse(*args, **kwargs):
        raise RuntimeError("cell value AB100001 Jane Smith")  # a message that must not reach the report

    monkeypatch.setattr(pipeline, "analyse", broken_analyse)
    window.add_paths([returns])
    qtbot.waitUntil(lambda: len(message_boxes) == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    [(kind, title, text)] = message_boxes
    assert (kind, title) == ("critical", "Something went wrong")
    assert "while checking the inputs" in text and "Try again" in text and "Traceback" not in text
    [report] = crash_reports()
    assert str(report) in text
    content = report.read_text(encoding="utf-8")
    assert "Error: builtins.RuntimeError" in content and "Step: analyse" in content
    assert "AB100001" not in content and "Jane" not in content


class _Emitter(QObject):
    fire = Signal()


def test_an_error_in_a_slot_goes_to_a_crash_report_and_a_plain_dialog_not_a_traceback(qtbot, capsys):
    shown: list[str] = []
    emitter = _Emitter()

    def broken_slot():
        raise ValueError("Jane Smith, born 01/02/2015")

    emitter.fire.connect(broken_slot)
    uninstall = install_excepthook(shown.append)
    try:
        QTimer.singleShot(0, emitter.fire.emit)  # raised inside the event loop, as a button's slot would
        qtbot.waitUntil(lambda: len(shown) == 1, timeout=3000)
    finally:
        uninstall()
    [report] = crash_reports()
    content = report.read_text(encoding="utf-8")
    assert "Error: builtins.ValueError" in content and "in broken_slot" in content
    assert "Jane" not in content and "2015" not in content
    assert shown[0].startswith("Something went wrong, so that step did not finish.")
    assert str(report) in shown[0] and "send that report to support" in shown[0]
    assert "Traceback" not in capsys.readouterr().err


def test_an_error_in_a_background_thread_is_reported_without_touching_the_ui(qtbot):
    shown: list[str] = []
    uninstall = install_excepthook(shown.append)
    try:
        worker = threading.Thread(target=lambda: 1 / 0)
        worker.start()
        worker.join()
    finally:
        uninstall()
    [report] = crash_reports()
    assert "Error: builtins.ZeroDivisionError" in report.read_text(encoding="utf-8")
    assert shown == []  # widgets belong to the UI thread: a worker's error is only written down
