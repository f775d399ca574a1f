"""The leak inspector: a clean report passes; each kind of leak planted in a copy is caught, named by
where it is and never by its value; counts, sizes and short IDs raise no alarm; opt-ins are honoured;
the demo workbook passes with everything its own inputs identify."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import date

import openpyxl
import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.inspect import (KIND_PHRASES, Leak, WorkbookUnreadable, identifiers_from_inputs,
                                      inspect_with, inspect_workbook, sensitive_set)
from pqa_desktop.core.inspect.leak import (AUTHOR, COMMENT, CUSTOM_XML, EMBEDDED_OBJECT, EXTERNAL_LINK,
                                           HIDDEN_COLUMN, HIDDEN_OBJECT, HIDDEN_ROW, HIDDEN_SHEET, MACRO,
                                           PIVOT_CACHE, UNREADABLE_PART)
from pqa_desktop.core.inspect.matching import (CASE_REFERENCE, DATE_OF_BIRTH, POSTCODE, STAFF_ID, STAFF_NAME,
                                               dates_written_in)
from pqa_desktop.core.report import render_workbook
from tests import report_fixtures as fx
from tests.exports_fixtures import write_csv

CHILD_ID = "7752564"
CASE_REF = "CF-20931"
SHORT_ID = "4821"
STAFF = "Aisha Yates"
STAFF_ID_VALUE = "SW844876"
POSTCODE_VALUE = "M1 1AE"
DOB = date(2015, 5, 3)
KNOWN = dict(identifiers=[CHILD_ID, CASE_REF, SHORT_ID, "123456"], staff_names=[STAFF, "Ben Lomax"],
             staff_ids=[STAFF_ID_VALUE], postcodes=[POSTCODE_VALUE], dates_of_birth=[DOB])
SECRETS = [CHILD_ID, CASE_REF, STAFF, "Aisha", "Yates", STAFF_ID_VALUE, POSTCODE_VALUE, "M11AE", "03/05/2015"]
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def inspect(data: bytes, **options) -> list[Leak]:
    return inspect_workbook(data, **{**KNOWN, "la_name": fx.LA, **options})


def assert_never_echoed(leaks: list[Leak]) -> None:
    for leak in leaks:
        text = f"{leak.part} {leak.detail}".casefold()
        for secret in SECRETS:
            assert secret.casefold() not in text, leak


@pytest.fixture(scope="module")
def clean() -> bytes:
    return render_workbook(fx.full_figures(), fx.context())


def with_feedback(text: str) -> bytes:
    """A report whose first feedback item says ``text`` (as if a name or ID escaped redaction)."""
    figures = fx.full_figures()
    figures.tables["tbl_feedback"].loc[0, "Feedback"] = text
    return render_workbook(figures, fx.context())


def cell_holding(data: bytes, fragment: str) -> str:
    """Where openpyxl sees the text: "cell 'Sheet'!B7" (worked out independently of the inspector)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and fragment in c.value:
                    return f"cell '{ws.title}'!{c.coordinate}"
    raise AssertionError(f"{fragment!r} not in any cell")


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def repack(content: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in content.items():
            z.writestr(name, data)
    return out.getvalue()


def edit(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    content = parts(data)
    assert old in content[part], (part, old)
    content[part] = content[part].replace(old, new, 1)
    return repack(content)


def add(data: bytes, extra: dict[str, bytes]) -> bytes:
    content = parts(data)
    content.update(extra)
    return repack(content)


def sheet_part(data: bytes, sheet: str) -> str:
    """The worksheet part of a sheet, from workbook.xml and its relationships."""
    content = parts(data)
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(rId\d+)"'.encode(),
                    content["xl/workbook.xml"]).group(1)
    target = re.search(rb'Id="' + rid + rb'" Type="[^"]+" Target="([^"]+)"',
                       content["xl/_rels/workbook.xml.rels"]).group(1).decode()
    return "xl/" + target


def add_relationship(data: bytes, rels_part: str, rel_type: str, target: str, external: bool = False) -> bytes:
    content = parts(data)
    mode = ' TargetMode="External"' if external else ""
    rel = f'<Relationship Id="rId99" Type="{REL}/{rel_type}" Target="{target}"{mode}/>'.encode()
    if rels_part in content:
        content[rels_part] = content[rels_part].replace(b"</Relationships>", rel + b"</Relationships>")
    else:
        content[rels_part] = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                              b'openxmlformats.org/package/2006/relationships">' + rel + b"</Relationships>")
    return repack(content)


