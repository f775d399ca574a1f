"""The one pipeline the command line and the desktop app both drive.

inputs -> records -> measures -> workbook, in stages (discover, read, validate, measure, write),
reporting progress through a callback and checking a cancel flag between files and stages.

With a workspace, each new file is read once and imported (one transaction per file); a file already
imported is not even opened when it looks on disk as it did when it was hashed (its stat signature, recorded
in the workspace), and otherwise costs only the hash discovery computes. The analysis then uses every import
in the workspace (earlier months too), its value corrections (a corrected file is re-read with them) and its
duplicate choices; the build uses its audit-key secret and commentary.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from ..calendar import Period, bank_holiday_file_problems, last_complete_month, user_bank_holidays_file
from ..comparators import (PUBLISHED_SERIES, PublishedDataError, UnknownCouncil, benchmarks_table,
                          council_comparators, series_table)
from ..exports.combine import combine_exports, latest_date
from ..exports.model import ExportRecords, ExportTable
from ..measures.figures import Figures
from ..finding_status import OPEN, FindingStatus, StatusKey, resolved_findings, status_of
from ..findings import Finding, Severity, register_rule, sort_findings
from ..inputs.discover import PassedOver, discover, discover_inputs
from ..inputs.signatures import SignatureBook
from ..measures.audit_lists import feedback_audits, feedback_table
from ..measures.audit_windows import audit_type as audit_type_label
from ..measures.audit_windows import service_area as service_area_label
from ..measures.audit_windows import trend_window
from ..measures.audits import audit_figures
from ..measures.fostering import fostering_figures
from ..measures.kpi_catalogue import measure_specs
from ..measures.kpi_support import Coverage, Window, event_coverage
from ..measures.kpi_table import kpi_headlines, kpi_tables
from ..measures.kpis import kpi_figures
from ..measures.workforce import workforce_figures
from ..runtime.memory import release_freed_memory, untrack_union
from ..messages.key_messages import draft_messages
from ..measures.notes import Note, note_ref
from .period_coverage import ending_early_findings, inputs_ending_early
from ..privacy import IdentifierMasker, NameRedactor, audit_key
from ..records import Audit, AuditRecords, InputFile, ReadResult
from ..encryption import unlock_inputs
from ..inspect import SensitiveSet, inspect_with, sensitive_set
from ..inspect.sources import grown_sensitive_set, table_identifiers
from ..report import ReportContext, render_workbook, save_workbook
from .reading import Cancelled, ReadingStats, prestart_reading_process, read_contained, read_inputs
from ..returns.combine import combine
from ..report.sections import message_lines
from ..settings import Settings
from ..workspace import Workspace, WorkspaceError
from ..workspace.derived import code_version, file_stamp, keep_facts, keep_figures, kept_facts, kept_figures
from ..workspace.import_batch import ImportBatch
from ..workspace.stored import StoredTable, TableFacts

STAGES = ("discover", "read", "validate", "measure", "write")

ProgressFn = Callable[[str, int, int, str], None]  # stage, done, total, detail
CancelFn = Callable[[], bool]
ReadFn = Callable[[InputFile, ReadResult], None]  # one file just read: what it gave

RULE_NO_USABLE_INPUT = register_rule("input.none_usable", "None of the inputs could be used.")
RULE_CORRECTION_WAITING = register_rule(
    "workspace.correction_waiting",
    "A correction to an imported file cannot be applied until the file is added again.")

# Results never imported into a workspace: nothing in them to keep, and they are re-read next time anyway.
NOT_IMPORTED_KINDS = ("skipped", "unreadable")

FEEDBACK_LEFT_OUT = "Feedback text left out at the QA officer's request."


class LeakFound(Exception):
    """The leak inspector found identifying data in the workbook about to be saved: nothing was written."""

    def __init__(self, leaks: list):
        self.leaks = leaks
        places = "; ".join(leak.detail for leak in leaks[:10]) + (f"; and {len(leaks) - 10} more" if len(leaks) > 10 else "")
        super().__init__("The workbook was not saved because it would have shown personal information: "
                         f"{places}. Check the opt-in settings and the inputs, then build again.")


class NothingToBuild(Exception):
    """No usable input: nothing could be written."""


NOT_AN_INPUT = "not_an_input"  # InputSummary.kind of an input that gave no file to read (skipped, a copy…)
NOT_READ = "not_read"  # InputSummary.kind of a file not read yet: the check was stopped before it


@dataclass
class InputSummary:
    """One row of the app's inputs list: name masked; never written into the workbook."""

    name: str
    kind: str
    kind_label: str
    records: int
    errors: int = 0  # open findings (not corrected or accepted) by severity
    warnings: int = 0
    infos: int = 0
    path: str | None = None  # the source file on disk (app only: "open the source file"); never written out
    import_id: int | None = None  # the workspace import it is (for "remove"); None when not imported
    auditor: str = ""  # who filled it in ("3 auditors" for a register of several); app only
    first_date: date | None = None  # its audits' (or dip samples') earliest and latest dates
    last_date: date | None = None
    resolved: int = 0  # its findings corrected or accepted
    location: str = ""  # the folder (or zip or email) it is in on disk, masked: for the app's tooltip

    @property
    def needs_attention(self) -> bool:
        """Open errors or warnings: the file needs a look (or a word with its auditor)."""
        return bool(self.errors or self.warnings)


def location_of(path: str | None, name: str, mask: Callable[[str], str]) -> str:
    """Where an input is on disk, masked: its folder, or the zip or email it came out of."""
    if not path:
        return ""
    where = Path(path) if "\u203a" in name else Path(path).parent
    return mask(str(where))


def input_summary(item: InputFile, result: ReadResult, mask: Callable[[str], str],
                  counts: Counter | None = None, resolved: int = 0, import_id: int | None = None) -> InputSummary:
    """One read file's row; ``counts`` are its open findings by severity (its own findings when None)."""
    if counts is None:
        counts = Counter(f.severity for f in result.findings)
    auditors = sorted(set(result.auditors.values()))
    dates = [a.audit_date for a in result.audits] + [s.sample_month for s in result.edt_samples]
    return InputSummary(
        name=mask(item.name), kind=result.kind, kind_label=result.kind_label,
        records=len(result.audits) + len(result.edt_samples) + sum(t.rows for t in result.exports),
        errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING], infos=counts[Severity.INFO],
        path=item.path, import_id=import_id, location=location_of(item.path, item.name, mask),
        auditor=auditors[0] if len(auditors) == 1 else (f"{len(auditors)} auditors" if auditors else ""),
        first_date=min(dates, default=None), last_date=max(dates, default=None), resolved=resolved)


