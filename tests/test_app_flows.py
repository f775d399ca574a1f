"""The app as the officer's daily tool, with the real pipeline and real files: the keyboard alone (a Tab walk
of the whole window that visits every control and comes back, Ctrl+F, the Help menu), a read that shows each
file as it is read and can be stopped and continued without losing anything, the inputs list (every input a
row, sorting, "needs attention"), the findings workflow (accept with a reason, kept across a restart and in
the workbook's Data quality sheet; group by auditor; send back), "Treat as…" with nothing chosen, the
settings dialog's size, the empty window and the Build line.

Modals are replaced as in tests/test_app_workspace.py: a dialog's exec() fills the real dialog and accepts it.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import email
import time
from datetime import date
from email import policy
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QComboBox, QDialog, QFileDialog,
                               QLabel, QTabBar, QWidget)

from pqa_desktop import __version__
from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.corrections import TreatAsDialog
from pqa_desktop.app.finding_dialogs import AcceptDialog
from pqa_desktop.app.findings_model import FINDING_ROLE, STATUS_COLUMN
from pqa_desktop.app.findings_view import GROUP_BY_AUDITOR
from pqa_desktop.app.help import AboutDialog, ShortcutsDialog, shortcut_rows
from pqa_desktop.app.inputs_model import FILE_COLUMN, STATUS_COLUMN as INPUT_STATUS_COLUMN, SUMMARY_ROLE
from pqa_desktop.app.main_window import MainWindow
from pqa_desktop.app.report_tabs import FINDINGS_TAB
from pqa_desktop.app.settings_dialog import SettingsDialog
from pqa_desktop.core.pipeline import reading
from pqa_desktop.core.findings import Finding, Severity
from pqa_desktop.core.settings import Settings
from tests.app_fixtures import check, wait_idle
from tests.app_fixtures import TODAY, isolated_qsettings, message_boxes, save_dialog  # noqa: F401 (fixtures)
from tests.returns_fixtures import write_template
from tests.workspace_fixtures import BASE

WAIT_MS = 30000
AUGUST = QDate(2024, 8, 1)


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings, monkeypatch):
    monkeypatch.setenv("PQA_READ_WORKERS", "0")  # read in the job's thread: the slow-reading stub below sees it
    yield


@pytest.fixture
def make_window(qtbot):
    def make() -> MainWindow:
        window = MainWindow(settings=AppSettings(), today=TODAY)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        window.la_name_edit.setText("Anytown Council")
        window.period_edit.setDate(AUGUST)
        return window
    return make



def _audit(path, reference, when, overall, auditor, **extra):
    values = {**BASE, "case_ref": reference, "audit_date": when.strftime("%d/%m/%Y"), "overall": overall,
              "auditor": auditor, **extra}
    return write_template(path, "case_file_audit", values)


@pytest.fixture
def messy(tmp_path) -> Path:
    """A messy folder: two auditors' returns (three with problems), a lock file, a copy and a text file."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    _audit(folder / "CFA 1.xlsx", "CR-1001", date(2024, 8, 5), "Good", "Jane Smith")
    _audit(folder / "CFA 2.xlsx", "CR-1002", date(2024, 8, 6), "Goodish", "Jane Smith")
    _audit(folder / "CFA 3.xlsx", "CR-1003", date(2024, 8, 7), "Outstandingish", "Ann Lee", visits="Perhaps")
    _audit(folder / "CFA 4.xlsx", "CR-1004", date(2024, 8, 8), "Good", "Ann Lee")
    (folder / "~$CFA 1.xlsx").write_bytes(b"lock")
    (folder / "Copy of CFA 4.xlsx").write_bytes((folder / "CFA 4.xlsx").read_bytes())
    (folder / "notes.txt").write_text("to do\n")
    return folder


def rows(window) -> dict:
    model = window.inputs_model
    return {model.index(r, 0).data(): model.index(r, 0).data(SUMMARY_ROLE) for r in range(model.rowCount())}


def select(window, predicate) -> list[Finding]:
    """Select the findings on screen for which ``predicate`` holds; returns them."""
    view, proxy = window.findings_view, window.findings_proxy
    view.clearSelection()
    chosen = []
    for r in range(proxy.rowCount()):
        finding = proxy.index(r, 0).data(FINDING_ROLE)
        if predicate(finding):
            view.selectionModel().select(proxy.index(r, 0), view.selectionModel().SelectionFlag.Select
                                         | view.selectionModel().SelectionFlag.Rows)
            chosen.append(finding)
    return chosen


