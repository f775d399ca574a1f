"""Entry point of the desktop app (``pqa-desktop``): create the QApplication, show the window, run.

``pqa-desktop --version`` prints the version and exits without starting Qt; any other arguments are
inputs to add on start (what "Open with" passes).
"""
from __future__ import annotations

import argparse
import signal
import sys
from typing import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import __version__
from .app_settings import APPLICATION, ORGANISATION
from .crash import install_excepthook
from .main_window import MainWindow


def version_text() -> str:
    return f"PQA Desktop {__version__}"


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pqa-desktop", description="PQA Desktop: build the Performance & "
                                     "Quality Assurance workbook.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("inputs", nargs="*", metavar="INPUT", help="files or folders to add on start")
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.version:
        if sys.stdout is not None:  # a windowed executable on Windows has no console
            print(version_text())
        return 0
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "pqa-desktop"])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setApplicationVersion(__version__)
    window = MainWindow()
    # an uncaught error in a slot becomes a crash report and a plain dialog, never a traceback
    restore_hooks = install_excepthook(lambda text: QMessageBox.critical(window, "Something went wrong", text))
    window.show()
    _close_on_terminate(window)
    if args.inputs:
        window.add_paths(args.inputs)
    try:
        return int(app.exec())
    finally:
        restore_hooks()
        from ..core.pipeline.reading import shutdown_pool

        shutdown_pool()  # the reading workers, if a large import started them


def _close_on_terminate(window: MainWindow) -> None:
    """SIGTERM (a Linux session ending, ``kill``) closes the window as the user would: settings saved, the
    workspace closed, then the reading workers stopped below. Ended by the signal's default instead, the
    workers were left for a moment and their pool's semaphores to the resource tracker ("leaked").
    Python runs a signal handler only between bytecodes, so a timer lets it run while Qt waits."""
    if sys.platform == "win32":
        return  # Windows ends a program another way (WM_CLOSE to the window, or TerminateProcess)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: QTimer.singleShot(0, window.close))
    wake = QTimer(window)
    wake.timeout.connect(lambda: None)
    wake.start(250)


if __name__ == "__main__":
    sys.exit(main())
