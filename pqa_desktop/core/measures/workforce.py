"""Workforce measures of measures.md (DfE children's social work workforce census definitions).

Every figure is taken at the PERIOD snapshot (the last day of the period end month). A list taken later
still tells who was in post then (its leavers carry their leave dates; the warning when it is much later is
raised where the list is read). A list taken more than 7 days before a day cannot tell who started or left
since, so a figure at (or a window up to) such a day is blank with a note, as an Annex A list's months it
does not cover are (``Workers.covers``); a Previous it does cover is still worked out. A worker is
in post on a day when their start date is on or before it (a blank start, as in a census without
RoleStartDate, means in post since before any window) and their leave date is blank or after it: a
leave date on the day itself means they have left. "Permanent" means not an agency worker.

Caseloads exist only as at extraction, so ``caseload_avg`` has no Previous; vacancies are known only at
the snapshot, so ``vacancy_rate_pct`` has none either. The other measures take their Previous from the
same list as at the earlier date. The list must hold the leavers of the 12 months to the snapshot
(system-exports.md), so Previous values within those 12 months are trusted; the turnover's Previous needs
the leavers of the 12 months before, so it is worked out only when the list's leave dates reach back over
them (``kpi_support.reaches_back``: many lists keep leavers for years).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..calendar import ONE_DAY, Period
from ..exports.model import ExportRecords, ExportTable
from ..settings import Settings
from .continuity import continuity_figures
from .grades import frame, share
from .kpi_result import KpiResult
from .kpi_support import SEVEN_DAYS, Window, not_reaching_back_note, reaches_back

WORKFORCE = "workforce"
NEEDS_WORKFORCE = "Needs the workforce list."
CASE_HOLDING_ROLES = (4.0, 5.0)  # census OrgRole 4 senior practitioner, 5 case holder
ALL_AREAS = "All"  # the census XML has no service area
AREA_NOT_RECORDED = "Not recorded"
NEWLY_QUALIFIED, EXPERIENCED = "Newly qualified", "Experienced"
LAST_6_MONTHS, PREVIOUS_6_MONTHS = "Last 6 months", "Previous 6 months"
ABOVE, WITHIN, NO_THRESHOLD = "Above threshold", "Within threshold", "No threshold"

CASELOAD_COLUMNS = ("Service area", "Case-holding FTE", "Children allocated", "Average caseload", "Agency %",
                    "Threshold", "Status")
EXPERIENCE_COLUMNS = ("Group", "Case-holding FTE", "Children allocated", "Average caseload")
STARTERS_LEAVERS_COLUMNS = ("Period", "Starters", "Leavers")


@dataclass
class Workers:
    """The workforce list ready for counting: one row per usable worker record, typed columns.

    ``frame`` columns: worker_id, area, role (float, NaN = no role), agency (bool), fte (float, NaN =
    blank), nqsw (bool), start_date, leave_date (NaT = blank), caseload (float, blank = 0).
    """

    frame: pd.DataFrame
    has_leave_dates: bool
    has_nqsw: bool
    notes: list[str] = field(default_factory=list)  # rows left out, applied to every measure
    taken: date | None = None  # the list's own snapshot date (column or census ReferenceDate), when it has one

    def covers(self, day: date) -> bool:
        """The list tells who is in post on ``day`` (and who started or left up to it): it was taken then, or
        later, or at most 7 days before (the coverage rule of measures.md). A list without its own snapshot
        date is taken to be as at the period snapshot."""
        return self.taken is None or self.taken >= day - SEVEN_DAYS

    def not_covered_note(self, day: date) -> str:
        return (f"No value: the workforce list was taken in {self.taken:%B %Y}, so it cannot tell who was in "
                f"post, or who started or left, by the end of {day:%B %Y}.")

    @classmethod
    def from_table(cls, table: ExportTable) -> "Workers":
        raw = table.frame
        notes: list[str] = []
        # A leave date before the start date (flagged by the reader as ``_bad_leave``) makes both dates
        # doubtful: in post, starter and leaver would all be guesses, so the record is in no figure.
        bad = raw["_bad_leave"].fillna(False).astype(bool) if "_bad_leave" in raw else pd.Series(False, index=raw.index)
        if "start_date" in raw and "leave_date" in raw:
            bad |= pd.to_datetime(raw["leave_date"]) < pd.to_datetime(raw["start_date"])
        if bad.any():
            notes.append(f"{_count_text(int(bad.sum()), 'worker record')} with a leave date before the start "
                         f"date left out.")
            raw = raw[~bad]
        n = len(raw)

        def column(name: str, default: object) -> pd.Series:
            return raw[name] if name in raw else pd.Series([default] * n, index=raw.index, dtype=object)

        if table.has("service_area"):
            areas = column("service_area", None).map(_area_label)
        else:
            areas = pd.Series([ALL_AREAS] * n, index=raw.index, dtype=object)
        workers = pd.DataFrame({
            "worker_id": column("worker_id", None),
            "area": areas,
            "role": pd.to_numeric(column("role", None), errors="coerce"),
            "agency": column("agency", None).map(lambda v: v == "Yes").astype(bool),
            "fte": pd.to_numeric(column("fte", None), errors="coerce").astype("float64"),
            "nqsw": column("nqsw", None).map(lambda v: v == "Yes").astype(bool),
            "start_date": pd.to_datetime(column("start_date", pd.NaT)),
            "leave_date": pd.to_datetime(column("leave_date", pd.NaT)),
            "caseload": pd.to_numeric(column("caseload", 0), errors="coerce").fillna(0.0).astype("float64"),
        }, index=raw.index)
        return cls(workers, has_leave_dates=table.has("leave_date"), has_nqsw=table.has("nqsw"), notes=notes,
                   taken=table.snapshot)

    # ------------------------------------------------------------------ selections
    def in_post(self, day: date) -> pd.DataFrame:
        at = pd.Timestamp(day)
        w = self.frame
        return w[(w["start_date"].isna() | (w["start_date"] <= at)) & (w["leave_date"].isna() | (w["leave_date"] > at))]

    def with_fte(self, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """Rows with an FTE; a note counts those without (they cannot be weighed)."""
        blank = rows["fte"].isna()
        notes = [f"{_count_text(int(blank.sum()), 'worker')} in post without an FTE left out."] if blank.any() else []
        return rows[~blank], notes

    def permanent(self, rows: pd.DataFrame) -> pd.DataFrame:
        return rows[~rows["agency"]]

    def case_holding(self, rows: pd.DataFrame) -> pd.DataFrame:
        return rows[rows["role"].isin(CASE_HOLDING_ROLES) & (rows["caseload"] > 0)]

    def dated_in(self, column: str, after: date, upto: date) -> pd.DataFrame:
        """Rows whose ``column`` date is in the interval (after, upto]."""
        dates = self.frame[column]
        return self.frame[(dates > pd.Timestamp(after)) & (dates <= pd.Timestamp(upto))]


def _area_label(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip():
        return AREA_NOT_RECORDED
    return str(value).strip()


def _count_text(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _headcount(rows: pd.DataFrame) -> int:
    """Distinct workers: rows sharing a worker ID are one person; rows without an ID count one each."""
    ids = rows["worker_id"]
    return int(ids.dropna().astype(str).str.strip().nunique() + ids.isna().sum())


def previous_month_end(period: Period) -> date:
    return period.end_month - ONE_DAY


def _missing(kpi_id: str, note: str = NEEDS_WORKFORCE) -> KpiResult:
    return KpiResult(kpi_id, notes=[note])


# ---------------------------------------------------------------------- caseloads
@dataclass
class CaseloadGroup:
    fte: float
    children: float

    @property
    def average(self) -> float | None:
        return self.children / self.fte if self.fte else None


def _caseload_group(rows: pd.DataFrame) -> CaseloadGroup:
    return CaseloadGroup(fte=float(rows["fte"].sum()), children=float(rows["caseload"].sum()))


def _case_holders(workers: Workers, day: date) -> tuple[pd.DataFrame, list[str]]:
    """In-post case-holding workers with an FTE (agency included), and notes on any left out."""
    case_holding = workers.case_holding(workers.in_post(day))
    return workers.with_fte(case_holding)


def _area_order(areas, settings: Settings) -> list[str]:
    """The settings' service areas first, in their order, then any others alphabetically."""
    known = [a for a in settings.service_areas if a in areas]
    return known + sorted(a for a in areas if a not in settings.service_areas)


