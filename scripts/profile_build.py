"""Where a cold build's CPU goes, per function (issue 18): the README's profile top lines.

``python scripts/profile_build.py [--data out/bench-data] [--workspace FILE] [--top 30]``

Runs ``pqa build`` of the bench's large year (``make bench`` generates it) in this process, with the inputs
read here (``PQA_READ_WORKERS=0``) so that every reader's CPU is counted (each with the cycle collector
paused, as a reading worker pauses it), and reports each listed function's
process time (inclusive: a function's callees count in it too) and calls, beside the command line's import
time. Wrapping a few dozen functions costs next to nothing, unlike a tracing profiler (cProfile doubled
these figures); the KPIs still go to a forked copy where the command line would fork them, so run with
``PQA_START_METHOD=spawn`` to count them here. CPU time, not wall: it is what a busy machine distorts least.
With ``--workspace FILE`` the build is the bench's "cold build with a workspace after one new return": FILE
must hold the year imported already (it is copied, never changed).
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import importlib
import io
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FUNCTIONS = [
    ("pqa_desktop.core.inputs.discover", "discover_inputs"),
    ("pqa_desktop.core.pipeline.run", "analyse"),
    ("pqa_desktop.core.pipeline.reading", "read_input"),
    ("pqa_desktop.core.inputs.tables", "package_refusal"),
    ("pqa_desktop.core.returns.ooxml", "read_package_info"),
    ("pqa_desktop.core.inputs.tables", "read_tables"),
    ("pqa_desktop.core.inputs.tables", "read_csv"),
    ("pqa_desktop.core.inputs.tables", "workbook_tables"),
    ("pqa_desktop.core.returns.template_reader", "read_template"),
    ("pqa_desktop.core.exports.reader", "read_export"),
    ("pqa_desktop.core.exports.sheet_reader", "read_sheet"),  # typing a sheet, as it is read or in read_export
    ("pqa_desktop.core.workspace.store", "Workspace.stored_results"),
    ("pqa_desktop.core.pipeline.run", "unique_masks"),
    ("pqa_desktop.core.pipeline.run", "compute"),
    ("pqa_desktop.core.measures.audits", "audit_figures"),
    ("pqa_desktop.core.measures.workforce", "workforce_figures"),
    ("pqa_desktop.core.measures.continuity", "continuity_figures"),
    ("pqa_desktop.core.measures.fostering", "fostering_figures"),
    ("pqa_desktop.core.measures.kpis", "kpi_figures"),
    ("pqa_desktop.core.messages.key_messages", "draft_messages"),
    ("pqa_desktop.core.report.writer", "render_workbook"),
    ("pqa_desktop.core.inspect", "sensitive_set"),
    ("pqa_desktop.core.inspect", "inspect_with"),
    ("pqa_desktop.core.report", "save_workbook"),
    ("pqa_desktop.core.pipeline.readiness", "blank_reasons"),
]


def wrap(spent: collections.Counter, calls: collections.Counter, module_name: str, attr: str) -> None:
    """Count ``module.attr``'s process time, where it is defined and wherever it was imported by name."""
    module = importlib.import_module(module_name)
    owner, name = module, attr
    if "." in attr:
        cls, name = attr.split(".")
        owner = getattr(module, cls)
    fn = getattr(owner, name)
    label = f"{module_name.rsplit('.', 1)[-1]}.{attr}"

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - t0
            calls[label] += 1

    setattr(owner, name, timed)
    for other in list(sys.modules.values()):
        if other is not None and other is not module and getattr(other, "__name__", "").startswith("pqa_desktop") \
                and getattr(other, name, None) is fn:
            setattr(other, name, timed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "out" / "bench-data")
    parser.add_argument("--workspace", type=Path, help="a workspace holding the year: the build after one new return")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("PQA_READ_WORKERS", "0")
    work = Path(tempfile.mkdtemp(prefix="pqa-profile-"))
    os.environ.setdefault("PQA_DESKTOP_HOME", str(work / "home"))
    t0 = time.process_time()
    from pqa_desktop import cli

    imports = time.process_time() - t0
    spent: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()
    for module_name, attr in FUNCTIONS:
        wrap(spent, calls, module_name, attr)
    from pqa_desktop.core.pipeline import reading

    read_one = reading.read_input

    from pqa_desktop.core.runtime.memory import no_cycle_collection

    def read_and_pickle(item, overrides=None):  # what sending each result back from a worker costs
        with no_cycle_collection():  # as a worker reads (``reading._read_batch``): with the collector running,
            result = read_one(item, overrides)  # the CSV exports' read counted three times what it costs there
        t = time.process_time()
        pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        spent["(pickling each result, as a worker sends it)"] += time.process_time() - t
        return result

    reading.read_input = read_and_pickle
    d = args.data
    argv = ["build", str(d / "returns"), str(d / "exports"), "-o", str(work / "out.xlsx"), "--period-end", "2024-09",
            "--settings", str(d / "settings.toml"), "--produced", "2024-10-07"]
    if args.workspace:
        copy = work / "workspace.sqlite"
        shutil.copyfile(args.workspace, copy)
        argv += [str(d / "new-return"), "--workspace", str(copy)]
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            code = cli.run(argv)
    finally:
        reading.shutdown_pool()
    total = time.process_time() - t0
    shutil.rmtree(work, ignore_errors=True)
    print(f"pqa build{' --workspace' if args.workspace else ''} (exit {code}): {total:.2f} s CPU in this process, "
          f"of which importing the command line {imports:.2f} s")
    for label, seconds in spent.most_common(args.top):
        print(f"{seconds:8.3f} s {calls[label]:6d}  {label}")
    return code


if __name__ == "__main__":
    sys.exit(main())
