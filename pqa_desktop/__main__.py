"""`python -m pqa_desktop` runs the command line (also the bundle's console entry point)."""
import multiprocessing
import sys

from pqa_desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the bundle's worker processes start as this executable
    sys.exit(main())
