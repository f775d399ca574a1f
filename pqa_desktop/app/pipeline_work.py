"""What each job does off the UI thread: check the inputs, build the workbook, write the auditors' lists.

Each function takes what the work needs, copied or fixed when the job starts (the paths, the period, the
options, the workspace), and returns ``make_work(job)`` for ``JobRunner.start``: the job is given so the check
can hand each file over as soon as it is read. Nothing here touches a widget.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Sequence

from ..core.pipeline import run as pipeline
from ..core.calendar import Period
from ..core.pipeline.readiness import blank_reasons
from ..core.pipeline.reading import prestart_reading_process
from ..core.sending.send_back import write_send_back
from .jobs import PipelineJob
from .streaming import ReadStream


def check_work(paths: Sequence[Path], period: Period, workspace, options: pipeline.BuildOptions,
               input_passwords: tuple[str, ...], previous: pipeline.Analysis | None, drafts: dict):
    """The check of the inputs; ``drafts`` is filled in the worker (what will be blank, the drafted key
    messages and feedback, the workspace's list) and read once the job has ended. ``previous``: the check on
    screen (not changed once checked), whose identifiers mask the streamed rows from the start and whose
    masker the new check's grows from (``pipeline.analyse``)."""
    # passed only when there are some: the session's passwords, tried on every protected input
    passwords = {"passwords": input_passwords} if input_passwords else {}

    held = [previous]  # let go as soon as the check has grown from it (the window keeps only the check on screen)

    def make_work(job: PipelineJob):
        def work(progress, cancel):
            last = held.pop() if held else None
            # made here, off the UI thread, from the last check's masker (folding a council's hundred thousand
            # identifiers again took 70 ms)
            stream = ReadStream(last.masker if last is not None else None)
            analysis = pipeline.analyse(list(paths), period, progress=progress, cancel=cancel,
                                        workspace=workspace, keep_on_cancel=True, previous=last,
                                        on_read=lambda item, result: job.emit_item(stream(item, result)),
                                        **passwords)
            del last
            # the inputs list's rows, every name masked, made here off the UI thread (a thousand inputs: 30-60 ms
            # of the window's event loop when the view made them); Analysis.mask keeps the masked names too
            drafts["summaries"] = analysis.summaries()
            if not analysis.stopped:  # what will be blank: worked out here too (coverage reads the exports)
                drafts["blank"] = blank_reasons(analysis, options.settings, analysis.period)
            if analysis.usable and not analysis.stopped:
                # the drafted key messages and the feedback items come from the figures: worked out here,
                # off the UI thread, so the tabs are ready when the check is
                drafts["messages"] = pipeline.compute(analysis, options)[1]
                drafts["feedback"] = pipeline.feedback_items(analysis, options)
            # the workspace's list, names masked, read here too: about 20 ms for a council's year
            drafts["imports"] = workspace.imports()
            drafts["imports_shown"] = [replace(row, name=analysis.mask(row.name)) for row in drafts["imports"]]
            # the next check reads a file or two added since: its reading process is started now, while the
            # officer looks at this one, not then (on Windows half a second of the re-check otherwise)
            prestart_reading_process()
            return analysis
        return work
    return make_work


def build_work(paths: Sequence[Path], output: Path, options: pipeline.BuildOptions,
               analysis: pipeline.Analysis | None, workspace):
    """The build; ``analysis``: the check on screen when it was made from these inputs and this period, whole
    (reused), else None. The output password in ``options`` is dropped when the build ends."""
    def make_work(_job):
        def work(progress, cancel):
            try:
                return pipeline.build(list(paths), output, options, progress=progress, cancel=cancel,
                                      analysis=analysis, workspace=workspace)
            finally:
                options.password = None  # held no longer than the build
        return work
    return make_work


def send_back_work(folder: str, analysis: pipeline.Analysis, options: pipeline.BuildOptions, *, produced,
                   auditors: list | None, findings: list):
    """Each auditor's list of their open findings, and an email draft to them (checked for leaks first)."""
    def make_work(_job):
        return lambda progress, cancel: write_send_back(folder, analysis, options, produced=produced,
                                                        auditors=auditors, findings=findings)
    return make_work
