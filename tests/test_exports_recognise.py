"""System exports: recognition by header set, messy headers, formats and encodings, missing columns,
and the shared Annex A sample read whole."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqa_desktop.core.exports.reader import read_export
from pqa_desktop.core.exports.spec import table_spec
from pqa_desktop.core.findings import Severity
from tests.exports_fixtures import (LIST_9_2019, SSDA903_SOCIAL_WORKER, VERBATIM, as_input,
                                    convert_with_libreoffice, row_for, soffice, write_csv, write_xlsx)

SAMPLE = Path("/work/shared/samples/annex-a-2024/Annex_A_2024_Jan.xlsx")
if not SAMPLE.exists():  # a checkout next to the shared folder
    SAMPLE = Path(__file__).resolve().parents[2] / "shared/samples/annex-a-2024/Annex_A_2024_Jan.xlsx"


def _errors(result):
    return [f for f in result.findings if f.severity == Severity.ERROR]


@pytest.mark.parametrize("kind", sorted(VERBATIM))
def test_each_kind_is_recognised_from_its_verbatim_headers(tmp_path, kind):
    header = VERBATIM[kind]
    # Neither the file nor the sheet name says what the table is.
    path = write_xlsx(tmp_path / "export.xlsx", {"Sheet1": [header, ["R1"], ["R2"]]})
    result = read_export(as_input(path))
    assert result is not None and result.kind == "system_export"
    assert [t.kind for t in result.exports] == [kind]
    table = result.exports[0]
    assert table.rows == 2
    assert len(table.columns) == len(header)  # every verbatim header is a known column
    assert table.label == result.kind_label == table_spec(kind).label
    assert not _errors(result)


def test_list_9_2019_headers_read_as_list_9(tmp_path):
    path = write_xlsx(tmp_path / "cl.xlsx", {"Leavers": [LIST_9_2019, row_for(LIST_9_2019, {
        "Child Unique ID": "C1", "Date of Birth": "01/06/2005", "LA In Touch": "a) Yes",
        "Activity Status": "G5: NEET"})]})
    table = read_export(as_input(path)).exports[0]
    assert table.kind == "annex_a_list_9"
    assert table.has("in_touch") and not table.has("latest_contact")
    assert table.frame.loc[0, "in_touch"] == "Yes"
    assert table.frame.loc[0, "activity"] == "G5"


def test_ssda903_social_worker_table_is_the_allocation_history(tmp_path):
    rows = [SSDA903_SOCIAL_WORKER, ["C100", "SW7", "01/04/2024", "30/06/2024"], ["C100", "SW8", "01/07/2024", ""]]
    result = read_export(as_input(write_csv(tmp_path / "sw.csv", rows)))
    table = result.exports[0]
    assert table.kind == "allocations"
    assert list(table.frame["worker_id"]) == ["SW7", "SW8"]
    assert list(table.frame["allocation_start"]) == [pd.Timestamp(2024, 4, 1), pd.Timestamp(2024, 7, 1)]
    assert table.frame.loc[0, "allocation_end"] == pd.Timestamp(2024, 6, 30)
    assert pd.isna(table.frame.loc[1, "allocation_end"])  # still allocated
    assert {"C100", "SW7", "SW8"} <= result.sensitive
    assert result.staff_names == set()  # worker IDs are not names


def test_header_below_title_rows(tmp_path):
    header = VERBATIM["annex_a_list_1"]
    path = write_xlsx(tmp_path / "contacts.xlsx",
                      {"Contacts": [header, row_for(header, {"Child Unique ID": "C1", "Date of Contact": "02/01/2024"})]},
                      title_rows=4)
    table = read_export(as_input(path)).exports[0]
    assert table.header_row == 5
    assert list(table.frame["_row"]) == [6]
    assert table.frame.loc[0, "contact_date"] == pd.Timestamp(2024, 1, 2)


def test_header_beyond_the_first_ten_rows_is_not_found(tmp_path):
    header = VERBATIM["annex_a_list_1"]
    path = write_xlsx(tmp_path / "contacts.xlsx", {"Contacts": [header, ["C1"]]}, title_rows=10)
    assert read_export(as_input(path)) is None


def test_messy_headers_are_normalised(tmp_path):
    header = VERBATIM["annex_a_list_8"].copy()
    messy = {
        "Child Unique ID": "CHILD UNIQUE ID:",
        "Age of Child (Years)": "Age",
        "Date Started to be Looked After": "Date Started to be\nLooked After",
        "Start Date of Most Recent Placement": "Start\u00a0Date of Most  Recent Placement",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months":
            "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months",
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)":
            "Unaccompanied Asylum Seeking Child ((UASC)) within the Last 12 Months (Y/N))",
        "Placement Type": "Placement Type.",
    }
    written = [messy.get(h, h) for h in header]
    path = write_xlsx(tmp_path / "cla.xlsx", {"x": [written, row_for(header, {
        "Child Unique ID": "C1", "Age of Child (Years)": 7.5, "Date Started to be Looked After": "01/02/2020",
        "Placement Type": "U3", "Start Date of Most Recent Placement": "02/02/2020",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months": 2,
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)": "N"})]})
    result = read_export(as_input(path))
    table = result.exports[0]
    assert table.kind == "annex_a_list_8"
    assert len(table.columns) == len(header)
    row = table.frame.loc[0]
    assert row["age"] == 7.5
    assert row["cla_start"] == pd.Timestamp(2020, 2, 1)
    assert row["placement_start"] == pd.Timestamp(2020, 2, 2)
    assert row["missing_12m"] == 2.0
    assert row["uasc"] == "No"
    assert row["placement_type"] == "U3"
    assert not result.findings


def test_reordered_and_extra_columns(tmp_path):
    header = list(reversed(VERBATIM["annex_a_list_4"])) + ["Notes", "Locality"]
    values = {"Child Unique ID": "C9", "Continuous Assessment Start Date": "01/03/2024",
              "Continuous Assessment Date of Authorisation": "10/04/2024", "Allocated Team": "Team A",
              "Notes": "not part of the export", "Locality": "North"}
    path = write_xlsx(tmp_path / "a.xlsx", {"Assessments": [header, row_for(header, values),
                                                            row_for(header, {"Notes": "a stray note"})]})
    table = read_export(as_input(path)).exports[0]
    assert table.kind == "annex_a_list_4"
    assert table.rows == 1  # the row holding only an unknown column's note is not a record
    assert "Notes" not in table.frame.columns and "Locality" not in table.frame.columns
    row = table.frame.loc[0]
    assert (row["child_id"], row["team"]) == ("C9", "Team A")
    assert row["assessment_start"] == pd.Timestamp(2024, 3, 1)
    assert row["assessment_authorised"] == pd.Timestamp(2024, 4, 10)


def test_more_matched_columns_wins(tmp_path):
    # Names every required column of List 1 (child, contact date) and of the allocation history
    # (child, worker, start): the allocation history matches more of its columns.
    header = ["Child Unique ID", "Date of Contact", "Worker ID", "Allocation start", "Allocation end"]
    path = write_xlsx(tmp_path / "x.xlsx", {"x": [header, ["C1", "01/01/2024", "W1", "01/01/2024", None]]})
    assert read_export(as_input(path)).exports[0].kind == "allocations"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings(tmp_path, encoding):
    header = VERBATIM["annex_a_list_3"]
    rows = [header, row_for(header, {"Child Unique ID": "C1", "Date of referral": "03/05/2024",
                                     "Allocated Team": "Équipe Nord", "Allocated Worker": "Zoë Brontë",
                                     "Referral NFA?": "b) No"})]
    result = read_export(as_input(write_csv(tmp_path / "referrals.csv", rows, encoding=encoding)))
    table = result.exports[0]
    assert table.kind == "annex_a_list_3"
    row = table.frame.loc[0]
    assert row["team"] == "Équipe Nord" and row["worker"] == "Zoë Brontë"
    assert row["referral_date"] == pd.Timestamp(2024, 5, 3)
    assert row["referral_nfa"] == "No"
    assert result.staff_names == {"Zoë Brontë"}
    assert "C1" in result.sensitive


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods(tmp_path, fmt):
    header = VERBATIM["households"]
    source = write_xlsx(tmp_path / "households.xlsx", {"Households": [
        header, ["H1", "Mainstream", "03/05/2022", None, 2], ["H2", "Connected person", "04/06/2023", "01/02/2024", 1]]},
        title_rows=2)
    table = read_export(as_input(convert_with_libreoffice(source, fmt))).exports[0]
    assert table.kind == "households"
    assert table.header_row == 3
    assert list(table.frame["approval_date"]) == [pd.Timestamp(2022, 5, 3), pd.Timestamp(2023, 6, 4)]
    assert list(table.frame["approved_places"]) == [2.0, 1.0]


def test_missing_required_columns_give_one_error_each(tmp_path):
    header = [h for h in VERBATIM["annex_a_list_8"] if h not in ("Placement Type", "Date Ceased to be Looked After")]
    rows = [header] + [row_for(header, {"Child Unique ID": f"C{i}"}) for i in range(5)]
    result = read_export(as_input(write_xlsx(tmp_path / "cla.xlsx", {"CLA": rows})))
    assert result is not None and result.exports == []
    errors = _errors(result)
    assert len(errors) == 2
    assert {f.rule for f in errors} == {"export.missing_column"}
    assert all(f.sheet == "CLA" for f in errors)
    assert any("'Placement Type'" in f.message for f in errors)
    assert any("'Date Ceased to be Looked After'" in f.message for f in errors)
    assert "not read" in result.kind_label


def test_unrelated_sheets_are_ignored(tmp_path):
    assert read_export(as_input(write_xlsx(tmp_path / "scores.xlsx", {"S": [["Name", "Score"], ["A", 1]]}))) is None
    header = VERBATIM["annex_a_list_1"]
    path = write_xlsx(tmp_path / "mixed.xlsx", {"Notes": [["Read me first"], ["Extracted Monday"]],
                                                 "Contacts": [header, ["C1"]]})
    result = read_export(as_input(path))
    assert [t.kind for t in result.exports] == ["annex_a_list_1"]
    assert result.kind_label == "Annex A List 1 Contacts"
    assert not result.findings


def test_workbook_with_several_kinds_is_labelled_by_count(tmp_path):
    path = write_xlsx(tmp_path / "exports.xlsx", {
        "a": [VERBATIM["annex_a_list_1"], ["C1"]], "b": [VERBATIM["annex_a_list_3"], ["C1"]]})
    assert read_export(as_input(path)).kind_label == "Annex A (2 lists)"
    path = write_xlsx(tmp_path / "mixed.xlsx", {
        "a": [VERBATIM["annex_a_list_1"], ["C1"]], "b": [VERBATIM["households"], ["H1"]]})
    assert read_export(as_input(path)).kind_label == "System exports (2 tables)"


def _data_rows_per_sheet(path: Path) -> dict[str, int]:
    """Rows below the header with any value, counted independently of the reader (openpyxl)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    counts = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        counts[ws.title] = sum(1 for r in rows[1:] if any(v not in (None, "") for v in r))
    return counts


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared Annex A sample not available")
def test_shared_annex_a_sample_reads_whole_without_errors():
    result = read_export(as_input(SAMPLE), today=date(2024, 2, 1))
    assert result is not None
    assert not _errors(result)
    kinds = {t.sheet: t.kind for t in result.exports}
    assert kinds == {f"List {n}": f"annex_a_list_{n}" for n in range(1, 12)}
    assert result.kind_label == "Annex A (11 lists)"
    expected = _data_rows_per_sheet(SAMPLE)
    assert {t.sheet: t.rows for t in result.exports} == expected
    assert all(n > 0 for n in expected.values())
    by_kind = {t.kind: t for t in result.exports}
    contacts = by_kind["annex_a_list_1"].frame
    assert contacts.loc[0, "child_id"] == "9212044"  # numeric IDs read without ".0"
    assert contacts.loc[0, "gender"] == "Female"  # uncoded values kept
    assert contacts.loc[1, "gender"] == "Female"  # "b) Female"
    assert 6.13 < contacts.loc[0, "age"] < 6.14  # fractional ages
    assert contacts.loc[0, "contact_source"] == "6"  # "q) 6: Police"
    cla = by_kind["annex_a_list_8"]
    assert cla.has("uasc") and cla.has("missing_12m")  # "(Y/N))" and curly-quoted headers
    assert cla.frame.loc[0, "placement_type"] == "U6"
    assert "9212044" in result.sensitive


