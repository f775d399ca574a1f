"""The window's keyboard use: its shortcuts (Esc stops a check or build, Ctrl+F searches the findings, F5
reads what a stopped check left), its Workspace menu (Open, New, Find an audit by its key with Ctrl+K,
Settings with Ctrl+,), and the order Tab goes in, with no keyboard trap.

``WindowActions`` makes the actions on the window; the window connects each ``triggered`` to what it does.
"""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QMainWindow, QPlainTextEdit, QTextEdit, QWidget


def release_tab_traps(root: QWidget) -> None:
    """Tab and Shift+Tab always leave a list, table or text box (WCAG 2.1.2, no keyboard trap); arrows and
    Ctrl+Tab still move within them."""
    for view in root.findChildren(QAbstractItemView):
        view.setTabKeyNavigation(False)
    for edit in [*root.findChildren(QPlainTextEdit), *root.findChildren(QTextEdit)]:
        edit.setTabChangesFocus(True)


def set_tab_order(chain: Sequence[QWidget]) -> None:
    """Tab goes through ``chain`` in order; Tab from the last comes back to the first."""
    for first, second in zip(chain, chain[1:]):
        QWidget.setTabOrder(first, second)


def _window_shortcut(text: str, key: QKeySequence, window: QMainWindow) -> QAction:
    action = QAction(text, window)
    action.setShortcut(key)
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    window.addAction(action)
    return action


class WindowActions(QObject):
    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.cancel_action = _window_shortcut("Stop reading or building", QKeySequence(Qt.Key.Key_Escape), window)
        self.search_action = _window_shortcut("Search the findings", QKeySequence(QKeySequence.StandardKey.Find),
                                              window)  # Ctrl+F
        self.continue_action = _window_shortcut("Continue reading the inputs not read yet",
                                                QKeySequence(QKeySequence.StandardKey.Refresh), window)  # F5
        menu = window.menuBar().addMenu("Wor&kspace")
        self.open_workspace_action = QAction("&Open workspace\u2026", window)
        self.new_workspace_action = QAction("&New workspace\u2026", window)
        self.find_audit_action = QAction("&Find an audit by its key\u2026", window)
        self.find_audit_action.setShortcut(QKeySequence("Ctrl+K"))
        self.settings_action = QAction("&Settings\u2026", window)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        for action in (self.open_workspace_action, self.new_workspace_action, None, self.find_audit_action,
                       None, self.settings_action):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
