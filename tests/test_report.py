"""The report workbook, read back with openpyxl and as raw XML (contract: report-workbook.md)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pqa_desktop.core.report import OutputNotWritable, render_workbook, write_workbook
from pqa_desktop.core.report.spec import workbook_spec
from pqa_desktop.core.report.styles import contrast_ratio
from tests import report_fixtures as fx
from tests import workbook_checks as checks
from tests.shared_paths import shared_file

SHEETS = ["Contents", "Summary", "Audit activity", "Overall judgements", "Practice domains", "Compliance",
          "Identification of harm", "Assessment", "Child protection", "Plans and children in care", "Care leavers",
          "Workforce", "Fostering", "EDT dip sampling", "Feedback", "Audit list", "KPIs", "KPI monthly",
          "Data quality"]
GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate", "Total", "Outstanding %", "Good %",
          "Requires improvement %", "Inadequate %", "Good or better %"]


@pytest.fixture(scope="module")
def audit_book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "report.xlsx"
    write_workbook(path, fx.audit_figures(), fx.context())
    return path


@pytest.fixture(scope="module")
def full_book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("full") / "report.xlsx"
    write_workbook(path, fx.full_figures(), fx.context())
    return path


def table_rows(ws, name: str) -> list[list]:
    """The table's cells (header row first) as openpyxl cells."""
    return [list(r) for r in ws[ws.tables[name].ref]]


def table_values(ws, name: str) -> list[list]:
    return [[c.value for c in row] for row in table_rows(ws, name)]


def sheet_of(wb, name: str):
    for ws in wb.worksheets:
        if name in ws.tables:
            return ws
    raise KeyError(name)


# ------------------------------------------------------------------------------------------- structure
def test_sheet_order_titles_and_descriptions(audit_book):
    wb = checks.load(audit_book)
    assert wb.sheetnames == SHEETS == checks.contract_sheet_order()
    assert wb["Contents"]["A1"].value == ("Anytown Council Children's Services \u2014 Performance and Quality "
                                          "Assurance Update, September 2024")
    for ws in wb.worksheets:
        assert ws["A1"].value and ws["A2"].value, ws.title
        assert ws.sheet_state == "visible"
    # A sheet with no figures says in A2 which input would fill it (the context's text wins).
    assert wb["KPIs"]["A2"].value.startswith("No system exports: add the Ofsted Annex A lists")
    assert wb["Workforce"]["A2"].value.startswith("No workforce data: add the workforce list")
    # A KPI section's sheet without its inputs says which would fill it.
    assert wb["Child protection"]["A2"].value.startswith("No Section 47 enquiries: add Annex A List 5")
    assert wb["Care leavers"]["A2"].value.startswith("No care leavers: add Annex A List 9")


