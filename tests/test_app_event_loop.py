"""What keeps the window's event loop turning at a council's scale (issue 18). The times themselves are
measured by the benchmark (scripts/bench_app.py), never here; these tests hold the behaviour."""
from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

from pqa_desktop.app import jobs
from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.main_window import MainWindow
from tests.app_fixtures import TODAY, isolated_qsettings  # noqa: F401 (fixture)


def test_the_objects_made_at_start_are_left_out_of_full_collections_once(qtbot, isolated_qsettings, monkeypatch):
    monkeypatch.setattr(jobs, "_SET_ASIDE", False)
    frozen = []
    monkeypatch.setattr(jobs.gc, "freeze", lambda: frozen.append(gc.get_count()))
    first = MainWindow(settings=AppSettings(), today=TODAY)
    qtbot.addWidget(first)
    assert len(frozen) == 1
    second = MainWindow(settings=AppSettings(), today=TODAY)  # a later window (tests) sets nothing aside again
    qtbot.addWidget(second)
    assert len(frozen) == 1
    assert gc.isenabled()  # collections still run: only the start-up objects are left out


def test_a_job_lets_the_window_back_into_the_interpreter_within_a_millisecond(monkeypatch):
    """Each call the window makes into Python while a job's thread runs Python waits for it to let go, up
    to the switch interval (5 ms by default): a redraw's few hundred calls stalled the window 70-110 ms."""
    import sys

    monkeypatch.setattr(sys, "getswitchinterval", lambda: 0.005)
    chosen = []
    monkeypatch.setattr(sys, "setswitchinterval", chosen.append)
    jobs.PipelineJob(jobs.ANALYSE, lambda progress, cancel: None)
    assert chosen == [jobs.WINDOW_SWITCH_SECONDS] and jobs.WINDOW_SWITCH_SECONDS <= 0.001