def kinds(leaks: list[Leak]) -> set[str]:
    return {leak.kind for leak in leaks}


# --- a clean report ----------------------------------------------------------------------------------

def test_clean_report_has_no_leak(clean):
    assert inspect(clean) == []
    assert inspect_workbook(clean) == []  # nothing known, no LA name: still clean


# --- how the workbook is put together --------------------------------------------------------------

def test_hidden_sheet_is_caught(clean):
    sheet = b'<sheet name="Feedback" '
    leaks = inspect(edit(clean, "xl/workbook.xml", sheet, sheet + b'state="hidden" '))
    assert [(l.kind, l.detail) for l in leaks] == [(HIDDEN_SHEET, "Sheet 'Feedback' is hidden.")]
    very = inspect(edit(clean, "xl/workbook.xml", sheet, sheet + b'state="veryHidden" '))
    assert kinds(very) == {HIDDEN_SHEET}


def test_hidden_rows_and_columns_are_caught(clean):
    part = sheet_part(clean, "Audit list")
    hidden_row = edit(clean, part, b'<row r="7"', b'<row r="7" hidden="1"')
    leaks = inspect(hidden_row)
    assert [(l.part, l.kind, l.detail) for l in leaks] == [
        (part, HIDDEN_ROW, "Row 7 of sheet 'Audit list' is hidden.")]
    sheet_xml = parts(clean)[part]
    old = b"<cols>" if b"<cols>" in sheet_xml else b"<sheetData"
    new = (b'<cols><col min="3" max="4" width="9" hidden="1" customWidth="1"/>' if old == b"<cols>"
           else b'<cols><col min="3" max="4" width="9" hidden="1" customWidth="1"/></cols><sheetData')
    leaks = inspect(edit(clean, part, old, new))
    assert [(l.kind, l.detail) for l in leaks] == [(HIDDEN_COLUMN, "Columns C to D of sheet 'Audit list' are hidden.")]


def test_zero_height_row_counts_as_hidden(clean):
    part = sheet_part(clean, "Summary")
    row = re.search(rb'<row r="4"[^>]*>', parts(clean)[part]).group(0)  # the report states every row's height
    zero = re.sub(rb' (ht|customHeight)="[^"]*"', b"", row).replace(b'<row r="4"', b'<row r="4" ht="0" customHeight="1"')
    leaks = inspect(edit(clean, part, row, zero))
    assert [l.detail for l in leaks] == ["Row 4 of sheet 'Summary' is hidden."]


def test_hidden_chart_is_caught(clean):
    drawing = parts(clean)["xl/drawings/drawing1.xml"]
    assert b"<xdr:cNvPr " in drawing
    leaks = inspect(edit(clean, "xl/drawings/drawing1.xml", b"<xdr:cNvPr ", b'<xdr:cNvPr hidden="1" '))
    assert [(l.part, l.kind) for l in leaks] == [("xl/drawings/drawing1.xml", HIDDEN_OBJECT)]
    assert "on sheet '" in leaks[0].detail


def test_comments_and_threaded_comments_are_caught(clean):
    part = sheet_part(clean, "Summary")
    rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    comments = (b'<?xml version="1.0"?><comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<authors><author>someone</author></authors><commentList><comment ref="A1" authorId="0">'
                b'<text><t>see me</t></text></comment></commentList></comments>')
    data = add_relationship(add(clean, {"xl/comments1.xml": comments}), rels, "comments", "../comments1.xml")
    leaks = inspect(data)
    assert [(l.part, l.kind) for l in leaks] == [("xl/comments1.xml", COMMENT)]
    assert "on sheet 'Summary'" in leaks[0].detail
    threaded = inspect(add(clean, {"xl/threadedComments/threadedComment1.xml": b"<ThreadedComments/>"}))
    assert kinds(threaded) == {COMMENT}


