"""Screenshots of the app's main states at 1366x768, for the README and the user guide (docs/screenshots/).

Run by scripts/screenshot_app.sh (under Xvfb, Qt's ordinary xcb platform) or on its own with
QT_QPA_PLATFORM=offscreen. Everything the app writes goes to a temporary folder (the demo inputs, the app-data
folder, QSettings); the user's own profile is never touched. Reading is slowed to about 0.1 s a file, as on
a slow laptop, so the pictures of a read in progress and of a stopped read show what the user sees then.

    python scripts/screenshot_states.py OUTDIR [--only NAME]

States: empty-window, reading, stopped, main-window, findings-by-auditor, accept-dialog, settings-targets.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

WIDTH, HEIGHT = 1366, 768
SLOW_READ_S = 0.1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pqa-shots-"))
    os.environ["PQA_DESKTOP_HOME"] = str(work / "app-data")
    os.environ["PQA_READ_WORKERS"] = "0"  # read in the check's thread, so the slowed reading below applies

    from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from pqa_desktop.app.app_settings import APPLICATION, ORGANISATION, AppSettings
    from pqa_desktop.app.findings_model import FINDING_ROLE
    from pqa_desktop.app.findings_view import GROUP_BY_AUDITOR
    from pqa_desktop.app.main_window import MainWindow
    from pqa_desktop.app.settings_dialog import SettingsDialog
    from pqa_desktop.core.pipeline import reading
    from pqa_desktop.core.calendar import add_months
    from pqa_desktop.core.finding_status import ACCEPTED
    from pqa_desktop.core.sample.demo import DEMO_PERIOD_END, LA_NAME, write_demo_inputs

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "qsettings"))
    app = QApplication([sys.argv[0]])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    real_read = reading.read_input

    def slow_read(item, overrides=None):
        time.sleep(SLOW_READ_S)
        return real_read(item, overrides)
    reading.read_input = slow_read

    out = args.outdir
    out.mkdir(parents=True, exist_ok=True)
    wanted = set(args.only)

    def pump(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for(signal, timeout_s: int = 180) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_s * 1000, loop.quit)
        loop.exec()
        pump(300)  # the last repaints (status text, column sizes)

    def shot(widget, name: str) -> None:
        if wanted and name not in wanted:
            return
        pump(200)
        path = out / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise SystemExit(f"could not save {path}")
        print(f"saved {path} ({widget.width()}x{widget.height()})")

    inputs = work / "Anytown returns"
    write_demo_inputs(inputs)
    settings = AppSettings()
    settings.set_la_name(LA_NAME)
    # "today" is in the month after the demo's period end, so the period defaults to the demo month
    window = MainWindow(settings=settings, today=add_months(DEMO_PERIOD_END, 1))
    window.resize(WIDTH, HEIGHT)
    window.show()
    pump(300)
    shot(window, "empty-window")

    window.add_paths([inputs])
    deadline = time.monotonic() + 60
    while window.inputs_model.rowCount() < 40 and time.monotonic() < deadline:
        pump(100)
    pump(600)  # the next batch and the estimate
    shot(window, "reading")
    while window.inputs_model.rowCount() < 70 and time.monotonic() < deadline:
        pump(100)
    window.cancel_current()  # as Esc does
    wait_for(window.analysis_ready)
    window.inputs_view.sortByColumn(5, Qt.SortOrder.AscendingOrder)  # by status: what needs attention first, not read yet last
    shot(window, "stopped")

    window.inputs_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    window.checks.continue_reading()
    wait_for(window.analysis_ready)
    shot(window, "main-window")

    panel = window.findings_panel
    panel.set_group_by(GROUP_BY_AUDITOR)
    proxy = window.findings_proxy
    target = next((proxy.index(r, 0).data(FINDING_ROLE) for r in range(proxy.rowCount())
                   if proxy.index(r, 0).data(FINDING_ROLE).rule == "grade.number"), None)
    if target is not None:  # one finding accepted, so the picture shows a status other than Open
        window.workspace.set_finding_status(target, ACCEPTED, "grade number agreed with the auditor", "qa.officer")
        window.session.analysis.statuses = window.workspace.finding_statuses()
        panel.set_statuses(window.session.analysis.statuses)
    auditors = [panel.tree_model.item(r).text() for r in range(1, panel.tree_model.rowCount())]
    named = next((t.split(":")[0] for t in auditors if not t.startswith("No auditor")), None)
    if named:
        panel.select_group(auditor=named)
        window.findings_view.selectRow(0)
    shot(window, "findings-by-auditor")

    if not wanted or "accept-dialog" in wanted:
        from pqa_desktop.app.finding_dialogs import AcceptDialog
        dialog = AcceptDialog(panel.selected_findings() or window.session.analysis.findings[:1], window)
        dialog.reason_edit.setText("grade agreed at moderation")
        dialog.show()
        shot(dialog, "accept-dialog")
        dialog.close()

    if not wanted or "settings-targets" in wanted:
        dialog = SettingsDialog(window.report_content.report_settings, window, remembered=settings)
        dialog.tabs.setCurrentIndex(2)
        dialog.show()
        shot(dialog, "settings-targets")
        dialog.close()

    window.close()
    sys.stdout.flush()
    from pqa_desktop.core.pipeline.reading import shutdown_pool
    shutdown_pool()
    os._exit(0)  # PySide6 can abort while collecting Qt objects at exit; the pictures are saved


if __name__ == "__main__":
    sys.exit(main())
