"""The app's save dialogs check the path as the command line does, before anything is built (issue 15,
cases 5 and 6): never over an input, never the draft over the workbook, and a path mistake in plain words.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest

from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.main_window import MainWindow
from tests.app_fixtures import (TODAY, fake_pipeline, isolated_qsettings, message_boxes,  # noqa: F401 (fixtures)
                                save_dialog)

WAIT_MS = 3000


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings):
    yield


@pytest.fixture
def window(qtbot, tmp_path, fake_pipeline):
    window = MainWindow(settings=AppSettings(), today=TODAY)
    qtbot.addWidget(window)
    window.show()
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "Audit 1.xlsx").write_bytes(b"PK an input")
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        window.add_paths([folder])
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    window.la_name_edit.setText("Anytown Council")
    return window


@pytest.mark.parametrize("answer, words", [
    ("inbox/Audit 1.xlsx", "one of the inputs"),
    ("missing/report.xlsx", "does not exist"),
    ("x" * 300, "too long"),
])
def test_the_save_dialog_refuses_a_path_before_building(window, fake_pipeline, save_dialog, message_boxes, tmp_path,
                                                         answer, words):
    before = (tmp_path / "inbox" / "Audit 1.xlsx").read_bytes()
    save_dialog["path"] = str(tmp_path / answer)
    window.build_button.click()
    assert fake_pipeline.build_calls == [] and not window.busy
    [(kind, title, text)] = message_boxes
    assert kind == "warning" and title == "The workbook cannot be saved there" and words in text
    assert "Errno" not in text
    assert (tmp_path / "inbox" / "Audit 1.xlsx").read_bytes() == before


def test_a_good_path_builds(qtbot, window, fake_pipeline, save_dialog, message_boxes, tmp_path):
    save_dialog["path"] = str(tmp_path / "report.xlsx")
    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        window.build_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    assert [c["output"] for c in fake_pipeline.build_calls] == [tmp_path / "report.xlsx"]


def test_the_draft_dialog_refuses_an_input_email(qtbot, window, fake_pipeline, save_dialog, message_boxes, tmp_path):
    save_dialog["path"] = str(tmp_path / "report.xlsx")
    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        window.build_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)
    email = tmp_path / "inbox" / "Audits.eml"
    email.write_bytes(b"an input email")  # inside the folder given as an input
    save_dialog["path"] = str(email)
    assert window.prepare_email() is False
    assert email.read_bytes() == b"an input email"
    assert message_boxes[-1][1] == "The email draft cannot be saved there" and "one of the inputs" in message_boxes[-1][2]
