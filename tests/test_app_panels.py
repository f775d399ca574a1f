"""The app's panels on their own: settings dialog and its persistence, key messages, commentary, feedback ticks,
"Treat as…" choices, the audit-key search, accessible names, and the window at 200% scaling.

No modal is ever left open: dialogs are driven through their widgets and closed by code, and QMessageBox is
recorded (tests.app_fixtures.message_boxes).
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QDialog,
                               QHeaderView, QLineEdit, QMessageBox, QPlainTextEdit, QTableWidget, QWidget)

from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.audit_search import AuditSearchDialog, clean_key
from pqa_desktop.app.corrections import can_correct, treat_as_choices
from pqa_desktop.app.feedback_panel import FeedbackPanel, USE_COLUMN
from pqa_desktop.app.messages_panel import CommentaryPanel, MessagesPanel
from pqa_desktop.app.settings_dialog import (HIGHER, LOWER, POLARITY_COLUMN, TARGET_COLUMN, SettingsDialog)
from pqa_desktop.core.findings import Finding, Severity
from pqa_desktop.core.measures.kpi_catalogue import measure_specs
from pqa_desktop.core.settings import MeasureTarget, Settings
from tests.app_fixtures import isolated_qsettings, message_boxes  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings):
    yield


def _row_of(measure_id: str) -> int:
    return [s.id for s in measure_specs()].index(measure_id)


FULL = Settings(
    la_name="Borsetshire County Council", population_0_17=51000, service_areas=("IRT", "CST", "Leaving Care"),
    caseload_thresholds={"IRT": 18.0, "CST": 22.0}, targets={
        "assessments_45wd_pct": MeasureTarget(target=85.0, higher_is_better=None),
        "assessment_median_wd": MeasureTarget(target=30.0, higher_is_better=False)},
    benchmarks_file="/shared/benchmarks.csv", vacancies_fte=3.5, workforce_snapshot=date(2024, 9, 30),
    include_case_refs=True, include_staff_names=False, feedback_text=False)


# ---------------------------------------------------------------------------------------------------------
# settings dialog
# ---------------------------------------------------------------------------------------------------------
def test_settings_dialog_shows_every_setting_and_gives_them_back_unchanged(qtbot):
    dialog = SettingsDialog(FULL)
    qtbot.addWidget(dialog)
    assert dialog.la_name_edit.text() == "Borsetshire County Council"
    assert dialog.population_spin.value() == 51000
    assert dialog.vacancies_edit.text() == "3.5"
    assert dialog.snapshot_check.isChecked() and dialog.snapshot_edit.date() == QDate(2024, 9, 30)
    assert dialog.benchmarks_edit.text() == "/shared/benchmarks.csv"
    assert dialog.areas_table.rowCount() == 3
    assert [dialog.areas_table.item(r, 1).text() for r in range(3)] == ["18", "22", ""]
    row = _row_of("assessments_45wd_pct")
    assert dialog.targets_table.rowCount() == len(measure_specs())  # every measure of measures.toml
    assert dialog.targets_table.item(row, TARGET_COLUMN).text() == "85"
    assert dialog.case_refs_check.isChecked() and not dialog.staff_names_check.isChecked()
    assert dialog.no_feedback_check.isChecked()  # feedback_text False: "Leave out all feedback text" ticked
    assert dialog.settings() == FULL


def test_settings_dialog_edits_reach_the_settings(qtbot):
    dialog = SettingsDialog(Settings(la_name="Anytown Council"))
    qtbot.addWidget(dialog)
    dialog.la_name_edit.clear()
    qtbot.keyClicks(dialog.la_name_edit, "Ambridge Council")
    dialog.population_spin.setValue(42000)
    qtbot.keyClicks(dialog.vacancies_edit, "2")
    dialog.snapshot_check.setChecked(True)
    dialog.snapshot_edit.setDate(QDate(2024, 8, 31))
    # service areas: keep only the first two, add one with a threshold
    while dialog.areas_table.rowCount() > 2:
        dialog.areas_table.removeRow(2)
    dialog.add_area_button.click()
    dialog.areas_table.item(2, 0).setText("Fostering")
    dialog.areas_table.item(2, 1).setText("12")
    dialog.areas_table.item(0, 1).setText("20")
    row = _row_of("assessments_45wd_pct")
    dialog.targets_table.item(row, TARGET_COLUMN).setText("90%")
    dialog.targets_table.cellWidget(_row_of("assessment_median_wd"), POLARITY_COLUMN).setCurrentText(HIGHER)
    dialog.staff_names_check.setChecked(True)
    s = dialog.settings()
    assert s.la_name == "Ambridge Council"
    assert (s.population_0_17, s.vacancies_fte, s.workforce_snapshot) == (42000, 2.0, date(2024, 8, 31))
    assert s.service_areas == ("IRT", "CST", "Fostering")
    assert s.caseload_thresholds == {"IRT": 20.0, "Fostering": 12.0}
    assert s.targets == {"assessments_45wd_pct": MeasureTarget(90.0, None),
                         "assessment_median_wd": MeasureTarget(None, True)}
    assert s.include_staff_names and not s.include_case_refs and s.feedback_text


@pytest.mark.parametrize("where, text, says", [
    ("target", "lots", "the target for"),
    ("threshold", "twenty", "caseload threshold"),
    ("vacancies", "a few", "Vacancies (FTE) must be a number"),
])
def test_settings_dialog_refuses_a_bad_number_and_stays_open(qtbot, message_boxes, where, text, says):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    if where == "target":
        dialog.targets_table.item(0, TARGET_COLUMN).setText(text)
    elif where == "threshold":
        dialog.areas_table.item(0, 1).setText(text)
    else:
        dialog.vacancies_edit.setText(text)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    [(kind, title, message)] = message_boxes
    assert kind == "warning" and says in message


def test_settings_persist_per_user_and_the_secret_is_never_stored(qtbot, isolated_qsettings):
    first = AppSettings()
    first.set_report_settings(Settings(**{**FULL.__dict__, "audit_key_secret": "s3cret-never-stored-" * 3}))
    first.sync()
    text = "".join(p.read_text(encoding="utf-8") for p in isolated_qsettings.rglob("*.ini"))
    assert "Borsetshire" in text and "s3cret" not in text
    again = AppSettings().report_settings()
    assert again == FULL  # everything back, the secret left out


def test_saved_settings_that_cannot_be_read_fall_back_to_the_defaults(qtbot):
    store = AppSettings()
    store.store.setValue("report/settings", '{"population_0_17": "many"}')
    assert store.report_settings().population_0_17 is None


@pytest.mark.parametrize("answer, emitted", [(QMessageBox.StandardButton.Yes, 1), (QMessageBox.StandardButton.No, 0)])
def test_new_secret_only_after_the_warning_is_accepted(qtbot, monkeypatch, answer, emitted):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda parent, title, text, *a: asked.append(text)
                                                                or answer))
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    seen = []
    dialog.new_secret_confirmed.connect(lambda: seen.append(1))
    dialog.new_secret_button.click()
    assert len(seen) == emitted
    assert "Audit keys in workbooks already sent will no longer match" in asked[0]


# ---------------------------------------------------------------------------------------------------------
# key messages and commentary
# ---------------------------------------------------------------------------------------------------------
def test_key_messages_edit_reset_and_redraft(qtbot):
    panel = MessagesPanel()
    qtbot.addWidget(panel)
    panel.set_drafted({"Summary": ["12 audits were completed.", "8 were Good."], "Workforce": ["No data."]})
    assert panel.editor.toPlainText() == "12 audits were completed.\n8 were Good."
    assert panel.edited_messages() == {}
    assert not panel.reset_button.isEnabled()

    panel.editor.selectAll()
    qtbot.keyClicks(panel.editor, "Twelve audits, most of them Good.")
    assert panel.edited_messages() == {"Summary": "Twelve audits, most of them Good."}
    assert panel.sections_list.item(0).text() == "Summary (edited)"
    assert panel.reset_button.isEnabled()

    # a fresh check drafts again: the edited section keeps the user's words, the others follow the draft
    panel.set_drafted({"Summary": ["13 audits were completed."], "Workforce": ["3 vacancies."]})
    assert panel.text("Summary") == "Twelve audits, most of them Good."
    assert panel.text("Workforce") == "3 vacancies."

    panel.reset_button.click()
    assert panel.edited_messages() == {}
    assert panel.editor.toPlainText() == "13 audits were completed."
    assert panel.sections_list.item(0).text() == "Summary"


def test_panels_say_where_each_sections_text_appears_in_the_workbook(qtbot):
    """The workbook's layout (report-workbook.md, 2nd version): the Summary's one page, else the top of the
    section's own sheet; the Summary warns when its text no longer fits the one page."""
    messages, commentary = MessagesPanel(), CommentaryPanel()
    for panel in (messages, commentary):
        qtbot.addWidget(panel)
        panel.show()
        panel.select_section("Summary")
        assert panel.place_label.text().startswith("On the one-page Summary, ")
        assert panel.editor.accessibleDescription() == panel.place_label.text()
        panel.select_section("Child protection")
        assert panel.place_label.text() == "At the top of the \u2018Child protection\u2019 sheet, above its scorecard and charts."
        panel.select_section("Compliance")
        assert panel.place_label.text() == "At the top of the \u2018Compliance\u2019 sheet, above its tables."
    messages.select_section("Summary")
    assert messages.place_label.text() == ("On the one-page Summary, above the headline measures: at most 6. The "
                                           "drafts are the messages that matter most across the report.")
    commentary.select_section("Summary")
    assert commentary.place_label.text().startswith("On the one-page Summary, below the headline measures: "
                                                    "about 15 lines fit")
    messages.set_drafted({"Summary": [f"Message {n}." for n in range(1, 7)]})
    messages.select_section("Summary")
    assert not messages.fit_label.isVisible()
    messages.editor.moveCursor(messages.editor.textCursor().MoveOperation.End)
    qtbot.keyClick(messages.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(messages.editor, "A seventh message.")
    assert messages.fit_label.isVisible() and messages.fit_label.text().startswith("7 key messages: the Summary is")
    commentary.load({"Summary": "\n".join(f"Paragraph {n}." for n in range(15))})
    commentary.select_section("Summary")
    assert not commentary.fit_label.isVisible()
    commentary.editor.moveCursor(commentary.editor.textCursor().MoveOperation.End)
    qtbot.keyClick(commentary.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(commentary.editor, "One paragraph too many.")
    assert commentary.fit_label.isVisible() and "takes 16 lines; about 15 fit" in commentary.fit_label.text()
    commentary.select_section("Workforce")  # another section has no page to fit
    assert not commentary.fit_label.isVisible()


def test_commentary_is_saved_when_typing_pauses_and_when_the_section_changes(qtbot):
    panel = CommentaryPanel()
    qtbot.addWidget(panel)
    saved = []
    panel.save = lambda section, text: saved.append((section, text))
    panel.load({"Summary": "Last month's words."})
    assert panel.editor.toPlainText() == "Last month's words."
    assert panel.sections_list.item(0).text().endswith("\u2713")
    panel.editor.moveCursor(panel.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.editor, " More.")
    qtbot.waitUntil(lambda: saved == [("Summary", "Last month's words. More.")], timeout=3000)
    panel.select_section("Workforce")
    qtbot.keyClicks(panel.editor, "Two new starters.")
    panel.select_section("Fostering")  # leaving the section saves at once
    assert saved[-1] == ("Workforce", "Two new starters.")
    assert panel.texts() == {"Summary": "Last month's words. More.", "Workforce": "Two new starters."}


# ---------------------------------------------------------------------------------------------------------
# feedback
# ---------------------------------------------------------------------------------------------------------
@dataclass
class Item:
    audit_key: str
    date: date
    audit_type: str
    service_area: str
    source: str
    sentiment: str
    text: str


def test_feedback_items_can_be_left_out_one_by_one_and_all_text_switched_off(qtbot):
    panel = FeedbackPanel()
    qtbot.addWidget(panel)
    items = [Item("aaaaaaaaaa", date(2024, 9, 3), "Case file audit", "IRT", "Parent or carer", "Getting it right",
                  "The worker listened."),
             Item("bbbbbbbbbb", date(2024, 9, 9), "Case file audit", "CST", "Professional", "Mixed", "Late plan.")]
    panel.set_items(items)
    assert panel.count_label.text() == "2 of 2 feedback items used"
    model = panel.model
    assert model.index(0, 6).data() == "The worker listened." and model.index(0, 1).data() == "03/09/2024"
    model.setData(model.index(1, USE_COLUMN), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert panel.excluded_keys() == {"bbbbbbbbbb"}
    assert model.index(1, USE_COLUMN).data() == "Left out"
    assert panel.count_label.text() == "1 of 2 feedback items used"
    panel.set_items(items[:1])  # a key no longer listed is not left out of anything
    assert panel.excluded_keys() == set()
    switched = []
    panel.leave_out_all_changed.connect(switched.append)
    panel.leave_out_all_check.click()
    assert switched == [True]


# ---------------------------------------------------------------------------------------------------------
# corrections: what "Treat as…" offers
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rule, message, offered", [
    ("grade.unrecognised", 'Overall practice judgement: "Goodish" is not a grade.',
     ("Outstanding", "Good", "Requires improvement", "Inadequate", "Not applicable")),
    ("yes_no.unrecognised", '"Maybe" is not a Yes/No answer.', ("Yes", "No", "Not applicable")),
    ("date.unreadable", "Audit date: this is not a date that can be read.", ()),
])
def test_treat_as_offers_the_canonical_values(rule, message, offered):
    finding = Finding("Audit 1.xlsx", "Audit", "C14", Severity.ERROR, rule, message)
    assert treat_as_choices(finding) == offered
    assert can_correct(finding) == bool(offered)


# ---------------------------------------------------------------------------------------------------------
# audit key search
# ---------------------------------------------------------------------------------------------------------
@dataclass
class Hit:
    template_type: str
    reference: str
    audit_date: date
    file: str


def test_audit_search_shows_the_audit_on_screen(qtbot):
    asked = []

    def lookup(key):
        asked.append(key)
        return [Hit("case_file_audit", "AB100001", date(2024, 7, 11), "Audit 1.xlsx")] if key == "3f2a9c01bd" \
            else []

    dialog = AuditSearchDialog(lookup)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.key_edit, " 3F2A 9C01 BD ")
    qtbot.keyClick(dialog.key_edit, Qt.Key.Key_Return)
    assert asked == ["3f2a9c01bd"]
    assert [dialog.results.item(0, c).text() for c in range(4)] == \
        ["Case file audit", "AB100001", "11/07/2024", "Audit 1.xlsx"]
    assert dialog.status_label.text() == "1 audit found with this key."
    dialog.key_edit.setText("0000000000")
    dialog.find_button.click()
    assert dialog.results.rowCount() == 0 and dialog.status_label.text().startswith("No audit")
    dialog.key_edit.setText("not a key")
    dialog.find_button.click()
    assert asked == ["3f2a9c01bd", "0000000000"]  # a malformed key is not looked up
    assert clean_key("Audit key: 3F2A9C01BD") == "3f2a9c01bd"


