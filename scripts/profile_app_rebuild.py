"""Where the running app's re-build after one new return spends its CPU (issue 18, target 4), without Qt.

``python scripts/profile_app_rebuild.py [--data out/bench-data] [--top 30] [--cprofile N] [--rounds 3]``

Does in one process what the window's check and build jobs do (``app/pipeline_work.py``), as the app
benchmark drives them (``scripts/bench_app.py``: the default settings, "Anytown Council", September 2024):
the check of the year into a fresh workspace and a build from it, then the check again with one new return
added (``previous=`` the check on screen, its drafts: the inputs list's rows, what will be blank, the drafted
key messages and feedback, the workspace's list) and the build from that check, each as a job runs it (no full
collection meanwhile, one at its end, what is left set aside: ``app/jobs.py``). Reports the process time of
the re-check and of the build (every thread of this process: the window's; the new return is read in the
reading process, as in the app), and each listed function's inclusive process time and calls; ``--cprofile N``
adds cProfile's top N of the last round, by ``PROFILE_SORT`` (cumulative; cProfile inflates code of many small
calls). With ``--rounds`` the
re-check and build are repeated from the same first check (the new return is then imported already: each
later round's check reads it back instead of reading it; the first round is what the benchmark does).
``--save DIR`` keeps the re-built workbook (``produced`` fixed to 2024-10-07, the audit-key secret fixed, so that
two runs' workbooks compare) and a fresh build's of the same inputs beside it, and says whether their bytes are
the same.
"""
from __future__ import annotations

import argparse
import cProfile
import collections
import gc
import hashlib
import os
import pstats
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "scripts"))
from profile_build import wrap  # noqa: E402

