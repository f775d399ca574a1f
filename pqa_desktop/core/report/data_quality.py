"""The Data quality sheet: every finding, errors first, with what the QA officer decided about it (Open,
Corrected, Accepted: <reason>), then what each system export covers."""
from __future__ import annotations

from ..finding_status import status_text
from ..findings import Finding, Severity, register_rule, sort_findings
from ..values import EXCEL_CELL_CHARS
from .build import Build, contract_table
from .layout import frame_rows

CONTAINER_SEPARATOR = " \u203a "

RULE_TEXT_CUT = register_rule(
    "report.text_cut",
    "A text is longer than an Excel cell holds (32,767 characters): the workbook shows its beginning only.")


def display_file(name: str) -> str:
    """The file name alone, folders removed from every part ("archive.zip › name.xlsx" kept)."""
    parts = str(name).split(CONTAINER_SEPARATOR)
    return CONTAINER_SEPARATOR.join(p.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] for p in parts)


def write_data_quality(build: Build) -> None:
    sheet = build.spec.sheet("Data quality")
    layout = build.start_sheet(sheet, has_data=True)
    statuses = build.context.finding_statuses
    findings = list(build.context.findings) + _cut_texts(build.cut_cells)
    rows = [[display_file(f.file), f.sheet, f.cell, f.severity.value.capitalize(), f.rule, f.message,
             status_text(f, statuses)]
            for f in sort_findings(findings)]
    contract_table(build, layout, "tbl_data_quality", rows, wrap={"Message": 90})
    coverage = build.context.coverage
    spec = build.spec.table("tbl_coverage")
    if coverage is not None and len(coverage) > 0:
        layout.table("tbl_coverage", spec.heading, [str(c) for c in coverage.columns], frame_rows(coverage))
    else:
        layout.table("tbl_coverage", spec.heading, spec.headers(build.figures.period), None)
    layout.finish(build.context.classification)


def _cut_texts(cut_cells: list[tuple[str, str, int]]) -> list[Finding]:
    """One finding per text of this workbook cut to what a cell holds (sheet and cell of the workbook)."""
    return [Finding("", sheet, cell, Severity.WARNING, RULE_TEXT_CUT,
                    f"This text is {length:,} characters long, more than the {EXCEL_CELL_CHARS:,} an Excel cell "
                    f"holds, so this workbook shows only its first {EXCEL_CELL_CHARS:,} characters (here, on sheet "
                    f"'{sheet}'). Shorten it in the input it came from to show it whole.")
            for sheet, cell, length in cut_cells]