def status_on_screen(window, finding) -> str:
    proxy = window.findings_proxy
    for r in range(proxy.rowCount()):
        if proxy.index(r, 0).data(FINDING_ROLE) == finding:
            return proxy.index(r, STATUS_COLUMN).data()
    raise AssertionError("not on screen")


# ---------------------------------------------------------------------------------------------------------
# the keyboard alone
# ---------------------------------------------------------------------------------------------------------
def _owner(widget: QWidget | None) -> QWidget | None:
    """The control a focused widget belongs to (a date edit's inner line edit is the date edit)."""
    while widget is not None and widget.objectName() in ("qt_spinbox_lineedit",):
        widget = widget.parentWidget()
    return widget


def _tab_stops(window: QWidget) -> set[QWidget]:
    """Every control the keyboard must reach: shown, enabled, taking focus by Tab."""
    out = set()
    for w in window.findChildren(QWidget):
        if w.objectName() == "qt_spinbox_lineedit" or w.focusProxy() is not None:
            continue
        if not (w.focusPolicy() & Qt.FocusPolicy.TabFocus) or not w.isVisibleTo(window) or not w.isEnabled():
            continue
        if isinstance(w.parentWidget(), QComboBox) or type(w).__name__ in ("QScrollBar",):
            continue
        if isinstance(w, QAbstractItemView) and isinstance(w.parentWidget(), QWidget) and \
                w.parentWidget().inherits("QComboBoxPrivateContainer"):
            continue
        out.add(w)
    return out


def _walk(qtbot, window, key=Qt.Key.Key_Tab, modifier=Qt.KeyboardModifier.NoModifier) -> list[QWidget]:
    # from the LA name: Tab in the period moves from its month to its year first (then on), so it would
    # seem to come back at once
    start = window.la_name_edit
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: _owner(QApplication.focusWidget()) is start, timeout=2000)
    visited = []
    for _ in range(200):
        QTest.keyClick(QApplication.focusWidget(), key, modifier)
        focused = _owner(QApplication.focusWidget())
        if focused is start:
            return visited + [start]
        visited.append(focused)
    raise AssertionError(f"Tab never came back to the LA name: a keyboard trap at {visited[-5:]}")


def test_a_tab_walk_visits_every_control_of_the_window_and_comes_back(qtbot, make_window, messy):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([messy]))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.inputs_view.selectRow(0)  # Remove enabled: a stop too
    window.findings_view.selectRow(0)  # the finding actions enabled
    for tab in range(window.report_tabs.count()):  # the Findings page, then each of the others
        window.report_tabs.setCurrentIndex(tab)
        forward = _walk(qtbot, window)
        stops = _tab_stops(window)
        missed = stops - set(forward)
        assert not missed, (tab, sorted(f"{type(w).__name__}:{w.accessibleName()}" for w in missed))
        # the order follows the work: the period, the LA name, Settings, the inputs, the tabs, then Build
        order = [w for w in forward if w in (window.period_edit, window.settings_button, window.add_files_button,
                                             window.inputs_view, window.build_button)]
        assert order[-1] == window.period_edit and window.la_name_edit == forward[-1]
        assert list(dict.fromkeys(order)) == [window.settings_button, window.add_files_button, window.inputs_view,
                                              window.build_button, window.period_edit]
        backward = _walk(qtbot, window, modifier=Qt.KeyboardModifier.ShiftModifier)
        assert set(backward) == set(forward)  # Shift+Tab leaves every list and table too
    # the lists and tables themselves: Tab leaves them, arrows move within them
    for view in window.findChildren(QAbstractItemView):
        assert not view.tabKeyNavigation(), view.accessibleName()


