"""Sheets of audit figures: Audit activity, Overall judgements, Practice domains, Compliance, EDT dip
sampling, Feedback and the Audit list. Each section's sheet opens with its key messages and commentary,
then its tables, then its charts below them."""
from __future__ import annotations

from .build import Build, contract_table, grouped_rows, key_runs, start_section_sheet
from .charts import activity_alt, activity_chart, good_or_better_alt, grade_chart, most_common_alt
from .layout import SheetLayout, TableLoc
from .text import is_blank

ACTIVITY_BY_TYPE = "tbl_audit_activity_by_type"


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
    loc = contract_table(build, layout, "tbl_audit_activity")
    by_type = build.locations.get(ACTIVITY_BY_TYPE)  # on the Audit list (a data sheet), written before
    if loc.has_data and by_type is not None:
        months, _ = activity_month_headers(loc.columns)
        title = "Audits completed by month and audit type"
        layout.chart(activity_chart(build.wb, build.spec, by_type, months, title),
                     activity_alt(title, by_type, months, build.figures.period.label))
    layout.finish(build.context.classification)


def write_overall(build: Build) -> None:
    layout = start_section_sheet(build, "Overall judgements")
    by_month = contract_table(build, layout, "tbl_overall_by_month")
    by_quarter = contract_table(build, layout, "tbl_overall_by_quarter")
    contract_table(build, layout, "tbl_overall_by_service")
    contract_table(build, layout, "tbl_overall_by_team")
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
    by_quarter = contract_table(build, layout, "tbl_domains_by_quarter",
                                grouped_rows(build.rows("tbl_domains_by_quarter"), 0))
    contract_table(build, layout, "tbl_domains_by_month", grouped_rows(build.rows("tbl_domains_by_month"), 0))
    if by_quarter.has_data:
        for domain, first, last in key_runs(by_quarter, "Domain"):
            title = f"{domain}: judgements by quarter (share of audits)"
            layout.chart(grade_chart(build.wb, build.spec, by_quarter, "Quarter", first, last, title,
                                     "Financial quarter"),
                         good_or_better_alt(f"{domain} by quarter", by_quarter, first, last, "Quarter"))
    layout.finish(build.context.classification)


def write_compliance(build: Build) -> None:
    layout = start_section_sheet(build, "Compliance")
    for table in ("tbl_compliance", "tbl_moderation", "tbl_actions"):
        contract_table(build, layout, table)
    layout.finish(build.context.classification)


def write_edt(build: Build) -> None:
    layout = start_section_sheet(build, "EDT dip sampling")
    contract_table(build, layout, "tbl_edt", wrap={h: 16 for h in build.headers("tbl_edt")})
    layout.finish(build.context.classification)


def write_feedback(build: Build) -> None:
    layout = start_section_sheet(build, "Feedback")
    rows = build.rows("tbl_feedback")
    headers = build.headers("tbl_feedback")
    if rows and not build.context.feedback_text and "Feedback" in headers:
        # The user left feedback text out: keep who/when/sentiment, never the words.
        k = headers.index("Feedback")
        rows = [[None if c == k else v for c, v in enumerate(r)] for r in rows]
    contract_table(build, layout, "tbl_feedback", rows, wrap={"Feedback": 90})
    layout.finish(build.context.classification)


def write_audit_list(build: Build) -> None:
    layout = build.start_sheet(build.spec.sheet("Audit list"))
    contract_table(build, layout, "tbl_audits")
    by_type = activity_by_type_rows(build)
    if by_type is not None:
        headers, rows = by_type
        build.record(layout.table(ACTIVITY_BY_TYPE,
                                  "Audits by audit type and month (the Audit activity chart plots this table)",
                                  headers, rows))
    layout.finish(build.context.classification)
