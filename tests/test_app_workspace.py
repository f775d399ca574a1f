"""The window with the real pipeline and a real workspace: two months in one workspace with commentary carried
over, Remove import, a value correction and a duplicate choice through the UI (with Undo), edited key messages
and left-out feedback read back from the built workbook, the audit-key search, the settings dialog, and opening
another workspace.

Every modal is replaced: dialogs' exec() fills the real dialog's widgets and accepts it; QMessageBox and
QFileDialog are recorded (tests.app_fixtures).
"""
from __future__ import annotations

import hashlib
import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.audit_search import AuditSearchDialog
from pqa_desktop.app.corrections import DuplicateDialog, TreatAsDialog, current_user
from pqa_desktop.app.feedback_panel import USE_COLUMN
from pqa_desktop.app.findings_model import FINDING_ROLE
from pqa_desktop.app.main_window import MainWindow
from pqa_desktop.app.report_tabs import COMMENTARY_TAB
from pqa_desktop.app.settings_dialog import SettingsDialog
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.privacy import audit_key
from pqa_desktop.core.workspace import Workspace
from tests.app_fixtures import check, wait_idle
from tests.app_fixtures import TODAY, isolated_qsettings, message_boxes, save_dialog  # noqa: F401 (fixtures)
from tests.test_app_panels import _unnamed
from tests.workspace_fixtures import GOOD_OR_BETTER_YTD, august, headline, september, write_audit

WAIT_MS = 30000
AUGUST = QDate(2024, 8, 1)


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings):
    yield


@pytest.fixture
def yes_to_questions(monkeypatch):
    asked = []

    def answer(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    return asked


@pytest.fixture
def make_window(qtbot):
    def make() -> MainWindow:
        window = MainWindow(settings=AppSettings(), today=TODAY)
        qtbot.addWidget(window)
        window.show()
        window.la_name_edit.setText("Anytown Council")
        return window
    return make



def figures_on_screen(window):
    figures, _ = pipeline.compute(window.session.analysis, window.report_content.build_options(window.period))
    return figures


def findings_with(window, rule):
    return [f for f in window.session.analysis.findings if f.rule == rule]


def select_finding(window, rule):
    proxy = window.findings_view.model()
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data(FINDING_ROLE).rule == rule:
            window.findings_view.selectRow(row)
            return proxy.index(row, 0).data(FINDING_ROLE)
    raise AssertionError(f"no {rule} finding on screen")


def fill_and_accept(**fields):
    """A replacement for a dialog's exec(): set its widgets, press OK, report the result."""
    def exec_(dialog):
        for name, value in fields.items():
            widget = getattr(dialog, name)
            if hasattr(widget, "setCurrentText"):
                widget.setCurrentText(value)
            else:
                widget.setText(value)
        dialog.ok_button.click() if hasattr(dialog, "ok_button") else dialog.accept()
        return dialog.result()
    return exec_


def workbook_text(path: Path) -> str:
    workbook = load_workbook(path, read_only=True)
    parts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if isinstance(v, str))
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------------------
# two months, one workspace
# ---------------------------------------------------------------------------------------------------------
def test_two_months_in_one_workspace_commentary_carried_over_and_an_import_removed(
        qtbot, make_window, tmp_path, save_dialog, message_boxes, yes_to_questions):
    window = make_window()
    window.period_edit.setDate(AUGUST)
    check(qtbot, window, lambda: window.add_paths([august(tmp_path / "aug")]))
    rows = window.workspace_panel.model
    assert sorted(rows.index(r, 0).data() for r in range(rows.rowCount())) == ["CFA 1.xlsx", "CFA 2.xlsx",
                                                                              "CFA 3.xlsx"]
    assert {rows.index(r, 1).data() for r in range(3)} == {"Case file audit"}
    assert {rows.index(r, 3).data() for r in range(3)} == {"1"}
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", rows.index(0, 2).data())  # imported at
    assert window.workspace_panel.count_label.text() == "3 imports, 3 records"

    window.report_tabs.setCurrentIndex(COMMENTARY_TAB)
    window.commentary_panel.set_text("Summary", "August was steady.")
    window.commentary_panel.select_section("Workforce")  # leaving the section saves it
    assert window.workspace.commentary_for(date(2024, 8, 1)) == {"Summary": "August was steady."}

    # next month: the August commentary is offered again, September's returns join the August ones
    check(qtbot, window, lambda: window.period_edit.setDate(QDate(2024, 9, 1)))
    assert window.commentary_panel.text("Summary") == "August was steady."
    assert window.commentary_panel.section_label.text() == "Workforce, September 2024:"
    check(qtbot, window, lambda: window.add_paths([september(tmp_path / "sep")]))
    assert rows.rowCount() == 5 and window.inputs_model.rowCount() == 5
    window.commentary_panel.set_text("Summary", "September improved.")
    window.commentary_panel.flush()
    assert window.workspace.commentary_for(date(2024, 9, 1)) == {"Summary": "September improved."}
    assert window.workspace.commentary_for(date(2024, 8, 1)) == {"Summary": "August was steady."}

    # Remove import: CFA 5 (Requires improvement) leaves the workspace and is not imported again
    cfa5 = next(r for r in range(rows.rowCount()) if rows.index(r, 0).data() == "CFA 5.xlsx")
    window.workspace_panel.view.selectRow(cfa5)
    check(qtbot, window, window.workspace_panel.remove_button.click)
    assert "CFA 5.xlsx" in yes_to_questions[0]
    assert sorted(i.name for i in window.workspace.imports()) == ["CFA 1.xlsx", "CFA 2.xlsx", "CFA 3.xlsx",
                                                                 "CFA 4.xlsx"]
    assert window.inputs_model.rowCount() == 4
    # Good, Inadequate, Good of the three graded (Goodish is not a grade): 2 of 3
    assert headline(figures_on_screen(window), GOOD_OR_BETTER_YTD) == pytest.approx(2 / 3)

    out = tmp_path / "out" / "september.xlsx"
    out.parent.mkdir()
    save_dialog["path"] = str(out)
    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        window.build_button.click()
    wait_idle(qtbot, window)
    assert message_boxes == []
    assert "September improved." in workbook_text(out)

    # a second window (next session) opens the same workspace with everything in it
    window.close()
    again = make_window()
    assert again.workspace.path == Workspace.default_path()
    assert again.workspace_panel.model.rowCount() == 4
    wait_idle(qtbot, again)


