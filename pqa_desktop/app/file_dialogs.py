"""The window's file questions: which files or folder to add, where to save the workbook, its email draft and
the auditors' lists, and which workspace to open or create.

Each function asks with the system's file dialog and returns the answer, or None (an empty list or text)
when the user cancels. A place to save is checked before anything is written, with the same checks as the
command line (``core.sending.output_paths``): never over an input or the workspace, and a path that cannot be
written is said in plain words now rather than after the work.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..core.calendar import Period
from ..core.sending.output_paths import draft_problem, output_problem

INPUTS_FILTER = "Returns and exports (*.xlsx *.xlsm *.xls *.csv *.zip *.eml *.msg);;All files (*)"
WORKBOOK_FILTER = "Excel workbook (*.xlsx)"
WORKSPACE_FILTER = "PQA Desktop workspace (*.sqlite);;All files (*)"
EMAIL_FILTER = "Email draft (*.eml)"


def file_slug(text: str) -> str:
    """A safe default file-name stem from the LA name ("Anytown Council" -> "anytown-council")."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def _with_suffix(chosen: str, suffix: str) -> Path:
    path = Path(chosen)
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def ask_input_files(parent: QWidget) -> list[str]:
    paths, _filter = QFileDialog.getOpenFileNames(parent, "Add files", "", INPUTS_FILTER)
    return paths


def ask_input_folder(parent: QWidget) -> str:
    return QFileDialog.getExistingDirectory(parent, "Add folder")


def ask_workbook_path(parent: QWidget, folder: Path, la_name: str, period: Period, *,
                      inputs: Callable[[], Sequence[Path]], other_files: dict[str, Path | None]) -> Path | None:
    """Where to save the workbook: offered in ``folder`` under a name from the LA and the period; ``inputs``
    are listed only once a place has been chosen."""
    suggested = folder / f"{file_slug(la_name) or 'pqa'}-pqa-{period.end_month:%Y-%m}.xlsx"
    chosen, _filter = QFileDialog.getSaveFileName(parent, "Save the workbook as", str(suggested), WORKBOOK_FILTER)
    if not chosen:
        return None
    path = _with_suffix(chosen, ".xlsx")
    problem = output_problem(path, inputs=inputs(), other_files=other_files)
    if problem is not None:
        QMessageBox.warning(parent, "The workbook cannot be saved there", problem)
        return None
    return path


def ask_email_draft_path(parent: QWidget, workbook: Path, *, inputs: Callable[[], Sequence[Path]],
                         other_files: dict[str, Path | None]) -> Path | None:
    """Where to save the email draft of ``workbook`` (offered beside it); ``inputs`` are listed only once a
    place has been chosen."""
    chosen, _filter = QFileDialog.getSaveFileName(parent, "Save the email draft as",
                                                  str(workbook.with_suffix(".eml")), EMAIL_FILTER)
    if not chosen:
        return None
    draft = _with_suffix(chosen, ".eml")
    problem = draft_problem(draft, workbook=workbook, inputs=inputs(), other_files=other_files)
    if problem is not None:
        QMessageBox.warning(parent, "The email draft cannot be saved there", problem)
        return None
    return draft


def ask_send_back_folder(parent: QWidget, folder: Path) -> str:
    return QFileDialog.getExistingDirectory(parent, "Save the auditors' lists in", str(folder))


def ask_workspace_to_open(parent: QWidget, folder: Path) -> Path | None:
    path, _filter = QFileDialog.getOpenFileName(parent, "Open a workspace", str(folder), WORKSPACE_FILTER)
    return Path(path) if path else None


def ask_new_workspace(parent: QWidget, folder: Path) -> Path | None:
    """A file for a new workspace; an existing file is refused (Open workspace… is for that)."""
    path, _filter = QFileDialog.getSaveFileName(parent, "New workspace", str(folder / "pqa-workspace.sqlite"),
                                                WORKSPACE_FILTER)
    if not path:
        return None
    target = _with_suffix(path, ".sqlite")
    if target.exists():
        QMessageBox.warning(parent, "That file already exists",
                            f"{target.name} already exists. Use Open workspace\u2026 to work in it, or choose "
                            "another name for a new workspace.")
        return None
    return target
