"""The app's choice of council for the published comparators: the settings dialog's Your council field
(typed by keyboard, any name/number/code, kept as the DfE writes it), the line saying which published years
the workbook compares with, errors with near matches, and the choice kept between sessions."""
from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QLabel

from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.settings_dialog import SettingsDialog
from pqa_desktop.core.resources import resource
from pqa_desktop.core.settings import Settings
from tests.app_fixtures import isolated_qsettings  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings):
    yield


def test_council_typed_as_a_code_is_kept_as_the_dfe_writes_it(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert "Choose your council" in dialog.published_years.text()
    assert dialog.settings().council is None
    dialog.council_box.setFocus()
    qtbot.keyClicks(dialog.council_box.lineEdit(), "E09000003")
    assert dialog.published_years.text().startswith(
        "Compares with the DfE's published figures for Barnet (LA 302, E09000003), latest years 2024-25")
    # what the workbook then shows, in its words (the cover's Published comparators line)
    assert dialog.published_years.text().endswith(
        ": in the tables, the key messages and a chart of each measure's published years.")
    assert dialog.settings().council == "Barnet"
    assert dialog.council_box.accessibleName() == "Your council"
    label = next(w for w in dialog.findChildren(QLabel) if w.text() == "Your &council:")
    assert label.buddy() is dialog.council_box  # Alt+C reaches it from the keyboard


def test_every_current_council_is_offered(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    names = [dialog.council_box.itemText(i) for i in range(dialog.council_box.count())]
    assert names[0] == "" and len(names) == 154  # none, then the 153 councils
    assert "Leeds" in names and "Cumbria" not in names


def test_unknown_council_is_a_problem_naming_near_matches(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.council_box.setCurrentText("Barnit")
    settings, problem = dialog.collect()
    assert settings is None
    assert problem.startswith("Your council: No council called 'Barnit'. Did you mean Barnet")
    assert "Did you mean Barnet" in dialog.published_years.text()


def test_published_figures_file_is_checked_and_kept(qtbot, tmp_path):
    copy = tmp_path / "newer.json"
    shutil.copy(resource("published_comparators.json"), copy)
    dialog = SettingsDialog(Settings(council="Leeds", benchmarks_data=str(copy)))
    qtbot.addWidget(dialog)
    assert dialog.council_box.currentText() == "Leeds"
    assert dialog.settings().benchmarks_data == str(copy)
    dialog.published_edit.setText(str(tmp_path / "gone.json"))
    settings, problem = dialog.collect()
    assert settings is None and "does not exist" in problem


def test_the_council_is_chosen_once_and_kept(tmp_path):
    AppSettings().set_report_settings(Settings(la_name="Barnet", council="Barnet",
                                               benchmarks_data=str(tmp_path / "f.json")))
    again = AppSettings().report_settings()
    assert (again.council, again.benchmarks_data) == ("Barnet", str(tmp_path / "f.json"))
