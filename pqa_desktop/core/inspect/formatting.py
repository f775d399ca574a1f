"""Text formatted to be invisible, whatever it says (issue 15): a font coloured as its cell's fill (or near it),
a font of 2 points or less, or a number format that shows nothing (";;;"). Such text travels with the
workbook and anyone can make it visible again, so it is reported wherever it is, even when the inspector
knows nothing it says.

Colours are worked out as Excel shows them: an RGB value, a theme colour (from the workbook's theme, with
its tint), an indexed colour (the legacy palette), or automatic (black text, white background). Two colours
are "near" when their contrast ratio (WCAG 2) is under ``NEAR_CONTRAST``: white on white is 1, light grey on
white 1.2; the report's own text is well above 4.5.

Looked at: every cell that shows something (its style's font, fill and number format) and the runs of rich
text in shared and inline strings (their own font colour and size, over the cell's fill). Not looked at:
conditional formats, table styles, text in drawings and charts.
"""
from __future__ import annotations

import colorsys
from dataclasses import dataclass
from typing import Iterator
from xml.etree.ElementTree import Element

from .leak import INVISIBLE_TEXT, Leak
from .package import Package, local, sheets

NEAR_CONTRAST = 1.5
TINY_POINTS = 2.0
AUTOMATIC_TEXT = (0, 0, 0)
AUTOMATIC_FILL = (255, 255, 255)
MAX_CELLS_NAMED = 5

# Excel's legacy palette (indexed colours 0-63); 64 is the system text colour, 65 the system background.
_PALETTE = [
    "000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
    "000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
    "800000", "008000", "000080", "808000", "800080", "008080", "C0C0C0", "808080",
    "9999FF", "993366", "FFFFCC", "CCFFFF", "660066", "FF8080", "0066CC", "CCCCFF",
    "000080", "FF00FF", "FFFF00", "00FFFF", "800080", "800000", "008080", "0000FF",
    "00CCFF", "CCFFFF", "CCFFCC", "FFFF99", "99CCFF", "FF99CC", "CC99FF", "FFCC99",
    "3366FF", "33CCCC", "99CC00", "FFCC00", "FF9900", "FF6600", "666699", "969696",
    "003366", "339966", "003300", "333300", "993300", "993366", "333399", "333333",
    "000000", "FFFFFF",
]
# Theme colour indices as cells use them (Excel swaps the first two pairs of the theme's scheme).
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                "hlink", "folHlink")

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class _Font:
    size: float | None
    color: RGB | None  # None: automatic


@dataclass(frozen=True)
class _Style:
    font: _Font
    fill: RGB | None  # None: no fill (the sheet's white)
    shows_nothing: bool  # a number format of empty sections (";;;")


def invisible_text_leaks(package: Package) -> Iterator[Leak]:
    styles = _Styles(package)
    shared_runs = _shared_string_runs(package, styles)
    verdicts: dict[str | None, str | None] = {}  # a style's verdict, worked out once (a report has dozens)
    for sheet in sheets(package):
        root = package.xml(sheet.part)
        if root is None:
            continue
        cells: list[tuple[str, str]] = []  # (cell, why)
        for cell in _cells_in_order(package, sheet.part, root):
            index = cell.get("s")
            if index not in verdicts:
                style = styles.cell_style(index)
                verdicts[index] = _why_invisible(style.font, style.fill) or (
                    "a number format that shows nothing" if style.shows_nothing else None)
            why = verdicts[index]
            kind = cell.get("t")
            if why is None and kind == "s" and shared_runs:
                why = _runs_invisible(shared_runs.get(_index(cell)), styles.cell_style(index).fill)
            elif why is None and kind == "inlineStr":
                why = _runs_invisible(_runs(cell, styles), styles.cell_style(index).fill)
            if why is not None and _shows_something(cell):
                cells.append((cell.get("r", "?"), why))
        if cells:
            named = ", ".join(f"{ref} ({why})" for ref, why in cells[:MAX_CELLS_NAMED])
            more = f" and {len(cells) - MAX_CELLS_NAMED:,} more" if len(cells) > MAX_CELLS_NAMED else ""
            yield Leak(f"sheet '{sheet.name}'", INVISIBLE_TEXT,
                       f"Text on sheet '{sheet.name}' is formatted to be invisible, whatever it says: cell{'s' if len(cells) > 1 else ''} "
                       f"{named}{more}. Anyone can make it visible again: remove it, or make it visible.")


def _cells_in_order(package: Package, part: str, root: Element) -> Iterator[Element]:
    """The sheet's cells (every element named "c"), in document order: those of its one tag when the sheet names
    them with one tag (as every workbook does), not found by looking at each of its elements."""
    tags = package.tags(part).get("c", [])
    if len(tags) == 1:
        return iter(package.elements(part)[tags[0]])
    return (el for el in root.iter() if local(el.tag) == "c")


def _shows_something(cell: Element) -> bool:
    for child in cell:
        tag = local(child.tag)
        if tag in ("v", "f") and (child.text or "").strip():
            return True
        if tag == "is" and "".join(t.text or "" for t in child.iter() if local(t.tag) == "t").strip():
            return True
    return False


def _index(cell: Element) -> int | None:
    for child in cell:
        if local(child.tag) == "v":
            try:
                return int((child.text or "").strip())
            except ValueError:
                return None
    return None


def _why_invisible(font: _Font, fill: RGB | None) -> str | None:
    if font.size is not None and font.size <= TINY_POINTS:
        return f"{font.size:g} pt text"
    text = font.color or AUTOMATIC_TEXT
    background = fill or AUTOMATIC_FILL
    if _contrast(text, background) < NEAR_CONTRAST:
        return "text coloured like its background"
    return None


