"""Every Annex A KPI (measures.md, `contacts` .. `care_leavers_suitable_accommodation_pct`) against a
hand-worked example.

Inputs are ExportRecords built from hand-made DataFrames with the canonical column ids of
resources/system_exports.toml. Each example puts records either side of an edge (first and last day
of a window, the 45th and 46th working day, 729 and 730 days, a birthday, the 7th and 8th of a month)
so an off-by-one changes an expected number. Period: September 2024 unless said otherwise, so the
snapshot is Mon 30 Sep 2024, last month = Sep, 3m = Jul-Sep (Previous Apr-Jun), YTD = Apr-Sep
(Previous Apr-Sep 2023), trend window Oct 2023-Sep 2024 (Previous Oct 2022-Sep 2023).
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pqa_desktop.core.calendar import Period, shipped_bank_holidays
from pqa_desktop.core.exports.model import ExportRecords, ExportTable
from pqa_desktop.core.exports.spec import table_spec
from pqa_desktop.core.measures import kpi_care_leavers as cl
from pqa_desktop.core.measures import kpi_children_in_care as cic
from pqa_desktop.core.measures import kpi_front_door as fd
from pqa_desktop.core.measures import kpi_plans as plans
from pqa_desktop.core.measures.kpi_support import KpiInputs, ages_at, median
from pqa_desktop.core.measures.kpis import KPI_MEASURES, MONTHLY_KPIS, kpi_figures
from pqa_desktop.core.settings import Settings

SEP_2024 = Period(date(2024, 9, 1))
TREND = SEP_2024.trend_months  # Oct 2023 .. Sep 2024


def table(kind: str, rows: list[dict], *, drop: tuple[str, ...] = ()) -> ExportTable:
    """An export table as the reader would hand it over: date columns datetime64, codes bare strings."""
    spec = table_spec(kind)
    frame = pd.DataFrame(rows)
    for column in spec.columns:
        if column.type == "date" and column.id in frame.columns:
            frame[column.id] = pd.to_datetime(frame[column.id])
    frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    found = frozenset(c for c in frame.columns if not c.startswith("_"))
    return ExportTable(kind=kind, label=spec.label, file="export.xlsx", sheet="Sheet1", frame=frame,
                       columns=found, date_column=spec.date_column)


def run(measure, *tables: ExportTable, period: Period = SEP_2024, population: int | None = None):
    inputs = KpiInputs(ExportRecords({t.kind: t for t in tables}), period,
                       Settings(population_0_17=population), shipped_bank_holidays())
    return measure(inputs)


def months(result) -> dict[date, float | None]:
    return {p.month: p.value for p in result.monthly}


def m(year: int, month: int) -> date:
    return date(year, month, 1)


def rows(column: str, days: list[str | None], **extra) -> list[dict]:
    return [{"child_id": str(i), column: d, **extra} for i, d in enumerate(days)]


# ---------------------------------------------------------------------------------------------------
# Basics: medians and ages

def test_median_of_even_count_is_mean_of_middle_two_and_empty_is_blank():
    assert median([3, 1, 4, 10]) == 3.5
    assert median([5, 1, 9]) == 5
    assert median([]) is None


def test_ages_in_whole_years_with_29_february_birthdays_on_1_march():
    dob = pd.Series(pd.to_datetime(["2004-02-29", "2004-02-29", "2007-09-30", "2007-10-01", "2030-01-01"]))
    assert ages_at(dob, date(2025, 2, 28)).tolist()[:1] == [20]  # not yet 21: counts on 1 March
    assert ages_at(dob, date(2025, 3, 1)).tolist()[:1] == [21]
    assert ages_at(dob, date(2024, 2, 29)).tolist()[:1] == [20]  # a leap year: the day itself
    assert ages_at(dob, date(2024, 2, 28)).tolist()[:1] == [19]
    ages = ages_at(dob, date(2024, 9, 30)).tolist()
    assert ages[2:4] == [17, 16]  # on the birthday / the day before it
    assert pd.isna(ages[4])  # born after the day


# ---------------------------------------------------------------------------------------------------
# Counts by month: contacts, referrals, S47 started

def test_contacts_last_month_previous_month_and_monthly_series():
    contacts = table("annex_a_list_1", rows("contact_date", [
        "2023-10-01",  # earliest: the whole trend window is covered
        "2024-08-31", "2024-09-01", "2024-09-30",  # last day of Aug; first and last day of Sep
        "2024-10-01",  # after the snapshot: not counted
        None]))
    result = run(fd.contacts, contacts)
    assert (result.value, result.previous, result.numerator, result.denominator) == (2, 1, 2, None)
    assert months(result) == {**{mo: 0 for mo in TREND}, m(2023, 10): 1, m(2024, 8): 1, m(2024, 9): 2}


@pytest.mark.parametrize("earliest, first_covered", [("2023-11-07", m(2023, 11)), ("2023-11-08", m(2023, 12))])
def test_coverage_starts_in_a_month_whose_first_7_days_hold_the_earliest_date(earliest, first_covered):
    result = run(fd.contacts, table("annex_a_list_1", rows("contact_date", [earliest, "2024-09-30"])))
    series = months(result)
    assert [mo for mo in TREND if series[mo] is not None][0] == first_covered
    assert series[m(2023, 10)] is None  # never 0 for a month before the list


@pytest.mark.parametrize("latest, sep_covered", [("2024-09-23", True), ("2024-09-22", False)])
def test_coverage_up_to_the_snapshot_needs_the_latest_date_within_7_days(latest, sep_covered):
    result = run(fd.contacts, table("annex_a_list_1", rows("contact_date", ["2024-08-01", "2024-08-24", latest])))
    assert months(result)[m(2024, 8)] == 2  # the latest date is within 7 days of 31 Aug either way
    if sep_covered:
        assert result.value == 1
    else:
        assert result.value is None and months(result)[m(2024, 9)] is None
        assert "do not cover the whole of Sep 2024" in " ".join(result.notes)
    assert result.previous == 2  # August


def test_referrals_and_s47_started_count_by_their_own_dates():
    referrals = table("annex_a_list_3", rows("referral_date", ["2024-08-01", "2024-08-31", "2024-09-30"]))
    result = run(fd.referrals, referrals)
    assert (result.value, result.previous) == (1, 2)
    assert months(result)[m(2024, 7)] is None  # before the list: blank, not 0
    s47 = table("annex_a_list_5", [
        {"child_id": "1", "s47_start": "2024-08-05", "icpc_date": None},
        {"child_id": "2", "s47_start": "2024-09-01", "icpc_date": "2024-09-20"},
        {"child_id": "3", "s47_start": "2024-09-30", "icpc_date": None}])
    result = run(fd.s47_started, s47)
    assert (result.value, result.previous) == (2, 1)


def test_a_missing_list_leaves_every_month_blank_with_a_note():
    result = run(fd.contacts)
    assert result.value is None and result.previous is None
    assert result.notes == ["Needs Annex A List 1 (contacts)."]
    assert len(result.monthly) == 12 and all(p.value is None for p in result.monthly)


# ---------------------------------------------------------------------------------------------------
# Assessments (List 4)

def assessment(start: str | None, authorised: str | None, bad: bool = False) -> dict:
    return {"child_id": "x", "assessment_start": start, "assessment_authorised": authorised,
            "_bad_assessment_dates": bad}


ASSESSMENTS = table("annex_a_list_4", [
    assessment("2024-07-01", "2024-09-03"),  # 45 working days: in time
    assessment("2024-07-01", "2024-09-04"),  # 46: late
    assessment("2024-08-23", "2024-08-27"),  # Fri -> Tue over the bank holiday: 1
    assessment("2024-09-10", "2024-09-09"),  # authorised before the start: left out of timeliness
    assessment("2024-07-01", "2024-07-02", bad=True),  # flagged impossible by the reader: left out
    assessment("2024-04-02", "2024-04-02"),  # Previous window: 0, in time (earliest: April covered)
    assessment("2024-01-02", "2024-06-28"),  # Previous window: late
    assessment("2024-06-30", "2024-06-30"),  # Previous window last day (a Sunday): 0, in time
    assessment("2024-09-30", "2024-09-30", bad=True),  # latest: September covered; flagged, so timeliness skips it
])


def test_assessments_completed_is_the_sum_of_the_3_months():
    result = run(fd.assessments_completed, ASSESSMENTS)
    # Jul-Sep: 3 Sep, 4 Sep, 27 Aug, 9 Sep, 2 Jul, 30 Sep = 6 (timeliness exclusions still count as completed).
    assert (result.value, result.previous, result.numerator) == (6, 3, 6)
    assert months(result)[m(2024, 3)] is None and months(result)[m(2024, 4)] == 1


def test_assessments_45wd_pct_45th_vs_46th_working_day():
    result = run(fd.assessments_45wd_pct, ASSESSMENTS)
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.value == pytest.approx(2 / 3)
    assert result.previous == pytest.approx(2 / 3)  # 2 Apr (0) and 30 Jun (0) in time, 28 Jun late
    assert "3 assessment(s) authorised in Jul 2024 to Sep 2024 left out" in " ".join(result.notes)
    series = months(result)
    assert series[m(2024, 7)] is None  # only the flagged record: zero denominator, blank
    assert series[m(2024, 8)] == 1.0 and series[m(2024, 9)] == 0.5
    assert series[m(2024, 5)] is None and series[m(2024, 6)] == 0.5


def test_assessment_median_wd_odd_and_even_counts():
    result = run(fd.assessment_median_wd, ASSESSMENTS)
    assert (result.value, result.numerator) == (45, 3)  # 1, 45, 46
    assert result.previous == 0  # 0, 0, 114 -> 0
    even = table("annex_a_list_4", [assessment("2024-07-01", "2024-09-03"), assessment("2024-07-01", "2024-09-04"),
                                    assessment("2024-04-01", "2024-04-02")])
    assert run(fd.assessment_median_wd, even).value == 45.5
    assert run(fd.assessment_median_wd, even).monthly == []


def test_assessment_zero_denominator_is_blank_with_a_note():
    none_in_window = table("annex_a_list_4", [assessment("2024-04-01", "2024-04-01"),
                                              assessment("2024-09-30", "2024-09-30", bad=True)])
    result = run(fd.assessments_45wd_pct, none_in_window)
    assert result.value is None and result.numerator is None and result.denominator is None
    assert "No value: no assessments were authorised in Jul 2024 to Sep 2024." in result.notes


def test_previous_3_months_blank_with_a_note_when_not_covered():
    late_list = table("annex_a_list_4", [assessment("2024-06-20", "2024-07-01"),
                                         assessment("2024-09-01", "2024-09-30")])
    result = run(fd.assessments_45wd_pct, late_list)
    assert result.value == 1.0 and result.previous is None
    assert "No previous value: the inputs do not cover Apr 2024 to Jun 2024." in result.notes


# ---------------------------------------------------------------------------------------------------
# Section 47 enquiries and ICPCs (List 5)

def s47(child: str, start: str | None, icpc: str | None = None, end: str | None = None, bad: bool = False) -> dict:
    return {"child_id": child, "s47_start": start, "icpc_date": icpc, "s47_end": end, "_bad_icpc": bad}


def test_s47_rate_per_10k_full_window_and_previous_12_months():
    enquiries = table("annex_a_list_5", [
        s47("a", "2022-10-03"),  # earliest: Oct 2022 onwards covered; Previous window
        s47("b", "2023-09-30"),  # last day of the Previous window
        s47("c", "2023-10-01"), s47("d", "2024-02-29"), s47("e", "2024-06-15"), s47("f", "2024-09-30")])
    result = run(fd.s47_rate_per_10k, enquiries, population=20_000)
    assert result.value == pytest.approx(4 / 20_000 * 10_000)  # 2.0 per 10,000, 12 months covered
    assert (result.numerator, result.denominator) == (4, 20_000)
    assert result.previous == pytest.approx(1.0)
    assert not [n for n in result.notes if "Annualised" in n]


def test_s47_rate_annualised_over_covered_months_only():
    enquiries = table("annex_a_list_5", [
        s47("a", "2024-04-08"),  # earliest on the 8th: April not covered, so not counted
        s47("b", "2024-06-15"), s47("c", "2024-09-30")])
    result = run(fd.s47_rate_per_10k, enquiries, population=20_000)
    # May-Sep covered (5 months): 2 enquiries / 20,000 x 10,000 x 12 / 5 = 2.4
    assert result.value == pytest.approx(2.4)
    assert result.numerator == 2
    assert "Annualised from 5 covered month(s) (2 enquiries x 12 / 5)." in result.notes
    assert result.previous is None
    assert "No previous value: the inputs do not cover Oct 2022 to Sep 2023." in result.notes


def test_s47_rate_needs_the_population():
    result = run(fd.s47_rate_per_10k, table("annex_a_list_5", [s47("a", "2024-09-02")]), population=None)
    # in the user's words: the setting as the app names it, never its key in the settings file
    assert result.value is None and result.notes == ["Needs the population aged 0\u201317: enter it in Settings (General)."]


def test_referral_to_s47_median_days_90_day_edge_and_left_out_count():
    enquiries = table("annex_a_list_5", [
        s47("c1", "2024-07-01"),  # referral 2 Apr: exactly 90 days -> counts
        s47("c2", "2024-08-15"),  # referral 16 May: 91 days -> left out
        s47("c3", "2024-09-10"),  # referrals 1 Sep, 5 Sep (latest before: 5 days), 11 Sep (after)
        s47("c4", "2024-09-20"),  # referral the same day: 0
        s47("c5", "2024-09-30"),  # referral 20 Sep: 10
        s47("c6", "2024-06-30"),  # before the window
    ])
    referrals = table("annex_a_list_3", [
        {"child_id": "c1", "referral_date": "2024-04-02"}, {"child_id": "c2", "referral_date": "2024-05-16"},
        {"child_id": "c3", "referral_date": "2024-09-01"}, {"child_id": "c3", "referral_date": "2024-09-05"},
        {"child_id": "c3", "referral_date": "2024-09-11"}, {"child_id": "c4", "referral_date": "2024-09-20"},
        {"child_id": "c5", "referral_date": "2024-09-20"}])
    result = run(fd.referral_to_s47_median_days, enquiries, referrals)
    assert result.value == 7.5  # 0, 5, 10, 90 -> (5 + 10) / 2
    assert result.numerator == 4
    assert ("1 Section 47 enquiry(ies) started in Jul 2024 to Sep 2024 left out: no referral for the same "
            "child in the 90 days up to the start.") in result.notes
    assert run(fd.referral_to_s47_median_days, enquiries).notes == ["Needs Annex A List 3 (referrals)."]


ICPCS = table("annex_a_list_5", [
    s47("a", "2023-04-03", "2023-04-03"),  # Previous YTD: 0 wd, in time (earliest: Apr 2023 covered)
    s47("b", "2023-09-01", "2023-09-30"),  # Previous YTD: 20 wd, late
    s47("c", "2024-03-28", "2024-04-01"),  # first day of YTD; Good Friday, weekend, Easter Monday: 0
    s47("d", "2024-08-05", "2024-08-27"),  # 15 wd (26 Aug bank holiday skipped): in time
    s47("e", "2024-08-05", "2024-08-28"),  # 16 wd: late
    s47("f", "2024-09-10", "2024-09-09"),  # ICPC before the S47 start: left out
    s47("g", "2024-09-02", "2024-09-03", bad=True),  # flagged by the reader: left out
    s47("h", "2024-09-02", None),  # no ICPC
    s47("i", "2024-03-01", "2024-03-31"),  # before YTD
    s47("j", "2024-09-25", "2024-10-01"),  # ICPC after the snapshot
])


def test_icpc_15wd_pct_15th_vs_16th_working_day_ytd_and_previous_year():
    result = run(fd.icpc_15wd_pct, ICPCS)
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.value == pytest.approx(2 / 3)
    assert result.previous == 0.5
    series = months(result)
    assert series[m(2024, 4)] == 1.0 and series[m(2024, 8)] == 0.5
    assert series[m(2024, 9)] is None  # only excluded ICPCs: zero denominator
    assert series[m(2024, 3)] == 0.0  # 31 Mar: 20 wd


def test_icpc_previous_ytd_blank_when_last_year_not_covered():
    this_year_only = table("annex_a_list_5", [s47("c", "2024-03-28", "2024-04-01"),
                                              s47("d", "2024-08-05", "2024-09-30")])
    result = run(fd.icpc_15wd_pct, this_year_only)
    assert result.value == 0.5 and result.previous is None
    assert "No previous value: the inputs do not cover Apr 2023 to Sep 2023." in result.notes


def test_icpc_15wd_new_referral_pct_local_definition():
    enquiries = table("annex_a_list_5", [
        s47("n1", "2024-05-01", "2024-05-02"),  # referral 29 days before, no plan: new, in time
        s47("n2", "2024-05-01", "2024-05-02"),  # referral exactly 30 days before: not new
        s47("n3", "2024-06-03", "2024-06-04"),  # referral same day but a plan open at the start: not new
        s47("n4", "2024-06-03", "2024-07-31"),  # plan ended on the S47 start day: new, late
        s47("n5", "2024-03-01", "2024-03-05")])  # ICPC before YTD
    referrals = table("annex_a_list_3", [
        {"child_id": "n1", "referral_date": "2024-04-02"}, {"child_id": "n2", "referral_date": "2024-04-01"},
        {"child_id": "n3", "referral_date": "2024-06-03"}, {"child_id": "n4", "referral_date": "2024-05-20"},
        {"child_id": "n5", "referral_date": "2024-03-01"}])
    cp = table("annex_a_list_7", [
        {"child_id": "n3", "cp_start": "2024-01-01", "cp_end": "2024-06-04", "previous_plans": 0},
        {"child_id": "n4", "cp_start": "2023-01-01", "cp_end": "2024-06-03", "previous_plans": 0}])
    result = run(fd.icpc_15wd_new_referral_pct, enquiries, referrals, cp)
    assert (result.value, result.numerator, result.denominator) == (0.5, 1, 2)
    assert run(fd.icpc_15wd_new_referral_pct, enquiries, referrals).notes == [
        "Needs Annex A List 7 (child protection)."]


COMPLETIONS = table("annex_a_list_5", [
    s47("a", "2024-03-01", None, "2024-04-01"),  # Previous: 19 wd (Good Friday, Easter Monday out); earliest
    s47("b", "2024-06-28", None, "2024-06-30"),  # Previous: Fri -> Sun, 0
    s47("c", "2024-08-05", None, "2024-08-27"),  # 15
    s47("d", "2024-08-05", None, "2024-08-28"),  # 16
    s47("e", "2024-09-02", None, "2024-09-02"),  # 0
    s47("f", "2024-09-20", None, "2024-09-19"),  # ends before it starts: left out
    s47("g", "2024-09-23", None, None),  # still open
    s47("h", "2024-09-23", None, "2024-09-30"),  # ends on the snapshot: Mon -> Mon, 5
    {**s47("i", "2024-09-02", None, "2024-09-03"), "_bad_s47_end": True},  # flagged by the reader: left out
])


def test_s47_median_wd_and_15wd_pct_with_the_optional_end_date():
    median_result = run(fd.s47_median_wd, COMPLETIONS)
    assert (median_result.value, median_result.numerator) == (10, 4)  # 0, 5, 15, 16
    assert median_result.previous == 9.5  # 0, 19
    pct = run(fd.s47_15wd_pct, COMPLETIONS)
    assert (pct.value, pct.numerator, pct.denominator, pct.previous) == (0.75, 3, 4, 0.5)


def test_s47_completion_measures_blank_without_the_end_date_column():
    without_end = table("annex_a_list_5", [s47("a", "2024-09-02", "2024-09-03"), s47("b", "2024-09-23", "2024-09-30")],
                        drop=("s47_end",))
    for measure in (fd.s47_median_wd, fd.s47_15wd_pct):
        result = run(measure, without_end)
        assert result.value is None
        assert result.notes == ["Needs the column 'Section 47 Enquiry End Date' in Annex A List 5 Section 47 "
                                "enquiries and ICPCs; the export supplied has none."]
    assert run(fd.icpc_15wd_pct, without_end).value == 1.0  # the other List 5 measures are unaffected
    assert "Based on 1 of the 6 months of Apr 2024 to Sep 2024 (the inputs cover Sep 2024)." in \
        run(fd.icpc_15wd_pct, without_end).notes


# ---------------------------------------------------------------------------------------------------
# Child protection plans (List 7) and children in need (List 6)

def plan(start: str, end: str | None, previous: float | None) -> dict:
    return {"child_id": "x", "cp_start": start, "cp_end": end, "previous_plans": previous}


PLANS = table("annex_a_list_7", [
    plan("2021-05-10", None, 0),  # P1 long-running
    plan("2022-09-01", "2024-04-03", 1),  # P2 earliest closure: coverage from April 2024
    plan("2024-04-01", None, 0),  # P3 first day of YTD
    plan("2024-09-30", None, 2),  # P4 last day (open at the snapshot: started on it)
    plan("2024-06-15", "2024-08-01", 1),  # P5
    plan("2024-03-31", None, 0),  # P6 before YTD
    plan("2024-07-01", None, None),  # P7 number of previous plans blank
    plan("2024-05-01", "2024-08-31", 0),  # P8 ends on a month end: not open at 31 Aug
])


def test_cp_plans_started_ytd_with_episode_coverage():
    result = run(plans.cp_plans_started, PLANS)
    assert (result.value, result.numerator) == (5, 5)  # P3, P4, P5, P7, P8
    assert result.previous is None  # Apr-Sep 2023 is before the list's window
    assert "No previous value: the inputs do not cover Apr 2023 to Sep 2023." in result.notes
    series = months(result)
    assert series[m(2024, 3)] is None  # earliest closure 3 Apr: March not covered
    assert [series[mo] for mo in TREND[6:]] == [1, 1, 1, 1, 0, 1]


def test_cp_second_plus_pct_leaves_blank_previous_plans_out():
    result = run(plans.cp_second_plus_pct, PLANS)
    assert (result.value, result.numerator, result.denominator) == (0.5, 2, 4)  # P4, P5 of P3, P4, P5, P8
    assert "1 plan start(s) in Apr 2024 to Sep 2024 left out: Number of Previous Child Protection Plans blank." \
        in result.notes


def test_cp_open_at_each_month_end():
    result = run(plans.cp_open, PLANS)
    assert (result.value, result.previous) == (5, 4)  # 30 Sep: P1 P3 P4 P6 P7; 31 Aug: P1 P3 P6 P7
    series = months(result)
    assert [series[mo] for mo in TREND[6:]] == [3, 4, 5, 6, 4, 5]
    assert series[m(2024, 3)] is None


def test_cp_open_median_days_even_and_odd():
    result = run(plans.cp_open_median_days, PLANS)
    # 30 Sep: P4 0, P7 91, P3 182, P6 183, P1 ~1239 -> 182
    assert (result.value, result.numerator) == (182, 5)
    # 31 Aug: P7 61, P3 152, P6 153, P1 -> (152 + 153) / 2
    assert result.previous == 152.5


def test_cp_open_2yrs_pct_729_vs_730_days():
    two_years = table("annex_a_list_7", [
        plan("2022-10-01", None, 0),  # 730 days at 30 Sep 2024: more than 729
        plan("2022-10-02", None, 0),  # 729: not
        plan("2024-01-01", None, 0),
        plan("2022-01-01", "2022-10-03", 0),  # closed long ago: the list covers from Oct 2022
        plan("2024-09-25", None, 0)])  # recent: the list reaches the snapshot
    result = run(plans.cp_open_2yrs_pct, two_years)
    assert (result.numerator, result.denominator) == (1, 4)
    assert result.value == 0.25
    assert result.previous == 0.0  # at 31 Aug the oldest had 700 days (of 3 open)


def test_cin_open_and_median_days():
    cin = table("annex_a_list_6", [
        {"child_id": "c1", "cin_start": "2024-01-15", "cin_end": None},
        {"child_id": "c2", "cin_start": "2023-11-01", "cin_end": "2024-04-05"},  # earliest closure
        {"child_id": "c3", "cin_start": "2024-09-30", "cin_end": None},
        {"child_id": "c4", "cin_start": "2024-06-01", "cin_end": "2024-09-30"}])  # closes on the snapshot
    count = run(plans.cin_open, cin)
    assert (count.value, count.previous) == (2, 2)
    assert [months(count)[mo] for mo in TREND[5:]] == [None, 1, 1, 2, 2, 2, 2]
    days = run(plans.cin_open_median_days, cin)
    assert days.value == 129.5  # c1 259 days, c3 0
    assert days.previous == 160  # c1 229, c4 91


# ---------------------------------------------------------------------------------------------------
# Children in care (List 8)

def child(cid, dob, start, end=None, pstart=None, ptype=None, placements=None, missing=None, reason=None):
    return {"child_id": cid, "dob": dob, "cla_start": start, "cla_end": end, "placement_start": pstart,
            "placement_type": ptype, "placements_12m": placements, "missing_12m": missing, "reason_ceased": reason}


CHILDREN = table("annex_a_list_8", [
    child("K1", "2014-09-30", "2020-01-10", None, "2022-09-30", "U1", 1, 0),  # 10 today; placement 2 years exactly
    child("K2", "2012-10-01", "2022-03-30", None, "2022-10-01", "K2", 3, 2),  # 11 (12 tomorrow); 2y6m exactly
    child("K3", "2012-09-30", "2022-03-31", None, "2024-01-01", "R1", 2, 0),  # 12 today; 2y6m less a day
    child("K4", "2008-09-30", "2015-01-01", None, "2016-01-01", "U4", 0, None),  # 16 today
    child("K6", "2010-05-05", "2024-04-01", "2024-08-15", "2024-04-01", "A4", 1, 0, "E11"),
    child("K7", "2016-01-01", "2023-06-01", "2024-04-02", "2023-06-01", "U1", 1, 0, "E41"),
    child("K8", "2015-01-01", "2023-01-01", "2024-09-30", "2023-01-01", "U2", 1, 0, "E45"),  # ceased on snapshot
    child("K9", "2019-06-01", "2024-09-01", None, "2024-09-01", "P1", 1, 0),
    child("K10", "2013-03-03", "2024-03-31", "2024-04-01", "2024-03-31", "U1", 1, 0, "E13"),  # earliest closure
])


def test_cic_count_each_month_end():
    result = run(cic.cic_count, CHILDREN)
    assert (result.value, result.previous) == (5, 5)  # Sep: K1-K4, K9; Aug: K1-K4, K8
    series = months(result)
    assert series[m(2024, 3)] is None  # earliest closure 1 Apr: March not covered
    assert series[m(2024, 4)] == 6  # K1-K4, K6, K8 (K7 and K10 have ceased)


def test_episode_list_reaches_the_snapshot_by_any_recorded_date():
    # Starts and closures all months old, but a visit 7 days before the snapshot shows the extraction
    # is current; 8 days before, it is not.
    def children(visit: str) -> ExportTable:
        return table("annex_a_list_8", [
            {**child("a", "2015-01-01", "2020-01-01", None, "2020-01-01", "U1", 1, 0), "last_visit": visit},
            {**child("b", "2015-01-01", "2020-01-01", "2023-06-01", "2020-01-01", "U1", 1, 0), "last_visit": None}])
    assert run(cic.cic_count, children("2024-09-23")).value == 1
    assert run(cic.cic_count, children("2024-09-22")).value is None


def test_cic_foster_pct_and_as_at_extraction_previous():
    result = run(cic.cic_foster_pct, CHILDREN)
    assert (result.value, result.numerator, result.denominator) == (0.4, 2, 5)  # K1 U1, K4 U4
    assert result.previous is None
    assert "No previous value: List 8 placement details describe each child as at extraction." in result.notes


def test_cic_residential_under12_age_on_the_birthday():
    result = run(cic.cic_residential_under12, CHILDREN)
    assert result.value == 1  # K2 (11) in K2; K3 in R1 turned 12 on the snapshot
    assert result.previous is None


def test_cic_3plus_placements_and_missing_pct():
    assert run(cic.cic_3plus_placements_pct, CHILDREN).value == 0.2  # K2 of 5
    missing = run(cic.cic_missing_pct, CHILDREN)
    assert (missing.value, missing.numerator, missing.denominator) == (0.2, 1, 5)  # K2; K4's blank is none


def test_cic_long_term_stability_edges():
    result = run(cic.cic_long_term_stability_pct, CHILDREN)
    # Eligible: K1 and K2 (K3 looked after a day short of 2y6m, K4 is 16); K1's placement is exactly
    # 2 years old, K2's a day short.
    assert (result.value, result.numerator, result.denominator) == (0.5, 1, 2)
    foster = run(cic.cic_long_term_foster_same_carer_pct, CHILDREN)
    assert (foster.value, foster.numerator, foster.denominator) == (1.0, 1, 1)  # K1 only (K2 is in K2)


def test_long_term_stability_offsets_clamp_to_month_end():
    # Snapshot 31 Aug 2024: 2y6m before is 28 Feb 2022 (31 Feb clamps), 2 years before 31 Aug 2022.
    aug = Period(date(2024, 8, 1))
    children = table("annex_a_list_8", [
        child("a", "2015-01-01", "2022-02-28", None, "2022-08-31", "U1", 1, 0),
        child("b", "2015-01-01", "2022-03-01", None, "2022-08-31", "U1", 1, 0)])
    result = run(cic.cic_long_term_stability_pct, children, period=aug)
    assert (result.numerator, result.denominator) == (1, 1)


def test_cic_ceased_adoption_and_sgo_cao_ytd():
    adoption = run(cic.cic_ceased_adoption, CHILDREN)
    assert adoption.value == 1  # K6 E11
    sgo = run(cic.cic_ceased_sgo_cao, CHILDREN)
    assert sgo.value == 2  # K7 E41 (2 Apr), K8 E45 (30 Sep)
    assert sgo.previous is None and "No previous value: the inputs do not cover Apr 2023 to Sep 2023." in sgo.notes


def test_cic_optional_columns_missing_blank_only_that_measure():
    without = table("annex_a_list_8", [child("K1", "2014-09-30", "2020-01-10", None, "2022-09-30", "U1", 1, 0)],
                    drop=("missing_12m", "reason_ceased"))
    missing = run(cic.cic_missing_pct, without)
    assert missing.value is None and "Number of Episodes the Child has been 'Missing'" in missing.notes[0]
    assert "Reason Ceased to be Looked After" in run(cic.cic_ceased_adoption, without).notes[0]
    assert run(cic.cic_foster_pct, without).value == 1.0


def test_bad_dob_is_left_out_of_age_measures():
    children = table("annex_a_list_8", [
        {**child("a", "2014-01-01", "2020-01-01", None, "2020-01-01", "K2", 1, 0), "_bad_dob": True},
        {**child("b", "2014-01-01", "2020-01-01", None, "2020-01-01", "K2", 1, 0), "_bad_dob": False}])
    result = run(cic.cic_residential_under12, children)
    assert result.value == 1
    assert "1 child(ren) left out: no usable date of birth." in result.notes


# ---------------------------------------------------------------------------------------------------
# Adoption (List 10)

def waiting(cid: str, order: str, placed: str | None = None, no_longer: str | None = None) -> dict:
    return {"child_id": cid, "placement_order": order, "placed_for_adoption": placed, "no_longer_decision": no_longer}


ADOPTION = table("annex_a_list_10", [
    waiting("A1", "2024-01-10"),
    waiting("A2", "2024-09-30"),  # order on the snapshot: waiting, 0 days
    waiting("A3", "2023-12-01", placed="2024-09-30"),  # placed on the snapshot: no longer waiting
    waiting("A4", "2024-02-01", no_longer="2024-09-01"),  # decision no longer to place: not waiting in Sep
    waiting("A5", "2024-10-01"),  # order after the snapshot
    waiting("A6", "2024-03-01", placed="2024-10-05"),  # placed after the snapshot: still waiting
])


def test_adoption_waiting_and_median_days():
    count = run(cic.adoption_waiting, ADOPTION)
    assert (count.value, count.previous) == (3, 4)  # Sep: A1 A2 A6; Aug: A1 A3 A4 A6
    days = run(cic.adoption_waiting_median_days, ADOPTION)
    assert (days.value, days.numerator) == (213, 3)  # 0, 213, 264
    assert days.previous == 223  # 183, 212, 234, 274 -> (212 + 234) / 2


# ---------------------------------------------------------------------------------------------------
# Care leavers (List 9)

def leaver(cid, dob, activity, in_touch, suitable):
    return {"child_id": cid, "dob": dob, "activity": activity, "in_touch": in_touch,
            "accommodation_suitable": suitable}


LEAVERS = table("annex_a_list_9", [
    leaver("L1", "2007-09-30", "F1", "Yes", "Suitable"),  # 17 today
    leaver("L2", "2007-10-01", "F1", "Yes", "Suitable"),  # 16: out of every group
    leaver("L3", "2005-10-01", "G4", "No", "Unsuitable"),  # 18 (19 tomorrow)
    leaver("L4", "2005-09-30", "P1", "NREQ", "Suitable"),  # 19 today
    leaver("L5", "2003-09-30", None, "Died", None),  # 21
    leaver("L6", "2002-09-30", "F1", "Yes", "Suitable"),  # 22: out
    leaver("L7", "2004-02-29", "F2", "Yes", "Suitable"),  # 20
])


def test_care_leavers_eet_by_age_band():
    young = run(cl.care_leavers_eet_17_18_pct, LEAVERS)
    assert (young.value, young.numerator, young.denominator) == (0.5, 1, 2)  # L1 F1 of L1, L3
    older = run(cl.care_leavers_eet_19_21_pct, LEAVERS)
    assert (older.numerator, older.denominator) == (2, 3)  # L4 P1, L7 F2; L5 blank is not EET
    assert older.previous is None
    assert "No previous value: List 9 describes care leavers as at extraction." in older.notes


def test_care_leavers_in_touch_and_suitable_accommodation():
    touch = run(cl.care_leavers_in_touch_pct, LEAVERS)
    assert (touch.numerator, touch.denominator) == (2, 3)  # L1, L7 of L1, L3, L7 (NREQ and Died out)
    suitable = run(cl.care_leavers_suitable_accommodation_pct, LEAVERS)
    assert (suitable.value, suitable.numerator, suitable.denominator) == (0.75, 3, 4)  # L5 blank not recorded


def test_care_leaver_born_29_february_turns_17_on_1_march():
    leap = table("annex_a_list_9", [leaver("L", "2008-02-29", "F1", "Yes", "Suitable")])
    february = run(cl.care_leavers_eet_17_18_pct, leap, period=Period(date(2025, 2, 1)))
    assert february.value is None and "No value: no care leavers aged 17-18." in february.notes
    march = run(cl.care_leavers_eet_17_18_pct, leap, period=Period(date(2025, 3, 1)))
    assert march.value == 1.0


def test_care_leaver_optional_column_missing():
    without = table("annex_a_list_9", [leaver("L1", "2007-09-30", "F1", "Yes", "Suitable")],
                    drop=("accommodation_suitable",))
    result = run(cl.care_leavers_suitable_accommodation_pct, without)
    assert result.value is None and "'Suitability of Accommodation'" in result.notes[0]
    assert run(cl.care_leavers_in_touch_pct, without).value == 1.0


# ---------------------------------------------------------------------------------------------------
# All measures together

NEEDS = {
    "contacts": "List 1", "referrals": "List 3", "assessments_completed": "List 4", "assessments_45wd_pct": "List 4",
    "assessment_median_wd": "List 4", "s47_started": "List 5", "s47_rate_per_10k": "List 5",
    "referral_to_s47_median_days": "List 3", "icpc_15wd_pct": "List 5", "icpc_15wd_new_referral_pct": "List 7",
    "s47_median_wd": "List 5", "s47_15wd_pct": "List 5", "cp_plans_started": "List 7",
    "cp_second_plus_pct": "List 7", "cp_open": "List 7", "cp_open_median_days": "List 7",
    "cp_open_2yrs_pct": "List 7", "cin_open": "List 6", "cin_open_median_days": "List 6", "cic_count": "List 8",
    "cic_foster_pct": "List 8", "cic_residential_under12": "List 8", "cic_3plus_placements_pct": "List 8",
    "cic_long_term_stability_pct": "List 8", "cic_long_term_foster_same_carer_pct": "List 8",
    "cic_missing_pct": "List 8", "cic_ceased_adoption": "List 8", "cic_ceased_sgo_cao": "List 8",
    "adoption_waiting": "List 10", "adoption_waiting_median_days": "List 10",
    "care_leavers_eet_17_18_pct": "List 9", "care_leavers_eet_19_21_pct": "List 9",
    "care_leavers_in_touch_pct": "List 9", "care_leavers_suitable_accommodation_pct": "List 9",
}


def test_every_measure_with_no_inputs_is_blank_with_a_note_naming_the_list():
    results = kpi_figures(ExportRecords(), SEP_2024, Settings(population_0_17=50_000))
    assert [r.kpi_id for r in results] == list(NEEDS)
    for r in results:
        assert r.value is None and r.previous is None, r.kpi_id
        assert any(f"Needs Annex A {NEEDS[r.kpi_id]} (" in n for n in r.notes), (r.kpi_id, r.notes)
        assert (len(r.monthly) == 12) == (r.kpi_id in MONTHLY_KPIS), r.kpi_id


def test_kpi_figures_runs_every_measure_on_full_inputs_with_custom_bank_holidays():
    records = ExportRecords({t.kind: t for t in (ASSESSMENTS, PLANS, CHILDREN, ADOPTION, LEAVERS, COMPLETIONS)})
    results = {r.kpi_id: r for r in kpi_figures(records, SEP_2024, Settings(population_0_17=10_000))}
    assert set(results) == set(KPI_MEASURES)
    assert results["cic_count"].value == 5
    assert results["s47_15wd_pct"].value == 0.75
    # With 3 Sep 2024 declared a holiday, the 3 Sep authorisation takes 44 working days and 4 Sep 45.
    extra = (*shipped_bank_holidays(), date(2024, 9, 3))
    shifted = {r.kpi_id: r for r in kpi_figures(records, SEP_2024, Settings(), bank_holidays=extra)}
    assert shifted["assessments_45wd_pct"].value == 1.0


def test_map_unique_converts_each_distinct_value_once_and_keeps_blanks_blank():
    from pqa_desktop.core.measures.kpi_support import map_unique

    calls = []

    def convert(value):
        calls.append(value)
        return None if value is None else f"<{str(value).strip()}>"

    series = pd.Series([" a", "b", " a", None, float("nan"), "b", 7, 7.0], index=range(10, 18), dtype=object)
    out = map_unique(series, convert)
    assert list(out) == ["<a>", "<b>", "<a>", None, None, "<b>", "<7>", "<7>"]
    assert list(out.index) == list(range(10, 18))
    assert len(calls) == 4  # " a", "b", 7 (7.0 is the same value) and one call for blanks
