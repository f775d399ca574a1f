"""Stable rule ids for findings about auditor returns and audit registers.

The file-level ids (file.password_protected, file.corrupt) live with the table reader, which opens files.
"""
from __future__ import annotations

from ..findings import register_rule

GRADE_UNRECOGNISED = register_rule(
    "grade.unrecognised",
    "A judgement is not on the grading scale; that judgement counts as missing.")
GRADE_NUMBER = register_rule(
    "grade.number",
    "A judgement was given as an Ofsted grade number (1-4) and read as the matching grade.")
DATE_UNREADABLE = register_rule(
    "date.unreadable",
    "A date could not be read.")
FIELD_REQUIRED_MISSING = register_rule(
    "field.required_missing",
    "A required field of an audit return is blank.")
OVERALL_MISSING = register_rule(
    "overall.missing",
    "The overall judgement is blank or Not applicable; the audit is left out of the overall-judgement "
    "tables only.")
YES_NO_UNRECOGNISED = register_rule(
    "yes_no.unrecognised",
    "A Yes/No answer could not be read; it counts as not answered.")
LIST_UNRECOGNISED = register_rule(
    "list.unrecognised",
    "A value is not one of the choices on its list.")
MODERATION_NOT_APPLICABLE = register_rule(
    "moderation.not_applicable",
    "The moderated overall judgement says Not applicable; the audit is treated as not moderated.")
LABEL_FALLBACK = register_rule(
    "return.label_fallback",
    "The return has no PQA defined names (an old template or a copy), so it was read by its labels.")
LABEL_VALUE_FURTHER_RIGHT = register_rule(
    "return.label_value_further_right",
    "A return read by its labels has a value further right of its label than the form's other values.")
LABEL_NO_VALUE = register_rule(
    "return.label_no_value",
    "A return read by its labels has fields with no value beside their label (or no label), so they are blank.")
TEMPLATE_VERSION = register_rule(
    "return.template_version",
    "The return comes from a template version this app does not know; it was read as far as possible.")
TOO_MANY_RECORDS = register_rule(
    "return.too_many_records",
    "An EDT dip sample holds more records than the template allows; the extra rows were still read.")
REGISTER_ROW_SKIPPED = register_rule(
    "register.row_skipped",
    "A register row with no case reference, audit date or overall judgement (a totals or notes row) "
    "was ignored.")
DUPLICATE = register_rule(
    "audit.duplicate",
    "The same audit was imported from two files; one copy is kept.")
AFTER_PERIOD = register_rule(
    "audit.after_period",
    "An audit dated after the period end is left out of the figures.")