def test_external_hyperlink_and_external_link_are_caught_internal_links_are_not(clean):
    assert b"location=" in parts(clean)[sheet_part(clean, "Contents")]  # the contents' own links are fine
    part = sheet_part(clean, "Feedback")
    rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    leaks = inspect(add_relationship(clean, rels, "hyperlink", f"https://example.org/case/{CHILD_ID}", external=True))
    link = [l for l in leaks if l.kind == EXTERNAL_LINK]
    assert [l.detail for l in link] == ["A hyperlink to an outside address on sheet 'Feedback'."]
    assert_never_echoed(leaks)
    workbook_link = add_relationship(add(clean, {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}),
                                     "xl/externalLinks/_rels/externalLink1.xml.rels", "externalLinkPath",
                                     "file:///C:/Users/qa/cases.xlsx", external=True)
    leaks = inspect(workbook_link)
    assert kinds(leaks) == {EXTERNAL_LINK}
    assert {l.part for l in leaks} == {"xl/externalLinks/externalLink1.xml"}
    assert not any("cases.xlsx" in l.detail for l in leaks)


@pytest.mark.parametrize("part, kind", [
    ("customXml/item1.xml", CUSTOM_XML),
    ("xl/pivotCache/pivotCacheDefinition1.xml", PIVOT_CACHE),
    ("xl/pivotTables/pivotTable1.xml", PIVOT_CACHE),
    ("xl/connections.xml", EXTERNAL_LINK),
    ("xl/vbaProject.bin", MACRO),
    ("xl/embeddings/oleObject1.bin", EMBEDDED_OBJECT),
])
def test_parts_a_report_never_has_are_caught(clean, part, kind):
    leaks = inspect(add(clean, {part: b"<x/>"}))
    assert [(l.part, l.kind) for l in leaks] == [(part, kind)]


def test_author_must_be_the_la(clean, monkeypatch):
    for variable in ("USERNAME", "USER", "LOGNAME", "LNAME"):
        monkeypatch.setenv(variable, "Jo Bloggs")
    by_login = edit(clean, "docProps/core.xml", b"<dc:creator>Anytown Council</dc:creator>",
                    b"<dc:creator>jbloggs</dc:creator>")
    leaks = inspect(by_login)
    assert [(l.part, l.kind) for l in leaks] == [("document properties", AUTHOR)]
    assert "author" in leaks[0].detail and "jbloggs" not in leaks[0].detail
    assert kinds(inspect_workbook(by_login)) == {AUTHOR}  # no LA name given: a one-word login is still caught
    by_user = edit(clean, "docProps/core.xml", b"<cp:lastModifiedBy>Anytown Council</cp:lastModifiedBy>",
                   b"<cp:lastModifiedBy>Jo Bloggs</cp:lastModifiedBy>")
    assert "last-modified-by" in inspect(by_user)[0].detail
    assert kinds(inspect_workbook(by_user)) == {AUTHOR}  # the computer's own user name
    other_la = edit(clean, "docProps/core.xml", b"<dc:creator>Anytown Council</dc:creator>",
                    b"<dc:creator>Othertown Council</dc:creator>")
    assert kinds(inspect(other_la)) == {AUTHOR}
    assert inspect_workbook(other_la) == []  # without an LA name, a council's name is not a user name


# --- personal data from the inputs --------------------------------------------------------------------

@pytest.mark.parametrize("text, kind", [
    (f"Child {CHILD_ID} said the worker listens.", CASE_REFERENCE),
    (f"Case {CASE_REF.lower()} was reviewed.", CASE_REFERENCE),
    (f"{STAFF} listens to me.", STAFF_NAME),
    ("YATES listens to me.", STAFF_NAME),  # a part of five letters or more, in any case
    (f"Worker {STAFF_ID_VALUE} visited.", STAFF_ID),
    ("Born 03/05/2015, placed in May.", DATE_OF_BIRTH),
    ("DOB 3 May 2015.", DATE_OF_BIRTH),
    ("dob 2015-05-03", DATE_OF_BIRTH),
    ("born 03-May-2015", DATE_OF_BIRTH),
    ("Placed at M1 1AE last year.", POSTCODE),
    ("Placed at m11ae last year.", POSTCODE),
])
def test_personal_data_in_a_cell_is_caught_by_cell(text, kind):
    data = with_feedback(text)
    leaks = inspect(data)
    where = cell_holding(data, text[:12])
    assert [(l.part, l.kind) for l in leaks] == [(where, kind)]
    assert leaks[0].detail == f"{KIND_PHRASES[kind][0].upper()}{KIND_PHRASES[kind][1:]} appears in {where}."
    assert_never_echoed(leaks)


