"""Find an audit by its audit key: the QA officer types the key printed in the workbook and sees which audit it
is (type, reference, date, file). On screen only: the answer is never written, copied into a workbook or logged.

The look-up is ``Workspace.lookup``; this dialog only asks and shows.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

HEADERS = ("Type", "Reference", "Audit date", "File")
_KEY = re.compile(r"[0-9a-f]{10}")
TYPE_TEXT = {"case_file_audit": "Case file audit", "foster_carer_audit": "Foster carer audit",
             "edt_dip_sample": "EDT dip sample"}


def clean_key(text: str) -> str:
    """What the user pasted ("Audit key: 3F2A…", with spaces) as the lower-case key."""
    return re.sub(r"[^0-9a-f]", "", text.strip().lower().removeprefix("audit key").strip(": "))


class AuditSearchDialog(QDialog):
    def __init__(self, lookup: Callable[[str], Sequence], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Find an audit by its key")
        self.setAccessibleName("Find an audit by its key")
        self._lookup = lookup
        intro = QLabel("Type or paste the audit key from the workbook (10 letters and digits). The audit is "
                       "shown here only; it is not saved anywhere.")
        intro.setWordWrap(True)
        self.key_edit = QLineEdit()
        self.key_edit.setAccessibleName("Audit key")
        self.key_edit.setPlaceholderText("e.g. 3f2a9c01bd")
        key_label = QLabel("Audit &key:")
        key_label.setBuddy(self.key_edit)
        self.find_button = QPushButton("&Find")
        self.find_button.setAccessibleName("Find the audit")
        self.find_button.setDefault(True)
        self.find_button.clicked.connect(self.search)
        self.key_edit.returnPressed.connect(self.search)
        self.results = QTableWidget(0, len(HEADERS))
        self.results.setHorizontalHeaderLabels(list(HEADERS))
        self.results.setAccessibleName("Audits found")
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().setVisible(False)
        self.results.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.results.setTabKeyNavigation(False)
        self.status_label = QLabel("")
        self.status_label.setAccessibleName("Search result")
        self.status_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(key_label)
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.find_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)

    def search(self) -> None:
        key = clean_key(self.key_edit.text())
        self.results.setRowCount(0)
        if not _KEY.fullmatch(key):
            self.status_label.setText("An audit key is 10 characters, digits 0\u20139 and letters a\u2013f. "
                                      "Check it against the workbook.")
            return
        found = list(self._lookup(key))
        for hit in found:
            row = self.results.rowCount()
            self.results.insertRow(row)
            audit_date = hit.audit_date.strftime("%d/%m/%Y") if hasattr(hit.audit_date, "strftime") \
                else str(hit.audit_date or "")
            values = (TYPE_TEXT.get(hit.template_type, hit.template_type), hit.reference, audit_date,
                      hit.file)
            for column, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.results.setItem(row, column, item)
        if found:
            self.status_label.setText(f"{len(found)} audit{'s' if len(found) != 1 else ''} found with this key.")
        else:
            self.status_label.setText("No audit in this workspace has this key. The workbook may have been "
                                      "built from another workspace, or before a new secret was created.")
