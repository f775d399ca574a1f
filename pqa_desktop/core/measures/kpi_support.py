"""What every KPI measure shares: windows and their Previous, coverage of a list, medians, ages, notes.

Readings of measures.md taken here (the workbook's notes say so where it matters):
- Windows are inclusive of both ends: "last month" is the period end month; "3m" its 3 calendar
  months; "YTD" 1 April to the snapshot; "trend window" the 12 months. Previous is the window just
  before (YTD: the same months of the previous year; snapshot measures: the previous month end).
- Coverage of a list: a month is covered when the list's earliest date is on or before the month's
  7th day, and either the list's latest date is within 7 days of the snapshot (then every month up
  to the snapshot is) or the latest date is within 7 days of the month's end. The contract counts
  "the dates in the column the series counts by"; for the episode lists (CIN, child protection,
  children in care) the start column reaches back years for long episodes, so there the earliest
  date is taken from the closure column (a list "of everyone open at any point in the last N months"
  shows where its window starts by its earliest closure), falling back to the start column when no
  episode has closed; the latest date is the latest of any date the list records (last visit, last
  review…, not the date of birth), since each shows how far the extraction reaches.
- A count over a window that is not wholly covered is blank (a part-month count would mislead); a
  percentage or median is computed from the rows there, with a note naming the covered months. A
  Previous needs its whole window covered, or it is blank with a note.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ..calendar import Period, add_months, month_end, month_label
from ..exports.model import ExportRecords, ExportTable
from ..exports.spec import table_spec
from ..settings import Settings
from .kpi_result import KpiResult, MonthlyPoint

LAST_MONTH = "last month"
THREE_MONTHS = "3m"
YTD = "YTD"
TREND = "trend window"

# The sentence a blank measure carries when its list was not supplied.
LIST_NEEDED = {
    "annex_a_list_1": "Needs Annex A List 1 (contacts).",
    "annex_a_list_3": "Needs Annex A List 3 (referrals).",
    "annex_a_list_4": "Needs Annex A List 4 (assessments).",
    "annex_a_list_5": "Needs Annex A List 5 (Section 47 enquiries and ICPCs).",
    "annex_a_list_6": "Needs Annex A List 6 (children in need).",
    "annex_a_list_7": "Needs Annex A List 7 (child protection).",
    "annex_a_list_8": "Needs Annex A List 8 (children in care).",
    "annex_a_list_9": "Needs Annex A List 9 (care leavers).",
    "annex_a_list_10": "Needs Annex A List 10 (adoption).",
}

# Boolean columns the export reader adds for impossible records (True = leave the row out).
BAD_ASSESSMENT_DATES = "_bad_assessment_dates"
BAD_ICPC = "_bad_icpc"
BAD_S47_END = "_bad_s47_end"
BAD_DOB = "_bad_dob"

SEVEN_DAYS = timedelta(days=7)


@dataclass
class KpiInputs:
    """Everything a KPI measure function reads."""

    exports: ExportRecords
    period: Period
    settings: Settings
    holidays: tuple[date, ...]  # bank holidays for working days

    def table(self, kind: str) -> ExportTable | None:
        return self.exports.get(kind)


# ---------------------------------------------------------------------------------------------------
# Columns

def ts(day: date) -> pd.Timestamp:
    return pd.Timestamp(day)


def days_of(frame: pd.DataFrame, column: str) -> pd.Series:
    """A date column as midnight Timestamps (NaT = blank); an absent column is all blank."""
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce").dt.normalize()


def numbers_of(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def map_unique(series: pd.Series, convert: Callable[[object], object]) -> pd.Series:
    """``series.map(convert)`` with ``convert`` called once per distinct value, not once per row (an
    export of 120,000 rows holds far fewer distinct IDs and codes). Blanks (None, NaN, NaT) map to
    whatever ``convert(None)`` gives."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    converted = np.empty(len(uniques) + 1, dtype=object)
    converted[:-1] = [convert(value) for value in uniques]
    converted[-1] = convert(None)  # code -1: a blank
    return pd.Series(converted[codes], index=series.index, dtype=object)