def _runs_invisible(runs: list[_Font] | None, fill: RGB | None) -> str | None:
    for font in runs or ():
        why = _why_invisible(font, fill)
        if why is not None:
            return why + " in part of the text"
    return None


def _luminance(color: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = map(channel, color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: RGB, b: RGB) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


class _Styles:
    """The workbook's cell styles (cellXfs) with their fonts, fills and number formats, and its theme."""

    def __init__(self, package: Package) -> None:
        self.theme = _theme_colors(package)
        root = package.xml("xl/styles.xml")
        self.fonts: list[_Font] = []
        self.fills: list[RGB | None] = []
        self.styles: list[_Style] = []
        if root is None:
            return
        blank_formats = set()
        for el in root.iter():
            tag = local(el.tag)
            if tag == "numFmt" and _empty_sections(el.get("formatCode", "")):
                blank_formats.add(el.get("numFmtId"))
        for section in root:
            tag = local(section.tag)
            if tag == "fonts":
                self.fonts = [self.font(f) for f in section if local(f.tag) == "font"]
            elif tag == "fills":
                self.fills = [self._fill(f) for f in section if local(f.tag) == "fill"]
        for section in root:
            if local(section.tag) != "cellXfs":
                continue
            for xf in section:
                if local(xf.tag) != "xf":
                    continue
                font = _at(self.fonts, xf.get("fontId"), _Font(None, None))
                fill = _at(self.fills, xf.get("fillId"), None)
                self.styles.append(_Style(font, fill, xf.get("numFmtId") in blank_formats))

    def cell_style(self, index: str | None) -> _Style:
        return _at(self.styles, index, None) or _Style(_Font(None, None), None, False)

    def font(self, el: Element) -> _Font:
        size = color = None
        for child in el:
            tag = local(child.tag)
            if tag == "sz":
                try:
                    size = float(child.get("val", ""))
                except ValueError:
                    size = None
            elif tag == "color":
                color = self.color(child)
        return _Font(size, color)

    def _fill(self, el: Element) -> RGB | None:
        for pattern in el:
            if local(pattern.tag) != "patternFill" or pattern.get("patternType", "none") in ("none", ""):
                continue
            for child in pattern:
                if local(child.tag) == "fgColor":
                    return self.color(child)
            return AUTOMATIC_TEXT if pattern.get("patternType") == "solid" else None
        return None

    def color(self, el: Element) -> RGB | None:
        """An RGB colour from a colour element, or None for automatic."""
        base: RGB | None = None
        if el.get("rgb"):
            base = _rgb(el.get("rgb", "")[-6:])
        elif el.get("theme") is not None:
            try:
                base = self.theme.get(_THEME_ORDER[int(el.get("theme", ""))])
            except (ValueError, IndexError):
                base = None
        elif el.get("indexed") is not None:
            try:
                base = _rgb(_PALETTE[int(el.get("indexed", ""))])
            except (ValueError, IndexError):
                base = None
        if base is None:
            return None
        try:
            tint = float(el.get("tint", "0"))
        except ValueError:
            tint = 0.0
        return _tinted(base, tint) if tint else base


def _theme_colors(package: Package) -> dict[str, RGB]:
    root = package.xml("xl/theme/theme1.xml")
    found: dict[str, RGB] = {}
    if root is None:
        return found
    for scheme in root.iter():
        if local(scheme.tag) != "clrScheme":
            continue
        for entry in scheme:
            for value in entry:
                text = value.get("lastClr") if local(value.tag) == "sysClr" else value.get("val")
                color = _rgb(text or "")
                if color is not None:
                    found[local(entry.tag)] = color
        break
    return found


def _rgb(text: str) -> RGB | None:
    text = text.strip()
    if len(text) != 6:
        return None
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return None


def _tinted(color: RGB, tint: float) -> RGB:
    """Excel's tint: the colour's lightness moved towards black (negative) or white (positive)."""
    h, light, s = colorsys.rgb_to_hls(*(c / 255 for c in color))
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    return tuple(round(c * 255) for c in colorsys.hls_to_rgb(h, max(0.0, min(1.0, light)), s))  # type: ignore[return-value]


def _empty_sections(code: str) -> bool:
    """A number format whose every section is empty (";;;" or ";;"): it shows nothing at all."""
    return bool(code) and set(code.replace(" ", "")) == {";"}


def _at(items: list, index: str | None, default):
    try:
        return items[int(index)] if index is not None else (items[0] if items else default)
    except (ValueError, IndexError):
        return default


def _runs(holder: Element, styles: _Styles) -> list[_Font]:
    """The fonts of the rich text runs under ``holder`` (a shared string item or an inline string)."""
    fonts = []
    for run in holder.iter():
        if local(run.tag) != "r":
            continue
        properties = next((child for child in run if local(child.tag) == "rPr"), None)
        text = "".join(t.text or "" for t in run.iter() if local(t.tag) == "t")
        if properties is not None and text.strip():
            fonts.append(styles.font(properties))
    return fonts


def _shared_string_runs(package: Package, styles: _Styles) -> dict[int, list[_Font]]:
    root = package.xml("xl/sharedStrings.xml")
    if root is None:
        return {}
    runs = {}
    for index, item in enumerate(el for el in root if local(el.tag) == "si"):
        fonts = _runs(item, styles)
        if fonts:
            runs[index] = fonts
    return runs
