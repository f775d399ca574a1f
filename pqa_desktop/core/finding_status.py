"""What the QA officer decided about a finding: still open, corrected, or accepted with a reason.

A finding is re-made every time the inputs are checked, so its status is kept apart from it (in the
workspace), under the finding's place and rule as shown: file (masked display name), sheet, cell and
rule id. Two findings at the same place under the same rule share one status.

The Data quality sheet's Status column and the app's findings list both show ``status_text``:
``Open``, ``Corrected`` or ``Accepted: <the officer's reason>``. A correction that makes its finding go
away (a value read as a grade) keeps the finding listed as corrected, from the copy kept with the status.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from .findings import Finding

OPEN = "open"
CORRECTED = "corrected"
ACCEPTED = "accepted"
STATUSES = (OPEN, CORRECTED, ACCEPTED)
STATUS_WORDS = {OPEN: "Open", CORRECTED: "Corrected", ACCEPTED: "Accepted"}

StatusKey = tuple[str, str, str, str]


def status_key(finding: Finding) -> StatusKey:
    """Where a status is kept: the finding's file (as shown), sheet, cell and rule."""
    return (finding.file, finding.sheet, finding.cell, finding.rule)


@dataclass(frozen=True)
class FindingStatus:
    status: str  # CORRECTED or ACCEPTED (an open finding has no status kept)
    reason: str
    who: str
    when: datetime  # UTC
    finding: Finding  # the finding as it was when the status was set
    correction_id: int | None = None  # the correction that made it corrected, when one did

    @property
    def text(self) -> str:
        if self.status == ACCEPTED:
            return f"Accepted: {self.reason}" if self.reason else "Accepted"
        return STATUS_WORDS.get(self.status, "Open")


def status_of(finding: Finding, statuses: Mapping[StatusKey, FindingStatus]) -> str:
    """OPEN, CORRECTED or ACCEPTED."""
    kept = statuses.get(status_key(finding))
    return kept.status if kept is not None else OPEN


def status_text(finding: Finding, statuses: Mapping[StatusKey, FindingStatus]) -> str:
    """``Open``, ``Corrected`` or ``Accepted: <reason>``, as the Data quality sheet's Status column shows it."""
    kept = statuses.get(status_key(finding))
    return kept.text if kept is not None else STATUS_WORDS[OPEN]


def resolved_findings(findings: Iterable[Finding], statuses: Mapping[StatusKey, FindingStatus],
                      files: Iterable[str]) -> list[Finding]:
    """Corrected findings that their correction made go away: still listed, as corrected, while their file
    is among the inputs (``files``: the display names as shown). Findings still raised are not repeated."""
    raised = {status_key(f) for f in findings}
    present = set(files)
    return [kept.finding for key, kept in statuses.items()
            if kept.status == CORRECTED and key not in raised and kept.finding.file in present]
