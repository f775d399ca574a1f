"""Turning one raw cell of a return or register into a canonical value, with a finding when it
cannot be read. Shared by the template reader and the register reader, which differ only in
where a field's cell is (a defined name or label, or a register column)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..findings import FindingSink
from ..values import (NOT_APPLICABLE, clean_text, is_blank, parse_choice, parse_grade,
                      parse_uk_date, parse_yes_no)
from . import rules
from .spec import FieldSpec

GRADE_CHOICES = "Outstanding, Good, Requires improvement, Inadequate or Not applicable"

# What to do with a list value that is not on its list. Service areas are kept as typed because
# the settings may define other areas; an unknown audit type is still an audit, so it is kept too;
# an unknown feedback source is still feedback ("Other"); anything else counts as not given.
_KEEP_TYPED = {"service_area", "audit_kind"}
_AS_OTHER = {"feedback_source": "Other"}

_MAX_ECHO = 40  # typed values are echoed (they are grades or list entries, never identifiers) but short


@dataclass(frozen=True)
class Located:
    """A raw value and where it was found: cell "B7" for a template, "row 7" for a register."""

    value: object
    sheet: str
    cell: str
    column: str = ""  # register column letter, named in messages because the finding names the row


def echo(value: object) -> str:
    text = clean_text(value) or ""
    text = text.replace("\n", " ")
    return text if len(text) <= _MAX_ECHO else text[:_MAX_ECHO - 1] + "\u2026"


class ValueReader:
    """Parses located values by field type, adding findings to the file's sink."""

    def __init__(self, sink: FindingSink):
        self.sink = sink

    def where(self, spec: FieldSpec, loc: Located) -> str:
        """The field label, plus the column for a register row (the finding already names the row)."""
        return f"{spec.label} (column {loc.column})" if loc.column else spec.label

    def read(self, spec: FieldSpec, loc: Located | None):
        if loc is None or is_blank(loc.value):
            return None
        if spec.type == "date":
            return self.date(spec, loc)
        if spec.type == "grade":
            return self.grade(spec, loc)
        if spec.type == "yes_no":
            return self.yes_no(spec, loc)
        if spec.type == "list":
            return self.choice(spec, loc)
        return clean_text(loc.value)

    def date(self, spec: FieldSpec, loc: Located, consequence: str = "") -> date | None:
        try:
            return parse_uk_date(loc.value)
        except (ValueError, OverflowError):
            # The typed text is not echoed: a date cell can hold a date of birth by mistake.
            self.sink.error(
                rules.DATE_UNREADABLE,
                f"{self.where(spec, loc)}: this is not a date that can be read.{consequence} Enter it "
                "as day/month/year, for example 03/05/2024 for 3 May 2024.",
                sheet=loc.sheet, cell=loc.cell, field=spec.label)
            return None

    def grade(self, spec: FieldSpec, loc: Located) -> str | None:
        try:
            grade, was_number = parse_grade(loc.value)
        except ValueError:
            counts = (" The audit still counts in the other tables, but not in the overall-judgement "
                      "ones." if spec.field == "overall" else
                      " This judgement counts as missing; the rest of the audit still counts.")
            self.sink.error(
                rules.GRADE_UNRECOGNISED,
                f'{self.where(spec, loc)}: "{echo(loc.value)}" is not a grade. Enter '
                f"{GRADE_CHOICES}.{counts}",
                sheet=loc.sheet, cell=loc.cell, field=spec.label, value=echo(loc.value))
            return None
        if was_number:
            self.sink.info(
                rules.GRADE_NUMBER,
                f"{self.where(spec, loc)}: the Ofsted grade number {echo(loc.value)} was read as "
                f'"{grade}". Nothing to do unless that is wrong; the template asks for the grade in '
                "words.",
                sheet=loc.sheet, cell=loc.cell, field=spec.label, value=echo(loc.value))
        return grade

    def yes_no(self, spec: FieldSpec, loc: Located) -> str | None:
        try:
            answer = parse_yes_no(loc.value)
        except ValueError:
            choices = "Yes, No or Not applicable" if NOT_APPLICABLE in spec.list or not spec.list \
                else "Yes or No"
            self.sink.error(
                rules.YES_NO_UNRECOGNISED,
                f'{self.where(spec, loc)}: "{echo(loc.value)}" is not a Yes/No answer, so it counts '
                f"as not answered. Enter {choices}.",
                sheet=loc.sheet, cell=loc.cell, field=spec.label, value=echo(loc.value))
            return None
        if answer == NOT_APPLICABLE and spec.list and NOT_APPLICABLE not in spec.list:
            # "Practitioner involved" has no Not applicable: N/A means the question did not apply.
            return None
        return answer

    def choice(self, spec: FieldSpec, loc: Located) -> str | None:
        try:
            return parse_choice(loc.value, spec.list)
        except ValueError:
            pass
        choices = ", ".join(spec.list[:-1]) + f" or {spec.list[-1]}" if len(spec.list) > 1 else \
            "".join(spec.list)
        typed = clean_text(loc.value)
        if spec.field in _KEEP_TYPED:
            outcome = f'it is kept as typed, so "{echo(typed)}" is reported as a group of its own'
            kept = typed
        elif spec.field in _AS_OTHER:
            kept = _AS_OTHER[spec.field]
            outcome = f'it is counted as "{kept}"'
        else:
            kept = None
            outcome = "it counts as not given"
        self.sink.warning(
            rules.LIST_UNRECOGNISED,
            f'{self.where(spec, loc)}: "{echo(typed)}" is not on the list ({choices}); {outcome}. '
            "Pick a value from the list if one fits.",
            sheet=loc.sheet, cell=loc.cell, field=spec.label, value=echo(typed))
        return kept
