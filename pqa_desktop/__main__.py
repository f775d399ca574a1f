"""`python -m pqa_desktop` runs the command line (also the bundle's console entry point, and ``pqa``'s).

Nothing is imported before ``freeze_support``: on Windows each reading worker starts as this executable
and runs this file's top level before ``freeze_support`` makes it a worker, so an import here would be made
in every worker too. Importing the command line there cost a spawned worker the whole pipeline, the report
writer and the leak inspector (a third more than the reading code it needs; issue 18).

A build against a workspace starts its reading process before importing the command line
(``reading_start``): a spawned one imports the readers meanwhile, instead of after, the pipeline's imports.
"""
import multiprocessing
import sys


def main() -> int:
    """The command line, its reading process started first where a build will wait for it."""
    from pqa_desktop.core.pipeline.reading_start import start_for_command_line

    start_for_command_line(sys.argv[1:])
    from pqa_desktop.cli import main as command_line

    return command_line()


if __name__ == "__main__":
    multiprocessing.freeze_support()  # the bundle's worker processes start as this executable
    sys.exit(main())
