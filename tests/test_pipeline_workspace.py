"""The pipeline with a workspace: months added run by run, imports removed, corrections, commentary,
feedback left out by audit key, the command line's --workspace, and an unchanged file never re-read.

Figures are worked by hand from tests/workspace_fixtures.py: August has Good, Inadequate and an
unreadable "Goodish" overall judgement; September has Good and Requires improvement.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

import openpyxl
import pytest

from pqa_desktop import cli
from pqa_desktop.core.pipeline import reading
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.findings import Severity
from pqa_desktop.core.pipeline.run import BuildOptions, analyse, build, compute, duplicates, feedback_items
from pqa_desktop.core.privacy import NameRedactor, audit_key
from pqa_desktop.core.workspace import Workspace
from tests.workspace_fixtures import (AUDITS_YTD, GOOD_OR_BETTER_YTD, OVERALL_CELL, august, headline, september,
                                      write_audit)

AUG, SEP = Period(date(2024, 8, 1)), Period(date(2024, 9, 1))


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.open(tmp_path / "shared" / "team.pqa.sqlite")
    yield workspace
    workspace.close()


def _figures(analysis, **options):
    figures, _ = compute(analysis, BuildOptions(period=analysis.period, **options))
    return figures


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_months_in_two_runs_then_the_second_build_counts_both(tmp_path, ws):
    first = build([august(tmp_path / "aug")], tmp_path / "aug.xlsx", BuildOptions(period=AUG), workspace=ws)
    assert headline(first.figures, AUDITS_YTD) == 3
    assert headline(first.figures, GOOD_OR_BETTER_YTD) == pytest.approx(1 / 2)  # Goodish is not a grade

    second = build([september(tmp_path / "sep")], tmp_path / "sep.xlsx", BuildOptions(period=SEP), workspace=ws)
    assert headline(second.figures, AUDITS_YTD) == 5
    assert headline(second.figures, GOOD_OR_BETTER_YTD) == pytest.approx(2 / 4)
    assert {row.name for row in ws.imports()} == {f"CFA {n}.xlsx" for n in range(1, 6)}
    # The August file's error is stored with its import and shown again in September's run.
    assert [(f.file, f.cell) for f in second.findings if f.rule == "grade.unrecognised"] == [
        ("CFA 3.xlsx", OVERALL_CELL)]
    # The summaries (the app's inputs list) cover every import, each with its id.
    summaries = second.analysis.summaries()
    assert len(summaries) == 5 and all(s.import_id is not None for s in summaries)
    assert openpyxl.load_workbook(tmp_path / "sep.xlsx").sheetnames


def test_build_from_the_workspace_alone_with_its_secret(tmp_path, ws):
    analyse([august(tmp_path / "aug"), september(tmp_path / "sep")], SEP, workspace=ws)
    result = build([], tmp_path / "out.xlsx", BuildOptions(period=SEP), workspace=ws)
    assert headline(result.figures, AUDITS_YTD) == 5
    expected = audit_key(ws.secret(), "case_file_audit", "CR-1004", date(2024, 9, 2))
    assert expected in set(result.figures.table("tbl_audits")["Audit key"])


def test_removing_an_import_drops_it_from_the_figures(tmp_path, ws):
    analysis = analyse([august(tmp_path / "aug"), september(tmp_path / "sep")], SEP, workspace=ws)
    good_in_september = next(s for s in analysis.summaries() if s.name == "CFA 4.xlsx")
    ws.remove_import(good_in_september.import_id)
    figures = _figures(analyse([], SEP, workspace=ws))
    assert headline(figures, AUDITS_YTD) == 4
    assert headline(figures, GOOD_OR_BETTER_YTD) == pytest.approx(1 / 3)  # Good of Good, Inadequate, RI


def test_a_value_correction_changes_the_figures_clears_the_error_and_leaves_the_file_alone(tmp_path, ws):
    folder = august(tmp_path / "aug")
    goodish = folder / "CFA 3.xlsx"
    before = goodish.read_bytes()
    analyse([folder], AUG, workspace=ws)
    ws.correct_value(_sha(goodish), "Audit", OVERALL_CELL, "Good", "Auditor confirmed Good by email", who="qa.officer")

    # Built from the workspace alone: the file is found again where it was imported from and re-read.
    analysis = analyse([], AUG, workspace=ws)
    assert not [f for f in analysis.findings if f.rule == "grade.unrecognised"]
    assert headline(_figures(analysis), GOOD_OR_BETTER_YTD) == pytest.approx(2 / 3)
    assert goodish.read_bytes() == before
    [correction] = ws.list_corrections()
    assert (correction.kind, correction.target, correction.value, correction.who) == (
        "value", (_sha(goodish), "Audit", OVERALL_CELL), "Good", "qa.officer")
    assert correction.when.tzinfo is not None and correction.reason == "Auditor confirmed Good by email"

    ws.undo_correction(correction.id)
    analysis = analyse([folder], AUG, workspace=ws)
    assert [f.rule for f in analysis.findings if f.severity is Severity.ERROR] == ["grade.unrecognised"]
    assert headline(_figures(analysis), GOOD_OR_BETTER_YTD) == pytest.approx(1 / 2)


def test_a_correction_waits_with_a_warning_when_the_file_has_gone(tmp_path, ws):
    folder = august(tmp_path / "aug")
    goodish = folder / "CFA 3.xlsx"
    analyse([folder], AUG, workspace=ws)
    ws.correct_value(_sha(goodish), "Audit", OVERALL_CELL, "Good", "confirmed", who="qa")
    moved = goodish.rename(tmp_path / "moved.xlsx")
    analysis = analyse([], AUG, workspace=ws)
    assert [(f.file, f.rule) for f in analysis.findings if f.severity is Severity.WARNING] == [
        ("CFA 3.xlsx", "workspace.correction_waiting")]
    assert headline(_figures(analysis), GOOD_OR_BETTER_YTD) == pytest.approx(1 / 2)
    # Added again (from anywhere): read with the correction.
    analysis = analyse([moved], AUG, workspace=ws)
    assert headline(_figures(analysis), GOOD_OR_BETTER_YTD) == pytest.approx(2 / 3)


def test_choosing_which_duplicate_to_keep(tmp_path, ws):
    from datetime import datetime

    write_audit(tmp_path / "dup" / "first.xlsx", "CR-2001", date(2024, 8, 6), "Good",
                modified=datetime(2024, 8, 9, 10, 0))
    write_audit(tmp_path / "dup" / "second.xlsx", "CR-2001", date(2024, 8, 6), "Inadequate",
                modified=datetime(2024, 8, 7, 10, 0))
    analysis = analyse([tmp_path / "dup"], AUG, workspace=ws)
    # By default the later-modified copy (Good) is kept.
    assert headline(_figures(analysis), GOOD_OR_BETTER_YTD) == 1
    [dup] = duplicates(analysis)
    assert dup.identity == ("case_file_audit", "CR-2001", date(2024, 8, 6))
    assert sorted(dup.copies) == ["first.xlsx", "second.xlsx"] and dup.kept == "first.xlsx"

    ws.choose_duplicate(dup.identity, "second.xlsx", "The amended copy is the right one", who="qa")
    analysis = analyse([], AUG, workspace=ws)
    assert headline(_figures(analysis), GOOD_OR_BETTER_YTD) == 0
    [warning] = [f for f in analysis.findings if f.rule == "audit.duplicate"]
    assert warning.file == "first.xlsx" and "as you chose" in warning.message
    assert ws.keep_choices() == {("case_file_audit", "CR-2001", date(2024, 8, 6)): "second.xlsx"}


def test_commentary_is_offered_again_next_month_and_used_by_the_build(tmp_path, ws):
    ws.save_commentary(date(2024, 8, 1), "Summary", "Audit numbers recovered after July.")
    ws.save_commentary(date(2024, 8, 1), "Feedback", "Families value regular visits.")
    ws.save_commentary(date(2024, 9, 1), "Feedback", "")  # cleared for September
    assert ws.commentary_for(date(2024, 9, 1)) == {"Summary": "Audit numbers recovered after July."}
    assert ws.commentary_for(date(2024, 8, 1))["Feedback"] == "Families value regular visits."
    assert ws.commentary_for(date(2024, 7, 1)) == {}

    build([september(tmp_path / "sep")], tmp_path / "sep.xlsx", BuildOptions(period=SEP), workspace=ws)
    book = openpyxl.load_workbook(tmp_path / "sep.xlsx")
    texts = {str(c.value) for ws_ in book.worksheets for row in ws_.iter_rows() for c in row if c.value}
    assert any("Audit numbers recovered after July." in t for t in texts)
    assert not any("Families value regular visits." in t for t in texts)


def test_feedback_items_are_redacted_and_left_out_by_audit_key(tmp_path, ws):
    analysis = analyse([august(tmp_path / "aug"), september(tmp_path / "sep")], SEP, workspace=ws)
    options = BuildOptions(period=SEP)
    items = feedback_items(analysis, options)
    assert [(i.date, i.text) for i in items] == [
        (date(2024, 8, 5), "[name] listened to us and explained the plan."),
        (date(2024, 9, 2), "Helpful visits every week.")]
    assert items[0].audit_key == audit_key(ws.secret(), "case_file_audit", "CR-1001", date(2024, 8, 5))
    assert (items[0].source, items[0].sentiment) == ("Parent or carer", "Getting it right")

    options.excluded_feedback = {items[0].audit_key}
    figures, _ = compute(analysis, options)
    assert list(figures.table("tbl_feedback")["Feedback"]) == ["Helpful visits every week."]
    assert headline(figures, AUDITS_YTD) == 5  # leaving feedback out changes nothing else


def test_an_unchanged_file_is_not_read_again(tmp_path, ws, monkeypatch):
    folders = [august(tmp_path / "aug"), september(tmp_path / "sep")]
    analyse(folders, SEP, workspace=ws)

    def refuse(*args, **kwargs):
        raise AssertionError("an unchanged file was read again")

    monkeypatch.setattr(reading, "read_return_with_tables", refuse)
    monkeypatch.setattr(reading, "read_export", refuse)
    monkeypatch.setenv(reading.WORKERS_ENV, "1")  # read here, where the refusal is in place
    analysis = analyse(folders, SEP, workspace=ws)
    assert headline(_figures(analysis), AUDITS_YTD) == 5
    assert len(ws.imports()) == 5


def test_skipped_and_corrupt_files_are_reported_but_not_imported(tmp_path, ws):
    folder = august(tmp_path / "aug")
    (folder / "desktop.ini").write_text("[.ShellClassInfo]\n")
    (folder / "Broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    analysis = analyse([folder], AUG, workspace=ws)
    assert {f.file for f in analysis.findings if f.rule == "file.corrupt"} == {"Broken.xlsx"}
    assert len(ws.imports()) == 3


def test_validate_reads_new_files_without_importing_them(tmp_path, ws):
    analyse([august(tmp_path / "aug")], AUG, workspace=ws)
    analysis = analyse([september(tmp_path / "sep")], SEP, workspace=ws, import_new=False)
    assert headline(_figures(analysis), AUDITS_YTD) == 5
    assert len(ws.imports()) == 3


def test_the_workspace_gives_the_same_figures_as_the_files(tmp_path, demo_inputs_copy):
    """Stored audits and export tables (personal columns dropped) give every figure the files give."""
    from pqa_desktop.core.sample.demo import DEMO_PERIOD_END, demo_settings

    demo_inputs_copy(tmp_path / "demo")  # generated once per run (conftest.py)
    period = Period(DEMO_PERIOD_END)
    options = BuildOptions(period=period, settings=demo_settings(), audit_key_secret="s" * 64)
    direct, _ = compute(analyse([tmp_path / "demo"], period), options)
    with Workspace.open(tmp_path / "w.sqlite") as workspace:
        analyse([tmp_path / "demo"], period, workspace=workspace)
    with Workspace.open(tmp_path / "w.sqlite") as workspace:
        stored, _ = compute(analyse([], period, workspace=workspace), options)
    assert direct.tables.keys() == stored.tables.keys()
    for name, table in direct.tables.items():
        assert table.equals(stored.tables[name]), name
    assert [(h.measure, h.value) for h in direct.headlines] == [(h.measure, h.value) for h in stored.headlines]


# --- command line ---------------------------------------------------------------------------------

def test_cli_build_with_a_workspace_and_no_new_input(tmp_path, capsys):
    workspace = tmp_path / "w.sqlite"
    aug, sep = august(tmp_path / "aug"), september(tmp_path / "sep")
    assert cli.main(["build", str(aug), "--workspace", str(workspace), "-o", str(tmp_path / "a.xlsx"),
                     "--period-end", "2024-08"]) == 0
    assert cli.main(["build", str(sep), "--workspace", str(workspace), "-o", str(tmp_path / "b.xlsx"),
                     "--period-end", "2024-09"]) == 0
    capsys.readouterr()
    assert cli.main(["build", "--workspace", str(workspace), "-o", str(tmp_path / "c.xlsx"),
                     "--period-end", "2024-09", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {h["measure"]: h["value"] for h in summary["headlines"]}[AUDITS_YTD] == 5
    assert (tmp_path / "c.xlsx").exists()


def test_cli_commentary_file_is_kept_in_the_workspace(tmp_path):
    workspace = tmp_path / "w.sqlite"
    notes = tmp_path / "commentary.md"
    notes.write_text("## Summary\nSteady month for audits.\n", encoding="utf-8")
    assert cli.main(["build", str(august(tmp_path / "aug")), "--workspace", str(workspace), "-o",
                     str(tmp_path / "a.xlsx"), "--period-end", "2024-08", "--commentary", str(notes)]) == 0
    with Workspace.open(workspace) as ws:
        assert ws.commentary_for(date(2024, 9, 1)) == {"Summary": "Steady month for audits."}


def test_cli_validate_with_a_workspace_shows_stored_findings(tmp_path, capsys):
    workspace = tmp_path / "w.sqlite"
    assert cli.main(["build", str(august(tmp_path / "aug")), "--workspace", str(workspace), "-o",
                     str(tmp_path / "a.xlsx"), "--period-end", "2024-08"]) == 0
    capsys.readouterr()
    assert cli.main(["validate", "--workspace", str(workspace), "--period-end", "2024-08"]) == 1
    out = capsys.readouterr().out
    assert "grade.unrecognised" in out and "CFA 3.xlsx" in out


def test_cli_needs_an_input_or_a_workspace(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["build", "-o", str(tmp_path / "x.xlsx")])
    assert exit_info.value.code == 2
    assert "INPUT" in capsys.readouterr().err


def test_cli_workspace_that_is_not_one_is_a_plain_error(tmp_path, capsys):
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("shopping list\n" * 200)
    assert cli.main(["build", str(august(tmp_path / "aug")), "--workspace", str(bogus), "-o",
                     str(tmp_path / "a.xlsx")]) == 1
    assert "not a PQA Desktop workspace" in capsys.readouterr().err


@pytest.mark.parametrize("with_workspace", [True, False])
def test_an_analysis_keeps_no_input_bytes_once_they_are_read(tmp_path, ws, with_workspace):
    """Issue 18: every analysis the app held kept every input's bytes (34 MB for a council's year); the
    names, hashes and places stay, and a second analysis of the same inputs finds them the same."""
    folder = august(tmp_path / "aug")
    first = analyse([folder], Period(date(2024, 8, 1)), workspace=ws if with_workspace else None)
    items = first.files + [item for item, _ in first.results]
    assert items and all(item.data == b"" for item in items)
    on_disk = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert {item.name: item.sha256 for item in first.files} == on_disk
    assert all(item.path for item in first.files)
    again = analyse([folder], Period(date(2024, 8, 1)), workspace=ws if with_workspace else None)
    assert [(i.name, i.sha256, i.path) for i in again.files] == [(i.name, i.sha256, i.path) for i in first.files]
    assert again.summaries() == first.summaries()


def test_feedback_items_are_those_of_the_feedback_table_one_audit_at_a_time(tmp_path):
    """Issue 18: the items are worked out from one pass over the audits now, not a table per audit (0.4 s of
    each check of a council's year); they are the same items, in the same order, with the same words."""
    from dataclasses import replace as changed

    from pqa_desktop.core.measures.audit_lists import feedback_table
    from pqa_desktop.core.measures.audit_windows import trend_window
    from pqa_desktop.core.pipeline.run import _in_period, _shown_feedback, audit_key_function
    from pqa_desktop.core.sample.demo import generate_returns

    generate_returns(tmp_path / "returns", period_end=date(2024, 9, 1), seed=11, case_file_audits=60,
                     foster_audits=12, edt_samples=2, messy=True)
    analysis = analyse([tmp_path / "returns"], Period(date(2024, 9, 1)))
    options = BuildOptions(period=analysis.period)
    audits = _in_period(analysis)
    # one without a source or sentiment, one with only spaces for text: as the table has them
    audits[0].feedback = changed(audits[0].feedback, source=None, sentiment=None) if audits[0].feedback else None
    key = audit_key_function(analysis, options)
    window = trend_window(analysis.period)
    before = []
    for audit in audits:  # the way it was done: the table, one audit at a time
        table = feedback_table([audit], window, key)
        if not table.empty:
            before.append((audit, table.iloc[0].to_dict()))
    before.sort(key=lambda pair: (pair[0].audit_date, key(pair[0])))
    texts = _shown_feedback([row["Feedback"] for _, row in before], NameRedactor(analysis.staff_names),
                            options.settings)
    items = feedback_items(analysis, options)
    assert len(items) == len(before) > 20
    assert [(i.audit_key, i.date, i.source, i.sentiment, i.text) for i in items] == [
        (key(a), a.audit_date, row.get("Source"), row.get("Sentiment"), text) for (a, row), text in zip(before, texts)]
