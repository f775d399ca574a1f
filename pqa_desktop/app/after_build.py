"""The last workbook built, and what can be done with it: open it, show its folder, save an email draft with
it attached (and the headline figures written out), open that draft.

``AfterBuild`` holds what the email draft takes from the last build (its headline figures and period), whether
it was saved with a password (whether, never what) and the last draft written; its two buttons sit in the status bar beside "Workbook
saved: …". It says ``changed`` when a draft has been written, so the window can update its buttons.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QToolButton, QWidget

from ..core.pipeline import run as pipeline
from ..core.calendar import Period
from ..core.sending.email_draft import write_email_draft
from .file_dialogs import ask_email_draft_path


def open_in_desktop(parent: QWidget, path: Path, what: str) -> None:
    """Open a file or folder with the program the laptop opens it with; say so plainly when it cannot."""
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        QMessageBox.information(parent, "Could not open", f"PQA Desktop could not open {what}. It is saved "
                                f"in {path if path.is_dir() else path.parent}.")


class AfterBuild(QObject):
    changed = Signal()  # an email draft was written
    email_requested = Signal()  # Prepare email… was pressed (the window gives the details it needs)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self._parent = parent
        self.output: Path | None = None
        # the last build's headline figures and period, for the email draft; not the build's result itself: its
        # tables and its check (a council's year) would stay in memory beside the next check (issue 18)
        self.headlines: list | None = None
        self.period: Period | None = None
        self.protected = False  # whether the last workbook was saved with a password
        self.draft: Path | None = None  # the last email draft written
        # tool buttons: a push button's height would make the window taller
        self.email_button = QToolButton()
        self.email_button.setText("Prepare email\u2026")
        self.email_button.setAccessibleName("Prepare email")
        self.email_button.setToolTip("Save an email draft with the workbook attached and the headline figures")
        self.email_button.clicked.connect(lambda _checked=False: self.email_requested.emit())
        self.open_email_button = QToolButton()
        self.open_email_button.setText("Open email draft")
        self.open_email_button.setAccessibleName("Open email draft")
        self.open_email_button.setToolTip("Open the draft in your email program (Outlook opens it ready to send)")
        self.open_email_button.clicked.connect(self.open_email_draft)
        for button in self.buttons():
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reached with Tab like every other control

    def buttons(self) -> list[QToolButton]:
        return [self.email_button, self.open_email_button]

    def built(self, result: pipeline.BuildResult, protected: bool) -> None:
        self.output = Path(result.output)
        self.headlines = list(result.figures.headlines) if result.figures is not None else []
        self.period = result.analysis.period if result.analysis is not None else None
        self.protected = protected
        self.draft = None

    def set_idle(self, idle: bool) -> None:
        """The buttons work only while no job runs."""
        self.email_button.setEnabled(idle and self.output is not None and self.headlines is not None)
        self.open_email_button.setEnabled(idle and self.draft is not None)

    def open_workbook(self) -> None:
        if self.output is not None:
            open_in_desktop(self._parent, self.output, "the workbook")

    def show_in_folder(self) -> None:
        if self.output is not None:
            open_in_desktop(self._parent, self.output.parent, "the folder")

    def open_email_draft(self) -> None:
        if self.draft is not None:
            open_in_desktop(self._parent, self.draft, "the email draft")

    def prepare_email(self, la_name: str, period: Period, today: date, *, inputs: Callable[[], Sequence[Path]],
                      other_files: dict[str, Path | None]) -> bool:
        """Save an email draft (.eml) with the last workbook attached; True when one was written. ``period``:
        used when the build's own check is not at hand."""
        workbook = self.output
        if self.headlines is None or workbook is None:
            return False
        draft = ask_email_draft_path(self._parent, workbook, inputs=inputs, other_files=other_files)
        if draft is None:
            return False
        headlines = self.headlines
        period = self.period or period
        try:
            write_email_draft(draft, workbook, la_name=la_name, period_label=period.label, headlines=headlines,
                              password_protected=self.protected, produced=today)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self._parent, "The email draft was not saved",
                                f"{draft.name} could not be saved. {exc} If it is open, close it; otherwise "
                                "pick another folder.")
            return False
        self.draft = draft
        self.changed.emit()
        text = f"The email draft was saved as {draft.name}, with {workbook.name} attached. Use Open email draft " \
               "to open it in Outlook, ready to send."
        if self.protected:
            text += (" The workbook is password protected: send the password another way (by phone, text "
                     "message or a separate email), never with the workbook.")
        QMessageBox.information(self._parent, "Email draft saved", text)
        return True
