#!/usr/bin/env bash
# Smoke-test the built bundle: --version, then `pqa build` from inside the bundle on the sample data.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
BUNDLE="dist/PQA Desktop"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BUNDLE/pqa" --version
"$PY" -c "import sys; from pqa_desktop.core.sample_data import write_demo_inputs; write_demo_inputs(sys.argv[1])" "$work/inputs"
"$BUNDLE/pqa" build "$work/inputs" -o "$work/out.xlsx" --period-end 2024-09 --la-name "Anytown Council" --produced 2024-10-07
test -s "$work/out.xlsx"
"$PY" - "$work/out.xlsx" <<'PYEOF'
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
tables = {name for ws in wb.worksheets for name in ws.tables}
assert "tbl_overall_by_month" in tables and "tbl_audits" in tables, tables
print(f"bundle smoke test: {len(wb.sheetnames)} sheets, {len(tables)} tables")
PYEOF
