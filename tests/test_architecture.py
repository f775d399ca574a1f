"""The boundary that keeps the core usable from scripts: no Qt outside pqa_desktop/app (napari-style)."""
import pkgutil
import subprocess
import sys
from pathlib import Path

import pqa_desktop

ROOT = Path(pqa_desktop.__file__).parent


def test_no_qt_import_outside_app():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "app" in path.relative_to(ROOT).parts[:1]:
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith(("import PySide6", "from PySide6", "import shiboken6", "from shiboken6")):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}")
    assert not offenders, offenders


def test_core_and_cli_import_without_loading_qt():
    modules = [m.name for m in pkgutil.walk_packages([str(ROOT / "core")], "pqa_desktop.core.")]
    code = ("import sys, importlib\n"
            f"for m in {modules!r} + ['pqa_desktop.cli']: importlib.import_module(m)\n"
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))], 'Qt loaded'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
