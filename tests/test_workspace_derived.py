"""The export figures (KPIs, workforce, fostering) are kept in the workspace (issue 18, target 4): a cold
``pqa build --workspace`` after a new return works none of them out again, and writes the same workbook as
one that works them all out; a changed export, period, setting, bank holiday or code is a miss and the
figures change with it. Real files throughout: xlsx returns and exports, a real workspace, the workbook
opened with openpyxl."""
from __future__ import annotations

import sqlite3
import zlib
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pqa_desktop.core.calendar import Period, user_bank_holidays_file
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.sample.exports import generate_exports
from pqa_desktop.core.settings import MeasureTarget, Settings
from pqa_desktop.core.workspace import Workspace, derived
from tests.exports_fixtures import VERBATIM, row_for, write_xlsx
from tests.workspace_fixtures import august, september

SEP = Period(date(2024, 9, 1))
AUG = Period(date(2024, 8, 1))
SECRET = "a-secret-only-the-settings-hold"


def _contacts(path: Path, rows: int, modified: datetime) -> Path:
    header = VERBATIM["annex_a_list_1"]
    return write_xlsx(path, {"Contacts": [header] + [
        row_for(header, {"Child Unique ID": f"ZQ{n:05d}X", "Date of Birth": "01/01/2016",
                         "Date of Contact": f"{28 - n % 27:02d}/09/2024", "Contact Source": "Police"})
        for n in range(rows)]}, modified=modified)


@pytest.fixture
def counted(monkeypatch):
    """Each time the export figures are worked out; and each build as a fresh process would (nothing left
    in memory from the one before)."""
    passes: list[int] = []
    real = pipeline._add_export_figures
    monkeypatch.setattr(pipeline, "_add_export_figures", lambda *a: passes.append(1) or real(*a))
    monkeypatch.setattr(pipeline, "_STORED_EXPORT_FIGURES", {})
    return passes


def _build(paths, workspace_path: Path, output: Path, options: pipeline.BuildOptions) -> pipeline.BuildResult:
    pipeline._STORED_EXPORT_FIGURES.clear()  # a cold build: a new process, a new workspace object
    with Workspace.open(workspace_path) as ws:
        return pipeline.build(paths, output, options, workspace=ws)


def _options(period: Period = SEP, **settings) -> pipeline.BuildOptions:
    return pipeline.BuildOptions(period=period, produced=date(2024, 10, 7),
                                 settings=Settings(la_name="Anytown Council", audit_key_secret=SECRET, **settings))


def _kpi(figures, kpi_id: str):
    table = figures.tables["tbl_kpis"]
    return table.loc[table["KPI id"] == kpi_id].iloc[0].to_dict()


def test_a_build_after_a_new_return_works_out_no_export_figure_and_writes_the_same_workbook(tmp_path, counted):
    generate_exports(tmp_path / "exports", period_end=date(2024, 9, 1), seed=5, scale=0.05, messy=True)
    year = [tmp_path / "exports", august(tmp_path / "aug")]
    ws_path = tmp_path / "w.sqlite"
    _build(year, ws_path, tmp_path / "first.xlsx", _options())
    assert len(counted) == 1
    # the same workspace without what was kept: the build that works everything out, for comparison
    uncached = tmp_path / "uncached.sqlite"
    uncached.write_bytes(ws_path.read_bytes())
    with sqlite3.connect(uncached) as conn:
        assert conn.execute("SELECT count(*) FROM derived WHERE name = 'export_figures'").fetchone()[0] == 1
        conn.execute("DELETE FROM derived")
    with_new = year + [september(tmp_path / "sep")]

    kept = _build(with_new, ws_path, tmp_path / "kept.xlsx", _options())
    assert len(counted) == 1, "the export figures were worked out again although no export changed"
    contacts = kept.analysis.exports.get("annex_a_list_1")
    assert contacts.stored_frame is not None and not contacts.stored_frame.decoded, \
        "the contacts list was decoded although its figures and facts were kept"
    worked = _build(with_new, uncached, tmp_path / "worked.xlsx", _options())
    assert len(counted) == 2
    assert (tmp_path / "kept.xlsx").read_bytes() == (tmp_path / "worked.xlsx").read_bytes()
    assert kept.figures.tables.keys() == worked.figures.tables.keys()
    for name in worked.figures.tables:
        assert kept.figures.tables[name].equals(worked.figures.tables[name]), name
    assert kept.figures.headlines == worked.figures.headlines
    assert len(kept.analysis.records.audits) == 5  # the new return is in: only the exports were kept
    # the leak inspection looks for the same identifiers, the exports' dates of birth and staff IDs among them
    from pqa_desktop.core.inspect import sensitive_set

    kept_set, worked_set = sensitive_set(kept.analysis), sensitive_set(worked.analysis)
    assert kept_set.dates_of_birth and kept_set.dates_of_birth == worked_set.dates_of_birth
    assert kept_set.staff_ids and kept_set.staff_ids == worked_set.staff_ids
    assert kept_set.case_refs == worked_set.case_refs and kept_set.postcodes == worked_set.postcodes
    kept_book, worked_book = (openpyxl.load_workbook(tmp_path / n) for n in ("kept.xlsx", "worked.xlsx"))
    assert [[list(r) for r in ws.iter_rows(values_only=True)] for ws in kept_book.worksheets] == \
        [[list(r) for r in ws.iter_rows(values_only=True)] for ws in worked_book.worksheets]