@dataclass
class Analysis:
    """Everything read from the inputs, before any figure is computed."""

    period: Period
    files: list[InputFile] = field(default_factory=list)
    results: list[tuple[InputFile, ReadResult]] = field(default_factory=list)
    records: AuditRecords = field(default_factory=AuditRecords)
    exports: ExportRecords = field(default_factory=ExportRecords)
    findings: list[Finding] = field(default_factory=list)
    sensitive: set[str] = field(default_factory=set)
    staff_names: set[str] = field(default_factory=set)
    timings: dict[str, float] = field(default_factory=dict)
    workspace_secret: str | None = None  # the workspace's audit-key secret, when analysed with one
    import_ids: dict[str, int] = field(default_factory=dict)  # sha256 -> workspace import id
    reading: ReadingStats = field(default_factory=ReadingStats)  # how the inputs were read (workers or here)
    passed_over: list[PassedOver] = field(default_factory=list)  # inputs that gave no file to read, with why
    statuses: dict[StatusKey, FindingStatus] = field(default_factory=dict)  # the workspace's; open when absent
    resolved: list[Finding] = field(default_factory=list)  # corrected findings their correction made go away
    stopped: bool = False  # the user stopped the check while files were read: ``unread`` were not
    unread: list[InputFile] = field(default_factory=list)
    # each input's name as shown: masked, and two names that mask alike told apart ("CFA ••• Jan (2).xlsx")
    shown_names: dict[str, str] = field(default_factory=dict)
    # the workspace analysed with: figures worked out from its stored exports are kept in it
    workspace: Workspace | None = field(default=None, repr=False, compare=False)

    @property
    def usable(self) -> bool:
        return bool(self.records.audits or self.records.edt_samples or self.exports)

    @property
    def masker(self) -> IdentifierMasker:
        """The masker of every identifier in ``sensitive`` (made again should ``sensitive`` change)."""
        return self._derived_or_made("_masker", self.sensitive, IdentifierMasker)

    @property
    def redactor(self) -> NameRedactor:
        """What redacts the staff names in ``staff_names`` from feedback (made again should they change)."""
        return self._derived_or_made("_redactor", self.staff_names, NameRedactor)

    def _derived(self, name: str, source: set):
        """What was made from ``source`` and kept as ``name``, when ``source`` is the very set it was made
        from, unchanged (else None)."""
        kept = self.__dict__.get(name)
        return kept[2] if kept is not None and kept[0] is source and kept[1] == len(source) else None

    def _derived_or_made(self, name: str, source: set, make):
        """``_derived``, else ``make(source)`` kept as ``name``."""
        kept = self._derived(name, source)
        return kept if kept is not None else self._keep(name, source, make(source))

    def _keep(self, name: str, source: set, value):
        self.__dict__[name] = (source, len(source), value)
        return value

    def grow_from(self, previous: "Analysis | None") -> None:
        """Make this analysis's masker, redactor and inspector's identifiers from ``previous``'s (the app's last
        check) when every identifier (staff name) that one knew is still known: only the new ones are folded
        (tokenised, sorted), and the masks (redactions) remembered that no new one changes are kept
        (``IdentifierMasker.extended``, ``NameRedactor.extended``, ``grown_sensitive_set``): the same results
        as made afresh. When one has gone (an input removed) they are made afresh, so nothing is hidden, or
        looked for, that no input holds any more."""
        if previous is None or previous is self:
            return
        theirs, mine = previous.sensitive, self.sensitive
        if len(theirs) <= len(mine) and theirs <= mine:
            added = mine - theirs
            masker = previous._derived("_masker", theirs)
            if masker is not None:
                self._keep("_masker", mine, masker.extended(added))
            found = previous._current_found()
            if found is not None:  # kept until this analysis's own is worked out (its build)
                self._keep("_found_before", mine, (found, added))
        theirs, mine = previous.staff_names, self.staff_names
        redactor = previous._derived("_redactor", theirs)
        if redactor is not None and len(theirs) <= len(mine) and theirs <= mine:
            self._keep("_redactor", mine, redactor.extended(mine - theirs))

    def found_identifiers(self) -> SensitiveSet:
        """What the leak inspector looks for (``sensitive_set``), worked out once per analysis (each build from
        the app's check, and its auditors' lists, ask for it), and grown from the last check's when this one
        was grown from it (``grow_from``)."""
        found = self._current_found()
        if found is None:
            before = self._derived("_found_before", self.sensitive)
            self.__dict__.pop("_found_before", None)  # the last check's set: let go once this one is made
            found = grown_sensitive_set(self, *before) if before is not None else sensitive_set(self)
            self.__dict__["_found"] = (self._found_sources(), found)
        return found

    def _found_sources(self) -> tuple:
        """What ``sensitive_set`` reads of this analysis: each object with its size (a change to one shows)."""
        return tuple((source, len(source)) for source in (self.sensitive, self.staff_names, self.files,
                                                          self.results, self.findings))

    def _current_found(self) -> SensitiveSet | None:
        kept = self.__dict__.get("_found")
        if kept is None:
            return None
        sources = self._found_sources()
        current = all(a is b and m == n for (a, m), (b, n) in zip(kept[0], sources))
        return kept[1] if current else None

    def summaries(self) -> list[InputSummary]:
        """A row for every input: each file read, each input that gave no file (with why), each file not
        read yet; counts of open findings, and of those corrected or accepted."""
        counts: dict[str, Counter] = {}
        resolved: Counter = Counter()
        for f in self.findings:
            if status_of(f, self.statuses) == OPEN:
                counts.setdefault(f.file, Counter())[f.severity] += 1
            else:
                resolved[f.file] += 1
        for f in self.resolved:
            resolved[f.file] += 1
        out = []
        for item, result in self.results:
            name = self.mask(item.name)
            out.append(input_summary(item, result, self.mask, counts.get(name, Counter()), resolved[name],
                                     self.import_ids.get(item.sha256)))
        for passed in self.passed_over:
            name = self.mask(passed.name)
            c = counts.get(name, Counter())
            out.append(InputSummary(name=name, kind=NOT_AN_INPUT, kind_label=passed.label, records=0,
                                    errors=c[Severity.ERROR], warnings=c[Severity.WARNING], infos=c[Severity.INFO],
                                    path=passed.path, resolved=resolved[name],
                                    location=location_of(passed.path, passed.name, self.masker)))
        for item in self.unread:
            out.append(InputSummary(name=self.mask(item.name), kind=NOT_READ, kind_label="Not read yet",
                                    records=0, path=item.path, location=location_of(item.path, item.name, self.masker)))
        return out

    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings if status_of(f, self.statuses) == OPEN]

    def listed_findings(self) -> list[Finding]:
        """Every finding to list (the Data quality sheet, the app): those raised, then those corrected away."""
        return self.findings + self.resolved

    def mask(self, name: str) -> str:
        """``name`` with every identifier masked (an input's name as ``shown_names`` tells it apart);
        remembered, as the app asks for the same thousand names several times after each check (the inputs
        list, the auditors, the workspace list)."""
        if name in self.shown_names:
            return self.shown_names[name]
        return self.masker(name)  # which remembers each text it masked

    def inputs_used(self) -> dict[str, int]:
        """Counts of inputs by kind, for the cover (no file names)."""
        return dict(sorted(Counter(r.kind_label for _, r in self.results if r.kind not in ("skipped",)).items()))


