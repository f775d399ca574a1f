"""The findings panel: grouped and counted on the left, the findings themselves on the right, what to do
with them below.

Left, a tree with a "Group by" switch (File, Rule or Auditor), each node with its counts
("Audit_March.xlsx: 2 errors, 1 warning", "A judgement is not on the grading scale: 9 in 4 files",
"Jane Smith: 3 errors"), and under each node the next grouping (a file's rules, a rule's files, an
auditor's files). Picking a node narrows the table to it; "All findings" shows everything. Above, toggles
for severity and status, each with its count, a search box (Ctrl+F from anywhere) and "7 of 112 findings
shown". Right, the table: sortable, Ctrl+C copies the selected findings as tab-separated text with a
header, and double-click (or Enter) opens the file the finding is about in the system's default program
(a file inside a zip or email opens its container). Below, the actions: correct the value, accept with a
reason, mark corrected, reopen, and send the findings shown back to their auditors. The panel only emits
what was asked; the window does it (in the workspace) and gives the panel the new statuses.

The panel holds no data of its own: the findings, statuses and auditors are the ``FindingsTableModel``'s,
the paths come from the inputs list's ``InputSummary`` rows, and the tree is rebuilt when they change.
"""
from __future__ import annotations

import html
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from PySide6.QtCore import QEvent, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QSplitter, QTableView, QTreeView, QVBoxLayout, QWidget)

from ..core.finding_status import ACCEPTED, CORRECTED, OPEN, STATUSES
from ..core.findings import RULES, Finding, Severity
from .findings_model import (CELL_COLUMN, FIELD_COLUMN, FILE_COLUMN, FINDING_ROLE, MESSAGE_COLUMN, RULE_COLUMN,
                             SEVERITY_COLUMN, SEVERITY_WORDS, SHEET_COLUMN, STATUS_COLUMN, VALUE_COLUMN,
                             FindingsFilterProxy, FindingsTableModel, auditor_title, counts_text, file_title,
                             findings_as_tsv, rule_title, severity_toggle_text, shown_label, status_toggle_text)
from .inputs_model import SUMMARY_ROLE

GROUP_BY_FILE = "file"
GROUP_BY_RULE = "rule"
GROUP_BY_AUDITOR = "auditor"
GROUP_ROLE = Qt.ItemDataRole.UserRole + 10  # a tree node's (file, rule, auditor) filter: None means "any"
CONTAINER_SEPARATOR = "\u203a"  # "returns.zip › Audit 1.xlsx": the core's display name of an inner file
ALL_FINDINGS = "All findings"
ANY = (None, None, None)
# shares of the table's width after the severity column; the message takes what is left
COLUMN_SHARES = {STATUS_COLUMN: 0.09, FILE_COLUMN: 0.16, SHEET_COLUMN: 0.08, CELL_COLUMN: 0.05, FIELD_COLUMN: 0.13,
                 VALUE_COLUMN: 0.08, RULE_COLUMN: 0.12}
DETAIL_HINT = "Select a finding to read it in full here; double-click it to open its file."
NOTHING_SELECTED = "Select one or more findings first."


def container_name(file: str) -> str:
    """The outermost file of a display name ("returns.zip › Audit 1.xlsx" -> "returns.zip")."""
    return file.split(CONTAINER_SEPARATOR, 1)[0].strip()


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _title(key: str, kind: str) -> str:
    return {GROUP_BY_FILE: file_title, GROUP_BY_RULE: rule_title, GROUP_BY_AUDITOR: auditor_title}[kind](key)


def _triage_order(group: list[Finding], key: str, kind: str) -> tuple:
    """Worst first, then the largest group, then by title: what needs most attention tops the tree."""
    return (min(f.severity.rank for f in group), -len(group), _title(key, kind).casefold())


