"""The workspace: where it is, what has been imported into it (earlier months too), and "Remove import".

Rows come from ``Workspace.imports()``. The panel shows display names only (already masked by the
pipeline when imported); removing an import takes its records out of every later check and build. "Remove data older than… N
months" asks the window to purge the workspace (the window confirms first).
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox,
                               QTableView, QVBoxLayout, QWidget)

from .row_model import RowTableModel

HEADERS = ("Name", "Kind", "Imported", "Records")
IMPORT_ROLE = Qt.ItemDataRole.UserRole + 1
DEFAULT_PURGE_MONTHS = 24  # two years: this year's and last year's reports can still be rebuilt
MAX_PURGE_MONTHS = 240

Index = QModelIndex | QPersistentModelIndex


def local_time_text(value) -> str:
    """A time the workspace stored in UTC, shown in the laptop's own time zone ("07/10/2024 14:05")."""
    if not isinstance(value, datetime):
        return str(value or "")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone().strftime("%d/%m/%Y %H:%M")


class ImportsModel(RowTableModel):
    headers = HEADERS

    def set_imports(self, rows: Sequence) -> None:
        self._replace_rows(rows)

    def import_at(self, row: int):
        return self._rows[row]




    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == IMPORT_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (row.name, row.kind_label, local_time_text(row.imported_at), str(row.records))[index.column()]


class WorkspacePanel(QWidget):
    remove_requested = Signal(list)  # ImportRow values to remove
    new_requested = Signal()
    open_requested = Signal()
    purge_requested = Signal(int)  # months: remove data older than this

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._busy = False  # a check or build is running: the workspace must not change under it
        self.location_label = QLabel("")
        self.location_label.setWordWrap(True)
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location_label.setAccessibleName("Workspace location")
        self.open_button = QPushButton("Open\u2026")
        self.open_button.setAccessibleName("Open a workspace file")
        self.open_button.clicked.connect(self.open_requested)
        self.new_button = QPushButton("New\u2026")
        self.new_button.setAccessibleName("Create a new workspace file")
        self.new_button.clicked.connect(self.new_requested)
        self.model = ImportsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Imports in the workspace")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.setTabKeyNavigation(False)
        self.remove_button = QPushButton("Remo&ve import")
        self.remove_button.setAccessibleName("Remove the selected imports from the workspace")
        self.remove_button.clicked.connect(self._remove_clicked)
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Imports summary")
        self.count_label.setWordWrap(True)
        self.purge_button = QPushButton("Remove data older than\u2026")
        self.purge_button.setAccessibleName("Remove data older than the chosen number of months")
        self.purge_button.setToolTip("Take every import whose records are all older than this out of the "
                                     "workspace, with its corrections and commentary")
        self.purge_button.clicked.connect(lambda: self.purge_requested.emit(self.purge_months.value()))
        self.purge_months = QSpinBox()
        self.purge_months.setRange(1, MAX_PURGE_MONTHS)
        self.purge_months.setValue(DEFAULT_PURGE_MONTHS)
        self.purge_months.setSuffix(" months")
        self.purge_months.setAccessibleName("Months of data to keep")
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        top = QHBoxLayout()
        top.addWidget(self.location_label, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.new_button)
        bottom = QHBoxLayout()
        top.addWidget(self.remove_button)
        bottom.addWidget(self.count_label, 1)
        # below the list, on the count's row: the window must still fit a small laptop screen
        bottom.addWidget(self.purge_button)
        bottom.addWidget(self.purge_months)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self._update_buttons()

    def set_location(self, path: Path, is_default: bool) -> None:
        where = "the default workspace in your app-data folder" if is_default else "a workspace you chose"
        self.location_label.setText(f"Workspace: {path} ({where})")

    def set_imports(self, rows: Sequence) -> None:
        self.model.set_imports(rows)
        records = sum(int(r.records) for r in rows)
        self.count_label.setText(f"{len(rows)} import{'s' if len(rows) != 1 else ''}, {records} record"
                                 f"{'s' if records != 1 else ''}" if rows else "Nothing imported yet.")

    def selected_imports(self) -> list:
        return [self.model.import_at(i.row()) for i in self.view.selectionModel().selectedRows()]

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _remove_clicked(self) -> None:
        rows = self.selected_imports()
        if rows:
            self.remove_requested.emit(rows)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(not self._busy and self.view.selectionModel().hasSelection())
        self.open_button.setEnabled(not self._busy)
        self.new_button.setEnabled(not self._busy)
        self.purge_button.setEnabled(not self._busy)
