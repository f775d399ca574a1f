"""From findings to answers, in the core: each finding's field and value found, who filled in each return,
the QA officer's status for a finding (kept in the workspace, shown in tbl_data_quality's Status column), a
row for every input (skipped ones with why), and reading that shows each file as it is read and keeps what
was read when stopped.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import date

import openpyxl
import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.finding_status import ACCEPTED, CORRECTED, status_text
from pqa_desktop.core.findings import Finding, Severity
from pqa_desktop.core.pipeline.run import NOT_AN_INPUT, NOT_READ, BuildOptions, analyse, build
from pqa_desktop.core.pipeline.reading import read_input
from pqa_desktop.core.returns.reader import read_return
from pqa_desktop.core.workspace import Workspace
from pqa_desktop.core.workspace.schema import MIGRATIONS
from tests.returns_fixtures import input_file, write_register_xlsx
from tests.workspace_fixtures import OVERALL_CELL, august, write_audit, ws  # noqa: F401 - ws: a fixture

AUG = Period(date(2024, 8, 1))


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table(path, sheet: str, name: str) -> list[dict]:
    ws = openpyxl.load_workbook(path)[sheet]
    ref = ws.tables[name].ref
    rows = [[c.value for c in row] for row in ws[ref]]
    return [dict(zip(rows[0], row)) for row in rows[1:]]


# ---------------------------------------------------------------------------------------------------------
# field and value found
# ---------------------------------------------------------------------------------------------------------
def test_a_value_finding_names_its_field_and_the_value_but_a_date_is_never_echoed(tmp_path):
    path = write_audit(tmp_path / "CFA 3.xlsx", "CR-1003", date(2024, 8, 19), "Goodish")
    result = read_return(input_file(path))
    grade = next(f for f in result.findings if f.rule == "grade.unrecognised")
    assert (grade.field, grade.value, grade.cell) == ("Overall practice judgement", "Goodish", OVERALL_CELL)

    wb = openpyxl.load_workbook(path)
    names = {n: d for n, d in wb.defined_names.items()}
    sheet, cell = names["pqa_audit_date"].attr_text.replace("$", "").split("!")
    wb[sheet.strip("'")][cell] = "31/13/2024"  # no such date; it could have been a date of birth
    wb.save(path)
    result = read_return(input_file(path))
    when = next(f for f in result.findings if f.rule == "date.unreadable")
    assert when.field == "Audit date" and when.value == "" and "31/13" not in when.message


def test_register_findings_name_the_field_and_the_row_auditor_is_known_even_for_an_audit_left_out(tmp_path):
    path = write_register_xlsx(tmp_path / "tracker.xlsx",
                               ["Child ID", "Date of audit", "Service area", "Auditor", "Overall grade"],
                               [["C1001", "03/05/2024", "CST", "Jane Smith", "Good"],
                                ["C1002", "31/13/2024", "CST", "Ann Lee", "Good"],  # left out: no date
                                ["C1003", "04/05/2024", "CST", "Ann Lee", "Goodish"]])
    result = read_return(input_file(path))
    assert [a.reference for a in result.audits] == ["C1001", "C1003"]
    assert result.auditors == {"row 2": "Jane Smith", "row 3": "Ann Lee", "row 4": "Ann Lee"}
    grade = next(f for f in result.findings if f.rule == "grade.unrecognised")
    assert (grade.cell, grade.field, grade.value) == ("row 4", "Overall practice judgement", "Goodish")


def test_the_auditor_of_a_return_whose_audit_is_left_out_is_still_known(tmp_path):
    path = write_audit(tmp_path / "CFA.xlsx", "CR-1", date(2024, 8, 5), "Good")
    wb = openpyxl.load_workbook(path)
    sheet, cell = wb.defined_names["pqa_audit_date"].attr_text.replace("$", "").split("!")
    wb[sheet.strip("'")][cell] = None
    wb.save(path)
    result = read_input(input_file(path))
    assert result.audits == [] and result.auditors == {"": "Jane Smith"}


def test_field_value_and_auditors_come_back_from_the_workspace_as_read(tmp_path, ws):
    folder = august(tmp_path / "aug")
    fresh = analyse([folder], AUG)
    analyse([folder], AUG, workspace=ws)
    ws.close()
    with Workspace.open(tmp_path / "ws.sqlite") as again:
        stored = {s.item.name: s.result for s in again.stored_results()}
        assert {name: r.auditors for name, r in stored.items()} == {f"CFA {n}.xlsx": {"": "Jane Smith"}
                                                                   for n in (1, 2, 3)}
        assert sorted(f for r in stored.values() for f in r.findings) == \
            sorted(f for _, r in fresh.results for f in r.findings)
        goodish = next(f for r in stored.values() for f in r.findings if f.rule == "grade.unrecognised")
        assert (goodish.field, goodish.value) == ("Overall practice judgement", "Goodish")


# ---------------------------------------------------------------------------------------------------------
# statuses in the workspace
# ---------------------------------------------------------------------------------------------------------
FINDING = Finding("CFA 3.xlsx", "Audit", "B20", Severity.ERROR, "grade.unrecognised",
                  'Overall practice judgement: "Goodish" is not a grade.', "Overall practice judgement", "Goodish")


def test_a_status_is_kept_across_sessions_and_reopened(tmp_path, ws):
    other = Finding("CFA 1.xlsx", "Audit", "", Severity.INFO, "return.label_fallback", "Read by labels.")
    ws.set_finding_status(FINDING, ACCEPTED, "  Agreed with the service manager  ", who="qa.officer")
    ws.set_finding_status(other, CORRECTED, who="qa.officer")
    with pytest.raises(ValueError, match="reason"):
        ws.set_finding_status(other, ACCEPTED, "  ")
    with pytest.raises(ValueError):
        ws.set_finding_status(other, "ignored", "why")
    ws.close()
    with Workspace.open(tmp_path / "ws.sqlite") as again:
        statuses = again.finding_statuses()
        assert status_text(FINDING, statuses) == "Accepted: Agreed with the service manager"
        assert status_text(other, statuses) == "Corrected"
        assert statuses[("CFA 3.xlsx", "Audit", "B20", "grade.unrecognised")].finding == FINDING
        assert statuses[("CFA 3.xlsx", "Audit", "B20", "grade.unrecognised")].who == "qa.officer"
        again.reopen_finding(FINDING)
        assert status_text(FINDING, again.finding_statuses()) == "Open"
        assert len(again.finding_statuses()) == 1


def test_undoing_a_correction_reopens_the_finding_it_corrected(ws):
    correction = ws.correct_value("f00d", "Audit", "B20", "Good", "confirmed by email", who="qa")
    ws.set_finding_status(FINDING, CORRECTED, "confirmed by email", who="qa", correction_id=correction)
    assert status_text(FINDING, ws.finding_statuses()) == "Corrected"
    ws.undo_correction(correction, who="qa")
    assert ws.finding_statuses() == {}


def test_a_version_2_workspace_is_migrated_with_its_findings_and_can_keep_statuses(tmp_path):
    path = tmp_path / "v2.sqlite"
    conn = sqlite3.connect(path)
    for script in (MIGRATIONS[0], MIGRATIONS[1]):
        for statement in re.sub(r"--[^\n]*", "", script).split(";"):
            if statement.strip():
                conn.execute(statement)
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [("application", "pqa-desktop-workspace"),
                                                         ("schema_version", "2")])
    conn.execute("INSERT INTO imports(id, name, sha256, kind, kind_label, imported_at, overrides) VALUES "
                 "(1, 'CFA old.xlsx', 'f00d', 'case_file_audit', 'Case file audit', '2024-08-01T09:00:00+00:00', '[]')")
    conn.execute("INSERT INTO findings(import_id, file, sheet, cell, severity, rule, message) VALUES "
                 "(1, 'CFA old.xlsx', 'Audit', 'B20', 'error', 'grade.unrecognised', 'Not a grade.')")
    conn.commit()
    conn.close()
    with Workspace.open(path) as ws:
        [stored] = ws.stored_results()
        [finding] = stored.result.findings
        assert (finding.message, finding.field, finding.value) == ("Not a grade.", "", "")
        assert stored.result.auditors == {}
        ws.set_finding_status(finding, ACCEPTED, "old return", who="qa")
        assert status_text(finding, ws.finding_statuses()) == "Accepted: old return"


# ---------------------------------------------------------------------------------------------------------
# statuses through the pipeline to the Data quality sheet
# ---------------------------------------------------------------------------------------------------------
def test_data_quality_status_column_shows_open_corrected_and_accepted(tmp_path, ws):
    folder = august(tmp_path / "aug")  # CFA 3 holds an unreadable "Goodish" overall judgement
    write_audit(folder / "CFA 6.xlsx", "CR-1006", date(2024, 8, 26), "Goodish")
    (folder / "notes.txt").write_text("to do\n")  # skipped: an info finding left open
    first = analyse([folder], AUG, workspace=ws)
    goodish = [f for f in first.findings if f.rule == "grade.unrecognised"]
    assert [f.file for f in goodish] == ["CFA 3.xlsx", "CFA 6.xlsx"]
    # CFA 3: "Treat as" Good, which makes its finding go away; CFA 6: accepted as it stands
    correction = ws.correct_value(_sha(folder / "CFA 3.xlsx"), goodish[0].sheet, goodish[0].cell, "Good",
                                  "confirmed with the auditor", who="qa")
    ws.set_finding_status(goodish[0], CORRECTED, "confirmed with the auditor", who="qa", correction_id=correction)
    ws.set_finding_status(goodish[1], ACCEPTED, "grade to follow at moderation", who="qa")

    result = build([folder], tmp_path / "aug.xlsx", BuildOptions(period=AUG, produced=date(2024, 9, 7)),
                   workspace=ws)
    analysis = result.analysis
    assert [f.file for f in analysis.findings if f.rule == "grade.unrecognised"] == ["CFA 6.xlsx"]
    assert [f.file for f in analysis.resolved] == ["CFA 3.xlsx"]  # corrected away, still listed
    rows = _table(tmp_path / "aug.xlsx", "Data quality", "tbl_data_quality")
    assert list(rows[0]) == ["File", "Sheet", "Cell", "Severity", "Rule", "Message", "Status"]
    status = {(r["File"], r["Rule"]): r["Status"] for r in rows}
    assert status[("CFA 3.xlsx", "grade.unrecognised")] == "Corrected"
    assert status[("CFA 6.xlsx", "grade.unrecognised")] == "Accepted: grade to follow at moderation"
    assert status[("notes.txt", "input.skipped")] == "Open"
    assert set(status.values()) == {"Open", "Corrected", "Accepted: grade to follow at moderation"}
    # the inputs list counts open findings; the two files' findings are dealt with
    summaries = {s.name: s for s in analysis.summaries()}
    assert (summaries["CFA 3.xlsx"].errors, summaries["CFA 3.xlsx"].resolved) == (0, 1)
    assert (summaries["CFA 6.xlsx"].errors, summaries["CFA 6.xlsx"].resolved) == (0, 1)
    assert not summaries["CFA 6.xlsx"].needs_attention

    # undoing the correction brings the finding back, open
    ws.undo_correction(correction, who="qa")
    again = analyse([folder], AUG, workspace=ws)
    assert [f.file for f in again.open_findings() if f.rule == "grade.unrecognised"] == ["CFA 3.xlsx"]
    assert again.resolved == []


# ---------------------------------------------------------------------------------------------------------
# a row for every input
# ---------------------------------------------------------------------------------------------------------
def test_every_input_has_a_row_skipped_ones_and_copies_with_why(tmp_path):
    folder = august(tmp_path / "inbox")
    (folder / "desktop.ini").write_text("[.ShellClassInfo]\n")
    (folder / "~$CFA 1.xlsx").write_bytes(b"lock")
    (folder / "notes.txt").write_text("to do\n")
    (folder / "empty.xlsx").write_bytes(b"")
    (folder / "Copy of CFA 1.xlsx").write_bytes((folder / "CFA 1.xlsx").read_bytes())
    rows = {s.name: s for s in analyse([folder], AUG).summaries()}
    assert rows["CFA 1.xlsx"].kind == "case_file_audit" and rows["CFA 1.xlsx"].auditor == "Jane Smith"
    assert rows["CFA 1.xlsx"].first_date == rows["CFA 1.xlsx"].last_date == date(2024, 8, 5)
    passed = {name: (row.kind_label, row.path) for name, row in rows.items() if row.kind == NOT_AN_INPUT}
    assert passed["desktop.ini"] == ("Skipped: a file Windows or macOS keeps in folders", str(folder / "desktop.ini"))
    assert passed["~$CFA 1.xlsx"][0] == "Skipped: a lock file Office leaves while a document is open"
    assert passed["notes.txt"][0] == "Skipped: PQA Desktop does not read .txt files"
    assert passed["empty.xlsx"] == ("Skipped: empty (0 bytes)", str(folder / "empty.xlsx"))
    assert passed["Copy of CFA 1.xlsx"] == ("Duplicate: same as CFA 1.xlsx, read once",
                                            str(folder / "Copy of CFA 1.xlsx"))
    assert len(passed) == 5 and len(rows) == 3 + 5


# ---------------------------------------------------------------------------------------------------------
# each file as it is read; stopping keeps what was read
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("workers", ["0", "2"])
def test_each_file_is_passed_on_as_soon_as_it_is_read_and_imported_in_the_order_given(tmp_path, ws, monkeypatch,
                                                                                       workers):
    monkeypatch.setenv("PQA_READ_WORKERS", workers)
    folder = august(tmp_path / "aug")
    seen = []
    analysis = analyse([folder], AUG, workspace=ws, on_read=lambda item, result: seen.append(
        (item.name, result.kind, len(ws.imports()))))
    assert sorted(name for name, _, _ in seen) == ["CFA 1.xlsx", "CFA 2.xlsx", "CFA 3.xlsx"]
    assert all(kind == "case_file_audit" for _, kind, _ in seen)
    assert [row.name for row in ws.imports()] == ["CFA 1.xlsx", "CFA 2.xlsx", "CFA 3.xlsx"]  # the order given
    assert not analysis.stopped and analysis.unread == []


def test_stopping_keeps_the_files_read_lists_the_rest_and_continuing_reads_only_the_rest(tmp_path, ws, monkeypatch):
    monkeypatch.setenv("PQA_READ_WORKERS", "0")
    folder = august(tmp_path / "aug")
    for n in (4, 5):
        write_audit(folder / f"CFA {n}.xlsx", f"CR-100{n}", date(2024, 8, 20 + n), "Good")
    read = []
    analysis = analyse([folder], AUG, workspace=ws, keep_on_cancel=True,
                       on_read=lambda item, result: read.append(item.name), cancel=lambda: len(read) >= 2)
    assert analysis.stopped and read == ["CFA 1.xlsx", "CFA 2.xlsx"]
    assert [item.name for item in analysis.unread] == ["CFA 3.xlsx", "CFA 4.xlsx", "CFA 5.xlsx"]
    assert [row.name for row in ws.imports()] == ["CFA 1.xlsx", "CFA 2.xlsx"]  # each read file kept whole
    rows = {s.name: s.kind for s in analysis.summaries()}
    assert rows == {"CFA 1.xlsx": "case_file_audit", "CFA 2.xlsx": "case_file_audit", "CFA 3.xlsx": NOT_READ,
                    "CFA 4.xlsx": NOT_READ, "CFA 5.xlsx": NOT_READ}
    assert len(analysis.records.audits) == 2  # what was read is checked and usable

    read.clear()
    rest = analyse([folder], AUG, workspace=ws, on_read=lambda item, result: read.append(item.name))
    assert read == ["CFA 3.xlsx", "CFA 4.xlsx", "CFA 5.xlsx"] and not rest.stopped
    assert len(rest.records.audits) == 5


def test_without_keep_on_cancel_a_stop_still_raises(tmp_path, monkeypatch):
    from pqa_desktop.core.pipeline.reading import Cancelled

    monkeypatch.setenv("PQA_READ_WORKERS", "0")
    read = []
    with pytest.raises(Cancelled):
        analyse([august(tmp_path / "aug")], AUG, on_read=lambda item, result: read.append(item.name),
                cancel=lambda: len(read) >= 1)


def test_a_build_never_uses_a_check_that_was_stopped(tmp_path, ws, monkeypatch):
    monkeypatch.setenv("PQA_READ_WORKERS", "0")
    folder = august(tmp_path / "aug")
    read = []
    stopped = analyse([folder], AUG, workspace=ws, keep_on_cancel=True,
                      on_read=lambda item, result: read.append(item.name), cancel=lambda: len(read) >= 1)
    assert stopped.stopped
    result = build([folder], tmp_path / "out.xlsx", BuildOptions(period=AUG), analysis=stopped, workspace=ws)
    assert not result.analysis.stopped and len(result.analysis.records.audits) == 3


def test_two_files_whose_names_mask_alike_are_told_apart_and_counted_apart(tmp_path):
    folder = tmp_path / "CR-1002 folder"  # a folder named after a child: masked where it is shown
    write_audit(folder / "CFA CR-1001 Jan.xlsx", "CR-1001", date(2024, 8, 5), "Good")
    write_audit(folder / "CFA CR-1002 Jan.xlsx", "CR-1002", date(2024, 8, 6), "Goodish")
    analysis = analyse([folder], AUG)
    rows = {s.name: s for s in analysis.summaries()}
    assert set(rows) == {"CFA \u2022\u2022\u2022 Jan.xlsx", "CFA \u2022\u2022\u2022 Jan (2).xlsx"}
    assert (rows["CFA \u2022\u2022\u2022 Jan.xlsx"].errors, rows["CFA \u2022\u2022\u2022 Jan (2).xlsx"].errors) == (0, 1)
    [goodish] = [f for f in analysis.findings if f.rule == "grade.unrecognised"]
    assert goodish.file == "CFA \u2022\u2022\u2022 Jan (2).xlsx"
    assert all("CR-100" not in row.location and row.location.endswith("\u2022\u2022\u2022 folder")
               for row in rows.values())
