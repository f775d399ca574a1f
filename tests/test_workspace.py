"""The workspace file itself: opening and migrating, what it stores (and never stores), the latest export
of each kind, audit-key lookup, corrections, purge."""
from __future__ import annotations

import os
import re
import sqlite3
import zlib
from dataclasses import replace
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.inputs.discover import discover
from pqa_desktop.core.pipeline.reading import read_input
from pqa_desktop.core.pipeline.run import analyse
from pqa_desktop.core.privacy import audit_key
from pqa_desktop.core.workspace import SCHEMA_VERSION, Workspace, WorkspaceError
from pqa_desktop.core.workspace import codec
from pqa_desktop.core.workspace.schema import MIGRATIONS
from tests.exports_fixtures import VERBATIM, row_for, write_xlsx
from tests.workspace_fixtures import august, contacts_list, september, write_audit

SEP = Period(date(2024, 9, 1))


def _blobs_and_bytes(path) -> bytes:
    """The raw file and every compressed value in it, decompressed: what a snooper could read."""
    raw = path.read_bytes()
    parts = [raw]
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                parts += [zlib.decompress(v) for v in row if isinstance(v, bytes)]
    finally:
        conn.close()
    return b"\n".join(parts)


# --- opening -------------------------------------------------------------------------------------------

def test_a_new_workspace_is_created_with_its_folders_and_keeps_its_secret(tmp_path):
    path = tmp_path / "shared drive" / "QA" / "workspace.sqlite"
    with Workspace.open(path) as ws:
        secret = ws.secret()
        assert ws.path == path and ws.imports() == [] and re.fullmatch(r"[0-9a-f]{64}", secret)
    with Workspace.open(path) as ws:
        assert ws.secret() == secret
        assert ws._conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert ws._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "3"
    assert not (tmp_path / "shared drive" / "QA" / "workspace.sqlite-journal").exists()


def test_default_path_is_in_the_app_data_folder(_private_app_data):
    assert Workspace.default_path() == _private_app_data / "workspace.sqlite"
    with Workspace.open(None) as ws:
        assert ws.path.exists()


def test_a_version_1_workspace_is_migrated_forward_with_its_data(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    # The version-1 schema (before corrections existed), with one import, its audit and commentary.
    for statement in re.sub(r"--[^\n]*", "", MIGRATIONS[0]).split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [("application", "pqa-desktop-workspace"),
                                                         ("schema_version", "1"), ("audit_key_secret", "ab" * 32)])
    conn.execute("INSERT INTO imports(id, name, sha256, kind, kind_label, imported_at, overrides) VALUES "
                 "(1, 'CFA old.xlsx', 'f00d', 'case_file_audit', 'Case file audit', '2024-08-01T09:00:00+00:00', '[]')")
    conn.execute("INSERT INTO audits(import_id, template_type, reference, audit_date, audit_type, service_area, "
                 "grades, compliance, actions, staff) VALUES (1, 'case_file_audit', 'CR-7', '2024-07-03', "
                 "'Case file audit', 'CST', '{\"overall\": \"Good\"}', '{}', 2, '{}')")
    conn.execute("INSERT INTO commentary VALUES ('2024-07', 'Summary', 'July text', 'qa', '2024-08-01')")
    conn.commit()
    conn.close()

    with Workspace.open(path) as ws:
        assert ws._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        [stored] = ws.stored_results()
        [audit] = stored.result.audits
        assert (audit.reference, audit.audit_date, audit.overall, audit.actions) == ("CR-7", date(2024, 7, 3), "Good", 2)
        assert ws.commentary_for(date(2024, 8, 1)) == {"Summary": "July text"}
        assert ws.secret() == "ab" * 32
        ws.correct_value("f00d", "Audit", "b5", "Good", "typo", who="qa")  # the version-2 table works
        assert ws.value_overrides("f00d") == {("Audit", "B5"): "Good"}


def test_files_that_are_not_workspaces_are_refused_plainly(tmp_path):
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database\n" * 100)
    with pytest.raises(WorkspaceError, match="not a PQA Desktop workspace"):
        Workspace.open(text)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(WorkspaceError, match="not a PQA Desktop workspace"):
        Workspace.open(other)
    with pytest.raises(WorkspaceError, match="folder"):
        Workspace.open(tmp_path)


def test_a_newer_workspace_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "new.sqlite"
    Workspace.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(WorkspaceError, match="newer version"):
        Workspace.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "99"
    conn.close()


