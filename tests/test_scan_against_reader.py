"""The package scan against the cell reader itself: whatever a worksheet's tags look like, the scan must refuse
a workbook whenever python-calamine would allocate more cells for its sheet than the limit allows.

The other scan tests compare the scan with its earlier, slower self (``tests/reference_readers.py``); this one
asks the reader. Its XML parser (quick-xml) takes the local name of an element as what follows the first ':'
whatever comes before it, reads an attribute's key from where the previous quoted value ended (no white space
needed), and places a cell without a reference after the one before it in its row. Sheets are generated from
those forms, kept small enough for the reader to read in the test, and the reader's own range (its height x
width) is the area the scan must not under-count.
"""
from __future__ import annotations

import io
import random
import string
import zipfile

import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqa_desktop.core.inputs import packages
from pqa_desktop.core.inputs.archives import ArchiveLimits
from pqa_desktop.core.inputs.tables import column_letter
from tests.fuzz_support import zip_members as fz_members
from tests.fuzz_support import zip_of

LIMITS = ArchiveLimits()

_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
          b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
          b'xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
          b'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
         b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
             b'relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def workbook(sheet_data: bytes) -> bytes:
    """A one-sheet .xlsx whose sheet holds ``sheet_data`` inside <sheetData>."""
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData>' + sheet_data + b"</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in (("[Content_Types].xml", _TYPES), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/worksheets/sheet1.xml", sheet)):
            archive.writestr(name, part)
    return out.getvalue()


def reader_cells(data: bytes) -> int | None:
    """The cells python-calamine allocates for the sheet (its range's height x width); None when it cannot read
    the sheet at all."""
    try:
        sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except Exception:  # noqa: BLE001 - a sheet the reader refuses allocates nothing
        return None
    return sheet.height * sheet.width


def scan(data: bytes, max_cells: int) -> str | None:
    return packages._check.__wrapped__(data, max_cells, LIMITS)


# ---------------------------------------------------------------- generated sheets

# Prefixes before an element's first ':' that quick-xml reads past ("a:b:" makes the local name "b:c", not a cell).
PREFIXES = [b"", b"x:", b":", "é:".encode(), b"a/b:", b"a.b:", b"a:b:", b"_-1:"]


@st.composite
def references(draw, far: bool) -> bytes:
    col = draw(st.integers(1, 78 if far else 26))
    row = draw(st.integers(1, 1500 if far else 40))
    return f"{column_letter(col)}{row}".encode()


@st.composite
def r_attributes(draw, far: bool = False) -> bytes:
    """An r attribute spelled as the reader still reads it (or, last, one it does not: a prefixed key)."""
    ref = draw(references(far))
    spelling = draw(st.sampled_from([b' r="%s"', b'\tr="%s"', b" r = '%s'", b' t="n"r="%s"', b" s='1'r=\"%s\"",
                                     b'\nr="$%s"', b' x:r="%s"']))
    return spelling % ref


@st.composite
def cells(draw, far: bool = False) -> bytes:
    prefix = draw(st.sampled_from(PREFIXES))
    attributes = draw(st.one_of(st.just(b""), r_attributes(far)))
    if draw(st.booleans()):
        attributes = b' t="n"' + attributes if b" t=" not in attributes else attributes
    name = prefix + b"c"
    return b"<%s%s><%sv>1</%sv></%s>" % (name, attributes, prefix, prefix, name)


@st.composite
def other_tags(draw) -> bytes:
    """Tags that only look like a row or a cell."""
    return draw(st.sampled_from([b'<c.d r="B2"/>', b"<cc/>", b'<x:row.y r="3"/>', b"<rows/>", b"<C/>"]))


