"""Continuity of social worker: ``same_worker_6m_pct`` and ``same_worker_12m_pct`` (our measures).

From the worker allocation history (one row per child–worker allocation; the SSDA903 social worker
table is valid as is). The window is the N months to the snapshot, (snapshot − N months, snapshot], a
set of whole days. An allocation covers the days from its start to its end inclusive (blank end = still
allocated). A child counts when their allocations together cover every day of the window; they have
the same worker when exactly one distinct worker appears on the allocations overlapping the window,
so a change of worker, or a co-worker alongside, means not the same worker.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..calendar import ONE_DAY, Period, add_months
from ..exports.model import ExportRecords, ExportTable
from ..settings import Settings
from .grades import frame, share
from .kpi_result import KpiResult
from .kpi_support import map_unique

ALLOCATIONS = "allocations"
NEEDS_ALLOCATIONS = "Needs the worker allocation history."
CONTINUITY_COLUMNS = ("KPI id", "Children", "Same worker", "Same worker %")


@dataclass
class Allocations:
    """Usable allocations: child_id, worker_id (stripped text), start, end (NaT = open)."""

    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    _arrays: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """child and worker as integer codes, start and end as nanoseconds (an open end: ``_OPEN``)."""
        if self._arrays is None:
            f = self.frame
            self._arrays = (pd.factorize(f["child_id"])[0], pd.factorize(f["worker_id"])[0],
                            f["start"].to_numpy(dtype="datetime64[ns]").view("i8"),
                            f["end"].to_numpy(dtype="datetime64[ns]").view("i8"))
        return self._arrays

    @classmethod
    def from_table(cls, table: ExportTable) -> "Allocations":
        raw = table.frame
        end = raw["allocation_end"] if "allocation_end" in raw else pd.Series(pd.NaT, index=raw.index)
        allocations = pd.DataFrame({
            "child_id": map_unique(raw["child_id"], _text),
            "worker_id": map_unique(raw["worker_id"], _text),
            "start": pd.to_datetime(raw["allocation_start"]),
            "end": pd.to_datetime(end),
        }, index=raw.index)
        notes = []
        unusable = allocations["child_id"].isna() | allocations["worker_id"].isna() | allocations["start"].isna()
        if unusable.any():
            notes.append(f"{_rows_text(int(unusable.sum()))} without a child, worker or start date left out.")
        # An allocation ending before it starts (flagged by the reader as ``_bad_allocation``) covers
        # no day we could trust.
        flagged = raw["_bad_allocation"].fillna(False).astype(bool) if "_bad_allocation" in raw else False
        reversed_dates = ~unusable & (flagged | (allocations["end"] < allocations["start"]))
        if reversed_dates.any():
            notes.append(f"{_rows_text(int(reversed_dates.sum()))} ending before they start left out.")
        return cls(allocations[~unusable & ~reversed_dates], notes)


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _rows_text(n: int) -> str:
    return f"{n} allocation" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class SameWorker:
    children: int  # children whose allocations cover every day of the window
    same_worker: int  # of those, children with exactly one distinct worker in the window

    @property
    def rate(self) -> float | None:
        return share(self.same_worker, self.children)


def same_worker_at(allocations: Allocations, snapshot: date, months: int) -> SameWorker:
    """Children covered throughout (snapshot − months, snapshot], and those with one worker throughout.

    Vectorised (a large council has 60,000+ allocations): allocations overlapping the window are
    clipped to it (an open end, or one past the window, becomes the window's last day), sorted per
    child, and a child is covered when its first clipped start is the window's first day, no start
    comes after the day following the latest end so far (a gap of at least one day), and the latest
    end reaches the window's last day. End dates are inclusive.

    Children and workers are compared by integer codes and the days as numbers (``Allocations.arrays``,
    made once for every window): sorting and grouping 60,000 text IDs for each of the four windows was
    most of the workforce figures' time.
    """
    first_day = np.datetime64(pd.Timestamp(add_months(snapshot, -months) + ONE_DAY), "ns").view("i8")
    last_day = np.datetime64(pd.Timestamp(snapshot), "ns").view("i8")
    child, worker, start, end = allocations.arrays()
    overlapping = (start <= last_day) & ((end == _OPEN) | (end >= first_day))
    if not overlapping.any():
        return SameWorker(0, 0)
    child, worker = child[overlapping], worker[overlapping]
    start = np.maximum(start[overlapping], first_day)
    end = end[overlapping]
    end = np.minimum(np.where(end == _OPEN, last_day, end), last_day)
    order = np.lexsort((start, child))  # by child, then start; stable, as the rows were given
    child, worker, start, end = child[order], worker[order], start[order], end[order]
    opens = np.flatnonzero(np.r_[True, child[1:] != child[:-1]])  # each child's first row
    group = np.repeat(np.arange(len(opens)), np.diff(np.r_[opens, len(child)]))
    # The latest covered day so far within each child: a running maximum that cannot carry over from the
    # child before (each child's end dates, as ranks, are lifted above every earlier child's).
    ends, rank = np.unique(end, return_inverse=True)
    lifted = group * len(ends) + rank.reshape(-1)
    reach = ends[np.maximum.accumulate(lifted) - group * len(ends)]
    later = np.ones(len(child), dtype=bool)
    later[opens] = False  # a child's first allocation has nothing before it
    reach_before = np.zeros_like(reach)
    reach_before[1:] = reach[:-1]
    gap = later & (start > reach_before + _DAY)
    first = start[opens]  # sorted by start within each child
    last = np.maximum.reduceat(end, opens)
    gaps = np.logical_or.reduceat(gap, opens)
    width = np.int64(worker.max()) + 1
    pairs = np.unique(child.astype(np.int64) * width + worker)  # each (child, worker) once, by child
    workers = np.bincount(np.searchsorted(child[opens], pairs // width), minlength=len(opens))
    covered = (first <= first_day) & (last >= last_day) & ~gaps
    return SameWorker(int(covered.sum()), int((covered & (workers == 1)).sum()))


_OPEN = np.iinfo(np.int64).min  # an open end (NaT as a number)
_DAY = np.int64(24 * 3600 * 10**9)


def same_worker_pct(kpi_id: str, months: int, allocations: Allocations | None, period: Period) -> KpiResult:
    """% of children allocated throughout the N months to the snapshot who had one worker throughout."""
    if allocations is None:
        return KpiResult(kpi_id, notes=[NEEDS_ALLOCATIONS])
    now = same_worker_at(allocations, period.snapshot, months)
    before = same_worker_at(allocations, period.end_month - ONE_DAY, months)  # previous month end
    result = KpiResult(kpi_id, value=now.rate, previous=before.rate, numerator=now.same_worker,
                       denominator=now.children, notes=list(allocations.notes))
    if now.rate is None:
        result.notes.append(f"No child was allocated throughout the {months} months to the snapshot.")
    result.breakdown["children"] = now.children
    result.breakdown["same_worker"] = now.same_worker
    return result


def same_worker_6m_pct(allocations: Allocations | None, period: Period) -> KpiResult:
    return same_worker_pct("same_worker_6m_pct", 6, allocations, period)


def same_worker_12m_pct(allocations: Allocations | None, period: Period) -> KpiResult:
    return same_worker_pct("same_worker_12m_pct", 12, allocations, period)


def continuity_table(results: list[KpiResult]) -> pd.DataFrame:
    """``tbl_continuity``: one row per same-worker measure; no rows without the allocation history."""
    rows = [{"KPI id": r.kpi_id, "Children": r.breakdown["children"], "Same worker": r.breakdown["same_worker"],
             "Same worker %": r.value} for r in results if "children" in r.breakdown]
    return frame(rows, CONTINUITY_COLUMNS, counts=("Children", "Same worker"))


def continuity_figures(exports: ExportRecords, period: Period,
                       settings: Settings) -> tuple[list[KpiResult], dict[str, pd.DataFrame]]:
    table = exports.get(ALLOCATIONS)
    allocations = Allocations.from_table(table) if table is not None else None
    results = [same_worker_6m_pct(allocations, period), same_worker_12m_pct(allocations, period)]
    return results, {"tbl_continuity": continuity_table(results)}