def test_ctrl_f_goes_to_the_findings_search_from_anywhere(qtbot, make_window, messy):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([messy]))
    window.activateWindow()
    window.report_tabs.setCurrentIndex(2)  # Commentary
    window.inputs_view.setFocus()
    window.search_edit.setText("old text")
    QTest.keyClick(window.inputs_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.report_tabs.currentIndex() == FINDINGS_TAB
    assert QApplication.focusWidget() is window.search_edit and window.search_edit.selectedText() == "old text"
    QTest.keyClicks(window.search_edit, "Goodish")
    assert {f.file for f in window.findings_proxy.shown_findings()} == {"CFA 2.xlsx"}


def test_every_mnemonic_in_the_window_is_unique(make_window):
    window = make_window()
    letters: dict[str, list[str]] = {}

    def note(text: str, what: str) -> None:
        if "&" in text.replace("&&", ""):
            letter = text.replace("&&", "")[text.replace("&&", "").index("&") + 1].lower()
            letters.setdefault(letter, []).append(what)

    for button in window.findChildren(QAbstractButton):
        note(button.text(), f"button {button.text()}")
    for label in window.findChildren(QLabel):
        if label.buddy() is not None:
            note(label.text(), f"label {label.text()}")
    for bar in window.findChildren(QTabBar):
        for i in range(bar.count()):
            note(bar.tabText(i), f"tab {bar.tabText(i)}")
    for action in window.menuBar().actions():
        note(action.text(), f"menu {action.text()}")
    clashes = {k: v for k, v in letters.items() if len(v) > 1}
    assert clashes == {}


def test_help_menu_guide_shortcuts_and_about_with_version_and_licences(qtbot, make_window, monkeypatch):
    window = make_window()
    menu_titles = [a.text() for a in window.menuBar().actions()]
    assert menu_titles == ["Wor&kspace", "&Help"]
    assert window.user_guide_action.shortcut().matches(QKeySequence(QKeySequence.StandardKey.HelpContents)) \
        == QKeySequence.SequenceMatch.ExactMatch
    opened = []
    monkeypatch.setattr("pqa_desktop.app.help.QDesktopServices.openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    window.user_guide_action.trigger()
    assert opened and Path(opened[0]).name in ("User guide.pdf", "User guide.html", "user-guide.md")

    actions = window.menu_actions
    rows = shortcut_rows([a for a in (actions.search_action, actions.cancel_action, actions.continue_action,
                                      window.user_guide_action)])
    keys = {k for k, _ in rows}
    assert {"Ctrl+F", "Esc", "F5", "F1"} <= keys
    dialog = ShortcutsDialog(rows)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(rows) and not dialog.table.tabKeyNavigation()

    about = AboutDialog(window.workspace.path)
    qtbot.addWidget(about)
    text = about.findChildren(QLabel)[0].text()
    assert f"PQA Desktop {__version__}" in text and str(window.workspace.path) in text and "Offline" in text
    licences = about.licences.toPlainText()
    assert "MIT" in licences and "LGPL" in licences and "Qt" in licences
    assert about.licences.tabChangesFocus()


# ---------------------------------------------------------------------------------------------------------
# reading: each file as it comes, a time estimate, stop and continue
# ---------------------------------------------------------------------------------------------------------
@pytest.fixture
def slow_reading(monkeypatch):
    """Each file takes a moment to read (as a large return does on a slow laptop); the calls are counted."""
    real = reading.read_input
    calls = []

    def slow(item, overrides=None):
        calls.append(item.name)
        time.sleep(0.12)
        return real(item, overrides)
    monkeypatch.setattr(reading, "read_input", slow)
    return calls


def _folder_of(tmp_path, n: int) -> Path:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(1, n + 1):
        _audit(folder / f"Audit {i:02d}.xlsx", f"CR-{2000 + i}", date(2024, 8, 1 + i % 28),
               "Goodish" if i == 2 else "Good", "Jane Smith")
    return folder


def test_rows_and_findings_appear_as_each_file_is_read_in_a_few_batches_a_second(qtbot, make_window, tmp_path,
                                                                                 slow_reading):
    folder = _folder_of(tmp_path, 14)
    window = make_window()
    flushes = []
    window.stream.flushed.connect(lambda batch: flushes.append((time.monotonic(), len(batch))))
    seen_partial = []

    def look():
        n = window.inputs_model.rowCount()
        if window.busy and 0 < n < 14:
            seen_partial.append((n, window.findings_model.rowCount()))
    probe = QTimer()
    probe.timeout.connect(look)
    probe.start(50)
    started = time.monotonic()
    check(qtbot, window, lambda: window.add_paths([folder]))
    probe.stop()
    elapsed = time.monotonic() - started
    assert seen_partial, "no row appeared before the whole folder was read"
    assert any(findings for _n, findings in seen_partial)  # Audit 02's "Goodish" showed while reading went on
    assert sum(size for _t, size in flushes) == 14
    assert 1 < len(flushes) <= elapsed * 7 + 2  # batched: never more than a few updates a second
    assert window.inputs_model.rowCount() == 14 and not window.inputs_panel.stopped_shown


def test_a_long_read_says_how_long_it_has_left(qtbot):
    from pqa_desktop.app.progress_panel import ReadEstimate, stage_text, time_left_text

    now = [100.0]
    estimate = ReadEstimate(clock=lambda: now[0])
    assert estimate.left("read", 10, 142) is None  # the first report starts the clock
    now[0] += 4.0
    assert estimate.left("read", 30, 142) == pytest.approx(112 * 4.0 / 20)  # 20 files in 4 s: 22.4 s left
    # the name on disk is not shown (not masked yet: "CR-1001 audit.xlsx" would show a child's ID)
    assert stage_text("read", 30, 142, "CR-1001 audit.xlsx", 22.4) == \
        "Reading file 31 of 142… (about 20 seconds left)"
    assert time_left_text(170) == "about 3 minutes left" and time_left_text(70) == "about a minute left"
    now[0] += 60.0
    assert estimate.left("read", 141, 142) is None  # nearly done: not worth saying


def test_stopping_a_read_keeps_what_was_read_lists_the_rest_and_continue_reads_only_the_rest(
        qtbot, make_window, tmp_path, slow_reading):
    folder = _folder_of(tmp_path, 12)
    window = make_window()
    window.activateWindow()
    window.add_paths([folder])
    qtbot.waitUntil(lambda: window.inputs_model.rowCount() >= 4, timeout=WAIT_MS)  # rows already on screen
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        QTest.keyClick(window.findings_view, Qt.Key.Key_Escape)  # the user presses Esc
    wait_idle(qtbot, window)
    read_first = list(slow_reading)
    done = len(read_first)
    assert 4 <= done < 12
    expected = f"Stopped after {done} of 12 files; those are kept. {12 - done} files are still to read"
    assert window.progress.stage_label.text().startswith(expected)
    assert window.inputs_panel.stopped_shown and window.inputs_panel.stopped_label.text().startswith(expected)
    assert window.inputs_panel.continue_button.isVisible() and window.inputs_panel.continue_button.isEnabled()
    # nothing was emptied or hidden: the folder is still an input, every file has a row
    assert window.sources == [folder] and window.drop_area.showing_contents
    listed = rows(window)
    assert len(listed) == 12
    assert sorted(name for name, row in listed.items() if row.kind_label == "Not read yet") == \
        sorted(f"Audit {i:02d}.xlsx" for i in range(1, 13) if f"Audit {i:02d}.xlsx" not in read_first)
    assert sorted(row.name for row in window.workspace.imports()) == sorted(read_first)  # each kept whole
    assert "not read yet" in window.build_summary_label.text()

    check(qtbot, window, window.inputs_panel.continue_button.click)
    assert sorted(slow_reading[done:]) == sorted(set(f"Audit {i:02d}.xlsx" for i in range(1, 13)) - set(read_first))
    assert not window.inputs_panel.stopped_shown
    assert all(row.kind == "case_file_audit" for row in rows(window).values()) and len(rows(window)) == 12
    assert len(window.workspace.imports()) == 12


# ---------------------------------------------------------------------------------------------------------
# the inputs list
# ---------------------------------------------------------------------------------------------------------
def test_every_input_has_a_row_with_auditor_and_date_and_needs_attention_leads_to_findings(
        qtbot, make_window, messy, message_boxes):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([messy]))
    listed = rows(window)
    assert set(listed) == {"CFA 1.xlsx", "CFA 2.xlsx", "CFA 3.xlsx", "CFA 4.xlsx", "~$CFA 1.xlsx",
                           "Copy of CFA 4.xlsx", "notes.txt"}
    assert listed["~$CFA 1.xlsx"].kind_label == "Skipped: a lock file Office leaves while a document is open"
    assert listed["Copy of CFA 4.xlsx"].kind_label == "Duplicate: same as CFA 4.xlsx, read once"
    model = window.inputs_model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "CFA 3.xlsx")
    assert [model.index(row, c).data() for c in range(model.columnCount())] == [
        "CFA 3.xlsx", "Case file audit", "Ann Lee", "07/08/2024", 1, "2 errors"]
    assert model.index(row, FILE_COLUMN).data(Qt.ItemDataRole.ToolTipRole) == f"CFA 3.xlsx\nin {messy}"
    assert window.inputs_view.textElideMode() == Qt.TextElideMode.ElideMiddle

    # sorting by status puts the files with errors first
    window.inputs_view.sortByColumn(INPUT_STATUS_COLUMN, Qt.SortOrder.AscendingOrder)
    proxy = window.inputs_panel.proxy
    assert [proxy.index(r, 0).data() for r in range(2)] == ["CFA 3.xlsx", "CFA 2.xlsx"]

    # "2 files of 7 need attention" lists only those and shows their open errors and warnings
    panel = window.inputs_panel
    assert panel.summary_text() == "2 files of 7 need attention"
    panel.attention_button.click()
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["CFA 3.xlsx", "CFA 2.xlsx"]
    assert window.report_tabs.currentIndex() == FINDINGS_TAB
    shown = window.findings_proxy.shown_findings()
    assert {f.file for f in shown} == {"CFA 2.xlsx", "CFA 3.xlsx"}
    assert all(f.severity is not Severity.INFO for f in shown)
    panel.attention_only_check.setChecked(False)
    assert proxy.rowCount() == 7

    # Enter on a row: that file's findings
    window.findings_panel.show_open_problems()
    window.activateWindow()
    window.inputs_view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.inputs_view, timeout=2000)
    window.inputs_view.setCurrentIndex(proxy.index(0, 0))
    QTest.keyClick(window.inputs_view, Qt.Key.Key_Return)
    assert message_boxes == []  # nothing was opened
    assert {f.file for f in window.findings_proxy.shown_findings()} == {proxy.index(0, 0).data()}


