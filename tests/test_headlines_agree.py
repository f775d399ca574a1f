"""Every Summary headline says exactly what it counts and equals the cell (or cells) it summarises.

Read back from real workbooks: the demo, and the same inputs without the workforce and fostering lists.
A label names what it counts in the words the sheets use (audit types as the Audit activity sheet's rows
name them), so a headline counting thematic and collaborative audits cannot sit under a label that the
"Case file audit" rows contradict.
"""
from __future__ import annotations

import re

import openpyxl
import pytest

from pqa_desktop.core.measures.kpi_catalogue import measure_specs
from pqa_desktop.core.measures.kpi_table import headline_label

NOTE_REF = re.compile(r"\s*\[note \d+\]")
CASE_FILE_TYPES = "case file, thematic and collaborative audits"  # what the overall-judgement tables cover


@pytest.fixture(scope="module")
def demo(shared_demo):
    return openpyxl.load_workbook(shared_demo())  # the demo workbook, built once per run (conftest.py)


def table(wb, name) -> list[dict]:
    for ws in wb.worksheets:
        if name in ws.tables:
            rows = [[c.value for c in row] for row in ws[ws.tables[name].ref]]
            return [dict(zip(rows[0], r)) for r in rows[1:]]
    raise AssertionError(f"no {name}")


def _types_counted(label: str) -> set[str]:
    """"Case file, thematic and collaborative audits completed (year to date)" -> the Audit activity
    sheet's audit types it names."""
    words = label.split(" audits completed")[0]
    parts = re.split(r", | and ", words)
    return {f"{p[0].upper()}{p[1:]} audit" for p in parts}


def _share(rows, grades, total="Total"):
    den = sum(r[total] or 0 for r in rows)
    return sum(sum(r[g] or 0 for g in grades) for r in rows) / den if den else None


def check_headlines(wb) -> int:
    headlines = table(wb, "tbl_headlines")
    activity = table(wb, "tbl_audit_activity")
    by_service = table(wb, "tbl_overall_by_service")
    kpis = {r["KPI id"]: r for r in table(wb, "tbl_kpis")}
    kpi_by_label = {headline_label(spec): spec.id for spec in measure_specs()}
    checked = 0
    for h in headlines:
        label = NOTE_REF.sub("", h["Measure"])
        if " audits completed (year to date)" in label:
            types = _types_counted(label)
            assert types <= {r["Audit type"] for r in activity} | types  # names real audit types
            expected = sum(r["Year to date"] for r in activity if r["Audit type"] in types)
        elif label.startswith("Good or better overall judgements"):
            assert f"({CASE_FILE_TYPES}, year to date)" in label, label
            expected = _share(by_service, ("Outstanding", "Good"))
        elif label.startswith("Inadequate overall judgements"):
            assert f"({CASE_FILE_TYPES}, year to date)" in label, label
            expected = _share(by_service, ("Inadequate",))
        elif label.startswith("Compliance with practice standards"):
            assert f"({CASE_FILE_TYPES}, year to date)" in label, label
            rows = table(wb, "tbl_compliance")
            answered = sum(r["Yes"] + r["No"] for r in rows)
            expected = sum(r["Yes"] for r in rows) / answered if answered else None
        elif label.startswith("Moderation agreement"):
            assert "(case file and foster carer audits, year to date)" in label, label
            expected = table(wb, "tbl_moderation")[0]["Agreement %"]
        else:
            kpi = kpis[kpi_by_label[label]]
            for column in ("Previous", "Change", "Target", "England", "Status"):
                assert h[column] == pytest.approx(kpi[column]) if isinstance(kpi[column], float) \
                    else h[column] == kpi[column], (label, column)
            expected = kpi["Value"]
        if expected is None:
            assert h["Value"] is None, label
        else:
            assert h["Value"] == pytest.approx(expected), label
        checked += 1
    return checked


def test_every_demo_headline_equals_the_cells_it_summarises(demo):
    assert check_headlines(demo) == len(table(demo, "tbl_headlines")) >= 13


def test_the_audit_count_headline_counts_what_its_label_names(demo):
    """The demo has thematic and collaborative audits this year: the count headline includes them, and its
    label says so; the Audit activity sheet's Case file audit rows alone are fewer."""
    headlines = {NOTE_REF.sub("", h["Measure"]): h["Value"] for h in table(demo, "tbl_headlines")}
    activity = table(demo, "tbl_audit_activity")
    case_file_only = sum(r["Year to date"] for r in activity if r["Audit type"] == "Case file audit")
    all_kinds = sum(r["Year to date"] for r in activity
                    if r["Audit type"] in ("Case file audit", "Thematic audit", "Collaborative audit"))
    assert case_file_only < all_kinds
    assert headlines["Case file, thematic and collaborative audits completed (year to date)"] == all_kinds


def test_figures_shown_in_two_places_are_the_same_figure(demo):
    kpis = {r["KPI id"]: r for r in table(demo, "tbl_kpis")}
    starters_leavers = {r["Period"]: r for r in table(demo, "tbl_starters_leavers")}
    assert starters_leavers["Last 6 months"]["Starters"] == kpis["starters_6m"]["Value"]
    assert starters_leavers["Previous 6 months"]["Starters"] == kpis["starters_6m"]["Previous"]
    assert starters_leavers["Last 6 months"]["Leavers"] == kpis["leavers_6m"]["Value"]
    assert starters_leavers["Previous 6 months"]["Leavers"] == kpis["leavers_6m"]["Previous"]
    for row in table(demo, "tbl_continuity"):
        kpi = kpis[row["KPI id"]]
        assert (row["Children"], row["Same worker"]) == (kpi["Denominator"], kpi["Numerator"])
        assert row["Same worker %"] == pytest.approx(kpi["Value"])
    caseloads = table(demo, "tbl_caseloads")
    children = sum(r["Children allocated"] for r in caseloads)
    fte = sum(r["Case-holding FTE"] for r in caseloads)
    assert (children, fte) == (pytest.approx(kpis["caseload_avg"]["Numerator"]),
                               pytest.approx(kpis["caseload_avg"]["Denominator"]))
    placements = {r["Placement type"]: r for r in table(demo, "tbl_placement_types")}
    assert placements["Foster placement"]["Children"] == kpis["cic_foster_pct"]["Numerator"]
    assert placements["Foster placement"]["Share %"] == pytest.approx(kpis["cic_foster_pct"]["Value"])
    assert sum(r["Children"] for r in placements.values()) == kpis["cic_count"]["Value"]
    moderation = table(demo, "tbl_moderation")[0]
    assert moderation["Agreement %"] == pytest.approx(
        (moderation["Audits moderated"] - moderation["Grade changed"]) / moderation["Audits moderated"])