def test_the_cli_build_with_a_workspace_uses_what_was_kept(tmp_path, counted):
    from pqa_desktop.cli import main

    generate_exports(tmp_path / "exports", period_end=date(2024, 9, 1), seed=6, scale=0.05, messy=False)
    args = ["--period-end", "2024-09", "--la-name", "Anytown Council", "--produced", "2024-10-07",
            "--workspace", str(tmp_path / "w.sqlite")]
    assert main(["build", str(tmp_path / "exports"), str(august(tmp_path / "aug")),
                 "-o", str(tmp_path / "a.xlsx"), *args]) == 0
    pipeline._STORED_EXPORT_FIGURES.clear()
    assert main(["build", str(september(tmp_path / "sep")), "-o", str(tmp_path / "b.xlsx"), *args]) == 0
    assert len(counted) == 1


def test_a_changed_export_is_a_miss_and_its_figure_changes(tmp_path, counted):
    ws_path = tmp_path / "w.sqlite"
    first = _build([_contacts(tmp_path / "contacts.xlsx", 30, datetime(2024, 10, 1, 8))], ws_path,
                   tmp_path / "a.xlsx", _options())
    later = _build([_contacts(tmp_path / "contacts later.xlsx", 45, datetime(2024, 10, 2, 8))], ws_path,
                   tmp_path / "b.xlsx", _options())
    assert len(counted) == 2
    assert _kpi(first.figures, "contacts")["Value"] == 30
    assert _kpi(later.figures, "contacts")["Value"] == 45
    again = _build([], ws_path, tmp_path / "c.xlsx", _options())  # nothing new: kept
    assert len(counted) == 2
    assert _kpi(again.figures, "contacts")["Value"] == 45


def test_a_changed_period_setting_or_bank_holiday_is_a_miss(tmp_path, counted):
    ws_path = tmp_path / "w.sqlite"
    inputs = [_contacts(tmp_path / "contacts.xlsx", 30, datetime(2024, 10, 1, 8))]
    base = _build(inputs, ws_path, tmp_path / "a.xlsx", _options())
    _build(inputs, ws_path, tmp_path / "b.xlsx", _options())
    assert len(counted) == 1

    august_period = _build(inputs, ws_path, tmp_path / "c.xlsx", _options(AUG))
    assert len(counted) == 2
    assert _kpi(august_period.figures, "contacts")["Value"] != _kpi(base.figures, "contacts")["Value"]

    targeted = _build(inputs, ws_path, tmp_path / "d.xlsx",
                      _options(targets={"contacts": MeasureTarget(target=25.0, higher_is_better=True)}))
    assert len(counted) == 3
    assert _kpi(targeted.figures, "contacts")["Target"] == 25.0
    assert _kpi(base.figures, "contacts")["Target"] is None

    _build(inputs, ws_path, tmp_path / "e.xlsx", _options())  # back to the first settings: the last kept is
    assert len(counted) == 4  # the targeted one (only the latest is kept), so worked out again
    holidays = user_bank_holidays_file()
    holidays.parent.mkdir(parents=True, exist_ok=True)
    holidays.write_text("date\n2024-09-09\n", encoding="utf-8")
    _build(inputs, ws_path, tmp_path / "f.xlsx", _options())
    assert len(counted) == 5, "a new bank holiday changes working days: worked out again"
    holidays.write_text("date\n2024-09-10\n", encoding="utf-8")
    _build(inputs, ws_path, tmp_path / "g.xlsx", _options())
    assert len(counted) == 6, "another bank holiday: worked out again"
    _build(inputs, ws_path, tmp_path / "h.xlsx", _options())
    assert len(counted) == 6