def test_a_check_reads_the_workspace_list_and_masks_names_off_the_ui_thread(qtbot, make_window, tmp_path,
                                                                               monkeypatch):
    """Issue 18: at a council's scale the workspace's list (a thousand imports, names masked) and the
    masker of the streamed rows (a hundred thousand identifiers) each held the window 20-70 ms after a
    check; the check's worker does both now, and the lists show the same rows."""
    import threading

    from pqa_desktop.app import streaming

    on_ui: list[str] = []
    real_imports, real_masker = Workspace.imports, streaming.IdentifierMasker.__init__

    def imports(self):
        if threading.current_thread() is threading.main_thread():
            on_ui.append("imports")
        return real_imports(self)

    def masker(self, identifiers):
        if threading.current_thread() is threading.main_thread():
            on_ui.append("masker")
        real_masker(self, identifiers)

    window = make_window()
    window.period_edit.setDate(AUGUST)
    wait_idle(qtbot, window)
    monkeypatch.setattr(Workspace, "imports", imports)
    monkeypatch.setattr(streaming.IdentifierMasker, "__init__", masker)
    check(qtbot, window, lambda: window.add_paths([august(tmp_path / "aug")]))
    check(qtbot, window, lambda: window.add_paths([september(tmp_path / "sep")]))  # a second check: known names
    assert on_ui == []
    rows = window.workspace_panel.model
    shown = [rows.import_at(r) for r in range(rows.rowCount())]
    assert [(r.id, r.name, r.records) for r in shown] == [(r.id, window.session.mask(r.name), r.records)
                                                           for r in real_imports(window.workspace)]
    assert [r.name for r in shown] == ["CFA 1.xlsx", "CFA 2.xlsx", "CFA 3.xlsx", "CFA 4.xlsx", "CFA 5.xlsx"]
    assert window.session.imports == real_imports(window.workspace)


