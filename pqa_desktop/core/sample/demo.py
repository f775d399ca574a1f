"""Deterministic sample auditor returns from a fictional council, "Anytown Council".

Used by ``pqa demo``, by tests that need a realistic folder of inputs, and (at scale) by benchmarks.
Everything is drawn from one seeded ``random.Random``; the same arguments give byte-identical files.

The default sample looks like the reference report (September 2024): audits in the 12 months to the
period end, none in August or December, and none in the period-end month itself (the September report
covers audits to July: audits are moderated and sent in the month after). About 11 case file audits a
month (45 in April-July), a few foster carer audits a month, one EDT dip sample a month; overall
judgements mostly "Requires improvement", outcomes a little more positive.

With ``messy=True`` the folder also holds what real inboxes hold: typed grades and text dates, an old
template without defined names, an unreadable grade, a missing overall judgement, a re-sent audit and a
byte-identical copy, an audit dated after the period end, a corrupt file, desktop.ini, registers (CSV and
xlsx), a zip and a saved email. Each variant is counted in the returned ``SampleManifest``, which also holds
every audit as the reader should end up with it, so tests can compare without re-deriving the data.
"""
from __future__ import annotations

import csv
import io
import os
import random
import time
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from ..calendar import Period, add_months, financial_year_start, month_end
from ..returns.spec import returns_spec
from .council import FIRST_NAMES, LA_NAME, SURNAMES, TEAMS
from .exports import DEMO_VACANCIES_FTE, generate_exports
from ..settings import DEFAULT_SERVICE_AREAS, MeasureTarget, Settings
from ..returns.templates import return_bytes
from ..values import GRADES, NOT_APPLICABLE

DEMO_PERIOD_END = date(2024, 9, 1)  # the reference report's month
# A fixed, public audit-key secret so the demo workbook is the same every time. Demo data only: real
# workspaces get a fresh secret from privacy.new_secret().
DEMO_SECRET = "a7c3" * 16
EMAIL_DOMAIN = "anytown.example"
XLSX_MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
NO_AUDIT_MONTHS = (8, 12)  # August and December: no audits (as the reference report notes)

_AREA_WEIGHTS = {"IRT": 25, "CST": 20, "CwD": 10, "Family Safeguarding": 20, "CASS": 15, "Leaving Care": 10}

# Overall judgement shares (the reference: two-thirds to three-quarters RI, ~10% inadequate).
_CASE_OVERALL_SHARES = {"Outstanding": 0.01, "Good": 0.20, "Requires improvement": 0.69, "Inadequate": 0.10}
_FOSTER_OVERALL_SHARES = {"Outstanding": 0.10, "Good": 0.45, "Requires improvement": 0.35, "Inadequate": 0.10}
# Domain grade = overall moved by one step: (better, same, worse) probabilities. Outcomes lean positive.
_DOMAIN_SHIFT = {"outcomes": (0.35, 0.55, 0.10)}
_DEFAULT_SHIFT = (0.17, 0.63, 0.20)
_NOT_APPLICABLE_SHARE = {"permanence": 0.10, "learning": 0.05}
_COMPLIANCE_YES = {"visits": 0.85, "supervision": 0.75, "plan_review": 0.80, "chronology": 0.65,
                   "case_summary": 0.70}

_GRADE_ALIASES: dict[str, list[Any]] = {
    "Outstanding": ["O", 1],
    "Good": ["good ", "G", 2],
    "Requires improvement": ["RI", "Req Imp", "Requires Improvement", "requires improvement to be good"],
    "Inadequate": ["Inadeq", 4],
    NOT_APPLICABLE: ["n/a", "NA"],
}
_TEXT_DATE_STYLES = ("d/m/yy", "d.m.yy", "d Mon yyyy")

_FEEDBACK = {
    "Getting it right": [
        "When I call {first} and she is busy she always calls me back. I feel listened to.",
        "{full} has been brilliant with the children, they actually look forward to the visits.",
        "I enjoyed the assessment, just telling you about me. Nothing was not right.",
        "[SW] explained everything before the conference so nothing was a surprise.",
        "The support we get is good and we have a good relationship with our worker.",
        "{first} sorted the housing out when nobody else would. It is better now.",
    ],
    "Need to do better": [
        "I left messages and emails for weeks and heard nothing back.",
        "There have been so many changes of worker, the children do not know who to trust.",
        "Meetings keep being moved at the last minute, sometimes on the day.",
        "I asked {first} for the minutes twice and still have not had them.",
        "Nobody told us the plan had changed until the review.",
    ],
    "Mixed": [
        "{full} is lovely but it took a long time to get anything done.",
        "The visits are good but we never know who is coming.",
        "Things are better since the new plan, but communication could be quicker.",
    ],
}
_FEEDBACK_SOURCES_CASE = (["Parent or carer", "Child or young person", "Professional", "Foster carer", "Other"],
                          [45, 25, 15, 10, 5])
