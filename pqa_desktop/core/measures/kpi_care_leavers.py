"""KPIs of care leavers (Annex A List 9, 2024 or 2019 template): ages at the snapshot, situation as at
extraction (so no Previous). One function per measure id."""
from __future__ import annotations

from datetime import date

import pandas as pd

from .kpi_result import KpiResult
from .kpi_support import (BAD_DOB, LIST_NEEDED, KpiInputs, Stat, ages_at, codes_of, days_of, missing_input,
                          needs_column_note, not_flagged, ratio_stat, snapshot_measure)

CARE_LEAVERS = "annex_a_list_9"
AT_EXTRACTION = "No previous value: List 9 describes care leavers as at extraction."
NOT_COUNTED_IN_TOUCH = frozenset({"NREQ", "DIED"})  # LA in Touch codes left out of the in-touch measure
SUITABLE = frozenset({"SUITABLE", "1"})  # SSDA903 codes 1 suitable / 2 unsuitable accepted too


class CareLeavers:
    def __init__(self, inputs: KpiInputs) -> None:
        self.table = inputs.table(CARE_LEAVERS)
        self.frame = self.table.frame
        self.dob_ok = not_flagged(self.frame, BAD_DOB)

    def aged(self, day: date, low: int, high: int) -> pd.Series:
        ages = ages_at(days_of(self.frame, "dob"), day).where(self.dob_ok)
        return (ages >= low) & (ages <= high)

    def no_age_note(self, day: date) -> list[str]:
        unknown = int(ages_at(days_of(self.frame, "dob"), day).where(self.dob_ok).isna().sum())
        return [f"{unknown} care leaver(s) left out: no usable date of birth."] if unknown else []


def _measure(kpi_id: str, inputs: KpiInputs, column: str | None, stat) -> KpiResult:
    if inputs.table(CARE_LEAVERS) is None:
        return missing_input(kpi_id, LIST_NEEDED[CARE_LEAVERS], inputs.period, monthly=False)
    leavers = CareLeavers(inputs)
    if column is not None and not leavers.table.has(column):
        return KpiResult(kpi_id, notes=[needs_column_note(leavers.table, column)])

    def with_age_note(day: date) -> Stat:
        s = stat(leavers, day)
        s.notes.extend(leavers.no_age_note(day))
        return s
    return snapshot_measure(kpi_id, inputs, None, with_age_note, monthly=False, no_previous=AT_EXTRACTION)


def _eet(leavers: CareLeavers, day: date, low: int, high: int) -> Stat:
    activity = codes_of(leavers.frame, "activity")
    # Activity codes starting F or P are in education, employment or training; blank is not.
    eet = activity.str.startswith("F") | activity.str.startswith("P")
    return ratio_stat(eet, leavers.aged(day, low, high), f"No value: no care leavers aged {low}-{high}.")


def care_leavers_eet_17_18_pct(inputs: KpiInputs) -> KpiResult:
    return _measure("care_leavers_eet_17_18_pct", inputs, None, lambda cl, d: _eet(cl, d, 17, 18))


def care_leavers_eet_19_21_pct(inputs: KpiInputs) -> KpiResult:
    return _measure("care_leavers_eet_19_21_pct", inputs, None, lambda cl, d: _eet(cl, d, 19, 21))


def care_leavers_in_touch_pct(inputs: KpiInputs) -> KpiResult:
    def stat(leavers: CareLeavers, day: date) -> Stat:
        in_touch = codes_of(leavers.frame, "in_touch")
        eligible = leavers.aged(day, 17, 21) & ~in_touch.isin(NOT_COUNTED_IN_TOUCH)
        return ratio_stat(in_touch == "YES", eligible, "No value: no care leavers aged 17-21 to count.")
    return _measure("care_leavers_in_touch_pct", inputs, "in_touch", stat)


def care_leavers_suitable_accommodation_pct(inputs: KpiInputs) -> KpiResult:
    def stat(leavers: CareLeavers, day: date) -> Stat:
        suitability = codes_of(leavers.frame, "accommodation_suitable")
        eligible = leavers.aged(day, 17, 21) & (suitability != "")
        return ratio_stat(suitability.isin(SUITABLE), eligible,
                          "No value: no care leavers aged 17-21 with a suitability recorded.")
    return _measure("care_leavers_suitable_accommodation_pct", inputs, "accommodation_suitable", stat)


__all__ = ["care_leavers_eet_17_18_pct", "care_leavers_eet_19_21_pct", "care_leavers_in_touch_pct",
           "care_leavers_suitable_accommodation_pct"]
