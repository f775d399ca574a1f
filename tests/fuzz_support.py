"""Seeds, mutators and the reading harness for the fuzz tests (tests/test_fuzz_readers.py).

Seeds are real inputs made by the project's own writers (a filled case file return and an EDT return
from ``returns.templates``, Annex A lists from ``sample.exports`` at a small scale, an audit register
CSV in the tracker layout, an .eml with attachments, a .zip of returns). Mutations are plain data
(tuples drawn by hypothesis) applied by the ``mutate_*`` functions here, so a failing example prints
as a short list of operations that can be replayed.

The property every mutation must keep: reading never raises; whatever is wrong comes back as
findings; the input bytes (and the file on disk, for containers) are unchanged.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import struct
import tempfile
import time
import traceback
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP
from functools import lru_cache
from pathlib import Path

import xlsxwriter
from hypothesis import strategies as st

from pqa_desktop.core.findings import RULES, Finding, Severity
from pqa_desktop.core.inputs.discover import discover
from pqa_desktop.core.inputs.tables import decode_text
from pqa_desktop.core.records import InputFile, ReadResult
from pqa_desktop.core.returns.spec import returns_spec
from pqa_desktop.core.returns.templates import return_bytes

# ---------------------------------------------------------------- profile



def is_long_profile(environ=os.environ) -> bool:
    """CI runs a fixed, seeded profile; PQA_FUZZ_LONG=1 runs the long one locally."""
    return environ.get("PQA_FUZZ_LONG", "") not in ("", "0")


def mutations_per_format(environ=os.environ) -> int:
    return 10_000 if is_long_profile(environ) else 1_000


LONG_PROFILE = is_long_profile()
MUTATIONS_PER_FORMAT = mutations_per_format()


class FuzzCounts(UserWarning):
    """Carries a fuzz run's counts to the warnings summary, which pytest prints (also under xdist and
    without -s), so CI logs show how many mutations ran."""


# ---------------------------------------------------------------- seeds

CASE_VALUES = {
    "case_ref": "CR-4471", "service_area": "CwD", "auditor": "Jane Smith", "audit_date": date(2024, 8, 5),
    "social_worker": "Priya Patel", "outcomes": "Good", "harm": "Requires improvement",
    "overall": "Requires improvement", "visits": "Yes", "moderator": "Ann Lee", "moderated_overall": "Good",
    "feedback_sentiment": "Need to do better", "feedback_text": "Slow to call back.",
}


@lru_cache(maxsize=None)
def case_return() -> bytes:
    return return_bytes("case_file_audit", CASE_VALUES, evidence={"harm": "No safety plan."},
                        actions=[("Write a safety plan", "SW", date(2024, 9, 1))])


@lru_cache(maxsize=None)
def edt_return() -> bytes:
    return return_bytes("edt_dip_sample", {"sampled_by": "Chris Moe", "sample_month": date(2024, 8, 1)},
                        edt_records=[{"record_ref": "E1", "contact_date": date(2024, 8, 2),
                                      "safeguarding_action": "Yes", "timescales": "No"},
                                     {"record_ref": "E2", "amhp_required": "No"}])


@lru_cache(maxsize=None)
def register_csv() -> bytes:
    """A case file audit tracker saved as CSV (title row, header row, one audit per row), the layout
    ``sample.demo`` writes for registers."""
    rspec = returns_spec().returns["case_file_audit"]
    domains = ["outcomes", "assessment", "planning", "voice"]
    header = ["Child ID", "Date of audit", "Service area", "Team", "Auditor",
              *(rspec.get(d).label for d in domains), "Overall grade", "Moderated grade"]
    grades = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(["Anytown Council \u2013 case file audit tracker"])
    out.writerow(header)
    for i in range(8):
        out.writerow([f"{300100 + i}", f"{3 + i:02d}/07/2024", "CwD", "Team A", "Jo Bloggs",
                      *(grades[(i + k) % 4] for k in range(4)), grades[i % 4], grades[(i + 1) % 4] if i % 3 else ""])
    return buffer.getvalue().encode("utf-8-sig")


@lru_cache(maxsize=None)
def _sample_exports() -> dict[str, bytes]:
    from pqa_desktop.core.sample.exports import generate_exports

    with tempfile.TemporaryDirectory() as folder:
        manifest = generate_exports(folder, scale=0.02)
        return {path.name: path.read_bytes() for path in manifest.files}


def _csv_head(data: bytes, rows: int) -> bytes:
    """The first ``rows`` lines of a CSV (the sample lists are cut short so each read is cheap)."""
    lines = data.split(b"\r\n")
    return b"\r\n".join(lines[:rows]) + b"\r\n"


@lru_cache(maxsize=None)
def annex_a_csv() -> bytes:
    """Annex A list 1 (contacts), as the sample exports write it, cut to its first 25 rows."""
    return _csv_head(_sample_exports()["Contacts export.csv"], 25)


@lru_cache(maxsize=None)
def annex_a_xlsx() -> bytes:
    """Annex A list 2 (the first sheet of the sample exports workbook), rewritten as a one-sheet workbook
    of its first 25 rows with real dates, so each mutated read is cheap."""
    from python_calamine import CalamineWorkbook

    book_name = next(n for n in _sample_exports() if n.endswith(".xlsx"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(_sample_exports()[book_name]))
    rows = book.get_sheet_by_name("Sheet1").to_python(skip_empty_area=False)[:25]
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "default_date_format": "dd/mm/yyyy",
                                      "strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    ws = wb.add_worksheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value in ("", None):
                continue
            if isinstance(value, date):
                ws.write_datetime(r, c, value)
            else:
                ws.write(r, c, value)
    wb.close()
    return buffer.getvalue()


@lru_cache(maxsize=None)
def register_xlsx() -> bytes:
    """The register CSV as an .xlsx (one sheet, the CSV's rows as text), the source of the .xls/.ods seeds."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Register"
    for row in csv.reader(io.StringIO(register_csv().decode("utf-8-sig"))):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=None)
