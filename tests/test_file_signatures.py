"""A workspace build does not open again a file on disk it imported unchanged (issue 18): the workspace records
each imported file's stat signature (size, modified and change times, file number, device) and discovery gives
a file whose signature is the recorded one with that content hash, unread. Every way a file can change that the
signature can see makes it read again; a record taken too soon after the file changed (racy) is not trusted.

Real files on disk throughout. A file the test has just written is within the racy window (its modified and,
on Linux, its change time are now; os.utime sets the change time to now too), so it is rightly hashed every
time: most tests run discovery's clock a day later (``a_day_later``); those emulating Windows, whose change
time is a creation time, age the files' modified times instead (``_age``).
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from pqa_desktop import cli
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.inputs import signatures
from pqa_desktop.core.inputs.archives import ArchiveLimits
from pqa_desktop.core.inputs.discover import discover_inputs
from pqa_desktop.core.inputs.signatures import RACY_NS, Hashed, Signature, SignatureBook, path_key, signature_of
from pqa_desktop.core.pipeline.run import analyse
from pqa_desktop.core.workspace import Workspace
from pqa_desktop.core.workspace import store
from tests.workspace_fixtures import OVERALL_CELL, august, write_audit

AUG = Period(date(2024, 8, 1))
DAY_NS = 86_400 * 10**9


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.open(tmp_path / "shared" / "team.pqa.sqlite")
    yield workspace
    workspace.close()


@pytest.fixture
def a_day_later(monkeypatch):
    """Discovery takes its records a day after the files were written (as a build the next day does)."""
    monkeypatch.setattr(signatures, "clock_ns", lambda: time.time_ns() + DAY_NS)


def _age(folder: Path, ns_ago: int = DAY_NS) -> None:
    """Every file under ``folder`` last modified ``ns_ago`` back (as returns saved yesterday are)."""
    when = time.time_ns() - ns_ago
    for path in [folder] if folder.is_file() else folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(when, when))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def opened(monkeypatch):
    """The paths opened by ``os.open`` (how discovery opens a file on disk) while the test runs."""
    seen: list[str] = []
    real = os.open

    def counting(path, *args, **kwargs):
        seen.append(os.path.abspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting)
    return seen


def _same_size_replacement(path: Path, reference: str, overall: str) -> bytes:
    """A return with other content but exactly the size of ``path`` (padded with a zip comment), as bytes."""
    other = path.with_name("other.tmp.xlsx")
    write_audit(other, reference, date(2024, 8, 12), overall)
    size, new_size = path.stat().st_size, other.stat().st_size
    assert new_size <= size, "the replacement must not be larger to be padded"
    if new_size < size:
        with zipfile.ZipFile(other, "a") as archive:
            archive.comment = b" " * (size - new_size)
    data = other.read_bytes()
    other.unlink()
    assert len(data) == size and data != path.read_bytes()
    return data


def _renamed_over_with_the_same_size_and_times(target: Path, temporary: str) -> os.stat_result:
    """Another return (CR-2002) written beside ``target`` with its size and times, then renamed over it, as
    Office saves; ``target``'s stat before."""
    before = target.stat()
    replacement = target.with_name(temporary)
    replacement.write_bytes(_same_size_replacement(target, "CR-2002", "Good"))
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, target)
    return before


def _references(analysis) -> set[str]:
    return {a.reference for a in analysis.records.audits}


# --- the workspace build -------------------------------------------------------------------------------------

def test_a_recheck_does_not_open_an_unchanged_imported_file(tmp_path, ws, opened, a_day_later):
    folder = august(tmp_path / "aug")
    first = analyse([folder], AUG, workspace=ws)
    assert {path_key(p) for p in folder.iterdir()} <= set(opened)  # the first time every file is read
    opened.clear()
    again = analyse([folder], AUG, workspace=ws)
    assert not [p for p in opened if p.startswith(str(folder))]
    # what it gives is what reading them gave: the same files, names, hashes, places and times, same figures
    assert [(f.name, f.sha256, f.path, f.modified, f.data) for f in again.files] == \
        [(f.name, f.sha256, f.path, f.modified, b"") for f in first.files]
    assert [f.message for f in again.findings] == [f.message for f in first.findings]
    assert len(again.records.audits) == len(first.records.audits) == 3