def test_the_file_name_is_the_widest_column_at_1366_by_768(qtbot, make_window, messy):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([messy]))
    header = window.inputs_view.horizontalHeader()
    widths = [header.sectionSize(c) for c in range(header.count())]
    assert widths[FILE_COLUMN] == max(widths) and widths[FILE_COLUMN] >= 0.3 * sum(widths)
    metrics = window.inputs_view.fontMetrics()
    assert widths[FILE_COLUMN] > metrics.horizontalAdvance("Case file audit - CASS 1 - 28.11.23 (amended).xlsx")
    assert window.inputs_view.viewport().height() >= 4 * window.inputs_view.verticalHeader().defaultSectionSize()


# ---------------------------------------------------------------------------------------------------------
# findings: accept (kept across a restart and in the workbook), group by auditor, send back
# ---------------------------------------------------------------------------------------------------------
def test_an_accepted_finding_is_kept_across_a_restart_and_shown_in_the_data_quality_sheet(
        qtbot, make_window, messy, monkeypatch, save_dialog, message_boxes, tmp_path):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([messy]))
    [perhaps] = select(window, lambda f: f.value == "Perhaps")
    assert status_on_screen(window, perhaps) == "Open"
    assert window.findings_panel.accept_button.isEnabled()

    def accept_with_reason(dialog):
        assert not dialog.ok_button.isEnabled()  # a reason is required
        dialog.reason_edit.setText("visit recorded in the case notes")
        dialog.ok_button.click()
        return dialog.result()
    monkeypatch.setattr(AcceptDialog, "exec", accept_with_reason)
    window.findings_panel.accept_button.click()
    assert status_on_screen(window, perhaps) == "Accepted: visit recorded in the case notes"
    assert window.findings_panel.status_buttons["accepted"].text() == "Accepted (1)"
    window.findings_panel.status_buttons["accepted"].click()  # hide the accepted ones
    assert perhaps not in window.findings_proxy.shown_findings()
    window.close()

    again = make_window()  # the next session: same workspace, the inputs come from it
    wait_idle(qtbot, again)
    qtbot.waitUntil(lambda: again.findings_model.rowCount() > 0, timeout=WAIT_MS)
    assert status_on_screen(again, perhaps) == "Accepted: visit recorded in the case notes"
    out = tmp_path / "out.xlsx"
    save_dialog["path"] = str(out)
    with qtbot.waitSignal(again.build_succeeded, timeout=WAIT_MS):
        again.build_button.click()
    wait_idle(qtbot, again)
    ws = load_workbook(out)["Data quality"]
    cells = [[c.value for c in row] for row in ws[ws.tables["tbl_data_quality"].ref]]
    table = [dict(zip(cells[0], row)) for row in cells[1:]]
    statuses = {(r["File"], r["Cell"], r["Rule"]): r["Status"] for r in table}
    assert statuses[("CFA 3.xlsx", perhaps.cell, "yes_no.unrecognised")] == \
        "Accepted: visit recorded in the case notes"
    assert {r["Status"] for r in table} == {"Open", "Accepted: visit recorded in the case notes"}

    # reopen: open again everywhere
    select(again, lambda f: f == perhaps)
    again.findings_panel.reopen_button.click()
    assert status_on_screen(again, perhaps) == "Open"
    assert again.workspace.finding_statuses() == {}


