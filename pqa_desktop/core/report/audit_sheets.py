"""Sheets of audit figures: Audit activity, Overall judgements, Practice domains, Compliance, EDT dip
sampling, Feedback and the Audit list. Each section's sheet opens with its key messages and commentary,
then its tables, then its charts below them."""
from __future__ import annotations

from .build import Build
from .charts import activity_alt, activity_chart, good_or_better_alt, grade_chart, most_common_alt
from .layout import SheetLayout, TableLoc
from .text import is_blank

ACTIVITY_BY_TYPE = "tbl_audit_activity_by_type"


def start_section_sheet(build: Build, sheet_name: str, has_data: bool | None = None) -> SheetLayout:
    """A section's sheet: title, description, then the section's key messages and commentary."""
    sheet = build.spec.sheet(sheet_name)
    layout = build.start_sheet(sheet, has_data=has_data)
    if sheet.section:
        layout.narrative(sheet.section, build.context)
    return layout


def _contract_table(build: Build, layout: SheetLayout, name: str, rows: list[list] | None = None,
                    **options) -> TableLoc:
    spec = build.spec.table(name)
    return build.record(layout.table(name, spec.heading, build.headers(name),
                                     build.rows(name) if rows is None else rows, **options))


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


def activity_month_headers(headers: list[str]) -> tuple[list[str], list[str]]:
    """(the month columns, every summed column: months, Year to date, Total) of tbl_audit_activity."""
    months = headers[headers.index("Service area") + 1: headers.index("Year to date")]
    return months, headers[headers.index("Service area") + 1:]


def activity_by_type_rows(build: Build) -> tuple[list[str], list[list]] | None:
    """tbl_audit_activity summed by audit type: what the audit activity chart plots (None without audits)."""
    rows = build.rows("tbl_audit_activity")
    if not rows:
        return None
    headers = build.headers("tbl_audit_activity")
    _, summed = activity_month_headers(headers)
    at = {h: headers.index(h) for h in ("Audit type", *summed)}
    by_type: dict[str, list] = {}
    for r in rows:
        sums = by_type.setdefault(str(r[at["Audit type"]]), [0] * len(summed))
        for k, h in enumerate(summed):
            v = r[at[h]]
            sums[k] += 0 if is_blank(v) else int(v)
    return ["Audit type", *summed], [[t, *sums] for t, sums in by_type.items()]


def write_audit_activity(build: Build) -> None:
    layout = start_section_sheet(build, "Audit activity")
    loc = _contract_table(build, layout, "tbl_audit_activity")
    by_type = build.locations.get(ACTIVITY_BY_TYPE)  # on the Audit list (a data sheet), written before
    if loc.has_data and by_type is not None:
        months, _ = activity_month_headers(loc.columns)
        title = "Audits completed by month and audit type"
        layout.chart(activity_chart(build.wb, build.spec, by_type, months, title),
                     activity_alt(title, by_type, months, build.figures.period.label))
    layout.finish(build.context.classification)


def write_overall(build: Build) -> None:
    layout = start_section_sheet(build, "Overall judgements")
    by_month = _contract_table(build, layout, "tbl_overall_by_month")
    by_quarter = _contract_table(build, layout, "tbl_overall_by_quarter")
    _contract_table(build, layout, "tbl_overall_by_service")
    _contract_table(build, layout, "tbl_overall_by_team")
    if by_month.has_data:
        last = len(by_month.rows) - 1
        title = "Overall practice judgements by month (share of audits)"
        layout.chart(grade_chart(build.wb, build.spec, by_month, "Month", 0, last, title, "Month of audit",
                                 month_axis=True),
                     most_common_alt("Overall judgements by month", by_month, 0, last, "month"))
    if by_quarter.has_data:
        last = len(by_quarter.rows) - 1
        title = "Overall practice judgements by quarter (share of audits)"
        layout.chart(grade_chart(build.wb, build.spec, by_quarter, "Quarter", 0, last, title, "Financial quarter"),
                     good_or_better_alt("Overall judgements by quarter", by_quarter, 0, last, "Quarter"))
    layout.finish(build.context.classification)


def write_domains(build: Build) -> None:
    layout = start_section_sheet(build, "Practice domains")
    by_quarter = _contract_table(build, layout, "tbl_domains_by_quarter",
                                 _grouped_rows(build.rows("tbl_domains_by_quarter"), 0))
    _contract_table(build, layout, "tbl_domains_by_month", _grouped_rows(build.rows("tbl_domains_by_month"), 0))
    if by_quarter.has_data:
        for domain, first, last in _groups(by_quarter, "Domain"):
            title = f"{domain}: judgements by quarter (share of audits)"
            layout.chart(grade_chart(build.wb, build.spec, by_quarter, "Quarter", first, last, title,
                                     "Financial quarter"),
                         good_or_better_alt(f"{domain} by quarter", by_quarter, first, last, "Quarter"))
    layout.finish(build.context.classification)


def write_compliance(build: Build) -> None:
    layout = start_section_sheet(build, "Compliance")
    for table in ("tbl_compliance", "tbl_moderation", "tbl_actions"):
        _contract_table(build, layout, table)
    layout.finish(build.context.classification)


def write_edt(build: Build) -> None:
    layout = start_section_sheet(build, "EDT dip sampling")
    _contract_table(build, layout, "tbl_edt", wrap={h: 16 for h in build.headers("tbl_edt")})
    layout.finish(build.context.classification)


def write_feedback(build: Build) -> None:
    layout = start_section_sheet(build, "Feedback")
    rows = build.rows("tbl_feedback")
    headers = build.headers("tbl_feedback")
    if rows and not build.context.feedback_text and "Feedback" in headers:
        # The user left feedback text out: keep who/when/sentiment, never the words.
        k = headers.index("Feedback")
        rows = [[None if c == k else v for c, v in enumerate(r)] for r in rows]
    _contract_table(build, layout, "tbl_feedback", rows, wrap={"Feedback": 90})
    layout.finish(build.context.classification)


def write_audit_list(build: Build) -> None:
    layout = build.start_sheet(build.spec.sheet("Audit list"))
    _contract_table(build, layout, "tbl_audits")
    by_type = activity_by_type_rows(build)
    if by_type is not None:
        headers, rows = by_type
        build.record(layout.table(ACTIVITY_BY_TYPE,
                                  "Audits by audit type and month (the Audit activity chart plots this table)",
                                  headers, rows))
    layout.finish(build.context.classification)
