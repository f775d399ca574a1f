"""Showing each file as soon as it is read, without stalling the window.

In the worker thread, ``ReadStream`` turns each file the pipeline has just read into its row and its findings,
masked with the identifiers known so far (the file's own, those read before it, and the last check's), so a
file named after a child is masked from its first appearance. On the UI thread, ``StreamBatcher`` collects
them and hands them on in batches, at most ``BATCHES_PER_SECOND`` times a second (the window's event loop
must never wait long: a thousand single-row updates would stall it). The check's final result replaces
what was streamed, with the findings that need every file (duplicates across files) and the statuses.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from ..core.findings import Finding
from ..core.pipeline.run import InputSummary, input_summary, mask_finding
from ..core.privacy import IdentifierMasker
from ..core.records import InputFile, ReadResult

BATCHES_PER_SECOND = 7


@dataclass
class FileRead:
    summary: InputSummary
    findings: list[Finding] = field(default_factory=list)


class ReadStream:
    """(worker thread) One file just read -> its row and findings, masked."""

    def __init__(self, known: IdentifierMasker | None = None):
        """``known``: the last check's masker, grown here (it is left as it is), else none known yet."""
        self.masker = known.extended(()) if known is not None else IdentifierMasker(())

    def __call__(self, item: InputFile, result: ReadResult) -> FileRead:
        self.masker.add(result.sensitive)
        self.masker.add(result.staff_names)
        findings = [mask_finding(f, self.masker) for f in result.findings]
        summary = input_summary(item, result, self.masker, Counter(f.severity for f in findings))
        return FileRead(summary, findings)


class StreamBatcher(QObject):
    """(UI thread) Collects ``FileRead`` values and emits them in batches, a few times a second."""

    flushed = Signal(list)  # list[FileRead]

    def __init__(self, parent: QObject | None = None, per_second: int = BATCHES_PER_SECOND):
        super().__init__(parent)
        self._pending: list[FileRead] = []
        self._timer = QTimer(self, singleShot=True, interval=max(1, 1000 // per_second))
        self._timer.timeout.connect(self.flush)

    def add(self, item: FileRead) -> None:
        self._pending.append(item)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        if self._pending:
            batch, self._pending = self._pending, []
            self.flushed.emit(batch)

    def discard(self) -> None:
        """Forget what has not been shown (the check's own result replaces it)."""
        self._timer.stop()
        self._pending = []