@st.composite
def rows(draw, far: bool = False) -> bytes:
    prefix = draw(st.sampled_from(PREFIXES))
    reference = b""
    if draw(st.booleans()):
        reference = draw(st.sampled_from([b' r="%d"', b'\tr="%d"', b' spans="1:2"r="%d"', b' x:r="%d"'])) % \
            draw(st.integers(1, 1500 if far else 40))
    body = b"".join(draw(st.lists(st.one_of(cells(far), other_tags()), max_size=8)))
    if not body and draw(st.booleans()):
        return b"<%srow%s/>" % (prefix, reference)
    return b"<%srow%s>%s</%srow>" % (prefix, reference, body, prefix)


@settings(max_examples=300, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(body=st.lists(rows(), min_size=1, max_size=12))
def test_the_scan_never_counts_fewer_cells_than_the_reader_allocates(body):
    data = workbook(b"".join(body))
    allocated = reader_cells(data)
    if allocated:
        assert scan(data, allocated - 1) is not None, f"{allocated} cells accepted at a limit of {allocated - 1}"


@settings(max_examples=120, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(body=st.lists(rows(far=True), min_size=1, max_size=6))
def test_a_small_sheet_is_never_waved_through_past_the_readers_area(body):
    # References reach column BZ and row 1,500: areas past the count bound's 999 rows x 26 columns, where a small
    # sheet is accepted from its counts alone when no reference can reach further (``_small_sheet_fits``).
    data = workbook(b"".join(body))
    allocated = reader_cells(data)
    if allocated:
        assert scan(data, allocated - 1) is not None, f"{allocated} cells accepted at a limit of {allocated - 1}"


# ---------------------------------------------------------------- the forms found, at the default limit

def test_a_far_reference_after_a_quoted_value_is_counted():
    # The reader reads r="XFD1048576" straight after t="n": with a cell at A1 it would allocate the whole sheet
    # (17 billion cells). A kilobyte; the scan once took the reference for none and accepted it.
    data = workbook(b'<row r="1"><c r="A1" t="n"><v>1</v></c></row>'
                    b'<row r="1048576"><c t="n"r="XFD1048576"><v>1</v></c></row>')
    assert "far more than any real return or export" in scan(data, 20_000_000)


def test_cells_whose_prefix_is_empty_or_not_a_word_are_counted():
    for prefix in (b":", "é:".encode(), b"a/b:"):
        cell = b"<%sc t=\"n\"><v>1</v></%sc>" % (prefix, prefix)
        data = workbook(b"<row>" + cell * 3_000 + b"</row>" + b"<row/>" * 3_000 + b"<row>" + cell + b"</row>")
        assert reader_cells(data) == 3_002 * 3_000  # the first row, 3,000 empty ones, the last
        assert scan(data, 1_000_000) is not None, prefix


def test_tags_that_only_look_like_cells_do_not_cancel_cells_without_references():
    # "<c.d r=...>" is no cell to the reader; counted as a reference it once cancelled a cell without one.
    data = workbook(b"<row>" + b'<c.d r="A1"/><c t="n"><v>1</v></c>' * 2_000 + b"</row>" + b"<row/>" * 2_000
                    + b'<row><c t="n"><v>1</v></c></row>')
    assert reader_cells(data) == 2_002 * 2_000
    assert scan(data, 1_000_000) is not None


def _excel_rows(rows: int, cols: int) -> bytes:
    def row(r: int) -> bytes:
        cells = (b'<c r="%s%d" t="n"><v>%d</v></c>' % (column_letter(c).encode(), r, c) for c in range(1, cols + 1))
        return b'<row r="%d">' % r + b"".join(cells) + b"</row>"
    return b"".join(row(r) for r in range(1, rows + 1))


@pytest.mark.parametrize("form", [
    b'<row r="3001"><c t="n"r="XFD1048576"><v>1</v></c></row>',
    b'<row r="3001"><c r="A3001" t="n"r="XFD1048576"><v>1</v></c></row>',  # as Excel writes it, and a second r
    b"<row>" + b'<:c t="n"><v>1</v></:c>' * 6_000 + b"</row>",
    b"<row>" + '<é:c t="n"><v>1</v></é:c>'.encode() * 6_000 + b"</row>",
    b"<row>" + b'<c.d r="A1"/><c t="n"><v>1</v></c>' * 6_000 + b"</row>",
])
def test_the_forms_are_counted_in_a_sheet_large_enough_for_the_bulk_scan(form):
    # Sheets over 64 kB written as Excel writes them are read in bulk with numpy (``_plain_extent``); one such
    # tag among them must send the chunk to the regular expressions, not past them.
    body = _excel_rows(3_000, 5) + form
    assert len(body) > 2 * packages._VECTOR_BYTES
    assert packages._plain_extent(body) is None
    assert scan(workbook(body), 3_000 * 6_000) is not None


# ---------------------------------------------------------------- XML the reader reads and Excel would not open

@pytest.mark.parametrize("body", [
    # '</row>' ends whatever is open (the reader does not check end tags): each is a row the patterns never saw
    b'<c r="A1"><v>1</v></c>' + b"<a></row>" * 3_000 + b"<c><v>1</v></c>",
    # a quote in a prefix: the reader reads the tag to the '>' after the closing quote, a cell "c"
    b'<c r="A1"><v>1</v></c>' + b'<a">":c><v>1</v></c>' * 3_000,
    # the tag ends at the quoted '>' for the reader: the r after it is no attribute, the cell has none
    b'<c r="A1"><v>1</v></c>' + b"<a'b:c x='>' r=\"A1\"><v>1</v></c>" * 3_000,
    # the reader's key runs from the last quote or space to the '=': "a r", not "r"
    b'<c r="A1"><v>1</v></c>' + b'<c a r="A1"><v>1</v></c>' * 3_000,
])
def test_xml_that_is_not_well_formed_is_refused_where_the_patterns_would_misread_it(body):
    data = workbook(body)
    assert reader_cells(data) >= 3_001
    refusal = scan(data, 100)
    assert refusal is not None and refusal.rule == packages.RULE_CORRUPT and "not well-formed" in refusal


def test_a_tag_cut_by_a_chunk_far_from_its_start_keeps_its_reference():
    # The scan reads a part a megabyte at a time and carries what follows the last '>' into the next; it kept
    # only the last 4 kB of it, so a cell tag cut 5 kB into a long attribute lost its name and reference.
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="str"><v>')
    tag = b'<c r="J1000" foo="'
    filler = packages._CHUNK - len(head) - len(b"</v></c>") - len(tag) - 5_000
    text = random.Random(1).choices(string.ascii_letters + string.digits, k=filler + 10_000)  # not a zip bomb
    sheet = (head + "".join(text[:filler]).encode() + b"</v></c>" + tag + "".join(text[filler:]).encode()
             + b'"><v>1</v></c></row></sheetData></worksheet>')
    members = dict(fz_members(workbook(b"")))
    members["xl/worksheets/sheet1.xml"] = sheet
    data = zip_of(members)
    assert reader_cells(data) == 1_000 * 10
    assert scan(data, 9_999) is not None and scan(data, 10_000) is None


def test_a_tag_or_text_running_on_past_a_megabyte_is_refused():
    text = "".join(random.Random(2).choices(string.ascii_letters, k=3 * packages._CHUNK)).encode()
    members = dict(fz_members(workbook(b"")))
    members["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" '
                                           b't="str"><v>' + text + b"</v></c></row></sheetData></worksheet>")
    assert "more than a megabyte without a break" in scan(zip_of(members), 20_000_000)


@pytest.mark.parametrize("tail", [b"x", b"<c/>", b"ab/>", b" r='B", b"\n"])
def test_a_few_bytes_after_the_last_tag_are_scanned_without_error(tail):
    # The end of a part after its last '>' is scanned on its own: a handful of bytes (a fuzzed workbook once
    # ended the reading process here, numpy refusing a window wider than the text).
    extent = packages._Extent()
    extent.scan(tail)
    assert extent.irregular == bool(tail.strip())


# ---------------------------------------------------------------- sheets stored under other names

def _workbook_with_sheet_at(member: str, target: str, sheet_data: bytes) -> bytes:
    """A one-sheet workbook whose sheet is the part ``member``, named ``target`` by the workbook's relationships."""
    rels = _WORKBOOK_RELS.replace(b'Target="worksheets/sheet1.xml"', b'Target="%s"' % target.encode())
    members = [(name, part) for name, part in fz_members(workbook(b"")) if name != "xl/worksheets/sheet1.xml"]
    members = [(name, rels if name == "xl/_rels/workbook.xml.rels" else part) for name, part in members]
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData>' + sheet_data + b"</sheetData></worksheet>")
    return zip_of(members + [(member, sheet)])


@pytest.mark.parametrize("member, target", [
    ("xl/data/sheet1.xml", "data/sheet1.xml"),
    ("xl/sheet1.xml", "sheet1.xml"),
    ("other/s.xml", "/other/s.xml"),
    ("xl/worksheets/sheet1.XML.txt", "worksheets/sheet1.xml.txt"),
    ("XL/Data/Sheet1.xml", "data/sheet1.xml"),  # names matched without regard to case
    ("xl\\worksheets\\sheet1.xml", "worksheets/sheet1.xml"),  # '\' read as '/'
])
def test_a_sheet_stored_under_another_name_is_scanned(member, target):
    # The reader opens the part the relationships name; the scan found sheets by name only (xl/worksheets/...).
    data = _workbook_with_sheet_at(member, target, b'<row r="1"><c r="A1"><v>1</v></c></row>'
                                                   b'<row r="100"><c r="CV100"><v>1</v></c></row>')
    assert reader_cells(data) == 100 * 100
    assert scan(data, 9_999) is not None and scan(data, 10_000) is None


def test_a_relationships_part_of_megabytes_is_refused():
    rels = _WORKBOOK_RELS.replace(b"</Relationships>", b"<!--" + b"x" * (5 * packages._CHUNK) + b"--></Relationships>")
    members = [(name, rels if name == "xl/_rels/workbook.xml.rels" else part)
               for name, part in fz_members(workbook(b""))]
    refusal = packages._check.__wrapped__(zip_of(members), 20_000_000, ArchiveLimits(max_ratio=10_000))
    assert "relationships part" in refusal


@pytest.mark.parametrize("relationship", [
    # a '>' in the target (a member may be named so): the relationship is read to its end, not to that '>'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="data/a>b.xml"/>',
    # a quote in the element's prefix: the reader takes it for a relationship; it is no XML name
    b'<a">":Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'worksheet" Target="data/a>b.xml"/>',
])
def test_a_relationship_the_patterns_could_misread_is_read_or_refused(relationship):
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships">' + relationship + b"</Relationships>")
    members = [(name, part) for name, part in fz_members(workbook(b"")) if name != "xl/worksheets/sheet1.xml"]
    members = [(name, rels if name == "xl/_rels/workbook.xml.rels" else part) for name, part in members]
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="100"><c '
             b'r="CV100"><v>1</v></c></row></sheetData></worksheet>')
    data = zip_of(members + [("xl/data/a>b.xml", sheet)])
    assert reader_cells(data) == 100 * 100
    assert scan(data, 9_999) is not None


@pytest.mark.parametrize("part", ["xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"])
def test_an_encoding_expat_does_not_know_is_damage_not_a_crash(part):
    # expat raises LookupError, not ExpatError, for encoding="TTF-8" (a fuzzed workbook once ended the reading
    # process here)
    members = dict(fz_members(workbook(b'<row><c t="n"><v>1</v></c></row>' * 3_000)))
    members[part] = members[part].replace(b'encoding="UTF-8"', b'encoding="TTF-8"', 1)
    refusal = scan(zip_of(members), 1_000)
    assert refusal.rule == packages.RULE_CORRUPT and "not well-formed" in refusal