_FEEDBACK_SOURCES_FOSTER = (["Foster carer", "Child or young person", "Professional", "Other"], [60, 25, 10, 5])
_SENTIMENT_WEIGHTS = (["Getting it right", "Need to do better", "Mixed"], [50, 30, 20])

_EVIDENCE = {
    "Outstanding": "Exceptional, consistent practice: {topic} is evidenced throughout and drives change.",
    "Good": "Clear evidence on {topic}; recording is timely and shows the impact for the child.",
    "Requires improvement": "Some evidence on {topic} but it is inconsistent; the impact is not always recorded.",
    "Inadequate": "Little or no evidence on {topic}; this needs urgent management attention.",
    NOT_APPLICABLE: "Not relevant to this case at this time.",
}
_ACTIONS = [
    "Update the chronology", "Complete the case summary", "Review the plan with the family",
    "Record the child's views in the plan", "Hold a reflective supervision", "Convene a multi-agency meeting",
    "Complete the outstanding statutory visit", "Refer to the permanence panel", "Share the plan with partners",
]
_ACTION_OWNERS = ["Social worker", "Team manager", "Service manager", "IRO", "Personal adviser"]
_EDT_COMMENTS = ["Police welfare check requested", "Advice given to hospital staff", "Placement breakdown",
                 "Emergency placement found", "Strategy discussion held out of hours"]


# ------------------------------------------------------------------------------------------ manifest

@dataclass(frozen=True)
class SampleAudit:
    """One distinct audit as the reader should end up with it (after duplicates are resolved)."""

    template_type: str  # case_file_audit or foster_carer_audit
    reference: str
    audit_date: date
    service_area: str  # "Fostering" for foster carer audits
    team: str | None
    grades: dict[str, str | None]  # domain -> canonical grade (None: blank or unreadable); registers hold a few
    moderated_overall: str | None
    compliance: dict[str, str]
    feedback: tuple[str, str, str] | None  # (source, sentiment, text)
    feedback_names_worker: bool  # the feedback text names the worker (redaction must catch it)
    actions: int
    practitioner_involved: str | None
    audit_kind: str
    carer_type: str | None
    staff: dict[str, str]
    file: str  # where it was written, relative to the sample folder ("a.zip › b.xlsx" inside containers)

    @property
    def overall(self) -> str | None:
        """The overall judgement used in figures: moderated where moderated."""
        return self.moderated_overall or self.grades.get("overall")

    @property
    def moderated(self) -> bool:
        return self.moderated_overall is not None

    @property
    def grade_changed(self) -> bool:
        return self.moderated and self.moderated_overall != self.grades.get("overall")


@dataclass(frozen=True)
class SampleEdt:
    sampled_by: str
    sample_month: date  # first day of the month sampled
    records: int
    amhp_required: int
    amhp_offered_when_required: int
    file: str


@dataclass
class SampleManifest:
    """What was written, and what a correct reader should make of it."""

    directory: Path
    period_end: date  # first day of the period-end month
    seed: int
    files: list[Path] = field(default_factory=list)  # every file written
    audits: list[SampleAudit] = field(default_factory=list)  # distinct audits, including after the period end
    edt_samples: list[SampleEdt] = field(default_factory=list)
    return_workbooks: int = 0  # template returns written, counting those inside zips/emails and duplicates
    register_rows: int = 0
    register_files: list[Path] = field(default_factory=list)
    resent_duplicates: list[tuple[str, str]] = field(default_factory=list)  # (superseded, kept later copy)
    identical_copies: list[tuple[str, str]] = field(default_factory=list)  # (original, byte-identical copy)
    corrupt_files: list[Path] = field(default_factory=list)
    skipped_files: list[Path] = field(default_factory=list)  # not inputs (desktop.ini)
    containers: list[Path] = field(default_factory=list)  # zips and saved emails
    old_layout_files: list[str] = field(default_factory=list)  # returns without defined names
    typed_grade_cells: int = 0  # grades typed as aliases ("RI", "good ", numbers...)
    number_grade_cells: int = 0  # of which Ofsted numbers 1-4 (an info finding each)
    text_date_cells: int = 0  # audit dates typed as text
    unrecognised_grade_cells: int = 0  # "Goodish": an error finding each
    missing_overall: int = 0  # returns without an overall judgement: an error finding each
    exports: Any = None  # the demo's system exports (exports.ExportsManifest), when written

    @property
    def snapshot(self) -> date:
        return month_end(self.period_end)

    def audits_of(self, template_type: str, *, include_after_period_end: bool = False) -> list[SampleAudit]:
        return [a for a in self.audits if a.template_type == template_type
                and (include_after_period_end or a.audit_date <= self.snapshot)]

    @property
    def case_file_audit_count(self) -> int:
        """Distinct case file audits dated on or before the period end (what the figures count)."""
        return len(self.audits_of("case_file_audit"))

    @property
    def foster_audit_count(self) -> int:
        return len(self.audits_of("foster_carer_audit"))

    @property
    def after_period_end(self) -> int:
        return sum(1 for a in self.audits if a.audit_date > self.snapshot)

    @property
    def duplicate_files(self) -> int:
        return len(self.resent_duplicates) + len(self.identical_copies)


