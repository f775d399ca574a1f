"""Corrections made in the app: which copy of a duplicate audit to keep, and "Treat as…" for a value that
could not be read. Both are kept in the workspace with who, when and why, never written into the input.

The functions at the top find what a correction needs from a finding and the analysis it came from
(findings name files by their masked display name and never carry a case reference, so the record or file
is looked up in ``Analysis.results``). The dialogs ask for the choice and a reason; the panel lists the
corrections already made, with Undo.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QRadioButton, QTableView,
                               QVBoxLayout, QWidget)

from ..core.findings import Finding
from ..core.returns import rules
from ..core.returns.spec import FieldSpec, returns_spec
from ..core.values import GRADE_SCALE, NOT_APPLICABLE
from .workspace_panel import local_time_text
from .row_model import RowTableModel

DUPLICATE_RULE = rules.DUPLICATE
VALUE_RULES = (rules.GRADE_UNRECOGNISED, rules.YES_NO_UNRECOGNISED, rules.LIST_UNRECOGNISED)
KIND_TEXT = {"keep": "Copy kept", "value": "Treated as"}
NOTHING_TO_CORRECT = ("Select a finding about a duplicate audit, or about a grade, Yes/No answer or list value "
                      "that could not be read.")

_FALLBACK_CHOICES = {
    rules.GRADE_UNRECOGNISED: GRADE_SCALE,
    rules.YES_NO_UNRECOGNISED: ("Yes", "No", NOT_APPLICABLE),
}
_FIELD_TYPES = {rules.GRADE_UNRECOGNISED: "grade", rules.YES_NO_UNRECOGNISED: "yes_no",
                rules.LIST_UNRECOGNISED: "list"}


def current_user() -> str:
    """Who made a correction: the signed-in account name (no network look-up, nothing personal beyond it)."""
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


# ----------------------------------------------------------------------------------------------------
# what a finding offers
# ----------------------------------------------------------------------------------------------------
def _field_for(finding: Finding) -> FieldSpec | None:
    """The return field a value finding is about: its message starts with the field label (plus
    " (column X)" for a register row), then a colon."""
    label = finding.message.split(":", 1)[0].strip()
    if " (column " in label:
        label = label.rsplit(" (column ", 1)[0]
    wanted = _FIELD_TYPES.get(finding.rule)
    for spec in returns_spec().returns.values():
        for field in spec.fields:
            if field.label == label and (wanted is None or field.type == wanted):
                return field
    return None


def treat_as_choices(finding: Finding) -> tuple[str, ...]:
    """The canonical values "Treat as…" offers for a value the reader could not read; () when it offers none."""
    if finding.rule not in VALUE_RULES or not finding.sheet or not finding.cell:
        return ()
    field = _field_for(finding)
    if field is not None and field.list:
        return tuple(field.list)
    return tuple(_FALLBACK_CHOICES.get(finding.rule, ()))


def is_duplicate(finding: Finding) -> bool:
    return finding.rule == DUPLICATE_RULE


def can_correct(finding: Finding | None) -> bool:
    return finding is not None and (is_duplicate(finding) or bool(treat_as_choices(finding)))


def input_for_finding(analysis, finding: Finding):
    """The InputFile a finding names (findings carry the masked display name), or None."""
    for item, _result in getattr(analysis, "results", []):
        if analysis.mask(item.name) == finding.file:
            return item
    return None


@dataclass(frozen=True)
class DuplicateCopy:
    shown_name: str  # masked file name, for the screen
    keep_file: str  # the file name the pipeline matches (Source.file): stored, never shown
    modified: datetime | None
    kept_now: bool


@dataclass(frozen=True)
class DuplicateGroup:
    identity: tuple  # what Workspace.choose_duplicate takes; holds a reference, so never shown
    kind: str
    copies: tuple[DuplicateCopy, ...]


def _place_matches(source, finding: Finding, mask) -> bool:
    cell = f"row {source.row}" if source.row else ""
    return mask(source.file) == finding.file and source.sheet == finding.sheet and cell == finding.cell


def duplicate_group(analysis, finding: Finding) -> DuplicateGroup | None:
    """Every copy of the audit a duplicate finding is about, and which one is kept now."""
    if not is_duplicate(finding):
        return None
    records = []
    for _item, result in getattr(analysis, "results", []):
        records.extend([*result.audits, *result.edt_samples])
    target = next((r for r in records if r.source is not None and _place_matches(r.source, finding, analysis.mask)),
                  None)
    if target is None:
        return None
    kept = {id(r) for r in [*analysis.records.audits, *analysis.records.edt_samples]}
    copies = []
    for record in records:
        if record.identity == target.identity and record.source is not None:
            copies.append(DuplicateCopy(shown_name=analysis.mask(record.source.file), keep_file=record.source.file,
                                        modified=record.source.modified, kept_now=id(record) in kept))
    kind = {"case_file_audit": "case file audit", "foster_carer_audit": "foster carer audit",
            "edt_dip_sample": "EDT dip sample"}.get(target.template_type, "audit")
    return DuplicateGroup(identity=target.identity, kind=kind, copies=tuple(copies))


# ----------------------------------------------------------------------------------------------------
# dialogs
# ----------------------------------------------------------------------------------------------------
class _ReasonDialog(QDialog):
    """A dialog whose OK stays off until a reason is given."""

    def _finish_layout(self, layout: QVBoxLayout) -> None:
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Reason for the correction")
        self.reason_edit.setPlaceholderText("e.g. confirmed with the auditor by email")
        reason_label = QLabel("&Reason (required):")
        reason_label.setBuddy(self.reason_edit)
        form = QFormLayout()
        form.addRow(reason_label, self.reason_edit)
        layout.addLayout(form)
        note = QLabel("The correction is kept in the workspace with your name and the time. The input file "
                      "is not changed.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName("Save the correction")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel the correction")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(self._update_ok)
        self._update_ok()

    @property
    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _missing(self) -> str:
        """What is still to be given before OK ("" when nothing)."""
        return "" if self.reason else "Give a reason first"

    def _update_ok(self) -> None:
        missing = self._missing()
        self.ok_button.setEnabled(not missing)
        self.ok_button.setToolTip(missing)

    def accept(self) -> None:
        if not self._missing():
            super().accept()


class TreatAsDialog(_ReasonDialog):
    def __init__(self, finding: Finding, choices: Sequence[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Treat as\u2026")
        self.setAccessibleName("Treat a value as")
        self.finding = finding
        layout = QVBoxLayout(self)
        where = f"{finding.file}, sheet {finding.sheet}, cell {finding.cell}"
        about = QLabel(f"{where}\n{finding.message}")
        about.setWordWrap(True)
        layout.addWidget(about)
        self.choice_combo = QComboBox()
        self.choice_combo.addItems(list(choices))
        # Nothing chosen to start with: Enter must never record the first (highest) grade by default.
        self.choice_combo.setPlaceholderText("Choose a value")
        self.choice_combo.setCurrentIndex(-1)
        self.choice_combo.setAccessibleName("Value to read instead")
        choice_label = QLabel("&Treat as:")
        choice_label.setBuddy(self.choice_combo)
        row = QFormLayout()
        row.addRow(choice_label, self.choice_combo)
        layout.addLayout(row)
        self._finish_layout(layout)
        self.choice_combo.currentIndexChanged.connect(lambda _i: self._update_ok())

    @property
    def value(self) -> str:
        return self.choice_combo.currentText() if self.choice_combo.currentIndex() >= 0 else ""

    def _missing(self) -> str:
        if not self.value:
            return "Choose the value to read instead first"
        return super()._missing()


class DuplicateDialog(_ReasonDialog):
    def __init__(self, group: DuplicateGroup, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Choose which copy to keep")
        self.setAccessibleName("Choose which copy to keep")
        self.group = group
        layout = QVBoxLayout(self)
        intro = QLabel(f"The same {group.kind} is in {len(group.copies)} files. Choose the copy the report uses; "
                       "the others are left out.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.copy_buttons = QButtonGroup(self)
        for n, copy in enumerate(group.copies):
            when = f", saved {copy.modified:%d/%m/%Y %H:%M}" if copy.modified else ""
            now = " (kept now)" if copy.kept_now else ""
            button = QRadioButton(f"{copy.shown_name}{when}{now}")
            button.setAccessibleName(f"Keep the copy in {copy.shown_name}")
            button.setChecked(copy.kept_now)
            self.copy_buttons.addButton(button, n)
            layout.addWidget(button)
        if self.copy_buttons.checkedButton() is None and group.copies:
            self.copy_buttons.button(0).setChecked(True)
        self._finish_layout(layout)

    @property
    def chosen(self) -> DuplicateCopy:
        return self.group.copies[max(self.copy_buttons.checkedId(), 0)]


# ----------------------------------------------------------------------------------------------------
# the corrections list
# ----------------------------------------------------------------------------------------------------
HEADERS = ("Correction", "Where", "Value", "Reason", "Who", "When")
CORRECTION_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


def correction_row(correction, names: dict[str, str], mask: Callable[[str], str]) -> tuple[object, str, str]:
    """(correction, where, value) for the list: file names (``names``: by SHA-256) masked, never a case
    reference."""
    if correction.kind == "value":
        sha, sheet, cell = correction.target
        return correction, f"{mask(names.get(sha, 'a removed file'))}, sheet {sheet}, cell {cell}", \
            str(correction.value)
    template_type, _reference, when = correction.target
    kind = {"case_file_audit": "Case file audit", "foster_carer_audit": "Foster carer audit",
            "edt_dip_sample": "EDT dip sample"}.get(template_type, "Audit")
    dated = when.strftime("%d/%m/%Y") if hasattr(when, "strftime") else str(when)
    return correction, f"{kind} dated {dated}", mask(str(correction.value))


class CorrectionsModel(RowTableModel):
    """Rows of ``Workspace.list_corrections()`` with the texts the window worked out for "Where" and "Value"
    (file names masked, never a reference)."""
    headers = HEADERS

    def set_corrections(self, rows: Sequence[tuple[object, str, str]]) -> None:
        self._replace_rows(rows)

    def correction_at(self, row: int):
        return self._rows[row][0]




    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        correction, where, value = self._rows[index.row()]
        if role == CORRECTION_ROLE:
            return correction
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        column = index.column()
        if column == 0:
            return KIND_TEXT.get(correction.kind, correction.kind)
        if column == 1:
            return where
        if column == 2:
            return value
        if column == 3:
            return correction.reason
        if column == 4:
            return correction.who
        return local_time_text(correction.when)


class CorrectionsPanel(QWidget):
    correct_requested = Signal()  # "Correct the selected finding…"
    undo_requested = Signal(object)  # the Correction to undo

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        intro = QLabel("Select a finding below, then correct it. Kept in the workspace, not in the files.")
        intro.setWordWrap(True)
        self.correct_button = QPushButton("Correct the selected f&inding\u2026")
        self.correct_button.setAccessibleName("Correct the selected finding")
        self.correct_button.clicked.connect(self.correct_requested)
        self.model = CorrectionsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Corrections made")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.view.setTabKeyNavigation(False)
        self.undo_button = QPushButton("&Undo correction")
        self.undo_button.setAccessibleName("Undo the selected correction")
        self.undo_button.clicked.connect(self._undo_clicked)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        buttons = QHBoxLayout()
        buttons.addWidget(self.correct_button)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.set_can_correct(False, NOTHING_TO_CORRECT)
        self._update_buttons()

    def set_corrections(self, rows: Sequence[tuple[object, str, str]]) -> None:
        self.model.set_corrections(rows)

    def set_can_correct(self, possible: bool, why_not: str = "") -> None:
        self.correct_button.setEnabled(possible)
        self.correct_button.setToolTip("" if possible else why_not)

    def selected_correction(self):
        rows = self.view.selectionModel().selectedRows()
        return self.model.correction_at(rows[0].row()) if rows else None

    def _undo_clicked(self) -> None:
        correction = self.selected_correction()
        if correction is not None:
            self.undo_requested.emit(correction)

    def _update_buttons(self) -> None:
        self.undo_button.setEnabled(self.view.selectionModel().hasSelection())