def codes_of(frame: pd.DataFrame, column: str) -> pd.Series:
    """A code column as upper-case stripped text ("" = blank), for comparing with code lists."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return map_unique(frame[column], lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v).strip().upper())


def not_flagged(frame: pd.DataFrame, flag: str) -> pd.Series:
    """True for rows the reader did not flag as impossible (the flag column may be absent)."""
    if flag not in frame.columns:
        return pd.Series(True, index=frame.index)
    return ~frame[flag].fillna(False).astype(bool)


def needs_column_note(table: ExportTable, column: str) -> str:
    header = table_spec(table.kind).column(column).header
    return f"Needs the column '{header}' in {table.label}; the export supplied has none."


# ---------------------------------------------------------------------------------------------------
# Windows

@dataclass(frozen=True)
class Window:
    """Inclusive first and last day."""

    start: date
    end: date

    def mask(self, days: pd.Series) -> pd.Series:
        return (days >= ts(self.start)) & (days <= ts(self.end))

    @property
    def months(self) -> list[date]:
        out, m = [], self.start.replace(day=1)
        while m <= self.end:
            out.append(m)
            m = add_months(m, 1)
        return out

    @property
    def label(self) -> str:
        first, last = month_label(self.start), month_label(self.end)
        return first if first == last else f"{first} to {last}"


def month_window(month: date) -> Window:
    return Window(month, month_end(month))


def current_window(period: Period, kind: str) -> Window:
    if kind == LAST_MONTH:
        return month_window(period.end_month)
    if kind == THREE_MONTHS:
        return Window(period.three_month_start, period.snapshot)
    if kind == YTD:
        return Window(period.ytd_start, period.snapshot)
    if kind == TREND:
        return Window(period.trend_start, period.snapshot)
    raise ValueError(kind)


def previous_window(period: Period, kind: str) -> Window:
    current = current_window(period, kind)
    if kind == YTD:  # the same months of the previous year
        return Window(add_months(current.start, -12), month_end(add_months(period.end_month, -12)))
    months = len(current.months)
    return Window(add_months(current.start, -months), current.start - timedelta(days=1))


def previous_month_end(period: Period) -> date:
    return period.end_month - timedelta(days=1)


# ---------------------------------------------------------------------------------------------------
# Coverage

@dataclass(frozen=True)
class Coverage:
    earliest: date | None
    latest: date | None
    snapshot: date

    def month(self, month: date) -> bool:
        if self.earliest is None or self.latest is None:
            return False
        if self.earliest > month + timedelta(days=6):  # not on or before the month's 7th day
            return False
        if self.latest >= self.snapshot - SEVEN_DAYS:
            return month <= self.snapshot
        return self.latest >= month_end(month) - SEVEN_DAYS

    def window(self, window: Window) -> bool:
        return all(self.month(m) for m in window.months)

    def covered_months(self, window: Window) -> list[date]:
        return [m for m in window.months if self.month(m)]


def reaches_back(dates: pd.Series, window: Window) -> bool:
    """True when a list's dates (leave dates, de-registration dates) start early enough to show it holds
    the events of ``window``: its earliest date is on or before the 7th day of the window's first month
    (the coverage rule above). A list that keeps only the last 12 months' leavers never reaches back
    over the 12 months before; one that keeps them for years does."""
    earliest = pd.to_datetime(dates, errors="coerce").min()
    return not pd.isna(earliest) and earliest.date() <= window.months[0] + timedelta(days=6)


def not_reaching_back_note(what: str, events: str, dates: pd.Series, window: Window) -> str:
    """The note of a Previous left blank because ``what`` (e.g. "leave dates in the workforce list") do not
    reach back over ``window``, so the list may not hold all its ``events`` ("leavers"). Months, never a
    full date: a date in the workbook's text could be taken for a child's date of birth."""
    earliest = pd.to_datetime(dates, errors="coerce").min()
    if pd.isna(earliest):
        return f"No previous value: there are no {what}, so nothing shows the list holds the {events} of {window.label}."
    month = earliest.strftime("%B %Y")
    if earliest.date().replace(day=1) == window.months[0]:
        return (f"No previous value: the {what} start after the first week of {month}, so they do not show "
                f"that the list holds all the {events} of {window.label}.")
    return f"No previous value: the {what} start in {month}, so the list does not hold the {events} of {window.label}."


def _first_last(values: pd.Series) -> tuple[date | None, date | None]:
    values = values.dropna()
    if values.empty:
        return None, None
    return values.min().date(), values.max().date()


def event_coverage(frame: pd.DataFrame, column: str, snapshot: date) -> Coverage:
    """Coverage of a list of events counted by one date column (contacts, referrals, ICPCs…)."""
    first, last = _first_last(days_of(frame, column))
    return Coverage(first, last, snapshot)


def episode_coverage(frame: pd.DataFrame, start: str, end: str, snapshot: date) -> Coverage:
    """Coverage of a list of episodes open at any point of its window (see the module note): earliest
    from the closures (else the starts); latest from every date the list records (visits, reviews…)
    but the date of birth, since any of them shows how far the extraction reaches."""
    first_end, _ = _first_last(days_of(frame, end))
    first_start, _ = _first_last(days_of(frame, start))
    earliest = first_end if first_end is not None else first_start
    latest_each = [_first_last(days_of(frame, c))[1] for c in frame.columns
                   if c == start or c == end or (c != "dob" and pd.api.types.is_datetime64_any_dtype(frame[c]))]
    latest = max((d for d in latest_each if d is not None), default=None)
    return Coverage(earliest, latest, snapshot)


# ---------------------------------------------------------------------------------------------------
# Statistics

@dataclass
class Stat:
    """One figure over one window or at one day."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    notes: list[str] = field(default_factory=list)


def median(values) -> float | None:
    """Median; of an even count the mean of the two middle values; empty -> None."""
    arr = np.asarray(pd.Series(values, dtype=float).dropna(), dtype=float)
    if arr.size == 0:
        return None
    return float(np.median(arr))


