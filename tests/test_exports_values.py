"""System exports: UK dates, coded values, numbers and roles; per-row findings; impossible records."""
from __future__ import annotations

import time
from datetime import date, datetime

import numpy as np
import pandas as pd

from pqa_desktop.core.exports.reader import read_export
from pqa_desktop.core.findings import Severity
from tests.exports_fixtures import VERBATIM, as_input, row_for, write_csv, write_xlsx

L1 = VERBATIM["annex_a_list_1"]


def _read_one(path, **kwargs):
    result = read_export(as_input(path), **kwargs)
    assert result is not None and len(result.exports) == 1
    return result, result.exports[0]


def test_day_first_text_dates_and_real_dates(tmp_path):
    written = ["03/05/2024", "1/4/24", "1.4.24", "01-04-2024", "1 Apr 2024", "2024-04-01",
               "2024-04-01 00:00:00", datetime(2024, 4, 2, 15, 30), 45383, "12/11/2023"]
    expected = [date(2024, 5, 3), date(2024, 4, 1), date(2024, 4, 1), date(2024, 4, 1), date(2024, 4, 1),
                date(2024, 4, 1), date(2024, 4, 1), date(2024, 4, 2), date(2024, 4, 1), date(2023, 11, 12)]
    rows = [L1] + [row_for(L1, {"Child Unique ID": f"C{i}", "Date of Contact": v}) for i, v in enumerate(written)]
    result, table = _read_one(write_xlsx(tmp_path / "c.xlsx", {"c": rows}))
    assert [d.date() for d in table.frame["contact_date"]] == expected
    assert not result.findings


def test_csv_dates_are_day_first(tmp_path):
    rows = [L1, row_for(L1, {"Child Unique ID": "C1", "Date of Contact": "03/05/2024"}),
            row_for(L1, {"Child Unique ID": "C2", "Date of Contact": "12/01/2024"})]
    _, table = _read_one(write_csv(tmp_path / "c.csv", rows))
    assert list(table.frame["contact_date"]) == [pd.Timestamp(2024, 5, 3), pd.Timestamp(2024, 1, 12)]


def test_unreadable_dates_are_row_findings_without_the_childs_id(tmp_path):
    rows = [L1,
            row_for(L1, {"Child Unique ID": "SECRET-1", "Date of Contact": "31/02/2024"}),
            row_for(L1, {"Child Unique ID": "SECRET-2", "Date of Contact": "02/01/2024"}),
            row_for(L1, {"Child Unique ID": "SECRET-3", "Date of Contact": "05/13/2024"}),  # month-first
            row_for(L1, {"Child Unique ID": "SECRET-4", "Date of Contact": "next week"}),
            row_for(L1, {"Child Unique ID": "SECRET-5", "Date of Birth": "soon"})]
    result, table = _read_one(write_csv(tmp_path / "c.csv", rows))
    findings = [f for f in result.findings if f.rule == "export.unreadable_date"]
    # Date of Contact is column F, Date of Birth column D; the header is row 1.
    assert sorted(f.cell for f in findings) == ["D6", "F2", "F4", "F5"]
    assert all(f.severity == Severity.WARNING for f in findings)
    for f in result.findings:
        assert "SECRET" not in f.message and "2024" not in f.message and "soon" not in f.message
    assert table.frame["contact_date"].isna().tolist() == [True, False, True, True, True]
    assert table.rows == 5


def test_many_unreadable_values_are_capped(tmp_path):
    rows = [L1] + [row_for(L1, {"Child Unique ID": f"C{i}", "Date of Contact": "unknown"}) for i in range(30)]
    result, _ = _read_one(write_csv(tmp_path / "c.csv", rows))
    per_row = [f for f in result.findings if f.cell]
    summary = [f for f in result.findings if not f.cell]
    assert len(per_row) == 20
    assert len(summary) == 1 and "10 more" in summary[0].message


def test_coded_values_in_every_form(tmp_path):
    header = VERBATIM["annex_a_list_8"]
    forms = [("a) U1", "a) Yes", "Female"), ("U1: Foster placement - relatives", "Yes", "b) Female"),
             ("U1", "Y", "Male"), ("u1", "y", "a) Male"), ("f) U6: Foster placement - not FFA", "1", None),
             ("K2 - Children's home", 1, None), ("b) No", "b) No", None), ("R1", "N", None), ("Z1", 0, None)]
    rows = [header] + [row_for(header, {"Child Unique ID": f"C{i}", "Placement Type": p,
                                        "Does the Child have a Disability": d, "Gender": g})
                       for i, (p, d, g) in enumerate(forms)]
    result, table = _read_one(write_xlsx(tmp_path / "cla.xlsx", {"cla": rows}))
    assert list(table.frame["placement_type"]) == ["U1", "U1", "U1", "U1", "U6", "K2", "No", "R1", "Z1"]
    assert list(table.frame["disability"]) == ["Yes"] * 6 + ["No"] * 3
    assert list(table.frame["gender"][:4]) == ["Female", "Female", "Male", "Male"]
    assert not result.findings


