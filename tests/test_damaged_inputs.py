"""Damaged inputs give findings naming the file, never a traceback (issue 15, cases 2 and 3).

Built here: a zip whose member has an empty name (zipfile's ``is_dir`` raised IndexError and nothing was
written); .xls files whose workbook entry is a folder of the compound file (olefile's "this file is not a
stream" came out as the whole error, without the file's name), whose sectors point past anything a file
can hold (OverflowError), whose records are cut short (PanicException from the native reader), whose
DIMENSIONS record reserves billions of cells (the reader aborts); the same inside an Outlook message.
"""
from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
import zlib
from datetime import date

import pytest

from pqa_desktop.cli import main
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.inputs.archives import SEP
from pqa_desktop.core.inputs.discover import discover
from pqa_desktop.core.pipeline.run import analyse
from pqa_desktop.core.pipeline.reading import read_input, read_inputs
from pqa_desktop.core.records import InputFile
from tests import fuzz_support as fz
from tests.msg_writer import build_msg, write_cfb
from tests.xls_writer import record, workbook_stream

PERIOD = Period(date(2024, 9, 1))


def _item(name: str, data: bytes) -> InputFile:
    return InputFile(name, data, hashlib.sha256(data).hexdigest())


# ---------------------------------------------------------------- case 2: a zip member with no name


def zip_with_an_unnamed_member() -> bytes:
    """A zip holding a return and a member whose name is empty (zipfile cannot write one: built by hand)."""
    named = fz.zip_of({"Audit 1.xlsx": fz.case_return()})
    content = b"hello"
    crc = zlib.crc32(content)
    local = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, crc, len(content), len(content), 0, 0)
    # The named zip's own entries, then the unnamed member's local header and data before its directory.
    end = named.rindex(b"PK\x05\x06")
    directory_at = struct.unpack_from("<L", named, end + 16)[0]
    entries = named[directory_at:end]
    body = named[:directory_at] + local + content
    central = struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0, 0, 0, 0, crc, len(content), len(content),
                          0, 0, 0, 0, 0, 0, directory_at)
    directory = entries + central
    return body + directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(directory), len(body), 0)


def test_a_zip_member_with_an_empty_name_is_skipped_and_the_rest_read(tmp_path):
    path = tmp_path / "returns.zip"
    path.write_bytes(zip_with_an_unnamed_member())
    files, findings = discover([path])
    assert [f.name for f in files] == ["returns.zip" + SEP + "Audit 1.xlsx"]
    assert [(f.file, f.rule) for f in findings] == [("returns.zip" + SEP + "unnamed", "input.skipped")]


def test_the_command_line_builds_from_a_zip_with_an_unnamed_member(tmp_path, capsys):
    (tmp_path / "returns.zip").write_bytes(zip_with_an_unnamed_member())
    out = tmp_path / "out.xlsx"
    assert main(["build", str(tmp_path / "returns.zip"), "-o", str(out), "--period-end", "2024-09",
                 "--la-name", "Anytown Council"]) == 0
    assert out.is_file()


def test_inspecting_a_workbook_with_an_unnamed_part_says_it_cannot_be_read(tmp_path, capsys):
    data = fz.case_return()
    name = b"docProps/app.xml"
    assert name in data
    data = data.replace(name, b"\0" * len(name))  # a NUL ends a zip name: zipfile reads it as ""
    path = tmp_path / "report.xlsx"
    path.write_bytes(data)
    code = main(["inspect", str(path)])
    assert code in (0, 1)  # a verdict, whichever: no IndexError


# ---------------------------------------------------------------- case 3: damaged .xls and .msg


def xls_whose_workbook_is_a_folder() -> bytes:
    return write_cfb({"Workbook/Workbook": workbook_stream({"Register": [["Child ID"], ["300100"]]})})


