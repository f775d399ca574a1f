"""What the user does to the inputs list: add files, folders, zips and emails (dropped or picked), remove some,
and give a password for the protected ones.

Adding only queues the paths and returns at once; they are taken in on a zero-delay timer (Picard's pattern),
and a dropped item no longer on disk is left out with a note. Removing a file that came from the workspace
takes its import out too, or the next check would bring it back. A password is kept for this session only
(``Session.input_passwords``) and tried on every protected input. ``InputsFlow`` changes the ``Session`` and
says what changed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

from ..core.workspace import WorkspaceError
from .file_dialogs import ask_input_files, ask_input_folder
from .inputs_panel import InputsPanel
from .passwords import ask_input_password, protected_files
from .session import Session


class InputsFlow(QObject):
    inputs_changed = Signal()  # inputs were added or removed
    input_imports_removed = Signal()  # a removed input's import was taken out of the workspace too (lists only)
    recheck_needed = Signal()  # a password was given: check the same inputs again

    def __init__(self, window: QMainWindow, session: Session, inputs_panel: InputsPanel, busy: Callable[[], bool]):
        super().__init__(window)
        self._window = window  # the parent of the questions, and its status bar for passing notes
        self._session = session
        self._panel = inputs_panel
        self._busy = busy

    def add_paths(self, paths: Sequence[str | Path]) -> None:
        """Queue paths and return at once; they are taken in on a zero-delay timer (Picard's pattern)."""
        self._session.sources.queue(paths)
        QTimer.singleShot(0, self._take_queued)

    def _take_queued(self) -> None:
        added, missing = self._session.sources.take_queued()
        if missing:
            self._window.statusBar().showMessage(
                f"{missing} dropped item{'s were' if missing != 1 else ' was'} not found on disk and left out.", 8000)
        if added:
            self.inputs_changed.emit()

    def choose_files(self) -> None:
        paths = ask_input_files(self._window)
        if paths:
            self.add_paths(paths)

    def choose_folder(self) -> None:
        folder = ask_input_folder(self._window)
        if folder:
            self.add_paths([folder])

    def say_what_was_left(self, text: str) -> None:
        """What part of a drop (e.g. Outlook attachments after the first) could not be taken in, and what to do."""
        QMessageBox.information(self._window, "Not everything was added", text)

    def remove_selected(self) -> None:
        if self._busy():
            return
        chosen = [s for s in self._panel.selected_summaries() if s is not None]
        if not chosen:
            return
        import_ids = []
        for summary in chosen:
            if summary.import_id is not None:
                import_ids.append(summary.import_id)  # kept in the workspace: the check would bring it back
            if summary.path:
                self._session.sources.leave_out(Path(summary.path))
        self._panel.remove_summaries(chosen)
        if import_ids:
            try:
                for import_id in import_ids:
                    self._session.workspace.remove_import(import_id)
            except WorkspaceError as exc:
                QMessageBox.warning(self._window, "Not removed from the workspace", str(exc))
            self.input_imports_removed.emit()
            self._session.changed()
        self.inputs_changed.emit()

    def enter_input_password(self) -> bool:
        """Ask for a password for the protected inputs, keep it for the session and check again."""
        analysis = self._session.analysis
        if self._busy() or analysis is None:
            return False
        names = protected_files(analysis.findings)
        if not names:
            return False
        password = ask_input_password(names, self._window)
        if password is None:
            return False
        if password not in self._session.input_passwords:
            self._session.input_passwords.append(password)
        # the finding stays for a file this password does not open: the user can try another
        self._session.forget_check()
        self.recheck_needed.emit()
        return True
