"""What the window remembers between sessions: its size and place on the screen, and the LA name.

Kept in the app's settings (``AppSettings``, QSettings underneath); a first start, or a saved geometry that no
longer fits, opens at the smallest laptop screen the window is laid out for. Never a password or a file's
contents.
"""
from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from .app_settings import AppSettings
from .period_row import PeriodRow

DEFAULT_SIZE = (1366, 768)  # the smallest laptop screen it is laid out for


def restore_window_state(window: QMainWindow, settings: AppSettings, period_row: PeriodRow) -> None:
    geometry = settings.geometry()
    if geometry is None or not window.restoreGeometry(geometry):
        window.resize(*DEFAULT_SIZE)
    period_row.set_la_name(settings.la_name())


def save_window_state(window: QMainWindow, settings: AppSettings, period_row: PeriodRow) -> None:
    settings.set_geometry(window.saveGeometry())
    settings.set_la_name(period_row.la_name())
    settings.sync()