def caseload_avg(workers: Workers | None, period: Period, settings: Settings) -> KpiResult:
    """Σ caseload ÷ Σ FTE of in-post case-holding workers (roles 4 and 5 with a caseload), agency included."""
    if workers is None:
        return _missing("caseload_avg")
    if not workers.covers(period.snapshot):
        return _missing("caseload_avg", workers.not_covered_note(period.snapshot))
    case_holders, notes = _case_holders(workers, period.snapshot)
    overall = _caseload_group(case_holders)
    counted = not case_holders.empty
    result = KpiResult("caseload_avg", value=overall.average, numerator=overall.children if counted else None,
                       denominator=overall.fte if counted else None,
                       notes=[*workers.notes, *notes,
                              "Caseloads are as at extraction, so there is no previous value."])
    if overall.average is None:
        result.notes.append("No case-holding workers (roles 4 or 5 with a caseload) in post at the snapshot.")
    by_area = {area: _caseload_group(rows) for area, rows in case_holders.groupby("area", sort=False)}
    result.breakdown["by_service_area"] = {area: by_area[area] for area in _area_order(by_area, settings)}
    if workers.has_nqsw:
        newly_qualified = case_holders["nqsw"]
        result.breakdown["by_group"] = {
            NEWLY_QUALIFIED: _caseload_group(case_holders[newly_qualified]),
            EXPERIENCED: _caseload_group(case_holders[~newly_qualified]),
        }
    else:
        result.notes.append("Caseloads by experience need the Newly qualified (ASYE) column.")
    return result


