"""The Build line at the bottom of the window: Build workbook…, the password option, what the build will use
(or, while Build cannot run, why not, in words on the line itself and not only in a tooltip), and what to do
with the workbook once saved (open it, show it in its folder).

Below it, when some figures will be blank (``core.pipeline.readiness``: a setting not given, an input ending before the
period does), a second line says which and why, with a button for each that goes where it is fixed (the right
page of Settings, or Add files… for a later export); "All reasons…" lists every one in full.

The panel owns its widgets and says what the user asked through signals; the window decides and does it.
"""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QVBoxLayout, QWidget)

from ..core.pipeline.readiness import SETTING, BlankReason, blank_reasons_line

SHOWN_FIXES = 3  # buttons on the line itself; the rest under "All reasons…"


SETTING_FIXES = {"population_0_17": "Set the population\u2026", "targets": "Set targets\u2026",
                 "caseload_thresholds": "Set caseload thresholds\u2026", "vacancies_fte": "Set vacancies\u2026",
                 "council": "Choose your council\u2026"}


def fix_text(reason: BlankReason) -> str:
    """The button that fixes one reason: "Set the population…", or "Add a later Annex A List 1 Contacts…"."""
    if reason.kind == SETTING:
        return SETTING_FIXES.get(reason.key, f"Set {reason.what}\u2026")
    if reason.key == "audits":
        return "Add the later audits\u2026"
    what = reason.what[4:] if reason.what.lower().startswith("the ") else reason.what
    return f"Add a later {what}\u2026"


