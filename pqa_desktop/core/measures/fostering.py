"""Fostering measures of measures.md, and the Fostering sheet's placement-type table.

A household is approved on a day when its approval date is on or before it and it has no
de-registration date or one after it: de-registered on the snapshot means no longer approved then.
Previous values come from the same list as at the earlier date (previous month end for the count,
the 12 months before for the 12-month counts). The de-registrations of the last 12 months must be listed
(the de-registered count needs them), so the previous month end is trusted; the 12 months before are
counted only when the list's de-registration dates reach back over them (``kpi_support.reaches_back``):
otherwise households approved or de-registered then and gone since may be missing, and Previous is
blank with a note.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..calendar import ONE_DAY, Period
from ..exports.model import ExportRecords, ExportTable
from ..settings import Settings
from .kpi_result import KpiResult
from .kpi_support import Window, not_reaching_back_note, reaches_back
from .placements import placement_types_table

HOUSEHOLDS = "households"
CHILDREN_IN_CARE = "annex_a_list_8"
NEEDS_HOUSEHOLDS = "Needs the fostering households list."
TYPE_NOT_RECORDED = "Not recorded"


@dataclass
class Households:
    """Usable household rows: household_type, approval_date, deregistration_date (NaT = still approved)."""

    frame: pd.DataFrame
    has_deregistration: bool
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_table(cls, table: ExportTable) -> "Households":
        raw = table.frame
        no_dates = pd.Series(pd.NaT, index=raw.index)
        deregistered = raw["deregistration_date"] if "deregistration_date" in raw else no_dates
        households = pd.DataFrame({
            "household_type": raw["household_type"].map(_type_label) if "household_type" in raw else TYPE_NOT_RECORDED,
            "approval_date": pd.to_datetime(raw["approval_date"]),
            "deregistration_date": pd.to_datetime(deregistered),
        }, index=raw.index)
        notes = []
        undated = households["approval_date"].isna()
        if undated.any():
            notes.append(f"{_households_text(int(undated.sum()))} without an approval date left out.")
        # De-registered before approval (flagged by the reader as ``_bad_deregistration``): neither
        # date can be trusted to place the household in time.
        flagged = raw["_bad_deregistration"].fillna(False).astype(bool) if "_bad_deregistration" in raw else False
        reversed_dates = ~undated & (flagged | (households["deregistration_date"] < households["approval_date"]))
        if reversed_dates.any():
            notes.append(f"{_households_text(int(reversed_dates.sum()))} de-registered before approval left out.")
        return cls(households[~undated & ~reversed_dates], table.has("deregistration_date"), notes)

    def approved_at(self, day: date) -> pd.DataFrame:
        at = pd.Timestamp(day)
        h = self.frame
        return h[(h["approval_date"] <= at) & (h["deregistration_date"].isna() | (h["deregistration_date"] > at))]

    def dated_in(self, column: str, after: date, upto: date) -> pd.DataFrame:
        """Households whose ``column`` date is in the interval (after, upto]."""
        dates = self.frame[column]
        return self.frame[(dates > pd.Timestamp(after)) & (dates <= pd.Timestamp(upto))]


def _type_label(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip():
        return TYPE_NOT_RECORDED
    return str(value).strip()


def _households_text(n: int) -> str:
    return f"{n} household" + ("" if n == 1 else "s")


def foster_households(households: Households | None, period: Period) -> KpiResult:
    """Households approved at the snapshot (approval ≤ snapshot < de-registration, or none)."""
    if households is None:
        return KpiResult("foster_households", notes=[NEEDS_HOUSEHOLDS])
    approved = households.approved_at(period.snapshot)
    previous = households.approved_at(period.end_month - ONE_DAY)  # previous month end
    result = KpiResult("foster_households", value=len(approved), previous=len(previous), numerator=len(approved),
                       notes=list(households.notes))
    if not households.has_deregistration:
        result.notes.append("The households list has no De-registration date column: every household listed "
                            "counts as still approved.")
    result.breakdown["by_household_type"] = approved["household_type"].value_counts().sort_index().to_dict()
    return result


def _previous_12_months(households: Households, period: Period, column: str, result: KpiResult) -> None:
    """Result's Previous: households with ``column`` dated in the 12 months before the last 12, when the
    de-registration dates show the list reaches back over them; else a note saying why it is blank."""
    before = Window(period.months_back(24) + ONE_DAY, period.months_back(12))
    if not households.has_deregistration:
        result.notes.append(f"No previous value: without the De-registration date column nothing shows the list "
                            f"holds the households that left in {before.label}.")
        return
    deregistered = households.frame["deregistration_date"]
    if reaches_back(deregistered, before):
        result.previous = len(households.dated_in(column, period.months_back(24), period.months_back(12)))
    else:
        result.notes.append(not_reaching_back_note("de-registration dates in the households list",
                                                   "de-registered households", deregistered, before))


def foster_households_new_12m(households: Households | None, period: Period) -> KpiResult:
    """Households approved in (snapshot − 12 months, snapshot]; Previous the 12 months before."""
    if households is None:
        return KpiResult("foster_households_new_12m", notes=[NEEDS_HOUSEHOLDS])
    value = len(households.dated_in("approval_date", period.months_back(12), period.snapshot))
    result = KpiResult("foster_households_new_12m", value=value, numerator=value, notes=list(households.notes))
    _previous_12_months(households, period, "approval_date", result)
    return result


def foster_households_deregistered_12m(households: Households | None, period: Period) -> KpiResult:
    """Households de-registered in (snapshot − 12 months, snapshot]; Previous the 12 months before."""
    kpi_id = "foster_households_deregistered_12m"
    if households is None:
        return KpiResult(kpi_id, notes=[NEEDS_HOUSEHOLDS])
    if not households.has_deregistration:
        return KpiResult(kpi_id, notes=["Needs the De-registration date column of the fostering households list."])
    value = len(households.dated_in("deregistration_date", period.months_back(12), period.snapshot))
    result = KpiResult(kpi_id, value=value, numerator=value, notes=list(households.notes))
    _previous_12_months(households, period, "deregistration_date", result)
    return result


def fostering_figures(exports: ExportRecords, period: Period,
                      settings: Settings) -> tuple[list[KpiResult], dict[str, pd.DataFrame]]:
    """The fostering household measures and ``tbl_placement_types``."""
    table = exports.get(HOUSEHOLDS)
    households = Households.from_table(table) if table is not None else None
    results = [
        foster_households(households, period),
        foster_households_new_12m(households, period),
        foster_households_deregistered_12m(households, period),
    ]
    return results, {"tbl_placement_types": placement_types_table(exports.get(CHILDREN_IN_CARE), period.snapshot)}
