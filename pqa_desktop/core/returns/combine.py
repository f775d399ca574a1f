"""Combining what every input gave into one AuditRecords: duplicates resolved, future audits left out.

The same audit (same identity: template type, reference, audit date; for an EDT dip sample, sampler
and month) imported from two files keeps the copy from the later-modified file, unless the user chose
the other copy (``keep``: identity -> file name, a correction kept in the workspace). Byte-identical
files never reach this point: input discovery counts them once.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..calendar import Period
from ..findings import Finding, Severity
from ..records import Audit, AuditRecords, EdtSample, ReadResult
from . import rules

_KIND_NAMES = {"case_file_audit": "case file audit", "foster_carer_audit": "foster carer audit",
               "edt_dip_sample": "EDT dip sample"}
_SAME = {"case_file_audit": "same case reference and audit date",
         "foster_carer_audit": "same household reference and audit date",
         "edt_dip_sample": "same sampler and sample month"}


def _place(record: Audit | EdtSample) -> tuple[str, str, str]:
    src = record.source
    if src is None:
        return "", "", ""
    return src.file, src.sheet, f"row {src.row}" if src.row else ""


def _when(record: Audit | EdtSample) -> datetime:
    """Modification time for comparison: aware times in UTC, unknown as the oldest possible."""
    stamp = record.source.modified if record.source else None
    if stamp is None:
        return datetime.min
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp


def _dated(record: Audit | EdtSample):
    return record.audit_date if isinstance(record, Audit) else record.sample_month


def _has_identity(record: Audit | EdtSample) -> bool:
    # A record without a reference (or sampler) cannot be matched to another copy: it is an error
    # already, and two such records are not assumed to be the same audit.
    return bool(record.identity[1])


def _choose(copies: list[Audit | EdtSample], chosen_file: str | None) -> tuple[Audit | EdtSample, bool]:
    """(copy kept, whether the user's choice decided it)."""
    if chosen_file is not None:
        for copy in copies:
            if copy.source is not None and copy.source.file == chosen_file:
                return copy, True
    # max() keeps the first of equal times, so the order the inputs were given breaks ties.
    return max(copies, key=_when), False


def combine(results: list[ReadResult], period: Period, keep: dict | None = None
            ) -> tuple[AuditRecords, list[Finding]]:
    keep = keep or {}
    findings: list[Finding] = []
    groups: dict[tuple, list[Audit | EdtSample]] = {}
    order: list[tuple | int] = []  # first-seen order of identities (ints stand for unmatched records)
    unmatched: list[Audit | EdtSample] = []
    snapshot = period.snapshot

    for result in results:
        for record in [*result.audits, *result.edt_samples]:
            file, sheet, cell = _place(record)
            kind = _KIND_NAMES.get(record.template_type, "audit")
            if _dated(record) > snapshot:
                findings.append(Finding(
                    file, sheet, cell, Severity.INFO, rules.AFTER_PERIOD,
                    f"This {kind} is dated after the period end ({period.label}), so it is left out "
                    "of this report. It will count when you build the report for its month."))
                continue
            if not _has_identity(record):
                order.append(len(unmatched))
                unmatched.append(record)
                continue
            if record.identity not in groups:
                groups[record.identity] = []
                order.append(record.identity)
            groups[record.identity].append(record)

    records = AuditRecords()
    for key in order:
        if isinstance(key, int):
            record = unmatched[key]
        else:
            copies = groups[key]
            record, by_choice = _choose(copies, keep.get(key))
            kept_file = record.source.file if record.source else "another file"
            for other in copies:
                if other is record:
                    continue
                file, sheet, cell = _place(other)
                kind = _KIND_NAMES.get(other.template_type, "audit")
                reason = "as you chose" if by_choice else "because that file was modified later"
                if not by_choice and _when(other) == _when(record):
                    reason = "because it was read first (both files have the same modified time)"
                findings.append(Finding(
                    file, sheet, cell, Severity.WARNING, rules.DUPLICATE,
                    f"The same {kind} ({_SAME.get(other.template_type, 'same identity')}) is also in "
                    f'"{kept_file}". That copy is kept {reason}, and this one is left out. If this '
                    "copy is the right one, choose it in the duplicates list."))
        if isinstance(record, Audit):
            records.audits.append(record)
        else:
            records.edt_samples.append(record)
    return records, findings
