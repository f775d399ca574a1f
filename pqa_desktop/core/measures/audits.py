"""Every audit figure of measures.md ("Audit figures"): the audit tables, headlines and notes.

``audit_figures`` is the one entry point; the tables themselves live in ``audit_judgements`` (overall,
domains, compliance, moderation, actions, foster carer audits), ``edt`` and ``audit_lists`` (feedback,
audit list). This module adds audit activity and the Summary headlines.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import pandas as pd

from ..calendar import Period, add_months, month_label, month_start
from .figures import Figures, Headline
from .notes import Note, note_ref
from ..records import Audit, AuditRecords, EdtSample
from ..returns.spec import returns_spec
from ..values import GRADES
from .audit_judgements import (
    actions_table,
    compliance_table,
    domains_by_month,
    domains_by_quarter,
    foster_audits_by_quarter,
    moderation_agreement,
    moderation_table,
    overall_by_month,
    overall_by_quarter,
    overall_by_service,
    overall_by_team,
    pooled_compliance,
)
from .audit_lists import audit_list_table, feedback_table
from .audit_windows import (
    CASE_FILE_AUDIT,
    EDT_DIP_SAMPLE,
    EDT_SERVICE_AREA,
    FOSTER_CARER_AUDIT,
    DateWindow,
    audit_month,
    audit_type,
    audit_type_order,
    previous_ytd_window,
    rank_in,
    service_area,
    service_area_order,
    trend_window,
    ytd_window,
)
from .edt import edt_table
from .grades import GOOD_OR_BETTER, frame, share

YEAR_TO_DATE = "Year to date"
TOTAL = "Total"

# Each label says exactly what it counts, in the words of the Audit activity sheet's audit types: the
# case file audit template's three kinds feed the count and the judgement tables; moderation any audit.
CASE_FILE_KINDS = "case file, thematic and collaborative audits"
HEADLINE_CASE_FILE_AUDITS = "Case file, thematic and collaborative audits completed (year to date)"
HEADLINE_FOSTER_AUDITS = "Foster carer audits completed (year to date)"
HEADLINE_GOOD_OR_BETTER = f"Good or better overall judgements ({CASE_FILE_KINDS}, year to date)"
HEADLINE_INADEQUATE = f"Inadequate overall judgements ({CASE_FILE_KINDS}, year to date)"
HEADLINE_COMPLIANCE = f"Compliance with practice standards ({CASE_FILE_KINDS}, year to date)"
HEADLINE_MODERATION = "Moderation agreement (case file and foster carer audits, year to date)"

AUDIT_NOTES = (
    Note("audits.months", "Audits are counted in the month of their audit date; moderation does not move them. "
         "An EDT dip sample counts as one audit, in the month sampled."),
    Note("audits.moderation", "Overall judgements use the moderated judgement where an audit was moderated."),
    Note("audits.grade_shares",
         "Grade percentages are shares of Outstanding, Good, Requires improvement and Inadequate judgements; "
         "Not applicable and missing judgements are left out. A blank percentage means there was nothing to "
         "count."),
    Note("audits.case_file_types",
         "Overall judgement, practice domain, compliance and actions tables cover case file, thematic and "
         "collaborative audits; foster carer audits are reported on the Fostering sheet."),
    Note("audits.quarters",
         "Quarterly tables count everything dated in the quarter, so the first quarter can include months before "
         "the 12-month window; a quarter marked (to date) is not yet complete."),
    Note("audits.yes_no_shares",
         "Compliance % and the EDT percentages are Yes ÷ (Yes + No); Not applicable answers are left out. "
         "AMHP offered when required % counts only records where an AMHP was required."),
)


def audit_figures(records: AuditRecords, period: Period, *, audit_key: Callable[[Audit], str],
                  include_case_refs: bool = False, include_staff_names: bool = False,
                  service_areas: Sequence[str] | None = None) -> Figures:
    """The audit tables, headlines and notes for ``period``.

    ``service_areas`` (the settings' list) orders service-area rows; without it the template's list.
    Audits and samples after the snapshot are left out here too, although the pipeline drops them first.
    """
    snapshot = period.snapshot
    audits = [a for a in records.audits if a.audit_date <= snapshot]
    samples = [s for s in records.edt_samples if month_start(s.sample_month) <= snapshot]
    case_files = [a for a in audits if a.template_type == CASE_FILE_AUDIT]
    foster = [a for a in audits if a.template_type == FOSTER_CARER_AUDIT]
    ytd, trend = ytd_window(period), trend_window(period)
    area_order = service_area_order(service_areas)

    tables: dict[str, pd.DataFrame] = {
        "tbl_audit_activity": audit_activity(audits, samples, period, area_order),
        "tbl_overall_by_month": overall_by_month(case_files, period),
        "tbl_overall_by_quarter": overall_by_quarter(case_files, period),
        "tbl_overall_by_service": overall_by_service(case_files, ytd, area_order),
        "tbl_overall_by_team": overall_by_team(case_files, ytd, area_order),
        "tbl_domains_by_month": domains_by_month(case_files, period),
        "tbl_domains_by_quarter": domains_by_quarter(case_files, period),
        "tbl_compliance": compliance_table(case_files, ytd),
        # Moderation is not type-specific: any moderated audit, case file or foster carer, counts.
        "tbl_moderation": moderation_table(audits, ytd),
        "tbl_actions": actions_table(case_files, ytd, area_order),
        "tbl_foster_audits": foster_audits_by_quarter(foster, period),
        "tbl_edt": edt_table(samples, period),
        "tbl_feedback": feedback_table(audits, trend, audit_key),
        "tbl_audits": audit_list_table(audits, trend, audit_key, include_case_refs=include_case_refs,
                                       include_staff_names=include_staff_names),
    }
    headlines, previous_note = audit_headlines(audits, period, samples)
    return Figures(period=period, tables=tables, headlines=headlines,
                   notes=[*AUDIT_NOTES, *([previous_note] if previous_note else [])])


# --- audit activity -----------------------------------------------------------------------------

def _activity_events(audits: Sequence[Audit], samples: Sequence[EdtSample]) -> list[tuple[str, str, object]]:
    """(audit type, service area, audit month) for every audit, an EDT dip sample counting as one."""
    edt_type = returns_spec().returns[EDT_DIP_SAMPLE].title
    events = [(audit_type(a), service_area(a), audit_month(a)) for a in audits]
    events += [(edt_type, EDT_SERVICE_AREA, month_start(s.sample_month)) for s in samples]
    return events


def audit_activity(audits: Sequence[Audit], samples: Sequence[EdtSample], period: Period,
                   area_order: Sequence[str]) -> pd.DataFrame:
    months = period.trend_months
    month_headers = [month_label(m) for m in months]
    events = [e for e in _activity_events(audits, samples) if e[2] in set(months)]
    by_pair_month = Counter(events)
    ytd_months = {m for m in months if m >= period.ytd_start}
    type_key, area_key = rank_in(audit_type_order()), rank_in(area_order)
    pairs = sorted({(t, a) for t, a, _ in events}, key=lambda p: (type_key(p[0]), area_key(p[1])))
    rows = []
    for kind, area in pairs:
        row: dict[str, object] = {"Audit type": kind, "Service area": area}
        for month, header in zip(months, month_headers):
            row[header] = by_pair_month[(kind, area, month)]
        row[YEAR_TO_DATE] = sum(by_pair_month[(kind, area, m)] for m in ytd_months)
        row[TOTAL] = sum(by_pair_month[(kind, area, m)] for m in months)
        rows.append(row)
    return frame(rows, ("Audit type", "Service area", *month_headers, YEAR_TO_DATE, TOTAL),
                 counts=(*month_headers, YEAR_TO_DATE, TOTAL))


# --- headlines ----------------------------------------------------------------------------------

def _overall_share(audits: Sequence[Audit], grades: tuple[str, ...]) -> float | None:
    judged = [a.overall for a in audits if a.overall in GRADES]
    return share(sum(g in grades for g in judged), len(judged))


def _headline_values(audits: Sequence[Audit], window: DateWindow) -> dict[str, float | None]:
    in_window = [a for a in audits if window.contains(a.audit_date)]
    case_files = [a for a in in_window if a.template_type == CASE_FILE_AUDIT]
    return {
        HEADLINE_CASE_FILE_AUDITS: len(case_files),
        HEADLINE_FOSTER_AUDITS: sum(a.template_type == FOSTER_CARER_AUDIT for a in in_window),
        HEADLINE_GOOD_OR_BETTER: _overall_share(case_files, GOOD_OR_BETTER),
        HEADLINE_INADEQUATE: _overall_share(case_files, ("Inadequate",)),
        HEADLINE_COMPLIANCE: pooled_compliance(case_files),
        HEADLINE_MODERATION: moderation_agreement(in_window),
    }


HEADLINE_UNITS = {
    HEADLINE_CASE_FILE_AUDITS: "count", HEADLINE_FOSTER_AUDITS: "count", HEADLINE_GOOD_OR_BETTER: "percent",
    HEADLINE_INADEQUATE: "percent", HEADLINE_COMPLIANCE: "percent", HEADLINE_MODERATION: "percent",
}
# The report section (and sheet) each audit headline belongs to, and which direction is better: audit
# counts are volumes (neither); more good or better judgements, compliance and moderators agreeing with the
# auditor are better, more inadequate judgements worse (docs/decisions.md).
HEADLINE_SECTIONS = {
    HEADLINE_CASE_FILE_AUDITS: "Audit activity", HEADLINE_FOSTER_AUDITS: "Audit activity",
    HEADLINE_GOOD_OR_BETTER: "Overall judgements", HEADLINE_INADEQUATE: "Overall judgements",
    HEADLINE_COMPLIANCE: "Compliance", HEADLINE_MODERATION: "Compliance",
}
HEADLINE_POLARITY = {
    HEADLINE_CASE_FILE_AUDITS: "none", HEADLINE_FOSTER_AUDITS: "none", HEADLINE_GOOD_OR_BETTER: "higher",
    HEADLINE_INADEQUATE: "lower", HEADLINE_COMPLIANCE: "higher", HEADLINE_MODERATION: "higher",
}


PREVIOUS_NOTE = "audits.previous"


def covered_audit_months(audits: Sequence[Audit], samples: Sequence[EdtSample] = ()) -> set:
    """The months the audit inputs cover: every month an audit (or an EDT dip sample) is dated in, and a
    single month without any between two months with audits (audits are often not done in August or
    December). Two months running without an audit are not covered: the returns or registers for them
    were most likely not supplied, and a Previous counted over them would invent a trend."""
    months = {audit_month(a) for a in audits} | {month_start(s.sample_month) for s in samples}
    holes = {add_months(m, 1) for m in months
             if add_months(m, 1) not in months and add_months(m, 2) in months}
    return months | holes


def _month_ranges(months: list) -> str:
    """Consecutive months joined into ranges: "Apr 2023 to Jun 2023, Aug 2023"."""
    ranges: list[list] = []
    for m in months:
        if ranges and add_months(ranges[-1][1], 1) == m:
            ranges[-1][1] = m
        else:
            ranges.append([m, m])
    return ", ".join(month_label(a) if a == b else f"{month_label(a)} to {month_label(b)}" for a, b in ranges)


def audit_headlines(audits: Sequence[Audit], period: Period, samples: Sequence[EdtSample] = ()
                    ) -> tuple[list[Headline], Note | None]:
    """Year-to-date headlines, and the note saying why their Previous is blank (None when it is not).

    Previous is the same months a year earlier, counted only when the audit inputs cover every one of
    those months (``covered_audit_months``): a register holding a few of last year's months would
    otherwise set a handful of audits against this year's dozens, and the key messages would call it a
    rise. Otherwise every Previous is blank and the rows refer to a note naming the months not covered.
    """
    current = _headline_values(audits, ytd_window(period))
    earlier = previous_ytd_window(period)
    earlier_months, m = [], month_start(earlier.start)
    while m <= earlier.end:
        earlier_months.append(m)
        m = add_months(m, 1)
    covered = covered_audit_months(audits, samples)
    missing = [m for m in earlier_months if m not in covered]
    note = None
    if missing:
        previous = dict.fromkeys(current)
        window = f"{month_label(earlier_months[0])} to {month_label(earlier_months[-1])}" \
            if len(earlier_months) > 1 else month_label(earlier_months[0])
        note = Note(PREVIOUS_NOTE,
                    f"The audit headlines have no previous value: the audits read do not cover every month of "
                    f"{window} (the same months last year). No audit is dated in {_month_ranges(missing)}. "
                    "A single month without audits between two months with audits counts as covered; add the "
                    "returns or the register for the other months to compare with last year.")
    else:
        previous = _headline_values(audits, earlier)
    headlines = [Headline(measure=name, value=current[name], previous=previous[name], unit=HEADLINE_UNITS[name],
                          status="No target", note=note_ref(PREVIOUS_NOTE) if note else "",
                          section=HEADLINE_SECTIONS[name], polarity=HEADLINE_POLARITY[name])
                 for name in current]
    return headlines, note
