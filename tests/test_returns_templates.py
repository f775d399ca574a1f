"""Reading template returns: by defined name, by label, and every finding a return can raise."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from pqa_desktop.core.findings import RULES, Severity
from pqa_desktop.core.returns.reader import read_return
from tests.returns_fixtures import field_cells, input_file, write_hand_laid_out, write_template

CASE = {
    "case_ref": "CR-104233",
    "service_area": "Family Safeguarding",
    "team": "FST North",
    "social_worker": "Priya Patel",
    "team_manager": "Tom Okafor",
    "auditor": "Jane Smith",
    "audit_date": "03/05/2024",
    "audit_kind": "thematic audit",
    "practitioner_involved": "Y",
    "outcomes": "Good",
    "harm": "RI",
    "assessment": "O",
    "planning": "Inadequate",
    "permanence": "N/A",
    "multi_agency": "good ",
    "oversight": "Requires Improvement",
    "relationships": "G",
    "voice": "Outstanding",
    "overall": "Good",
    "visits": "Yes",
    "supervision": "N",
    "plan_review": "n/a",
    "chronology": "no",
    "case_summary": "y",
    "feedback_source": "parent or carer",
    "feedback_sentiment": "Getting it right",
    "feedback_text": "They listened to us.",
}


def _read(tmp_path, template_type="case_file_audit", values=None, name="return.xlsx", **kw):
    path = write_template(tmp_path / name, template_type, CASE if values is None else values, **kw)
    return read_return(input_file(path))


def _rules(result):
    return [(f.severity, f.rule) for f in result.findings]


def test_case_file_audit_by_defined_name(tmp_path):
    result = _read(tmp_path, evidence={"harm": "Risks were not reassessed."},
                   actions=[("Update the plan", "SW", "01/06/2024"), (None, None, None),
                            (None, "TM", None)],
                   modified=datetime(2024, 5, 6, 9, 30))
    assert (result.kind, result.kind_label) == ("case_file_audit", "Case file audit")
    assert result.findings == []
    [audit] = result.audits
    assert audit.template_type == "case_file_audit"
    assert audit.reference == "CR-104233"
    assert audit.audit_date == date(2024, 5, 3)
    assert audit.audit_type == "Thematic audit"
    assert audit.service_area == "Family Safeguarding"
    assert audit.team == "FST North"
    assert audit.practitioner_involved == "Yes"
    assert audit.grades == {
        "outcomes": "Good", "harm": "Requires improvement", "assessment": "Outstanding",
        "planning": "Inadequate", "permanence": "Not applicable", "multi_agency": "Good",
        "oversight": "Requires improvement", "relationships": "Good", "voice": "Outstanding",
        "overall": "Good"}
    assert audit.compliance == {"visits": "Yes", "supervision": "No", "plan_review": "Not applicable",
                                "chronology": "No", "case_summary": "Yes"}
    assert audit.feedback.source == "Parent or carer"
    assert audit.feedback.sentiment == "Getting it right"
    assert audit.feedback.text == "They listened to us."
    assert audit.actions == 2  # the blank row in the middle is not an action
    assert audit.evidence == {"harm": "Risks were not reassessed."}
    assert audit.staff == {"auditor": "Jane Smith", "social_worker": "Priya Patel",
                           "team_manager": "Tom Okafor"}
    assert not audit.moderated and audit.overall == "Good"
    assert audit.source.file == "return.xlsx"
    assert audit.source.sheet == "Audit"
    assert audit.source.row is None
    assert audit.source.modified == datetime(2024, 5, 6, 9, 30)  # the workbook's own property
    assert result.sensitive == {"CR-104233", "Jane Smith", "Priya Patel", "Tom Okafor"}
    assert result.staff_names == {"Jane Smith", "Priya Patel", "Tom Okafor"}


def test_defined_names_survive_renamed_sheet_and_moved_rows(tmp_path):
    # The form starts 12 rows lower, on a renamed sheet that is no longer the first one.
    result = _read(tmp_path, sheet_title="Mrs Smith's audit (copy)", first_row=15, extra_sheet_first=True)
    assert result.findings == []
    [audit] = result.audits
    assert audit.reference == "CR-104233" and audit.grades["harm"] == "Requires improvement"
    assert audit.source.sheet == "Mrs Smith's audit (copy)"


def test_label_fallback_reads_values_with_one_info_finding(tmp_path):
    result = _read(tmp_path, defined_names=False, label_suffix=" *:",
                   actions=[("a", None, None), ("b", None, None)])
    # the moderation fields were left blank: said, never silently blank
    assert _rules(result) == [(Severity.INFO, "return.label_fallback"), (Severity.INFO, "return.label_no_value")]
    assert "Moderated by, Moderation date, Moderated overall judgement" in result.findings[1].message
    [audit] = result.audits
    assert audit.reference == "CR-104233"
    assert audit.audit_date == date(2024, 5, 3)
    assert audit.grades["harm"] == "Requires improvement"
    assert audit.compliance["plan_review"] == "Not applicable"
    assert audit.actions == 2
    assert result.kind == "case_file_audit"


def test_label_fallback_never_reads_guidance_as_a_value(tmp_path):
    values = dict(CASE)
    del values["team"]  # blank input cell, guidance text in column C beside it
    result = _read(tmp_path, values=values, defined_names=False)
    assert result.audits[0].team is None


def test_missing_single_name_is_read_by_label(tmp_path):
    path = write_template(tmp_path / "r.xlsx", "case_file_audit", CASE)
    wb = openpyxl.load_workbook(path)
    del wb.defined_names["pqa_team"]
    wb.save(path)
    result = read_return(input_file(path))
    assert result.audits[0].team == "FST North"
    assert _rules(result) == [(Severity.INFO, "return.label_fallback")]
    assert "Team" in result.findings[0].message


def _hand_laid_out(path, values: dict, columns: dict | None = None, guidance: bool = False):
    return write_hand_laid_out(path, "case_file_audit", values, columns=columns, guidance=guidance)


def test_label_reading_finds_a_value_further_right_with_a_finding_naming_its_cell(tmp_path):
    # Label in A, B left blank, the Team in C; every other value in B.
    rows = _hand_laid_out(tmp_path / "old.xlsx", CASE, columns={"team": 3})
    result = read_return(input_file(tmp_path / "old.xlsx"))
    [audit] = result.audits
    assert audit.team == "FST North"
    [far] = [f for f in result.findings if f.rule == "return.label_value_further_right"]
    assert far.severity is Severity.INFO
    assert (far.sheet, far.cell) == ("Audit", f"C{rows['team']}")
    assert "Team" in far.message and "FST North" not in far.message


def test_label_reading_of_a_form_with_every_value_in_c_needs_no_further_right_finding(tmp_path):
    every_c = {name: 3 for name in CASE}
    _hand_laid_out(tmp_path / "old.xlsx", CASE, columns=every_c)
    result = read_return(input_file(tmp_path / "old.xlsx"))
    [audit] = result.audits
    assert audit.team == "FST North" and audit.grades["harm"] == "Requires improvement"
    assert not [f for f in result.findings if f.rule == "return.label_value_further_right"]


def test_label_reading_says_which_fields_have_no_value(tmp_path):
    values = dict(CASE)
    del values["team"]
    rows = _hand_laid_out(tmp_path / "old.xlsx", values)
    result = read_return(input_file(tmp_path / "old.xlsx"))
    assert result.audits[0].team is None
    [blank] = [f for f in result.findings if f.rule == "return.label_no_value"]
    assert blank.severity is Severity.INFO
    assert "Team" in blank.message and "Moderated by" in blank.message  # moderation was left blank too
    assert "Case reference" not in blank.message  # filled
    # a blank required field is an error already, not listed again
    del values["auditor"]
    _hand_laid_out(tmp_path / "old2.xlsx", values)
    result = read_return(input_file(tmp_path / "old2.xlsx"))
    assert any(f.rule == "field.required_missing" and "Auditor" in f.message for f in result.findings)
    [blank] = [f for f in result.findings if f.rule == "return.label_no_value"]
    assert "Auditor" not in blank.message


def test_label_reading_never_reads_guidance_or_another_label_as_a_value(tmp_path):
    values = dict(CASE)
    del values["team"]
    _hand_laid_out(tmp_path / "old.xlsx", values, guidance=True)
    result = read_return(input_file(tmp_path / "old.xlsx"))
    assert result.audits[0].team is None
    assert "Team" in next(f for f in result.findings if f.rule == "return.label_no_value").message
    # a two-column form: Team's value blank, another form's label next on its row
    wb = openpyxl.load_workbook(tmp_path / "old.xlsx")
    ws = wb["Audit"]
    team_row = next(c.row for c in ws["A"] if c.value == "Team")
    ws.cell(team_row, 3, None)
    ws.cell(team_row, 4, "Carer type")
    ws.cell(team_row, 5, "Mainstream")
    wb.save(tmp_path / "old.xlsx")
    result = read_return(input_file(tmp_path / "old.xlsx"))
    assert result.audits[0].team is None


# --- grades ----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed,grade", [
    ("Outstanding", "Outstanding"), ("O", "Outstanding"), ("outstanding ", "Outstanding"),
    ("Good", "Good"), ("G", "Good"), ("GOOD.", "Good"),
    ("RI", "Requires improvement"), ("Req Imp", "Requires improvement"),
    ("Requires improvement to be good", "Requires improvement"),
    ("Requires Improvement", "Requires improvement"),
    ("I", "Inadequate"), ("Inadeq", "Inadequate"), ("inadequate", "Inadequate"),
    ("N/A", "Not applicable"), ("NA", "Not applicable"), ("Not Applicable", "Not applicable"),
])
def test_every_alias_of_the_judgement_scale(tmp_path, typed, grade):
    result = _read(tmp_path, values={**CASE, "assessment": typed})
    assert result.audits[0].grades["assessment"] == grade
    assert result.findings == []


@pytest.mark.parametrize("number,grade", [(1, "Outstanding"), (2, "Good"), ("3", "Requires improvement"),
                                          (4, "Inadequate")])
def test_ofsted_numbers_are_read_with_an_info_finding(tmp_path, number, grade):
    result = _read(tmp_path, values={**CASE, "voice": number})
    assert result.audits[0].grades["voice"] == grade
    [finding] = result.findings
    assert (finding.severity, finding.rule) == (Severity.INFO, "grade.number")
    assert (finding.file, finding.sheet, finding.cell) == ("return.xlsx", "Audit",
                                                          field_cells("case_file_audit")["voice"])


def test_unrecognised_grade_is_an_error_and_only_that_domain_is_missing(tmp_path):
    result = _read(tmp_path, values={**CASE, "harm": "Goodish"})
    [finding] = result.findings
    assert finding.severity == Severity.ERROR and finding.rule == "grade.unrecognised"
    assert (finding.file, finding.sheet, finding.cell) == ("return.xlsx", "Audit",
                                                          field_cells("case_file_audit")["harm"])
    assert finding.message.startswith('Identification of harm and child safety: "Goodish" is not a grade. '
                                      "Enter Outstanding, Good, Requires improvement, Inadequate or "
                                      "Not applicable.")
    [audit] = result.audits
    assert audit.grades["harm"] is None
    assert audit.grades["outcomes"] == "Good" and audit.overall == "Good"


@pytest.mark.parametrize("overall", [None, "N/A"])
def test_overall_missing_or_not_applicable_is_an_error_but_the_audit_is_kept(tmp_path, overall):
    values = {**CASE}
    if overall is None:
        del values["overall"]
    else:
        values["overall"] = overall
    result = _read(tmp_path, values=values)
    [finding] = result.findings
    assert (finding.severity, finding.rule) == (Severity.ERROR, "overall.missing")
    assert finding.cell == field_cells("case_file_audit")["overall"]
    [audit] = result.audits
    assert audit.grades["harm"] == "Requires improvement"
    assert audit.overall in (None, "Not applicable")


# --- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed,expected", [
    ("03/05/2024", date(2024, 5, 3)),  # day first, even when the day could be a month
    ("12/01/2024", date(2024, 1, 12)),
    ("3/5/24", date(2024, 5, 3)),
    ("1.4.24", date(2024, 4, 1)),
    ("1 Apr 2024", date(2024, 4, 1)),
    ("2024-04-01", date(2024, 4, 1)),
    ("2024-04-01 00:00:00", date(2024, 4, 1)),
    (datetime(2024, 4, 9), date(2024, 4, 9)),
])
def test_uk_dates(tmp_path, typed, expected):
    result = _read(tmp_path, values={**CASE, "audit_date": typed})
    assert result.audits[0].audit_date == expected
    assert result.findings == []


def test_unreadable_audit_date_leaves_the_audit_out_and_says_so(tmp_path):
    result = _read(tmp_path, values={**CASE, "audit_date": "05/13/2024"})  # month-first: no 13th month
    assert result.audits == []
    [finding] = result.findings
    assert (finding.severity, finding.rule) == (Severity.ERROR, "date.unreadable")
    assert (finding.sheet, finding.cell) == ("Audit", field_cells("case_file_audit")["audit_date"])
    assert "left out" in finding.message
    assert "05/13/2024" not in finding.message


def test_blank_audit_date_is_a_required_field_error_and_the_audit_is_left_out(tmp_path):
    values = {k: v for k, v in CASE.items() if k != "audit_date"}
    result = _read(tmp_path, values=values)
    assert result.audits == []
    [finding] = result.findings
    assert (finding.severity, finding.rule) == (Severity.ERROR, "field.required_missing")
    assert finding.cell == field_cells("case_file_audit")["audit_date"]
    assert "left out" in finding.message


def test_unreadable_moderation_date_names_its_cell(tmp_path):
    result = _read(tmp_path, values={**CASE, "moderation_date": "next week"})
    [finding] = result.findings
    assert (finding.severity, finding.rule, finding.cell) == (
        Severity.ERROR, "date.unreadable", field_cells("case_file_audit")["moderation_date"])
    assert result.audits[0].moderation_date is None


# --- required and list fields ----------------------------------------------------------------

@pytest.mark.parametrize("missing", ["case_ref", "service_area", "auditor"])
def test_required_field_missing_is_an_error_naming_the_cell(tmp_path, missing):
    values = {k: v for k, v in CASE.items() if k != missing}
    result = _read(tmp_path, values=values)
    [finding] = result.findings
    assert (finding.file, finding.sheet, finding.cell, finding.severity, finding.rule) == (
        "return.xlsx", "Audit", field_cells("case_file_audit")[missing], Severity.ERROR,
        "field.required_missing")
    assert len(result.audits) == 1  # still counted


def test_unknown_service_area_is_kept_as_typed_with_a_warning(tmp_path):
    result = _read(tmp_path, values={**CASE, "service_area": "Children in Care"})
    [finding] = result.findings
    assert (finding.severity, finding.rule) == (Severity.WARNING, "list.unrecognised")
    assert result.audits[0].service_area == "Children in Care"


def test_list_values_match_loosely_and_unknown_feedback_values_are_handled(tmp_path):
    result = _read(tmp_path, values={**CASE, "service_area": "family  safeguarding",
                                     "feedback_source": "Grandmother", "feedback_sentiment": "Happy"})
    audit = result.audits[0]
    assert audit.service_area == "Family Safeguarding"
    assert audit.feedback.source == "Other"
    assert audit.feedback.sentiment is None
    assert sorted(_rules(result)) == [(Severity.WARNING, "list.unrecognised")] * 2


def test_unrecognised_yes_no_is_an_error(tmp_path):
    result = _read(tmp_path, values={**CASE, "chronology": "sort of"})
    [finding] = result.findings
    assert (finding.severity, finding.rule, finding.cell) == (
        Severity.ERROR, "yes_no.unrecognised", field_cells("case_file_audit")["chronology"])
    assert result.audits[0].compliance["chronology"] is None


def test_messages_never_echo_references_or_names(tmp_path):
    values = {**CASE, "harm": "Goodish", "audit_kind": "Deep dive", "visits": "maybe"}
    del values["overall"]
    result = _read(tmp_path, values=values)
    assert len(result.findings) == 4
    for finding in result.findings:
        for secret in ("CR-104233", "Jane", "Smith", "Priya", "Okafor"):
            assert secret not in finding.message


def test_every_rule_raised_is_registered(tmp_path):
    values = {**CASE, "harm": "Goodish", "voice": 2, "visits": "maybe", "service_area": "Elsewhere"}
    del values["overall"]
    result = _read(tmp_path, values=values, defined_names=False)
    assert result.findings
    assert all(f.rule in RULES for f in result.findings)


# --- moderation, foster carer audits, EDT dip samples ----------------------------------------

def test_moderated_overall_replaces_overall(tmp_path):
    result = _read(tmp_path, values={**CASE, "overall": "Requires improvement", "moderator": "Ann Lee",
                                     "moderation_date": "10/05/2024", "moderated_overall": "good"})
    audit = result.audits[0]
    assert audit.moderated
    assert audit.grades["overall"] == "Requires improvement"  # the auditor's, for "grade changed"
    assert audit.overall == "Good"
    assert audit.moderation_date == date(2024, 5, 10)
    assert audit.staff["moderator"] == "Ann Lee"
    assert "Ann Lee" in result.staff_names


def test_no_moderated_overall_means_not_moderated(tmp_path):
    result = _read(tmp_path, values={**CASE, "moderator": "Ann Lee"})
    assert not result.audits[0].moderated


def test_foster_carer_audit(tmp_path):
    values = {"carer_ref": "FH-2231", "carer_type": "connected person", "supervising_social_worker": "Sam Hill",
              "auditor": "Jane Smith", "audit_date": "14/06/2024", "standards": "Good", "supervision": "RI",
              "child_voice": "Outstanding", "safer_care": "Good", "learning": "I", "overall": "Good",
              "feedback_source": "Foster carer", "feedback_sentiment": "Mixed", "feedback_text": "Mostly fine."}
    result = _read(tmp_path, "foster_carer_audit", values)
    assert (result.kind, result.kind_label) == ("foster_carer_audit", "Foster carer audit")
    assert result.findings == []
    [audit] = result.audits
    assert audit.reference == "FH-2231"
    assert audit.audit_type == "Foster carer audit"
    assert audit.service_area == "Fostering"
    assert audit.carer_type == "Connected person"
    assert audit.grades == {"standards": "Good", "supervision": "Requires improvement",
                            "child_voice": "Outstanding", "safer_care": "Good", "learning": "Inadequate",
                            "overall": "Good"}
    assert audit.staff == {"auditor": "Jane Smith", "supervising_social_worker": "Sam Hill"}
    assert result.sensitive == {"FH-2231", "Jane Smith", "Sam Hill"}


def test_edt_dip_sample(tmp_path):
    records = [
        ("EDT-1", "02/04/2024", "Y", "N", "Yes", "No", "N/A", "Yes", "Good call"),
        (None,) * 9,  # an empty row between records is ignored
        ("EDT-2", date(2024, 4, 20), "yes", "yes", "no", "Yes", "Yes", "No", None),
    ]
    result = _read(tmp_path, "edt_dip_sample", {"sampled_by": "Chris Moe", "sample_month": "15/04/2024"},
                   edt_records=records)
    assert (result.kind, result.kind_label) == ("edt_dip_sample", "EDT dip sample")
    assert result.findings == []
    [sample] = result.edt_samples
    assert sample.sampled_by == "Chris Moe"
    assert sample.sample_month == date(2024, 4, 1)
    assert len(sample.records) == 2
    first, second = sample.records
    assert first.contact_date == date(2024, 4, 2)
    assert first.answers == {"safeguarding_action": "Yes", "multi_agency": "No", "recording": "Yes",
                             "amhp_required": "No", "amhp_offered": "Not applicable", "timescales": "Yes"}
    assert first.comment == "Good call"
    assert second.answers["recording"] == "No" and second.contact_date == date(2024, 4, 20)
    assert second.row == first.row + 2
    assert result.sensitive == {"Chris Moe", "EDT-1", "EDT-2"}
    assert result.staff_names == {"Chris Moe"}


def test_edt_dip_sample_by_label(tmp_path):
    result = _read(tmp_path, "edt_dip_sample", {"sampled_by": "Chris Moe", "sample_month": "15/04/2024"},
                   edt_records=[("EDT-1", "02/04/2024", "Y", "N", "Yes", "No", "N/A", "Yes", None)],
                   defined_names=False)
    assert _rules(result) == [(Severity.INFO, "return.label_fallback")]
    assert len(result.edt_samples[0].records) == 1


# --- files that cannot be read, files that are not returns ------------------------------------

def test_password_protected_return(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_template(tmp_path / "plain.xlsx", "case_file_audit", CASE)
    locked = tmp_path / "locked.xlsx"
    with open(plain, "rb") as src, open(locked, "wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    result = read_return(input_file(locked))
    assert result.kind == "unreadable"
    assert _rules(result) == [(Severity.ERROR, "file.password_protected")]
    assert "password protected" in result.findings[0].message
    assert result.audits == []


def test_corrupt_return(tmp_path):
    good = write_template(tmp_path / "good.xlsx", "case_file_audit", CASE)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[:1000])
    result = read_return(input_file(broken))
    assert result.kind == "unreadable"
    assert _rules(result) == [(Severity.ERROR, "file.corrupt")]
    assert "could not be opened" in result.findings[0].message


def test_not_a_return(tmp_path):
    path = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Cost centre", "Budget"])
    wb.active.append(["CSC01", 1000])
    wb.save(path)
    assert read_return(input_file(path)) is None
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert read_return(input_file(text)) is None


def test_unknown_template_version_is_noted(tmp_path):
    result = _read(tmp_path, version="7")
    assert _rules(result) == [(Severity.INFO, "return.template_version")]
    assert len(result.audits) == 1


def test_modified_falls_back_to_the_file_time(tmp_path):
    path = write_template(tmp_path / "r.xlsx", "case_file_audit", CASE)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.filename != "docProps/core.xml":
                zout.writestr(info, zin.read(info.filename))
    path.write_bytes(out.getvalue())
    result = read_return(input_file(path, modified=datetime(2024, 7, 1, 8, 0)))
    assert result.audits[0].source.modified == datetime(2024, 7, 1, 8, 0)
