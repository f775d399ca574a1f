"""One pipeline job at a time, and what its ending says to the user.

``JobRunner`` starts a ``PipelineJob`` (a check of the inputs, a build, the auditors' lists), shows its
progress in the status bar and hands the files it reads to the stream. How a job ends is said here in plain
words: stopped (and what was kept), failed (a leak found, nothing to build, a file that cannot be saved, or
anything else, with a report for support that holds no data from the files). A success is handed on
(``succeeded``): the window knows what the result changes on screen. How the inputs were read is logged, and
a reading pool that fell back is said once a session.

A change of inputs while a job runs asks for a fresh check once it has ended (``check_again_after``); a
stale check is stopped for it, a build or a list being written is left to finish.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

from ..core.pipeline import run as pipeline
from .app_log import reading_line, write_log
from .crash import write_crash_report
from .jobs import ANALYSE, BUILD, SEND_BACK, PipelineJob
from .progress_panel import ProgressPanel
from .streaming import StreamBatcher


class JobRunner(QObject):
    started = Signal()  # a job has started
    succeeded = Signal(object, object)  # the job, whatever its work returned
    ended = Signal(bool)  # the job's thread has stopped (no job runs now); whether a fresh check was asked for
    busy_changed = Signal(bool)  # a job started (True) or the last one ended (False)
    check_abandoned = Signal()  # a check stopped before any file was read: nothing new to keep

    def __init__(self, window: QMainWindow, progress: ProgressPanel, stream: StreamBatcher,
                 crash_context: Callable[[str], dict[str, object]]):
        super().__init__(window)
        self._window = window  # the parent of the messages, and its status bar for passing notes
        self._progress = progress
        self._stream = stream
        self._crash_context = crash_context
        self._job: PipelineJob | None = None
        self._recheck_after_job = False
        self._pool_warned = False  # the reading workers' fall-back is shown once a session (logged each time)

    @property
    def busy(self) -> bool:
        return self._job is not None

    @property
    def recheck_pending(self) -> bool:
        """A fresh check was asked for while this job ran (its own result is stale)."""
        return self._recheck_after_job

    def start(self, kind: str, make_work, text: str, *, delayed: bool, analysis_key: tuple | None,
              output: Path | None = None) -> PipelineJob:
        """Start ``make_work(job)`` in a worker thread (the job is given so the work can hand items over)."""
        job = PipelineJob(kind, None, self._window)
        job.set_work(make_work(job))
        job.analysis_key = analysis_key  # what the result will describe
        job.output = output
        job.progressed.connect(self._progress.report)
        job.item_ready.connect(self._stream.add)
        job.succeeded.connect(self._on_succeeded)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        job.finished.connect(self._on_finished)
        self._job = job
        self._progress.start(text, delayed=delayed)
        self.started.emit()
        self.busy_changed.emit(True)
        job.start()
        return job

    def check_again_after(self) -> None:
        """One job at a time: stop a stale check, and check again once whatever runs has ended."""
        self._recheck_after_job = True
        if self._job is not None and self._job.kind == ANALYSE:
            self._job.request_cancel()

    def cancel(self) -> None:
        if self._job is not None:
            self._job.request_cancel()
            self._progress.stage_label.setText("Stopping\u2026")
            self._progress.cancel_button.setEnabled(False)

    def stop_and_wait(self) -> None:
        """The window is closing: the pipeline checks the flag between files and stages; a thread must not
        outlive its window (the wait is as long as the current file takes to read: files go in whole or not at
        all)."""
        if self._job is not None:
            self._job.request_cancel()
            self._job.wait()

    def log_reading(self, kind: str, analysis: pipeline.Analysis) -> None:
        """Log how the inputs were read; say so when the worker pool fell back (slower, not silent)."""
        write_log(reading_line("check" if kind == ANALYSE else "build", analysis))
        warning = analysis.reading.warning()
        if warning is None:
            return
        write_log(f"warning: {warning}")
        if not self._pool_warned:
            self._pool_warned = True
            QMessageBox.warning(self._window, "Reading took longer than it should", warning)
        else:
            self._window.statusBar().showMessage(warning, 15000)

    def _on_succeeded(self, result) -> None:
        if self._job is not None:
            self._job.result_delivered = True  # what was made is kept, whatever showing it does (_result_not_shown)
            self.succeeded.emit(self._job, result)

    def _on_cancelled(self) -> None:
        job = self._job
        if job is None:
            return
        self._stream.discard()
        if job.kind == BUILD:
            self._progress.finish("Build stopped; no workbook was written.")
        elif job.kind == SEND_BACK:
            self._progress.finish("Stopped; no list was written.")
        elif self._recheck_after_job:
            self._progress.finish("")  # superseded by a fresh check of the new inputs
        else:
            # stopped before any file was read (while the files were being found): nothing new to keep
            self._progress.finish("Check stopped before any file was read; the lists show the last finished "
                                  "check. Press F5 to check again.")
            self.check_abandoned.emit()  # so F5 or any change checks again

    def _on_failed(self, exc: BaseException) -> None:
        job = self._job
        kind = job.kind if job is not None else BUILD
        self._stream.discard()
        window, progress = self._window, self._progress
        if kind in (BUILD, SEND_BACK) and isinstance(exc, pipeline.LeakFound):
            what = "The workbook was not saved" if kind == BUILD else "The lists were not saved"
            progress.finish(f"{what}: it would have shown personal information.")
            QMessageBox.warning(
                window, what,
                f"{exc}\n\nWhat to do: in Settings\u2026 > Privacy, leave out what the places above show (case "
                "references, staff names) unless the recipients may see them; or correct the input that puts a "
                "name or identifier where a figure or comment belongs. Nothing was written.")
            return
        if kind == BUILD and isinstance(exc, pipeline.NothingToBuild):
            progress.finish("Nothing to build.")
            QMessageBox.warning(window, "Nothing to build", str(exc))
            return
        if kind == BUILD and isinstance(exc, OSError):
            output = getattr(job, "output", None)
            name = output.name if output is not None else "the workbook"
            progress.finish("The workbook could not be saved.")
            if getattr(exc, "locked", True):
                text = (f"{name} could not be saved there. If it is open in Excel, close it; otherwise the folder "
                        "may be read-only. Then build again, or pick another folder.")
            else:  # the folder has gone, or the path is longer than Windows saves: the message says which
                text = str(exc)
            QMessageBox.warning(window, "Could not save the workbook", text)
            return
        if kind == SEND_BACK and isinstance(exc, OSError):
            progress.finish("The lists could not be saved.")
            QMessageBox.warning(
                window, "Could not save the lists",
                "The auditors' lists could not be saved in that folder. If one of them is open in Excel or "
                "Outlook, close it; otherwise the folder may be read-only. Then try again, or pick another folder.")
            return
        try:
            context = self._crash_context(kind)
        except Exception:  # the counts help support; failing to count must not stop the report or the message
            context = {"Step": kind}
        report = None
        try:
            report = write_crash_report(exc, context)
        except OSError:
            pass
        what = {BUILD: "building the workbook", SEND_BACK: "writing the auditors' lists"}.get(kind,
                                                                                             "checking the inputs")
        where = (f"A report for support was saved as {report}. It holds no data from your files."
                 if report is not None else "A report for support could not be saved.")
        progress.finish("Something went wrong.")
        QMessageBox.critical(window, "Something went wrong",
                             f"Something went wrong while {what}, so it did not finish. {where} "
                             "Try again; if it happens again, send that report to support.")

    def _on_finished(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        recheck, self._recheck_after_job = self._recheck_after_job, False
        if self._progress.running and not recheck:
            self._result_not_shown(job)
        self.ended.emit(recheck)  # the window may start the fresh check here

    def _result_not_shown(self, job: PipelineJob | None) -> None:
        """Every ending says what became of the job and stops the progress; one that did not (a slot showing
        the result raised: the app's excepthook has written the report and told the user) leaves the window
        usable anyway, and says what was kept. A check not shown is checked again at the next change."""
        self._stream.discard()
        kind = job.kind if job is not None else ANALYSE
        if not getattr(job, "result_delivered", False):  # the worker ended without a result or an error
            text = "Something went wrong, so that step did not finish."
            if kind == ANALYSE:
                self.check_abandoned.emit()
        elif kind == BUILD:
            output = getattr(job, "output", None)
            name = output.name if output is not None else "The workbook"
            text = f"{name} was saved, but something went wrong while showing it."
        elif kind == SEND_BACK:
            text = "The lists were saved, but something went wrong while showing them."
        else:
            text = "Something went wrong while showing the check; change the inputs or the period to check again."
            self.check_abandoned.emit()
        self._progress.finish(text)
        if self._job is None:
            self.busy_changed.emit(False)
