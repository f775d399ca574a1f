"""Reading a report workbook back to check the contract's layout (report-workbook.md, 2nd version): sheet
order, scorecards equal to tbl_kpis, Better or worse, sparklines in the sheet XML, print set-up, the
Summary's and section sheets' size, no chart over text, header alignment. ``problems(path)`` lists every
departure in words, so a test can assert it is empty and show what is wrong when it is not.

Widths are counted as the file stores them (openpyxl reads the same numbers): a column without a width
counts Excel's default, 8.43.
"""
from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

from pqa_desktop.core.measures.figures import better_or_worse
from pqa_desktop.core.measures.kpi_catalogue import measure_specs
from pqa_desktop.core.report.sections import SECTIONS
from tests.shared_paths import shared_file

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
DEFAULT_WIDTH = 8.43
MAX_WIDTH = 200
SUMMARY_MAX_ROWS = 50
SCORECARDS = {"Identification of harm": "tbl_kpis_harm", "Assessment": "tbl_kpis_assessment",
              "Child protection": "tbl_kpis_child_protection", "Plans and children in care": "tbl_kpis_plans_cic",
              "Care leavers": "tbl_kpis_care_leavers", "Workforce": "tbl_kpis_workforce",
              "Fostering": "tbl_kpis_fostering"}
SCORECARD_COLUMNS = ["KPI id", "KPI", "Window", "Value", "Previous", "Change", "Better or worse", "Target", "Status",
                     "Statistical neighbours", "England", "Note"]
BETTER_OR_WORSE = {None, "Better", "Worse", "No change"}


def contract_sheet_order() -> list[str]:
    """The sheet names of the contract's "Sheets and named tables" table, in order."""
    text = shared_file("spec", "report-workbook.md").read_text(encoding="utf-8")
    part = text.split("## Sheets and named tables", 1)[1].split("\n## ", 1)[0]
    names = []
    for line in part.splitlines():
        cells = line.split("|")
        if len(cells) < 3 or not line.startswith("| ") or cells[1].strip() in ("sheet", "---"):
            continue
        names += [s.strip() for s in cells[1].split(",")]
    return names


