"""KPIs from the front door to the child protection conference: Annex A Lists 1, 3, 4 and 5.

One function per measure id (measures.md, "KPIs, workforce and fostering measures").
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ..calendar import working_days_series
from ..exports.model import ExportTable
from .kpi_result import KpiResult
from .kpi_support import (BAD_ASSESSMENT_DATES, BAD_ICPC, BAD_S47_END, LAST_MONTH, LIST_NEEDED, THREE_MONTHS,
                          TREND, YTD, Coverage, KpiInputs, Stat, Window, count_stat, current_window, days_of,
                          event_coverage, median_stat, missing_input, month_window, needs_column_note, not_flagged,
                          previous_window, ratio_stat, windowed_measure)

CONTACTS = "annex_a_list_1"
REFERRALS = "annex_a_list_3"
ASSESSMENTS = "annex_a_list_4"
S47 = "annex_a_list_5"
CP_PLANS = "annex_a_list_7"

ASSESSMENT_WD_LIMIT = 45
ICPC_WD_LIMIT = 15
S47_WD_LIMIT = 15
REFERRAL_LOOKBACK_DAYS = 90  # referral_to_s47: at most 90 calendar days before the S47 start
NEW_REFERRAL_DAYS = 30  # icpc_15wd_new_referral_pct: a referral in the 30 days up to the S47 start


def child_keys(frame: pd.DataFrame) -> pd.Series:
    """Child Unique IDs as comparable text (a numeric ID read as 1234.0 matches "1234")."""
    def key(v: object) -> str | None:
        if v is None or (isinstance(v, float) and v != v):
            return None
        text = str(v).strip()
        if text.endswith(".0") and text[:-2].isdigit():
            text = text[:-2]
        return text or None
    return frame["child_id"].map(key) if "child_id" in frame.columns else pd.Series(None, index=frame.index)


def _count_by_month(kpi_id: str, inputs: KpiInputs, kind: str, column: str, window: str) -> KpiResult:
    table = inputs.table(kind)
    if table is None:
        return missing_input(kpi_id, LIST_NEEDED[kind], inputs.period, monthly=True)
    days = days_of(table.frame, column)
    coverage = event_coverage(table.frame, column, inputs.period.snapshot)
    return windowed_measure(kpi_id, inputs, coverage, window, lambda w: count_stat(w.mask(days)),
                            is_count=True, monthly=True)


def contacts(inputs: KpiInputs) -> KpiResult:
    return _count_by_month("contacts", inputs, CONTACTS, "contact_date", LAST_MONTH)


def referrals(inputs: KpiInputs) -> KpiResult:
    return _count_by_month("referrals", inputs, REFERRALS, "referral_date", LAST_MONTH)


def s47_started(inputs: KpiInputs) -> KpiResult:
    return _count_by_month("s47_started", inputs, S47, "s47_start", LAST_MONTH)


# ---------------------------------------------------------------------------------------------------
# Assessments (List 4)

def assessments_completed(inputs: KpiInputs) -> KpiResult:
    return _count_by_month("assessments_completed", inputs, ASSESSMENTS, "assessment_authorised", THREE_MONTHS)


def _assessment_timing(inputs: KpiInputs, table: ExportTable) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(authorisation day, working days start -> authorisation, usable row) for List 4.

    Usable: both dates present, authorisation on or after the start, not flagged by the reader."""
    frame = table.frame
    start, authorised = days_of(frame, "assessment_start"), days_of(frame, "assessment_authorised")
    usable = start.notna() & authorised.notna() & (authorised >= start) & not_flagged(frame, BAD_ASSESSMENT_DATES)
    wd = working_days_series(start, authorised, inputs.holidays)
    return authorised, wd, usable


def _left_out_note(authorised: pd.Series, usable: pd.Series, window: Window) -> list[str]:
    left_out = int((window.mask(authorised) & ~usable).sum())
    if not left_out:
        return []
    return [f"{left_out} assessment(s) authorised in {window.label} left out: start date blank or after "
            "the authorisation."]


