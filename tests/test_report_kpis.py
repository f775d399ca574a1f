"""The KPI section sheets (scorecards, sparklines, line charts), Workforce, Fostering and the KPIs and KPI
monthly data sheets, written from a full synthetic Figures, read back with openpyxl and as chart and sheet
XML (contract: report-workbook.md, 2nd version)."""
from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pqa_desktop.core.measures.audits import HEADLINE_GOOD_OR_BETTER
from pqa_desktop.core.measures.kpi_catalogue import measure_specs
from pqa_desktop.core.messages.key_messages import draft_messages
from pqa_desktop.core.report import write_workbook
from tests import report_fixtures as fx
from tests import workbook_checks as checks
from tests.shared_paths import shared_file

KPI_SHEET_SECTIONS = ("Identification of harm", "Assessment", "Child protection", "Plans and children in care",
                      "Care leavers")


def _write(path: Path, figures) -> Path:
    write_workbook(path, figures, fx.context(messages=draft_messages(figures), missing_inputs={}))
    return path


@pytest.fixture(scope="module")
def kpi_figures():
    figures = fx.kpi_figures()
    # Two more monthly series: a child protection plan count (Plans section in measures.toml) and a
    # workforce measure, charted on the Workforce sheet.
    monthly = figures.tables["tbl_kpi_monthly"]
    extra = [["cp_open", m, 190 + i, 190 + i, None] for i, m in enumerate(fx.MONTHS)]
    extra += [["agency_rate_pct", m, 0.35 + i / 200, None, None] for i, m in enumerate(fx.MONTHS)]
    figures.tables["tbl_kpi_monthly"] = pd.concat(
        [monthly, pd.DataFrame(extra, columns=monthly.columns, dtype=object)], ignore_index=True)
    return figures


@pytest.fixture(scope="module")
def book(tmp_path_factory, kpi_figures) -> Path:
    return _write(tmp_path_factory.mktemp("kpis") / "report.xlsx", kpi_figures)


@pytest.fixture(scope="module")
def audit_only_book(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("audit") / "report.xlsx", fx.audit_figures())


def table_rows(ws, name: str) -> list[list]:
    return [list(r) for r in ws[ws.tables[name].ref]]


def column(ws, table: str, header: str) -> list:
    rows = table_rows(ws, table)
    k = [c.value for c in rows[0]].index(header)
    return [r[k] for r in rows[1:]]


def chart_title(chart) -> str:
    return "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))


def series_names(chart) -> list[str]:
    return [s.tx.v if s.tx.v is not None else s.tx.strRef.f for s in chart.series]


def section_charts(wb) -> dict[str, str]:
    """Chart title -> the sheet it is on, for every line chart of the workbook."""
    return {chart_title(c): ws.title for ws in wb.worksheets for c in ws._charts if c.tagname == "lineChart"}


# ------------------------------------------------------------------------------------------- tables
def test_tbl_kpis_one_row_per_measure_id_in_order_with_exact_headers(book):
    ws = openpyxl.load_workbook(book)["KPIs"]
    rows = table_rows(ws, "tbl_kpis")
    assert [c.value for c in rows[0]] == [
        "KPI id", "KPI", "Section", "Window", "Value", "Previous", "Change", "Better or worse", "Numerator",
        "Denominator", "Unit", "Target", "England", "Statistical neighbours", "Region", "Benchmark source", "Status",
        "Note"]
    assert [r[0].value for r in rows[1:]] == [s.id for s in measure_specs()]
    assert len(rows) - 1 == 45
    assert [r[2].value for r in rows[1:]] == [s.section for s in measure_specs()]


def test_scorecards_are_their_sections_rows_of_tbl_kpis_with_sparklines(book):
    """Each section's scorecard holds its rows of tbl_kpis, same order, same values (notes included); a
    column sparkline beside every row with a covered month, drawn from tbl_kpi_monthly; none beside the
    others. (checks.problems reads the sheet XML for the sparklines.)"""
    assert checks.problems(book) == []
    wb = checks.load(book)
    kpis = checks.table_dicts(wb["KPIs"], "tbl_kpis")
    for sheet, table in checks.SCORECARDS.items():
        card = checks.table_dicts(wb[sheet], table)
        assert [r["KPI id"] for r in card] == [k["KPI id"] for k in kpis if k["Section"] == sheet], sheet
    assessment = checks.table_dicts(wb["Assessment"], "tbl_kpis_assessment")[1]
    assert (assessment["KPI id"], assessment["Better or worse"], assessment["Status"]) == (
        "assessments_45wd_pct", "Better", "Below target")  # 83% up from 78%: higher is better
    plans = wb["Plans and children in care"]
    c0, r0, c1, _ = openpyxl.utils.cell.range_boundaries(plans.tables["tbl_kpis_plans_cic"].ref)
    with_series = [f"{openpyxl.utils.get_column_letter(c1 + 1)}{r0 + 1 + i}"
                   for i, r in enumerate(checks.table_dicts(plans, "tbl_kpis_plans_cic"))
                   if r["KPI id"] in ("cp_open", "cic_count")]  # the plans section's monthly series
    assert sorted(checks.sparklines(checks.sheet_parts(book)["Plans and children in care"])) == with_series


