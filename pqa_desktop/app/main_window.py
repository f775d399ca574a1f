"""The main window: drop inputs in, see what each is and what is wrong, build the workbook.

One window, in the order the QA officer works: the period and LA name, the inputs (drop area and list),
the findings (filtered and counted), then Build. The window only arranges widgets and moves values between
them and ``pqa_desktop.core.pipeline``; every check and figure is the core's. Pipeline work runs in a
``PipelineJob`` thread, one at a time; a change of inputs or period while a check runs cancels it and
starts a fresh one when it has stopped.

Beside the inputs and findings, tabs hold what the QA officer adds to the report before building: the
drafted key messages (editable), the commentary per section (kept in the workspace per month), the
feedback items (each can be left out), the corrections (kept in the workspace, never in the inputs) and
the workspace itself (its imports, earlier months included). Settings are a dialog; the workspace file
and the audit-key search are on the Workspace menu.

Passwords stay in memory: the one protecting a workbook is asked for at each build and dropped when the
build ends; the ones opening protected inputs are kept until the window closes. Neither is written to the
settings, the workspace or a crash report.
"""
from __future__ import annotations

import re

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QDate, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDateEdit, QDialog, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMainWindow, QMessageBox, QPushButton,
                               QSplitter, QTableView, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from ..core import pipeline
from ..core.calendar import Period, last_complete_month, month_start
from ..core.email_draft import write_email_draft
from ..core.findings import Severity
from ..core.output_paths import draft_problem, output_problem
from ..core.settings import Settings
from ..core.workspace import Workspace, WorkspaceError
from .app_settings import AppSettings
from .audit_search import AuditSearchDialog
from .corrections import (NOTHING_TO_CORRECT, CorrectionsPanel, DuplicateDialog, TreatAsDialog, can_correct,
                          current_user, duplicate_group, input_for_finding, is_duplicate, treat_as_choices)
from .crash import write_crash_report
from .drop_area import DropArea
from .feedback_panel import FeedbackPanel
from .findings_model import severity_toggle_text, shown_label
from .findings_view import FindingsPanel
from .inputs_model import InputsTableModel, SUMMARY_ROLE, attention_summary
from .jobs import ANALYSE, BUILD, PipelineJob
from .messages_panel import CommentaryPanel, MessagesPanel
from .passwords import PROTECTED_INPUT_RULE, InputPasswordDialog, OutputPasswordDialog
from .progress_panel import ProgressPanel
from .settings_dialog import SettingsDialog
from .workspace_panel import WorkspacePanel

WINDOW_TITLE = "PQA Desktop"
OFFLINE_TEXT = "Offline \u2014 files stay on this laptop"
PERIOD_RECHECK_MS = 400  # typing "2024" in the year steps through 2, 20, 202: check once, when it settles
EARLIEST_PERIOD = QDate(2015, 1, 1)
WORKBOOK_FILTER = "Excel workbook (*.xlsx)"
WORKSPACE_FILTER = "PQA Desktop workspace (*.sqlite);;All files (*)"
EMAIL_FILTER = "Email draft (*.eml)"
# the report tabs beside the inputs and findings
MESSAGES_TAB, COMMENTARY_TAB, FEEDBACK_TAB, CORRECTIONS_TAB, WORKSPACE_TAB = range(5)


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return path != folder


