"""The auditor templates: committed files match the code, names, validations, protection, printing, round trip."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from pqa_desktop.core.returns.spec import TEMPLATE_TYPES, returns_spec
from pqa_desktop.core.returns.templates import (
    TEMPLATE_FILE_NAMES, return_bytes, write_return, write_templates,
)

COMMITTED = Path(__file__).resolve().parents[1] / "workbook_templates"


def _non_column_fields(template_type):
    return [f for f in returns_spec().returns[template_type].fields if f.section != "columns"]


def _target(wb, name):
    """(worksheet, top-left cell, bounds) that a workbook-scoped defined name points at."""
    dn = wb.defined_names[name]
    sheet, ref = next(iter(dn.destinations))
    ws = wb[sheet]
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    return ws, ws.cell(min_row, min_col), (min_col, min_row, max_col, max_row)


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    paths = write_templates(folder)
    return {t: openpyxl.load_workbook(p) for t, p in zip(TEMPLATE_TYPES, paths)}


def test_committed_templates_match_the_code(tmp_path):
    written = write_templates(tmp_path)
    assert [p.name for p in written] == [TEMPLATE_FILE_NAMES[t] for t in TEMPLATE_TYPES] == [
        "Case file audit template.xlsx", "Foster carer audit template.xlsx", "EDT dip sample template.xlsx"]
    for path in written:
        committed = COMMITTED / path.name
        assert committed.exists(), f"{committed.name} is missing: run `pqa templates workbook_templates`"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{path.name} differs from the code that writes it: run `pqa templates workbook_templates`")


def test_filled_returns_are_byte_reproducible():
    kwargs = dict(values={"case_ref": "123456", "audit_date": date(2024, 5, 3), "overall": "RI"},
                  modified=datetime(2024, 5, 4, 16, 30))
    assert return_bytes("case_file_audit", **kwargs) == return_bytes("case_file_audit", **kwargs)
    other = dict(kwargs, modified=datetime(2024, 5, 5, 16, 30))
    assert return_bytes("case_file_audit", **kwargs) != return_bytes("case_file_audit", **other)


@pytest.mark.parametrize("template_type", TEMPLATE_TYPES)
def test_every_field_has_a_named_cell_beside_its_label(templates, template_type):
    wb = templates[template_type]
    for spec in _non_column_fields(template_type):
        assert spec.defined_name in wb.defined_names, spec.defined_name
        ws, cell, _ = _target(wb, spec.defined_name)
        assert ws.cell(cell.row, cell.column - 1).value == spec.label
        if spec.section == "domains":
            ws, cell, _ = _target(wb, spec.evidence_name)
            assert ws.cell(cell.row, cell.column - 1).value == spec.evidence_label
            assert cell.alignment.wrap_text
    # Workbook scope: no pqa_ name hides in a sheet's own names.
    for ws in wb.worksheets:
        assert not [n for n in ws.defined_names if n.startswith("pqa_")]


@pytest.mark.parametrize("template_type", TEMPLATE_TYPES)
def test_constants_say_type_and_version(templates, template_type):
    wb = templates[template_type]
    assert wb.defined_names["pqa_template_type"].attr_text == f'"{template_type}"'
    assert wb.defined_names["pqa_template_version"].attr_text == '"1"'


def test_actions_block_covers_five_rows_under_its_header(templates):
    wb = templates["case_file_audit"]
    ws, _, (min_col, min_row, max_col, max_row) = _target(wb, "pqa_actions")
    assert (max_col - min_col + 1, max_row - min_row + 1) == (3, 5)
    header = [ws.cell(min_row - 1, c).value for c in range(min_col, max_col + 1)]
    assert header == ["Action", "Owner (role)", "Due date"]
    assert "pqa_actions" not in templates["foster_carer_audit"].defined_names


def test_edt_records_cover_thirty_rows_of_the_spec_columns(templates):
    wb = templates["edt_dip_sample"]
    ws, _, (min_col, min_row, max_col, max_row) = _target(wb, "pqa_edt_records")
    assert (max_col - min_col + 1, max_row - min_row + 1) == (9, 30)
    header = [ws.cell(min_row - 1, c).value for c in range(min_col, max_col + 1)]
    assert header == [s.label for s in returns_spec().returns["edt_dip_sample"].section("columns")]
    assert header[0] == "Record reference" and header[-1] == "Comment"


def _validation_at(ws, coordinate):
    found = [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) == 1, f"{coordinate}: {len(found)} validations"
    return found[0]


@pytest.mark.parametrize("template_type", ["case_file_audit", "foster_carer_audit"])
def test_list_and_date_fields_have_warning_validations(templates, template_type):
    wb = templates[template_type]
    checked = 0
    for spec in _non_column_fields(template_type):
        ws, cell, _ = _target(wb, spec.defined_name)
        if spec.list:
            dv = _validation_at(ws, cell.coordinate)
            assert dv.type == "list" and dv.errorStyle == "warning" and dv.prompt
            assert dv.formula1.strip('"').split(",") == list(spec.list)
            checked += 1
        elif spec.type == "date":
            dv = _validation_at(ws, cell.coordinate)
            assert dv.type == "date" and dv.errorStyle == "warning"
    # case file: service area, audit type, practitioner, 10 domains, 5 compliance, 2 feedback lists,
    # moderated overall = 21; foster: carer type, 6 domains, 2 feedback lists = 9.
    assert checked == {"case_file_audit": 21, "foster_carer_audit": 9}[template_type]


def test_edt_yes_no_columns_have_dropdowns_on_every_row(templates):
    ws, _, (min_col, min_row, _, max_row) = _target(templates["edt_dip_sample"], "pqa_edt_records")
    columns = returns_spec().returns["edt_dip_sample"].section("columns")
    for offset, spec in enumerate(columns):
        for row in (min_row, max_row):
            coordinate = ws.cell(row, min_col + offset).coordinate
            if spec.type == "yes_no":
                dv = _validation_at(ws, coordinate)
                assert dv.formula1 == '"Yes,No,Not applicable"' and dv.errorStyle == "warning"


@pytest.mark.parametrize("template_type", TEMPLATE_TYPES)
def test_only_input_cells_are_unlocked_and_the_sheet_is_protected_without_password(templates, template_type):
    wb = templates[template_type]
    ws = wb.worksheets[0]
    assert ws.protection.sheet is True
    assert not ws.protection.password
    for name in wb.defined_names:
        if name.startswith("pqa_") and name not in ("pqa_template_type", "pqa_template_version"):
            _, cell, _ = _target(wb, name)
            assert cell.protection.locked is False, name
            assert cell.fill.fgColor.rgb not in (None, "00000000")  # visibly an input
    assert ws["A1"].protection.locked is True
    assert ws["A1"].value == returns_spec().returns[template_type].title


@pytest.mark.parametrize("template_type", TEMPLATE_TYPES)
def test_prints_on_a4_one_page_wide_with_properties(templates, template_type):
    wb = templates[template_type]
    ws = wb.worksheets[0]
    assert int(ws.page_setup.paperSize) == 9
    # fitToWidth is left out when it is 1 (the OOXML default); fitToHeight 0 means "as many pages as needed".
    assert ws.page_setup.fitToWidth in (None, 1) and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area and ws.print_title_rows == "$1:$1"
    assert wb.properties.creator == "PQA Desktop"
    assert wb.properties.title and wb.properties.subject
    assert wb.properties.modified == datetime(2024, 4, 1, 9, 0)


def test_filled_case_file_audit_round_trips(tmp_path):
    path = tmp_path / "CFA 123456 May.xlsx"
    stamp = datetime(2024, 5, 6, 15, 45)
    write_return(
        path, "case_file_audit",
        {"case_ref": "123456", "service_area": "IRT", "audit_date": date(2024, 5, 3),
         "overall": "RI", "outcomes": "good ", "voice": 2, "moderation_date": "3/5/24",
         "feedback_text": "Sam was brilliant."},
        evidence={"outcomes": "Clear progress since the plan changed."},
        actions=[("Update the chronology", "Social worker", date(2024, 6, 1)), ("Supervision", "Team manager", "")],
        modified=stamp)
    wb = openpyxl.load_workbook(path)
    assert wb.properties.modified == stamp and wb.properties.created == stamp

    def value(name):
        return _target(wb, name)[1].value

    assert value("pqa_case_ref") == "123456"  # text stays text
    assert value("pqa_audit_date") == datetime(2024, 5, 3)  # a real date
    assert _target(wb, "pqa_audit_date")[1].number_format == "dd/mm/yyyy"
    assert value("pqa_overall") == "RI"
    assert value("pqa_outcomes") == "good "  # messy text written exactly
    assert value("pqa_voice") == 2
    assert value("pqa_moderation_date") == "3/5/24"
    assert value("pqa_outcomes_evidence") == "Clear progress since the plan changed."
    assert value("pqa_team") is None
    ws, _, (min_col, min_row, _, _) = _target(wb, "pqa_actions")
    assert [ws.cell(min_row, min_col + c).value for c in range(3)] == [
        "Update the chronology", "Social worker", datetime(2024, 6, 1)]
    assert ws.cell(min_row + 1, min_col).value == "Supervision"
    assert ws.cell(min_row + 2, min_col).value is None


def test_filled_edt_sample_round_trips(tmp_path):
    path = tmp_path / "edt.xlsx"
    records = [{"record_ref": "700001", "contact_date": date(2024, 5, 4), "amhp_required": "Yes",
                "amhp_offered": "N", "comment": "Out of hours"},
               {"record_ref": "700002", "timescales": "Yes"}]
    write_return(path, "edt_dip_sample", {"sampled_by": "Pat Doe", "sample_month": date(2024, 5, 1)},
                 edt_records=records)
    wb = openpyxl.load_workbook(path)
    ws, _, (min_col, min_row, max_col, _) = _target(wb, "pqa_edt_records")
    labels = [ws.cell(min_row - 1, c).value for c in range(min_col, max_col + 1)]
    first = dict(zip(labels, (ws.cell(min_row, c).value for c in range(min_col, max_col + 1))))
    assert first["Record reference"] == "700001"
    assert first["Contact date"] == datetime(2024, 5, 4)
    assert (first["AMHP required"], first["AMHP offered"], first["Timescales met"]) == ("Yes", "N", None)
    assert ws.cell(min_row + 1, min_col + labels.index("Timescales met")).value == "Yes"
    assert ws.cell(min_row + 2, min_col).value is None
    assert _target(wb, "pqa_sampled_by")[1].value == "Pat Doe"


def test_old_layout_has_labels_but_no_names(tmp_path):
    path = tmp_path / "old.xlsx"
    write_return(path, "foster_carer_audit", {"carer_ref": "H20451", "overall": "Good"}, defined_names=False)
    wb = openpyxl.load_workbook(path)
    assert not [n for n in wb.defined_names if n.startswith("pqa_")]
    ws = wb.worksheets[0]
    rows = {row[0].value: row[1].value for row in ws.iter_rows(min_col=1, max_col=2)}
    assert rows["Foster household reference"] == "H20451"
    assert rows["Overall judgement"] == "Good"
    assert rows["Overall judgement \u2014 evidence"] is None


def test_unknown_fields_and_overfull_blocks_are_refused():
    with pytest.raises(ValueError):
        return_bytes("case_file_audit", {"case_reference": "1"})
    with pytest.raises(ValueError):
        return_bytes("case_file_audit", {}, actions=[("a", "b", None)] * 6)
    with pytest.raises(ValueError):
        return_bytes("edt_dip_sample", {}, edt_records=[{"record_ref": "1"}] * 31)
    with pytest.raises(ValueError):
        return_bytes("foster_carer_audit", {}, actions=[("a", "b", None)])
