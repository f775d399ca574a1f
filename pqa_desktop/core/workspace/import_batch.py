"""Imports written a batch at a time: what a run reads is imported into the workspace a few dozen files to a
transaction, not one file each.

Each transaction syncs the workspace file to disk (``synchronous=FULL``, a rollback journal: the journal, the
file and the journal's removal), which costs a real disk milliseconds and a network share far more; a
council's year is some 1,400 files, so its first import synced some 1,400 times (0.7 ms each on this
project's virtual disk, an eighth of reading it; on a laptop's disk or a shared drive many times that). A
batch is one transaction: a crash or a kill still leaves each file whole or absent, and loses at most the
batch not yet written (read again next time, as an unread file is).

A batch is written when it holds ``FILES`` files, when a file is added to it after its first has waited
``SECONDS`` (a slow file read meanwhile keeps the batch waiting: there is no timer), when a file brings system
exports (large: not held longer than it takes to write them), and when the run's reading ends, stops or fails
(``flush``). Each write holds the workspace's lock for a few dozen milliseconds at most, so the app's
window, which reads the workspace from its own thread, never waits long for it.
"""
from __future__ import annotations

import time
from typing import Callable, Mapping

from ..records import InputFile, ReadResult
from .store import Workspace

FILES = 32
SECONDS = 0.5


class ImportBatch:
    """Reads gathered for ``workspace.import_files``, in the order added (copies of one table that tie on
    their dates resolve as they did file by file)."""

    def __init__(self, workspace: Workspace, files: int | None = None, seconds: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.workspace = workspace
        self.files = FILES if files is None else files
        self.seconds = SECONDS if seconds is None else seconds
        self.clock = clock
        self._pending: list[tuple[InputFile, ReadResult, Mapping | None]] = []
        self._since = 0.0  # when the first pending read was added
        self.transactions = 0  # batches written

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, item: InputFile, result: ReadResult, overrides: Mapping | None) -> None:
        if not self._pending:
            self._since = self.clock()
        self._pending.append((item, result, overrides))
        if result.exports or len(self._pending) >= self.files or self.clock() - self._since >= self.seconds:
            self.flush()

    def flush(self) -> None:
        """Write what is pending, in one transaction (nothing when nothing is)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self.workspace.import_files(pending)
        self.transactions += 1
