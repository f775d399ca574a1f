"""`pqa build` on system exports: the shared Annex A sample read whole, and the demo filling every measure.

Row counts of the shared sample are counted here with openpyxl (independently of the reader).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from pqa_desktop.cli import main
from pqa_desktop.core.measures.kpi_catalogue import measure_specs
from tests.shared_paths import shared_file


def _table(wb, name):
    for ws in wb.worksheets:
        if name in ws.tables:
            rows = [[c.value for c in r] for r in ws[ws.tables[name].ref]]
            return [dict(zip(rows[0], r)) for r in rows[1:]]
    raise AssertionError(f"{name} missing")


def _data_rows(ws) -> int:
    """Rows below the header that hold any value (the sample has no title rows)."""
    return sum(1 for row in ws.iter_rows(min_row=2, values_only=True) if any(v not in (None, "") for v in row))


def test_shared_annex_a_sample_read_whole(tmp_path):
    sample = shared_file("samples", "annex-a-2024", "Annex_A_2024_Jan.xlsx")
    out = tmp_path / "annex.xlsx"
    assert main(["build", str(sample), "-o", str(out), "--period-end", "2024-01", "--produced", "2024-02-05"]) == 0
    wb = load_workbook(out)
    coverage = _table(wb, "tbl_coverage")
    kinds = {row["Kind"]: row["Rows"] for row in coverage}
    expected_kinds = {f"Annex A List {n}" for n in range(1, 12)}
    assert {" ".join(k.split()[:4]) for k in kinds} == expected_kinds
    source = load_workbook(sample)
    sheet_rows = sorted(_data_rows(ws) for ws in source.worksheets)
    assert sorted(kinds.values()) == sheet_rows  # every row of every list counted
    errors = [r for r in _table(wb, "tbl_data_quality") if r["Severity"] == "Error"]
    assert not errors, errors


@pytest.fixture(scope="module")
def demo(shared_demo):
    return load_workbook(shared_demo())  # the demo workbook, built once per run (conftest.py)


def test_demo_gives_every_measure_a_value(demo):
    kpis = _table(demo, "tbl_kpis")
    assert [r["KPI id"] for r in kpis] == [s.id for s in measure_specs()]
    blank = [r["KPI id"] for r in kpis if r["Value"] is None]
    assert not blank, blank
    for r in kpis:
        assert r["Note"].startswith("[note "), r["KPI id"]


def test_demo_reference_figures_are_in_range(demo):
    by_id = {r["KPI id"]: r for r in _table(demo, "tbl_kpis")}
    # the figures the reference report quotes, from the fictional council's exports
    assert 0.78 <= by_id["assessments_45wd_pct"]["Value"] <= 0.88
    assert 10 <= by_id["s47_median_wd"]["Value"] <= 16
    assert 0.85 <= by_id["icpc_15wd_pct"]["Value"] <= 0.97
    assert 0.6 <= by_id["cic_foster_pct"]["Value"] <= 0.8
    assert 0.35 <= by_id["agency_rate_pct"]["Value"] <= 0.5
    assert by_id["assessments_45wd_pct"]["England"] == pytest.approx(0.845)
    caseloads = {r["Service area"]: r for r in _table(demo, "tbl_caseloads")}
    assert caseloads["Family Safeguarding"]["Status"] == "Above threshold"


def test_demo_fills_every_sheet(demo):
    for ws in demo.worksheets:
        texts = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
        assert len(texts) > 5, ws.title
    for name in ("tbl_caseloads", "tbl_caseloads_experience", "tbl_starters_leavers", "tbl_continuity",
                 "tbl_placement_types", "tbl_kpi_monthly", "tbl_coverage"):
        rows = _table(demo, name)
        assert rows and rows[0][next(iter(rows[0]))] != "No data", name
