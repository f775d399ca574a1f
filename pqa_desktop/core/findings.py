"""One Finding type for every deviation in the inputs.

Readers never raise for bad data and never print: they return findings alongside records.
A finding names where (file, sheet, cell or row), how bad (severity), which rule (a stable id)
and what to do (a plain-English message). Messages never echo a child's ID, name or date of
birth; they name the place instead.

Rule ids are stable strings, dotted by area (``grade.unrecognised``, ``input.skipped``). Each
module that raises findings keeps its ids as constants next to the code; ``RULES`` below is the
registry of every id with its one-line meaning, so the Data quality sheet, the app and the docs
can explain a rule once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, order=False)
class Finding:
    file: str  # display name of the input: file name alone, "archive.zip › name.xlsx" inside a container
    sheet: str  # sheet name, or "" when the finding is about the whole file
    cell: str  # "C14", "row 12", or "" when the finding is about the whole sheet/file
    severity: Severity
    rule: str  # stable rule id, see RULES
    message: str  # plain English: what is wrong and what to do
    field: str = ""  # the field's label ("Overall practice judgement"), "" when not about one field
    value: str = ""  # the value found, only for fields that never identify anyone; "" otherwise

    def sort_key(self) -> tuple:
        return (self.severity.rank, self.file, self.sheet, cell_sort_key(self.cell), self.rule, self.message)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
        }


def cell_sort_key(cell: str) -> tuple:
    """Sort A2 before A10 and row 2 before row 10."""
    import re

    m = re.fullmatch(r"([A-Z]+)(\d+)", cell or "")
    if m:
        return (0, int(m.group(2)), len(m.group(1)), m.group(1))
    m = re.fullmatch(r"row (\d+)", cell or "")
    if m:
        return (1, int(m.group(1)), 0, "")
    return (2, 0, 0, cell or "")


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info; within each by file, sheet, cell."""
    return sorted(findings, key=Finding.sort_key)


@dataclass
class FindingSink:
    """Collects findings for one input file so readers need not repeat the file name."""

    file: str
    findings: list[Finding] = field(default_factory=list)

    def add(self, severity: Severity, rule: str, message: str, sheet: str = "", cell: str = "",
            field: str = "", value: str = "") -> Finding:
        f = Finding(self.file, sheet, cell, severity, rule, message, field, value)
        self.findings.append(f)
        return f

    def error(self, rule: str, message: str, sheet: str = "", cell: str = "", field: str = "",
              value: str = "") -> Finding:
        return self.add(Severity.ERROR, rule, message, sheet, cell, field, value)

    def warning(self, rule: str, message: str, sheet: str = "", cell: str = "", field: str = "",
                value: str = "") -> Finding:
        return self.add(Severity.WARNING, rule, message, sheet, cell, field, value)

    def info(self, rule: str, message: str, sheet: str = "", cell: str = "", field: str = "",
             value: str = "") -> Finding:
        return self.add(Severity.INFO, rule, message, sheet, cell, field, value)


# Registry of stable rule ids: id -> what the rule means (shown once above its findings).
# Modules add to it with register_rule() at import time; ids never change meaning once released.
RULES: dict[str, str] = {}


def register_rule(rule_id: str, meaning: str) -> str:
    existing = RULES.get(rule_id)
    if existing is not None and existing != meaning:
        raise ValueError(f"rule id {rule_id!r} registered twice with different meanings")
    RULES[rule_id] = meaning
    return rule_id
