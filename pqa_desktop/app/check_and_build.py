"""The check of the inputs and the build of the workbook: when each starts, and what its result changes.

A check starts when the inputs, the period (once the typing settles) or anything it depends on changes; one
runs at a time (``JobRunner``), so a change while one runs checks again once it has ended. A check already on
screen that was made from the same inputs and period, and read every file, is not repeated, and a build
reuses it. The build asks where to save (and for a password when the workbook is to be protected) before
anything is read. Each result goes into the ``Session``, onto the screen (``CheckView``, the drafted key
messages and feedback, the workspace's list) and the status bar; ``analysis_ready`` and ``build_succeeded``
say so.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow

from .after_build import AfterBuild
from .app_settings import AppSettings
from .check_view import CheckView
from .file_dialogs import ask_workbook_path
from .job_runner import JobRunner
from .jobs import ANALYSE, BUILD, let_go_elsewhere
from .passwords import ask_output_password
from .period_row import PeriodRow
from .pipeline_work import build_work, check_work
from .progress_panel import ProgressPanel
from .report_content import ReportContent
from .session import Session
from .streaming import StreamBatcher

PERIOD_RECHECK_MS = 400  # typing "2024" in the year steps through 2, 20, 202: check once, when it settles


class CheckAndBuild(QObject):
    analysis_ready = Signal()  # the inputs and findings lists show a fresh check
    build_succeeded = Signal(object)  # BuildResult
    imports_read = Signal(object, object)  # the workspace's imports and their masked rows (None: read them again)

    def __init__(self, window: QMainWindow, session: Session, jobs: JobRunner, view: CheckView,
                 content: ReportContent, after_build: AfterBuild, progress: ProgressPanel, stream: StreamBatcher,
                 settings: AppSettings, period_row: PeriodRow):
        super().__init__(window)
        self._window = window  # the parent of the questions asked before a build
        self._session = session
        self._jobs = jobs
        self._view = view
        self._content = content
        self._after_build = after_build
        self._progress = progress
        self._stream = stream
        self._settings = settings
        self._period_row = period_row
        self._closed = False
        self.timer = QTimer(self, singleShot=True)  # a check starts when it fires
        self.timer.timeout.connect(self.start_check)
        jobs.succeeded.connect(self._job_succeeded)
        jobs.ended.connect(self._job_ended)
        jobs.check_abandoned.connect(self._forget_check_key)

    def schedule(self, delay_ms: int = 0) -> None:
        if self._closed:
            return  # the window has closed its workspace: nothing may start on it
        self.timer.start(delay_ms)

    def period_changed(self) -> None:
        self.schedule(PERIOD_RECHECK_MS)

    def close(self) -> None:
        """The window is closing: no check starts from now on."""
        self._closed = True
        self.timer.stop()

    def continue_reading(self) -> None:
        """Read what a stopped check left (F5 or Continue reading)."""
        analysis = self._session.analysis
        if not self._jobs.busy and analysis is not None and analysis.stopped:
            self.start_check()

    def start_check(self) -> None:
        session = self._session
        if self._jobs.busy:
            self._jobs.check_again_after()
            return
        if not session.has_inputs:
            session.forget_check()
            self._view.show(None)
            self._content.show_drafts({}, [])
            self._view.show_files_area()
            self._progress.finish("")
            return
        key = session.key(self._period_row.period)
        paths, period, _generation = key
        if session.check_is_current(self._period_row.period):
            return
        drafts: dict = {}  # filled in the worker, read once the job has ended
        work = check_work(paths, period, session.workspace, self._content.build_options(period),
                          tuple(session.input_passwords), session.analysis, drafts)
        job = self._jobs.start(ANALYSE, work, "Checking the inputs\u2026", delayed=True, analysis_key=key)
        job.drafts = drafts

    def build(self, protect: bool) -> None:
        """Ask where to save (and, with ``protect``, for a password), then build off the UI thread."""
        output = self.ask_output_path()
        if output is None:
            return
        password = None
        if protect:
            password = ask_output_password(self._window)
            if password is None:
                return
        self._settings.set_output_folder(output.parent)
        self._settings.set_la_name(self._period_row.la_name())
        self._content.flush_commentary()
        session = self._session
        key = session.key(self._period_row.period)
        paths, period, _generation = key
        options = self._content.build_options(period, for_build=True)
        options.password = password  # this build only: the options go with the job and are dropped after it
        # reuse the check already on screen when it was made from these inputs and this period, whole
        analysis = session.analysis if session.check_is_current(self._period_row.period) else None
        job = self._jobs.start(BUILD, build_work(paths, output, options, analysis, session.workspace),
                               "Building the workbook\u2026", delayed=False, analysis_key=key, output=output)
        job.protected = password is not None  # whether, never what

    def ask_output_path(self) -> Path | None:
        return ask_workbook_path(self._window, self._settings.output_folder() or Path.home(),
                                 self._period_row.la_name(), self._period_row.period,
                                 inputs=self._session.sources.analysis_paths,
                                 other_files=self._session.files_in_use())

    def _job_succeeded(self, job, result) -> None:
        if job.kind not in (ANALYSE, BUILD):
            return
        session = self._session
        analysis = result if job.kind == ANALYSE else result.analysis
        # a build from the check on screen read nothing
        if job.kind == ANALYSE or analysis is not session.analysis:
            self._jobs.log_reading(job.kind, analysis)
        if job.kind == ANALYSE:
            if result.stopped and self._jobs.recheck_pending:
                self._stream.discard()  # stopped only to start a fresh check of new inputs: that one shows
                return
            self._stream.flush()
            self._replace_analysis(result, job.analysis_key)
            drafts = getattr(job, "drafts", {})
            self._view.show(result, drafts.get("blank"), drafts.get("summaries"))
            if not result.stopped:
                self._content.show_drafts(drafts.get("messages", {}), drafts.get("feedback", []))
            self.imports_read.emit(drafts.get("imports"), drafts.get("imports_shown"))
            self._progress.finish(self._view.outcome(result))
            self.analysis_ready.emit()
        else:
            if result.analysis is not session.analysis:  # built from a check of its own: show that check
                self._replace_analysis(result.analysis, job.analysis_key)
                self._view.show(result.analysis)
                self.imports_read.emit(None, None)
            # else the check on screen is the one built from: redrawing its lists (a thousand inputs in
            # a large council) would only stop the window for a moment
            self._after_build.built(result, protected=bool(getattr(job, "protected", False)))
            self._progress.finish(f"Workbook saved: {self._after_build.output.name}")
            self.build_succeeded.emit(result)

    def _replace_analysis(self, analysis, key) -> None:
        """Show ``analysis`` from now on; the one it replaces is freed off the window's thread."""
        retired = [self._session.analysis]
        self._session.analysis, self._session.analysis_key = analysis, key
        let_go_elsewhere(retired)

    def _job_ended(self, check_again: bool) -> None:
        if check_again:
            self.start_check()

    def _forget_check_key(self) -> None:
        self._session.analysis_key = None  # so F5 or any change checks again
