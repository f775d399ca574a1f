"""The findings table: a model over the core's ``Finding`` values and a proxy that filters and sorts them.

Severity shows as a word and an icon, never colour alone. The proxy narrows by the severities switched
on, by the file and rule picked in the group tree, and by a search text matched (case-insensitively)
against file, sheet, cell, rule and message; like Spyder's ``CustomSortFilterProxy`` it stores the
criteria and calls ``invalidateFilter()``. The functions at the bottom turn findings into the group
tree's labels and into tab-separated text for the clipboard.
"""
from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
from typing import Any, Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QApplication, QStyle

from ..core.findings import RULES, Finding, Severity, _cell_key
from .row_model import RowTableModel

COLUMNS = ("Severity", "File", "Sheet", "Cell", "Rule", "Message")
SEVERITY_COLUMN, FILE_COLUMN, SHEET_COLUMN, CELL_COLUMN, RULE_COLUMN, MESSAGE_COLUMN = range(len(COLUMNS))
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1  # the Finding behind a row
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a value that sorts naturally (severity rank, C2 before C10)

SEVERITY_WORDS = {Severity.ERROR: "Error", Severity.WARNING: "Warning", Severity.INFO: "Info"}
_SEVERITY_ICONS = {
    Severity.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
    Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
}

_Index = QModelIndex | QPersistentModelIndex


def severity_icon(severity: Severity):
    style = QApplication.style()
    return style.standardIcon(_SEVERITY_ICONS[severity]) if style is not None else None


class FindingsTableModel(RowTableModel):
    headers = COLUMNS

    def set_findings(self, findings: Iterable[Finding]) -> None:
        self._replace_rows(findings)

    def findings(self) -> list[Finding]:
        return list(self._rows)

    def severity_counts(self) -> Counter:
        return Counter(f.severity for f in self._rows)




    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        finding = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (SEVERITY_WORDS[finding.severity], finding.file, finding.sheet, finding.cell, finding.rule,
                    finding.message)[column]
        if role == Qt.ItemDataRole.DecorationRole and column == SEVERITY_COLUMN:
            return severity_icon(finding.severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == RULE_COLUMN:
                return RULES.get(finding.rule, finding.rule)
            if column == MESSAGE_COLUMN:
                return finding.message
        if role == SORT_ROLE:
            if column == SEVERITY_COLUMN:
                return finding.severity.rank
            if column == CELL_COLUMN:
                # a string key that orders A2 < A10 < "row 2" < "row 10" < anything else
                kind, number, width, letters = _cell_key(finding.cell)
                return f"{kind}{number:09d}{width:03d}{letters}"
            return (finding.file, finding.sheet, finding.cell, finding.rule, finding.message)[column - 1].casefold()
        if role == FINDING_ROLE:
            return finding
        return None


class FindingsFilterProxy(QSortFilterProxyModel):
    """Severity toggles, a file and a rule (from the group tree), a search box, and natural sorting."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._severities: set[Severity] = set(Severity)
        self._search = ""
        self._file: str | None = None  # None: every file
        self._rule: str | None = None  # None: every rule
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

    def set_search_text(self, text: str) -> None:
        text = text.strip().casefold()
        if text != self._search:
            with self._filter_change():
                self._search = text

    def set_group(self, file: str | None, rule: str | None) -> None:
        """Narrow to one file and/or one rule (None for all), as picked in the group tree."""
        if (file, rule) != (self._file, self._rule):
            with self._filter_change():
                self._file, self._rule = file, rule

    def group(self) -> tuple[str | None, str | None]:
        return self._file, self._rule

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
        finding = model.data(model.index(source_row, 0, source_parent), FINDING_ROLE)
        if finding is None:
            return False
        if finding.severity not in self._severities:
            return False
        if self._file is not None and finding.file != self._file:
            return False
        if self._rule is not None and finding.rule != self._rule:
            return False
        if not self._search:
            return True
        haystack = " ".join((SEVERITY_WORDS[finding.severity], finding.file, finding.sheet, finding.cell,
                             finding.rule, finding.message)).casefold()
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



def counts_text(counts: Counter) -> str:
    """"2 errors, 1 warning, 3 info" (no zero counts; "no findings" when empty)."""
    parts = []
    for severity, one, many in ((Severity.ERROR, "error", "errors"), (Severity.WARNING, "warning", "warnings"),
                                (Severity.INFO, "info", "info")):
        n = counts.get(severity, 0)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) or "no findings"


def rule_title(rule: str) -> str:
    """A short title for a rule node: the first clause of the rule's meaning ("A judgement is not on the
    grading scale"), or the rule id when the rule is not registered."""
    meaning = RULES.get(rule, "")
    title = re.split(r";|: |, so |\.\s|\.$", meaning, maxsplit=1)[0].strip() if meaning else ""
    if not title:
        return rule
    return title if len(title) <= RULE_TITLE_LENGTH else title[:RULE_TITLE_LENGTH - 1].rstrip() + "\u2026"


RULE_TITLE_LENGTH = 100
WHOLE_INPUT = "(all inputs)"  # the group of findings about no one file ("None of the inputs could be used")


def file_title(file: str) -> str:
    return file or WHOLE_INPUT


def findings_as_tsv(findings: Iterable[Finding]) -> str:
    """Tab-separated text with a header row: pastes into Excel or an email as a table."""
    def clean(text: str) -> str:
        return " ".join(str(text).split())  # tabs and line breaks inside a value would break the columns

    lines = ["\t".join(COLUMNS)]
    for f in findings:
        lines.append("\t".join(clean(v) for v in (SEVERITY_WORDS[f.severity], f.file, f.sheet, f.cell, f.rule,
                                                   f.message)))
    return "\n".join(lines) + "\n"
