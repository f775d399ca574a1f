"""The drop target for files, folders, zips and saved emails.

Dropping is a copy, never a move. The handler only reads the local paths out of the QMimeData and emits
them; the window queues them and does the work on a zero-delay timer, as MusicBrainz Picard does
(``picard/ui/itemviews/basetreeview.py``), so the drag source (Explorer, Outlook) is released at once.
Empty, the area says what to drop; the three steps of the month's work are explained beside it (the window's
``StepsPanel``, after Spyder's ``PaneEmptyWidget``).

Attachments dragged straight out of Outlook arrive as Windows virtual files, not paths: their bytes must
be read during the drop (the drag source owns them), so the handler copies them out of the QMimeData,
then saves them into the private dropped-files folder on the zero-delay timer (see ``outlook_drop``).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QLabel, QStackedLayout, QWidget

from .outlook_drop import DroppedFileStore, VirtualDrop, has_virtual_files, read_virtual_files

EMPTY_TEXT = (
    "<p>Drop the auditors' returns and the system exports here: files, folders, zips or saved emails.</p>"
    "<p>Or use <b>Add files…</b> or <b>Add folder…</b> above. Nothing is moved or changed.</p>"
)


def local_paths(mime: QMimeData | None) -> list[Path]:
    """The local files and folders in a drag (web links and the like are ignored)."""
    if mime is None or not mime.hasUrls():
        return []
    paths = []
    for url in mime.urls():
        if url.isLocalFile():
            local = url.toLocalFile()
            if local:
                paths.append(Path(local))
    return paths


class DropArea(QFrame):
    """Shows the empty-state steps until ``show_contents`` swaps in the inputs table."""

    paths_dropped = Signal(list)  # list[Path]
    notice = Signal(str)  # plain English: part of a drop could not be taken in, and what to do instead

    def __init__(self, contents: QWidget, parent: QWidget | None = None, store: DroppedFileStore | None = None):
        super().__init__(parent)
        self.store = store or DroppedFileStore()
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Drop area for inputs")
        self.setAccessibleDescription("Drop files, folders, zips or saved emails here to add them.")
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setAccessibleName("How to start")
        self.contents = contents
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(contents)

    def show_contents(self, has_inputs: bool) -> None:
        self._stack.setCurrentWidget(self.contents if has_inputs else self.empty_label)

    @property
    def showing_contents(self) -> bool:
        return self._stack.currentWidget() is self.contents

    def discard_dropped_files(self) -> None:
        """Delete the copies of Outlook attachments (the window calls this when it closes)."""
        self.store.discard()

    def _accept_copy(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> bool:
        mime = event.mimeData()
        if not (local_paths(mime) or has_virtual_files(mime)) \
                or not (event.possibleActions() & Qt.DropAction.CopyAction):
            event.ignore()
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._accept_copy(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._accept_copy(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if not self._accept_copy(event):
            return
        mime = event.mimeData()
        paths = local_paths(mime)
        if paths:  # real files win: Explorer (and Outlook for saved items) may offer both
            self.paths_dropped.emit(paths)
            return
        virtual = read_virtual_files(mime)  # now: the drag source frees the data when the drop returns
        QTimer.singleShot(0, lambda: self._save_virtual(virtual))

    def _save_virtual(self, virtual: VirtualDrop) -> None:
        problems = list(virtual.problems)
        saved: list[Path] = []
        try:
            saved = self.store.save(virtual.files)
        except OSError:
            problems.insert(0, "The dragged attachments could not be copied into PQA Desktop's folder in your "
                               "profile (the disk may be full). Save them to a folder and drop that folder here.")
        if saved:
            self.paths_dropped.emit(saved)
        if problems:
            self.notice.emit("\n\n".join(problems))
