"""Sheets of system-export figures: KPIs (five report sections), Workforce and Fostering."""
from __future__ import annotations

from ..measures.kpi_catalogue import measure_spec
from .audit_sheets import _contract_table, _groups, _grouped_rows, _section
from .build import Build
from .charts import (caseload_alt, caseload_chart, good_or_better_alt, grade_chart, kpi_alt, kpi_line_chart,
                     placement_alt, placement_chart, starters_leavers_alt, starters_leavers_chart)
from .layout import TableLoc, default_format
from .text import is_blank


def _kpi_metadata(loc: TableLoc) -> dict[str, dict]:
    """KPI id -> its label, unit, target and England value, from tbl_kpis."""
    out: dict[str, dict] = {}
    if not loc.has_data:
        return out

    def text(i: int, header: str, default: str) -> str:
        value = loc.value(i, header) if header in loc.columns else None
        return default if is_blank(value) or not str(value).strip() else str(value)

    for i in range(len(loc.rows)):
        kpi_id = text(i, "KPI id", "")
        out[kpi_id] = {
            "label": text(i, "KPI", kpi_id),
            "unit": text(i, "Unit", "count"),
            "target": loc.value(i, "Target") if "Target" in loc.columns else None,
            "england": loc.value(i, "England") if "England" in loc.columns else None,
        }
    return out


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
    layout.table("tbl_benchmarks", BENCHMARKS_HEADING, headers, rows, units=units, format_rule=_benchmark_format)


def chart_section(build: Build, kpi_id: str) -> str:
    """The report section a KPI's monthly chart belongs to: its section in resources/measures.toml (the
    section its key messages are drafted under), else the workbook's prefix rules for an unknown id."""
    try:
        return measure_spec(kpi_id).section
    except KeyError:
        return build.spec.kpi_section(kpi_id)


def write_kpis(build: Build) -> None:
    sheet = build.spec.sheet("KPIs")
    kpi_rows = build.rows("tbl_kpis")
    kpi_headers = build.headers("tbl_kpis")
    # tbl_kpis always lists every measure; when none has a value (no system export supplied), A2 says
    # which inputs would fill the sheet, as for an absent table.
    has_values = bool(kpi_rows) and "Value" in kpi_headers and any(
        not is_blank(r[kpi_headers.index("Value")]) for r in kpi_rows)
    layout = build.start_sheet(sheet, has_data=has_values)
    spec = build.spec.table("tbl_kpis")
    units = None
    if kpi_rows and "Unit" in kpi_headers:
        unit_at = kpi_headers.index("Unit")
        units = ["count" if is_blank(r[unit_at]) or not str(r[unit_at]).strip() else str(r[unit_at])
                 for r in kpi_rows]
    kpis = layout.table("tbl_kpis", spec.heading, kpi_headers, kpi_rows, units=units)
    meta = _kpi_metadata(kpis)
    _write_benchmarks(build, layout, meta)

    monthly_spec = build.spec.table("tbl_kpi_monthly")
    monthly_headers = build.headers("tbl_kpi_monthly")
    monthly_rows = _grouped_rows(build.rows("tbl_kpi_monthly"), 0)
    monthly_units = None
    if monthly_rows:
        monthly_units = [meta.get(str(r[0]), {}).get("unit", "count") for r in monthly_rows]
    monthly = layout.table("tbl_kpi_monthly", monthly_spec.heading, monthly_headers, monthly_rows,
                           units=monthly_units)

    # Charts need the target and England value beside each month, so they are drawn from a chart-data
    # table repeating them (Excel charts plot cells, not constants).
    groups: list[tuple[str, int, int]] = []
    chart_data: TableLoc | None = None
    if monthly.has_data:
        rows, chart_units = [], []
        for kpi_id, first, last in _groups(monthly, "KPI id"):
            if all(is_blank(monthly.value(i, "Value")) for i in range(first, last + 1)):
                continue  # no month covered: the table says so; an empty chart would say nothing
            m = meta.get(kpi_id, {})
            start = len(rows)
            for i in range(first, last + 1):
                rows.append([kpi_id, monthly.value(i, "Month"), monthly.value(i, "Value"),
                             m.get("target"), m.get("england")])
                chart_units.append(m.get("unit", "count"))
            groups.append((kpi_id, start, len(rows) - 1))
    if groups:
        chart_data = layout.table("tbl_kpi_chart_data",
                                  "Chart data: each monthly value with the target and England value",
                                  ["KPI id", "Month", "Value", "Target", "England"], rows, units=chart_units)

    def draw(kpi_id: str, first: int, last: int) -> None:
        m = meta.get(kpi_id, {"label": kpi_id, "unit": "count", "target": None, "england": None})
        chart = kpi_line_chart(build.wb, build.spec, chart_data, first, last, m["label"], m["unit"],
                               has_target=not is_blank(m.get("target")),
                               has_england=not is_blank(m.get("england")))
        layout.chart(chart, kpi_alt(m["label"], chart_data, first, last, m["unit"]))

    sections = {kpi_id: chart_section(build, kpi_id) for kpi_id, _, _ in groups}
    for section in sheet.sections:
        layout.narrative(section, build.context, with_section_heading=True)
        for kpi_id, first, last in groups:
            if sections[kpi_id] == section:
                draw(kpi_id, first, last)
    # A monthly series of a Workforce or Fostering measure is charted here, beside the table it plots,
    # under its section's name (that section's messages and commentary are on its own sheet).
    others = [g for g in groups if sections[g[0]] not in sheet.sections]
    for section in dict.fromkeys(sections[kpi_id] for kpi_id, _, _ in others):
        layout.panel_text(section, bold=True, size=12)
        for kpi_id, first, last in others:
            if sections[kpi_id] == section:
                draw(kpi_id, first, last)
    layout.finish(build.context.classification)


