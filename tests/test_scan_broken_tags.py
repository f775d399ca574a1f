"""The package scan reads a sheet of broken tags in time growing with the sheet, never its square.

Its regular expressions read a row or cell tag's attributes up to its reference. They used to read on past a
'<' (which XML never has inside a tag), so in a run of tags never closed ("<c <c <c ...") each tag was read to
the run's end: a 7.7 kB workbook of 12,000 of them took 6.5 s to scan and one of a megabyte of them would
have taken hours, holding the build (or a reading worker) all that time. Now a tag is read up to the next '<'
at most. What a broken tag still says is counted as before or more (its reference by ``_ANY_REF``, the tag
as one without a reference), so the scan's area never shrinks; an OpenDocument row or cell tag broken so is
refused as damaged, there being nothing else there to count it by.

Time is compared only as a shape (the sheet four times longer: linear is about 4 times the time, the square
16), never against a number of seconds.
"""
from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqa_desktop.core.inputs import packages
from pqa_desktop.core.inputs.packages import RULE_CORRUPT
from tests import fuzz_support as fz
from tests.test_package_scan import _scanned, _sheet, _with_sheet, sheet_bodies

# The patterns as they were, for the comparison below: a tag's attributes read past a '<' (the names and the
# reference's key as they are now, so that only the reading of attributes differs).
_OLD_ATTRIBUTES = rb"(?:[^>\"']|\"[^\"]*\"|'[^']*')*?"
_NAME, _CELL, _R = packages._PREFIX, packages._CELL_NAME, packages._R
_OLD = {
    "_ROW_REF": re.compile(rb"<" + _NAME + rb"row\b" + _OLD_ATTRIBUTES + _R + rb"\$?(\d+)"),
    "_CELL_REF": re.compile(rb"<" + _NAME + _CELL + _OLD_ATTRIBUTES + _R + rb"\$?([A-Za-z]+)\$?(\d+)"),
    "_PLAIN_ROW_REF": re.compile(rb"<row\b" + _OLD_ATTRIBUTES + _R + rb"\$?(\d+)"),
    "_PLAIN_CELL_REF": re.compile(rb"<" + _CELL + _OLD_ATTRIBUTES + _R + rb"\$?([A-Za-z]+)\$?(\d+)"),
}


def _uncached_check(data: bytes, max_cells: int) -> str | None:
    return packages._check.__wrapped__(data, max_cells, packages.ArchiveLimits())


def _ods(content: bytes) -> bytes:
    return fz.zip_of([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content)])


def _ods_content(body: bytes) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
            b'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
            b'<office:body><office:spreadsheet><table:table table:name="Sheet1">' + body +
            b"</table:table></office:spreadsheet></office:body></office:document-content>")


# (package of n broken tags, the cell limit it is checked against: below what the tags could reach, so the
# quick acceptance of small sheets (``_small_sheet_fits``) leaves it to the scan, above what the scan finds)
SHAPES = {
    "xlsx, tags never closed": lambda n: (_with_sheet(_sheet(b'<row r="1">' + b"<c " * n + b"</row>")), 10 * n),
    "xlsx, a quoted value around them": lambda n: (
        _with_sheet(_sheet(b'<row r="1"><c a="' + b"<c " * n + b'"/></row>')), 10 * n),
    "xlsx, prefixed tags never closed": lambda n: (
        _with_sheet(_sheet(b'<x:row r="1">' + b"<x:c " * n + b"</x:row>")), 10 * n),
    "ods, tags never closed before a quote": lambda n: (
        _ods(_ods_content(b"<table:table-row>" + b"<table:table-cell " * n + b'"></table:table-row>')), 10 * n),
}


def _seconds(data: bytes, max_cells: int) -> float:
    best = float("inf")
    for _ in range(3):  # the least of three: a pause of the machine's is not the scan's
        start = time.perf_counter()
        _uncached_check(data, max_cells)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_sheet_of_broken_tags_is_scanned_in_time_growing_with_its_length(shape):
    make = SHAPES[shape]
    small, large = make(4_000), make(16_000)  # before: 0.75 s and 11.7 s for the first, 5.5 s and ~90 s the last
    ratio = _seconds(*large) / _seconds(*small)
    assert ratio < 8, f"{shape}: four times the tags took {ratio:.1f} times as long"


def test_a_megabyte_of_broken_tags_is_judged_not_left_to_run():
    data, max_cells = SHAPES["xlsx, tags never closed"](300_000)  # 900 kB of "<c ": hours before
    # 300,000 cells without a reference, within the limit: counted, then refused as the broken XML it is
    refusal = _uncached_check(data, max_cells)
    assert refusal is not None and refusal.rule == RULE_CORRUPT and "not well-formed" in refusal
    assert _uncached_check(data, 299_999) == refusal  # one fewer allowed: the same (its cells may share rows)


def test_an_opendocument_tag_broken_before_its_end_is_refused_as_damaged():
    broken = _ods(_ods_content(b'<table:table-row><table:table-cell table:number-columns-repeated="16384" <x '
                               b'office:value-type="float" office:value="1"/><table:table-cell/></table:table-row>'))
    refusal = _uncached_check(broken, 20_000_000)
    assert refusal is not None and refusal.rule == RULE_CORRUPT and "content.xml" in refusal
    whole = _ods(_ods_content(b'<table:table-row><table:table-cell office:value-type="float" office:value="1"/>'
                              b"<table:table-cell/></table:table-row>"))
    assert _uncached_check(whole, 20_000_000) is None


def test_an_opendocument_tag_cut_at_a_chunks_end_is_not_taken_for_a_broken_one():
    # The scan reads a part a chunk at a time, each cut after its last '>', which may be inside a quoted value:
    # the tag cut there is read whole with the next chunk, not refused.
    extent = packages._OdsExtent()
    extent.scan(b'<table:table-row><table:table-cell office:value-type="float" office:value="1"/>'
                b'<table:table-cell table:formula="of:=[.A1]>')  # raised BrokenTag were it taken for broken
    extent.scan(b'"/></table:table-row>')
    assert extent.cells_allocated == 1  # the row's first cell; the cut one is not read (as before this change)


@st.composite
def broken_bodies(draw) -> bytes:
    """Generated sheet bodies with '<' put inside tags and '>' taken out of them."""
    body = bytearray(draw(sheet_bodies))
    for _ in range(draw(st.integers(1, 6))):
        if body and draw(st.booleans()):
            ends = [i for i, byte in enumerate(body) if byte == ord(">")]
            if ends:
                del body[draw(st.sampled_from(ends))]
                continue
        body.insert(draw(st.integers(0, len(body))), draw(st.sampled_from([ord("<"), ord(" "), ord('"')])))
    return bytes(body)


@settings(max_examples=400, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=broken_bodies(), prefixed=st.booleans())
def test_a_broken_tag_counts_for_no_less_than_before(body, prefixed):
    xml = _sheet(body, b"<x:sheetPr/>" if prefixed else b"")
    now = _scanned(xml).cells_allocated
    with pytest.MonkeyPatch.context() as patch:
        for name, pattern in _OLD.items():
            patch.setattr(packages, name, pattern)
        before = _scanned(xml).cells_allocated
    assert now >= before