def assessments_45wd_pct(inputs: KpiInputs) -> KpiResult:
    table = inputs.table(ASSESSMENTS)
    if table is None:
        return missing_input("assessments_45wd_pct", LIST_NEEDED[ASSESSMENTS], inputs.period, monthly=True)
    authorised, wd, usable = _assessment_timing(inputs, table)
    coverage = event_coverage(table.frame, "assessment_authorised", inputs.period.snapshot)

    def stat(w: Window) -> Stat:
        s = ratio_stat(wd <= ASSESSMENT_WD_LIMIT, usable & w.mask(authorised),
                       f"No value: no assessments were authorised in {w.label}.")
        s.notes.extend(_left_out_note(authorised, usable, w))
        return s
    return windowed_measure("assessments_45wd_pct", inputs, coverage, THREE_MONTHS, stat, is_count=False,
                            monthly=True)


def assessment_median_wd(inputs: KpiInputs) -> KpiResult:
    table = inputs.table(ASSESSMENTS)
    if table is None:
        return missing_input("assessment_median_wd", LIST_NEEDED[ASSESSMENTS], inputs.period, monthly=False)
    authorised, wd, usable = _assessment_timing(inputs, table)
    coverage = event_coverage(table.frame, "assessment_authorised", inputs.period.snapshot)

    def stat(w: Window) -> Stat:
        s = median_stat(wd[usable & w.mask(authorised)], f"No value: no assessments were authorised in {w.label}.")
        s.notes.extend(_left_out_note(authorised, usable, w))
        return s
    return windowed_measure("assessment_median_wd", inputs, coverage, THREE_MONTHS, stat, is_count=False,
                            monthly=False)


# ---------------------------------------------------------------------------------------------------
# Section 47 enquiries (List 5)

def s47_rate_per_10k(inputs: KpiInputs) -> KpiResult:
    """S47 enquiries started in the covered months of the trend window per 10,000 children, annualised."""
    kpi_id, period = "s47_rate_per_10k", inputs.period
    table = inputs.table(S47)
    if table is None:
        return missing_input(kpi_id, LIST_NEEDED[S47], period, monthly=False)
    population = inputs.settings.population_0_17
    if not population or population <= 0:
        return KpiResult(kpi_id, notes=["Needs the population aged 0\u201317: enter it in Settings (General)."])
    starts = days_of(table.frame, "s47_start")
    coverage = event_coverage(table.frame, "s47_start", period.snapshot)

    def rate(w: Window) -> tuple[float | None, int, int]:
        months = coverage.covered_months(w)
        if not months:
            return None, 0, 0
        counted = int(sum(int(month_window(m).mask(starts).sum()) for m in months))
        return counted / population * 10_000 * 12 / len(months), counted, len(months)

    result = KpiResult(kpi_id)
    window = current_window(period, TREND)
    value, counted, months = rate(window)
    if value is None:
        result.notes.append(f"No value: the inputs do not cover any month of {window.label}.")
    else:
        result.value, result.numerator, result.denominator = value, counted, population
        if months < 12:
            result.notes.append(f"Annualised from {months} covered month(s) ({counted} enquiries x 12 / {months}).")
    before = previous_window(period, TREND)
    if coverage.window(before):
        result.previous = rate(before)[0]
    else:
        result.notes.append(f"No previous value: the inputs do not cover {before.label}.")
    return result


def _latest_referral_before(s47: pd.DataFrame, referrals: pd.DataFrame, lookback_days: int, *,
                            include_lookback_day: bool) -> pd.Series:
    """For each List 5 row, the same child's latest referral on or before the S47 start and within the
    look-back (NaT when none). ``include_lookback_day``: a referral exactly ``lookback_days`` before counts."""
    left = pd.DataFrame({"child": child_keys(s47), "s47_start": days_of(s47, "s47_start")}, index=s47.index)
    left["row"] = left.index
    right = pd.DataFrame({"child": child_keys(referrals), "referral": days_of(referrals, "referral_date")})
    right = right.dropna()
    pairs = left.dropna(subset=["child", "s47_start"]).merge(right, on="child", how="inner")
    gap = (pairs["s47_start"] - pairs["referral"]).dt.days
    limit_ok = gap <= lookback_days if include_lookback_day else gap < lookback_days
    pairs = pairs[(gap >= 0) & limit_ok]
    latest = pairs.groupby("row")["referral"].max()
    return latest.reindex(s47.index)