def test_product_owner_contract_check_passes_for_audit_only_figures(audit_book):
    result = subprocess.run([sys.executable, str(shared_file("tools", "contract_tables.py")), str(audit_book)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "19 sheets" in result.stdout and " 0 problems against the contract" in result.stdout


def test_contract_headers_exact(audit_book):
    wb = openpyxl.load_workbook(audit_book)
    months = ["Oct 2023", "Nov 2023", "Dec 2023", "Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024", "May 2024",
              "Jun 2024", "Jul 2024", "Aug 2024", "Sep 2024"]
    expected = {
        "tbl_headlines": ["Section", "Measure", "Value", "Previous", "Change", "Better or worse", "Target", "Status",
                          "Statistical neighbours", "England"],
        "tbl_audit_activity": ["Audit type", "Service area", *months, "Year to date", "Total"],
        "tbl_overall_by_month": ["Month", *GRADES],
        "tbl_overall_by_quarter": ["Quarter", *GRADES],
        "tbl_overall_by_team": ["Service area", "Team", *GRADES],
        "tbl_domains_by_quarter": ["Domain", "Quarter", *GRADES],
        "tbl_compliance": ["Item", "Yes", "No", "Not applicable", "Compliance %"],
        "tbl_kpis": ["KPI id", "KPI", "Section", "Window", "Value", "Previous", "Change", "Better or worse",
                     "Numerator", "Denominator", "Unit", "Target", "England", "Statistical neighbours", "Region",
                     "Benchmark source", "Status", "Note"],
        **{table: checks.SCORECARD_COLUMNS for table in checks.SCORECARDS.values()},
        "tbl_kpi_monthly": ["KPI id", "Month", "Value", "Numerator", "Denominator"],
        "tbl_starters_leavers": ["Period", "Starters", "Leavers"],
        "tbl_placement_types": ["Placement type", "Children", "Share %"],
        "tbl_data_quality": ["File", "Sheet", "Cell", "Severity", "Rule", "Message", "Status"],
        "tbl_coverage": ["Input", "Kind", "First date", "Last date", "Rows", "Months covered"],
    }
    sheets = {"tbl_kpis": "KPIs", "tbl_kpi_monthly": "KPI monthly", "tbl_headlines": "Summary",
              **{table: sheet for sheet, table in checks.SCORECARDS.items()}}
    for name, headers in expected.items():
        ws = sheet_of(wb, name)
        assert ws.title == sheets.get(name, ws.title), name
        table = ws.tables[name]
        assert [c.name for c in table.tableColumns] == headers, name
        assert table_values(ws, name)[0] == headers, name
        assert table.headerRowCount in (None, 1)
        assert table.ref.startswith("A"), f"{name} is not flush left"
    # The audit list has one column per case file audit domain (overall excluded), then Overall, Moderated.
    audits = table_values(wb["Audit list"], "tbl_audits")[0]
    assert audits[:5] == ["Audit key", "Audit type", "Audit date", "Service area", "Team"]
    assert audits[5] == "Outcomes for children" and audits[-2:] == ["Overall", "Moderated"]
    assert "Overall practice judgement" not in audits


def test_absent_table_is_a_real_table_with_one_no_data_row(audit_book):
    wb = openpyxl.load_workbook(audit_book)
    for sheet, table in (("KPIs", "tbl_kpis"), ("KPI monthly", "tbl_kpi_monthly"), *(
            (sheet, table) for sheet, table in checks.SCORECARDS.items())):
        rows = table_values(wb[sheet], table)
        assert len(rows) == 2, table
        assert rows[1][0] == "No data" and all(v is None for v in rows[1][1:]), table


def test_tables_stacked_with_heading_and_one_blank_row(audit_book):
    """Tables flush left down column A, each under its heading row, one blank row between them."""
    wb = openpyxl.load_workbook(audit_book)
    ws = wb["Overall judgements"]
    refs = [ws.tables[n].ref for n in ("tbl_overall_by_month", "tbl_overall_by_quarter")]
    first_end = int(re.search(r"(\d+)$", refs[0]).group(1))
    second_start = int(re.match(r"[A-Z]+(\d+)", refs[1]).group(1))
    assert second_start == first_end + 3  # blank row, heading row, then the header
    assert ws.cell(second_start - 1, 1).value == "Overall judgements by quarter"
    assert ws.cell(first_end + 1, 1).value is None


def test_no_merged_cells_anywhere(full_book):
    wb = openpyxl.load_workbook(full_book)
    for ws in wb.worksheets:
        assert not ws.merged_cells.ranges, ws.title


# ------------------------------------------------------------------------------------------- numbers
def test_percentages_are_fractions_formatted_whole_percent_and_blank_for_no_audits(audit_book):
    wb = openpyxl.load_workbook(audit_book)
    ws = wb["Overall judgements"]
    rows = table_rows(ws, "tbl_overall_by_month")
    header = [c.value for c in rows[0]]
    oct23, dec23 = rows[1], rows[3]  # Oct 2023: 0/1/3/1; Dec 2023: no audits
    good_pct = oct23[header.index("Good %")]
    assert good_pct.value == pytest.approx(0.2) and good_pct.number_format == "0%"
    assert oct23[header.index("Good or better %")].value == pytest.approx(0.2)
    assert oct23[header.index("Total")].value == 5
    assert dec23[header.index("Total")].value == 0
    assert dec23[header.index("Good %")].value is None  # zero denominator: blank, never 0
    month = oct23[0]
    assert month.value == datetime(2023, 10, 1) and month.number_format == "mmm yyyy"
    # Compliance with no Yes or No: blank Compliance %.
    comp = table_values(wb["Compliance"], "tbl_compliance")
    assert comp[1][4] == pytest.approx(30 / 36) and comp[2][4] is None


def test_dates_and_text_cells(audit_book):
    wb = openpyxl.load_workbook(audit_book)
    audit_date = table_rows(wb["Audit list"], "tbl_audits")[1][2]
    assert audit_date.value == datetime(2024, 9, 4) and audit_date.number_format == "dd/mm/yyyy"
    produced = wb["Contents"]["B5"]
    assert wb["Contents"]["A5"].value == "Date produced"
    assert produced.value == datetime(2024, 10, 7) and produced.number_format == "dd/mm/yyyy"


def test_headline_and_kpi_formats_follow_the_unit(full_book):
    wb = openpyxl.load_workbook(full_book)
    headlines = table_rows(wb["Summary"], "tbl_headlines")
    gob = headlines[2]  # 25% against 22% previous: change +3.0 pts, higher is better
    assert gob[0].value == "Overall judgements" and gob[0].hyperlink.location == "'Overall judgements'!A1"
    assert gob[2].value == pytest.approx(0.25) and gob[2].number_format == "0%"
    assert gob[4].value == pytest.approx(3.0) and gob[4].number_format == '+0.0" pts";-0.0" pts";0.0" pts"'
    assert gob[5].value == "Better"
    assert headlines[1][2].value == 64 and headlines[1][2].number_format == "#,##0"
    assert headlines[1][5].value is None  # a count of audits: no polarity, no Better or worse
    kpis = table_rows(wb["KPIs"], "tbl_kpis")
    header = [c.value for c in kpis[0]]
    assessments = kpis[2]
    assert assessments[header.index("Value")].number_format == "0%"
    assert assessments[header.index("England")].value == pytest.approx(0.845)
    for col in ("England", "Statistical neighbours", "Region"):
        assert assessments[header.index(col)].number_format == "0.0%"
    assert assessments[header.index("Change")].number_format.startswith('+0.0" pts"')
    assert kpis[3][header.index("Value")].value is None  # a measure without its input: blank Value
    monthly = table_rows(wb["KPI monthly"], "tbl_kpi_monthly")
    assert monthly[1][2].value is None  # uncovered month: blank, not 0
    pct_row = next(r for r in monthly[1:] if r[0].value == "assessments_45wd_pct" and r[2].value is not None)
    assert pct_row[2].number_format == "0%"


# ------------------------------------------------------------------------------------------- charts
def _chart_parts(path: Path) -> tuple[dict[str, str], list[str]]:
    with zipfile.ZipFile(path) as z:
        charts = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")}
        drawings = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
    return charts, drawings


@pytest.mark.parametrize("book, expected", [
    ("audit_book", {"Audit activity": 1, "Overall judgements": 2, "Practice domains": 3, "Fostering": 1}),
    ("full_book", {"Audit activity": 1, "Overall judgements": 2, "Practice domains": 3, "Identification of harm": 1,
                   "Assessment": 1, "Workforce": 2, "Fostering": 2}),
])
def test_chart_count_per_sheet(book, expected, request):
    wb = openpyxl.load_workbook(request.getfixturevalue(book))
    counts = {ws.title: len(ws._charts) for ws in wb.worksheets if ws._charts}
    assert counts == expected


def test_every_chart_has_title_axis_titles_data_labels_and_alt_text(full_book):
    charts, drawings = _chart_parts(full_book)
    assert len(charts) == 12
    for name, xml in charts.items():
        assert xml.count("<c:title>") >= 3, f"{name}: chart title and both axis titles"
        assert "<c:dLbls>" in xml and '<c:showVal val="1"/>' in xml, name
    descriptions = [d for xml in drawings for d in re.findall(r'<xdr:cNvPr id="\d+" name="[^"]*" descr="([^"]*)"', xml)]
    assert len(descriptions) == 12 and all(len(d) > 20 for d in descriptions)
    # 100% stacked columns for the judgement charts.
    assert sum('<c:grouping val="percentStacked"/>' in xml for xml in charts.values()) == 6


def test_alt_text_states_the_main_finding(audit_book):
    _, drawings = _chart_parts(audit_book)
    text = " ".join(drawings).replace("&apos;", "'")
    # Hand-worked from the fixture: RI leads in every month with audits except Jul 2024 (Good 4 v RI 3);
    # Dec 2023 and Aug 2024 had none.
    assert ("Overall judgements by month: Requires improvement was the most common judgement in 9 of the "
            "10 months with audits.") in text
    # Q1 2024/25: 7 good or better of 22 (31.8% -> 32%); Q2 2024/25: 6 of 16 (37.5% -> 38%).
    assert ("Overall judgements by quarter: good or better rose from 32% in Q1 2024/25 to 38% in Q2 2024/25 "
            "(16 audits).") in text
    # Activity: 37 + 31 + 18 + 10 = 96 audits; Jun and Sep 2024 both 12 (5 + 4 + 2 + 1), the earlier named.
    assert ("Audits completed by month and audit type: 96 audits in the 12 months to September 2024; the most "
            "were in Jun 2024 (12); no audits in Dec 2023, Aug 2024.") in text


def test_charts_sit_below_the_last_table_two_across_and_never_over_text(full_book):
    wb = checks.load(full_book)
    for ws in wb.worksheets:
        if not ws._charts:
            continue
        last = max(openpyxl.utils.cell.range_boundaries(t.ref)[3] for t in ws.tables.values())
        rows = sorted({chart.anchor._from.row for chart in ws._charts})
        for chart in ws._charts:
            assert chart.anchor._from.row >= last, ws.title  # 0-based row below the last table (1-based)
        assert len(ws._charts) <= 2 * len(rows), ws.title  # two across
    assert not [p for p in checks.problems(full_book) if "chart" in p]


def test_palette_contrast_at_least_3_to_1():
    assert contrast_ratio("#000000") == pytest.approx(21.0)
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)  # WCAG's reference grey
    assert contrast_ratio("#FFFF00") < 3  # yellow on white fails
    spec = workbook_spec()
    colours = [*spec.grade_colours.values(), *spec.series_colours, *spec.reference_colours.values()]
    for colour in colours:
        assert contrast_ratio(colour) >= 3.0, colour


# ------------------------------------------------------------------------------------------- narrative, cover
def test_key_messages_and_commentary_at_the_top_whole_sentences_in_one_cell(audit_book):
    wb = openpyxl.load_workbook(audit_book)
    ws = wb["Summary"]
    top = checks.narrative_cells(ws)
    assert top[:2] == ["Key messages", "\u2022 Most overall judgements were Requires improvement (63%, 38 of 60 audits)."]
    texts = checks.all_text(ws)  # the Summary's commentary follows its headline table
    assert texts.index("Commentary") > texts.index("Headline measures")
    assert "Practice is improving." in texts and "We need to evidence the child's voice in plans." in texts
    overall = checks.narrative_cells(wb["Overall judgements"])
    assert overall == ["Key messages", "\u2022 Good or better rose from 19% in Q1 2024/25 to 25% in Q2 2024/25.",
                       "Commentary", "No commentary supplied."]
    domains = [c for row in wb["Practice domains"].iter_rows() for c in row
               if c.value == "=SUM(A1:A2) is not a formula here."]
    assert domains and domains[0].data_type == "s"
    for section in ("Identification of harm", "Assessment", "Child protection", "Plans and children in care",
                    "Care leavers", "Workforce", "Fostering", "EDT dip sampling", "Feedback"):
        assert checks.narrative_cells(wb[section])[0] == "Key messages", section
    for sheet in ("Audit list", "KPIs", "KPI monthly", "Data quality"):  # data sheets: no narrative
        assert "Key messages" not in checks.all_text(wb[sheet]), sheet


def test_a_long_key_message_stays_one_sentence_in_one_cell(tmp_path):
    sentence = ("Assessments completed within 45 working days: 82% over the last 3 months, down from 86% in the "
                "previous 3 months, not meeting the target of 85% (England 84.5%, statistical neighbours 86.1%).")
    wb = openpyxl.load_workbook(_build(fx.context(messages={"Assessment": [sentence]}), fx.kpi_figures()))
    assert checks.narrative_cells(wb["Assessment"])[1] == "\u2022 " + sentence


def test_contents_cover_links_inputs_and_notes(audit_book):
    wb = openpyxl.load_workbook(audit_book)
    ws = wb["Contents"]
    cover = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, 10)}
    assert cover["Classification"] == "OFFICIAL-SENSITIVE"
    assert cover["Case references"].startswith("Not included")
    assert cover["Staff names"] == "Not included"
    assert cover["Feedback text"].startswith("Included")
    assert cover["Period"].startswith("12 months from October 2023 to September 2024")
    links = {c.value: c.hyperlink.location for row in table_rows(ws, "tbl_contents")[1:] for c in row[:1]}
    assert list(links) == SHEETS[1:]
    assert links["Plans and children in care"] == "'Plans and children in care'!A1"
    assert links["Data quality"] == "'Data quality'!A1"
    assert table_values(ws, "tbl_inputs_used")[1:] == [["Case file audit", 40], ["Foster carer audit", 18],
                                                       ["EDT dip sample", 10]]
    assert table_values(ws, "tbl_notes")[1] == ["[note 1]", "Audits are not completed in August and December."]
    opted_in = openpyxl.load_workbook(_build(fx.context(include_case_refs=True, include_staff_names=True)))
    cover = {c.value: opted_in["Contents"].cell(c.row, 2).value for c in opted_in["Contents"]["A"][3:9]}
    assert cover["Case references"].startswith("Included") and cover["Staff names"].startswith("Included")