# ------------------------------------------------------------------------------------------ drawing

def _spread(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights``; remainders go to the largest fractions, latest first."""
    if not weights:
        return []
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), -i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _quota(rng: random.Random, n: int, shares: dict[str, float]) -> list[str]:
    """Exactly proportioned values (largest remainder), shuffled: the mix holds at any seed."""
    values = list(shares)
    counts = _spread(n, [shares[v] for v in values])
    out = [v for v, c in zip(values, counts) for _ in range(c)]
    rng.shuffle(out)
    return out


def _working_day(rng: random.Random, month: date) -> date:
    weekdays = [month.replace(day=d) for d in range(1, 29) if month.replace(day=d).weekday() < 5]
    return rng.choice(weekdays)


def _shift(grade: str, steps: int) -> str:
    i = min(max(GRADES.index(grade) + steps, 0), len(GRADES) - 1)
    return GRADES[i]


def _stamp(rng: random.Random, day: date, days_after: tuple[int, int] = (1, 4)) -> datetime:
    """When the auditor saved the return: a working hour a few days after the audit."""
    d = day + timedelta(days=rng.randint(*days_after))
    return datetime(d.year, d.month, d.day, rng.randint(9, 16), rng.randint(0, 59))


def _text_date(d: date, style: str) -> str:
    if style == "d/m/yy":
        return f"{d.day}/{d.month}/{d:%y}"
    if style == "d.m.yy":
        return f"{d.day}.{d.month}.{d:%y}"
    return f"{d.day} {d:%b %Y}"


class _People:
    """Fictional staff of Anytown Council: unique names, social workers and a manager per team."""

    def __init__(self, rng: random.Random, service_areas: tuple[str, ...]):
        pool = [f"{f} {s}" for f in FIRST_NAMES for s in SURNAMES]
        rng.shuffle(pool)
        names = iter(pool)
        self.teams = {area: list(TEAMS.get(area, [f"{area} Team"])) for area in service_areas}
        self.workers = {t: [next(names) for _ in range(4)] for ts in self.teams.values() for t in ts}
        self.managers = {t: next(names) for ts in self.teams.values() for t in ts}
        self.auditors = [next(names) for _ in range(8)]
        self.moderators = self.auditors[:3]
        self.supervising_workers = [next(names) for _ in range(6)]
        self.edt_manager = next(names)


# ------------------------------------------------------------------------------------------ audits

@dataclass
class _Draft:
    """An audit being built: the values written to its return, and what the reader should get."""

    audit: SampleAudit
    values: dict[str, Any]
    evidence: dict[str, str]
    actions: list[tuple[str, str, date]]
    modified: datetime
    defined_names: bool = True


def _feedback(rng: random.Random, worker: str, sources: tuple[list[str], list[int]]):
    sentiment = rng.choices(*_SENTIMENT_WEIGHTS)[0]
    text = rng.choice(_FEEDBACK[sentiment])
    names_worker = "{first}" in text or "{full}" in text
    text = text.format(first=worker.split()[0], full=worker)
    return (rng.choices(*sources)[0], sentiment, text), names_worker


def _domain_grades(rng: random.Random, domains, overall: str) -> dict[str, str]:
    grades: dict[str, str] = {}
    for spec in domains:
        if spec.field == "overall":
            grades["overall"] = overall
            continue
        if rng.random() < _NOT_APPLICABLE_SHARE.get(spec.field, 0.0):
            grades[spec.field] = NOT_APPLICABLE
            continue
        better, same, _ = _DOMAIN_SHIFT.get(spec.field, _DEFAULT_SHIFT)
        roll = rng.random()
        grades[spec.field] = _shift(overall, -1 if roll < better else 0 if roll < better + same else 1)
    return grades


def _draft_case_file_audit(rng: random.Random, people: _People, reference: str, day: date, overall: str,
                           moderation: str | None) -> _Draft:
    rspec = returns_spec().returns["case_file_audit"]
    area = rng.choices(list(_AREA_WEIGHTS), weights=list(_AREA_WEIGHTS.values()))[0] \
        if set(_AREA_WEIGHTS) <= set(people.teams) else rng.choice(list(people.teams))
    team = rng.choice(people.teams[area])
    worker = rng.choice(people.workers[team])
    auditor = rng.choice(people.auditors)
    kind = rng.choices(["", "Case file audit", "Thematic audit", "Collaborative audit"], [55, 35, 5, 5])[0]
    grades = _domain_grades(rng, rspec.domains, overall)
    compliance = {}
    for spec in rspec.section("compliance"):
        roll = rng.random()
        compliance[spec.field] = NOT_APPLICABLE if roll > 0.97 else "Yes" if roll < _COMPLIANCE_YES[spec.field] \
            else "No"
    practitioner = rng.choice(["Yes", "Yes", "No"])
    values: dict[str, Any] = {
        "case_ref": reference, "service_area": area, "team": team, "social_worker": worker,
        "team_manager": people.managers[team], "auditor": auditor, "audit_date": day,
        "practitioner_involved": practitioner, **grades, **compliance,
    }
    if kind:
        values["audit_kind"] = kind
    staff = {"auditor": auditor, "social_worker": worker, "team_manager": people.managers[team]}
    feedback, names_worker = None, False
    if rng.random() < 0.5:
        feedback, names_worker = _feedback(rng, worker, _FEEDBACK_SOURCES_CASE)
        values.update(feedback_source=feedback[0], feedback_sentiment=feedback[1], feedback_text=feedback[2])
    moderated = None
    if moderation is not None:
        moderator = rng.choice([m for m in people.moderators if m != auditor])
        moderated = moderation
        values.update(moderator=moderator, moderation_date=day + timedelta(days=rng.randint(7, 20)),
                      moderated_overall=moderated)
        staff["moderator"] = moderator
    actions = [(rng.choice(_ACTIONS), rng.choice(_ACTION_OWNERS), day + timedelta(days=rng.randint(14, 56)))
               for _ in range(rng.choices(range(6), [10, 20, 30, 20, 12, 8])[0])]
    evidence = {d: _EVIDENCE[g].format(topic=rspec.get(d).label.lower()) for d, g in grades.items()
                if rng.random() < 0.85}
    audit = SampleAudit(
        template_type="case_file_audit", reference=reference, audit_date=day, service_area=area, team=team,
        grades=dict(grades), moderated_overall=moderated, compliance=compliance, feedback=feedback,
        feedback_names_worker=names_worker, actions=len(actions), practitioner_involved=practitioner,
        audit_kind=kind or "Case file audit", carer_type=None, staff=staff, file="")
    return _Draft(audit, values, evidence, actions, _stamp(rng, day))


def _draft_foster_audit(rng: random.Random, people: _People, reference: str, day: date, overall: str) -> _Draft:
    rspec = returns_spec().returns["foster_carer_audit"]
    carer_type = rng.choices(list(returns_spec().lists["carer_type"]), [70, 20, 10])[0]
    ssw = rng.choice(people.supervising_workers)
    auditor = rng.choice(people.auditors)
    grades = _domain_grades(rng, rspec.domains, overall)
    values: dict[str, Any] = {"carer_ref": reference, "carer_type": carer_type, "supervising_social_worker": ssw,
                              "auditor": auditor, "audit_date": day, **grades}
    feedback, names_worker = None, False
    if rng.random() < 0.5:
        feedback, names_worker = _feedback(rng, ssw, _FEEDBACK_SOURCES_FOSTER)
        values.update(feedback_source=feedback[0], feedback_sentiment=feedback[1], feedback_text=feedback[2])
    evidence = {d: _EVIDENCE[g].format(topic=rspec.get(d).label.lower()) for d, g in grades.items()}
    audit = SampleAudit(
        template_type="foster_carer_audit", reference=reference, audit_date=day, service_area="Fostering",
        team=None, grades=dict(grades), moderated_overall=None, compliance={}, feedback=feedback,
        feedback_names_worker=names_worker, actions=0, practitioner_involved=None,
        audit_kind="Foster carer audit", carer_type=carer_type,
        staff={"auditor": auditor, "supervising_social_worker": ssw}, file="")
    return _Draft(audit, values, evidence, [], _stamp(rng, day))


# ------------------------------------------------------------------------------------------ writing

class _Writer:
    """Writes files under the sample folder, stamping each one's mtime so runs match exactly."""

    def __init__(self, directory: Path, manifest: SampleManifest):
        self.directory = directory
        self.manifest = manifest
        self.used: set[str] = set()

    def unique(self, relative: str) -> str:
        stem, dot, suffix = relative.rpartition(".")
        candidate, n = relative, 2
        while candidate.casefold() in self.used:
            candidate = f"{stem} ({n}){dot}{suffix}"
            n += 1
        self.used.add(candidate.casefold())
        return candidate

    def write(self, relative: str, data: bytes, stamp: datetime) -> Path:
        path = self.directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        seconds = time.mktime(stamp.timetuple())
        os.utime(path, (seconds, seconds))
        self.manifest.files.append(path)
        return path


def _return_name(rng: random.Random, draft: _Draft, n: int) -> str:
    a = draft.audit
    ref, d = a.reference, a.audit_date
    if a.template_type == "foster_carer_audit":
        return rng.choice([f"FCA {ref} {d:%b}.xlsx", f"Foster carer audit {d:%d.%m.%y}.xlsx",
                           f"Fostering audit {n:03d}.xlsx"])
    return rng.choice([
        f"CFA {ref} {d:%b}.xlsx", f"{ref} case file audit.xlsx", f"Case file audit - {a.team} - {d:%d.%m.%y}.xlsx",
        f"Audit {n:03d}.xlsx", f"Case file audit template {d:%d %b}.xlsx",
    ])


def _draft_bytes(draft: _Draft, values: dict[str, Any] | None = None, modified: datetime | None = None) -> bytes:
    return return_bytes(draft.audit.template_type, values if values is not None else draft.values,
                        evidence=draft.evidence, actions=draft.actions or None,
                        defined_names=draft.defined_names, modified=modified or draft.modified)


def _audit_months(period: Period) -> list[date]:
    """Trend months with audits: not August or December, and not the period-end month itself."""
    return [m for m in period.trend_months[:-1] if m.month not in NO_AUDIT_MONTHS]


def _draw_references(rng: random.Random, n: int, *, prefix: str = "", low: int = 100000,
                     high: int = 999999) -> list[str]:
    return [f"{prefix}{x}" for x in rng.sample(range(low, high + 1), n)]


def _make_messy(rng: random.Random, drafts: list[_Draft], manifest: SampleManifest) -> dict[int, str]:
    """Give some case file returns a real-world flaw; returns draft index -> variant for the writer."""
    variants = (["old_layout", "goodish", "no_overall", "resent", "identical_copy"]
                + ["text_date"] * len(_TEXT_DATE_STYLES) + ["typed"] * 8)
    chosen = rng.sample(range(len(drafts)), min(len(variants), len(drafts)))
    assignment = dict(zip(chosen, variants))
    text_styles = iter(_TEXT_DATE_STYLES)
    for i, variant in sorted(assignment.items()):
        draft = drafts[i]
        audit = draft.audit
        if variant == "old_layout":
            draft.defined_names = False
        elif variant == "goodish":
            domain = rng.choice([d for d in audit.grades if d != "overall"])
            draft.values[domain] = "Goodish"
            draft.audit = replace(audit, grades={**audit.grades, domain: None})
            manifest.unrecognised_grade_cells += 1
        elif variant == "no_overall":
            for name in ("overall", "moderator", "moderation_date", "moderated_overall"):
                draft.values.pop(name, None)
            draft.audit = replace(audit, grades={**audit.grades, "overall": None}, moderated_overall=None,
                                  staff={k: v for k, v in audit.staff.items() if k != "moderator"})
            manifest.missing_overall += 1
        elif variant == "text_date":
            draft.values["audit_date"] = _text_date(audit.audit_date, next(text_styles))
            manifest.text_date_cells += 1
        elif variant == "typed":
            domains = rng.sample(list(audit.grades), rng.randint(1, 3))
            for domain in domains:
                alias = rng.choice(_GRADE_ALIASES[audit.grades[domain]])
                draft.values[domain] = alias
                manifest.typed_grade_cells += 1
                manifest.number_grade_cells += isinstance(alias, int)
    return assignment


def _write_case_register(writer: _Writer, drafts: list[_Draft], stamp: datetime) -> str:
    """A historical tracker kept in Excel and saved as CSV: title row, header row, one audit per row."""
    rspec = returns_spec().returns["case_file_audit"]
    domains = ["outcomes", "assessment", "planning", "voice"]
    header = ["Child ID", "Date of audit", "Service area", "Team", "Auditor",
              *(rspec.get(d).label for d in domains), "Overall grade", "Moderated grade"]
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow([f"{LA_NAME} \u2013 case file audit tracker"])
    out.writerow(header)
    name = writer.unique("Case file audit tracker.csv")
    for draft in drafts:
        a = draft.audit
        out.writerow([a.reference, f"{a.audit_date:%d/%m/%Y}", a.service_area, a.team, a.staff["auditor"],
                      *(a.grades[d] for d in domains), a.grades["overall"], a.moderated_overall or ""])
        draft.audit = replace(
            a, grades={d: a.grades[d] for d in [*domains, "overall"]}, compliance={}, feedback=None,
            feedback_names_worker=False, actions=0, practitioner_involved=None, audit_kind="Case file audit",
            staff={"auditor": a.staff["auditor"]}, file=name)
    path = writer.write(name, buffer.getvalue().encode("utf-8-sig"), stamp)
    writer.manifest.register_files.append(path)
    writer.manifest.register_rows += len(drafts)
    return name


def _write_foster_register(writer: _Writer, drafts: list[_Draft], stamp: datetime) -> str:
    rspec = returns_spec().returns["foster_carer_audit"]
    domains = ["standards", "safer_care"]
    header = ["Household ID", "Date of audit", "Carer type", "Auditor",
              *(rspec.get(d).label for d in domains), "Overall grade"]
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"title": "Foster carer audit register", "author": LA_NAME, "created": stamp})
    ws = wb.add_worksheet("Register")
    bold = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_string(0, 0, f"{LA_NAME} \u2013 foster carer audit register", bold)
    ws.write_row(1, 0, header, bold)
    ws.set_column(0, len(header) - 1, 22)
    name = writer.unique("Foster carer audit register.xlsx")
    for r, draft in enumerate(drafts, start=2):
        a = draft.audit
        ws.write_string(r, 0, a.reference)
        ws.write_datetime(r, 1, a.audit_date, date_fmt)
        ws.write_row(r, 2, [a.carer_type, a.staff["auditor"], *(a.grades[d] for d in domains), a.grades["overall"]])
        draft.audit = replace(a, grades={d: a.grades[d] for d in [*domains, "overall"]}, feedback=None,
                              feedback_names_worker=False, staff={"auditor": a.staff["auditor"]}, file=name)
    wb.close()
    path = writer.write(name, buffer.getvalue(), stamp)
    writer.manifest.register_files.append(path)
    writer.manifest.register_rows += len(drafts)
    return name


