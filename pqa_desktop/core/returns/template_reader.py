"""Reading a PQA template return (case file audit, foster carer audit, EDT dip sample).

Where a field's cell is comes from a locator: by workbook-scoped defined name ``pqa_<field>`` (which
survives renamed or reordered sheets and moved rows), or, for old versions and pasted copies without
names, by the field's label with the value in the nearest non-empty cell to its right on that row.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..findings import FindingSink
from ..inputs.tables import SheetTable, cell_name
from ..records import InputFile, ReadResult, Source
from ..values import clean_text, is_blank, label_key
from . import rules
from .builder import RecordBuilder, Seen
from .fields import Located
from .ooxml import NameTarget, PackageInfo
from .spec import EVIDENCE_GUIDANCE, TEMPLATE_TYPES, FieldSpec, ReturnSpec, returns_spec

TYPE_NAME = "pqa_template_type"
VERSION_NAME = "pqa_template_version"
ACTIONS_NAME = "pqa_actions"
EDT_RECORDS_NAME = "pqa_edt_records"
ACTION_HEADERS = ("Action", "Owner (role)", "Due date")
ACTION_ROWS = 5
# Rows searched for a form's labels when it has no defined names: our templates are well under 100
# rows long (an EDT dip sample, the longest, holds at most 30 records), so 200 leaves room for rows
# an auditor inserted.
FORM_ROWS = 200

Block = list[tuple[int, list[Located | None]]]  # (sheet row, cells) for each data row


class NameLocator:
    """Cells by defined name."""

    def __init__(self, tables: dict[str, SheetTable], names: dict[str, NameTarget]):
        self.tables = tables
        self.names = names

    def _table(self, target: NameTarget) -> SheetTable | None:
        table = self.tables.get(target.sheet)
        if table is None:  # sheet names are case-insensitive in Excel
            table = next((t for n, t in self.tables.items() if n.casefold() == target.sheet.casefold()), None)
        return table

    def target(self, name: str) -> NameTarget | None:
        target = self.names.get(name.lower())
        if target is None or not target.is_range or self._table(target) is None:
            return None
        return target

    def cell(self, name: str) -> Located | None:
        target = self.target(name)
        if target is None:
            return None
        table = self._table(target)
        return Located(table.cell(target.first_row, target.first_col), table.sheet,
                       cell_name(target.first_row, target.first_col))

    def field(self, spec: FieldSpec) -> Located | None:
        return self.cell(spec.defined_name)

    def evidence(self, spec: FieldSpec) -> Located | None:
        return self.cell(spec.evidence_name)

    def block(self, name: str, width: int) -> Block | None:
        target = self.target(name)
        if target is None:
            return None
        table = self._table(target)
        rows: Block = []
        for r in range(target.first_row, target.last_row + 1):
            rows.append((r + 1, [Located(table.cell(r, c), table.sheet, cell_name(r, c))
                                 for c in range(target.first_col, target.first_col + width)]))
        return rows


class LabelLocator:
    """Cells by label: the nearest non-empty cell to the right of the cell holding the label, on its row.

    A value is read wherever it sits right of its label (a form laid out by hand may leave B blank and
    put the value in C), except that our templates' guidance text, and another field's label, are never
    a value: reading stops there, and the field is blank. The column the form keeps its values in is
    learned from the key fields (reference, audit date; sampler, month), which are nearly always filled;
    a value found further right than theirs is read, and ``further_right`` records its cell so the reader
    can say so (it may be a note beside a blank field rather than the field's value).
    """

    def __init__(self, table: SheetTable, spec: ReturnSpec):
        self.table = table
        self.index: dict[str, tuple[int, int]] = {}
        for r, row in enumerate(table.rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    self.index.setdefault(label_key(value), (r, c))
        self.guidance = {label_key(f.shown_guidance) for f in spec.fields if f.shown_guidance}
        self.guidance.add(label_key(EVIDENCE_GUIDANCE))
        self.further_right: dict[str, str] = {}  # cell of a value right of the form's value column -> field
        offsets, columns = [], []
        for name in (spec.reference_field or "sampled_by", "audit_date", "sample_month"):
            if any(f.field == name for f in spec.fields):
                hit = self.find(spec.get(name))
                loc = self._right_of(hit)
                if hit is not None and loc is not None and loc.value is not None:
                    offsets.append(self._column(loc.cell) - hit[1])
                    columns.append(loc.cell.rstrip("0123456789"))
        self.reach = max(offsets, default=1)  # how far right of its label the form keeps a value
        self.value_column = columns[offsets.index(self.reach)] if offsets else "B"  # for messages

    @staticmethod
    def _column(cell: str) -> int:
        letters = "".join(ch for ch in cell if ch.isalpha())
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        return n - 1

    def find(self, spec: FieldSpec) -> tuple[int, int] | None:
        for text in (spec.label, *spec.aliases):
            hit = self.index.get(label_key(text))
            if hit is not None:
                return hit
        return None

    def _right_of(self, hit: tuple[int, int] | None) -> Located | None:
        if hit is None:
            return None
        r, c = hit
        row = self.table.rows[r]
        for col in range(c + 1, len(row)):
            value = row[col]
            if is_blank(value):
                continue
            if isinstance(value, str) and (label_key(value) in self.guidance or _is_known_label(value)):
                break  # guidance beside a blank input, or the next field of a form laid out in columns
            return Located(value, self.table.sheet, cell_name(r, col))
        return Located(None, self.table.sheet, cell_name(r, c + 1))

    def field(self, spec: FieldSpec) -> Located | None:
        hit = self.find(spec)
        loc = self._right_of(hit)
        if hit is not None and loc is not None and loc.value is not None \
                and self._column(loc.cell) - hit[1] > self.reach:
            self.further_right[loc.cell] = spec.field
        return loc

    def evidence(self, spec: FieldSpec) -> Located | None:
        return self._right_of(self.index.get(label_key(spec.evidence_label)))

    def header_block(self, headers: tuple[str, ...], max_rows: int, stop_at_labels: bool) -> Block | None:
        """Rows under the row holding every header, one cell per header, in header order."""
        keys = [label_key(h) for h in headers]
        for r, row in enumerate(self.table.rows):
            cols = {label_key(v): c for c, v in enumerate(row) if isinstance(v, str)}
            if all(k in cols for k in keys):
                block: Block = []
                for rr in range(r + 1, min(r + 1 + max_rows, len(self.table.rows))):
                    line = self.table.rows[rr]
                    # A form field's label below a short block means the block has ended.
                    if stop_at_labels and line and isinstance(line[0], str) and _is_known_label(line[0]):
                        break
                    block.append((rr + 1, [Located(self.table.cell(rr, cols[k]), self.table.sheet,
                                                   cell_name(rr, cols[k])) for k in keys]))
                return block
        return None


@lru_cache(maxsize=1)
def _known_label_keys() -> frozenset[str]:
    keys: set[str] = set()
    for spec in returns_spec().returns.values():
        for f in spec.fields:
            if f.section != "columns":
                keys.add(label_key(f.label))
                keys.add(label_key(f.evidence_label))
    return frozenset(keys)


def _is_known_label(text: str) -> bool:
    return label_key(text) in _known_label_keys()


@dataclass
class Detected:
    template_type: str
    table: SheetTable


def detect_by_labels(tables: list[SheetTable]) -> Detected | None:
    """The template type whose labels a sheet carries, laid out as a form (labels on several rows).

    A sheet counts as a return of a type when it holds that type's key label (reference, or Sampled
    by) and at least three of its labels on at least three different rows; a register has its labels
    on one header row and is recognised elsewhere.
    """
    best: tuple[int, Detected] | None = None
    for table in tables:
        positions: dict[str, int] = {}
        # A form's labels all sit in its first rows; reading further would key every cell of a
        # 100,000-row export only to find it is not a form.
        for r, row in enumerate(table.rows[:FORM_ROWS]):
            for value in row:
                if isinstance(value, str):
                    positions.setdefault(label_key(value), r)
        for ttype in TEMPLATE_TYPES:
            spec = returns_spec().returns[ttype]
            key_field = spec.reference_field or "sampled_by"
            # EDT records' column headings count too: a dip sample has only two form fields.
            found = {f.field: positions[label_key(f.label)] for f in spec.fields
                     if label_key(f.label) in positions}
            if key_field not in found or len(found) < 3 or len(set(found.values())) < 3:
                continue
            if best is None or len(found) > best[0]:
                best = (len(found), Detected(ttype, table))
    return best[1] if best else None


def _constant(locator: NameLocator, name: str) -> str | None:
    target = locator.names.get(name)
    if target is None:
        return None
    if target.constant is not None:
        return target.constant
    loc = locator.cell(name)
    return clean_text(loc.value) if loc is not None else None


def read_template(item: InputFile, tables: list[SheetTable], package: PackageInfo | None,
                  sink: FindingSink) -> ReadResult | None:
    """A template return's record, or None when the workbook is not one of our templates."""
    by_sheet = {t.sheet: t for t in tables}
    names = NameLocator(by_sheet, package.names if package else {})
    declared = (_constant(names, TYPE_NAME) or "").strip().lower()
    labels: LabelLocator | None = None
    if declared in TEMPLATE_TYPES:
        ttype = declared
        version = _constant(names, VERSION_NAME)
        if version is not None and version.strip() != returns_spec().version:
            sink.info(rules.TEMPLATE_VERSION,
                      f"This return was made from template version {clean_text(version)}; this app "
                      f"writes version {returns_spec().version}. It was read as far as possible: check "
                      "its figures, and send auditors the current template (in PQA Desktop's Auditor templates "
                      "folder).")
    else:
        detected = detect_by_labels(tables)
        if detected is None:
            return None
        ttype = detected.template_type
        labels = LabelLocator(detected.table, returns_spec().returns[ttype])
        names = NameLocator(by_sheet, {})
        sink.info(rules.LABEL_FALLBACK,
                  "This return has no PQA defined names (an old template, or values pasted into a "
                  "copy), so it was read by its labels. Check its values on the Audit list; ask the "
                  "auditor to use the current template next time.", sheet=detected.table.sheet)
    spec = returns_spec().returns[ttype]
    return _TemplateRead(item, sink, spec, names, labels, tables, package).result()


