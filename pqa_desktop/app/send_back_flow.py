"""Sending findings back to the auditors: each auditor's list of their open findings (of those shown), with an
email draft to them, written into a folder the user picks.

``SendBackFlow`` asks for the folder, writes the lists off the UI thread from the check on screen (the leak
inspector checks them before anything is saved; failures are said by ``JobRunner``) and, when they are
written, says where and for whom (``sent``: the lists just written).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.pipeline import run as pipeline
from .file_dialogs import ask_send_back_folder
from .job_runner import JobRunner
from .jobs import SEND_BACK
from .pipeline_work import send_back_work
from .progress_panel import ProgressPanel
from .session import Session


class SendBackFlow(QObject):
    sent = Signal(list)  # list[SentBack]: the auditors' lists just written

    def __init__(self, parent: QWidget, session: Session, jobs: JobRunner, progress: ProgressPanel, *,
                 options: Callable[[], pipeline.BuildOptions], folder: Callable[[], Path], today: date):
        super().__init__(parent)
        self._parent = parent
        self._session = session
        self._jobs = jobs
        self._progress = progress
        self._options = options  # the build options for the period on screen
        self._folder = folder  # where the file dialog starts
        self._today = today
        jobs.succeeded.connect(self._job_succeeded)

    def send_back(self, findings: list, auditor: str | None) -> bool:
        """Write each auditor's list of their open findings (of those shown) and an email draft to them, into
        a folder the user picks; off the UI thread, checked by the leak inspector before anything is saved."""
        if self._session.analysis is None or self._jobs.busy:
            return False
        folder = ask_send_back_folder(self._parent, self._folder())
        if not folder:
            return False
        auditors = [auditor] if auditor else None
        work = send_back_work(folder, self._session.analysis, self._options(), produced=self._today,
                              auditors=auditors, findings=findings)
        self._jobs.start(SEND_BACK, work, "Writing the lists for the auditors\u2026", delayed=False,
                         analysis_key=self._session.analysis_key, output=Path(folder))
        return True

    def _job_succeeded(self, job, sent) -> None:
        if job.kind == SEND_BACK:  # writes the auditors' lists from the check on screen: reads nothing
            self._show_sent(sent, job.output)

    def _show_sent(self, sent: list, folder: Path | None) -> None:
        self.sent.emit(sent)
        if not sent:
            self._progress.finish("No list written: none of the findings shown is an open error or warning "
                                  "an auditor can correct.")
            QMessageBox.information(self._parent, "Nothing to send back", "None of the findings shown is an open "
                                    "error or warning in a return an auditor completed, so no list was written.")
            return
        count = sum(s.count for s in sent)
        self._progress.finish(f"{len(sent)} auditor list{'s' if len(sent) != 1 else ''} saved in {folder}")
        names = "\n".join(f"\u2022 {s.auditor}: {s.count} finding{'s' if s.count != 1 else ''} "
                          f"({s.workbook.name}, {s.draft.name})" for s in sent)
        QMessageBox.information(
            self._parent, "Lists saved for the auditors",
            f"{count} finding{'s' if count != 1 else ''} for {len(sent)} auditor{'s' if len(sent) != 1 else ''} "
            f"were saved in {folder}:\n\n{names}\n\nOpen each email draft (.eml) in Outlook, add the auditor's "
            "address and send it: the list is attached and written out in the email.")
