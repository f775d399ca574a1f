"""Sheets written without cell references (Power BI's exports, .NET libraries that stream large sheets) are read,
not refused: the package scan counts their cells row by row, as the reader places them.

A cell without an r attribute goes to the column after the previous cell of its row, and back to column A after
the row's end tag. Counted over the whole sheet, a 3,000-row export of 17 columns looked 51,000 columns wide and
was refused as "far larger than any real return or export". Now a sheet that only that count takes over the limit
is read again (``packages._widest_run``) and its width is the longest run of such cells in a row; the tests here
hold that count to the reader (python-calamine), to an expat-event oracle (``reference_widest_run``), and its
bulk numpy reading to its tag-by-tag one.
"""
from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqa_desktop.core.findings import FindingSink
from pqa_desktop.core.inputs import packages, tables
from tests import fuzz_support as fz
from tests.reference_readers import reference_widest_run
from tests.test_scan_against_reader import reader_cells, scan, workbook

HEADER = ["Child ID", "Gender", "Ethnicity", "Date of birth", "Referral date", "Source", "Outcome", "Team",
          "Worker", "Age", "Disability", "UASC", "Contact date", "Assessment", "Strategy", "Plan", "Note"]


def export_rows(rows: int, *, prefix: bytes = b"", row_refs: bool = False, inline: bool = False) -> bytes:
    """An export as Power BI writes it: no cell references (and here no row references unless asked)."""
    out = []
    for r in range(rows + 1):
        values = HEADER if r == 0 else [f"C{r:05d}", "b) Female", "a) WBRI", "2017-03-03", "2024-05-01", "Police",
                                        "NFA", "IRT 1", "Worker 7", "7", "No", "No", "2024-05-02", "Yes", "No",
                                        "CP", "x" * (r % 5)]
        cells = b"".join(
            (b'<%sc t="inlineStr"><%sis><%st>%s</%st></%sis></%sc>' % (prefix, prefix, prefix, v.encode(), prefix,
                                                                     prefix, prefix)) if inline else
            (b'<%sc t="n"><%sv>%d</%sv></%sc>' % (prefix, prefix, len(v), prefix, prefix))
            for v in values)
        reference = b' r="%d"' % (r + 1) if row_refs else b""
        out.append(b"<%srow%s>%s</%srow>" % (prefix, reference, cells, prefix))
    return b"".join(out)


@pytest.mark.parametrize("prefix, row_refs, inline", [(b"", False, False), (b"", True, True), (b"x:", False, True)])
def test_an_export_without_cell_references_is_accepted_as_wide_as_its_rows(prefix, row_refs, inline):
    data = workbook(export_rows(3_000, prefix=prefix, row_refs=row_refs, inline=inline))
    assert reader_cells(data) == 3_001 * 17
    # Counted row by row: 3,001 rows (one more for a cell between rows, which there is not) x 17 columns.
    area = (3_001 + 1) * 17
    assert scan(data, area) is None
    assert scan(data, area - 1) is not None  # ... and no less: refused one cell under it
    assert scan(data, 20_000_000) is None  # counted over the sheet it was 3,002 x 51,017 cells: refused


def test_such_an_export_is_read_by_the_pipelines_reader():
    sink = FindingSink("Annex A from Power BI.xlsx")
    data = workbook(export_rows(3_000, inline=True))
    (table,) = tables.read_tables(fz.input_file("Annex A from Power BI.xlsx", data), sink)
    assert not sink.findings
    assert len(table.rows) == 3_001 and table.rows[0][:3] == HEADER[:3] and table.rows[3_000][0] == "C03000"


def test_a_row_of_cells_without_references_past_the_limit_is_refused_without_reading_it_all():
    data = workbook(b"<row>" + b"<c/>" * 400_000 + b"</row>" + b'<row r="3"><c r="A3"/></row>')
    assert scan(data, 1_000_000) is not None  # 3 rows x 400,000 columns
    xml = dict(fz.zip_members(data))["xl/worksheets/sheet1.xml"]
    assert packages._widest_run([xml], 1_000) > 1_000  # stops once past what the limit allows


