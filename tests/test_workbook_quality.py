"""Quality gates on the workbook a manager receives: accessibility self-checks on the demo workbook, read from
the saved file (cells with openpyxl, charts and drawings from the raw XML), and a real-client round trip
(LibreOffice converts every output of the sample data without error).

The accessibility checks follow the government spreadsheet guidance and WCAG 2.2 AA as report-workbook.md
states them: alt text on every chart, a title in A1 of every sheet, named tables with one header row, no
merged cells in tables, chart colours with at least 3:1 contrast, and no meaning carried by colour alone.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from pqa_desktop.cli import main

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
}
WHITE = "FFFFFF"
GRAPHIC_CONTRAST = 3.0  # WCAG 1.4.11 non-text contrast: chart marks against the white plot area
TEXT_CONTRAST = 4.5     # WCAG 1.4.3: data-label text (8 pt) against the bar it sits on
INSIDE_POSITIONS = {"ctr", "inEnd", "inBase"}
REPO = Path(__file__).resolve().parents[1]


# --- WCAG contrast, worked by hand ------------------------------------------------------------------
def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour 'RRGGBB'."""
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_known_values():
    # Black on white is the maximum, 21:1; identical colours 1:1; #767676 is the lightest grey with 4.5:1 on
    # white (WebAIM's example); #D9D9D9 (L = 0.693) gives 1.05 / 0.743 = 1.41:1.
    assert contrast("000000", WHITE) == pytest.approx(21.0)
    assert contrast("7F7F7F", "7F7F7F") == pytest.approx(1.0)
    assert contrast("767676", WHITE) == pytest.approx(4.54, abs=0.01)
    assert contrast("D9D9D9", WHITE) < GRAPHIC_CONTRAST  # the light gridline grey would fail as a data colour


# --- the demo workbook, built once ----------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(shared_demo) -> Path:
    return shared_demo()  # built once per run (conftest.py)


@pytest.fixture(scope="module")
def workbook(demo):
    return load_workbook(demo)


@pytest.fixture(scope="module")
def parts(demo) -> dict[str, bytes]:
    with zipfile.ZipFile(demo) as z:
        return {name: z.read(name) for name in z.namelist()}


def _charts(parts) -> dict[str, object]:
    return {name: ElementTree.fromstring(data) for name, data in sorted(parts.items())
            if re.fullmatch(r"xl/charts/chart\d+\.xml", name)}


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{{{NS['a']}}}t")) + \
        "".join(v.text or "" for v in element.iter(f"{{{NS['c']}}}v"))


def _solid_colour(sp_pr, line: bool) -> str | None:
    if sp_pr is None:
        return None
    path = "a:ln/a:solidFill/a:srgbClr" if line else "a:solidFill/a:srgbClr"
    found = sp_pr.find(path, NS)
    return found.get("val").upper() if found is not None else None


def _series(chart):
    """(plot kind, grouping, series element) for every series in every plot of the chart."""
    plot_area = chart.find("c:chart/c:plotArea", NS)
    for plot in plot_area:
        kind = plot.tag.split("}")[1]
        if not kind.endswith("Chart"):
            continue
        grouping = plot.find("c:grouping", NS)
        for ser in plot.findall("c:ser", NS):
            yield kind, (grouping.get("val") if grouping is not None else None), ser


def test_the_demo_has_charts_to_check(parts):
    assert len(_charts(parts)) >= 20


def test_every_chart_has_alt_text_stating_a_finding(parts):
    charts = _charts(parts)
    frames = []
    for name, data in parts.items():
        if re.fullmatch(r"xl/drawings/drawing\d+\.xml", name):
            drawing = ElementTree.fromstring(data)
            for frame in drawing.iter(f"{{{NS['xdr']}}}graphicFrame"):
                frames.append((name, frame.find("xdr:nvGraphicFramePr/xdr:cNvPr", NS).get("descr") or ""))
    assert len(frames) == len(charts), "every chart sits in a drawing frame"
    for name, descr in frames:
        # A sentence, not just the title: at least a clause and a figure ("137 audits ...", "63%").
        assert len(descr) >= 30 and re.search(r"\d", descr), f"{name}: alt text {descr!r} states no finding"


