#!/usr/bin/env bash
# Screenshots of the app's main states at 1366x768 with the demo sample data, for the README and the user guide:
# docs/screenshots/*.png (or the folder given as $1; further arguments go to scripts/screenshot_states.py,
# e.g. --only main-window).
#
# Runs the real app under Xvfb (a virtual X server, so the window is drawn by Qt's ordinary xcb platform
# with real fonts and style, not the offscreen test platform). Everything the app writes goes to a temporary
# folder: the demo inputs, the app-data folder and QSettings; the user's own profile is never touched.
# Needs the Debian packages xvfb and the xcb libraries Qt's xcb platform loads (installed when missing, as
# root or with sudo, like scripts/system-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-docs/screenshots}"
shift || true
PYTHON="${PYTHON:-.venv/bin/python}"

need=()
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
for pair in libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-cursor.so.0:libxcb-cursor0 \
            libxcb-shape.so.0:libxcb-shape0 libxcb-xkb.so.1:libxcb-xkb1 libxkbcommon-x11.so.0:libxkbcommon-x11-0 \
            libxcb-render-util.so.0:libxcb-render-util0 libxcb-image.so.0:libxcb-image0 \
            libxcb-randr.so.0:libxcb-randr0; do
  # grep without -q reads the whole list: with -q, ldconfig can die of SIGPIPE and pipefail fails the test
  ldconfig -p 2>/dev/null | grep -F "${pair%%:*}" >/dev/null || need+=("${pair##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages: ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

WORK="$(mktemp -d)"
XVFB_PID=""
cleanup() {
  if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# a free display number: the first without an X lock file
DISPLAY_NUMBER=99
while [ -e "/tmp/.X${DISPLAY_NUMBER}-lock" ]; do DISPLAY_NUMBER=$((DISPLAY_NUMBER + 1)); done
Xvfb ":${DISPLAY_NUMBER}" -screen 0 1600x1000x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${DISPLAY_NUMBER}" ] && break; sleep 0.1; done

mkdir -p "$OUT"
DISPLAY=":${DISPLAY_NUMBER}" QT_QPA_PLATFORM=xcb "$PYTHON" scripts/screenshot_states.py "$OUT" "$@"
