"""Combining system exports: one table per kind (later-modified wins), extraction-date warnings."""
from __future__ import annotations

from datetime import date, datetime

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.exports.combine import combine_exports
from pqa_desktop.core.exports.reader import read_export
from pqa_desktop.core.findings import Severity
from tests.exports_fixtures import VERBATIM, as_input, row_for, write_csv, write_xlsx

L8 = VERBATIM["annex_a_list_8"]
WF = VERBATIM["workforce"]
MARCH_2024 = Period(date(2024, 3, 1))  # snapshot 31/03/2024


def _cla(tmp_path, name: str, modified: datetime, children: int, last_visit: str = "15/03/2024"):
    rows = [L8] + [row_for(L8, {"Child Unique ID": f"C{i}", "Date of Birth": "01/01/2015",
                                "Date Started to be Looked After": "01/01/2020",
                                "Date of Last Social Work Visit": last_visit}) for i in range(children)]
    return read_export(as_input(write_xlsx(tmp_path / name, {"CLA": rows}, modified=modified)),
                       today=date(2024, 6, 1))


def test_later_modified_copy_of_a_kind_wins(tmp_path):
    newer = _cla(tmp_path, "cla_april.xlsx", datetime(2024, 4, 2, 9, 0), children=3)
    older = _cla(tmp_path, "cla_march.xlsx", datetime(2024, 3, 1, 9, 0), children=2)
    contacts = read_export(as_input(write_csv(tmp_path / "contacts.csv", [VERBATIM["annex_a_list_1"], ["C1"]])))
    records, findings = combine_exports([newer, older, contacts], MARCH_2024)
    assert set(records.tables) == {"annex_a_list_8", "annex_a_list_1"}
    assert records.get("annex_a_list_8").file == "cla_april.xlsx"
    assert records.get("annex_a_list_8").rows == 3
    assert len(findings) == 1
    f = findings[0]
    assert (f.severity, f.rule, f.file) == (Severity.WARNING, "export.duplicate_table", "cla_march.xlsx")
    assert "cla_april.xlsx" in f.message and "cla_march.xlsx" in f.message
    # The order the inputs are given does not decide it.
    records, _ = combine_exports([older, newer], MARCH_2024)
    assert records.get("annex_a_list_8").file == "cla_april.xlsx"


def test_list_8_dates_more_than_31_days_after_the_snapshot(tmp_path):
    on_the_limit = _cla(tmp_path, "a.xlsx", datetime(2024, 5, 1), 1, last_visit="01/05/2024")  # 31 days after
    _, findings = combine_exports([on_the_limit], MARCH_2024)
    assert findings == []
    beyond = _cla(tmp_path, "b.xlsx", datetime(2024, 5, 2), 1, last_visit="02/05/2024")  # 32 days after
    _, findings = combine_exports([beyond], MARCH_2024)
    assert [(f.rule, f.file) for f in findings] == [("export.extracted_after_snapshot", "b.xlsx")]
    assert "02/05/2024" in findings[0].message


def _workforce(tmp_path, snapshot: str):
    rows = [WF, row_for(WF, {"Worker ID": "W1", "Service area": "A", "Role": 5, "Agency worker": "N", "FTE": 1,
                             "Start date": "01/01/2020", "Caseload": 12, "Snapshot date": snapshot})]
    return read_export(as_input(write_csv(tmp_path / f"wf_{snapshot.replace('/', '')}.csv", rows)))


def test_workforce_snapshot_far_after_the_period_end(tmp_path):
    _, findings = combine_exports([_workforce(tmp_path, "01/05/2024")], MARCH_2024)  # 31 days after
    assert findings == []
    _, findings = combine_exports([_workforce(tmp_path, "02/05/2024")], MARCH_2024)  # 32 days after
    assert [f.rule for f in findings] == ["export.workforce_snapshot_mismatch"]
    assert "32 days after" in findings[0].message
    # one before the period end month is an input ending early (core.pipeline.period_coverage), not said twice here
    _, findings = combine_exports([_workforce(tmp_path, "28/02/2024")], MARCH_2024)
    assert findings == []


def test_nothing_to_combine():
    records, findings = combine_exports([], MARCH_2024)
    assert not records and findings == []
