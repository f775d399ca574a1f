"""Sending findings back to the auditors: for each auditor, a small workbook listing the open problems in
the returns they completed (file, sheet, cell, field, value found, what to fix, audit key) and an email
draft to them that says the same, made as the report's draft is (``email_draft.draft_message``).

Who an auditor is comes from the returns themselves (``ReadResult.auditors``: a return's auditor, an EDT
sample's "sampled by", a register row's auditor). Only open errors and warnings go back: what is corrected
or accepted is dealt with, and info findings need nothing from the auditor.

Privacy: the rows carry what the findings already say (file names masked, no child's ID, name or date of
birth, the value found only for fields that never identify anyone) and the audit key, never a case
reference unless the user opted in (``include_case_refs``). No staff name is written into the workbook,
not even the auditor's: the file name and the draft's greeting say who it is for. Each workbook is checked
by the leak inspector before it is saved, as the report is, and is not saved if anything is found.

    sent = write_send_back(folder, analysis, options, produced=date.today())

Usable from a script: nothing here imports Qt.
"""
from __future__ import annotations

import html
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import xlsxwriter

from .email_draft import draft_message, write_draft
from ..finding_status import OPEN, status_of
from ..findings import RULES, Finding, Severity, cell_sort_key
from ..inspect import inspect_with
from ..pipeline.run import Analysis, BuildOptions, LeakFound, audit_key_function
from ..records import Audit
from ..report.context import CLASSIFICATION
from ..report.data_quality import display_file
from ..report.layout import SheetLayout
from ..report.package import add_language, write_atomically
from ..report.spec import workbook_spec
from ..report.styles import Styles
from ..report.writer import WORKBOOK_OPTIONS

SENT_SEVERITIES = (Severity.ERROR, Severity.WARNING)
# Findings that are the QA officer's to settle, not the auditor's: which copy of a duplicate to use, and
# what the workspace and the settings say.
OFFICER_RULES = ("audit.duplicate",)
OFFICER_RULE_AREAS = ("workspace.", "settings.", "input.")
NO_AUDITOR = ""  # the group of findings no auditor is named for (exports, registers of many, unread files)
SUMMARY_HEADERS = ("Problem", "Rule", "Findings", "Files")
FINDING_HEADERS = ("File", "Sheet", "Cell", "Field", "Value found", "What to fix", "Severity", "Audit key")
REFERENCE_HEADER = "Reference"  # after Audit key, only when the user opted in to case references
WHAT_WIDTH = 80  # characters: the What to fix column, wrapped


# ------------------------------------------------------------------------------------------------------
# who, and which audit
# ------------------------------------------------------------------------------------------------------
def finding_auditors(analysis: Analysis) -> Callable[[Finding], str]:
    """The auditor a finding goes back to ("" when no one auditor is named): the auditor of the register
    row it names, else the one auditor of its file."""
    by_name = {analysis.mask(item.name): result.auditors for item, result in analysis.results}

    def auditor(finding: Finding) -> str:
        auditors = by_name.get(finding.file)
        if not auditors:
            return NO_AUDITOR
        if finding.cell in auditors:
            return auditors[finding.cell]
        if "" in auditors:
            return auditors[""]
        names = set(auditors.values())
        return names.pop() if len(names) == 1 else NO_AUDITOR

    return auditor


def finding_audits(analysis: Analysis) -> Callable[[Finding], Audit | None]:
    """The audit a finding is about, when it names one: its register row's, else its file's only audit."""
    by_name: dict[str, list[Audit]] = {analysis.mask(item.name): result.audits for item, result in analysis.results}

    def audit(finding: Finding) -> Audit | None:
        audits = by_name.get(finding.file) or []
        match = re.fullmatch(r"row (\d+)", finding.cell or "")
        if match:
            row = int(match.group(1))
            return next((a for a in audits if a.source is not None and a.source.row == row), None)
        return audits[0] if len(audits) == 1 else None

    return audit


def file_kinds(analysis: Analysis) -> dict[str, str]:
    """Each file's kind as the inputs list shows it ("Case file audit"), by its name as shown."""
    return {analysis.mask(item.name): result.kind_label for item, result in analysis.results}


# ------------------------------------------------------------------------------------------------------
# the lists
# ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SendBackRow:
    file: str
    sheet: str
    cell: str
    field: str
    value: str
    what_to_fix: str
    severity: str
    rule: str
    audit_key: str = ""
    reference: str = ""  # only when the user opted in to case references


@dataclass
class SendBackList:
    """One auditor's open findings, worst first, by file."""

    auditor: str
    rows: list[SendBackRow] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)  # file -> kind label, for the draft's headings

    @property
    def files(self) -> list[str]:
        return list(dict.fromkeys(r.file for r in self.rows))


def for_auditor(finding: Finding) -> bool:
    """Whether the finding asks something of the return's auditor (not of the QA officer)."""
    return finding.rule not in OFFICER_RULES and not finding.rule.startswith(OFFICER_RULE_AREAS)