def xls_with_sectors_past_any_file() -> bytes:
    data = bytearray(fz.register_xls_by_hand())
    for at in range(76, 76 + 4 * 109, 4):  # every DIFAT entry: the FAT lives beyond 2**31 sectors
        if struct.unpack_from("<L", data, at)[0] != 0xFFFFFFFF:
            struct.pack_into("<L", data, at, 0x7FFFFFF0)
    return bytes(data)


def xls_with_a_record_cut_short() -> bytes:
    """The first record's declared size is 0: the native reader panics on the slice ("range end index 2 out
    of range for slice of length 0"), the issue's PanicException."""
    return fz.mutate_xls(fz.register_xls_by_hand(), [("records", [("size", 0, 0)])])


def xls_reserving_four_billion_rows() -> bytes:
    """DIMENSIONS with its first row after its last: the reader's 32-bit arithmetic wraps round and it
    reserves room for four billion rows, which ends the process."""
    stream = workbook_stream({"Register": [["Child ID"], ["300100"]]})
    position = 0
    while struct.unpack_from("<H", stream, position)[0] != 0x0200:  # record by record to DIMENSIONS
        position += 4 + struct.unpack_from("<H", stream, position + 2)[0]
    body = bytearray(stream[position + 4:position + 18])
    struct.pack_into("<L", body, 0, 0xFFFF)
    stream = stream[:position] + record(0x0200, bytes(body)) + stream[position + 18:]
    return write_cfb({"Workbook": stream})


def xls_whose_directory_chain_loops() -> bytes:
    """The FAT entry of the directory's sector points back at itself: the reader follows the chain to its end
    marker whatever sizes are declared, and grows its buffer until memory runs out (found by the long fuzz
    profile: 61 s and gigabytes before the reading process ended)."""
    data = bytearray(fz.register_xls_by_hand())
    directory, fat = struct.unpack_from("<L", data, 48)[0], struct.unpack_from("<L", data, 76)[0]
    struct.pack_into("<L", data, (fat + 1) * 512 + directory * 4, directory)
    return bytes(data)


DAMAGED_XLS = {
    "workbook is a folder": xls_whose_workbook_is_a_folder,
    "sectors past any file": xls_with_sectors_past_any_file,
    "record cut short": xls_with_a_record_cut_short,
    "reserves four billion rows": xls_reserving_four_billion_rows,
    "directory chain loops": xls_whose_directory_chain_loops,
}


@pytest.mark.parametrize("kind", sorted(DAMAGED_XLS))
def test_a_damaged_xls_is_one_finding_naming_it(kind):
    result = read_input(_item("Tracker 3.xls", DAMAGED_XLS[kind]()))
    assert result.kind == "unreadable"
    [finding] = result.findings
    assert finding.file == "Tracker 3.xls" and finding.rule in ("file.corrupt", "file.refused")
    assert "not a stream" not in finding.message


