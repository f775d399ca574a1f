#!/usr/bin/env bash
# Build the release: the one-folder bundle, with the auditor templates, the user guide, licences and an SBOM,
# zipped, with SHA-256 checksums. The same script on Linux and on Windows (the release workflow runs it in
# Git Bash on windows-latest), so what CI proves on Linux is what ships on Windows.
#
# Outputs in dist/release/:
#   PQA-Desktop-<version>-<platform>-x64.zip          the folder "PQA Desktop" (unzip anywhere, run in place)
#   PQA-Desktop-<version>-<platform>-x64.cdx.json     the software bill of materials (CycloneDX 1.5)
#   SHA256SUMS                                        checksums of both (sha256sum -c SHA256SUMS)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PY:-}" ]; then
  for candidate in .venv/bin/python .venv/Scripts/python.exe; do
    if [ -x "$candidate" ]; then PY=$candidate; break; fi
  done
fi
PY=${PY:-python}
case "$PY" in */*) PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")" ;; esac  # stays valid after cd
export PY
started=$SECONDS

case "$(uname -s)" in
  MINGW*|MSYS*|CYGWIN*) platform=windows ;;
  *) platform=$(uname -s | tr '[:upper:]' '[:lower:]') ;;
esac
# The bundle must stay under 150 MB on every platform (issue 7), counted as du -m counts: MiB of disk space,
# rounded up, which is also what Windows Explorer shows as "MB".
max_mb=${PQA_BUNDLE_MAX_MB:-150}
version=$("$PY" -c "import sys; sys.path.insert(0, 'scripts'); from pathlib import Path; \
from windows_version import package_version; print(package_version(Path('.')))")
name="PQA-Desktop-$version-$platform-x64"
release=dist/release
stage="$release/stage/PQA Desktop"

rm -rf "$release"  # only this release's files in it: the upload step takes the folder whole
scripts/build_bundle.sh
bundle_mb=$(du -sm "dist/PQA Desktop" | cut -f1)
echo "release: bundle dist/PQA Desktop is $bundle_mb MB (limit $max_mb MB)"
[ "$bundle_mb" -le "$max_mb" ] || { echo "release: bundle is $bundle_mb MB, over $max_mb MB" >&2; exit 1; }

# The user guide from docs/user-guide.md: PDF (laid out by Qt, no LibreOffice needed) and self-contained HTML.
"$PY" scripts/user_guide.py --html "$release/guide/User guide.html" --pdf "$release/guide/User guide.pdf"

mkdir -p "$release/stage"
cp -R "dist/PQA Desktop" "$stage"
mkdir -p "$stage/Auditor templates"
cp workbook_templates/*.xlsx "$stage/Auditor templates/"
cp "$release/guide/User guide.pdf" "$release/guide/User guide.html" "$stage/"
"$PY" scripts/third_party.py sbom "$release/$name.cdx.json" --packages "$stage/licences/bundled-packages.txt"
cp "$release/$name.cdx.json" "$stage/licences/sbom.cdx.json"

# Zipped by Python (Git Bash has no zip), links and permissions kept; paths inside start "PQA Desktop/".
"$PY" scripts/zip_folder.py create "$release/$name.zip" "$stage" >/dev/null
(cd "$release" && sha256sum "$name.zip" "$name.cdx.json" > SHA256SUMS && sha256sum -c SHA256SUMS >/dev/null)
rm -rf "$release/stage" "$release/guide"
echo "release: $release/$name.zip ($(du -h "$release/$name.zip" | cut -f1) zipped, bundle $bundle_mb MB)," \
     "SBOM, SHA256SUMS in $((SECONDS - started)) s"
