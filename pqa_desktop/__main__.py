"""`python -m pqa_desktop` runs the command line (also the bundle's console entry point, and ``pqa``'s).

Nothing is imported before ``freeze_support``: on Windows each reading worker starts as this executable
and runs this file's top level before ``freeze_support`` makes it a worker, so an import here would be made
in every worker too. Importing the command line there cost a spawned worker the whole pipeline, the report
writer and the leak inspector (a third more than the reading code it needs; issue 18).

A build against a workspace starts its reading process before importing the command line
(``core/pipeline/reading_start.py``): a spawned one imports the readers meanwhile, instead of after the
pipeline's imports. Any other build (or validation) whose inputs are many starts its pool of reading
workers there, for the same reason.
"""
import multiprocessing
import sys

# The command line's commands that read inputs alongside a workspace, and its workspace option (cli.py).
READING_COMMANDS = frozenset({"build", "validate"})
WORKSPACE_OPTION = "--workspace"


def main() -> int:
    """The command line, its reading process (or its pool of reading workers) started first where a build
    will wait for it."""
    argv = sys.argv[1:]
    if reads_few_beside_a_workspace(argv):
        from pqa_desktop.core.pipeline.reading_start import start_ahead

        start_ahead()
    elif argv and argv[0] in READING_COMMANDS:
        from pqa_desktop.core.pipeline.reading_start import start_pool_ahead

        start_pool_ahead(paths_named(argv))
    from pqa_desktop.cli import main as command_line

    return command_line()


def reads_few_beside_a_workspace(argv: list[str]) -> bool:
    """Whether ``argv`` asks for a build (or validation) against a workspace that exists: then most inputs
    come back from the workspace and the few new ones are read by the reading process, whose start would
    otherwise be waited for. A guess from the raw arguments, before argparse (which comes with the rest of
    the command line): a wrong guess costs one process ended unused, never a wrong result."""
    if not argv or argv[0] not in READING_COMMANDS:
        return False
    workspace = None
    for i, arg in enumerate(argv):
        if arg == WORKSPACE_OPTION and i + 1 < len(argv):
            workspace = argv[i + 1]
        elif arg.startswith(WORKSPACE_OPTION + "="):
            workspace = arg.split("=", 1)[1]
    if not workspace:
        return False
    import os

    try:
        # an empty file is a new workspace: its first build reads everything, with the worker pool
        return os.stat(workspace).st_size > 0
    except (OSError, ValueError):
        return False


def paths_named(argv: list[str]) -> list[str]:
    """The words of ``argv`` after its command that may be inputs: every one not an option. An option's
    value (the output, the settings file) may be among them: a guess of how much there is to read, before
    argparse, which a few small files more hardly change."""
    return [word for word in argv[1:] if not word.startswith("-")]


if __name__ == "__main__":
    multiprocessing.freeze_support()  # the bundle's worker processes start as this executable
    sys.exit(main())
