"""Asking for what a decision about findings needs: the reason for accepting them, and the folder the
auditors' lists are written to.

Accepting needs a reason (it is shown on the Data quality sheet as "Accepted: <reason>"), so OK stays off
until one is given, and the dialog says the reason goes into the workbook: no names or case references.
"""
from __future__ import annotations

from typing import Sequence

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget)

from ..core.findings import Finding

REASON_NOTE = ("The reason is shown in the workbook's Data quality sheet, so write no names or case references. "
               "It is kept in the workspace with your name and the time; the input file is not changed.")


class AcceptDialog(QDialog):
    def __init__(self, findings: Sequence[Finding], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Accept findings")
        self.setAccessibleName("Accept findings with a reason")
        n = len(findings)
        what = (f"{findings[0].file}: {findings[0].message}" if n == 1
                else f"{n} findings, in {len({f.file for f in findings})} file(s).")
        question = ("Accept this finding as it stands? It stays listed, marked Accepted, and is not sent back to "
                    "the auditor." if n == 1 else
                    "Accept these findings as they stand? They stay listed, marked Accepted, and are not sent back "
                    "to the auditors.")
        about = QLabel(f"{question}\n\n{what}")
        about.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Reason for accepting")
        self.reason_edit.setPlaceholderText("e.g. grade agreed at moderation")
        self.reason_edit.setMaxLength(200)
        reason_label = QLabel("&Reason (required):")
        reason_label.setBuddy(self.reason_edit)
        form = QFormLayout()
        form.addRow(reason_label, self.reason_edit)
        note = QLabel(REASON_NOTE)
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Accept")
        self.ok_button.setAccessibleName("Accept with this reason")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.resize(560, self.sizeHint().height())

    @property
    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.reason))
        self.ok_button.setToolTip("" if self.reason else "Give a reason first")

    def accept(self) -> None:
        if self.reason:
            super().accept()
