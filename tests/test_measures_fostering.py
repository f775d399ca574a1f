"""Fostering measures and the placement-type table against hand-worked examples (snapshot 31 Aug 2024).

12 months to the snapshot: (31 Aug 2023, 31 Aug 2024]; the 12 months before: (31 Aug 2022, 31 Aug 2023];
previous month end: 31 Jul 2024.
"""
from datetime import date

import pandas as pd
import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.exports.model import ExportRecords, ExportTable
from pqa_desktop.core.measures.fostering import (
    Households,
    foster_households,
    foster_households_deregistered_12m,
    foster_households_new_12m,
    fostering_figures,
)
from pqa_desktop.core.measures.placements import placement_group, placement_types_table
from pqa_desktop.core.settings import Settings

PERIOD = Period(date(2024, 8, 1))


def export_table(kind: str, rows: list[dict], date_columns: tuple[str, ...]) -> ExportTable:
    frame = pd.DataFrame(rows)
    for column in date_columns:
        frame[column] = pd.to_datetime(frame[column])
    return ExportTable(kind=kind, label=kind, file="export.xlsx", sheet="Sheet1", frame=frame,
                       columns=frozenset(frame.columns))


def household(ref, kind, approved, deregistered=None) -> dict:
    return {"household_ref": ref, "household_type": kind, "approval_date": approved,
            "deregistration_date": deregistered, "approved_places": 2}


HOUSEHOLDS = [
    household("H1", "Mainstream", "2020-01-01"),  # approved throughout
    household("H2", "Mainstream", "2024-08-31"),  # approved ON the snapshot: counted, new
    household("H3", "Connected person", "2019-01-01", "2024-08-31"),  # de-registered ON the snapshot: not approved
    household("H4", "Mainstream", "2023-08-31"),  # approved exactly 12 months before: new in the PREVIOUS 12
    household("H5", "Short breaks", "2023-09-01"),  # first day of the 12 months: new
    household("H6", "Mainstream", "2018-01-01", "2023-08-31"),  # de-registered in the previous 12 months
    household("H7", "Mainstream", "2018-01-01", "2024-09-01"),  # de-registered after the snapshot: approved
    household("H8", "Mainstream", None),  # no approval date: left out
    household("H9", "Mainstream", "2024-01-01", "2023-12-01"),  # de-registered before approval: left out
    household("H10", "Connected person", "2024-08-01"),  # approved after the previous month end
]


@pytest.fixture
def households() -> Households:
    return Households.from_table(export_table("households", HOUSEHOLDS, ("approval_date", "deregistration_date")))


def test_households_approved_at_the_snapshot(households):
    result = foster_households(households, PERIOD)
    assert result.value == 6  # H1, H2, H4, H5, H7, H10
    assert result.previous == 5  # at 31 Jul: H1, H3, H4, H5, H7
    assert result.breakdown["by_household_type"] == {"Connected person": 1, "Mainstream": 4, "Short breaks": 1}
    assert any("without an approval date" in n for n in result.notes)
    assert any("de-registered before approval" in n for n in result.notes)


def test_new_households_in_12_months(households):
    result = foster_households_new_12m(households, PERIOD)
    # The earliest de-registration (H6, 31 Aug 2023) does not reach back over Sep 2022 - Aug 2023: a
    # household approved then and gone since may not be listed, so the previous 12 months are not counted.
    assert (result.value, result.previous) == (3, None)  # H2, H5, H10
    assert any("No previous value" in n and "Sep 2022 to Aug 2023" in n for n in result.notes)


def test_deregistered_households_in_12_months(households):
    result = foster_households_deregistered_12m(households, PERIOD)
    assert (result.value, result.previous) == (1, None)  # H3
    assert any("No previous value" in n and "start in August 2023" in n for n in result.notes)


def test_previous_12_months_counted_when_deregistrations_reach_back():
    # H11 de-registered on 7 Sep 2022, within the first 7 days of the 12 months before: the list holds
    # de-registered households that far back.
    rows = HOUSEHOLDS + [household("H11", "Mainstream", "2016-05-01", "2022-09-07"),
                         household("H12", "Mainstream", "2022-10-01", "2023-03-01")]
    households = Households.from_table(export_table("households", rows, ("approval_date", "deregistration_date")))
    new = foster_households_new_12m(households, PERIOD)
    assert (new.value, new.previous) == (3, 2)  # H2, H5, H10 | H4, H12 (approved and gone within the window)
    gone = foster_households_deregistered_12m(households, PERIOD)
    assert (gone.value, gone.previous) == (1, 3)  # H3 | H6, H11, H12
    assert not any("No previous value" in n for n in new.notes + gone.notes)


