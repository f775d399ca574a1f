"""Judgement tables from case file audits (and foster carer audits): overall, domains, compliance.

Case file audits of every kind (case file, thematic, collaborative) feed the overall-judgement,
practice-domain, compliance and actions tables; foster carer audits have their own domains and are
reported in ``tbl_foster_audits``. Every overall judgement is ``Audit.overall``: the moderated judgement
where the audit was moderated.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from ..calendar import Period
from ..records import Audit
from ..returns.spec import returns_spec
from ..values import NO, NOT_APPLICABLE, YES
from .audit_windows import (
    CASE_FILE_AUDIT,
    FOSTER_CARER_AUDIT,
    NO_TEAM,
    DateWindow,
    audit_month,
    rank_in,
    service_area,
)
from .grades import GRADE_COLUMNS, frame, grade_row, share


def case_file_domains():
    """Practice domains of the case file audit in template order, without the overall judgement."""
    return [d for d in returns_spec().returns[CASE_FILE_AUDIT].domains if d.field != "overall"]


def foster_domains():
    """Foster carer audit domains in template order, the overall judgement last."""
    return list(returns_spec().returns[FOSTER_CARER_AUDIT].domains)


# --- overall judgement --------------------------------------------------------------------------

def overall_by_month(audits: Sequence[Audit], period: Period) -> pd.DataFrame:
    # Each audit's month worked out once, not once for each of the twelve months (as domains_by_month does)
    by_month: dict = {}
    for a in audits:
        by_month.setdefault(audit_month(a), []).append(a.overall)
    rows = []
    for month in period.trend_months:
        rows.append({"Month": month, **grade_row(by_month.get(month, []))})
    return frame(rows, ("Month", *GRADE_COLUMNS))


def overall_by_quarter(audits: Sequence[Audit], period: Period) -> pd.DataFrame:
    rows = []
    snapshot = period.snapshot  # (a property working out the month's last day: once, not once an audit)
    for quarter in period.quarters:
        # A quarter counts everything dated in it, even months before the trend window.
        in_quarter = [a.overall for a in audits if quarter.contains(a.audit_date) and a.audit_date <= snapshot]
        rows.append({"Quarter": quarter.label, **grade_row(in_quarter)})
    return frame(rows, ("Quarter", *GRADE_COLUMNS))


def overall_by_service(audits: Sequence[Audit], window: DateWindow, area_order: Sequence[str]) -> pd.DataFrame:
    in_window = [a for a in audits if window.contains(a.audit_date)]
    areas = sorted({service_area(a) for a in in_window}, key=rank_in(area_order))
    rows = [{"Service area": area, **grade_row(a.overall for a in in_window if service_area(a) == area)}
            for area in areas]
    return frame(rows, ("Service area", *GRADE_COLUMNS))


def team_name(audit: Audit) -> str:
    return (audit.team or "").strip() or NO_TEAM


def _team_key(team: str) -> tuple:
    # "No team recorded" after the named teams of its service area.
    return (team == NO_TEAM, team.casefold(), team)


def overall_by_team(audits: Sequence[Audit], window: DateWindow, area_order: Sequence[str]) -> pd.DataFrame:
    in_window = [a for a in audits if window.contains(a.audit_date)]
    area_key = rank_in(area_order)
    groups = sorted({(service_area(a), team_name(a)) for a in in_window},
                    key=lambda pair: (area_key(pair[0]), _team_key(pair[1])))
    rows = [{"Service area": area, "Team": team,
             **grade_row(a.overall for a in in_window if (service_area(a), team_name(a)) == (area, team))}
            for area, team in groups]
    return frame(rows, ("Service area", "Team", *GRADE_COLUMNS))


# --- practice domains ---------------------------------------------------------------------------

def domains_by_month(audits: Sequence[Audit], period: Period) -> pd.DataFrame:
    # Audits grouped by month once: a pass over every audit per domain and month grows as audits x domains x
    # months, which a large council's year makes the slowest audit table.
    by_month: dict = {}
    for a in audits:
        by_month.setdefault(audit_month(a), []).append(a)
    rows = []
    for domain in case_file_domains():
        for month in period.trend_months:
            grades = [a.grades.get(domain.field) for a in by_month.get(month, ())]
            rows.append({"Domain": domain.label, "Month": month, **grade_row(grades)})
    return frame(rows, ("Domain", "Month", *GRADE_COLUMNS))


def domains_by_quarter(audits: Sequence[Audit], period: Period) -> pd.DataFrame:
    quarters, snapshot = period.quarters, period.snapshot
    in_quarter = [[a for a in audits if q.contains(a.audit_date) and a.audit_date <= snapshot] for q in quarters]
    rows = []
    for domain in case_file_domains():
        for quarter, quarter_audits in zip(quarters, in_quarter):
            grades = [a.grades.get(domain.field) for a in quarter_audits]
            rows.append({"Domain": domain.label, "Quarter": quarter.label, **grade_row(grades)})
    return frame(rows, ("Domain", "Quarter", *GRADE_COLUMNS))


def foster_audits_by_quarter(audits: Sequence[Audit], period: Period) -> pd.DataFrame:
    """Each foster carer domain, then the overall judgement (moderated where moderated), by quarter."""
    rows = []
    snapshot = period.snapshot
    for domain in foster_domains():
        for quarter in period.quarters:
            in_quarter = [a for a in audits if quarter.contains(a.audit_date) and a.audit_date <= snapshot]
            grades = [a.overall if domain.field == "overall" else a.grades.get(domain.field) for a in in_quarter]
            rows.append({"Domain": domain.label, "Quarter": quarter.label, **grade_row(grades)})
    return frame(rows, ("Domain", "Quarter", *GRADE_COLUMNS))


# --- compliance, moderation, actions ------------------------------------------------------------

COMPLIANCE_ANSWERS = (YES, NO, NOT_APPLICABLE)


def compliance_counts(audits: Sequence[Audit]) -> dict[str, Counter]:
    """Item field -> Counter of Yes / No / Not applicable answers (blank answers are not counted)."""
    items = returns_spec().returns[CASE_FILE_AUDIT].section("compliance")
    return {item.field: Counter(a.compliance.get(item.field) for a in audits
                                if a.compliance.get(item.field) in COMPLIANCE_ANSWERS)
            for item in items}


def compliance_table(audits: Sequence[Audit], window: DateWindow) -> pd.DataFrame:
    in_window = [a for a in audits if window.contains(a.audit_date)]
    counts = compliance_counts(in_window)
    rows = []
    for item in returns_spec().returns[CASE_FILE_AUDIT].section("compliance"):
        answers = counts[item.field]
        rows.append({"Item": item.label, "Yes": answers[YES], "No": answers[NO],
                     "Not applicable": answers[NOT_APPLICABLE],
                     "Compliance %": share(answers[YES], answers[YES] + answers[NO])})
    return frame(rows, ("Item", "Yes", "No", "Not applicable", "Compliance %"),
                 counts=("Yes", "No", "Not applicable"))


def pooled_compliance(audits: Sequence[Audit]) -> float | None:
    """Yes ÷ (Yes + No) over every compliance item together."""
    counts = compliance_counts(audits)
    yes = sum(c[YES] for c in counts.values())
    no = sum(c[NO] for c in counts.values())
    return share(yes, yes + no)


def grade_changed(audit: Audit) -> bool:
    """A moderated audit whose moderated judgement differs from the auditor's own overall judgement."""
    return audit.moderated and audit.moderated_overall != audit.grades.get("overall")