def test_treat_as_marks_the_finding_corrected_and_it_stays_listed(qtbot, make_window, messy, monkeypatch):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([messy]))
    [goodish] = select(window, lambda f: f.value == "Goodish")
    assert window.findings_panel.correct_button.isEnabled()

    def treat_as_good(dialog):
        dialog.choice_combo.setCurrentText("Good")
        dialog.reason_edit.setText("confirmed with Jane")
        dialog.ok_button.click()
        return dialog.result()
    monkeypatch.setattr(TreatAsDialog, "exec", treat_as_good)
    check(qtbot, window, window.findings_panel.correct_button.click)
    assert goodish not in window.session.analysis.findings  # read as Good now
    assert status_on_screen(window, goodish) == "Corrected"  # and still listed, as corrected
    assert rows(window)["CFA 2.xlsx"].errors == 0


def test_treat_as_starts_with_nothing_chosen_so_enter_records_no_grade(qtbot):
    finding = Finding("CFA 2.xlsx", "Audit", "B30", Severity.ERROR, "grade.unrecognised",
                      'Overall practice judgement: "Goodish" is not a grade.', "Overall practice judgement", "Goodish")
    dialog = TreatAsDialog(finding, ("Outstanding", "Good", "Requires improvement", "Inadequate"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.choice_combo.currentIndex() == -1 and dialog.value == ""
    QTest.keyClicks(dialog.reason_edit, "checked")
    QTest.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()
    dialog.choice_combo.setCurrentIndex(1)
    QTest.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.value == "Good"


def test_group_by_auditor_and_send_back_writes_a_list_and_a_draft_per_auditor(qtbot, make_window, messy,
                                                                             monkeypatch, message_boxes, tmp_path):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([messy]))
    panel = window.findings_panel
    panel.set_group_by(GROUP_BY_AUDITOR)
    tops = [panel.tree_model.item(r).text() for r in range(panel.tree_model.rowCount())]
    assert "Ann Lee: 2 errors" in tops and "Jane Smith: 1 error" in tops
    assert any(t.startswith("No auditor named:") for t in tops)  # the skipped files and the copy

    out = tmp_path / "to send"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(out)))
    panel.select_group(auditor="Ann Lee")
    assert panel.send_back_button.text() == "Send back to Ann Lee\u2026"
    with qtbot.waitSignal(window.sent_back, timeout=WAIT_MS) as sent:
        panel.send_back_button.click()
    wait_idle(qtbot, window)
    [ann] = sent.args[0]
    assert ann.auditor == "Ann Lee" and ann.count == 2
    assert sorted(p.name for p in out.iterdir()) == ["findings-for-ann-lee-2024-08.eml",
                                                     "findings-for-ann-lee-2024-08.xlsx"]
    book = load_workbook(ann.workbook)
    text = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "CFA 3.xlsx" in text and "CR-100" not in text and "Ann Lee" not in text
    draft = email.message_from_bytes(ann.draft.read_bytes(), policy=policy.default)
    body = draft.get_body(("plain",)).get_content()
    assert 'Case file audit "CFA 3.xlsx":' in body and "CR-100" not in body
    [(kind, title, message)] = message_boxes
    assert title == "Lists saved for the auditors" and "Ann Lee: 2 findings" in message
    assert "--" not in message and "command" not in message.lower()