def test_sparklines_of_the_summary_headlines(book):
    wb = checks.load(book)
    headlines = checks.table_dicts(wb["Summary"], "tbl_headlines")
    lines = checks.sparklines(checks.sheet_parts(book)["Summary"])
    by_row = {int(cell[1:]): ref for cell, (ref, kind) in lines.items()}
    header_row = openpyxl.utils.cell.range_boundaries(wb["Summary"].tables["tbl_headlines"].ref)[1]
    rows = {h["Measure"]: header_row + 1 + i for i, h in enumerate(headlines)}
    by_month = openpyxl.utils.cell.range_boundaries(wb["Overall judgements"].tables["tbl_overall_by_month"].ref)
    # The share judged good or better, month by month: tbl_overall_by_month's Good or better % column.
    assert by_row[rows[HEADLINE_GOOD_OR_BETTER]] == (
        f"'Overall judgements'!{openpyxl.utils.get_column_letter(by_month[2])}{by_month[1] + 1}:"
        f"{openpyxl.utils.get_column_letter(by_month[2])}{by_month[3]}")
    assert by_row[rows["Assessments completed within 45 working days (last 3 months)"]].startswith("'KPI monthly'!")
    assert rows["Section 47 enquiries per 10,000 children (annualised, last 12 months)"] not in by_row  # no series
    assert rows["Audits completed (year to date)"] not in by_row


def test_workforce_and_fostering_tables_with_contract_headers(book):
    wb = openpyxl.load_workbook(book)
    expected = {
        ("Workforce", "tbl_caseloads"): ["Service area", "Case-holding FTE", "Children allocated",
                                         "Average caseload", "Agency %", "Threshold", "Status"],
        ("Workforce", "tbl_caseloads_experience"): ["Group", "Case-holding FTE", "Children allocated",
                                                    "Average caseload"],
        ("Workforce", "tbl_starters_leavers"): ["Period", "Starters", "Leavers"],
        ("Workforce", "tbl_continuity"): ["KPI id", "Children", "Same worker", "Same worker %"],
        ("Fostering", "tbl_placement_types"): ["Placement type", "Children", "Share %"],
    }
    for (sheet, name), headers in expected.items():
        assert [c.value for c in table_rows(wb[sheet], name)[0]] == headers
    assert [c.value for c in column(wb["Workforce"], "tbl_starters_leavers", "Period")] == [
        "Last 6 months", "Previous 6 months"]
    assert [c.value for c in column(wb["Fostering"], "tbl_placement_types", "Placement type")] == [
        "Foster placement", "Placed for adoption", "Placed with parents", "Independent or semi-independent living",
        "Children's home", "Other residential setting", "Other"]


