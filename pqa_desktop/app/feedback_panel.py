"""The feedback the workbook will quote, each item with a tick to leave it out, and a switch to leave out all text.

Items come from ``pipeline.feedback_items`` (text already redacted as the workbook would show it). An item is
identified by its audit key, so a left-out item stays left out when the inputs are checked again
(``BuildOptions.excluded_feedback``). "Leave out all feedback text" is the ``Settings.feedback_text`` opt-out:
the rows stay in the workbook, their text does not.
"""
from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QTableView,
                               QVBoxLayout, QWidget)

from .row_model import RowTableModel

HEADERS = ("Use", "Date", "Audit type", "Service area", "From", "Sentiment", "Feedback")
USE_COLUMN, TEXT_COLUMN = 0, 6
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class FeedbackModel(RowTableModel):
    """Feedback items with a "Use" tick each; unticked items' audit keys are the ones left out."""
    headers = HEADERS

    excluded_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._excluded: set[str] = set()

    def set_items(self, items: Sequence) -> None:
        self._replace_rows(items)

    def items(self) -> list:
        return list(self._rows)

    def excluded_keys(self) -> set[str]:
        """Keys of the items shown and left out (a key left out earlier and no longer listed is dropped)."""
        shown = {item.audit_key for item in self._rows}
        return self._excluded & shown

    def set_excluded(self, keys: set[str]) -> None:
        self._excluded = set(keys)
        if self._rows:
            self.dataChanged.emit(self.index(0, USE_COLUMN), self.index(len(self._rows) - 1, USE_COLUMN))
        self.excluded_changed.emit()




    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == USE_COLUMN:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == ITEM_ROLE:
            return item
        if column == USE_COLUMN:
            used = item.audit_key not in self._excluded
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if used else Qt.CheckState.Unchecked
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return "Used" if used else "Left out"
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = (None, item.date, item.audit_type, item.service_area, item.source, item.sentiment,
                     item.text)[column]
            if column == 1 and value is not None:
                return value.strftime("%d/%m/%Y")
            if role == Qt.ItemDataRole.ToolTipRole and column != TEXT_COLUMN:
                return None
            return "" if value is None else str(value)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != USE_COLUMN or role != Qt.ItemDataRole.CheckStateRole:
            return False
        key = self._rows[index.row()].audit_key
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        if checked:
            self._excluded.discard(key)
        else:
            self._excluded.add(key)
        self.dataChanged.emit(index, index.siblingAtColumn(USE_COLUMN),
                              [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.DisplayRole])
        self.excluded_changed.emit()
        return True


class FeedbackPanel(QWidget):
    leave_out_all_changed = Signal(bool)  # True: no feedback text in the workbook

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        intro = QLabel("Untick an item to leave it out of the workbook.")
        intro.setWordWrap(True)
        self.leave_out_all_check = QCheckBox("Leave out all feedback te&xt")
        self.leave_out_all_check.setAccessibleName("Leave out all feedback text")
        self.leave_out_all_check.setToolTip("The feedback counts stay in the workbook; the words do not")
        self.leave_out_all_check.toggled.connect(self.leave_out_all_changed)
        self.model = FeedbackModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Feedback items")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(True)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(TEXT_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.view.setTabKeyNavigation(False)
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Feedback items used")
        self.count_label.setWordWrap(True)
        self.model.modelReset.connect(self._update_count)
        self.model.excluded_changed.connect(self._update_count)
        bottom = QHBoxLayout()
        bottom.addWidget(self.leave_out_all_check)
        bottom.addStretch(1)
        bottom.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self._update_count()

    def set_items(self, items: Sequence) -> None:
        self.model.set_items(items)

    def excluded_keys(self) -> set[str]:
        return self.model.excluded_keys()

    def set_leave_out_all(self, on: bool) -> None:
        self.leave_out_all_check.setChecked(on)

    def _update_count(self) -> None:
        total = self.model.rowCount()
        if not total:
            self.count_label.setText("No feedback in the audits for this period.")
            return
        used = total - len(self.model.excluded_keys())
        self.count_label.setText(f"{used} of {total} feedback item{'s' if total != 1 else ''} used")
