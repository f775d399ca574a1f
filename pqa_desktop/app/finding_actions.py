"""What the user does to a finding: correct it (choose the copy of a duplicated audit to keep, or say what to
treat a value as), accept it with a reason, mark it corrected, reopen it, and undo a correction.

Each answer is kept in the workspace with who and when (``current_user``), never in the inputs.
``FindingActions`` asks (the dialogs), records, and says what changed: ``corrections_changed`` (the figures
change, so the inputs are checked again) or ``statuses_changed`` (statuses change no figure: the lists are
redrawn without a fresh check).
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from ..core.finding_status import ACCEPTED, CORRECTED, OPEN
from ..core.workspace import WorkspaceError
from .corrections import (NOTHING_TO_CORRECT, DuplicateDialog, TreatAsDialog, current_user, duplicate_group,
                          input_for_finding, is_duplicate, treat_as_choices)
from .finding_dialogs import AcceptDialog
from .session import Session


class FindingActions(QObject):
    corrections_changed = Signal()  # a correction was made or undone: check again
    statuses_changed = Signal()  # findings were accepted, marked corrected or reopened (the check's statuses set)

    def __init__(self, parent: QWidget, session: Session, busy: Callable[[], bool], selected: Callable[[], list]):
        super().__init__(parent)
        self._parent = parent
        self._session = session
        self._busy = busy
        self._selected = selected  # the findings selected in the list

    def selected_finding(self):
        chosen = self._selected()
        return chosen[0] if chosen else None

    def correct_selected(self) -> bool:
        finding = self.selected_finding()
        return finding is not None and self.correct_finding(finding)

    def _can_act(self) -> bool:
        return self._session.analysis is not None and not self._busy()

    def correct_finding(self, finding) -> bool:
        """Ask how to correct one finding (which copy to keep, or what to treat a value as) and keep the answer
        in the workspace, the finding marked corrected by it; then check again. True when a correction was made."""
        if not self._can_act():
            return False
        parent, analysis, workspace = self._parent, self._session.analysis, self._session.workspace
        try:
            if is_duplicate(finding):
                group = duplicate_group(analysis, finding)
                if group is None or len(group.copies) < 2:
                    QMessageBox.information(parent, "Nothing to choose", "The copies of this audit are no longer "
                                            "all in the inputs, so there is nothing to choose between.")
                    return False
                dialog = DuplicateDialog(group, parent)
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return False
                correction = workspace.choose_duplicate(group.identity, dialog.chosen.keep_file, dialog.reason,
                                                        current_user())
            else:
                choices = treat_as_choices(finding)
                item = input_for_finding(analysis, finding)
                if not choices or item is None:
                    QMessageBox.information(parent, "Nothing to correct here", NOTHING_TO_CORRECT)
                    return False
                dialog = TreatAsDialog(finding, choices, parent)
                if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.value:
                    return False
                correction = workspace.correct_value(item.sha256, finding.sheet, finding.cell, dialog.value,
                                                     dialog.reason, current_user())
            workspace.set_finding_status(finding, CORRECTED, dialog.reason, current_user(), correction_id=correction)
        except WorkspaceError as exc:
            QMessageBox.warning(parent, "The correction was not saved", str(exc))
            return False
        self.corrections_changed.emit()
        return True

    def set_finding_status(self, findings: list, status: str) -> bool:
        """Accept (with a reason, asked), mark corrected or reopen findings; kept in the workspace. Statuses
        change no figure, so the lists are redrawn without checking the inputs again."""
        if not self._can_act() or not findings:
            return False
        reason = ""
        if status == ACCEPTED:
            dialog = AcceptDialog(findings, self._parent)
            try:
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return False
                reason = dialog.reason
            finally:
                dialog.deleteLater()
        workspace = self._session.workspace
        try:
            for finding in findings:
                if status == OPEN:
                    workspace.reopen_finding(finding)
                else:
                    workspace.set_finding_status(finding, status, reason, current_user())
        except WorkspaceError as exc:
            QMessageBox.warning(self._parent, "Not saved", str(exc))
            return False
        self._session.analysis.statuses = workspace.finding_statuses()
        self.statuses_changed.emit()
        return True

    def undo_correction(self, correction) -> None:
        try:
            self._session.workspace.undo_correction(correction.id, current_user())
        except WorkspaceError as exc:
            QMessageBox.warning(self._parent, "The correction was not undone", str(exc))
            return
        self.corrections_changed.emit()
