"""What the app remembers between sessions: window geometry, LA name, last output folder.

Stored with QSettings under organisation and application "PQA Desktop". The format is
``QSettings.defaultFormat()`` so tests (and a portable install) can point it at an INI file in a folder
of their choosing with ``QSettings.setDefaultFormat`` / ``QSettings.setPath``; nothing else is stored here,
and never anything read from the inputs.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "PQA Desktop"
APPLICATION = "PQA Desktop"

_GEOMETRY = "window/geometry"
_LA_NAME = "report/la_name"
_OUTPUT_FOLDER = "build/last_output_folder"


def open_settings() -> QSettings:
    return QSettings(QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


class AppSettings:
    """Typed access to the few remembered values (QSettings hands back strings or None on some platforms)."""

    def __init__(self, store: QSettings | None = None):
        self.store = store if store is not None else open_settings()

    def geometry(self) -> QByteArray | None:
        value = self.store.value(_GEOMETRY)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, geometry: QByteArray) -> None:
        self.store.setValue(_GEOMETRY, geometry)

    def la_name(self) -> str:
        value = self.store.value(_LA_NAME, "")
        return value if isinstance(value, str) else ""

    def set_la_name(self, name: str) -> None:
        self.store.setValue(_LA_NAME, name.strip())

    def output_folder(self) -> Path | None:
        value = self.store.value(_OUTPUT_FOLDER, "")
        if isinstance(value, str) and value and Path(value).is_dir():
            return Path(value)
        return None

    def set_output_folder(self, folder: Path) -> None:
        self.store.setValue(_OUTPUT_FOLDER, str(folder))

    def sync(self) -> None:
        self.store.sync()
