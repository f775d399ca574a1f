"""The app tests' harness (``tests/job_guard.py``): a job that fails fails its test within seconds, with the
job's exception in the report, where it used to hang the test (the app's error dialog, modal, never closed)
or wait out a 30-second timeout and say only "timed out".

Proved on an inner pytest run, in a process of its own (a hang there is killed, not inherited), of tests
that make a real window's check fail as a pipeline whose signature changed does.
"""
from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = '''
from tests.conftest import _job_guard, _private_app_data, expected_job_errors  # noqa: F401 (fixtures)
from tests.app_fixtures import fake_pipeline, isolated_qsettings, message_boxes  # noqa: F401 (fixtures)
'''

INNER = '''
from datetime import date

import pytest
from openpyxl import Workbook
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.main_window import MainWindow
from pqa_desktop.core.pipeline import run as pipeline

LONG = 30000  # what the app tests wait for a check: none of these may wait it out


@pytest.fixture
def window(qtbot, isolated_qsettings, fake_pipeline, tmp_path):
    def analyse(paths, period, progress=None, cancel=None):  # an old signature: the app passes more
        raise AssertionError("never reached")

    fake_pipeline.analyse = analyse
    pipeline.analyse = analyse  # undone by fake_pipeline's monkeypatch
    w = MainWindow(settings=AppSettings(), today=date(2024, 10, 7))
    qtbot.addWidget(w)
    w.show()
    book = Workbook()
    book.active["A1"] = "Case file audit"
    book.save(tmp_path / "Audit.xlsx")
    w.test_input = tmp_path / "Audit.xlsx"
    return w


def test_wait_signal_with_the_error_dialog_unanswered(qtbot, window):
    with qtbot.waitSignal(window.analysis_ready, timeout=LONG):
        window.add_paths([window.test_input])


def test_wait_until_with_the_dialogs_recorded(qtbot, window, message_boxes):
    window.add_paths([window.test_input])
    qtbot.waitUntil(lambda: window.session.analysis is not None, timeout=LONG)


def test_wait_with_a_dialog_nobody_answers(qtbot):
    QTimer.singleShot(0, lambda: QMessageBox.warning(None, "Unanswered", "Nobody closes this"))
    qtbot.wait(LONG)


def test_wait_with_a_file_dialog_nobody_answers(qtbot, window):
    QTimer.singleShot(0, window.inputs_flow.choose_files)  # Add files...: the test gave no answer
    qtbot.wait(LONG)


def test_an_error_the_test_expects(qtbot, window, message_boxes, expected_job_errors):
    window.add_paths([window.test_input])
    qtbot.waitUntil(lambda: len(message_boxes) == 1 and not window.busy, timeout=LONG)
    [(step, error)] = expected_job_errors
    assert step == "analyse" and isinstance(error, TypeError)
'''


def test_a_failing_job_fails_its_test_at_once_with_the_jobs_exception(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (tmp_path / "test_inner.py").write_text(INNER, encoding="utf-8")
    report = tmp_path / "report.xml"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                          "--rootdir", str(tmp_path), f"--junitxml={report}", "test_inner.py"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    cases = {case.get("name"): case for case in ET.parse(report).getroot().iter("testcase")}
    assert sorted(cases) == ["test_an_error_the_test_expects", "test_wait_signal_with_the_error_dialog_unanswered",
                             "test_wait_until_with_the_dialogs_recorded", "test_wait_with_a_dialog_nobody_answers",
                             "test_wait_with_a_file_dialog_nobody_answers"]
    for name, case in cases.items():
        assert float(case.get("time")) < 5, (name, case.get("time"))  # seconds, not the 30 s waits
    assert cases["test_an_error_the_test_expects"].find("failure") is None, output
    for name in ("test_wait_signal_with_the_error_dialog_unanswered", "test_wait_until_with_the_dialogs_recorded"):
        failure = cases[name].find("failure")
        text = failure.get("message", "") + (failure.text or "")
        assert "JobFailedInTest: the analyse job failed with TypeError" in text, text
        assert "unexpected keyword argument" in text and "TimeoutError" not in text, text
        assert "in analyse" in text or "pipeline_work.py" in text, text  # the job's traceback is in the report
    failure = cases["test_wait_with_a_dialog_nobody_answers"].find("failure")
    text = failure.get("message", "") + (failure.text or "")
    assert "a warning message box nobody answered was shown: 'Unanswered': 'Nobody closes this'" in text, text
    failure = cases["test_wait_with_a_file_dialog_nobody_answers"].find("failure")
    text = failure.get("message", "") + (failure.text or "")
    assert "a file dialog nobody answered was shown: QFileDialog.getOpenFileNames" in text, text