def test_a_check_starts_the_reading_process_for_the_next_one_off_the_ui_thread(qtbot, make_window, tmp_path,
                                                                               monkeypatch):
    """Issue 18: on Windows a reading process takes half a second to start, and the check after one new
    return waited for it; each check now starts it, in its worker, for the next."""
    import threading

    from pqa_desktop.app import pipeline_work

    started: list[bool] = []
    monkeypatch.setattr(pipeline_work, "prestart_reading_process",
                        lambda: started.append(threading.current_thread() is threading.main_thread()))
    window = make_window()
    window.period_edit.setDate(AUGUST)
    wait_idle(qtbot, window)
    check(qtbot, window, lambda: window.add_paths([august(tmp_path / "aug")]))
    assert started == [False]  # once, and not on the window's thread
    check(qtbot, window, lambda: window.add_paths([september(tmp_path / "sep")]))
    assert started == [False, False]


def test_a_check_after_a_new_return_grows_the_last_checks_maskers_and_the_build_its_identifiers(
        qtbot, make_window, tmp_path, monkeypatch, save_dialog, message_boxes):
    """Issue 18: after one more return, the check grows the last check's masker (the streamed rows' too) and
    redactor rather than making them from every identifier again, and its build grows the last build's
    identifiers for the leak inspector; the lists and the workbook are those of a check made afresh."""
    from pqa_desktop.core.privacy import IdentifierMasker, NameRedactor

    window = make_window()
    window.period_edit.setDate(QDate(2024, 9, 1))
    check(qtbot, window, lambda: window.add_paths([august(tmp_path / "aug")]))
    save_dialog["path"] = str(tmp_path / "august.xlsx")
    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        window.build_button.click()
    wait_idle(qtbot, window)
    made = []
    real_masker, real_redactor, real_sorted = IdentifierMasker.__init__, NameRedactor.__init__, pipeline.sensitive_set
    monkeypatch.setattr(IdentifierMasker, "__init__", lambda self, ids: made.append("masker") or real_masker(self, ids))
    monkeypatch.setattr(NameRedactor, "__init__", lambda self, names: made.append("redactor") or real_redactor(self, names))
    monkeypatch.setattr(pipeline, "sensitive_set", lambda analysis: made.append("identifiers") or real_sorted(analysis))
    check(qtbot, window, lambda: window.add_paths([september(tmp_path / "sep")]))
    out = tmp_path / "september.xlsx"
    save_dialog["path"] = str(out)
    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        window.build_button.click()
    wait_idle(qtbot, window)
    assert made == [] and message_boxes == []
    grown = window.session.analysis
    fresh = pipeline.analyse([tmp_path / "aug", tmp_path / "sep"], grown.period, workspace=window.workspace)
    assert grown.summaries() == fresh.summaries() and grown.findings == fresh.findings
    assert grown.found_identifiers() == real_sorted(fresh)
    assert [window.inputs_model.index(r, 0).data() for r in range(window.inputs_model.rowCount())] == \
        [s.name for s in fresh.summaries()]
    assert "Helpful visits every week." in workbook_text(out)


def test_removing_an_input_from_the_list_takes_it_out_of_the_workspace(qtbot, make_window, tmp_path):
    window = make_window()
    window.period_edit.setDate(AUGUST)
    check(qtbot, window, lambda: window.add_paths([august(tmp_path / "aug")]))
    row = next(r for r in range(3) if window.inputs_model.index(r, 0).data() == "CFA 2.xlsx")
    window.inputs_view.selectRow(row)
    check(qtbot, window, window.remove_button.click)
    assert sorted(i.name for i in window.workspace.imports()) == ["CFA 1.xlsx", "CFA 3.xlsx"]
    assert sorted(window.inputs_model.index(r, 0).data() for r in range(window.inputs_model.rowCount())) == \
        ["CFA 1.xlsx", "CFA 3.xlsx"]
    # Good and "Goodish" (not counted): the Inadequate audit has gone, 1 of 1
    assert headline(figures_on_screen(window), GOOD_OR_BETTER_YTD) == 1


