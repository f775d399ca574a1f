"""Sheets of system-export figures: KPIs (five report sections), Workforce and Fostering."""
from __future__ import annotations

from .audit_sheets import _contract_table, _groups, _grouped_rows, _section
from .build import Build
from .charts import (caseload_alt, caseload_chart, good_or_better_alt, grade_chart, kpi_alt, kpi_line_chart,
                     placement_alt, placement_chart, starters_leavers_alt, starters_leavers_chart)
from .layout import TableLoc
from .text import is_blank


def _kpi_metadata(loc: TableLoc) -> dict[str, dict]:
    """KPI id -> its label, unit, target and England value, from tbl_kpis."""
    out: dict[str, dict] = {}
    if not loc.has_data:
        return out
    for i in range(len(loc.rows)):
        out[str(loc.value(i, "KPI id"))] = {
            "label": str(loc.value(i, "KPI") or loc.value(i, "KPI id")),
            "unit": str(loc.value(i, "Unit") or "count"),
            "target": loc.value(i, "Target"),
            "england": loc.value(i, "England"),
        }
    return out


def write_kpis(build: Build) -> None:
    sheet = build.spec.sheet("KPIs")
    layout = build.start_sheet(sheet)
    spec = build.spec.table("tbl_kpis")
    kpi_rows = build.rows("tbl_kpis")
    kpi_headers = build.headers("tbl_kpis")
    units = None
    if kpi_rows and "Unit" in kpi_headers:
        units = [r[kpi_headers.index("Unit")] or "count" for r in kpi_rows]
    kpis = layout.table("tbl_kpis", spec.heading, kpi_headers, kpi_rows, units=units)
    meta = _kpi_metadata(kpis)

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
            m = meta.get(kpi_id, {})
            for i in range(first, last + 1):
                rows.append([kpi_id, monthly.value(i, "Month"), monthly.value(i, "Value"),
                             m.get("target"), m.get("england")])
                chart_units.append(m.get("unit", "count"))
            groups.append((kpi_id, first, last))
        chart_data = layout.table("tbl_kpi_chart_data",
                                  "Chart data: each monthly value with the target and England value",
                                  ["KPI id", "Month", "Value", "Target", "England"], rows, units=chart_units)

    for section in sheet.sections:
        layout.narrative(section, build.context, with_section_heading=True)
        if chart_data is None:
            continue
        for kpi_id, first, last in groups:
            if build.spec.kpi_section(kpi_id) != section:
                continue
            m = meta.get(kpi_id, {"label": kpi_id, "unit": "count", "target": None, "england": None})
            chart = kpi_line_chart(build.wb, build.spec, chart_data, first, last, m["label"], m["unit"],
                                   has_target=not is_blank(m.get("target")),
                                   has_england=not is_blank(m.get("england")))
            layout.chart(chart, kpi_alt(m["label"], chart_data, first, last, m["unit"]))
    layout.finish(build.context.classification)


def write_workforce(build: Build) -> None:
    sheet = build.spec.sheet("Workforce")
    layout = build.start_sheet(sheet)
    _section(build, layout, sheet.name)
    caseloads = _contract_table(build, layout, "tbl_caseloads")
    if caseloads.has_data:
        layout.chart(caseload_chart(build.wb, build.spec, caseloads), caseload_alt(caseloads),
                     anchor_row=caseloads.header_row - 1)
    _contract_table(build, layout, "tbl_caseloads_experience")
    starters = _contract_table(build, layout, "tbl_starters_leavers")
    if starters.has_data:
        layout.chart(starters_leavers_chart(build.wb, build.spec, starters), starters_leavers_alt(starters),
                     anchor_row=starters.header_row - 1)
    _contract_table(build, layout, "tbl_continuity")
    layout.finish(build.context.classification)


def write_fostering(build: Build) -> None:
    sheet = build.spec.sheet("Fostering")
    layout = build.start_sheet(sheet)
    _section(build, layout, sheet.name)
    placements = _contract_table(build, layout, "tbl_placement_types")
    if placements.has_data:
        layout.chart(placement_chart(build.wb, build.spec, placements), placement_alt(placements),
                     anchor_row=placements.header_row - 1)
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
