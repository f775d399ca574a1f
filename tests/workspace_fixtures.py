"""Real returns for the workspace tests: small case file audits whose figures can be worked by hand."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from pqa_desktop.core.workspace import Workspace
from tests.exports_fixtures import VERBATIM, row_for, write_xlsx
from tests.returns_fixtures import field_cells, write_template

# A complete, valid case file audit: every field a reader checks, staff names and feedback included.
BASE = {
    "service_area": "Family Safeguarding",
    "team": "FST North",
    "social_worker": "Priya Patel",
    "team_manager": "Tom Okafor",
    "auditor": "Jane Smith",
    "audit_kind": "Case file audit",
    "practitioner_involved": "Yes",
    "outcomes": "Good",
    "harm": "Good",
    "assessment": "Good",
    "planning": "Good",
    "permanence": "Not applicable",
    "multi_agency": "Good",
    "oversight": "Good",
    "relationships": "Good",
    "voice": "Good",
    "visits": "Yes",
    "supervision": "Yes",
    "plan_review": "Yes",
    "chronology": "Yes",
    "case_summary": "Yes",
}

OVERALL_CELL = field_cells("case_file_audit")["overall"]  # where write_template puts the overall judgement


def write_audit(path: Path, reference: str, audit_date: date, overall: str, *, feedback: str | None = None,
                evidence: str | None = None, modified: datetime | None = None) -> Path:
    values = {**BASE, "case_ref": reference, "audit_date": audit_date.strftime("%d/%m/%Y"), "overall": overall}
    if feedback:
        values.update(feedback_source="Parent or carer", feedback_sentiment="Getting it right", feedback_text=feedback)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_template(path, "case_file_audit", values, evidence={"harm": evidence} if evidence else None,
                          modified=modified or datetime(audit_date.year, audit_date.month, audit_date.day, 17, 0))


def august(folder: Path) -> Path:
    """Three August 2024 audits: Good, Inadequate and an unreadable "Goodish" overall judgement."""
    write_audit(folder / "CFA 1.xlsx", "CR-1001", date(2024, 8, 5), "Good",
                feedback="Priya Patel listened to us and explained the plan.")
    write_audit(folder / "CFA 2.xlsx", "CR-1002", date(2024, 8, 12), "Inadequate")
    write_audit(folder / "CFA 3.xlsx", "CR-1003", date(2024, 8, 19), "Goodish")
    return folder


def september(folder: Path) -> Path:
    """Two September 2024 audits: Good and Requires improvement."""
    write_audit(folder / "CFA 4.xlsx", "CR-1004", date(2024, 9, 2), "Good", feedback="Helpful visits every week.")
    write_audit(folder / "CFA 5.xlsx", "CR-1005", date(2024, 9, 16), "Requires improvement")
    return folder


def contacts_list(path: Path, rows: int, modified: datetime) -> Path:
    """An Annex A contacts list (List 1) of ``rows`` children, K0 to K{rows - 1}, saved ``modified``."""
    header = VERBATIM["annex_a_list_1"]
    return write_xlsx(path, {"Contacts": [header] + [
        row_for(header, {"Child Unique ID": f"K{n}", "Date of Birth": "01/01/2016", "Date of Contact": "02/09/2024",
                         "Contact Source": "Police"}) for n in range(rows)]}, modified=modified)


def headline(figures, name: str):
    return next(h.value for h in figures.headlines if h.measure == name)


from pqa_desktop.core.measures.audits import HEADLINE_CASE_FILE_AUDITS as AUDITS_YTD  # noqa: E402
from pqa_desktop.core.measures.audits import HEADLINE_GOOD_OR_BETTER as GOOD_OR_BETTER_YTD  # noqa: E402


@pytest.fixture
def ws(tmp_path):
    """A new workspace file of the test's own, closed afterwards (a module uses it by importing it)."""
    workspace = Workspace.open(tmp_path / "ws.sqlite")
    yield workspace
    workspace.close()