def register_xls_by_hand() -> bytes:
    """The register CSV as an .xls written by ``tests.xls_writer`` (no LibreOffice needed)."""
    from tests.xls_writer import xls_bytes

    return xls_bytes({"Register": list(csv.reader(io.StringIO(register_csv().decode("utf-8-sig"))))})


@lru_cache(maxsize=None)
def _converted(fmt: str) -> dict[str, bytes]:
    """The register and the Annex A list (.xlsx) saved as .xls or .ods by headless LibreOffice, both in one
    LibreOffice run, once per test session."""
    from tests.returns_fixtures import convert_all_with_libreoffice

    folder = Path(tempfile.mkdtemp(prefix="pqa-seed-"))
    sources = {"Tracker": register_xlsx(), "Annex A list 2": annex_a_xlsx()}
    paths = []
    for name, data in sources.items():
        paths.append(folder / f"{name}.xlsx")
        paths[-1].write_bytes(data)
    return {name: path.read_bytes() for name, path in zip(sources, convert_all_with_libreoffice(paths, fmt))}


def register_xls() -> bytes:
    return _converted("xls")["Tracker"]


def register_ods() -> bytes:
    return _converted("ods")["Tracker"]


def annex_a_xls() -> bytes:
    return _converted("xls")["Annex A list 2"]


def annex_a_ods() -> bytes:
    return _converted("ods")["Annex A list 2"]


@lru_cache(maxsize=None)
def returns_msg() -> bytes:
    """An Outlook message with a return, a register and a forwarded message holding a contacts list."""
    from tests.msg_writer import EmbeddedMessage, build_msg

    return build_msg("Audits for this month", [
        ("Audit 1.xlsx", case_return()), ("Tracker.csv", register_csv()), ("Tracker 2.xls", register_xls_by_hand()),
        EmbeddedMessage("Fwd contacts", "Fwd: contacts", [("Contacts export.csv", annex_a_csv())])])


EML_BOUNDARY = "==========pqa-fuzz-boundary=========="


@lru_cache(maxsize=None)
def returns_eml() -> bytes:
    """A saved email with a return and a register attached (base64, as mail clients send them)."""
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@anytown.example>"
    message["To"] = "QA Team <qa.team@anytown.example>"
    message["Subject"] = "Audits for this month"
    message.set_content("Hi,\n\nPlease find my audits attached.\n")
    message.add_attachment(case_return(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           filename="Audit 1.xlsx")
    message.add_attachment(register_csv(), maintype="text", subtype="csv", filename="Tracker.csv")
    message.set_boundary(EML_BOUNDARY)
    return message.as_bytes(policy=SMTP)


@lru_cache(maxsize=None)
def returns_zip() -> bytes:
    return zip_of({"July/Audit 1.xlsx": case_return(), "July/EDT July.xlsx": edt_return(),
                   "Contacts export.csv": annex_a_csv()})


def zip_of(members: dict[str, bytes] | list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    items = members.items() if isinstance(members, dict) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": duplicated members are a mutation
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in items:
                archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 8, 5, 9, 0, 0)), data,
                                 compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# ---------------------------------------------------------------- byte mutations

MAGIC_BYTES = (b"\x00", b"\xff", b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"PK\x03\x04", b"PK\x01\x02",
               b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xfe\xff", b"\r\n", b"\n\n",
               b'"', b",", b";", b"<", b">", b"&", b"]]>", b"--", b"=\r\n", b"\xc3", b"\xed\xa0\x80")

positions = st.integers(0, 2**31 - 1)
payloads = st.one_of(st.sampled_from(MAGIC_BYTES), st.binary(min_size=1, max_size=12))

byte_op = st.one_of(
    st.tuples(st.just("flip"), positions, st.integers(0, 7)),
    st.tuples(st.just("overwrite"), positions, payloads),
    st.tuples(st.just("insert"), positions, payloads),
    st.tuples(st.just("delete"), positions, st.integers(1, 64)),
    st.tuples(st.just("truncate"), positions),
    st.tuples(st.just("repeat"), positions, st.integers(1, 256), st.integers(2, 40)),
)
byte_ops = st.lists(byte_op, min_size=1, max_size=3)


def mutate_bytes(data: bytes, ops) -> bytes:
    """Apply byte operations; positions wrap round the current length."""
    out = bytearray(data)
    for op in ops:
        kind, pos = op[0], op[1] % (len(out) + 1)
        if kind == "flip" and out:
            out[pos % len(out)] ^= 1 << op[2]
        elif kind == "overwrite":
            out[pos:pos + len(op[2])] = op[2]
        elif kind == "insert":
            out[pos:pos] = op[2]
        elif kind == "delete":
            del out[pos:pos + op[2]]
        elif kind == "truncate":
            del out[pos:]
        elif kind == "repeat":
            out[pos:pos] = bytes(out[pos:pos + op[2]]) * (op[3] - 1)
    return bytes(out)


