"""The main window: drop inputs in, see what each is and what is wrong, build the workbook.

One window, in the order the QA officer works: the period and LA name, the inputs (drop area and list),
the findings (filtered and counted), then Build. The window only arranges widgets and moves values between
them and ``pqa_desktop.core.pipeline``; every check and figure is the core's. Pipeline work runs in a
``PipelineJob`` thread, one at a time; a change of inputs or period while a check runs cancels it and
starts a fresh one when it has stopped.
"""
from __future__ import annotations

import re

from datetime import date
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QDate, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDateEdit, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMainWindow, QMessageBox, QPushButton, QSplitter,
                               QTableView, QVBoxLayout, QWidget)

from ..core import pipeline
from ..core.calendar import Period, last_complete_month, month_start
from ..core.findings import Severity
from ..core.settings import Settings
from .app_settings import AppSettings
from .crash import write_crash_report
from .drop_area import DropArea
from .findings_model import (FindingsFilterProxy, FindingsTableModel, MESSAGE_COLUMN, SEVERITY_COLUMN,
                             severity_toggle_text, shown_label)
from .inputs_model import InputsTableModel, SUMMARY_ROLE, attention_summary
from .jobs import ANALYSE, BUILD, PipelineJob
from .progress_panel import ProgressPanel

WINDOW_TITLE = "PQA Desktop"
OFFLINE_TEXT = "Offline \u2014 files stay on this laptop"
PERIOD_RECHECK_MS = 400  # typing "2024" in the year steps through 2, 20, 202: check once, when it settles
EARLIEST_PERIOD = QDate(2015, 1, 1)
WORKBOOK_FILTER = "Excel workbook (*.xlsx)"


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

        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName(WINDOW_TITLE)
        self._build_widgets()
        self._restore_settings()
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

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._build_inputs_group())
        splitter.addWidget(self._build_findings_group())
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
        self.statusBar().addPermanentWidget(self.offline_label)

        self.cancel_action = QAction("Cancel", self)
        self.cancel_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.cancel_action.triggered.connect(self.cancel_current)
        self.addAction(self.cancel_action)

        self._analysis_timer = QTimer(self, singleShot=True)
        self._analysis_timer.timeout.connect(self._start_analysis)
        self.period_edit.dateChanged.connect(lambda _d: self._schedule_analysis(PERIOD_RECHECK_MS))
        self.period_edit.dateChanged.connect(lambda _d: self._update_controls())
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
        QWidget.setTabOrder(self.search_edit, self.findings_view)
        QWidget.setTabOrder(self.findings_view, self.build_button)
        QWidget.setTabOrder(self.build_button, self.open_button)
        QWidget.setTabOrder(self.open_button, self.show_folder_button)
        QWidget.setTabOrder(self.show_folder_button, self.progress.cancel_button)

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
        layout.addWidget(self.drop_area, 1)
        return group

    def _build_findings_group(self) -> QGroupBox:
        group = QGroupBox("Findings")
        layout = QVBoxLayout(group)
        bar = QHBoxLayout()
        self.severity_buttons: dict[Severity, QPushButton] = {}
        for severity in Severity:
            button = QPushButton(severity_toggle_text(severity, 0))
            button.setCheckable(True)
            button.setChecked(True)
            button.setAccessibleName(f"Show {severity.value} findings")
            button.setToolTip(f"Show or hide {severity.value} findings")
            button.toggled.connect(lambda on, s=severity: self._on_severity_toggled(s, on))
            self.severity_buttons[severity] = button
            bar.addWidget(button)
        search_label = QLabel("&Search:")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Filter by file, sheet, cell, rule or message")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search findings")
        search_label.setBuddy(self.search_edit)
        bar.addSpacing(12)
        bar.addWidget(search_label)
        bar.addWidget(self.search_edit, 1)
        self.findings_count_label = QLabel(shown_label(0, 0))
        self.findings_count_label.setAccessibleName("Findings shown")
        bar.addWidget(self.findings_count_label)
        layout.addLayout(bar)

        self.findings_model = FindingsTableModel(self)
        self.findings_proxy = FindingsFilterProxy(self)
        self.findings_proxy.setSourceModel(self.findings_model)
        self.findings_view = QTableView()
        self.findings_view.setModel(self.findings_proxy)
        self.findings_view.setAccessibleName("Findings list")
        self.findings_view.setSortingEnabled(True)
        self.findings_view.sortByColumn(SEVERITY_COLUMN, Qt.SortOrder.AscendingOrder)
        self.findings_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.findings_view.setWordWrap(True)
        self.findings_view.verticalHeader().setVisible(False)
        self.findings_view.horizontalHeader().setSectionResizeMode(MESSAGE_COLUMN, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.findings_view, 1)

        self.search_edit.textChanged.connect(self._on_search_changed)
        for signal in (self.findings_proxy.rowsInserted, self.findings_proxy.rowsRemoved,
                       self.findings_proxy.modelReset, self.findings_proxy.layoutChanged):
            signal.connect(self._update_findings_count)
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
        row.addWidget(self.build_button)
        row.addWidget(self.build_summary_label, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.show_folder_button)
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
        if not self._sources:
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
        self.build_summary_label.setText(self._build_summary())

    def _build_summary(self) -> str:
        if not self._sources:
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
        self._update_controls()

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
        for row in rows:
            summary = self.inputs_model.index(row, 0).data(SUMMARY_ROLE)
            if summary is None or not summary.path:
                continue
            path = Path(summary.path).absolute()
            if path in self._sources:
                self._sources.remove(path)  # an added file, zip or email: everything it held goes
            elif any(_is_under(path, source) for source in self._sources):
                self._excluded.add(path)  # a file found in an added folder: leave the folder, skip the file
        self.inputs_model.remove_rows(rows)
        self.inputs_view.selectionModel().clear()
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
        return (tuple(self.analysis_paths()), self.period)

    def _inputs_changed(self) -> None:
        self.drop_area.show_contents(bool(self._sources))
        self._schedule_analysis(0)
        self._update_controls()

    # ------------------------------------------------------------------------------------------------
    # jobs
    # ------------------------------------------------------------------------------------------------
    def _schedule_analysis(self, delay_ms: int) -> None:
        self._analysis_timer.start(delay_ms)

    def _start_analysis(self) -> None:
        if self._job is not None:
            # one job at a time: stop a stale check, and check again once whatever runs has ended
            self._recheck_after_job = True
            if self._job.kind == ANALYSE:
                self._job.request_cancel()
            return
        if not self._sources:
            self._analysis, self._analysis_key = None, None
            self._show_analysis(None)
            self.progress.finish("")
            return
        paths, period = self._current_key()
        if self._analysis is not None and self._analysis_key == (paths, period):
            return

        def work(progress, cancel):
            return pipeline.analyse(list(paths), period, progress=progress, cancel=cancel)

        self._start_job(ANALYSE, work, "Checking the inputs\u2026", delayed=True, analysis_key=(paths, period))

    def build_workbook(self) -> None:
        if self._build_blocker():
            return
        output = self._ask_output_path()
        if output is None:
            return
        self.settings.set_output_folder(output.parent)
        self.settings.set_la_name(self.la_name_edit.text())
        key = self._current_key()
        paths, period = key
        options = pipeline.BuildOptions(period=period, settings=Settings(la_name=self.la_name_edit.text().strip()))
        # reuse the check already on screen when it was made from these inputs and this period
        analysis = self._analysis if self._analysis_key == key else None

        def work(progress, cancel):
            return pipeline.build(list(paths), output, options, progress=progress, cancel=cancel, analysis=analysis)

        self._start_job(BUILD, work, "Building the workbook\u2026", delayed=False, analysis_key=key, output=output)

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
        return path

    def _start_job(self, kind: str, work, text: str, *, delayed: bool, analysis_key: tuple,
                   output: Path | None = None) -> PipelineJob:
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
            self.progress.finish(attention_summary(self.inputs_model.rows()) or "Inputs checked")
            self.analysis_ready.emit()
        else:
            self._analysis, self._analysis_key = result.analysis, job.analysis_key
            self._show_analysis(result.analysis)
            self._last_output = Path(result.output)
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
        if self._recheck_after_job:
            self._recheck_after_job = False
            self._start_analysis()
        if self._job is None:
            self.busy_changed.emit(False)

    # ------------------------------------------------------------------------------------------------
    # after a build
    # ------------------------------------------------------------------------------------------------
    def open_workbook(self) -> None:
        if self._last_output is not None:
            self._open_url(self._last_output, "the workbook")

    def show_in_folder(self) -> None:
        if self._last_output is not None:
            self._open_url(self._last_output.parent, "the folder")

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
        super().closeEvent(event)


def _file_slug(text: str) -> str:
    """A safe default file-name stem from the LA name ("Anytown Council" -> "anytown-council")."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
