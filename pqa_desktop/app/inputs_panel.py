"""The Inputs area: add and remove inputs, and the list of what each input was recognised as.

Above the list, the buttons (Add files…, Add folder…, Remove selected), a GOV.UK-style summary that leads
to the findings ("3 files need attention") and a switch to list only those files. When a check was
stopped, a line says what was kept and offers to continue. The list itself is sortable by any column,
the file name first and widest, elided in the middle (a long name keeps its start and its end), with
where it is on disk (masked) in its tooltip; Enter or a double-click on a row shows that file's findings. The whole area is
the drop target for files, folders, zips and saved emails.

The panel owns its widgets and models and says what the user asked through signals; the window does it.
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from ..core.pipeline.run import InputSummary
from .drop_area import DropArea
from .inputs_model import (AUDITOR_COLUMN, DATE_COLUMN, FILE_COLUMN, KIND_COLUMN, RECORDS_COLUMN, STATUS_COLUMN,
                           SUMMARY_ROLE, InputsFilterProxy, InputsTableModel, attention_count, attention_summary)

# each column as wide as a typical value (the file name takes the rest)
COLUMN_SAMPLES = {KIND_COLUMN: "Unreadable: could not be opened", AUDITOR_COLUMN: "Jennifer Brennan",
                  DATE_COLUMN: "00/00/0000 \u2013 00/00/0000", RECORDS_COLUMN: "Records",
                  STATUS_COLUMN: "2 errors, 1 warning, 3 info"}


def stopped_text(done: int, total: int, unread: int) -> str:
    """"Stopped after 122 of 142 files; those are kept. 20 files are still to read." """
    files = "file" if total == 1 else "files"
    kept = "it is kept" if done == 1 else "those are kept"
    rest = f"{unread} file{'s are' if unread != 1 else ' is'} still to read (listed as Not read yet)."
    return f"Stopped after {done} of {total} {files}; {kept}. {rest}"


class InputsPanel(QGroupBox):
    add_files_requested = Signal()
    add_folder_requested = Signal()
    remove_requested = Signal()
    show_file_requested = Signal(str)  # a row's name: show its findings
    attention_requested = Signal()  # "N files need attention": show their findings
    continue_requested = Signal()  # read the files a stopped check left
    password_requested = Signal()  # enter the password of a protected input
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Inputs", parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        buttons = QHBoxLayout()
        self.add_files_button = QPushButton("&Add files\u2026")
        self.add_files_button.setAccessibleName("Add files")
        self.add_files_button.clicked.connect(self.add_files_requested)
        self.add_folder_button = QPushButton("Add &folder\u2026")
        self.add_folder_button.setAccessibleName("Add folder")
        self.add_folder_button.clicked.connect(self.add_folder_requested)
        self.remove_button = QPushButton("&Remove selected")
        self.remove_button.setAccessibleName("Remove selected inputs")
        self.remove_button.clicked.connect(self.remove_requested)
        # the summary leads to the findings (GOV.UK error summary): a button, so the keyboard reaches it
        self.attention_button = QPushButton("")
        self.attention_button.setFlat(True)
        self.attention_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.attention_button.setStyleSheet("QPushButton { color: palette(link); text-decoration: underline; "
                                            "text-align: left; padding: 2px 4px; }")
        self.attention_button.setAccessibleName("Show the findings of the files that need attention")
        self.attention_button.setToolTip("List only these files, and show their open errors and warnings")
        self.attention_button.clicked.connect(self._attention_clicked)
        self.summary_label = QLabel("")  # shown instead when nothing needs attention
        self.summary_label.setAccessibleName("Inputs summary")
        self.attention_only_check = QCheckBox("Only files that need attention")
        self.attention_only_check.setAccessibleName("List only the files that need attention")
        for widget in (self.add_files_button, self.add_folder_button, self.remove_button):
            buttons.addWidget(widget)
        buttons.addSpacing(12)
        buttons.addWidget(self.attention_button)
        buttons.addWidget(self.summary_label)
        buttons.addStretch(1)
        buttons.addWidget(self.attention_only_check)
        layout.addLayout(buttons)

        self.stopped_label = QLabel("")
        self.stopped_label.setWordWrap(True)
        self.stopped_label.setAccessibleName("What a stopped check kept")
        self.continue_button = QPushButton("Continue reading")
        self.continue_button.setAccessibleName("Continue reading the inputs not read yet")
        self.continue_button.setToolTip("Read the files not read yet (F5)")
        self.continue_button.clicked.connect(self.continue_requested)
        self.stopped_row = QWidget()
        stopped = QHBoxLayout(self.stopped_row)
        stopped.setContentsMargins(0, 0, 0, 0)
        stopped.addWidget(self.stopped_label, 1)
        stopped.addWidget(self.continue_button)
        self.stopped_row.setVisible(False)
        layout.addWidget(self.stopped_row)

        self.protected_label = QLabel("")
        self.protected_label.setWordWrap(True)
        self.protected_label.setAccessibleName("Password-protected inputs")
        self.enter_password_button = QPushButton("Enter password\u2026")
        self.enter_password_button.setAccessibleName("Enter the password of a protected input")
        self.enter_password_button.clicked.connect(self.password_requested)
        self.protected_row = QWidget()
        protected = QHBoxLayout(self.protected_row)
        protected.setContentsMargins(0, 0, 0, 0)
        protected.addWidget(self.protected_label, 1)
        protected.addWidget(self.enter_password_button)
        self.protected_row.setVisible(False)
        layout.addWidget(self.protected_row)

        self.model = InputsTableModel(self)
        self.proxy = InputsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setAccessibleName("Inputs list")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)  # Tab leaves the list (no keyboard trap); arrows move within it
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # as read until the user sorts
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # "Case file audit…28.11.23.xlsx"
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(FILE_COLUMN, QHeaderView.ResizeMode.Stretch)
        for column, sample in COLUMN_SAMPLES.items():
            header.resizeSection(column, self.fontMetrics().horizontalAdvance(sample) + 16)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())
        self.view.activated.connect(self._row_activated)  # Enter or double-click: that file's findings
        remove_action = QAction("Remove selected", self.view)
        remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove_action.triggered.connect(self.remove_requested)
        self.view.addAction(remove_action)
        self.attention_only_check.toggled.connect(self.proxy.set_attention_only)

        contents = QWidget()
        contents_layout = QVBoxLayout(contents)
        contents_layout.setContentsMargins(0, 0, 0, 0)
        contents_layout.addWidget(self.view)
        self.drop_area = DropArea(contents)
        layout.addWidget(self.drop_area, 1)

        for first, second in zip(self.focus_chain(), self.focus_chain()[1:]):
            QWidget.setTabOrder(first, second)
        self.set_rows([])

    def focus_chain(self) -> list[QWidget]:
        return [self.add_files_button, self.add_folder_button, self.remove_button, self.attention_button,
                self.attention_only_check, self.continue_button, self.enter_password_button, self.view]

    # ------------------------------------------------------------------------------------------------
    # contents
    # ------------------------------------------------------------------------------------------------
    def set_rows(self, rows: list[InputSummary]) -> None:
        """The rows of a finished check; the selection is kept by name."""
        chosen = {s.name for s in self.selected_summaries()}
        self.model.set_rows(rows)
        if chosen:
            selection = self.view.selectionModel()
            for r in range(self.proxy.rowCount()):
                if self.proxy.index(r, 0).data(SUMMARY_ROLE).name in chosen:
                    selection.select(self.proxy.index(r, 0), selection.SelectionFlag.Select
                                     | selection.SelectionFlag.Rows)
        self.update_summary()

    def put_rows(self, rows: list[InputSummary]) -> None:
        """Rows of files just read (a check in progress)."""
        self.model.put_rows(rows)
        self.update_summary()

    def update_summary(self) -> None:
        rows = self.model.rows()
        needing = attention_count(rows)
        text = attention_summary(rows)
        self.attention_button.setText(text if needing else "")
        self.attention_button.setVisible(bool(needing))
        self.summary_label.setText("" if needing else text)
        self.summary_label.setVisible(not needing and bool(text))
        self.attention_only_check.setEnabled(bool(needing) or self.attention_only_check.isChecked())

    def summary_text(self) -> str:
        """The summary line as shown ("3 files of 40 need attention", or that none does)."""
        return self.attention_button.text() if self.attention_button.isVisibleTo(self) else self.summary_label.text()

    def show_stopped(self, done: int, total: int, unread: int) -> None:
        self.stopped_label.setText(stopped_text(done, total, unread))
        self.stopped_row.setVisible(True)

    def hide_stopped(self) -> None:
        self.stopped_row.setVisible(False)

    @property
    def stopped_shown(self) -> bool:
        return not self.stopped_row.isHidden()

    def show_protected(self, names: list[str]) -> None:
        if names:
            count = len(names)
            self.protected_label.setText(f"{count} input{'s are' if count != 1 else ' is'} password protected "
                                         "and could not be read. Enter the password to include "
                                         f"{'them' if count != 1 else 'it'}.")
        self.protected_row.setVisible(bool(names))

    def show_contents(self, has_inputs: bool) -> None:
        self.drop_area.show_contents(has_inputs)

    def selected_summaries(self) -> list[InputSummary]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(SUMMARY_ROLE) for r in rows]

    def has_selection(self) -> bool:
        return self.view.selectionModel().hasSelection()

    def remove_summaries(self, summaries: list[InputSummary]) -> None:
        names = {s.name for s in summaries}
        self.view.selectionModel().clear()
        self.model.remove_rows([i for i, row in enumerate(self.model.rows()) if row.name in names])
        self.update_summary()

    def set_busy(self, busy: bool) -> None:
        self.continue_button.setEnabled(not busy)
        self.enter_password_button.setEnabled(not busy)

    # ------------------------------------------------------------------------------------------------
    # user actions
    # ------------------------------------------------------------------------------------------------
    def _row_activated(self, index: QModelIndex) -> None:
        summary = index.data(SUMMARY_ROLE) if index.isValid() else None
        if summary is not None:
            self.show_file_requested.emit(summary.name)

    def _attention_clicked(self) -> None:
        self.attention_only_check.setChecked(True)
        self.attention_requested.emit()
