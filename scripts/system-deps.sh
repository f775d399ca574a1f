#!/usr/bin/env bash
# System packages the test suite needs on Debian/Ubuntu: LibreOffice (the real-spreadsheet round trip),
# poppler-utils (pdftotext), Carlito (metric-compatible with Calibri, the workbook's font, so LibreOffice
# lays the sheets out and prints them as Excel does), and the shared libraries Qt's offscreen platform loads.
# Idempotent: installs only what is missing. Needs root (CI and the dev machines run as root) or sudo.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi carlito || need+=(fonts-crosextra-carlito)
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 libglib-2.0.so.0; do
  ldconfig -p 2>/dev/null | grep -F "$lib" >/dev/null || { need+=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0); break; }
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing system packages: ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