def test_number_formats_follow_unit_and_benchmark(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["KPIs"]
    rows = table_rows(ws, "tbl_kpis")
    header = [c.value for c in rows[0]]
    by_id = {r[0].value: r for r in rows[1:]}

    def cell(kpi_id, col):
        return by_id[kpi_id][header.index(col)]

    assert cell("assessments_45wd_pct", "Value").value == pytest.approx(0.825)
    assert cell("assessments_45wd_pct", "Value").number_format == "0%"
    assert cell("assessments_45wd_pct", "Target").number_format == "0%"
    for col in ("England", "Statistical neighbours"):
        assert cell("assessments_45wd_pct", col).number_format == "0.0%"
    assert cell("referrals", "Value").number_format == "#,##0"  # 1,230
    assert cell("s47_rate_per_10k", "Value").number_format == "#,##0.0"  # a rate: one decimal
    assert cell("caseload_avg", "Value").number_format == "#,##0.0"
    assert cell("agency_rate_pct", "England").number_format == "0.0%"
    card = {r[0].value: r for r in table_rows(wb["Assessment"], "tbl_kpis_assessment")[1:]}
    assert card["assessments_45wd_pct"][3].number_format == "0%"  # Value
    assert card["assessments_45wd_pct"][5].number_format.startswith('+0.0" pts"')  # Change
    assert card["assessments_45wd_pct"][10].number_format == "0.0%"  # England
    chart_data = table_rows(wb["KPI monthly"], "tbl_kpi_chart_data")
    pct = next(r for r in chart_data[1:] if r[0].value == "assessments_45wd_pct")
    assert pct[2].number_format == "0%" and pct[4].number_format == "0.0%"
    for sheet, table, col in (("Workforce", "tbl_caseloads", "Agency %"),
                              ("Workforce", "tbl_continuity", "Same worker %"),
                              ("Fostering", "tbl_placement_types", "Share %")):
        cells = column(wb[sheet], table, col)
        assert cells and all(c.number_format == "0%" for c in cells), (table, col)
    # Average caseload 14.0, 18.0, 23.2: one decimal; thresholds all 17: whole.
    assert [c.number_format for c in column(wb["Workforce"], "tbl_caseloads", "Average caseload")] == ["#,##0.0"] * 3
    assert column(wb["Workforce"], "tbl_caseloads", "Threshold")[0].number_format == "#,##0"


def test_months_are_dates_and_uncovered_months_blank(book):
    ws = openpyxl.load_workbook(book)["KPI monthly"]
    monthly = table_rows(ws, "tbl_kpi_monthly")
    contacts = [r for r in monthly[1:] if r[0].value == "contacts"]
    assert len(contacts) == 12
    assert contacts[0][1].value.date() == date(2023, 10, 1) and contacts[0][1].number_format == "mmm yyyy"
    assert contacts[0][2].value is None  # Oct 2023 not covered: blank, not 0
    assert contacts[-1][2].value == 412


# ------------------------------------------------------------------------------------------- charts
def test_monthly_line_charts_with_reference_lines_only_when_set(book):
    wb = openpyxl.load_workbook(book)
    charts = {chart_title(c): c for ws in wb.worksheets for c in ws._charts if c.tagname == "lineChart"}
    assert set(charts) == {"Contacts by month: 412 in Sep 2024",
                           "Assessments completed within 45 working days by month: 83% in Sep 2024",
                           "Children in care by month: 200 in Sep 2024",
                           "Children on a child protection plan by month: 201 in Sep 2024",
                           "Agency social worker rate by month: 41% in Sep 2024"}
    assert series_names(charts["Assessments completed within 45 working days by month: 83% in Sep 2024"]) == [
        "Assessments completed within 45 working days", "Target", "England"]
    assert series_names(charts["Contacts by month: 412 in Sep 2024"]) == ["Contacts"]  # no target, no England
    assert series_names(charts["Agency social worker rate by month: 41% in Sep 2024"]) == [
        "Agency social worker rate", "England"]


def test_reference_lines_labelled_as_the_table_shows_them(book):
    with zipfile.ZipFile(book) as z:
        xml = " ".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart"))
    assert "Target 85%" in xml and "England 84.5%" in xml and "England 16.2%" in xml


def test_each_monthly_chart_is_on_its_measures_sheet(book):
    """A measure's line chart sits on its section's sheet (measures.toml), below the scorecard."""
    wb = openpyxl.load_workbook(book)
    assert section_charts(wb) == {
        "Contacts by month: 412 in Sep 2024": "Identification of harm",
        "Assessments completed within 45 working days by month: 83% in Sep 2024": "Assessment",
        # cp_ measures belong to "Plans and children in care" (measures.toml), not Child protection.
        "Children on a child protection plan by month: 201 in Sep 2024": "Plans and children in care",
        "Children in care by month: 200 in Sep 2024": "Plans and children in care",
        "Agency social worker rate by month: 41% in Sep 2024": "Workforce",
    }
    plans = wb["Plans and children in care"]
    card_end = openpyxl.utils.cell.range_boundaries(plans.tables["tbl_kpis_plans_cic"].ref)[3]
    assert all(c.anchor._from.row >= card_end for c in plans._charts)
    # In the scorecard's order, two across.
    assert [chart_title(c).split(" by month")[0] for c in plans._charts] == [
        "Children on a child protection plan", "Children in care"]
    assert plans._charts[0].anchor._from.row == plans._charts[1].anchor._from.row


def test_caseload_starters_and_placement_charts(book):
    wb = openpyxl.load_workbook(book)
    workforce = {chart_title(c): c for c in wb["Workforce"]._charts}
    caseload = workforce["Average caseload by service area against threshold"]
    assert caseload.tagname == "barChart" and series_names(caseload) == ["Average caseload"]
    starters = workforce["Permanent starters and leavers, last 6 months and previous 6 months"]
    assert series_names(starters) == ["Starters", "Leavers"]
    fostering = {chart_title(c): c for c in wb["Fostering"]._charts}
    placements = fostering["Children in care at the snapshot by placement type"]
    assert placements.tagname == "barChart" and placements.barDir == "bar"
    with zipfile.ZipFile(book) as z:
        xml = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    caseload_xml = next(x for x in xml if "Average caseload by service area against threshold" in x)
    # The threshold is a line combined with the columns, labelled in words.
    assert "<c:lineChart>" in caseload_xml and "<c:v>Threshold</c:v>" in caseload_xml


def test_alt_text_states_the_finding(book):
    with zipfile.ZipFile(book) as z:
        drawings = " ".join(z.read(n).decode() for n in z.namelist()
                            if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)).replace("&apos;", "'")
    # Family Safeguarding 23.2 is the highest; IRT and Family Safeguarding are above threshold.
    assert ("Average caseload by service area: highest in Family Safeguarding at 23.2; above threshold in IRT, "
            "Family Safeguarding.") in drawings
    # Foster placement 138 of 200 = 69%.
    assert "most were in foster placement (138 of 200, 69%)" in drawings
    assert "Last 6 months: 11 starters and 7 leavers; Previous 6 months: 10 starters and 8 leavers" in drawings



