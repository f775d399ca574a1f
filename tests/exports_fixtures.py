"""Helpers for the system-export tests: the contract's verbatim headers, and real files written from them.

The headers below are copied from shared/spec/system-exports.md (not from resources/system_exports.toml),
so a wrong header or alias in the toml makes a test fail.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl

from pqa_desktop.core.records import InputFile
from tests.returns_fixtures import convert_with_libreoffice, input_file, set_core_modified, soffice  # noqa: F401

COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]

VERBATIM: dict[str, list[str]] = {
    "annex_a_list_1": COMMON + ["Date of Contact", "Contact Source"],
    "annex_a_list_2": COMMON + ["Assessment start date", "Assessment completion date",
                                "Organisation completing assessment"],
    "annex_a_list_3": COMMON + ["Date of referral", "Referral Source", "Referral NFA?",
                                "Number of Referrals in Last 12 Months", "Allocated Team", "Allocated Worker"],
    "annex_a_list_4": COMMON + ["Does the Child have a Disability", "Continuous Assessment Start Date",
                                "Child Seen During Continuous Assessment",
                                "Continuous Assessment Date of Authorisation",
                                "Was the child assessed as requiring LA children's social care support?",
                                "Allocated Team", "Allocated Worker"],
    "annex_a_list_5": COMMON + ["Does the Child have a Disability",
                                "Strategy discussion initiating Section 47 Enquiry Start Date",
                                "Was an Initial Child Protection Conference deemed unnecessary?",
                                "Date of Initial Child Protection Conference",
                                "Did the Initial Child Protection Conference Result in a Child Protection Plan",
                                "Number of Section 47 Enquiries in the last 12 months",
                                "Number of ICPCs in the last 12 months", "Allocated Team", "Allocated Worker"],
    "annex_a_list_6": COMMON + ["Does the Child have a Disability", "CIN Start Date", "Primary Need Code",
                                "Date Child Was Last Seen", "CIN Closure Date", "Reason for Closure",
                                "Case Status", "Allocated Team", "Allocated Worker"],
    "annex_a_list_7": COMMON + ["Does the Child have a Disability", "Child Protection Plan Start Date",
                                "Initial Category of Abuse", "Latest Category of Abuse",
                                "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
                                "Date of latest review conference", "Child Protection Plan End Date",
                                "Subject to Emergency Protection Order or Protected Under Police Powers in "
                                "Last Six Months (Y/N)",
                                "Number of Previous Child Protection Plans", "Allocated Team", "Allocated Worker"],
    "annex_a_list_8": COMMON + [
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "Does the Child have a Disability", "Date Started to be Looked After", "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
        "Start date of current legal status", "Child's Legal Status", "Date of Latest Statutory Review",
        "Date of Last Social Work Visit", "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment",
        "Date of Last Dental Check", "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement", "Placement Type", "Placement Provider", "Placement postcode",
        "URN of Placement", "Placement Location", "LA of Placement",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        "Allocated Team", "Allocated Worker"],
    "annex_a_list_9": COMMON + [
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        "Does the Child have a Disability", "Allocated Team", "Allocated Worker", "Allocated Personal Advisor",
        "Eligibility Category", "Latest Pathway Plan Review Date", "LA in Touch", "Latest Date of Contact",
        "Type of Accommodation", "Suitability of Accommodation", "Activity Status"],
    "annex_a_list_10": ["Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth",
                        "Age of Child (Years)", "Does the Child have a Disability", "Date the Child Entered Care",
                        "Date of Decision that Child Should be Placed for Adoption", "Date of Placement Order",
                        "Date of Matching Child and Prospective Adopters", "Date Placed for Adoption",
                        "Date of Adoption Order",
                        "Date of Decision that Child Should No Longer be Placed for Adoption",
                        "Reason Why Child No Longer Placed for Adoption",
                        "Date the child was placed for fostering in FFA or concurrent planning placement"],
    "annex_a_list_11": ["Individual adopter identifier", "Family identifier", "Gender", "Ethnicity", "Disability",
                        "Is the (prospective) adopter fostering for adoption?", "Date enquiry received",
                        "Date Stage 1 started", "Date Stage 1 ended", "Date Stage 2 started", "Date Stage 2 ended",
                        "Date application submitted", "Date application approved",
                        "Date adopter matched with child(ren)", "Date child/children placed with adopter(s)",
                        "No. of children placed", "Date of Adoption Order", "Date of leaving adoption process",
                        "Reason for leaving adoption process"],
    "workforce": ["Worker ID", "Team", "Service area", "Role", "Agency worker", "FTE", "Newly qualified (ASYE)",
                  "Start date", "Leave date", "Reason for leaving", "Caseload", "Snapshot date"],
    "allocations": ["Child Unique ID", "Worker ID", "Allocation start", "Allocation end"],
    "households": ["Household reference", "Household type", "Approval date", "De-registration date",
                   "Approved places"],
    "benchmarks": ["KPI id", "Comparator", "Value", "Period", "Source"],
}

LIST_9_2019 = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
               "Does the Child have a Disability", "Allocated Team", "Allocated Worker", "Eligibility Category",
               "LA In Touch", "Type of Accommodation", "Suitability of Accommodation", "Activity Status"]

SSDA903_SOCIAL_WORKER = ["CHILD", "SW_ID", "SW_DECOM", "SW_DEC"]


def write_xlsx(path: Path, sheets: dict[str, list[list]], *, title_rows: int = 0,
               modified: datetime | None = None) -> Path:
    """One sheet per entry; ``rows[0]`` is the header, written below ``title_rows`` title lines."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for i in range(title_rows):
            ws.cell(i + 1, 1, f"Council export, run {i + 1}")
        for r, values in enumerate(rows, start=title_rows + 1):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    ws.cell(r, c, value)
    wb.save(path)
    if modified is not None:
        set_core_modified(path, modified)
    return path


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for values in rows:
        writer.writerow(["" if v is None else v for v in values])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def row_for(header: list[str], values: dict[str, object]) -> list:
    """A data row for ``header`` with the given values by header name, others blank."""
    row: list = [None] * len(header)
    for name, value in values.items():
        row[header.index(name)] = value
    return row


def as_input(path: Path, modified: datetime | None = None) -> InputFile:
    return input_file(path, modified=modified)