@pytest.mark.skipif(sys.platform == "win32", reason="the memory limit is POSIX")
@pytest.mark.parametrize("kind", ["reserves four billion rows", "directory chain loops"])
def test_the_reserving_and_looping_xls_end_the_reader_itself(kind):
    """What the scan must refuse: the reader alone, in a child process limited to 2 GB, is ended by it."""
    script = ("import io, resource, sys\n"
              "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
              "from python_calamine import CalamineWorkbook\n"
              "CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))\n")
    run = subprocess.run([sys.executable, "-c", script], input=DAMAGED_XLS[kind](), capture_output=True,
                         timeout=300, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert run.returncode < 0


def test_damaged_xls_attachments_of_an_outlook_message_are_findings_on_each(tmp_path):
    attachments = [("Audit 1.xlsx", fz.case_return())] + [(f"Tracker {n}.xls", make())
                                                          for n, make in enumerate(DAMAGED_XLS.values())]
    path = tmp_path / "Audits.msg"
    path.write_bytes(build_msg("Audits", attachments))
    analysis = analyse([path], PERIOD)
    unreadable = {f.file for f in analysis.findings if f.rule in ("file.corrupt", "file.refused")}
    assert unreadable == {f"Audits.msg{SEP}Tracker {n}.xls" for n in range(len(DAMAGED_XLS))}
    assert [r.kind for _, r in analysis.results][0] == "case_file_audit"


def test_validate_prints_each_damaged_file_by_name(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Audit 1.xlsx").write_bytes(fz.case_return())
    for n, make in enumerate(DAMAGED_XLS.values()):
        (folder / f"Tracker {n}.xls").write_bytes(make())
    assert main(["validate", str(folder), "--period-end", "2024-09"]) == 1  # errors found, and said
    out = capsys.readouterr().out
    for n in range(len(DAMAGED_XLS)):
        assert f"Tracker {n}.xls" in out


def test_a_damaged_xls_through_the_reading_process_is_a_finding_too():
    results = read_inputs([(_item(f"T{n}.xls", make()), None) for n, make in enumerate(DAMAGED_XLS.values())])
    assert all(r.kind == "unreadable" and r.findings[0].rule in ("file.corrupt", "file.refused") for r in results)


# ---------------------------------------------------------------- case 10: broken MIME boundaries

def _eml_with(boundary_edit) -> bytes:
    """The fuzz seed email (a return and a register attached) with its boundary markers edited."""
    return boundary_edit(fz.returns_eml(), fz.EML_BOUNDARY.encode())


BROKEN_EMAILS = {
    # The header names a boundary that appears nowhere: the parser sees one part, the whole body.
    "header names another boundary": lambda raw, b: raw.replace(b'boundary="' + b + b'"', b'boundary="other"', 1),
    # The marker before the return is altered: the return was merged into the message text without a word.
    "marker before an attachment altered": lambda raw, b: fz._replace_nth(raw, b, 2, b.replace(b"y=", b"x=")),
}


def test_an_email_whose_header_names_another_boundary_says_its_attachments_could_not_be_read(tmp_path):
    path = tmp_path / "Audits.eml"
    path.write_bytes(_eml_with(BROKEN_EMAILS["header names another boundary"]))
    files, findings = discover([path])
    assert files == []
    [finding] = findings
    assert (finding.file, finding.rule, finding.severity.value) == ("Audits.eml", "input.email_parts_damaged", "error")
    assert "'Audit 1.xlsx'" in finding.message and "'Tracker.csv'" in finding.message
    assert "no attachments" not in finding.message


def test_an_attachment_merged_into_the_part_before_it_is_named_not_lost_silently(tmp_path):
    path = tmp_path / "Audits.eml"
    path.write_bytes(_eml_with(BROKEN_EMAILS["marker before an attachment altered"]))
    files, findings = discover([path])
    assert [f.name for f in files] == [f"Audits.eml{SEP}Tracker.csv"]  # the part after the damage is read
    [finding] = findings
    assert finding.rule == "input.email_parts_damaged" and "'Audit 1.xlsx'" in finding.message
    assert "after the message text" in finding.message


def test_an_email_cut_short_warns_that_its_last_attachment_may_be_incomplete(tmp_path):
    raw = fz.returns_eml()
    path = tmp_path / "Audits.eml"
    path.write_bytes(raw[:raw.rindex(b"--" + fz.EML_BOUNDARY.encode() + b"--")])
    files, findings = discover([path])
    assert len(files) == 2
    assert [(f.rule, f.severity.value) for f in findings] == [("input.email_parts_damaged", "warning")]


def test_an_intact_email_and_one_with_no_attachments_are_as_before(tmp_path):
    path = tmp_path / "Audits.eml"
    path.write_bytes(fz.returns_eml())
    assert discover([path])[1] == []
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"] = "Nothing attached"
    message.set_content("Content-Type: is a header, said in the text, not at a line start? It is here:\n"
                        "the body of a real email never has a part's headers in it.")
    path.write_bytes(message.as_bytes())
    assert [f.rule for f in discover([path])[1]] == ["input.email_no_attachments"]
