"""KPIs of children in care (Annex A List 8) and children waiting for adoption (List 10).

One function per measure id. Looked after at a day: started on or before it, ceased blank or after it.
List 8's placement details (type, placements and missing episodes in the last 12 months) describe each
child as at extraction, so the measures built on them have no Previous.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from ..calendar import add_months
from .kpi_result import KpiResult
from .kpi_support import (BAD_DOB, LIST_NEEDED, YTD, Coverage, KpiInputs, Stat, ages_at, codes_of, count_stat,
                          days_of, episode_coverage, median_stat, missing_input, needs_column_note, not_flagged,
                          numbers_of, ratio_stat, snapshot_measure, ts, windowed_measure)

CIC = "annex_a_list_8"
ADOPTION = "annex_a_list_10"

FOSTER_TYPES = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
RESIDENTIAL_TYPES = frozenset({"K1", "K2", "R1"})  # cic_residential_under12
ADOPTION_REASONS = frozenset({"E11", "E12"})
SGO_CAO_REASONS = frozenset({"E41", "E43", "E44", "E45", "E46", "E47", "E48"})
AT_EXTRACTION = "No previous value: List 8 placement details describe each child as at extraction."


class ChildrenInCare:
    def __init__(self, inputs: KpiInputs) -> None:
        self.table = inputs.table(CIC)
        frame = self.table.frame
        self.frame = frame
        self.start, self.end = days_of(frame, "cla_start"), days_of(frame, "cla_end")
        self.coverage: Coverage = episode_coverage(frame, "cla_start", "cla_end", inputs.period.snapshot)
        self.placement_type = codes_of(frame, "placement_type")
        self.placement_start = days_of(frame, "placement_start")
        self.dob_ok = not_flagged(frame, BAD_DOB)

    def looked_after_at(self, day: date) -> pd.Series:
        return (self.start <= ts(day)) & (self.end.isna() | (self.end > ts(day)))

    def ages_at(self, day: date) -> pd.Series:
        ages = ages_at(days_of(self.frame, "dob"), day)
        return ages.where(self.dob_ok)

    def no_age_note(self, day: date) -> list[str]:
        unknown = int((self.looked_after_at(day) & self.ages_at(day).isna()).sum())
        return [f"{unknown} child(ren) left out: no usable date of birth."] if unknown else []


def _cic(inputs: KpiInputs, kpi_id: str, *, monthly: bool = False) -> tuple[ChildrenInCare | None, KpiResult | None]:
    if inputs.table(CIC) is None:
        return None, missing_input(kpi_id, LIST_NEEDED[CIC], inputs.period, monthly=monthly)
    return ChildrenInCare(inputs), None


def cic_count(inputs: KpiInputs) -> KpiResult:
    cic, blank = _cic(inputs, "cic_count", monthly=True)
    if blank:
        return blank
    return snapshot_measure("cic_count", inputs, cic.coverage, lambda d: count_stat(cic.looked_after_at(d)),
                            monthly=True)


def _at_extraction(kpi_id: str, inputs: KpiInputs, stat) -> KpiResult:
    return snapshot_measure(kpi_id, inputs, None, stat, monthly=False, no_previous=AT_EXTRACTION)


def _nobody(day: date) -> str:
    return f"No value: no children looked after at {day:%d %b %Y}."


def cic_foster_pct(inputs: KpiInputs) -> KpiResult:
    cic, blank = _cic(inputs, "cic_foster_pct")
    if blank:
        return blank
    return _at_extraction("cic_foster_pct", inputs, lambda d: ratio_stat(
        cic.placement_type.isin(FOSTER_TYPES), cic.looked_after_at(d), _nobody(d)))


def cic_residential_under12(inputs: KpiInputs) -> KpiResult:
    cic, blank = _cic(inputs, "cic_residential_under12")
    if blank:
        return blank

    def stat(day: date) -> Stat:
        s = count_stat(cic.looked_after_at(day) & (cic.ages_at(day) < 12) & cic.placement_type.isin(RESIDENTIAL_TYPES))
        s.notes.extend(cic.no_age_note(day))
        return s
    return _at_extraction("cic_residential_under12", inputs, stat)


def cic_3plus_placements_pct(inputs: KpiInputs) -> KpiResult:
    cic, blank = _cic(inputs, "cic_3plus_placements_pct")
    if blank:
        return blank
    placements = numbers_of(cic.frame, "placements_12m")

    def stat(day: date) -> Stat:
        looked_after = cic.looked_after_at(day)
        s = ratio_stat(placements >= 3, looked_after & placements.notna(), _nobody(day))
        unknown = int((looked_after & placements.isna()).sum())
        if unknown:
            s.notes.append(f"{unknown} child(ren) left out: Number of Placements in the Last 12 months blank.")
        return s
    return _at_extraction("cic_3plus_placements_pct", inputs, stat)


def _long_term_stability(kpi_id: str, inputs: KpiInputs, *, foster_only: bool) -> KpiResult:
    cic, blank = _cic(inputs, kpi_id)
    if blank:
        return blank

    def stat(day: date) -> Stat:
        # Under 16, looked after since at least 2 years 6 months before, placement started at least
        # 2 years before (calendar offsets, clamped to the month end).
        eligible = (cic.looked_after_at(day) & (cic.ages_at(day) < 16)
                    & (cic.start <= ts(add_months(day, -30))))
        if foster_only:
            eligible &= cic.placement_type.isin(FOSTER_TYPES)
        stable = cic.placement_start <= ts(add_months(day, -24))
        s = ratio_stat(stable, eligible, f"No value: no children under 16 looked after for 2 years 6 months "
                                         f"at {day:%d %b %Y}" + (" in foster placements." if foster_only else "."))
        s.notes.extend(cic.no_age_note(day))
        return s
    return _at_extraction(kpi_id, inputs, stat)


def cic_long_term_stability_pct(inputs: KpiInputs) -> KpiResult:
    return _long_term_stability("cic_long_term_stability_pct", inputs, foster_only=False)


def cic_long_term_foster_same_carer_pct(inputs: KpiInputs) -> KpiResult:
    return _long_term_stability("cic_long_term_foster_same_carer_pct", inputs, foster_only=True)


def cic_missing_pct(inputs: KpiInputs) -> KpiResult:
    cic, blank = _cic(inputs, "cic_missing_pct")
    if blank:
        return blank
    if not cic.table.has("missing_12m"):
        return KpiResult("cic_missing_pct", notes=[needs_column_note(cic.table, "missing_12m")])
    # A blank number of missing episodes is read as none recorded.
    missing = numbers_of(cic.frame, "missing_12m").fillna(0)
    return _at_extraction("cic_missing_pct", inputs, lambda d: ratio_stat(
        missing >= 1, cic.looked_after_at(d), _nobody(d)))


def _ceased_with(kpi_id: str, inputs: KpiInputs, reasons: frozenset[str]) -> KpiResult:
    cic, blank = _cic(inputs, kpi_id)
    if blank:
        return blank
    if not cic.table.has("reason_ceased"):
        return KpiResult(kpi_id, notes=[needs_column_note(cic.table, "reason_ceased")])
    reason = codes_of(cic.frame, "reason_ceased")
    return windowed_measure(kpi_id, inputs, cic.coverage, YTD,
                            lambda w: count_stat(w.mask(cic.end) & reason.isin(reasons)), is_count=True,
                            monthly=False)


def cic_ceased_adoption(inputs: KpiInputs) -> KpiResult:
    return _ceased_with("cic_ceased_adoption", inputs, ADOPTION_REASONS)


def cic_ceased_sgo_cao(inputs: KpiInputs) -> KpiResult:
    return _ceased_with("cic_ceased_sgo_cao", inputs, SGO_CAO_REASONS)


# ---------------------------------------------------------------------------------------------------
# Adoption (List 10): dated events, so a Previous at the previous month end is possible; the list
# describes the position at extraction, so no date coverage is applied.

class AdoptionWaits:
    def __init__(self, inputs: KpiInputs) -> None:
        frame = inputs.table(ADOPTION).frame
        self.order = days_of(frame, "placement_order")
        self.placed = days_of(frame, "placed_for_adoption")
        self.no_longer = days_of(frame, "no_longer_decision")

    def waiting_at(self, day: date) -> pd.Series:
        d = ts(day)
        return (self.order <= d) & (self.placed.isna() | (self.placed > d)) & ~(self.no_longer <= d)


def adoption_waiting(inputs: KpiInputs) -> KpiResult:
    if inputs.table(ADOPTION) is None:
        return missing_input("adoption_waiting", LIST_NEEDED[ADOPTION], inputs.period, monthly=False)
    waits = AdoptionWaits(inputs)
    return snapshot_measure("adoption_waiting", inputs, None, lambda d: count_stat(waits.waiting_at(d)),
                            monthly=False)


def adoption_waiting_median_days(inputs: KpiInputs) -> KpiResult:
    if inputs.table(ADOPTION) is None:
        return missing_input("adoption_waiting_median_days", LIST_NEEDED[ADOPTION], inputs.period, monthly=False)
    waits = AdoptionWaits(inputs)

    def stat(day: date) -> Stat:
        waiting = waits.waiting_at(day)
        return median_stat((ts(day) - waits.order[waiting]).dt.days,
                           f"No value: no children waiting at {day:%d %b %Y}.")
    return snapshot_measure("adoption_waiting_median_days", inputs, None, stat, monthly=False)


__all__ = ["cic_count", "cic_foster_pct", "cic_residential_under12", "cic_3plus_placements_pct",
           "cic_long_term_stability_pct", "cic_long_term_foster_same_carer_pct", "cic_missing_pct",
           "cic_ceased_adoption", "cic_ceased_sgo_cao", "adoption_waiting", "adoption_waiting_median_days"]
