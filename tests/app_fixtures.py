"""Fixtures for the desktop app tests: private QSettings, a fake pipeline, recorded message boxes.

Imported by tests/test_app.py (not a conftest: tests/conftest.py belongs to the whole suite).
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.exports.model import ExportRecords
from pqa_desktop.core.findings import Finding
from pqa_desktop.core.records import AuditRecords
from pqa_desktop.core.pipeline.reading import ReadingStats

TODAY = date(2024, 10, 7)  # the window's "today": period defaults to September 2024


@pytest.fixture
def isolated_qsettings(tmp_path):
    """Every QSettings the app opens is an INI file under tmp_path: the real profile is never touched."""
    folder = tmp_path / "qsettings"
    folder.mkdir()
    previous = QSettings.defaultFormat()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    yield folder
    QSettings.setDefaultFormat(previous)


@dataclass
class FakeAnalysis:
    """Quacks like pipeline.Analysis for the app: summaries(), findings and what the app reads besides."""

    period: object
    rows: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    stopped: bool = False
    unread: list = field(default_factory=list)
    files: list = field(default_factory=list)
    results: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    sensitive: set = field(default_factory=set)
    exports: ExportRecords = field(default_factory=ExportRecords)  # what core.pipeline.readiness reads
    records: AuditRecords = field(default_factory=AuditRecords)
    results: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    reading: ReadingStats = field(default_factory=ReadingStats)

    @property
    def usable(self) -> bool:
        return bool(self.rows)

    @property
    def masker(self):
        """What masks its identifiers (the next check's streamed rows start from it)."""
        from pqa_desktop.core.privacy import IdentifierMasker

        return IdentifierMasker(self.sensitive)

    def summaries(self):
        return list(self.rows)

    def listed_findings(self):
        return list(self.findings)

    def mask(self, name: str) -> str:
        return name


def summary(path: Path, kind_label: str = "Case file audit", records: int = 1, errors: int = 0,
            warnings: int = 0, infos: int = 0) -> pipeline.InputSummary:
    return pipeline.InputSummary(name=path.name, kind="case_file_audit", kind_label=kind_label, records=records,
                                 errors=errors, warnings=warnings, infos=infos, path=str(path))


class FakePipeline:
    """Stands in for pipeline.analyse / pipeline.build and records how the app called them."""

    def __init__(self):
        self.analyse_calls: list[tuple[list[Path], object]] = []
        self.build_calls: list[dict] = []
        self.analyse_threads: list[int] = []
        self.build_threads: list[int] = []
        self.findings: list[Finding] = []
        self.rows_for = self._one_row_per_file
        self.block_analyse = False  # wait for cancel inside analyse
        self.block_build = False
        self.saw_cancel = threading.Event()
        self.build_error: BaseException | None = None

    @staticmethod
    def _one_row_per_file(paths):
        rows = []
        for p in paths:
            p = Path(p)
            files = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
            rows.extend(summary(f) for f in files)
        return rows

    def _wait_for_cancel(self, cancel):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if cancel():
                self.saw_cancel.set()
                raise pipeline.Cancelled()
            time.sleep(0.01)
        raise AssertionError("the app never asked the job to stop")

    def analyse(self, paths, period, *, keep=None, progress=None, cancel=None, workspace=None, import_new=True,
                on_read=None, keep_on_cancel=False, passwords=(), previous=None):
        self.analyse_threads.append(threading.get_ident())
        self.analyse_calls.append(([Path(p) for p in paths], period))
        if progress:
            progress("read", 0, len(paths), "")
        if self.block_analyse:
            self._wait_for_cancel(cancel)
        return FakeAnalysis(period=period, rows=self.rows_for(paths), findings=list(self.findings))

    def build(self, paths, output, options, *, progress=None, cancel=None, analysis=None, workspace=None):
        self.build_threads.append(threading.get_ident())
        self.build_calls.append({"paths": [Path(p) for p in paths], "output": Path(output), "options": options,
                                 "analysis": analysis})
        if progress:
            progress("write", 0, 1, "")
        if self.block_build:
            self._wait_for_cancel(cancel)
        if self.build_error is not None:
            raise self.build_error
        Path(output).write_bytes(b"PK fake workbook")
        analysis = analysis or self.analyse(paths, options.period)
        return pipeline.BuildResult(output=Path(output), analysis=analysis, figures=None, messages={}, timings={})


@pytest.fixture
def fake_pipeline(monkeypatch):
    fake = FakePipeline()
    monkeypatch.setattr(pipeline, "analyse", fake.analyse)
    monkeypatch.setattr(pipeline, "build", fake.build)
    # the window drafts key messages and lists feedback from each check: nothing to draft from a fake analysis
    monkeypatch.setattr(pipeline, "compute", lambda analysis, options: (None, {}))
    monkeypatch.setattr(pipeline, "feedback_items", lambda analysis, options: [])
    return fake


@pytest.fixture
def message_boxes(monkeypatch):
    """Record QMessageBox calls instead of blocking on a modal: list of (kind, title, text)."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("warning", "critical", "information", "question"):
        def record(parent, title, text, *args, _kind=kind, **kwargs):
            shown.append((_kind, title, text))
            return QMessageBox.StandardButton.Ok
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record))
    return shown


@pytest.fixture
def opened_urls(monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    return opened


@pytest.fixture
def save_dialog(monkeypatch):
    """QFileDialog.getSaveFileName answering with ``answer["path"]`` and recording what it was offered."""
    answer = {"path": "", "offered": []}

    def fake(parent, caption="", directory="", filter="", *args, **kwargs):
        answer["offered"].append(directory)
        return answer["path"], filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return answer


APP_WAIT_MS = 30000  # a check or build of the sample inputs on a busy CI machine


def wait_idle(qtbot, window, timeout: int = APP_WAIT_MS) -> None:
    """Wait until the window runs no job and has no check waiting to start."""
    qtbot.waitUntil(lambda: not window.busy and not window.checks.timer.isActive(), timeout=timeout)


def check(qtbot, window, action, timeout: int = APP_WAIT_MS) -> None:
    """Do something that starts a check, and wait for the check to be on screen."""
    with qtbot.waitSignal(window.analysis_ready, timeout=timeout):
        action()
    wait_idle(qtbot, window, timeout)


def add_and_check(qtbot, window, paths, timeout: int = APP_WAIT_MS) -> None:
    """Add ``paths`` to the window and wait for their check to be on screen."""
    check(qtbot, window, lambda: window.add_paths(paths), timeout)


def crash_reports() -> list[Path]:
    """The crash reports written so far in this test's home folder."""
    from pqa_desktop.app.crash import CRASH_FOLDER

    return sorted((Path(os.environ["PQA_DESKTOP_HOME"]) / CRASH_FOLDER).glob("crash-*.txt"))


@pytest.fixture(name="window")
def anytown_window(qtbot):
    """The main window shown, with fresh settings, for Anytown Council (request it as ``window``)."""
    from pqa_desktop.app.app_settings import AppSettings
    from pqa_desktop.app.main_window import MainWindow

    w = MainWindow(settings=AppSettings(), today=TODAY)
    qtbot.addWidget(w)
    w.show()
    w.la_name_edit.setText("Anytown Council")
    return w
