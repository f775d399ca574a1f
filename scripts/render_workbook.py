"""Print a workbook through LibreOffice and look at it: PDF, the pages of each sheet, and PNGs.

Usage: python scripts/render_workbook.py WORKBOOK.xlsx OUTDIR [--png first|all|none] [--scale-to PX]

LibreOffice (headless) prints the workbook to OUTDIR/<name>.pdf with each sheet's own print set-up;
every page's footer names its sheet (the workbook's footer is "&A … Page &P of &N"), so the pages are
counted per sheet. With --png, OUTDIR/<nn>-<sheet>[-p<k>].png holds the first (or every) page of each
sheet, to look at. Prints one line per sheet ("Summary: 1 page") and writes OUTDIR/pages.json. Needs
LibreOffice (soffice) and poppler-utils (pdftotext, pdftoppm).
"""
from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def to_pdf(workbook: Path, outdir: Path, timeout: int = 300) -> Path:
    """LibreOffice prints the workbook (its own profile, so a running LibreOffice is not disturbed)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pqa-lo-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(outdir), str(workbook)], check=True, capture_output=True, timeout=timeout)
    pdf = outdir / (workbook.stem + ".pdf")
    if not pdf.is_file():
        raise RuntimeError(f"LibreOffice did not print {workbook.name}")
    return pdf


def page_texts(pdf: Path, footer_only: bool = False) -> list[str]:
    """Each page's text (``footer_only``: the bottom band of an A4 landscape page, where the footer is)."""
    crop = ["-x", "0", "-y", "560", "-W", "842", "-H", "35"] if footer_only else []
    out = subprocess.run(["pdftotext", "-layout", *crop, str(pdf), "-"], check=True, capture_output=True,
                         text=True, encoding="utf-8").stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def footers(pdf: Path) -> list[str]:
    """Each page's footer line: the words on the baseline of its last "Page N of M", left to right."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True,
                         encoding="utf-8").stdout
    result = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", out, flags=re.S):
        words = [(float(x0), float(y0), html.unescape(w)) for x0, y0, w in
                 re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" [^>]*>([^<]*)</word>', page)]
        marks = [i for i, (_, _, w) in enumerate(words[:-3]) if w == "Page" and words[i + 2][2] == "of"]
        if not marks:
            result.append("")
            continue
        x_page, y_page, _ = words[marks[-1]]
        line = sorted((x, w) for x, y, w in words if abs(y - y_page) < 0.6)
        result.append(" ".join(w for _, w in line))
    return result


def pages_by_sheet(pdf: Path, sheet_names: list[str], crossing: list[str] | None = None) -> dict[str, list[int]]:
    """Sheet name -> its page numbers (1-based), read from each page's footer (the sheet's name, bottom left).
    ``crossing`` collects the pages where something else (a chart, a cell) runs into the footer line."""
    names = sorted(sheet_names, key=len, reverse=True)
    out: dict[str, list[int]] = {name: [] for name in sheet_names}
    for number, footer in enumerate(footers(pdf), start=1):
        name = next((n for n in names if _in_order(n.split(), footer.split())), None)
        if name is None:
            raise RuntimeError(f"page {number}: no sheet name in its footer ({footer!r})")
        out[name].append(number)
        words = footer.split()
        if crossing is not None and words != [*name.split(), "Page", str(number), "of", words[-1]]:
            crossing.append(f"page {number} ({name}): {footer!r}")
    return out


def _in_order(words: list[str], line: list[str]) -> bool:
    """The words appear in the line in this order (a chart's label may share the footer's baseline)."""
    it = iter(line)
    return all(any(w == x for x in it) for w in words)


def render(workbook: Path, outdir: Path, png: str = "first", scale_to: int = 1400,
           crossing: list[str] | None = None, png_sheets: set[str] | None = None) -> dict[str, list[int]]:
    """Print the workbook, count each sheet's pages, and write PNGs of its pages (``png``: first/all/none; of the
    sheets named in ``png_sheets`` only, when given: each PNG is a pdftoppm run of 0.2 s).
    ``crossing`` collects pages where something runs into the footer (a chart cut by the foot of a page)."""
    pdf = to_pdf(workbook, outdir)
    sheets = load_workbook(workbook, read_only=True).sheetnames
    pages = pages_by_sheet(pdf, sheets, crossing)
    if png != "none":
        for index, name in enumerate(sheets, start=1):
            if png_sheets is not None and name not in png_sheets:
                continue
            chosen = pages[name] if png == "all" else pages[name][:1]
            for k, page in enumerate(chosen, start=1):
                suffix = f"-p{k}" if png == "all" and len(pages[name]) > 1 else ""
                stem = outdir / f"{index:02d}-{slug(name)}{suffix}"
                subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-png", "-scale-to", str(scale_to),
                                "-singlefile", str(pdf), str(stem)], check=True, capture_output=True)
    (outdir / "pages.json").write_text(json.dumps(pages, indent=1), encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--png", choices=("first", "all", "none"), default="first")
    parser.add_argument("--scale-to", type=int, default=1400, help="longest side of each PNG, in pixels")
    args = parser.parse_args(argv)
    if not shutil.which("soffice") or not shutil.which("pdftotext"):
        sys.stderr.write("needs LibreOffice (soffice) and poppler-utils (scripts/system-deps.sh)\n")
        return 2
    crossing: list[str] = []
    pages = render(args.workbook, args.outdir, args.png, args.scale_to, crossing)
    for name, numbers in pages.items():
        print(f"{name}: {len(numbers)} page{'s' if len(numbers) != 1 else ''}")
    for line in crossing:
        print(f"runs into the footer: {line}")
    return 1 if crossing else 0


if __name__ == "__main__":
    sys.exit(main())