def _table_with_chart(build: Build, layout, name: str, make_chart, make_alt) -> None:
    """A contract table with its chart beside it (no chart when the table holds no data)."""
    table = _contract_table(build, layout, name)
    if table.has_data:
        layout.chart(make_chart(build.wb, build.spec, table), make_alt(table), anchor_row=table.header_row - 1)


def write_workforce(build: Build) -> None:
    sheet = build.spec.sheet("Workforce")
    layout = build.start_sheet(sheet)
    _section(build, layout, sheet.name)
    _table_with_chart(build, layout, "tbl_caseloads", caseload_chart, caseload_alt)
    _contract_table(build, layout, "tbl_caseloads_experience")
    _table_with_chart(build, layout, "tbl_starters_leavers", starters_leavers_chart, starters_leavers_alt)
    _contract_table(build, layout, "tbl_continuity")
    layout.finish(build.context.classification)


def write_fostering(build: Build) -> None:
    sheet = build.spec.sheet("Fostering")
    layout = build.start_sheet(sheet)
    _section(build, layout, sheet.name)
    _table_with_chart(build, layout, "tbl_placement_types", placement_chart, placement_alt)
    audits = _contract_table(build, layout, "tbl_foster_audits", _grouped_rows(build.rows("tbl_foster_audits"), 0))
    if audits.has_data:
        groups = _groups(audits, "Domain")
        overall = [g for g in groups if g[0].strip().lower().startswith("overall")] or groups[-1:]
        domain, first, last = overall[0]
        title = "Foster carer audits: overall judgements by quarter (share of audits)"
        layout.chart(grade_chart(build.wb, build.spec, audits, "Quarter", first, last, title, "Financial quarter"),
                     good_or_better_alt("Foster carer audit overall judgements by quarter", audits, first, last,
                                        "Quarter"),
                     anchor_row=audits.header_row - 1)
    layout.finish(build.context.classification)
