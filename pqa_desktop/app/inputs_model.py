"""The inputs list: one row per input, over the core's ``InputSummary`` values, and the proxy that sorts it
and narrows it to the files that need attention.

A row for every input: each file read (its kind, auditor, audit dates, records and open findings), each
input that gave nothing to read with why ("Skipped: a lock file…", "Duplicate: same as…"), and each file
not read yet when a check was stopped. The model holds the core's values and formats them; views never
hold data. Names are already masked by the pipeline; the path on disk is kept only for the tooltip, to
remove an input or to open it.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from ..core.pipeline.run import NOT_AN_INPUT, NOT_READ, InputSummary
from .row_model import RowTableModel

COLUMNS = ("File", "Recognised as", "Auditor", "Audit date", "Records", "Status")
FILE_COLUMN, KIND_COLUMN, AUDITOR_COLUMN, DATE_COLUMN, RECORDS_COLUMN, STATUS_COLUMN = range(len(COLUMNS))
NUMERIC_COLUMNS = {RECORDS_COLUMN}
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1  # the InputSummary behind a row
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a value that sorts naturally (dates by date, status by severity)

_Index = QModelIndex | QPersistentModelIndex


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def input_status(row: InputSummary) -> str:
    """"No problems found", the open findings in words ("2 errors, 1 warning"), and what was dealt with."""
    if row.kind == NOT_READ:
        return "Not read yet"
    parts = []
    if row.errors:
        parts.append(_plural(row.errors, "error"))
    if row.warnings:
        parts.append(_plural(row.warnings, "warning"))
    if row.infos:
        parts.append(f"{row.infos} info")
    if row.resolved:
        dealt = f"{row.resolved} dealt with"
        return ", ".join(parts) + f" ({dealt})" if parts else f"No open problems ({dealt})"
    if parts:
        return ", ".join(parts)
    return "Nothing to do" if row.kind == NOT_AN_INPUT else "No problems found"


def dates_text(row: InputSummary) -> str:
    first, last = row.first_date, row.last_date
    if first is None:
        return ""
    if last is None or last == first:
        return f"{first:%d/%m/%Y}"
    return f"{first:%d/%m/%Y} \u2013 {last:%d/%m/%Y}"


def attention_count(rows: Iterable[InputSummary]) -> int:
    return sum(1 for r in rows if r.needs_attention)


def attention_summary(rows: Sequence[InputSummary]) -> str:
    """The line above the list (GOV.UK error summary style): how many files need a look."""
    if not rows:
        return ""
    needing = attention_count(rows)
    if needing == 0:
        return f"{_plural(len(rows), 'input')}, none needs attention"
    verb = "needs" if needing == 1 else "need"
    return f"{_plural(needing, 'file')} of {len(rows)} {verb} attention"


def _runs(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """Ascending numbers as (first, last) runs: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _status_order(row: InputSummary) -> tuple:
    """Worst first: open errors, then warnings, then the rest; not read yet last."""
    return (row.kind == NOT_READ, -row.errors, -row.warnings, -row.infos, row.name.casefold())


class InputsTableModel(RowTableModel):
    headers = COLUMNS

    # -- contents ---------------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[InputSummary]) -> None:
        """The rows of a finished check. When the files listed are all among its files, in the same order
        (a re-check, or the rows streamed while it ran, with new files anywhere between them), they are
        updated in place and only those that changed are redrawn, the new ones inserted where the check has
        them; otherwise the list is replaced. A council's thousand rows replaced after every check made the
        window lay out and redraw the whole list while the next job ran (issue 18)."""
        rows = list(rows)
        listed = self._rows
        if not listed or not self._in_place(rows):
            self._replace_rows(rows)
            return
        old_keys = {(r.path, r.name) for r in listed}
        changed: list[int] = []
        at = 0  # where the next row of ``rows`` goes in the list as it is now
        for row in rows:
            if (row.path, row.name) in old_keys:
                if listed[at] != row:
                    listed[at] = row
                    changed.append(at)
            else:
                self.beginInsertRows(QModelIndex(), at, at)
                listed.insert(at, row)
                self.endInsertRows()
                changed = [i + 1 if i >= at else i for i in changed]
            at += 1
        for first, last in _runs(sorted(changed)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _in_place(self, rows: list[InputSummary]) -> bool:
        """Whether ``rows`` holds every row listed (by file), in the same order, each once."""
        keys = [(r.path, r.name) for r in rows]
        listed = [(r.path, r.name) for r in self._rows]
        if len(set(keys)) != len(keys) or len(set(listed)) != len(listed):
            return False
        wanted = set(listed)
        return [k for k in keys if k in wanted] == listed

    def rows(self) -> list[InputSummary]:
        return list(self._rows)

    def row_at(self, row: int) -> InputSummary:
        return self._rows[row]

    def put_rows(self, rows: Sequence[InputSummary]) -> None:
        """Add rows as files are read: a row for a file already listed (same name at the same place on disk:
        read again) replaces it, others go at the end. Two files whose names mask alike stay two rows."""
        where = {(r.path, r.name): i for i, r in enumerate(self._rows)}
        fresh = []
        for row in rows:
            i = where.get((row.path, row.name))
            if i is None:
                where[(row.path, row.name)] = len(self._rows) + len(fresh)
                fresh.append(row)
            elif i >= len(self._rows):
                fresh[i - len(self._rows)] = row
            else:
                self._rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
        if fresh:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()

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
            if column == RECORDS_COLUMN:
                return row.records if row.kind not in (NOT_AN_INPUT, NOT_READ) else ""
            return (row.name, row.kind_label, row.auditor, dates_text(row), row.records, input_status(row))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == FILE_COLUMN:  # where it is, masked as the name is (a folder may be named after a child)
                return f"{row.name}\nin {row.location}" if row.location else row.name
            if column in (KIND_COLUMN, AUDITOR_COLUMN, STATUS_COLUMN):
                return self.data(index, Qt.ItemDataRole.DisplayRole) or None
        if role == SORT_ROLE:
            if column == FILE_COLUMN:
                return row.name.casefold()
            if column == DATE_COLUMN:
                return (row.first_date or date.min).isoformat()
            if column == RECORDS_COLUMN:
                return row.records
            if column == STATUS_COLUMN:
                return _status_order(row)
            return str(self.data(index)).casefold()
        if role == SUMMARY_ROLE:
            return row
        return None


class InputsFilterProxy(QSortFilterProxyModel):
    """Sorting by any column (dates by date, status worst first) and a "needs attention only" switch."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._attention_only = False
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    @property
    def attention_only(self) -> bool:
        return self._attention_only

    def set_attention_only(self, on: bool) -> None:
        if on == self._attention_only:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+
            self.beginFilterChange()
            self._attention_only = on
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._attention_only = on
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._attention_only:
            return True
        model = self.sourceModel()
        summary = model.data(model.index(source_row, 0, source_parent), SUMMARY_ROLE)
        return summary is not None and summary.needs_attention

    def lessThan(self, left: _Index, right: _Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)

    def summaries(self) -> list[InputSummary]:
        """The rows shown, in the order shown."""
        return [self.index(r, 0).data(SUMMARY_ROLE) for r in range(self.rowCount())]