def test_households_list_without_deregistration_column():
    rows = [{k: v for k, v in h.items() if k != "deregistration_date"} for h in HOUSEHOLDS[:2]]
    households = Households.from_table(export_table("households", rows, ("approval_date",)))
    assert foster_households(households, PERIOD).value == 2
    result = foster_households_deregistered_12m(households, PERIOD)
    assert result.value is None and "De-registration date" in result.notes[0]


def child(child_id, placement, start="2022-01-01", ceased=None, placement_start="2023-01-01") -> dict:
    return {"child_id": child_id, "dob": "2012-05-05", "cla_start": start, "cla_end": ceased,
            "placement_type": placement, "placement_start": placement_start, "placements_12m": 1.0,
            "missing_12m": 0.0}


LIST_8 = [
    child("c1", "U1"), child("c2", "U3"), child("c3", "U6"), child("c4", "A4"), child("c5", "P1"),
    child("c6", "P2"), child("c7", "H5"), child("c8", "K2"), child("c9", "R1"), child("c10", "S1"),
    child("c11", "Z1"),  # unknown code: Other
    child("c12", None),  # blank: Other
    child("c13", "U1", ceased="2024-08-31"),  # ceased ON the snapshot: not looked after
    child("c14", "U2", ceased="2024-09-01"),  # ceased after: looked after
    child("c15", "U4", start="2024-09-01"),  # started after: not looked after
    child("c16", "K1", start="2024-08-31", placement_start="2024-08-31"),  # started on the snapshot
    child("c1", "K3", placement_start="2022-01-01"),  # c1 listed twice: the latest placement (U1) counts
]


def list_8() -> ExportTable:
    return export_table("annex_a_list_8", LIST_8, ("dob", "cla_start", "cla_end", "placement_start"))


def test_placement_types_table_every_group_in_order():
    table = placement_types_table(list_8(), PERIOD.snapshot)
    assert list(table.columns) == ["Placement type", "Children", "Share %"]
    assert table["Placement type"].tolist() == [
        "Foster placement", "Placed for adoption", "Placed with parents", "Independent or semi-independent living",
        "Children's home", "Other residential setting", "Other"]
    # 14 children looked after: c1-c12, c14, c16.
    assert table["Children"].tolist() == [4, 1, 1, 2, 2, 2, 2]
    assert table["Share %"].tolist() == pytest.approx([4 / 14, 1 / 14, 1 / 14, 2 / 14, 2 / 14, 2 / 14, 2 / 14])


def test_placement_group_codes():
    assert placement_group("u5") == "Foster placement"
    assert placement_group("A3") == "Placed for adoption"
    assert placement_group("K3") == "Children's home"
    assert placement_group("R5") == "Other residential setting"
    assert placement_group("R4") == "Other"
    assert placement_group(float("nan")) == "Other"


def test_no_child_looked_after_gives_zero_counts_and_blank_shares():
    table = placement_types_table(export_table("annex_a_list_8", [child("x", "U1", start="2024-09-10")],
                                               ("dob", "cla_start", "cla_end", "placement_start")), PERIOD.snapshot)
    assert table["Children"].tolist() == [0] * 7
    assert table["Share %"].isna().all()


def test_fostering_figures_with_and_without_inputs():
    exports = ExportRecords({"annex_a_list_8": list_8(),
                             "households": export_table("households", HOUSEHOLDS,
                                                        ("approval_date", "deregistration_date"))})
    results, tables = fostering_figures(exports, PERIOD, Settings())
    assert [(r.kpi_id, r.value) for r in results] == [
        ("foster_households", 6), ("foster_households_new_12m", 3), ("foster_households_deregistered_12m", 1)]
    assert tables["tbl_placement_types"]["Children"].sum() == 14

    results, tables = fostering_figures(ExportRecords(), PERIOD, Settings())
    assert all(r.value is None and r.notes == ["Needs the fostering households list."] for r in results)
    assert tables["tbl_placement_types"].empty
    assert list(tables["tbl_placement_types"].columns) == ["Placement type", "Children", "Share %"]


def test_household_flagged_by_the_reader_is_left_out():
    table = export_table("households", HOUSEHOLDS[:2], ("approval_date", "deregistration_date"))
    table.frame["_bad_deregistration"] = [True, False]
    result = foster_households(Households.from_table(table), PERIOD)
    assert result.value == 1
