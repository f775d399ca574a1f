"""Records: what the readers produce and the measures consume. Plain dataclasses, no I/O.

Values are already canonical here: grades are one of ``values.GRADE_SCALE`` or None (blank or
unreadable, with a finding raised by the reader); Yes/No answers are "Yes", "No",
"Not applicable" or None; dates are ``datetime.date``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class InputFile:
    """One candidate input, already taken out of any folder, zip or email.

    ``name`` is the display name: the file name alone for a file on disk, or the chain of
    containers for an inner file ("returns.zip › Audit_1.xlsx", "Audits.eml › Audit_1.xlsx").
    It is shown (masked) in findings and never includes folders.
    """

    name: str
    data: bytes
    sha256: str
    path: str | None = None  # path of the outermost file on disk (for "open the source file")
    modified: datetime | None = None  # file-system modification time of the outermost file

    @property
    def suffix(self) -> str:
        leaf = self.name.rsplit("\u203a", 1)[-1].strip()
        return ("." + leaf.rsplit(".", 1)[-1].lower()) if "." in leaf else ""

    @property
    def leaf_name(self) -> str:
        return self.name.rsplit("\u203a", 1)[-1].strip()


@dataclass(frozen=True)
class Source:
    """Where a record came from, for findings, duplicates and provenance."""

    file: str  # InputFile.name
    sheet: str
    row: int | None = None  # register row (1-based), None for a template return
    sha256: str = ""
    modified: datetime | None = None  # workbook's own "modified" property, else file mtime


@dataclass(frozen=True)
class Feedback:
    source: str | None  # Parent or carer, Child or young person, Foster carer, Professional, Other
    sentiment: str | None  # Getting it right, Need to do better, Mixed
    text: str


@dataclass
class Audit:
    """A case file audit or a foster carer audit (from a template return or a register row)."""

    template_type: str  # "case_file_audit" or "foster_carer_audit"
    reference: str  # case_ref or carer_ref, as written (trimmed)
    audit_date: date
    audit_type: str  # Case file audit / Thematic audit / Collaborative audit / Foster carer audit
    service_area: str  # for foster carer audits "Fostering"
    team: str | None = None
    grades: dict[str, str | None] = field(default_factory=dict)  # domain field -> grade; includes "overall"
    compliance: dict[str, str | None] = field(default_factory=dict)  # item field -> Yes/No/Not applicable
    moderated_overall: str | None = None
    moderation_date: date | None = None
    feedback: Feedback | None = None
    actions: int = 0
    practitioner_involved: str | None = None  # Yes / No / None
    carer_type: str | None = None
    staff: dict[str, str] = field(default_factory=dict)  # role field -> name (auditor, social_worker, ...)
    source: Source | None = None
    evidence: dict[str, str] = field(default_factory=dict)  # domain field -> the auditor's evidence text

    @property
    def overall(self) -> str | None:
        """The overall judgement used in every figure: moderated where moderated."""
        return self.moderated_overall or self.grades.get("overall")

    @property
    def moderated(self) -> bool:
        return self.moderated_overall is not None

    @property
    def identity(self) -> tuple:
        return (self.template_type, self.reference.strip().upper(), self.audit_date)


@dataclass(frozen=True)
class EdtRecord:
    row: int  # sheet row, for findings
    contact_date: date | None
    answers: dict[str, str | None]  # safeguarding_action, multi_agency, recording, amhp_required, amhp_offered, timescales
    comment: str | None = None


@dataclass
class EdtSample:
    sampled_by: str
    sample_month: date  # first day of the month sampled
    records: list[EdtRecord] = field(default_factory=list)
    source: Source | None = None

    template_type = "edt_dip_sample"

    @property
    def identity(self) -> tuple:
        return ("edt_dip_sample", self.sampled_by.strip().upper(), self.sample_month)


@dataclass
class AuditRecords:
    """Everything read from auditor returns, after duplicates are resolved."""

    audits: list[Audit] = field(default_factory=list)
    edt_samples: list[EdtSample] = field(default_factory=list)

    def staff_names(self) -> set[str]:
        names: set[str] = set()
        for a in self.audits:
            names.update(v for v in a.staff.values() if v)
        for s in self.edt_samples:
            if s.sampled_by:
                names.add(s.sampled_by)
        return names

    def references(self) -> set[str]:
        return {a.reference for a in self.audits if a.reference}


@dataclass
class ReadResult:
    """What reading one input gives: its kind, its records, its findings.

    ``kind`` is a stable id (``case_file_audit``, ``foster_carer_audit``, ``edt_dip_sample``,
    ``audit_register``, ``foster_register``, ``skipped``, ``unreadable``); ``kind_label`` is what the app
    and the cover show ("Case file audit", "Skipped: not an input").
    ``sensitive`` holds every identifying string seen (child/carer references, record references,
    person names) so file names can be masked and the output checked for leaks. ``auditors`` (place ->
    name) says whom to send a finding back to; it never reaches the workbook.
    """

    kind: str
    kind_label: str
    audits: list[Audit] = field(default_factory=list)
    edt_samples: list[EdtSample] = field(default_factory=list)
    findings: list = field(default_factory=list)  # list[Finding]
    # frozen sets when read back from a workspace (shared by every check: ``workspace.store._copy_of``)
    sensitive: set[str] | frozenset[str] = field(default_factory=set)
    staff_names: set[str] | frozenset[str] = field(default_factory=set)
    exports: list = field(default_factory=list)  # list[exports.model.ExportTable] for system exports
    # Who filled each part in, by place: "" for a whole return (its auditor, or an EDT sample's "sampled
    # by"), "row 12" for a register row. Read even when the audit itself is left out (an unreadable audit
    # date), so its findings can still go back to the auditor.
    auditors: dict[str, str] = field(default_factory=dict)