def test_header_only_export_reads_as_an_empty_table(tmp_path):
    header = VERBATIM["annex_a_list_8"]
    result = read_export(as_input(write_csv(tmp_path / "cla.csv", [header])), today=date(2024, 6, 1))
    table = result.exports[0]
    assert table.kind == "annex_a_list_8" and table.rows == 0
    assert table.frame["_bad_dob"].tolist() == [] and not result.findings


def _header_cells():
    """Header texts of every kind (verbatim and aliases, some spelt differently), and cells no header is."""
    from pqa_desktop.core.exports.spec import table_specs
    texts = sorted({text for spec in table_specs() for column in spec.columns
                    for text in (column.header, *column.aliases)})
    return st.one_of(st.sampled_from(texts), st.sampled_from(texts).map(lambda t: f"  {t.upper()}\n"),
                     st.none(), st.integers(), st.text(max_size=12))


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(row=st.lists(_header_cells(), max_size=40))
def test_every_kind_matched_at_once_is_each_kind_matched_alone(row):
    """The header search looks each cell up once for every kind of export; what it finds for each kind is what
    matching that kind alone finds (the leftmost of a column named twice, none for a kind not named)."""
    from pqa_desktop.core.exports import recognise
    from pqa_desktop.core.exports.spec import table_specs
    specs = table_specs()
    alone = {place: positions for place, spec in enumerate(specs)
             if (positions := recognise.match_header(row, spec))}
    together = recognise._matches(row, specs)
    assert together == alone
    assert [list(p) for p in together.values()] == [list(alone[place]) for place in together]  # same order
