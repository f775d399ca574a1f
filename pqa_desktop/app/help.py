"""The Help menu: the user guide, the keyboard shortcuts, and About (versions, licences, where the
workspace is, and that nothing leaves the laptop).

The user guide and the licence texts ship beside the executables in the release bundle ("User guide.pdf",
the licences folder); run from the source tree, they are docs/user-guide.md and licences/.
"""
from __future__ import annotations

import platform
import sys
from pathlib import Path
from typing import Callable, Sequence

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QMainWindow,
                               QMenu, QMessageBox, QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from .. import __version__
from ..core.resources import project_dir

GUIDE_NAMES = ("User guide.pdf", "User guide.html", "docs/user-guide.md")
LICENCE_SUMMARY = (
    "PQA Desktop is free software under the MIT licence. Its window is drawn by Qt {qt} through PySide6 "
    "{pyside}, used unmodified under the GNU Lesser General Public License version 3 (LGPL v3): you may replace "
    "those libraries in the _internal folder with your own build. The other third-party packages and their "
    "licences are listed in THIRD-PARTY-NOTICES.txt in the licences folder, with the full licence texts.")
# (keys, what they do), for the shortcuts the window's own actions do not carry
FIXED_SHORTCUTS = (
    ("Tab / Shift+Tab", "Move to the next / previous control; Tab always leaves a list or table"),
    ("Arrow keys", "Move within a list, table or group tree"),
    ("Alt + underlined letter", "Press that button or go to that field"),
    ("Ctrl+Tab / Ctrl+Shift+Tab", "Next / previous tab (Findings, Key messages, Commentary\u2026)"),
    ("Enter (in the inputs list)", "Show that file's findings"),
    ("Enter (in the findings list)", "Open the file the finding is about in its program"),
    ("Delete (in the inputs list)", "Remove the selected inputs"),
    ("Ctrl+C (in the findings list)", "Copy the selected findings as a table"),
    ("Esc", "Stop reading or building (what was read is kept)"),
)


def install_folder() -> Path:
    """Where the app is installed: the bundle's folder, or the source tree."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return project_dir()


def user_guide_path(folder: Path | None = None) -> Path | None:
    folder = folder or install_folder()
    return next((folder / name for name in GUIDE_NAMES if (folder / name).is_file()), None)


def licences_folder(folder: Path | None = None) -> Path:
    return (folder or install_folder()) / "licences"


def licence_text(folder: Path | None = None) -> str:
    """The summary, then the notices and licence files that ship with the app."""
    parts = [LICENCE_SUMMARY.format(qt=qVersion(), pyside=pyside_version)]
    where = licences_folder(folder)
    for name in ("LGPL-NOTE.txt", "THIRD-PARTY-NOTICES.txt"):
        path = where / name
        if path.is_file():
            parts.append(f"\u2014 {name} \u2014\n\n" + path.read_text(encoding="utf-8", errors="replace").strip())
    return "\n\n".join(parts) + "\n"


def shortcut_rows(actions: Sequence[QAction]) -> list[tuple[str, str]]:
    """Every shortcut: the window's actions (as they are set, so the list cannot go stale), then the rest."""
    rows = []
    for action in actions:
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
        if keys:
            rows.append((keys, action.text().replace("&", "").rstrip("\u2026").strip()))
    return rows + list(FIXED_SHORTCUTS)


class ShortcutsDialog(QDialog):
    def __init__(self, rows: Sequence[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Keys", "What they do"])
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        for r, (keys, what) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(keys))
            self.table.setItem(r, 1, QTableWidgetItem(what))
        self.table.resizeColumnToContents(0)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(760, 460)


class AboutDialog(QDialog):
    def __init__(self, workspace: Path | None, parent: QWidget | None = None, folder: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("About PQA Desktop")
        self.setAccessibleName("About PQA Desktop")
        self._folder = folder
        about = QLabel(
            f"<h3>PQA Desktop {__version__}</h3>"
            "<p>Turns the month's quality-assurance evidence into the Performance &amp; Quality Assurance "
            "workbook.</p>"
            "<p><b>Offline:</b> everything runs on this laptop. PQA Desktop makes no network connection, sends "
            "no data, has no analytics and checks for no updates.</p>"
            f"<p>Workspace: {workspace if workspace is not None else 'none'}<br>"
            f"Qt {qVersion()}, PySide6 {pyside_version}, Python {platform.python_version()}</p>")
        about.setTextFormat(Qt.TextFormat.RichText)
        about.setWordWrap(True)
        about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        about.setAccessibleName("Version and privacy")
        self.licences = QPlainTextEdit(licence_text(folder))
        self.licences.setReadOnly(True)
        self.licences.setTabChangesFocus(True)  # Tab leaves the text (no keyboard trap)
        self.licences.setAccessibleName("Licences")
        licences_label = QLabel("&Licences:")
        licences_label.setBuddy(self.licences)
        self.open_licences_button = QPushButton("Open the licences folder")
        self.open_licences_button.setAccessibleName("Open the licences folder")
        self.open_licences_button.clicked.connect(self._open_licences)
        self.open_licences_button.setEnabled(licences_folder(folder).is_dir())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.open_licences_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(licences_label)
        layout.addWidget(self.licences, 1)
        layout.addWidget(buttons)
        self.resize(720, 560)

    def _open_licences(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(licences_folder(self._folder))))


def build_help_menu(window: QMainWindow, workspace_path: Callable[[], Path | None]) -> QMenu:
    """Add the Help menu to ``window``; its actions are also the window's attributes for tests."""
    menu = window.menuBar().addMenu("&Help")
    guide = QAction("&User guide", window)
    guide.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))  # F1
    guide.triggered.connect(lambda: open_user_guide(window))
    shortcuts = QAction("&Keyboard shortcuts", window)
    shortcuts.setShortcut(QKeySequence("Ctrl+/"))
    shortcuts.triggered.connect(lambda: show_shortcuts(window))
    about = QAction("&About PQA Desktop", window)
    about.triggered.connect(lambda: show_about(window, workspace_path()))
    for action in (guide, shortcuts, about):
        menu.addAction(action)
    window.user_guide_action, window.shortcuts_action, window.about_action = guide, shortcuts, about
    return menu


def open_user_guide(parent: QWidget) -> bool:
    path = user_guide_path()
    if path is not None and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    where = f"It is {path}." if path is not None else "It was not found beside the app."
    QMessageBox.information(parent, "The user guide could not be opened",
                            f"PQA Desktop could not open the user guide. {where} Open it from the folder "
                            "PQA Desktop is installed in (User guide.pdf).")
    return False


def show_shortcuts(window: QMainWindow) -> None:
    # the window's own shortcuts; those that work only in one list (Delete, Enter, Ctrl+C) are in FIXED_SHORTCUTS
    actions = [a for a in window.findChildren(QAction) if a.shortcuts() and a.isVisible()
               and a.shortcutContext() != Qt.ShortcutContext.WidgetShortcut]
    seen, unique = set(), []
    for action in actions:
        if id(action) not in seen:
            seen.add(id(action))
            unique.append(action)
    dialog = ShortcutsDialog(shortcut_rows(unique), window)
    dialog.exec()
    dialog.deleteLater()


def show_about(window: QWidget, workspace: Path | None) -> None:
    dialog = AboutDialog(workspace, window)
    dialog.exec()
    dialog.deleteLater()