@dataclass
class BuildOptions:
    period: Period
    settings: Settings = field(default_factory=Settings)
    produced: date | None = None  # "date produced" on the cover; today when None
    commentary: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)  # replacement key messages, per section
    keep: dict = field(default_factory=dict)  # duplicate identity -> file name to keep (corrections)
    excluded_feedback: set[str] = field(default_factory=set)  # audit keys whose feedback is left out
    audit_key_secret: str | None = None  # overrides the workspace's, the settings' and the user's secret
    input_passwords: tuple[str, ...] = ()  # tried on every password-protected input; never stored
    password: str | None = None  # encrypts the saved workbook; never stored or written anywhere


@dataclass
class BuildResult:
    output: Path
    analysis: Analysis
    figures: Figures
    messages: dict[str, list[str]]
    timings: dict[str, float]

    @property
    def findings(self) -> list[Finding]:
        return self.analysis.findings


def _noop_progress(stage: str, done: int, total: int, detail: str = "") -> None:
    return None


def _check(cancel: CancelFn | None) -> None:
    if cancel is not None and cancel():
        raise Cancelled()


def analyse(paths: Sequence[str | Path], period: Period, *, keep: dict | None = None,
            progress: ProgressFn | None = None, cancel: CancelFn | None = None,
            workspace: Workspace | None = None, import_new: bool = True,
            passwords: Sequence[str] = (), on_read: ReadFn | None = None,
            keep_on_cancel: bool = False, previous: Analysis | None = None) -> Analysis:
    """Discover, read and validate every input. Never raises for bad data: problems are findings.

    With ``workspace``: each file not yet imported (by content hash) is read and imported in one
    transaction as soon as it has been read (in the order given), and the analysis covers every import in
    the workspace, its value corrections, its duplicate choices (``keep`` adds to them) and the findings'
    statuses. ``import_new=False`` (validate) reads new files without storing them.

    ``on_read(item, result)`` is called for each file as soon as it has been read (in the order files
    finish), so a window can show it at once. ``cancel`` stops the work with ``Cancelled``; with
    ``keep_on_cancel``, a cancel while files are being read instead stops reading and returns the analysis
    of what was read (each file in whole or not at all), with ``stopped`` set and the files not read in
    ``unread``.

    ``previous``: the last analysis of these inputs (the app's check on screen); what is worked out from
    every identifier (the masker, the staff-name redactor, the leak inspector's identifiers) is grown from its
    rather than made again when none of its identifiers has gone (the same results: ``Analysis.grow_from``).
    """
    progress = progress or _noop_progress
    analysis = Analysis(period=period)
    raw_findings: list[Finding] = []

    t0 = time.perf_counter()
    progress("discover", 0, len(paths), "")
    # content hashes imported before, with today's corrections (asked once, of every import at once)
    current = workspace.current_files() if workspace is not None else set()
    if current:  # a build from a workspace reads a few new files at most: their reading process starts now
        prestart_reading_process()

    def is_current(sha256: str) -> bool:
        return sha256 in current

    # A file imported before is not even opened when it looks as it did when it was hashed (its stat signature,
    # inputs/signatures.py); else it is read and hashed and its bytes let go: its hash is all it costs.
    book = SignatureBook(workspace.file_signatures(code_version())) if workspace is not None else None
    found = discover_inputs(list(paths), cancel=cancel,
                            keep_bytes=(lambda sha256: not is_current(sha256)) if workspace is not None else None,
                            known_signature=book.known if book is not None else None)
    files, hashed = found.files, found.hashed
    raw_findings.extend(found.findings)
    analysis.passed_over = found.passed_over
    if passwords:  # a protected file is swapped for its decrypted copy when one of the passwords fits
        files = unlock_inputs(files, list(passwords))
    analysis.files = files
    progress("discover", len(paths), len(paths), f"{len(files)} files")
    analysis.timings["discover"] = time.perf_counter() - t0
    _check(cancel)

    t0 = time.perf_counter()
    read_now: list[tuple[InputFile, ReadResult]] = []  # read in this run and not (or not yet) imported
    to_read: list[tuple[InputFile, dict | None]] = []
    for item in files:
        if is_current(item.sha256):
            continue  # imported before, with today's corrections: the hash was all it cost
        to_read.append((item, workspace.value_overrides(item.sha256) if workspace is not None else None))
    skipped = len(files) - len(to_read)
    if skipped:  # the bytes of files imported before are let go now: their hash was all they were needed for
        reading = {id(item) for item, _ in to_read}
        files = analysis.files = [item if id(item) in reading else _without_bytes(item) for item in files]
        del found
    read: dict[int, ReadResult] = {}
    kept = 0  # to_read[:kept] are imported (or in read_now)
    # written a few dozen files to a transaction, not one each (workspace.import_batch)
    imports = ImportBatch(workspace) if workspace is not None and import_new else None

    def keep_read(upto: int) -> None:
        """Import (or keep) what has been read, in the order given up to ``upto``: copies of one table that
        tie on their dates then resolve the same way in every run, whatever order the workers finish in."""
        nonlocal kept
        while kept < upto and kept in read:
            item, overrides = to_read[kept]
            result = read.pop(kept)
            if imports is not None and result.kind not in NOT_IMPORTED_KINDS:
                imports.add(item, result, overrides)
            else:
                read_now.append((item, result))
            kept += 1

    def took(index: int, result: ReadResult) -> None:
        read[index] = result
        keep_read(len(to_read))
        if on_read is not None:
            on_read(to_read[index][0], result)

    try:
        read_inputs(to_read, lambda done, total, name: progress("read", skipped + done, len(files), name), cancel,
                    stats=analysis.reading, on_result=took, keep=False)
    except Cancelled:
        if not keep_on_cancel:
            if imports is not None:
                imports.flush()  # what was imported before the stop stays imported
            raise
        # Stopped: what has been read is kept, including files read ahead of one still being read.
        done = set(read) | set(range(kept))
        for index in sorted(read):
            kept = index
            keep_read(index + 1)
        analysis.unread = [item for i, (item, _) in enumerate(to_read) if i not in done]
        analysis.stopped = True
        cancel = None  # the rest (checking what was read) is quick and makes the kept part usable
    except Exception as error:
        # what was read before it went wrong stays imported, as when each file was written on its own
        if imports is not None and not isinstance(error, WorkspaceError):
            try:
                imports.flush()
            except WorkspaceError:
                pass  # the error being raised says more than this one
        raise
    if imports is not None:
        imports.flush()
    if workspace is not None:
        if import_new:  # what the files read and imported looked like, so the next build need not read them
            workspace.keep_file_signatures(book.to_record(hashed), code_version())
        del hashed
        if not analysis.stopped:
            raw_findings.extend(_apply_waiting_corrections(workspace, {item.sha256 for item in files},
                                                           import_new, read_now, cancel, analysis.reading))
        # what reading freed (each worker's result, unpickled and imported) returned to the system before the
        # year is read back beside it: the C heap kept some 50 MB of it, which the read-back's peak added to
        # (the app's window process, issue 18)
        release_freed_memory()
        analysis.results = _workspace_results(workspace, read_now, analysis)
        _add_table_facts(workspace, analysis.results, keep=import_new and not analysis.stopped)
        keep = {**workspace.keep_choices(), **(keep or {})}
        analysis.workspace_secret = workspace.secret()
        analysis.workspace = workspace
    else:
        analysis.results = read_now
    # What was read is records now: the analysis keeps each input's name, hash and place, not its bytes (as
    # the workspace's stored imports do). A council's year is 30 MB of them, an eighth of the command line's
    # peak memory, and the app keeps its analysis between checks (the one on screen, the one being made and
    # the last build's).
    analysis.files = [_without_bytes(item) for item in analysis.files]
    analysis.results = [(_without_bytes(item), result) for item, result in analysis.results]
    analysis.unread = [_without_bytes(item) for item in analysis.unread]
    release_freed_memory()  # the bytes, and the workers' pickled results once unpickled
    for _, result in analysis.results:
        raw_findings.extend(result.findings)
        analysis.sensitive |= result.sensitive
        analysis.staff_names |= result.staff_names
    progress("read", len(files), len(files), "")
    analysis.timings["read"] = time.perf_counter() - t0
    _check(cancel)

    t0 = time.perf_counter()
    progress("validate", 0, 1, "")
    records, combined = combine([r for _, r in analysis.results], period, keep or {})
    raw_findings.extend(combined)
    analysis.records = records
    exports, export_findings = combine_exports([r for _, r in analysis.results if r.exports], period)
    raw_findings.extend(export_findings)
    analysis.exports = exports
    # An input ending before the period end month leaves that month's figures blank: said, not silent.
    raw_findings.extend(ending_early_findings(inputs_ending_early(exports, records, period), period))
    raw_findings.extend(_bank_holiday_findings())
    analysis.staff_names |= records.staff_names()
    analysis.sensitive |= analysis.staff_names
    # in the app's re-check, the workspace's kept sets (checked at an earlier job's end) and a new return's
    untrack_union(analysis.sensitive, [*(result.sensitive for _, result in analysis.results), analysis.staff_names])
    if not analysis.usable:
        raw_findings.append(Finding("", "", "", Severity.ERROR, RULE_NO_USABLE_INPUT,
                                    "No audit or system export could be read from the inputs, so there is "
                                    "nothing to report. Add the auditors' returns and try again."))
    analysis.grow_from(previous)
    masker = analysis.masker
    analysis.shown_names = unique_masks([item.name for item, _ in analysis.results]
                                        + [p.name for p in analysis.passed_over]
                                        + [item.name for item in analysis.unread], masker)
    analysis.findings = sort_findings([mask_finding(f, masker, analysis.shown_names) for f in raw_findings])
    if workspace is not None:
        analysis.statuses = workspace.finding_statuses()
        analysis.resolved = sort_findings(resolved_findings(analysis.findings, analysis.statuses,
                                                            set(analysis.shown_names.values())))
    progress("validate", 1, 1, "")
    analysis.timings["validate"] = time.perf_counter() - t0
    return analysis