def test_care_leaver_codes(tmp_path):
    header = VERBATIM["annex_a_list_9"]
    values = [("a) Yes", "Y: Other accommodation", "a) Suitable", "F1: Full time in higher education"),
              ("REFU", "U: Independent living", "b) Unsuitable", "G5: Not in education"),
              ("nreq", "Y", "suitable", "p2"),
              ("Y", None, None, None),
              ("c) Died", None, None, None)]
    rows = [header] + [row_for(header, {"Child Unique ID": f"C{i}", "LA in Touch": t, "Type of Accommodation": a,
                                        "Suitability of Accommodation": s, "Activity Status": e})
                       for i, (t, a, s, e) in enumerate(values)]
    _, table = _read_one(write_xlsx(tmp_path / "cl.xlsx", {"cl": rows}))
    f = table.frame
    assert list(f["in_touch"]) == ["Yes", "Refu", "NREQ", "Yes", "Died"]
    assert list(f["accommodation_type"][:3]) == ["Y", "U", "Y"]  # code Y is not "Yes"
    assert list(f["accommodation_suitable"][:3]) == ["Suitable", "Unsuitable", "Suitable"]
    assert list(f["activity"][:3]) == ["F1", "G5", "P2"]


def test_unrecognised_yes_no_is_a_row_finding(tmp_path):
    header = VERBATIM["annex_a_list_4"]
    rows = [header,
            row_for(header, {"Child Unique ID": "C1", "Child Seen During Continuous Assessment": "Maybe"}),
            row_for(header, {"Child Unique ID": "C2", "Child Seen During Continuous Assessment": "Not known"})]
    result, table = _read_one(write_csv(tmp_path / "a.csv", rows))
    assert [(f.rule, f.cell) for f in result.findings] == [("export.unreadable_code", "H2")]
    assert table.frame["child_seen"].isna().all()


def test_unreadable_numbers(tmp_path):
    header = VERBATIM["annex_a_list_7"]
    rows = [header,
            row_for(header, {"Child Unique ID": "C1", "Number of Previous Child Protection Plans": "2"}),
            row_for(header, {"Child Unique ID": "C2", "Number of Previous Child Protection Plans": "two"})]
    result, table = _read_one(write_csv(tmp_path / "cp.csv", rows))
    assert table.frame.loc[0, "previous_plans"] == 2.0 and np.isnan(table.frame.loc[1, "previous_plans"])
    assert [(f.rule, f.cell) for f in result.findings] == [("export.unreadable_number", "O3")]


def test_workforce_roles_agency_and_snapshot(tmp_path):
    header = VERBATIM["workforce"]
    roles = ["Case holder", "5", 4, "Senior practitioner", "a) 3", "3: First line manager", "Team manager",
             "Wizard", None]
    agency = ["Y", "N", 1, 0, "a) Yes", "No", "yes", "n", "N"]
    rows = [header] + [row_for(header, {"Worker ID": f"W{i}", "Service area": "Area", "Role": r, "Agency worker": a,
                                        "FTE": 1, "Start date": "01/01/2020", "Caseload": 10,
                                        "Snapshot date": "31/03/2024", "Team": "T"})
                       for i, (r, a) in enumerate(zip(roles, agency))]
    result, table = _read_one(write_xlsx(tmp_path / "wf.xlsx", {"wf": rows}))
    assert table.frame["role"].tolist()[:7] == [5.0, 5.0, 4.0, 4.0, 3.0, 3.0, 3.0]
    assert np.isnan(table.frame["role"].iloc[7]) and np.isnan(table.frame["role"].iloc[8])
    assert table.frame["agency"].tolist() == ["Yes", "No", "Yes", "No", "Yes", "No", "Yes", "No", "No"]
    assert table.snapshot == date(2024, 3, 31)
    assert [(f.rule, f.cell) for f in result.findings] == [("export.unreadable_code", "D9")]
    assert {"W0", "W8"} <= result.sensitive and not result.staff_names


def test_workforce_snapshot_dates_that_disagree(tmp_path):
    header = VERBATIM["workforce"]
    rows = [header] + [row_for(header, {"Worker ID": f"W{i}", "Service area": "A", "Role": 5, "Agency worker": "N",
                                        "FTE": 1, "Start date": "01/01/2020", "Caseload": 1, "Snapshot date": s})
                       for i, s in enumerate(["31/03/2024", "31/03/2024", "29/02/2024"])]
    result, table = _read_one(write_csv(tmp_path / "wf.csv", rows))
    assert table.snapshot == date(2024, 3, 31)
    assert [f.rule for f in result.findings] == ["export.snapshot_dates_differ"]


