"""Reading historical audit registers: one sheet, one audit per row, in any tabular format.

A sheet is a case file audit register when a header row (within its first 10 rows) has columns
recognisable as case reference, audit date, service area and overall judgement; a household
reference column (with audit date and overall judgement) makes it a foster carer register. Columns
are matched by label, field name or alias (the spec's aliases plus the usual tracker headings
below); findings name the sheet row as the user sees it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..findings import FindingSink, register_rule
from ..inputs.tables import SheetTable, column_letter, find_header_row
from ..records import Audit, InputFile, ReadResult, Source
from ..values import clean_text, is_blank, label_key
from . import rules
from .builder import RecordBuilder, Seen
from .fields import Located
from .spec import FieldSpec, returns_spec

COLUMN_MISSING = register_rule(
    "register.column_missing",
    "An audit register has no column for a required field; that field is blank for every row.")

HEADER_WITHIN = 10

# Headings QA trackers commonly use, beyond the template labels and the spec's aliases. Bare "ID" and
# "Grade" are deliberately absent: a workforce list (staff ID, pay grade) must not pass for a register.
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "case_ref": ("Child's ID", "Child number", "Person ID", "Client ID", "Case ID",
                 "Child reference number", "Mosaic ID", "Eclipse ID", "LCS number"),
    "audit_date": ("Audit completed", "Date completed", "Audit completion date", "Date of the audit"),
    "service_area": ("Service area of case", "Directorate"),
    "overall": ("Overall rating", "Overall judgment", "Judgement", "Audit grade", "Final grade",
                "Overall practice grade", "Overall audit grade"),
    "carer_ref": ("Household", "Foster carer ID", "Carer ID", "Household number", "Fostering household"),
    "auditor": ("Completed by",),
    "moderated_overall": ("Moderated judgement", "Moderation grade", "Moderated rating"),
    "audit_kind": ("Type",),
}
ACTIONS_HEADINGS = ("Actions", "Actions raised", "Number of actions", "No of actions", "Action count")

_CASE_KEYS = ("case_ref", "audit_date", "service_area", "overall")
_FOSTER_KEYS = ("carer_ref", "audit_date", "overall")


def _keys_for(f: FieldSpec) -> tuple[str, ...]:
    """Match keys of a field, most specific first."""
    texts = [f.label, f.field, f.field.replace("_", " "), *f.aliases, *EXTRA_ALIASES.get(f.field, ())]
    return tuple(label_key(t) for t in texts)


@lru_cache(maxsize=None)
def _match_keys(template_type: str) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[tuple[str, str], ...],
                                             tuple[str, ...]]:
    """(each field's match keys, each domain's evidence key, the actions headings' keys) of a return type, worked
    out once: ``column_map`` runs for every candidate header row of every sheet and CSV read, and looking the
    keys up per field (hashing each ``FieldSpec``, all its texts, thousands of times a file) was most of the time
    a small CSV took to read."""
    spec = returns_spec().returns[template_type]
    fields = tuple((f.field, _keys_for(f)) for f in spec.fields if f.section != "columns")
    evidence = tuple((f.field, label_key(f.evidence_label)) for f in spec.domains)
    return fields, evidence, tuple(label_key(h) for h in ACTIONS_HEADINGS)


def column_map(header: list, template_type: str) -> tuple[dict[str, int], dict[str, int], int | None]:
    """(field -> column, domain -> evidence column, actions column) for a header row."""
    fields, evidence_keys, actions_keys = _match_keys(template_type)
    header_keys = {}
    for c, value in enumerate(header):
        if isinstance(value, str):
            key = label_key(value)
            if key:
                header_keys.setdefault(key, c)
    columns: dict[str, int] = {}
    taken: set[int] = set()
    if header_keys:
        # Labels and field names are claimed before aliases so an alias never steals another field's label.
        for depth in range(max(len(keys) for _, keys in fields)):
            for field, keys in fields:
                if field in columns or depth >= len(keys):
                    continue
                col = header_keys.get(keys[depth])
                if col is not None and col not in taken:
                    columns[field] = col
                    taken.add(col)
    evidence = {field: header_keys[key] for field, key in evidence_keys if key in header_keys}
    actions = next((header_keys[key] for key in actions_keys if key in header_keys), None)
    return columns, evidence, actions


@dataclass
class RegisterSheet:
    table: SheetTable
    template_type: str
    header_row: int  # 0-based
    columns: dict[str, int]
    evidence: dict[str, int]
    actions: int | None


def detect_register(table: SheetTable) -> RegisterSheet | None:
    def kind(row: list) -> str | None:
        foster, _, _ = column_map(row, "foster_carer_audit")
        if all(k in foster for k in _FOSTER_KEYS):
            return "foster_carer_audit"
        case, _, _ = column_map(row, "case_file_audit")
        if all(k in case for k in _CASE_KEYS):
            return "case_file_audit"
        return None

    index = find_header_row(table.rows, lambda row: kind(row) is not None, within=HEADER_WITHIN)
    if index is None:
        return None
    ttype = kind(table.rows[index])
    columns, evidence, actions = column_map(table.rows[index], ttype)
    return RegisterSheet(table, ttype, index, columns, evidence, actions)


def _actions(value: object) -> int:
    """A count of actions; a register cell holding the actions' text counts as one action."""
    if is_blank(value):
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return max(0, int(value))
    text = clean_text(value) or ""
    return int(text) if text.isdigit() else 1


def read_registers(item: InputFile, registers: list[RegisterSheet], sink: FindingSink,
                   modified) -> ReadResult:
    seen = Seen()
    builder = RecordBuilder(sink, seen, report_absent=False)
    audits: list[Audit] = []
    for reg in registers:
        spec = returns_spec().returns[reg.template_type]
        sheet = reg.table.sheet
        absent = [f.label for f in spec.fields
                  if f.required and f.section != "columns" and f.field not in reg.columns]
        if absent:
            sink.warning(COLUMN_MISSING,
                         f"This register has no column for {', '.join(absent)}, which every audit "
                         "should have. Its audits are still read; add the column if you have the "
                         "information.", sheet=sheet)
        key_fields = (spec.reference_field, "audit_date", "overall")
        for r in range(reg.header_row + 1, len(reg.table.rows)):
            row = reg.table.rows[r]
            if all(is_blank(v) for v in row):
                continue
            place = f"row {r + 1}"

            def lookup(name: str, r=r, place=place) -> Located | None:
                col = reg.columns.get(name)
                if col is None:
                    return None
                return Located(reg.table.cell(r, col), sheet, place, column=column_letter(col))

            if all(is_blank(reg.table.cell(r, reg.columns[k])) for k in key_fields if k in reg.columns):
                sink.info(rules.REGISTER_ROW_SKIPPED,
                          "This row has no reference, audit date or overall judgement, so it was "
                          "ignored (a totals or notes row). If it is an audit, fill those in.",
                          sheet=sheet, cell=place)
                continue
            source = Source(file=item.name, sheet=sheet, row=r + 1, sha256=item.sha256, modified=modified)
            evidence = {d: text for d, c in reg.evidence.items() if (text := clean_text(reg.table.cell(r, c)))}
            actions = _actions(reg.table.cell(r, reg.actions)) if reg.actions is not None else 0
            audit = builder.audit(reg.template_type, lookup, source, (sheet, place),
                                  actions=actions, evidence=evidence)
            if audit is not None:
                audits.append(audit)
    any_case = any(reg.template_type == "case_file_audit" for reg in registers)
    return ReadResult(kind="audit_register" if any_case else "foster_register",
                      kind_label="Audit register" if any_case else "Foster carer register",
                      audits=audits, findings=sink.findings,
                      sensitive=seen.sensitive, staff_names=seen.staff_names,
                      auditors=dict(seen.auditors))
