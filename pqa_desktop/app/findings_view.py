"""The findings panel: grouped and counted on the left, the findings themselves on the right.

Left, a tree with a "Group by" switch (File or Rule), each node with its counts ("Audit_March.xlsx:
2 errors, 1 warning", "A judgement is not on the grading scale: 9 in 4 files"), and under each node the
other grouping (a file's rules, a rule's files). Picking a node narrows the table to it; "All findings"
shows everything. Right, severity toggles with counts, a search box, "7 of 112 findings shown", and the
table: sortable, Ctrl+C copies the selected findings as tab-separated text with a header (they paste into
Excel or an email as a table), and double-click (or Enter) opens the file the finding is about in the
system's default program. A file inside a zip or email opens its container, the file on disk.

The panel holds no data of its own: the findings are the ``FindingsTableModel``'s, the paths come from the
inputs list's ``InputSummary`` rows (``InputSummary.path``), and the tree is rebuilt whenever the findings
change.
"""
from __future__ import annotations

import html
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtCore import QEvent, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QSplitter, QTableView, QTreeView, QVBoxLayout, QWidget)

from ..core.findings import RULES, Finding, Severity
from .findings_model import (CELL_COLUMN, FILE_COLUMN, FINDING_ROLE, RULE_COLUMN, SEVERITY_COLUMN,
                             SEVERITY_WORDS, SHEET_COLUMN, FindingsFilterProxy, FindingsTableModel, counts_text,
                             file_title, findings_as_tsv, rule_title, severity_toggle_text, shown_label)
from .inputs_model import SUMMARY_ROLE

GROUP_BY_FILE = "file"
GROUP_BY_RULE = "rule"
GROUP_ROLE = Qt.ItemDataRole.UserRole + 10  # a tree node's (file, rule) filter: None means "any"
CONTAINER_SEPARATOR = "\u203a"  # "returns.zip › Audit 1.xlsx": the core's display name of an inner file
ALL_FINDINGS = "All findings"
# shares of the table's width after the severity column; the message, last, takes what is left
COLUMN_SHARES = {FILE_COLUMN: 0.22, SHEET_COLUMN: 0.12, CELL_COLUMN: 0.07, RULE_COLUMN: 0.15}
DETAIL_HINT = "Select a finding to read it in full here; double-click it to open its file."


def container_name(file: str) -> str:
    """The outermost file of a display name ("returns.zip › Audit 1.xlsx" -> "returns.zip")."""
    return file.split(CONTAINER_SEPARATOR, 1)[0].strip()


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _triage_order(group: list[Finding], key: str, is_file: bool) -> tuple:
    """Worst first, then the largest group, then by title: what needs most attention tops the tree."""
    title = file_title(key) if is_file else rule_title(key)
    return (min(f.severity.rank for f in group), -len(group), title.casefold())


