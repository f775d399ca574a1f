"""A real spreadsheet program opens the demo workbook: LibreOffice headless prints it to PDF, and the
printed pages are checked as a reader would see them (scripts/render_workbook.py): every sheet's title,
the Summary on exactly one page, every sheet on A4 landscape, nothing running into a page's footer (a chart
cut by the foot of a page would).

CI sets PQA_REQUIRE_LIBREOFFICE=1 so a missing LibreOffice fails instead of skipping.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pqa_desktop.cli import main

REPO = Path(__file__).resolve().parents[1]


def _render_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("render_workbook", REPO / "scripts" / "render_workbook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tool(name: str) -> str | None:
    path = shutil.which(name)
    if path is None and os.environ.get("PQA_REQUIRE_LIBREOFFICE"):
        pytest.fail(f"{name} is required (PQA_REQUIRE_LIBREOFFICE=1) but not installed; run scripts/system-deps.sh")
    return path


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def printed_demo(tmp_path_factory, shared_demo):
    """The demo workbook printed once by LibreOffice (scripts/render_workbook.py: one headless conversion to PDF,
    its pages counted per sheet, the Summary's first page as a PNG, the one picture a test looks at: a PNG of
    every sheet's first page was 19 pdftoppm runs, 4 s of CPU); both tests below read this one print, which each
    used to convert again with the same command."""
    if not _tool("soffice") or not _tool("pdftotext") or not _tool("pdftoppm"):
        pytest.skip("LibreOffice or poppler-utils not installed")
    folder = tmp_path_factory.mktemp("printed-demo")
    out = folder / "demo.xlsx"  # a copy of the demo built once per run: LibreOffice locks what it opens
    shutil.copyfile(shared_demo(), out)
    crossing: list[str] = []
    pages = _render_module().render(out, folder / "print", png="first", crossing=crossing, png_sheets={"Summary"})
    return out, folder / "print", pages, crossing


@pytest.mark.libreoffice
def test_demo_workbook_converts_to_pdf_with_every_sheet_title(printed_demo):
    out, printed, _, _ = printed_demo
    pdf = printed / "demo.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    text = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          timeout=60).stdout
    flat = _words(text)
    titles = [_words(str(ws["A1"].value)) for ws in load_workbook(out).worksheets]
    missing = [t for t in titles if t not in flat]
    assert not missing, f"sheet titles not in the PDF: {missing}"


@pytest.mark.libreoffice
def test_demo_prints_as_a_report(printed_demo):
    """Printed by LibreOffice: the Summary on exactly one A4 landscape page, every sheet on at least one,
    each chart whole on a page (nothing crosses into a footer), and the section sheets short enough to
    read (a KPI section on at most three pages)."""
    out, printed, pages, crossing = printed_demo
    assert list(pages) == load_workbook(out, read_only=True).sheetnames
    assert len(pages["Summary"]) == 1
    assert all(pages.values()), {k: v for k, v in pages.items() if not v}
    assert not crossing, crossing
    for section in ("Identification of harm", "Assessment", "Child protection", "Plans and children in care",
                    "Care leavers"):
        assert len(pages[section]) <= 3, (section, pages[section])
    size = subprocess.run(["pdfinfo", str(printed / "demo.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)", size), size  # A4 landscape
    summary_png = printed / "02-summary.png"
    assert summary_png.is_file() and summary_png.stat().st_size > 20_000


@pytest.mark.libreoffice
def test_demo_for_a_council_prints_as_a_report(tmp_path, shared_demo):
    """Built for a council, with a published-series chart per paired measure in the section sheets' grids: still
    the contract's layout read back, the Summary on one page, every chart whole (nothing crosses a footer), and
    each section sheet at most two pages longer than without a council (a page holds two rows of charts)."""
    if not _tool("soffice") or not _tool("pdftotext") or not _tool("pdftoppm"):
        pytest.skip("LibreOffice or poppler-utils not installed")
    from tests import workbook_checks as checks

    out = tmp_path / "barnet.xlsx"  # a copy of the demo built once per run: LibreOffice locks what it opens
    shutil.copyfile(shared_demo("Barnet"), out)
    assert checks.problems(out) == []
    crossing: list[str] = []
    pages = _render_module().render(out, tmp_path / "print", png="none", crossing=crossing)
    assert len(pages["Summary"]) == 1 and all(pages.values())
    assert not crossing, crossing
    published = {sheet: sum(", DfE figures:\n" in (c["title"] or "") for c in found)
                 for sheet, found in checks.charts(out).items()}
    assert sum(published.values()) == 15
    for section in ("Identification of harm", "Assessment", "Child protection", "Plans and children in care",
                    "Care leavers", "Workforce", "Fostering"):
        assert len(pages[section]) <= 3 + (published[section] + 1) // 2, (section, pages[section])
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "print" / "barnet.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert "Barnet 82.7% in 2024-25, above statistical neighbours (72.5%)" in _words(text)


BENCH_DATA = REPO / "out" / "bench-data"


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(not (BENCH_DATA / "parameters.json").is_file(),
                    reason="no large council's year: `make bench` (or scripts/bench.py) generates out/bench-data")
def test_large_council_year_reads_as_a_report(tmp_path):
    """The benchmark's large council's year (1,200 audits, 120,000 contacts, …) follows the contract's
    layout as the demo does: read back (workbook_checks) and printed (the Summary on one page, nothing
    crossing a footer), and stays under 2 MB."""
    if not _tool("soffice") or not _tool("pdftotext") or not _tool("pdftoppm"):
        pytest.skip("LibreOffice or poppler-utils not installed")
    from tests import workbook_checks as checks

    out = tmp_path / "large.xlsx"
    assert main(["build", str(BENCH_DATA / "returns"), str(BENCH_DATA / "exports"), "-o", str(out),
                 "--period-end", "2024-09", "--settings", str(BENCH_DATA / "settings.toml"),
                 "--produced", "2024-10-07"]) == 0
    assert out.stat().st_size < 2_000_000
    assert checks.problems(out) == []
    crossing: list[str] = []
    pages = _render_module().render(out, tmp_path / "print", png="none", crossing=crossing)
    assert len(pages["Summary"]) == 1 and all(pages.values())
    assert not crossing, crossing
