"""Workforce measures against hand-worked examples (period August 2024, snapshot Sat 31 Aug 2024).

Windows worked by hand: the 6 months to the snapshot are (29 Feb 2024, 31 Aug 2024] — 31 Aug minus 6
months clamps to 29 Feb in a leap year, so 29 Feb is the first EXCLUDED day and 1 Mar the first included
one; the previous 6 months are (31 Aug 2023, 29 Feb 2024]; the 12 months are (31 Aug 2023, 31 Aug 2024];
the previous month end is 31 Jul 2024.
"""
from datetime import date

import pandas as pd
import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.exports.model import ExportRecords, ExportTable
from pqa_desktop.core.measures.workforce import (
    Workers,
    agency_rate_pct,
    caseload_avg,
    leavers_6m,
    starters_6m,
    turnover_pct,
    vacancy_rate_pct,
    workforce_figures,
)
from pqa_desktop.core.settings import Settings

PERIOD = Period(date(2024, 8, 1))
DATE_COLUMNS = ("start_date", "leave_date", "snapshot_date")


def export_table(kind: str, rows: list[dict], **extra) -> ExportTable:
    frame = pd.DataFrame(rows)
    for column in DATE_COLUMNS:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    columns = frozenset(c for c in frame.columns if not c.startswith("_"))
    return ExportTable(kind=kind, label=kind, file="workforce.xlsx", sheet="Sheet1", frame=frame,
                       columns=columns, **extra)


def worker(worker_id, area, role, agency, fte, caseload, start, leave=None, nqsw=None, bad=False) -> dict:
    return {"worker_id": worker_id, "team": f"{area} team", "service_area": area, "role": float(role),
            "agency": agency, "fte": fte, "nqsw": nqsw, "start_date": start, "leave_date": leave,
            "leave_reason": None, "caseload": float(caseload), "_bad_leave": bad}


# Each worker's part in the hand-worked figures is in its comment.
WORKERS = [
    # case holder, newly qualified
    worker("W1", "IRT", 5, "No", 1.0, 18, "2020-01-01", nqsw="Yes"),
    # agency senior practitioner, half time, blank NQSW = Experienced
    worker("W2", "IRT", 4, "Yes", 0.5, 10, "2023-01-01"),
    # first line manager: in the agency denominator, never case-holding
    worker("W3", "IRT", 3, "No", 1.0, 0, "2019-01-01"),
    # leaves ON the snapshot: not in post, a leaver of the last 6 months
    worker("W4", "CST", 5, "No", 0.8, 16, "2021-01-01", leave="2024-08-31", nqsw="No"),
    # leaves the day after the snapshot: in post, not a leaver
    worker("W5", "CST", 5, "No", 1.0, 20, "2018-01-01", leave="2024-09-01", nqsw="No"),
    # starts ON the snapshot: in post and a starter
    worker("W6", "CST", 5, "No", 1.0, 5, "2024-08-31", nqsw="Yes"),
    # agency, qualified without cases, 0.6 FTE
    worker("W7", "CST", 6, "Yes", 0.6, 0, "2022-01-01"),
    # starts on 29 Feb 2024, the first excluded day: a starter of the PREVIOUS 6 months
    worker("W8", "CST", 5, "No", 1.0, 12, "2024-02-29"),
    # starts on 1 Mar 2024, the first included day; role 5 but no caseload: not case-holding
    worker("W9", "CST", 5, "No", 0.4, 0, "2024-03-01"),
    # leaves on 29 Feb 2024: a leaver of the previous 6 months, in the 12-month turnover
    worker("W10", "IRT", 2, "No", 1.0, 0, "2015-01-01", leave="2024-02-29"),
    # leaves on 1 Mar 2024: a leaver of the last 6 months
    worker("W11", "IRT", 5, "No", 0.5, 0, "2022-05-01", leave="2024-03-01"),
    # agency leaver: in no permanent count
    worker("W12", "IRT", 5, "Yes", 1.0, 0, "2023-09-01", leave="2024-06-01"),
    # leave before start: left out of every figure
    worker("W13", "IRT", 5, "No", 1.0, 30, "2024-05-01", leave="2024-04-01", bad=True),
    # leaves on 31 Aug 2023, exactly 12 months before: outside the 12-month and previous-6-month windows
    worker("W14", "IRT", 5, "No", 1.0, 0, "2023-06-15", leave="2023-08-31"),
]