class FindingsPanel(QWidget):
    """Everything in the Findings area. ``inputs_model`` is the inputs list (for the files' paths);
    ``source_paths`` returns what the user added, to open a container that produced no readable file."""

    open_failed = Signal(str)  # the message shown when a file cannot be opened (also for tests and logs)

    def __init__(self, inputs_model=None, source_paths: Callable[[], Sequence[Path]] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._inputs_model = inputs_model
        self._source_paths = source_paths
        self.model = FindingsTableModel(self)
        self.proxy = FindingsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build_bar()
        self._build_tree()
        self._build_table()

        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        group_row = QHBoxLayout()
        group_row.addWidget(self.group_by_label)
        group_row.addWidget(self.group_by_combo, 1)
        left_layout.addLayout(group_row)
        left_layout.addWidget(self.tree, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.scope_label)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.detail_label)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([260, 740])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._bar)
        layout.addWidget(splitter, 1)

        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._update_count)
        self.model.modelReset.connect(self._findings_changed)
        QWidget.setTabOrder(self.severity_buttons[Severity.INFO], self.search_edit)
        QWidget.setTabOrder(self.search_edit, self.group_by_combo)
        QWidget.setTabOrder(self.group_by_combo, self.tree)
        QWidget.setTabOrder(self.tree, self.table)
        self._rebuild_tree()
        self._update_count()

    # ------------------------------------------------------------------------------------------------
    # widgets
    # ------------------------------------------------------------------------------------------------
    def _build_bar(self) -> None:
        self._bar = bar = QHBoxLayout()
        self.severity_buttons: dict[Severity, QPushButton] = {}
        for severity in Severity:
            button = QPushButton(severity_toggle_text(severity, 0))
            button.setCheckable(True)
            button.setChecked(True)
            button.setAccessibleName(f"Show {severity.value} findings")
            button.setToolTip(f"Show or hide {severity.value} findings")
            button.toggled.connect(lambda on, s=severity: self.proxy.set_severity_visible(s, on))
            self.severity_buttons[severity] = button
            bar.addWidget(button)
        search_label = QLabel("&Search:")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Filter by file, sheet, cell, rule or message")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search findings")
        self.search_edit.textChanged.connect(self.proxy.set_search_text)
        search_label.setBuddy(self.search_edit)
        bar.addSpacing(12)
        bar.addWidget(search_label)
        bar.addWidget(self.search_edit, 1)
        self.count_label = QLabel(shown_label(0, 0))
        self.count_label.setAccessibleName("Findings shown")
        bar.addWidget(self.count_label)

    def _build_tree(self) -> None:
        self.group_by_label = QLabel("Group &by:")
        self.group_by_combo = QComboBox()
        self.group_by_combo.addItem("File", GROUP_BY_FILE)
        self.group_by_combo.addItem("Rule", GROUP_BY_RULE)
        self.group_by_combo.setAccessibleName("Group findings by")
        self.group_by_combo.setToolTip("Group the findings by the file they are in, or by the rule they break")
        self.group_by_label.setBuddy(self.group_by_combo)
        self.group_by_combo.currentIndexChanged.connect(lambda _i: self._rebuild_tree())
        self.tree_model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Finding groups")
        self.tree.setToolTip("Pick a file or rule to show only its findings")
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keeps both a long name's start and its counts
        # the view keeps this selection model while the tree model is cleared and refilled
        self.tree.selectionModel().currentChanged.connect(self._on_group_picked)

    def _build_table(self) -> None:
        self.scope_label = QLabel("")
        self.scope_label.setWordWrap(True)
        self.scope_label.setTextFormat(Qt.TextFormat.RichText)  # values are escaped before they go in
        self.scope_label.setAccessibleName("What the selected group means")
        self.scope_label.setVisible(False)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Findings list")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(SEVERITY_COLUMN, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)  # two lines of a message fit a row; the detail line below has it all
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # the user may drag; resizes re-share
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(40)
        self.table.viewport().installEventFilter(self)  # share the width out again whenever it changes
        self.table.doubleClicked.connect(self._open_row)
        self.detail_label = QLabel(DETAIL_HINT)
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.RichText)  # values are escaped before they go in
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setAccessibleName("The selected finding in full")
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.proxy.modelReset.connect(lambda: self.detail_label.setText(DETAIL_HINT))

        self.copy_action = QAction("&Copy", self.table)
        self.copy_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_selected)
        self.copy_shown_action = QAction("Copy all &shown findings", self.table)
        self.copy_shown_action.triggered.connect(self.copy_shown)
        self.open_action = QAction("&Open the file in its program", self.table)
        self.open_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        self.open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.open_action.triggered.connect(lambda: self._open_row(self.table.currentIndex()))
        for action in (self.copy_action, self.copy_shown_action, self.open_action):
            self.table.addAction(action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._share_columns(event.size().width())
        return super().eventFilter(watched, event)

    def _share_columns(self, width: int) -> None:
        """Give each column its share of the table's width, so the message stays readable when the
        window is narrow or scaled up (fixed widths pushed it off the side)."""
        header = self.table.horizontalHeader()
        severity = max(header.sectionSizeHint(SEVERITY_COLUMN), self.fontMetrics().horizontalAdvance("Warning") + 40)
        rest = max(width - severity, 0)
        header.resizeSection(SEVERITY_COLUMN, severity)
        for column, share in COLUMN_SHARES.items():
            header.resizeSection(column, max(int(rest * share), header.minimumSectionSize()))

    # ------------------------------------------------------------------------------------------------
    # counts and the group tree
    # ------------------------------------------------------------------------------------------------
    def _update_count(self, *_args) -> None:
        self.count_label.setText(shown_label(self.proxy.rowCount(), self.model.rowCount()))

    def _findings_changed(self) -> None:
        counts = self.model.severity_counts()
        for severity, button in self.severity_buttons.items():
            button.setText(severity_toggle_text(severity, counts[severity]))
        self._rebuild_tree()
        self._update_count()

    @property
    def group_by(self) -> str:
        return self.group_by_combo.currentData()

    def set_group_by(self, group_by: str) -> None:
        self.group_by_combo.setCurrentIndex(self.group_by_combo.findData(group_by))

    def _rebuild_tree(self) -> None:
        """One node per file (or rule), each with the other grouping under it; the pick survives a re-check
        when its group still exists."""
        previous = self.proxy.group()
        findings = self.model.findings()
        by_file = self.group_by == GROUP_BY_FILE
        outer: dict[str, list[Finding]] = defaultdict(list)
        for f in findings:
            outer[f.file if by_file else f.rule].append(f)

        self.tree_model.clear()
        all_item = QStandardItem(f"{ALL_FINDINGS} ({counts_text(Counter(f.severity for f in findings))})"
                                 if findings else "No findings")
        all_item.setData((None, None), GROUP_ROLE)
        all_item.setAccessibleText(all_item.text())
        self.tree_model.appendRow(all_item)
        for key, group in sorted(outer.items(), key=lambda kv: _triage_order(kv[1], kv[0], by_file)):
            item = QStandardItem(self._outer_text(key, group, by_file))
            item.setData((key, None) if by_file else (None, key), GROUP_ROLE)
            item.setToolTip(file_title(key) if by_file else RULES.get(key, key))
            inner: dict[str, list[Finding]] = defaultdict(list)
            for f in group:
                inner[f.rule if by_file else f.file].append(f)
            for inner_key, inner_group in sorted(inner.items(),
                                                 key=lambda kv: _triage_order(kv[1], kv[0], not by_file)):
                title = rule_title(inner_key) if by_file else file_title(inner_key)
                child = QStandardItem(f"{title} ({len(inner_group)})")
                child.setData((key, inner_key) if by_file else (inner_key, key), GROUP_ROLE)
                child.setToolTip(RULES.get(inner_key, inner_key) if by_file else file_title(inner_key))
                item.appendRow(child)
            self.tree_model.appendRow(item)
        self._select_group(previous if self._group_index(previous).isValid() else (None, None))

    @staticmethod
    def _outer_text(key: str, group: list[Finding], by_file: bool) -> str:
        if by_file:
            return f"{file_title(key)}: {counts_text(Counter(f.severity for f in group))}"
        files = len({f.file for f in group})
        return f"{rule_title(key)}: {len(group)} in {_plural(files, 'file', 'files')}"

    def _group_index(self, group: tuple[str | None, str | None]) -> QModelIndex:
        # walked in Python: QAbstractItemModel.match cannot compare the Python tuples stored in GROUP_ROLE
        pending = [self.tree_model.invisibleRootItem()]
        while pending:
            item = pending.pop()
            for row in range(item.rowCount()):
                child = item.child(row)
                if tuple(child.data(GROUP_ROLE) or ()) == tuple(group):
                    return child.index()
                pending.append(child)
        return QModelIndex()

    def _select_group(self, group: tuple[str | None, str | None]) -> None:
        index = self._group_index(group)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)
        self._apply_group(group)

    def select_group(self, file: str | None = None, rule: str | None = None) -> None:
        """Show only ``file``'s findings, ``rule``'s, or both's (None: any); the tree follows."""
        self._select_group((file, rule))

    def _on_group_picked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        group = current.data(GROUP_ROLE) if current.isValid() else None
        self._apply_group(tuple(group) if group else (None, None))

    def _apply_group(self, group: tuple[str | None, str | None]) -> None:
        file, rule = group
        self.proxy.set_group(file, rule)
        if rule is not None:
            # a rule states once what it means and what to do (goodtables-ui's ErrorGroup)
            self.scope_label.setText(f"<b>{html.escape(rule_title(rule))}</b> \u2014 "
                                     f"{html.escape(RULES.get(rule, rule))}")
            self.scope_label.setVisible(True)
        else:
            self.scope_label.setVisible(False)
        self._update_count()

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = current.data(FINDING_ROLE) if current.isValid() else None
        if finding is None:
            self.detail_label.setText(DETAIL_HINT)
            return
        where = ", ".join(part for part in (file_title(finding.file), finding.sheet and f"sheet {finding.sheet}",
                                            finding.cell) if part)
        self.detail_label.setText(f"<b>{SEVERITY_WORDS[finding.severity]}</b> — {html.escape(where)}: "
                                  f"{html.escape(finding.message)}")

    # ------------------------------------------------------------------------------------------------
    # copy and open
    # ------------------------------------------------------------------------------------------------
    def selected_findings(self) -> list[Finding]:
        """The selected findings, in the order the table shows them."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.proxy.index(row, 0).data(FINDING_ROLE) for row in rows]

    def copy_selected(self) -> None:
        findings = self.selected_findings()
        if findings:
            QGuiApplication.clipboard().setText(findings_as_tsv(findings))

    def copy_shown(self) -> None:
        QGuiApplication.clipboard().setText(findings_as_tsv(self.proxy.shown_findings()))

    def source_path(self, finding: Finding) -> Path | None:
        """The file on disk a finding is about: its own, or the zip or email it came out of."""
        summaries = []
        if self._inputs_model is not None:
            summaries = [self._inputs_model.index(r, 0).data(SUMMARY_ROLE)
                         for r in range(self._inputs_model.rowCount())]
        summaries = [s for s in summaries if s is not None and s.path]
        for summary in summaries:
            if summary.name == finding.file:
                return Path(summary.path)
        outermost = container_name(finding.file)
        if not outermost:
            return None
        for summary in summaries:
            if container_name(summary.name) == outermost:
                return Path(summary.path)
        for path in (self._source_paths() if self._source_paths is not None else []):
            if Path(path).name == outermost and Path(path).is_file():
                return Path(path)
        return None

    def _open_row(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        finding = self.proxy.index(index.row(), 0).data(FINDING_ROLE)
        if finding is not None:
            self.open_source(finding)

    def open_source(self, finding: Finding) -> bool:
        path = self.source_path(finding)
        if path is None:
            if not finding.file:
                text = "This finding is about the inputs as a whole, not one file, so there is no file to open."
            else:
                text = (f"{finding.file} is no longer in the inputs list, so it cannot be opened from here. "
                        "Open it from its folder instead.")
        elif QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            return True
        else:
            text = (f"{path.name} could not be opened: no program on this laptop opens it. It is in {path.parent}.")
        self.open_failed.emit(text)
        QMessageBox.information(self, "Could not open the file", text)
        return False
