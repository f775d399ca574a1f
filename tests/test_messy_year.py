"""A messy year, built and read back: every note, Previous and headline checked in the workbook itself.

The inputs are real generated files, as a council new to the tool would drop them in:
- older case file audits laid out by hand (label in A, B left blank, the value in C), and a few laid out
  with values in B but the Team typed in C;
- foster carer audits from the current template;
- a historical register holding only July to September of last year (a handful of audits);
- the Annex A lists and a workforce list up to 30 September 2024, the workforce list holding leavers back
  to 2019;
- the period end set to October 2024, after every input ends, and no settings at all (no population, no
  targets, no caseload thresholds, no vacancies).
"""
from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from datetime import date, datetime

import openpyxl
import pytest

from pqa_desktop.cli import main
from pqa_desktop.core.returns.templates import write_return
from pqa_desktop.core.sample.exports import generate_exports
from tests.returns_fixtures import write_hand_laid_out, write_register_csv
from tests.test_headlines_agree import NOTE_REF as MARKER
from tests.test_headlines_agree import check_headlines, table
from tests.test_notes import NOTE_REF, cover_notes

AREAS = ("IRT", "CST", "CwD", "Family Safeguarding", "CASS", "Leaving Care")
GRADES = ("Good", "Requires improvement", "Requires improvement", "Inadequate", "Outstanding", "Good")
KINDS = ("Case file audit", "Case file audit", "Thematic audit", "Case file audit", "Collaborative audit")
SETTING_KEYS = ("population_0_17", "vacancies_fte", "caseload_thresholds", "benchmarks_file", "workforce_snapshot")
# Permanent leavers added to the generated workforce list, reaching back to 2019 (id, FTE, start, leave).
OLD_LEAVERS = [(f"SW9{n:05d}", 1.0 if n % 3 else 0.5, date(2015, 1, 5), date(2019 + n // 6, 1 + (n * 5) % 12, 1 + n % 28))
               for n in range(30)]


def _returns(folder) -> dict:
    """36 case file audits April-September 2024 laid out by hand, 6 foster carer audits, the register."""
    expected = {"further_right": [], "teams": set()}
    n = 0
    for month in range(4, 10):
        for k in range(6):
            n += 1
            area = AREAS[k]
            team = f"{area} team {1 + n % 2}"
            values = {"case_ref": f"MY{n:05d}", "service_area": area, "team": team, "auditor": "Ann Auditor",
                      "audit_date": f"{2 + 4 * k:02d}/{month:02d}/2024", "audit_kind": KINDS[n % len(KINDS)],
                      "overall": GRADES[(n + month) % len(GRADES)], "visits": "Yes" if n % 4 else "No",
                      "harm": GRADES[n % len(GRADES)]}
            expected["teams"].add(team)
            if n % 9 == 0:  # values in B, but the Team typed one cell further right
                rows = write_hand_laid_out(folder / f"Audit {n:02d}.xlsx", "case_file_audit", values,
                                           columns={"team": 3})
                expected["further_right"].append(f"C{rows['team']}")
            else:  # every value in C, B left blank
                write_hand_laid_out(folder / f"Audit {n:02d}.xlsx", "case_file_audit", values, default_column=3)
    for i, month in enumerate((4, 5, 6, 7, 8, 9)):
        write_return(folder / f"Foster audit {i}.xlsx", "foster_carer_audit",
                     {"carer_ref": f"FH{i:03d}", "auditor": "Fay Auditor", "audit_date": date(2024, month, 14),
                      "overall": "Good", "carer_type": "Mainstream"})
    write_register_csv(folder / "QA tracker 2023.csv",
                       ["Child ID", "Date of audit", "Service area", "Team", "Auditor", "Overall grade"],
                       [[f"OLD{i}", f"{10 + i:02d}/{month:02d}/2023", "IRT", "IRT team 1", "Old Auditor", "Good"]
                        for i, month in enumerate((7, 8, 9, 9, 8))])
    return expected


def _workforce_with_old_leavers(exports_folder, manifest) -> list[dict]:
    """Append the old leavers to the generated workforce list; every worker row, as the list holds it."""
    file, sheet = manifest.locations["workforce"]
    path = exports_folder / file
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    for worker_id, fte, start, leave in OLD_LEAVERS:
        row = dict.fromkeys(header)
        row.update({"Worker ID": worker_id, "Team": "IRT 1", "Service area": "IRT", "Role": 5, "Agency worker": "No",
                    "FTE": fte, "Newly qualified (ASYE)": "No", "Start date": datetime.combine(start, datetime.min.time()),
                    "Leave date": datetime.combine(leave, datetime.min.time()), "Reason for leaving": "Resigned",
                    "Caseload": 0, "Snapshot date": datetime(2024, 9, 30)})
        ws.append([row[h] for h in header])
    wb.save(path)
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]


def _day(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("messy")
    expected = _returns(folder)
    exports = folder / "exports"
    manifest = generate_exports(exports, period_end=date(2024, 9, 1), scale=0.3, messy=False)
    expected["workers"] = _workforce_with_old_leavers(exports, manifest)
    out = tmp_path_factory.mktemp("out") / "messy.xlsx"
    stdout = io.StringIO()
    with redirect_stdout(stdout):
        status = main(["build", str(folder), "-o", str(out), "--period-end", "2024-10", "--la-name",
                       "Borsetshire County Council", "--produced", "2024-11-07", "--json"])
    assert status == 0
    return openpyxl.load_workbook(out), json.loads(stdout.getvalue()), expected


def test_every_note_reference_leads_to_its_own_measure_and_speaks_the_users_words(messy):
    wb, _, _ = messy
    notes = cover_notes(wb)
    for ws in wb.worksheets:
        for name in ws.tables:
            rows = [[c.value for c in row] for row in ws[ws.tables[name].ref]]
            header = rows[0]
            if "Note" not in header or name == "tbl_notes" or "KPI id" not in header:
                continue
            for row in rows[1:]:
                for n in NOTE_REF.findall(str(row[header.index("Note")] or "")):
                    assert f"({row[header.index('KPI id')]})" in notes[int(n)]
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not any(key in cell.value for key in SETTING_KEYS), (ws.title, cell.coordinate)
                    for n in NOTE_REF.findall(cell.value):
                        assert int(n) in notes


def test_a_team_typed_further_right_is_read_with_a_finding_naming_its_cell(messy):
    wb, _, expected = messy
    teams = {r["Team"] for r in table(wb, "tbl_audits") if r["Audit type"] != "Foster carer audit"}
    assert expected["teams"] <= teams
    assert "No team recorded" not in {r["Team"] for r in table(wb, "tbl_overall_by_team")}
    further = [r for r in table(wb, "tbl_data_quality") if r["Rule"] == "return.label_value_further_right"]
    assert sorted(r["Cell"] for r in further) == sorted(expected["further_right"]) and further


def test_audit_headlines_have_no_previous_against_a_register_of_three_months(messy):
    wb, summary, _ = messy
    notes = cover_notes(wb)
    audit_rows = [h for h in table(wb, "tbl_headlines") if "audit" in h["Measure"].lower()
                  or "judgements" in h["Measure"] or "Compliance" in h["Measure"]]
    assert len(audit_rows) == 6
    for h in audit_rows:
        assert h["Previous"] is None and h["Change"] is None
        [n] = NOTE_REF.findall(h["Measure"])
        assert "Apr 2023 to Oct 2023" in notes[int(n)] and "Apr 2023 to Jun 2023" in notes[int(n)]
    headline = next(h for h in summary["headlines"] if h["measure"].startswith("Case file, thematic"))
    assert (headline["value"], headline["previous"]) == (36, None)
    messages = " ".join(c.value for row in wb["Summary"].iter_rows() for c in row if isinstance(c.value, str))
    assert "last year" not in messages


def test_turnover_previous_from_leave_dates_reaching_back_years(messy):
    wb, _, expected = messy
    kpis = {r["KPI id"]: r for r in table(wb, "tbl_kpis")}

    def permanent_fte(rows):
        return sum(float(r["FTE"]) for r in rows if r["Agency worker"] == "No" and r["FTE"] is not None)

    workers = expected["workers"]
    year_ago, two_years_ago = date(2023, 10, 31), date(2022, 10, 31)
    leavers = [r for r in workers if r["Leave date"] and two_years_ago < _day(r["Leave date"]) <= year_ago]
    in_post = [r for r in workers if _day(r["Start date"]) <= year_ago
               and (not r["Leave date"] or _day(r["Leave date"]) > year_ago)]
    assert kpis["turnover_pct"]["Previous"] == pytest.approx(permanent_fte(leavers) / permanent_fte(in_post))
    assert "No previous value" not in kpis["turnover_pct"]["Note"]


def test_every_input_ending_before_october_is_said_and_what_would_fill_the_blanks(messy):
    wb, summary, _ = messy
    ends = [r for r in table(wb, "tbl_data_quality") if r["Rule"] == "period.input_ends_early"]
    assert len(ends) == 10  # Annex A Lists 1 and 3 to 9, the workforce list, the audits
    assert all("September 2024" in r["Message"] and "October 2024" in r["Message"] for r in ends)
    assert not any(re.search(r"\d{1,2}/\d{1,2}/\d{4}", r["Message"]) for r in ends)
    reasons = {(r["kind"], r["key"]) for r in summary["blank_reasons"]}
    assert {("setting", "population_0_17"), ("setting", "targets"), ("setting", "caseload_thresholds"),
            ("setting", "vacancies_fte"), ("coverage", "annex_a_list_1"), ("coverage", "workforce"),
            ("coverage", "audits")} <= reasons
    assert summary["period"]["text"].startswith("12 months from November 2023 to October 2024")
    kpis = {r["KPI id"]: r for r in table(wb, "tbl_kpis")}
    assert kpis["contacts"]["Value"] is None and "do not cover the whole of Oct 2024" in kpis["contacts"]["Note"]
    assert kpis["s47_rate_per_10k"]["Value"] is None
    assert "population aged 0\u201317" in kpis["s47_rate_per_10k"]["Note"]


def test_every_headline_equals_the_cells_it_summarises(messy):
    wb, _, _ = messy
    assert check_headlines(wb) == len(table(wb, "tbl_headlines"))
    for h in table(wb, "tbl_headlines"):
        assert MARKER.sub("", h["Measure"]) == h["Measure"].split(" [note")[0]
