#!/usr/bin/env bash
# System packages the test suite needs on Debian/Ubuntu: LibreOffice (the real-spreadsheet round trip),
# poppler-utils (pdftotext), Carlito (metric-compatible with Calibri, the workbook's font, so LibreOffice
# lays the sheets out and prints them as Excel does), and the shared libraries Qt's offscreen and xcb platforms load.
# Idempotent: installs only what is missing. Needs root (CI and the dev machines run as root) or sudo.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi carlito || need+=(fonts-crosextra-carlito)
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 libglib-2.0.so.0; do
  ldconfig -p 2>/dev/null | grep -F "$lib" >/dev/null || { need+=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0); break; }
done
# Qt's xcb platform plugin (the bundle's desktop window on Linux; the release smoke test checks every bundled
# library resolves): a fresh machine had all but icccm and keysyms.
for lib in libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-image.so.0 libxcb-render-util.so.0 libxcb-randr.so.0 \
           libxcb-shape.so.0 libxcb-xkb.so.1 libxkbcommon-x11.so.0 libxcb-cursor.so.0; do
  ldconfig -p 2>/dev/null | grep -F "$lib" >/dev/null || { need+=(libxcb-icccm4 libxcb-keysyms1 libxcb-image0
    libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-cursor0); break; }
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing system packages: ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
