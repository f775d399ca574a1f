"""A real spreadsheet program opens the demo workbook: LibreOffice headless converts it to PDF.

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


def _tool(name: str) -> str | None:
    path = shutil.which(name)
    if path is None and os.environ.get("PQA_REQUIRE_LIBREOFFICE"):
        pytest.fail(f"{name} is required (PQA_REQUIRE_LIBREOFFICE=1) but not installed; run scripts/system-deps.sh")
    return path


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.libreoffice
def test_demo_workbook_converts_to_pdf_with_every_sheet_title(tmp_path):
    soffice, pdftotext = _tool("soffice"), _tool("pdftotext")
    if not soffice or not pdftotext:
        pytest.skip("LibreOffice or pdftotext not installed")
    out = tmp_path / "demo.xlsx"
    assert main(["demo", str(out), "--produced", "2024-10-07"]) == 0
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "demo.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          timeout=60).stdout
    flat = _words(text)
    titles = [_words(str(ws["A1"].value)) for ws in load_workbook(out).worksheets]
    missing = [t for t in titles if t not in flat]
    assert not missing, f"sheet titles not in the PDF: {missing}"
