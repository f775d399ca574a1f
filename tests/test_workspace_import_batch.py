"""What a run reads is imported a batch of files to a transaction (``workspace.import_batch``), not one file
each: a transaction syncs the workspace file to disk, which a laptop's disk or a shared drive makes slow, and
a council's year is some 1,400 files. Each file is still whole or absent after a failure (a crash or a kill:
``test_workspace_kill.py``), the files are imported in the order given, and what was read before a stop or an
error stays imported."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.pipeline import reading
from pqa_desktop.core.pipeline.run import analyse
from pqa_desktop.core.records import InputFile, ReadResult
from pqa_desktop.core.workspace import Workspace, WorkspaceError
from pqa_desktop.core.workspace import import_batch
from pqa_desktop.core.workspace.import_batch import ImportBatch
from tests.workspace_fixtures import contacts_list, write_audit, ws  # noqa: F401 - ws: a fixture

SEPT = Period(date(2024, 9, 1))


def _returns(folder, count: int):
    for n in range(count):
        write_audit(folder / f"CFA {n:03d}.xlsx", f"CR-{5000 + n}", date(2024, 9, 1 + n % 28), "Good")
    return folder


class _Counting:
    """``Workspace.import_files`` counted: how many transactions, of how many files each."""

    def __init__(self, monkeypatch):
        self.sizes: list[int] = []
        original = Workspace.import_files

        def counted(workspace, reads):
            self.sizes.append(len(reads))
            return original(workspace, reads)

        monkeypatch.setattr(Workspace, "import_files", counted)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_folder_is_imported_a_batch_to_a_transaction_in_the_order_given(tmp_path, ws, monkeypatch, workers):
    monkeypatch.setenv(reading.WORKERS_ENV, workers)
    monkeypatch.setattr(import_batch, "FILES", 10)
    monkeypatch.setattr(import_batch, "SECONDS", 3600.0)  # only the count decides here (the clock: below)
    counting = _Counting(monkeypatch)
    folder = _returns(tmp_path / "returns", 25)
    analysis = analyse([folder], SEPT, workspace=ws)
    assert counting.sizes == [10, 10, 5]  # 25 files, three transactions (each of these was 25 before)
    assert [row.name for row in ws.imports()] == [f"CFA {n:03d}.xlsx" for n in range(25)]
    assert len(analysis.records.audits) == 25


def test_a_file_with_exports_is_written_at_once_with_those_before_it(tmp_path, ws, monkeypatch):
    monkeypatch.setenv(reading.WORKERS_ENV, "0")
    counting = _Counting(monkeypatch)
    folder = _returns(tmp_path / "in", 3)
    contacts_list(folder / "Contacts.xlsx", 5, datetime(2024, 9, 30, 9))
    analyse([folder], SEPT, workspace=ws)
    # discovery lists the folder by name: the three returns, then the contacts list, which is written at once
    assert counting.sizes == [4]
    assert {row.name for row in ws.imports()} == {"CFA 000.xlsx", "CFA 001.xlsx", "CFA 002.xlsx", "Contacts.xlsx"}


def test_a_batch_is_written_when_its_first_file_has_waited_long_enough(ws):
    now = [0.0]
    batch = ImportBatch(ws, files=100, seconds=0.5, clock=lambda: now[0])
    written = []
    ws.import_files = lambda reads: written.append([item.name for item, _, _ in reads])  # type: ignore[method-assign]
    result = ReadResult(kind="case_file_audit", kind_label="Case file audit")
    batch.add(InputFile("a.xlsx", b"", "a"), result, None)
    now[0] = 0.3
    batch.add(InputFile("b.xlsx", b"", "b"), result, None)
    assert written == [] and len(batch) == 2
    now[0] = 0.6
    batch.add(InputFile("c.xlsx", b"", "c"), result, None)  # a.xlsx has waited 0.6 s
    assert written == [["a.xlsx", "b.xlsx", "c.xlsx"]] and len(batch) == 0
    now[0] = 5.0
    batch.add(InputFile("d.xlsx", b"", "d"), result, None)  # the clock starts again with the next first file
    assert written == [["a.xlsx", "b.xlsx", "c.xlsx"]]
    batch.flush()
    batch.flush()  # nothing pending: nothing written
    assert written == [["a.xlsx", "b.xlsx", "c.xlsx"], ["d.xlsx"]] and batch.transactions == 2


def test_a_batch_is_one_transaction_a_failure_in_it_leaves_none_of_its_files(tmp_path, ws, monkeypatch):
    monkeypatch.setenv(reading.WORKERS_ENV, "0")
    folder = _returns(tmp_path / "returns", 3)
    analyse([folder], SEPT, workspace=ws, import_new=False)  # read, not imported
    items_and_results = []
    monkeypatch.setattr(ws, "import_files", lambda reads: items_and_results.extend(reads) or [])
    analyse([folder], SEPT, workspace=ws)
    monkeypatch.undo()
    assert len(items_and_results) == 3
    broken = ReadResult(kind="case_file_audit", kind_label="Case file audit", audits=[object()])  # not an audit
    item = InputFile("broken.xlsx", b"", "f" * 64)
    with pytest.raises(Exception):
        ws.import_files([*items_and_results[:2], (item, broken, None)])
    assert ws.imports() == []  # the two before it were rolled back with it
    ws.import_files(items_and_results)
    assert len(ws.imports()) == 3


@pytest.mark.parametrize("keep_on_cancel", [True, False])
def test_what_was_read_before_a_stop_stays_imported(tmp_path, ws, monkeypatch, keep_on_cancel):
    monkeypatch.setenv(reading.WORKERS_ENV, "0")
    folder = _returns(tmp_path / "returns", 6)
    read = []
    stop = lambda: len(read) >= 4  # noqa: E731
    if keep_on_cancel:
        analysis = analyse([folder], SEPT, workspace=ws, keep_on_cancel=True,
                           on_read=lambda item, result: read.append(item.name), cancel=stop)
        assert analysis.stopped
    else:
        with pytest.raises(reading.Cancelled):
            analyse([folder], SEPT, workspace=ws, on_read=lambda item, result: read.append(item.name), cancel=stop)
    assert [row.name for row in ws.imports()] == read == [f"CFA {n:03d}.xlsx" for n in range(4)]


def test_what_was_read_before_an_error_stays_imported(tmp_path, ws, monkeypatch):
    monkeypatch.setenv(reading.WORKERS_ENV, "0")
    folder = _returns(tmp_path / "returns", 5)
    read = []

    def fail_on_the_fourth(item, result):
        read.append(item.name)
        if len(read) == 4:
            raise OSError("the drive went away")

    with pytest.raises(OSError):
        analyse([folder], SEPT, workspace=ws, on_read=fail_on_the_fourth)
    assert [row.name for row in ws.imports()] == [f"CFA {n:03d}.xlsx" for n in range(4)]


def test_a_workspace_that_fails_to_write_is_said_once(tmp_path, ws, monkeypatch):
    monkeypatch.setenv(reading.WORKERS_ENV, "0")
    folder = _returns(tmp_path / "returns", 3)
    calls = []

    def refuse(reads):
        calls.append(len(reads))
        raise WorkspaceError("The workspace ws.sqlite is read-only for you, so nothing was saved.")

    monkeypatch.setattr(ws, "import_files", refuse)
    with pytest.raises(WorkspaceError, match="read-only"):
        analyse([folder], SEPT, workspace=ws)
    assert calls == [3]  # written once at the end of the reading, not again on the way out