@pytest.mark.parametrize("text", [
    f"Worker saw {SHORT_ID} and 12345 contacts.",  # a 4-character ID and a count that is no identifier
    "Child 97752564 has a longer number.",  # an ID inside a bigger number
    f"Rate 0.{CHILD_ID} of the time.",  # an ID as the digits of a decimal
    "Ben came late.",  # a name part of four letters or fewer on its own
    "Child or young person said YATESBURY is far.",  # a name part inside a longer word
    "Seen 04/05/2015 and on 2015-05-02.",  # dates that are not a date of birth
    "Placed in M1 and then 1AE.",  # half a postcode
])
def test_no_false_alarm(text):
    assert inspect(with_feedback(text)) == []


def test_sizes_and_offsets_in_drawings_are_not_identifiers(clean):
    drawing = parts(clean)["xl/drawings/drawing1.xml"].decode()
    offsets = re.findall(r"<xdr:colOff>(\d{5,})</xdr:colOff>", drawing)
    assert offsets
    sized = drawing.replace('<a:ext cx="0" cy="0"/>', f'<a:ext cx="{CHILD_ID}" cy="{CHILD_ID}"/>', 1)
    assert sized != drawing
    data = add(clean, {"xl/drawings/drawing1.xml": sized.encode()})
    assert inspect(data, identifiers=[*offsets, CHILD_ID]) == []


def test_opt_ins_let_references_and_staff_names_through():
    data = with_feedback(f"Child {CHILD_ID}: {STAFF} listens.")
    assert kinds(inspect(data)) == {CASE_REFERENCE, STAFF_NAME}
    assert kinds(inspect(data, allow_case_refs=True)) == {STAFF_NAME}
    assert kinds(inspect(data, allow_staff_names=True)) == {CASE_REFERENCE}
    assert inspect(data, allow_case_refs=True, allow_staff_names=True) == []
    staff_id = with_feedback(f"Worker {STAFF_ID_VALUE} visited.")
    assert kinds(inspect(staff_id, allow_case_refs=True, allow_staff_names=True)) == {STAFF_ID}


def test_an_id_in_a_chart_title_is_caught(clean):
    data = edit(clean, "xl/charts/chart1.xml", b"<a:t>Audits completed by month and audit type</a:t>",
                f"<a:t>Audits for {CHILD_ID}</a:t>".encode())
    leaks = inspect(data)
    assert [(l.part, l.kind) for l in leaks] == [("xl/charts/chart1.xml", CASE_REFERENCE)]
    assert "a chart title" in leaks[0].detail
    assert_never_echoed(leaks)


def test_a_name_in_alt_text_is_caught(clean):
    drawing = parts(clean)["xl/drawings/drawing1.xml"]
    descr = re.search(rb'descr="[^"]*"', drawing).group(0)
    leaks = inspect(edit(clean, "xl/drawings/drawing1.xml", descr, f'descr="Audits by {STAFF}"'.encode()))
    assert [(l.part, l.kind) for l in leaks] == [("xl/drawings/drawing1.xml", STAFF_NAME)]
    assert "alt text" in leaks[0].detail


def test_an_id_in_a_defined_name_is_caught(clean):
    name = f"<definedName name=\"child_{CHILD_ID}\">'Feedback'!$A$1</definedName>".encode()
    workbook = parts(clean)["xl/workbook.xml"]
    if b"<definedNames>" in workbook:
        data = edit(clean, "xl/workbook.xml", b"<definedNames>", b"<definedNames>" + name)
    else:
        data = edit(clean, "xl/workbook.xml", b"</sheets>", b"</sheets><definedNames>" + name + b"</definedNames>")
    leaks = inspect(data)
    assert [(l.part, l.kind) for l in leaks] == [("defined name", CASE_REFERENCE)]
    assert_never_echoed(leaks)