# --- what is stored ----------------------------------------------------------------------------------

def _list_8(path, postcode: str, worker: str):
    header = VERBATIM["annex_a_list_8"]
    rows = [header] + [row_for(header, {
        "Child Unique ID": f"CHILD{n:04d}", "Gender": "Female", "Ethnicity": "WBRI", "Date of Birth": "04/05/2012",
        "Date Started to be Looked After": "01/02/2023", "Placement Type": "U1", "Placement postcode": postcode,
        "Start Date of Most Recent Placement": "01/02/2023", "Allocated Worker": worker}) for n in range(1, 4)]
    return write_xlsx(path, {"List 8": rows}, modified=datetime(2024, 9, 30, 8, 0))


def test_no_postcode_no_evidence_and_no_unused_personal_column_is_stored(tmp_path):
    folder = tmp_path / "in"
    write_audit(folder / "CFA 9.xlsx", "CR-9009", date(2024, 9, 3), "Good",
                evidence="Kitchen-table conversation about zebra crossings", feedback="Kind and patient.")
    _list_8(folder / "List 8.xlsx", "ZQ9 8XW", "Wilhelmina Quartermaine")
    path = tmp_path / "w.sqlite"
    with Workspace.open(path) as ws:
        analysis = analyse([folder], SEP, workspace=ws)
        assert analysis.exports.get("annex_a_list_8").rows == 3
    readable = _blobs_and_bytes(path)
    assert b"ZQ9 8XW" not in readable and b"zebra crossings" not in readable
    # What is needed is there (so the search above looks in the right places).
    assert b"Kind and patient." in readable and b"CHILD0002" in readable
    with Workspace.open(path) as ws:
        frame = next(s for s in ws.stored_results() if s.result.exports).result.exports[0].frame
        assert {"gender", "ethnicity", "placement_postcode", "worker"}.isdisjoint(frame.columns)
        assert {"child_id", "dob", "cla_start", "placement_type"} <= set(frame.columns)
        # The worker's name is kept only in the list of names to redact from feedback.
        staff = {n for s in ws.stored_results() for n in s.result.staff_names}
        assert "Wilhelmina Quartermaine" in staff


def test_frames_come_back_with_their_types_and_blanks():
    frame = pd.DataFrame({
        "child_id": ["C1", None, "C3"],
        "cla_start": pd.to_datetime(["2024-01-02", None, "2023-12-31"]),
        "placements_12m": [1.0, np.nan, 3.0],
        "_row": [2, 3, 4],
        "_bad_dob": [False, True, False],
    }, index=[5, 6, 7])
    back = codec.decode_frame(codec.encode_frame(frame))
    pd.testing.assert_frame_equal(back, frame)


def test_only_the_latest_export_of_a_kind_is_kept(tmp_path):
    august_list = contacts_list(tmp_path / "contacts aug.xlsx", 2, datetime(2024, 9, 1, 8))
    september_list = contacts_list(tmp_path / "contacts sep.xlsx", 3, datetime(2024, 10, 1, 8))
    with Workspace.open(tmp_path / "a.sqlite") as ws:
        analyse([august_list], SEP, workspace=ws)
        analysis = analyse([september_list], SEP, workspace=ws)
        assert analysis.exports.get("annex_a_list_1").rows == 3
        rows = {r.name: r for r in ws.imports()}
        assert rows["contacts aug.xlsx"].records == 0 and rows["contacts sep.xlsx"].records == 3
        assert rows["contacts aug.xlsx"].replaced == ("Annex A List 1 Contacts",)
        assert [f.rule for f in analysis.findings if f.file == "contacts aug.xlsx"] == ["workspace.table_replaced"]
    # Imported the other way round, the older list does not displace the later one.
    with Workspace.open(tmp_path / "b.sqlite") as ws:
        analyse([september_list], SEP, workspace=ws)
        analysis = analyse([august_list], SEP, workspace=ws)
        assert analysis.exports.get("annex_a_list_1").file == "contacts sep.xlsx"
        assert {r.name: r.records for r in ws.imports()} == {"contacts sep.xlsx": 3, "contacts aug.xlsx": 0}


def test_imports_list_kind_records_and_period_hint(tmp_path):
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analyse([august(tmp_path / "aug")], SEP, workspace=ws)
        row = next(r for r in ws.imports() if r.name == "CFA 2.xlsx")
        assert (row.kind, row.kind_label, row.records) == ("case_file_audit", "Case file audit", 1)
        assert row.first_date == row.last_date == date(2024, 8, 12)
        assert row.imported_at.tzinfo is not None and ws.has_file(row.sha256)
        ws.remove_import(row.id)
        assert not ws.has_file(row.sha256)