def identifiers_from_inputs(paths: Sequence[str | Path], period: Period | None = None) -> SensitiveSet:
    """Read the inputs as a build would and return what they identify (``pqa inspect WORKBOOK INPUT...``)."""
    # Which period hardly matters: every file is read whole, whatever months it covers.
    period = period or Period(last_complete_month(date.today()))
    return sensitive_set(analyse(list(paths), period))


def _without_bytes(item: InputFile) -> InputFile:
    return replace(item, data=b"") if item.data else item


def _apply_waiting_corrections(workspace: Workspace, given: set[str], import_new: bool,
                               read_now: list[tuple[InputFile, ReadResult]], cancel: CancelFn | None,
                               stats: ReadingStats) -> list[Finding]:
    """Re-read imports whose value corrections changed since they were read, from where they were
    imported (the workspace keeps records, not files). One that cannot be found is said, not guessed."""
    findings = []
    for row in workspace.stale_imports():
        if row.sha256 in given:
            continue  # given in this run: already read with its corrections above
        _check(cancel)
        item = _find_again(row.path, row.sha256)
        if item is None:
            findings.append(Finding(
                row.name, "", "", Severity.WARNING, RULE_CORRECTION_WAITING,
                "A correction to this file has been made or undone, but the file is no longer where it was "
                "imported from, so its figures still use the values it was read with. Add the file again to "
                "apply the correction."))
            continue
        overrides = workspace.value_overrides(row.sha256)
        result = read_contained(item, overrides, stats)
        if import_new:
            workspace.import_file(item, result, overrides)
        else:
            read_now.append((item, result))
    return findings