def test_personal_data_in_document_properties_is_caught(clean):
    data = edit(clean, "docProps/core.xml", b"<cp:keywords>",
                f"<cp:keywords>{CHILD_ID}, {POSTCODE_VALUE}, ".encode())
    leaks = inspect(data)
    assert sorted((l.part, l.kind) for l in leaks) == [("document properties", CASE_REFERENCE),
                                                       ("document properties", POSTCODE)]
    assert all("keywords" in l.detail for l in leaks)
    assert_never_echoed(leaks)


def test_a_stored_string_no_cell_shows_is_caught(clean):
    data = edit(clean, "xl/sharedStrings.xml", b"</sst>", f"<si><t>{CHILD_ID}</t></si></sst>".encode())
    leaks = inspect(data)
    assert [(l.part, l.kind) for l in leaks] == [("xl/sharedStrings.xml", CASE_REFERENCE)]


def test_anywhere_in_the_raw_xml(clean):
    data = edit(clean, "xl/styles.xml", b"</styleSheet>", f"<!-- x --><extra note=\"{STAFF}\"/></styleSheet>".encode())
    leaks = inspect(data)
    assert [(l.part, l.kind) for l in leaks] == [("xl/styles.xml", STAFF_NAME)]


def test_a_number_cell_holding_an_id_is_caught():
    figures = fx.full_figures()
    figures.tables["tbl_audit_activity"].loc[0, "Total"] = int(CHILD_ID)
    data = render_workbook(figures, fx.context())
    leaks = inspect(data)
    assert kinds(leaks) == {CASE_REFERENCE}
    assert all(l.part.startswith("cell 'Audit activity'!") for l in leaks)


def test_a_date_of_birth_column_is_caught():
    figures = fx.full_figures()
    feedback = figures.tables["tbl_feedback"]
    figures.tables["tbl_feedback"] = feedback.rename(columns={feedback.columns[0]: "Date of birth"})
    leaks = inspect(render_workbook(figures, fx.context()))
    assert kinds(leaks) == {DATE_OF_BIRTH}


def test_the_reports_own_dates_are_not_dates_of_birth(clean):
    # The Contents sheet says "snapshot 30/09/2024"; the date produced (07/10/2024) is in the properties.
    assert inspect(clean, dates_of_birth=[date(2024, 9, 30), date(2024, 10, 7)]) == []
    data = with_feedback("Born 30/09/2024.")
    assert inspect(data, dates_of_birth=[date(2024, 9, 30)]) == []  # the stated snapshot: allowed, by design
    other = with_feedback("Born 29/09/2024.")
    assert kinds(inspect(other, dates_of_birth=[date(2024, 9, 29)])) == {DATE_OF_BIRTH}


def test_a_sheet_name_holding_an_id_is_not_repeated(clean):
    data = edit(clean, "xl/workbook.xml", b'<sheet name="Feedback" ',
                f'<sheet name="{CHILD_ID}" state="hidden" '.encode())
    leaks = inspect(data)
    assert kinds(leaks) == {HIDDEN_SHEET, CASE_REFERENCE}
    assert_never_echoed(leaks)


def test_date_renderings():
    assert dates_written_in("03/05/2015 3/5/2015 2015-05-03 3 May 2015 03-May-2015 3rd May 2015 03.05.15") == {
        date(2015, 5, 3), date(1915, 5, 3)}
    assert dates_written_in("0.35 and 12345 and 31/02/2015") == set()


# --- files that are not a workbook ---------------------------------------------------------------------