def test_new_code_is_a_miss(tmp_path, counted, monkeypatch):
    ws_path = tmp_path / "w.sqlite"
    inputs = [_contacts(tmp_path / "contacts.xlsx", 30, datetime(2024, 10, 1, 8))]
    _build(inputs, ws_path, tmp_path / "a.xlsx", _options())
    monkeypatch.setattr(derived, "code_version", lambda: "another version of the measures")
    _build(inputs, ws_path, tmp_path / "b.xlsx", _options())
    assert len(counted) == 2


def test_a_damaged_kept_value_is_worked_out_again(tmp_path, counted):
    ws_path = tmp_path / "w.sqlite"
    inputs = [_contacts(tmp_path / "contacts.xlsx", 30, datetime(2024, 10, 1, 8))]
    first = _build(inputs, ws_path, tmp_path / "a.xlsx", _options())
    with sqlite3.connect(ws_path) as conn:
        conn.execute("UPDATE derived SET value=?", (zlib.compress(b'{"tables": [["tbl_kpis", 7]]}'),))
    again = _build(inputs, ws_path, tmp_path / "b.xlsx", _options())
    assert len(counted) == 2
    assert again.figures.tables["tbl_kpis"].equals(first.figures.tables["tbl_kpis"])


def test_what_is_kept_holds_no_secret_and_no_childs_id(tmp_path, counted):
    ws_path = tmp_path / "w.sqlite"
    _build([_contacts(tmp_path / "contacts.xlsx", 30, datetime(2024, 10, 1, 8))], ws_path, tmp_path / "a.xlsx",
           _options())
    with sqlite3.connect(ws_path) as conn:
        kept = conn.execute("SELECT name, key, value FROM derived").fetchall()
    assert sorted(name for name, _, _ in kept) == ["export_figures", "table_facts annex_a_list_1"]
    for name, key, value in kept:
        text = zlib.decompress(value).decode("utf-8")
        assert SECRET not in key and SECRET not in text and SECRET not in name
        assert "ZQ0" not in text  # no child's ID: figures, and the dates of birth the leak inspection looks for
    facts = zlib.decompress(dict((n, v) for n, _, v in kept)["table_facts annex_a_list_1"]).decode("utf-8")
    assert str(date(2016, 1, 1).toordinal()) in facts  # the children's date of birth, as a day number: what
    # the leak inspection must find


def test_a_workspace_from_before_opens_and_is_kept_in(tmp_path, counted):
    """A workspace made before the table of kept figures existed gets it on the first build; the file is
    still at its schema version, so earlier versions still open it."""
    ws_path = tmp_path / "w.sqlite"
    with Workspace.open(ws_path) as ws:
        assert ws.derived(derived.EXPORT_FIGURES, "any") is None  # no table yet: nothing kept, no error
    _build([_contacts(tmp_path / "contacts.xlsx", 30, datetime(2024, 10, 1, 8))], ws_path, tmp_path / "a.xlsx",
           _options())
    with sqlite3.connect(ws_path) as conn:
        version = dict(conn.execute("SELECT key, value FROM meta"))["schema_version"]
    assert int(version) == Workspace.SCHEMA_VERSION


def test_a_chosen_councils_published_figures_are_not_kept(tmp_path, counted):
    ws_path = tmp_path / "w.sqlite"
    inputs = [_contacts(tmp_path / "contacts.xlsx", 30, datetime(2024, 10, 1, 8))]
    options = replace(_options(), settings=replace(_options().settings, council="Hackney"))
    first = _build(inputs, ws_path, tmp_path / "a.xlsx", options)
    if first.figures.published is None:
        pytest.skip("no published comparators for this council in the shipped data")
    with sqlite3.connect(ws_path) as conn:
        assert not conn.execute("SELECT name FROM derived WHERE name = 'export_figures'").fetchall()
    _build(inputs, ws_path, tmp_path / "b.xlsx", options)
    assert len(counted) == 2
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def _kept_rows(ws_path: Path) -> list[str]:
    with sqlite3.connect(ws_path) as conn:
        return sorted(name for (name,) in conn.execute("SELECT name FROM derived"))