def _find_again(path: str | None, sha256: str) -> InputFile | None:
    """The file (or the member of a zip or email) at ``path`` whose content hash is ``sha256``."""
    if not path or not Path(path).is_file():
        return None
    files, _ = discover([path])
    return next((f for f in files if f.sha256 == sha256), None)


def _workspace_results(workspace: Workspace, read_now: list[tuple[InputFile, ReadResult]],
                       analysis: Analysis) -> list[tuple[InputFile, ReadResult]]:
    """Every import in the workspace, then what this run read without importing (a file read again now
    replaces its stored copy)."""
    fresh = {item.sha256 for item, _ in read_now}
    results = []
    for stored in workspace.stored_results():
        analysis.import_ids[stored.item.sha256] = stored.id
        if stored.item.sha256 not in fresh:
            results.append((stored.item, stored.result))
    return results + read_now


def table_facts(table: ExportTable) -> TableFacts | None:
    """What a build reads from an export table besides its figures (``workspace.stored.TableFacts``); None when
    they cannot be told apart from the frame (a date of birth that is not a day: the frame is asked)."""
    postcodes, staff_ids, dates_of_birth = table_identifiers(table)
    if any(type(d) is not date for d in dates_of_birth):
        return None
    dated = bool(table.date_column and table.date_column in table.frame.columns)
    # only the column's reach is kept: each build puts it against its own period's snapshot
    coverage = event_coverage(table.frame, table.date_column, date.today()) if dated else None
    return TableFacts(latest=latest_date(table), dated=dated, first=coverage.earliest if coverage else None,
                      last=coverage.latest if coverage else None, postcodes=frozenset(postcodes),
                      staff_ids=frozenset(staff_ids), birth_days=TableFacts.days_of(dates_of_birth))


def _add_table_facts(workspace: Workspace, results: list[tuple[InputFile, ReadResult]], keep: bool) -> None:
    """Give each table read back from the workspace its facts: kept in the workspace, else worked out from its
    frame (decoding it) and, with ``keep``, kept for the next build. With them a build after a new return
    decodes no stored frame its figures (kept too) do not need."""
    tables = [t for _, r in results for t in r.exports
              if isinstance(t, StoredTable) and t.stored_frame is not None and t.token is not None]
    worked_out = []
    for table in tables:
        stored = table.stored_frame
        if stored.facts is None:
            stored.facts = kept_facts(workspace, table)
        if stored.facts is None:
            stored.facts = table_facts(table)
            if stored.facts is not None:
                worked_out.append((table, stored.facts))
    if worked_out and keep:
        keep_facts(workspace, worked_out)


RULE_BANK_HOLIDAY_ROW = register_rule(
    "settings.bank_holiday_unreadable", "A row of the user's extra bank holidays file is not a date.")


def _bank_holiday_findings() -> list[Finding]:
    """The user's own bank holidays file (app-data folder) is skipped row by row when a row is not a date."""
    path = user_bank_holidays_file()
    if not path.is_file():
        return []
    return [Finding(path.name, "", problem.split(":", 1)[0].split(" ", 1)[-1], Severity.WARNING,
                    RULE_BANK_HOLIDAY_ROW, problem + " The row is ignored until it is corrected.")
            for problem in bank_holiday_file_problems(path)]


def unique_masks(names: Sequence[str], masker: Callable[[str], str]) -> dict[str, str]:
    """Each name masked; two different names that mask alike ("CFA 123456 Jan.xlsx", "CFA 654321 Jan.xlsx")
    are told apart as discovery tells apart equal names, by a number before the suffix ("CFA ••• Jan (2).xlsx"),
    so each row and finding points at one file."""
    out: dict[str, str] = {}
    used: set[str] = set()
    # the last number tried for each mask: those below it were taken then, and stay taken (a council's year
    # has hundreds of names masking alike, "CFA ••• Jan.xlsx": counting from 2 for each took 30 ms a check)
    tried: dict[str, int] = {}
    for name in names:
        if name in out:
            continue
        shown = candidate = masker(name)
        number = tried.get(shown, 1)
        if number > 1:
            candidate = _numbered(shown, number)
        while candidate in used:
            number += 1
            candidate = _numbered(shown, number)
        tried[shown] = number
        used.add(candidate)
        out[name] = candidate
    return out


def _numbered(shown: str, number: int) -> str:
    """A masked name told apart by a number before its suffix ("CFA ••• Jan (2).xlsx")."""
    head, dot, suffix = shown.rpartition(".")
    return f"{head} ({number}).{suffix}" if dot and "\u203a" not in suffix else f"{shown} ({number})"


def mask_finding(f: Finding, masker: IdentifierMasker, names: dict[str, str] | None = None) -> Finding:
    """Findings name files (in File, and in messages about duplicates); a file name may hold a case
    reference or a name, so mask both. ``names``: the inputs' names as shown (``unique_masks``)."""
    masked_file = names[f.file] if names and f.file in names else masker(f.file)
    masked_message = masker(f.message)
    masked_value = masker(f.value)
    if masked_file == f.file and masked_message == f.message and masked_value == f.value:
        return f
    return replace(f, file=masked_file, message=masked_message, value=masked_value)