class BuildPanel(QWidget):
    build_requested = Signal()
    open_requested = Signal()
    show_folder_requested = Signal()
    fix_requested = Signal(object)  # the BlankReason whose button was pressed

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.build_button = QPushButton("&Build workbook\u2026")
        self.build_button.setAccessibleName("Build workbook")
        self.build_button.clicked.connect(self.build_requested)
        self.protect_checkbox = QCheckBox("Protect with a password\u2026")
        self.protect_checkbox.setAccessibleName("Protect the workbook with a password")
        self.protect_checkbox.setToolTip("Build asks for a password (twice) and saves the workbook encrypted; "
                                         "the password is not kept")
        self.summary_label = QLabel("")
        self.summary_label.setAccessibleName("What the build will use")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("&Open workbook")
        self.open_button.setAccessibleName("Open workbook")
        self.open_button.clicked.connect(self.open_requested)
        self.show_folder_button = QPushButton("Show in fol&der")
        self.show_folder_button.setAccessibleName("Show workbook in folder")
        self.show_folder_button.clicked.connect(self.show_folder_requested)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.build_button)
        row.addWidget(self.protect_checkbox)
        row.addWidget(self.summary_label, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.show_folder_button)

        self.blank_label = QLabel("")
        self.blank_label.setAccessibleName("Figures that will be blank")
        self.blank_label.setWordWrap(True)
        self.fix_buttons: list[QPushButton] = []
        self.fix_row = QHBoxLayout()
        self.fix_row.setContentsMargins(0, 0, 0, 0)
        self.all_reasons_button = QPushButton("All reasons\u2026")
        self.all_reasons_button.setAccessibleName("Every reason figures will be blank, in full")
        self.all_reasons_button.clicked.connect(self.show_all_reasons)
        self.blank_row = QWidget()
        blank = QHBoxLayout(self.blank_row)
        blank.setContentsMargins(0, 0, 0, 0)
        blank.addWidget(self.blank_label, 1)
        blank.addLayout(self.fix_row)
        blank.addWidget(self.all_reasons_button)
        self.blank_row.setVisible(False)
        self._reasons: list[BlankReason] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.blank_row)
        self._chain()

    def focus_chain(self) -> list[QWidget]:
        return [self.build_button, self.protect_checkbox, *self.fix_buttons, self.all_reasons_button,
                self.open_button, self.show_folder_button]

    def _chain(self) -> None:
        chain = self.focus_chain()
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------------------------------------
    # what will be blank
    # ------------------------------------------------------------------------------------------------
    def set_blank_reasons(self, reasons: Sequence[BlankReason]) -> None:
        """Say which figures will be blank and why, a button for each reason (the first few; all in the list)."""
        reasons = list(reasons)
        if reasons == self._reasons:
            return
        self._reasons = reasons
        for button in self.fix_buttons:
            self.fix_row.removeWidget(button)
            button.deleteLater()
        self.fix_buttons = []
        for reason in reasons[:SHOWN_FIXES]:
            button = QPushButton(fix_text(reason))
            details = f"{reason.what}: {reason.why} {reason.fix}"
            button.setToolTip(details)
            button.setAccessibleName(fix_text(reason).rstrip("\u2026"))
            button.setAccessibleDescription(details)
            button.clicked.connect(lambda _checked=False, r=reason: self.fix_requested.emit(r))
            self.fix_row.addWidget(button)
            self.fix_buttons.append(button)
        self.blank_label.setText(blank_reasons_line(reasons))
        details = "\n".join(f"{r.what}: {r.why} {r.fix}" for r in reasons)
        self.blank_label.setToolTip(details)
        self.blank_label.setAccessibleDescription(details)
        self.all_reasons_button.setVisible(len(reasons) > SHOWN_FIXES)
        self.blank_row.setVisible(bool(reasons))
        self._chain()

    @property
    def blank_reasons(self) -> list[BlankReason]:
        return list(self._reasons)

    def show_all_reasons(self) -> None:
        dialog = BlankReasonsDialog(self._reasons, self)
        chosen = dialog.exec_and_choose()
        dialog.deleteLater()
        if chosen is not None:
            self.fix_requested.emit(chosen)

    def set_state(self, blocker: str, summary: str, has_output: bool) -> None:
        """``blocker``: why Build cannot run ("" when it can), said on the line and in the tooltip;
        ``summary``: what it will use."""
        self.build_button.setEnabled(not blocker)
        self.build_button.setToolTip(blocker or "Build the workbook and save it")
        if blocker:  # why not first, then what the build would use
            summary = f"Build is not available yet: {blocker[:1].lower()}{blocker[1:]} {summary}".strip()
        self.summary_label.setText(summary)
        self.open_button.setEnabled(has_output)
        self.show_folder_button.setEnabled(has_output)


class BlankReasonsDialog(QDialog):
    """Every reason some figures will be blank, in full (what, why, how to fix), each with its button."""

    def __init__(self, reasons: Sequence[BlankReason], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("What will be blank, and why")
        self.setAccessibleName("What will be blank, and why")
        self.chosen: BlankReason | None = None
        grid = QGridLayout()
        self.buttons: list[QPushButton] = []
        for row, reason in enumerate(reasons):
            text = QLabel(f"<b>{_escape(reason.what)}</b><br>{_escape(reason.why)} {_escape(reason.fix)}")
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.RichText)
            button = QPushButton(fix_text(reason))
            button.setAccessibleName(fix_text(reason).rstrip("\u2026"))
            button.clicked.connect(lambda _checked=False, r=reason: self._choose(r))
            grid.addWidget(text, row, 0)
            grid.addWidget(button, row, 1, Qt.AlignmentFlag.AlignTop)
            self.buttons.append(button)
        inner = QWidget()
        inner.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The workbook can be built as it is; these figures will be blank until each is "
                                "put right."))
        layout.addWidget(scroll, 1)
        layout.addWidget(close)
        self.resize(760, 420)

    def _choose(self, reason: BlankReason) -> None:
        self.chosen = reason
        self.accept()

    def exec_and_choose(self) -> BlankReason | None:
        return self.chosen if self.exec() == QDialog.DialogCode.Accepted else None


def _escape(text: str) -> str:
    import html

    return html.escape(text)
