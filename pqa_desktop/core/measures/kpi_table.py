"""tbl_kpis and tbl_kpi_monthly from the measures' KpiResults, with targets, status and benchmarks;
and the KPI headlines of the Summary.

tbl_kpis has one row per measure id of resources/measures.toml, in that order (workforce and fostering
included): a measure with no result has a blank Value and a Note. Percentages are fractions; Change
of a percentage is in points (0.69 - 0.66 -> 3.0).

Benchmarks: a DataFrame with columns kpi_id, comparator, value, period, source (the export reader's
``benchmarks`` table, or the shipped resources/benchmarks.csv with headers KPI id, Comparator, Value,
Period, Source). A percentage may be written as a fraction (0.845) or as shown (84.5); values above 1
of a percentage measure are read as the latter. Comparators: England, Statistical neighbours, Region.
A user's benchmarks replace the shipped ones for the same KPI id and comparator; later rows win.

Published comparators (``core.comparators.CouncilComparators``, when the user has chosen their council) sit
between the two: the DfE's figures for the council's statistical neighbours, region and England replace the
shipped England value of a paired measure, and the user's own benchmarks file still wins over them.
"""
from __future__ import annotations

import math
from datetime import date

import pandas as pd

from ..calendar import Period
from .figures import Headline, better_or_worse
from ..resources import resource
from ..settings import Settings
from ..values import label_key
from .kpi_catalogue import MeasureSpec, in_our_units, measure_specs, measure_units  # published 0-100 -> fraction
from .kpi_result import KpiResult, MonthlyPoint
from .kpis import MONTHLY_KPIS

KPI_COLUMNS = ["KPI id", "KPI", "Section", "Window", "Value", "Previous", "Change", "Better or worse", "Numerator",
               "Denominator", "Unit", "Target", "England", "Statistical neighbours", "Region", "Benchmark source",
               "Status", "Note"]
MONTHLY_COLUMNS = ["KPI id", "Month", "Value", "Numerator", "Denominator"]
BENCHMARK_COLUMNS = ["kpi_id", "comparator", "value", "period", "source"]
COMPARATORS = {"england": "England", "statistical neighbours": "Statistical neighbours",
               "statistical neighbour": "Statistical neighbours", "region": "Region"}

MEETS, BELOW, NO_TARGET, NO_DATA = "Meets target", "Below target", "No target", "No data"
NOT_COMPUTED = "No value: none of the inputs supplied feeds this measure."

# The Summary's KPI headlines, in section order (measures.md "Sections and polarity"): one or two per KPI
# section, then workforce and fostering, so the one-page Summary shows every part of the report.
HEADLINE_KPIS = ("referrals", "assessments_45wd_pct", "s47_rate_per_10k", "icpc_15wd_pct", "cp_open", "cic_count",
                 "cic_long_term_stability_pct", "care_leavers_eet_19_21_pct", "caseload_avg", "agency_rate_pct",
                 "cic_foster_pct", "foster_households")
_WINDOW_WORDS = {"last month": "last month", "3m": "last 3 months", "YTD": "year to date",
                 "trend window": "last 12 months", "6 months": "last 6 months", "12 months": "last 12 months"}


# ---------------------------------------------------------------------------------------------------
# Benchmarks

def shipped_benchmarks() -> pd.DataFrame:
    """resources/benchmarks.csv: England values from DfE publications, each with its release and year."""
    return normalise_benchmarks(pd.read_csv(resource("benchmarks.csv"), dtype=str, encoding="utf-8-sig"))