@pytest.fixture
def workers() -> Workers:
    return Workers.from_table(export_table("workforce", WORKERS))


def test_caseload_average_counts_in_post_case_holders_only(workers):
    # W1 18/1.0, W2 10/0.5, W5 20/1.0, W6 5/1.0, W8 12/1.0: 65 children over 4.5 FTE.
    result = caseload_avg(workers, PERIOD, Settings())
    assert result.value == pytest.approx(65 / 4.5)
    assert (result.numerator, result.denominator) == (65, pytest.approx(4.5))
    assert result.previous is None
    assert any("Caseloads are as at extraction" in n for n in result.notes)
    assert any("leave date before the start date" in n for n in result.notes)
    areas = result.breakdown["by_service_area"]
    assert list(areas) == ["IRT", "CST"]  # the settings' service-area order
    assert areas["IRT"].average == pytest.approx(28 / 1.5)
    assert areas["CST"].average == pytest.approx(37 / 3.0)
    groups = result.breakdown["by_group"]
    assert groups["Newly qualified"].average == pytest.approx(23 / 2.0)  # W1, W6
    assert groups["Experienced"].average == pytest.approx(42 / 2.5)  # W2 (blank), W5, W8 (blank)


def test_agency_rate_uses_fte_fractions_of_all_roles(workers):
    # In post: W1 1, W2 .5 (agency), W3 1, W5 1, W6 1, W7 .6 (agency), W8 1, W9 .4 = 6.5 FTE, agency 1.1.
    # At 31 Jul: W4 (.8) is still in post and W6 has not started: 6.3 FTE, agency 1.1.
    result = agency_rate_pct(workers, PERIOD, Settings())
    assert result.value == pytest.approx(1.1 / 6.5)
    assert result.previous == pytest.approx(1.1 / 6.3)
    assert (result.numerator, result.denominator) == (pytest.approx(1.1), pytest.approx(6.5))
    areas = result.breakdown["by_service_area"]
    assert areas["IRT"].rate == pytest.approx(0.5 / 2.5)
    assert areas["CST"].rate == pytest.approx(0.6 / 4.0)


def test_starters_and_leavers_windows_clamp_to_29_february(workers):
    starters = starters_6m(workers, PERIOD, Settings())
    leavers = leavers_6m(workers, PERIOD, Settings())
    assert (starters.value, starters.previous) == (2, 1)  # W6, W9 | W8
    assert (leavers.value, leavers.previous) == (2, 1)  # W4, W11 | W10 (W14 on the boundary is out)


def test_starters_are_a_headcount_of_distinct_workers():
    rows = [worker("P1", "IRT", 5, "No", 0.5, 3, "2024-04-01"), worker("P1", "CST", 5, "No", 0.5, 3, "2024-04-01"),
            worker("P2", "IRT", 5, "No", 1.0, 3, "2024-05-01")]
    result = starters_6m(Workers.from_table(export_table("workforce", rows)), PERIOD, Settings())
    assert result.value == 2


def test_turnover_divides_permanent_leavers_fte_by_permanent_fte_in_post(workers):
    # Leavers in (31 Aug 2023, 31 Aug 2024]: W4 .8, W11 .5, W10 1.0 = 2.3 (W12 agency, W14 on the boundary).
    # Permanent in post: W1, W3, W5, W6, W8 (1 each), W9 .4 = 5.4.
    result = turnover_pct(workers, PERIOD, Settings())
    assert result.value == pytest.approx(2.3 / 5.4)
    assert (result.numerator, result.denominator) == (pytest.approx(2.3), pytest.approx(5.4))
    assert result.previous is None


