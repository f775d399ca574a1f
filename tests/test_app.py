"""The desktop app: drop, inputs list, findings filter, build in a worker, cancel, settings, error messages.

The pipeline is replaced by tests.app_fixtures.FakePipeline except in the end-to-end test at the bottom,
which drives the real pipeline on real generated returns.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import threading
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import QMimeData, QPointF, QSize, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QDateEdit, QFileDialog, QLineEdit, QTableView

from pqa_desktop import __version__
from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.findings_model import CELL_COLUMN, FINDING_ROLE
from pqa_desktop.app.inputs_model import STATUS_COLUMN
from pqa_desktop.app.main import main
from pqa_desktop.app.main_window import OFFLINE_TEXT, MainWindow
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.findings import Finding, Severity
from pqa_desktop.core.pipeline.run import NothingToBuild
from tests.app_fixtures import (TODAY, fake_pipeline, isolated_qsettings, message_boxes,  # noqa: F401 (fixtures)
                                opened_urls, save_dialog, summary)

WAIT_MS = 3000


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings):
    yield


@pytest.fixture
def make_window(qtbot):
    def make() -> MainWindow:
        window = MainWindow(settings=AppSettings(), today=TODAY)
        qtbot.addWidget(window)
        window.show()
        return window
    return make


@pytest.fixture
def inputs(tmp_path) -> dict[str, Path]:
    """Real files on disk: two returns and a folder holding a register and a CSV export."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    paths = {}
    for name in ("Audit_March.xlsx", "Audit_April.xlsx"):
        wb = Workbook()
        wb.active["A1"] = "Case file audit"
        wb.save(tmp_path / name)
        paths[name] = tmp_path / name
    wb = Workbook()
    wb.active.append(["Case reference", "Audit date", "Service area", "Overall judgement"])
    wb.save(folder / "Register.xlsx")
    (folder / "Annex A.csv").write_text("Child ID,Referral date\n1,01/04/2024\n", encoding="utf-8")
    paths["folder"] = folder
    return paths


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop(widget, mime: QMimeData) -> QDropEvent:
    """Drag in, then drop, as a real drag does: Qt delivers the drop to the widget that accepted the enter."""
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(QPointF(10, 10), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(10, 10), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return event


def add_and_wait(qtbot, window, paths):
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        window.add_paths(paths)
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)


def finding(severity, file, cell, rule, message):
    return Finding(file, "Audit", cell, severity, rule, message)


# ---------------------------------------------------------------------------------------------------------
# drop and inputs
# ---------------------------------------------------------------------------------------------------------
def test_drag_enter_accepts_local_files_as_a_copy_and_ignores_web_links(make_window, inputs):
    window = make_window()
    mime = file_mime(inputs["Audit_March.xlsx"])  # kept referenced: the event does not own it
    local = QDragEnterEvent(QPointF(10, 10), Qt.DropAction.CopyAction | Qt.DropAction.MoveAction,
                            mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.drop_area, local)
    assert local.isAccepted()
    assert local.dropAction() == Qt.DropAction.CopyAction  # drops are copies, never moves
    QApplication.sendEvent(window.drop_area, QDragLeaveEvent())

    web = QMimeData()
    web.setUrls([QUrl("https://example.org/return.xlsx")])
    remote = QDragEnterEvent(QPointF(10, 10), Qt.DropAction.CopyAction, web,
                             Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.drop_area, remote)
    assert not remote.isAccepted()


