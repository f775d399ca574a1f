"""Sheets of system-export figures: one sheet per KPI section (Identification of harm, Assessment, Child
protection, Plans and children in care, Care leavers), Workforce and Fostering, each with its scorecard
(its rows of tbl_kpis), a sparkline per row with a monthly series and its charts (a measure's monthly line,
then, when a council is chosen, its published years against the council's statistical neighbours, region and
England); and the data sheets KPIs (tbl_kpis, and tbl_benchmarks when a council is chosen) and KPI monthly
(tbl_kpi_monthly, and the chart data the charts plot)."""
from __future__ import annotations

from ..comparators import PUBLISHED_SERIES
from .build import Build, contract_table, grouped_rows, key_runs, start_section_sheet
from .charts import (caseload_alt, caseload_chart, good_or_better_alt, grade_chart, kpi_alt, kpi_line_chart,
                     placement_alt, placement_chart, published_alt, published_chart, starters_leavers_alt,
                     starters_leavers_chart)
from .layout import SheetLayout, Sparkline, TableLoc, default_format
from .text import is_blank

CHART_DATA = "tbl_kpi_chart_data"
# Text columns of a scorecard wrap at these widths, so the scorecard and its sparklines stay within the
# 200 character widths a section sheet may take.
SCORECARD_WRAP = {"KPI id": 28, "KPI": 30, "Window": 10, "Note": 32}


def _kpi_metadata(build: Build) -> dict[str, dict]:
    """KPI id -> its label, unit, section, target and England value, from tbl_kpis."""
    headers, rows = build.kpi_rows()
    out: dict[str, dict] = {}
    for r in rows or []:
        row = dict(zip(headers, r))

        def text(header: str, default: str) -> str:
            value = row.get(header)
            return default if is_blank(value) or not str(value).strip() else str(value)

        kpi_id = text("KPI id", "")
        out[kpi_id] = {"label": text("KPI", kpi_id), "unit": text("Unit", "count"), "section": text("Section", ""),
                       "target": row.get("Target"), "england": row.get("England")}
    return out


# ------------------------------------------------------------------------------------------- data sheets
BENCHMARKS_HEADING = "Published comparators: the council's latest published figures against its statistical neighbours, region and England"


def _benchmark_format(table: str, header: str, value: object, unit: str | None) -> str | None:
    """The council's published value is shown as the comparators are (one decimal, 0.0%)."""
    return default_format(table, "England" if header == "Council" else header, value, unit)


def _write_benchmarks(build: Build, layout, meta: dict[str, dict]) -> None:
    """tbl_benchmarks, only when the user has chosen their council (core.comparators.benchmarks_table)."""
    rows = build.rows("tbl_benchmarks")
    if not rows:
        return
    headers = build.headers("tbl_benchmarks")
    units = [meta.get(str(r[0]), {}).get("unit", "number") for r in rows]
    build.record(layout.table("tbl_benchmarks", BENCHMARKS_HEADING, headers, rows, units=units,
                              format_rule=_benchmark_format))


def write_kpis(build: Build) -> None:
    """The KPIs data sheet: tbl_kpis, every measure (with its Section and Better or worse)."""
    headers, rows = build.kpi_rows()
    # tbl_kpis always lists every measure; when none has a value (no system export supplied), A2 says
    # which inputs would fill the sheet, as for an absent table.
    layout = build.start_sheet(build.spec.sheet("KPIs"), has_data=_has_values(headers, rows))
    spec = build.spec.table("tbl_kpis")
    build.record(layout.table("tbl_kpis", spec.heading, headers, rows, units=build.kpi_units(headers, rows)))
    _write_benchmarks(build, layout, _kpi_metadata(build))
    layout.finish(build.context.classification)


def _has_values(headers: list[str], rows: list[list] | None) -> bool:
    return bool(rows) and "Value" in headers and any(not is_blank(r[headers.index("Value")]) for r in rows)


