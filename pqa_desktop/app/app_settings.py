"""What the app remembers between sessions: window and dialog geometry, the report settings, the workspace, last
output folder.

Stored with QSettings under organisation and application "PQA Desktop". The format is
``QSettings.defaultFormat()`` so tests (and a portable install) can point it at an INI file in a folder
of their choosing with ``QSettings.setDefaultFormat`` / ``QSettings.setPath``; nothing else is stored here,
and never anything read from the inputs.

The report settings (``core.settings.Settings``: population, service areas, targets, opt-ins…) are kept as
one JSON value in the same shape as the command line's ``--settings`` TOML file and read back through
``Settings.from_dict``, so the app and the command line share one list and one validation. The audit-key
secret is never stored here: it lives in the workspace (or the app-data folder when there is none).
"""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ..core.settings import Settings, SettingsError

ORGANISATION = "PQA Desktop"
APPLICATION = "PQA Desktop"

_GEOMETRY = "window/geometry"
_DIALOGS = "dialogs"
_LA_NAME = "report/la_name"
_REPORT_SETTINGS = "report/settings"
_OUTPUT_FOLDER = "build/last_output_folder"
_WORKSPACE = "workspace/path"


def open_settings() -> QSettings:
    return QSettings(QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def settings_to_dict(settings: Settings) -> dict:
    """The report settings as the ``--settings`` file's keys (the secret left out), for ``Settings.from_dict``."""
    raw: dict = {
        "la_name": settings.la_name,
        "service_areas": list(settings.service_areas),
        "caseload_thresholds": dict(settings.caseload_thresholds),
        "include_case_refs": settings.include_case_refs,
        "include_staff_names": settings.include_staff_names,
        "feedback_text": settings.feedback_text,
    }
    if settings.population_0_17 is not None:
        raw["population_0_17"] = settings.population_0_17
    if settings.benchmarks_file:
        raw["benchmarks_file"] = settings.benchmarks_file
    if settings.council:
        raw["council"] = settings.council
    if settings.benchmarks_data:
        raw["benchmarks_data"] = settings.benchmarks_data
    if settings.vacancies_fte is not None:
        raw["vacancies_fte"] = settings.vacancies_fte
    if settings.workforce_snapshot is not None:
        raw["workforce_snapshot"] = settings.workforce_snapshot.isoformat()
    targets = {}
    for measure_id, chosen in settings.targets.items():
        entry: dict = {}
        if chosen.target is not None:
            entry["target"] = chosen.target
        if chosen.higher_is_better is not None:
            entry["polarity"] = "higher" if chosen.higher_is_better else "lower"
        if entry:
            targets[measure_id] = entry
    if targets:
        raw["targets"] = targets
    return raw


class AppSettings:
    """Typed access to the remembered values (QSettings hands back strings or None on some platforms)."""

    def __init__(self, store: QSettings | None = None):
        self.store = store if store is not None else open_settings()

    def geometry(self) -> QByteArray | None:
        value = self.store.value(_GEOMETRY)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, geometry: QByteArray) -> None:
        self.store.setValue(_GEOMETRY, geometry)

    def dialog_geometry(self, name: str) -> QByteArray | None:
        """The size and place a dialog was last left at (the user may enlarge it)."""
        value = self.store.value(f"{_DIALOGS}/{name}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_dialog_geometry(self, name: str, geometry: QByteArray) -> None:
        self.store.setValue(f"{_DIALOGS}/{name}", geometry)

    def la_name(self) -> str:
        value = self.store.value(_LA_NAME, "")
        return value if isinstance(value, str) else ""

    def set_la_name(self, name: str) -> None:
        self.store.setValue(_LA_NAME, name.strip())

    def report_settings(self) -> Settings:
        """The remembered report settings; the defaults when none were saved or the saved value cannot be used
        (e.g. written by a later version), so a bad value never stops the app from starting."""
        value = self.store.value(_REPORT_SETTINGS, "")
        settings = Settings()
        if isinstance(value, str) and value:
            try:
                raw = json.loads(value)
                if isinstance(raw, dict):
                    settings = Settings.from_dict(raw, source="saved settings")
            except (ValueError, SettingsError):
                settings = Settings()
        # the LA name is edited on the main screen and kept under its own key (empty until the user types one)
        settings.la_name = self.la_name()
        settings.audit_key_secret = None
        return settings

    def set_report_settings(self, settings: Settings) -> None:
        self.store.setValue(_REPORT_SETTINGS, json.dumps(settings_to_dict(settings), sort_keys=True))
        self.set_la_name(settings.la_name)

    def workspace_path(self) -> Path | None:
        """The workspace file the user chose last (None: the default one in the app-data folder)."""
        value = self.store.value(_WORKSPACE, "")
        return Path(value) if isinstance(value, str) and value else None

    def set_workspace_path(self, path: Path | None) -> None:
        self.store.setValue(_WORKSPACE, str(path) if path is not None else "")

    def output_folder(self) -> Path | None:
        value = self.store.value(_OUTPUT_FOLDER, "")
        if isinstance(value, str) and value and Path(value).is_dir():
            return Path(value)
        return None

    def set_output_folder(self, folder: Path) -> None:
        self.store.setValue(_OUTPUT_FOLDER, str(folder))

    def sync(self) -> None:
        self.store.sync()
