"""The settings dialog: every setting of the command line's ``--settings`` file, on four tabs.

General (LA name, population aged 0-17, vacancies, workforce snapshot date, benchmarks file, your council and the
published comparators file, with the published years they give), Service areas
(each with its caseload threshold), Targets (one row per measure of resources/measures.toml: a target and a
polarity) and Privacy (the opt-ins, the feedback-text opt-out, and a new audit-key secret). The dialog edits
a copy of ``core.settings.Settings``; the caller stores it. The secret itself is never shown: the user can
only ask for a new one, after a warning that old audit keys will no longer match.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from ..core.measures.kpi_catalogue import MeasureSpec, measure_specs
from ..core.settings import MeasureTarget, Settings

POPULATION_MAX = 5_000_000
NOT_SET = "Not set"
OWN_POLARITY = "The measure's own"
HIGHER = "Higher is better"
LOWER = "Lower is better"
UNIT_TEXT = {"percent": "%", "count": "count", "days": "days", "number": "number", "rate": "rate"}
NEW_SECRET_WARNING = (
    "A new secret changes every audit key. Audit keys in workbooks already sent will no longer match "
    "this workspace, so \"Find an audit by its key\" will not find them. Everyone sharing this workspace "
    "gets the new secret.")

# target table columns
MEASURE_COLUMN, UNIT_COLUMN, TARGET_COLUMN, POLARITY_COLUMN = range(4)
TARGET_WIDTH_CHARS = 10
GEOMETRY_KEY = "settings"
# service area table columns
AREA_COLUMN, THRESHOLD_COLUMN = range(2)


def _number(text: str) -> float | None:
    """A typed number ("18", "72.5", "85%"), None when blank; ValueError when it is not a number."""
    text = text.strip().rstrip("%").replace(",", "").strip()
    if not text:
        return None
    return float(text)


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def _own_polarity_text(spec: MeasureSpec) -> str:
    return {"higher": f"{OWN_POLARITY} (higher)", "lower": f"{OWN_POLARITY} (lower)"}.get(
        spec.polarity, f"{OWN_POLARITY} (none)")


class SettingsDialog(QDialog):
    new_secret_confirmed = Signal()  # the user read the warning and asked for a new audit-key secret

    def __init__(self, settings: Settings, parent: QWidget | None = None, remembered=None):
        super().__init__(parent)
        self._remembered = remembered  # AppSettings: where the dialog's size is kept (None: not kept)
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self._original = settings
        self._specs = measure_specs()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings pages")
        self.tabs.addTab(self._general_tab(settings), "&General")
        self.tabs.addTab(self._areas_tab(settings), "Service &areas")
        self.tabs.addTab(self._targets_tab(settings), "&Targets")
        self.tabs.addTab(self._privacy_tab(settings), "&Privacy")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("Save settings")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel without saving")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self._size_to_fit()

    # ------------------------------------------------------------------------------------------------
    # size: every column of the targets and thresholds readable, and the size the user chose kept
    # ------------------------------------------------------------------------------------------------
    def fitting_size(self, available: QSize | None = None) -> QSize:
        """Wide enough for every column of the targets table (the longest measure name, unit, target and
        polarity) without a horizontal scroll bar, tall enough for a good run of its rows, and never larger
        than ``available`` (the screen's free area: on a 1366x768 laptop the dialog fits with its buttons)."""
        metrics = self.fontMetrics()
        table = self.targets_table
        name = max((metrics.horizontalAdvance(spec.label) for spec in self._specs), default=200)
        polarity = max(box.sizeHint().width() for box in self.polarity_boxes.values()) if self.polarity_boxes else 200
        width = (name + 24) + metrics.horizontalAdvance("count") + 24 + TARGET_WIDTH_CHARS * metrics.averageCharWidth() \
            + polarity + table.verticalScrollBar().sizeHint().width() + 80
        height = 20 * (metrics.height() + 10) + 200
        if available is None and self.screen() is not None:
            available = self.screen().availableGeometry().size()
        if available is not None:
            width, height = min(width, available.width() - 40), min(height, available.height() - 60)
        return QSize(width, height)

    def _size_to_fit(self) -> None:
        header = self.targets_table.horizontalHeader()
        header.setSectionResizeMode(UNIT_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TARGET_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(TARGET_COLUMN, TARGET_WIDTH_CHARS * self.fontMetrics().averageCharWidth() + 16)
        geometry = self._remembered.dialog_geometry(GEOMETRY_KEY) if self._remembered is not None else None
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(self.fitting_size())

    def show_setting(self, key: str) -> None:
        """Open at one setting (a key of core.pipeline.readiness: population_0_17, targets, caseload_thresholds,
        vacancies_fte, council), its field focused, so a "Set …" button on the Build line leads straight to it."""
        general, areas, targets = 0, 1, 2
        page, field = {
            "population_0_17": (general, self.population_spin),
            "vacancies_fte": (general, self.vacancies_edit),
            "council": (general, getattr(self, "council_box", None)),
            "caseload_thresholds": (areas, self.areas_table),
            "targets": (targets, self.targets_table),
        }.get(key, (general, None))
        self.tabs.setCurrentIndex(page)
        if field is not None:
            field.setFocus()
        if key == "targets" and self.targets_table.rowCount():
            self.targets_table.setCurrentCell(0, TARGET_COLUMN)
        if key == "caseload_thresholds":
            missing = next((r for r in range(self.areas_table.rowCount())
                            if not (self.areas_table.item(r, THRESHOLD_COLUMN)
                                    and self.areas_table.item(r, THRESHOLD_COLUMN).text().strip())), 0)
            if self.areas_table.rowCount():
                self.areas_table.setCurrentCell(missing, THRESHOLD_COLUMN)

    def done(self, result: int) -> None:
        if self._remembered is not None:
            self._remembered.set_dialog_geometry(GEOMETRY_KEY, self.saveGeometry())
        super().done(result)

    # ------------------------------------------------------------------------------------------------
    # pages
    # ------------------------------------------------------------------------------------------------
    def _general_tab(self, s: Settings) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.la_name_edit = QLineEdit(s.la_name)
        self.la_name_edit.setAccessibleName("Local authority name")
        self.population_spin = QSpinBox()
        self.population_spin.setRange(0, POPULATION_MAX)
        self.population_spin.setSpecialValueText(NOT_SET)  # 0 is never a real population
        self.population_spin.setGroupSeparatorShown(True)
        self.population_spin.setValue(s.population_0_17 or 0)
        self.population_spin.setAccessibleName("Population aged 0 to 17")
        self.population_spin.setToolTip("Used for rates per 10,000 children")
        self.vacancies_edit = QLineEdit(_number_text(s.vacancies_fte))
        self.vacancies_edit.setPlaceholderText("Blank: taken from the census XML")
        self.vacancies_edit.setAccessibleName("Vacancies, full-time equivalent")
        self.snapshot_check = QCheckBox("&Use this date:")
        self.snapshot_check.setAccessibleName("Set a workforce snapshot date")
        self.snapshot_check.setToolTip("Only when the workforce list has no snapshot date")
        self.snapshot_edit = QDateEdit()
        self.snapshot_edit.setDisplayFormat("dd/MM/yyyy")
        self.snapshot_edit.setCalendarPopup(True)
        self.snapshot_edit.setAccessibleName("Workforce snapshot date")
        chosen = s.workforce_snapshot
        self.snapshot_check.setChecked(chosen is not None)
        self.snapshot_edit.setDate(QDate(chosen.year, chosen.month, chosen.day) if chosen else QDate.currentDate())
        self.snapshot_edit.setEnabled(chosen is not None)
        self.snapshot_check.toggled.connect(self.snapshot_edit.setEnabled)
        snapshot_row = QHBoxLayout()
        snapshot_row.addWidget(self.snapshot_check)
        snapshot_row.addWidget(self.snapshot_edit, 1)
        self.benchmarks_edit = QLineEdit(s.benchmarks_file or "")
        self.benchmarks_edit.setPlaceholderText("Blank: the shipped England figures")
        self.benchmarks_edit.setAccessibleName("Benchmarks file")
        self.benchmarks_button = QPushButton("&Browse\u2026")
        self.benchmarks_button.setAccessibleName("Choose the benchmarks file")
        self.benchmarks_button.clicked.connect(self._choose_benchmarks)
        benchmarks_row = QHBoxLayout()
        benchmarks_row.addWidget(self.benchmarks_edit, 1)
        benchmarks_row.addWidget(self.benchmarks_button)
        for text, field in (("&LA name:", self.la_name_edit), ("P&opulation aged 0\u201317:", self.population_spin),
                            ("&Vacancies (FTE):", self.vacancies_edit)):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow(QLabel("Workforce snapshot date:"), snapshot_row)
        bench_label = QLabel("Be&nchmarks file:")
        bench_label.setBuddy(self.benchmarks_edit)
        form.addRow(bench_label, benchmarks_row)
        self._published_rows(form, s)
        return page

    def _published_rows(self, form: QFormLayout, s: Settings) -> None:
        """Your council (chosen once and kept) and, optionally, a newer published-comparators file; the line
        below says which published years the workbook will compare with."""
        self.published_edit = QLineEdit(s.benchmarks_data or "")
        self.published_edit.setPlaceholderText("Blank: the DfE figures shipped with PQA Desktop")
        self.published_edit.setAccessibleName("Published comparators file")
        self.published_edit.setToolTip("A newer file made by scripts/build_published_comparators.py from a LAIT "
                                       "download, or a LAIT download folder holding bds_long.csv")
        self.published_button = QPushButton("Bro&wse\u2026")
        self.published_button.setAccessibleName("Choose the published comparators file")
        self.published_button.clicked.connect(self._choose_published)
        published_row = QHBoxLayout()
        published_row.addWidget(self.published_edit, 1)
        published_row.addWidget(self.published_button)
        self.council_box = QComboBox()
        self.council_box.setEditable(True)
        self.council_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.council_box.setAccessibleName("Your council")
        self.council_box.setToolTip("Name, 3-digit LA number or 9-character code. Blank: no published comparators")
        self.council_box.lineEdit().setPlaceholderText("Not chosen: no published comparators")
        self.council_box.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.council_box.completer().setCompletionMode(self.council_box.completer().CompletionMode.PopupCompletion)
        self.published_years = QLabel("")
        self.published_years.setWordWrap(True)
        self.published_years.setAccessibleName("Published years")
        self._fill_councils()
        self.council_box.setCurrentText(s.council or "")
        self.council_box.currentTextChanged.connect(self._show_published_years)
        self.published_edit.editingFinished.connect(self._fill_councils)
        council_label = QLabel("Your &council:")
        council_label.setBuddy(self.council_box)
        form.addRow(council_label, self.council_box)
        published_label = QLabel("Published &figures file:")
        published_label.setBuddy(self.published_edit)
        form.addRow(published_label, published_row)
        form.addRow(QLabel(""), self.published_years)
        self._show_published_years()

    def _fill_councils(self) -> None:
        """The councils of the chosen file (the shipped one when blank or unreadable), by name."""
        from ..core.comparators import PublishedDataError, load_published

        try:
            data = load_published(self.published_edit.text().strip() or None)
        except PublishedDataError:
            data = load_published(None)
        current = self.council_box.currentText()
        self.council_box.blockSignals(True)
        self.council_box.clear()
        self.council_box.addItem("")
        self.council_box.addItems([a.name for a in data.current_councils()])
        self.council_box.setCurrentText(current)
        self.council_box.blockSignals(False)
        self._show_published_years()

    def _show_published_years(self, *_args) -> None:
        found, problem = self._published_choice()
        if found is not None:
            self.published_years.setText(f"Compares with the DfE's published figures for {found.council_text}, "
                                         f"latest years {found.years_text()}: in the tables, the key messages "
                                         "and a chart of each measure's published years.")
        elif problem:
            self.published_years.setText(problem)
        else:
            self.published_years.setText("Choose your council to compare each measure the DfE also publishes with "
                                         "its figures for your council, statistical neighbours, region and "
                                         "England: in the tables, the key messages and a chart of each measure's "
                                         "published years.")

    def _published_choice(self):
        """(the chosen council's comparators, "") or (None, what is wrong) or (None, "") when none is chosen."""
        from ..core.comparators import PublishedDataError, UnknownCouncil, council_comparators

        choice = Settings(council=self.council_box.currentText().strip() or None,
                          benchmarks_data=self.published_edit.text().strip() or None)
        try:
            if choice.council:
                return council_comparators(choice), ""
            if choice.benchmarks_data:
                from ..core.comparators import load_published

                load_published(choice.benchmarks_data)
        except (PublishedDataError, UnknownCouncil) as exc:
            return None, str(exc)
        return None, ""

    def _areas_tab(self, s: Settings) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel("The service areas the report groups audits by, each with the caseload above which "
                       "a worker's caseload is flagged. Leave a threshold blank for none.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.areas_table = QTableWidget(0, 2)
        self.areas_table.setHorizontalHeaderLabels(["Service area", "Caseload threshold"])
        self.areas_table.setAccessibleName("Service areas and caseload thresholds")
        self.areas_table.horizontalHeader().setSectionResizeMode(AREA_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.areas_table.horizontalHeader().setSectionResizeMode(THRESHOLD_COLUMN,
                                                                 QHeaderView.ResizeMode.ResizeToContents)
        self.areas_table.verticalHeader().setVisible(False)
        self.areas_table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move between cells
        for area in s.service_areas:
            self._add_area_row(area, s.caseload_thresholds.get(area))
        # thresholds for areas not in the list are kept as rows too, so nothing is silently dropped
        for area, threshold in s.caseload_thresholds.items():
            if area not in s.service_areas:
                self._add_area_row(area, threshold)
        layout.addWidget(self.areas_table, 1)
        buttons = QHBoxLayout()
        self.add_area_button = QPushButton("A&dd service area")
        self.add_area_button.setAccessibleName("Add a service area")
        self.add_area_button.clicked.connect(self._add_area_clicked)
        self.remove_area_button = QPushButton("&Remove service area")
        self.remove_area_button.setAccessibleName("Remove the selected service area")
        self.remove_area_button.clicked.connect(self._remove_area_clicked)
        buttons.addWidget(self.add_area_button)
        buttons.addWidget(self.remove_area_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _targets_tab(self, s: Settings) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel("A local target for any measure (percentages as 0\u2013100), and whether higher or lower "
                       "is better. Leave the target blank for none.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.targets_table = QTableWidget(len(self._specs), 4)
        self.targets_table.setHorizontalHeaderLabels(["Measure", "Unit", "Target", "Polarity"])
        self.targets_table.setAccessibleName("Targets per measure")
        self.targets_table.verticalHeader().setVisible(False)
        self.targets_table.setTabKeyNavigation(False)
        self.targets_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.targets_table.horizontalHeader()
        header.setSectionResizeMode(MEASURE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(POLARITY_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.polarity_boxes: dict[str, QComboBox] = {}
        for row, spec in enumerate(self._specs):
            chosen = s.targets.get(spec.id, MeasureTarget())
            name = QTableWidgetItem(spec.label)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            name.setToolTip(f"{spec.id}: {spec.definition}")
            name.setData(Qt.ItemDataRole.UserRole, spec.id)
            unit = QTableWidgetItem(UNIT_TEXT.get(spec.unit, spec.unit))
            unit.setFlags(unit.flags() & ~Qt.ItemFlag.ItemIsEditable)
            target = QTableWidgetItem(_number_text(chosen.target))
            target.setData(Qt.ItemDataRole.AccessibleTextRole, f"Target for {spec.label}")
            polarity = QComboBox()
            polarity.addItems([_own_polarity_text(spec), HIGHER, LOWER])
            polarity.setCurrentIndex({None: 0, True: 1, False: 2}[chosen.higher_is_better])
            polarity.setAccessibleName(f"Polarity for {spec.label}")
            self.targets_table.setItem(row, MEASURE_COLUMN, name)
            self.targets_table.setItem(row, UNIT_COLUMN, unit)
            self.targets_table.setItem(row, TARGET_COLUMN, target)
            self.targets_table.setCellWidget(row, POLARITY_COLUMN, polarity)
            self.polarity_boxes[spec.id] = polarity
        layout.addWidget(self.targets_table, 1)
        return page

    def _privacy_tab(self, s: Settings) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.case_refs_check = QCheckBox("Show &case references in the workbook")
        self.case_refs_check.setAccessibleName("Show case references in the workbook")
        self.case_refs_check.setChecked(s.include_case_refs)
        self.staff_names_check = QCheckBox("Show &staff names in the workbook")
        self.staff_names_check.setAccessibleName("Show staff names in the workbook")
        self.staff_names_check.setChecked(s.include_staff_names)
        self.no_feedback_check = QCheckBox("Leave out all &feedback text")
        self.no_feedback_check.setAccessibleName("Leave out all feedback text")
        self.no_feedback_check.setChecked(not s.feedback_text)
        for check in (self.case_refs_check, self.staff_names_check, self.no_feedback_check):
            layout.addWidget(check)
        layout.addSpacing(12)
        secret_label = QLabel("Audit keys let you find an audit from the workbook without showing its case "
                              "reference. They are made with a secret kept in the workspace, which is never "
                              "shown.")
        secret_label.setWordWrap(True)
        layout.addWidget(secret_label)
        warning = QLabel(NEW_SECRET_WARNING)
        warning.setWordWrap(True)
        warning.setAccessibleName("Warning about a new secret")
        layout.addWidget(warning)
        self.new_secret_button = QPushButton("Create a ne&w secret\u2026")
        self.new_secret_button.setAccessibleName("Create a new audit-key secret")
        self.new_secret_button.clicked.connect(self._new_secret_clicked)
        row = QHBoxLayout()
        row.addWidget(self.new_secret_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    # ------------------------------------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------------------------------------
    def _choose_benchmarks(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Choose the benchmarks file", self.benchmarks_edit.text(),
                                                    "Benchmarks (*.csv *.xlsx);;All files (*)")
        if path:
            self.benchmarks_edit.setText(path)

    def _choose_published(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Choose the published comparators file",
                                                    self.published_edit.text(),
                                                    "Published comparators (*.json);;All files (*)")
        if path:
            self.published_edit.setText(path)
            self._fill_councils()

    def _add_area_row(self, area: str, threshold: float | None) -> int:
        row = self.areas_table.rowCount()
        self.areas_table.insertRow(row)
        self.areas_table.setItem(row, AREA_COLUMN, QTableWidgetItem(area))
        self.areas_table.setItem(row, THRESHOLD_COLUMN, QTableWidgetItem(_number_text(threshold)))
        return row

    def _add_area_clicked(self) -> None:
        row = self._add_area_row("", None)
        self.areas_table.setCurrentCell(row, AREA_COLUMN)
        self.areas_table.editItem(self.areas_table.item(row, AREA_COLUMN))

    def _remove_area_clicked(self) -> None:
        rows = sorted({i.row() for i in self.areas_table.selectedIndexes()} or
                      ({self.areas_table.currentRow()} if self.areas_table.currentRow() >= 0 else set()),
                      reverse=True)
        for row in rows:
            self.areas_table.removeRow(row)

    def _new_secret_clicked(self) -> None:
        answer = QMessageBox.question(self, "Create a new secret?", NEW_SECRET_WARNING + "\n\nCreate a new secret?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.new_secret_confirmed.emit()

    # ------------------------------------------------------------------------------------------------
    # result
    # ------------------------------------------------------------------------------------------------
    def collect(self) -> tuple[Settings | None, str]:
        """(the settings the widgets hold, "") or (None, what to correct)."""
        try:
            vacancies = _number(self.vacancies_edit.text())
        except ValueError:
            return None, "Vacancies (FTE) must be a number, for example 3.5, or blank."
        if vacancies is not None and vacancies < 0:
            return None, "Vacancies (FTE) cannot be below zero."
        areas: list[str] = []
        thresholds: dict[str, float] = {}
        for row in range(self.areas_table.rowCount()):
            area = (self.areas_table.item(row, AREA_COLUMN).text() if self.areas_table.item(row, AREA_COLUMN)
                    else "").strip()
            cell = self.areas_table.item(row, THRESHOLD_COLUMN)
            if not area:
                if cell is not None and cell.text().strip():
                    return None, f"Service areas, row {row + 1}: enter the service area's name or remove the row."
                continue
            if area in areas:
                return None, f'Service areas: "{area}" is listed twice. Remove one of them.'
            try:
                threshold = _number(cell.text() if cell else "")
            except ValueError:
                return None, f'Service areas: the caseload threshold for "{area}" must be a number or blank.'
            areas.append(area)
            if threshold is not None:
                thresholds[area] = threshold
        targets: dict[str, MeasureTarget] = {}
        for row, spec in enumerate(self._specs):
            cell = self.targets_table.item(row, TARGET_COLUMN)
            try:
                target = _number(cell.text() if cell else "")
            except ValueError:
                return None, f'Targets: the target for "{spec.label}" must be a number or blank.'
            higher = {0: None, 1: True, 2: False}[self.polarity_boxes[spec.id].currentIndex()]
            if target is not None or higher is not None:
                targets[spec.id] = MeasureTarget(target=target, higher_is_better=higher)
        found, problem = self._published_choice()
        if problem:
            return None, f"Your council: {problem}"
        snapshot: date | None = None
        if self.snapshot_check.isChecked():
            d = self.snapshot_edit.date()
            snapshot = date(d.year(), d.month(), d.day())
        population = self.population_spin.value() or None
        settings = replace(
            self._original,
            la_name=self.la_name_edit.text().strip(),
            population_0_17=population,
            service_areas=tuple(areas),
            caseload_thresholds=thresholds,
            targets=targets,
            benchmarks_file=self.benchmarks_edit.text().strip() or None,
            council=found.council.name if found is not None else None,  # kept as the DfE writes it
            benchmarks_data=self.published_edit.text().strip() or None,
            vacancies_fte=vacancies,
            workforce_snapshot=snapshot,
            include_case_refs=self.case_refs_check.isChecked(),
            include_staff_names=self.staff_names_check.isChecked(),
            feedback_text=not self.no_feedback_check.isChecked(),
        )
        return settings, ""

    def settings(self) -> Settings:
        settings, problem = self.collect()
        if settings is None:
            raise ValueError(problem)
        return settings

    def accept(self) -> None:
        settings, problem = self.collect()
        if settings is None:
            QMessageBox.warning(self, "Check the settings", problem)
            return
        super().accept()