# ---------------------------------------------------------------------------------------------------------
# settings dialog, empty window, Build line
# ---------------------------------------------------------------------------------------------------------
def test_settings_dialog_shows_every_targets_column_at_1366_by_768_and_remembers_its_size(qtbot):
    remembered = AppSettings()
    dialog = SettingsDialog(Settings(la_name="Anytown Council"), remembered=remembered)
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(2)  # Targets
    laptop = QSize(1366, 768 - 40)  # the screen less the taskbar (the test screen itself is smaller)
    size = dialog.fitting_size(laptop)
    assert size.width() <= laptop.width() and size.height() <= laptop.height()
    assert dialog.size() == dialog.fitting_size()  # opened at the fitting size of the screen it is on
    dialog.resize(size)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.targets_table
    assert not table.horizontalScrollBar().isVisible()  # every column in view
    metrics = table.fontMetrics()
    longest = max(metrics.horizontalAdvance(table.item(r, 0).text()) for r in range(table.rowCount()))
    assert table.columnWidth(0) >= longest  # every measure's name readable
    assert table.columnWidth(3) >= dialog.polarity_boxes[next(iter(dialog.polarity_boxes))].sizeHint().width()
    assert table.viewport().height() >= 12 * table.rowHeight(0)  # a good run of rows
    areas = dialog.areas_table
    assert areas.columnWidth(1) >= areas.fontMetrics().horizontalAdvance("Caseload threshold")
    dialog.resize(QSize(780, 560))  # (within the small test screen)
    dialog.reject()
    again = SettingsDialog(Settings(), remembered=remembered)
    qtbot.addWidget(again)
    assert again.size() == QSize(780, 560)