# ---------------------------------------------------------------------------------------------------------
# corrections
# ---------------------------------------------------------------------------------------------------------
def test_a_value_correction_through_the_ui_changes_the_figures_is_listed_and_can_be_undone(
        qtbot, make_window, tmp_path, monkeypatch, message_boxes):
    window = make_window()
    window.period_edit.setDate(AUGUST)
    check(qtbot, window, lambda: window.add_paths([august(tmp_path / "aug")]))
    before = hashlib.sha256((tmp_path / "aug" / "CFA 3.xlsx").read_bytes()).hexdigest()
    # Good, Inadequate and "Goodish" (not a grade, so not counted): 1 of 2
    assert headline(figures_on_screen(window), GOOD_OR_BETTER_YTD) == pytest.approx(1 / 2)
    assert not window.corrections_panel.correct_button.isEnabled()  # nothing selected yet
    finding = select_finding(window, "grade.unrecognised")
    assert finding.file == "CFA 3.xlsx"
    assert window.corrections_panel.correct_button.isEnabled()

    offered = []

    def treat_as_good(dialog):
        offered.extend(dialog.choice_combo.itemText(i) for i in range(dialog.choice_combo.count()))
        assert not dialog.ok_button.isEnabled()  # a reason is required
        return fill_and_accept(choice_combo="Good", reason_edit="Auditor confirmed Good by email")(dialog)
    monkeypatch.setattr(TreatAsDialog, "exec", treat_as_good)
    check(qtbot, window, window.corrections_panel.correct_button.click)
    assert offered == ["Outstanding", "Good", "Requires improvement", "Inadequate", "Not applicable"]

    # Good, Inadequate, Good: 2 of 3; the finding about "Goodish" is gone; the file is untouched
    assert headline(figures_on_screen(window), GOOD_OR_BETTER_YTD) == pytest.approx(2 / 3)
    assert findings_with(window, "grade.unrecognised") == []
    listed = window.corrections_panel.model
    assert listed.rowCount() == 1
    row = [listed.index(0, c).data() for c in range(6)]
    assert row[:5] == ["Treated as", f"CFA 3.xlsx, sheet {finding.sheet}, cell {finding.cell}", "Good",
                       "Auditor confirmed Good by email", current_user()]
    assert row[5].startswith(f"{datetime.now():%d/%m/%Y}")  # when, in local time
    assert hashlib.sha256((tmp_path / "aug" / "CFA 3.xlsx").read_bytes()).hexdigest() == before  # file untouched

    window.corrections_panel.view.selectRow(0)
    check(qtbot, window, window.corrections_panel.undo_button.click)
    assert listed.rowCount() == 0
    assert headline(figures_on_screen(window), GOOD_OR_BETTER_YTD) == pytest.approx(1 / 2)
    assert len(findings_with(window, "grade.unrecognised")) == 1
    assert message_boxes == []


def test_choosing_which_duplicate_to_keep_through_the_ui(qtbot, make_window, tmp_path, monkeypatch):
    folder = tmp_path / "dup"
    write_audit(folder / "first.xlsx", "CR-2001", date(2024, 8, 6), "Good", modified=datetime(2024, 8, 9, 10, 0))
    write_audit(folder / "resent.xlsx", "CR-2001", date(2024, 8, 6), "Inadequate",
                modified=datetime(2024, 8, 7, 10, 0))
    window = make_window()
    window.period_edit.setDate(AUGUST)
    check(qtbot, window, lambda: window.add_paths([folder]))
    assert headline(figures_on_screen(window), GOOD_OR_BETTER_YTD) == 1  # the later-modified copy (Good) is kept
    select_finding(window, "audit.duplicate")

    shown = []

    def keep_the_resent_copy(dialog):
        shown.extend(b.text() for b in dialog.copy_buttons.buttons())
        target = next(b for b in dialog.copy_buttons.buttons() if b.text().startswith("resent.xlsx"))
        target.setChecked(True)
        return fill_and_accept(reason_edit="The resent copy is the moderated one")(dialog)
    monkeypatch.setattr(DuplicateDialog, "exec", keep_the_resent_copy)
    check(qtbot, window, window.corrections_panel.correct_button.click)

    assert sorted(shown) == ["first.xlsx, saved 09/08/2024 10:00 (kept now)", "resent.xlsx, saved 07/08/2024 10:00"]
    assert window.workspace.keep_choices() == {("case_file_audit", "CR-2001", date(2024, 8, 6)): "resent.xlsx"}
    assert headline(figures_on_screen(window), GOOD_OR_BETTER_YTD) == 0
    [duplicate] = findings_with(window, "audit.duplicate")
    assert duplicate.file == "first.xlsx" and "as you chose" in duplicate.message
    listed = window.corrections_panel.model
    assert [listed.index(0, c).data() for c in range(3)] == ["Copy kept", "Case file audit dated 06/08/2024",
                                                             "resent.xlsx"]
    assert "CR-2001" not in " ".join(listed.index(0, c).data() for c in range(6))  # never the reference


