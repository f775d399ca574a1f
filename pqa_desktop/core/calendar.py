"""Periods: the period end month, trend window, year to date, financial quarters.

(Working days and bank holidays arrive with the KPI measures.)
"""
from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta


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


def days_between(a: date, b: date) -> int:
    return (b - a).days


ONE_DAY = timedelta(days=1)
