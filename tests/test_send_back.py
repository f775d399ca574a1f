"""Sending findings back to the auditors (core, usable from a script): one workbook and one email draft per
auditor, listing their open errors and warnings by file, sheet and cell with the audit key, never a child's
ID unless the user opted in, and checked by the leak inspector before anything is saved.
"""
from __future__ import annotations

import email
from datetime import date
from email import policy

import openpyxl
import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.finding_status import ACCEPTED
from pqa_desktop.core.findings import Finding, Severity
from pqa_desktop.core.inspect import inspect_workbook
from pqa_desktop.core.pipeline.run import BuildOptions, LeakFound, analyse
from pqa_desktop.core.privacy import audit_key
from pqa_desktop.core.sending.send_back import finding_auditors, send_back_lists, write_send_back
from pqa_desktop.core.settings import Settings
from pqa_desktop.core.workspace import Workspace
from tests.returns_fixtures import write_register_xlsx, write_template
from tests.workspace_fixtures import BASE, OVERALL_CELL

AUG = Period(date(2024, 8, 1))
SECRET = "5e" * 32
PRODUCED = date(2024, 9, 6)


def _audit(path, reference, when, overall, auditor, **extra):
    values = {**BASE, "case_ref": reference, "audit_date": when.strftime("%d/%m/%Y"), "overall": overall,
              "auditor": auditor, **extra}
    return write_template(path, "case_file_audit", values)


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    _audit(folder / "CR-1001 audit.xlsx", "CR-1001", date(2024, 8, 5), "Goodish", "Jane Smith")  # ID in the name
    _audit(folder / "CFA 2.xlsx", "CR-1002", date(2024, 8, 12), "Good", "Jane Smith")  # clean
    _audit(folder / "CFA 3.xlsx", "CR-1003", date(2024, 8, 19), "Outstandingish", "Ann Lee", visits="Perhaps")
    _audit(folder / "CFA 4.xlsx", "CR-1004", date(2024, 8, 20), "2", "Ann Lee")  # grade number: info only
    write_register_xlsx(folder / "tracker.xlsx", ["Child ID", "Date of audit", "Service area", "Auditor",
                                                  "Overall grade"],
                        [["C2001", "03/08/2024", "CST", "Ravi Shah", "Fine"],
                         ["C2002", "04/08/2024", "CST", "Jane Smith", "Good"]])
    (folder / "notes.txt").write_text("to do\n")  # skipped: no auditor, never sent
    return folder


def _options(**settings) -> BuildOptions:
    return BuildOptions(period=AUG, settings=Settings(la_name="Anytown Council", **settings), audit_key_secret=SECRET)


def _rows(path, table):
    ws = openpyxl.load_workbook(path)["Findings" if table == "tbl_findings" else "Summary"]
    cells = [[c.value for c in row] for row in ws[ws.tables[table].ref]]
    return [dict(zip(cells[0], row)) for row in cells[1:]]


def _every_text(path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)


def test_each_auditor_gets_their_open_errors_and_warnings_only(inbox):
    analysis = analyse([inbox], AUG)
    auditor = finding_auditors(analysis)
    by_file = {f.file: auditor(f) for f in analysis.findings}
    assert by_file["CFA 3.xlsx"] == "Ann Lee" and by_file["notes.txt"] == ""
    assert by_file["\u2022\u2022\u2022 audit.xlsx"] == "Jane Smith"  # the file name is masked
    register = {f.cell: auditor(f) for f in analysis.findings if f.file == "tracker.xlsx" and f.cell}
    assert register == {"row 2": "Ravi Shah"}

    lists = {lst.auditor: lst for lst in send_back_lists(analysis, _options())}
    assert list(lists) == ["Ann Lee", "Jane Smith", "Ravi Shah"]
    ann = lists["Ann Lee"]
    assert [(r.file, r.field, r.value, r.severity) for r in ann.rows] == [
        ("CFA 3.xlsx", "Overall practice judgement", "Outstandingish", "Error"),
        ("CFA 3.xlsx", "Statutory visits within timescale", "Perhaps", "Error")]
    assert all(r.file != "CFA 4.xlsx" for r in ann.rows)  # a grade number is info: nothing to ask
    assert ann.rows[0].audit_key == audit_key(SECRET, "case_file_audit", "CR-1003", date(2024, 8, 19))
    assert ann.rows[0].reference == ""
    assert [r.cell for r in lists["Ravi Shah"].rows] == ["row 2"]
    assert lists["Ravi Shah"].rows[0].audit_key == audit_key(SECRET, "case_file_audit", "C2001", date(2024, 8, 3))

    only = send_back_lists(analysis, _options(), auditors=["Jane Smith"])
    assert [lst.auditor for lst in only] == ["Jane Smith"] and len(only[0].rows) == 1


