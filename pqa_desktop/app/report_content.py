"""The report's own content beside the figures, and what a build is given from it: the settings (and the
dialog that changes them), the key messages and feedback drafted from a check, the feedback left out, and the
commentary typed for each period.

``ReportContent`` keeps the report settings (remembered in the app's settings, the LA name from the main
screen), loads and saves each period's commentary in the workspace, and makes the ``BuildOptions`` a check,
a build or the auditors' lists are given. A change that alters the figures says ``recheck_needed``.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox

from ..core.pipeline import run as pipeline
from ..core.calendar import Period
from ..core.settings import Settings
from ..core.workspace import WorkspaceError
from .app_settings import AppSettings
from .feedback_panel import FeedbackPanel
from .messages_panel import CommentaryPanel, MessagesPanel
from .period_row import PeriodRow
from .session import Session
from .settings_dialog import SettingsDialog


class ReportContent(QObject):
    recheck_needed = Signal()  # the settings, the feedback left out or the audit-key secret changed

    def __init__(self, window: QMainWindow, session: Session, settings: AppSettings, period_row: PeriodRow,
                 messages_panel: MessagesPanel, commentary_panel: CommentaryPanel, feedback_panel: FeedbackPanel):
        super().__init__(window)
        self._window = window  # the parent of the dialog, and its status bar for passing notes
        self._session = session
        self._settings = settings
        self._period_row = period_row
        self._messages = messages_panel
        self._commentary = commentary_panel
        self._feedback = feedback_panel
        self.report_settings: Settings = settings.report_settings()
        feedback_panel.set_leave_out_all(not self.report_settings.feedback_text)

    def with_la_name(self) -> Settings:
        """The report settings with the LA name as typed on the main screen."""
        return replace(self.report_settings, la_name=self._period_row.la_name())

    def build_options(self, period: Period, *, for_build: bool = False) -> pipeline.BuildOptions:
        """What a build uses: the settings (LA name from the main screen), the workspace's secret and duplicate
        choices, the feedback left out and, for the build itself, the edited key messages and the commentary."""
        workspace = self._session.workspace
        settings = replace(self.report_settings, la_name=self._period_row.la_name().strip(), audit_key_secret=None)
        options = pipeline.BuildOptions(period=period, settings=settings,
                                        keep=workspace.keep_choices(),
                                        excluded_feedback=self._feedback.excluded_keys(),
                                        audit_key_secret=workspace.secret(),
                                        input_passwords=tuple(self._session.input_passwords))
        if for_build:
            options.messages = self._messages.edited_messages()
            options.commentary = self._commentary.texts()
        return options

    def flush_commentary(self) -> None:
        """Save what was typed in the commentary and not saved yet (it is saved once typing pauses)."""
        self._commentary.flush()

    def show_drafts(self, messages: dict[str, list[str]], feedback: list) -> None:
        self._messages.set_drafted(messages)
        self._feedback.set_items(feedback)

    def load_commentary(self) -> None:
        """Show the period's commentary (or the latest earlier month's, offered again); what was typed for the
        previous period is saved under that period first."""
        self._commentary.flush()
        period = self._period_row.period
        end = period.end_month
        texts = self._session.workspace.commentary_for(end)
        self._commentary.save = lambda section, text, end=end: self._save_commentary(end, section, text)
        self._commentary.load(texts, period.label)

    def _save_commentary(self, period_end: date, section: str, text: str) -> None:
        try:
            self._session.workspace.save_commentary(period_end, section, text)
        except WorkspaceError as exc:
            self._window.statusBar().showMessage(f"The commentary could not be saved: {exc}", 10000)

    def set_leave_out_all(self, leave_out: bool) -> None:
        """Leave every feedback text out of the workbook (or put it back); remembered with the settings."""
        if self.report_settings.feedback_text == (not leave_out):
            return
        self.report_settings = replace(self.report_settings, feedback_text=not leave_out)
        self._settings.set_report_settings(self.with_la_name())
        self.recheck_needed.emit()

    def open_settings_dialog(self, setting: str | None = None) -> bool:
        """The settings dialog; ``setting`` (a key of core.pipeline.readiness) opens it at that setting's field."""
        current = replace(self.report_settings, la_name=self._period_row.la_name().strip())
        dialog = SettingsDialog(current, self._window, remembered=self._settings)
        if setting:
            dialog.show_setting(setting)
        dialog.new_secret_confirmed.connect(self._create_new_secret)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            chosen = dialog.settings()
        finally:
            dialog.deleteLater()
        self.report_settings = chosen
        self._period_row.set_la_name(chosen.la_name)
        self._settings.set_report_settings(chosen)
        self._feedback.set_leave_out_all(not chosen.feedback_text)
        self.recheck_needed.emit()
        return True

    def _create_new_secret(self) -> None:
        try:
            self._session.workspace.new_secret()
        except WorkspaceError as exc:
            QMessageBox.warning(self._window, "No new secret", str(exc))
            return
        self._window.statusBar().showMessage("A new audit-key secret was created. Audit keys in new workbooks use "
                                             "it.", 8000)
        self.recheck_needed.emit()
