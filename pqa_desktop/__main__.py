"""`python -m pqa_desktop` runs the command line (also the bundle's console entry point).

Nothing is imported before ``freeze_support``: on Windows each reading worker starts as this executable
and runs this file's top level before ``freeze_support`` makes it a worker, so an import here would be made
in every worker too. Importing the command line there cost a spawned worker the whole pipeline, the report
writer and the leak inspector (a third more than the reading code it needs; issue 18).
"""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the bundle's worker processes start as this executable
    from pqa_desktop.cli import main

    sys.exit(main())