def resolve_secret(options: BuildOptions, analysis: Analysis | None = None) -> str:
    """The options' secret, else the workspace's (everyone sharing it gets the same keys), else the
    settings', else the user's own."""
    if options.audit_key_secret:
        return options.audit_key_secret
    if analysis is not None and analysis.workspace_secret:
        return analysis.workspace_secret
    if options.settings.audit_key_secret:
        return options.settings.audit_key_secret
    from ..runtime.userdata import user_secret

    return user_secret()


def compute(analysis: Analysis, options: BuildOptions) -> tuple[Figures, dict[str, list[str]]]:
    """Every figure, then privacy applied to free text, then the drafted (or replaced) key messages.

    Worked out once per analysis and what they depend on beyond it (the settings, the audit-key secret, the
    feedback left out): the app computes them when it checks the inputs (for the drafted key messages) and
    again when the workbook is built from that same check. Each caller gets its own copies of the tables,
    lists and messages; the replaced key messages of ``options`` are applied to the copy."""
    depends = (repr(options.settings), resolve_secret(options, analysis), tuple(sorted(options.excluded_feedback)))
    kept = analysis.__dict__.get("_computed")
    if kept is None or kept[0] != depends:
        kept = analysis.__dict__["_computed"] = (depends, *_compute(analysis, options))
    _, figures, drafted = kept
    figures = replace(figures, tables={name: table.copy(deep=False) for name, table in figures.tables.items()},
                      headlines=list(figures.headlines), notes=list(figures.notes))
    messages = {section: list(lines) for section, lines in drafted.items()}
    for section, text in options.messages.items():
        messages[section] = message_lines(text)
    return figures, messages


def _compute(analysis: Analysis, options: BuildOptions) -> tuple[Figures, dict[str, list[str]]]:
    settings = options.settings
    kpis = _start_kpi_figures(analysis, settings)  # at council scale, worked out beside the rest
    key = audit_key_function(analysis, options)
    figures = audit_figures(
        analysis.records, analysis.period,
        audit_key=key,
        include_case_refs=settings.include_case_refs,
        include_staff_names=settings.include_staff_names,
        service_areas=settings.service_areas,
    )
    if options.excluded_feedback:
        figures.tables["tbl_feedback"] = _feedback_without(analysis, key, options.excluded_feedback)
    _protect_feedback(figures, analysis.redactor, settings)
    _add_cached_export_figures(figures, analysis, settings, kpis)
    return figures, draft_messages(figures)


class _KpisElsewhere:
    """The Annex A KPIs worked out in a forked copy of this process while this one works out the audit,
    workforce and fostering figures (the two halves take about as long at council scale). A fork shares
    the analysis without copying it; only the results come back. Where workers do not start by forking
    (the app, Windows, ``PQA_START_METHOD=spawn``) or the exports are small, the KPIs are worked out here
    (``processes.kpi_plan``: a spawned copy costs more than it saves)."""

    def __init__(self, analysis: Analysis, settings: Settings) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=self._work, args=(analysis.exports, analysis.period, settings, send),
                                        daemon=True)
        self._process.start()
        send.close()

    @staticmethod
    def _work(exports: ExportRecords, period: Period, settings: Settings, send) -> None:
        try:
            send.send(("ok", kpi_figures(exports, period, settings)))
        except BaseException as exc:  # noqa: BLE001 - told to the parent, which works them out itself
            send.send(("failed", repr(exc)))
        finally:
            send.close()

    def results(self) -> list | None:
        """The KPI results, or None when the copy failed (the caller then works them out itself)."""
        try:
            status, value = self._receive.recv()
        except (EOFError, OSError):
            status, value = "failed", None
        finally:
            self._receive.close()
            self._process.join(5)
        return value if status == "ok" else None


def _start_kpi_figures(analysis: Analysis, settings: Settings) -> _KpisElsewhere | None:
    from ..runtime.processes import kpi_plan

    if _known_export_figures(analysis, settings) is not None:
        return None  # already worked out for this analysis, from these stored tables, or kept in the workspace
    rows = sum(table.rows for table in analysis.exports.tables.values())
    if kpi_plan(rows) != "fork":
        return None
    try:
        return _KpisElsewhere(analysis, settings)
    except OSError:  # no more processes allowed: work them out here
        return None


# The export figures last worked out from tables read back from a workspace, by what they were worked
# out from: the app checks the inputs again after every file added, and a new return changes no export.
_STORED_EXPORT_FIGURES: dict[tuple, Figures] = {}


def _stored_exports_key(analysis: Analysis, settings: Settings) -> tuple | None:
    """What the export figures depend on, when every table came from a workspace (else None: not kept): the
    stored tables' stamps, the period, the settings, the user's bank holidays, the published comparators'
    file and the benchmarks file (by content). Worked out once per analysis and settings."""
    known = analysis.__dict__.get("_stored_exports_key")
    if known is not None and known[0] == repr(settings):
        return known[1]
    tables = analysis.exports.tables
    key = None
    if tables and all(t.token is not None for t in tables.values()):
        chosen = settings.benchmarks_data if settings.council else None
        key = (repr(settings), analysis.period, file_stamp(user_bank_holidays_file()), file_stamp(chosen),
               file_stamp(settings.benchmarks_file),
               tuple(sorted((kind, t.token, t.file, t.sheet) for kind, t in tables.items())))
    analysis.__dict__["_stored_exports_key"] = (repr(settings), key)
    return key


def _known_export_figures(analysis: Analysis, settings: Settings) -> Figures | None:
    """The export figures already worked out for this analysis and settings, else for the same stored tables
    (this process's last ones, else those kept in the workspace), or None."""
    cache = analysis.__dict__.setdefault("_export_figures", {})
    key = repr(settings)
    if key in cache:
        return cache[key]
    stored_key = _stored_exports_key(analysis, settings)
    if stored_key is None:
        return None
    part = _STORED_EXPORT_FIGURES.get(stored_key)
    if part is None and analysis.workspace is not None:
        part = kept_figures(analysis.workspace, stored_key, analysis.period)
        if part is not None:
            _STORED_EXPORT_FIGURES.clear()  # the latest only
            _STORED_EXPORT_FIGURES[stored_key] = part
    if part is not None:
        cache.clear()  # one settings at a time: a changed setting makes the last one stale
        cache[key] = part
    return part


