"""Sheets of audit figures: Summary, Audit activity, Overall judgements, Practice domains, Compliance,
EDT dip sampling, Feedback and the Audit list."""
from __future__ import annotations

from ..notes import resolve_note_refs
from .build import Build
from .charts import activity_alt, activity_chart, good_or_better_alt, grade_chart, most_common_alt
from .layout import SheetLayout, TableLoc
from .text import is_blank


def _section(build: Build, layout: SheetLayout, sheet_name: str) -> None:
    for section in build.spec.sheet(sheet_name).sections:
        layout.narrative(section, build.context)


def _contract_table(build: Build, layout: SheetLayout, name: str, rows: list[list] | None = None) -> TableLoc:
    spec = build.spec.table(name)
    return layout.table(name, spec.heading, build.headers(name), build.rows(name) if rows is None else rows)


def _groups(loc: TableLoc, key: str) -> list[tuple[str, int, int]]:
    """(key value, first data index, last data index) of each run of equal key values."""
    out: list[tuple[str, int, int]] = []
    for i in range(len(loc.rows)):
        k = str(loc.value(i, key))
        if out and out[-1][0] == k:
            out[-1] = (k, out[-1][1], i)
        else:
            out.append((k, i, i))
    return out


def _grouped_rows(rows: list[list] | None, key_index: int) -> list[list] | None:
    """Rows regrouped so each key's rows are contiguous (first-appearance order, stable within a key)."""
    if not rows:
        return rows
    order: dict[object, int] = {}
    for r in rows:
        order.setdefault(r[key_index], len(order))
    return sorted(rows, key=lambda r: order[r[key_index]])


def write_summary(build: Build) -> None:
    sheet = build.spec.sheet("Summary")
    layout = build.start_sheet(sheet, has_data=bool(build.figures.headlines))
    _section(build, layout, sheet.name)
    # A headline's note (why its Previous is blank, say) is marked on its Measure, the row's header.
    rows = [[resolve_note_refs(f"{h.measure} {h.note}".strip(), build.note_numbers), h.value, h.previous, h.change,
             h.target, h.england, h.status]
            for h in build.figures.headlines]
    units = [h.unit for h in build.figures.headlines]
    spec = build.spec.table("tbl_headlines")
    layout.table("tbl_headlines", spec.heading, spec.headers(build.figures.period), rows or None,
                 units=units if rows else None)
    layout.finish(build.context.classification)


def write_audit_activity(build: Build) -> None:
    sheet = build.spec.sheet("Audit activity")
    layout = build.start_sheet(sheet)
    _section(build, layout, sheet.name)
    loc = _contract_table(build, layout, "tbl_audit_activity")
    if loc.has_data:
        headers = loc.columns
        months = headers[headers.index("Service area") + 1: headers.index("Year to date")]
        summed = headers[headers.index("Service area") + 1:]
        by_type: dict[str, list] = {}
        for i in range(len(loc.rows)):
            audit_type = str(loc.value(i, "Audit type"))
            sums = by_type.setdefault(audit_type, [0] * len(summed))
            for k, h in enumerate(summed):
                v = loc.value(i, h)
                sums[k] += 0 if is_blank(v) else int(v)
        rows = [[t, *sums] for t, sums in by_type.items()]
        by_type_loc = layout.table("tbl_audit_activity_by_type",
                                   "Audits by audit type (totals of the table above, plotted in the chart)",
                                   ["Audit type", *summed], rows)
        title = "Audits completed by month and audit type"
        layout.chart(activity_chart(build.wb, build.spec, by_type_loc, months, title),
                     activity_alt(title, by_type_loc, months, build.figures.period.label),
                     anchor_row=loc.header_row - 1)
    layout.finish(build.context.classification)


def write_overall(build: Build) -> None:
    sheet = build.spec.sheet("Overall judgements")
    layout = build.start_sheet(sheet)
    _section(build, layout, sheet.name)
    by_month = _contract_table(build, layout, "tbl_overall_by_month")
    if by_month.has_data:
        last = len(by_month.rows) - 1
        title = "Overall practice judgements by month (share of audits)"
        layout.chart(grade_chart(build.wb, build.spec, by_month, "Month", 0, last, title, "Month of audit",
                                 month_axis=True),
                     most_common_alt("Overall judgements by month", by_month, 0, last, "month"),
                     anchor_row=by_month.header_row - 1)
    by_quarter = _contract_table(build, layout, "tbl_overall_by_quarter")
    if by_quarter.has_data:
        last = len(by_quarter.rows) - 1
        title = "Overall practice judgements by quarter (share of audits)"
        layout.chart(grade_chart(build.wb, build.spec, by_quarter, "Quarter", 0, last, title, "Financial quarter"),
                     good_or_better_alt("Overall judgements by quarter", by_quarter, 0, last, "Quarter"),
                     anchor_row=by_quarter.header_row - 1)
    _contract_table(build, layout, "tbl_overall_by_service")
    _contract_table(build, layout, "tbl_overall_by_team")
    layout.finish(build.context.classification)


def write_domains(build: Build) -> None:
    sheet = build.spec.sheet("Practice domains")
    layout = build.start_sheet(sheet)
    _section(build, layout, sheet.name)
    by_quarter = _contract_table(build, layout, "tbl_domains_by_quarter",
                                 _grouped_rows(build.rows("tbl_domains_by_quarter"), 0))
    if by_quarter.has_data:
        for domain, first, last in _groups(by_quarter, "Domain"):
            title = f"{domain}: judgements by quarter (share of audits)"
            layout.chart(grade_chart(build.wb, build.spec, by_quarter, "Quarter", first, last, title,
                                     "Financial quarter"),
                         good_or_better_alt(f"{domain} by quarter", by_quarter, first, last, "Quarter"),
                         anchor_row=by_quarter.first_row + first - 2)
    _contract_table(build, layout, "tbl_domains_by_month", _grouped_rows(build.rows("tbl_domains_by_month"), 0))
    layout.finish(build.context.classification)


def write_compliance(build: Build) -> None:
    sheet = build.spec.sheet("Compliance")
    layout = build.start_sheet(sheet)
    _section(build, layout, sheet.name)
    for table in ("tbl_compliance", "tbl_moderation", "tbl_actions"):
        _contract_table(build, layout, table)
    layout.finish(build.context.classification)


def write_edt(build: Build) -> None:
    sheet = build.spec.sheet("EDT dip sampling")
    layout = build.start_sheet(sheet)
    _section(build, layout, sheet.name)
    _contract_table(build, layout, "tbl_edt")
    layout.finish(build.context.classification)


def write_feedback(build: Build) -> None:
    sheet = build.spec.sheet("Feedback")
    layout = build.start_sheet(sheet)
    _section(build, layout, sheet.name)
    rows = build.rows("tbl_feedback")
    headers = build.headers("tbl_feedback")
    if rows and not build.context.feedback_text and "Feedback" in headers:
        # The user left feedback text out: keep who/when/sentiment, never the words.
        k = headers.index("Feedback")
        rows = [[None if c == k else v for c, v in enumerate(r)] for r in rows]
    _contract_table(build, layout, "tbl_feedback", rows)
    layout.finish(build.context.classification)


def write_audit_list(build: Build) -> None:
    sheet = build.spec.sheet("Audit list")
    layout = build.start_sheet(sheet)
    _contract_table(build, layout, "tbl_audits")
    layout.finish(build.context.classification)
