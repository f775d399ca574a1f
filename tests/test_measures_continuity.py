"""Same-worker measures against a hand-worked allocation history (snapshot Sat 31 Aug 2024).

6-month window: (29 Feb 2024, 31 Aug 2024], i.e. 1 Mar – 31 Aug 2024 (31 Aug − 6 months clamps to 29 Feb).
12-month window: 1 Sep 2023 – 31 Aug 2024. Previous (31 Jul 2024): 6 months = 1 Feb – 31 Jul 2024.
"""
from datetime import date

import pandas as pd
import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.exports.model import ExportRecords, ExportTable
from pqa_desktop.core.measures.continuity import (
    Allocations,
    continuity_figures,
    same_worker_6m_pct,
    same_worker_12m_pct,
)
from pqa_desktop.core.settings import Settings

PERIOD = Period(date(2024, 8, 1))


def allocations_table(rows: list[tuple]) -> ExportTable:
    frame = pd.DataFrame(rows, columns=["child_id", "worker_id", "allocation_start", "allocation_end"])
    for column in ("allocation_start", "allocation_end"):
        frame[column] = pd.to_datetime(frame[column])
    return ExportTable(kind="allocations", label="Worker allocation history", file="sw.csv", sheet="sw",
                       frame=frame, columns=frozenset(frame.columns))


HISTORY = [
    # A: one open allocation since 2023: same worker over 6 and 12 months.
    ("A", "W1", "2023-01-01", None),
    # B: W1 ends 29 Feb, the day before the 6-month window; W2 from 1 Mar. 6m: only W2 -> same.
    #    12m: covered without a gap, two workers -> not same.
    ("B", "W1", "2023-01-01", "2024-02-29"),
    ("B", "W2", "2024-03-01", None),
    # C: W1 ends ON 1 Mar, the window's first day (inclusive), W2 from 2 Mar: two workers -> not same.
    ("C", "W1", "2023-01-01", "2024-03-01"),
    ("C", "W2", "2024-03-02", None),
    # D: the same worker with a one-day gap (11 May): not covered, in no denominator.
    ("D", "W1", "2023-01-01", "2024-05-10"),
    ("D", "W1", "2024-05-12", None),
    # E: co-working in June: covered, two workers -> not same.
    ("E", "W1", "2023-01-01", None),
    ("E", "W3", "2024-06-01", "2024-06-30"),
    # F: starts 2 Mar: 1 Mar uncovered -> not counted.
    ("F", "W4", "2024-03-02", None),
    # G: starts 1 Mar, the window's first day: covered for 6 months (same), not for 12.
    ("G", "W4", "2024-03-01", None),
    # H: ends 30 Aug: the snapshot day uncovered -> not counted now (counted at 31 Jul).
    ("H", "W5", "2023-01-01", "2024-08-30"),
    # I: the same worker on two back-to-back allocations: covered, one worker -> same.
    ("I", "W6", "2023-01-01", "2024-04-30"),
    ("I", "W6", "2024-05-01", None),
    # J: ends ON the snapshot (end date inclusive): covered, same.
    ("J", "W7", "2023-01-01", "2024-08-31"),
    # K: ends before it starts: left out with a note.
    ("K", "W8", "2024-05-01", "2024-04-01"),
]


@pytest.fixture
def allocations() -> Allocations:
    return Allocations.from_table(allocations_table(HISTORY))


def test_same_worker_6_months(allocations):
    result = same_worker_6m_pct(allocations, PERIOD)
    # Covered: A, B, C, E, G, I, J = 7; same worker: A, B, G, I, J = 5.
    assert (result.numerator, result.denominator) == (5, 7)
    assert result.value == pytest.approx(5 / 7)
    # At 31 Jul: covered A, B, C, E, H, I, J = 7; same: A, H, I, J = 4 (B and C change worker on 1-2 Mar).
    assert result.previous == pytest.approx(4 / 7)
    assert any("ending before they start" in n for n in result.notes)


