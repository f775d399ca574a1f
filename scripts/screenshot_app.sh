#!/usr/bin/env bash
# Screenshot of the main window with the demo sample data loaded, for the README:
# docs/screenshots/main-window.png (or the path given as $1).
#
# Runs the real app under Xvfb (a virtual X server, so the window is drawn by Qt's ordinary xcb platform
# with real fonts and style, not the offscreen test platform). Everything the app writes goes to a temporary
# folder: the demo inputs, the app-data folder and QSettings; the user's own profile is never touched.
# Needs the Debian packages xvfb and the xcb libraries Qt's xcb platform loads (installed when missing, as
# root or with sudo, like scripts/system-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-docs/screenshots/main-window.png}"
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

mkdir -p "$(dirname "$OUT")"
DISPLAY=":${DISPLAY_NUMBER}" QT_QPA_PLATFORM=xcb PQA_DESKTOP_HOME="$WORK/app-data" \
  "$PYTHON" - "$OUT" "$WORK" <<'PY'
"""Open the main window on the demo inputs, wait for the check, grab the window to a PNG."""
import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from pqa_desktop.app.app_settings import APPLICATION, ORGANISATION, AppSettings
from pqa_desktop.app.main_window import MainWindow
from pqa_desktop.core.calendar import add_months
from pqa_desktop.core.sample_data import DEMO_PERIOD_END, LA_NAME, write_demo_inputs

out, work = Path(sys.argv[1]), Path(sys.argv[2])
QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # remembered settings go to the temporary folder
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "qsettings"))
app = QApplication([sys.argv[0]])
app.setOrganizationName(ORGANISATION)
app.setApplicationName(APPLICATION)

inputs = work / "Anytown returns"
write_demo_inputs(inputs)
settings = AppSettings()
settings.set_la_name(LA_NAME)
# "today" is in the month after the demo's period end, so the period defaults to the demo month
window = MainWindow(settings=settings, today=add_months(DEMO_PERIOD_END, 1))
window.resize(1280, 860)
window.show()

loop = QEventLoop()
window.analysis_ready.connect(loop.quit)
QTimer.singleShot(120_000, loop.quit)  # never hang a script: a missing check shows in the picture
window.add_paths([inputs])
loop.exec()
for _ in range(20):  # let the last repaints land (status text, column sizes)
    app.processEvents()
    QTimer.singleShot(25, loop.quit)
    loop.exec()
if not window.grab().save(str(out)):
    sys.exit(f"could not save {out}")
print(f"saved {out} ({window.width()}x{window.height()}, {window.inputs_model.rowCount()} inputs, "
      f"{window.findings_model.rowCount()} findings)")
window.close()
PY
