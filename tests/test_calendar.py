"""Working days and England and Wales bank holidays (measures.md "Periods, days and numbers").

wd(start, end) counts days d with start < d <= end that are Mon-Fri and not a bank holiday. Every
expected count below is worked out by hand from a calendar (weekday names are in the comments).
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from pqa_desktop.core.calendar import (Period, bank_holiday_file_problems, bank_holidays, read_bank_holiday_file,
                                       shipped_bank_holidays, user_bank_holidays_file, working_days,
                                       working_days_series)


@pytest.mark.parametrize("start, end, expected", [
    (date(2024, 9, 2), date(2024, 9, 2), 0),  # same day
    (date(2024, 9, 2), date(2024, 9, 3), 1),  # Mon -> Tue
    (date(2024, 9, 6), date(2024, 9, 7), 0),  # Fri -> Sat
    (date(2024, 9, 7), date(2024, 9, 8), 0),  # Sat -> Sun
    (date(2024, 9, 6), date(2024, 9, 9), 1),  # Fri -> Mon: the weekend does not count
    (date(2024, 9, 7), date(2024, 9, 9), 1),  # Sat -> Mon
    (date(2024, 8, 23), date(2024, 8, 27), 1),  # Fri -> Tue over the 26 Aug summer bank holiday
    (date(2024, 8, 23), date(2024, 8, 26), 0),  # Fri -> the bank holiday Monday
    (date(2024, 9, 30), date(2024, 10, 1), 1),  # month end: Mon 30 Sep -> Tue 1 Oct
    (date(2025, 1, 31), date(2025, 2, 3), 1),  # month end over a weekend: Fri -> Mon
    (date(2024, 12, 24), date(2024, 12, 27), 1),  # Tue -> Fri over Christmas (Wed) and Boxing Day (Thu)
    (date(2024, 12, 31), date(2025, 1, 2), 1),  # year end: Tue -> Thu over New Year's Day (Wed)
    (date(2015, 12, 24), date(2015, 12, 29), 1),  # Thu -> Tue: 25 Fri, 28 Mon substitute Boxing Day
    (date(2020, 12, 24), date(2020, 12, 29), 1),  # Thu -> Tue: 25 Fri, 28 Mon substitute Boxing Day
    (date(2021, 12, 24), date(2021, 12, 29), 1),  # Fri -> Wed: 27 and 28 are both substitute days
    (date(2021, 12, 31), date(2022, 1, 4), 1),  # Fri -> Tue: 3 Jan 2022 substitute New Year's Day
    (date(2022, 12, 23), date(2022, 12, 28), 1),  # Fri -> Wed: 26 Boxing Day, 27 substitute Christmas
    (date(2027, 12, 24), date(2027, 12, 29), 1),  # Fri -> Wed: 27 and 28 substitute days
    (date(2022, 6, 1), date(2022, 6, 6), 1),  # Wed -> Mon over the moved spring holiday and the Jubilee
    (date(2022, 5, 27), date(2022, 5, 30), 1),  # 30 May 2022 was a working day (spring holiday moved)
    (date(2022, 9, 16), date(2022, 9, 20), 1),  # Fri -> Tue over the State Funeral (Mon 19 Sep)
    (date(2023, 5, 5), date(2023, 5, 9), 1),  # Fri -> Tue over the Coronation (Mon 8 May)
    (date(2020, 5, 7), date(2020, 5, 11), 1),  # Thu -> Mon over VE Day (Fri 8 May)
    (date(2020, 5, 1), date(2020, 5, 4), 1),  # 4 May 2020 was a working day (holiday moved to 8 May)
    (date(2024, 3, 28), date(2024, 4, 2), 1),  # Thu -> Tue over Good Friday and Easter Monday
    # 1 Jul 2024 (Mon) to 3 Sep: 22 working days left in July, 21 in August (26 Aug out), 2 in September.
    (date(2024, 7, 1), date(2024, 9, 3), 45),
    (date(2024, 7, 1), date(2024, 9, 4), 46),
])
def test_working_days(start, end, expected):
    assert working_days(start, end) == expected


def test_reversed_pair_is_the_negative_count_and_blank_is_none():
    assert working_days(date(2024, 1, 5), date(2024, 1, 1)) == -4  # Fri back to Mon (a bank holiday)
    assert working_days(date(2024, 1, 1), date(2024, 1, 5)) == 4
    assert working_days(None, date(2024, 1, 5)) is None
    assert working_days(date(2024, 1, 5), pd.NaT) is None


def test_series_version_matches_and_leaves_blanks_blank():
    starts = pd.Series(pd.to_datetime(["2024-08-23", "2024-07-01", None, "2024-01-05", "2024-09-02"]))
    ends = pd.Series(pd.to_datetime(["2024-08-27", "2024-09-04", "2024-09-01", "2024-01-01", "2024-09-02"]))
    out = working_days_series(starts, ends)
    assert out.tolist()[:2] == [1.0, 46.0]
    assert pd.isna(out.iloc[2])
    assert out.tolist()[3:] == [-4.0, 0.0]


def _naive_wd(start: date, end: date, holidays: set[date]) -> int:
    count, d = 0, start
    while d < end:
        d += timedelta(days=1)
        if d.weekday() < 5 and d not in holidays:
            count += 1
    return count


@hyp_settings(max_examples=60, deadline=None)
@given(st.dates(date(2015, 1, 1), date(2027, 11, 30)), st.integers(0, 120))
def test_working_days_agree_with_a_day_by_day_count(start, span):
    holidays = set(shipped_bank_holidays())
    end = start + timedelta(days=span)
    expected = _naive_wd(start, end, holidays)
    assert working_days(start, end) == expected
    assert working_days_series(pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end)])).iloc[0] == expected


def test_shipped_list_2015_to_2027():
    days = shipped_bank_holidays()
    per_year = {y: sum(d.year == y for d in days) for y in range(2015, 2028)}
    # 8 a year; 2022 had the Jubilee and the State Funeral (+2), 2023 the Coronation (+1).
    assert per_year == {**{y: 8 for y in range(2015, 2028)}, 2022: 10, 2023: 9}
    assert not [d for d in days if d.weekday() >= 5]
    for one_off in (date(2022, 6, 3), date(2022, 6, 2), date(2022, 9, 19), date(2023, 5, 8), date(2020, 5, 8),
                    date(2015, 12, 28), date(2016, 12, 27), date(2017, 1, 2), date(2020, 12, 28),
                    date(2021, 12, 27), date(2021, 12, 28), date(2022, 1, 3), date(2022, 12, 26),
                    date(2022, 12, 27), date(2023, 1, 2), date(2026, 12, 28), date(2027, 12, 27),
                    date(2027, 12, 28)):
        assert one_off in days
    for moved_away in (date(2020, 5, 4), date(2022, 5, 30)):
        assert moved_away not in days


def test_user_file_in_app_data_extends_the_list(tmp_path):
    christmas_2028 = date(2028, 12, 25)  # a Monday
    assert working_days(date(2028, 12, 22), date(2028, 12, 26)) == 2  # not yet known: Mon and Tue count
    user_file = user_bank_holidays_file()
    user_file.parent.mkdir(parents=True, exist_ok=True)
    user_file.write_text("Date,Name\n25/12/2028,Christmas Day\n2028-12-26,Boxing Day\n", encoding="utf-8")
    assert christmas_2028 in bank_holidays()
    assert working_days(date(2028, 12, 22), date(2028, 12, 26)) == 0
    assert christmas_2028 not in bank_holidays(include_user_file=False)


def test_extra_dates_and_extra_file(tmp_path):
    extra = tmp_path / "extra.csv"
    extra.write_text("03/01/2028\n\n", encoding="utf-8-sig")  # no header; UK order: 3 January
    assert date(2028, 1, 3) in bank_holidays(extra)
    assert date(2028, 3, 1) not in bank_holidays(extra)
    assert date(2028, 4, 14) in bank_holidays([date(2028, 4, 14)])
    # An explicit holiday list replaces the default one.
    assert working_days(date(2028, 1, 1), date(2028, 1, 3), holidays=[date(2028, 1, 3)]) == 0


def test_unreadable_user_date_names_the_row(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Date\n25/12/2028\nChristmas\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 3"):
        read_bank_holiday_file(bad)
    assert bank_holiday_file_problems(bad) == ["bad.csv row 3: 'Christmas' is not a date; write it as 25/12/2028."]


def test_a_bad_row_in_the_user_file_is_skipped_not_fatal():
    user_file = user_bank_holidays_file()
    user_file.parent.mkdir(parents=True, exist_ok=True)
    user_file.write_text("Date\n25/12/2028\nnot a date\n", encoding="utf-8")
    assert date(2028, 12, 25) in bank_holidays()


def test_existing_period_api_unchanged():
    p = Period(date(2024, 9, 1))
    assert p.snapshot == date(2024, 9, 30)
    assert p.ytd_start == date(2024, 4, 1)
    assert p.three_month_start == date(2024, 7, 1)
    assert p.trend_months[0] == date(2023, 10, 1)
    assert p.months_back(6) == date(2024, 3, 30)
