"""What every sheet writer shares: the workbook and its sheets, styles, spec, figures and context, where
tables landed (charts and sparklines point at them), and starting a sheet."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..measures.figures import Figures
from ..measures.notes import number_notes
from .context import ReportContext
from .layout import SheetLayout, Sparkline, TableLoc, frame_rows
from .spec import SheetSpec, WorkbookSpec
from .styles import Styles
from .text import is_blank


@dataclass
class Build:
    wb: Workbook
    styles: Styles
    spec: WorkbookSpec
    figures: Figures
    context: ReportContext
    sheets: dict[str, Worksheet] = field(default_factory=dict)  # every sheet, added in contract order
    locations: dict[str, TableLoc] = field(default_factory=dict)  # table name -> where it was written
    monthly_series: dict[str, Sparkline] = field(default_factory=dict)  # KPI id -> its covered months' cells
    # (sheet, cell, characters) of every text cut to what an Excel cell holds: the Data quality sheet says so.
    cut_cells: list[tuple[str, str, int]] = field(default_factory=list)

    @cached_property
    def note_numbers(self) -> dict[str, int]:
        """Each note's number, as the cover lists the notes: the one numbering every Note cell uses."""
        return number_notes(self.figures.notes)

    def frame(self, table: str) -> pd.DataFrame | None:
        """The figures' table, or None when absent or empty."""
        df = self.figures.tables.get(table)
        return df if df is not None and len(df) > 0 else None

    def headers(self, table: str) -> list[str]:
        """The table's headers: as given by the figures, else the contract's."""
        df = self.figures.tables.get(table)
        if df is not None:
            return [str(c) for c in df.columns]
        return self.spec.table(table).headers(self.figures.period)

    def rows(self, table: str) -> list[list] | None:
        df = self.frame(table)
        return frame_rows(df) if df is not None else None

    def kpi_rows(self) -> tuple[list[str], list[list] | None]:
        """tbl_kpis as the workbook shows it: (headers, rows). The KPIs sheet and every scorecard take their
        rows from here, so a scorecard row is its tbl_kpis row (notes included) by construction."""
        return self.headers("tbl_kpis"), self.rows("tbl_kpis")

    def kpi_units(self, headers: list[str], rows: list[list] | None) -> list[str] | None:
        """Each tbl_kpis row's unit (count when blank), which decides its number formats."""
        if not rows or "Unit" not in headers:
            return None
        at = headers.index("Unit")
        return ["count" if is_blank(r[at]) or not str(r[at]).strip() else str(r[at]) for r in rows]

    def record(self, loc: TableLoc) -> TableLoc:
        self.locations[loc.name] = loc
        return loc

    def start_sheet(self, sheet: SheetSpec, has_data: bool | None = None) -> SheetLayout:
        """The sheet with A1/A2 written (and, on a section's sheet, its key messages and commentary)."""
        ws = self.sheets.get(sheet.name) or self.wb.add_worksheet(sheet.name)
        self.sheets[sheet.name] = ws
        layout = SheetLayout(ws, self.styles, self.spec, data_sheet=sheet.data, note_numbers=self.note_numbers,
                             cut_cells=self.cut_cells)
        absent = [t.name for t in sheet.tables if self.frame(t.name) is None]
        if has_data is None:
            has_data = len(absent) < len(sheet.tables)
        description = sheet.description
        missing = self.context.missing_inputs.get(sheet.name)
        if not has_data:
            description = f"{missing or sheet.missing} {description}".strip()
        elif absent and missing:
            description = f"{description} {missing}"
        layout.title(sheet.title, description)
        return layout


# --- what every sheet writer does -----------------------------------------------------------------

def start_section_sheet(build: Build, sheet_name: str, has_data: bool | None = None) -> SheetLayout:
    """A section's sheet: title, description, then the section's key messages and commentary."""
    sheet = build.spec.sheet(sheet_name)
    layout = build.start_sheet(sheet, has_data=has_data)
    if sheet.section:
        layout.narrative(sheet.section, build.context)
    return layout


def contract_table(build: Build, layout: SheetLayout, name: str, rows: list[list] | None = None,
                   **options) -> TableLoc:
    """The contract's table ``name`` (its heading and headers), with the figures' rows or ``rows``."""
    spec = build.spec.table(name)
    return build.record(layout.table(name, spec.heading, build.headers(name),
                                     build.rows(name) if rows is None else rows, **options))


def key_runs(loc: TableLoc, key: str) -> list[tuple[str, int, int]]:
    """(key value, first data index, last data index) of each run of equal key values."""
    out: list[tuple[str, int, int]] = []
    for i in range(len(loc.rows)):
        k = str(loc.value(i, key))
        if out and out[-1][0] == k:
            out[-1] = (k, out[-1][1], i)
        else:
            out.append((k, i, i))
    return out


def grouped_rows(rows: list[list] | None, key_index: int) -> list[list] | None:
    """Rows regrouped so each key's rows are contiguous (first-appearance order, stable within a key)."""
    if not rows:
        return rows
    order: dict[object, int] = {}
    for r in rows:
        order.setdefault(r[key_index], len(order))
    return sorted(rows, key=lambda r: order[r[key_index]])