def send_back_lists(analysis: Analysis, options: BuildOptions, *, auditors: Iterable[str] | None = None,
                    findings: Iterable[Finding] | None = None) -> list[SendBackList]:
    """One list per auditor with open errors or warnings (only ``auditors`` when given; only among
    ``findings`` when given, e.g. the ones a filter shows), auditors in name order."""
    include_refs = options.settings.include_case_refs
    wanted = None if auditors is None else set(auditors)
    auditor_of = finding_auditors(analysis)
    audit_of = finding_audits(analysis)
    key_of = audit_key_function(analysis, options)
    kinds = file_kinds(analysis)
    chosen: dict[str, list[Finding]] = defaultdict(list)
    pool = analysis.findings if findings is None else list(findings)
    for f in pool:
        if f.severity not in SENT_SEVERITIES or status_of(f, analysis.statuses) != OPEN or not for_auditor(f):
            continue
        who = auditor_of(f)
        if who == NO_AUDITOR or (wanted is not None and who not in wanted):
            continue
        chosen[who].append(f)
    out = []
    for who in sorted(chosen, key=str.casefold):
        lst = SendBackList(auditor=who)
        for f in sorted(chosen[who], key=lambda x: (x.file.casefold(), x.sheet, cell_sort_key(x.cell),
                                                    x.severity.rank, x.rule)):
            audit = audit_of(f)
            lst.rows.append(SendBackRow(
                file=display_file(f.file), sheet=f.sheet, cell=f.cell, field=f.field, value=f.value,
                what_to_fix=f.message, severity=f.severity.value.capitalize(), rule=f.rule,
                audit_key=key_of(audit) if audit is not None else "",
                reference=audit.reference if (include_refs and audit is not None) else ""))
            lst.kinds.setdefault(display_file(f.file), kinds.get(f.file, "Return"))
        out.append(lst)
    return out


# ------------------------------------------------------------------------------------------------------
# the workbook
# ------------------------------------------------------------------------------------------------------
def render_send_back_workbook(lst: SendBackList, *, la_name: str, period_label: str, produced: date,
                             include_case_refs: bool = False, classification: str = CLASSIFICATION) -> bytes:
    """Two sheets, as csc-validator's user report: a summary by rule with counts, then one row per finding
    (what, where, why). Each an Excel table, title in A1."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    styles, spec = Styles(wb), workbook_spec()

    counts = Counter(r.rule for r in lst.rows)
    files = defaultdict(set)
    for r in lst.rows:
        files[r.rule].add(r.file)
    summary = SheetLayout(wb.add_worksheet("Summary"), styles, spec)
    n = len(lst.rows)
    summary.title(f"Returns to correct \u2014 {period_label}",
                  f"{n} problem{'s' if n != 1 else ''} in {len(lst.files)} file{'s' if len(lst.files) != 1 else ''} "
                  f"you completed for {la_name}'s report. Each is listed on the Findings sheet with where it is "
                  "and what to enter.")
    rows = [[RULES.get(rule, rule), rule, count, len(files[rule])] for rule, count in
            sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    summary.table("tbl_summary_by_rule", "Problems by rule", SUMMARY_HEADERS, rows)
    summary.finish(classification)

    headers = list(FINDING_HEADERS) + ([REFERENCE_HEADER] if include_case_refs else [])
    detail = SheetLayout(wb.add_worksheet("Findings"), styles, spec)
    detail.title("Findings to correct",
                 "One row per problem: the file, sheet and cell to open, the field and the value found there, and "
                 "what to enter. The audit key identifies the audit without its case reference.")
    table = detail.table("tbl_findings", "Findings", headers,
                         [[r.file, r.sheet, r.cell, r.field, r.value, r.what_to_fix, r.severity, r.audit_key]
                          + ([r.reference] if include_case_refs else []) for r in lst.rows])
    detail.finish(classification)
    what = headers.index("What to fix")  # wide and wrapped: the whole sentence is the point
    wrapped = styles.get(None, text_wrap=True, valign="top")
    detail.ws.set_column(what, what, WHAT_WIDTH, wrapped)
    for i, r in enumerate(lst.rows):  # room for every line of the sentence (not every program fits rows itself)
        lines = max(1, -(-len(r.what_to_fix) // (WHAT_WIDTH - 6)))
        detail.ws.set_row(table.first_row + i, 15 * lines, wrapped)  # each row's cells top-aligned together

    stamp = datetime(produced.year, produced.month, produced.day, tzinfo=timezone.utc)
    wb.set_properties({
        "title": f"Returns to correct, {period_label}",
        "subject": f"Audit return findings to correct, {period_label}",
        "author": la_name,  # never the Windows user name: the leak inspector checks it
        "manager": la_name,
        "company": la_name,
        "category": classification,
        "comments": f"Produced by PQA Desktop on {produced:%d/%m/%Y}. Classification: {classification}.",
        "status": classification,
        "created": stamp,
    })
    wb.close()
    return add_language(buffer.getvalue())


# ------------------------------------------------------------------------------------------------------
# the email draft
# ------------------------------------------------------------------------------------------------------
def draft_subject(period_label: str, count: int, classification: str = CLASSIFICATION) -> str:
    return (f"Audit returns to correct for the {period_label} report: {count} problem{'s' if count != 1 else ''} "
            f"({classification})")


def finding_line(row: SendBackRow) -> str:
    """"Sheet Audit, cell B20: Overall practice judgement: "Goodish" is not a grade. Enter …" — the place, then
    the finding's own words (which start with the field)."""
    where = ", ".join(part for part in (row.sheet and f"sheet {row.sheet}",
                                        row.cell and (row.cell if row.cell.startswith("row ") else f"cell {row.cell}"))
                      if part)
    where = where[:1].upper() + where[1:] if where else "The whole file"
    return f"{where}: {row.what_to_fix}"