def _write_zip(writer: _Writer, name: str, members: list[tuple[str, bytes, datetime]], stamp: datetime) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data, modified in members:
            info = zipfile.ZipInfo(member, date_time=modified.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    writer.manifest.containers.append(writer.write(name, buffer.getvalue(), stamp))


def _write_eml(writer: _Writer, name: str, sender: str, attachments: list[tuple[str, bytes]],
               stamp: datetime) -> None:
    msg = EmailMessage()
    address = sender.lower().replace(" ", ".") + "@" + EMAIL_DOMAIN
    msg["From"] = f"{sender} <{address}>"
    msg["To"] = f"QA Team <qa.team@{EMAIL_DOMAIN}>"
    msg["Subject"] = "Audits for this month"
    msg["Date"] = format_datetime(stamp.replace(tzinfo=timezone.utc))
    msg["Message-ID"] = f"<sample-{stamp:%Y%m%d%H%M}@{EMAIL_DOMAIN}>"
    msg.set_content("Hi,\n\nPlease find my audits attached.\n\nThanks\n")
    for filename, data in attachments:
        msg.add_attachment(data, maintype=XLSX_MIME[0], subtype=XLSX_MIME[1], filename=filename)
    msg.set_boundary("==========pqa-sample-boundary==========")  # fixed, so runs match byte for byte
    writer.manifest.containers.append(writer.write(name, msg.as_bytes(policy=SMTP), stamp))


def _write_edt_samples(rng: random.Random, writer: _Writer, people: _People, period: Period, count: int,
                       taken: set[str]) -> None:
    months: list[date] = []
    month = add_months(period.end_month, -1)
    while len(months) < count:
        if month.month not in NO_AUDIT_MONTHS:
            months.append(month)
        month = add_months(month, -1)
    for month in sorted(months):
        records = []
        required = offered = 0
        n = rng.randint(10, 20)
        for ref in _draw_references(rng, n * 2, low=700000, high=799999):
            if len(records) == n:
                break
            if ref in taken:
                continue
            taken.add(ref)
            amhp = "Yes" if rng.random() < 0.2 else "No"
            amhp_offered = ("Yes" if rng.random() < 0.6 else "No") if amhp == "Yes" else NOT_APPLICABLE
            required += amhp == "Yes"
            offered += amhp_offered == "Yes"
            record = {
                "record_ref": ref, "contact_date": month.replace(day=rng.randint(1, 28)),
                "safeguarding_action": "Yes" if rng.random() < 0.9 else "No",
                "multi_agency": "Yes" if rng.random() < 0.8 else "No",
                "recording": "Yes" if rng.random() < 0.7 else "No",
                "amhp_required": amhp, "amhp_offered": amhp_offered,
                "timescales": "Yes" if rng.random() < 0.9 else "No",
            }
            if rng.random() < 0.3:
                record["comment"] = rng.choice(_EDT_COMMENTS)
            records.append(record)
        records.sort(key=lambda r: r["contact_date"])
        name = writer.unique(f"EDT dip samples/EDT dip sample {month:%B %Y}.xlsx")
        modified = _stamp(rng, month_end(month), (3, 10))
        data = return_bytes("edt_dip_sample", {"sampled_by": people.edt_manager, "sample_month": month},
                            edt_records=records, modified=modified)
        writer.write(name, data, modified)
        writer.manifest.return_workbooks += 1
        writer.manifest.edt_samples.append(SampleEdt(people.edt_manager, month, len(records), required, offered,
                                                     name))


def generate_returns(directory: str | Path, *, period_end: date = date(2024, 9, 1), seed: int = 2024,
                     case_file_audits: int | None = None, foster_audits: int | None = None,
                     edt_samples: int | None = None, messy: bool = True) -> SampleManifest:
    """Write Anytown Council's auditor returns into ``directory``; returns what was written and expected.

    ``case_file_audits`` / ``foster_audits`` are the distinct audits in the trend window (default about 11
    and 3-4 a month); ``edt_samples`` the monthly EDT dip samples (default 6). With ``messy`` the folder also
    holds the real-world variants listed in the module docstring (plus one audit dated after the period end).
    """
    rng = random.Random(seed)
    period = Period(period_end)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = SampleManifest(directory=folder, period_end=period.end_month, seed=seed)
    writer = _Writer(folder, manifest)
    people = _People(rng, returns_spec().lists["service_area"])
    months = _audit_months(period)
    fy_start = financial_year_start(period.end_month)

    n_case = 11 * len(months) + 1 if case_file_audits is None else case_file_audits
    case_counts = _spread(n_case, [1.0] * len(months))
    foster_weights = [2.75 if m >= fy_start else 4.0 for m in months]
    n_foster = round(sum(foster_weights)) if foster_audits is None else foster_audits
    foster_counts = _spread(n_foster, foster_weights)

    # References never repeat across audits, so every audit is a distinct identity.
    extra = 1 if messy else 0
    refs = iter(_draw_references(rng, n_case + extra))
    carer_refs = iter(_draw_references(rng, n_foster, prefix="H", low=10000, high=99999))

    case_overall = iter(_quota(rng, n_case, _CASE_OVERALL_SHARES))
    moderated = set(rng.sample(range(n_case), round(n_case / 6)))
    case_drafts: list[_Draft] = []
    for month, count in zip(months, case_counts):
        for day in sorted(_working_day(rng, month) for _ in range(count)):
            index = len(case_drafts)
            overall = next(case_overall)
            moderation = None
            if index in moderated:
                # One moderation in three changes the grade by a step, either way.
                moderation = _shift(overall, rng.choice([-1, 1])) if rng.random() < 1 / 3 else overall
            case_drafts.append(_draft_case_file_audit(rng, people, next(refs), day, overall, moderation))
    foster_overall = iter(_quota(rng, n_foster, _FOSTER_OVERALL_SHARES))
    foster_drafts: list[_Draft] = []
    for month, count in zip(months, foster_counts):
        for day in sorted(_working_day(rng, month) for _ in range(count)):
            foster_drafts.append(_draft_foster_audit(rng, people, next(carer_refs), day, next(foster_overall)))

    stamp = datetime(period.end_month.year, period.end_month.month, 1, 8, 30)
    individual_case = case_drafts
    individual_foster = foster_drafts
    zipped: list[_Draft] = []
    emailed: list[_Draft] = []
    if messy:
        # Historical registers hold the earliest month of each kind of audit.
        first_case = [d for d in case_drafts if d.audit.audit_date < add_months(months[0], 1)] if months else []
        first_foster = [d for d in foster_drafts if d.audit.audit_date < add_months(months[0], 1)] if months else []
        if first_case:
            _write_case_register(writer, first_case, stamp)
        if first_foster:
            _write_foster_register(writer, first_foster, stamp)
        individual_case = case_drafts[len(first_case):]
        individual_foster = foster_drafts[len(first_foster):]
        after = _draft_case_file_audit(rng, people, next(refs), _working_day(rng, add_months(period.end_month, 1)),
                                       rng.choice(GRADES[1:3]), None)
        individual_case = individual_case + [after]
        case_drafts.append(after)

    # The after-period-end audit (last) stays clean: it should be left out with only an info finding.
    assignment = _make_messy(rng, individual_case[:len(individual_case) - extra], manifest) if messy else {}
    # Containers take audits with no other flaw, so each variant is counted once.
    plain = [i for i in range(len(individual_case) - extra) if i not in assignment]
    if messy and len(plain) >= 5:
        picks = rng.sample(plain, 5)
        zipped = [individual_case[i] for i in sorted(picks[:3])]
        emailed = [individual_case[i] for i in sorted(picks[3:])]
    in_container = {id(d) for d in zipped + emailed}

    variants = [assignment.get(i) for i in range(len(individual_case))] + [None] * len(individual_foster)
    for n, (draft, variant) in enumerate(zip(individual_case + individual_foster, variants), start=1):
        if id(draft) in in_container:
            continue
        a = draft.audit
        top = "Case file audits" if a.template_type == "case_file_audit" else "Foster carer audits"
        name = writer.unique(f"{top}/{a.audit_date:%Y-%m %B}/{_return_name(rng, draft, n)}")
        if variant == "resent":
            # First sent with a different overall judgement, then corrected and re-sent days later.
            kept = a.grades["overall"]
            first_values = dict(draft.values, overall=rng.choice([g for g in GRADES if abs(
                GRADES.index(g) - GRADES.index(kept)) == 1]))
            writer.write(name, _draft_bytes(draft, first_values), draft.modified)
            later = draft.modified + timedelta(days=rng.randint(3, 9))
            resent = writer.unique(name.replace(".xlsx", " (amended).xlsx"))
            writer.write(resent, _draft_bytes(draft, modified=later), later)
            manifest.resent_duplicates.append((name, resent))
            manifest.return_workbooks += 2
            draft.audit = replace(a, file=resent)
            continue
        data = _draft_bytes(draft)
        writer.write(name, data, draft.modified)
        manifest.return_workbooks += 1
        draft.audit = replace(a, file=name)
        if variant == "old_layout":
            manifest.old_layout_files.append(name)
        if variant == "identical_copy":
            copy = writer.unique(str(Path(name).parent / f"Copy of {Path(name).name}"))
            writer.write(copy, data, draft.modified + timedelta(days=1))
            manifest.identical_copies.append((name, copy))
            manifest.return_workbooks += 1

    if zipped:
        zip_name = writer.unique(f"Returns from {zipped[0].audit.team}.zip")
        members = []
        for n, draft in enumerate(zipped, start=1):
            member = f"Audit {n} {draft.audit.audit_date:%d.%m.%y}.xlsx"
            members.append((member, _draft_bytes(draft), draft.modified))
            draft.audit = replace(draft.audit, file=f"{zip_name} \u203a {member}")
        _write_zip(writer, zip_name, members, max(d.modified for d in zipped))
        manifest.return_workbooks += len(zipped)
    if emailed:
        eml_name = writer.unique("FW Audits for this month.eml")
        attachments = []
        for draft in emailed:
            member = f"CFA {draft.audit.reference}.xlsx"
            attachments.append((member, _draft_bytes(draft)))
            draft.audit = replace(draft.audit, file=f"{eml_name} \u203a {member}")
        _write_eml(writer, eml_name, emailed[0].audit.staff["auditor"], attachments,
                   max(d.modified for d in emailed))
        manifest.return_workbooks += len(emailed)

    if messy:
        corrupt = writer.unique("Case file audits/Audit (recovered).xlsx")
        manifest.corrupt_files.append(writer.write(corrupt, rng.randbytes(4096), stamp))
        for ini in ("desktop.ini", "Case file audits/desktop.ini"):
            data = b"[.ShellClassInfo]\r\nIconResource=C:\\Windows\\System32\\imageres.dll,-3\r\n"
            manifest.skipped_files.append(writer.write(writer.unique(ini), data, stamp))

    n_edt = 6 if edt_samples is None else edt_samples
    taken = {d.audit.reference for d in case_drafts}
    _write_edt_samples(rng, writer, people, period, n_edt, taken)

    manifest.audits = sorted((d.audit for d in case_drafts + foster_drafts),
                             key=lambda a: (a.template_type, a.audit_date, a.reference))
    return manifest


def write_demo_inputs(directory: str | Path) -> SampleManifest:
    """The sample behind ``pqa demo``: Anytown Council's returns and, in ``exports/``, its system exports."""

    manifest = generate_returns(directory, period_end=DEMO_PERIOD_END)
    manifest.exports = generate_exports(Path(directory) / "exports", period_end=DEMO_PERIOD_END)
    return manifest


def demo_settings() -> Settings:
    """What ``pqa demo`` needs that no export holds: population, vacancies, caseload thresholds, a few targets."""

    return Settings(
        la_name=LA_NAME, population_0_17=48_000, vacancies_fte=DEMO_VACANCIES_FTE, audit_key_secret=DEMO_SECRET,
        # Family Safeguarding's model is built on 17 children per worker (the reference report); 20 elsewhere.
        caseload_thresholds={area: 17.0 if area == "Family Safeguarding" else 20.0 for area in DEFAULT_SERVICE_AREAS},
        targets={
            "assessments_45wd_pct": MeasureTarget(0.85, True), "icpc_15wd_pct": MeasureTarget(0.90, True),
            "s47_15wd_pct": MeasureTarget(0.80, True), "cic_foster_pct": MeasureTarget(0.70, True),
            "cic_long_term_stability_pct": MeasureTarget(0.70, True),
            "care_leavers_eet_19_21_pct": MeasureTarget(0.55, True), "caseload_avg": MeasureTarget(18.0, False),
            "agency_rate_pct": MeasureTarget(0.25, False), "same_worker_6m_pct": MeasureTarget(0.60, True),
        })


# The QA officer's commentary behind ``pqa demo`` (fictional, like the council): enough to show where
# commentary sits on the Summary and on a section's sheet. Keyed by report section, as a commentary file's
# "## <section>" headings are.
DEMO_COMMENTARY = {
    "Summary": (
        "Practice quality is steady rather than improving: most audited work still requires improvement, "
        "although good or better judgements have held at about a quarter since the spring. The new front door "
        "arrangements are helping timeliness, and initial child protection conferences are more often held on "
        "time.\n"
        "Areas of focus for the autumn: the timeliness of assessments, which has slipped below target for three "
        "months; caseloads in Family Safeguarding; and evidencing the child's voice in plans."),
    "Child protection": (
        "Strategy discussions are now held within a day of the referral in most cases, and the median time to "
        "complete a Section 47 enquiry has stayed under 15 working days. Audits show the recording of enquiries "
        "does not always reflect the analysis undertaken; team managers are reviewing a sample each month."),
    "Workforce": (
        "Agency use remains high in Family Safeguarding and the Leaving Care team, where caseloads are above "
        "their thresholds. Three newly qualified workers join in October under the assessed and supported year "
        "in employment."),
}