# ---------------------------------------------------------------- xlsx (a zip of XML parts)

XML_TOKENS = (
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>', b"&b;", b"&a;",
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b"&e;", b"&#0;", b"&#x110000;", b"&amp;",
    b"<![CDATA[x]]>", b"<?xml version='1.0'?>", b'<dimension ref="A1:XFD1048576"/>', b' r="XFD1048576"',
    b' r="A0"', b' r="ZZZZ9"', b'<c r="A1" t="s"><v>999999</v></c>', b'<c r="B2" t="n"><v>1e308</v></c>',
    b'<c r="C3" t="d"><v>not a date</v></c>', b'<c r="D4" t="e"><v>#REF!</v></c>', b'<c r="E5"><f>NOW()</f></c>',
    b' t="s"', b' t="str"', b' t="inlineStr"', b' s="9999"', b"<v>-1</v>", b"<v>4294967296</v>",
    b'<row r="1048576">', b'<row r="0">', b"</row>", b"<row>", b"<sheetData/>", b"</sheetData>", b"<si><t>",
    b"</t></si>", b'<sheet name="x" sheetId="9" r:id="rId99"/>', b"<definedName name=\"pqa_case_ref\">x!$A$1</definedName>",
    b'<definedName name="pqa_audit_date">#REF!</definedName>', b'<numFmt numFmtId="14" formatCode="dd/mm/yy"/>',
    b'xmlns="urn:nothing"', b"\x00", b"\xff\xfe", b"<", b">", b"/>", b'"',
)
xml_op = st.one_of(
    st.tuples(st.just("token_at_tag"), positions, st.sampled_from(XML_TOKENS)),
    st.tuples(st.just("drop_element"), positions),
    byte_op,
)

# Names an attacker or a broken tool might give a part: the workbook's own parts, a path escape,
# a case change (zip names are case-sensitive, Excel's are not).
PART_NAMES = ("xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml",
              "xl/worksheets/sheet2.xml", "[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels",
              "docProps/core.xml", "../../evil.xml", "/abs/sheet1.xml", "XL/WORKBOOK.XML", "xl\\workbook.xml")

xlsx_op = st.one_of(
    st.tuples(st.just("part"), st.integers(0, 63), st.lists(xml_op, min_size=1, max_size=3)),
    st.tuples(st.just("drop_part"), st.integers(0, 63)),
    st.tuples(st.just("dup_part"), st.integers(0, 63), st.lists(xml_op, max_size=2)),
    st.tuples(st.just("rename_part"), st.integers(0, 63), st.sampled_from(PART_NAMES)),
    st.tuples(st.just("bytes"), byte_ops),
)
xlsx_ops = st.lists(xlsx_op, min_size=1, max_size=3)


def mutate_xml(data: bytes, ops) -> bytes:
    out = data
    for op in ops:
        if op[0] == "token_at_tag":
            at = _nth_tag(out, op[1])
            out = out[:at] + op[2] + out[at:]
        elif op[0] == "drop_element":
            at = _nth_tag(out, op[1])
            end = out.find(b">", at)
            out = out[:at] + out[end + 1:] if end >= 0 else out[:at]
        else:
            out = mutate_bytes(out, [op])
    return out


def _nth_tag(data: bytes, n: int) -> int:
    """Offset of the n-th '<' (wrapping round), or of the end when there is none."""
    starts = [m.start() for m in re.finditer(rb"<", data)]
    return starts[n % len(starts)] if starts else len(data)


def zip_members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def mutate_xlsx(data: bytes, ops) -> bytes:
    """Rewrite parts of the package (mutated XML, dropped, duplicated or renamed parts), or its bytes.
    A package an earlier mutation already broke gets only the byte operations."""
    try:
        members = zip_members(data)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        return mutate_bytes(data, [b for op in ops if op[0] == "bytes" for b in op[1]])
    raw_ops = []
    for op in ops:
        if op[0] == "bytes":
            raw_ops.extend(op[1])
            continue
        if not members:
            continue
        i = op[1] % len(members)
        name, content = members[i]
        if op[0] == "part":
            members[i] = (name, mutate_xml(content, op[2]))
        elif op[0] == "drop_part":
            del members[i]
        elif op[0] == "dup_part":
            members.insert(i + 1, (name, mutate_xml(content, op[2])))
        elif op[0] == "rename_part":
            members[i] = (op[2], content)
    return mutate_bytes(zip_of(members), raw_ops)


# ---------------------------------------------------------------- csv

CSV_VALUES = ("", " ", '"', '""', '"unclosed', "a,b", "a;b", "a\tb", "line\nbreak", "\r", "\x00", "\ufeff",
              "=1+1", "+44", "-1", "@SUM(A1)", "31/02/2024", "00/00/0000", "9999-99-99", "1e308", "-0", "nan",
              "inf", "NULL", "#N/A", "Outstanding", "Good", "\u202eetad", "é", "\udcff", "0" * 300)
csv_text = st.one_of(st.sampled_from(CSV_VALUES), st.text(max_size=16))
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-32", "mac_roman", "cp437",
             "shift_jis")