def test_starters_and_leavers_not_known_are_said_so_in_the_alt_text(tmp_path):
    """A list without leave dates, or taken before the snapshot, leaves counts blank: the chart's alt text
    says they are not known (it used to fail on the blank, or would have read it as 0)."""
    figures = fx.kpi_figures()
    table = pd.DataFrame({"Period": ["Last 6 months", "Previous 6 months"], "Starters": [None, 10],
                          "Leavers": [None, None]})
    for column in ("Starters", "Leavers"):
        table[column] = table[column].astype("Int64")
    figures.tables["tbl_starters_leavers"] = table
    with zipfile.ZipFile(_write(tmp_path / "r.xlsx", figures)) as z:
        drawings = " ".join(z.read(n).decode() for n in z.namelist()
                            if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)).replace("&apos;", "'")
    assert ("Last 6 months: starters not known and leavers not known; Previous 6 months: 10 starters and "
            "leavers not known") in drawings

# ------------------------------------------------------------------------------------------- key messages
def test_each_sections_key_messages_at_the_top_of_its_sheet(book, kpi_figures):
    wb = openpyxl.load_workbook(book)
    messages = draft_messages(kpi_figures)
    for section in (*KPI_SHEET_SECTIONS, "Workforce", "Fostering"):
        assert messages[section], section
        assert checks.narrative_cells(wb[section])[1:1 + len(messages[section])] == [
            "\u2022 " + m for m in messages[section]], section
    assert ("\u2022 Assessments completed within 45 working days: 83% over the last 3 months, up from 78% in the "
            "previous 3 months, not meeting the target of 85%, below statistical neighbours (86.1%) and England "
            "(84.5%).") in checks.narrative_cells(wb["Assessment"])


def test_workforce_and_fostering_key_messages_on_their_sheets(book):
    wb = openpyxl.load_workbook(book)
    assert ("\u2022 Agency workers are 41% of social worker FTE, up from 38% at the end of August 2024 (England "
            "16.2%); the highest share is in Family Safeguarding (50%).") in checks.narrative_cells(wb["Workforce"])
    assert "\u2022 69% of children in care are in foster placements (England 67.0%)." in \
        checks.narrative_cells(wb["Fostering"])


