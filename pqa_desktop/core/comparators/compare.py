"""One council against the published figures, worked out as LAIT works them out (its R code:
``R/fn_analysis.R``, ``R/lait_modules/mod_la_lvl_table.R``, ``global.R``):

- the **latest year** is the measure's latest published year, for every column of a row (a council whose
  value that year is suppressed gets a blank value, not an older year's);
- **statistical neighbours**: the mean of the values of those of the council's ten neighbours that have
  one that year (blank when none has);
- **region**: the council's region in the statistical-neighbour file; for Inner or Outer London, London as
  a whole when the Inner/Outer figure is blank in the measure's latest year;
- **rank** among every local authority with a value in the latest year, 1 the best by the dictionary's
  polarity (High: the highest value first), ties sharing the lowest rank (R's ``ties.method = "min"``);
  blank when the polarity is neither High nor Low or the council has no value;
- **quartile band** A-D against the quartiles of those same values (R's ``quantile``, type 7: linear
  between order statistics), A always the best quarter: for High, A is above the upper quartile and D at
  or below the lower one; for Low, A is at or below the lower quartile. A value on a boundary falls in the
  band below it (LAIT's ``<=``). Blank where the dictionary's ``No_Quartile`` is N, or without polarity.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .dataset import ENGLAND, HIGH, LONDON, LOW, PublishedData, PublishedMeasure, year_label
from .pairings import Pairing, pairing_spec

SOURCE_NOTE = "Contains public sector information licensed under the Open Government Licence v3.0."


@dataclass(frozen=True)
class Comparison:
    """One paired measure for one council, in the published units (a percentage as 0-100)."""

    kpi_id: str
    code: str
    title: str
    year: str  # as published ("2025")
    year_label: str  # as a reader says it ("2024-25")
    council: float | None
    neighbours: float | None
    region: float | None
    england: float | None
    rank: int | None
    ranked: int  # local authorities with a value that year (the rank is out of these)
    quartile: str | None  # "A"…"D"
    polarity: str  # HIGH, LOW or ""
    region_name: str
    neighbours_with_value: int
    publication: str
    differs: str

    @property
    def source(self) -> str:
        """"DfE, Characteristics of children in need 2024-25 (LAIT CP_conf_15days)"."""
        return f"{self.publication} {self.year_label} (LAIT {self.code})"


@dataclass(frozen=True)
class SeriesPoint:
    year: str
    year_label: str
    council: float | None
    neighbours: float | None
    region: float | None
    england: float | None


def mean(values: list[float | None]) -> float | None:
    """The mean of the values given (blanks left out), None when there are none — as LAIT's SN average."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def quantile(sorted_values: list[float], p: float) -> float:
    """R's default quantile (type 7) of values sorted ascending."""
    n = len(sorted_values)
    h = (n - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def quartile_band(value: float | None, values: list[float], polarity: str, no_quartile: bool) -> str | None:
    """A (best quarter) to D, or None: LAIT's calculate_quartile_band with the quartiles of ``values``."""
    if value is None or no_quartile or polarity not in (HIGH, LOW) or not values:
        return None
    ordered = sorted(values)
    q25, q50, q75 = (quantile(ordered, p) for p in (0.25, 0.5, 0.75))
    if value <= q25:
        low_band = 0
    elif value <= q50:
        low_band = 1
    elif value <= q75:
        low_band = 2
    else:
        low_band = 3
    bands = "ABCD" if polarity == LOW else "DCBA"
    return bands[low_band]


def rank(value: float | None, values: list[float], polarity: str) -> int | None:
    """1 + the number of values strictly better (ties share the lowest rank); None without a polarity."""
    if value is None or polarity not in (HIGH, LOW):
        return None
    better = sum(1 for v in values if (v > value if polarity == HIGH else v < value))
    return better + 1


def region_for(data: PublishedData, measure: PublishedMeasure, council: int) -> int | None:
    """The council's region; London as a whole when its Inner/Outer London figure is blank in the latest year."""
    region = data.areas[council].region
    if region is None:
        return None
    name = data.areas[region].name.lower() if region in data.areas else ""
    if name.startswith("london") and measure.value(region) is None and LONDON in data.areas:
        return LONDON
    return region


def _la_values(data: PublishedData, measure: PublishedMeasure, year_index: int = -1) -> list[float]:
    las = {a.number for a in data.las()}
    return [row[year_index] for number, row in measure.values.items()
            if number in las and row[year_index] is not None]


def _point(data: PublishedData, measure: PublishedMeasure, council: int, region: int | None,
           year_index: int) -> tuple[float | None, float | None, float | None, float | None]:
    neighbours = data.areas[council].neighbours
    return (measure.value(council, year_index),
            mean([measure.value(n, year_index) for n in neighbours]),
            None if region is None else measure.value(region, year_index),
            measure.value(ENGLAND, year_index))


def compare(data: PublishedData, council: int, pairing: Pairing) -> Comparison | None:
    """The paired measure's latest published figures for ``council``; None when the data lacks the measure."""
    measure = data.measures.get(pairing.code)
    if measure is None or not measure.years or council not in data.areas:
        return None
    region = region_for(data, measure, council)
    value, neighbours, region_value, england = _point(data, measure, council, region, -1)
    values = _la_values(data, measure)
    return Comparison(
        kpi_id=pairing.kpi_id, code=measure.code, title=measure.title, year=measure.latest,
        year_label=year_label(measure.latest, measure.year_type), council=value, neighbours=neighbours,
        region=region_value, england=england, rank=rank(value, values, measure.polarity), ranked=len(values),
        quartile=quartile_band(value, values, measure.polarity, measure.no_quartile), polarity=measure.polarity,
        region_name=data.areas[region].name if region in data.areas else "",
        neighbours_with_value=sum(1 for n in data.areas[council].neighbours if measure.value(n) is not None),
        publication=pairing.publication, differs=pairing.differs)


def comparisons(data: PublishedData, council: int) -> list[Comparison]:
    """Every paired measure the data holds, in pairing order."""
    out = []
    for pairing in pairing_spec().pairings:
        found = compare(data, council, pairing)
        if found is not None:
            out.append(found)
    return out


def series(data: PublishedData, council: int, kpi_id: str) -> list[SeriesPoint]:
    """The paired measure's published years (five at most, oldest first): the council, its statistical
    neighbours' mean, its region and England — what a chart of the published series plots."""
    pairing = pairing_spec().for_kpi(kpi_id)
    measure = data.measures.get(pairing.code) if pairing else None
    if measure is None or council not in data.areas:
        return []
    region = region_for(data, measure, council)
    out = []
    for i, year in enumerate(measure.years):
        value, neighbours, region_value, england = _point(data, measure, council, region, i)
        out.append(SeriesPoint(year, year_label(year, measure.year_type), value, neighbours, region_value, england))
    return out