def moderation_counts(audits: Sequence[Audit]) -> tuple[int, int]:
    moderated = [a for a in audits if a.moderated]
    return len(moderated), sum(grade_changed(a) for a in moderated)


def moderation_agreement(audits: Sequence[Audit]) -> float | None:
    moderated, changed = moderation_counts(audits)
    return share(moderated - changed, moderated)


def moderation_table(audits: Sequence[Audit], window: DateWindow) -> pd.DataFrame:
    moderated, changed = moderation_counts([a for a in audits if window.contains(a.audit_date)])
    row = {"Audits moderated": moderated, "Grade changed": changed,
           "Agreement %": share(moderated - changed, moderated)}
    return frame([row], ("Audits moderated", "Grade changed", "Agreement %"),
                 counts=("Audits moderated", "Grade changed"))


def actions_table(audits: Sequence[Audit], window: DateWindow, area_order: Sequence[str]) -> pd.DataFrame:
    in_window = [a for a in audits if window.contains(a.audit_date)]
    rows = []
    for area in sorted({service_area(a) for a in in_window}, key=rank_in(area_order)):
        in_area = [a for a in in_window if service_area(a) == area]
        involved = Counter(a.practitioner_involved for a in in_area)
        rows.append({"Service area": area, "Audits": len(in_area),
                     "Actions raised": sum(a.actions for a in in_area),
                     "Practitioner involved %": share(involved[YES], involved[YES] + involved[NO])})
    return frame(rows, ("Service area", "Audits", "Actions raised", "Practitioner involved %"),
                 counts=("Audits", "Actions raised"))