# ---------------------------------------------------------------------------------------------------------
# key messages and feedback reach the workbook
# ---------------------------------------------------------------------------------------------------------
def test_an_edited_key_message_and_a_left_out_feedback_item_in_the_built_workbook(
        qtbot, make_window, tmp_path, monkeypatch, save_dialog, message_boxes):
    september(tmp_path / "sep")  # feedback in CFA 4: "Helpful visits every week."
    write_audit(tmp_path / "sep" / "CFA 6.xlsx", "CR-1006", date(2024, 9, 20), "Good",
                feedback="The plan was never explained to us.")
    builds = []
    real_build = pipeline.build
    monkeypatch.setattr(pipeline, "build", lambda *a, **k: builds.append(a[2]) or real_build(*a, **k))
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([tmp_path / "sep"]))

    drafted = window.messages_panel.drafted("Summary")
    assert drafted  # the pipeline drafted something for the summary
    window.messages_panel.set_text("Summary", "Practice is improving.\nTwo audits need follow-up.")
    assert window.messages_panel.sections_list.item(0).text() == "Summary (edited)"

    model = window.feedback_panel.model
    texts = [model.index(r, 6).data() for r in range(model.rowCount())]
    assert texts == ["Helpful visits every week.", "The plan was never explained to us."]
    model.setData(model.index(1, USE_COLUMN), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)

    out = tmp_path / "september.xlsx"
    save_dialog["path"] = str(out)
    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        window.build_button.click()
    wait_idle(qtbot, window)
    assert message_boxes == []
    [options] = builds
    assert options.messages == {"Summary": "Practice is improving.\nTwo audits need follow-up."}
    secret = window.workspace.secret()
    assert options.excluded_feedback == {audit_key(secret, "case_file_audit", "CR-1006", date(2024, 9, 20))}
    text = workbook_text(out)
    assert "Practice is improving." in text and "Two audits need follow-up." in text
    assert drafted.splitlines()[0] not in text  # the draft was replaced, not added to
    assert "Helpful visits every week." in text
    assert "The plan was never explained to us." not in text

    window.messages_panel.reset_button.click()  # back to the draft
    assert window.messages_panel.edited_messages() == {}


# ---------------------------------------------------------------------------------------------------------
# audit key search, settings, other workspaces
# ---------------------------------------------------------------------------------------------------------
def test_find_an_audit_by_its_key(qtbot, make_window, tmp_path, monkeypatch):
    window = make_window()
    window.period_edit.setDate(AUGUST)
    check(qtbot, window, lambda: window.add_paths([august(tmp_path / "aug")]))
    key = audit_key(window.workspace.secret(), "case_file_audit", "CR-1002", date(2024, 8, 12))
    seen = []

    def search(dialog):
        dialog.key_edit.setText(key.upper())
        dialog.find_button.click()
        seen.append([dialog.results.item(0, c).text() for c in range(dialog.results.columnCount())])
        return QDialog.DialogCode.Rejected
    monkeypatch.setattr(AuditSearchDialog, "exec", search)
    window.menu_actions.find_audit_action.trigger()
    assert seen == [["Case file audit", "CR-1002", "12/08/2024", "CFA 2.xlsx"]]