def count_stat(mask: pd.Series) -> Stat:
    n = int(mask.sum())
    return Stat(n, n, None)


def ratio_stat(hits: pd.Series, eligible: pd.Series, nothing: str) -> Stat:
    """hits / eligible (boolean Series); a zero denominator gives a blank value and the ``nothing`` note."""
    den = int(eligible.sum())
    if den == 0:
        return Stat(None, None, None, [nothing])
    num = int((hits & eligible).sum())
    return Stat(num / den, num, den)


def median_stat(values: pd.Series, nothing: str) -> Stat:
    values = values.dropna()
    if values.empty:
        return Stat(None, None, None, [nothing])
    return Stat(median(values), int(len(values)), None)


def ages_at(dob: pd.Series, day: date) -> pd.Series:
    """Whole years at ``day``; a 29 February birthday counts on 1 March in other years; NaN when the
    date of birth is blank or after ``day``."""
    dob = pd.to_datetime(dob, errors="coerce")
    b_month = dob.dt.month.to_numpy(dtype=float)
    b_day = dob.dt.day.to_numpy(dtype=float)
    leap_birthday = (b_month == 2) & (b_day == 29)
    if not _is_leap(day.year):
        b_month = np.where(leap_birthday, 3, b_month)
        b_day = np.where(leap_birthday, 1, b_day)
    before_birthday = (day.month < b_month) | ((day.month == b_month) & (day.day < b_day))
    age = day.year - dob.dt.year.to_numpy(dtype=float) - before_birthday.astype(float)
    age = np.where(dob.isna().to_numpy() | (dob > ts(day)).to_numpy(), np.nan, age)
    return pd.Series(age, index=dob.index)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


# ---------------------------------------------------------------------------------------------------
# Result builders

def blank_months(period: Period) -> list[MonthlyPoint]:
    return [MonthlyPoint(m, None) for m in period.trend_months]


def missing_input(kpi_id: str, note: str, period: Period, *, monthly: bool) -> KpiResult:
    return KpiResult(kpi_id, notes=[note], monthly=blank_months(period) if monthly else [])


def _apply(result: KpiResult, stat: Stat) -> None:
    result.value, result.numerator, result.denominator = stat.value, stat.numerator, stat.denominator
    result.notes.extend(stat.notes)


def windowed_measure(kpi_id: str, inputs: KpiInputs, coverage: Coverage, kind: str,
                     stat: Callable[[Window], Stat], *, is_count: bool, monthly: bool) -> KpiResult:
    """A measure over a window of dates (last month, 3m, YTD, trend window), with its Previous and,
    when ``monthly``, a point for every month of the trend window (blank when not covered)."""
    period = inputs.period
    result = KpiResult(kpi_id)
    window = current_window(period, kind)
    covered = coverage.covered_months(window)
    if len(covered) == len(window.months):
        _apply(result, stat(window))
    elif not covered or is_count:
        result.notes.append(f"No value: the inputs do not cover the whole of {window.label}.")
    else:
        _apply(result, stat(window))
        result.notes.append(f"Based on {len(covered)} of the {len(window.months)} months of {window.label} "
                            f"(the inputs cover {Window(covered[0], month_end(covered[-1])).label}).")
    before = previous_window(period, kind)
    if coverage.window(before):
        result.previous = stat(before).value
    else:
        result.notes.append(f"No previous value: the inputs do not cover {before.label}.")
    if monthly:
        result.monthly = monthly_points(period, coverage, lambda m: stat(month_window(m)))
    return result


def monthly_points(period: Period, coverage: Coverage, stat_for_month: Callable[[date], Stat]
                   ) -> list[MonthlyPoint]:
    points = []
    for month in period.trend_months:
        if not coverage.month(month):
            points.append(MonthlyPoint(month, None))
            continue
        s = stat_for_month(month)
        points.append(MonthlyPoint(month, s.value, s.numerator, s.denominator))
    return points


def snapshot_measure(kpi_id: str, inputs: KpiInputs, coverage: Coverage | None, stat: Callable[[date], Stat],
                     *, monthly: bool, no_previous: str | None = None) -> KpiResult:
    """A measure at the snapshot (and at each month end when ``monthly``). Previous is the same
    measure at the previous month end, or blank with ``no_previous`` for as-at-extraction figures.
    ``coverage`` None means the list describes the position at extraction (no date coverage)."""
    period = inputs.period
    result = KpiResult(kpi_id)
    if coverage is None or coverage.month(period.end_month):
        _apply(result, stat(period.snapshot))
    else:
        result.notes.append(f"No value: the inputs do not cover {month_label(period.end_month)}.")
    if no_previous is not None:
        result.notes.append(no_previous)
    else:
        before = previous_month_end(period)
        if coverage is None or coverage.month(before.replace(day=1)):
            result.previous = stat(before).value
        else:
            result.notes.append(f"No previous value: the inputs do not cover {month_label(before)}.")
    if monthly:
        if coverage is None:
            raise ValueError("a monthly series needs a coverage")
        result.monthly = monthly_points(period, coverage, lambda m: stat(month_end(m)))
    return result