def test_what_was_worked_out_from_a_table_goes_with_it(tmp_path, counted):
    """The kept facts hold the exports' identifiers (dates of birth, staff IDs): they never outlive the table
    they come from, whether it is replaced by a later export, its import removed or purged."""
    ws_path = tmp_path / "w.sqlite"
    _build([_contacts(tmp_path / "contacts.xlsx", 30, datetime(2024, 10, 1, 8)), august(tmp_path / "aug")],
           ws_path, tmp_path / "a.xlsx", _options())
    assert _kept_rows(ws_path) == ["export_figures", "table_facts annex_a_list_1"]
    _build([september(tmp_path / "sep")], ws_path, tmp_path / "b.xlsx", _options())  # a new return: kept
    assert _kept_rows(ws_path) == ["export_figures", "table_facts annex_a_list_1"]
    with Workspace.open(ws_path) as ws:  # a later export of the same list replaces the stored one
        pipeline.analyse([_contacts(tmp_path / "later.xlsx", 40, datetime(2024, 10, 2, 8))], SEP, workspace=ws,
                         import_new=True)
    assert "export_figures" not in _kept_rows(ws_path)
    _build([], ws_path, tmp_path / "c.xlsx", _options())
    assert _kept_rows(ws_path) == ["export_figures", "table_facts annex_a_list_1"]
    with Workspace.open(ws_path) as ws:
        ws.remove_import(next(row.id for row in ws.imports() if row.name == "later.xlsx"))
    assert _kept_rows(ws_path) == []
    _build([_contacts(tmp_path / "again.xlsx", 20, datetime(2024, 10, 3, 8))], ws_path, tmp_path / "d.xlsx",
           _options())
    assert _kept_rows(ws_path) == ["export_figures", "table_facts annex_a_list_1"]
    with Workspace.open(ws_path) as ws:
        assert ws.purge(1, date(2026, 1, 1)) > 0
    assert _kept_rows(ws_path) == []


def test_damaged_kept_facts_are_worked_out_again(tmp_path, counted):
    generate_exports(tmp_path / "exports", period_end=date(2024, 9, 1), seed=7, scale=0.05, messy=True)
    ws_path = tmp_path / "w.sqlite"
    first = _build([tmp_path / "exports"], ws_path, tmp_path / "a.xlsx", _options())
    with sqlite3.connect(ws_path) as conn:
        conn.execute("UPDATE derived SET value=? WHERE name LIKE 'table_facts %'", (b"not zlib",))
    again = _build([], ws_path, tmp_path / "b.xlsx", _options())
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    from pqa_desktop.core.inspect import sensitive_set

    assert sensitive_set(again.analysis).dates_of_birth == sensitive_set(first.analysis).dates_of_birth


def test_a_workspace_another_user_is_writing_to_is_not_waited_for(tmp_path, counted):
    """On a shared drive another user may be importing (holding the write lock for a while): keeping figures
    is only a saving, so a build that imports nothing does not wait for them (an import would, up to 30 s)."""
    import time

    ws_path = tmp_path / "w.sqlite"
    inputs = [_contacts(tmp_path / "contacts.xlsx", 30, datetime(2024, 10, 1, 8))]
    _build(inputs, ws_path, tmp_path / "a.xlsx", _options())
    other = sqlite3.connect(ws_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another user's import, under way
        started = time.monotonic()
        result = _build(inputs, ws_path, tmp_path / "b.xlsx", _options(population_0_17=99_000))
        assert time.monotonic() - started < 10, "the build waited for the other writer"
        assert len(counted) == 2 and _kpi(result.figures, "contacts")["Value"] == 30
    finally:
        other.execute("ROLLBACK")
        other.close()
    _build(inputs, ws_path, tmp_path / "c.xlsx", _options(population_0_17=99_000))
    assert len(counted) == 3, "kept although the workspace was being written to"
    _build(inputs, ws_path, tmp_path / "d.xlsx", _options(population_0_17=99_000))
    assert len(counted) == 3
