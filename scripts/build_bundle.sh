#!/usr/bin/env bash
# Build the one-folder bundle (dist/PQA Desktop/) with both executables. The same script serves
# Linux CI and (later) the Windows release workflow.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN build.spec
echo "bundle: dist/PQA Desktop ($(du -sh "dist/PQA Desktop" | cut -f1))"