# --- lookup, corrections, purge -------------------------------------------------------------------

def test_lookup_turns_an_audit_key_back_into_the_audit(tmp_path):
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analyse([august(tmp_path / "aug")], SEP, workspace=ws)
        key = audit_key(ws.secret(), "case_file_audit", "CR-1002", date(2024, 8, 12))
        [found] = ws.lookup(key.upper() + " ")
        assert (found.template_type, found.reference, found.audit_date, found.file) == (
            "case_file_audit", "CR-1002", date(2024, 8, 12), "CFA 2.xlsx")
        assert ws.lookup("0123456789") == []


def test_corrections_keep_who_when_why_and_the_latest_choice_wins(tmp_path, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "jbloggs")
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        identity = ("case_file_audit", " cr-5 ", date(2024, 8, 1))
        ws.choose_duplicate(identity, "a.xlsx", "first thought", who=None)
        second = ws.choose_duplicate(identity, "b.xlsx", "auditor says b", who="Sam QA")
        assert ws.keep_choices() == {("case_file_audit", "CR-5", date(2024, 8, 1)): "b.xlsx"}
        first = ws.list_corrections()[0]
        assert (first.who, first.reason, first.value) == ("jbloggs", "first thought", "a.xlsx")
        assert (datetime.now(first.when.tzinfo) - first.when).total_seconds() < 60
        ws.undo_correction(second)
        assert ws.keep_choices() == {("case_file_audit", "CR-5", date(2024, 8, 1)): "a.xlsx"}
        assert [c.id for c in ws.list_corrections()] == [first.id]


def test_the_current_imports_all_at_once_are_those_each_one_asked_says(tmp_path):
    """``current_files`` (two queries) gives what ``is_current`` gives each import (two queries each): a file
    corrected and not re-read, one corrected twice then re-read, one whose correction was undone, one untouched."""
    import hashlib

    with Workspace.open(tmp_path / "w.sqlite") as ws:
        folder = august(tmp_path / "aug")
        analyse([folder], SEP, workspace=ws)
        sha = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
        ws.correct_value(sha["CFA 3.xlsx"], "Audit", "B5", "x", "r")
        ws.correct_value(sha["CFA 3.xlsx"], "Audit", "$b$5", "y", "later")
        undone = ws.correct_value(sha["CFA 2.xlsx"], "Audit", "C7", "z", "r")
        analyse([folder], SEP, workspace=ws)  # re-read with them
        ws.undo_correction(undone)
        ws.correct_value(sha["CFA 1.xlsx"], "Audit", "B5", "x", "r")
        every = {row.sha256 for row in ws.imports()}
        assert ws.current_files() == {s for s in every if ws.is_current(s)} == {sha["CFA 3.xlsx"]}
        assert {row.sha256 for row in ws.stale_imports()} == {sha["CFA 1.xlsx"], sha["CFA 2.xlsx"]}


def test_purge_removes_imports_whose_records_are_all_older(tmp_path):
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analyse([august(tmp_path / "aug"), september(tmp_path / "sep")], SEP, workspace=ws)
        ws.choose_duplicate(("case_file_audit", "CR-1001", date(2024, 8, 5)), "CFA 1.xlsx", "old", who="qa")
        ws.save_commentary(date(2024, 8, 1), "Summary", "August text")
        ws.save_commentary(date(2024, 9, 1), "Summary", "September text")
        # Six months before 15 March 2025 is 15 September 2024: August's three audits and the one of
        # 2 September go; the audit of 16 September stays.
        assert ws.purge(6, date(2025, 3, 15)) == 4
        assert [r.name for r in ws.imports()] == ["CFA 5.xlsx"]
        assert ws.keep_choices() == {}
        assert ws.commentary_for(date(2024, 8, 1)) == {}
        assert ws.commentary_for(date(2024, 9, 1)) == {"Summary": "September text"}
    assert b"CR-1001" not in (tmp_path / "w.sqlite").read_bytes()  # secure delete: not left in free pages