def _add_cached_export_figures(figures: Figures, analysis: Analysis, settings: Settings,
                               kpis: _KpisElsewhere | None = None) -> None:
    """``_add_export_figures``, worked out once per analysis and settings (the app computes the figures for
    the drafted key messages when it checks the inputs, and again when the workbook is built from that
    same check), once per set of stored tables read back from a workspace, and kept in the workspace for
    the next build (``workspace.derived``: a cold ``pqa build --workspace`` after a new return works out no
    export figure). Each caller gets its own copies of the tables and lists."""
    part = _known_export_figures(analysis, settings)
    if part is None:
        part = Figures(period=analysis.period)
        _add_export_figures(part, analysis.exports, analysis.period, settings, kpis)
        stored_key = _stored_exports_key(analysis, settings)
        if stored_key is not None:
            _STORED_EXPORT_FIGURES.clear()  # the latest only
            _STORED_EXPORT_FIGURES[stored_key] = part
            if analysis.workspace is not None:
                keep_figures(analysis.workspace, stored_key, part)
        cache = analysis.__dict__.setdefault("_export_figures", {})
        cache.clear()
        cache[repr(settings)] = part
    figures.tables.update({name: table.copy(deep=False) for name, table in part.tables.items()})
    figures.headlines.extend(part.headlines)
    figures.notes.extend(part.notes)
    figures.published, figures.published_problem = part.published, part.published_problem


def _add_export_figures(figures: Figures, exports: ExportRecords, period: Period, settings: Settings,
                        kpis: _KpisElsewhere | None = None) -> None:
    """KPIs, workforce and fostering. Always computed: a missing input gives blank values with a note
    saying which input would fill them, never a zero. ``kpis``: the KPIs being worked out elsewhere."""
    sections = []
    for compute_section in (workforce_figures, fostering_figures):
        section_results, tables = compute_section(exports, period, settings)
        sections.extend(section_results)
        figures.tables.update(tables)
    results = kpis.results() if kpis is not None else None
    if results is None:
        results = kpi_figures(exports, period, settings)
    results.extend(sections)
    benchmarks = _benchmarks(exports, settings)
    published = _published(figures, settings)
    note_refs = {}
    for spec in measure_specs():  # each KPI's DfE definition (and where ours differs) is a [note N] on the cover
        found = published.for_kpi(spec.id) if published is not None else None
        published_text = f" Published comparator ({found.source}): {found.differs}" if found is not None else ""
        figures.notes.append(Note(spec.id, f"{spec.label} ({spec.id}): {spec.definition}{published_text}"))
        note_refs[spec.id] = note_ref(spec.id)
    figures.tables["tbl_kpis"], figures.tables["tbl_kpi_monthly"] = kpi_tables(
        results, period, settings, benchmarks, note_refs, published)
    if published is not None:
        figures.tables["tbl_benchmarks"] = benchmarks_table(published)
        figures.tables[PUBLISHED_SERIES] = series_table(published)  # what the published-series charts plot
    if exports:
        figures.headlines.extend(kpi_headlines(results, period, settings, benchmarks, published,
                                               table=figures.tables["tbl_kpis"]))


def _published(figures: Figures, settings: Settings):
    """The chosen council's published comparators (None when no council is chosen). A file that cannot be
    read, or a council it does not hold, leaves them out and says why on the cover; the command line and the
    settings dialog check both before a build, so this happens only when the file changed since."""
    try:
        figures.published = council_comparators(settings)
    except (PublishedDataError, UnknownCouncil) as exc:
        figures.published = None
        figures.published_problem = str(exc)
    return figures.published


def _benchmarks(exports: ExportRecords, settings: Settings) -> pd.DataFrame | None:
    """User-supplied comparators (a benchmarks input, else the settings' file) over the shipped England values."""
    table = exports.get("benchmarks")
    if table is not None:
        return table.frame
    if settings.benchmarks_file:
        files, _ = discover([settings.benchmarks_file])
        for item in files:
            result = read_contained(item)
            for table in (result.exports if result else []):
                if table.kind == "benchmarks":
                    return table.frame
    return None


def coverage_table(exports: ExportRecords, period: Period, mask: Callable[[str], str]) -> pd.DataFrame:
    """tbl_coverage: one row per system-export table read (masked file name, kind, dates, rows, months covered)."""
    rows = []
    trend = Window(period.trend_start, period.snapshot)
    for table in exports.tables.values():
        first = last = None
        covered = 0
        facts = getattr(table, "facts", None)  # a table read back from a workspace: known without its frame
        if facts is not None:
            dated, first, last = facts.dated, facts.first, facts.last
        else:
            dated = bool(table.date_column and table.date_column in table.frame.columns)
            if dated:
                coverage = event_coverage(table.frame, table.date_column, period.snapshot)
                first, last = coverage.earliest, coverage.latest
        if dated:
            covered = len(Coverage(first, last, period.snapshot).covered_months(trend))
        rows.append([mask(table.file), table.label, first, last, table.rows, covered])
    return pd.DataFrame(rows, columns=["Input", "Kind", "First date", "Last date", "Rows", "Months covered"])


def audit_key_function(analysis: Analysis, options: BuildOptions) -> Callable[[Audit], str]:
    secret = resolve_secret(options, analysis)
    return lambda a: audit_key(secret, a.template_type, a.reference, a.audit_date)


def _in_period(analysis: Analysis) -> list[Audit]:
    return [a for a in analysis.records.audits if a.audit_date <= analysis.period.snapshot]


def _feedback_without(analysis: Analysis, key: Callable[[Audit], str], excluded: set[str]) -> pd.DataFrame:
    """tbl_feedback built by the measure itself from every audit but those the QA officer left out."""
    wanted = {k.strip().lower() for k in excluded}
    kept = [a for a in _in_period(analysis) if key(a) not in wanted]
    return feedback_table(kept, trend_window(analysis.period), key)


