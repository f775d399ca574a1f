"""What every sheet writer shares: the workbook, styles, spec, figures and context, and starting a sheet."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from xlsxwriter.workbook import Workbook

from ..figures import Figures
from .context import ReportContext
from .layout import SheetLayout, frame_rows
from .spec import SheetSpec, WorkbookSpec
from .styles import Styles


@dataclass
class Build:
    wb: Workbook
    styles: Styles
    spec: WorkbookSpec
    figures: Figures
    context: ReportContext
    # (sheet, cell, characters) of every text cut to what an Excel cell holds: the Data quality sheet says so.
    cut_cells: list[tuple[str, str, int]] = field(default_factory=list)

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

    def start_sheet(self, sheet: SheetSpec, extra_width: int = 0, has_data: bool | None = None) -> SheetLayout:
        """Add the sheet, write A1/A2 and return its layout; the panel starts right of the widest table."""
        ws = self.wb.add_worksheet(sheet.name)
        widest = max([len(self.headers(t.name)) for t in sheet.tables] + [extra_width, 2])
        layout = SheetLayout(ws, self.styles, self.spec, panel_col=widest + 1, cut_cells=self.cut_cells)
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
