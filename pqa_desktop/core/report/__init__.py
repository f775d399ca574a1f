"""The report workbook (contract: report-workbook.md): one module per concern.

spec (layout as data, resources/workbook.toml) · styles (formats, palette contrast) · layout (tables,
panel) · charts (native charts + alt text) · cover / audit_sheets / kpi_sheets / data_quality (the sheets)
· package (properties, encryption, atomic write) · writer (write_workbook).
"""
from .context import CLASSIFICATION, SECTIONS, ReportContext
from .package import OutputNotWritable, save_workbook, write_atomically
from .writer import render_workbook, write_workbook

__all__ = ["write_workbook", "render_workbook", "save_workbook", "write_atomically", "ReportContext",
           "OutputNotWritable", "SECTIONS", "CLASSIFICATION"]
