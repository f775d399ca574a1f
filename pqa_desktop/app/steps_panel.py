"""What the empty window says: the three steps of the month's work, where the findings and the key messages
will be once the first input is read (Spyder's ``PaneEmptyWidget`` explains an empty pane the same way).

Plain text only, nothing to click: the buttons it names are just above it, in the order the steps take.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

STEPS = (
    ("Add the inputs",
     "Drop the auditors' returns and the system exports on the Inputs area above (files, folders, zips or "
     "saved emails), or use Add files\u2026 or Add folder\u2026. Each file is read and checked as it comes in."),
    ("Check what needs attention",
     "Here you will see what each file was recognised as and every problem found, grouped by file, rule or "
     "auditor. Correct a value, accept a finding with a reason, or send the findings back to the auditors."),
    ("Build the workbook",
     "Pick the period end month and check the key messages drafted from the figures, then press Build "
     "workbook\u2026 at the bottom. The line beside it says what the workbook will use and what will be blank."),
)
PRIVACY = "Everything runs on this laptop; nothing is sent anywhere."
READABLE_WIDTH = 880  # pixels: about 110 characters a line


def steps_html() -> str:
    items = "".join(f"<li><p><b>{title}.</b> {text}</p></li>" for title, text in STEPS)
    return (f"<h3>Three steps to the month's workbook</h3><ol>{items}</ol>"
            f"<p>{PRIVACY}</p>")


class StepsPanel(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(steps_html())
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setAccessibleName("How to start")
        self.label.setAccessibleDescription(" ".join(f"Step {n}: {title}. {text}"
                                                     for n, (title, text) in enumerate(STEPS, start=1)))
        # a readable line length, centred: the label takes up to READABLE_WIDTH and wraps within it
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setMaximumWidth(READABLE_WIDTH)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.label, 100)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        layout.addLayout(row)
        layout.addStretch(1)
