#!/usr/bin/env bash
# Pictures of the workbook's sheets for the user guide and the README: build the demo workbook, print it
# with LibreOffice (a real spreadsheet program) and save the first printed page of each sheet as a PNG in
# docs/images/ (sheet-01-contents.png ...), as scripts/render_workbook.py finds the pages by their footers;
# and, from the demo built for a council (Barnet), the Child protection page with the published-years charts
# (published-child-protection.png).
# Needs LibreOffice, Carlito and poppler-utils (scripts/system-deps.sh installs them).
# scripts/release.sh then puts them in the PDF and HTML user guide.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=${1:-docs/images}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$PY" -m pqa_desktop demo "$work/demo.xlsx" --produced 2024-10-07 >/dev/null 2>&1
"$PY" scripts/render_workbook.py "$work/demo.xlsx" "$work/print" --png first --scale-to 1100 >/dev/null
mkdir -p "$OUT"
rm -f "$OUT"/sheet-*.png
for png in "$work"/print/[0-9][0-9]-*.png; do
  cp "$png" "$OUT/sheet-$(basename "$png")"
done
"$PY" -m pqa_desktop demo "$work/council.xlsx" --produced 2024-10-07 --council Barnet >/dev/null 2>&1
"$PY" scripts/render_workbook.py "$work/council.xlsx" "$work/council" --png all --scale-to 1100 >/dev/null
cp "$(ls "$work"/council/09-child-protection-p*.png | tail -1)" "$OUT/published-child-protection.png"
echo "guide pictures: $(ls "$OUT"/sheet-*.png | wc -l) sheets and the published charts -> $OUT"
