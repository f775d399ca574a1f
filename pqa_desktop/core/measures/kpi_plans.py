"""KPIs of child protection plans (Annex A List 7) and children in need episodes (List 6).

One function per measure id. "Open at a day": started on or before it, ended blank or after it.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from .kpi_result import KpiResult
from .kpi_support import (LIST_NEEDED, YTD, Coverage, KpiInputs, Stat, Window, count_stat, days_of,
                          episode_coverage, median_stat, missing_input, numbers_of, ratio_stat, snapshot_measure, ts,
                          windowed_measure)

CIN = "annex_a_list_6"
CP_PLANS = "annex_a_list_7"
TWO_YEARS_DAYS = 729  # cp_open_2yrs_pct: open more than 729 calendar days


class Episodes:
    """Start and end days of a list's episodes, with the list's coverage."""

    def __init__(self, inputs: KpiInputs, kind: str, start: str, end: str) -> None:
        frame = inputs.table(kind).frame
        self.start, self.end = days_of(frame, start), days_of(frame, end)
        self.coverage: Coverage = episode_coverage(frame, start, end, inputs.period.snapshot)

    def open_at(self, day: date) -> pd.Series:
        return (self.start <= ts(day)) & (self.end.isna() | (self.end > ts(day)))

    def days_open(self, day: date) -> pd.Series:
        """Calendar days since the start, for episodes open at ``day`` (others dropped)."""
        return (ts(day) - self.start[self.open_at(day)]).dt.days


def _episodes(inputs: KpiInputs, kind: str, kpi_id: str, *, monthly: bool) -> tuple[Episodes | None, KpiResult | None]:
    if inputs.table(kind) is None:
        return None, missing_input(kpi_id, LIST_NEEDED[kind], inputs.period, monthly=monthly)
    if kind == CP_PLANS:
        return Episodes(inputs, kind, "cp_start", "cp_end"), None
    return Episodes(inputs, kind, "cin_start", "cin_end"), None


def _open_count(kpi_id: str, inputs: KpiInputs, kind: str) -> KpiResult:
    episodes, blank = _episodes(inputs, kind, kpi_id, monthly=True)
    if blank:
        return blank
    return snapshot_measure(kpi_id, inputs, episodes.coverage, lambda d: count_stat(episodes.open_at(d)),
                            monthly=True)


def _open_median_days(kpi_id: str, inputs: KpiInputs, kind: str, what: str) -> KpiResult:
    episodes, blank = _episodes(inputs, kind, kpi_id, monthly=True)
    if blank:
        return blank
    return snapshot_measure(
        kpi_id, inputs, episodes.coverage,
        lambda d: median_stat(episodes.days_open(d), f"No value: no {what} open at {d:%d %b %Y}."), monthly=True)


def cp_plans_started(inputs: KpiInputs) -> KpiResult:
    episodes, blank = _episodes(inputs, CP_PLANS, "cp_plans_started", monthly=True)
    if blank:
        return blank
    return windowed_measure("cp_plans_started", inputs, episodes.coverage, YTD,
                            lambda w: count_stat(w.mask(episodes.start)), is_count=True, monthly=True)


def cp_second_plus_pct(inputs: KpiInputs) -> KpiResult:
    episodes, blank = _episodes(inputs, CP_PLANS, "cp_second_plus_pct", monthly=False)
    if blank:
        return blank
    previous_plans = numbers_of(inputs.table(CP_PLANS).frame, "previous_plans")

    def stat(w: Window) -> Stat:
        started = w.mask(episodes.start)
        s = ratio_stat(previous_plans >= 1, started & previous_plans.notna(),
                       f"No value: no child protection plans started in {w.label}.")
        unknown = int((started & previous_plans.isna()).sum())
        if unknown:
            s.notes.append(f"{unknown} plan start(s) in {w.label} left out: Number of Previous Child Protection "
                           "Plans blank.")
        return s
    return windowed_measure("cp_second_plus_pct", inputs, episodes.coverage, YTD, stat, is_count=False,
                            monthly=False)


def cp_open(inputs: KpiInputs) -> KpiResult:
    return _open_count("cp_open", inputs, CP_PLANS)


def cp_open_median_days(inputs: KpiInputs) -> KpiResult:
    return _open_median_days("cp_open_median_days", inputs, CP_PLANS, "child protection plans")


def cp_open_2yrs_pct(inputs: KpiInputs) -> KpiResult:
    episodes, blank = _episodes(inputs, CP_PLANS, "cp_open_2yrs_pct", monthly=False)
    if blank:
        return blank

    def stat(day: date) -> Stat:
        open_ = episodes.open_at(day)
        days_open = (ts(day) - episodes.start).dt.days
        return ratio_stat(days_open > TWO_YEARS_DAYS, open_,
                          f"No value: no child protection plans open at {day:%d %b %Y}.")
    return snapshot_measure("cp_open_2yrs_pct", inputs, episodes.coverage, stat, monthly=False)


def cin_open(inputs: KpiInputs) -> KpiResult:
    return _open_count("cin_open", inputs, CIN)


def cin_open_median_days(inputs: KpiInputs) -> KpiResult:
    return _open_median_days("cin_open_median_days", inputs, CIN, "children in need episodes")


__all__ = ["cp_plans_started", "cp_second_plus_pct", "cp_open", "cp_open_median_days", "cp_open_2yrs_pct",
           "cin_open", "cin_open_median_days"]
