"""A reading result travels back from a reading process in pieces (issue 18: unpickling a council's largest
export in one call held every thread of the app, the window's too, for 30-100 ms)."""
from __future__ import annotations

import os
import pickle
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from pqa_desktop.core.exports.model import ExportTable
from pqa_desktop.core.pipeline import parcels, reading
from pqa_desktop.core.pipeline.parcels import Parcel
from pqa_desktop.core.records import ReadResult
from tests.exports_fixtures import VERBATIM, as_input, row_for, write_csv

ROWS = 20_000


def _frame(rows: int) -> pd.DataFrame:
    day = np.datetime64("2024-04-01")
    dates = pd.Series(day + np.arange(rows) % 300, dtype="datetime64[ns]")
    dates[::7] = pd.NaT
    numbers = np.arange(rows, dtype=float)
    numbers[::5] = np.nan
    return pd.DataFrame({
        "child_id": [f"C{n:06d}" for n in range(rows)],
        "contact_date": dates,
        "source": pd.Series(["1A", "2B", None, "Police"] * (rows // 4)),
        "age": numbers,
        "_bad_dob": np.arange(rows) % 11 == 0,
        "_row": np.arange(2, rows + 2),
    })


def _result(rows: int = ROWS) -> ReadResult:
    small = ExportTable("workforce", "Workforce", "w.xlsx", "Staff", _frame(40), frozenset({"child_id"}))
    large = ExportTable("annex_a_list_1", "Annex A List 1 Contacts", "contacts.csv", "contacts.csv", _frame(rows),
                        frozenset({"child_id", "contact_date"}), header_row=3, date_column="contact_date",
                        snapshot=date(2024, 9, 30))
    return ReadResult("export", "System export", exports=[small, large], findings=["a finding"],
                      sensitive={f"C{n:06d}" for n in range(rows)} | {"Jane Smith"},
                      staff_names={"Jane Smith", "Ann Lee"}, auditors={"": "Jane Smith"})


def _same(opened: ReadResult, whole: ReadResult) -> None:
    assert (opened.kind, opened.kind_label, opened.findings, opened.auditors) == \
        (whole.kind, whole.kind_label, whole.findings, whole.auditors)
    assert opened.sensitive == whole.sensitive and opened.staff_names == whole.staff_names
    assert len(opened.exports) == len(whole.exports)
    for mine, theirs in zip(opened.exports, whole.exports):
        assert (mine.kind, mine.label, mine.file, mine.sheet, mine.columns, mine.header_row, mine.date_column,
                mine.snapshot) == (theirs.kind, theirs.label, theirs.file, theirs.sheet, theirs.columns,
                                   theirs.header_row, theirs.date_column, theirs.snapshot)
        pd.testing.assert_frame_equal(mine.frame, theirs.frame, check_exact=True, check_index_type=True,
                                      check_column_type=True, check_flags=True)
        assert list(mine.frame.dtypes) == list(theirs.frame.dtypes)
        assert type(mine.frame.index) is type(theirs.frame.index)


def test_a_parcel_unpacked_is_the_result_packed():
    whole = _result()
    arrived = pickle.loads(pickle.dumps(Parcel(_result())))  # as the pool sends it back
    _same(arrived.unpack(), whole)


def test_no_piece_of_a_large_result_is_large_and_what_arrives_whole_is_small():
    parcel = Parcel(_result(60_000))
    pieces = parcel.pieces()
    assert len(pieces) >= 8  # 60,000 rows and 60,001 identifiers, each in pieces
    assert max(map(len, pieces)) < 1_000_000
    whole = len(pickle.dumps(_result(60_000)))
    # what is unpickled in one call where it arrives, besides the pieces' bytes (copied, not unpickled)
    rest = len(pickle.dumps(parcel)) - sum(map(len, pieces))
    assert rest < whole / 20


def test_a_small_result_travels_as_it_is():
    small = _result(100)
    parcel = Parcel(small)
    assert parcel.pieces() == []
    _same(pickle.loads(pickle.dumps(parcel)).unpack(), _result(100))


@pytest.mark.parametrize("rows", [parcels.PIECE_ROWS, parcels.PIECE_ROWS + 1, 3 * parcels.PIECE_ROWS])
def test_a_table_at_the_edges_of_a_piece_keeps_every_row(rows):
    _same(pickle.loads(pickle.dumps(Parcel(_result(rows)))).unpack(), _result(rows))


def test_a_workers_batch_comes_back_in_parcels_that_unpack_to_what_reading_here_gives(tmp_path):
    header = VERBATIM["annex_a_list_1"]
    rows = [header] + [row_for(header, {"Child Unique ID": f"C{n:06d}", "Gender": "a) Male",
                                        "Date of Birth": (date(2010, 1, 1) + timedelta(days=n % 3000)).isoformat(),
                                        "Date of Contact": (date(2024, 4, 1) + timedelta(days=n % 180)).isoformat(),
                                        "Contact Source": "1A: Individual"})
                       for n in range(parcels.PIECE_ROWS * 2 + 17)]
    item = as_input(write_csv(tmp_path / "Contacts.csv", rows))
    sent = reading._read_batch([(item, None)])  # what a worker returns
    assert [type(p) for p in sent] == [Parcel]
    assert sent[0].pieces()  # the table and its identifiers went apart
    _same(pickle.loads(pickle.dumps(sent[0])).unpack(), reading.read_input(item))


@pytest.mark.parametrize("window", [True, False], ids=["behind-a-window", "command-line"])
def test_a_worker_sends_pieces_only_behind_a_window(tmp_path, monkeypatch, window):
    # The pieces keep the app's window turning; the command line has no window, and pieces would only raise
    # its peak (the pieces and the table joined from them held at once: 221 -> 236-251 MB on the large year).
    import faulthandler

    monkeypatch.setattr(reading, "_lower_priority", lambda: None)
    monkeypatch.setattr(reading, "_watch_owner", lambda owner: None)
    monkeypatch.setattr(faulthandler, "disable", lambda: None)
    monkeypatch.setattr(reading, "_behind_window", reading._behind_window)
    reading._start_worker(os.getpid(), window)  # as a worker starts: lower_priority is "Qt is loaded there"
    header = VERBATIM["annex_a_list_1"]
    rows = [header] + [row_for(header, {"Child Unique ID": f"C{n:06d}", "Gender": "a) Male",
                                        "Date of Contact": "2024-05-01", "Contact Source": "1A: Individual"})
                       for n in range(parcels.PIECE_ROWS + 1)]
    item = as_input(write_csv(tmp_path / "Contacts.csv", rows))
    sent = reading._read_batch([(item, None)])
    assert bool(sent[0].pieces()) is window
    _same(pickle.loads(pickle.dumps(sent[0])).unpack(), reading.read_input(item))
