"""The DfE's published comparators for the user's council: its latest published value of each measure we
pair with a published one, its statistical neighbours' mean, its region, England, its rank and quartile band,
and the five-year series behind them (data: resources/published_comparators.json, built from the DfE's
Local Authority Interactive Tool data by scripts/build_published_comparators.py; or a newer file or LAIT
download given in the settings or with ``--benchmarks-data``). Qt-free.

- ``load_published(path)``: the shipped file (path None), a comparators file, or a LAIT download folder;
- ``resolve_council(text, data)``: the council a name or code means (``UnknownCouncil`` lists near matches);
- ``council_comparators(settings)``: everything the workbook shows for the chosen council, or None;
- ``benchmarks_table(found)``: ``tbl_benchmarks``; ``series_table(found)``: the five-year series.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..measures.kpi_catalogue import in_our_units, measure_units
from ..resources import resource
from .compare import SOURCE_NOTE, Comparison, SeriesPoint, comparisons, series
from .councils import UnknownCouncil, resolve_council
from .dataset import Area, PublishedData, PublishedDataError, from_json, year_label
from .lait import is_lait_folder, read_lait_folder
from .pairings import pairing_spec

__all__ = ["Area", "Comparison", "CouncilComparators", "PublishedData", "PublishedDataError", "SeriesPoint",
           "UnknownCouncil", "BENCHMARK_COLUMNS", "NO_COUNCIL_TEXT", "PUBLISHED_SERIES", "SERIES_COLUMNS", "SHIPPED",
           "benchmarks_table", "council_comparators", "load_published", "resolve_council",
           "series_table", "year_label"]

SHIPPED = "published_comparators.json"
BENCHMARK_COLUMNS = ["KPI id", "Published measure", "Year", "Council", "Statistical neighbours", "Region",
                     "England", "Rank", "Quartile", "Source"]
SERIES_COLUMNS = ["KPI id", "Year", "Council", "Statistical neighbours", "Region", "England"]
PUBLISHED_SERIES = "tbl_published_series"  # series_table's name in the workbook (chart data, KPI monthly sheet)

_CACHE: dict[tuple, PublishedData] = {}


def load_published(path: str | Path | None = None) -> PublishedData:
    """The published figures: the shipped file when ``path`` is None or blank, else a comparators file made
    by scripts/build_published_comparators.py, or a LAIT download folder (or a file in one). Read once per
    file version."""
    target = resource(SHIPPED) if path is None or not str(path).strip() else Path(str(path).strip())
    if not target.exists():
        raise PublishedDataError(f"The published comparators file {target} does not exist. Choose another in the "
                                 "settings, or leave it blank to use the figures shipped with PQA Desktop.")
    if target.is_file() and target.suffix.lower() in (".csv", ".parquet") and is_lait_folder(target.parent):
        target = target.parent  # a file of a LAIT download: the whole folder is read
    stat = target.stat()
    key = (str(target.resolve()), stat.st_mtime_ns, stat.st_size)
    if key in _CACHE:
        return _CACHE[key]
    if target.is_dir():
        if not is_lait_folder(target):
            raise PublishedDataError(f"The folder {target.name} is not a LAIT data download (it has no "
                                     "lait_data_dictionary.csv).")
        data = read_lait_folder(target, pairing_spec().codes)
    else:
        try:
            text = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PublishedDataError(f"{target.name} cannot be read as a comparators file: {exc}") from exc
        data = from_json(text, "" if target == resource(SHIPPED) else str(target))
    _CACHE.clear()  # one version at a time
    _CACHE[key] = data
    return data


@dataclass(frozen=True)
class CouncilComparators:
    """What the workbook shows for the chosen council."""

    council: Area
    source: str  # what the data were built from
    shipped: bool  # the figures shipped with the app (not a file the user chose)
    comparisons: tuple[Comparison, ...]
    series: dict[str, tuple[SeriesPoint, ...]] = field(default_factory=dict)  # KPI id -> five years at most

    def for_kpi(self, kpi_id: str) -> Comparison | None:
        return next((c for c in self.comparisons if c.kpi_id == kpi_id), None)

    @property
    def short_name(self) -> str:
        """The council's name as a chart's title and labels say it: LAIT's "Bristol, City of" as "Bristol"
        ("Kingston Upon Hull, City of 82.7%" would read as a place called "City of")."""
        head, _, tail = self.council.name.rpartition(", ")
        return head if head and tail.strip().lower() in ("city of", "county of") else self.council.name

    @property
    def council_text(self) -> str:
        """"Leeds (LA 383, E08000035)"."""
        code = f", {self.council.codes[0]}" if self.council.codes else ""
        return f"{self.council.name} (LA {self.council.number}{code})"

    def years_text(self) -> str:
        """The latest years shown, by publication: "2024-25 (Characteristics of children in need; Children looked
        after …), Sep 2025 (Children's social work workforce)"."""
        by_year: dict[str, list[str]] = {}
        for c in self.comparisons:
            name = c.publication.removeprefix("DfE, ")
            by_year.setdefault(c.year_label, [])
            if name not in by_year[c.year_label]:
                by_year[c.year_label].append(name)
        return ", ".join(f"{year} ({'; '.join(names)})" for year, names in by_year.items())

    def cover_text(self) -> str:
        origin = "shipped with PQA Desktop" if self.shipped else "from the file chosen in the settings"
        return (f"{self.council_text}: the DfE's published figures for its statistical neighbours, region and "
                f"England (Local Authority Interactive Tool data, {origin}); latest years "
                f"{self.years_text()}. They fill the Statistical neighbours, Region and England columns of "
                f"tbl_kpis and the scorecards, the key messages' comparisons, tbl_benchmarks on the KPIs sheet "
                f"(with rank and quartile band) and a chart of each measure's published years on its section "
                f"sheet. {SOURCE_NOTE}")


NO_COUNCIL_TEXT = ("Not shown: choose your council (Settings, General, Your council; or --council NAME on the "
                   "command line) to compare each measure the DfE also publishes with its figures for your council, "
                   "statistical neighbours, region and England, in the tables, the key messages and a chart of "
                   "each measure's published years.")


def council_comparators(settings) -> CouncilComparators | None:
    """The chosen council's comparisons and series (None when no council is chosen). Raises
    PublishedDataError for an unusable data file and UnknownCouncil for a council it does not hold."""
    text = (getattr(settings, "council", None) or "").strip()
    if not text:
        return None
    path = getattr(settings, "benchmarks_data", None)
    data = load_published(path)
    council = resolve_council(text, data)
    found = tuple(comparisons(data, council.number))
    return CouncilComparators(
        council=council, source=data.source, shipped=not (path and str(path).strip()), comparisons=found,
        series={c.kpi_id: tuple(series(data, council.number, c.kpi_id)) for c in found})


def benchmarks_table(found: CouncilComparators) -> pd.DataFrame:
    """tbl_benchmarks: a row per paired measure (KPI id, Published measure, Year, Council, Statistical
    neighbours, Region, England, Rank, Quartile, Source), percentages as fractions, blanks as None."""
    units = measure_units()
    rows = []
    for c in found.comparisons:
        rows.append([c.kpi_id, c.title, c.year_label,
                     *(in_our_units(c.kpi_id, v, units) for v in (c.council, c.neighbours, c.region, c.england)),
                     c.rank, c.quartile, c.source])
    return pd.DataFrame(rows, columns=BENCHMARK_COLUMNS, dtype=object)


def series_table(found: CouncilComparators) -> pd.DataFrame:
    """Each paired measure's published years, oldest first (KPI id, Year, Council, Statistical neighbours,
    Region, England): the data of the published-series charts."""
    units = measure_units()
    rows = [[kpi_id, p.year_label, *(in_our_units(kpi_id, v, units)
                                     for v in (p.council, p.neighbours, p.region, p.england))]
            for kpi_id, points in found.series.items() for p in points]
    return pd.DataFrame(rows, columns=SERIES_COLUMNS, dtype=object)