def test_same_worker_12_months(allocations):
    result = same_worker_12m_pct(allocations, PERIOD)
    # Covered: A, B, C, E, I, J = 6; same worker: A, I, J = 3.
    assert (result.numerator, result.denominator) == (3, 6)
    assert result.value == pytest.approx(0.5)


def test_continuity_table():
    results, tables = continuity_figures(ExportRecords({"allocations": allocations_table(HISTORY)}), PERIOD,
                                         Settings())
    assert [r.kpi_id for r in results] == ["same_worker_6m_pct", "same_worker_12m_pct"]
    table = tables["tbl_continuity"]
    assert list(table.columns) == ["KPI id", "Children", "Same worker", "Same worker %"]
    assert table.values.tolist() == [["same_worker_6m_pct", 7, 5, pytest.approx(5 / 7)],
                                     ["same_worker_12m_pct", 6, 3, pytest.approx(0.5)]]


def test_no_child_allocated_throughout_gives_blank_not_zero():
    result = same_worker_6m_pct(Allocations.from_table(allocations_table([("Z", "W1", "2024-07-01", None)])),
                                PERIOD)
    assert result.value is None and result.denominator == 0
    assert any("No child was allocated throughout" in n for n in result.notes)


def test_missing_allocation_history():
    results, tables = continuity_figures(ExportRecords(), PERIOD, Settings())
    assert [r.value for r in results] == [None, None]
    assert results[0].notes == ["Needs the worker allocation history."]
    assert tables["tbl_continuity"].empty


def test_allocation_flagged_by_the_reader_is_left_out():
    table = allocations_table([("A", "W1", "2023-01-01", None), ("A", "W2", "2024-05-01", "2024-05-31")])
    table.frame["_bad_allocation"] = [False, True]  # as the reader flags it
    result = same_worker_6m_pct(Allocations.from_table(table), PERIOD)
    assert (result.numerator, result.denominator) == (1, 1)
    assert any("1 allocation ending before" in n for n in result.notes)


def _day_by_day(rows: list[tuple], snapshot: date, months: int) -> tuple[int, int]:
    """The measure's definition worked out a day at a time: a child counts when its allocations cover every
    day of (snapshot - months, snapshot], and has the same worker when one worker appears on them."""
    from datetime import timedelta

    from pqa_desktop.core.calendar import add_months

    first, last = add_months(snapshot, -months) + timedelta(days=1), snapshot
    window = {first + timedelta(days=i) for i in range((last - first).days + 1)}
    days: dict[str, set] = {}
    workers: dict[str, set] = {}
    for child, worker, start, end in rows:
        end = end or last
        if start > last or end < first:
            continue
        covered = {start + timedelta(days=i) for i in range((end - start).days + 1)} & window
        days.setdefault(child, set()).update(covered)
        workers.setdefault(child, set()).add(worker)
    counted = [child for child, seen in days.items() if seen >= window]
    return len(counted), sum(len(workers[child]) == 1 for child in counted)


def test_same_worker_agrees_with_the_definition_worked_a_day_at_a_time():
    # Random histories: gaps, overlaps, co-workers, back-to-back and open allocations, ends on the window's
    # edges; the vectorised measure (codes, running maxima) must count as the definition does.
    import random
    from datetime import timedelta

    from pqa_desktop.core.measures.continuity import same_worker_at

    rng = random.Random(18)
    for _ in range(150):
        rows = []
        for _ in range(rng.randint(1, 40)):
            start = date(2023, 6, 1) + timedelta(days=rng.randint(0, 480))
            end = None if rng.random() < 0.3 else start + timedelta(days=rng.randint(0, 300))
            rows.append((f"C{rng.randint(1, 9)}", f"W{rng.randint(1, 3)}", start, end))
        allocations = Allocations.from_table(allocations_table(
            [(c, w, s.isoformat(), e.isoformat() if e else None) for c, w, s, e in rows]))
        for snapshot, months in ((date(2024, 8, 31), 6), (date(2024, 8, 31), 12), (date(2024, 2, 29), 6)):
            found = same_worker_at(allocations, snapshot, months)
            assert (found.children, found.same_worker) == _day_by_day(rows, snapshot, months), (rows, snapshot)
