"""`python -m pqa_desktop.app` starts the desktop app (also the bundle's windowed entry point).

Nothing is imported before ``freeze_support``: on Windows each reading worker starts as this executable and
runs this file's top level before ``freeze_support`` makes it a worker, so an import here would be made in
every worker too. Importing the app there cost each spawned worker Qt and the whole window (1.19 s of CPU,
against 0.44 s for the reading code it needs; issue 18).
"""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the bundle's worker processes start as this executable
    from pqa_desktop.app.main import main

    sys.exit(main())
