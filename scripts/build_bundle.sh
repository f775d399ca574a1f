#!/usr/bin/env bash
# Build the one-folder bundle (dist/PQA Desktop/) with both executables, `pqa` and `PQA Desktop`.
# The same script serves Linux CI and the Windows release workflow (Git Bash), through scripts/release.sh.
# PY picks the build Python: the project's .venv when there is one, else `python` on the PATH (CI on Windows).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PY:-}" ]; then
  for candidate in .venv/bin/python .venv/Scripts/python.exe; do
    if [ -x "$candidate" ]; then PY=$candidate; break; fi
  done
fi
PY=${PY:-python}
started=$SECONDS
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN build.spec
echo "bundle: dist/PQA Desktop ($(du -sh "dist/PQA Desktop" | cut -f1), built in $((SECONDS - started)) s)"
