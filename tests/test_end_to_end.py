"""The command line end to end on the sample data: build, read back with openpyxl, check table by table.

Expected headers are copied from shared/spec/report-workbook.md, not from the code, so a drift in
either shows here.
"""
from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pqa_desktop.cli import main
from tests import workbook_checks as checks

GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate", "Total", "Outstanding %", "Good %",
          "Requires improvement %", "Inadequate %", "Good or better %"]
TREND_MONTHS = ["Oct 2023", "Nov 2023", "Dec 2023", "Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024", "May 2024",
                "Jun 2024", "Jul 2024", "Aug 2024", "Sep 2024"]
CASE_DOMAINS = ["Outcomes for children", "Identification of harm and child safety", "Assessment",
                "Plans and planning", "Permanence planning", "Multi-agency working",
                "Supervision, decision making and management oversight", "Consistent relationships",
                "Voice of the child"]
EXPECTED = {
    "tbl_headlines": ["Section", "Measure", "Value", "Previous", "Change", "Better or worse", "Target", "Status",
                      "Statistical neighbours", "England"],
    "tbl_audit_activity": ["Audit type", "Service area", *TREND_MONTHS, "Year to date", "Total"],
    "tbl_overall_by_month": ["Month", *GRADES],
    "tbl_overall_by_quarter": ["Quarter", *GRADES],
    "tbl_overall_by_service": ["Service area", *GRADES],
    "tbl_overall_by_team": ["Service area", "Team", *GRADES],
    "tbl_domains_by_month": ["Domain", "Month", *GRADES],
    "tbl_domains_by_quarter": ["Domain", "Quarter", *GRADES],
    "tbl_compliance": ["Item", "Yes", "No", "Not applicable", "Compliance %"],
    "tbl_moderation": ["Audits moderated", "Grade changed", "Agreement %"],
    "tbl_actions": ["Service area", "Audits", "Actions raised", "Practitioner involved %"],
    "tbl_foster_audits": ["Domain", "Quarter", *GRADES],
    "tbl_edt": ["Month", "Records sampled", "Safeguarding action appropriate %", "Multi-agency working evident %",
                "Recording sufficient %", "AMHP offered when required %", "Timescales met %"],
    "tbl_feedback": ["Date", "Audit type", "Service area", "Source", "Sentiment", "Feedback"],
    "tbl_audits": ["Audit key", "Audit type", "Audit date", "Service area", "Team", *CASE_DOMAINS, "Overall",
                   "Moderated"],
    "tbl_data_quality": ["File", "Sheet", "Cell", "Severity", "Rule", "Message", "Status"],
}
SHEETS = ["Contents", "Summary", "Audit activity", "Overall judgements", "Practice domains", "Compliance",
          "Identification of harm", "Assessment", "Child protection", "Plans and children in care", "Care leavers",
          "Workforce", "Fostering", "EDT dip sampling", "Feedback", "Audit list", "KPIs", "KPI monthly",
          "Data quality"]


@pytest.fixture(scope="module")
def sample(shared_demo_inputs):
    return shared_demo_inputs.directory, shared_demo_inputs  # generated once per run (conftest.py)


@pytest.fixture(scope="module")
def built(shared_report):
    # `pqa build <the demo's inputs> -o report.xlsx --period-end 2024-09 --la-name "Anytown Council" --produced
    # 2024-10-07 --json`: the workbook and the printed summary, built once per run (conftest.py)
    return shared_report


def table_rows(wb, name):
    for ws in wb.worksheets:
        if name in ws.tables:
            ref = ws.tables[name].ref
            rows = [[c.value for c in row] for row in ws[ref]]
            return ws, rows[0], rows[1:]
    raise AssertionError(f"{name} missing")


def test_every_sheet_in_contract_order_with_title_and_description(built):
    out, _ = built
    wb = load_workbook(out)
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert ws["A1"].value, f"{ws.title} has no title in A1"
        assert ws["A2"].value, f"{ws.title} has no description in A2"
        assert ws.sheet_state == "visible"
    assert wb["Contents"]["A1"].value == ("Anytown Council Children's Services \u2014 Performance and Quality "
                                           "Assurance Update, September 2024")


def test_every_contract_table_with_exact_headers(built):
    wb = load_workbook(built[0])
    for name, columns in EXPECTED.items():
        _, header, _ = table_rows(wb, name)
        assert header == columns, name


