"""The findings table: a model over the core's ``Finding`` values and a proxy that filters and sorts them.

Each row shows the finding's severity (a word and an icon, never colour alone), what the QA officer
decided about it (Open, Corrected, Accepted: <reason>), where it is (file, sheet, cell), the field and
the value found (the core gives a value only for fields that never identify anyone), the message, and
the rule in plain words (its id in the tooltip). The model also knows each finding's auditor, for the
"Group by auditor" tree and the send-back lists.

The proxy narrows by the severities and statuses switched on, by the file, rule or auditor picked in the
group tree, and by a search text matched (case-insensitively, every word) against everything a row shows;
like Spyder's ``CustomSortFilterProxy`` it stores the criteria and calls ``invalidateFilter()``. The
functions at the bottom turn findings into the tree's labels and into tab-separated text for the clipboard.
"""
from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Mapping

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QApplication, QStyle

from ..core.finding_status import OPEN, STATUS_WORDS, STATUSES, status_key
from ..core.findings import RULES, Finding, Severity, cell_sort_key
from .row_model import RowTableModel

COLUMNS = ("Severity", "Status", "File", "Sheet", "Cell", "Field", "Value found", "Message", "Rule")
(SEVERITY_COLUMN, STATUS_COLUMN, FILE_COLUMN, SHEET_COLUMN, CELL_COLUMN, FIELD_COLUMN, VALUE_COLUMN,
 MESSAGE_COLUMN, RULE_COLUMN) = range(len(COLUMNS))
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1  # the Finding behind a row
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a value that sorts naturally (severity rank, C2 before C10)
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3  # OPEN, CORRECTED or ACCEPTED
AUDITOR_ROLE = Qt.ItemDataRole.UserRole + 4  # the auditor the finding goes back to ("" for none)

SEVERITY_WORDS = {Severity.ERROR: "Error", Severity.WARNING: "Warning", Severity.INFO: "Info"}
_SEVERITY_ICONS = {
    Severity.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
    Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
}
NO_AUDITOR_TITLE = "No auditor named"

_Index = QModelIndex | QPersistentModelIndex


def severity_icon(severity: Severity):
    style = QApplication.style()
    return style.standardIcon(_SEVERITY_ICONS[severity]) if style is not None else None