def test_every_chart_has_a_title_and_named_series(parts):
    for name, chart in _charts(parts).items():
        title = chart.find("c:chart/c:title", NS)
        assert title is not None and _text(title).strip(), f"{name}: no chart title"
        for _, _, ser in _series(chart):
            tx = ser.find("c:tx", NS)
            assert tx is not None and _text(tx).strip(), f"{name}: a series has no name for the legend"


def test_chart_palette_contrast_at_least_3_to_1_against_white(parts):
    checked = 0
    for name, chart in _charts(parts).items():
        for kind, _, ser in _series(chart):
            sp_pr = ser.find("c:spPr", NS)
            colour = _solid_colour(sp_pr, line=(kind == "lineChart"))
            assert colour, f"{name}: a {kind} series has no explicit colour (Excel's theme colours are unchecked)"
            ratio = contrast(colour, WHITE)
            assert ratio >= GRAPHIC_CONTRAST, f"{name}: series colour #{colour} has {ratio:.2f}:1 against white"
            checked += 1
    assert checked >= 40


def test_data_labels_inside_bars_are_readable_on_the_bar(parts):
    for name, chart in _charts(parts).items():
        for kind, grouping, ser in _series(chart):
            labels = ser.find("c:dLbls", NS)
            if kind != "barChart" or labels is None:
                continue
            position = labels.find("c:dLblPos", NS)
            pos = position.get("val") if position is not None else None
            inside = pos in INSIDE_POSITIONS or (pos is None and grouping in {"stacked", "percentStacked"})
            if not inside:
                continue
            fill = _solid_colour(ser.find("c:spPr", NS), line=False)
            text = labels.find("c:txPr//a:defRPr/a:solidFill/a:srgbClr", NS)
            text_colour = text.get("val").upper() if text is not None else "000000"  # Excel's default text
            ratio = contrast(text_colour, fill)
            assert ratio >= TEXT_CONTRAST, f"{name}: label #{text_colour} on bar #{fill} is {ratio:.2f}:1"


def test_no_chart_relies_on_colour_alone(parts):
    # Each chart tells its series apart in words: a legend naming them, or data labels on the marks.
    for name, chart in _charts(parts).items():
        series = list(_series(chart))
        legend = chart.find("c:chart/c:legend", NS)
        has_legend = legend is not None and legend.find("c:delete[@val='1']", NS) is None
        labelled = all(ser.find("c:dLbls", NS) is not None and
                       ser.find("c:dLbls/c:showVal[@val='1']", NS) is not None for _, _, ser in series)
        if len(series) > 1:
            assert has_legend, f"{name}: {len(series)} series but no legend"
        else:
            assert has_legend or labelled, f"{name}: neither a legend nor data labels"


def test_title_in_a1_and_description_in_a2_of_every_sheet(workbook):
    for ws in workbook.worksheets:
        title, description = ws["A1"].value, ws["A2"].value
        assert isinstance(title, str) and len(title.strip()) >= 5, f"{ws.title}: no title in A1"
        assert isinstance(description, str) and description.strip(), f"{ws.title}: no description in A2"
        for table in ws.tables.values():
            min_col, min_row, _, _ = range_boundaries(table.ref)
            assert min_row > 2, f"{ws.title}: table {table.name} covers the title rows"


def test_named_tables_with_one_header_row(workbook):
    names = []
    for ws in workbook.worksheets:
        for table in ws.tables.values():
            names.append(table.name)
            assert table.name.startswith("tbl_"), f"{ws.title}: table {table.name} has a default name"
            assert table.headerRowCount in (None, 1), f"{table.name}: {table.headerRowCount} header rows"
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
            assert all(isinstance(h, str) and h.strip() for h in headers), f"{table.name}: blank header"
            assert len(set(headers)) == len(headers), f"{table.name}: repeated header"
            # No second header row stacked above: above the header only the table's caption, in its first cell.
            above = [ws.cell(min_row - 1, c).value for c in range(min_col + 1, max_col + 1)]
            assert all(v in (None, "") for v in above), f"{table.name}: a second header row above the table"
            assert max_row > min_row, f"{table.name}: no data rows"
    assert len(names) == len(set(names)) >= 25


