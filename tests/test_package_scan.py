"""The package safety scan (inputs.packages) gives exactly the answers of the scan it replaced.

The fast paths (one zlib call per small part, a few counts for a small sheet, numpy over a large sheet
written the way Excel writes it) must refuse what the regular-expression scan refused, with the same
message, and accept what it accepted. ``tests.reference_readers.reference_check`` is that scan, kept
as the oracle: generated exports at several cell limits, hand-made hostile sheets, sheets generated
from fragments (prefixed tags, rows and cells without references, quotes, dollars, leading zeros,
long references, look-alikes in text) and mutated workbooks are checked both ways.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqa_desktop.core.inputs import packages
from pqa_desktop.core.inputs.archives import ArchiveLimits
from pqa_desktop.core.inputs.tables import column_letter
from pqa_desktop.core.sample.exports import generate_exports
from tests import fuzz_support as fz
from tests.reference_readers import _ReferenceExtent, reference_check

LIMITS = ArchiveLimits()
PROPERTY = settings(max_examples=300, derandomize=True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck))


def _check(data: bytes, max_cells: int, limits: ArchiveLimits = LIMITS) -> str | None:
    return packages._check.__wrapped__(data, max_cells, limits)  # uncached: every call scans


def _reference(xml: bytes) -> _ReferenceExtent:
    extent = _ReferenceExtent()
    extent.scan(xml)
    return extent


def _scanned(xml: bytes) -> packages._Extent:
    extent = packages._Extent()
    extent.scan(xml)
    return extent


def _sheet(body: bytes, prefix: bytes = b"") -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships"><dimension ref="A1"/><cols><col min="1" max="3" width="9"/>'
            b"</cols>" + prefix + b"<sheetData>" + body + b"</sheetData><rowBreaks count=\"0\"/></worksheet>")


def _with_sheet(xml: bytes) -> bytes:
    members = dict(fz.zip_members(fz.case_return()))
    members["xl/worksheets/sheet1.xml"] = xml
    return fz.zip_of(members)


def _excel_rows(rows: int, cols: int) -> bytes:
    """Rows as Excel writes them: <row r="N" spans=...><c r="AN" ...>."""
    out = []
    for r in range(1, rows + 1):
        cells = "".join(f'<c r="{column_letter(c)}{r}" t="s"><v>{(r * c) % 97}</v></c>' for c in range(cols))
        out.append(f'<row r="{r}" spans="1:{cols}" x14ac:dyDescent="0.25">{cells}</row>')
    return "".join(out).encode()


# ---------------------------------------------------------------- worksheet fragments

# Numbers either side of where a reference gains a digit or a letter, where the bounds are tightest.
ROW_NUMBERS = st.one_of(st.integers(1, 60), st.integers(1, 1_048_576),
                        st.sampled_from([0, 99, 100, 999, 1_000, 9_999, 10_000, 99_999]))
COL_NUMBERS = st.one_of(st.integers(0, 30), st.integers(0, 16_383), st.sampled_from([25, 26, 701, 702]))


@st.composite
def cell_tags(draw) -> bytes:
    ref = column_letter(draw(COL_NUMBERS)) + str(draw(ROW_NUMBERS))
    form = draw(st.sampled_from([
        '<c r="{ref}" t="s"><v>3</v></c>', '<c r="{ref}"/>', "<c r='{ref}'><v>1</v></c>",
        '<c t="n" r="{ref}"><v>2</v></c>', '<c r="{low}"/>', '<c r="${ref}"/>', '<c r="{zero}"/>',
        '<x:c r="{ref}"/>', "<c><v>1</v></c>", "<c/>", '<c\tr="{ref}"/>', '<c-x r="{ref}"/>', '<c r=""/>',
        '<c r="{ref}x"/>', '<c r="AAAA1"/>', '<c r="A12345678"/>', '<c r="{ref}" r="B2"/>',
        '<c s="1"><v>9</v></c>', '<cfRule r="{ref}"/>', '<c r="{ref}"><is><t>c r="ZZ99999" :c <c</t></is></c>',
    ]))
    return form.format(ref=ref, low=ref.lower(), zero=ref[:1] + "0" + ref[1:]).encode()


@st.composite
def row_tags(draw) -> bytes:
    number = draw(ROW_NUMBERS)
    form = draw(st.sampled_from([
        '<row r="{n}">', '<row r="{n}" spans="1:3">', "<row r='{n}'>", '<row spans="1:3" r="{n}">', "<row>",
        '<x:row r="{n}">', '<row r="0{n}">', '<row r="{n}{n}{n}">', '<rowx r="{n}">', '<row r="">',
    ]))
    cells = b"".join(draw(st.lists(cell_tags(), max_size=4)))
    close = b"</x:row>" if form.startswith("<x:") else b"</row>"
    return form.format(n=number).encode() + cells + close


sheet_bodies = st.lists(row_tags(), max_size=8).map(b"".join)


@st.composite
def excel_bodies(draw) -> bytes:
    """Only what Excel writes: every row and cell tag carries a plain reference."""
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        r = draw(ROW_NUMBERS.filter(lambda n: n > 0))
        cols = draw(st.lists(st.integers(0, 16_383), min_size=1, max_size=4))
        cells = "".join(f'<c r="{column_letter(c)}{draw(st.sampled_from([r, r + 1]))}"><v>1</v></c>'
                        for c in cols)
        rows.append(f'<row r="{r}" spans="1:4">{cells}</row>')
    return "".join(rows).encode()


# ---------------------------------------------------------------- the scan of one chunk


@PROPERTY
@given(body=sheet_bodies, prefixed=st.booleans())
def test_plain_extent_answers_only_what_the_regular_expressions_find(body, prefixed):
    xml = _sheet(body, b"<x:sheetPr/>" if prefixed else b"")
    found = packages._plain_extent(xml)
    reference = _reference(xml)
    if found is not None:
        assert found == (reference.max_row, reference.max_col)
        assert reference.rows == reference.row_refs and reference.cells == reference.cell_refs
    assert _scanned(xml).cells_allocated == reference.cells_allocated


@PROPERTY
@given(body=excel_bodies())
def test_plain_extent_reads_sheets_written_as_excel_writes_them(body):
    xml = _sheet(body)
    reference = _reference(xml)
    assert packages._plain_extent(xml) == (reference.max_row, reference.max_col)


@st.composite
def short_bodies(draw) -> bytes:
    """References of one letter and up to four digits (near the bound's edges), with rows and cells
    written without one: the sheets the count-based acceptance must get right."""
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        n = draw(st.one_of(st.sampled_from([1, 99, 100, 999]), st.integers(1, 999), st.sampled_from([1_000, 9_999])))
        cells = "".join(f'<c r="{draw(st.sampled_from(["A", "b", "Y", "Z", "ZZ"]))}{n}"/>'
                        for _ in range(draw(st.integers(0, 3))))
        rows.append(f'<row r="{n}">{cells}</row>')
    loose = draw(st.sampled_from([b"<row/>", b"<row><c/><c/></row>", b"<x:row/>", b"<c/>", b"<x:c/>"]))
    return "".join(rows).encode() + loose * draw(st.sampled_from([0, 1, 50, 2_000]))


@PROPERTY
@given(body=st.one_of(sheet_bodies, short_bodies(), short_bodies()), repeat=st.sampled_from([1, 30, 400]))
def test_a_small_sheet_is_accepted_from_counts_only_within_its_extent(body, repeat):
    # _small_sheet_fits(xml, limit) promises the used area is at most limit: never below the real one.
    # The scan asks it only of a sheet that is one chunk whole (packages._check): repeated up to that size, not
    # past it (2,000 loose tags repeated 400 times made 15 MB sheets the scan never asks about, and most of
    # the test's time was the oracle's regular expressions over them).
    repeat = min(repeat, max(1, packages._CHUNK // max(1, len(body))))
    xml = _sheet(body * repeat)
    assert len(xml) <= packages._CHUNK + 1_000 or repeat == 1
    extent = _reference(xml).cells_allocated
    assert not packages._small_sheet_fits(xml, extent - 1)


@pytest.mark.parametrize("loose_rows", [1, 200, 1_000])
def test_a_sheet_at_the_edge_of_the_count_bound_is_not_accepted(loose_rows):
    # The generated sheets above stay far inside the bound, so a bound half as large (each tag counted as a
    # row or a cell, not both) passed them. Here the tags are spent as the used area grows fastest: loose cells
    # after Z999 widen row 999 and loose rows lengthen the sheet, balanced (1,000 + rows = 26 + cells), every
    # tag but a few self-closing. The used area is then within a few per cent of the bound. (A cell without a
    # reference may lie one row below the last row ended: one row more.)
    loose_cells = loose_rows + 974
    body = b'<row r="999"><c r="Z999"/>' + b"<c/>" * loose_cells + b"</row>" + b"<row/>" * loose_rows
    xml = _sheet(body)
    extent = _reference(xml).cells_allocated
    assert extent == (999 + loose_rows + 1) * (26 + loose_cells)
    assert not packages._small_sheet_fits(xml, extent - 1)
    assert packages._small_sheet_fits(xml, (999 + xml.count(b"<")) * (26 + xml.count(b"<")))


def test_a_return_sheet_is_accepted_from_counts():
    xml = dict(fz.zip_members(fz.case_return()))["xl/worksheets/sheet1.xml"]
    assert packages._small_sheet_fits(xml, 20_000_000)
    assert not packages._small_sheet_fits(xml.replace(b'r="B', b'r="XFD', 1), 20_000_000)


def test_plain_extent_on_large_chunks_of_a_real_export(export_workbook):
    members = dict(fz.zip_members(export_workbook))
    sheets = [name for name in members if packages._WORKSHEET.match(name)]
    read = 0
    for name in sheets:
        xml = members[name]
        reference = _reference(xml)
        found = packages._plain_extent(xml)
        assert found == (reference.max_row, reference.max_col), name
        read += len(xml) >= packages._VECTOR_BYTES
    assert read >= 3  # the generated export has sheets large enough for the numpy path


@pytest.mark.parametrize("xml, expected", [
    (_sheet(b'<row r="7"><c r="B7"/><c r="C7"/></row>'), (7, 3)),
    (_sheet(b'<row r="7"><c r="b7"/><c r="ab1"/></row>'), (7, 28)),  # lower case letters are columns too
    (_sheet(b'<row r="1"><c r="XFD1048576"/></row>'), (1_048_576, 16_384)),
    (_sheet(b'<row r="9999999"><c r="A1"/></row>'), (9_999_999, 1)),
    (_sheet(b""), (0, 0)),
])
def test_plain_extent_values(xml, expected):
    assert packages._plain_extent(xml) == expected == (_reference(xml).max_row, _reference(xml).max_col)


@pytest.mark.parametrize("xml", [
    b'<row r="1"><c r="A1">', b'<row r="12">', b'<c r="AB1"/>', b'<c r="AB1"', b'<row r="1"><c r="A1', b"<c",
    b"<row", b'x<c r="ZZ99">', b'<row r="1048576"><c r="XFD1048576">',
])
def test_plain_extent_reads_tags_at_the_very_end_of_a_chunk(xml):
    # Chunks end at a '>' (or are the tail after it): a tag's fields may sit in the last bytes.
    found = packages._plain_extent(xml)
    reference = _reference(xml)
    assert found is None or found == (reference.max_row, reference.max_col)
    assert _scanned(xml).cells_allocated == reference.cells_allocated


@pytest.mark.parametrize("body", [
    b'<row r="1"><x:c r="XFD1"/></row>',  # a prefixed cell: the regular expressions read it
    b'<row r="1"><c r="$A$1"/></row>', b'<row r="01"><c r="A1"/></row>', b'<row r="1"><c r="A01"/></row>',
    b"<row><c/></row>", b'<row r="1"><c>1</c></row>', b'<row r="1"><c r="AAAA1"/></row>',
    b'<row r="1"><c r="A12345678"/></row>', b"<row r='1'/>", b'<row r="1"><c t="s" r="A1"/></row>',
])
def test_plain_extent_leaves_other_forms_to_the_regular_expressions(body):
    xml = _sheet(body)
    assert packages._plain_extent(xml) is None
    assert _scanned(xml).cells_allocated == _reference(xml).cells_allocated


# ---------------------------------------------------------------- whole packages


@lru_cache(maxsize=1)
def _generated_export() -> bytes:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="pqa-scan-"))
    generate_exports(folder, scale=0.3, seed=11, messy=True)
    return next(folder.glob("*.xlsx")).read_bytes()


@pytest.fixture(scope="module")
def export_workbook() -> bytes:
    return _generated_export()


def test_generated_export_is_refused_at_the_same_limits(export_workbook):
    members = dict(fz.zip_members(export_workbook))
    extents = sorted({_reference(xml).cells_allocated for name, xml in members.items()
                      if packages._WORKSHEET.match(name)})
    limits = [1, *extents, *(e - 1 for e in extents), 20_000_000]
    answers = [_check(export_workbook, limit) for limit in limits]
    assert answers == [reference_check(export_workbook, limit, LIMITS) for limit in limits]
    assert answers[-1] is None and answers[0] is not None
    assert len(set(answers)) > 3  # different sheets are named as the limit falls


def _big_sheet(rows: int, cols: int, extra: bytes = b"", at: int | None = None) -> bytes:
    body = _excel_rows(rows, cols)
    if at is not None:
        cut = body.index(f'<row r="{at}"'.encode())
        body = body[:cut] + extra + body[cut:]
    else:
        body += extra
    return _sheet(body)


@pytest.mark.parametrize("extra, at", [
    (b"", None),
    (b'<row r="20000"><c r="XFD1048576"/></row>', None),  # the far corner in the last chunk
    (b'<row r="9000"><c r="XFD1048576"/></row>', 9000),  # ... in the middle of a chunk
    (b'<row r="9000"><x:c r="XFD1048576"/></row>', 9000),  # prefixed
    (b'<row r="9000"><c r="XFD01048576"/></row>', 9000),  # leading zero
    (b"<row><c/><c/><c/></row>" * 500, 4000),  # rows and cells without references
    (b'<row r="9000"><c r="$AB$9000"/></row>', 9000),
])
@pytest.mark.parametrize("max_cells", [20_000_000, 300_000, 60_000])
def test_large_sheets_over_several_chunks(extra, at, max_cells):
    xml = _big_sheet(12_000, 6, extra, at)
    assert len(xml) > 2 * packages._CHUNK
    data = _with_sheet(xml)
    assert _check(data, max_cells) == reference_check(data, max_cells, LIMITS)


def test_far_corner_in_a_large_sheet_is_refused():
    data = _with_sheet(_big_sheet(12_000, 6, b'<row r="9000"><c r="XFD1048576"/></row>', 9000))
    assert "sheet1.xml" in _check(data, 20_000_000)


@settings(max_examples=120, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(bodies=st.lists(sheet_bodies, min_size=1, max_size=3), repeat=st.sampled_from([1, 40, 2_000]),
       limit=st.sampled_from([50, 5_000, 300_000, 20_000_000]))
def test_generated_sheets_are_refused_as_before(bodies, repeat, limit):
    # Repeating the body makes sheets large enough for the numpy path and for several chunks; limits
    # just under and at the sheet's used area are where a wrong scan would show.
    xml = _sheet(bodies[0] * repeat + b"".join(bodies[1:]))
    data = _with_sheet(xml)
    extent = _reference(xml).cells_allocated
    for max_cells in (limit, extent - 1, extent):
        assert _check(data, max_cells) == reference_check(data, max_cells, LIMITS)


SHRUNK = ArchiveLimits(max_total_bytes=60_000, max_member_bytes=30_000, ratio_floor_bytes=4_000, max_ratio=3)


@settings(max_examples=500, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from(["case", "edt", "annex"]), ops=fz.xlsx_ops)
def test_mutated_workbooks_are_refused_as_before(name, ops):
    seed = {"case": fz.case_return, "edt": fz.edt_return, "annex": fz.annex_a_xlsx}[name]()
    data = fz.mutate_xlsx(seed, ops)
    for limit, limits in ((20_000_000, LIMITS), (60, LIMITS), (20_000_000, SHRUNK)):
        assert _check(data, limit, limits) == reference_check(data, limit, limits)


# ---------------------------------------------------------------- reading members


def _zipfile_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """What the reference scan reads from a member: its chunks, and whether reading ended in an error."""
    chunks = []
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(packages._CHUNK):
                chunks.append(chunk)
    except Exception as error:  # noqa: BLE001 - the reference scan skips the part
        return chunks, type(error)
    return chunks, None


def _small_chunks(info: zipfile.ZipInfo, data: bytes):
    try:
        whole = packages._small_member(info, data)
    except Exception as error:  # noqa: BLE001
        return [], type(error)
    if whole is None:
        return None
    return ([whole] if whole else []), None


def _corrupt_crc(data: bytes) -> bytes:
    """The first member's CRC changed in its central directory entry."""
    start = int.from_bytes(data[-6:-2], "little")  # the end record's central directory offset (no comment)
    assert data[start:start + 4] == b"PK\x01\x02"
    crc = start + 16
    return data[:crc] + bytes([data[crc] ^ 0xFF]) + data[crc + 1:]


def _raw_zip(name: str, payload: bytes, file_size: int, crc: int, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A one-member zip whose header says what it is told (sizes and CRC may lie)."""
    encoded = name.encode()
    local = (b"PK\x03\x04" + (20).to_bytes(2, "little") + bytes(2) + method.to_bytes(2, "little") + bytes(4)
             + crc.to_bytes(4, "little") + len(payload).to_bytes(4, "little") + file_size.to_bytes(4, "little")
             + len(encoded).to_bytes(2, "little") + bytes(2) + encoded)
    central = (b"PK\x01\x02" + (20).to_bytes(2, "little") + (20).to_bytes(2, "little") + bytes(2)
               + method.to_bytes(2, "little") + bytes(4) + crc.to_bytes(4, "little")
               + len(payload).to_bytes(4, "little") + file_size.to_bytes(4, "little")
               + len(encoded).to_bytes(2, "little") + bytes(16) + encoded)  # the member starts at 0
    start = len(local) + len(payload)
    end = (b"PK\x05\x06" + bytes(4) + (1).to_bytes(2, "little") * 2 + len(central).to_bytes(4, "little")
           + start.to_bytes(4, "little") + bytes(2))
    return local + payload + central + end


def _deflated(content: bytes, then: bytes | None = None) -> bytes:
    """Raw deflate of ``content``; with ``then``, the stream is left open and those bytes follow (b"\\xff"
    starts a block of the reserved type, which zlib reports as an error when it gets there)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    if then is None:
        return packer.compress(content) + packer.flush()
    return packer.compress(content) + packer.flush(zlib.Z_FULL_FLUSH) + then


def _stored(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ZEROS = bytes(3 * 1024 * 1024)


@pytest.mark.parametrize("data", [
    # A declared size smaller than the stream: zipfile stops after one chunk and keeps what was declared,
    # never reaching the damage further on (and never inflating the rest).
    _raw_zip("short.xml", _deflated(ZEROS, then=b"\xff"), 100, zlib.crc32(bytes(100))),
    _raw_zip("short.xml", _deflated(bytes(1000), then=b"\xff"), 100, zlib.crc32(bytes(100))),
    _raw_zip("short.xml", _deflated(ZEROS), 100, zlib.crc32(bytes(100))),
    _raw_zip("cut.xml", _deflated(b"<a>" + b"x" * 5000 + b"</a>")[:-5], 5007, 0),  # stream cut short
    _raw_zip("stored.xml", b"<a/><b/>", 4, zlib.crc32(b"<a/>"), zipfile.ZIP_STORED),
    fz.case_return(), _corrupt_crc(fz.case_return()), _stored({"a.xml": b"<a/>", "b.xml": b""}),
    fz.zip_of({"big.xml": b"<a>" + b"x" * (2 * 1024 * 1024) + b"</a>"}),  # over one chunk: zipfile reads it
    fz.zip_of({"trailing.xml": b"<a/>"})[:-30],  # central directory cut short
])
def test_small_members_read_as_zipfile_reads_them(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    for info in archive.infolist():
        small = _small_chunks(info, data)
        if small is not None:
            assert small == _zipfile_chunks(archive, info), info.filename
        else:
            assert info.file_size > packages._CHUNK  # only the large member is left to zipfile


@settings(max_examples=400, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(ops=fz.byte_ops, compress=st.booleans())
def test_mutated_members_read_as_zipfile_reads_them(ops, compress):
    seed = fz.case_return() if compress else _stored(dict(fz.zip_members(fz.case_return())))
    data = fz.mutate_bytes(seed, ops)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except Exception:  # noqa: BLE001 - not a zip any more: neither scan reads members
        return
    for info in entries:
        small = _small_chunks(info, data)
        if small is not None:
            assert small == _zipfile_chunks(archive, info), info.filename


def test_a_small_member_with_a_bad_crc_is_skipped_like_zipfile_skips_it():
    data = _corrupt_crc(fz.case_return())
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.infolist()[0]
    with pytest.raises(zipfile.BadZipFile):
        packages._small_member(info, data)
    assert _zipfile_chunks(archive, info) == ([], zipfile.BadZipFile)


MEMBER_FIELDS = ("filename", "orig_filename", "header_offset", "compress_type", "flag_bits", "CRC", "compress_size",
                 "file_size")


def _listed_as_zipfile_lists(data: bytes) -> None:
    members = packages._plain_members(data)
    if members is None:
        return
    listed = zipfile.ZipFile(io.BytesIO(data)).infolist()  # must not raise where the fast listing did not
    assert [[getattr(m, f) for f in MEMBER_FIELDS] for m in members] == \
        [[getattr(i, f) for f in MEMBER_FIELDS] for i in listed]


def _with_comment(data: bytes) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.comment = b"made by hand"
    return buffer.getvalue()


def _with_extra(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in fz.zip_members(data):
            info = zipfile.ZipInfo(name, date_time=(2024, 8, 5, 9, 0, 0))
            info.extra = b"\x55\x54\x05\x00\x01\x00\x00\x00\x00"  # an extended timestamp, as Info-ZIP writes
            archive.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@pytest.mark.parametrize("data, listed", [
    (fz.case_return(), True),
    (b"stub before the archive" + fz.case_return(), True),  # offsets move with the stub, as zipfile moves them
    (_stored({"a\x00hidden.xml": b"<a/>", "dir\\name.xml": b"<b/>"}), True),  # names as zipfile.ZipInfo makes them
    (_with_comment(fz.case_return()), False),  # zipfile searches for the end record: left to it
    (_with_extra(fz.case_return()), False),  # extra fields (zip64 sizes among them): left to zipfile
    (fz.case_return()[:-1], False),
])
def test_members_listed_as_zipfile_lists_them(data, listed):
    assert (packages._plain_members(data) is not None) == listed
    _listed_as_zipfile_lists(data)


@settings(max_examples=400, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(ops=fz.byte_ops, compress=st.booleans())
def test_mutated_archives_are_listed_as_zipfile_lists_them(ops, compress):
    seed = fz.case_return() if compress else _stored(dict(fz.zip_members(fz.case_return())))
    _listed_as_zipfile_lists(fz.mutate_bytes(seed, ops))


def test_parts_shared_by_returns_are_read_once_and_judged_alike():
    """Returns from one template share parts byte for byte; each is inflated once, and a workbook whose
    shared part declares a DTD is still refused (the summary keeps what the checks read)."""
    first, second = fz.case_return(), fz.edt_return()
    packages._part_summary.cache_clear()
    assert _check(first, 20_000_000) is None and _check(second, 20_000_000) is None
    shared = packages._part_summary.cache_info().hits
    assert shared >= 3  # styles, theme, relationships...
    members = dict(fz.zip_members(second))
    members["xl/styles.xml"] = members["xl/styles.xml"].replace(b"?>", b"?><!DOCTYPE x>", 1)
    hostile = fz.zip_of(members)
    assert _check(hostile, 20_000_000) == reference_check(hostile, 20_000_000, LIMITS) == packages._UNSAFE_XML