def test_the_empty_window_explains_the_three_steps_and_build_says_why_not(qtbot, make_window, messy):
    window = make_window()
    window.la_name_edit.setText("")
    assert window.lower.currentWidget() is window.steps_panel  # where the tabs will be
    text = window.steps_panel.label.text()
    for step in ("Add the inputs", "Check what needs attention", "Build the workbook"):
        assert step in text
    assert "nothing is sent anywhere" in text
    assert not window.build_button.isEnabled()
    assert window.build_summary_label.isVisible() and \
        window.build_summary_label.text().startswith("Build is not available yet: add the auditors' returns")
    check(qtbot, window, lambda: window.add_paths([messy]))
    assert window.lower.currentWidget() is window.report_tabs
    assert window.build_summary_label.text().startswith(
        "Build is not available yet: enter the LA name first (at the top of the window). 12 months from September "
        "2023 to August 2024")
    window.la_name_edit.setText("Anytown Council")
    assert window.build_button.isEnabled()
    assert window.build_summary_label.text() == ("12 months from September 2023 to August 2024 (year to date from "
                                                 "April 2024; snapshot 31/08/2024), 7 inputs; 3 open errors (they "
                                                 "do not block the build)")


def test_the_build_line_says_what_will_be_blank_and_each_button_leads_to_its_fix(qtbot, make_window, tmp_path,
                                                                                 monkeypatch, demo_inputs_copy):
    from pqa_desktop.app.build_panel import BlankReasonsDialog
    from pqa_desktop.core.sample.demo import DEMO_PERIOD_END

    inputs = tmp_path / "demo"
    demo_inputs_copy(inputs)  # exports and returns, and no settings at all
    window = make_window()
    window.period_edit.setDate(QDate(DEMO_PERIOD_END.year, DEMO_PERIOD_END.month, 1))
    check(qtbot, window, lambda: window.add_paths([inputs]))
    panel = window.build_panel
    assert panel.blank_row.isVisible()
    assert panel.blank_label.text().startswith(
        "Some figures will be blank: settings not given (Population aged 0\u201317, Targets, Caseload thresholds")
    assert [b.text() for b in panel.fix_buttons] == ["Set the population\u2026", "Set targets\u2026",
                                                     "Set caseload thresholds\u2026"]
    assert "per 10,000 children" in panel.fix_buttons[0].toolTip()  # the why, in full
    assert panel.all_reasons_button.isVisible()  # more reasons than buttons on the line
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    walked = _walk(qtbot, window)  # each button is reached with Tab, and Tab still comes back round
    assert {*panel.fix_buttons, panel.all_reasons_button} <= set(walked)
    assert not _tab_stops(window) - set(walked)

    seen = {}

    def enter_population(dialog):
        seen.update(tab=dialog.tabs.currentIndex(), field=dialog.focusWidget() is dialog.population_spin)
        dialog.population_spin.setValue(48000)
        dialog.accept()
        return dialog.result()
    monkeypatch.setattr(SettingsDialog, "exec", enter_population)
    check(qtbot, window, panel.fix_buttons[0].click)
    assert seen == {"tab": 0, "field": True}  # opened at the population, on the General page
    assert "Population" not in panel.blank_label.text()
    assert panel.fix_buttons[0].text() == "Set targets\u2026"

    # every reason in full, each with its button: the Targets one opens Settings at the targets
    def pick_targets(dialog):
        seen["listed"] = len(dialog.buttons)
        next(b for b in dialog.buttons if b.text() == "Set targets\u2026").click()
        return dialog.result()
    monkeypatch.setattr(BlankReasonsDialog, "exec", pick_targets)
    monkeypatch.setattr(SettingsDialog, "exec", lambda dialog: seen.update(tab=dialog.tabs.currentIndex()) or 0)
    panel.all_reasons_button.click()
    assert seen["listed"] == len(panel.blank_reasons) and seen["tab"] == 2

    # an input ending before the period: Add files… for a later one
    offered = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: (offered.append(1) and [], "")))
    audits = next(r for r in panel.blank_reasons if r.key == "audits")
    window.fix_blank_reason(audits)
    assert offered == [1]