# ---------------------------------------------------------------------------------------------------------
# accessibility and scaling
# ---------------------------------------------------------------------------------------------------------
def _qt_inner(widget) -> bool:
    """Qt's own inner widgets: a spin box's or combo box's line edit and popup list, a line edit's clear button,
    a table's header and corner button, a tab bar's scroll arrows (named by Qt)."""
    if widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView) \
            or type(widget).__name__ == "QTableCornerButton":
        return True
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, (QAbstractSpinBox, QComboBox, QLineEdit)):  # e.g. a line edit's clear button
            return True
        parent = parent.parent()
    return False


def _unnamed(widget) -> list[str]:
    kinds = (QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QAbstractItemView, QPlainTextEdit)
    out = []
    for child in widget.findChildren(QWidget):
        if not isinstance(child, kinds):
            continue
        if _qt_inner(child):
            continue
        if not child.accessibleName():
            out.append(f"{type(child).__name__}:{getattr(child, 'text', lambda: '')()}")
    return out


def test_every_control_of_the_panels_and_dialogs_has_an_accessible_name(qtbot):
    from pqa_desktop.app.corrections import CorrectionsPanel
    from pqa_desktop.app.workspace_panel import WorkspacePanel

    widgets = [SettingsDialog(FULL), MessagesPanel(), CommentaryPanel(), FeedbackPanel(), CorrectionsPanel(),
               WorkspacePanel(), AuditSearchDialog(lambda key: [])]
    for widget in widgets:
        qtbot.addWidget(widget)
        assert _unnamed(widget) == [], type(widget).__name__
    dialog = widgets[0]
    polarity = dialog.targets_table.cellWidget(0, POLARITY_COLUMN)
    assert polarity.accessibleName().startswith("Polarity for ")
    assert isinstance(dialog.targets_table, QTableWidget) and not dialog.targets_table.tabKeyNavigation()
    assert LOWER in [polarity.itemText(i) for i in range(polarity.count())]