def test_impossible_records_are_flagged_and_reported(tmp_path):
    l4, l5, l7, l8 = (VERBATIM[f"annex_a_list_{n}"] for n in (4, 5, 7, 8))
    wf = VERBATIM["workforce"]
    path = write_xlsx(tmp_path / "all.xlsx", {
        "L4": [l4,
               row_for(l4, {"Child Unique ID": "SECRET-A", "Continuous Assessment Start Date": "10/04/2024",
                            "Continuous Assessment Date of Authorisation": "09/04/2024"}),
               row_for(l4, {"Child Unique ID": "C2", "Continuous Assessment Start Date": "10/04/2024",
                            "Continuous Assessment Date of Authorisation": "10/04/2024"})],
        "L5": [l5,
               row_for(l5, {"Child Unique ID": "C3",
                            "Strategy discussion initiating Section 47 Enquiry Start Date": "05/03/2024",
                            "Date of Initial Child Protection Conference": "26/03/2024"}),
               row_for(l5, {"Child Unique ID": "SECRET-B",
                            "Strategy discussion initiating Section 47 Enquiry Start Date": "05/03/2024",
                            "Date of Initial Child Protection Conference": "04/03/2024"})],
        "L7": [l7, row_for(l7, {"Child Unique ID": "C5", "Date of Birth": "01/09/2024",  # unborn: allowed
                                "Child Protection Plan Start Date": "01/05/2024"})],
        "L8": [l8, row_for(l8, {"Child Unique ID": "SECRET-C", "Date of Birth": "02/06/2024",
                                "Date Started to be Looked After": "01/06/2024"}),
               row_for(l8, {"Child Unique ID": "C7", "Date of Birth": "01/06/2024"})],
        "WF": [wf, row_for(wf, {"Worker ID": "W1", "Service area": "A", "Role": 5, "Agency worker": "N", "FTE": 1,
                                "Start date": "01/02/2024", "Leave date": "31/01/2024", "Caseload": 0})],
    })
    result = read_export(as_input(path), today=date(2024, 6, 1))
    tables = {t.kind: t.frame for t in result.exports}
    assert tables["annex_a_list_4"]["_bad_assessment_dates"].tolist() == [True, False]
    assert tables["annex_a_list_5"]["_bad_icpc"].tolist() == [False, True]
    assert tables["annex_a_list_5"]["_bad_s47_end"].tolist() == [False, False]  # no end date column
    assert "_bad_dob" not in tables["annex_a_list_7"]
    assert tables["annex_a_list_8"]["_bad_dob"].tolist() == [True, False]
    assert tables["workforce"]["_bad_leave"].tolist() == [True]
    got = sorted((f.sheet, f.cell, f.rule) for f in result.findings)
    assert got == [("L4", "row 2", "export.assessment_authorised_before_start"),
                   ("L5", "row 3", "export.icpc_before_s47"),
                   ("L8", "row 2", "export.birth_in_future"),
                   ("WF", "row 2", "export.leave_before_start")]
    assert all(f.severity == Severity.WARNING for f in result.findings)
    assert not any("SECRET" in f.message for f in result.findings)


def test_a_large_list_reads_quickly(tmp_path):
    n = 60_000
    rows = [L1] + [[f"C{i}", "a) Male" if i % 2 else "b) Female", "a) WBRI", f"{i % 28 + 1:02d}/{i % 12 + 1:02d}/2015",
                    "7.5", f"{i % 28 + 1}/{i % 12 + 1}/2024", "q) 6: Police"] for i in range(n)]
    path = write_csv(tmp_path / "contacts.csv", rows)
    started = time.perf_counter()
    result, table = _read_one(path)
    elapsed = time.perf_counter() - started
    assert table.rows == n and not result.findings
    assert table.frame.loc[n - 1, "contact_date"] == pd.Timestamp(2024, (n - 1) % 12 + 1, (n - 1) % 28 + 1)
    assert elapsed < 10, f"reading {n:,} rows took {elapsed:.1f}s"


def test_dates_out_of_range_are_findings_not_crashes(tmp_path):
    written = ["01/01/0024", "1/1/1600", 3000000, "29/02/2023", datetime(1, 1, 1), "29/02/2024"]
    rows = [L1] + [row_for(L1, {"Child Unique ID": f"C{i}", "Date of Contact": v}) for i, v in enumerate(written)]
    result, table = _read_one(write_xlsx(tmp_path / "c.xlsx", {"c": rows}))
    assert table.frame["contact_date"].isna().tolist() == [True] * 5 + [False]
    assert sorted(f.cell for f in result.findings) == ["F2", "F3", "F4", "F5", "F6"]
