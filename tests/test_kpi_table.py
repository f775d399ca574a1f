"""tbl_kpis / tbl_kpi_monthly assembly, targets and status, benchmarks, and the Summary KPI headlines."""
from __future__ import annotations

import csv
from datetime import date

import pandas as pd
import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.exports.model import ExportRecords
from pqa_desktop.core.measures.kpi_catalogue import measure_specs
from pqa_desktop.core.measures.kpi_result import KpiResult, MonthlyPoint
from pqa_desktop.core.measures.kpi_table import (KPI_COLUMNS, MONTHLY_COLUMNS, NOT_COMPUTED, kpi_headlines,
                                                 kpi_tables, shipped_benchmarks)
from pqa_desktop.core.measures.kpis import MONTHLY_KPIS, kpi_figures
from pqa_desktop.core.resources import resource
from pqa_desktop.core.settings import MeasureTarget, Settings

SEP_2024 = Period(date(2024, 9, 1))


def row(table: pd.DataFrame, kpi_id: str) -> dict:
    found = table[table["KPI id"] == kpi_id]
    assert len(found) == 1
    return found.iloc[0].to_dict()


def test_one_row_per_measure_id_in_measures_toml_order():
    results = [KpiResult("cic_count", value=5, previous=4, numerator=5)]
    kpis, monthly = kpi_tables(results, SEP_2024, Settings())
    assert list(kpis.columns) == KPI_COLUMNS and list(monthly.columns) == MONTHLY_COLUMNS
    ids = [s.id for s in measure_specs()]
    assert kpis["KPI id"].tolist() == ids
    assert "caseload_avg" in ids and "foster_households" in ids  # workforce and fostering included
    blank = row(kpis, "caseload_avg")
    assert blank["Value"] is None and blank["Status"] == "No data"
    assert blank["Note"].endswith(NOT_COMPUTED)
    counted = row(kpis, "cic_count")
    assert (counted["Value"], counted["Previous"], counted["Change"], counted["Numerator"]) == (5, 4, 1, 5)
    assert isinstance(counted["Value"], int) and counted["Denominator"] is None
    assert (counted["KPI"], counted["Window"], counted["Unit"]) == ("Children in care", "Snapshot", "count")


def test_change_of_a_percentage_is_in_points_and_note_joins_definition_and_notes():
    results = [KpiResult("assessments_45wd_pct", value=0.69, previous=0.66, numerator=69, denominator=100,
                         notes=["Based on 2 of the 3 months."])]
    r = row(kpi_tables(results, SEP_2024, Settings())[0], "assessments_45wd_pct")
    assert r["Change"] == pytest.approx(3.0)
    assert r["Note"].startswith("DfE children in need census definition")
    assert r["Note"].endswith(" Based on 2 of the 3 months.")
    assert (r["Numerator"], r["Denominator"]) == (69, 100)


@pytest.mark.parametrize("kpi_id, value, target, higher, expected", [
    ("assessments_45wd_pct", 0.85, 0.80, True, "Meets target"),
    ("assessments_45wd_pct", 0.80, 0.80, True, "Meets target"),  # equal meets
    ("assessments_45wd_pct", 0.75, 0.80, True, "Below target"),
    ("cp_second_plus_pct", 0.10, 0.20, False, "Meets target"),  # lower is better
    ("cp_second_plus_pct", 0.20, 0.20, False, "Meets target"),
    ("cp_second_plus_pct", 0.30, 0.20, False, "Below target"),
    ("assessments_45wd_pct", None, 0.80, True, "No data"),
    ("assessments_45wd_pct", 0.75, None, True, "No target"),
])
def test_status_with_both_polarities(kpi_id, value, target, higher, expected):
    settings = Settings(targets={kpi_id: MeasureTarget(target=target, higher_is_better=higher)})
    r = row(kpi_tables([KpiResult(kpi_id, value=value)], SEP_2024, settings)[0], kpi_id)
    assert r["Status"] == expected


def test_percentage_target_written_as_shown_is_read_as_a_fraction():
    settings = Settings(targets={"icpc_15wd_pct": MeasureTarget(target=85, higher_is_better=True)})
    r = row(kpi_tables([KpiResult("icpc_15wd_pct", value=0.84)], SEP_2024, settings)[0], "icpc_15wd_pct")
    assert r["Target"] == 0.85 and r["Status"] == "Below target"


def test_zero_denominator_percentage_has_blank_numerator_and_denominator():
    results = [KpiResult("cic_foster_pct", value=None, numerator=0, denominator=0, notes=["No value: none."])]
    r = row(kpi_tables(results, SEP_2024, Settings())[0], "cic_foster_pct")
    assert (r["Value"], r["Numerator"], r["Denominator"], r["Status"]) == (None, None, None, "No data")


