"""The workspace keeps what it has read back (stored_results): a second analysis decodes nothing again,
yet every change — by this workspace object, by another one on the same file, by a table replaced
under an earlier import — is seen, and what one caller does to its results never reaches the next."""
from __future__ import annotations

import pickle
from datetime import date, datetime

import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.pipeline.run import analyse
from pqa_desktop.core.workspace import Workspace, codec
from tests.workspace_fixtures import august, contacts_list, september

SEP = Period(date(2024, 9, 1))


def _content(stored) -> bytes:
    return pickle.dumps([(s.id, s.item, s.result.kind, s.result.audits, s.result.edt_samples, s.result.findings,
                          sorted(s.result.sensitive), sorted(s.result.staff_names),
                          [(t.kind, t.label, t.frame.to_dict("list")) for t in s.result.exports]) for s in stored])


def _counting_decodes(monkeypatch) -> list:
    calls = []
    real = codec.decode_frame
    monkeypatch.setattr(codec, "decode_frame", lambda blob: calls.append(1) or real(blob))
    return calls


def test_a_second_read_back_decodes_nothing_and_gives_the_same(tmp_path, monkeypatch):
    contacts = contacts_list(tmp_path / "contacts.xlsx", 3, datetime(2024, 10, 1, 8))
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analyse([august(tmp_path / "aug"), contacts], SEP, workspace=ws)
    with Workspace.open(tmp_path / "w.sqlite") as ws:  # a new object: nothing kept yet
        decodes = _counting_decodes(monkeypatch)
        first = ws.stored_results()
        assert len(first) == 4 and decodes == [], "a frame was decoded before anything used it"
        content = _content(first)
        assert len(decodes) == 1
        second = ws.stored_results()
        assert _content(second) == content
        assert len(decodes) == 1, "a kept import was decoded again"


def test_what_a_caller_does_to_its_results_does_not_reach_the_next(tmp_path):
    contacts = contacts_list(tmp_path / "contacts.xlsx", 3, datetime(2024, 10, 1, 8))
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analyse([august(tmp_path / "aug"), contacts], SEP, workspace=ws)
        before = _content(ws.stored_results())
        for stored in ws.stored_results():
            stored.result.audits.clear()
            stored.result.findings.append("junk")
            with pytest.raises(AttributeError):  # shared, so frozen: nothing can change it in place
                stored.result.sensitive.add("junk")
            stored.result.sensitive |= {"junk"}  # a new set, this caller's own
            stored.result.staff_names |= {"junk"}
            for table in stored.result.exports:
                table.frame.loc[0, "child_id"] = "CHANGED"
                table.frame["extra"] = 1
        assert _content(ws.stored_results()) == before


def test_a_new_import_is_read_and_the_kept_ones_are_not(tmp_path, monkeypatch):
    contacts = contacts_list(tmp_path / "contacts.xlsx", 3, datetime(2024, 10, 1, 8))
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analyse([august(tmp_path / "aug"), contacts], SEP, workspace=ws)
        ws.stored_results()
        decodes = _counting_decodes(monkeypatch)
        analysis = analyse([september(tmp_path / "sep")], SEP, workspace=ws)
        assert decodes == [], "the contacts list was decoded again for a new return"
        assert len(analysis.records.audits) == 5
        assert analysis.exports.get("annex_a_list_1").rows == 3


def test_a_table_replaced_under_an_earlier_import_is_seen(tmp_path):
    august_list = contacts_list(tmp_path / "contacts aug.xlsx", 2, datetime(2024, 9, 1, 8))
    september_list = contacts_list(tmp_path / "contacts sep.xlsx", 3, datetime(2024, 10, 1, 8))
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analyse([august_list], SEP, workspace=ws)
        assert [len(s.result.exports) for s in ws.stored_results()] == [1]
        analyse([september_list], SEP, workspace=ws)
        by_name = {s.item.name: s.result for s in ws.stored_results()}
        assert by_name["contacts aug.xlsx"].exports == []
        assert [f.rule for f in by_name["contacts aug.xlsx"].findings] == ["workspace.table_replaced"]


def test_changes_made_through_another_workspace_object_are_seen(tmp_path):
    path = tmp_path / "shared.sqlite"
    with Workspace.open(path) as mine, Workspace.open(path) as theirs:
        analyse([august(tmp_path / "aug")], SEP, workspace=mine)
        assert len(mine.stored_results()) == 3
        analyse([september(tmp_path / "sep")], SEP, workspace=theirs)
        assert len(mine.stored_results()) == 5
        gone = next(s.id for s in theirs.stored_results() if s.item.name == "CFA 1.xlsx")
        theirs.remove_import(gone)
        assert sorted(s.item.name for s in mine.stored_results()) == ["CFA 2.xlsx", "CFA 3.xlsx", "CFA 4.xlsx",
                                                                     "CFA 5.xlsx"]


def test_export_figures_are_kept_while_the_stored_exports_are_the_same(tmp_path, monkeypatch):
    """After a new return the app checks everything again: the KPIs from the unchanged stored exports are
    not worked out again, and change as soon as an export does."""
    from pqa_desktop.core.pipeline import run as pipeline
    from pqa_desktop.core.settings import Settings

    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"))
    passes = []
    real = pipeline._add_export_figures
    monkeypatch.setattr(pipeline, "_add_export_figures", lambda *a: passes.append(1) or real(*a))
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        first = pipeline.analyse([contacts_list(tmp_path / "contacts.xlsx", 3, datetime(2024, 10, 1, 8))], SEP,
                                 workspace=ws)
        pipeline.compute(first, options)
        assert len(passes) == 1
        again = pipeline.analyse([august(tmp_path / "aug")], SEP, workspace=ws)
        figures = pipeline.compute(again, options)[0]
        assert len(passes) == 1, "worked out again although no export changed"
        assert figures.tables["tbl_kpis"].equals(pipeline.compute(first, options)[0].tables["tbl_kpis"])
        pipeline.compute(again, pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Other Council")))
        assert len(passes) == 2, "a changed setting must count"
        later = pipeline.analyse([contacts_list(tmp_path / "contacts oct.xlsx", 5, datetime(2024, 10, 2, 8))], SEP,
                                 workspace=ws)
        pipeline.compute(later, options)
        assert len(passes) == 3, "a new export must count"


def test_a_correction_made_within_the_same_second_is_seen(tmp_path, monkeypatch):
    """The import's stamp holds its corrections: re-read with one, it is read back again even when the
    clock has not moved on (imports are stamped to the second)."""
    from pqa_desktop.core.workspace import store
    from tests.workspace_fixtures import OVERALL_CELL

    frozen = datetime(2024, 10, 7, 9, 0, 0)
    monkeypatch.setattr(store, "_now", lambda: frozen.replace(tzinfo=__import__("datetime").timezone.utc))
    folder = august(tmp_path / "aug")
    with Workspace.open(tmp_path / "w.sqlite") as ws:
        analyse([folder], SEP, workspace=ws)
        before = {s.item.name: s.result.audits for s in ws.stored_results()}
        sha = next(s.item.sha256 for s in ws.stored_results() if s.item.name == "CFA 2.xlsx")
        ws.correct_value(sha, "Audit", OVERALL_CELL, "Good", "auditor confirmed")
        analyse([folder], SEP, workspace=ws)
        after = {s.item.name: s.result.audits for s in ws.stored_results()}
        assert before["CFA 2.xlsx"][0].grades.get("overall") == "Inadequate"  # valid before and after:
        assert after["CFA 2.xlsx"][0].grades.get("overall") == "Good"  # no finding changes to tell
