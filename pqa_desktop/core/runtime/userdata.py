"""The per-user application-data folder: where the audit-key secret lives when there is no workspace.

Windows: %APPDATA%\\PQA Desktop; elsewhere $XDG_CONFIG_HOME/pqa-desktop (default ~/.config).
PQA_DESKTOP_HOME overrides both (tests, portable use). Nothing is written outside it.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from ..privacy import new_secret

SECRET_FILE = "audit-key-secret.txt"


def app_data_dir() -> Path:
    override = os.environ.get("PQA_DESKTOP_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / "PQA Desktop"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pqa-desktop"


def user_secret() -> str:
    """The user's audit-key secret, created on first use (readable by the user only)."""
    folder = app_data_dir()
    path = folder / SECRET_FILE
    try:
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) >= 32:
            return secret
    except (OSError, UnicodeDecodeError):
        pass
    folder.mkdir(parents=True, exist_ok=True)
    secret = new_secret()
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret + "\n")
    os.replace(tmp, path)
    return secret