def test_dropping_files_and_a_folder_fills_the_inputs_table(qtbot, make_window, inputs, fake_pipeline):
    window = make_window()
    assert not window.drop_area.showing_contents  # empty: the three steps
    mime = file_mime(inputs["Audit_March.xlsx"], inputs["Audit_April.xlsx"], inputs["folder"])
    event = drop(window.drop_area, mime)
    assert event.isAccepted()
    # the drop handler only queued the paths; the work happens on the next turn of the event loop
    assert window.sources == [] and fake_pipeline.analyse_calls == []

    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        pass
    assert window.sources == [inputs["Audit_March.xlsx"], inputs["Audit_April.xlsx"], inputs["folder"]]
    paths, period = fake_pipeline.analyse_calls[0]
    assert paths == window.sources
    assert period == Period(date(2024, 9, 1))  # last complete month before 7 October 2024
    assert fake_pipeline.analyse_threads[0] != threading.get_ident()  # read off the UI thread

    model = window.inputs_model
    assert model.rowCount() == 4  # two returns + the folder's register and CSV
    names = [model.index(r, 0).data() for r in range(4)]
    assert names == ["Audit_March.xlsx", "Audit_April.xlsx", "Annex A.csv", "Register.xlsx"]
    assert model.index(0, 1).data() == "Case file audit"
    assert model.index(0, STATUS_COLUMN).data() == "No problems found"
    assert window.drop_area.showing_contents
    assert window.inputs_panel.summary_text() == "4 inputs, none needs attention"


def test_dropping_the_same_file_twice_adds_it_once(qtbot, make_window, inputs, fake_pipeline):
    window = make_window()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"]])
    mime = file_mime(inputs["Audit_March.xlsx"])
    drop(window.drop_area, mime)
    qtbot.wait(50)
    assert window.sources == [inputs["Audit_March.xlsx"]]
    assert len(fake_pipeline.analyse_calls) == 1


def test_status_counts_and_attention_summary(qtbot, make_window, inputs, fake_pipeline):
    fake_pipeline.rows_for = lambda paths: [summary(Path(paths[0]), errors=2, warnings=1, infos=3),
                                            summary(Path(paths[1]))]
    window = make_window()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"], inputs["Audit_April.xlsx"]])
    assert window.inputs_model.index(0, STATUS_COLUMN).data() == "2 errors, 1 warning, 3 info"
    assert window.inputs_model.index(1, STATUS_COLUMN).data() == "No problems found"
    assert window.inputs_panel.summary_text() == "1 file of 2 needs attention"


def test_remove_selected_input_rechecks_without_it(qtbot, make_window, inputs, fake_pipeline):
    window = make_window()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"], inputs["folder"]])
    # rows: Audit_March.xlsx, Annex A.csv (in the folder), Register.xlsx (in the folder)
    window.inputs_view.selectRow(0)
    assert window.remove_button.isEnabled()
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        window.remove_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)  # Remove is off while a check runs
    assert window.sources == [inputs["folder"]]
    assert fake_pipeline.analyse_calls[-1][0] == [inputs["folder"]]

    # a file inside an added folder: the folder stays, that file is no longer given to the pipeline
    assert window.inputs_model.index(0, 0).data() == "Annex A.csv"
    window.inputs_view.selectRow(0)
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        window.remove_button.click()
    assert fake_pipeline.analyse_calls[-1][0] == [inputs["folder"] / "Register.xlsx"]
    assert [window.inputs_model.index(r, 0).data() for r in range(window.inputs_model.rowCount())] == \
        ["Register.xlsx"]


def test_changing_the_period_checks_again(qtbot, make_window, inputs, fake_pipeline):
    window = make_window()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"]])
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        window.period_edit.setDate(window.period_edit.date().addMonths(-3))
    assert [call[1] for call in fake_pipeline.analyse_calls] == [Period(date(2024, 9, 1)), Period(date(2024, 6, 1))]
    assert window.period_edit.text() == "June 2024"


def test_new_inputs_during_a_check_stop_it_and_check_again(qtbot, make_window, inputs, fake_pipeline):
    fake_pipeline.block_analyse = True
    window = make_window()
    window.add_paths([inputs["Audit_March.xlsx"]])
    qtbot.waitUntil(lambda: len(fake_pipeline.analyse_calls) == 1, timeout=WAIT_MS)
    fake_pipeline.block_analyse = False  # the next check runs through
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        window.add_paths([inputs["Audit_April.xlsx"]])
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    assert fake_pipeline.saw_cancel.is_set()  # the stale check was stopped, not left to finish
    assert [call[0] for call in fake_pipeline.analyse_calls] == [
        [inputs["Audit_March.xlsx"]], [inputs["Audit_March.xlsx"], inputs["Audit_April.xlsx"]]]
    assert window.inputs_model.rowCount() == 2
    assert window.progress.stage_label.text() == "2 inputs, none needs attention"