def _focus(qtbot, widget) -> None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: _owner(QApplication.focusWidget()) is widget, timeout=2000)


def _tab_to(qtbot, target, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus (as a keyboard user would), failing if it never does."""
    for _ in range(limit):
        focused = QApplication.focusWidget()
        assert focused is not None, "nothing has the keyboard focus"
        if _owner(focused) is target:
            return
        QTest.keyClick(focused, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.accessibleName()}")


def test_from_a_messy_folder_to_a_sent_back_list_and_a_built_report_with_the_keyboard_alone(
        qtbot, make_window, messy, monkeypatch, save_dialog, message_boxes, tmp_path):
    """The issue's 'done when': drop to sent-back list and built report, no mouse anywhere."""
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(messy)))
    _focus(qtbot, window.la_name_edit)
    _tab_to(qtbot, window.add_folder_button)
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        QTest.keyClick(window.add_folder_button, Qt.Key.Key_Space)  # Add folder…
    wait_idle(qtbot, window)

    # Ctrl+F, find the unreadable Yes/No answer, Tab to the list, select it with the arrow keys
    QTest.keyClick(window.inputs_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(window.search_edit, "Perhaps")
    _tab_to(qtbot, window.findings_view)  # the keyboard lands on the first (here the only) finding
    [chosen] = window.findings_panel.selected_findings()
    assert chosen.value == "Perhaps"

    def accept_by_keyboard(dialog):
        dialog.show()
        qtbot.waitExposed(dialog)
        QTest.keyClicks(dialog.reason_edit, "visit recorded in the case notes")
        QTest.keyClick(dialog.reason_edit, Qt.Key.Key_Return)  # Enter: the dialog's default button
        return dialog.result()
    monkeypatch.setattr(AcceptDialog, "exec", accept_by_keyboard)
    _tab_to(qtbot, window.findings_panel.accept_button)
    QTest.keyClick(window.findings_panel.accept_button, Qt.Key.Key_Space)
    assert window.findings_model.status_text(chosen) == "Accepted: visit recorded in the case notes"
    window.activateWindow()  # the dialog has closed: the window is active again (the test screen is slow to say so)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)

    # Group by auditor (arrow keys in the combo), then send every open finding back
    _focus(qtbot, window.search_edit)
    QTest.keyClick(window.search_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window.search_edit, Qt.Key.Key_Delete)
    _tab_to(qtbot, window.findings_panel.group_by_combo)
    QTest.keyClick(window.findings_panel.group_by_combo, Qt.Key.Key_Down)
    QTest.keyClick(window.findings_panel.group_by_combo, Qt.Key.Key_Down)
    assert window.findings_panel.group_by == GROUP_BY_AUDITOR
    out = tmp_path / "to send"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(out)))
    _tab_to(qtbot, window.findings_panel.send_back_button)
    with qtbot.waitSignal(window.sent_back, timeout=WAIT_MS) as sent:
        QTest.keyClick(window.findings_panel.send_back_button, Qt.Key.Key_Space)
    wait_idle(qtbot, window)
    assert {s.auditor: s.count for s in sent.args[0]} == {"Ann Lee": 1, "Jane Smith": 1}  # the accepted one stays

    # Build
    save_dialog["path"] = str(tmp_path / "report.xlsx")
    _tab_to(qtbot, window.build_button)
    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        QTest.keyClick(window.build_button, Qt.Key.Key_Space)
    wait_idle(qtbot, window)
    assert (tmp_path / "report.xlsx").exists()
    assert [t for _kind, t, _text in message_boxes] == ["Lists saved for the auditors"]
