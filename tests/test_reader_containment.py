"""A file can never stop the build (issue 15, case 1): what would make the native spreadsheet reader end the
process is refused by the safety scans before it is opened, and a reader that ends its process anyway stops
one file, which becomes a finding, while every other file is read.

The hostile files are built here: a 10 kB return whose oversized sheet part has a bad CRC, or a local
header naming another part (the scan skipped parts Python's zip reader rejects, and calamine read them
and aborted: exit 134, no output); the same far cell hidden behind a '>' in an attribute value, a second
r attribute or spaces around '='; an .ods whose rows and cells repeat into billions of cells; an .xls with
one cell at row 65,536, column 65,536, or a shared-string count of two billion; an .xlsb renamed .xlsx.
Each would end the process reading it (the subprocess tests prove that of the reader itself, with a
memory limit so nothing is allocated for real).
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import signal
import struct
import subprocess
import sys
from pathlib import Path

import olefile
import pytest

from pqa_desktop.core.pipeline import reading
from pqa_desktop.core.inputs import packages, tables
from pqa_desktop.core.records import InputFile
from pqa_desktop.core.runtime import processes
from tests import fuzz_support as fz
from tests.returns_fixtures import soffice

ROOT = Path(__file__).resolve().parent.parent
FAR_ROW = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


def _item(name: str, data: bytes) -> InputFile:
    return InputFile(name, data, hashlib.sha256(data).hexdigest())


def _sheet_edited(edit) -> bytes:
    members = dict(fz.zip_members(fz.case_return()))
    members["xl/worksheets/sheet1.xml"] = edit(members["xl/worksheets/sheet1.xml"])
    return fz.zip_of(members)


def _central_and_local(data: bytes, name: bytes) -> tuple[int, int]:
    """Offsets of the central directory entry and the local header of member ``name``."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + length] == name:
            return at, struct.unpack_from("<L", data, at + 42)[0]
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(name)


def far_cell_with_bad_crc() -> bytes:
    data = bytearray(_sheet_edited(lambda x: x.replace(b"</sheetData>", FAR_ROW + b"</sheetData>")))
    central, local = _central_and_local(bytes(data), b"xl/worksheets/sheet1.xml")
    crc = struct.unpack_from("<L", data, central + 16)[0] ^ 0xFFFF
    struct.pack_into("<L", data, central + 16, crc)
    struct.pack_into("<L", data, local + 14, crc)
    return bytes(data)


def far_cell_with_other_local_name() -> bytes:
    data = bytearray(_sheet_edited(lambda x: x.replace(b"</sheetData>", FAR_ROW + b"</sheetData>")))
    _, local = _central_and_local(bytes(data), b"xl/worksheets/sheet1.xml")
    data[local + 30:local + 30 + 24] = b"xl/worksheets/sheetX.xml"
    return bytes(data)


def far_cell_behind(attributes: bytes) -> bytes:
    """The far cell written so that a scan reading a tag's first r attribute, or stopping at the first '>',
    does not see it."""
    return _sheet_edited(lambda x: x.replace(
        b"</sheetData>", b'<row r="1048576"><c ' + attributes + b"><v>1</v></c></row></sheetData>"))


HOSTILE_XLSX = {
    "bad CRC": far_cell_with_bad_crc,
    "local header names another part": far_cell_with_other_local_name,
    "'>' in an attribute value": lambda: far_cell_behind(b's="0" xml:lang="a>b" r="XFD1048576"'),
    "second r attribute": lambda: far_cell_behind(b'r="A1" r="XFD1048576"'),
    "spaces around '='": lambda: far_cell_behind(b'r = "XFD1048576"'),
}


def _reader_ends_the_process(data: bytes) -> int:
    """Open ``data`` with the cell reader itself (no scan) in a child process limited to 2 GB of address
    space; its exit status (negative: killed by a signal, as an abort is)."""
    script = ("import io, resource, sys\n"
              "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
              "from python_calamine import CalamineWorkbook\n"
              "book = CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))\n"
              "for name in book.sheet_names:\n"
              "    book.get_sheet_by_name(name).to_python()\n")
    run = subprocess.run([sys.executable, "-c", script], input=data, capture_output=True, timeout=120,
                         env={**os.environ, "RUST_BACKTRACE": "0"})
    return run.returncode


@pytest.mark.skipif(sys.platform == "win32", reason="the memory limit is POSIX")
@pytest.mark.parametrize("kind", sorted(HOSTILE_XLSX))
def test_the_hostile_workbooks_end_the_reader_itself(kind):
    """What the scan must refuse: each of these ends the process that opens it with the reader."""
    assert _reader_ends_the_process(HOSTILE_XLSX[kind]()) < 0