class MainWindow(QMainWindow):
    busy_changed = Signal(bool)  # a pipeline job started (True) or the last one ended (False)
    analysis_ready = Signal()  # the inputs and findings lists show a fresh check
    build_succeeded = Signal(object)  # BuildResult

    def __init__(self, settings: AppSettings | None = None, today: date | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or AppSettings()
        self._today = today or date.today()
        self._sources: list[Path] = []  # what the user added: files, folders, zips, emails
        self._excluded: set[Path] = set()  # files removed from the list that sit inside an added folder
        self._queued: list[Path] = []  # dropped or picked, not yet taken in (see add_paths)
        self._analysis: pipeline.Analysis | None = None
        self._analysis_key: tuple | None = None  # (paths, period) the analysis above was made from
        self._job: PipelineJob | None = None
        self._recheck_after_job = False
        self._last_output: Path | None = None
        self._last_result: pipeline.BuildResult | None = None  # the last build's figures, for the email draft
        self._last_protected = False  # whether the last workbook was saved with a password
        self._last_draft: Path | None = None  # the last email draft written
        self._input_passwords: list[str] = []  # opens protected inputs; this session only, never stored
        self.report_settings: Settings = self.settings.report_settings()
        # bumped by each change that needs a fresh check of the same inputs (a correction, a removed import,
        # new settings, another workspace): part of the key the analysis on screen is compared with
        self._generation = 0
        self._imports: list = []  # Workspace.imports(), refreshed after each change and each check
        self._closed = False
        self.workspace = self._open_first_workspace()

        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName(WINDOW_TITLE)
        self._build_widgets()
        self._restore_settings()
        self._workspace_changed()
        self._update_controls()

    # ------------------------------------------------------------------------------------------------
    # layout
    # ------------------------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)

        # period and LA name (the settings that change every build sit on the main screen)
        self.period_edit = QDateEdit()
        self.period_edit.setDisplayFormat("MMMM yyyy")
        self.period_edit.setDateRange(EARLIEST_PERIOD, _qdate(month_start(self._today)))
        self.period_edit.setDate(_qdate(last_complete_month(self._today)))
        self.period_edit.setAccessibleName("Period end month")
        self.period_edit.setToolTip("The last month the workbook reports on")
        self.la_name_edit = QLineEdit()
        self.la_name_edit.setPlaceholderText("e.g. Anytown Council")
        self.la_name_edit.setAccessibleName("Local authority name")
        self.la_name_edit.setToolTip("Shown on the workbook's cover")
        form = QFormLayout()
        period_label = QLabel("&Period end month:")
        period_label.setBuddy(self.period_edit)
        la_label = QLabel("&LA name:")
        la_label.setBuddy(self.la_name_edit)
        form.addRow(period_label, self.period_edit)
        form.addRow(la_label, self.la_name_edit)
        outer.addLayout(form)

        # the report's own content (key messages, commentary, feedback, corrections, workspace) on tabs beside
        # the inputs; the findings below get the full width their messages need
        top = QSplitter(Qt.Orientation.Horizontal)
        top.setChildrenCollapsible(False)
        top.addWidget(self._build_inputs_group())
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self._build_findings_group())
        top.addWidget(self._build_report_tabs())
        top.setStretchFactor(0, 1)
        top.setStretchFactor(1, 1)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        outer.addWidget(splitter, 1)
        outer.addLayout(self._build_build_row())
        self.setCentralWidget(central)

        self.progress = ProgressPanel()
        self.progress.cancel_requested.connect(self.cancel_current)
        self.offline_label = QLabel(OFFLINE_TEXT)
        self.offline_label.setAccessibleName("Privacy: offline, files stay on this laptop")
        self.statusBar().addWidget(self.progress, 1)
        # after a build, beside "Workbook saved: …": the email draft (kept off the Build row so the window
        # still fits a small laptop screen)
        self.statusBar().addPermanentWidget(self.email_button)
        self.statusBar().addPermanentWidget(self.open_email_button)
        self.statusBar().addPermanentWidget(self.offline_label)

        self.cancel_action = QAction("Cancel", self)
        self.cancel_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.cancel_action.triggered.connect(self.cancel_current)
        self.addAction(self.cancel_action)
        self._build_menu()

        self._analysis_timer = QTimer(self, singleShot=True)
        self._analysis_timer.timeout.connect(self._start_analysis)
        self.period_edit.dateChanged.connect(lambda _d: self._schedule_analysis(PERIOD_RECHECK_MS))
        self.period_edit.dateChanged.connect(lambda _d: self._update_controls())
        self.period_edit.dateChanged.connect(lambda _d: self._load_commentary())
        self.la_name_edit.textChanged.connect(lambda _t: self._update_controls())
        self.la_name_edit.editingFinished.connect(lambda: self.settings.set_la_name(self.la_name_edit.text()))

        QWidget.setTabOrder(self.period_edit, self.la_name_edit)
        QWidget.setTabOrder(self.la_name_edit, self.add_files_button)
        QWidget.setTabOrder(self.add_files_button, self.add_folder_button)
        QWidget.setTabOrder(self.add_folder_button, self.inputs_view)
        QWidget.setTabOrder(self.inputs_view, self.remove_button)
        QWidget.setTabOrder(self.remove_button, self.severity_buttons[Severity.ERROR])
        QWidget.setTabOrder(self.severity_buttons[Severity.ERROR], self.severity_buttons[Severity.WARNING])
        QWidget.setTabOrder(self.severity_buttons[Severity.WARNING], self.severity_buttons[Severity.INFO])
        QWidget.setTabOrder(self.severity_buttons[Severity.INFO], self.search_edit)
        QWidget.setTabOrder(self.findings_panel.tree, self.findings_view)  # the panel: search, Group by, tree
        QWidget.setTabOrder(self.findings_view, self.build_button)
        QWidget.setTabOrder(self.build_button, self.open_button)
        QWidget.setTabOrder(self.open_button, self.show_folder_button)
        QWidget.setTabOrder(self.show_folder_button, self.settings_button)
        QWidget.setTabOrder(self.settings_button, self.report_tabs)
        QWidget.setTabOrder(self.report_tabs, self.progress.cancel_button)

    def _build_inputs_group(self) -> QGroupBox:
        group = QGroupBox("Inputs")
        layout = QVBoxLayout(group)
        buttons = QHBoxLayout()
        self.add_files_button = QPushButton("&Add files\u2026")
        self.add_files_button.setAccessibleName("Add files")
        self.add_files_button.clicked.connect(self.choose_files)
        self.add_folder_button = QPushButton("Add &folder\u2026")
        self.add_folder_button.setAccessibleName("Add folder")
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.remove_button = QPushButton("&Remove selected")
        self.remove_button.setAccessibleName("Remove selected inputs")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.add_files_button)
        buttons.addWidget(self.add_folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)

        self.inputs_model = InputsTableModel(self)
        self.inputs_view = QTableView()
        self.inputs_view.setModel(self.inputs_model)
        self.inputs_view.setAccessibleName("Inputs list")
        self.inputs_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.inputs_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.inputs_view.verticalHeader().setVisible(False)
        self.inputs_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.inputs_view.selectionModel().selectionChanged.connect(lambda *_: self._update_controls())
        remove_action = QAction("Remove selected", self.inputs_view)
        remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove_action.triggered.connect(self.remove_selected)
        self.inputs_view.addAction(remove_action)
        self.inputs_summary_label = QLabel("")
        self.inputs_summary_label.setAccessibleName("Inputs summary")
        contents = QWidget()
        contents_layout = QVBoxLayout(contents)
        contents_layout.setContentsMargins(0, 0, 0, 0)
        contents_layout.addWidget(self.inputs_summary_label)
        contents_layout.addWidget(self.inputs_view)

        self.drop_area = DropArea(contents)
        self.drop_area.paths_dropped.connect(self.add_paths)
        # what part of a drop (e.g. Outlook attachments after the first) could not be taken in, and what to do
        self.drop_area.notice.connect(lambda text: QMessageBox.information(self, "Not everything was added", text))
        layout.addWidget(self.drop_area, 1)
        return group

    def _build_findings_group(self) -> QGroupBox:
        # The findings area is findings_view.FindingsPanel (group tree by file or rule, severity toggles,
        # search, sortable table, Ctrl+C copy, double-click opens the source file); the names below are
        # its widgets and models, kept so the rest of the window reads as before.
        group = QGroupBox("Findings")
        layout = QVBoxLayout(group)
        self.findings_panel = FindingsPanel(self.inputs_model, source_paths=lambda: list(self._sources))
        layout.addWidget(self.findings_panel)
        self.severity_buttons: dict[Severity, QPushButton] = self.findings_panel.severity_buttons
        self.search_edit = self.findings_panel.search_edit
        self.findings_count_label = self.findings_panel.count_label
        self.findings_model = self.findings_panel.model
        self.findings_proxy = self.findings_panel.proxy
        self.findings_view = self.findings_panel.table
        for severity, button in self.severity_buttons.items():
            button.toggled.connect(lambda on, s=severity: self._on_severity_toggled(s, on))
        self.search_edit.textChanged.connect(self._on_search_changed)
        # shown only while some input is password protected: its password opens it for this session
        self.protected_label = QLabel("")
        self.protected_label.setWordWrap(True)
        self.protected_label.setAccessibleName("Password-protected inputs")
        self.enter_password_button = QPushButton("Enter password\u2026")
        self.enter_password_button.setAccessibleName("Enter the password of a protected input")
        self.enter_password_button.clicked.connect(self.enter_input_password)
        self.protected_row = QWidget()
        protected_layout = QHBoxLayout(self.protected_row)
        protected_layout.setContentsMargins(0, 0, 0, 0)
        protected_layout.addWidget(self.protected_label, 1)
        protected_layout.addWidget(self.enter_password_button)
        layout.addWidget(self.protected_row)
        self.protected_row.setVisible(False)
        return group

    def _build_build_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.build_button = QPushButton("&Build workbook\u2026")
        self.build_button.setAccessibleName("Build workbook")
        self.build_button.clicked.connect(self.build_workbook)
        self.build_summary_label = QLabel("")
        self.build_summary_label.setAccessibleName("What the build will use")
        self.build_summary_label.setWordWrap(True)
        self.open_button = QPushButton("&Open workbook")
        self.open_button.setAccessibleName("Open workbook")
        self.open_button.clicked.connect(self.open_workbook)
        self.show_folder_button = QPushButton("Show in fol&der")
        self.show_folder_button.setAccessibleName("Show workbook in folder")
        self.show_folder_button.clicked.connect(self.show_in_folder)
        self.protect_checkbox = QCheckBox("Protect wit&h a password\u2026")
        self.protect_checkbox.setAccessibleName("Protect the workbook with a password")
        self.protect_checkbox.setToolTip("Build asks for a password (twice) and saves the workbook encrypted; "
                                         "the password is not kept")
        # tool buttons: in the status bar a push button's height would make the window taller
        self.email_button = QToolButton()
        self.email_button.setText("Prepare email\u2026")
        self.email_button.setAccessibleName("Prepare email")
        self.email_button.setToolTip("Save an email draft with the workbook attached and the headline figures")
        self.email_button.clicked.connect(self.prepare_email)
        self.open_email_button = QToolButton()
        self.open_email_button.setText("Open email draft")
        self.open_email_button.setAccessibleName("Open email draft")
        self.open_email_button.setToolTip("Open the draft in your email program (Outlook opens it ready to send)")
        self.open_email_button.clicked.connect(self.open_email_draft)
        row.addWidget(self.build_button)
        row.addWidget(self.protect_checkbox)
        row.addWidget(self.build_summary_label, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.show_folder_button)
        # the settings sit with Build: they decide what the workbook shows
        self.settings_button = QPushButton("Settin&gs\u2026")
        self.settings_button.setAccessibleName("Settings")
        self.settings_button.setToolTip("Population, service areas, targets, privacy and the other settings")
        self.settings_button.clicked.connect(self.open_settings_dialog)
        row.addWidget(self.settings_button)
        return row

    # ------------------------------------------------------------------------------------------------
    # state shown to the user
    # ------------------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._job is not None

    @property
    def sources(self) -> list[Path]:
        return list(self._sources)

    @property
    def period(self) -> Period:
        d = self.period_edit.date()
        return Period(date(d.year(), d.month(), 1))

    @property
    def last_output(self) -> Path | None:
        return self._last_output

    def _build_blocker(self) -> str:
        """Why Build cannot run now ("" when it can): a disabled button says why in its tooltip."""
        if not self._sources and not self._imports:
            return "Add the auditors' returns first."
        if not self.la_name_edit.text().strip():
            return "Enter the LA name first."
        if self._job is not None:
            return "Wait until the current step has finished, or cancel it."
        return ""

    def _update_controls(self) -> None:
        blocker = self._build_blocker()
        self.build_button.setEnabled(not blocker)
        self.build_button.setToolTip(blocker or f"Build the {self.period.label} workbook and save it")
        self.remove_button.setEnabled(self._job is None and self.inputs_view.selectionModel().hasSelection())
        has_output = self._last_output is not None and self._job is None
        self.open_button.setEnabled(has_output)
        self.show_folder_button.setEnabled(has_output)
        self.email_button.setEnabled(has_output and self._last_result is not None)
        self.open_email_button.setEnabled(self._last_draft is not None and self._job is None)
        self.enter_password_button.setEnabled(self._job is None)
        self.build_summary_label.setText(self._build_summary())

    def _build_summary(self) -> str:
        if not self._sources and not self._imports:
            return ""
        text = f"{self.period.label}"
        if self._analysis is not None and self._analysis_key == self._current_key():
            rows = self.inputs_model.rowCount()
            errors = self.findings_model.severity_counts()[Severity.ERROR]
            text += f", {rows} input{'s' if rows != 1 else ''}"
            if errors:
                text += f"; {errors} open error{'s' if errors != 1 else ''} (they do not block the build)"
        return text

    def _update_findings_count(self, *_args) -> None:
        self.findings_count_label.setText(shown_label(self.findings_proxy.rowCount(),
                                                      self.findings_model.rowCount()))

    def _show_analysis(self, analysis: pipeline.Analysis | None) -> None:
        rows = analysis.summaries() if analysis is not None else []
        findings = analysis.findings if analysis is not None else []
        self.inputs_model.set_rows(rows)
        self.inputs_summary_label.setText(attention_summary(rows))
        self.findings_model.set_findings(findings)
        counts = self.findings_model.severity_counts()
        for severity, button in self.severity_buttons.items():
            button.setText(severity_toggle_text(severity, counts[severity]))
        self._update_findings_count()
        self._show_protected(findings)
        self._update_controls()

    def _protected_files(self, findings) -> list[str]:
        return sorted({f.file for f in findings if f.rule == PROTECTED_INPUT_RULE})

    def _show_protected(self, findings) -> None:
        names = self._protected_files(findings)
        if names:
            count = len(names)
            self.protected_label.setText(f"{count} input{'s are' if count != 1 else ' is'} password protected "
                                         "and could not be read. Enter the password to include "
                                         f"{'them' if count != 1 else 'it'}.")
        self.protected_row.setVisible(bool(names))

    def _on_severity_toggled(self, severity: Severity, on: bool) -> None:
        self.findings_proxy.set_severity_visible(severity, on)
        self._update_findings_count()

    def _on_search_changed(self, text: str) -> None:
        self.findings_proxy.set_search_text(text)
        self._update_findings_count()

    # ------------------------------------------------------------------------------------------------
    # inputs
    # ------------------------------------------------------------------------------------------------
    def add_paths(self, paths: Sequence[str | Path]) -> None:
        """Queue paths and return at once; they are taken in on a zero-delay timer (Picard's pattern)."""
        self._queued.extend(Path(p) for p in paths)
        QTimer.singleShot(0, self._take_queued)

    def _take_queued(self) -> None:
        queued, self._queued = self._queued, []
        added = missing = 0
        for path in queued:
            path = path.absolute()
            if not path.exists():
                missing += 1
                continue
            self._excluded.discard(path)
            if path in self._sources:
                continue
            self._sources.append(path)
            added += 1
        if missing:
            self.statusBar().showMessage(
                f"{missing} dropped item{'s were' if missing != 1 else ' was'} not found on disk and left out.", 8000)
        if added:
            self._inputs_changed()

    def choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, "Add files", "", "Returns and exports (*.xlsx *.xlsm *.xls *.csv *.zip *.eml *.msg);;All files (*)")
        if paths:
            self.add_paths(paths)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add folder")
        if folder:
            self.add_paths([folder])

    def remove_selected(self) -> None:
        if self._job is not None:
            return
        rows = sorted({index.row() for index in self.inputs_view.selectionModel().selectedRows()})
        if not rows:
            return
        import_ids = []
        for row in rows:
            summary = self.inputs_model.index(row, 0).data(SUMMARY_ROLE)
            if summary is not None and summary.import_id is not None:
                import_ids.append(summary.import_id)  # kept in the workspace: the check would bring it back
            if summary is None or not summary.path:
                continue
            path = Path(summary.path).absolute()
            if path in self._sources:
                self._sources.remove(path)  # an added file, zip or email: everything it held goes
            elif any(_is_under(path, source) for source in self._sources):
                self._excluded.add(path)  # a file found in an added folder: leave the folder, skip the file
        self.inputs_model.remove_rows(rows)
        self.inputs_view.selectionModel().clear()
        if import_ids:
            try:
                for import_id in import_ids:
                    self.workspace.remove_import(import_id)
            except WorkspaceError as exc:
                QMessageBox.warning(self, "Not removed from the workspace", str(exc))
            self._refresh_workspace_lists()
            self._generation += 1
        self._inputs_changed()

    def analysis_paths(self) -> list[Path]:
        """What the pipeline is given: the added items, with any folder that had files removed from the list
        replaced by the files left in it."""
        out: list[Path] = []
        for source in self._sources:
            if source.is_dir() and any(_is_under(x, source) for x in self._excluded):
                out.extend(sorted(p for p in source.rglob("*") if p.is_file() and p not in self._excluded))
            else:
                out.append(source)
        return out

    def _current_key(self) -> tuple:
        return (tuple(self.analysis_paths()), self.period, self._generation)

    def _inputs_changed(self) -> None:
        self.drop_area.show_contents(bool(self._sources or self._imports))
        self._schedule_analysis(0)
        self._update_controls()

    # ------------------------------------------------------------------------------------------------
    # jobs
    # ------------------------------------------------------------------------------------------------
    def _schedule_analysis(self, delay_ms: int) -> None:
        if self._closed:
            return  # the window has closed its workspace: nothing may start on it
        self._analysis_timer.start(delay_ms)

    def _start_analysis(self) -> None:
        if self._job is not None:
            # one job at a time: stop a stale check, and check again once whatever runs has ended
            self._recheck_after_job = True
            if self._job.kind == ANALYSE:
                self._job.request_cancel()
            return
        if not self._sources and not self._imports:
            self._analysis, self._analysis_key = None, None
            self._show_analysis(None)
            self._show_drafts({}, [])
            self.progress.finish("")
            return
        key = self._current_key()
        paths, period, _generation = key
        if self._analysis is not None and self._analysis_key == key:
            return
        workspace = self.workspace
        options = self._build_options(period)
        # passed only when there are some: the session's passwords, tried on every protected input
        passwords = {"passwords": tuple(self._input_passwords)} if self._input_passwords else {}
        drafts: dict = {}  # filled in the worker, read once the job has ended

        def work(progress, cancel):
            analysis = pipeline.analyse(list(paths), period, progress=progress, cancel=cancel, workspace=workspace,
                                        **passwords)
            if analysis.usable:
                # the drafted key messages and the feedback items come from the figures: worked out here,
                # off the UI thread, so the tabs are ready when the check is
                drafts["messages"] = pipeline.compute(analysis, options)[1]
                drafts["feedback"] = pipeline.feedback_items(analysis, options)
            return analysis

        job = self._start_job(ANALYSE, work, "Checking the inputs\u2026", delayed=True, analysis_key=key)
        job.drafts = drafts

    def build_workbook(self) -> None:
        if self._build_blocker():
            return
        output = self._ask_output_path()
        if output is None:
            return
        password = None
        if self.protect_checkbox.isChecked():
            password = self._ask_output_password()
            if password is None:
                return
        self.settings.set_output_folder(output.parent)
        self.settings.set_la_name(self.la_name_edit.text())
        self.commentary_panel.flush()
        key = self._current_key()
        paths, period, _generation = key
        options = self._build_options(period, for_build=True)
        options.password = password  # this build only: the options go with the job and are dropped after it
        # reuse the check already on screen when it was made from these inputs and this period
        analysis = self._analysis if self._analysis_key == key else None
        workspace = self.workspace

        def work(progress, cancel):
            try:
                return pipeline.build(list(paths), output, options, progress=progress, cancel=cancel,
                                      analysis=analysis, workspace=workspace)
            finally:
                options.password = None  # held no longer than the build

        job = self._start_job(BUILD, work, "Building the workbook\u2026", delayed=False, analysis_key=key,
                              output=output)
        job.protected = password is not None  # whether, never what

    def _ask_output_password(self) -> str | None:
        """The password for this build, asked twice; None when the user cancels."""
        dialog = OutputPasswordDialog(self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.password() or None
        finally:
            dialog.clear()
            dialog.deleteLater()

    def _ask_output_path(self) -> Path | None:
        folder = self.settings.output_folder() or Path.home()
        la = _file_slug(self.la_name_edit.text()) or "pqa"
        suggested = folder / f"{la}-pqa-{self.period.end_month:%Y-%m}.xlsx"
        chosen, _filter = QFileDialog.getSaveFileName(self, "Save the workbook as", str(suggested), WORKBOOK_FILTER)
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        # Checked before anything is built: never over an input or the workspace, and a path that cannot be
        # written is said in plain words now rather than after the build (the same check as the command line).
        problem = output_problem(path, inputs=self.analysis_paths(), other_files=self._files_read())
        if problem is not None:
            QMessageBox.warning(self, "The workbook cannot be saved there", problem)
            return None
        return path

    def _files_read(self) -> dict[str, Path | None]:
        return {"the workspace": getattr(self.workspace, "path", None)}

    def _start_job(self, kind: str, work, text: str, *, delayed: bool, analysis_key: tuple,
                   output: Path | None = None) -> PipelineJob:
        self.workspace_panel.set_busy(True)
        job = PipelineJob(kind, work, self)
        job.analysis_key = analysis_key  # what the result will describe
        job.output = output
        job.progressed.connect(self.progress.report)
        job.succeeded.connect(self._on_job_succeeded)
        job.failed.connect(self._on_job_failed)
        job.cancelled.connect(self._on_job_cancelled)
        job.finished.connect(self._on_job_finished)
        self._job = job
        self.progress.start(text, delayed=delayed)
        self._update_controls()
        self.busy_changed.emit(True)
        job.start()
        return job

    def cancel_current(self) -> None:
        if self._job is not None:
            self._job.request_cancel()
            self.progress.stage_label.setText("Stopping\u2026")
            self.progress.cancel_button.setEnabled(False)

    def _on_job_succeeded(self, result) -> None:
        job = self._job
        if job is None:
            return
        if job.kind == ANALYSE:
            self._analysis, self._analysis_key = result, job.analysis_key
            self._show_analysis(result)
            drafts = getattr(job, "drafts", {})
            self._show_drafts(drafts.get("messages", {}), drafts.get("feedback", []))
            self._refresh_workspace_lists()
            self.progress.finish(attention_summary(self.inputs_model.rows()) or "Inputs checked")
            self.analysis_ready.emit()
        else:
            if result.analysis is not self._analysis:  # built from a check of its own: show that check
                self._analysis, self._analysis_key = result.analysis, job.analysis_key
                self._show_analysis(result.analysis)
                self._refresh_workspace_lists()
            # else the check on screen is the one built from: redrawing its lists (a thousand inputs in
            # a large council) would only stop the window for a moment
            self._last_output = Path(result.output)
            self._last_result = result
            self._last_protected = bool(getattr(job, "protected", False))
            self._last_draft = None
            self.progress.finish(f"Workbook saved: {self._last_output.name}")
            self.build_succeeded.emit(result)

    def _on_job_cancelled(self) -> None:
        job = self._job
        if job is None:
            return
        if job.kind == BUILD:
            self.progress.finish("Build stopped; no workbook was written.")
        elif self._recheck_after_job:
            self.progress.finish("")  # superseded by a fresh check of the new inputs
        else:
            self.progress.finish("Check stopped; the lists show the last finished check.")

    def _on_job_failed(self, exc: BaseException) -> None:
        job = self._job
        kind = job.kind if job is not None else BUILD
        if kind == BUILD and isinstance(exc, pipeline.NothingToBuild):
            self.progress.finish("Nothing to build.")
            QMessageBox.warning(self, "Nothing to build", str(exc))
            return
        if kind == BUILD and isinstance(exc, pipeline.LeakFound):
            self.progress.finish("The workbook was not saved: it would have shown personal information.")
            QMessageBox.warning(
                self, "The workbook was not saved",
                f"{exc}\n\nWhat to do: in Settings\u2026 > Privacy, leave out what the places above show (case "
                "references, staff names) unless the recipients may see them; or correct the input that puts a "
                "name or identifier where a figure or comment belongs. Nothing was written.")
            return
        if kind == BUILD and isinstance(exc, OSError):
            output = getattr(job, "output", None)
            name = output.name if output is not None else "the workbook"
            self.progress.finish("The workbook could not be saved.")
            QMessageBox.warning(
                self, "Could not save the workbook",
                f"{name} could not be saved there. If it is open in Excel, close it; otherwise the folder may "
                "be read-only. Then build again, or pick another folder.")
            return
        report = None
        try:
            report = write_crash_report(exc, self._crash_context(kind))
        except OSError:
            pass
        what = "building the workbook" if kind == BUILD else "checking the inputs"
        where = (f"A report for support was saved as {report}. It holds no data from your files."
                 if report is not None else "A report for support could not be saved.")
        self.progress.finish("Something went wrong.")
        QMessageBox.critical(self, "Something went wrong",
                             f"Something went wrong while {what}, so it did not finish. {where} "
                             "Try again; if it happens again, send that report to support.")

    def _crash_context(self, kind: str) -> dict[str, object]:
        return {
            "Step": kind,
            "Inputs added": len(self._sources),
            "Inputs listed": self.inputs_model.rowCount(),
            "Findings": self.findings_model.rowCount(),
            "Period end": self.period.end_month.strftime("%Y-%m"),
        }

    def _on_job_finished(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        self._update_controls()
        self._update_report_controls()
        if self._recheck_after_job:
            self._recheck_after_job = False
            self._start_analysis()
        if self._job is None:
            self.busy_changed.emit(False)

    # ------------------------------------------------------------------------------------------------
    # report content: key messages, commentary, feedback (the tabs beside the findings)
    # ------------------------------------------------------------------------------------------------
    def _build_report_tabs(self) -> QTabWidget:
        self.messages_panel = MessagesPanel()
        self.commentary_panel = CommentaryPanel()
        self.feedback_panel = FeedbackPanel()
        self.corrections_panel = CorrectionsPanel()
        self.workspace_panel = WorkspacePanel()
        self.report_tabs = QTabWidget()
        self.report_tabs.setAccessibleName("Report content")
        self.report_tabs.addTab(self.messages_panel, "Key &messages")
        self.report_tabs.addTab(self.commentary_panel, "Commentar&y")
        self.report_tabs.addTab(self.feedback_panel, "Feedback")
        self.report_tabs.addTab(self.corrections_panel, "Corrections")
        self.report_tabs.addTab(self.workspace_panel, "Workspace")
        self.feedback_panel.set_leave_out_all(not self.report_settings.feedback_text)
        self.feedback_panel.leave_out_all_changed.connect(self._on_leave_out_all)
        self.corrections_panel.correct_requested.connect(self.correct_selected_finding)
        self.corrections_panel.undo_requested.connect(self.undo_correction)
        self.workspace_panel.remove_requested.connect(self.remove_imports)
        self.workspace_panel.open_requested.connect(self.open_workspace_file)
        self.workspace_panel.new_requested.connect(self.new_workspace_file)
        self.workspace_panel.purge_requested.connect(self.purge_workspace)
        self.findings_view.selectionModel().selectionChanged.connect(lambda *_: self._update_report_controls())
        return self.report_tabs

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("Wor&kspace")
        self.open_workspace_action = QAction("&Open workspace\u2026", self)
        self.open_workspace_action.triggered.connect(self.open_workspace_file)
        self.new_workspace_action = QAction("&New workspace\u2026", self)
        self.new_workspace_action.triggered.connect(self.new_workspace_file)
        self.find_audit_action = QAction("&Find an audit by its key\u2026", self)
        self.find_audit_action.setShortcut(QKeySequence("Ctrl+K"))
        self.find_audit_action.triggered.connect(self.find_audit)
        self.settings_action = QAction("&Settings\u2026", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings_dialog)
        for action in (self.open_workspace_action, self.new_workspace_action, None, self.find_audit_action,
                       None, self.settings_action):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)

    def _build_options(self, period: Period, *, for_build: bool = False) -> pipeline.BuildOptions:
        """What a build uses: the settings (LA name from the main screen), the workspace's secret and duplicate
        choices, the feedback left out and, for the build itself, the edited key messages and the commentary."""
        settings = replace(self.report_settings, la_name=self.la_name_edit.text().strip(), audit_key_secret=None)
        options = pipeline.BuildOptions(period=period, settings=settings,
                                        keep=self.workspace.keep_choices(),
                                        excluded_feedback=self.feedback_panel.excluded_keys(),
                                        audit_key_secret=self.workspace.secret(),
                                        input_passwords=tuple(self._input_passwords))
        if for_build:
            options.messages = self.messages_panel.edited_messages()
            options.commentary = self.commentary_panel.texts()
        return options

    def _show_drafts(self, messages: dict[str, list[str]], feedback: list) -> None:
        self.messages_panel.set_drafted(messages)
        self.feedback_panel.set_items(feedback)

    def _load_commentary(self) -> None:
        """Show the period's commentary (or the latest earlier month's, offered again); what was typed for the
        previous period is saved under that period first."""
        self.commentary_panel.flush()
        end = self.period.end_month
        texts = self.workspace.commentary_for(end)
        self.commentary_panel.save = lambda section, text, end=end: self._save_commentary(end, section, text)
        self.commentary_panel.load(texts, self.period.label)

    def _save_commentary(self, period_end: date, section: str, text: str) -> None:
        try:
            self.workspace.save_commentary(period_end, section, text)
        except WorkspaceError as exc:
            self.statusBar().showMessage(f"The commentary could not be saved: {exc}", 10000)

    def _on_leave_out_all(self, leave_out: bool) -> None:
        if self.report_settings.feedback_text == (not leave_out):
            return
        self.report_settings = replace(self.report_settings, feedback_text=not leave_out)
        self.settings.set_report_settings(replace(self.report_settings, la_name=self.la_name_edit.text()))
        self._recheck()

    def _recheck(self) -> None:
        """Check again with the same inputs (settings, corrections or the workspace changed)."""
        self._generation += 1
        self._schedule_analysis(0)
        self._update_controls()

    # ------------------------------------------------------------------------------------------------
    # settings dialog
    # ------------------------------------------------------------------------------------------------
    def open_settings_dialog(self) -> bool:
        current = replace(self.report_settings, la_name=self.la_name_edit.text().strip())
        dialog = SettingsDialog(current, self)
        dialog.new_secret_confirmed.connect(self._create_new_secret)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            chosen = dialog.settings()
        finally:
            dialog.deleteLater()
        self.report_settings = chosen
        self.la_name_edit.setText(chosen.la_name)
        self.settings.set_report_settings(chosen)
        self.feedback_panel.set_leave_out_all(not chosen.feedback_text)
        self._recheck()
        return True

    def _create_new_secret(self) -> None:
        try:
            self.workspace.new_secret()
        except WorkspaceError as exc:
            QMessageBox.warning(self, "No new secret", str(exc))
            return
        self.statusBar().showMessage("A new audit-key secret was created. Audit keys in new workbooks use it.", 8000)
        self._recheck()

    # ------------------------------------------------------------------------------------------------
    # corrections
    # ------------------------------------------------------------------------------------------------
    def selected_finding(self):
        chosen = self.findings_panel.selected_findings()
        return chosen[0] if chosen else None

    def _update_report_controls(self) -> None:
        finding = self.selected_finding()
        idle = self._job is None and self._analysis is not None
        possible = idle and can_correct(finding)
        why = NOTHING_TO_CORRECT if idle else "Wait until the check has finished."
        self.corrections_panel.set_can_correct(possible, why)
        self.workspace_panel.set_busy(self._job is not None)

    def correct_selected_finding(self) -> bool:
        finding = self.selected_finding()
        return finding is not None and self.correct_finding(finding)

    def correct_finding(self, finding) -> bool:
        """Ask how to correct one finding (which copy to keep, or what to treat a value as) and keep the answer
        in the workspace; then check again. True when a correction was made."""
        if self._analysis is None or self._job is not None:
            return False
        try:
            if is_duplicate(finding):
                group = duplicate_group(self._analysis, finding)
                if group is None or len(group.copies) < 2:
                    QMessageBox.information(self, "Nothing to choose", "The copies of this audit are no longer "
                                            "all in the inputs, so there is nothing to choose between.")
                    return False
                dialog = DuplicateDialog(group, self)
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return False
                self.workspace.choose_duplicate(group.identity, dialog.chosen.keep_file, dialog.reason,
                                                current_user())
            else:
                choices = treat_as_choices(finding)
                item = input_for_finding(self._analysis, finding)
                if not choices or item is None:
                    QMessageBox.information(self, "Nothing to correct here", NOTHING_TO_CORRECT)
                    return False
                dialog = TreatAsDialog(finding, choices, self)
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return False
                self.workspace.correct_value(item.sha256, finding.sheet, finding.cell, dialog.value, dialog.reason,
                                             current_user())
        except WorkspaceError as exc:
            QMessageBox.warning(self, "The correction was not saved", str(exc))
            return False
        self._corrections_changed()
        return True

    def undo_correction(self, correction) -> None:
        try:
            self.workspace.undo_correction(correction.id, current_user())
        except WorkspaceError as exc:
            QMessageBox.warning(self, "The correction was not undone", str(exc))
            return
        self._corrections_changed()

    def _corrections_changed(self) -> None:
        self._refresh_workspace_lists()
        self._recheck()

    def _correction_row(self, correction, names: dict[str, str]) -> tuple[object, str, str]:
        """(correction, where, value) for the list: file names masked, never a case reference."""
        if correction.kind == "value":
            sha, sheet, cell = correction.target
            return correction, f"{self._mask(names.get(sha, 'a removed file'))}, sheet {sheet}, cell {cell}", \
                str(correction.value)
        template_type, _reference, when = correction.target
        kind = {"case_file_audit": "Case file audit", "foster_carer_audit": "Foster carer audit",
                "edt_dip_sample": "EDT dip sample"}.get(template_type, "Audit")
        dated = when.strftime("%d/%m/%Y") if hasattr(when, "strftime") else str(when)
        return correction, f"{kind} dated {dated}", self._mask(str(correction.value))

    # ------------------------------------------------------------------------------------------------
    # workspace
    # ------------------------------------------------------------------------------------------------
    def _open_first_workspace(self) -> Workspace:
        """The workspace the user chose last, else the default one; a chosen one that cannot be opened (a
        shared drive not connected) falls back to the default and says so."""
        chosen = self.settings.workspace_path()
        if chosen is not None:
            try:
                return Workspace.open(chosen)
            except WorkspaceError as exc:
                self._workspace_problem = (f"The workspace {chosen} could not be opened, so the default one is "
                                           f"used. {exc}")
        return Workspace.open(Workspace.default_path())

    def _mask(self, name: str) -> str:
        return self._analysis.mask(name) if self._analysis is not None else name

    def _workspace_changed(self) -> None:
        self.workspace_panel.set_location(self.workspace.path, self.workspace.path == Workspace.default_path())
        problem = getattr(self, "_workspace_problem", "")
        if problem:
            self.statusBar().showMessage(problem, 15000)
            self._workspace_problem = ""
        self._refresh_workspace_lists()
        self._load_commentary()
        self.drop_area.show_contents(bool(self._sources or self._imports))
        if self._imports:
            self._schedule_analysis(0)

    def _refresh_workspace_lists(self) -> None:
        self._imports = self.workspace.imports()
        masked = [replace(row, name=self._mask(row.name)) for row in self._imports]
        self.workspace_panel.set_imports(masked)
        names = {row.sha256: row.name for row in self._imports}
        self.corrections_panel.set_corrections([self._correction_row(c, names)
                                                for c in self.workspace.list_corrections()])
        self._update_report_controls()
        self._update_controls()

    def remove_imports(self, rows: list) -> None:
        """Take imports out of the workspace (their records go with them); a file still among the inputs is
        removed from them too, or the next check would import it again."""
        if self._job is not None or not rows:
            return
        names = ", ".join(row.name for row in rows[:3]) + (f" and {len(rows) - 3} more" if len(rows) > 3 else "")
        answer = QMessageBox.question(self, "Remove from the workspace?",
                                      f"Remove {names} from the workspace? Its audits will no longer count in any "
                                      "month's report. The file itself is not changed.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            for row in rows:
                self.workspace.remove_import(row.id)
        except WorkspaceError as exc:
            QMessageBox.warning(self, "Not removed", str(exc))
        by_id = {row.id: row for row in self._imports}
        self._forget_inputs([by_id.get(row.id, row) for row in rows])
        self._refresh_workspace_lists()
        self._analysis, self._analysis_key = None, None
        self._generation += 1
        self._inputs_changed()

    def _forget_inputs(self, rows: list) -> None:
        """Take the files of removed imports out of the inputs (a folder stays, without them)."""
        for row in rows:
            if not row.path:
                continue
            path = Path(row.path).absolute()
            if path in self._sources:
                self._sources.remove(path)
            elif any(_is_under(path, source) for source in self._sources):
                self._excluded.add(path)

    def open_workspace_file(self) -> bool:
        path, _filter = QFileDialog.getOpenFileName(self, "Open a workspace", str(self.workspace.path.parent),
                                                    WORKSPACE_FILTER)
        return bool(path) and self.switch_workspace(Path(path))

    def new_workspace_file(self) -> bool:
        path, _filter = QFileDialog.getSaveFileName(self, "New workspace", str(self.workspace.path.parent /
                                                                               "pqa-workspace.sqlite"),
                                                    WORKSPACE_FILTER)
        if not path:
            return False
        target = Path(path)
        if target.suffix.lower() != ".sqlite":
            target = target.with_name(target.name + ".sqlite")
        if target.exists():
            QMessageBox.warning(self, "That file already exists",
                                f"{target.name} already exists. Use Open workspace\u2026 to work in it, or choose "
                                "another name for a new workspace.")
            return False
        return self.switch_workspace(target)

    def switch_workspace(self, path: Path) -> bool:
        """Work in another workspace file (created when new): its imports, corrections and commentary."""
        if self._job is not None:
            QMessageBox.information(self, "Wait a moment", "Wait until the current step has finished, or cancel "
                                    "it, then open the workspace again.")
            return False
        try:
            opened = Workspace.open(path)
        except WorkspaceError as exc:
            QMessageBox.warning(self, "Could not open the workspace", str(exc))
            return False
        self.commentary_panel.flush()
        previous, self.workspace = self.workspace, opened
        previous.close()
        self.settings.set_workspace_path(None if opened.path == Workspace.default_path() else opened.path)
        self._analysis, self._analysis_key = None, None
        self._generation += 1
        self._workspace_changed()
        self._inputs_changed()
        return True

    def find_audit(self) -> None:
        dialog = AuditSearchDialog(self.workspace.lookup, self)
        dialog.exec()
        dialog.deleteLater()

    # ------------------------------------------------------------------------------------------------
    # after a build
    # ------------------------------------------------------------------------------------------------
    def open_workbook(self) -> None:
        if self._last_output is not None:
            self._open_url(self._last_output, "the workbook")

    def show_in_folder(self) -> None:
        if self._last_output is not None:
            self._open_url(self._last_output.parent, "the folder")

    def prepare_email(self) -> bool:
        """Save an email draft (.eml) with the last workbook attached; True when one was written."""
        result, workbook = self._last_result, self._last_output
        if result is None or workbook is None or self._job is not None:
            return False
        chosen, _filter = QFileDialog.getSaveFileName(self, "Save the email draft as",
                                                      str(workbook.with_suffix(".eml")), EMAIL_FILTER)
        if not chosen:
            return False
        draft = Path(chosen)
        if draft.suffix.lower() != ".eml":
            draft = draft.with_name(draft.name + ".eml")
        problem = draft_problem(draft, workbook=workbook, inputs=self.analysis_paths(), other_files=self._files_read())
        if problem is not None:
            QMessageBox.warning(self, "The email draft cannot be saved there", problem)
            return False
        headlines = result.figures.headlines if result.figures is not None else []
        period = result.analysis.period if result.analysis is not None else self.period
        try:
            write_email_draft(draft, workbook, la_name=self.la_name_edit.text().strip(),
                              period_label=period.label, headlines=headlines,
                              password_protected=self._last_protected, produced=self._today)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "The email draft was not saved",
                                f"{draft.name} could not be saved. {exc} If it is open, close it; otherwise "
                                "pick another folder.")
            return False
        self._last_draft = draft
        self._update_controls()
        text = f"The email draft was saved as {draft.name}, with {workbook.name} attached. Use Open email draft " \
               "to open it in Outlook, ready to send."
        if self._last_protected:
            text += (" The workbook is password protected: send the password another way (by phone, text "
                     "message or a separate email), never with the workbook.")
        QMessageBox.information(self, "Email draft saved", text)
        return True

    def open_email_draft(self) -> None:
        if self._last_draft is not None:
            self._open_url(self._last_draft, "the email draft")

    def enter_input_password(self) -> bool:
        """Ask for a password for the protected inputs, keep it for the session and check again."""
        if self._job is not None or self._analysis is None:
            return False
        names = self._protected_files(self._analysis.findings)
        if not names:
            return False
        dialog = InputPasswordDialog(names, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.password():
                return False
            password = dialog.password()
        finally:
            dialog.clear()
            dialog.deleteLater()
        if password not in self._input_passwords:
            self._input_passwords.append(password)
        # the finding stays for a file this password does not open: the user can try another
        self._analysis, self._analysis_key = None, None
        self._recheck()
        return True

    def purge_workspace(self, months: int) -> int:
        """Remove data older than ``months`` months from the workspace after asking; the number removed."""
        if self._job is not None:
            return 0
        answer = QMessageBox.question(self, "Remove old data?",
                                      f"Remove every import whose records are all older than {months} months "
                                      "from the workspace, with its corrections and commentary? Reports for "
                                      "those months can no longer be rebuilt. The files themselves are not "
                                      "changed.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return 0
        before = list(self._imports)
        try:
            removed = self.workspace.purge(months, self._today)
        except WorkspaceError as exc:
            QMessageBox.warning(self, "Nothing was removed", str(exc))
            return 0
        remaining = {row.id for row in self.workspace.imports()}
        # a removed file still among the inputs would be imported again by the next check
        self._forget_inputs([row for row in before if row.id not in remaining])
        self.statusBar().showMessage(f"{removed} import{'s' if removed != 1 else ''} older than {months} months "
                                     "removed from the workspace.", 10000)
        self._refresh_workspace_lists()
        self._analysis, self._analysis_key = None, None
        self._generation += 1
        self._inputs_changed()
        return removed

    def _open_url(self, path: Path, what: str) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            QMessageBox.information(self, "Could not open", f"PQA Desktop could not open {what}. It is saved "
                                    f"in {path if path.is_dir() else path.parent}.")

    # ------------------------------------------------------------------------------------------------
    # settings and closing
    # ------------------------------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1000, 720)
        self.la_name_edit.setText(self.settings.la_name())

    def save_settings(self) -> None:
        self.commentary_panel.flush()
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_la_name(self.la_name_edit.text())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        if self._job is not None:
            # the pipeline checks the flag between files and stages; a thread must not outlive its window
            # (the wait is as long as the current file takes to read: files go in whole or not at all)
            self._job.request_cancel()
            self._job.wait()
        self.drop_area.discard_dropped_files()  # copies of Outlook attachments never outlive the window
        self._closed = True
        self._analysis_timer.stop()
        self.workspace.close()
        super().closeEvent(event)


def _file_slug(text: str) -> str:
    """A safe default file-name stem from the LA name ("Anytown Council" -> "anytown-council")."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
