"""Combining read results: duplicates (later modified wins, the user's choice overrides) and audits
dated after the period end."""
from __future__ import annotations

from datetime import date, datetime

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.findings import Severity
from pqa_desktop.core.returns.combine import combine
from pqa_desktop.core.returns.reader import read_return
from tests.returns_fixtures import input_file, write_register_csv, write_template

BASE = {"case_ref": "CR-1", "service_area": "CST", "auditor": "Jane Smith", "audit_date": "03/05/2024",
        "overall": "Good"}
MAY_2024 = Period(date(2024, 5, 1))


def _return(tmp_path, name, modified, **values):
    path = write_template(tmp_path / name, "case_file_audit", {**BASE, **values}, modified=modified)
    return read_return(input_file(path))


def test_same_audit_twice_keeps_the_later_modified_copy(tmp_path):
    older = _return(tmp_path, "first.xlsx", datetime(2024, 5, 10, 9, 0), overall="Requires improvement")
    newer = _return(tmp_path, "second.xlsx", datetime(2024, 5, 12, 9, 0), overall="Good")
    # Given newest first and oldest first: the order of the inputs does not decide.
    for results in ([older, newer], [newer, older]):
        records, findings = combine(results, MAY_2024)
        [audit] = records.audits
        assert audit.source.file == "second.xlsx"
        assert audit.overall == "Good"
        [finding] = findings
        assert (finding.severity, finding.rule, finding.file) == (Severity.WARNING, "audit.duplicate",
                                                                  "first.xlsx")
        assert '"second.xlsx"' in finding.message
        assert "CR-1" not in finding.message


def test_reference_matching_ignores_case_and_spaces(tmp_path):
    a = _return(tmp_path, "a.xlsx", datetime(2024, 5, 10), case_ref="cr-1 ")
    b = _return(tmp_path, "b.xlsx", datetime(2024, 5, 11), case_ref="CR-1")
    records, findings = combine([a, b], MAY_2024)
    assert len(records.audits) == 1 and len(findings) == 1


def test_the_users_choice_overrides_the_later_copy(tmp_path):
    older = _return(tmp_path, "first.xlsx", datetime(2024, 5, 10), overall="Requires improvement")
    newer = _return(tmp_path, "second.xlsx", datetime(2024, 5, 12), overall="Good")
    identity = older.audits[0].identity
    records, findings = combine([older, newer], MAY_2024, keep={identity: "first.xlsx"})
    [audit] = records.audits
    assert audit.source.file == "first.xlsx" and audit.overall == "Requires improvement"
    [finding] = findings
    assert finding.file == "second.xlsx" and "as you chose" in finding.message


def test_a_choice_naming_a_file_no_longer_imported_falls_back_to_the_later_copy(tmp_path):
    older = _return(tmp_path, "first.xlsx", datetime(2024, 5, 10))
    newer = _return(tmp_path, "second.xlsx", datetime(2024, 5, 12))
    records, _ = combine([older, newer], MAY_2024, keep={older.audits[0].identity: "gone.xlsx"})
    assert records.audits[0].source.file == "second.xlsx"


def test_different_audits_are_all_kept(tmp_path):
    a = _return(tmp_path, "a.xlsx", datetime(2024, 5, 10))
    b = _return(tmp_path, "b.xlsx", datetime(2024, 5, 10), audit_date="04/05/2024")
    c = _return(tmp_path, "c.xlsx", datetime(2024, 5, 10), case_ref="CR-2")
    records, findings = combine([a, b, c], MAY_2024)
    assert len(records.audits) == 3 and findings == []


def test_audits_without_a_reference_are_never_merged(tmp_path):
    a = _return(tmp_path, "a.xlsx", datetime(2024, 5, 10), case_ref=None)
    b = _return(tmp_path, "b.xlsx", datetime(2024, 5, 11), case_ref=None)
    records, findings = combine([a, b], MAY_2024)
    assert len(records.audits) == 2 and findings == []


def test_audits_after_the_period_end_are_left_out(tmp_path):
    in_period = _return(tmp_path, "may.xlsx", datetime(2024, 6, 1), audit_date="31/05/2024")
    after = _return(tmp_path, "june.xlsx", datetime(2024, 6, 2), audit_date="01/06/2024", case_ref="CR-2")
    header = ["Case reference", "Audit date", "Service area", "Overall judgement", "Auditor"]
    register = read_return(input_file(write_register_csv(
        tmp_path / "tracker.csv", header,
        [["C1", "15/05/2024", "CST", "Good", "A"], ["C2", "02/07/2024", "CST", "Good", "A"]])))
    records, findings = combine([in_period, after, register], MAY_2024)
    assert sorted(a.reference for a in records.audits) == ["C1", "CR-1"]
    assert sorted((f.severity, f.rule, f.file, f.cell) for f in findings) == [
        (Severity.INFO, "audit.after_period", "june.xlsx", ""),
        (Severity.INFO, "audit.after_period", "tracker.csv", "row 3"),
    ]
    assert all("May 2024" in f.message for f in findings)


def test_edt_samples_deduplicate_and_respect_the_period(tmp_path):
    def sample(name, month, modified, comment):
        path = write_template(tmp_path / name, "edt_dip_sample",
                              {"sampled_by": "Chris Moe", "sample_month": month},
                              edt_records=[("E1", "02/04/2024", "Y", "Y", "Y", "N", "N/A", "Y", comment)],
                              modified=modified)
        return read_return(input_file(path))

    first = sample("edt1.xlsx", "01/04/2024", datetime(2024, 5, 1), "first")
    second = sample("edt2.xlsx", "30/04/2024", datetime(2024, 5, 3), "second")  # same month
    future = sample("edt3.xlsx", "01/06/2024", datetime(2024, 6, 3), "future")
    records, findings = combine([first, second, future], MAY_2024)
    [kept] = records.edt_samples
    assert kept.records[0].comment == "second"
    assert sorted(f.rule for f in findings) == ["audit.after_period", "audit.duplicate"]
    assert records.staff_names() == {"Chris Moe"}


def test_unknown_modified_time_loses_to_a_known_one(tmp_path):
    dated = _return(tmp_path, "dated.xlsx", datetime(2024, 5, 10))
    undated = _return(tmp_path, "undated.xlsx", None)
    undated.audits[0].source = type(undated.audits[0].source)(
        file="undated.xlsx", sheet="Audit", modified=None)
    records, _ = combine([undated, dated], MAY_2024)
    assert records.audits[0].source.file == "dated.xlsx"
