"""Combining the system-export tables of every input into one ExportRecords (one table per kind).

A second table of a kind (the same list exported twice, or last month's copy left in the folder)
does not add to the first: the table from the later-modified file is kept, with a warning naming
both. Here, where the period is known, the extraction-date checks of measures.md are made:
Annex A List 8 and List 9 describe each child at extraction, so dates well after the snapshot mean
figures "at the snapshot" describe a later day; a workforce list's own snapshot date well after the
period's is said too (one before the period end month is said by ``core.pipeline.period_coverage``).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd

from ..calendar import Period
from ..findings import Finding, Severity
from ..records import ReadResult
from . import rules
from .model import ExportRecords, ExportTable

EXTRACTION_TOLERANCE_DAYS = 31
AT_EXTRACTION_KINDS = ("annex_a_list_8", "annex_a_list_9")


def _when(table: ExportTable) -> datetime:
    """Modification time for comparison: aware times in UTC, unknown as the oldest possible."""
    stamp = table.modified
    if stamp is None:
        return datetime.min
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp


def _where(table: ExportTable) -> str:
    return f"'{table.file}' (sheet '{table.sheet}')" if table.sheet else f"'{table.file}'"


def latest_date(table: ExportTable) -> pd.Timestamp | None:
    """The latest date anywhere in the table, dates of birth aside. A table read back from a workspace knows it
    without decoding its frame (``workspace.stored.TableFacts``)."""
    facts = getattr(table, "facts", None)
    if facts is not None:
        return None if facts.latest is None else pd.Timestamp(facts.latest)
    latest = None
    for column in table.frame.columns:
        if column == "dob" or not pd.api.types.is_datetime64_any_dtype(table.frame[column]):
            continue
        top = table.frame[column].max()
        if pd.notna(top) and (latest is None or top > latest):
            latest = top
    return latest


def _extraction_findings(table: ExportTable, period: Period) -> list[Finding]:
    snapshot = period.snapshot
    if table.kind in AT_EXTRACTION_KINDS:
        latest = latest_date(table)
        if latest is not None and latest.date() > snapshot + timedelta(days=EXTRACTION_TOLERANCE_DAYS):
            return [Finding(table.file, table.sheet, "", Severity.WARNING, rules.EXTRACTED_AFTER_SNAPSHOT,
                            f"This {table.label} list holds dates up to {latest:%d/%m/%Y}, more than "
                            f"{EXTRACTION_TOLERANCE_DAYS} days after the period end "
                            f"({snapshot:%d/%m/%Y}). The list describes each child when it was "
                            "extracted, so figures 'at the snapshot' describe a later date. Use a "
                            "list extracted at the end of the period if you have one.")]
    # A snapshot before the period end month is said by core.pipeline.period_coverage (the list ends early); here,
    # one well after it.
    if table.kind == "workforce" and table.snapshot is not None and table.snapshot > snapshot:
        gap = (table.snapshot - snapshot).days
        if gap > EXTRACTION_TOLERANCE_DAYS:
            return [Finding(table.file, table.sheet, "", Severity.WARNING,
                            rules.WORKFORCE_SNAPSHOT_MISMATCH,
                            f"The workforce list is a snapshot at {table.snapshot:%d/%m/%Y}, {gap} "
                            f"days after the period end ({snapshot:%d/%m/%Y}), so workforce figures "
                            "describe that date. Use a list taken at the end of the period if you "
                            "have one.")]
    return []


def combine_exports(results: list[ReadResult], period: Period) -> tuple[ExportRecords, list[Finding]]:
    """One table per kind, the later-modified copy winning (ties: the first given)."""
    findings: list[Finding] = []
    by_kind: dict[str, list[ExportTable]] = {}
    for result in results:
        for table in result.exports:
            by_kind.setdefault(table.kind, []).append(table)

    records = ExportRecords()
    for kind, tables in by_kind.items():
        kept = max(tables, key=_when)  # max() keeps the first of equal times
        for other in tables:
            if other is kept:
                continue
            findings.append(Finding(
                other.file, other.sheet, "", Severity.WARNING, rules.DUPLICATE_TABLE,
                f"Two inputs hold the {kept.label}: {_where(other)} and {_where(kept)}. Only "
                f"{_where(kept)}, the later-modified, is used. Remove the other one if it is out of "
                "date, or update the kept file if it is the wrong one."))
        records.tables[kind] = kept
        findings.extend(_extraction_findings(kept, period))
    return records, findings