@pytest.mark.parametrize("kind", sorted(HOSTILE_XLSX))
def test_hostile_workbooks_are_refused_before_the_reader_opens_them(kind):
    data = HOSTILE_XLSX[kind]()
    assert len(data) < 12_000
    result = reading.read_input(_item("Audit 9.xlsx", data))
    assert result.kind == "unreadable"
    [finding] = result.findings
    assert finding.rule in ("file.corrupt", "file.refused") and finding.file == "Audit 9.xlsx"
    if kind in ("bad CRC", "local header names another part"):
        assert finding.rule == "file.corrupt" and "sheet1.xml" in finding.message


def test_a_damaged_part_that_is_not_a_sheet_refuses_the_package_too():
    """Any part the scan cannot read whole is refused: it cannot vouch for what the reader would make of it."""
    data = bytearray(fz.case_return())
    central, local = _central_and_local(bytes(data), b"xl/sharedStrings.xml")
    struct.pack_into("<L", data, central + 16, struct.unpack_from("<L", data, central + 16)[0] ^ 1)
    refusal = packages.check_package(bytes(data), 20_000_000)
    assert refusal is not None and refusal.rule == "file.corrupt" and "sharedStrings.xml" in refusal


def test_an_excel_binary_workbook_renamed_xlsx_is_refused():
    members = dict(fz.zip_members(fz.case_return()))
    members["xl/workbook.bin"] = members.pop("xl/workbook.xml")
    refusal = packages.check_package(fz.zip_of(members), 20_000_000)
    assert refusal is not None and ".xlsb" in refusal


# ---------------------------------------------------------------- .ods and .xls


def _ods_repeating(rows: int, cells: int) -> bytes:
    """The seed .ods with its first row repeated ``rows`` times and that row's first cell ``cells`` times."""
    members = fz.zip_members(ods_seed())
    out = []
    for name, content in members:
        if name == "content.xml":
            content = re.sub(rb"(<table:table-row)", rb'\1 table:number-rows-repeated="%d"' % rows, content, count=1)
            content = re.sub(rb"(<table:table-cell)", rb'\1 table:number-columns-repeated="%d"' % cells, content,
                             count=1)
        out.append((name, content))
    return fz.zip_of(out)


def ods_seed() -> bytes:
    return fz.register_ods()


def xls_seed() -> bytes:
    return fz.register_xls()


def _xls_with(record_types: tuple[int, ...], edit) -> bytes:
    """The seed .xls with the first record of one of ``record_types`` in its workbook stream edited in place."""
    data = bytearray(xls_seed())
    with olefile.OleFileIO(io.BytesIO(bytes(data))) as ole:
        stream = ole.openstream("Workbook").read()
    position = 0
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        if kind in record_types:
            record = stream[position:position + 4 + size]
            at = bytes(data).find(record)  # the stream's sectors are in order in a file this small
            assert at > 0
            data[at:at + len(record)] = edit(bytearray(record))
            return bytes(data)
        position += 4 + size
    raise AssertionError("no such record")


def _far_xls_cell(record: bytearray) -> bytearray:
    struct.pack_into("<HH", record, 4, 0xFFFF, 0xFFFF)
    return record


def _huge_string_count(record: bytearray) -> bytearray:
    struct.pack_into("<l", record, 8, 0x7FFFFFF0)
    return record


HOSTILE_OTHERS = {
    "ods repeats": ("Tracker.ods", lambda: _ods_repeating(30_000, 1_000)),
    "xls far cell": ("Tracker.xls", lambda: _xls_with((0x00FD, 0x0203, 0x027E, 0x0204), _far_xls_cell)),
    "xls string count": ("Tracker.xls", lambda: _xls_with((0x00FC,), _huge_string_count)),
}


@pytest.mark.libreoffice
@pytest.mark.skipif(sys.platform == "win32", reason="the memory limit is POSIX")
@pytest.mark.parametrize("kind", ["xls far cell", "ods repeats"])
def test_the_hostile_legacy_and_opendocument_workbooks_end_the_reader_itself(kind):
    if soffice() is None:
        pytest.skip("no LibreOffice to write the .xls/.ods seeds")
    assert _reader_ends_the_process(HOSTILE_OTHERS[kind][1]()) < 0


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", sorted(HOSTILE_OTHERS))
def test_hostile_ods_and_xls_are_refused_before_the_reader_opens_them(kind):
    if soffice() is None:
        pytest.skip("no LibreOffice to write the .ods/.xls seeds")
    name, make = HOSTILE_OTHERS[kind]
    data = make()
    assert len(data) < 40_000
    result = reading.read_input(_item(name, data))
    assert result.kind == "unreadable" and [f.rule for f in result.findings] in (["file.refused"], ["file.corrupt"])