def test_no_merged_cells_in_tables(workbook):
    for ws in workbook.worksheets:
        for merged in ws.merged_cells.ranges:
            for table in ws.tables.values():
                t_min_col, t_min_row, t_max_col, t_max_row = range_boundaries(table.ref)
                overlaps = not (merged.max_col < t_min_col or merged.min_col > t_max_col or
                                merged.max_row < t_min_row or merged.min_row > t_max_row)
                assert not overlaps, f"{ws.title}: merged {merged.coord} inside table {table.name}"


def test_status_columns_hold_words(workbook):
    seen = 0
    for ws in workbook.worksheets:
        for table in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            for col in range(min_col, max_col + 1):
                if ws.cell(min_row, col).value != "Status":
                    continue
                for row in range(min_row + 1, max_row + 1):
                    value = ws.cell(row, col).value
                    if value in (None, ""):
                        continue
                    seen += 1
                    assert isinstance(value, str) and re.search(r"[A-Za-z]{2,}", value), \
                        f"{table.name} row {row}: status {value!r} is not a word"
    assert seen >= 5, "the demo should have statuses to check"


def test_grades_in_the_audit_list_are_words(workbook):
    ws = workbook["Audit list"]
    table = ws.tables["tbl_audits"]
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    headers = {ws.cell(min_row, c).value: c for c in range(min_col, max_col + 1)}
    words = {"Outstanding", "Good", "Requires improvement", "Inadequate", "Not applicable"}
    overall = [ws.cell(r, headers["Overall"]).value for r in range(min_row + 1, max_row + 1)]
    assert {v for v in overall if v} <= words and any(overall)


def test_guide_has_a_picture_of_every_sheet(workbook):
    # scripts/guide_pictures.sh names them sheet-NN-<sheet name>.png, in sheet order.
    expected = [f"sheet-{n:02d}-{re.sub(r'[^a-z0-9]+', '-', ws.title.lower()).strip('-')}.png"
                for n, ws in enumerate(workbook.worksheets, start=1)]
    pictures = sorted(p.name for p in (REPO / "docs" / "images").glob("sheet-*.png"))
    assert pictures == expected, "run scripts/guide_pictures.sh to remake the guide's pictures"
    guide = (REPO / "docs" / "user-guide.md").read_text(encoding="utf-8")
    assert all(f"images/{name}" in guide for name in expected)


# --- a real client: LibreOffice opens every output ------------------------------------------------
def _tool(name: str) -> str | None:
    path = shutil.which(name)
    if path is None and os.environ.get("PQA_REQUIRE_LIBREOFFICE"):
        pytest.fail(f"{name} is required (PQA_REQUIRE_LIBREOFFICE=1) but not installed; run scripts/system-deps.sh")
    return path


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_converts_every_output_of_the_sample_data(tmp_path, shared_demo_inputs, shared_report):
    soffice, pdfinfo = _tool("soffice"), _tool("pdfinfo")
    if not soffice or not pdfinfo:
        pytest.skip("LibreOffice or poppler-utils not installed")
    inputs = shared_demo_inputs.directory  # generated once per run and only read here (conftest.py)
    out = tmp_path / "out"
    out.mkdir()
    # the default report, built once per run with these arguments (conftest.py), copied: LibreOffice locks what it opens
    common = ["--period-end", "2024-09", "--la-name", "Anytown Council", "--produced", "2024-10-07"]
    shutil.copyfile(shared_report[0], out / "default.xlsx")
    builds = {
        "opted-in.xlsx": ["--include-case-refs", "--include-staff-names"],
        "no-feedback-text.xlsx": ["--no-feedback-text"],
    }
    for name, options in builds.items():
        assert main(["build", str(inputs), "-o", str(out / name), *common, *options]) == 0
    assert main(["templates", str(out / "templates")]) == 0
    outputs = sorted(out.glob("*.xlsx")) + sorted((out / "templates").glob("*.xlsx"))
    assert len(outputs) == 6
    pdfs = tmp_path / "pdf"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(pdfs), *map(str, outputs)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    sheets = {p.name: len(load_workbook(p, read_only=True).sheetnames) for p in outputs}
    for output in outputs:
        pdf = pdfs / (output.stem + ".pdf")
        assert pdf.is_file() and pdf.stat().st_size > 5_000, f"LibreOffice did not convert {output.name}"
        info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, timeout=60).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        # A workbook prints every sheet, each on at least one page; a template at least its form.
        assert pages >= (sheets[output.name] if output.parent == out else 1), f"{output.name}: {pages} pages"