def referral_to_s47_median_days(inputs: KpiInputs) -> KpiResult:
    kpi_id, period = "referral_to_s47_median_days", inputs.period
    s47_table, referral_table = inputs.table(S47), inputs.table(REFERRALS)
    if s47_table is None or referral_table is None:
        needed = [LIST_NEEDED[k] for k, t in ((REFERRALS, referral_table), (S47, s47_table)) if t is None]
        return KpiResult(kpi_id, notes=needed)
    starts = days_of(s47_table.frame, "s47_start")
    latest = _latest_referral_before(s47_table.frame, referral_table.frame, REFERRAL_LOOKBACK_DAYS,
                                     include_lookback_day=True)
    gap_days = (starts - latest).dt.days
    coverage = event_coverage(s47_table.frame, "s47_start", period.snapshot)
    first_referral = days_of(referral_table.frame, "referral_date").min()

    def stat(w: Window) -> Stat:
        in_window = w.mask(starts)
        s = median_stat(gap_days[in_window], f"No value: no Section 47 enquiry in {w.label} had a referral "
                                             f"in the {REFERRAL_LOOKBACK_DAYS} days before it.")
        left_out = int((in_window & gap_days.isna()).sum())
        if left_out:
            s.notes.append(f"{left_out} Section 47 enquiry(ies) started in {w.label} left out: no referral "
                           f"for the same child in the {REFERRAL_LOOKBACK_DAYS} days up to the start.")
        if pd.notna(first_referral) and first_referral > pd.Timestamp(w.start) - timedelta(REFERRAL_LOOKBACK_DAYS):
            s.notes.append(f"List 3 starts less than {REFERRAL_LOOKBACK_DAYS} days before {w.label}, so some "
                           "earlier referrals may be missing.")
        return s
    return windowed_measure(kpi_id, inputs, coverage, THREE_MONTHS, stat, is_count=False, monthly=False)