@pytest.mark.parametrize("opaque", [b"<!-- a comment -->", b"<![CDATA[</row>]]>", b"<?pi </row>?>"])
def test_a_sheet_the_patterns_could_misread_is_counted_over_the_whole_sheet(opaque):
    body = export_rows(2_000)
    body = body[:len(body) // 2] + opaque + body[len(body) // 2:]
    data = workbook(body)
    assert reader_cells(data) == 2_001 * 17
    xml = dict(fz.zip_members(data))["xl/worksheets/sheet1.xml"]
    assert packages._widest_run([xml], 10**9) is None and reference_widest_run(xml) is None
    assert scan(data, 20_000_000) is not None  # 2,002 x 34,017 cells over the whole sheet: refused, as before


def test_the_row_by_row_count_reads_only_well_formed_xml():
    # (``packages._check`` refuses such a sheet as damaged before it counts; read alone, the count refuses to.)
    body = export_rows(1_000).replace(b"</row>", b"</rows>", 1)
    xml = dict(fz.zip_members(workbook(body)))["xl/worksheets/sheet1.xml"]
    assert packages._widest_run([xml], 10**9) is None and reference_widest_run(xml) is None
    refusal = scan(workbook(body), 20_000_000)
    assert refusal.rule == packages.RULE_CORRUPT and "not well-formed" in refusal


def test_tags_read_one_by_one_are_bounded():
    # Tags with both kinds of quote cannot be read in bulk; past a million of them the part is left to the
    # count over the whole sheet (about a microsecond a tag, so a part cannot hold the scan for long).
    cell = b"""<c a='"' b="'"/>"""
    xml = b"<worksheet><sheetData>" + (b"<row>" + cell * 50 + b"</row>") * 21_000 + b"</sheetData></worksheet>"
    assert packages._widest_run([xml[i:i + packages._CHUNK] for i in range(0, len(xml), packages._CHUNK)],
                                10**9) is None
    small = b"<worksheet><sheetData>" + (b"<row>" + cell * 50 + b"</row>") * 100 + b"</sheetData></worksheet>"
    assert packages._widest_run([small], 10**9) == 50 == reference_widest_run(small)


# ---------------------------------------------------------------- generated sheets

PREFIXES = [b"", b"x:", b":", "é:".encode(), b"a.b:", b"a:b:"]


@st.composite
def cell(draw) -> bytes:
    prefix = draw(st.sampled_from(PREFIXES))
    attributes = draw(st.sampled_from([b"", b' t="n"', b" s='3'", b' t="inlineStr"', b' v="a>b"', b" q='x r=\"1\"'",
                                       b' x:r="B2"']))
    if draw(st.booleans()):
        attributes += draw(st.sampled_from([b' r="%s"', b" r = 'B%s'", b'\nr="$C%s"'])) % \
            str(draw(st.integers(1, 30))).encode()
    name = prefix + b"c"
    content = draw(st.sampled_from([None, b"<v>1</v>", b"<is><t>a</t></is>", b"<is><t>a</t><row/></is>",
                                    b"<is><row></row><t>b</t></is>", b"<f>A1</f><v>2</v>"]))
    return b"<%s%s/>" % (name, attributes) if content is None else b"<%s%s>%s</%s>" % (name, attributes, content,
                                                                                      name)


@st.composite
def row(draw) -> bytes:
    prefix = draw(st.sampled_from(PREFIXES))
    reference = draw(st.sampled_from([b"", b' r="%d"' % draw(st.integers(1, 30)), b' spans="1:3"']))
    cells = b"".join(draw(st.lists(st.one_of(cell(), st.just(b"<rows/>"), st.just(b"<c.d/>")), max_size=12)))
    if not cells and draw(st.booleans()):
        return b"<%srow%s/>" % (prefix, reference)
    return b"<%srow%s>%s</%srow>" % (prefix, reference, cells, prefix)


@st.composite
def sheets(draw) -> bytes:
    """A well-formed worksheet (expat accepts it) of generated rows, repeated to well over the bulk reading's
    64 kB, and sometimes stray cells between rows."""
    body = b"".join(draw(st.lists(st.one_of(row(), cell()), min_size=1, max_size=8)))
    repeat = draw(st.sampled_from([1, 40, 400]))
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>' + body * repeat + b"</sheetData></worksheet>")


def _chunks(xml: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(xml), *(c % (len(xml) + 1) for c in cuts)})
    return [xml[a:b] for a, b in zip(points, points[1:])]


@settings(max_examples=150, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(xml=sheets(), cuts=st.lists(st.integers(0, 10**7), max_size=4))
def test_the_row_by_row_count_is_the_expat_oracles_however_the_part_is_cut(xml, cuts):
    assert packages._widest_run(_chunks(xml, cuts), 10**9) == reference_widest_run(xml)


@settings(max_examples=150, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(xml=sheets())
def test_reading_in_bulk_counts_as_reading_tag_by_tag(xml):
    text = xml[:xml.rfind(b"<")]
    text = text[text.find(b"?>") + 2:]
    bulk, one_by_one = packages._RowRuns(10**9), packages._RowRuns(10**9)
    if not bulk._read_in_bulk(packages._PREFIXED_NAME.sub(rb"<\1\2", text)):
        return  # both kinds of quote in one tag: read tag by tag only
    one_by_one._read_tags(text)
    assert (bulk.widest, bulk.run, bulk.depth) == (one_by_one.widest, one_by_one.run, one_by_one.depth)


@settings(max_examples=100, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.lists(st.one_of(row(), cell()), min_size=1, max_size=10))
def test_the_row_by_row_count_never_falls_below_what_the_reader_allocates(body):
    data = workbook(b"".join(body))
    allocated = reader_cells(data)
    if allocated:
        assert scan(data, allocated - 1) is not None
