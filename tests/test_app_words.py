"""What the app says never tells the user about command-line options: the app's own strings, and every string
the core can hand the app to show (finding messages, rule meanings, readiness reasons, errors), are read from
the source and checked. The command line (cli.py) adds its own advice to the findings it prints.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pqa_desktop

PACKAGE = Path(pqa_desktop.__file__).parent
COMMAND_LINE = re.compile(r"(?<![\w-])--[a-z][a-z-]+|\bpqa (build|validate|templates|inspect|lookup|purge|demo)\b"
                          r"|\bcommand line\b|\bsettings file\b", re.IGNORECASE)
# Words about the command line are fine where only the command line or developers read them.
NOT_SHOWN_IN_THE_APP = {"cli.py", "__main__.py", "main.py"}
# Known, and not in the app's own messages: the workbook cover's line for a build without a council (both the
# app and the command line build it: it names both ways; issue 12's text, left to the product owners), and a
# --settings file that is not TOML (only the command line reads such a file).
WORKBOOK_OR_COMMAND_LINE_ONLY = {("core/comparators/__init__.py", "Not shown: choose your council"),
                                 ("core/settings.py", "Settings file ")}


def _shown_strings(path: Path) -> list[tuple[int, str]]:
    """String literals (and f-string parts) that are not docstrings: what a program can show."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            out.append((node.lineno, node.value))
    return out


def test_nothing_the_app_can_show_mentions_a_command_line_option():
    offending = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in NOT_SHOWN_IN_THE_APP and path.parent.name in ("pqa_desktop", "app"):
            continue
        where = str(path.relative_to(PACKAGE))
        for line, text in _shown_strings(path):
            if any(where == known and text.startswith(start) for known, start in WORKBOOK_OR_COMMAND_LINE_ONLY):
                continue
            if COMMAND_LINE.search(text):
                offending.append(f"{path.relative_to(PACKAGE)}:{line}: {text[:80]!r}")
    # argparse help and the argument names of the app's own entry point (main.py) are excluded above;
    # anything else found here would reach a dialog, a finding or the workbook
    assert offending == []