def test_turnover_previous_when_leave_dates_reach_back_over_the_12_months_before(workers):
    # The 12 months before: (31 Aug 2022, 31 Aug 2023], first month Sep 2022. A list holding leavers for
    # years reaches back over it when its earliest leave date is on or before 7 Sep 2022.
    longer = WORKERS + [worker("W15", "CST", 5, "No", 0.5, 0, "2019-03-01", leave="2022-09-07")]
    result = turnover_pct(Workers.from_table(export_table("workforce", longer)), PERIOD, Settings())
    # Permanent leavers then: W14 1.0 (31 Aug 2023, the window's last day), W15 0.5 = 1.5 FTE.
    # Permanent in post at 31 Aug 2023: W1 1, W3 1, W4 .8, W5 1, W10 1, W11 .5 = 5.3 (W14 left that day).
    assert result.previous == pytest.approx(1.5 / 5.3)
    assert result.value == pytest.approx(2.3 / 5.4)  # unchanged: W15 left before the 12 months
    assert not any("previous" in n.lower() for n in result.notes)


def test_turnover_previous_blank_with_a_note_when_leave_dates_start_too_late(workers):
    # Earliest leave date 31 Aug 2023 (W14): nothing shows the list kept the leavers of Sep 2022 - Aug 2023.
    result = turnover_pct(workers, PERIOD, Settings())
    assert result.previous is None
    [note] = [n for n in result.notes if "previous" in n.lower()]
    assert "start in August 2023" in note and "Sep 2022 to Aug 2023" in note
    # one day past the 7th of the window's first month: still not shown to reach back
    later = WORKERS + [worker("W15", "CST", 5, "No", 0.5, 0, "2019-03-01", leave="2022-09-08")]
    result = turnover_pct(Workers.from_table(export_table("workforce", later)), PERIOD, Settings())
    assert result.previous is None
    assert any("after the first week of September 2022" in n for n in result.notes)


def test_a_list_taken_before_the_period_end_month_gives_no_value_at_the_snapshot():
    """A list taken on 31 July cannot say who is in post on 31 August (period August 2024): the figures at
    the snapshot are blank with a note, as an Annex A list's are for months it does not cover; Previous
    values it does cover (31 July; the 6 and 12 months before) are still worked out."""
    table = export_table("workforce", WORKERS, snapshot=date(2024, 7, 31))
    workers = Workers.from_table(table)
    settings = Settings(vacancies_fte=0.6)
    for measure in (caseload_avg, agency_rate_pct, starters_6m, leavers_6m, turnover_pct):
        result = measure(workers, PERIOD, settings)
        assert result.value is None, measure.__name__
        assert any("taken in July 2024" in n and "August 2024" in n for n in result.notes), measure.__name__
    assert agency_rate_pct(workers, PERIOD, settings).previous == pytest.approx(1.1 / 6.3)  # at 31 Jul
    assert starters_6m(workers, PERIOD, settings).previous == 1  # W8, as for a list taken on 31 August
    assert vacancy_rate_pct(workers, PERIOD, settings).value is None
    results, tables = workforce_figures(ExportRecords({"workforce": table}), PERIOD, settings)
    assert tables["tbl_caseloads"].empty
    assert [None if pd.isna(v) else v for v in tables["tbl_starters_leavers"]["Starters"]] == [None, 1]
    # taken within 7 days of the snapshot: it covers it
    recent = Workers.from_table(export_table("workforce", WORKERS, snapshot=date(2024, 8, 24)))
    assert agency_rate_pct(recent, PERIOD, settings).value == pytest.approx(1.1 / 6.5)


def test_vacancy_rate_from_settings(workers):
    result = vacancy_rate_pct(workers, PERIOD, Settings(vacancies_fte=0.6))
    assert result.value == pytest.approx(0.6 / 6.0)  # 0.6 ÷ (0.6 + 5.4) = 10%
    assert any("from the settings" in n for n in result.notes)


