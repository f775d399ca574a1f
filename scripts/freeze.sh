#!/usr/bin/env bash
# Regenerate constraints.txt from the working virtual environment after a deliberate upgrade.
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "# Pinned versions (pip constraints) of everything PQA Desktop installs, tested together."
  echo "# Update deliberately: pip install -U ..., run make test, then regenerate with scripts/freeze.sh."
  {
    .venv/bin/pip freeze --exclude-editable | grep -vi '^pqa-desktop'
    # build-time only, installed apart from the virtual environment (see the Makefile's BUILD_ONLY)
    .venv/bin/pip freeze --path .venv/build-only 2>/dev/null | grep -i '^pyarrow=='
  } | sort -f
} > constraints.txt
