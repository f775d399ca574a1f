"""Round trip: returns written by the template writer (templates.write_return) read back by read_return."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from pqa_desktop.core.findings import Severity
from pqa_desktop.core.returns.reader import read_return
from tests.returns_fixtures import input_file

templates = pytest.importorskip("pqa_desktop.core.returns.templates")

CASE = {"case_ref": "CR-77", "service_area": "CwD", "auditor": "Jane Smith", "audit_date": date(2024, 4, 3),
        "social_worker": "Priya Patel", "outcomes": "Good", "harm": "RI", "overall": "Requires improvement",
        "visits": "Yes", "moderator": "Ann Lee", "moderated_overall": "Good",
        "feedback_sentiment": "Need to do better", "feedback_text": "Slow to call back."}


@pytest.mark.parametrize("defined_names", [True, False])
def test_case_file_return_round_trip(tmp_path, defined_names):
    path = tmp_path / "case.xlsx"
    templates.write_return(path, "case_file_audit", CASE, evidence={"harm": "No safety plan."},
                           actions=[("Write a safety plan", "SW", date(2024, 5, 1))],
                           defined_names=defined_names, modified=datetime(2024, 4, 4, 10, 0))
    result = read_return(input_file(path))
    assert result.kind == "case_file_audit"
    # by label, the fields left blank are said (never silently blank)
    expected_findings = [] if defined_names else [(Severity.INFO, "return.label_fallback"),
                                                  (Severity.INFO, "return.label_no_value")]
    assert [(f.severity, f.rule) for f in result.findings] == expected_findings
    [audit] = result.audits
    assert audit.reference == "CR-77" and audit.audit_date == date(2024, 4, 3)
    assert audit.service_area == "CwD" and audit.audit_type == "Case file audit"
    assert audit.grades["harm"] == "Requires improvement" and audit.grades["assessment"] is None
    assert audit.grades["overall"] == "Requires improvement" and audit.overall == "Good" and audit.moderated
    assert audit.compliance["visits"] == "Yes"
    assert audit.feedback.sentiment == "Need to do better"
    assert audit.actions == 1
    assert audit.evidence == {"harm": "No safety plan."}
    assert audit.staff == {"auditor": "Jane Smith", "social_worker": "Priya Patel", "moderator": "Ann Lee"}
    assert audit.source.modified == datetime(2024, 4, 4, 10, 0)


def test_foster_and_edt_returns_round_trip(tmp_path):
    foster = tmp_path / "foster.xlsx"
    templates.write_return(foster, "foster_carer_audit",
                           {"carer_ref": "FH-9", "auditor": "Jo Bloggs", "audit_date": "01/04/2024",
                            "overall": "Good", "carer_type": "Short breaks"})
    result = read_return(input_file(foster))
    assert result.findings == []
    assert result.audits[0].reference == "FH-9" and result.audits[0].carer_type == "Short breaks"

    edt = tmp_path / "edt.xlsx"
    templates.write_return(edt, "edt_dip_sample", {"sampled_by": "Chris Moe", "sample_month": date(2024, 4, 1)},
                           edt_records=[{"record_ref": "E1", "contact_date": date(2024, 4, 2),
                                         "safeguarding_action": "Yes", "timescales": "No"},
                                        {"record_ref": "E2", "amhp_required": "No"}])
    result = read_return(input_file(edt))
    assert result.findings == []
    [sample] = result.edt_samples
    assert [r.answers["safeguarding_action"] for r in sample.records] == ["Yes", None]
    assert sample.records[0].answers["timescales"] == "No"
    assert sample.records[1].answers["amhp_required"] == "No"


def test_blank_template_is_recognised_but_holds_no_audit(tmp_path):
    path = tmp_path / "blank.xlsx"
    templates.write_return(path, "case_file_audit")
    result = read_return(input_file(path))
    assert result.kind == "case_file_audit"
    assert result.audits == []  # no audit date: cannot be placed
    assert "field.required_missing" in {f.rule for f in result.findings}
