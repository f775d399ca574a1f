"""The main window: drop inputs in, see what each is and what is wrong, deal with it, build the workbook.

One window, in the order the QA officer works: the period and LA name, the Inputs (``InputsPanel``: what
each file was recognised as), the Findings and the report's own content on tabs below (``FindingsPanel``,
key messages, commentary, feedback, corrections, the workspace), and the Build line (``BuildPanel``).
Before anything is added, the three steps of the work fill the space the tabs will take (``StepsPanel``).
Each panel owns its widgets; the window wires them to ``pqa_desktop.core`` and to each other.

Pipeline work runs in a ``PipelineJob`` thread, one at a time; a change of inputs or period while a check
runs cancels it and starts a fresh one when it has stopped. Each file appears in the lists as soon as it is
read (``streaming``), at most a few times a second. Stopping a check keeps every file read so far (in the
workspace) and lists the rest as not read yet, with Continue.

Passwords stay in memory: the one protecting a workbook is asked for at each build and dropped when the
build ends; the ones opening protected inputs are kept until the window closes. Neither is written to the
settings, the workspace or a crash report.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QLabel, QMainWindow, QMessageBox, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout,
                               QWidget)

from ..core import pipeline
from ..core.calendar import Period
from ..core.findings import Severity
from ..core.workspace import Workspace, WorkspaceError
from .after_build import AfterBuild
from .app_settings import AppSettings
from .build_panel import BuildPanel
from .check_and_build import CheckAndBuild
from .check_view import CheckView, protected_files
from .corrections import NOTHING_TO_CORRECT, can_correct, correction_row
from .file_dialogs import ask_input_files, ask_input_folder
from .finding_actions import FindingActions
from .help import build_help_menu
from .inputs_panel import InputsPanel
from .job_runner import JobRunner
from .jobs import set_aside_startup_objects
from .period_row import PeriodRow
from .passwords import ask_input_password
from .progress_panel import ProgressPanel
from .report_content import ReportContent
from .report_tabs import ReportTabs
from .session import Session
from .send_back_flow import SendBackFlow
from .steps_panel import StepsPanel
from .streaming import StreamBatcher
from .window_actions import WindowActions, release_tab_traps, set_tab_order
from .window_state import restore_window_state, save_window_state
from .workspace_actions import WorkspaceActions, open_first_workspace

WINDOW_TITLE = "PQA Desktop"
OFFLINE_TEXT = "Offline \u2014 files stay on this laptop"


class MainWindow(QMainWindow):
    busy_changed = Signal(bool)  # a pipeline job started (True) or the last one ended (False)
    analysis_ready = Signal()  # the inputs and findings lists show a fresh check
    build_succeeded = Signal(object)  # BuildResult
    sent_back = Signal(list)  # list[SentBack]: the auditors' lists just written

    def __init__(self, settings: AppSettings | None = None, today: date | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or AppSettings()
        self._today = today or date.today()
        workspace, self._workspace_problem = open_first_workspace(self.settings.workspace_path())
        self.session = Session(workspace)

        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName(WINDOW_TITLE)
        self._build_controllers()
        self._build_widgets()
        restore_window_state(self, self.settings, self.period_row)
        self._workspace_changed()
        self._update_controls()
        set_aside_startup_objects()

    # ------------------------------------------------------------------------------------------------
    # layout
    # ------------------------------------------------------------------------------------------------
    def _build_controllers(self) -> None:
        """The window's small controllers, made before the panels that ask them for things."""
        self.progress = ProgressPanel()
        self.progress.cancel_requested.connect(self.cancel_current)
        self.stream = StreamBatcher(self)
        self.jobs = JobRunner(self, self.progress, self.stream, self._crash_context)
        self.jobs.started.connect(self._job_started_or_ended)
        self.jobs.ended.connect(self._job_started_or_ended)  # before a fresh check starts (CheckAndBuild)
        self.jobs.busy_changed.connect(self.busy_changed)
        self.after_build = AfterBuild(self)
        self.email_button, self.open_email_button = self.after_build.buttons()
        self.after_build.email_requested.connect(self.prepare_email)
        self.after_build.changed.connect(self._update_controls)
        self.finding_actions = FindingActions(self, self.session, lambda: self.jobs.busy)
        self.finding_actions.corrections_changed.connect(self._corrections_changed)
        self.finding_actions.statuses_changed.connect(
            lambda: self.check_view.show_statuses(self.session.analysis))
        self.send_back_flow = SendBackFlow(self, self.session, self.jobs, self.progress,
                                           options=lambda: self.report_content.build_options(self.period),
                                           folder=lambda: self.settings.output_folder() or Path.home(),
                                           today=self._today)
        self.send_back_flow.sent.connect(self.sent_back)
        self.workspace_actions = WorkspaceActions(self, self.session, self.settings, lambda: self.jobs.busy,
                                                  self._today)
        self.workspace_actions.switching.connect(lambda: self.commentary_panel.flush())
        self.workspace_actions.switched.connect(self._workspace_switched)
        self.workspace_actions.imports_removed.connect(self._imports_removed)

    def _build_widgets(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 6, 8, 4)
        self.period_row = PeriodRow(self._today)
        # the names the rest of the window (and its tests) use
        row = self.period_row
        self.period_edit, self.la_name_edit = row.period_edit, row.la_name_edit
        self.settings_button = row.settings_button
        row.settings_requested.connect(lambda: self.report_content.open_settings_dialog())
        row.period_changed.connect(self._period_changed)
        row.la_name_changed.connect(self._update_controls)
        row.la_name_edited.connect(self.settings.set_la_name)
        outer.addWidget(row)

        self.inputs_panel = InputsPanel()
        self._wire_inputs()
        self.steps_panel = StepsPanel()
        self.lower = QStackedWidget()  # the three steps until an input is added, then the tabs
        self.lower.addWidget(self.steps_panel)
        self.lower.addWidget(self._build_tabs())
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.inputs_panel)
        self.splitter.addWidget(self.lower)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([230, 480])
        outer.addWidget(self.splitter, 1)
        self.build_panel = BuildPanel()
        self._wire_build()
        outer.addWidget(self.build_panel)
        self.setCentralWidget(central)

        self.offline_label = QLabel(OFFLINE_TEXT)
        self.offline_label.setAccessibleName("Privacy: offline, files stay on this laptop")
        self.statusBar().addWidget(self.progress, 1)
        for button in self.after_build.buttons():  # after a build, beside "Workbook saved: …": the email draft
            self.statusBar().addPermanentWidget(button)
        self.statusBar().addPermanentWidget(self.offline_label)

        self.check_view = CheckView(self.session, self.inputs_panel, self.findings_panel, self.build_panel, self.lower,
                                    self.stream, self.report_content.with_la_name, parent=self)
        self.check_view.shown.connect(self._update_controls)
        self.stream.flushed.connect(self.check_view.show_streamed)
        self.checks = CheckAndBuild(self, self.session, self.jobs, self.check_view, self.report_content,
                                    self.after_build, self.progress, self.stream, self.settings, self.period_row)
        self.checks.analysis_ready.connect(self.analysis_ready)
        self.checks.build_succeeded.connect(self.build_succeeded)
        self.checks.imports_read.connect(self._refresh_workspace_lists)
        self._build_actions()
        build_help_menu(self, lambda: self.workspace.path)
        release_tab_traps(self)
        # top to bottom, as the work goes: period, LA name, Settings, the inputs, the tabs, Build, the status bar
        set_tab_order([*self.period_row.focus_chain(), *self.inputs_panel.focus_chain(), self.report_tabs,
                       *self.build_panel.focus_chain(), self.progress.cancel_button, *self.after_build.buttons()])

    def _wire_inputs(self) -> None:
        panel = self.inputs_panel
        # the names the rest of the window (and its tests) use
        self.inputs_model, self.inputs_view, self.drop_area = panel.model, panel.view, panel.drop_area
        self.add_files_button, self.add_folder_button = panel.add_files_button, panel.add_folder_button
        self.remove_button = panel.remove_button
        self.protected_label, self.protected_row = panel.protected_label, panel.protected_row
        self.enter_password_button = panel.enter_password_button
        panel.add_files_requested.connect(self.choose_files)
        panel.add_folder_requested.connect(self.choose_folder)
        panel.remove_requested.connect(self.remove_selected)
        panel.selection_changed.connect(self._update_controls)
        panel.continue_requested.connect(lambda: self.checks.continue_reading())
        panel.password_requested.connect(self.enter_input_password)
        self.drop_area.paths_dropped.connect(self.add_paths)
        # what part of a drop (e.g. Outlook attachments after the first) could not be taken in, and what to do
        self.drop_area.notice.connect(lambda text: QMessageBox.information(self, "Not everything was added", text))

    def _build_tabs(self) -> QTabWidget:
        self.report_tabs = ReportTabs(self.inputs_panel.model, source_paths=lambda: self.session.sources.paths)
        tabs = self.report_tabs
        # the names the rest of the window (and its tests) use
        self.findings_panel, self.messages_panel = tabs.findings_panel, tabs.messages_panel
        self.commentary_panel, self.feedback_panel = tabs.commentary_panel, tabs.feedback_panel
        self.corrections_panel, self.workspace_panel = tabs.corrections_panel, tabs.workspace_panel
        self.inputs_panel.show_file_requested.connect(tabs.show_file_findings)
        self.inputs_panel.attention_requested.connect(tabs.show_attention)
        panel = self.findings_panel
        self.severity_buttons = panel.severity_buttons
        self.search_edit, self.findings_count_label = panel.search_edit, panel.count_label
        self.findings_model, self.findings_proxy, self.findings_view = panel.model, panel.proxy, panel.table
        panel.correct_requested.connect(self.finding_actions.correct_finding)
        panel.status_requested.connect(self.finding_actions.set_finding_status)
        panel.send_back_requested.connect(self.send_back_flow.send_back)
        self.report_content = ReportContent(self, self.session, self.settings, self.period_row, self.messages_panel,
                                            self.commentary_panel, self.feedback_panel)
        self.report_content.recheck_needed.connect(self._recheck)
        self.feedback_panel.leave_out_all_changed.connect(self.report_content.set_leave_out_all)
        self.corrections_panel.correct_requested.connect(self.correct_selected_finding)
        self.corrections_panel.undo_requested.connect(self.finding_actions.undo_correction)
        actions = self.workspace_actions
        self.workspace_panel.remove_requested.connect(actions.remove_imports)
        self.workspace_panel.open_requested.connect(actions.open_file)
        self.workspace_panel.new_requested.connect(actions.new_file)
        self.workspace_panel.purge_requested.connect(actions.purge)
        self.findings_view.selectionModel().selectionChanged.connect(lambda *_: self._update_report_controls())
        return self.report_tabs

    def _wire_build(self) -> None:
        panel = self.build_panel
        self.build_button, self.protect_checkbox = panel.build_button, panel.protect_checkbox
        self.build_summary_label, self.blank_reasons_label = panel.summary_label, panel.blank_label
        self.open_button, self.show_folder_button = panel.open_button, panel.show_folder_button
        panel.build_requested.connect(self.build_workbook)
        panel.open_requested.connect(self.after_build.open_workbook)
        panel.show_folder_requested.connect(self.after_build.show_in_folder)
        panel.fix_requested.connect(self.fix_blank_reason)

    def _build_actions(self) -> None:
        actions = self.menu_actions = WindowActions(self)  # not "actions": QWidget.actions() is a method
        actions.cancel_action.triggered.connect(self.cancel_current)
        actions.search_action.triggered.connect(self.report_tabs.focus_search)
        actions.continue_action.triggered.connect(self.checks.continue_reading)
        actions.open_workspace_action.triggered.connect(self.workspace_actions.open_file)
        actions.new_workspace_action.triggered.connect(self.workspace_actions.new_file)
        actions.find_audit_action.triggered.connect(self.workspace_actions.find_audit)
        actions.settings_action.triggered.connect(lambda: self.report_content.open_settings_dialog())

    # ------------------------------------------------------------------------------------------------
    # state shown to the user
    # ------------------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.jobs.busy

    @property
    def workspace(self) -> Workspace:
        return self.session.workspace

    @property
    def sources(self) -> list[Path]:
        return self.session.sources.paths

    @property
    def period(self) -> Period:
        return self.period_row.period

    def _period_changed(self) -> None:
        self.checks.period_changed()
        self._update_controls()
        self.report_content.load_commentary()

    @property
    def last_output(self) -> Path | None:
        return self.after_build.output

    def _build_blocker(self) -> str:
        """Why Build cannot run now ("" when it can): said on the Build line and in the button's tooltip."""
        if not self.session.has_inputs:
            return "Add the auditors' returns first (Add files\u2026 or Add folder\u2026, or drop them on Inputs)."
        if not self.la_name_edit.text().strip():
            return "Enter the LA name first (at the top of the window)."
        if self.jobs.busy:
            return "Wait until the current step has finished, or stop it with Esc."
        return ""

    def _update_controls(self) -> None:
        has_output = self.after_build.output is not None and not self.jobs.busy
        self.build_panel.set_state(self._build_blocker(), self._build_summary(), has_output)
        self.remove_button.setEnabled(not self.jobs.busy and self.inputs_panel.has_selection())
        self.after_build.set_idle(not self.jobs.busy)
        self.inputs_panel.set_busy(self.jobs.busy)
        self.findings_panel.set_can_act(not self.jobs.busy and self.session.analysis is not None)

    def _build_summary(self) -> str:
        if not self.session.has_inputs:
            return ""
        text = self.period.description
        if self.session.analysis is not None and self.session.analysis_key == self.session.key(self.period):
            rows = self.inputs_model.rowCount()
            errors = self.findings_model.severity_counts(open_only=True)[Severity.ERROR]
            text += f", {rows} input{'s' if rows != 1 else ''}"
            if self.session.analysis.stopped:
                text += f"; {len(self.session.analysis.unread)} not read yet (Build reads them first)"
            if errors:
                text += f"; {errors} open error{'s' if errors != 1 else ''} (they do not block the build)"
        return text

    def fix_blank_reason(self, reason) -> None:
        """Go where a reason for blank figures is put right: the setting's page, or Add files… for a later input."""
        if reason.kind == "setting":
            self.report_content.open_settings_dialog(setting=reason.key)
        else:
            self.choose_files()

    # ------------------------------------------------------------------------------------------------
    # inputs
    # ------------------------------------------------------------------------------------------------
    def add_paths(self, paths: Sequence[str | Path]) -> None:
        """Queue paths and return at once; they are taken in on a zero-delay timer (Picard's pattern)."""
        self.session.sources.queue(paths)
        QTimer.singleShot(0, self._take_queued)

    def _take_queued(self) -> None:
        added, missing = self.session.sources.take_queued()
        if missing:
            self.statusBar().showMessage(
                f"{missing} dropped item{'s were' if missing != 1 else ' was'} not found on disk and left out.", 8000)
        if added:
            self._inputs_changed()

    def choose_files(self) -> None:
        paths = ask_input_files(self)
        if paths:
            self.add_paths(paths)

    def choose_folder(self) -> None:
        folder = ask_input_folder(self)
        if folder:
            self.add_paths([folder])

    def remove_selected(self) -> None:
        if self.jobs.busy:
            return
        chosen = [s for s in self.inputs_panel.selected_summaries() if s is not None]
        if not chosen:
            return
        import_ids = []
        for summary in chosen:
            if summary.import_id is not None:
                import_ids.append(summary.import_id)  # kept in the workspace: the check would bring it back
            if summary.path:
                self.session.sources.leave_out(Path(summary.path))
        self.inputs_panel.remove_summaries(chosen)
        if import_ids:
            try:
                for import_id in import_ids:
                    self.workspace.remove_import(import_id)
            except WorkspaceError as exc:
                QMessageBox.warning(self, "Not removed from the workspace", str(exc))
            self._refresh_workspace_lists()
            self.session.changed()
        self._inputs_changed()

    def analysis_paths(self) -> list[Path]:
        """What the pipeline is given (``InputSources.analysis_paths``)."""
        return self.session.sources.analysis_paths()

    def _inputs_changed(self) -> None:
        self.check_view.show_files_area()
        self.checks.schedule(0)
        self._update_controls()


    # ------------------------------------------------------------------------------------------------
    # jobs
    # ------------------------------------------------------------------------------------------------
    def build_workbook(self) -> None:
        if not self._build_blocker():
            self.checks.build(protect=self.protect_checkbox.isChecked())

    def cancel_current(self) -> None:
        self.jobs.cancel()

    def _job_started_or_ended(self) -> None:
        self._update_controls()
        self._update_report_controls()

    def _crash_context(self, kind: str) -> dict[str, object]:
        return {
            "Step": kind,
            "Inputs added": len(self.session.sources),
            "Inputs listed": self.inputs_model.rowCount(),
            "Findings": self.findings_model.rowCount(),
            "Period end": self.period.end_month.strftime("%Y-%m"),
        }

    def _recheck(self) -> None:
        """Check again with the same inputs (settings, corrections or the workspace changed)."""
        self.session.changed()
        self.checks.schedule(0)
        self._update_controls()

    # ------------------------------------------------------------------------------------------------
    # findings: correct, accept, reopen, send back
    # ------------------------------------------------------------------------------------------------
    def selected_finding(self):
        chosen = self.findings_panel.selected_findings()
        return chosen[0] if chosen else None

    def _update_report_controls(self) -> None:
        finding = self.selected_finding()
        idle = not self.jobs.busy and self.session.analysis is not None
        possible = idle and can_correct(finding)
        why = NOTHING_TO_CORRECT if idle else "Wait until the check has finished."
        self.corrections_panel.set_can_correct(possible, why)
        self.workspace_panel.set_busy(self.jobs.busy)
        self.findings_panel.set_can_act(idle)

    def correct_selected_finding(self) -> bool:
        finding = self.selected_finding()
        return finding is not None and self.finding_actions.correct_finding(finding)

    def _corrections_changed(self) -> None:
        self._refresh_workspace_lists()
        self._recheck()

    # ------------------------------------------------------------------------------------------------
    # workspace
    # ------------------------------------------------------------------------------------------------
    def _workspace_changed(self) -> None:
        self.workspace_panel.set_location(self.workspace.path, self.workspace.path == Workspace.default_path())
        if self._workspace_problem:
            self.statusBar().showMessage(self._workspace_problem, 15000)
            self._workspace_problem = ""
        self._refresh_workspace_lists()
        self.report_content.load_commentary()
        self.check_view.show_files_area()
        if self.session.imports:
            self.checks.schedule(0)

    def _refresh_workspace_lists(self, imports: list | None = None, shown: list | None = None) -> None:
        """The workspace's lists; ``imports`` (and ``shown``, their names masked) when a check's worker read
        them (the workspace does not change while a job runs)."""
        self.session.imports = imports if imports is not None else self.workspace.imports()
        masked = shown if shown is not None else [replace(row, name=self.session.mask(row.name))
                                                  for row in self.session.imports]
        self.workspace_panel.set_imports(masked)
        names = {row.sha256: row.name for row in self.session.imports}
        self.corrections_panel.set_corrections([correction_row(c, names, self.session.mask)
                                                for c in self.workspace.list_corrections()])
        self._update_report_controls()
        self._update_controls()

    def _workspace_switched(self) -> None:
        self._workspace_changed()
        self._inputs_changed()

    def _imports_removed(self) -> None:
        self._refresh_workspace_lists()  # names masked by the check on screen, before it is forgotten
        self.session.forget_check()
        self.session.changed()
        self._inputs_changed()

    # ------------------------------------------------------------------------------------------------
    # after a build
    # ------------------------------------------------------------------------------------------------
    def prepare_email(self) -> bool:
        """Save an email draft (.eml) with the last workbook attached; True when one was written."""
        return not self.jobs.busy and self.after_build.prepare_email(
            self.la_name_edit.text().strip(), self.period, self._today, inputs=self.analysis_paths,
            other_files=self.session.files_in_use())

    def enter_input_password(self) -> bool:
        """Ask for a password for the protected inputs, keep it for the session and check again."""
        if self.jobs.busy or self.session.analysis is None:
            return False
        names = protected_files(self.session.analysis.findings)
        if not names:
            return False
        password = ask_input_password(names, self)
        if password is None:
            return False
        if password not in self.session.input_passwords:
            self.session.input_passwords.append(password)
        # the finding stays for a file this password does not open: the user can try another
        self.session.forget_check()
        self._recheck()
        return True

    # ------------------------------------------------------------------------------------------------
    # settings and closing
    # ------------------------------------------------------------------------------------------------
    def save_settings(self) -> None:
        self.commentary_panel.flush()
        save_window_state(self, self.settings, self.period_row)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.jobs.stop_and_wait()
        self.stream.discard()
        self.drop_area.discard_dropped_files()  # copies of Outlook attachments never outlive the window
        self.checks.close()
        self.workspace.close()
        super().closeEvent(event)

