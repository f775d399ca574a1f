"""The Data quality sheet: every finding, errors first, with what the QA officer decided about it (Open,
Corrected, Accepted: <reason>), then what each system export covers."""
from __future__ import annotations

from ..finding_status import status_text
from ..findings import sort_findings
from .audit_sheets import _contract_table
from .build import Build
from .layout import frame_rows

CONTAINER_SEPARATOR = " \u203a "


def display_file(name: str) -> str:
    """The file name alone, folders removed from every part ("archive.zip › name.xlsx" kept)."""
    parts = str(name).split(CONTAINER_SEPARATOR)
    return CONTAINER_SEPARATOR.join(p.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] for p in parts)


def write_data_quality(build: Build) -> None:
    sheet = build.spec.sheet("Data quality")
    layout = build.start_sheet(sheet, has_data=True)
    statuses = build.context.finding_statuses
    rows = [[display_file(f.file), f.sheet, f.cell, f.severity.value.capitalize(), f.rule, f.message,
             status_text(f, statuses)]
            for f in sort_findings(build.context.findings)]
    _contract_table(build, layout, "tbl_data_quality", rows, wrap={"Message": 90})
    coverage = build.context.coverage
    spec = build.spec.table("tbl_coverage")
    if coverage is not None and len(coverage) > 0:
        layout.table("tbl_coverage", spec.heading, [str(c) for c in coverage.columns], frame_rows(coverage))
    else:
        layout.table("tbl_coverage", spec.heading, spec.headers(build.figures.period), None)
    layout.finish(build.context.classification)