SCALING_SCRIPT = r"""
import os, sys
from datetime import date
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QSettings
app = QApplication([])
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.main_window import MainWindow
from pqa_desktop.app.settings_dialog import SettingsDialog
from pqa_desktop.core.settings import Settings
window = MainWindow(settings=AppSettings(), today=date(2024, 10, 7))
window.show()
app.processEvents()
dialog = SettingsDialog(Settings())
dialog.show()
app.processEvents()
w, d = window.minimumSizeHint(), dialog.minimumSizeHint()
print(window.devicePixelRatio(), w.width(), w.height(), d.width(), d.height())
"""


def test_the_window_fits_a_full_hd_screen_at_200_percent(tmp_path):
    # QT_SCALE_FACTOR must be set before the QApplication exists: a fresh interpreter
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2", PQA_DESKTOP_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", SCALING_SCRIPT, str(tmp_path)], capture_output=True, text=True,
                         env=env, cwd=Path(__file__).resolve().parents[1], timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    ratio, window_w, window_h, dialog_w, dialog_h = out.stdout.split()[-5:]
    assert float(ratio) == 2.0
    # a 1920 x 1080 screen at 200% gives 960 x 540 logical pixels, less a taskbar and title bar
    assert int(window_w) <= 960 and int(window_h) <= 500, (window_w, window_h)
    assert int(dialog_w) <= 960 and int(dialog_h) <= 500, (dialog_w, dialog_h)
