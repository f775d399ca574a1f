"""`python -m pqa_desktop.app` starts the desktop app (also the bundle's windowed entry point)."""
import multiprocessing
import sys

from pqa_desktop.app.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the bundle's worker processes start as this executable
    sys.exit(main())