def write_kpi_monthly(build: Build) -> None:
    """The KPI monthly data sheet: tbl_kpi_monthly (every monthly series, the text alternative of every
    sparkline and chart), then the chart data: each covered month's value beside the measure's target and
    England value (Excel charts plot cells, not constants). Written before the sheets that point at it."""
    meta = _kpi_metadata(build)
    headers = build.headers("tbl_kpi_monthly")
    rows = grouped_rows(build.rows("tbl_kpi_monthly"), 0)
    layout = build.start_sheet(build.spec.sheet("KPI monthly"), has_data=_has_values(headers, rows))
    units = [meta.get(str(r[0]), {}).get("unit", "count") for r in rows] if rows else None
    monthly = build.record(layout.table("tbl_kpi_monthly", build.spec.table("tbl_kpi_monthly").heading, headers,
                                        rows, units=units))
    chart_rows, chart_units = [], []
    if monthly.has_data:
        for kpi_id, first, last in key_runs(monthly, "KPI id"):
            covered = [i for i in range(first, last + 1) if not is_blank(monthly.value(i, "Value"))]
            if not covered:
                continue  # no month covered: no sparkline, no chart (an empty one would say nothing)
            build.monthly_series[kpi_id] = Sparkline(
                monthly.range_text("Value", covered[0], covered[-1]),
                [monthly.value(i, "Value") for i in range(covered[0], covered[-1] + 1)])
            m = meta.get(kpi_id, {})
            for i in range(first, last + 1):
                chart_rows.append([kpi_id, monthly.value(i, "Month"), monthly.value(i, "Value"), m.get("target"),
                                   m.get("england")])
                chart_units.append(m.get("unit", "count"))
    if chart_rows:
        build.record(layout.table(CHART_DATA, "Chart data: each monthly value with the target and England value",
                                  ["KPI id", "Month", "Value", "Target", "England"], chart_rows, units=chart_units))
    _write_published_series(build, layout, meta)
    layout.finish(build.context.classification)


PUBLISHED_SERIES_HEADING = ("Chart data: each paired measure's published years for the council, its statistical "
                            "neighbours' mean, its region and England")


def _write_published_series(build: Build, layout, meta: dict[str, dict]) -> None:
    """The published-series charts' data (core.comparators.series_table), only when a council is chosen:
    on this data sheet, never between a reader and the story."""
    rows = build.rows(PUBLISHED_SERIES)
    if not rows:
        return
    units = [meta.get(str(r[0]), {}).get("unit", "number") for r in rows]
    build.record(layout.table(PUBLISHED_SERIES, PUBLISHED_SERIES_HEADING, build.headers(PUBLISHED_SERIES), rows,
                              units=units, format_rule=_benchmark_format))


# ------------------------------------------------------------------------------------------- scorecards
def scorecard_rows(build: Build, section: str, table: str) -> tuple[list[str], list[list], list[str]]:
    """(headers, rows, units) of a section's scorecard: its rows of tbl_kpis, in order, same values."""
    headers, rows = build.kpi_rows()
    columns = build.spec.table(table).headers(build.figures.period)
    units_all = build.kpi_units(headers, rows) or []
    out, units = [], []
    if rows and "Section" in headers:
        at = headers.index("Section")
        for k, r in enumerate(rows):
            if r[at] == section:
                out.append([r[headers.index(h)] if h in headers else None for h in columns])
                units.append(units_all[k] if units_all else "count")
    return columns, out, units


def _scorecard(build: Build, layout: SheetLayout, table: str, headers: list[str], rows: list[list],
               units: list[str]) -> TableLoc:
    spec = build.spec.table(table)
    loc = build.record(layout.table(table, spec.heading, headers, rows or None, units=units or None,
                                    wrap=SCORECARD_WRAP))
    if loc.has_data:
        layout.sparklines(loc, [build.monthly_series.get(str(loc.value(i, "KPI id"))) for i in range(len(loc.rows))])
    return loc


def _measure_charts(build: Build, layout: SheetLayout, kpi_ids: list[str]) -> None:
    """Each measure's charts, in the order of its rows: a line chart when it has a covered month, with its
    target and England value as lines; then, when a council is chosen and the measure has a published
    counterpart, its published years against statistical neighbours, region and England."""
    chart_data = build.locations.get(CHART_DATA)
    series = build.locations.get(PUBLISHED_SERIES)
    if chart_data is None and series is None:
        return
    meta = _kpi_metadata(build)
    groups = {kpi_id: (first, last) for kpi_id, first, last in key_runs(chart_data, "KPI id")} if chart_data else {}
    published = {kpi_id: (first, last) for kpi_id, first, last in key_runs(series, "KPI id")} if series else {}
    for kpi_id in kpi_ids:
        m = meta.get(kpi_id, {"label": kpi_id, "unit": "count", "target": None, "england": None})
        if kpi_id in groups:
            first, last = groups[kpi_id]
            chart = kpi_line_chart(build.wb, build.spec, chart_data, first, last, m["label"], m["unit"],
                                   has_target=not is_blank(m.get("target")),
                                   has_england=not is_blank(m.get("england")))
            layout.chart(chart, kpi_alt(m["label"], chart_data, first, last, m["unit"]))
        if kpi_id in published:
            _published_chart(build, layout, series, kpi_id, *published[kpi_id], m)