def _build(context, figures=None) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    path = folder / "out.xlsx"
    write_workbook(path, figures or fx.audit_figures(), context)
    return path


def test_feedback_starting_with_equals_or_plus_stays_text(audit_book):
    wb = openpyxl.load_workbook(audit_book)
    rows = table_rows(wb["Feedback"], "tbl_feedback")
    cells = {r[5].value: r[5] for r in rows[1:]}
    formula_like = cells['=HYPERLINK("http://example.com","click")']
    assert formula_like.data_type == "s"
    assert cells["+44 calls were not returned"].data_type == "s"
    with zipfile.ZipFile(audit_book) as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_feedback_text_left_out_when_opted_out():
    wb = openpyxl.load_workbook(_build(fx.context(feedback_text=False)))
    rows = table_values(wb["Feedback"], "tbl_feedback")
    assert len(rows) == 4 and all(r[5] is None for r in rows[1:]) and rows[1][4] == "Getting it right"
    cover = {c.value: wb["Contents"].cell(c.row, 2).value for c in wb["Contents"]["A"][3:9]}
    assert cover["Feedback text"].startswith("Not included")


def test_data_quality_errors_first_file_names_only(audit_book):
    wb = openpyxl.load_workbook(audit_book)
    rows = table_values(wb["Data quality"], "tbl_data_quality")[1:]
    assert [r[3] for r in rows] == ["Error", "Warning", "Info"]
    assert rows[0][:3] == ["register.xlsx", "Register", "row 12"]
    assert rows[1][0] == "returns.zip \u203a audit 1.xlsx"
    coverage = table_values(wb["Data quality"], "tbl_coverage")
    assert coverage[1] == ["list1.csv", "Annex A List 1 Contacts", datetime(2024, 4, 1), datetime(2024, 9, 30),
                           2400, 6]