def normalise_benchmarks(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Canonical columns (kpi_id, comparator, value, period, source), comparator spelt as the table's
    column, value a float; rows without a KPI id, a known comparator or a number are dropped."""
    if frame is None or frame.empty:
        return pd.DataFrame(columns=BENCHMARK_COLUMNS)
    by_key = {label_key(c).replace(" ", "_"): c for c in frame.columns}
    aliases = {"kpi_id": ("kpi_id", "measure_id"), "comparator": ("comparator",), "value": ("value",),
               "period": ("period",), "source": ("source",)}
    out = pd.DataFrame(index=frame.index)
    for column, names in aliases.items():
        found = next((by_key[n] for n in names if n in by_key), None)
        out[column] = frame[found] if found is not None else None
    out["kpi_id"] = out["kpi_id"].map(lambda v: None if pd.isna(v) else str(v).strip())
    out["comparator"] = out["comparator"].map(lambda v: COMPARATORS.get(label_key(v)) if isinstance(v, str) else None)
    out["value"] = pd.to_numeric(out["value"].map(_number_text), errors="coerce")
    out = out.dropna(subset=["kpi_id", "comparator", "value"])
    return out.reset_index(drop=True)


def _number_text(v: object) -> object:
    return str(v).strip().rstrip("%").strip() if isinstance(v, str) else v


def _benchmark_lookup(benchmarks: pd.DataFrame | None, published=None
                      ) -> dict[tuple[str, str], tuple[float, str, str]]:
    """(kpi id, comparator) -> (value in the table's units, period, source): the shipped England values,
    then the published comparators of the chosen council, then the given frame (the user's) over them."""
    specs = {s.id: s for s in measure_specs()}
    out: dict[tuple[str, str], tuple[float, str, str]] = {}

    def add(frame: pd.DataFrame) -> None:
        for row in frame.itertuples(index=False):
            spec = specs.get(row.kpi_id)
            value = float(row.value) if spec is None else _as_fraction(spec, float(row.value))
            out[(row.kpi_id, row.comparator)] = (value, _text(row.period), _text(row.source))

    add(shipped_benchmarks())
    if published is not None:
        units = measure_units()
        for found in published.comparisons:
            for name, value in (("England", found.england), ("Statistical neighbours", found.neighbours),
                                ("Region", found.region)):
                if value is not None:
                    out[(found.kpi_id, name)] = (in_our_units(found.kpi_id, value, units), "", found.source)
    add(normalise_benchmarks(benchmarks))
    return out


def _text(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()


def _as_fraction(spec: MeasureSpec, value: float | None) -> float | None:
    """A percentage written as shown (84.5) becomes a fraction (0.845)."""
    if value is None:
        return None
    return value / 100 if spec.is_percent and value > 1 else value


# ---------------------------------------------------------------------------------------------------
# Table

def _number(value: float | None, unit: str | None = None) -> float | int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if unit == "count" or (unit is None and float(value).is_integer()):
        return int(round(value))
    return float(value)


def change(spec: MeasureSpec, value: float | None, previous: float | None) -> float | None:
    """Value - Previous; a percentage's change in points (0.69 - 0.66 -> 3.0)."""
    if value is None or previous is None:
        return None
    diff = value - previous
    if spec.is_percent:
        return round(diff * 100, 10)
    return int(round(diff)) if spec.unit == "count" else diff


def status(value: float | None, target: float | None, higher_is_better: bool) -> str:
    if value is None:
        return NO_DATA
    if target is None:
        return NO_TARGET
    meets = value >= target if higher_is_better else value <= target
    return MEETS if meets else BELOW


def polarity(spec: MeasureSpec, settings: Settings) -> str:
    """The measure's polarity as used: the one chosen in the settings' targets, else its own (measures.toml)."""
    chosen = settings.targets.get(spec.id)
    if chosen is not None and chosen.higher_is_better is not None:
        return "higher" if chosen.higher_is_better else "lower"
    return spec.polarity


def _target(spec: MeasureSpec, settings: Settings) -> tuple[float | None, bool]:
    """(target, higher is better): Settings.targets, else no target and the measure's own polarity."""
    chosen = settings.targets.get(spec.id)
    if chosen is not None and chosen.target is not None:
        higher = chosen.higher_is_better if chosen.higher_is_better is not None else spec.polarity != "lower"
        return _as_fraction(spec, chosen.target), higher
    return None, spec.polarity != "lower"


def _kpi_row(spec: MeasureSpec, result: KpiResult, settings: Settings,
             benchmarks: dict[tuple[str, str], tuple[float, str, str]], note_ref: str | None = None) -> list:
    value, previous = _number(result.value, spec.unit), _number(result.previous, spec.unit)
    numerator, denominator = _number(result.numerator), _number(result.denominator)
    if spec.is_percent and not denominator:  # nothing to count: both blank (measures.md)
        numerator = denominator = None
    target, higher_is_better = _target(spec, settings)
    comparators = {name: benchmarks.get((spec.id, name)) for name in ("England", "Statistical neighbours", "Region")}
    sources: dict[str, list[str]] = {}  # comparators sharing a source are named together
    for name, b in comparators.items():
        if b is not None:
            sources.setdefault(f"{b[2]} ({b[1]})" if b[1] else b[2], []).append(name)
    source = "; ".join(f"{', '.join(names)}: {text}" for text, names in sources.items())
    # The definition is either written out or, in the workbook, referenced as a "[note N]" on the cover.
    note = " ".join(t for t in (note_ref or spec.definition, *result.notes) if t)
    difference = change(spec, value, previous)
    return [spec.id, spec.label, spec.section, spec.window_text, value, previous, difference,
            better_or_worse(polarity(spec, settings), difference), numerator, denominator, spec.unit, target,
            *(None if b is None else b[0] for b in comparators.values()),
            source, status(value, target, higher_is_better), note]


def _monthly_rows(spec: MeasureSpec, result: KpiResult, period: Period) -> list[list]:
    by_month: dict[date, MonthlyPoint] = {p.month: p for p in result.monthly}
    rows = []
    for month in period.trend_months:
        point = by_month.get(month, MonthlyPoint(month, None))
        value = _number(point.value, spec.unit)
        numerator, denominator = _number(point.numerator), _number(point.denominator)
        if value is None:
            numerator = denominator = None
        rows.append([spec.id, month, value, numerator, denominator])
    return rows


def kpi_tables(results: list[KpiResult], period: Period, settings: Settings,
               benchmarks: pd.DataFrame | None = None, note_refs: dict[str, str] | None = None,
               published=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tbl_kpis, tbl_kpi_monthly): a row per measure id of measures.toml; a row per trend month for
    every measure with a monthly series (blank Value where the month is not covered). ``published``: the
    chosen council's published comparators (``core.comparators.CouncilComparators``) or None."""
    by_id = {r.kpi_id: r for r in results}
    lookup = _benchmark_lookup(benchmarks, published)
    kpi_rows, monthly_rows = [], []
    for spec in measure_specs():
        result = by_id.get(spec.id) or KpiResult(spec.id, notes=[NOT_COMPUTED])
        kpi_rows.append(_kpi_row(spec, result, settings, lookup, (note_refs or {}).get(spec.id)))
        if spec.id in MONTHLY_KPIS or result.monthly:
            monthly_rows.extend(_monthly_rows(spec, result, period))
    # object dtype keeps counts as ints and blanks as None (a float column would turn 2 into 2.0).
    return (pd.DataFrame(kpi_rows, columns=KPI_COLUMNS, dtype=object),
            pd.DataFrame(monthly_rows, columns=MONTHLY_COLUMNS, dtype=object))


# ---------------------------------------------------------------------------------------------------
# Summary headlines

def kpi_headlines(results: list[KpiResult], period: Period, settings: Settings,
                  benchmarks: pd.DataFrame | None = None, published=None,
                  table: pd.DataFrame | None = None) -> list[Headline]:
    """The Summary's KPI rows (HEADLINE_KPIS), as tbl_kpis shows them (``table``: tbl_kpis when already made,
    else made here with ``published``, the chosen council's published comparators)."""
    if table is None:
        table, _ = kpi_tables(results, period, settings, benchmarks, published=published)
    specs = {s.id: s for s in measure_specs()}
    out = []
    for kpi_id in HEADLINE_KPIS:
        row = table[table["KPI id"] == kpi_id].iloc[0]
        spec = specs[kpi_id]
        out.append(Headline(
            measure=headline_label(spec),
            value=row["Value"], previous=row["Previous"],
            unit="number" if spec.unit == "rate" else spec.unit,
            target=row["Target"], england=row["England"], status=row["Status"], section=spec.section,
            polarity=polarity(spec, settings), statistical_neighbours=row["Statistical neighbours"],
            kpi_id=kpi_id))
    return out


def headline_label(spec: MeasureSpec) -> str:
    """The label with its window in brackets ("… (last 3 months)"); a snapshot measure's label alone."""
    words = _WINDOW_WORDS.get(spec.window)
    if not words:
        return spec.label
    if spec.label.endswith(")"):  # "… (annualised)" -> "… (annualised, last 12 months)"
        return f"{spec.label[:-1]}, {words})"
    return f"{spec.label} ({words})"