def _icpc_timing(inputs: KpiInputs, table: ExportTable) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(ICPC day, working days S47 start -> ICPC, usable row): ICPC on or after the S47 start, not flagged."""
    frame = table.frame
    start, icpc = days_of(frame, "s47_start"), days_of(frame, "icpc_date")
    usable = start.notna() & icpc.notna() & (icpc >= start) & not_flagged(frame, BAD_ICPC)
    return icpc, working_days_series(start, icpc, inputs.holidays), usable


def icpc_15wd_pct(inputs: KpiInputs) -> KpiResult:
    table = inputs.table(S47)
    if table is None:
        return missing_input("icpc_15wd_pct", LIST_NEEDED[S47], inputs.period, monthly=True)
    icpc, wd, usable = _icpc_timing(inputs, table)
    coverage = event_coverage(table.frame, "icpc_date", inputs.period.snapshot)

    def stat(w: Window) -> Stat:
        return ratio_stat(wd <= ICPC_WD_LIMIT, usable & w.mask(icpc), f"No value: no ICPCs were held in {w.label}.")
    return windowed_measure("icpc_15wd_pct", inputs, coverage, YTD, stat, is_count=False, monthly=True)


def _plan_open_at_s47(s47: pd.DataFrame, plans: pd.DataFrame) -> pd.Series:
    """True for List 5 rows whose child had a child protection plan open at the S47 start
    (plan start on or before it, plan end blank or after it)."""
    left = pd.DataFrame({"child": child_keys(s47), "s47_start": days_of(s47, "s47_start")}, index=s47.index)
    left["row"] = left.index
    right = pd.DataFrame({"child": child_keys(plans), "cp_start": days_of(plans, "cp_start"),
                          "cp_end": days_of(plans, "cp_end")}).dropna(subset=["child", "cp_start"])
    pairs = left.dropna(subset=["child", "s47_start"]).merge(right, on="child", how="inner")
    started = pairs["cp_start"] <= pairs["s47_start"]
    open_ = started & (pairs["cp_end"].isna() | (pairs["cp_end"] > pairs["s47_start"]))
    rows = set(pairs.loc[open_, "row"])
    return pd.Series([r in rows for r in s47.index], index=s47.index)


def icpc_15wd_new_referral_pct(inputs: KpiInputs) -> KpiResult:
    """Our local definition of a new referral: a referral in the 30 days up to the S47 start (the start
    day and the 29 days before it) and no child protection plan open at the S47 start."""
    kpi_id = "icpc_15wd_new_referral_pct"
    s47_table, referral_table, plan_table = inputs.table(S47), inputs.table(REFERRALS), inputs.table(CP_PLANS)
    needed = [LIST_NEEDED[k] for k, t in ((REFERRALS, referral_table), (S47, s47_table), (CP_PLANS, plan_table))
              if t is None]
    if needed:
        return KpiResult(kpi_id, notes=needed)
    icpc, wd, usable = _icpc_timing(inputs, s47_table)
    recent = _latest_referral_before(s47_table.frame, referral_table.frame, NEW_REFERRAL_DAYS,
                                     include_lookback_day=False)
    new_referral = recent.notna() & ~_plan_open_at_s47(s47_table.frame, plan_table.frame)
    coverage = event_coverage(s47_table.frame, "icpc_date", inputs.period.snapshot)

    def stat(w: Window) -> Stat:
        return ratio_stat(wd <= ICPC_WD_LIMIT, usable & new_referral & w.mask(icpc),
                          f"No value: no ICPCs for new referrals were held in {w.label}.")
    return windowed_measure(kpi_id, inputs, coverage, YTD, stat, is_count=False, monthly=False)


def _s47_completion(inputs: KpiInputs, kpi_id: str) -> tuple[ExportTable | None, KpiResult | None]:
    table = inputs.table(S47)
    if table is None:
        return None, missing_input(kpi_id, LIST_NEEDED[S47], inputs.period, monthly=False)
    if not table.has("s47_end"):
        return None, KpiResult(kpi_id, notes=[needs_column_note(table, "s47_end")])
    return table, None


def _s47_durations(inputs: KpiInputs, table: ExportTable) -> tuple[pd.Series, pd.Series, pd.Series, Coverage]:
    start, end = days_of(table.frame, "s47_start"), days_of(table.frame, "s47_end")
    usable = start.notna() & end.notna() & (end >= start) & not_flagged(table.frame, BAD_S47_END)
    coverage = event_coverage(table.frame, "s47_end", inputs.period.snapshot)
    return end, working_days_series(start, end, inputs.holidays), usable, coverage


def s47_median_wd(inputs: KpiInputs) -> KpiResult:
    table, blank = _s47_completion(inputs, "s47_median_wd")
    if blank:
        return blank
    end, wd, usable, coverage = _s47_durations(inputs, table)

    def stat(w: Window) -> Stat:
        return median_stat(wd[usable & w.mask(end)], f"No value: no Section 47 enquiries ended in {w.label}.")
    return windowed_measure("s47_median_wd", inputs, coverage, THREE_MONTHS, stat, is_count=False, monthly=False)


def s47_15wd_pct(inputs: KpiInputs) -> KpiResult:
    table, blank = _s47_completion(inputs, "s47_15wd_pct")
    if blank:
        return blank
    end, wd, usable, coverage = _s47_durations(inputs, table)

    def stat(w: Window) -> Stat:
        return ratio_stat(wd <= S47_WD_LIMIT, usable & w.mask(end),
                          f"No value: no Section 47 enquiries ended in {w.label}.")
    return windowed_measure("s47_15wd_pct", inputs, coverage, THREE_MONTHS, stat, is_count=False, monthly=False)


__all__ = ["contacts", "referrals", "assessments_completed", "assessments_45wd_pct", "assessment_median_wd",
           "s47_started", "s47_rate_per_10k", "referral_to_s47_median_days", "icpc_15wd_pct",
           "icpc_15wd_new_referral_pct", "s47_median_wd", "s47_15wd_pct"]