@pytest.mark.libreoffice
def test_ods_repeats_within_the_limit_and_trailing_blanks_are_read():
    """LibreOffice writes empty rows and cells repeated to the sheet's edge: they cost nothing, and a
    modest repeat of real cells is read as before."""
    if soffice() is None:
        pytest.skip("no LibreOffice to write the .ods seed")
    assert b"number-columns-repeated" in dict(fz.zip_members(ods_seed()))["content.xml"]
    assert reading.read_input(_item("Tracker.ods", ods_seed())).kind == "audit_register"
    assert packages.check_package(_ods_repeating(100, 100), 20_000_000) is None
    assert packages.check_package(_ods_repeating(100_000, 100), 20_000_000) is not None  # 10 million cells


# ---------------------------------------------------------------- panics


def test_a_panic_in_the_reader_is_a_finding_not_a_crash(monkeypatch):
    """pyo3 turns a Rust panic into PanicException, which derives from BaseException: ``except Exception``
    let it through, and the damaged .xls files of the issue ended the build with its traceback."""
    class PanicException(BaseException):
        pass

    class Workbook:
        @staticmethod
        def from_filelike(_):
            raise PanicException("range end index 64 out of range for slice of length 19")

    import python_calamine

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Workbook)
    result = reading.read_input(_item("Audit 3.xlsx", fz.case_return()))
    assert result.kind == "unreadable" and [f.rule for f in result.findings] == ["file.corrupt"]
    with pytest.raises(KeyboardInterrupt):  # what is not the reader failing still goes through
        Workbook.from_filelike = staticmethod(lambda _: (_ for _ in ()).throw(KeyboardInterrupt()))
        reading.read_input(_item("Audit 4.xlsx", fz.case_return()))


# ---------------------------------------------------------------- containment


@pytest.fixture()
def unscanned(monkeypatch):
    """The package scan switched off (in this process and any forked from it), so the hostile workbook
    reaches the reader and really ends the process reading it: what an unknown reader failure would do."""
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("the scan is switched off in forked processes only")
    monkeypatch.setattr(tables, "check_package", lambda data, max_cells: None)
    monkeypatch.setattr(reading, "_start_method", lambda: "fork")
    monkeypatch.setenv("RUST_BACKTRACE", "0")
    reading.shutdown_pool()
    yield
    reading.shutdown_pool()


def _inputs() -> list[tuple[InputFile, None]]:
    return [(_item("Audit 1.xlsx", fz.case_return()), None), (_item("Audit 2.xlsx", far_cell_with_bad_crc()), None),
            (_item("EDT August.xlsx", fz.edt_return()), None), (_item("Tracker.csv", fz.register_csv()), None)]


@pytest.mark.parametrize("workers", ["", "2"], ids=["read-without-workers", "read-by-workers"])
def test_a_reader_that_ends_its_process_stops_one_file_and_the_rest_is_read(unscanned, monkeypatch, workers):
    monkeypatch.setenv(reading.WORKERS_ENV, workers)
    results = reading.read_inputs(_inputs())
    assert [r.kind for r in results] == ["case_file_audit", "unreadable", "edt_dip_sample", "audit_register"]
    stopped = results[1].findings
    assert [(f.file, f.rule) for f in stopped] == [("Audit 2.xlsx", "file.reader_stopped")]
    assert "stopped while reading this file" in stopped[0].message
    expected = [reading.read_input(item) for item, _ in _inputs()[::2]]  # never the hostile one here
    assert [r.findings for r in results[::2]] == [r.findings for r in expected]


def test_reading_continues_in_a_new_process_after_a_crash(unscanned, monkeypatch):
    """One reading process reads the files one after another; after a crash the next file gets a new one."""
    monkeypatch.setenv(reading.WORKERS_ENV, "")
    items = [(_item(f"Audit {n}.xlsx", far_cell_with_other_local_name() + bytes([n])), None) for n in range(3)]
    items.insert(1, (_item("EDT August.xlsx", fz.edt_return()), None))
    results = reading.read_inputs(items)
    assert [r.kind for r in results] == ["unreadable", "edt_dip_sample", "unreadable", "unreadable"]