def test_the_command_line_build_uses_the_signatures_too(tmp_path, opened, a_day_later):
    folder = august(tmp_path / "aug")
    argv = ["build", str(folder), "--workspace", str(tmp_path / "w.sqlite"), "--period-end", "2024-08",
            "--produced", "2024-09-07"]
    assert cli.main([*argv, "-o", str(tmp_path / "a.xlsx")]) == 0
    opened.clear()
    assert cli.main([*argv, "-o", str(tmp_path / "b.xlsx")]) == 0
    assert not [p for p in opened if p.startswith(str(folder))]
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_a_file_changed_in_place_with_a_new_modified_time_is_read_and_its_content_counts(tmp_path, ws, opened,
                                                                                          a_day_later):
    folder = august(tmp_path / "aug")
    analyse([folder], AUG, workspace=ws)
    changed = folder / "CFA 2.xlsx"
    write_audit(changed, "CR-2002", date(2024, 8, 12), "Good")  # the auditor saves it again, corrected
    _age(changed, DAY_NS // 2)
    opened.clear()
    again = analyse([folder], AUG, workspace=ws)
    assert path_key(changed) in opened
    assert _sha(changed) in {f.sha256 for f in again.files} and ws.has_file(_sha(changed))
    assert "CR-2002" in _references(again)


def test_the_same_size_and_time_but_another_file_renamed_over_it_is_read(tmp_path, ws, opened, a_day_later):
    folder = august(tmp_path / "aug")
    analyse([folder], AUG, workspace=ws)
    target = folder / "CFA 2.xlsx"
    before = _renamed_over_with_the_same_size_and_times(target, "CFA 2.xlsx.new")
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ino != before.st_ino
    opened.clear()
    again = analyse([folder], AUG, workspace=ws)
    assert path_key(target) in opened
    assert "CR-2002" in _references(again) and ws.has_file(_sha(target))


def test_posix_change_time_sees_content_rewritten_with_its_modified_time_put_back(tmp_path, ws, opened, a_day_later):
    """os.utime cannot set the inode change time: rewriting a file in place and putting its size and modified
    time back is still seen on Linux and macOS."""
    folder = august(tmp_path / "aug")
    analyse([folder], AUG, workspace=ws)
    target = folder / "CFA 2.xlsx"
    before = target.stat()
    data = _same_size_replacement(target, "CR-2002", "Good")
    time.sleep(0.01)
    with open(target, "r+b") as handle:  # the same file (same number), new content
        handle.write(data)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    opened.clear()
    again = analyse([folder], AUG, workspace=ws)
    assert path_key(target) in opened and "CR-2002" in _references(again)


def test_a_file_imported_within_the_racy_window_is_hashed_again_and_recorded_again(tmp_path, ws, opened,
                                                                                    windows_stat):
    """(Windows' stat, where only the modified time dates a file: on Linux os.utime would date every file now.)"""
    folder = august(tmp_path / "aug")
    _age(folder)
    fresh = write_audit(folder / "CFA 9.xlsx", "CR-1009", date(2024, 8, 26), "Good")  # saved just now
    analyse([folder], AUG, workspace=ws)
    recorded = ws.file_signatures(_code())
    assert recorded[path_key(fresh)].racy and not recorded[path_key(folder / "CFA 1.xlsx")].racy
    opened.clear()
    analyse([folder], AUG, workspace=ws)
    assert [p for p in opened if p.startswith(str(folder))] == [path_key(fresh)]
    # once it is older than the window, its new record is trusted and it is not opened again
    _age(fresh)
    analyse([folder], AUG, workspace=ws)
    opened.clear()
    analyse([folder], AUG, workspace=ws)
    assert not [p for p in opened if p.startswith(str(folder))]


def test_a_file_whose_import_is_not_current_is_read_whatever_its_signature(tmp_path, ws, opened, a_day_later):
    """A value correction made since (re-read with it), an import removed (imported again): the signature
    says what the file holds, not whether the workspace has it as it should."""
    folder = august(tmp_path / "aug")
    analyse([folder], AUG, workspace=ws)
    corrected, removed = folder / "CFA 3.xlsx", folder / "CFA 1.xlsx"
    ws.correct_value(_sha(corrected), "Audit", OVERALL_CELL, "Good", "checked with the auditor")
    ws.remove_import(next(r.id for r in ws.imports() if r.sha256 == _sha(removed)))
    opened.clear()
    again = analyse([folder], AUG, workspace=ws)
    assert {path_key(corrected), path_key(removed)} <= set(opened)
    assert len(again.records.audits) == 3 and ws.has_file(_sha(removed))
    assert not [f for f in again.findings if f.file == "CFA 3.xlsx" and f.severity.value == "error"]


def test_a_duplicate_is_still_found_and_a_zip_is_always_opened(tmp_path, ws, opened, a_day_later):
    folder = august(tmp_path / "aug")
    (folder / "copy of CFA 1.xlsx").write_bytes((folder / "CFA 1.xlsx").read_bytes())
    with zipfile.ZipFile(folder / "more.zip", "w") as archive:
        archive.write(write_audit(tmp_path / "z" / "CFA 7.xlsx", "CR-1007", date(2024, 8, 20), "Good"), "CFA 7.xlsx")
    first = analyse([folder], AUG, workspace=ws)
    opened.clear()
    again = analyse([folder], AUG, workspace=ws)
    assert [p for p in opened if p.startswith(str(folder))] == [path_key(folder / "more.zip")]
    assert [(f.name, f.sha256, f.path) for f in again.files] == [(f.name, f.sha256, f.path) for f in first.files]
    assert [(p.name, p.label) for p in again.passed_over] == [(p.name, p.label) for p in first.passed_over]
    assert any(f.rule == "input.duplicate_file" and f.file == "copy of CFA 1.xlsx" for f in again.findings)


def test_records_another_computer_or_another_version_made_are_not_trusted(tmp_path, ws, opened, a_day_later,
                                                                          monkeypatch):
    import pqa_desktop.core.pipeline.run as run

    folder = august(tmp_path / "aug")
    analyse([folder], AUG, workspace=ws)
    this_computer = store.this_computer
    monkeypatch.setattr(store, "this_computer", lambda: "ANOTHER-LAPTOP")
    opened.clear()
    analyse([folder], AUG, workspace=ws)
    assert path_key(folder / "CFA 1.xlsx") in opened  # the same path there may be another file
    monkeypatch.setattr(store, "this_computer", this_computer)
    opened.clear()
    analyse([folder], AUG, workspace=ws)
    assert not [p for p in opened if p.startswith(str(folder))]  # this computer's records are still there
    monkeypatch.setattr(run, "code_version", lambda: "a later PQA Desktop")
    analyse([folder], AUG, workspace=ws)
    assert path_key(folder / "CFA 1.xlsx") in opened  # an upgrade hashes every file once more


def _code() -> str:
    from pqa_desktop.core.workspace.derived import code_version

    return code_version()


# --- the workspace file ----------------------------------------------------------------------------------

def test_a_workspace_from_before_the_signatures_still_builds_and_gets_them(tmp_path, opened, a_day_later):
    path = tmp_path / "w.sqlite"
    folder = august(tmp_path / "aug")
    with Workspace.open(path) as ws:
        analyse([folder], AUG, workspace=ws)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE file_signatures")  # as a workspace saved before them is
    conn.commit()
    conn.close()
    with Workspace.open(path) as ws:
        assert ws.file_signatures(_code()) == {}
        opened.clear()
        again = analyse([folder], AUG, workspace=ws)
        assert path_key(folder / "CFA 1.xlsx") in opened and len(again.records.audits) == 3
        assert len(ws.file_signatures(_code())) == 3
        # still a version 3 workspace: a PQA Desktop from before opens it (it never reads the table)
        assert ws._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "3"


def test_a_files_record_goes_with_its_import(tmp_path, ws, a_day_later):
    folder = august(tmp_path / "aug")
    analyse([folder], AUG, workspace=ws)
    assert len(ws.file_signatures(_code())) == 3
    ws.remove_import(ws.imports()[0].id)
    assert len(ws.file_signatures(_code())) == 2
    assert ws.purge(0, date(2030, 1, 1)) == 2
    assert ws._conn.execute("SELECT count(*) FROM file_signatures").fetchone()[0] == 0


def test_a_workspace_busy_with_another_writer_records_nothing_and_does_not_wait(tmp_path, ws, a_day_later):
    folder = august(tmp_path / "aug")
    analyse([folder], AUG, workspace=ws)
    other = sqlite3.connect(ws.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        item = next(iter(ws.file_signatures(_code()).values()))
        started = time.monotonic()
        assert ws.keep_file_signatures([item], _code(), host="elsewhere") == 0
        assert time.monotonic() - started < 5
    finally:
        other.execute("ROLLBACK")
        other.close()


# --- discovery itself ----------------------------------------------------------------------------------------

def _messy_folder(root: Path) -> Path:
    folder = august(root / "inbox")
    (folder / "sub").mkdir()
    write_audit(folder / "sub" / "CFA 1.xlsx", "CR-1011", date(2024, 8, 6), "Good")  # a second "CFA 1.xlsx"
    (folder / "copy.xlsx").write_bytes((folder / "CFA 2.xlsx").read_bytes())
    (folder / "empty.csv").write_bytes(b"")
    (folder / "notes.txt").write_text("not an input")
    (folder / "~$CFA 1.xlsx").write_bytes(b"lock")
    with zipfile.ZipFile(folder / "a.zip", "w") as archive:
        archive.writestr("inside.csv", "a,b\n1,2\n")
    return folder


def _book_from(hashed: list[Hashed]) -> SignatureBook:
    return SignatureBook({h.key: h for h in hashed})


@pytest.mark.parametrize("budget", [None, 30_000])
def test_discovery_gives_the_same_from_signatures_as_from_reading(tmp_path, a_day_later, budget):
    """Files, names, order, hashes, places, times, findings and what was passed over: the same, with the
    build's byte budget (a small one leaves out the same files) counting a known file by its size."""
    folder = _messy_folder(tmp_path)
    limits = ArchiveLimits(max_build_bytes=budget) if budget else ArchiveLimits()
    book = _book_from(discover_inputs([folder], limits=limits, known_signature=lambda key, info: None).hashed)
    read = discover_inputs([folder], limits=limits, keep_bytes=lambda sha: False)
    known = discover_inputs([folder], limits=limits, keep_bytes=lambda sha: False, known_signature=book.known)
    assert [(f.name, f.sha256, f.path, f.modified, f.data) for f in known.files] == \
        [(f.name, f.sha256, f.path, f.modified, f.data) for f in read.files]
    assert known.findings == read.findings and known.passed_over == read.passed_over
    assert known.hashed == []  # nothing read: the zip is opened but its members are not files on disk
    if budget:
        assert any(f.rule == "input.build_limit" for f in read.findings)


def test_discovery_reads_a_known_file_whose_bytes_are_wanted(tmp_path, opened, a_day_later):
    folder = august(tmp_path / "aug")
    book = _book_from(discover_inputs([folder], known_signature=lambda key, info: None).hashed)
    wanted = _sha(folder / "CFA 2.xlsx")
    opened.clear()
    found = discover_inputs([folder], keep_bytes=lambda sha: sha == wanted, known_signature=book.known)
    assert [p for p in opened if p.startswith(str(folder))] == [path_key(folder / "CFA 2.xlsx")]
    assert [bool(f.data) for f in found.files] == [False, True, False]


def test_a_racy_record_is_not_trusted():
    info = os.stat(__file__)
    sig = signature_of(info)
    at = sig.newest_ns
    assert SignatureBook({"k": Hashed("k", sig, "s", at + RACY_NS)}).known("k", info) == "s"
    assert SignatureBook({"k": Hashed("k", sig, "s", at + RACY_NS - 1)}).known("k", info) is None
    assert SignatureBook({"k": Hashed("k", sig, "s", at - DAY_NS)}).known("k", info) is None  # clock behind
    other = Signature(sig.size, sig.mtime_ns, sig.ctime_ns, sig.ino + "1", sig.dev)
    assert SignatureBook({"k": Hashed("k", other, "s", at + DAY_NS)}).known("k", info) is None


# --- Windows' stat -------------------------------------------------------------------------------------------

class _WindowsStat:
    """``os.stat`` as Windows gives it: st_ctime is the creation time, which a write does not change and
    which a file created under a name deleted moments before inherits ("file tunnelling")."""

    created: dict[str, int] = {}

    def __init__(self, path):
        self._real = os.stat(path)
        self.st_ctime_ns = _WindowsStat.created.setdefault(path_key(path), 1_600_000_000 * 10**9)
        self.st_ctime = self.st_ctime_ns / 1e9

    def __getattr__(self, name):
        return getattr(self._real, name)


@pytest.fixture
def windows_stat(monkeypatch):
    _WindowsStat.created = {}
    monkeypatch.setattr(signatures, "file_stat", _WindowsStat)


def test_windows_a_file_renamed_over_with_its_creation_time_tunnelled_is_read_by_its_file_number(
        tmp_path, ws, opened, windows_stat):
    folder = august(tmp_path / "aug")
    _age(folder)
    analyse([folder], AUG, workspace=ws)
    target = folder / "CFA 2.xlsx"
    _renamed_over_with_the_same_size_and_times(target, "new.tmp")
    opened.clear()
    again = analyse([folder], AUG, workspace=ws)
    assert path_key(target) in opened and "CR-2002" in _references(again)


def test_windows_a_rewrite_in_place_within_the_racy_window_is_hashed_again(tmp_path, ws, opened, windows_stat):
    """With nothing but the modified time to see a rewrite, only the racy window stops a record taken in the
    same tick as the file's last write from hiding the next one."""
    folder = august(tmp_path / "aug")
    _age(folder)
    target = folder / "CFA 2.xlsx"
    _age(target, RACY_NS // 5)  # saved a second ago when the first check reads it
    analyse([folder], AUG, workspace=ws)
    before = target.stat()
    data = _same_size_replacement(target, "CR-2002", "Good")
    with open(target, "r+b") as handle:
        handle.write(data)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same tick, as on FAT or a server
    opened.clear()
    again = analyse([folder], AUG, workspace=ws)
    assert path_key(target) in opened and "CR-2002" in _references(again)


def test_windows_the_limit_a_rewrite_in_place_with_its_modified_time_put_back_is_not_seen_until_an_upgrade(
        tmp_path, ws, opened, windows_stat, monkeypatch):
    """The one case the signature cannot see (README, Limits): on Windows the same file rewritten with the same
    size and its modified time put back, long after it was recorded. A new version of PQA Desktop hashes every
    file again."""
    folder = august(tmp_path / "aug")
    _age(folder)
    analyse([folder], AUG, workspace=ws)
    target = folder / "CFA 2.xlsx"
    before = target.stat()
    data = _same_size_replacement(target, "CR-2002", "Good")
    with open(target, "r+b") as handle:
        handle.write(data)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    opened.clear()
    again = analyse([folder], AUG, workspace=ws)
    assert path_key(target) not in opened and "CR-2002" not in _references(again)
    import pqa_desktop.core.pipeline.run as run

    monkeypatch.setattr(run, "code_version", lambda: "the next release")
    again = analyse([folder], AUG, workspace=ws)
    assert path_key(target) in opened and "CR-2002" in _references(again)


# --- the workbook ------------------------------------------------------------------------------------------

def test_the_demo_gives_a_byte_identical_workbook_with_and_without_the_signatures(tmp_path, demo_inputs_copy,
                                                                                  a_day_later, opened, monkeypatch):
    """The demo's inputs imported into a workspace, then the build after one new return twice from copies of
    it: once known by their signatures (none of the imported files opened), once every file read and hashed."""
    import shutil

    from pqa_desktop.core.pipeline.run import BuildOptions, build
    from pqa_desktop.core.sample.demo import DEMO_PERIOD_END, demo_settings

    demo = demo_inputs_copy(tmp_path / "demo")
    new = write_audit(tmp_path / "new" / "CFA new.xlsx", "CR-9001", date(2024, 9, 20), "Good")
    options = BuildOptions(period=Period(DEMO_PERIOD_END), settings=demo_settings(), produced=date(2024, 10, 7))
    with Workspace.open(tmp_path / "base.sqlite") as workspace:
        build([demo], tmp_path / "base.xlsx", options, workspace=workspace)
    shutil.copyfile(tmp_path / "base.sqlite", tmp_path / "with.sqlite")
    shutil.copyfile(tmp_path / "base.sqlite", tmp_path / "without.sqlite")
    opened.clear()
    with Workspace.open(tmp_path / "with.sqlite") as workspace:
        build([demo, new.parent], tmp_path / "with.xlsx", options, workspace=workspace)
        imported = {row.sha256 for row in workspace.imports()}
    # opened: the zips and saved emails (always), and the files that gave nothing to import (read every time)
    known = {path_key(p) for p in demo.rglob("*") if p.is_file() and p.suffix.lower() not in (".zip", ".eml", ".msg")
             and _sha(p) in imported}
    assert len(known) > 20 and not known & set(opened)
    monkeypatch.setattr(Workspace, "file_signatures", lambda self, code, host=None: {})
    opened.clear()
    with Workspace.open(tmp_path / "without.sqlite") as workspace:
        build([demo, new.parent], tmp_path / "without.xlsx", options, workspace=workspace)
    assert known <= set(opened)
    assert (tmp_path / "with.xlsx").read_bytes() == (tmp_path / "without.xlsx").read_bytes()


def test_a_path_sqlite_cannot_hold_is_not_recorded(tmp_path, ws, a_day_later):
    """A Linux file name of bytes that are not UTF-8 (lone surrogates in Python): its file is hashed each time."""
    folder = august(tmp_path / "aug")
    item = next(iter(discover_inputs([folder], known_signature=lambda key, info: None).hashed))
    analyse([folder], AUG, workspace=ws)
    odd = Hashed(item.key + "\udcff", item.signature, item.sha256, item.read_at_ns)
    assert ws.keep_file_signatures([odd, item], _code()) == 1
