"""What a check of the inputs puts on screen: each input's row, the findings, the files not read yet after a
stop, the protected files, and what will be blank in the workbook; while a check runs, each file as soon as it
is read (a few times a second, the findings' group tree rebuilt at most once a second).

``CheckView`` writes to the panels (inputs, findings, the Build line) and says ``shown`` when a check (or
none) is on screen, so the window can update its controls. It never starts a check.
"""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStackedWidget

from ..core.pipeline import run as pipeline
from ..core.calendar import Period
from ..core.findings import Severity
from ..core.pipeline.readiness import blank_reasons
from ..core.sending.send_back import finding_auditors
from ..core.settings import Settings
from .build_panel import BuildPanel
from .findings_view import FindingsPanel
from .inputs_model import attention_summary
from .inputs_panel import InputsPanel
from .passwords import protected_files
from .session import Session
from .streaming import StreamBatcher

TREE_REFRESH_S = 1.0  # while files stream in, the group tree is rebuilt at most this often


class CheckView(QObject):
    shown = Signal()  # a check (or none) is on screen now

    def __init__(self, session: Session, inputs_panel: InputsPanel, findings_panel: FindingsPanel,
                 build_panel: BuildPanel, lower: QStackedWidget, stream: StreamBatcher,
                 settings: Callable[[], Settings], parent: QObject | None = None):
        super().__init__(parent)
        self._session = session
        self._inputs = inputs_panel
        self._findings = findings_panel
        self._build = build_panel
        self._lower = lower  # the three steps until an input is added (page 0), then the tabs (page 1)
        self._stream = stream
        self._settings = settings  # the report settings with the LA name as typed (for what will be blank)
        self._tree_rebuilt = 0.0

    def show(self, analysis: pipeline.Analysis | None, blank: list | None = None,
             summaries: list | None = None) -> None:
        """The check on screen; ``blank``: what will be blank, ``summaries``: the inputs' rows, when the check's
        worker worked them out."""
        self._stream.discard()
        if summaries is not None:
            rows = summaries
        else:
            rows = analysis.summaries() if analysis is not None else []
        self._inputs.set_rows(rows)
        if analysis is not None:
            self._findings.set_findings(analysis.listed_findings(), analysis.statuses, finding_auditors(analysis))
        else:
            self._findings.set_findings([])
        if analysis is not None and analysis.stopped:
            unread = len(analysis.unread)
            total = len(analysis.files)
            self._inputs.show_stopped(total - unread, total, unread)
        else:
            self._inputs.hide_stopped()
        self._inputs.show_protected(protected_files(analysis.findings if analysis is not None else []))
        self._show_blank_reasons(analysis, blank)
        self.shown.emit()

    def _show_blank_reasons(self, analysis: pipeline.Analysis | None, reasons: list | None = None) -> None:
        """What will be blank in the workbook and why (core.pipeline.readiness), each with a way to fix it; said once
        every file has been read (a stopped check would name inputs that are only not read yet)."""
        if analysis is None or analysis.stopped:
            self._build.set_blank_reasons([])
            return
        if reasons is None:
            reasons = blank_reasons(analysis, self._settings(), analysis.period)
        self._build.set_blank_reasons(reasons)

    def show_statuses(self, analysis: pipeline.Analysis) -> None:
        """Findings accepted, marked corrected or reopened: the lists redrawn, no fresh check."""
        self._findings.set_statuses(analysis.statuses)
        self._inputs.set_rows(analysis.summaries())
        self.shown.emit()

    def show_streamed(self, batch: list) -> None:
        """Files just read: their rows and findings, a few times a second while a check runs."""
        self._inputs.put_rows([item.summary for item in batch])
        findings = [f for item in batch for f in item.findings]
        now = time.monotonic()
        rebuild = now - self._tree_rebuilt >= TREE_REFRESH_S
        if findings:
            self._findings.append_findings(findings, rebuild_tree=rebuild)
            if rebuild:
                self._tree_rebuilt = now
        self.show_files_area()

    def show_files_area(self) -> None:
        """The inputs list and the tabs once there is something to list, else the three steps of the work."""
        has_inputs = self._session.has_inputs or bool(self._inputs.model.rowCount())
        self._inputs.show_contents(has_inputs)
        self._lower.setCurrentIndex(1 if has_inputs else 0)

    def build_summary(self, period: Period) -> str:
        """What goes into a build, said on the Build line: the period and, when the check on screen is of these
        inputs and this period, how many inputs, how many not read yet and how many open errors."""
        session = self._session
        if not session.has_inputs:
            return ""
        text = period.description
        analysis = session.analysis
        if analysis is not None and session.analysis_key == session.key(period):
            rows = self._inputs.model.rowCount()
            errors = self._findings.model.severity_counts(open_only=True)[Severity.ERROR]
            text += f", {rows} input{'s' if rows != 1 else ''}"
            if analysis.stopped:
                text += f"; {len(analysis.unread)} not read yet (Build reads them first)"
            if errors:
                text += f"; {errors} open error{'s' if errors != 1 else ''} (they do not block the build)"
        return text

    def crash_context(self, kind: str, period: Period) -> dict[str, object]:
        """What a crash report says of the step: counts, never values."""
        return {
            "Step": kind,
            "Inputs added": len(self._session.sources),
            "Inputs listed": self._inputs.model.rowCount(),
            "Findings": self._findings.model.rowCount(),
            "Period end": period.end_month.strftime("%Y-%m"),
        }

    def outcome(self, analysis: pipeline.Analysis) -> str:
        """What the status bar says when a check ends: how far a stopped one got, else what needs attention."""
        if analysis.stopped:
            return self._inputs.stopped_label.text()
        return attention_summary(self._inputs.model.rows()) or "Inputs checked"