def test_unreadable_files_say_why(tmp_path):
    with pytest.raises(WorkbookUnreadable, match="password"):
        inspect_workbook(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(WorkbookUnreadable, match="not an Excel workbook"):
        inspect_workbook(b"just text")
    with pytest.raises(WorkbookUnreadable, match="Cannot read"):
        inspect_workbook(tmp_path / "missing.xlsx")


def test_an_entity_bomb_is_not_expanded(clean):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "' + CHILD_ID.encode() + b'">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>')
    leaks = inspect(add(clean, {"xl/extra.xml": bomb}))
    # The part is not parsed (entities refused) but said to be unreadable; its raw text is still looked at.
    assert sorted((l.part, l.kind) for l in leaks) == [("xl/extra.xml", CASE_REFERENCE),
                                                       ("xl/extra.xml", UNREADABLE_PART)]


# --- the demo, end to end -------------------------------------------------------------------------------

def test_identifiers_from_inputs_sorts_what_the_readers_saw(tmp_path):
    header = ["Child Unique ID", "Date of Birth", "Date Started to be Looked After",
              "Number of Placements in the Last 12 months", "Date Ceased to be Looked After",
              "Start Date of Most Recent Placement", "Placement Type", "Placement postcode", "Allocated Worker"]
    rows = [header,
            [CHILD_ID, "03/05/2015", "01/02/2024", 1, "", "01/02/2024", "U1", "m1 1ae", STAFF],
            ["CF-20931", "2011-12-31", "01/03/2024", 2, "", "01/03/2024", "U3", "", "Ben Lomax"]]
    write_csv(tmp_path / "list 8 extract 2024-09-30.csv", rows)
    found = identifiers_from_inputs([tmp_path], Period(date(2024, 9, 1)))
    assert found.case_refs == {CHILD_ID, "CF-20931"}
    assert found.dates_of_birth == {DOB, date(2011, 12, 31)}
    assert found.postcodes == {"m1 1ae"}
    assert found.staff_names == {STAFF, "Ben Lomax"}
    assert found.file_names == {"list 8 extract 2024-09-30.csv"}
    data = with_feedback(f"Placed at M11AE on 3 May 2015 by {STAFF}.")
    assert kinds(inspect_with(data, found, la_name=fx.LA)) == {POSTCODE, DATE_OF_BIRTH, STAFF_NAME}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_inputs_copy):
    """The demo inputs read once; the demo workbook built from them as is and with both opt-ins."""
    from pqa_desktop.core.pipeline.run import BuildOptions, analyse, build
    from pqa_desktop.core.sample.demo import DEMO_PERIOD_END, demo_settings

    folder = tmp_path_factory.mktemp("demo-inputs")
    demo_inputs_copy(folder)  # generated once per run (conftest.py)
    period = Period(DEMO_PERIOD_END)
    analysis = analyse([folder], period)
    found = sensitive_set(analysis)
    out = tmp_path_factory.mktemp("demo-out")
    settings = demo_settings()
    for name, options in (("demo.xlsx", settings),
                          ("opted.xlsx", replace(settings, include_case_refs=True, include_staff_names=True))):
        build([folder], out / name, BuildOptions(period=period, settings=options, produced=date(2024, 10, 7)),
              analysis=analysis)
    return found, settings, out / "demo.xlsx", out / "opted.xlsx"


def test_the_demo_inputs_are_sorted_by_kind(demo):
    found, *_ = demo
    assert found.case_refs and found.staff_ids and found.staff_names and found.postcodes and found.dates_of_birth
    assert not found.staff_names & found.case_refs
    assert not found.postcodes & found.case_refs
    assert all(re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", p) for p in found.postcodes)
    assert all(i.startswith("SW") for i in found.staff_ids)


def test_the_demo_workbook_passes(demo):
    found, settings, plain, _ = demo
    assert inspect_with(plain, found, la_name=settings.la_name) == []


def test_the_demo_with_opt_ins_passes_only_when_opted_in(demo):
    found, settings, _, opted = demo
    assert inspect_with(opted, found, la_name=settings.la_name, allow_case_refs=True, allow_staff_names=True) == []
    leaks = inspect_with(opted, found, la_name=settings.la_name)
    assert kinds(leaks) == {CASE_REFERENCE, STAFF_NAME}
    assert any(l.part.startswith("cell 'Audit list'!") for l in leaks)
    values = found.case_refs | found.staff_names
    for leak in leaks:
        assert not any(v in leak.detail for v in values if len(v) >= 5)