# ------------------------------------------------------------------------------------------- properties, privacy
def test_document_properties(audit_book):
    wb = openpyxl.load_workbook(audit_book)
    p = wb.properties
    assert p.creator == "Anytown Council" and p.lastModifiedBy == "Anytown Council"
    assert p.language == "en-GB"
    assert p.title.startswith("Anytown Council Children's Services")
    assert p.created == datetime(2024, 10, 7) and p.keywords and p.subject
    with zipfile.ZipFile(audit_book) as z:
        app = z.read("docProps/app.xml").decode()
    assert "<Company>Anytown Council</Company>" in app


def test_first_sheet_active_a1_selected_and_print_setup(audit_book, full_book):
    wb = openpyxl.load_workbook(audit_book)
    assert wb.active.title == "Contents"
    assert wb["Contents"].sheet_view.selection[0].activeCell in (None, "A1")
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert str(ws.page_setup.paperSize) == "9", ws.title  # A4, not XlsxWriter's US Letter
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1)
        assert ws.page_setup.fitToHeight == (None if ws.title == "Summary" else 0), ws.title  # Summary: 1 page
        assert "OFFICIAL-SENSITIVE" in ws.oddHeader.center.text
    for book in (audit_book, full_book):
        assert checks.problems(book) == []


def test_nothing_hidden_no_comments_links_custom_xml_or_pivots(full_book):
    with zipfile.ZipFile(full_book) as z:
        names = z.namelist()
        assert not [n for n in names if re.search(r"comments|externalLink|customXml|pivot|vbaProject", n)]
        for n in names:
            if n.startswith("xl/worksheets/sheet"):
                xml = z.read(n).decode()
                assert 'hidden="1"' not in xml and "<legacyDrawing" not in xml, n
        assert 'state="hidden"' not in z.read("xl/workbook.xml").decode()