def test_accepted_findings_are_not_sent_back(inbox, tmp_path):
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        first = analyse([inbox], AUG, workspace=ws)
        perhaps = next(f for f in first.findings if f.value == "Perhaps")
        ws.set_finding_status(perhaps, ACCEPTED, "visit recorded elsewhere", who="qa")
        analysis = analyse([inbox], AUG, workspace=ws)
    ann = next(lst for lst in send_back_lists(analysis, _options()) if lst.auditor == "Ann Lee")
    assert [r.value for r in ann.rows] == ["Outstandingish"]


def test_the_workbook_and_draft_list_the_findings_with_no_child_id_and_pass_the_leak_inspector(inbox, tmp_path):
    analysis = analyse([inbox], AUG)
    out = tmp_path / "send back"
    out.mkdir()
    sent = {s.auditor: s for s in write_send_back(out, analysis, _options(), produced=PRODUCED)}
    assert set(sent) == {"Ann Lee", "Jane Smith", "Ravi Shah"}
    ann = sent["Ann Lee"]
    assert ann.workbook.name == "findings-for-ann-lee-2024-08.xlsx" and ann.draft.suffix == ".eml"
    assert ann.count == 2

    wb = openpyxl.load_workbook(ann.workbook)
    assert wb.sheetnames == ["Summary", "Findings"]
    assert wb["Findings"]["A1"].value == "Findings to correct"
    rows = _rows(ann.workbook, "tbl_findings")
    assert list(rows[0]) == ["File", "Sheet", "Cell", "Field", "Value found", "What to fix", "Severity", "Audit key"]
    first = rows[0]
    assert (first["File"], first["Sheet"], first["Cell"], first["Field"], first["Value found"]) == \
        ("CFA 3.xlsx", "Audit", OVERALL_CELL, "Overall practice judgement", "Outstandingish")
    assert first["What to fix"].startswith('Overall practice judgement: "Outstandingish" is not a grade. Enter')
    assert first["Audit key"] == audit_key(SECRET, "case_file_audit", "CR-1003", date(2024, 8, 19))
    summary = _rows(ann.workbook, "tbl_summary_by_rule")
    assert sum(r["Findings"] for r in summary) == 2
    for s in sent.values():
        text = _every_text(s.workbook)
        assert "CR-10" not in text and "C200" not in text  # no child's ID, not even in a masked file name
        for name in ("Jane Smith", "Ann Lee", "Ravi Shah", "Priya Patel"):
            assert name not in text  # nor any staff name
        assert inspect_workbook(s.workbook, identifiers={"CR-1001", "CR-1003", "C2001", "C2002"},
                                staff_names={"Jane Smith", "Ann Lee", "Ravi Shah", "Priya Patel", "Tom Okafor"},
                                la_name="Anytown Council") == []

    message = email.message_from_bytes(ann.draft.read_bytes(), policy=policy.default)
    assert message["X-Unsent"] == "1"
    assert message["Subject"] == ("Audit returns to correct for the August 2024 report: 2 problems "
                                  "(OFFICIAL-SENSITIVE)")
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Hello Ann Lee,\n")
    assert 'Case file audit "CFA 3.xlsx":' in body
    assert (f'- Sheet Audit, cell {OVERALL_CELL}: Overall practice judgement: "Outstandingish" is not a grade. '
            "Enter") in body
    assert "CR-10" not in body and "Perhaps" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == ann.workbook.name
    assert attachment.get_content() == ann.workbook.read_bytes()
    jane = email.message_from_bytes(sent["Jane Smith"].draft.read_bytes(), policy=policy.default)
    assert '"\u2022\u2022\u2022 audit.xlsx"' in jane.get_body(("plain",)).get_content()

    # the same inputs give the same bytes (reproducible, as the report is)
    again = tmp_path / "again"
    again.mkdir()
    write_send_back(again, analysis, _options(), produced=PRODUCED)
    for s in sent.values():
        assert (again / s.workbook.name).read_bytes() == s.workbook.read_bytes()
        assert (again / s.draft.name).read_bytes() == s.draft.read_bytes()


def test_case_references_only_when_the_user_opted_in(inbox, tmp_path):
    analysis = analyse([inbox], AUG)
    [ann] = write_send_back(tmp_path, analysis, _options(include_case_refs=True), produced=PRODUCED,
                            auditors=["Ann Lee"])
    rows = _rows(ann.workbook, "tbl_findings")
    assert list(rows[0])[-1] == "Reference" and {r["Reference"] for r in rows} == {"CR-1003"}
    assert "CR-1003" not in ann.draft.read_text(errors="replace")  # the email never carries it


def test_a_list_that_would_leak_is_never_saved(inbox, tmp_path):
    analysis = analyse([inbox], AUG)
    leaky = Finding("CFA 3.xlsx", "Audit", "B9", Severity.ERROR, "grade.unrecognised",
                    "Case reference CR-1003 is not a grade.")
    with pytest.raises(LeakFound):
        write_send_back(tmp_path / "out", analysis, _options(), produced=PRODUCED,
                        findings=analysis.findings + [leaky])
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
