"""Building Audit and EdtSample records from located field values.

The template reader (defined names or labels) and the register reader (columns of a row) only say
where each field's value is; the rules for required fields, the overall judgement, moderation,
feedback and staff names live here once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from ..findings import FindingSink
from ..records import Audit, EdtRecord, EdtSample, Feedback, Source
from ..values import NOT_APPLICABLE, clean_text, is_blank
from . import rules
from .fields import Located, ValueReader
from .spec import FieldSpec, returns_spec

NOT_RECORDED = "Not recorded"  # service area of a case file audit whose service area is blank
FOSTERING = "Fostering"
FOSTER_AUDIT_TYPE = "Foster carer audit"

# Fields holding a member of staff's name: they go to Audit.staff and are redacted in the output.
STAFF_FIELDS = ("auditor", "social_worker", "team_manager", "moderator", "supervising_social_worker")

_LEFT_OUT = " The audit cannot be placed in a month, so it is left out of the figures."

Lookup = Callable[[str], "Located | None"]


@dataclass
class Seen:
    """Identifying strings met while reading one file (ReadResult.sensitive / staff_names)."""

    sensitive: set[str] = field(default_factory=set)
    staff_names: set[str] = field(default_factory=set)
    auditors: dict[str, str] = field(default_factory=dict)  # place ("" or "row 12") -> who filled it in

    def auditor(self, place: str, value: object) -> None:
        if isinstance(value, str) and value.strip():
            self.auditors[place] = value.strip()

    def reference(self, value: str | None) -> None:
        if value:
            self.sensitive.add(value)

    def staff(self, value: str | None) -> None:
        if value:
            self.sensitive.add(value)
            self.staff_names.add(value)


class RecordBuilder:
    """Reads one return's or register row's fields through ``lookup`` and builds its record."""

    def __init__(self, sink: FindingSink, seen: Seen, report_absent: bool = True):
        self.sink = sink
        self.values = ValueReader(sink)
        self.seen = seen
        # A template lacking a required field's cell is an error on that return; a register lacking a
        # column is said once per sheet by the register reader, not once per row.
        self.report_absent = report_absent

    def _missing(self, spec: FieldSpec, loc: Located | None, default_place: tuple[str, str],
                 consequence: str) -> None:
        if loc is None and not self.report_absent:
            return
        sheet, cell = (loc.sheet, loc.cell) if loc is not None else default_place
        where = self.values.where(spec, loc) if loc is not None else spec.label
        self.sink.error(rules.FIELD_REQUIRED_MISSING,
                        f"{where} is blank but required.{consequence} Fill it in and add the file "
                        "again.", sheet=sheet, cell=cell, field=spec.label)

    def _read_all(self, specs: tuple[FieldSpec, ...], lookup: Lookup) -> dict[str, object]:
        return {f.field: self.values.read(f, lookup(f.field)) for f in specs}

    def _required_date(self, spec: FieldSpec, lookup: Lookup, default_place: tuple[str, str]) -> date | None:
        loc = lookup(spec.field)
        if loc is None or is_blank(loc.value):
            self._missing(spec, loc, default_place, _LEFT_OUT)
            return None
        return self.values.date(spec, loc, consequence=_LEFT_OUT)

    def audit(self, template_type: str, lookup: Lookup, source: Source, default_place: tuple[str, str],
              actions: int = 0, evidence: dict[str, str] | None = None) -> Audit | None:
        """The audit, or None (with an error finding) when its audit date is blank or unreadable."""
        spec = returns_spec().returns[template_type]
        ref_spec = spec.get(spec.reference_field)
        date_spec = spec.get("audit_date")
        others = tuple(f for f in spec.fields
                       if f.section != "columns" and f.field not in (ref_spec.field, date_spec.field))
        reference = self.values.read(ref_spec, lookup(ref_spec.field))
        self.seen.reference(reference)
        audit_date = self._required_date(date_spec, lookup, default_place)
        got = self._read_all(others, lookup)
        for role in STAFF_FIELDS:
            if isinstance(got.get(role), str):
                self.seen.staff(got[role])
        self.seen.auditor(default_place[1], got.get("auditor"))

        if reference is None:
            self._missing(ref_spec, lookup(ref_spec.field), default_place,
                          " The audit still counts, but a second copy of it cannot be recognised.")
        for f in others:
            if f.required and f.section != "domains" and got.get(f.field) is None \
                    and _blank(lookup(f.field)):
                self._missing(f, lookup(f.field), default_place, "")
        self._check_overall(spec.get("overall"), lookup, got.get("overall"), default_place)
        moderated = self._moderated(spec, lookup, got.get("moderated_overall"))

        if audit_date is None:
            return None
        is_foster = template_type == "foster_carer_audit"
        return Audit(
            template_type=template_type,
            reference=reference or "",
            audit_date=audit_date,
            audit_type=FOSTER_AUDIT_TYPE if is_foster else (got.get("audit_kind") or
                                                             spec.get("audit_kind").default),
            service_area=FOSTERING if is_foster else (got.get("service_area") or NOT_RECORDED),
            team=got.get("team"),
            grades={f.field: got.get(f.field) for f in spec.domains},
            compliance={f.field: got.get(f.field) for f in spec.section("compliance")},
            moderated_overall=moderated,
            moderation_date=got.get("moderation_date"),
            feedback=_feedback(got),
            actions=actions,
            practitioner_involved=got.get("practitioner_involved"),
            carer_type=got.get("carer_type"),
            staff={role: got[role] for role in STAFF_FIELDS if got.get(role)},
            source=source,
            evidence=dict(evidence or {}),
        )

    def _check_overall(self, spec: FieldSpec, lookup: Lookup, overall: str | None,
                       default_place: tuple[str, str]) -> None:
        loc = lookup(spec.field)
        if overall is None and not _blank(loc):
            return  # present but not a grade: already an error naming the cell
        if overall is None or overall == NOT_APPLICABLE:
            sheet, cell = (loc.sheet, loc.cell) if loc is not None else default_place
            state = "blank" if overall is None else "Not applicable"
            self.sink.error(
                rules.OVERALL_MISSING,
                f"{self.values.where(spec, loc) if loc else spec.label} is {state}, but every audit "
                "needs an overall judgement. The audit still counts in the other tables, but not in "
                "the overall-judgement ones. Enter Outstanding, Good, Requires improvement or "
                "Inadequate.", sheet=sheet, cell=cell, field=spec.label,
                value="" if overall is None else overall)

    def _moderated(self, spec, lookup: Lookup, moderated: str | None) -> str | None:
        if moderated != NOT_APPLICABLE:
            return moderated
        moderation_spec = spec.get("moderated_overall")
        loc = lookup(moderation_spec.field)
        self.sink.warning(
            rules.MODERATION_NOT_APPLICABLE,
            f"{self.values.where(moderation_spec, loc)} is Not applicable, so the audit is treated "
            "as not moderated and the auditor's overall judgement is used. Enter the moderated grade, "
            "or clear the cell.", sheet=loc.sheet if loc else "", cell=loc.cell if loc else "",
            field=moderation_spec.label, value=NOT_APPLICABLE)
        return None

    # --- EDT dip samples ----------------------------------------------------------------------

    def edt_sample(self, lookup: Lookup, rows: list[tuple[int, list[Located | None]]], source: Source,
                   default_place: tuple[str, str]) -> EdtSample | None:
        spec = returns_spec().returns["edt_dip_sample"]
        by_spec, month_spec = spec.get("sampled_by"), spec.get("sample_month")
        sampled_by = self.values.read(by_spec, lookup(by_spec.field))
        self.seen.staff(sampled_by)
        self.seen.auditor(default_place[1], sampled_by)
        if sampled_by is None:
            self._missing(by_spec, lookup(by_spec.field), default_place,
                          " The sample still counts, but a second copy of it cannot be recognised.")
        month = self._required_date(month_spec, lookup, default_place)
        columns = spec.section("columns")
        records: list[EdtRecord] = []
        for sheet_row, row in rows:
            if all(_blank(loc) for loc in row):
                continue  # the template has 30 rows; unused ones are simply empty
            cells = {col.field: loc for col, loc in zip(columns, row)}
            got = {col.field: self.values.read(col, cells.get(col.field)) for col in columns}
            self.seen.reference(got.get("record_ref"))
            records.append(EdtRecord(
                row=sheet_row,
                contact_date=got.get("contact_date"),
                answers={col.field: got.get(col.field) for col in columns if col.type == "yes_no"},
                comment=got.get("comment"),
            ))
        if spec.max_records and len(records) > spec.max_records:
            self.sink.warning(rules.TOO_MANY_RECORDS,
                              f"This dip sample holds {len(records)} records; the template allows "
                              f"{spec.max_records}. All were read: check none is a duplicate.",
                              sheet=default_place[0])
        if month is None:
            return None
        return EdtSample(sampled_by=sampled_by or "", sample_month=month.replace(day=1),
                         records=records, source=source)


def _blank(loc: Located | None) -> bool:
    return loc is None or is_blank(loc.value)


def _feedback(got: dict[str, object]) -> Feedback | None:
    text = got.get("feedback_text")
    sentiment = got.get("feedback_sentiment")
    if not text and not sentiment:
        return None  # a source alone says nothing a table could show
    return Feedback(source=got.get("feedback_source"), sentiment=sentiment, text=clean_text(text) or "")