def load(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl drops sparklines with a warning: read from the XML instead
        return load_workbook(path)


def table_values(ws, name: str) -> list[list]:
    return [[c.value for c in row] for row in ws[ws.tables[name].ref]]


def table_dicts(ws, name: str) -> list[dict]:
    rows = table_values(ws, name)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def sheet_of(wb, table: str):
    return next(ws for ws in wb.worksheets if table in ws.tables)


def print_area(ws) -> tuple[int, int, int, int]:
    """(first col, first row, last col, last row), 1-based, of the sheet's print area."""
    area = ws.print_area
    ref = (area if isinstance(area, str) else area[0]).split("!")[-1].replace("$", "")
    return range_boundaries(ref)


def column_widths(ws) -> dict[int, float]:
    """Column (1-based) -> width, for every column the sheet gives a width (a <col> may span several)."""
    out = {}
    for dim in ws.column_dimensions.values():
        if dim.width and dim.min:
            for c in range(dim.min, (dim.max or dim.min) + 1):
                out[c] = dim.width
    return out


def print_width(ws) -> float:
    """The print area's width: the sum of its columns' widths (character widths)."""
    c0, _, c1, _ = print_area(ws)
    widths = column_widths(ws)
    return sum(widths.get(c, DEFAULT_WIDTH) for c in range(c0, c1 + 1))


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its XML text (by the workbook's relationships)."""
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        out = {}
        for sheet in book.iter(f"{{{MAIN}}}sheet"):
            target = targets[sheet.get(f"{{{REL}}}id")]
            part = str(PurePosixPath("xl") / target) if not target.startswith("/") else target.lstrip("/")
            out[sheet.get("name")] = z.read(part).decode("utf-8")
    return out


C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> the part it points at, for ``part`` (xl/worksheets/sheet1.xml)."""
    path = PurePosixPath(part)
    rels = path.parent / "_rels" / (path.name + ".rels")
    if str(rels) not in z.namelist():
        return {}
    out = {}
    for r in ElementTree.fromstring(z.read(str(rels))):
        target = r.get("Target")
        out[r.get("Id")] = (target.lstrip("/") if target.startswith("/") else
                            str(PurePosixPath(*_normalise(path.parent / target))))
    return out


def _normalise(path: PurePosixPath) -> list[str]:
    parts: list[str] = []
    for p in path.parts:
        if p == "..":
            parts.pop()
        elif p != ".":
            parts.append(p)
    return parts


def _texts(element) -> str:
    """The paragraphs of a rich text element, one line each."""
    return "\n".join("".join(t.text or "" for t in p.iter(f"{{{A}}}t")) for p in element.iter(f"{{{A}}}p"))


def charts(path: Path) -> dict[str, list[dict]]:
    """Sheet name -> its charts, in the order they were placed: {"title", "alt", "kinds", "series": [{"name",
    "categories", "values", "labels" (point index -> custom text), "deleted" (point indexes without a label),
    "dash", "marker", "colour"}], "y_axis": {"min", "max", "major_unit", "format"}} read from the package XML."""
    out: dict[str, list[dict]] = {}
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        sheets = _rels(z, "xl/workbook.xml")
        for sheet in book.iter(f"{{{MAIN}}}sheet"):
            part = sheets[sheet.get(f"{{{REL}}}id")]
            found = out.setdefault(sheet.get("name"), [])
            for drawing in (t for t in _rels(z, part).values() if "/drawings/" in t):
                targets = _rels(z, drawing)
                for frame in ElementTree.fromstring(z.read(drawing)).iter(f"{{{XDR}}}graphicFrame"):
                    alt = frame.find(f".//{{{XDR}}}cNvPr").get("descr")
                    ref = frame.find(f".//{{{C}}}chart").get(f"{{{REL}}}id")
                    found.append({"alt": alt, **_chart(ElementTree.fromstring(z.read(targets[ref])))})
    return out


def _chart(root) -> dict:
    title = root.find(f".//{{{C}}}title")
    series = []
    for ser in root.iter(f"{{{C}}}ser"):
        name = ser.find(f"{{{C}}}tx")
        labels, deleted = {}, set()
        for label in ser.iter(f"{{{C}}}dLbl"):
            idx = int(label.find(f"{{{C}}}idx").get("val"))
            if label.find(f"{{{C}}}delete") is not None:
                deleted.add(idx)
            elif label.find(f"{{{C}}}tx") is not None:
                labels[idx] = _texts(label.find(f"{{{C}}}tx"))
        position = ser.find(f"{{{C}}}dLbls/{{{C}}}dLblPos")
        dash = ser.find(f"{{{C}}}spPr/{{{A}}}ln/{{{A}}}prstDash")
        marker = ser.find(f"{{{C}}}marker/{{{C}}}symbol")
        colour = ser.find(f"{{{C}}}spPr/{{{A}}}ln/{{{A}}}solidFill/{{{A}}}srgbClr")
        series.append({
            "name": "".join(name.itertext()) if name is not None else None,
            "categories": ser.findtext(f"{{{C}}}cat//{{{C}}}f"), "values": ser.findtext(f"{{{C}}}val//{{{C}}}f"),
            "labels": labels, "deleted": deleted, "position": position.get("val") if position is not None else None,
            "dash": dash.get("val") if dash is not None else "solid",
            "marker": marker.get("val") if marker is not None else None,
            "colour": colour.get("val") if colour is not None else None})
    axis = {}
    value_axis = root.find(f".//{{{C}}}valAx")
    if value_axis is not None:
        scaling = value_axis.find(f"{{{C}}}scaling")
        for key, tag in (("min", "min"), ("max", "max")):
            element = scaling.find(f"{{{C}}}{tag}")
            axis[key] = float(element.get("val")) if element is not None else None
        unit = value_axis.find(f"{{{C}}}majorUnit")
        axis["major_unit"] = float(unit.get("val")) if unit is not None else None
        number_format = value_axis.find(f"{{{C}}}numFmt")
        axis["format"] = number_format.get("formatCode") if number_format is not None else None
    kinds = [child.tag.split("}")[1] for child in root.find(f".//{{{C}}}plotArea") if child.tag.endswith("Chart")]
    return {"title": _texts(title) if title is not None else None, "kinds": kinds, "series": series, "y_axis": axis}


def sparklines(xml: str) -> dict[str, tuple[str, str]]:
    """Cell -> (data range, sparkline type) of every sparkline in a sheet's XML."""
    root = ElementTree.fromstring(xml)
    out = {}
    for group in root.iter(f"{{{X14}}}sparklineGroup"):
        kind = group.get("type", "line")
        for line in group.iter(f"{{{X14}}}sparkline"):
            out[line.find(f"{{{XM}}}sqref").text] = (line.find(f"{{{XM}}}f").text, kind)
    return out


def _range_rows(ref: str) -> tuple[str, int, int, int]:
    """'KPI monthly'!C6:C17 -> (sheet, column, first row, last row)."""
    sheet, cells = ref.rsplit("!", 1)
    first, last = cells.replace("$", "").split(":")
    col, r0 = coordinate_from_string(first)
    _, r1 = coordinate_from_string(last)
    return sheet.strip("'").replace("''", "'"), column_index_from_string(col), r0, r1


def _kpi_series(wb) -> dict[str, list[tuple[int, object]]]:
    """KPI id -> [(sheet row, Value)] of its rows of tbl_kpi_monthly."""
    ws = sheet_of(wb, "tbl_kpi_monthly")
    c0, r0, c1, r1 = range_boundaries(ws.tables["tbl_kpi_monthly"].ref)
    header = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    out: dict[str, list] = {}
    for r in range(r0 + 1, r1 + 1):
        kpi_id = ws.cell(r, c0 + header.index("KPI id")).value
        out.setdefault(kpi_id, []).append((r, ws.cell(r, c0 + header.index("Value")).value))
    return out


def _check_sparklines(wb, xml: str, sheet: str, table: str, series: dict, problems: list[str],
                      ids: list[str | None]) -> None:
    """Every row of ``table`` whose id has a covered month has a column sparkline beside it over exactly
    those months of tbl_kpi_monthly; the other rows have none."""
    ws = wb[sheet]
    c0, r0, c1, r1 = range_boundaries(ws.tables[table].ref)
    lines = sparklines(xml)
    for k, kpi_id in enumerate(ids):
        cell = f"{get_column_letter(c1 + 1)}{r0 + 1 + k}"
        covered = [r for r, v in series.get(kpi_id, []) if v is not None] if kpi_id else []
        if not covered:
            if cell in lines and kpi_id is not None and kpi_id in series:
                problems.append(f"{sheet}!{cell}: a sparkline for {kpi_id}, which has no covered month")
            continue
        if cell not in lines:
            problems.append(f"{sheet}!{cell}: no sparkline for {kpi_id}")
            continue
        ref, kind = lines[cell]
        target, _, first, last = _range_rows(ref)
        if kind != "column":
            problems.append(f"{sheet}!{cell}: a {kind} sparkline (the contract asks for column sparklines)")
        if target != "KPI monthly" or (first, last) != (covered[0], covered[-1]):
            problems.append(f"{sheet}!{cell}: sparkline of {kpi_id} draws {ref}, not its covered months "
                            f"of tbl_kpi_monthly (rows {covered[0]}-{covered[-1]})")


def _check_scorecards(wb, parts: dict[str, str], problems: list[str]) -> None:
    kpis = table_dicts(sheet_of(wb, "tbl_kpis"), "tbl_kpis")
    series = _kpi_series(wb)
    for sheet, table in SCORECARDS.items():
        if sheet not in wb.sheetnames or table not in wb[sheet].tables:
            problems.append(f"{table} is not on the {sheet} sheet")
            continue
        rows = table_values(wb[sheet], table)
        if rows[0] != SCORECARD_COLUMNS:
            problems.append(f"{table}: columns {rows[0]}")
            continue
        expected = [[k.get(h) for h in SCORECARD_COLUMNS] for k in kpis if k.get("Section") == sheet]
        got = [r for r in rows[1:] if r[0] != "No data"]
        if got != expected:
            problems.append(f"{table} is not its section's rows of tbl_kpis")
        _check_sparklines(wb, parts[sheet], sheet, table, series, problems, [r[0] for r in got])


def _check_better_or_worse(wb, problems: list[str]) -> None:
    polarity = {s.id: s.polarity for s in measure_specs()}
    for k in table_dicts(sheet_of(wb, "tbl_kpis"), "tbl_kpis"):
        word = k.get("Better or worse")
        if word not in BETTER_OR_WORSE:
            problems.append(f"tbl_kpis {k['KPI id']}: Better or worse {word!r}")
        elif k["KPI id"] in polarity and word != better_or_worse(polarity[k["KPI id"]], k.get("Change")):
            problems.append(f"tbl_kpis {k['KPI id']}: Better or worse {word!r} for polarity "
                            f"{polarity[k['KPI id']]} and Change {k.get('Change')!r}")
    for h in table_dicts(wb["Summary"], "tbl_headlines"):
        if h.get("Better or worse") not in BETTER_OR_WORSE:
            problems.append(f"tbl_headlines {h['Measure']}: Better or worse {h.get('Better or worse')!r}")
        elif h.get("Change") is None and h.get("Better or worse") is not None:
            problems.append(f"tbl_headlines {h['Measure']}: Better or worse without a Change")


def _check_print(wb, parts: dict[str, str], problems: list[str]) -> None:
    for ws in wb.worksheets:
        setup = ws.page_setup
        if str(setup.paperSize) != "9":
            problems.append(f"{ws.title}: paper size {setup.paperSize}, not A4 (9)")
        if setup.orientation != "landscape":
            problems.append(f"{ws.title}: not landscape")
        if not ws.sheet_properties.pageSetUpPr.fitToPage or setup.fitToWidth not in (None, 1):
            problems.append(f"{ws.title}: not fit to one page wide")
        tall = 1 if ws.title == "Summary" else 0
        if (setup.fitToHeight if setup.fitToHeight is not None else 1) != tall:
            problems.append(f"{ws.title}: fit to {setup.fitToHeight} pages tall, not {tall or 'any number'}")
        if "OFFICIAL-SENSITIVE" not in (ws.oddHeader.center.text or ""):
            problems.append(f"{ws.title}: no classification in the page header")
        if ws.tables and not ws.print_title_rows:
            problems.append(f"{ws.title}: no header row repeated on each page")
        elif ws.tables:
            longest = max(ws.tables.values(), key=lambda t: range_boundaries(t.ref)[3] - range_boundaries(t.ref)[1])
            header_row = range_boundaries(longest.ref)[1]
            if ws.print_title_rows.replace("$", "") != f"{header_row}:{header_row}":
                problems.append(f"{ws.title}: repeats rows {ws.print_title_rows}, not the header of {longest.name}")
    summary = wb["Summary"]
    _, r0, _, r1 = print_area(summary)
    if print_width(summary) > MAX_WIDTH:
        problems.append(f"Summary: print area {print_width(summary):.1f} character widths wide (at most {MAX_WIDTH})")
    if r1 - r0 + 1 > SUMMARY_MAX_ROWS:
        problems.append(f"Summary: print area {r1 - r0 + 1} rows tall (at most {SUMMARY_MAX_ROWS})")
    for section in SECTIONS[1:]:
        if section in wb.sheetnames and print_width(wb[section]) > MAX_WIDTH:
            problems.append(f"{section}: print area {print_width(wb[section]):.1f} character widths wide")
    # Every chart inside the print area.
    for ws in wb.worksheets:
        c0, r0, c1, r1 = print_area(ws)
        for chart in ws._charts:
            to = chart.anchor.to
            if to.col + 1 > c1 or to.row + 1 > r1:
                problems.append(f"{ws.title}: a chart reaches past the print area")


def _check_layout(wb, problems: list[str]) -> None:
    """No chart over a cell holding text; header cells aligned as their column's values; headers bold."""
    for ws in wb.worksheets:
        for chart in ws._charts:
            a, b = chart.anchor._from, chart.anchor.to
            for row in ws.iter_rows(min_row=a.row + 1, max_row=b.row + 1, min_col=a.col + 1, max_col=b.col + 1):
                for cell in row:
                    if cell.value is not None:
                        problems.append(f"{ws.title}: a chart covers {cell.coordinate} ({str(cell.value)[:30]!r})")
        for table in ws.tables.values():
            c0, r0, c1, r1 = range_boundaries(table.ref)
            for c in range(c0, c1 + 1):
                header = ws.cell(r0, c)
                values = [ws.cell(r, c).value for r in range(r0 + 1, r1 + 1)]
                numeric = any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
                align = header.alignment.horizontal or "general"
                if numeric and align != "right" or not numeric and align == "right":
                    problems.append(f"{ws.title}!{header.coordinate} ({header.value}): header aligned {align} "
                                    f"over {'numbers' if numeric else 'text'}")
                if not header.font.b:
                    problems.append(f"{ws.title}!{header.coordinate}: header not bold")


def problems(path: Path) -> list[str]:
    """Every departure from the contract's sheets, scorecards, sparklines, print set-up and layout."""
    wb = load(path)
    parts = sheet_parts(path)
    found: list[str] = []
    if wb.sheetnames != contract_sheet_order():
        found.append(f"sheets {wb.sheetnames}")
        return found
    _check_scorecards(wb, parts, found)
    _check_better_or_worse(wb, found)
    series = _kpi_series(wb)
    headlines = table_dicts(wb["Summary"], "tbl_headlines")
    ids = [headline_kpi_id(str(h.get("Measure", ""))) for h in headlines]
    _check_sparklines(wb, parts["Summary"], "Summary", "tbl_headlines", series, found, ids)
    _check_print(wb, parts, found)
    _check_layout(wb, found)
    return found


def headline_kpi_id(measure: str) -> str | None:
    """The measure id a headline reports (its label, with the window in brackets after it), if a KPI."""
    measure = re.sub(r"(\s*\[note \d+\])+$", "", measure)  # a note marked on the headline
    labels = sorted(measure_specs(), key=lambda s: len(s.label), reverse=True)
    return next((s.id for s in labels if measure == s.label or measure.startswith(s.label + " (")
                 or measure.startswith(s.label[:-1] + ",")), None)


def narrative_cells(ws) -> list[str]:
    """The text cells above the heading of a sheet's first table (key messages and commentary), in order."""
    first = min((range_boundaries(t.ref)[1] for t in ws.tables.values()), default=ws.max_row + 1)
    return [c.value for row in ws.iter_rows(min_row=3, max_row=first - 2, max_col=1) for c in row
            if isinstance(c.value, str)]


def all_text(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
