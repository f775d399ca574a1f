"""The Build line at the bottom of the window: Build workbook…, the password option, what the build will use
(or, while Build cannot run, why not, in words on the line itself and not only in a tooltip), and what to do
with the workbook once saved (open it, show it in its folder).

The panel owns its widgets and says what the user asked through signals; the window decides and does it.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QWidget


class BuildPanel(QWidget):
    build_requested = Signal()
    open_requested = Signal()
    show_folder_requested = Signal()

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
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.build_button)
        row.addWidget(self.protect_checkbox)
        row.addWidget(self.summary_label, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.show_folder_button)
        for first, second in zip(self.focus_chain(), self.focus_chain()[1:]):
            QWidget.setTabOrder(first, second)

    def focus_chain(self) -> list[QWidget]:
        return [self.build_button, self.protect_checkbox, self.open_button, self.show_folder_button]

    def set_state(self, blocker: str, summary: str, has_output: bool) -> None:
        """``blocker``: why Build cannot run ("" when it can), said on the line and in the tooltip;
        ``summary``: what it will use."""
        self.build_button.setEnabled(not blocker)
        self.build_button.setToolTip(blocker or "Build the workbook and save it")
        self.summary_label.setText(f"Build is not available yet: {blocker[:1].lower()}{blocker[1:]}"
                                   if blocker else summary)
        self.open_button.setEnabled(has_output)
        self.show_folder_button.setEnabled(has_output)
