"""A workbook's defined names and modified date (``returns.ooxml.read_package_info``) are read from its zip
without ``zipfile`` where the package scan's own reading of the central directory can
(``inputs.packages.plain_parts``), and come out exactly as ``zipfile`` reads them: over mutated returns, an
archive with a part twice, a part too large, and a damaged part.
"""
from __future__ import annotations

import io
import zipfile
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqa_desktop.core.inputs import packages
from pqa_desktop.core.returns import ooxml
from tests import fuzz_support as fz

PARTS = ("xl/workbook.xml", "docProps/core.xml")


def _by_zipfile(data: bytes):
    """``read_package_info`` as it was: every package read with zipfile."""
    with mock.patch.object(ooxml, "plain_parts", lambda *a: None):
        return ooxml.read_package_info(data)


def _zipfile_reads(data: bytes, names=PARTS):
    """Each named part as ``zipfile`` reads it (the last member of a name), or the error it raises."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        listed = set(archive.namelist())
        return {name: archive.read(name) for name in names if name in listed}
    except Exception as error:  # noqa: BLE001 - compared with what the plain reading raises
        return type(error)


def _plain_reads(data: bytes, names=PARTS, max_bytes: int = 1 << 20):
    try:
        return packages.plain_parts(data, names, max_bytes)
    except Exception as error:  # noqa: BLE001
        return type(error)


def _zip(members: list[tuple[str, bytes]], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


@settings(max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=fz.byte_ops, seed=st.sampled_from(["case", "edt", "annex a"]))
def test_mutated_workbooks_give_the_names_and_date_zipfile_gives(ops, seed):
    data = fz.mutate_bytes({"case": fz.case_return, "edt": fz.edt_return, "annex a": fz.annex_a_xlsx}[seed](), ops)
    assert ooxml.read_package_info(data) == _by_zipfile(data)
    plain = _plain_reads(data)
    if plain is not None:  # read without zipfile: what zipfile reads, or raises, too
        assert plain == _zipfile_reads(data)


@settings(max_examples=200, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=fz.xlsx_ops)
def test_workbooks_mutated_part_by_part_give_what_zipfile_gives(ops):
    data = fz.mutate_xlsx(fz.case_return(), ops)
    assert ooxml.read_package_info(data) == _by_zipfile(data)
    plain = _plain_reads(data)
    if plain is not None:
        assert plain == _zipfile_reads(data)


def test_a_return_is_read_without_opening_zipfile():
    data = fz.case_return()
    expected = _by_zipfile(data)
    assert expected is not None and expected.names and expected.modified is not None
    with mock.patch.object(ooxml.zipfile, "ZipFile", side_effect=AssertionError("zipfile was asked")):
        assert ooxml.read_package_info(data) == expected


def test_a_part_written_twice_is_read_as_zipfile_reads_it_the_last():
    members = dict(fz.zip_members(fz.case_return()))
    first = members["xl/workbook.xml"]
    second = first.replace(b"</workbook>", b"<definedNames><definedName name=\"pqa_extra\">\"x\"</definedName>"
                                         b"</definedNames></workbook>") if b"<definedNames>" not in first else \
        first.replace(b"<definedNames>", b"<definedNames><definedName name=\"pqa_extra\">\"x\"</definedName>")
    with pytest.warns(UserWarning):  # zipfile warns of the duplicate name
        data = _zip(list(members.items()) + [("xl/workbook.xml", second)])
    assert _plain_reads(data)["xl/workbook.xml"] == second == _zipfile_reads(data)["xl/workbook.xml"]
    info = ooxml.read_package_info(data)
    assert info == _by_zipfile(data) and "pqa_extra" in info.names


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_a_part_larger_than_allowed_is_left_to_zipfile(compression):
    data = _zip([("xl/workbook.xml", b"<workbook/>" + b" " * 5000), ("docProps/core.xml", b"<x/>")], compression)
    assert packages.plain_parts(data, PARTS, 4000) is None
    assert packages.plain_parts(data, PARTS, 6000) == _zipfile_reads(data)


def test_a_part_with_a_bad_checksum_raises_as_zipfile_raises_and_gives_no_names():
    data = bytearray(fz.case_return())
    members = packages._plain_members(bytes(data))
    (workbook,) = [m for m in members if m.filename == "xl/workbook.xml"]
    # the CRC in the central directory entry of xl/workbook.xml
    directory = int.from_bytes(data[-6:-2], "little")
    entry = data.index(b"PK\x01\x02", directory)
    while data[entry + 46:entry + 46 + len(b"xl/workbook.xml")] != b"xl/workbook.xml":
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 16] ^= 0xFF
    data = bytes(data)
    assert _plain_reads(data) is zipfile.BadZipFile is _zipfile_reads(data)
    assert ooxml.read_package_info(data) is None is _by_zipfile(data)
    assert workbook.file_size > 0


def test_a_zip_without_a_workbook_part_is_not_a_workbook():
    data = _zip([("docProps/core.xml", b"<x/>"), ("word/document.xml", b"<w/>")])
    assert ooxml.read_package_info(data) is None is _by_zipfile(data)