def test_the_built_workbook_follows_the_contracts_layout(built):
    """Sheet order, scorecards equal to tbl_kpis, Better or worse, sparklines in the sheet XML, A4 landscape
    fit to width on every sheet, the Summary within one page's size: workbook_checks reads them back."""
    assert checks.problems(built[0]) == []


def test_overall_by_month_has_every_trend_month_and_fractions(built):
    wb = load_workbook(built[0])
    ws, header, rows = table_rows(wb, "tbl_overall_by_month")
    months = [r[0] for r in rows]
    expected = [date(2023, m, 1) for m in (10, 11, 12)] + [date(2024, m, 1) for m in range(1, 10)]
    assert [m.date() if isinstance(m, datetime) else m for m in months] == expected
    total_col, gob_col = header.index("Total"), header.index("Good or better %")
    for r in rows:
        grades = r[1:5]
        assert r[total_col] == sum(grades)
        if r[total_col]:
            assert abs(r[gob_col] - (r[1] + r[2]) / r[total_col]) < 1e-9
        else:
            assert r[gob_col] is None  # blank, never 0
    # the sample has no audits in August or December
    aug = rows[10]
    assert aug[total_col] == 0 and aug[gob_col] is None


def test_audit_activity_ytd_matches_overall_table(built):
    wb = load_workbook(built[0])
    _, header, rows = table_rows(wb, "tbl_audit_activity")
    ytd, total = header.index("Year to date"), header.index("Total")
    for r in rows:
        assert r[total] == sum(r[2:14])
        assert r[ytd] == sum(r[8:14])  # Apr..Sep 2024
    case_file_ytd = sum(r[ytd] for r in rows if r[0] == "Case file audit")
    assert case_file_ytd > 0


def test_json_summary(built):
    _, summary = built
    assert summary["findings"]["error"] >= 1  # the sample carries deliberate mistakes
    assert summary["output"].endswith("report.xlsx")
    assert summary["headlines"]
    # Each headline with its report section and, from its polarity and change, better or worse.
    by_measure = {h["measure"]: h for h in summary["headlines"]}
    assessments = by_measure["Assessments completed within 45 working days (last 3 months)"]
    assert assessments["section"] == "Assessment" and assessments["better_or_worse"] == "Worse"
    assert by_measure["Children in care"]["better_or_worse"] is None  # a volume: no polarity


def test_charts_are_native_and_described(built):
    with zipfile.ZipFile(built[0]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        drawings = [z.read(n).decode() for n in z.namelist() if re.match(r"xl/drawings/drawing\d+\.xml$", n)]
    # overall by month + by quarter, one per practice domain (9), activity, foster carer audits
    assert len(charts) >= 13
    descriptions = re.findall(r'descr="([^"]+)"', "".join(drawings))
    assert len(descriptions) >= len(charts)


def test_reproducible_byte_identical(sample, tmp_path):
    folder, _ = sample
    outs = []
    for i in range(2):
        out = tmp_path / f"r{i}.xlsx"
        assert main(["build", str(folder), "-o", str(out), "--period-end", "2024-09", "--produced",
                     "2024-10-07"]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_validate_exit_status(sample, capsys):
    folder, _ = sample
    assert main(["validate", str(folder), "--period-end", "2024-09"]) == 1  # the sample has errors
    printed = capsys.readouterr().out
    assert "ERROR" in printed


def test_no_usable_input_exits_1(tmp_path):
    (tmp_path / "desktop.ini").write_text("[x]")
    assert main(["build", str(tmp_path), "-o", str(tmp_path / "o.xlsx"), "--period-end", "2024-09"]) == 1
    assert not (tmp_path / "o.xlsx").exists()


def test_bad_command_line_exits_2(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["build", str(tmp_path), "-o", str(tmp_path / "o.xlsx"), "--period-end", "Sept"])
    assert exc.value.code == 2


def test_templates_command(tmp_path):
    assert main(["templates", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Case file audit template.xlsx", "EDT dip sample template.xlsx", "Foster carer audit template.xlsx"]


def test_input_files_never_modified(sample, tmp_path):
    import hashlib

    folder, _ = sample
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}
    assert main(["build", str(folder), "-o", str(tmp_path / "o.xlsx"), "--period-end", "2024-09"]) == 0
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}
    assert before == after