def _shown_feedback(texts: list[str], redactor: NameRedactor, settings: Settings) -> list[str]:
    """Feedback text as the workbook shows it: left out, or with staff names redacted unless opted in.
    ``redactor``: the analysis's (each text redacted once per check)."""
    if not settings.feedback_text:
        return [FEEDBACK_LEFT_OUT] * len(texts)
    if settings.include_staff_names:
        return [str(t) for t in texts]
    return [redactor(str(t)) for t in texts]


def _protect_feedback(figures: Figures, redactor: NameRedactor, settings: Settings) -> None:
    table = figures.tables.get("tbl_feedback")
    if table is None or table.empty:
        return
    table = table.assign(Feedback=_shown_feedback(list(table["Feedback"]), redactor, settings))
    figures.tables["tbl_feedback"] = table.reset_index(drop=True)


@dataclass(frozen=True)
class FeedbackItem:
    """One feedback text the workbook would show, for the app's "leave out" ticks."""

    audit_key: str
    date: date
    audit_type: str
    service_area: str
    source: str | None
    sentiment: str | None
    text: str  # as the workbook shows it (staff names redacted unless opted in)


def feedback_items(analysis: Analysis, options: BuildOptions) -> list[FeedbackItem]:
    """Every feedback item of the report (left-out ones included), in the workbook's order.

    The audits are those the measure's own feedback table lists (``feedback_audits``), so which audits have
    feedback in the window is decided in one place. (Asking the table once per audit built a frame for each:
    0.4 s of every check of a council's year in the app.)
    """
    key = audit_key_function(analysis, options)
    listed = feedback_audits(_in_period(analysis), trend_window(analysis.period), key)
    texts = _shown_feedback([audit.feedback.text for audit in listed], analysis.redactor, options.settings)
    return [FeedbackItem(audit_key=key(audit), date=audit.audit_date, audit_type=audit_type_label(audit),
                         service_area=service_area_label(audit), source=audit.feedback.source,
                         sentiment=audit.feedback.sentiment, text=text)
            for audit, text in zip(listed, texts)]


@dataclass(frozen=True)
class Duplicate:
    """An audit (or EDT dip sample) read from more than one file: the copies, and the one used."""

    identity: tuple  # what Workspace.choose_duplicate and BuildOptions.keep take
    kind: str  # template type
    copies: tuple[str, ...]  # the files holding a copy (unmasked: for the QA officer's choice only)
    kept: str  # the file whose copy is used


def duplicates(analysis: Analysis) -> list[Duplicate]:
    """Every identity with copies in several files, from what was read (after-period records aside)."""
    copies: dict[tuple, list[str]] = {}
    for _, result in analysis.results:
        for record in [*result.audits, *result.edt_samples]:
            if not record.identity[1] or record.source is None:
                continue
            dated = record.audit_date if isinstance(record, Audit) else record.sample_month
            if dated <= analysis.period.snapshot:
                copies.setdefault(record.identity, []).append(record.source.file)
    kept = {r.identity: r.source.file for r in [*analysis.records.audits, *analysis.records.edt_samples]
            if r.source is not None}
    return [Duplicate(identity, identity[0], tuple(files), kept.get(identity, files[0]))
            for identity, files in copies.items() if len(files) > 1]


def build(paths: Sequence[str | Path], output: str | Path, options: BuildOptions, *,
          progress: ProgressFn | None = None, cancel: CancelFn | None = None,
          analysis: Analysis | None = None, workspace: Workspace | None = None) -> BuildResult:
    """Read the inputs (unless an analysis is given), compute every figure and write the workbook atomically.

    With ``workspace`` the inputs are imported into it and everything it holds is reported, with its
    audit-key secret and, when ``options`` has none, its commentary for the period.
    """
    progress = progress or _noop_progress
    if workspace is not None:
        options = replace(options,
                          audit_key_secret=options.audit_key_secret or workspace.secret(),
                          commentary=options.commentary or workspace.commentary_for(options.period.end_month))
    if analysis is None or analysis.stopped:  # a check stopped part-way is never built from: read the rest
        analysis = analyse(paths, options.period, keep=options.keep, progress=progress, cancel=cancel,
                           workspace=workspace, passwords=options.input_passwords)
    if not analysis.usable:
        raise NothingToBuild("No audit or system export could be read from the inputs, so no workbook was "
                             "written. Add the auditors' returns and try again.")
    _check(cancel)
    t0 = time.perf_counter()
    progress("measure", 0, 1, "")
    figures, messages = compute(analysis, options)
    progress("measure", 1, 1, "")
    timings = dict(analysis.timings)
    timings["measure"] = time.perf_counter() - t0
    _check(cancel)

    t0 = time.perf_counter()
    progress("write", 0, 1, "")
    release_freed_memory()  # what working out the figures freed, before the workbook and its inspection
    settings = options.settings
    context = ReportContext(
        la_name=settings.la_name,
        produced=options.produced or date.today(),
        messages=messages,
        commentary=dict(options.commentary),
        findings=analysis.listed_findings(),
        finding_statuses=dict(analysis.statuses),
        coverage=coverage_table(analysis.exports, analysis.period, analysis.mask),
        inputs_used=analysis.inputs_used(),
        include_case_refs=settings.include_case_refs,
        include_staff_names=settings.include_staff_names,
        feedback_text=settings.feedback_text,
    )
    out = Path(output)
    data = render_workbook(figures, context)
    # Every build checks its own output before saving: a workbook that would leak is never written.
    leaks = inspect_with(data, analysis.found_identifiers(), la_name=settings.la_name,
                         allow_case_refs=settings.include_case_refs,
                         allow_staff_names=settings.include_staff_names)
    if leaks:
        raise LeakFound(leaks)
    save_workbook(out, data, options.password)
    progress("write", 1, 1, out.name)
    timings["write"] = time.perf_counter() - t0
    return BuildResult(output=out, analysis=analysis, figures=figures, messages=messages, timings=timings)


def headline_summary(figures: Figures) -> list[dict]:
    """Headline figures as plain values (for --json and the app), no names or references."""
    out = []
    for h in figures.headlines:
        out.append({"section": h.section, "measure": h.measure, "value": h.value, "previous": h.previous,
                    "change": h.change, "better_or_worse": h.better_or_worse, "unit": h.unit, "status": h.status})
    return out

