"""The main window: drop inputs in, see what each is and what is wrong, deal with it, build the workbook.

One window, in the order the QA officer works: the period and LA name (``PeriodRow``), the Inputs
(``InputsPanel``: what each file was recognised as), the Findings and the report's own content on tabs below
(``ReportTabs``: findings, key messages, commentary, feedback, corrections, the workspace), and the Build line
(``BuildPanel``). Before anything is added, the three steps of the work fill the space the tabs will take
(``StepsPanel``).

Each panel owns its widgets, and each flow is a small controller sharing one ``Session`` (the inputs, the
workspace, the check on screen): ``InputsFlow`` (add, remove, passwords for protected inputs),
``CheckAndBuild`` (when a check or build starts, what its result changes) with ``JobRunner`` (one job at a
time off the UI thread, and what its ending says) and ``CheckView`` (what a check puts on screen),
``FindingActions``, ``SendBackFlow``, ``WorkspaceActions``, ``ReportContent`` (settings, drafts, commentary)
and ``AfterBuild`` (the workbook and its email draft). The window makes them, connects their signals and
keeps the controls in step with the state.

Passwords stay in memory: the one protecting a workbook is asked for at each build and dropped when the
build ends; the ones opening protected inputs are kept until the window closes. Neither is written to the
settings, the workspace or a crash report.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from ..core.calendar import Period
from ..core.workspace import Workspace
from .after_build import AfterBuild
from .app_settings import AppSettings
from .build_panel import BuildPanel
from .check_and_build import CheckAndBuild
from .check_view import CheckView
from .corrections import NOTHING_TO_CORRECT, can_correct, correction_row
from .finding_actions import FindingActions
from .help import build_help_menu
from .inputs_flow import InputsFlow
from .inputs_panel import InputsPanel
from .job_runner import JobRunner
from .jobs import set_aside_startup_objects
from .period_row import PeriodRow
from .progress_panel import ProgressPanel
from .report_content import ReportContent
from .report_tabs import ReportTabs
from .send_back_flow import SendBackFlow
from .session import Session
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
        self._build_panels()
        self._build_controllers()
        self._wire_panels()
        release_tab_traps(self)
        # top to bottom, as the work goes: period, LA name, Settings, the inputs, the tabs, Build, the status bar
        set_tab_order([*self.period_row.focus_chain(), *self.inputs_panel.focus_chain(), self.report_tabs,
                       *self.build_panel.focus_chain(), self.progress.cancel_button, *self.after_build.buttons()])
        restore_window_state(self, self.settings, self.period_row)
        self._workspace_changed()
        self._update_controls()
        set_aside_startup_objects()

    # ------------------------------------------------------------------------------------------------
    # layout: the panels, then the controllers, then the wires between them
    # ------------------------------------------------------------------------------------------------
    def _build_panels(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 6, 8, 4)
        self.period_row = PeriodRow(self._today)
        outer.addWidget(self.period_row)
        self.inputs_panel = InputsPanel()
        self.steps_panel = StepsPanel()
        self.report_tabs = ReportTabs(self.inputs_panel.model, source_paths=lambda: self.session.sources.paths)
        self.lower = QStackedWidget()  # the three steps until an input is added, then the tabs
        self.lower.addWidget(self.steps_panel)
        self.lower.addWidget(self.report_tabs)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.inputs_panel)
        self.splitter.addWidget(self.lower)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([230, 480])
        outer.addWidget(self.splitter, 1)
        self.build_panel = BuildPanel()
        outer.addWidget(self.build_panel)
        self.setCentralWidget(central)

        self.progress = ProgressPanel()
        self.statusBar().addWidget(self.progress, 1)
        self.after_build = AfterBuild(self)  # the last workbook and its email draft; buttons in the status bar
        for button in self.after_build.buttons():  # beside "Workbook saved: …"
            self.statusBar().addPermanentWidget(button)
        self.offline_label = QLabel(OFFLINE_TEXT)
        self.offline_label.setAccessibleName("Privacy: offline, files stay on this laptop")
        self.statusBar().addPermanentWidget(self.offline_label)
        self.menu_actions = WindowActions(self)  # not "actions": QWidget.actions() is a method
        build_help_menu(self, lambda: self.workspace.path)
        self._name_widgets()

    def _name_widgets(self) -> None:
        """The names the rest of the app, its tests and scripts use for the panels' widgets."""
        row, inputs, tabs, build = self.period_row, self.inputs_panel, self.report_tabs, self.build_panel
        self.period_edit, self.la_name_edit, self.settings_button = row.period_edit, row.la_name_edit, \
            row.settings_button
        self.inputs_model, self.inputs_view, self.drop_area = inputs.model, inputs.view, inputs.drop_area
        self.add_files_button, self.add_folder_button = inputs.add_files_button, inputs.add_folder_button
        self.remove_button, self.enter_password_button = inputs.remove_button, inputs.enter_password_button
        self.protected_label, self.protected_row = inputs.protected_label, inputs.protected_row
        self.findings_panel, self.messages_panel = tabs.findings_panel, tabs.messages_panel
        self.commentary_panel, self.feedback_panel = tabs.commentary_panel, tabs.feedback_panel
        self.corrections_panel, self.workspace_panel = tabs.corrections_panel, tabs.workspace_panel
        findings = self.findings_panel
        self.severity_buttons, self.search_edit = findings.severity_buttons, findings.search_edit
        self.findings_model, self.findings_proxy, self.findings_view = findings.model, findings.proxy, findings.table
        self.findings_count_label = findings.count_label
        self.build_button, self.protect_checkbox = build.build_button, build.protect_checkbox
        self.build_summary_label, self.blank_reasons_label = build.summary_label, build.blank_label
        self.open_button, self.show_folder_button = build.open_button, build.show_folder_button
        self.email_button, self.open_email_button = self.after_build.buttons()

    def _build_controllers(self) -> None:
        session, busy = self.session, lambda: self.jobs.busy
        self.stream = StreamBatcher(self)
        self.jobs = JobRunner(self, self.progress, self.stream,
                              lambda kind: self.check_view.crash_context(kind, self.period))
        self.report_content = ReportContent(self, session, self.settings, self.period_row, self.messages_panel,
                                            self.commentary_panel, self.feedback_panel)
        self.check_view = CheckView(session, self.inputs_panel, self.findings_panel, self.build_panel, self.lower,
                                    self.stream, self.report_content.with_la_name, parent=self)
        self.inputs_flow = InputsFlow(self, session, self.inputs_panel, busy)
        self.finding_actions = FindingActions(self, session, busy, self.findings_panel.selected_findings)
        self.send_back_flow = SendBackFlow(self, session, self.jobs, self.progress,
                                           options=lambda: self.report_content.build_options(self.period),
                                           folder=lambda: self.settings.output_folder() or Path.home(),
                                           today=self._today)
        self.workspace_actions = WorkspaceActions(self, session, self.settings, busy, self._today)
        # the window's own controls follow a job's start and end before a check asked for meanwhile starts
        self.jobs.started.connect(self._job_started_or_ended)
        self.jobs.ended.connect(self._job_started_or_ended)
        self.checks = CheckAndBuild(self, session, self.jobs, self.check_view, self.report_content,
                                    self.after_build, self.progress, self.stream, self.settings, self.period_row)

    def _wire_panels(self) -> None:
        row, inputs, findings, build = self.period_row, self.inputs_panel, self.findings_panel, self.build_panel
        content, checks, flow, actions = self.report_content, self.checks, self.inputs_flow, self.finding_actions
        workspace, menu = self.workspace_actions, self.menu_actions
        row.settings_requested.connect(lambda: content.open_settings_dialog())
        row.period_changed.connect(self._period_changed)
        row.la_name_changed.connect(self._update_controls)
        row.la_name_edited.connect(self.settings.set_la_name)
        inputs.add_files_requested.connect(flow.choose_files)
        inputs.add_folder_requested.connect(flow.choose_folder)
        inputs.remove_requested.connect(flow.remove_selected)
        inputs.selection_changed.connect(self._update_controls)
        inputs.show_file_requested.connect(self.report_tabs.show_file_findings)
        inputs.attention_requested.connect(self.report_tabs.show_attention)
        inputs.continue_requested.connect(checks.continue_reading)
        inputs.password_requested.connect(flow.enter_input_password)
        self.drop_area.paths_dropped.connect(flow.add_paths)
        self.drop_area.notice.connect(flow.say_what_was_left)
        findings.correct_requested.connect(actions.correct_finding)
        findings.status_requested.connect(actions.set_finding_status)
        findings.send_back_requested.connect(self.send_back_flow.send_back)
        self.findings_view.selectionModel().selectionChanged.connect(lambda *_: self._update_report_controls())
        self.feedback_panel.leave_out_all_changed.connect(content.set_leave_out_all)
        self.corrections_panel.correct_requested.connect(actions.correct_selected)
        self.corrections_panel.undo_requested.connect(actions.undo_correction)
        self.workspace_panel.remove_requested.connect(workspace.remove_imports)
        self.workspace_panel.open_requested.connect(workspace.open_file)
        self.workspace_panel.new_requested.connect(workspace.new_file)
        self.workspace_panel.purge_requested.connect(workspace.purge)
        build.build_requested.connect(self.build_workbook)
        build.open_requested.connect(self.after_build.open_workbook)
        build.show_folder_requested.connect(self.after_build.show_in_folder)
        build.fix_requested.connect(self.fix_blank_reason)
        self.progress.cancel_requested.connect(self.cancel_current)
        menu.cancel_action.triggered.connect(self.cancel_current)
        menu.search_action.triggered.connect(self.report_tabs.focus_search)
        menu.continue_action.triggered.connect(checks.continue_reading)
        menu.open_workspace_action.triggered.connect(workspace.open_file)
        menu.new_workspace_action.triggered.connect(workspace.new_file)
        menu.find_audit_action.triggered.connect(workspace.find_audit)
        menu.settings_action.triggered.connect(lambda: content.open_settings_dialog())
        # what the controllers say
        self.jobs.busy_changed.connect(self.busy_changed)
        self.stream.flushed.connect(self.check_view.show_streamed)
        self.check_view.shown.connect(self._update_controls)
        checks.analysis_ready.connect(self.analysis_ready)
        checks.build_succeeded.connect(self.build_succeeded)
        checks.imports_read.connect(self._refresh_workspace_lists)
        content.recheck_needed.connect(self._recheck)
        flow.inputs_changed.connect(self._inputs_changed)
        flow.input_imports_removed.connect(self._refresh_workspace_lists)
        flow.recheck_needed.connect(self._recheck)
        actions.corrections_changed.connect(self._corrections_changed)
        actions.statuses_changed.connect(lambda: self.check_view.show_statuses(self.session.analysis))
        self.send_back_flow.sent.connect(self.sent_back)
        workspace.switching.connect(self.commentary_panel.flush)
        workspace.switched.connect(self._workspace_switched)
        workspace.imports_removed.connect(self._imports_removed)
        self.after_build.email_requested.connect(self.prepare_email)
        self.after_build.changed.connect(self._update_controls)

    # ------------------------------------------------------------------------------------------------
    # the state, and the controls kept in step with it
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

    @property
    def last_output(self) -> Path | None:
        return self.after_build.output

    def _build_blocker(self) -> str:
        """Why Build cannot run now ("" when it can): said on the Build line and in the button's tooltip."""
        if not self.session.has_inputs:
            return "Add the auditors' returns first (Add files\u2026 or Add folder\u2026, or drop them on Inputs)."
        if not self.period_row.la_name().strip():
            return "Enter the LA name first (at the top of the window)."
        if self.jobs.busy:
            return "Wait until the current step has finished, or stop it with Esc."
        return ""

    def _update_controls(self) -> None:
        has_output = self.after_build.output is not None and not self.jobs.busy
        self.build_panel.set_state(self._build_blocker(), self.check_view.build_summary(self.period), has_output)
        self.remove_button.setEnabled(not self.jobs.busy and self.inputs_panel.has_selection())
        self.after_build.set_idle(not self.jobs.busy)
        self.inputs_panel.set_busy(self.jobs.busy)
        self.findings_panel.set_can_act(not self.jobs.busy and self.session.analysis is not None)

    def _update_report_controls(self) -> None:
        finding = self.finding_actions.selected_finding()
        idle = not self.jobs.busy and self.session.analysis is not None
        possible = idle and can_correct(finding)
        why = NOTHING_TO_CORRECT if idle else "Wait until the check has finished."
        self.corrections_panel.set_can_correct(possible, why)
        self.workspace_panel.set_busy(self.jobs.busy)
        self.findings_panel.set_can_act(idle)

    def _job_started_or_ended(self) -> None:
        self._update_controls()
        self._update_report_controls()

    # ------------------------------------------------------------------------------------------------
    # what the user asks for, passed on
    # ------------------------------------------------------------------------------------------------
    def add_paths(self, paths: Sequence[str | Path]) -> None:
        """Queue paths (dropped, picked or given on the command line); taken in once control returns."""
        self.inputs_flow.add_paths(paths)

    def build_workbook(self) -> None:
        if not self._build_blocker():
            self.checks.build(protect=self.protect_checkbox.isChecked())

    def cancel_current(self) -> None:
        self.jobs.cancel()

    def fix_blank_reason(self, reason) -> None:
        """Go where a reason for blank figures is put right: the setting's page, or Add files… for a later input."""
        if reason.kind == "setting":
            self.report_content.open_settings_dialog(setting=reason.key)
        else:
            self.inputs_flow.choose_files()

    def prepare_email(self) -> bool:
        """Save an email draft (.eml) with the last workbook attached; True when one was written."""
        return not self.jobs.busy and self.after_build.prepare_email(
            self.period_row.la_name().strip(), self.period, self._today, inputs=self.session.sources.analysis_paths,
            other_files=self.session.files_in_use())

    # ------------------------------------------------------------------------------------------------
    # what changed, and what follows from it
    # ------------------------------------------------------------------------------------------------
    def _period_changed(self) -> None:
        self.checks.period_changed()
        self._update_controls()
        self.report_content.load_commentary()

    def _inputs_changed(self) -> None:
        self.check_view.show_files_area()
        self.checks.schedule(0)
        self._update_controls()

    def _recheck(self) -> None:
        """Check again with the same inputs (settings, corrections or the workspace changed)."""
        self.session.changed()
        self.checks.schedule(0)
        self._update_controls()

    def _corrections_changed(self) -> None:
        self._refresh_workspace_lists()
        self._recheck()

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

    def _workspace_switched(self) -> None:
        self._workspace_changed()
        self._inputs_changed()

    def _imports_removed(self) -> None:
        self._refresh_workspace_lists()  # names masked by the check on screen, before it is forgotten
        self.session.forget_check()
        self.session.changed()
        self._inputs_changed()

    def _refresh_workspace_lists(self, imports: list | None = None, shown: list | None = None) -> None:
        """The workspace's lists; ``imports`` (and ``shown``, their names masked) when a check's worker read
        them (the workspace does not change while a job runs)."""
        session = self.session
        session.imports = imports if imports is not None else self.workspace.imports()
        masked = shown if shown is not None else [replace(row, name=session.mask(row.name))
                                                  for row in session.imports]
        self.workspace_panel.set_imports(masked)
        names = {row.sha256: row.name for row in session.imports}
        self.corrections_panel.set_corrections([correction_row(c, names, session.mask)
                                                for c in self.workspace.list_corrections()])
        self._update_report_controls()
        self._update_controls()

    # ------------------------------------------------------------------------------------------------
    # closing
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