def test_the_command_line_builds_around_the_hostile_workbooks(tmp_path):
    """The issue's own run: ``pqa build`` over a folder holding each hostile workbook and a real return
    writes the workbook (exit 0) with one finding per hostile file."""
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "Audit 1.xlsx").write_bytes(fz.case_return())
    for n, kind in enumerate(sorted(HOSTILE_XLSX)):
        (folder / f"Hostile {n}.xlsx").write_bytes(HOSTILE_XLSX[kind]())
    out = tmp_path / "out.xlsx"
    run = subprocess.run([sys.executable, "-m", "pqa_desktop.cli", "build", str(folder), "-o", str(out),
                          "--period-end", "2024-09", "--la-name", "Anytown Council"], capture_output=True,
                         text=True, timeout=600, cwd=ROOT, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert out.is_file()
    for n in range(len(HOSTILE_XLSX)):
        assert f"Hostile {n}.xlsx" in run.stderr


def test_a_reading_process_that_cannot_start_leaves_the_files_to_this_process(monkeypatch):
    """No process to read in (the system allows no more): the files are read here, not all called crashes."""
    monkeypatch.setenv(reading.WORKERS_ENV, "")

    def cannot_start(self):
        raise reading.NoReadingProcess()

    monkeypatch.setattr(reading._Quarantine, "_launch", cannot_start)
    reading.stop_quarantine()
    results = reading.read_inputs([(item, None) for item, _ in _inputs()[::2]])
    assert [r.kind for r in results] == ["case_file_audit", "edt_dip_sample"]


def test_spreadsheets_are_read_outside_this_process_and_other_files_here(monkeypatch):
    monkeypatch.setenv(reading.WORKERS_ENV, "")
    seen = []
    real = reading._Quarantine.read
    monkeypatch.setattr(reading._Quarantine, "read", lambda self, item, *a: seen.append(item.name) or real(self, item, *a))
    results = reading.read_inputs(_inputs()[::2] + [_inputs()[3]])
    assert seen == ["Audit 1.xlsx", "EDT August.xlsx"]
    assert [r.kind for r in results] == ["case_file_audit", "edt_dip_sample", "audit_register"]
    monkeypatch.setenv(reading.WORKERS_ENV, "1")  # the switch for tests and debugging: all read here
    seen.clear()
    reading.read_inputs(_inputs()[::2])
    assert seen == []


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_the_reading_process_ends_when_told_rather_than_killed_after_a_wait(method):
    # A forked reading process holds a copy of its own pipe's sending end, so it never saw the pipe close:
    # every stop waited two seconds and then killed it (a small build took two seconds longer). Told to
    # stop, it ends by itself, whichever way it was started.
    if method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"no {method} here")
    quarantine = reading._Quarantine(method)
    item = _item("Audit 1.xlsx", fz.case_return())
    assert quarantine.read(item, None).kind == "case_file_audit"
    process = quarantine._process
    quarantine.stop()
    assert process.exitcode == 0  # ended by itself (a kill after the wait gives -9)


# --- a reading process started ahead (issue 18) ------------------------------------------------------------


def _started_ahead(monkeypatch, method: str):
    if method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"no {method} here")
    monkeypatch.setenv(reading.WORKERS_ENV, "")
    monkeypatch.setenv(processes.START_METHOD_ENV, method)
    reading.stop_quarantine()
    reading.prestart_reading_process()
    return reading._quarantine()


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_a_reading_process_started_ahead_reads_the_next_files(monkeypatch, method):
    # A spawned process imports the readers first (half a second and more): started ahead (a workspace build,
    # the app's next check), it does so while this process works, and the read uses it, not a new one.
    try:
        quarantine = _started_ahead(monkeypatch, method)
        process = quarantine._process
        assert process is not None and process.is_alive() and not quarantine._ready
        results = reading.read_inputs([(item, None) for item, _ in _inputs()[::2]])
        assert [r.kind for r in results] == ["case_file_audit", "edt_dip_sample"]
        assert reading._quarantine()._process is process and reading._quarantine()._ready
    finally:
        reading.stop_quarantine()


def test_a_reading_process_started_ahead_and_not_needed_is_ended_at_once(monkeypatch):
    # Nothing new to read (a build after a correction): the process still starting holds no file, so it is
    # ended, not waited for until it has imported the readers (a stop waits up to two seconds).
    quarantine = _started_ahead(monkeypatch, "spawn")
    process = quarantine._process
    reading.stop_quarantine()
    assert process.exitcode == -signal.SIGKILL


@pytest.mark.parametrize("workers, method", [("", "fork"), ("1", "spawn")])
def test_nothing_is_started_ahead_with_fork_or_when_files_are_read_here(monkeypatch, workers, method):
    # fork: a reading process starts in milliseconds and is stopped after each read; PQA_READ_WORKERS=1: none.
    monkeypatch.setenv(reading.WORKERS_ENV, workers)
    monkeypatch.setenv(processes.START_METHOD_ENV, method)
    monkeypatch.setattr(reading, "_quarantine_method", lambda: method)  # fork is refused where threads run (here)
    reading.stop_quarantine()
    reading.prestart_reading_process()
    assert reading._quarantine_process is None