class _TemplateRead:
    """One template return: names first, labels for any field whose name is missing or broken."""

    def __init__(self, item: InputFile, sink: FindingSink, spec: ReturnSpec, names: NameLocator,
                 labels: LabelLocator | None, tables: list[SheetTable], package: PackageInfo | None):
        self.item, self.sink, self.spec = item, sink, spec
        self.names, self.labels = names, labels
        self.package = package
        self.tables = tables
        self.by_label: set[str] = set()  # fields found by label although the workbook has names
        self.tried_by_label: dict[str, Located | None] = {}  # every field looked up by its label
        self._label_fallback_noted = labels is not None

    def _labels(self) -> LabelLocator | None:
        if self.labels is None:
            detected = detect_by_labels(self.tables)
            table = detected.table if detected and detected.template_type == self.spec.template_type \
                else (self.tables[0] if self.tables else None)
            if table is None:
                return None
            self.labels = LabelLocator(table, self.spec)
        return self.labels

    def field(self, name: str) -> Located | None:
        fspec = self.spec.get(name)
        loc = self.names.field(fspec)
        if loc is None:
            labels = self._labels()
            loc = labels.field(fspec) if labels else None
            self.tried_by_label[name] = loc
            if loc is not None and not self._label_fallback_noted:
                self.by_label.add(name)
        return loc

    def evidence(self, fspec: FieldSpec) -> str | None:
        loc = self.names.evidence(fspec)
        if loc is None and self._labels() is not None:
            loc = self._labels().evidence(fspec)
        return clean_text(loc.value) if loc is not None else None

    def block(self, name: str, headers: tuple[str, ...], max_rows: int) -> Block:
        block = self.names.block(name, len(headers))
        if block is None and self._labels() is not None:
            block = self._labels().header_block(headers, max_rows, stop_at_labels=True)
        return block or []

    def _home_sheet(self) -> str:
        key = self.spec.reference_field or "sampled_by"
        loc = self.field(key)
        if loc is not None:
            return loc.sheet
        return self.tables[0].sheet if self.tables else ""

    def result(self) -> ReadResult:
        seen = Seen()
        builder = RecordBuilder(self.sink, seen)
        sheet = self._home_sheet()
        source = Source(file=self.item.name, sheet=sheet, row=None, sha256=self.item.sha256,
                        modified=(self.package.modified if self.package and self.package.modified
                                  else self.item.modified))
        audits, samples = [], []
        if self.spec.template_type == "edt_dip_sample":
            columns = self.spec.section("columns")
            rows = self.block(EDT_RECORDS_NAME, tuple(c.label for c in columns), self.spec.max_records)
            sample = builder.edt_sample(self.field, rows, source, (sheet, ""))
            if sample is not None:
                samples.append(sample)
        else:
            actions = self.block(ACTIONS_NAME, ACTION_HEADERS, ACTION_ROWS)
            action_count = sum(1 for _, cells in actions if any(not is_blank(c.value) for c in cells if c))
            evidence = {f.field: text for f in self.spec.domains if (text := self.evidence(f))}
            audit = builder.audit(self.spec.template_type, self.field, source, (sheet, ""),
                                  actions=action_count, evidence=evidence)
            if audit is not None:
                audits.append(audit)
        self._label_findings(sheet)
        if self.by_label:
            labels = ", ".join(self.spec.get(f).label for f in sorted(self.by_label))
            self.sink.info(rules.LABEL_FALLBACK,
                           f"Some cells of this return have lost their PQA defined names, so they were "
                           f"read by their labels ({labels}). Check those values; ask the auditor to "
                           "use the current template next time.", sheet=sheet)
        return ReadResult(kind=self.spec.template_type, kind_label=self.spec.title, audits=audits,
                          edt_samples=samples, findings=self.sink.findings,
                          sensitive=seen.sensitive, staff_names=seen.staff_names,
                          auditors=dict(seen.auditors))

    def _label_findings(self, sheet: str) -> None:
        """Read by label, a value is never blank or out of place without a finding: one naming the cell of
        each value read further right than the form's others, one listing the optional fields with no
        value beside their label or no label at all (a blank required field is an error already)."""
        if self.labels is None or not self.tried_by_label:
            return
        for cell, name in self.labels.further_right.items():
            if name not in self.tried_by_label:
                continue
            label = self.spec.get(name).label
            self.sink.info(rules.LABEL_VALUE_FURTHER_RIGHT,
                           f"{label} was read from {cell}, further right of its label than this return's "
                           f"other values (column {self.labels.value_column}). Check that {cell} holds the "
                           f"{label}; if it is a note beside a blank field, clear it and add the file again.",
                           sheet=self.labels.table.sheet, cell=cell)
        blank = [name for name, loc in self.tried_by_label.items()
                 if loc is not None and is_blank(loc.value) and not self.spec.get(name).required]
        absent = [name for name, loc in self.tried_by_label.items()
                  if loc is None and not self.spec.get(name).required]
        if not blank and not absent:
            return
        order = {f.field: i for i, f in enumerate(self.spec.fields)}
        parts = []
        if blank:
            labels = ", ".join(self.spec.get(n).label for n in sorted(blank, key=order.get))
            parts.append(f"No value was found beside these labels, so they are blank: {labels}.")
        if absent:
            labels = ", ".join(self.spec.get(n).label for n in sorted(absent, key=order.get))
            parts.append(f"These labels are not on the return, so their fields are blank: {labels}.")
        self.sink.info(rules.LABEL_NO_VALUE,
                       " ".join(parts) + " If a value is there under another label or elsewhere on the sheet, "
                       "correct the return (or ask the auditor to use the current template) and add it again.",
                       sheet=self.labels.table.sheet or sheet)