def test_a_new_secret_changes_keys_but_old_keys_are_still_found(tmp_path):
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analyse([august(tmp_path / "aug")], SEP, workspace=ws)
        old = ws.secret()
        old_key = audit_key(old, "case_file_audit", "CR-1001", date(2024, 8, 5))
        new = ws.new_secret()
        assert new != old and ws.secret() == new
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        assert ws.secret() == new
        assert [f.reference for f in ws.lookup(old_key)] == ["CR-1001"]
        assert [f.reference for f in ws.lookup(audit_key(new, "case_file_audit", "CR-1001", date(2024, 8, 5)))] \
            == ["CR-1001"]


def test_a_read_only_workspace_is_a_plain_error_and_nothing_changes(tmp_path):
    path = tmp_path / "w.sqlite"
    Workspace.open(path).close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with Workspace(path, conn) as ws:  # as a file the user may read but not change
        with pytest.raises(WorkspaceError, match="read-only"):
            ws.save_commentary(date(2024, 9, 1), "Summary", "text")
    with Workspace.open(path) as ws:
        assert ws.commentary_for(date(2024, 9, 1)) == {}


def test_a_default_index_comes_back_as_a_range():
    frame = pd.DataFrame({"child_id": ["C1", "C2"]})
    back = codec.decode_frame(codec.encode_frame(frame))
    assert isinstance(back.index, pd.RangeIndex)
    pd.testing.assert_frame_equal(back, frame, check_index_type=True)


def test_dates_held_as_values_come_back_as_dates_and_numbers_as_numbers():
    # Tagged dates are turned back by the JSON parser as it meets them (a column built in one step):
    # a date, a date and time and text side by side in one column, an all-blank number column, a
    # whole-number column and an index of dates each come back as they went in.
    frame = pd.DataFrame({
        "mixed": [date(2024, 9, 30), datetime(2024, 9, 30, 8, 15), "text", None],
        "count": [1.5, 2.0, 3.25, 4.0],
        "blank": [np.nan] * 4,
        "rows": [2, 3, 4, 5],
        "when": pd.to_datetime(["2024-01-02", None, None, "2023-12-31"]),
    }, index=[date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)])
    back = codec.decode_frame(codec.encode_frame(frame))
    pd.testing.assert_frame_equal(back, frame)
    assert [type(v) for v in back["mixed"]] == [date, datetime, str, type(None)]
    assert list(back.index) == list(frame.index)


@pytest.mark.parametrize("bad", ["\udcff", "\ud800"])  # a Linux name's byte that is not UTF-8; a Windows lone surrogate
def test_a_file_whose_path_sqlite_cannot_hold_is_imported_with_its_path_shown_as_it_can(tmp_path, bad):
    # SQLite refused the path and the whole build failed (UnicodeEncodeError); the file counts like any other.
    folder = august(tmp_path / "aug")
    item = next(f for f in discover([folder])[0] if f.name == "CFA 2.xlsx")
    result = read_input(item)
    odd = replace(item, path=str(folder / f"CFA {bad}2.xlsx"))
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        ws.import_file(odd, result)
        row = next(r for r in ws.imports() if r.sha256 == item.sha256)
        assert row.path == str(folder / "CFA \ufffd2.xlsx") and row.records == 1


@pytest.mark.skipif(os.name == "nt", reason="a file name of bytes that are not UTF-8: Linux and macOS")
def test_a_workspace_build_reads_a_file_whose_name_is_not_utf8(tmp_path):
    folder = august(tmp_path / "aug")
    src = folder / "CFA 2.xlsx"
    os.rename(bytes(src), os.fsencode(str(folder)) + b"/CFA \xff2.xlsx")
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analysis = analyse([folder], SEP, workspace=ws)
        assert "CFA \ufffd2.xlsx" in {r.name for r in ws.imports()}
    assert any(a.audit_date == date(2024, 8, 12) for a in analysis.records.audits)


def test_a_build_from_a_workspace_with_imports_starts_its_reading_process_ahead(tmp_path, monkeypatch):
    # A build from a workspace that holds imports reads a few new files at most: their reading process (on
    # Windows half a second to start) is started before discovery. The first import of a year reads many
    # files with a pool of workers, and starts nothing ahead.
    from pqa_desktop.core.pipeline import run as pipeline_run

    started = []
    monkeypatch.setattr(pipeline_run, "prestart_reading_process", lambda: started.append(1))
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analyse([august(tmp_path / "aug")], SEP, workspace=ws)
        assert started == []
        analyse([august(tmp_path / "aug"), september(tmp_path / "sep")], SEP, workspace=ws)
        assert started == [1]
    analyse([august(tmp_path / "aug")], SEP)
    assert started == [1]