def test_settings_dialog_from_the_window_persists_and_a_new_secret_changes_the_keys(
        qtbot, make_window, monkeypatch, yes_to_questions):
    window = make_window()
    old_secret = window.workspace.secret()

    def edit(dialog):
        dialog.population_spin.setValue(51000)
        dialog.no_feedback_check.setChecked(True)
        dialog.new_secret_button.click()  # after the warning (answered Yes)
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        return dialog.result()
    monkeypatch.setattr(SettingsDialog, "exec", edit)
    assert window.report_content.open_settings_dialog()
    assert window.workspace.secret() != old_secret
    assert window.feedback_panel.leave_out_all_check.isChecked()  # the switch follows the setting
    options = window.report_content.build_options(window.period)
    assert options.settings.population_0_17 == 51000 and not options.settings.feedback_text
    assert options.audit_key_secret == window.workspace.secret()
    window.close()
    saved = AppSettings().report_settings()
    assert saved.population_0_17 == 51000 and saved.feedback_text is False and saved.la_name == "Anytown Council"
    assert saved.audit_key_secret is None


def test_new_and_open_workspace_switch_files_and_are_remembered(qtbot, make_window, tmp_path, monkeypatch,
                                                                message_boxes):
    window = make_window()
    window.period_edit.setDate(AUGUST)
    check(qtbot, window, lambda: window.add_paths([august(tmp_path / "aug")]))
    assert window.workspace_panel.model.rowCount() == 3

    shared = tmp_path / "shared drive" / "team workspace"  # typed without .sqlite
    (tmp_path / "shared drive").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(shared), "")))
    # the added files go into the new workspace too
    check(qtbot, window, window.menu_actions.new_workspace_action.trigger)
    assert window.workspace.path == shared.with_name("team workspace.sqlite")
    assert window.workspace.path.is_file()
    assert "a workspace you chose" in window.workspace_panel.location_label.text()
    assert AppSettings().workspace_path() == window.workspace.path

    # back to the default one: it still holds what it held
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(Workspace.default_path()), "")))
    check(qtbot, window, window.menu_actions.open_workspace_action.trigger)
    assert window.workspace.path == Workspace.default_path() and AppSettings().workspace_path() is None

    # a file that is not a workspace: a plain message, the current workspace stays open
    not_a_workspace = tmp_path / "notes.sqlite"
    not_a_workspace.write_bytes(b"not a database at all" * 100)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(not_a_workspace), "")))
    assert not window.workspace_actions.open_file()
    [(kind, title, text)] = message_boxes
    assert kind == "warning" and "not a PQA Desktop workspace" in text
    assert window.workspace.path == Workspace.default_path()


def test_every_control_of_the_window_is_named(make_window):
    window = make_window()
    assert _unnamed(window) == []


def test_the_windows_check_again_after_a_new_file_does_not_open_the_files_imported_before(
        make_window, qtbot, tmp_path, monkeypatch):
    """The app's check again in its workspace (issue 18): the returns imported before, unchanged, are known by
    their stat signatures and not opened; the new one is read and counts."""
    import time

    from pqa_desktop.core.inputs import signatures

    # the check runs a day after the files were saved (a file saved moments ago is hashed again: racy)
    monkeypatch.setattr(signatures, "clock_ns", lambda: time.time_ns() + 86_400 * 10**9)
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open",
                        lambda path, *a, **k: opened.append(os.path.abspath(path)) or real_open(path, *a, **k))
    folder = august(tmp_path / "aug")
    window = make_window()
    window.period_edit.setDate(AUGUST)
    check(qtbot, window, lambda: window.add_paths([folder]), WAIT_MS)
    assert len(window.session.analysis.records.audits) == 3
    opened.clear()
    new = write_audit(tmp_path / "new" / "CFA 9.xlsx", "CR-1009", date(2024, 8, 26), "Good")
    check(qtbot, window, lambda: window.add_paths([new]), WAIT_MS)
    assert [p for p in opened if p.startswith(str(tmp_path))] == [str(new)]
    assert len(window.session.analysis.records.audits) == 4
