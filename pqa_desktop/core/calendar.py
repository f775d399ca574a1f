"""Periods (the period end month, trend window, year to date, financial quarters), working days and
England and Wales bank holidays.

Working days (measures.md): wd(start, end) counts the days d with start < d <= end that are Monday to
Friday and not a bank holiday, so the same day is 0 and the next working day is 1. A reversed pair
(end before start) gives minus the count the other way round, wd(end, start) negated; the measures
leave reversed pairs out before they count, so the sign only matters to callers that want it.

Bank holidays: resources/bank_holidays.csv ships England and Wales bank holidays 2015-2027 (GOV.UK
list, one-off and substitute days included). A user adds years (or a new one-off day) by putting a
file ``bank_holidays.csv`` in the app-data folder (see core/runtime/userdata.py), or by passing a file or a
list of dates to ``bank_holidays()``. The file is one date per row in the first column, UK or ISO
order (``25/12/2028`` or ``2028-12-25``), an optional header row, and any further columns (a name)
ignored.
"""
from __future__ import annotations

import calendar as _cal
import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return d.replace(day=_cal.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    """Calendar offset; an impossible day clamps to the end of the month (31 Mar - 1 month = 29 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _cal.monthrange(year, month)[1]))


def financial_year_start(d: date) -> date:
    return date(d.year if d.month >= 4 else d.year - 1, 4, 1)


def last_complete_month(today: date) -> date:
    """First day of the month before today's month."""
    return add_months(month_start(today), -1)


@dataclass(frozen=True)
class Quarter:
    start: date  # first day of the quarter
    end: date  # last day of the quarter
    label: str  # "Q1 2024/25", or "Q2 2024/25 (to date)" when the period ends inside it

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


def quarter_of(d: date) -> tuple[int, int]:
    """(financial year starting, quarter number 1-4) of a date."""
    fy = d.year if d.month >= 4 else d.year - 1
    q = ((d.month - 4) % 12) // 3 + 1
    return fy, q


def quarter_label(fy: int, q: int) -> str:
    return f"Q{q} {fy}/{(fy + 1) % 100:02d}"


@dataclass(frozen=True)
class Period:
    """The reporting period, fixed by the period end month."""

    end_month: date  # first day of the period end month

    def __post_init__(self) -> None:
        object.__setattr__(self, "end_month", month_start(self.end_month))

    @classmethod
    def parse(cls, text: str) -> "Period":
        """From "YYYY-MM"."""
        y, m = text.strip().split("-")
        return cls(date(int(y), int(m), 1))

    @property
    def snapshot(self) -> date:
        return month_end(self.end_month)

    @property
    def label(self) -> str:
        return self.end_month.strftime("%B %Y")

    @property
    def description(self) -> str:
        """What the period covers, in words: the cover's Period line and the build summary."""
        return (f"12 months from {self.trend_start:%B %Y} to {self.label} (year to date from "
                f"{self.ytd_start:%B %Y}; snapshot {self.snapshot:%d/%m/%Y})")

    @property
    def trend_months(self) -> list[date]:
        """The 12 calendar months ending with the period end month, oldest first (first days)."""
        return [add_months(self.end_month, -i) for i in range(11, -1, -1)]

    @property
    def trend_start(self) -> date:
        return self.trend_months[0]

    def in_trend(self, d: date) -> bool:
        return self.trend_start <= d <= self.snapshot

    @property
    def ytd_start(self) -> date:
        return financial_year_start(self.end_month)

    def in_ytd(self, d: date) -> bool:
        return self.ytd_start <= d <= self.snapshot

    @property
    def three_month_start(self) -> date:
        return add_months(self.end_month, -2)

    def months_back(self, n: int) -> date:
        """Start (exclusive) of "in the N months to snapshot": the interval (snapshot - N months, snapshot]."""
        return add_months(self.snapshot, -n)

    @property
    def quarters(self) -> list[Quarter]:
        """Financial quarters overlapping the trend window, oldest first; the last labelled (to date) if incomplete."""
        out: list[Quarter] = []
        fy, q = quarter_of(self.trend_start)
        while True:
            start = date(fy + (1 if q == 4 else 0), ((q - 1) * 3 + 4 - 1) % 12 + 1, 1)
            end = month_end(add_months(start, 2))
            if start > self.snapshot:
                break
            label = quarter_label(fy, q)
            if end > self.snapshot:
                label += " (to date)"
            out.append(Quarter(start, end, label))
            fy, q = (fy, q + 1) if q < 4 else (fy + 1, 1)
        return out

    def quarter_for(self, d: date) -> Quarter | None:
        for qt in self.quarters:
            if qt.contains(d):
                return qt
        return None


def month_label(d: date) -> str:
    """The text heading for a month column: "Sep 2024"."""
    return d.strftime("%b %Y")



ONE_DAY = timedelta(days=1)


# ---------------------------------------------------------------------------------------------------
# Bank holidays and working days

BANK_HOLIDAYS_FILE = "bank_holidays.csv"


def read_bank_holiday_file(path: str | Path, *, strict: bool = True) -> list[date]:
    """Dates in the first column of a CSV/text file (UK or ISO order); a header or blank row is skipped.

    ``strict``: a row that is not a date raises ValueError naming the row (so a typo in a file the
    user passed is reported); otherwise such rows are skipped (see ``bank_holiday_file_problems``).
    """
    out: list[date] = []
    for number, cell, day in _bank_holiday_rows(path):
        if day is not None:
            out.append(day)
        elif strict:
            raise ValueError(f"{Path(path).name} row {number}: {cell!r} is not a date")
    return out


def bank_holiday_file_problems(path: str | Path) -> list[str]:
    """Plain-English problems with a bank holiday file (rows that are not dates), for findings."""
    return [f"{Path(path).name} row {number}: {cell!r} is not a date; write it as 25/12/2028."
            for number, cell, day in _bank_holiday_rows(path) if day is None]


def _bank_holiday_rows(path: str | Path):
    """(row number, first cell, date or None) for each non-blank row but a header."""
    from .values import parse_uk_date  # imported here: values is not needed for the period arithmetic

    with open(path, newline="", encoding="utf-8-sig") as fh:
        for number, row in enumerate(csv.reader(fh), start=1):
            cell = row[0].strip() if row else ""
            if not cell:
                continue
            try:
                day = parse_uk_date(cell)
            except ValueError:
                if number == 1:  # a header row such as "Date"
                    continue
                day = None
            yield number, cell, day


@lru_cache(maxsize=1)
def shipped_bank_holidays() -> tuple[date, ...]:
    from .resources import resource

    return tuple(read_bank_holiday_file(resource(BANK_HOLIDAYS_FILE)))


def user_bank_holidays_file() -> Path:
    """Where a user's extra bank holidays live: <app-data folder>/bank_holidays.csv (optional)."""
    from .runtime.userdata import app_data_dir

    return app_data_dir() / BANK_HOLIDAYS_FILE


def bank_holidays(extra: str | Path | Iterable[date] | None = None, *, include_user_file: bool = True
                  ) -> tuple[date, ...]:
    """The shipped England and Wales bank holidays, plus the user's file (if present) and ``extra``
    (a file path or dates), sorted and without repeats."""
    days = set(shipped_bank_holidays())
    user_file = user_bank_holidays_file()
    if include_user_file and user_file.is_file():
        days.update(read_bank_holiday_file(user_file, strict=False))  # never fail a build over it
    if isinstance(extra, (str, Path)):
        days.update(read_bank_holiday_file(extra))
    elif extra is not None:
        days.update(extra)
    return tuple(sorted(days))


def _holiday_array(holidays: Iterable[date] | None) -> np.ndarray:
    days = bank_holidays() if holidays is None else holidays
    return np.array(sorted(set(days)), dtype="datetime64[D]")


def working_days(start: date, end: date, holidays: Iterable[date] | None = None) -> int | None:
    """wd(start, end): days d with start < d <= end, Mon-Fri, not a bank holiday; same day 0.

    None when either date is missing; negative (minus wd(end, start)) when end is before start.
    ``holidays`` None means ``bank_holidays()``.
    """
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return None
    s = np.array([pd.Timestamp(start).date()], dtype="datetime64[D]")
    e = np.array([pd.Timestamp(end).date()], dtype="datetime64[D]")
    return int(_signed_working_days(s, e, _holiday_array(holidays))[0])


def _signed_working_days(start_days: np.ndarray, end_days: np.ndarray, holidays: np.ndarray) -> np.ndarray:
    # numpy counts [begin, end) and, for a reversed pair, minus (end, begin]: counting from the earlier
    # to the later date, both shifted by one day, gives (earlier, later]; the sign is put back after.
    earlier = np.minimum(start_days, end_days)
    later = np.maximum(start_days, end_days)
    count = np.busday_count(earlier + 1, later + 1, holidays=holidays)
    return np.where(end_days < start_days, -count, count)


def working_days_series(starts: pd.Series, ends: pd.Series, holidays: Iterable[date] | None = None
                        ) -> pd.Series:
    """Vectorised wd(start, end) for two aligned date Series: a float Series, NaN where either is blank."""
    start_days = pd.to_datetime(starts).to_numpy().astype("datetime64[D]")
    end_days = pd.to_datetime(ends).to_numpy().astype("datetime64[D]")
    ok = ~(np.isnat(start_days) | np.isnat(end_days))
    out = np.full(len(start_days), np.nan)
    if ok.any():
        out[ok] = _signed_working_days(start_days[ok], end_days[ok], _holiday_array(holidays))
    return pd.Series(out, index=starts.index)
