"""The inputs list: one row per input the pipeline recognised (or skipped), over ``InputSummary`` values.

The model holds the core's values and formats them; views never hold data. Names are already masked by
the pipeline, and the path on disk is kept only to remove an input or open it.
"""
from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from ..core.pipeline import InputSummary
from .row_model import RowTableModel

COLUMNS = ("File", "Recognised as", "Records", "Errors", "Warnings", "Info", "Status")
NUMERIC_COLUMNS = {2, 3, 4, 5}
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1  # the InputSummary behind a row

_Index = QModelIndex | QPersistentModelIndex


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def input_status(row: InputSummary) -> str:
    """"No problems found", or the counts in words ("2 errors, 1 warning")."""
    parts = []
    if row.errors:
        parts.append(_plural(row.errors, "error"))
    if row.warnings:
        parts.append(_plural(row.warnings, "warning"))
    if row.infos:
        parts.append(f"{row.infos} info")
    return ", ".join(parts) if parts else "No problems found"


def attention_summary(rows: Sequence[InputSummary]) -> str:
    """The line above the list (GOV.UK error summary style): how many files need a look."""
    if not rows:
        return ""
    needing = sum(1 for r in rows if r.errors or r.warnings)
    if needing == 0:
        return f"{_plural(len(rows), 'file')} read, no problems found"
    verb = "needs" if needing == 1 else "need"
    return f"{_plural(needing, 'file')} of {len(rows)} {verb} attention"


class InputsTableModel(RowTableModel):
    headers = COLUMNS

    # -- contents ---------------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[InputSummary]) -> None:
        self._replace_rows(rows)

    def rows(self) -> list[InputSummary]:
        return list(self._rows)

    def row_at(self, row: int) -> InputSummary:
        return self._rows[row]

    def remove_rows(self, row_numbers: Sequence[int]) -> list[InputSummary]:
        """Remove the given rows (any order); returns what was removed."""
        removed = []
        for row in sorted(set(row_numbers), reverse=True):
            if 0 <= row < len(self._rows):
                self.beginRemoveRows(QModelIndex(), row, row)
                removed.append(self._rows.pop(row))
                self.endRemoveRows()
        return list(reversed(removed))

    # -- Qt model interface -----------------------------------------------------------------------------



    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.name, row.kind_label, row.records, row.errors, row.warnings, row.infos,
                    input_status(row))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return row.name
        if role == SUMMARY_ROLE:
            return row
        return None
