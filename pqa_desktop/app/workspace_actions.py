"""What the user does with the workspace itself: open another one or start a new one, take imports out of it,
remove data older than N months, and find an audit by its key.

``WorkspaceActions`` asks (file dialogs, confirmations), changes the workspace in the ``Session`` and says
what happened: ``switching`` (before another workspace is opened: anything typed is saved into the old one
first), ``switched``, and ``imports_removed`` (their files also left out of the inputs, or the next check
would import them again). Files themselves are never changed.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

from ..core.workspace import Workspace, WorkspaceError
from .app_settings import AppSettings
from .audit_search import AuditSearchDialog
from .file_dialogs import ask_new_workspace, ask_workspace_to_open
from .session import Session


def open_first_workspace(chosen: Path | None) -> tuple[Workspace, str]:
    """The workspace the user chose last, else the default one; a chosen one that cannot be opened (a shared
    drive not connected) falls back to the default, with what to say about it ("" when nothing)."""
    if chosen is not None:
        try:
            return Workspace.open(chosen), ""
        except WorkspaceError as exc:
            problem = f"The workspace {chosen} could not be opened, so the default one is used. {exc}"
            return Workspace.open(Workspace.default_path()), problem
    return Workspace.open(Workspace.default_path()), ""


class WorkspaceActions(QObject):
    switching = Signal()  # another workspace is about to be opened
    switched = Signal()  # the session works in another workspace now
    imports_removed = Signal()  # imports were taken out of the workspace (and their files out of the inputs)

    def __init__(self, window: QMainWindow, session: Session, settings: AppSettings, busy: Callable[[], bool],
                 today: date):
        super().__init__(window)
        self._window = window  # the parent of the questions, and its status bar for passing notes
        self._session = session
        self._settings = settings
        self._busy = busy
        self._today = today

    def open_file(self) -> bool:
        path = ask_workspace_to_open(self._window, self._session.workspace.path.parent)
        return path is not None and self.switch_to(path)

    def new_file(self) -> bool:
        target = ask_new_workspace(self._window, self._session.workspace.path.parent)
        return target is not None and self.switch_to(target)

    def switch_to(self, path: Path) -> bool:
        """Work in another workspace file (created when new): its imports, corrections and commentary."""
        if self._busy():
            QMessageBox.information(self._window, "Wait a moment", "Wait until the current step has finished, or "
                                    "stop it, then open the workspace again.")
            return False
        try:
            opened = Workspace.open(path)
        except WorkspaceError as exc:
            QMessageBox.warning(self._window, "Could not open the workspace", str(exc))
            return False
        self.switching.emit()
        previous, self._session.workspace = self._session.workspace, opened
        previous.close()
        self._settings.set_workspace_path(None if opened.path == Workspace.default_path() else opened.path)
        self._session.forget_check()
        self._session.changed()
        self.switched.emit()
        return True

    def remove_imports(self, rows: list) -> None:
        """Take imports out of the workspace (their records go with them); a file still among the inputs is
        removed from them too, or the next check would import it again."""
        if self._busy() or not rows:
            return
        names = ", ".join(row.name for row in rows[:3]) + (f" and {len(rows) - 3} more" if len(rows) > 3 else "")
        answer = QMessageBox.question(self._window, "Remove from the workspace?",
                                      f"Remove {names} from the workspace? Its audits will no longer count in any "
                                      "month's report. The file itself is not changed.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            for row in rows:
                self._session.workspace.remove_import(row.id)
        except WorkspaceError as exc:
            QMessageBox.warning(self._window, "Not removed", str(exc))
        by_id = {row.id: row for row in self._session.imports}
        self._leave_out_files([by_id.get(row.id, row) for row in rows])
        self.imports_removed.emit()

    def purge(self, months: int) -> int:
        """Remove data older than ``months`` months from the workspace after asking; the number removed."""
        if self._busy():
            return 0
        answer = QMessageBox.question(self._window, "Remove old data?",
                                      f"Remove every import whose records are all older than {months} months "
                                      "from the workspace, with its corrections and commentary? Reports for "
                                      "those months can no longer be rebuilt. The files themselves are not "
                                      "changed.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return 0
        before = list(self._session.imports)
        try:
            removed = self._session.workspace.purge(months, self._today)
        except WorkspaceError as exc:
            QMessageBox.warning(self._window, "Nothing was removed", str(exc))
            return 0
        remaining = {row.id for row in self._session.workspace.imports()}
        # a removed file still among the inputs would be imported again by the next check
        self._leave_out_files([row for row in before if row.id not in remaining])
        self._window.statusBar().showMessage(f"{removed} import{'s' if removed != 1 else ''} older than {months} "
                                             "months removed from the workspace.", 10000)
        self.imports_removed.emit()
        return removed

    def find_audit(self) -> None:
        dialog = AuditSearchDialog(self._session.workspace.lookup, self._window)
        dialog.exec()
        dialog.deleteLater()

    def _leave_out_files(self, rows: list) -> None:
        """Take the files of removed imports out of the inputs (a folder stays, without them)."""
        for row in rows:
            if row.path:
                self._session.sources.leave_out(Path(row.path))
