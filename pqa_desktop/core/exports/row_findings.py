"""Per-row findings for a system export, capped so a systematic problem is not 100,000 findings.

The first ``PER_ISSUE`` rows with the same problem (same rule, same column) each get a finding
naming their cell or row; the rest are counted in one closing finding for the table. Messages name
the column and the place, never the value (which may be a child's ID or date of birth).
"""
from __future__ import annotations

from ..findings import FindingSink

PER_ISSUE = 20


class RowFindings:
    def __init__(self, sink: FindingSink, sheet: str, per_issue: int = PER_ISSUE):
        self.sink = sink
        self.sheet = sheet
        self.per_issue = per_issue

    def report(self, rule: str, places: list[str], message: str, more: str) -> None:
        """One warning per place (cell "C7" or "row 7") up to the cap, then one for the rest.

        ``more`` is the closing message, with ``{count}`` for the number of further rows.
        """
        for place in places[:self.per_issue]:
            self.sink.warning(rule, message, sheet=self.sheet, cell=place)
        rest = len(places) - self.per_issue
        if rest > 0:
            self.sink.warning(rule, more.format(count=f"{rest:,}"), sheet=self.sheet)
