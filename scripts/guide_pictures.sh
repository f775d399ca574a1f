#!/usr/bin/env bash
# Pictures of the workbook's sheets for the user guide: build the demo workbook, print it to PDF with
# LibreOffice (a real spreadsheet program), and save the first page of each sheet as a PNG in docs/images/
# (sheet-01-contents.png ...). Needs LibreOffice and poppler-utils (scripts/system-deps.sh installs both).
# scripts/release.sh then puts them in the PDF and HTML user guide.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=${1:-docs/images}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$PY" -m pqa_desktop demo "$work/demo.xlsx" --produced 2024-10-07 >/dev/null 2>&1
soffice "-env:UserInstallation=file://$work/profile" --headless --convert-to pdf --outdir "$work" "$work/demo.xlsx" \
  >/dev/null
pdftotext -layout "$work/demo.pdf" "$work/demo.txt"
mkdir -p "$OUT"
rm -f "$OUT"/sheet-*.png
"$PY" - "$work/demo.xlsx" "$work/demo.txt" > "$work/pages.txt" <<'PYEOF'
# One line per sheet: "<first page number> <file stem>", the page being the first whose text holds the
# sheet's title (cell A1), searched from the previous sheet's page on (sheets print in order).
import re, sys
from openpyxl import load_workbook

def words(text):
    return re.sub(r"\s+", " ", text).strip()

pages = [words(p) for p in open(sys.argv[2], encoding="utf-8").read().split("\f")]
page = 0
for number, ws in enumerate(load_workbook(sys.argv[1], read_only=True).worksheets, start=1):
    title = words(str(next(ws.iter_rows(min_row=1, max_row=1, max_col=1, values_only=True))[0]))
    found = next((p for p in range(page, len(pages)) if title in pages[p]), None)
    if found is None:
        sys.exit(f"sheet {ws.title!r}: its title was not found in the PDF")
    page = found
    slug = re.sub(r"[^a-z0-9]+", "-", ws.title.lower()).strip("-")
    print(found + 1, f"sheet-{number:02d}-{slug}")
PYEOF
while read -r page stem; do
  pdftoppm -f "$page" -l "$page" -png -scale-to 1000 -singlefile "$work/demo.pdf" "$OUT/$stem"
done < "$work/pages.txt"
echo "guide pictures: $(wc -l < "$work/pages.txt") sheets -> $OUT"