FUNCTIONS = [
    ("pqa_desktop.core.pipeline.run", "analyse"),
    ("pqa_desktop.core.pipeline.run", "build"),
    ("pqa_desktop.core.pipeline.run", "compute"),
    ("pqa_desktop.core.pipeline.run", "_compute"),
    ("pqa_desktop.core.pipeline.run", "feedback_items"),
    ("pqa_desktop.core.pipeline.run", "unique_masks"),
    ("pqa_desktop.core.pipeline.run", "_workspace_results"),
    ("pqa_desktop.core.pipeline.run", "_add_table_facts"),
    ("pqa_desktop.core.pipeline.run", "Analysis.summaries"),
    ("pqa_desktop.core.pipeline.run", "Analysis.found_identifiers"),
    ("pqa_desktop.core.pipeline.run", "coverage_table"),
    ("pqa_desktop.core.pipeline.run", "mask_finding"),
    ("pqa_desktop.core.pipeline.run", "sort_findings"),
    ("pqa_desktop.core.pipeline.run", "resolved_findings"),
    ("pqa_desktop.core.inputs.discover", "discover_inputs"),
    ("pqa_desktop.core.pipeline.reading", "read_inputs"),
    ("pqa_desktop.core.workspace.store", "Workspace.stored_results"),
    ("pqa_desktop.core.workspace.store", "Workspace.import_file"),
    ("pqa_desktop.core.workspace.store", "Workspace.imports"),
    ("pqa_desktop.core.workspace.store", "Workspace.current_files"),
    ("pqa_desktop.core.workspace.store", "Workspace.file_signatures"),
    ("pqa_desktop.core.workspace.store", "Workspace.keep_file_signatures"),
    ("pqa_desktop.core.workspace.store", "Workspace.finding_statuses"),
    ("pqa_desktop.core.returns.combine", "combine"),
    ("pqa_desktop.core.exports.combine", "combine_exports"),
    ("pqa_desktop.core.measures.audits", "audit_figures"),
    ("pqa_desktop.core.messages.key_messages", "draft_messages"),
    ("pqa_desktop.core.report.writer", "render_workbook"),
    ("pqa_desktop.core.inspect", "sensitive_set"),
    ("pqa_desktop.core.inspect.sources", "grown_sensitive_set"),
    ("pqa_desktop.core.inspect", "inspect_with"),
    ("pqa_desktop.core.report", "save_workbook"),
    ("pqa_desktop.core.pipeline.readiness", "blank_reasons"),
    ("pqa_desktop.core.runtime.memory", "release_freed_memory"),
    ("pqa_desktop.core.pipeline.run", "Analysis.grow_from"),
    ("pqa_desktop.core.pipeline.run", "_apply_waiting_corrections"),
    ("pqa_desktop.core.workspace.store", "Workspace.stale_imports"),
    ("pqa_desktop.core.pipeline.run", "ending_early_findings"),
    ("pqa_desktop.core.pipeline.run", "inputs_ending_early"),
    ("pqa_desktop.core.pipeline.run", "_bank_holiday_findings"),
    ("pqa_desktop.core.privacy", "IdentifierMasker.extended"),
    ("pqa_desktop.core.privacy", "NameRedactor.extended"),
    ("pqa_desktop.core.records", "AuditRecords.staff_names"),
    ("pqa_desktop.core.pipeline.run", "_add_cached_export_figures"),
    ("pqa_desktop.core.pipeline.run", "_protect_feedback"),
    ("pqa_desktop.core.pipeline.run", "Analysis.inputs_used"),
    ("pqa_desktop.core.pipeline.run", "Analysis.listed_findings"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "out" / "bench-data")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--cprofile", type=int, default=0, help="cProfile's top N lines of the last round")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--save", type=Path, help="keep the re-built and a fresh build's workbooks here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pqa-profile-app-"))
    os.environ["PQA_DESKTOP_HOME"] = str(work / "home")
    from pqa_desktop.core.calendar import Period
    from pqa_desktop.core.pipeline import reading
    from pqa_desktop.core.pipeline import run as pipeline
    from pqa_desktop.core.settings import Settings
    from pqa_desktop.core.workspace import Workspace

    spent: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()
    for module_name, attr in FUNCTIONS:
        wrap(spent, calls, module_name, attr)
    from pqa_desktop.core.pipeline.readiness import blank_reasons
    from pqa_desktop.core.runtime.memory import full_collections_deferred, release_freed_memory

    d = args.data
    period = Period.parse("2024-09")
    workspace = Workspace.open(work / "home" / "workspace.sqlite")
    produced = date(2024, 10, 7) if args.save else None

    def options(for_build: bool = False) -> pipeline.BuildOptions:  # report_content.build_options
        settings = replace(Settings(), la_name="Anytown Council", audit_key_secret=None)
        # with --save, a fixed audit-key secret: the workbooks of two runs (two workspaces) can be compared
        secret = "profile-app-rebuild" if args.save else workspace.secret()
        out = pipeline.BuildOptions(period=period, settings=settings, keep=workspace.keep_choices(),
                                    excluded_feedback=set(), audit_key_secret=secret,
                                    input_passwords=(), produced=produced)
        if for_build:
            out.messages, out.commentary = {}, {}
        return out

    def job(work):  # jobs.PipelineJob.run: no full collection meanwhile, one at the end, its survivors set aside
        with full_collections_deferred():
            result = work()
        gc.freeze()
        release_freed_memory()
        return result

    def check(paths, previous):  # pipeline_work.check_work
        opts = options()
        analysis = pipeline.analyse(list(paths), period, workspace=workspace, keep_on_cancel=True,
                                    previous=previous, on_read=lambda item, result: None)
        drafts = {"summaries": analysis.summaries()}
        drafts["blank"] = blank_reasons(analysis, opts.settings, analysis.period)
        drafts["messages"] = pipeline.compute(analysis, opts)[1]
        drafts["feedback"] = pipeline.feedback_items(analysis, opts)
        drafts["imports"] = workspace.imports()
        drafts["imports_shown"] = [replace(row, name=analysis.mask(row.name)) for row in drafts["imports"]]
        reading.prestart_reading_process()
        return analysis

    def build(paths, analysis, output):  # pipeline_work.build_work
        return pipeline.build(list(paths), output, options(for_build=True), analysis=analysis, workspace=workspace)

    year = [d / "returns", d / "exports"]
    more = year + [d / "new-return"]
    gc.freeze()  # what the window does once started
    first = job(lambda: check(year, None))
    job(lambda: build(year, first, work / "first.xlsx"))
    results = []
    profile = None
    output = work / "rebuilt.xlsx"
    try:
        for round_ in range(args.rounds):
            spent.clear()
            calls.clear()
            last = round_ == args.rounds - 1
            if last and args.cprofile:
                profile = cProfile.Profile()
                profile.enable()
            c0, t0 = time.process_time(), time.perf_counter()
            again = job(lambda: check(more, first))
            c1, t1 = time.process_time(), time.perf_counter()
            job(lambda: build(more, again, output))
            c2, t2 = time.process_time(), time.perf_counter()
            if profile is not None:
                profile.disable()
            results.append((c1 - c0, c2 - c1, t1 - t0, t2 - t1))
            print(f"round {round_ + 1}: re-check {c1 - c0:.3f} s CPU ({t1 - t0:.3f} s wall), build {c2 - c1:.3f} s CPU "
                  f"({t2 - t1:.3f} s wall), together {c2 - c0:.3f} s CPU", flush=True)
            del again
            gc.collect()
        timed = [(label, spent[label], calls[label]) for label, _ in spent.most_common(args.top)]
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(output, args.save / "rebuilt.xlsx")
            pipeline.build(more, args.save / "fresh.xlsx", options(for_build=True))  # no workspace, no last check
            digests = [hashlib.sha256((args.save / n).read_bytes()).hexdigest() for n in ("rebuilt.xlsx", "fresh.xlsx")]
            verdict = "SAME" if digests[0] == digests[1] else "DIFFERENT"
            print(f"re-built {digests[0]}\nfresh    {digests[1]}\n{verdict}")
    finally:
        reading.shutdown_pool()
        shutil.rmtree(work, ignore_errors=True)
    print("last round, inclusive process time of each function (calls):")
    for label, seconds, count in timed:
        print(f"{seconds:8.3f} s {count:6d}  {label}")
    if profile is not None:
        pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