# ------------------------------------------------------------------------------------------- saving
def test_byte_identical_rebuild(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(a, fx.full_figures(), fx.context())
    write_workbook(b, fx.full_figures(), fx.context())
    assert a.read_bytes() == b.read_bytes()
    other_day = render_workbook(fx.full_figures(), fx.context(produced=date(2024, 10, 8)))
    assert other_day != a.read_bytes()


def test_replace_refused_keeps_previous_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous report")

    def refuse(src, dst):
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputNotWritable) as excinfo:
        write_workbook(target, fx.audit_figures(), fx.context())
    assert "Close report.xlsx in Excel" in str(excinfo.value) and "another name" in str(excinfo.value)
    assert target.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_failure_while_writing_keeps_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous report")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="the disk is full"):  # OutputNotWritable, in plain words (issue 15)
        write_workbook(target, fx.audit_figures(), fx.context())
    assert target.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_new_file_written_when_none_existed(tmp_path):
    target = tmp_path / "new.xlsx"
    write_workbook(target, fx.audit_figures(), fx.context())
    assert zipfile.is_zipfile(target)
    assert [p.name for p in tmp_path.iterdir()] == ["new.xlsx"]


def test_whole_number_columns_with_blanks_show_as_counts(full_book):
    wb = openpyxl.load_workbook(full_book)
    kpis = table_rows(wb["KPIs"], "tbl_kpis")
    header = [c.value for c in kpis[0]]
    numerator = kpis[1][header.index("Numerator")]  # 412 contacts, in a column that also holds blanks
    assert numerator.value == 412 and numerator.number_format == "#,##0"
    caseloads = table_rows(wb["Workforce"], "tbl_caseloads")
    assert caseloads[1][3].value == pytest.approx(18.0)
    experience = table_rows(wb["Workforce"], "tbl_caseloads_experience")
    assert experience[2][3].value == pytest.approx(190 / 11) and experience[2][3].number_format == "#,##0.0"
    assert caseloads[1][4].number_format == "0%"  # Agency %


def test_summary_fits_one_page_with_the_most_it_can_hold(tmp_path):
    """Twenty headlines, six key messages and as much commentary as the app says fits: the Summary's print
    area stays within 50 rows and 200 character widths, and prints on one page."""
    from pqa_desktop.core.measures.figures import Headline
    from pqa_desktop.core.report.summary_sheet import COMMENTARY_ROWS

    figures = fx.kpi_figures()
    figures.headlines = [Headline(f"Measure number {n} with a long label (year to date)", 0.5, 0.4,
                                  unit="percent", section="Assessment", polarity="higher") for n in range(20)]
    paragraph = "A paragraph of the QA officer's commentary, as long as one printed line allows it to be. " * 2
    context = fx.context(messages={"Summary": [f"Key message {n} about the month." for n in range(6)]},
                         commentary={"Summary": "\n".join([paragraph.strip()] * COMMENTARY_ROWS)})
    path = _build(context, figures)
    wb = checks.load(path)
    _, first, _, last = checks.print_area(wb["Summary"])
    assert last - first + 1 <= checks.SUMMARY_MAX_ROWS
    assert checks.print_width(wb["Summary"]) <= checks.MAX_WIDTH
    assert wb["Summary"].page_setup.fitToHeight in (None, 1)