def test_vacancy_rate_prefers_the_census_figure(workers):
    result = vacancy_rate_pct(workers, PERIOD, Settings(vacancies_fte=0.6), census_vacancies_fte=2.6)
    assert result.value == pytest.approx(2.6 / 8.0)
    assert any("census" in n for n in result.notes)
    assert any("entered in the settings (0.6 FTE) were not used" in n for n in result.notes)


def test_vacancy_rate_without_vacancies_is_blank_with_a_note(workers):
    result = vacancy_rate_pct(workers, PERIOD, Settings())
    assert result.value is None and result.numerator is None
    assert "vacancies" in result.notes[0]


def test_workforce_figures_tables(workers):
    table = export_table("workforce", WORKERS)
    settings = Settings(caseload_thresholds={"IRT": 18.0, "CST": 15.0})
    results, tables = workforce_figures(ExportRecords({"workforce": table}), PERIOD, settings)
    by_id = {r.kpi_id: r for r in results}
    assert list(by_id) == ["caseload_avg", "agency_rate_pct", "starters_6m", "leavers_6m", "vacancy_rate_pct",
                           "turnover_pct", "same_worker_6m_pct", "same_worker_12m_pct"]
    caseloads = tables["tbl_caseloads"]
    assert list(caseloads.columns) == ["Service area", "Case-holding FTE", "Children allocated",
                                       "Average caseload", "Agency %", "Threshold", "Status"]
    assert caseloads["Service area"].tolist() == ["IRT", "CST"]
    assert caseloads["Case-holding FTE"].tolist() == pytest.approx([1.5, 3.0])
    assert caseloads["Children allocated"].tolist() == [28, 37]
    assert caseloads["Agency %"].tolist() == pytest.approx([0.2, 0.15])
    assert caseloads["Status"].tolist() == ["Above threshold", "Within threshold"]  # 18.7 > 18; 12.3 <= 15
    experience = tables["tbl_caseloads_experience"]
    assert experience["Group"].tolist() == ["Newly qualified", "Experienced"]
    assert experience["Children allocated"].tolist() == [23, 42]
    starters = tables["tbl_starters_leavers"]
    assert starters.values.tolist() == [["Last 6 months", 2, 2], ["Previous 6 months", 1, 1]]
    assert by_id["vacancy_rate_pct"].value is None  # a spreadsheet list has no vacancies; settings neither
    assert by_id["same_worker_6m_pct"].notes == ["Needs the worker allocation history."]
    assert tables["tbl_continuity"].empty


def test_threshold_equal_to_average_is_within_and_missing_threshold_says_so():
    rows = [worker("A", "IRT", 5, "No", 1.0, 15, "2020-01-01"), worker("B", "CST", 5, "No", 1.0, 20, "2020-01-01")]
    _, tables = workforce_figures(ExportRecords({"workforce": export_table("workforce", rows)}), PERIOD,
                                  Settings(caseload_thresholds={"IRT": 15.0}))
    caseloads = tables["tbl_caseloads"]
    assert caseloads["Status"].tolist() == ["Within threshold", "No threshold"]
    assert pd.isna(caseloads["Threshold"].iloc[1])


def census_table() -> ExportTable:
    """As the census XML reader gives it: no service area or NQSW column, codes as floats, blank starts."""
    def census_worker(swe, role, agency, fte, cases, start=None, leave=None):
        return {"worker_id": swe, "role": role, "agency": agency, "fte": fte, "start_date": start,
                "leave_date": leave, "leave_reason": None, "caseload": cases}
    rows = [
        census_worker("C1", 5.0, "No", 1.0, 15),
        census_worker("C2", 4.0, "Yes", 0.5, 9),
        census_worker("C3", float("nan"), "No", 1.0, 20),  # no OrgRole: not case-holding
        census_worker("C4", 6.0, "No", 1.0, 3),  # qualified without cases: not case-holding
        census_worker("C5", 1.0, "No", 1.0, 0),
        census_worker("C6", 5.0, "No", 1.0, 0, start="2024-04-01"),
    ]
    return export_table("workforce", rows, snapshot=date(2024, 9, 30), vacancies_fte=1.5)


