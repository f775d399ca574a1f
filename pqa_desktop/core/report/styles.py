"""Cell formats and chart colours, defined once.

Number formats follow the contract: percentages are fractions shown `0%` (benchmarks `0.0%`), months
`mmm yyyy`, other dates `dd/mm/yyyy`, a change in a percentage shown as `+3.0 pts`.
"""
from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

PERCENT = "0%"
BENCHMARK_PERCENT = "0.0%"
MONTH = "mmm yyyy"
DATE = "dd/mm/yyyy"
COUNT = "#,##0"
DECIMAL = "#,##0.0"
GENERAL = "General"
CHANGE_POINTS = '+0.0" pts";-0.0" pts";0.0" pts"'
CHANGE_COUNT = "+#,##0;-#,##0;0"
CHANGE_DECIMAL = "+#,##0.0;-#,##0.0;0.0"

BENCHMARK_COLUMNS = ("England", "Statistical neighbours", "Region")
DEFAULT_COLUMN_WIDTH = 8.43  # Excel's default column width, in character widths

# Table header rows: emphasis as cell formats (LibreOffice draws no table styles): bold on a light fill
# (black on #DDEBF7, 17:1) with a dark rule below.
HEADER_FILL = "#DDEBF7"
HEADER_RULE = "#1F4E79"


def unit_kind(unit: object) -> str:
    """Normalise a measure's unit text to percent / count / number / days."""
    text = str(unit or "").strip().lower()
    if "percent" in text or text in ("%", "pct", "rate %"):
        return "percent"
    if "day" in text:
        return "days"
    if text in ("number", "decimal", "average", "rate", "ratio", "median"):
        return "number"
    return "count"


def value_format(unit: str, benchmark: bool = False) -> str:
    """Format of a Value / Previous / Target (or, with benchmark=True, England-type) cell of a measure."""
    kind = unit_kind(unit)
    if kind == "percent":
        return BENCHMARK_PERCENT if benchmark else PERCENT
    if kind == "number":
        return DECIMAL
    if kind == "days":
        return GENERAL  # medians of an even count can end in .5; whole days show whole
    return DECIMAL if benchmark else COUNT


def change_format(unit: str) -> str:
    kind = unit_kind(unit)
    if kind == "percent":
        return CHANGE_POINTS
    if kind == "count":
        return CHANGE_COUNT
    return CHANGE_DECIMAL


class Styles:
    """One Format object per distinct look, so the workbook's style table stays small and stable."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cache: dict[tuple, Format] = {}

    def get(self, num_format: str | None = None, **props) -> Format:
        key = (num_format, tuple(sorted(props.items())))
        fmt = self._cache.get(key)
        if fmt is None:
            spec = dict(props)
            if num_format:
                spec["num_format"] = num_format
            fmt = self._workbook.add_format(spec)
            self._cache[key] = fmt
        return fmt

    def header(self, numeric: bool, indent: bool = False) -> Format:
        """A table's header cell, aligned as its column's values are: right over numbers, left over text;
        ``indent``: a right-aligned header keeps clear of a filter button, a left-aligned one of the numbers
        before it."""
        props = {"bold": True, "text_wrap": True, "valign": "bottom", "bg_color": HEADER_FILL,
                 "bottom": 2, "bottom_color": HEADER_RULE, "align": "right" if numeric else "left"}
        if indent:
            props["indent"] = 1
        return self.get(None, **props)

    @property
    def title(self) -> Format:
        return self.get(None, bold=True, font_size=16)

    @property
    def heading(self) -> Format:
        return self.get(None, bold=True, font_size=12)

    @property
    def label(self) -> Format:
        return self.get(None, bold=True)

    @property
    def text(self) -> Format:
        return self.get(None)

    @property
    def link(self) -> Format:
        # Underlined dark blue (8.6:1 on white) so links read as links without colour alone.
        return self.get(None, font_color="#0B3D91", underline=1)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour "#RRGGBB"."""
    h = hex_colour.lstrip("#")
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str = "#FFFFFF") -> float:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05), lighter over darker."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)