def draft_bodies(lst: SendBackList, *, la_name: str, period_label: str, produced: date,
                 classification: str = CLASSIFICATION) -> tuple[str, str]:
    """The plain and HTML bodies: the findings one line each, grouped by file."""
    n = len(lst.rows)
    intro = (f"{n} problem{'s' if n != 1 else ''} {'were' if n != 1 else 'was'} found in the audit returns you "
             f"completed for {la_name.strip()}'s {period_label} Performance and Quality Assurance report. Could "
             "you correct each one in the file named and send the corrected file back? The attached workbook "
             "lists them too.")
    closing = [f"This email and the workbook are classified {classification}. They hold no child's name, ID or "
               "date of birth: the audit key in the workbook identifies each audit.",
               f"Produced with PQA Desktop on {produced:%d/%m/%Y}."]
    by_file: dict[str, list[SendBackRow]] = defaultdict(list)
    for row in lst.rows:
        by_file[row.file].append(row)
    greeting = f"Hello {lst.auditor}," if lst.auditor else "Hello,"
    lines = [greeting, "", intro]
    for file, rows in by_file.items():
        lines += ["", f'{lst.kinds.get(file, "Return")} "{file}":']
        lines += [f"- {finding_line(r)}" for r in rows]
    for paragraph in closing:
        lines += ["", paragraph]
    text = "\n".join(lines) + "\n"

    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en-GB"><head><meta charset="utf-8">',
             f"<title>{e(draft_subject(period_label, n, classification))}</title></head><body>",
             f"<p>{e(greeting)}</p>", f"<p>{e(intro)}</p>"]
    for file, rows in by_file.items():
        parts.append(f'<h2>{e(lst.kinds.get(file, "Return"))} &ldquo;{e(file)}&rdquo;</h2><ul>')
        parts += [f"<li>{e(finding_line(r))}</li>" for r in rows]
        parts.append("</ul>")
    parts += [f"<p>{e(p)}</p>" for p in closing]
    parts.append("</body></html>")
    return text, "\n".join(parts) + "\n"


# ------------------------------------------------------------------------------------------------------
# all of it, saved
# ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SentBack:
    auditor: str
    count: int
    workbook: Path
    draft: Path


def file_stem(auditor: str, period: date) -> str:
    """"findings-for-jane-smith-2024-09": safe on Windows (no reserved characters or names)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", auditor).strip("-").lower() or "auditor"
    return f"findings-for-{slug[:60]}-{period:%Y-%m}"


def write_send_back(folder: str | Path, analysis: Analysis, options: BuildOptions, *, produced: date,
                    auditors: Iterable[str] | None = None, findings: Iterable[Finding] | None = None
                    ) -> list[SentBack]:
    """Write each auditor's workbook and email draft into ``folder`` (both atomically); returns what was
    written. Raises LeakFound, before anything is saved, when a workbook would show personal data."""
    settings = options.settings
    la_name = settings.la_name.strip()
    period = analysis.period
    lists = send_back_lists(analysis, options, auditors=auditors, findings=findings)
    found = analysis.found_identifiers()  # the build's, when a build from this check made it
    rendered: list[tuple[SendBackList, bytes]] = []
    for lst in lists:  # every workbook checked before any is saved
        data = render_send_back_workbook(lst, la_name=la_name, period_label=period.label, produced=produced,
                                         include_case_refs=settings.include_case_refs)
        leaks = inspect_with(data, found, la_name=la_name, allow_case_refs=settings.include_case_refs,
                             allow_staff_names=False)
        if leaks:
            raise LeakFound(leaks)
        rendered.append((lst, data))
    out = Path(folder)
    sent = []
    used: set[str] = set()
    for lst, data in rendered:
        stem = file_stem(lst.auditor, period.end_month)
        while stem in used:  # two auditors whose names differ only in punctuation
            stem += "-2"
        used.add(stem)
        workbook, draft = out / f"{stem}.xlsx", out / f"{stem}.eml"
        write_atomically(workbook, data)
        text, markup = draft_bodies(lst, la_name=la_name, period_label=period.label, produced=produced)
        write_draft(draft, draft_message(draft_subject(period.label, len(lst.rows)), text, markup, data,
                                         workbook.name, produced))
        sent.append(SentBack(lst.auditor, len(lst.rows), workbook, draft))
    return sent


__all__ = ["finding_auditors", "finding_audits", "send_back_lists", "render_send_back_workbook", "draft_bodies",
           "write_send_back", "SendBackList", "SendBackRow", "SentBack", "NO_AUDITOR"]