csv_op = st.one_of(
    st.tuples(st.just("cell"), st.integers(0, 40), st.integers(0, 20), csv_text),
    st.tuples(st.just("delimiter"), st.sampled_from([";", "\t", "|", " ", "", ",,", '"'])),
    st.tuples(st.just("encoding"), st.sampled_from(ENCODINGS)),
    st.tuples(st.just("long_line"), st.integers(0, 40), st.integers(1_000, 300_000),
              st.sampled_from(["x", ",", '"', "\t", "é"])),
    st.tuples(st.just("line_endings"), st.sampled_from(["\r", "\n", "\r\r\n", "\u2028", ""])),
    st.tuples(st.just("drop_rows"), st.integers(0, 40), st.integers(1, 40)),
    st.tuples(st.just("repeat_rows"), st.integers(0, 40), st.integers(2, 2_000)),
    st.tuples(st.just("bytes"), byte_ops),
)
csv_ops = st.lists(csv_op, min_size=1, max_size=4)


_MAX_GROWTH = 1_000_000  # characters one repeat may add: enough for thousands of rows, cheap to read


def mutate_csv(data: bytes, ops) -> bytes:
    """Cell edits on the parsed grid, then text edits, then the encoding, then raw byte edits."""
    text = decode_text(data)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cell_ops = [op for op in ops if op[0] == "cell"]
    for _, r, c, value in cell_ops:
        if rows:
            row = rows[r % len(rows)]
            if c < len(row):
                row[c] = value
            else:
                row.extend([""] * (c - len(row)) + [value])
    if cell_ops:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        text = buffer.getvalue()
    encoding, raw_ops = "utf-8-sig", []
    for op in ops:
        kind = op[0]
        lines = text.split("\r\n")
        if kind == "delimiter":
            text = text.replace(",", op[1])
        elif kind == "encoding":
            encoding = op[1]
        elif kind == "long_line":
            i = op[1] % len(lines)
            lines[i] = lines[i] + "," + op[3] * op[2]
            text = "\r\n".join(lines)
        elif kind == "line_endings":
            text = text.replace("\r\n", op[1])
        elif kind == "drop_rows":
            i = op[1] % len(lines)
            text = "\r\n".join(lines[:i] + lines[i + op[2]:])
        elif kind == "repeat_rows":
            i = op[1] % len(lines)
            times = min(op[2], max(1, _MAX_GROWTH // (len(lines[i]) + 2)))  # a big file, not a huge one
            text = "\r\n".join(lines[:i] + [lines[i]] * times + lines[i + 1:])
        elif kind == "bytes":
            raw_ops.extend(op[1])
    encoded = text.encode(encoding, errors="surrogateescape" if encoding.startswith("utf-8") else "replace")
    return mutate_bytes(encoded, raw_ops)


# ---------------------------------------------------------------- eml

HOSTILE_NAMES = ("../../evil.xlsx", "..\\..\\evil.csv", "/etc/passwd.csv", "C:\\Windows\\a.xlsx", "C:evil.xlsx",
                 "a\u202eslx.csv", "a\x00b.xlsx", "x" * 5_000 + ".xlsx", "=?utf-8?b?Li4vLi4vZXZpbC54bHN4?=",
                 "\u203a.xlsx", "CON.xlsx", ".xlsx", "", "returns.zip", "fwd.eml", "x.msg")

eml_op = st.one_of(
    st.tuples(st.just("boundary"), st.integers(0, 8),
              st.sampled_from(["", "--", "-", "other", EML_BOUNDARY + "x", EML_BOUNDARY[:5], "\r\n"])),
    st.tuples(st.just("base64"), st.integers(0, 3), positions,
              st.sampled_from(["!", "=", "====", "\x00", "é", "*" * 80, "\r\n\r\n", "--", "A"])),
    st.tuples(st.just("cut_base64"), st.integers(0, 3), positions),
    st.tuples(st.just("cte"), st.integers(0, 4),
              st.sampled_from(["quoted-printable", "7bit", "x-uuencode", "base64 base64", "", "binary"])),
    st.tuples(st.just("content_type"), st.integers(0, 4),
              st.sampled_from(["multipart/mixed", 'multipart/mixed; boundary=""', "message/rfc822",
                               "multipart/alternative; boundary=x", "application/zip", "text/plain; charset=bogus",
                               "multipart/mixed; boundary=" + "b" * 2_000])),
    st.tuples(st.just("filename"), st.integers(0, 2), st.sampled_from(HOSTILE_NAMES)),
    st.tuples(st.just("huge_header"), st.integers(1_000, 200_000)),
    st.tuples(st.just("many_headers"), st.integers(100, 5_000)),
    st.tuples(st.just("nest"), st.integers(1, 400)),
    st.tuples(st.just("bytes"), byte_ops),
)
eml_ops = st.lists(eml_op, min_size=1, max_size=3)

_BASE64_BODY = re.compile(rb"(?:^[A-Za-z0-9+/=]{20,}\r?\n)+", re.MULTILINE)


def _replace_nth(data: bytes, pattern: bytes, n: int, replacement: bytes) -> bytes:
    starts = [m.start() for m in re.finditer(re.escape(pattern), data)]
    if not starts:
        return data
    at = starts[n % len(starts)]
    return data[:at] + replacement + data[at + len(pattern):]


def _header_value_span(data: bytes, header: bytes, n: int) -> tuple[int, int] | None:
    found = list(re.finditer(rb"(?im)^" + header + rb":[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", data))
    if not found:
        return None
    m = found[n % len(found)]
    return m.start(1), m.end(1)


def mutate_eml(data: bytes, ops) -> bytes:
    out = data
    raw_ops = []
    for op in ops:
        kind = op[0]
        if kind == "boundary":
            out = _replace_nth(out, EML_BOUNDARY.encode(), op[1], op[2].encode())
        elif kind in ("base64", "cut_base64"):
            bodies = list(_BASE64_BODY.finditer(out))
            if bodies:
                body = bodies[op[1] % len(bodies)]
                at = body.start() + op[2] % max(1, body.end() - body.start())
                insert = op[3].encode("utf-8") if kind == "base64" else b""
                end = at if kind == "base64" else body.end()
                out = out[:at] + insert + out[end:]
        elif kind in ("cte", "content_type", "filename"):
            header = {"cte": b"Content-Transfer-Encoding", "content_type": b"Content-Type",
                      "filename": b"Content-Disposition"}[kind]
            span = _header_value_span(out, header, op[1])
            if span:
                value = op[2] if kind != "filename" else f'attachment; filename="{op[2]}"'
                out = out[:span[0]] + value.encode("utf-8", "surrogateescape") + out[span[1]:]
        elif kind == "huge_header":
            out = b"X-Padding: " + b"p" * op[1] + b"\r\n" + out
        elif kind == "many_headers":
            out = b"".join(b"X-H%d: v\r\n" % i for i in range(op[1])) + out
        elif kind == "nest":
            for depth in range(op[1]):
                boundary = b"nest%d" % depth
                out = (b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n--" + boundary + b"\r\n"
                       + out + b"\r\n--" + boundary + b"--\r\n")
        elif kind == "bytes":
            raw_ops.extend(op[1])
    return mutate_bytes(out, raw_ops)


# ---------------------------------------------------------------- zip of returns

# Offsets of fields inside a central directory entry (after "PK\1\2") and a local header ("PK\3\4").
_CENTRAL_FIELDS = {"flags": (8, 2), "method": (10, 2), "crc": (16, 4), "compressed": (20, 4), "size": (24, 4),
                   "name_len": (28, 2), "extra_len": (30, 2), "comment_len": (32, 2), "local_offset": (42, 4)}
_LOCAL_FIELDS = {"flags": (6, 2), "method": (8, 2), "crc": (14, 4), "compressed": (18, 4), "size": (22, 4),
                 "name_len": (26, 2), "extra_len": (28, 2)}
FIELD_VALUES = (0, 1, 8, 12, 14, 99, 0xFFFF, 0xFFFFFFFF, 2**31, 100, 10**9)

zip_op = st.one_of(
    st.tuples(st.just("member_xlsx"), st.integers(0, 15), xlsx_ops),
    st.tuples(st.just("member_bytes"), st.integers(0, 15), byte_ops),
    st.tuples(st.just("drop"), st.integers(0, 15)),
    st.tuples(st.just("dup"), st.integers(0, 15)),
    st.tuples(st.just("rename"), st.integers(0, 15), st.sampled_from(HOSTILE_NAMES)),
    st.tuples(st.just("central"), st.integers(0, 15), st.sampled_from(sorted(_CENTRAL_FIELDS)),
              st.sampled_from(FIELD_VALUES)),
    st.tuples(st.just("local"), st.integers(0, 15), st.sampled_from(sorted(_LOCAL_FIELDS)),
              st.sampled_from(FIELD_VALUES)),
    st.tuples(st.just("nest"), st.integers(1, 6)),
    st.tuples(st.just("bytes"), byte_ops),
)
zip_ops = st.lists(zip_op, min_size=1, max_size=3)


def _set_field(data: bytes, signature: bytes, n: int, fields: dict, name: str, value: int) -> bytes:
    starts = [m.start() for m in re.finditer(re.escape(signature), data)]
    if not starts:
        return data
    offset, size = fields[name]
    at = starts[n % len(starts)] + offset
    out = bytearray(data)
    out[at:at + size] = (value & (2 ** (8 * size) - 1)).to_bytes(size, "little")
    return bytes(out)


def mutate_zip(data: bytes, ops) -> bytes:
    """Member edits (content, drop, duplicate, rename) rebuild the zip; header edits and byte edits
    then damage the rebuilt archive in place; "nest" wraps it in further zips."""
    members = zip_members(data)
    late = []
    for op in ops:
        kind = op[0]
        if kind in ("central", "local", "bytes", "nest"):
            late.append(op)
            continue
        if not members:
            continue
        i = op[1] % len(members)
        name, content = members[i]
        if kind == "member_xlsx" and content.startswith(b"PK"):
            members[i] = (name, mutate_xlsx(content, op[2]))
        elif kind in ("member_xlsx", "member_bytes"):
            members[i] = (name, mutate_bytes(content, op[2] if kind == "member_bytes" else [("flip", 0, 1)]))
        elif kind == "drop":
            del members[i]
        elif kind == "dup":
            members.insert(i, (name, content + b"\x00"))  # same name, other content: not a byte duplicate
        elif kind == "rename":
            members[i] = (op[2] or "x", content)
    out = zip_of(members)
    for op in late:
        if op[0] == "central":
            out = _set_field(out, b"PK\x01\x02", op[1], _CENTRAL_FIELDS, op[2], op[3])
        elif op[0] == "local":
            out = _set_field(out, b"PK\x03\x04", op[1], _LOCAL_FIELDS, op[2], op[3])
        elif op[0] == "nest":
            for depth in range(op[1]):
                out = zip_of({f"level {depth}.zip": out})
        else:
            out = mutate_bytes(out, op[1])
    return out


# ---------------------------------------------------------------- compound files (.xls, .msg)

# Header fields (offset, size) a reader sizes its tables and chains by, and directory entry fields.
_CFB_HEADER = {"sector_shift": (30, 2), "mini_shift": (32, 2), "dir_sectors": (40, 4), "fat_sectors": (44, 4),
               "dir_start": (48, 4), "mini_cutoff": (56, 4), "minifat_start": (60, 4), "minifat_sectors": (64, 4),
               "difat_start": (68, 4), "difat_sectors": (72, 4), "difat_0": (76, 4), "difat_1": (80, 4)}
_CFB_ENTRY = {"name_len": (64, 2), "type": (66, 1), "left": (68, 4), "right": (72, 4), "child": (76, 4),
              "start": (116, 4), "size": (120, 4), "size_high": (124, 4)}
CFB_VALUES = (0, 1, 2, 5, 6, 9, 12, 100, 0x7F, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFA, 0xFFFFFFFE, 0xFFFFFFFF)

cfb_op = st.one_of(
    st.tuples(st.just("header"), st.sampled_from(sorted(_CFB_HEADER)), st.sampled_from(CFB_VALUES)),
    st.tuples(st.just("entry"), st.integers(0, 40), st.sampled_from(sorted(_CFB_ENTRY)), st.sampled_from(CFB_VALUES)),
    st.tuples(st.just("fat"), st.integers(0, 200), st.sampled_from(CFB_VALUES)),
)


def compound_streams(data: bytes) -> dict[str, bytes]:
    """Every stream of a compound file by "storage/stream" path (what ``msg_writer.write_cfb`` takes)."""
    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        return {"/".join(path): ole.openstream(path).read() for path in ole.listdir(streams=True, storages=False)}


def mutate_cfb(data: bytes, ops) -> bytes:
    """Header, directory entry and FAT edits in place (positions wrap round what the file holds)."""
    out = bytearray(data)
    if len(out) < 512:
        return bytes(out)
    sector = 1 << (struct.unpack_from("<H", out, 30)[0] & 0x1F) if struct.unpack_from("<H", out, 30)[0] in (9, 12) else 512
    for op in ops:
        if op[0] == "header":
            offset, size = _CFB_HEADER[op[1]]
            value = op[2]
        elif op[0] == "entry":
            start = (struct.unpack_from("<L", out, 48)[0] + 1) * sector  # the first directory sector
            entries = max(1, (len(out) - start) // 128) if start < len(out) else 1
            offset = start + (op[1] % entries) * 128 + _CFB_ENTRY[op[2]][0]
            size, value = _CFB_ENTRY[op[2]][1], op[3]
        else:  # a FAT entry, in the first FAT sector
            offset, size, value = (struct.unpack_from("<L", out, 76)[0] + 1) * sector + (op[1] % 128) * 4, 4, op[2]
        if offset + size <= len(out):
            out[offset:offset + size] = (value & (2 ** (8 * size) - 1)).to_bytes(size, "little")
    return bytes(out)


# .xls: the workbook stream's BIFF records, then the compound file around them.
biff_op = st.one_of(
    st.tuples(st.just("type"), st.integers(0, 400), st.sampled_from([0x0006, 0x000A, 0x0085, 0x00BD, 0x00BE, 0x00E5,
                                                                     0x00FC, 0x00FD, 0x0203, 0x0204, 0x027E, 0x0809,
                                                                     0x003C, 0x002F, 0x0000, 0xFFFF])),
    st.tuples(st.just("size"), st.integers(0, 400), st.sampled_from([0, 1, 3, 4, 8, 0x2020, 0xFFFF])),
    st.tuples(st.just("field"), st.integers(0, 400), st.integers(0, 24), st.sampled_from([0, 0xFF, 0xFFFF, 0x7FFF])),
    st.tuples(st.just("drop"), st.integers(0, 400)),
    st.tuples(st.just("dup"), st.integers(0, 400), st.integers(2, 50)),
    st.tuples(st.just("bytes"), byte_ops),
)
xls_op = st.one_of(st.tuples(st.just("records"), st.lists(biff_op, min_size=1, max_size=3)),
                   st.tuples(st.just("cfb"), st.lists(cfb_op, min_size=1, max_size=2)),
                   st.tuples(st.just("bytes"), byte_ops))
xls_ops = st.lists(xls_op, min_size=1, max_size=2)


def _biff_records(stream: bytes) -> list[tuple[int, bytes]]:
    records, position = [], 0
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        records.append((kind, stream[position + 4:position + 4 + size]))
        position += 4 + size
    return records


def mutate_biff(stream: bytes, ops) -> bytes:
    """Record edits (type, declared size, a 16-bit field, drop, repeat) on a BIFF stream; byte edits last.
    Offsets of later records are not fixed up, as a damaged file would not fix them."""
    records = _biff_records(stream)
    sizes: dict[int, int] = {}
    raw_ops = []
    for op in ops:
        if op[0] == "bytes":
            raw_ops.extend(op[1])
            continue
        if not records:
            continue
        i = op[1] % len(records)
        kind, body = records[i]
        if op[0] == "type":
            records[i] = (op[2], body)
        elif op[0] == "size":
            sizes[i] = op[2]
        elif op[0] == "field" and body:
            at = op[2] % len(body)
            field = bytearray(body)
            field[at:at + 2] = op[3].to_bytes(2, "little")[:len(field) - at]
            records[i] = (kind, bytes(field))
        elif op[0] == "drop":
            del records[i]
        elif op[0] == "dup":
            records[i:i + 1] = [records[i]] * op[2]
    out = b"".join(struct.pack("<HH", kind, sizes.get(i, len(body)) & 0xFFFF) + body
                   for i, (kind, body) in enumerate(records))
    return mutate_bytes(out, raw_ops)


def mutate_xls(data: bytes, ops) -> bytes:
    from tests.msg_writer import write_cfb

    out = data
    for op in ops:
        if op[0] == "records":
            try:
                streams = compound_streams(out)
            except Exception:  # noqa: BLE001 - already broken: only the other operations apply
                continue
            name = next((n for n in streams if n.lower() in ("workbook", "book")), None)
            if name is None:
                continue
            streams[name] = mutate_biff(streams[name], op[1])
            try:
                out = write_cfb(streams)
            except ValueError:  # too large for the test writer: keep the file as it was
                continue
        elif op[0] == "cfb":
            out = mutate_cfb(out, op[1])
        else:
            out = mutate_bytes(out, op[1])
    return out


# .msg: its streams (attachments, names, properties), then the compound file around them.
MSG_STREAM_NAMES = ("__substg1.0_37010102", "__substg1.0_3707001F", "__substg1.0_3701000D", "__properties_version1.0",
                    "__attach_version1.0_#00000000", "__substg1.0_3001001F", "x" * 40, "")
msg_stream_op = st.one_of(
    st.tuples(st.just("content"), st.integers(0, 40), byte_ops),
    st.tuples(st.just("name_text"), st.integers(0, 40), st.sampled_from(HOSTILE_NAMES + ("Audit 1.xlsx\x00x",))),
    st.tuples(st.just("rename"), st.integers(0, 40), st.sampled_from(MSG_STREAM_NAMES)),
    st.tuples(st.just("drop"), st.integers(0, 40)),
    st.tuples(st.just("dup"), st.integers(0, 40), st.sampled_from(MSG_STREAM_NAMES)),
    st.tuples(st.just("as_storage"), st.integers(0, 40)),
)
msg_op = st.one_of(st.tuples(st.just("streams"), st.lists(msg_stream_op, min_size=1, max_size=3)),
                   st.tuples(st.just("cfb"), st.lists(cfb_op, min_size=1, max_size=2)),
                   st.tuples(st.just("bytes"), byte_ops))
msg_ops = st.lists(msg_op, min_size=1, max_size=2)


def mutate_msg(data: bytes, ops) -> bytes:
    from tests.msg_writer import write_cfb

    out = data
    for op in ops:
        if op[0] == "streams":
            try:
                streams = compound_streams(out)
            except Exception:  # noqa: BLE001 - already broken: only the other operations apply
                continue
            paths = sorted(streams)
            for edit in op[1]:
                if not paths:
                    break
                path = paths[edit[1] % len(paths)]
                folder, _, leaf = path.rpartition("/")
                within = folder + "/" if folder else ""
                if edit[0] == "content":
                    streams[path] = mutate_bytes(streams[path], edit[2])
                elif edit[0] == "name_text":
                    streams[path] = edit[2].encode("utf-16-le", "surrogatepass")
                elif edit[0] == "rename" and edit[2]:
                    streams[within + edit[2][:31]] = streams.pop(path)
                elif edit[0] == "drop":
                    del streams[path]
                elif edit[0] == "dup" and edit[2]:
                    streams[within + edit[2][:31]] = streams[path]
                elif edit[0] == "as_storage":  # a stream's name becomes a storage holding it
                    streams[path + "/" + leaf] = streams.pop(path)
                paths = sorted(streams)
            try:
                out = write_cfb(streams)
            except (ValueError, KeyError, AttributeError):  # the test writer cannot write that tree
                continue
        elif op[0] == "cfb":
            out = mutate_cfb(out, op[1])
        else:
            out = mutate_bytes(out, op[1])
    return out


# .ods: a zip of XML parts, mutated as an .xlsx is, with OpenDocument's own tokens.
ODS_TOKENS = (b' table:number-rows-repeated="1048576"', b' table:number-columns-repeated="16384"',
              b' table:number-columns-repeated="-1"', b' table:number-rows-repeated="99999999999999999999"',
              b' office:value-type="string"', b' office:value-type="float" office:value="1e309"',
              b' office:value-type="date" office:date-value="2024-13-45"', b' office:string-value="x"',
              b' table:formula="of:=1/0"', b"<table:table-row>", b"</table:table-row>", b"<table:table-cell/>",
              b'<table:table table:name="x">', b"</table:table>", b"<text:p>", b'<text:s text:c="100000"/>',
              b"<table:covered-table-cell/>", b'<table:named-range table:name="n"/>')
ods_xml_op = st.one_of(st.tuples(st.just("token_at_tag"), positions, st.sampled_from(ODS_TOKENS + XML_TOKENS)),
                       st.tuples(st.just("drop_element"), positions), byte_op)
ods_op = st.one_of(
    st.tuples(st.just("part"), st.integers(0, 63), st.lists(ods_xml_op, min_size=1, max_size=3)),
    st.tuples(st.just("drop_part"), st.integers(0, 63)),
    st.tuples(st.just("dup_part"), st.integers(0, 63), st.lists(ods_xml_op, max_size=2)),
    st.tuples(st.just("rename_part"), st.integers(0, 63), st.sampled_from(
        ("content.xml", "mimetype", "styles.xml", "META-INF/manifest.xml", "meta.xml", "Content.xml", "../content.xml"))),
    st.tuples(st.just("bytes"), byte_ops),
)
ods_ops = st.lists(ods_op, min_size=1, max_size=3)


def mutate_ods(data: bytes, ops) -> bytes:
    return mutate_xlsx(data, ops)  # the same package edits: parts mutated, dropped, duplicated, renamed


# ---------------------------------------------------------------- reading and tallying


def input_file(name: str, data: bytes) -> InputFile:
    return InputFile(name=name, data=data, sha256=hashlib.sha256(data).hexdigest())


def check_findings(findings: list[Finding]) -> None:
    """Findings are well-formed: a known rule, a severity, a message the user can act on."""
    for f in findings:
        assert isinstance(f, Finding), f
        assert isinstance(f.severity, Severity), f
        assert f.rule in RULES, f"unregistered rule {f.rule!r}"
        assert isinstance(f.message, str) and f.message.strip(), f


@dataclass
class FuzzTally:
    """Counts for one format: the runs, those that raised (with a short trace each), those that gave
    at least one finding, and how the mutated inputs were read."""

    fmt: str
    runs: int = 0
    with_findings: int = 0
    unhandled: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)
    slowest: float = 0.0
    slowest_example: str = ""

    def run(self, read, example: object = "") -> None:
        """Call ``read()`` (which returns the findings and the kinds read); record, and re-raise any
        exception so hypothesis shrinks it to a minimal mutation."""
        self.runs += 1
        started = time.perf_counter()
        try:
            findings, kinds = read()
        except BaseException:
            self.unhandled.append(traceback.format_exc(limit=-3))
            raise
        finally:
            elapsed = time.perf_counter() - started
            if elapsed > self.slowest:
                self.slowest, self.slowest_example = elapsed, repr(example)[:300]
        check_findings(findings)
        stopped = [f for f in findings if f.rule == "file.reader_stopped"]
        if stopped:  # the reader ended its process: contained, but a crash all the same
            self.unhandled.append(f"the reader stopped on {stopped[0].file}: {example!r}"[:500])
            raise AssertionError(self.unhandled[-1])
        self.kinds.update(kinds)
        if findings:
            self.with_findings += 1

    def summary(self) -> str:
        read = sum(n for kind, n in self.kinds.items() if kind not in ("unreadable", "none"))
        return (f"fuzz {self.fmt}: {self.runs:,} mutations, {len(self.unhandled)} unhandled, "
                f"{self.with_findings:,} with findings, {read:,} inputs still read "
                f"(slowest {self.slowest * 1000:,.0f} ms)")


def read_in_memory(name: str, data: bytes):
    """Read one mutated file in this process as the pipeline reads each file (``reading.read_input``: the
    returns reader, then the exports reader on the sheets it already read); the bytes must be unchanged
    afterwards."""
    from pqa_desktop.core.pipeline.reading import read_input

    item = input_file(name, data)
    result = read_input(item)
    assert hashlib.sha256(item.data).hexdigest() == item.sha256, "the input bytes were changed"
    assert isinstance(result, ReadResult), result
    if result.kind == "skipped":  # "not an auditor return ... or a system export" (RULE_NOT_RECOGNISED)
        return list(result.findings), ["none"]
    return list(result.findings), [result.kind]


def read_contained(name: str, data: bytes):
    """Read one mutated spreadsheet as the pipeline does, in a reading process (``reading.read_inputs``), so
    a native reader that ends its process fails the property as a finding would not: it shows as the
    ``file.reader_stopped`` finding, which ``FuzzTally`` counts as a crash."""
    from pqa_desktop.core.pipeline import reading

    item = input_file(name, data)
    # The reading process read_inputs uses, kept between examples (read_inputs stops a forked one after
    # each call, and a fork per example would double the run).
    result = reading._quarantine().read(item, None) or reading._reader_stopped(item)
    assert hashlib.sha256(item.data).hexdigest() == item.sha256, "the input bytes were changed"
    if result.kind == "skipped":
        return list(result.findings), ["none"]
    return list(result.findings), [result.kind]


def read_from_disk(path: Path, data: bytes):
    """Write a mutated container to ``path``, discover it and read every file found in it; the file on
    disk must be unchanged afterwards. Each example's file is a new file: rewriting the last one in place
    (truncating it) made ext4 write it out to the disk first (its "replace by truncate" safeguard), 2.7 ms an
    example here against 0.35 ms for a new file, the same bytes read back by the same ``discover``."""
    path.unlink(missing_ok=True)
    path.write_bytes(data)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    files, findings = discover([path])
    kinds = []
    for item in files:
        read = read_contained if item.suffix in (".xlsx", ".xlsm", ".xls", ".ods") else read_in_memory
        found, item_kinds = read(item.name, item.data)
        findings.extend(found)
        kinds.extend(item_kinds)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "the input file was changed"
    return findings, kinds or ["none"]


def scratch_folder() -> Path:
    """A folder for mutated containers (hypothesis runs many examples per test, so not tmp_path)."""
    return Path(tempfile.mkdtemp(prefix="pqa-fuzz-"))
