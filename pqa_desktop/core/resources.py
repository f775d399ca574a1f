"""Where the shipped data files live: the repository's resources/ folder, or the bundle's copy."""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "resources"] if bundle else []
    candidates.append(Path(__file__).resolve().parents[2] / "resources")
    for c in candidates:
        if c.is_dir():
            return c
    raise FileNotFoundError("PQA Desktop's resources folder is missing; reinstall the app.")


def resource(name: str) -> Path:
    return resources_dir() / name


def project_dir() -> Path:
    """The folder holding resources/ and workbook_templates/ (repository root or bundle root)."""
    return resources_dir().parent
