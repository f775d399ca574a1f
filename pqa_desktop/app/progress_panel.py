"""The permanent progress widget in the status bar: stage text, a bar and Cancel.

Never a full-screen cover. Updates are coalesced to at most ten a second (Picard's ``infostatus.py``), and
for background checks the bar appears only once the work has run for half a second (Anki delays its
progress dialog the same way), so quick re-checks do not flicker.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

REFRESH_MS = 100
SHOW_DELAY_MS = 500

STAGE_TEXT = {
    "discover": "Finding files",
    "read": "Reading",
    "validate": "Checking",
    "measure": "Calculating figures",
    "write": "Writing the workbook",
}


def stage_text(stage: str, done: int, total: int, detail: str) -> str:
    text = STAGE_TEXT.get(stage, stage.capitalize())
    if stage == "read" and total:
        text += f" file {min(done + 1, total)} of {total}"
        if detail and done < total:
            text += f": {detail}"
    return text + "…" if done < total else text


class ProgressPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.stage_label = QLabel("")
        self.stage_label.setAccessibleName("Current step")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Progress")
        self.bar.setMaximumWidth(200)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setToolTip("Stop the current step (Esc)")
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stage_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._pending: tuple[str, int, int, str] | None = None
        self._refresh = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh.timeout.connect(self._paint)
        self._reveal = QTimer(self, singleShot=True, interval=SHOW_DELAY_MS)
        self._reveal.timeout.connect(self._show_running)
        self.running = False
        self._set_running_widgets(False)

    def start(self, text: str, *, delayed: bool) -> None:
        self.running = True
        self._pending = None
        self.stage_label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first report
        self.cancel_button.setEnabled(True)
        if delayed:
            self._reveal.start()
        else:
            self._show_running()

    def report(self, stage: str, done: int, total: int, detail: str) -> None:
        self._pending = (stage, done, total, detail)
        if not self._refresh.isActive():
            self._refresh.start()

    def finish(self, text: str) -> None:
        self.running = False
        self._pending = None
        self._refresh.stop()
        self._reveal.stop()
        self.stage_label.setText(text)
        self.cancel_button.setEnabled(False)
        self._set_running_widgets(False)

    def _show_running(self) -> None:
        if self.running:
            self._set_running_widgets(True)

    def _set_running_widgets(self, visible: bool) -> None:
        self.bar.setVisible(visible)
        self.cancel_button.setVisible(visible)

    def _paint(self) -> None:
        if not self.running or self._pending is None:
            return
        stage, done, total, detail = self._pending
        self._pending = None
        self.stage_label.setText(stage_text(stage, done, total, detail))
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)
