"""Password dialogs: the one that protects the saved workbook, and the one that opens a protected input.

A password is only ever held in memory: neither dialog stores one, and the window keeps the output password
for a single build and the input passwords for the session (never in QSettings, the workspace or a crash
report). Both fields are masked.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget)

PROTECTED_INPUT_RULE = "file.password_protected"  # the readers' finding for a file no password has opened
MISMATCH_TEXT = "The two passwords are different. Type the same password in both boxes."
EMPTY_TEXT = "Type a password first."


def protected_files(findings) -> list[str]:
    """The inputs no password has opened yet (by their masked names)."""
    return sorted({f.file for f in findings if f.rule == PROTECTED_INPUT_RULE})


def _masked_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    return edit


class _PasswordDialogBase(QDialog):
    def __init__(self, title: str, intro: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.intro_label = QLabel(intro)
        self.intro_label.setWordWrap(True)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Password problem")
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName("OK")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def clear(self) -> None:
        """Empty every field: called by the window as soon as it has taken the password."""
        for edit in self.findChildren(QLineEdit):
            edit.clear()


class OutputPasswordDialog(_PasswordDialogBase):
    """Asks twice for the password that encrypts the workbook; OK only when both entries match."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Protect the workbook with a password",
                         "The saved workbook will need this password to open. PQA Desktop does not keep it: "
                         "note it somewhere safe, and send it to the recipients another way than the email "
                         "carrying the workbook.", parent)
        self.password_edit = _masked_edit("Password")
        self.confirm_edit = _masked_edit("Password again")
        self.form.addRow("Password:", self.password_edit)
        self.form.addRow("Password again:", self.confirm_edit)

    def password(self) -> str:
        return self.password_edit.text()

    def accept(self) -> None:
        if not self.password_edit.text():
            self.error_label.setText(EMPTY_TEXT)
            return
        if self.password_edit.text() != self.confirm_edit.text():
            self.error_label.setText(MISMATCH_TEXT)
            self.confirm_edit.clear()
            self.confirm_edit.setFocus()
            return
        self.error_label.setText("")
        super().accept()


class InputPasswordDialog(_PasswordDialogBase):
    """Asks once for a password that opens one or more protected inputs."""

    def __init__(self, file_names: list[str], parent: QWidget | None = None):
        names = ", ".join(file_names[:3]) + (f" and {len(file_names) - 3} more" if len(file_names) > 3 else "")
        super().__init__("Open a password-protected file",
                         f"Enter the password that opens {names}. It is kept only until PQA Desktop closes, "
                         "and tried on every protected file.", parent)
        self.password_edit = _masked_edit("Password")
        self.form.addRow("Password:", self.password_edit)

    def password(self) -> str:
        return self.password_edit.text()

    def accept(self) -> None:
        if not self.password_edit.text():
            self.error_label.setText(EMPTY_TEXT)
            return
        super().accept()


def ask_output_password(parent: QWidget) -> str | None:
    """The password for one build, asked twice; None when the user cancels. The fields are emptied at once."""
    dialog = OutputPasswordDialog(parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.password() or None
    finally:
        dialog.clear()
        dialog.deleteLater()


def ask_input_password(file_names: list[str], parent: QWidget) -> str | None:
    """A password to try on the protected inputs; None when the user cancels or leaves it empty."""
    dialog = InputPasswordDialog(file_names, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.password():
            return None
        return dialog.password()
    finally:
        dialog.clear()
        dialog.deleteLater()
