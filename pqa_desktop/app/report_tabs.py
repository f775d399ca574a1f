"""The tabs below the inputs: the findings, and the report's own content (key messages, commentary, feedback),
the corrections made and the workspace.

Each tab is a panel that owns its widgets (``FindingsPanel``, ``MessagesPanel``, ``CommentaryPanel``,
``FeedbackPanel``, ``CorrectionsPanel``, ``WorkspacePanel``); this widget only holds them in order, keeps the
Findings tab's count in its title and brings the findings forward when the user asks for them (Ctrl+F, a file's
findings, "N files need attention").
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QWidget

from .corrections import NOTHING_TO_CORRECT, CorrectionsPanel, can_correct
from .feedback_panel import FeedbackPanel
from .findings_view import FindingsPanel
from .inputs_model import InputsTableModel
from .messages_panel import CommentaryPanel, MessagesPanel
from .workspace_panel import WorkspacePanel

FINDINGS_TAB, MESSAGES_TAB, COMMENTARY_TAB, FEEDBACK_TAB, CORRECTIONS_TAB, WORKSPACE_TAB = range(6)


class ReportTabs(QTabWidget):
    def __init__(self, inputs_model: InputsTableModel, source_paths: Callable[[], list],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.findings_panel = FindingsPanel(inputs_model, source_paths=source_paths)
        self.findings_panel.set_correctable(can_correct, NOTHING_TO_CORRECT)
        proxy = self.findings_panel.proxy
        for signal in (proxy.rowsInserted, proxy.modelReset):
            signal.connect(self._update_findings_tab)
        self.messages_panel = MessagesPanel()
        self.commentary_panel = CommentaryPanel()
        self.feedback_panel = FeedbackPanel()
        self.corrections_panel = CorrectionsPanel()
        self.workspace_panel = WorkspacePanel()
        self.setAccessibleName("Findings and report content")
        self.addTab(self.findings_panel, "Findings")
        self.addTab(self.messages_panel, "Key &messages")
        self.addTab(self.commentary_panel, "Commentar&y")
        self.addTab(self.feedback_panel, "Feedback")
        self.addTab(self.corrections_panel, "Corrections")
        self.addTab(self.workspace_panel, "Workspace")

    def _update_findings_tab(self, *_args) -> None:
        total = self.findings_panel.model.rowCount()
        self.setTabText(FINDINGS_TAB, f"Findings ({total})" if total else "Findings")

    def focus_search(self) -> None:
        """Ctrl+F: the findings' search box, its text selected."""
        self.setCurrentIndex(FINDINGS_TAB)
        self.findings_panel.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.findings_panel.search_edit.selectAll()

    def show_file_findings(self, name: str) -> None:
        self.setCurrentIndex(FINDINGS_TAB)
        self.findings_panel.show_file(name)
        self.findings_panel.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_attention(self) -> None:
        self.setCurrentIndex(FINDINGS_TAB)
        self.findings_panel.show_open_problems()
        self.findings_panel.table.setFocus(Qt.FocusReason.OtherFocusReason)