def test_census_list_gives_one_row_all_and_uses_role_codes():
    results, tables = workforce_figures(ExportRecords({"workforce": census_table()}), PERIOD,
                                        Settings(caseload_thresholds={"All": 16.0}))
    by_id = {r.kpi_id: r for r in results}
    assert by_id["caseload_avg"].value == pytest.approx(24 / 1.5)  # C1 + C2
    assert tables["tbl_caseloads"].values.tolist() == [
        ["All", 1.5, 24.0, pytest.approx(16.0), pytest.approx(0.5 / 5.5), 16.0, "Within threshold"]]
    assert tables["tbl_caseloads_experience"].empty
    assert any("Newly qualified (ASYE) column" in n for n in by_id["caseload_avg"].notes)
    # Blank starts are in post since before any window and never starters; C6 is the one starter.
    assert by_id["starters_6m"].value == 1
    # Vacancies from the census: 1.5 ÷ (1.5 + permanent 5.0).
    assert by_id["vacancy_rate_pct"].value == pytest.approx(1.5 / 6.5)


def test_list_without_leave_dates_leaves_leavers_blank_not_zero():
    rows = [{k: v for k, v in worker("A", "IRT", 5, "No", 1.0, 10, "2024-05-01").items() if k != "leave_date"}]
    results, tables = workforce_figures(ExportRecords({"workforce": export_table("workforce", rows)}), PERIOD,
                                        Settings())
    by_id = {r.kpi_id: r for r in results}
    assert by_id["leavers_6m"].value is None and "Leave date" in by_id["leavers_6m"].notes[0]
    assert by_id["turnover_pct"].value is None
    assert by_id["starters_6m"].value == 1
    assert tables["tbl_starters_leavers"]["Starters"].tolist() == [1, 0]
    assert tables["tbl_starters_leavers"]["Leavers"].isna().all()


def test_blank_fte_workers_are_left_out_of_fte_figures_with_a_note():
    rows = [worker("A", "IRT", 5, "No", 1.0, 10, "2020-01-01"), worker("B", "IRT", 5, "Yes", None, 30, "2020-01-01")]
    workers = Workers.from_table(export_table("workforce", rows))
    caseloads = caseload_avg(workers, PERIOD, Settings())
    assert caseloads.value == 10.0
    assert any("without an FTE" in n for n in caseloads.notes)
    assert agency_rate_pct(workers, PERIOD, Settings()).value == 0.0


def test_missing_workforce_list_gives_blank_measures_and_empty_tables():
    results, tables = workforce_figures(ExportRecords(), PERIOD, Settings(vacancies_fte=3.0))
    for result in results[:6]:
        assert result.value is None and result.previous is None
        assert result.notes == ["Needs the workforce list."]
    for name in ("tbl_caseloads", "tbl_caseloads_experience", "tbl_starters_leavers", "tbl_continuity"):
        assert tables[name].empty
    assert list(tables["tbl_starters_leavers"].columns) == ["Period", "Starters", "Leavers"]


def test_leave_before_start_is_left_out_even_without_the_readers_flag():
    rows = [worker("A", "IRT", 5, "No", 1.0, 10, "2020-01-01"), worker("B", "IRT", 5, "No", 1.0, 30, "2024-05-01",
                                                                          leave="2024-04-01")]
    for row in rows:
        del row["_bad_leave"]
    result = caseload_avg(Workers.from_table(export_table("workforce", rows)), PERIOD, Settings())
    assert result.value == 10.0
    assert any("1 worker record with a leave date before the start date" in n for n in result.notes)


def test_census_as_read_with_service_area_all():
    table = census_table()
    table.frame["service_area"] = "All"
    table.columns = table.columns | {"service_area"}
    _, tables = workforce_figures(ExportRecords({"workforce": table}), PERIOD, Settings())
    assert tables["tbl_caseloads"]["Service area"].tolist() == ["All"]
    assert tables["tbl_caseloads"]["Status"].tolist() == ["No threshold"]
