"""Inputs that end before the period does: the Annex A lists, the workforce list and the audits.

With the period end set after the inputs end, every figure of the later months would quietly show "No
data". Each input that ends early is said once, naming what ends when: as a warning among the findings
(``ending_early_findings``, made where the inputs are read) and as a reason figures will be blank
(``core.pipeline.readiness``). Months, never full dates: a date in the workbook's text (the Data quality sheet holds
these warnings) could be taken for a child's date of birth by the leak inspector, and says no more here.

What "ends" means for each input (an export ends early when it stops more than 7 days before the period
end, the coverage rule of measures.md, by which that month's figures from it go blank):
- an Annex A list: the latest date of any kind it holds (dates of birth aside), which is how far its
  extraction reaches. Lists 1 and 3 to 9 only: their figures depend on it and their dates are dense (a
  council records contacts, referrals, visits and reviews every week); List 2 and 11 have no figures, and
  List 10's few adoption dates can leave a quiet month without the list being old.
- the workforce list: its own snapshot date (its Snapshot date column, or the census XML's
  ReferenceDate). A list without one cannot be placed, and is not said to end early.
- the audits: the latest audit date or EDT dip sample month (audits after the period end are already
  left out), when none is in the period end month. A month without audits (August, December) is said
  too: if no audit was done, there is nothing to add.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..calendar import Period, add_months, month_start
from ..exports.combine import latest_date
from ..exports.model import ExportRecords
from ..findings import Finding, Severity, register_rule
from ..records import AuditRecords

RULE_ENDS_EARLY = register_rule(
    "period.input_ends_early",
    "An input ends before the period does, so the figures it feeds are blank for the time after it ends.")

DATED_LISTS = tuple(f"annex_a_list_{n}" for n in (1, 3, 4, 5, 6, 7, 8, 9))
WORKFORCE = "workforce"
AUDITS = "audits"
SEVEN_DAYS = timedelta(days=7)


@dataclass(frozen=True)
class InputEnd:
    """An input ending early: before the period end month, or (an export) in its first weeks."""

    key: str  # the export kind ("annex_a_list_1", "workforce") or "audits"
    what: str  # what the user calls it: "Annex A List 1 Contacts", "The workforce list", "The audits"
    ends: date  # first day of the month it ends in
    file: str = ""  # the file it came from (exports), for the finding
    sheet: str = ""

    def _when(self, period: Period) -> str:
        """When it ends, against the period end month, in months (never a full date)."""
        if self.ends < period.end_month:
            return f"in {self.ends:%B %Y}, before {period.label}, the period end month"
        return f"more than a week before the end of {period.label}, the period end month"

    def why(self, period: Period, named: bool = True) -> str:
        """Which figures will be blank, and why, in plain English; ``named`` False when ``what`` is said just
        before (the reasons list: "The audits: the latest is dated in …")."""
        if self.key == AUDITS:
            subject = "The latest audit read" if named else "The latest"
            return (f"{subject} is dated in {self.ends:%B %Y}, before {period.label}, the period end month: no "
                    f"audit is counted after {self.ends:%B %Y}.")
        if self.key == WORKFORCE:
            subject = "The workforce list is a snapshot taken" if named else "A snapshot taken"
            return (f"{subject} {self._when(period)}: it cannot tell who was in post, or who started or left, by "
                    f"the end of {period.label}, so those workforce figures are blank.")
        subject = f"{self.what} ends" if named else "Ends"
        return (f"{subject} {self._when(period)} (by its latest date): its figures for the time after that are "
                "blank, or describe the list as it was when it was extracted.")

    def fix(self, period: Period) -> str:
        """What to do, in the app's words."""
        last_whole = self.ends if self.ends < period.end_month else add_months(self.ends, -1)
        earlier = f"or choose {last_whole:%B %Y} as the period end month"
        if self.key == AUDITS:
            return (f"Add the returns of any audit done after {self.ends:%B %Y} (if none was, nothing is "
                    f"missing), {earlier}.")
        if self.key == WORKFORCE:
            return f"Add a workforce list taken at the end of {period.label}, {earlier}."
        return f"Add {self.what} extracted at the end of {period.label}, {earlier}."


def inputs_ending_early(exports: ExportRecords, records: AuditRecords, period: Period) -> list[InputEnd]:
    """Every input that ends early, Annex A lists first (in list order), then the workforce list, then the
    audits. An export ends early when it reaches no later than 8 days before the period end (the coverage
    rule of measures.md: a list whose latest date is within 7 days of the snapshot covers it, else the
    period end month's figures from it are blank); the audits, when none is dated in the period end month."""
    ends: list[InputEnd] = []
    reach = period.snapshot - SEVEN_DAYS
    for kind in DATED_LISTS:
        table = exports.get(kind)
        if table is None:
            continue
        latest = latest_date(table)
        if latest is not None and latest.date() < reach:
            ends.append(InputEnd(kind, table.label, month_start(latest.date()), table.file, table.sheet))
    workforce = exports.get(WORKFORCE)
    if workforce is not None and workforce.snapshot is not None and workforce.snapshot < reach:
        ends.append(InputEnd(WORKFORCE, "The workforce list", month_start(workforce.snapshot), workforce.file,
                             workforce.sheet))
    dated = [a.audit_date for a in records.audits if a.audit_date <= period.snapshot]
    dated += [s.sample_month for s in records.edt_samples if s.sample_month <= period.snapshot]
    if dated and max(dated) < period.end_month:
        ends.append(InputEnd(AUDITS, "The audits", month_start(max(dated))))
    return ends


def ending_early_findings(ends: list[InputEnd], period: Period) -> list[Finding]:
    """One warning per input ending early: what ends when, what is blank, what to do."""
    return [Finding(end.file, end.sheet, "", Severity.WARNING, RULE_ENDS_EARLY,
                    f"{end.why(period)} {end.fix(period)}")
            for end in ends]