def caseload_areas(table: ExportTable, period: Period, settings: Settings) -> list[str]:
    """The service areas tbl_caseloads has a row for (those with case-holding workers in post), in its order."""
    workers = Workers.from_table(table)
    case_holders = workers.case_holding(workers.in_post(period.snapshot))
    return _area_order(set(case_holders["area"]), settings)


def caseload_status(average: float | None, threshold: float | None) -> str:
    if threshold is None:
        return NO_THRESHOLD
    return ABOVE if average is not None and average > threshold else WITHIN


# ---------------------------------------------------------------------- agency, vacancies, turnover
@dataclass
class AgencyShare:
    agency_fte: float
    fte: float

    @property
    def rate(self) -> float | None:
        return share(self.agency_fte, self.fte)


def _agency_share(rows: pd.DataFrame) -> AgencyShare:
    return AgencyShare(agency_fte=float(rows.loc[rows["agency"], "fte"].sum()), fte=float(rows["fte"].sum()))


def agency_rate_pct(workers: Workers | None, period: Period, settings: Settings) -> KpiResult:
    """Agency FTE ÷ all FTE in post, all roles (DfE agency rate); Previous at the previous month end."""
    if workers is None:
        return _missing("agency_rate_pct")
    day_before = previous_month_end(period)
    before, _ = workers.with_fte(workers.in_post(day_before))
    previous = _agency_share(before).rate if workers.covers(day_before) else None
    if not workers.covers(period.snapshot):
        return KpiResult("agency_rate_pct", previous=previous,
                         notes=[*workers.notes, workers.not_covered_note(period.snapshot)])
    in_post, notes = workers.with_fte(workers.in_post(period.snapshot))
    overall = _agency_share(in_post)
    result = KpiResult("agency_rate_pct", value=overall.rate, previous=previous,
                       numerator=overall.agency_fte, denominator=overall.fte, notes=[*workers.notes, *notes])
    if overall.rate is None:
        result.notes.append("No FTE in post at the snapshot.")
    by_area = {area: _agency_share(rows) for area, rows in in_post.groupby("area", sort=False)}
    result.breakdown["by_service_area"] = {area: by_area[area] for area in _area_order(by_area, settings)}
    return result


def _permanent_fte_in_post(workers: Workers, day: date) -> tuple[float, list[str]]:
    rows, notes = workers.with_fte(workers.permanent(workers.in_post(day)))
    return float(rows["fte"].sum()), notes