def test_contract_check_passes_with_every_table(book):
    result = subprocess.run([sys.executable, str(shared_file("tools", "contract_tables.py")), str(book)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "19 sheets" in result.stdout and " 0 problems against the contract" in result.stdout


# ------------------------------------------------------------------------------------------- missing inputs
def test_absent_tables_keep_their_name_with_one_no_data_row(audit_only_book):
    wb = openpyxl.load_workbook(audit_only_book)
    assert wb["KPIs"]["A2"].value.startswith("No system exports: add the Ofsted Annex A lists")
    assert wb["Workforce"]["A2"].value.startswith(
        "No workforce data: add the workforce list and the worker allocation history")
    for sheet, table in (("KPIs", "tbl_kpis"), ("KPI monthly", "tbl_kpi_monthly"), ("Workforce", "tbl_caseloads"),
                         ("Workforce", "tbl_caseloads_experience"), ("Workforce", "tbl_starters_leavers"),
                         ("Workforce", "tbl_continuity"), ("Fostering", "tbl_placement_types")):
        rows = [[c.value for c in r] for r in table_rows(wb[sheet], table)]
        assert len(rows) == 2 and rows[1][0] == "No data" and all(v is None for v in rows[1][1:]), table
    assert not wb["Workforce"]._charts and not any(wb[s]._charts for s in KPI_SHEET_SECTIONS)
    assert len(wb["Fostering"]._charts) == 1  # the foster carer audit chart only
    for section in KPI_SHEET_SECTIONS:  # a scorecard without values: its sheet says which input would fill it
        assert wb[section]["A2"].value.startswith("No "), section


def test_no_exports_as_the_pipeline_builds_them(tmp_path):
    """Every measure listed with a blank Value and the Note naming its input; A2 and the key messages
    say which inputs would fill the sheets; no empty chart."""
    wb = openpyxl.load_workbook(_write(tmp_path / "report.xlsx", fx.no_export_figures()))
    ws = wb["KPIs"]
    assert ws["A2"].value.startswith("No system exports: add the Ofsted Annex A lists")
    rows = table_rows(ws, "tbl_kpis")
    header = [c.value for c in rows[0]]
    assert [r[0].value for r in rows[1:]] == [s.id for s in measure_specs()]
    assert all(r[header.index("Value")].value is None for r in rows[1:])
    assert rows[4][header.index("Note")].value.endswith("Needs Annex A List 4 (assessments).")  # 45 wd
    assert not any(sheet._charts for sheet in wb.worksheets if sheet.title in KPI_SHEET_SECTIONS)
    assert "tbl_kpi_chart_data" not in wb["KPI monthly"].tables
    assert wb["Assessment"]["A2"].value.startswith("No assessments: add Annex A List 4")
    assert wb["Workforce"]["A2"].value.startswith("No workforce data")
    assert [[c.value for c in r] for r in table_rows(wb["Workforce"], "tbl_caseloads")][1][0] == "No data"
    assert "\u2022 No Annex A List 4 was supplied, so assessment timeliness is not shown." in \
        checks.narrative_cells(wb["Assessment"])
    assert ("\u2022 No workforce list or worker allocation history was supplied, so staffing figures and "
            "continuity of worker are not shown.") in checks.narrative_cells(wb["Workforce"])
    # Every scorecard lists its measures, blank, with the Note naming the input; no sparkline anywhere.
    card = checks.table_dicts(wb["Assessment"], "tbl_kpis_assessment")
    assert [r["KPI id"] for r in card] == ["assessments_completed", "assessments_45wd_pct", "assessment_median_wd"]
    assert all(r["Value"] is None and r["Note"].endswith("Needs Annex A List 4 (assessments).") for r in card)
    assert not [ref for xml in checks.sheet_parts(tmp_path / "report.xlsx").values()
                for ref, _ in checks.sparklines(xml).values() if "KPI monthly" in ref]


def test_blank_measure_keeps_its_row_with_blank_value_and_note(tmp_path):
    ids = ("assessments_completed", "assessments_45wd_pct", "assessment_median_wd")
    values = {k: v for k, v in fx.KPI_VALUES.items() if k not in ids}
    figures = fx.kpi_figures(values, notes={i: "Needs Annex A List 4 (assessments)." for i in ids})
    figures.tables["tbl_kpi_monthly"] = figures.tables["tbl_kpi_monthly"][
        figures.tables["tbl_kpi_monthly"]["KPI id"] != "assessments_45wd_pct"]
    wb = openpyxl.load_workbook(_write(tmp_path / "report.xlsx", figures))
    rows = table_rows(wb["KPIs"], "tbl_kpis")
    header = [c.value for c in rows[0]]
    row = next(r for r in rows[1:] if r[0].value == "assessments_45wd_pct")
    assert row[header.index("Value")].value is None
    assert row[header.index("Status")].value == "No data"
    assert row[header.index("Note")].value.endswith("Needs Annex A List 4 (assessments).")
    assert len(rows) - 1 == 45
    titles = {chart_title(c) for ws in wb.worksheets for c in ws._charts}
    assert not [t for t in titles if t.startswith("Assessments completed within 45 working days")]
    card = checks.table_dicts(wb["Assessment"], "tbl_kpis_assessment")
    assert card[1]["Value"] is None and card[1]["Note"].endswith("Needs Annex A List 4 (assessments).")
