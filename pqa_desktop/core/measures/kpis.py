"""The Annex A KPIs (measures.md, from `contacts` to `care_leavers_suitable_accommodation_pct`): the
registry of measure functions and ``kpi_figures``, which runs them all.

Each measure is one function named by its id, in kpi_front_door (Lists 1, 3, 4, 5), kpi_plans (Lists 6,
7), kpi_children_in_care (Lists 8, 10) and kpi_care_leavers (List 9); windows, coverage and notes are
shared in kpi_support. Workforce, continuity and fostering measures live in their own modules.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from ..calendar import Period, bank_holidays as default_bank_holidays
from ..exports.model import ExportRecords
from ..settings import Settings
from .kpi_care_leavers import (care_leavers_eet_17_18_pct, care_leavers_eet_19_21_pct, care_leavers_in_touch_pct,
                               care_leavers_suitable_accommodation_pct)
from .kpi_children_in_care import (adoption_waiting, adoption_waiting_median_days, cic_3plus_placements_pct,
                                   cic_ceased_adoption, cic_ceased_sgo_cao, cic_count, cic_foster_pct,
                                   cic_long_term_foster_same_carer_pct, cic_long_term_stability_pct,
                                   cic_missing_pct, cic_residential_under12)
from .kpi_front_door import (assessment_median_wd, assessments_45wd_pct, assessments_completed, contacts,
                             icpc_15wd_new_referral_pct, icpc_15wd_pct, referral_to_s47_median_days, referrals,
                             s47_15wd_pct, s47_median_wd, s47_rate_per_10k, s47_started)
from .kpi_plans import (cin_open, cin_open_median_days, cp_open, cp_open_2yrs_pct, cp_open_median_days,
                        cp_plans_started, cp_second_plus_pct)
from .kpi_result import KpiResult
from .kpi_support import KpiInputs

# measure id -> function, in the order of resources/measures.toml.
KPI_MEASURES: dict[str, Callable[[KpiInputs], KpiResult]] = {
    f.__name__: f for f in (
        contacts, referrals, assessments_completed, assessments_45wd_pct, assessment_median_wd, s47_started,
        s47_rate_per_10k, referral_to_s47_median_days, icpc_15wd_pct, icpc_15wd_new_referral_pct,
        s47_median_wd, s47_15wd_pct, cp_plans_started, cp_second_plus_pct, cp_open, cp_open_median_days,
        cp_open_2yrs_pct, cin_open, cin_open_median_days, cic_count, cic_foster_pct, cic_residential_under12,
        cic_3plus_placements_pct, cic_long_term_stability_pct, cic_long_term_foster_same_carer_pct,
        cic_missing_pct, cic_ceased_adoption, cic_ceased_sgo_cao, adoption_waiting,
        adoption_waiting_median_days, care_leavers_eet_17_18_pct, care_leavers_eet_19_21_pct,
        care_leavers_in_touch_pct, care_leavers_suitable_accommodation_pct,
    )
}

# Measures with a monthly series (measures.md "monthly"): tbl_kpi_monthly has a row for every trend
# month of each, blank where not covered or where the input is missing.
MONTHLY_KPIS = frozenset({
    "contacts", "referrals", "assessments_completed", "assessments_45wd_pct", "s47_started", "icpc_15wd_pct",
    "cp_plans_started", "cp_open", "cp_open_median_days", "cin_open", "cin_open_median_days", "cic_count",
})


def kpi_figures(exports: ExportRecords, period: Period, settings: Settings, *,
                bank_holidays: Iterable[date] | None = None) -> list[KpiResult]:
    """Every Annex A KPI, in measures.toml order.

    ``bank_holidays``: the full list of days to treat as bank holidays; None means the shipped England
    and Wales list plus the user's own file (calendar.bank_holidays()). To add days for one run pass
    ``calendar.bank_holidays(extra=[...])`` or ``calendar.bank_holidays(extra="file.csv")``.
    """
    holidays = tuple(default_bank_holidays() if bank_holidays is None else sorted(set(bank_holidays)))
    inputs = KpiInputs(exports=exports, period=period, settings=settings, holidays=holidays)
    return [measure(inputs) for measure in KPI_MEASURES.values()]
