"""Stable rule ids of the findings raised while reading and combining system exports."""
from __future__ import annotations

from ..findings import register_rule

MISSING_COLUMN = register_rule(
    "export.missing_column",
    "A system export lacks a column it must have, so that table was not read.")
UNREADABLE_DATE = register_rule(
    "export.unreadable_date",
    "A date in a system export could not be read as a UK date; it is left blank.")
UNREADABLE_NUMBER = register_rule(
    "export.unreadable_number",
    "A number in a system export could not be read; it is left blank.")
UNREADABLE_CODE = register_rule(
    "export.unreadable_code",
    "A coded answer (Yes/No, role) in a system export was not recognised; it is left blank.")
ASSESSMENT_BEFORE_START = register_rule(
    "export.assessment_authorised_before_start",
    "An assessment was authorised before it started; it is left out of assessment timeliness.")
ICPC_BEFORE_S47 = register_rule(
    "export.icpc_before_s47",
    "An initial child protection conference is dated before its section 47 enquiry started; it is "
    "left out of conference timeliness.")
S47_END_BEFORE_START = register_rule(
    "export.s47_end_before_start",
    "A section 47 enquiry ends before it started; it is left out of enquiry duration figures.")
LEAVE_BEFORE_START = register_rule(
    "export.leave_before_start",
    "A worker's leave date is before their start date; they are left out of the workforce figures.")
ALLOCATION_END_BEFORE_START = register_rule(
    "export.allocation_end_before_start",
    "A worker allocation ends before it started; it is left out of the same-worker figures.")
DEREGISTERED_BEFORE_APPROVAL = register_rule(
    "export.deregistered_before_approval",
    "A fostering household was de-registered before it was approved; it is left out of the "
    "fostering figures.")
BIRTH_IN_FUTURE = register_rule(
    "export.birth_in_future",
    "A child's date of birth is in the future; the child is left out of figures by age.")
SNAPSHOT_DATES_DIFFER = register_rule(
    "export.snapshot_dates_differ",
    "A workforce list holds more than one snapshot date; the most common one is used.")
CENSUS_UNSAFE = register_rule(
    "export.xml_unsafe",
    "An XML file uses features (entities, DTDs) that could be an attack, so it was not read.")
CENSUS_MALFORMED = register_rule(
    "export.xml_malformed",
    "An XML file is damaged or incomplete, so it could not be read.")
DUPLICATE_TABLE = register_rule(
    "export.duplicate_table",
    "Two inputs hold the same kind of system export; only the later-modified one is used.")
EXTRACTED_AFTER_SNAPSHOT = register_rule(
    "export.extracted_after_snapshot",
    "An Annex A list holds dates well after the period end, so figures 'at the snapshot' describe "
    "a later date.")
WORKFORCE_SNAPSHOT_MISMATCH = register_rule(
    "export.workforce_snapshot_mismatch",
    "The workforce list's snapshot date is more than 31 days from the period end.")
