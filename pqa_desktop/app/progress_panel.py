"""The permanent progress widget in the status bar: stage text, a bar and Cancel.

Never a full-screen cover. Updates are coalesced to at most ten a second (Picard's ``infostatus.py``), and
for background checks the bar appears only once the work has run for half a second (Anki delays its
progress dialog the same way), so quick re-checks do not flicker. A long read says how long it has left
("about 2 minutes left"), from the rate at which files have been read so far.
"""
from __future__ import annotations

import time

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


ESTIMATE_AFTER_S = 2.0  # an estimate needs a few files' worth of rate
ESTIMATE_FROM_S = 8.0  # and is worth saying only for a read that has this long left


def stage_text(stage: str, done: int, total: int, detail: str, left_s: float | None = None) -> str:
    """"Reading file 31 of 142… (about 20 seconds left)". The file's name is not shown: it is the name on
    disk, not yet masked (a return named after a child would show the child's ID); the inputs list shows
    each file, masked, once it has been read."""
    text = STAGE_TEXT.get(stage, stage.capitalize())
    if stage == "read" and total:
        text += f" file {min(done + 1, total)} of {total}"
    text = text + "…" if done < total else text
    if left_s is not None:
        text += f" ({time_left_text(left_s)})"
    return text


def time_left_text(seconds: float) -> str:
    """"about 40 seconds left", "about 3 minutes left" (rounded as a person would say it)."""
    if seconds < 55:
        return f"about {max(10, int(round(seconds / 10.0)) * 10)} seconds left"
    minutes = int(round(seconds / 60.0))
    return "about a minute left" if minutes <= 1 else f"about {minutes} minutes left"


class ReadEstimate:
    """Time left in the read stage, from the files read since it began (files already in the workspace
    count as done at once, so the rate starts from the first report)."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._start: tuple[float, int] | None = None

    def reset(self) -> None:
        self._start = None

    def left(self, stage: str, done: int, total: int) -> float | None:
        if stage != "read" or total <= 0:
            return None
        now = self._clock()
        if self._start is None:
            self._start = (now, done)
            return None
        started, first = self._start
        elapsed, read = now - started, done - first
        if elapsed < ESTIMATE_AFTER_S or read <= 0 or done >= total:
            return None
        left = (total - done) * elapsed / read
        return left if left >= ESTIMATE_FROM_S else None


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
        layout.addWidget(self.stage_label, 1)  # the text takes the room; Cancel keeps its own size
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._pending: tuple | None = None
        self._refresh = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh.timeout.connect(self._paint)
        self._reveal = QTimer(self, singleShot=True, interval=SHOW_DELAY_MS)
        self._reveal.timeout.connect(self._show_running)
        self.estimate = ReadEstimate()
        self.running = False
        self._set_running_widgets(False)

    def start(self, text: str, *, delayed: bool) -> None:
        self.running = True
        self._pending = None
        self.estimate.reset()
        self.stage_label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first report
        self.cancel_button.setEnabled(True)
        if delayed:
            self._reveal.start()
        else:
            self._show_running()

    def report(self, stage: str, done: int, total: int, detail: str) -> None:
        left = self.estimate.left(stage, done, total)
        self._pending = (stage, done, total, detail, left)
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
        stage, done, total, detail, left = self._pending
        self._pending = None
        self.stage_label.setText(stage_text(stage, done, total, detail, left))
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)