class FindingsPanel(QWidget):
    """Everything in the Findings area. ``inputs_model`` is the inputs list (for the files' paths);
    ``source_paths`` returns what the user added, to open a container that produced no readable file."""

    open_failed = Signal(str)  # the message shown when a file cannot be opened (also for tests and logs)
    correct_requested = Signal(object)  # the Finding to correct ("Treat as…" or which copy to keep)
    status_requested = Signal(list, str)  # findings, and OPEN, CORRECTED or ACCEPTED
    send_back_requested = Signal(list, object)  # the findings shown, and the auditor picked (None: all)

    def __init__(self, inputs_model=None, source_paths: Callable[[], Sequence[Path]] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._inputs_model = inputs_model
        self._source_paths = source_paths
        self._can_act = False  # a check is on screen and nothing is running
        self.model = FindingsTableModel(self)
        self.proxy = FindingsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build_bar()
        self._build_tree()
        self._build_table()
        self._build_actions()

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
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([250, 1000])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._bar)
        layout.addWidget(splitter, 1)
        layout.addLayout(self._actions)

        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._update_count)
        self.model.modelReset.connect(self._findings_changed)
        chain = [*self.severity_buttons.values(), *self.status_buttons.values(), self.search_edit,
                 self.group_by_combo, self.tree, self.table, self.correct_button, self.accept_button,
                 self.corrected_button, self.reopen_button, self.send_back_button]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        self._rebuild_tree()
        self._update_count()
        self._update_actions()

    # ------------------------------------------------------------------------------------------------
    # widgets
    # ------------------------------------------------------------------------------------------------
    def _build_bar(self) -> None:
        self._bar = bar = QHBoxLayout()
        self.severity_buttons: dict[Severity, QPushButton] = {}
        for severity in Severity:
            button = self._toggle(severity_toggle_text(severity, 0), f"Show {severity.value} findings")
            button.toggled.connect(lambda on, s=severity: self._severity_toggled(s, on))
            self.severity_buttons[severity] = button
            bar.addWidget(button)
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.VLine)
        bar.addWidget(separator)
        self.status_buttons: dict[str, QPushButton] = {}
        for status in STATUSES:
            button = self._toggle(status_toggle_text(status, 0), f"Show {status} findings")
            button.toggled.connect(lambda on, s=status: self._status_toggled(s, on))
            self.status_buttons[status] = button
            bar.addWidget(button)
        search_label = QLabel("&Search:")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Filter by file, field, value, message or rule (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search findings")
        self.search_edit.textChanged.connect(self._search_changed)
        search_label.setBuddy(self.search_edit)
        bar.addSpacing(8)
        bar.addWidget(search_label)
        bar.addWidget(self.search_edit, 1)
        self.count_label = QLabel(shown_label(0, 0))
        self.count_label.setAccessibleName("Findings shown")
        bar.addWidget(self.count_label)

    @staticmethod
    def _toggle(text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setCheckable(True)
        button.setChecked(True)
        button.setAccessibleName(name)
        button.setToolTip(f"{name}, or hide them")
        return button

    def _build_tree(self) -> None:
        self.group_by_label = QLabel("Group by:")
        self.group_by_combo = QComboBox()
        self.group_by_combo.addItem("File", GROUP_BY_FILE)
        self.group_by_combo.addItem("Rule", GROUP_BY_RULE)
        self.group_by_combo.addItem("Auditor", GROUP_BY_AUDITOR)
        self.group_by_combo.setAccessibleName("Group findings by")
        self.group_by_combo.setToolTip("Group the findings by the file they are in, the rule they break, or the "
                                       "auditor who completed the return")
        self.group_by_label.setBuddy(self.group_by_combo)
        self.group_by_combo.currentIndexChanged.connect(lambda _i: self._rebuild_tree())
        self.tree_model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Finding groups")
        self.tree.setToolTip("Pick a group to show only its findings")
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setTabKeyNavigation(False)  # Tab leaves the tree; arrows move within it
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
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (no keyboard trap); arrows move within it
        self.table.setWordWrap(True)  # two lines of a message fit a row; the detail line below has it all
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # the user may drag; resizes re-share
        header.setMinimumSectionSize(40)
        self.table.viewport().installEventFilter(self)  # share the width out again whenever it changes
        self.table.doubleClicked.connect(self._open_row)
        self.detail_label = QLabel(DETAIL_HINT)
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.RichText)  # values are escaped before they go in
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setAccessibleName("The selected finding in full")
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
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

    def _build_actions(self) -> None:
        self._actions = row = QHBoxLayout()
        self.correct_button = QPushButton("Correct the value\u2026")
        self.correct_button.setAccessibleName("Correct the selected finding's value")
        self.correct_button.clicked.connect(self._correct_clicked)
        self.accept_button = QPushButton("Accept\u2026")
        self.accept_button.setAccessibleName("Accept the selected findings with a reason")
        self.accept_button.clicked.connect(lambda: self._status_clicked(ACCEPTED))
        self.corrected_button = QPushButton("Mark corrected")
        self.corrected_button.setAccessibleName("Mark the selected findings as corrected")
        self.corrected_button.setToolTip("The problem has been put right (for example, a corrected copy came in)")
        self.corrected_button.clicked.connect(lambda: self._status_clicked(CORRECTED))
        self.reopen_button = QPushButton("Reopen")
        self.reopen_button.setAccessibleName("Reopen the selected findings")
        self.reopen_button.clicked.connect(lambda: self._status_clicked(OPEN))
        self.send_back_button = QPushButton("Send back to auditors\u2026")
        self.send_back_button.setAccessibleName("Send the findings shown back to their auditors")
        self.send_back_button.clicked.connect(self._send_back_clicked)
        for button in (self.correct_button, self.accept_button, self.corrected_button, self.reopen_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.send_back_button)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._share_columns(event.size().width())
        return super().eventFilter(watched, event)

    def _share_columns(self, width: int) -> None:
        """Give each column its share of the table's width and the message the rest, so the message stays
        readable when the window is narrow or scaled up (fixed widths pushed it off the side)."""
        header = self.table.horizontalHeader()
        severity = max(header.sectionSizeHint(SEVERITY_COLUMN), self.fontMetrics().horizontalAdvance("Warning") + 40)
        rest = max(width - severity, 0)
        header.resizeSection(SEVERITY_COLUMN, severity)
        floor = header.minimumSectionSize()
        sizes = {column: max(int(rest * share), header.sectionSizeHint(column), floor)  # as wide as its heading
                 for column, share in COLUMN_SHARES.items()}
        message = width - severity - sum(sizes.values())
        if message < max(sizes.values()):  # too narrow for every heading: the message keeps the largest share
            sizes = {column: max(int(rest * share), floor) for column, share in COLUMN_SHARES.items()}
            message = width - severity - sum(sizes.values())
        for column, size in sizes.items():
            header.resizeSection(column, size)
        header.resizeSection(MESSAGE_COLUMN, max(message, floor * 3))

    # ------------------------------------------------------------------------------------------------
    # contents
    # ------------------------------------------------------------------------------------------------
    def set_findings(self, findings: Iterable[Finding], statuses: Mapping | None = None,
                     auditor_of: Callable[[Finding], str] | None = None) -> None:
        self.model.set_findings(findings, statuses, auditor_of)

    def append_findings(self, findings: Sequence[Finding], rebuild_tree: bool = True) -> None:
        """Findings of files just read; the counts follow at once, the tree when ``rebuild_tree``."""
        self.model.append_findings(findings)
        self._update_toggle_counts()
        if rebuild_tree:
            self._rebuild_tree()

    def set_statuses(self, statuses: Mapping) -> None:
        self.model.set_statuses(statuses)
        self.proxy.refilter()
        self._update_toggle_counts()
        self._update_count()
        self._update_actions()
        self._show_detail(self.table.currentIndex(), QModelIndex())

    def set_can_act(self, possible: bool) -> None:
        """Whether the actions may run (a check is on screen and no job is running)."""
        self._can_act = possible
        self._update_actions()

    # ------------------------------------------------------------------------------------------------
    # counts and the group tree
    # ------------------------------------------------------------------------------------------------
    def _update_count(self, *_args) -> None:
        self.count_label.setText(shown_label(self.proxy.rowCount(), self.model.rowCount()))
        self._update_actions()

    def _update_toggle_counts(self) -> None:
        counts = self.model.severity_counts()
        for severity, button in self.severity_buttons.items():
            button.setText(severity_toggle_text(severity, counts[severity]))
        statuses = self.model.status_counts()
        for status, button in self.status_buttons.items():
            button.setText(status_toggle_text(status, statuses[status]))

    def _findings_changed(self) -> None:
        self._update_toggle_counts()
        self._rebuild_tree()
        self._update_count()

    def _severity_toggled(self, severity: Severity, on: bool) -> None:
        self.proxy.set_severity_visible(severity, on)
        self._update_count()

    def _status_toggled(self, status: str, on: bool) -> None:
        self.proxy.set_status_visible(status, on)
        self._update_count()

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search_text(text)
        self._update_count()

    @property
    def group_by(self) -> str:
        return self.group_by_combo.currentData()

    def set_group_by(self, group_by: str) -> None:
        self.group_by_combo.setCurrentIndex(self.group_by_combo.findData(group_by))

    def rebuild_tree(self) -> None:
        self._rebuild_tree()

    def _rebuild_tree(self) -> None:
        """One node per file, rule or auditor, each with the next grouping under it; the pick survives a
        re-check when its group still exists."""
        previous = self.proxy.group()
        findings = self.model.findings()
        kind = self.group_by
        inner_kind = {GROUP_BY_FILE: GROUP_BY_RULE, GROUP_BY_RULE: GROUP_BY_FILE,
                      GROUP_BY_AUDITOR: GROUP_BY_FILE}[kind]
        outer: dict[str, list[Finding]] = defaultdict(list)
        for f in findings:
            outer[self._key(f, kind)].append(f)

        self.tree_model.clear()
        all_item = QStandardItem(f"{ALL_FINDINGS} ({counts_text(Counter(f.severity for f in findings))})"
                                 if findings else "No findings")
        all_item.setData(ANY, GROUP_ROLE)
        all_item.setAccessibleText(all_item.text())
        self.tree_model.appendRow(all_item)
        for key, group in sorted(outer.items(), key=lambda kv: _triage_order(kv[1], kv[0], kind)):
            item = QStandardItem(self._outer_text(key, group, kind))
            item.setData(self._filter(kind, key), GROUP_ROLE)
            item.setToolTip(RULES.get(key, key) if kind == GROUP_BY_RULE else _title(key, kind))
            inner: dict[str, list[Finding]] = defaultdict(list)
            for f in group:
                inner[self._key(f, inner_kind)].append(f)
            for inner_key, inner_group in sorted(inner.items(),
                                                 key=lambda kv: _triage_order(kv[1], kv[0], inner_kind)):
                child = QStandardItem(f"{_title(inner_key, inner_kind)} ({len(inner_group)})")
                child.setData(self._merge(self._filter(kind, key), self._filter(inner_kind, inner_key)), GROUP_ROLE)
                child.setToolTip(RULES.get(inner_key, inner_key) if inner_kind == GROUP_BY_RULE
                                 else _title(inner_key, inner_kind))
                item.appendRow(child)
            self.tree_model.appendRow(item)
        self._select_group(previous if self._group_index(previous).isValid() else ANY)

    def _key(self, finding: Finding, kind: str) -> str:
        if kind == GROUP_BY_FILE:
            return finding.file
        if kind == GROUP_BY_RULE:
            return finding.rule
        return self.model.auditor(finding)

    @staticmethod
    def _filter(kind: str, key: str) -> tuple:
        return {GROUP_BY_FILE: (key, None, None), GROUP_BY_RULE: (None, key, None),
                GROUP_BY_AUDITOR: (None, None, key)}[kind]

    @staticmethod
    def _merge(a: tuple, b: tuple) -> tuple:
        return tuple(x if x is not None else y for x, y in zip(a, b))

    @staticmethod
    def _outer_text(key: str, group: list[Finding], kind: str) -> str:
        if kind == GROUP_BY_RULE:
            files = len({f.file for f in group})
            return f"{rule_title(key)}: {len(group)} in {_plural(files, 'file', 'files')}"
        return f"{_title(key, kind)}: {counts_text(Counter(f.severity for f in group))}"

    def _group_index(self, group: tuple) -> QModelIndex:
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

    def _select_group(self, group: tuple) -> None:
        index = self._group_index(group)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)
        self._apply_group(group)

    def select_group(self, file: str | None = None, rule: str | None = None, auditor: str | None = None) -> None:
        """Show only ``file``'s, ``rule``'s or ``auditor``'s findings (None: any); the tree follows."""
        self._select_group((file, rule, auditor))

    def show_file(self, file: str) -> None:
        """Group by file and pick ``file`` (from the inputs list)."""
        self.set_group_by(GROUP_BY_FILE)
        self.select_group(file=file)

    def show_open_problems(self) -> None:
        """Every open error and warning (the files that need attention): info, corrected and accepted hidden."""
        for severity, button in self.severity_buttons.items():
            button.setChecked(severity is not Severity.INFO)
        for status, button in self.status_buttons.items():
            button.setChecked(status == OPEN)
        self.select_group()

    def _on_group_picked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        group = current.data(GROUP_ROLE) if current.isValid() else None
        self._apply_group(tuple(group) if group else ANY)

    def _apply_group(self, group: tuple) -> None:
        file, rule, auditor = group
        self.proxy.set_group(file, rule, auditor)
        if rule is not None:
            # a rule states once what it means and what to do (goodtables-ui's ErrorGroup)
            self.scope_label.setText(f"<b>{html.escape(rule_title(rule))}</b> \u2014 "
                                     f"{html.escape(RULES.get(rule, rule))}")
            self.scope_label.setVisible(True)
        else:
            self.scope_label.setVisible(False)
        self._update_count()

    def picked_auditor(self) -> str | None:
        """The auditor whose group is picked in the tree (None when no auditor's group is)."""
        return self.proxy.group()[2]

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = current.data(FINDING_ROLE) if current.isValid() else None
        if finding is None:
            self.detail_label.setText(DETAIL_HINT)
            return
        where = ", ".join(part for part in (file_title(finding.file), finding.sheet and f"sheet {finding.sheet}",
                                            finding.cell) if part)
        status = self.model.status_text(finding)
        self.detail_label.setText(f"<b>{SEVERITY_WORDS[finding.severity]}</b> ({html.escape(status)}) \u2014 "
                                  f"{html.escape(where)}: {html.escape(finding.message)}")

    # ------------------------------------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------------------------------------
    def selected_findings(self) -> list[Finding]:
        """The selected findings, in the order the table shows them; with none selected, the finding the
        keyboard is on (Tab into the list puts it on the first row without selecting it)."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        return [self.proxy.index(row, 0).data(FINDING_ROLE) for row in rows]

    def _update_actions(self) -> None:
        chosen = self.selected_findings() if hasattr(self, "accept_button") else []
        if not hasattr(self, "accept_button"):
            return
        ready = self._can_act and bool(chosen)
        statuses = {self.model.status(f) for f in chosen}
        self.accept_button.setEnabled(ready and statuses != {ACCEPTED})
        self.corrected_button.setEnabled(ready and statuses != {CORRECTED})
        self.reopen_button.setEnabled(ready and statuses != {OPEN})
        why = "" if self._can_act else "Wait until the check has finished."
        for button in (self.accept_button, self.corrected_button, self.reopen_button):
            if not button.isEnabled():
                button.setToolTip(why or (NOTHING_SELECTED if not chosen else "Already so"))
            else:
                button.setToolTip("")
        auditor = self.picked_auditor()
        self.send_back_button.setText("Send back to auditors\u2026" if not auditor
                                      else f"Send back to {auditor}\u2026")
        self.send_back_button.setEnabled(self._can_act and self.proxy.rowCount() > 0)
        self.correct_button.setEnabled(self._can_act and len(chosen) == 1 and self._correctable(chosen[0]))

    _correctable: Callable[[Finding], bool] = staticmethod(lambda f: False)

    def set_correctable(self, test: Callable[[Finding], bool], why_not: str) -> None:
        """Which findings "Correct the value…" applies to, and what to say otherwise."""
        self._correctable = test
        self.correct_button.setToolTip(why_not)
        self._update_actions()

    def _correct_clicked(self) -> None:
        chosen = self.selected_findings()
        if len(chosen) == 1:
            self.correct_requested.emit(chosen[0])

    def _status_clicked(self, status: str) -> None:
        chosen = self.selected_findings()
        if chosen:
            self.status_requested.emit(chosen, status)

    def _send_back_clicked(self) -> None:
        self.send_back_requested.emit(self.proxy.shown_findings(), self.picked_auditor())

    # ------------------------------------------------------------------------------------------------
    # copy and open
    # ------------------------------------------------------------------------------------------------
    def copy_selected(self) -> None:
        findings = self.selected_findings()
        if findings:
            QGuiApplication.clipboard().setText(findings_as_tsv(findings, self.model.status_text))

    def copy_shown(self) -> None:
        QGuiApplication.clipboard().setText(findings_as_tsv(self.proxy.shown_findings(), self.model.status_text))

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