def vacancy_rate_pct(workers: Workers | None, period: Period, settings: Settings,
                     census_vacancies_fte: float | None = None) -> KpiResult:
    """Vacancies (FTE) ÷ (vacancies + permanent FTE in post).

    Vacancies come from the census XML (LALevelVacancies) when it gives them, else from settings.
    Vacancies are known only at the snapshot, so there is no Previous.
    """
    if workers is None:
        return _missing("vacancy_rate_pct")
    if not workers.covers(period.snapshot):
        return _missing("vacancy_rate_pct", workers.not_covered_note(period.snapshot))
    if census_vacancies_fte is not None:
        vacancies, source = census_vacancies_fte, "the workforce census XML"
    elif settings.vacancies_fte is not None:
        vacancies, source = settings.vacancies_fte, "the settings"
    else:
        return _missing("vacancy_rate_pct", "Needs the number of vacancies (FTE): enter it in Settings (General), "
                                            "or add the workforce census XML, which gives it.")
    permanent_fte, notes = _permanent_fte_in_post(workers, period.snapshot)
    denominator = vacancies + permanent_fte
    result = KpiResult("vacancy_rate_pct", value=share(vacancies, denominator), numerator=vacancies,
                       denominator=denominator,
                       notes=[*workers.notes, *notes, f"Vacancies ({vacancies:g} FTE) from {source}; "
                              f"known only at the snapshot, so there is no previous value."])
    if census_vacancies_fte is not None and settings.vacancies_fte is not None \
            and settings.vacancies_fte != census_vacancies_fte:
        result.notes.append(f"The vacancies entered in the settings ({settings.vacancies_fte:g} FTE) were not used.")
    if result.value is None:
        result.notes.append("No vacancies and no permanent FTE in post at the snapshot.")
    return result


def _turnover(workers: Workers, after: date, upto: date) -> tuple[float, float, list[str]]:
    """Permanent leavers' FTE in (after, upto], permanent FTE in post at ``upto``, and notes on rows left out."""
    leavers = workers.permanent(workers.dated_in("leave_date", after, upto))
    leavers, leaver_notes = workers.with_fte(leavers)
    in_post_fte, notes = _permanent_fte_in_post(workers, upto)
    return float(leavers["fte"].sum()), in_post_fte, [*notes, *(n.replace("in post", "leaving") for n in leaver_notes)]


def turnover_pct(workers: Workers | None, period: Period, settings: Settings) -> KpiResult:
    """Permanent leavers' FTE in the 12 months to the snapshot ÷ permanent FTE in post at the snapshot.

    Previous: the same measure a year before (leavers of the 12 months before, FTE in post then), worked
    out only when the list's leave dates reach back over those 12 months; otherwise blank with a note.
    """
    if workers is None:
        return _missing("turnover_pct")
    if not workers.has_leave_dates:
        return _missing("turnover_pct", "Needs the Leave date column of the workforce list.")
    if workers.covers(period.snapshot):
        leavers_fte, in_post_fte, notes = _turnover(workers, period.months_back(12), period.snapshot)
        result = KpiResult("turnover_pct", value=share(leavers_fte, in_post_fte), numerator=leavers_fte,
                           denominator=in_post_fte, notes=[*workers.notes, *notes])
        if result.value is None:
            result.notes.append("No permanent FTE in post at the snapshot.")
    else:
        result = KpiResult("turnover_pct", notes=[*workers.notes, workers.not_covered_note(period.snapshot)])
    before = Window(period.months_back(24) + ONE_DAY, period.months_back(12))
    leave_dates = workers.frame["leave_date"]
    if reaches_back(leave_dates, before):
        earlier_leavers, earlier_in_post, _ = _turnover(workers, period.months_back(24), period.months_back(12))
        result.previous = share(earlier_leavers, earlier_in_post)
    else:
        result.notes.append(not_reaching_back_note("leave dates in the workforce list", "leavers", leave_dates, before))
    return result


# ---------------------------------------------------------------------- starters and leavers
def _starters(workers: Workers, after: date, upto: date) -> int:
    return _headcount(workers.permanent(workers.dated_in("start_date", after, upto)))


def _leavers(workers: Workers, after: date, upto: date) -> int:
    return _headcount(workers.permanent(workers.dated_in("leave_date", after, upto)))


def starters_6m(workers: Workers | None, period: Period, settings: Settings) -> KpiResult:
    """Permanent workers (headcount) starting in (snapshot − 6 months, snapshot]; Previous the 6 months before."""
    if workers is None:
        return _missing("starters_6m")
    return _six_months("starters_6m", workers, period, _starters)