def _published_chart(build: Build, layout: SheetLayout, series: TableLoc, kpi_id: str, first: int, last: int,
                     m: dict) -> None:
    """The measure's published years (rows first..last of tbl_published_series) as a chart for the grid, named
    by the chosen council's short name and its region as the published figures give it."""
    found = build.figures.published
    comparison = found.for_kpi(kpi_id) if found is not None else None
    if comparison is None:
        return
    council = found.short_name
    chart = published_chart(build.wb, build.spec, series, first, last, m["label"], m["unit"], council,
                            comparison.region_name)
    if chart is not None:
        layout.chart(chart, published_alt(m["label"], comparison.title, series, first, last, m["unit"], council,
                                          comparison.region_name))


def write_scorecard_sheet(build: Build, sheet_name: str) -> None:
    """A KPI section's sheet: key messages and commentary, the scorecard with its sparklines, the line charts."""
    sheet = build.spec.sheet(sheet_name)
    headers, rows, units = scorecard_rows(build, sheet.section, sheet.scorecard)
    layout = start_section_sheet(build, sheet_name, has_data=_has_values(headers, rows))
    loc = _scorecard(build, layout, sheet.scorecard, headers, rows, units)
    _measure_charts(build, layout, [str(loc.value(i, "KPI id")) for i in range(len(loc.rows))] if loc.has_data else [])
    layout.finish(build.context.classification)


def _scorecard_with_tables(build: Build, sheet_name: str) -> tuple[SheetLayout, TableLoc]:
    """Workforce and Fostering: the narrative, then the scorecard (the sheet has data when either the
    scorecard has a value or any of its other tables is present)."""
    sheet = build.spec.sheet(sheet_name)
    headers, rows, units = scorecard_rows(build, sheet.section, sheet.scorecard)
    others = [t.name for t in sheet.tables if t.name != sheet.scorecard]
    has_data = _has_values(headers, rows) or any(build.frame(t) is not None for t in others)
    layout = start_section_sheet(build, sheet_name, has_data=has_data)
    return layout, _scorecard(build, layout, sheet.scorecard, headers, rows, units)


def _table_with_chart(build: Build, layout: SheetLayout, name: str, make_chart, make_alt, **options) -> None:
    """A contract table, and its chart below the tables (no chart when the table holds no data)."""
    table = contract_table(build, layout, name, **options)
    if table.has_data:
        layout.chart(make_chart(build.wb, build.spec, table), make_alt(table))


def write_workforce(build: Build) -> None:
    layout, card = _scorecard_with_tables(build, "Workforce")
    _measure_charts(build, layout, [str(card.value(i, "KPI id")) for i in range(len(card.rows))] if card.has_data else [])
    _table_with_chart(build, layout, "tbl_caseloads", caseload_chart, caseload_alt)
    contract_table(build, layout, "tbl_caseloads_experience")
    _table_with_chart(build, layout, "tbl_starters_leavers", starters_leavers_chart, starters_leavers_alt)
    contract_table(build, layout, "tbl_continuity")
    layout.finish(build.context.classification)


def write_fostering(build: Build) -> None:
    layout, card = _scorecard_with_tables(build, "Fostering")
    _measure_charts(build, layout, [str(card.value(i, "KPI id")) for i in range(len(card.rows))] if card.has_data else [])
    _table_with_chart(build, layout, "tbl_placement_types", placement_chart, placement_alt,
                      wrap={"Placement type": 24})
    audits = contract_table(build, layout, "tbl_foster_audits", grouped_rows(build.rows("tbl_foster_audits"), 0),
                            wrap={"Domain": 24})
    if audits.has_data:
        groups = key_runs(audits, "Domain")
        overall = [g for g in groups if g[0].strip().lower().startswith("overall")] or groups[-1:]
        domain, first, last = overall[0]
        title = "Foster carer audits: overall judgements by quarter (share of audits)"
        layout.chart(grade_chart(build.wb, build.spec, audits, "Quarter", first, last, title, "Financial quarter"),
                     good_or_better_alt("Foster carer audit overall judgements by quarter", audits, first, last,
                                        "Quarter"))
    layout.finish(build.context.classification)