def test_add_files_and_add_folder_buttons_use_the_file_dialogs(qtbot, make_window, inputs, fake_pipeline,
                                                               monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(
        lambda *a, **k: ([str(inputs["Audit_March.xlsx"]), str(inputs["Audit_April.xlsx"])], "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(inputs["folder"])))
    window = make_window()
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        qtbot.mouseClick(window.add_files_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        window.add_folder_button.click()
    assert window.sources == [inputs["Audit_March.xlsx"], inputs["Audit_April.xlsx"], inputs["folder"]]
    assert window.inputs_model.rowCount() == 4


# ---------------------------------------------------------------------------------------------------------
# findings
# ---------------------------------------------------------------------------------------------------------
FINDINGS = [
    finding(Severity.ERROR, "Audit_March.xlsx", "C14", "grade.unrecognised", '"Goodish" is not a grade.'),
    finding(Severity.ERROR, "Audit_April.xlsx", "C9", "date.unreadable", "The audit date cannot be read."),
    finding(Severity.WARNING, "Audit_March.xlsx", "C2", "duplicate.resent", "This audit was sent twice."),
    finding(Severity.WARNING, "Audit_April.xlsx", "C10", "grade.missing", "No overall grade was given."),
    finding(Severity.INFO, "Audit_April.xlsx", "C3", "grade.ofsted_number", "Grade 2 was read as Good."),
]


def test_findings_filter_by_severity_and_search(qtbot, make_window, inputs, fake_pipeline):
    fake_pipeline.findings = FINDINGS
    window = make_window()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"], inputs["Audit_April.xlsx"]])
    proxy = window.findings_proxy
    assert window.findings_count_label.text() == "5 of 5 findings shown"
    assert window.severity_buttons[Severity.ERROR].text() == "&Errors (2)"
    assert window.severity_buttons[Severity.WARNING].text() == "&Warnings (2)"
    assert window.severity_buttons[Severity.INFO].text() == "I&nfo (1)"
    assert proxy.index(0, 0).data() == "Error"  # the word, not colour alone
    assert proxy.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None  # and an icon

    window.severity_buttons[Severity.ERROR].click()  # errors off
    assert window.findings_count_label.text() == "3 of 5 findings shown"
    assert {f.severity for f in proxy.shown_findings()} == {Severity.WARNING, Severity.INFO}

    qtbot.keyClicks(window.search_edit, "grade")
    # warnings and info whose file, rule or message says "grade": grade.missing and grade.ofsted_number
    assert window.findings_count_label.text() == "2 of 5 findings shown"
    assert [f.rule for f in proxy.shown_findings()] == ["grade.missing", "grade.ofsted_number"]

    window.severity_buttons[Severity.ERROR].click()  # errors back on: grade.unrecognised matches too
    assert window.findings_count_label.text() == "3 of 5 findings shown"

    window.search_edit.clear()
    qtbot.keyClicks(window.search_edit, "april c9")  # every word must match, in any column
    assert [f.rule for f in proxy.shown_findings()] == ["date.unreadable"]


def test_findings_sort_cells_naturally(qtbot, make_window, inputs, fake_pipeline):
    fake_pipeline.findings = FINDINGS
    window = make_window()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"]])
    window.findings_view.sortByColumn(CELL_COLUMN, Qt.SortOrder.AscendingOrder)
    cells = [window.findings_proxy.index(r, CELL_COLUMN).data() for r in range(5)]
    assert cells == ["C2", "C3", "C9", "C10", "C14"]  # C10 after C9, not after C1
    window.findings_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    severities = [window.findings_proxy.index(r, 0).data(FINDING_ROLE).severity for r in range(5)]
    assert severities == [Severity.ERROR] * 2 + [Severity.WARNING] * 2 + [Severity.INFO]


# ---------------------------------------------------------------------------------------------------------
# build, cancel, errors
# ---------------------------------------------------------------------------------------------------------
def test_build_runs_in_a_worker_thread_and_enables_open(qtbot, make_window, inputs, fake_pipeline, save_dialog,
                                                         opened_urls, tmp_path):
    window = make_window()
    assert not window.build_button.isEnabled()
    # why not, said on the Build line itself (not only in the tooltip)
    assert window.build_button.toolTip().startswith("Add the auditors' returns first")
    assert window.build_summary_label.text().startswith("Build is not available yet: add the auditors' returns")
    assert window.build_summary_label.isVisible()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"]])
    assert window.build_button.toolTip().startswith("Enter the LA name first")
    assert window.build_summary_label.text().startswith("Build is not available yet: enter the LA name first")
    qtbot.keyClicks(window.la_name_edit, "Anytown Council")
    assert window.build_button.isEnabled()
    assert not window.open_button.isEnabled() and not window.show_folder_button.isEnabled()

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    save_dialog["path"] = str(out_dir / "September report")  # typed without .xlsx
    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        window.build_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)

    call = fake_pipeline.build_calls[0]
    assert fake_pipeline.build_threads[0] != threading.get_ident()  # built off the UI thread
    assert call["output"] == out_dir / "September report.xlsx"
    assert call["options"].settings.la_name == "Anytown Council"
    assert call["options"].period == Period(date(2024, 9, 1))
    assert call["analysis"] is not None and len(fake_pipeline.analyse_calls) == 1  # the check on screen reused
    assert (out_dir / "September report.xlsx").exists()
    assert window.open_button.isEnabled() and window.show_folder_button.isEnabled()
    assert window.progress.stage_label.text() == "Workbook saved: September report.xlsx"

    window.open_button.click()
    window.show_folder_button.click()
    assert [u.toLocalFile() for u in opened_urls] == [str(out_dir / "September report.xlsx"), str(out_dir)]


def test_build_cancelled_at_the_save_dialog_does_nothing(qtbot, make_window, inputs, fake_pipeline, save_dialog):
    window = make_window()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"]])
    window.la_name_edit.setText("Anytown Council")
    save_dialog["path"] = ""
    window.build_button.click()
    assert not window.busy and fake_pipeline.build_calls == []


def test_escape_cancels_a_check_and_the_ui_returns_to_idle(qtbot, make_window, inputs, fake_pipeline):
    fake_pipeline.block_analyse = True
    window = make_window()
    window.activateWindow()
    window.add_paths([inputs["Audit_March.xlsx"]])
    qtbot.waitUntil(lambda: window.busy and len(fake_pipeline.analyse_calls) == 1, timeout=WAIT_MS)
    assert not window.build_button.isEnabled()
    qtbot.keyClick(window.findings_view, Qt.Key.Key_Escape)  # Esc from anywhere in the window
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    assert fake_pipeline.saw_cancel.is_set()
    # (the fake stops before any file is read; tests/test_app_flows.py stops a real read part-way)
    assert window.progress.stage_label.text().startswith("Check stopped before any file was read")
    assert not window.progress.cancel_button.isEnabled() and not window.progress.bar.isVisible()
    assert window.menu_actions.cancel_action.shortcut().toString() == "Esc"


def test_cancel_button_stops_a_build(qtbot, make_window, inputs, fake_pipeline, save_dialog, message_boxes,
                                     tmp_path):
    window = make_window()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"]])
    window.la_name_edit.setText("Anytown Council")
    fake_pipeline.block_build = True
    save_dialog["path"] = str(tmp_path / "report.xlsx")
    window.build_button.click()
    qtbot.waitUntil(lambda: window.progress.cancel_button.isVisible(), timeout=WAIT_MS)
    qtbot.mouseClick(window.progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    assert fake_pipeline.saw_cancel.is_set()
    assert window.progress.stage_label.text() == "Build stopped; no workbook was written."
    assert not window.open_button.isEnabled()
    assert window.build_button.isEnabled()  # idle again: can build again
    assert message_boxes == []


@pytest.mark.parametrize("error, title", [
    (NothingToBuild("No audit or system export could be read from the inputs, so no workbook was written. "
                    "Add the auditors' returns and try again."), "Nothing to build"),
    (PermissionError(13, "Permission denied"), "Could not save the workbook"),
])
def test_build_errors_show_a_plain_message(qtbot, make_window, inputs, fake_pipeline, save_dialog, message_boxes,
                                           tmp_path, error, title):
    window = make_window()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"]])
    window.la_name_edit.setText("Anytown Council")
    fake_pipeline.build_error = error
    save_dialog["path"] = str(tmp_path / "report.xlsx")
    window.build_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    assert len(message_boxes) == 1
    kind, shown_title, text = message_boxes[0]
    assert (kind, shown_title) == ("warning", title)
    assert "Traceback" not in text and "Errno" not in text
    if isinstance(error, NothingToBuild):
        assert text.endswith("Add the auditors' returns and try again.")
    else:
        assert text.startswith("report.xlsx could not be saved there.") and "close it" in text
    assert not window.open_button.isEnabled()


def test_unexpected_error_writes_a_crash_report_without_values(qtbot, make_window, inputs, fake_pipeline,
                                                                save_dialog, message_boxes, tmp_path,
                                                                expected_job_errors):
    window = make_window()
    add_and_wait(qtbot, window, [inputs["Audit_March.xlsx"]])
    window.la_name_edit.setText("Anytown Council")
    fake_pipeline.build_error = KeyError("Jane Smith AB123456")  # a message that holds a child's details
    save_dialog["path"] = str(tmp_path / "report.xlsx")
    window.build_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)

    reports = list((Path(os.environ["PQA_DESKTOP_HOME"]) / "crash-reports").glob("crash-*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert "Error: builtins.KeyError" in text
    assert str(Path(__file__).parent) not in text  # code locations without the folders they sit in
    assert f"PQA Desktop: {__version__}" in text
    assert "Jane" not in text and "AB123456" not in text
    assert "Inputs added: 1" in text
    [(kind, title, message)] = message_boxes
    assert kind == "critical" and str(reports[0]) in message and "Traceback" not in message


# ---------------------------------------------------------------------------------------------------------
# settings, accessibility, entry point
# ---------------------------------------------------------------------------------------------------------
def test_settings_persist_across_two_windows(qtbot, make_window, inputs, fake_pipeline, save_dialog, tmp_path,
                                             isolated_qsettings):
    first = make_window()
    first.resize(QSize(760, 540))
    qtbot.keyClicks(first.la_name_edit, "Bristol City Council")
    add_and_wait(qtbot, first, [inputs["Audit_March.xlsx"]])
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    save_dialog["path"] = str(out_dir / "report.xlsx")
    with qtbot.waitSignal(first.build_succeeded, timeout=WAIT_MS):
        first.build_button.click()
    qtbot.waitUntil(lambda: not first.busy, timeout=WAIT_MS)
    # the size the window really had when closed (Qt may clamp 520 to a minimum height a few pixels larger)
    closed_size = first.size()
    first.close()
    assert list(isolated_qsettings.rglob("*.ini"))  # written to the private folder, not the real profile

    second = make_window()
    assert second.la_name_edit.text() == "Bristol City Council"
    assert second.size() == closed_size
    assert closed_size.width() == 760 and abs(closed_size.height() - 540) <= 40
    add_and_wait(qtbot, second, [inputs["Audit_March.xlsx"]])
    second.build_button.click()
    qtbot.waitUntil(lambda: not second.busy, timeout=WAIT_MS)
    # the save dialog opened in the last output folder, with a name from the LA and the period
    assert save_dialog["offered"][-1] == str(out_dir / "bristol-city-council-pqa-2024-09.xlsx")


def test_every_control_has_an_accessible_name_and_mnemonics_do_not_clash(make_window):
    window = make_window()
    # the controls the window made (Qt's own inner widgets, e.g. a line edit's clear button, are Qt's to name)
    controls = [w for w in vars(window).values() if isinstance(w, (QAbstractButton, QLineEdit, QDateEdit, QTableView))]
    controls += list(window.severity_buttons.values()) + [window.progress.cancel_button, window.progress.bar]
    assert len(controls) >= 14
    unnamed = [type(w).__name__ + ":" + getattr(w, "text", lambda: "")() for w in controls if not w.accessibleName()]
    assert unnamed == []
    mnemonics = []
    for button in window.findChildren(QAbstractButton):
        text = button.text()
        if "&" in text:
            mnemonics.append(text[text.index("&") + 1].lower())
    assert len(mnemonics) == len(set(mnemonics)), mnemonics
    assert window.offline_label.text() == OFFLINE_TEXT == "Offline \u2014 files stay on this laptop"
    assert window.period_edit.displayFormat() == "MMMM yyyy"
    assert window.period_edit.text() == "September 2024"


def test_tab_order_follows_the_work(make_window):
    window = make_window()
    order = [window.period_edit]
    widget = window.period_edit
    for _ in range(8):
        widget = widget.nextInFocusChain()
        while widget.focusPolicy() == Qt.FocusPolicy.NoFocus or widget.objectName() == "qt_spinbox_lineedit":
            widget = widget.nextInFocusChain()
        order.append(widget)
    # (disabled controls, such as Remove with nothing selected, are left out of a real Tab walk: see
    # tests/test_app_flows.py for the walk of the whole window)
    assert order[:6] == [window.period_edit, window.la_name_edit, window.settings_button, window.add_files_button,
                         window.add_folder_button, window.remove_button]


def test_version_flag_prints_and_exits(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"PQA Desktop {__version__}"


def test_main_shows_the_window_and_returns_the_exit_code(qtbot, fake_pipeline, inputs):
    from PySide6.QtCore import QTimer

    seen = {}

    def close_the_window():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["windows"] = len(windows)
        seen["sources"] = windows[0].sources if windows else None
        for w in windows:
            w.close()  # the last window closed ends the event loop, as when the user closes the app

    QTimer.singleShot(200, close_the_window)
    fallback = QTimer()  # if the loop did not end, end it with a code the assert below rejects
    fallback.setSingleShot(True)
    fallback.timeout.connect(lambda: QApplication.instance().exit(3))
    fallback.start(3000)
    try:
        status = main([str(inputs["Audit_March.xlsx"])])
    finally:
        fallback.stop()
    assert status == 0
    assert seen == {"windows": 1, "sources": [inputs["Audit_March.xlsx"]]}


# ---------------------------------------------------------------------------------------------------------
# end to end with the real pipeline
# ---------------------------------------------------------------------------------------------------------
def test_end_to_end_with_the_real_pipeline(qtbot, make_window, save_dialog, message_boxes, tmp_path):
    pytest.importorskip("pqa_desktop.core.report")
    from pqa_desktop.core.returns.templates import write_return

    folder = tmp_path / "returns"
    folder.mkdir()
    for n, (ref, overall) in enumerate((("AB100001", "Good"), ("AB100002", "Requires improvement")), start=1):
        write_return(folder / f"Audit {n}.xlsx", "case_file_audit", {
            "case_ref": ref, "service_area": "IRT", "team": "IRT 1", "auditor": "Ann Auditor",
            "audit_date": date(2024, 7, 10 + n), "overall": overall,
        })
    window = make_window()
    window.la_name_edit.setText("Anytown Council")
    mime = file_mime(folder)
    with qtbot.waitSignal(window.analysis_ready, timeout=20000):
        drop(window.drop_area, mime)
    qtbot.waitUntil(lambda: not window.busy, timeout=20000)
    model = window.inputs_model
    rows = [model.row_at(r) for r in range(model.rowCount())]
    assert sorted(r.name for r in rows) == ["Audit 1.xlsx", "Audit 2.xlsx"]
    assert all(r.kind == "case_file_audit" and r.records == 1 for r in rows)

    out = tmp_path / "out" / "report.xlsx"
    out.parent.mkdir()
    save_dialog["path"] = str(out)
    with qtbot.waitSignal(window.build_succeeded, timeout=30000):
        window.build_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=30000)
    assert message_boxes == []
    assert window.last_output == out and window.open_button.isEnabled()
    workbook = load_workbook(out, read_only=True)
    assert "Summary" in workbook.sheetnames and "Data quality" in workbook.sheetnames
