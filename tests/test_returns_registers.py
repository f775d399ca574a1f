"""Historical audit registers in every tabular format: one audit per row, findings naming the row."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from pqa_desktop.core.findings import Severity
from pqa_desktop.core.returns.reader import read_return
from tests.returns_fixtures import (convert_with_libreoffice, input_file, soffice, write_register_csv,
                                    write_register_xlsx)

HEADER = ["Child ID", "Date of audit", "Service area", "Team", "Auditor", "Voice of the child",
          "Overall grade", "Moderated overall", "Practitioner involved", "Actions raised", "Notes"]
ROWS = [
    ["C1001", "03/05/2024", "CST", "CST 2", "Jane Smith", "Good", "RI", None, "Yes", 2, "x"],
    ["C1002", "12/04/2024", "irt", None, "Ann Lee", "O", "Good", "Outstanding", "N", None, None],
    [None, None, None, None, None, None, None, None, None, None, None],  # blank row: skipped silently
    ["C1003", "31/13/2024", "CASS", None, "Ann Lee", "Good", "Good", None, None, None, None],
    ["C1004", "01.04.24", "Leaving Care", None, "Jane Smith", "Goodish", "Inadequate", None, None, None, None],
    [None, None, None, None, None, None, None, None, None, 3, "Total"],  # a totals row
]
# Sheet rows: header row 1, data from row 2; the unreadable date is on sheet row 5, "Goodish" on row 6.


def _check_case_register(result, sheet):
    assert (result.kind, result.kind_label) == ("audit_register", "Audit register")
    refs = [a.reference for a in result.audits]
    assert refs == ["C1001", "C1002", "C1004"]  # C1003's date cannot be read
    first, second, fourth = result.audits
    assert first.audit_date == date(2024, 5, 3)
    assert first.service_area == "CST" and first.team == "CST 2"
    assert first.grades["overall"] == "Requires improvement" and first.grades["voice"] == "Good"
    assert first.audit_type == "Case file audit"
    assert first.practitioner_involved == "Yes"
    assert first.actions == 2
    assert first.source.sheet == sheet and first.source.row == 2
    assert second.service_area == "IRT"
    assert second.moderated and second.overall == "Outstanding"
    assert second.practitioner_involved == "No"
    assert fourth.audit_date == date(2024, 4, 1)
    assert fourth.grades["voice"] is None
    assert fourth.overall == "Inadequate"
    found = {(f.severity, f.rule, f.sheet, f.cell) for f in result.findings}
    assert found == {
        (Severity.ERROR, "date.unreadable", sheet, "row 5"),
        (Severity.ERROR, "grade.unrecognised", sheet, "row 6"),
        (Severity.INFO, "register.row_skipped", sheet, "row 7"),
    }
    grade_error = next(f for f in result.findings if f.rule == "grade.unrecognised")
    assert grade_error.message.startswith('Voice of the child (column F): "Goodish" is not a grade.')
    assert result.sensitive == {"C1001", "C1002", "C1003", "C1004", "Jane Smith", "Ann Lee"}
    assert result.staff_names == {"Jane Smith", "Ann Lee"}


def _csv_rows():
    return [["" if v is None else str(v) for v in row] for row in ROWS]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_register(tmp_path, encoding):
    path = write_register_csv(tmp_path / "tracker.csv", HEADER, _csv_rows(), encoding=encoding)
    result = read_return(input_file(path))
    _check_case_register(result, "tracker")


def test_csv_register_with_non_ascii_text_in_cp1252(tmp_path):
    rows = [["C1001", "03/05/2024", "CST", "Café team", "Zoë Brontë", "Good", "Good", None, None, None,
             "“Notes”"]]
    path = write_register_csv(tmp_path / "t.csv", HEADER, rows, encoding="cp1252", delimiter=";")
    result = read_return(input_file(path))
    [audit] = result.audits
    assert audit.team == "Café team" and audit.staff["auditor"] == "Zoë Brontë"


def test_xlsx_register_with_title_rows_above_the_header(tmp_path):
    path = write_register_xlsx(tmp_path / "tracker.xlsx", HEADER, ROWS, title_rows=3,
                               modified=datetime(2024, 6, 1, 12, 0))
    result = read_return(input_file(path))
    # The header is on sheet row 4 now, so every data row is 3 lower than in the CSV.
    assert [a.source.row for a in result.audits] == [5, 6, 9]
    assert {f.cell for f in result.findings} == {"row 8", "row 9", "row 10"}
    assert result.audits[0].source.modified == datetime(2024, 6, 1, 12, 0)


def test_xlsx_register_with_real_dates_and_numbers(tmp_path):
    rows = [[104233, datetime(2024, 5, 3), "CST", None, "Jane Smith", 2, "Good", None, None, None, None]]
    path = write_register_xlsx(tmp_path / "t.xlsx", HEADER, rows)
    result = read_return(input_file(path))
    [audit] = result.audits
    assert audit.reference == "104233"
    assert audit.audit_date == date(2024, 5, 3)
    assert audit.grades["voice"] == "Good"
    assert [(f.severity, f.rule, f.cell) for f in result.findings] == [(Severity.INFO, "grade.number", "row 2")]


def test_register_without_an_auditor_column_warns_once(tmp_path):
    header = ["Case reference", "Audit date", "Service area", "Overall practice judgement"]
    rows = [["C1", "01/04/2024", "CST", "Good"], ["C2", "02/04/2024", "CST", "Good"]]
    path = write_register_csv(tmp_path / "r.csv", header, rows)
    result = read_return(input_file(path))
    assert len(result.audits) == 2
    assert [(f.severity, f.rule) for f in result.findings] == [(Severity.WARNING, "register.column_missing")]


def test_register_overall_missing_names_the_row(tmp_path):
    header = ["case_ref", "audit_date", "service_area", "overall", "auditor"]
    rows = [["C1", "01/04/2024", "CST", "", "A B"], ["C2", "02/04/2024", "", "Good", "A B"]]
    path = write_register_csv(tmp_path / "r.csv", header, rows)
    result = read_return(input_file(path))
    assert [a.reference for a in result.audits] == ["C1", "C2"]
    assert result.audits[1].service_area == "Not recorded"
    assert sorted((f.rule, f.cell) for f in result.findings) == [
        ("field.required_missing", "row 3"), ("overall.missing", "row 2")]


def test_foster_carer_register(tmp_path):
    header = ["Household reference", "Audit date", "Carer type", "Overall judgement", "Auditor",
              "Safer caring"]
    rows = [["FH1", "01/04/2024", "Mainstream", "Good", "Jo Bloggs", "RI"],
            ["FH2", "02/04/2024", "Kinship", "Inadequate", "Jo Bloggs", "Good"]]
    path = write_register_csv(tmp_path / "fostering.csv", header, rows)
    result = read_return(input_file(path))
    assert (result.kind, result.kind_label) == ("foster_register", "Foster carer register")
    first, second = result.audits
    assert first.template_type == "foster_carer_audit" and first.service_area == "Fostering"
    assert first.grades["safer_care"] == "Requires improvement"
    assert second.carer_type is None  # "Kinship" is not on the list
    assert [(f.severity, f.rule, f.cell) for f in result.findings] == [
        (Severity.WARNING, "list.unrecognised", "row 3")]


def test_a_table_that_is_not_a_register(tmp_path):
    header = ["Staff ID", "Name", "Grade", "Team", "Start date"]
    path = write_register_csv(tmp_path / "workforce.csv", header, [["1", "A", "SW2", "CST", "01/04/2020"]])
    assert read_return(input_file(path)) is None


def test_header_below_row_ten_is_not_recognised(tmp_path):
    path = write_register_xlsx(tmp_path / "late.xlsx", HEADER, ROWS, title_rows=10)
    assert read_return(input_file(path)) is None


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_ods_and_xls_registers(tmp_path, fmt):
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed, so no .ods/.xls fixture can be written; "
                    "odfpy and xlwt are not dependencies")
    source = write_register_xlsx(tmp_path / "tracker.xlsx", HEADER, ROWS)
    converted = convert_with_libreoffice(source, fmt)
    result = read_return(input_file(converted))
    _check_case_register(result, "Register")