def test_shipped_england_benchmarks_with_release_and_year():
    with open(resource("benchmarks.csv"), encoding="utf-8-sig", newline="") as fh:
        shipped = list(csv.DictReader(fh))
    assert list(shipped[0]) == ["KPI id", "Comparator", "Value", "Period", "Source"]
    assert all(r["Period"] and r["Source"].startswith("DfE") for r in shipped)
    values = {r["KPI id"]: float(r["Value"]) for r in shipped if r["Comparator"] == "England"}
    assert values == {"assessments_45wd_pct": 84.5, "icpc_15wd_pct": 79.7, "cic_foster_pct": 67,
                      "cic_long_term_stability_pct": 68, "care_leavers_eet_19_21_pct": 54, "agency_rate_pct": 16.2,
                      "turnover_pct": 13.8, "caseload_avg": 15.4}
    assert len(shipped_benchmarks()) == len(shipped)
    kpis = kpi_tables([], SEP_2024, Settings())[0]
    assert row(kpis, "assessments_45wd_pct")["England"] == pytest.approx(0.845)
    assert row(kpis, "caseload_avg")["England"] == 15.4  # not a percentage: as written
    assert row(kpis, "icpc_15wd_pct")["Benchmark source"] == (
        "England: DfE, Children in need statistics (reporting year 2024) (2023-24)")


def test_user_benchmarks_add_neighbours_and_region_and_replace_england():
    user = pd.DataFrame({"kpi_id": ["assessments_45wd_pct", "assessments_45wd_pct", "assessments_45wd_pct"],
                         "comparator": ["Statistical neighbours", "Region", "England"],
                         "value": [86.1, 0.872, 85.0], "period": ["2023-24"] * 3,
                         "source": ["LAIT", "LAIT", "DfE CIN 2025"]})
    r = row(kpi_tables([], SEP_2024, Settings(), user)[0], "assessments_45wd_pct")
    assert (r["England"], r["Statistical neighbours"], r["Region"]) == (pytest.approx(0.85), pytest.approx(0.861),
                                                                        pytest.approx(0.872))
    # comparators sharing a source are named together
    assert r["Benchmark source"] == "England: DfE CIN 2025 (2023-24); Statistical neighbours, Region: LAIT (2023-24)"


def test_monthly_table_has_every_trend_month_for_every_monthly_measure():
    points = [MonthlyPoint(date(2024, 8, 1), 0.5, 1, 2), MonthlyPoint(date(2024, 9, 1), None)]
    results = [KpiResult("icpc_15wd_pct", value=0.5, monthly=points)]
    monthly = kpi_tables(results, SEP_2024, Settings())[1]
    monthly_ids = [s.id for s in measure_specs() if s.id in MONTHLY_KPIS]
    assert monthly["KPI id"].drop_duplicates().tolist() == monthly_ids
    assert len(monthly) == 12 * len(monthly_ids)
    icpc = monthly[monthly["KPI id"] == "icpc_15wd_pct"]
    assert icpc["Month"].tolist() == SEP_2024.trend_months
    aug = icpc[icpc["Month"] == date(2024, 8, 1)].iloc[0]
    assert (aug["Value"], aug["Numerator"], aug["Denominator"]) == (0.5, 1, 2)
    assert icpc["Value"].isna().sum() == 11  # every other month blank, never 0


def test_headlines_for_the_summary():
    results = [KpiResult("assessments_45wd_pct", value=0.83, previous=0.80),
               KpiResult("s47_rate_per_10k", value=150.25), KpiResult("cic_count", value=200, previous=190)]
    settings = Settings(targets={"assessments_45wd_pct": MeasureTarget(0.85, True)})
    headlines = kpi_headlines(results, SEP_2024, settings)
    assert [h.measure for h in headlines] == [
        "Assessments completed within 45 working days (last 3 months)",
        "Section 47 enquiries per 10,000 children (annualised, last 12 months)",
        "ICPCs held within 15 working days of the strategy discussion (year to date)",
        "Children on a child protection plan", "Children in care", "Children in care in foster placements",
        "Care leavers aged 19-21 in education, employment or training"]
    first = headlines[0]
    assert (first.value, first.unit, first.target, first.england, first.status) == (
        0.83, "percent", 0.85, pytest.approx(0.845), "Below target")
    assert first.change == pytest.approx(3.0)
    assert headlines[1].unit == "number" and headlines[4].change == 10
    assert headlines[2].status == "No data"


def test_end_to_end_from_no_inputs():
    results = kpi_figures(ExportRecords(), SEP_2024, Settings())
    kpis, monthly = kpi_tables(results, SEP_2024, Settings())
    assert len(kpis) == len(measure_specs())
    assert row(kpis, "contacts")["Note"].endswith("Needs Annex A List 1 (contacts).")
    assert monthly["Value"].isna().all()
