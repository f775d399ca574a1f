"""Impossible records: reported (warning) and flagged so the measure they would distort leaves them out.

Each check adds a boolean column to the table's frame (True = impossible), always present for the
kinds it applies to, even when the dates it compares are missing (then all False):

- List 4 ``_bad_assessment_dates``: authorisation before the assessment started.
- List 5 ``_bad_icpc``: ICPC before the S47 enquiry started; ``_bad_s47_end``: enquiry end before start.
- Lists 8, 9, 10 ``_bad_dob``: date of birth after the day the list was read. Lists 1-7 are not
  checked: the DfE allows an unborn child's expected date of birth there (pre-birth enquiries and plans).
- Workforce ``_bad_leave``: leave date before start date.
- Allocations ``_bad_allocation``: allocation end before its start.
- Households ``_bad_deregistration``: de-registration before approval.
A date equal to its start is possible (same-day authorisation, same-day ICPC) and not flagged.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from . import rules
from .row_findings import RowFindings


@dataclass(frozen=True)
class OrderCheck:
    kind: str
    flag: str
    first: str  # column id of the earlier date
    then: str  # column id of the date that must not be before it
    rule: str
    message: str  # per-row warning
    more: str  # closing warning for rows past the cap ({count})


ORDER_CHECKS = (
    OrderCheck("annex_a_list_4", "_bad_assessment_dates", "assessment_start", "assessment_authorised",
               rules.ASSESSMENT_BEFORE_START,
               "This assessment's date of authorisation is before its start date, so it is left out of "
               "assessment timeliness. Correct the dates in the case management system.",
               "{count} more assessments are authorised before their start date and are left out of "
               "assessment timeliness."),
    OrderCheck("annex_a_list_5", "_bad_icpc", "s47_start", "icpc_date", rules.ICPC_BEFORE_S47,
               "This initial child protection conference is dated before the section 47 enquiry "
               "started, so it is left out of conference timeliness. Correct the dates in the case "
               "management system.",
               "{count} more conferences are dated before their enquiry started and are left out of "
               "conference timeliness."),
    OrderCheck("annex_a_list_5", "_bad_s47_end", "s47_start", "s47_end", rules.S47_END_BEFORE_START,
               "This section 47 enquiry's end date is before its start date, so it is left out of "
               "enquiry duration figures. Correct the dates in the case management system.",
               "{count} more enquiries end before they started and are left out of enquiry duration "
               "figures."),
    OrderCheck("workforce", "_bad_leave", "start_date", "leave_date", rules.LEAVE_BEFORE_START,
               "This worker's leave date is before their start date, so they are left out of the "
               "workforce figures. Correct the dates in the workforce list.",
               "{count} more workers have a leave date before their start date and are left out of "
               "the workforce figures."),
    OrderCheck("allocations", "_bad_allocation", "allocation_start", "allocation_end",
               rules.ALLOCATION_END_BEFORE_START,
               "This allocation ends before it started, so it is left out of the same-worker figures. "
               "Correct the dates in the allocation history.",
               "{count} more allocations end before they started and are left out of the "
               "same-worker figures."),
    OrderCheck("households", "_bad_deregistration", "approval_date", "deregistration_date",
               rules.DEREGISTERED_BEFORE_APPROVAL,
               "This household's de-registration date is before its approval date, so it is left out "
               "of the fostering figures. Correct the dates in the household list.",
               "{count} more households were de-registered before approval and are left out of the "
               "fostering figures."),
)

DOB_CHECKED_KINDS = ("annex_a_list_8", "annex_a_list_9", "annex_a_list_10")
DOB_FLAG = "_bad_dob"


def flag_columns(kind: str) -> tuple[str, ...]:
    """The impossible-record flag columns a kind's frame carries."""
    flags = [c.flag for c in ORDER_CHECKS if c.kind == kind]
    if kind in DOB_CHECKED_KINDS:
        flags.append(DOB_FLAG)
    return tuple(flags)


def _places(frame: pd.DataFrame, mask: pd.Series) -> list[str]:
    return [f"row {int(r)}" for r in frame.loc[mask, "_row"]]


def flag_impossible(kind: str, frame: pd.DataFrame, report: RowFindings, today: date) -> None:
    """Add the kind's flag columns to ``frame`` (in place) and report each impossible row."""
    for check in ORDER_CHECKS:
        if check.kind != kind:
            continue
        if check.first in frame and check.then in frame:
            bad = (frame[check.then] < frame[check.first]).fillna(False).astype(bool)
        else:
            bad = pd.Series(False, index=frame.index)
        frame[check.flag] = bad
        if bad.any():
            report.report(check.rule, _places(frame, bad), check.message, check.more)
    if kind in DOB_CHECKED_KINDS:
        if "dob" in frame:
            bad = (frame["dob"] > pd.Timestamp(today)).fillna(False).astype(bool)
        else:
            bad = pd.Series(False, index=frame.index)
        frame[DOB_FLAG] = bad
        if bad.any():
            report.report(rules.BIRTH_IN_FUTURE, _places(frame, bad),
                          "This child's date of birth is in the future, so the child is left out of "
                          "figures by age. Correct the date of birth in the case management system.",
                          "{count} more children have a date of birth in the future and are left out "
                          "of figures by age.")
