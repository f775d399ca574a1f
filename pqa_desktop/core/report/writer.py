"""write_workbook: Figures + ReportContext -> the report .xlsx, sheets in contract order."""
from __future__ import annotations

import io
import os
from datetime import datetime, timezone

from ..measures.figures import Figures
from ..runtime.memory import no_cycle_collection
from .audit_sheets import (write_audit_activity, write_audit_list, write_compliance, write_domains, write_edt,
                           write_feedback, write_overall)
from .build import Build
from .context import ReportContext
from .cover import report_title, write_contents
from .data_quality import write_data_quality
from .kpi_sheets import write_fostering, write_kpi_monthly, write_kpis, write_scorecard_sheet, write_workforce
from .package import OutputNotWritable, Workbook, bytes_with_language, let_go, save_workbook
from .spec import workbook_spec
from .styles import Styles
from .summary_sheet import write_summary

SHEET_WRITERS = {
    "Contents": write_contents,
    "Summary": write_summary,
    "Audit activity": write_audit_activity,
    "Overall judgements": write_overall,
    "Practice domains": write_domains,
    "Compliance": write_compliance,
    **{name: (lambda build, name=name: write_scorecard_sheet(build, name))
       for name in ("Identification of harm", "Assessment", "Child protection", "Plans and children in care",
                    "Care leavers")},
    "Workforce": write_workforce,
    "Fostering": write_fostering,
    "EDT dip sampling": write_edt,
    "Feedback": write_feedback,
    "Audit list": write_audit_list,
    "KPIs": write_kpis,
    "KPI monthly": write_kpi_monthly,
    "Data quality": write_data_quality,
}
# Sheets written first (every sheet is added in contract order before any is written): charts and
# sparklines point at cells of these, so they must have landed. KPI monthly holds every monthly series
# and the chart data, the Audit list the audit counts by type the activity chart plots, Overall
# judgements the monthly shares the Summary's audit sparklines show.
WRITTEN_FIRST = ("KPI monthly", "Audit list", "Overall judgements")

WORKBOOK_OPTIONS = {
    # Text is always text: feedback starting "=" or "+" or a URL is never turned into a formula or link.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # In-memory packaging stamps every part 1980-01-01, so the same input gives the same bytes.
    "in_memory": True,
    "default_date_format": "dd/mm/yyyy",
}


def render_workbook(figures: Figures, context: ReportContext) -> bytes:
    """The workbook's bytes (no file is touched).

    Python's cycle collector is paused meanwhile, as the reading workers pause it: writing makes a few
    hundred thousand short-lived cell objects, and each collection they set off walks the whole heap of
    the figures and records still held (a large council's year) for nothing. Writing leaves no cycles to
    collect: the closed workbook is emptied (``package.let_go``), and reference counting frees it."""
    with no_cycle_collection():
        return _render(figures, context)


def _render(figures: Figures, context: ReportContext) -> bytes:
    spec = workbook_spec()
    buffer = io.BytesIO()
    wb = Workbook(buffer, WORKBOOK_OPTIONS)
    build = Build(wb, Styles(wb), spec, figures, context)
    for sheet in spec.sheets:
        build.sheets[sheet.name] = wb.add_worksheet(sheet.name)
    order = [*WRITTEN_FIRST, *(s.name for s in spec.sheets if s.name not in WRITTEN_FIRST)]
    for name in order:
        SHEET_WRITERS[name](build)
    _set_properties(build)
    wb.close()
    data = bytes_with_language(wb, buffer.getvalue())
    let_go(wb)
    return data


def _set_properties(build: Build) -> None:
    ctx = build.context
    produced = datetime(ctx.produced.year, ctx.produced.month, ctx.produced.day, tzinfo=timezone.utc)
    build.wb.set_properties({
        "title": report_title(build),
        "subject": f"Children's services performance and quality assurance, {build.figures.period.label}",
        "author": ctx.la_name,  # also written as last-modified-by; never the Windows user name
        "manager": ctx.la_name,
        "company": ctx.la_name,
        "category": ctx.classification,
        "keywords": "children's social care, performance, quality assurance, audit",
        "comments": f"Produced by PQA Desktop on {ctx.produced.strftime('%d/%m/%Y')}. "
                    f"Classification: {ctx.classification}.",
        "status": ctx.classification,
        "created": produced,
    })


def write_workbook(path: str | os.PathLike, figures: Figures, context: ReportContext,
                   password: str | None = None) -> None:
    """Build the report and save it at path atomically (the previous file survives any failure).

    With a password the saved file is encrypted (ECMA-376 agile, as Excel does); the password is
    used in memory only. Raises OutputNotWritable when path cannot be replaced (e.g. the workbook is
    open in Excel).
    """
    save_workbook(path, render_workbook(figures, context), password)


__all__ = ["write_workbook", "render_workbook", "OutputNotWritable"]