class FindingsTableModel(RowTableModel):
    headers = COLUMNS

    def __init__(self, parent=None):
        super().__init__(parent)
        self._statuses: Mapping = {}
        self._auditor_of: Callable[[Finding], str] = lambda f: ""
        self._auditors: dict[Finding, str] = {}

    # -- contents ---------------------------------------------------------------------------------------
    def set_findings(self, findings: Iterable[Finding], statuses: Mapping | None = None,
                     auditor_of: Callable[[Finding], str] | None = None) -> None:
        """Every finding to list (raised and corrected away), the workspace's statuses and who each goes to."""
        self.beginResetModel()
        self._rows = list(findings)
        self._statuses = dict(statuses or {})
        self._auditor_of = auditor_of or (lambda f: "")
        self._auditors = {}
        self.endResetModel()

    def append_findings(self, findings: Iterable[Finding]) -> None:
        """Findings of files just read (the list grows while the inputs are read)."""
        fresh = list(findings)
        if fresh:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()

    def set_statuses(self, statuses: Mapping) -> None:
        """New statuses for the same findings (the officer accepted or reopened some): redraw, no reset."""
        self._statuses = dict(statuses)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    def findings(self) -> list[Finding]:
        return list(self._rows)

    def statuses(self) -> dict:
        return dict(self._statuses)

    def status(self, finding: Finding) -> str:
        kept = self._statuses.get(status_key(finding))
        return kept.status if kept is not None else OPEN

    def status_text(self, finding: Finding) -> str:
        kept = self._statuses.get(status_key(finding))
        return kept.text if kept is not None else STATUS_WORDS[OPEN]

    def auditor(self, finding: Finding) -> str:
        if finding not in self._auditors:
            self._auditors[finding] = self._auditor_of(finding)
        return self._auditors[finding]

    def severity_counts(self, open_only: bool = False) -> Counter:
        return Counter(f.severity for f in self._rows if not open_only or self.status(f) == OPEN)

    def status_counts(self) -> Counter:
        return Counter(self.status(f) for f in self._rows)

    # -- Qt model interface -----------------------------------------------------------------------------
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        finding = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return display_values(finding, self.status_text(finding))[column]
        if role == Qt.ItemDataRole.DecorationRole and column == SEVERITY_COLUMN:
            return severity_icon(finding.severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == RULE_COLUMN:
                return f"{RULES.get(finding.rule, finding.rule)} (rule {finding.rule})"
            if column in (MESSAGE_COLUMN, STATUS_COLUMN, FILE_COLUMN, FIELD_COLUMN):
                return display_values(finding, self.status_text(finding))[column] or None
        if role == SORT_ROLE:
            if column == SEVERITY_COLUMN:
                return finding.severity.rank
            if column == STATUS_COLUMN:
                return STATUSES.index(self.status(finding))
            if column == CELL_COLUMN:
                # a string key that orders A2 < A10 < "row 2" < "row 10" < anything else
                kind, number, width, letters = cell_sort_key(finding.cell)
                return f"{kind}{number:09d}{width:03d}{letters}"
            return str(display_values(finding, "")[column]).casefold()
        if role == FINDING_ROLE:
            return finding
        if role == STATUS_ROLE:
            return self.status(finding)
        if role == AUDITOR_ROLE:
            return self.auditor(finding)
        return None


def display_values(finding: Finding, status: str) -> tuple:
    return (SEVERITY_WORDS[finding.severity], status, finding.file, finding.sheet, finding.cell, finding.field,
            finding.value, finding.message, rule_title(finding.rule))


class FindingsFilterProxy(QSortFilterProxyModel):
    """Severity and status toggles, a file, rule or auditor (from the group tree), a search box, natural sorting."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._severities: set[Severity] = set(Severity)
        self._statuses: set[str] = set(STATUSES)
        self._search = ""
        self._file: str | None = None  # None: every file
        self._rule: str | None = None  # None: every rule
        self._auditor: str | None = None  # None: every auditor ("" is "no auditor named")
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def visible_severities(self) -> set[Severity]:
        return set(self._severities)

    def set_severity_visible(self, severity: Severity, visible: bool) -> None:
        if (severity in self._severities) == visible:
            return
        with self._filter_change():
            if visible:
                self._severities.add(severity)
            else:
                self._severities.discard(severity)

    def visible_statuses(self) -> set[str]:
        return set(self._statuses)

    def set_status_visible(self, status: str, visible: bool) -> None:
        if (status in self._statuses) == visible:
            return
        with self._filter_change():
            if visible:
                self._statuses.add(status)
            else:
                self._statuses.discard(status)

    def set_search_text(self, text: str) -> None:
        text = text.strip().casefold()
        if text != self._search:
            with self._filter_change():
                self._search = text

    def set_group(self, file: str | None, rule: str | None, auditor: str | None = None) -> None:
        """Narrow to one file, rule and/or auditor (None for all), as picked in the group tree."""
        if (file, rule, auditor) != (self._file, self._rule, self._auditor):
            with self._filter_change():
                self._file, self._rule, self._auditor = file, rule, auditor

    def group(self) -> tuple[str | None, str | None, str | None]:
        return self._file, self._rule, self._auditor

    def refilter(self) -> None:
        """Statuses changed under the same criteria: apply the toggles again."""
        with self._filter_change():
            pass

    @contextmanager
    def _filter_change(self):
        """Qt 6.9+ wants begin/endFilterChange around a change of criteria; older Qt only invalidateFilter."""
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            yield
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            yield
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        finding = model.data(index, FINDING_ROLE)
        if finding is None:
            return False
        if finding.severity not in self._severities:
            return False
        if self._file is not None and finding.file != self._file:
            return False
        if self._rule is not None and finding.rule != self._rule:
            return False
        if self._auditor is not None and model.data(index, AUDITOR_ROLE) != self._auditor:
            return False
        if len(self._statuses) < len(STATUSES) and model.data(index, STATUS_ROLE) not in self._statuses:
            return False
        if not self._search:
            return True
        status = model.status_text(finding) if hasattr(model, "status_text") else ""
        haystack = " ".join((*display_values(finding, status), finding.rule)).casefold()
        return all(word in haystack for word in self._search.split())

    def shown_findings(self) -> list[Finding]:
        return [self.data(self.index(r, 0), FINDING_ROLE) for r in range(self.rowCount())]


def shown_label(shown: int, total: int) -> str:
    if total == 0:
        return "No findings"
    noun = "finding" if total == 1 else "findings"
    return f"{shown} of {total} {noun} shown"


def severity_toggle_text(severity: Severity, count: int) -> str:
    word = {Severity.ERROR: "&Errors", Severity.WARNING: "&Warnings", Severity.INFO: "I&nfo"}[severity]
    return f"{word} ({count})"


def status_toggle_text(status: str, count: int) -> str:
    return f"{STATUS_WORDS[status]} ({count})"  # no mnemonic: every letter is taken elsewhere in the window


def counts_text(counts: Counter) -> str:
    """"2 errors, 1 warning, 3 info" (no zero counts; "no findings" when empty)."""
    parts = []
    for severity, one, many in ((Severity.ERROR, "error", "errors"), (Severity.WARNING, "warning", "warnings"),
                                (Severity.INFO, "info", "info")):
        n = counts.get(severity, 0)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) or "no findings"


RULE_TITLE_LENGTH = 100


def rule_title(rule: str) -> str:
    """The rule in plain words: the first clause of its meaning ("A judgement is not on the grading
    scale"), or the rule id when the rule is not registered."""
    meaning = RULES.get(rule, "")
    title = re.split(r";|: |, so |\.\s|\.$", meaning, maxsplit=1)[0].strip() if meaning else ""
    if not title:
        return rule
    return title if len(title) <= RULE_TITLE_LENGTH else title[:RULE_TITLE_LENGTH - 1].rstrip() + "\u2026"


WHOLE_INPUT = "(all inputs)"  # the group of findings about no one file ("None of the inputs could be used")


def file_title(file: str) -> str:
    return file or WHOLE_INPUT


def auditor_title(auditor: str) -> str:
    return auditor or NO_AUDITOR_TITLE


TSV_COLUMNS = ("Severity", "Status", "File", "Sheet", "Cell", "Field", "Value found", "Message", "Rule")


def findings_as_tsv(findings: Iterable[Finding], status_text: Callable[[Finding], str] = lambda f: "Open") -> str:
    """Tab-separated text with a header row: pastes into Excel or an email as a table."""
    def clean(text: str) -> str:
        return " ".join(str(text).split())  # tabs and line breaks inside a value would break the columns

    lines = ["\t".join(TSV_COLUMNS)]
    for f in findings:
        lines.append("\t".join(clean(v) for v in display_values(f, status_text(f))))
    return "\n".join(lines) + "\n"