def leavers_6m(workers: Workers | None, period: Period, settings: Settings) -> KpiResult:
    """Permanent workers (headcount) leaving in (snapshot − 6 months, snapshot]; Previous the 6 months before."""
    if workers is None:
        return _missing("leavers_6m")
    if not workers.has_leave_dates:
        return _missing("leavers_6m", "Needs the Leave date column of the workforce list.")
    return _six_months("leavers_6m", workers, period, _leavers)


def _six_months(kpi_id: str, workers: Workers, period: Period, count) -> KpiResult:
    """A count over the 6 months to the snapshot, Previous over the 6 before; each blank when the list was
    taken too early to hold the whole window."""
    result = KpiResult(kpi_id, notes=list(workers.notes))
    if workers.covers(period.snapshot):
        result.value = result.numerator = count(workers, period.months_back(6), period.snapshot)
    else:
        result.notes.append(workers.not_covered_note(period.snapshot))
    if workers.covers(period.months_back(6)):
        result.previous = count(workers, period.months_back(12), period.months_back(6))
    return result


# ---------------------------------------------------------------------- tables
def caseloads_table(caseloads: KpiResult, agency: KpiResult, settings: Settings) -> pd.DataFrame:
    """One row per service area with case-holding FTE (census lists: one row, ``All``)."""
    rows = []
    agency_by_area: dict[str, AgencyShare] = agency.breakdown.get("by_service_area", {})
    for area, group in caseloads.breakdown.get("by_service_area", {}).items():
        threshold = settings.caseload_thresholds.get(area)
        area_agency = agency_by_area.get(area)
        rows.append({
            "Service area": area,
            "Case-holding FTE": group.fte,
            "Children allocated": group.children,
            "Average caseload": group.average,
            "Agency %": area_agency.rate if area_agency else None,
            "Threshold": threshold,
            "Status": caseload_status(group.average, threshold),
        })
    return _numeric(frame(rows, CASELOAD_COLUMNS), ("Case-holding FTE", "Children allocated", "Average caseload",
                                                     "Threshold"))


def caseloads_experience_table(caseloads: KpiResult) -> pd.DataFrame:
    rows = [{"Group": group, "Case-holding FTE": figures.fte, "Children allocated": figures.children,
             "Average caseload": figures.average}
            for group, figures in caseloads.breakdown.get("by_group", {}).items()]
    return _numeric(frame(rows, EXPERIENCE_COLUMNS), ("Case-holding FTE", "Children allocated", "Average caseload"))


def starters_leavers_table(starters: KpiResult, leavers: KpiResult) -> pd.DataFrame:
    rows = [] if starters.value is None and starters.previous is None else [
        {"Period": LAST_6_MONTHS, "Starters": starters.value, "Leavers": leavers.value},
        {"Period": PREVIOUS_6_MONTHS, "Starters": starters.previous, "Leavers": leavers.previous},
    ]
    # A count stays blank (not 0) when the list cannot give it (no leave dates, or taken before the
    # snapshot), hence nullable integer columns.
    table = frame(rows, STARTERS_LEAVERS_COLUMNS)
    for column in ("Starters", "Leavers"):
        table[column] = table[column].astype("Int64")
    return table


def _numeric(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Float columns with NaN for blanks, so an empty and a full table look alike to the report layer."""
    for column in columns:
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    return table


# ---------------------------------------------------------------------- entry point
def workforce_figures(exports: ExportRecords, period: Period,
                      settings: Settings) -> tuple[list[KpiResult], dict[str, pd.DataFrame]]:
    """Every workforce and continuity measure, with the Workforce sheet's tables."""
    table = exports.get(WORKFORCE)
    workers = Workers.from_table(table) if table is not None else None
    caseloads = caseload_avg(workers, period, settings)
    agency = agency_rate_pct(workers, period, settings)
    starters = starters_6m(workers, period, settings)
    leavers = leavers_6m(workers, period, settings)
    vacancies = vacancy_rate_pct(workers, period, settings, table.vacancies_fte if table is not None else None)
    turnover = turnover_pct(workers, period, settings)
    continuity_results, continuity_tables = continuity_figures(exports, period, settings)
    tables = {
        "tbl_caseloads": caseloads_table(caseloads, agency, settings),
        "tbl_caseloads_experience": caseloads_experience_table(caseloads),
        "tbl_starters_leavers": starters_leavers_table(starters, leavers),
        **continuity_tables,
    }
    return [caseloads, agency, starters, leavers, vacancies, turnover, *continuity_results], tables
