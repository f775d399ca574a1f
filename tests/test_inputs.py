"""discover(): folders, zips, saved emails and Outlook messages to a flat list of candidate inputs."""
from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import olefile
import pytest

from pqa_desktop.core.findings import Severity
from pqa_desktop.core.inputs.archives import SEP, ArchiveLimits, safe_name
from pqa_desktop.core.inputs.discover import discover
from tests.msg_writer import EmbeddedMessage, build_msg, write_cfb

XLSX_MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2024, 5, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _names(files) -> list[str]:
    return [f.name for f in files]


def _by_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


# ---------------------------------------------------------------- folders


def test_folder_is_searched_recursively_in_name_order_and_left_untouched(tmp_path):
    root = tmp_path / "May returns"
    # Created out of order: the result must not depend on creation or directory order.
    _write(root / "sub" / "deeper" / "d.ods", b"ods-d")
    _write(root / "b.xlsx", b"xlsx-b")
    _write(root / "sub" / "c.xlsx", b"xlsx-c")
    _write(root / "A.csv", b"csv,a\n")
    _write(root / "desktop.ini", b"[.ShellClassInfo]")
    stamp = datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc).timestamp()
    os.utime(root / "b.xlsx", (stamp, stamp))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}

    files, findings = discover([root])

    assert _names(files) == ["A.csv", "b.xlsx", "c.xlsx", "d.ods"]
    b = files[1]
    assert b.data == b"xlsx-b"
    assert b.sha256 == hashlib.sha256(b"xlsx-b").hexdigest()
    assert b.path == str(root / "b.xlsx")
    assert b.modified == datetime(2024, 5, 1, 12, 30)  # naive UTC
    assert files[3].path == str(root / "sub" / "deeper" / "d.ods")
    assert [(f.file, f.severity, f.rule) for f in findings] == [("desktop.ini", Severity.INFO, "input.skipped")]
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    assert after == before


def test_order_is_deterministic_and_paths_keep_the_order_given(tmp_path):
    for name in ["zeta.csv", "Alpha.csv", "beta.xlsx", "Gamma.xlsm", "alpha2.csv"]:
        _write(tmp_path / "f" / name, name.encode())
    single = _write(tmp_path / "single.csv", b"single")
    first = discover([single, tmp_path / "f"])
    second = discover([str(single), str(tmp_path / "f")])
    assert _names(first[0]) == ["single.csv", "Alpha.csv", "alpha2.csv", "beta.xlsx", "Gamma.xlsm", "zeta.csv"]
    assert _names(first[0]) == _names(second[0])
    assert first[1] == second[1]


def test_files_that_are_not_inputs_are_skipped_with_info_findings(tmp_path):
    for name in ["desktop.ini", "Thumbs.db", ".DS_Store", "~$Audit 1.xlsx", "minutes.docx", "README"]:
        _write(tmp_path / name, b"something")
    _write(tmp_path / "Audit 1.xlsx", b"real")
    files, findings = discover([tmp_path])
    assert _names(files) == ["Audit 1.xlsx"]
    assert len(findings) == 6
    assert {f.rule for f in findings} == {"input.skipped"}
    assert {f.severity for f in findings} == {Severity.INFO}
    assert sorted(f.file for f in findings) == sorted(
        ["desktop.ini", "Thumbs.db", ".DS_Store", "~$Audit 1.xlsx", "minutes.docx", "README"])
    assert all(f.message.startswith("Skipped: not an input") for f in findings)


def test_empty_file_is_a_warning_not_an_input(tmp_path):
    _write(tmp_path / "blank.xlsx", b"")
    files, findings = discover([tmp_path])
    assert files == []
    assert [(f.file, f.severity, f.rule) for f in findings] == [("blank.xlsx", Severity.WARNING, "input.empty")]


def test_missing_path_is_an_error_finding_and_the_rest_is_still_read(tmp_path):
    good = _write(tmp_path / "Audit 1.xlsx", b"real")
    files, findings = discover([tmp_path / "gone" / "nope.xlsx", good])
    assert _names(files) == ["Audit 1.xlsx"]
    assert [(f.file, f.severity, f.rule) for f in findings] == [("nope.xlsx", Severity.ERROR, "input.unreadable")]
    assert "gone" not in findings[0].message  # folders are never shown


def test_duplicates_are_kept_once_naming_both(tmp_path):
    _write(tmp_path / "a" / "Audit 1.xlsx", b"same bytes")
    _write(tmp_path / "b" / "Copy of Audit 1.xlsx", b"same bytes")
    _write(tmp_path / "c" / "returns.zip", _zip({"Audit 1 again.xlsx": b"same bytes"}))
    files, findings = discover([tmp_path])
    assert _names(files) == ["Audit 1.xlsx"]
    dups = _by_rule(findings, "input.duplicate_file")
    assert [(f.file, f.severity) for f in dups] == [
        ("Copy of Audit 1.xlsx", Severity.INFO), ("returns.zip" + SEP + "Audit 1 again.xlsx", Severity.INFO)]
    for f in dups:
        assert "'Audit 1.xlsx'" in f.message and f"'{f.file}'" in f.message


def test_same_name_different_content_gets_a_distinct_display_name(tmp_path):
    _write(tmp_path / "north" / "Audit.xlsx", b"north")
    _write(tmp_path / "south" / "Audit.xlsx", b"south")
    files, _ = discover([tmp_path])
    assert _names(files) == ["Audit.xlsx", "Audit (2).xlsx"]
    assert [f.data for f in files] == [b"north", b"south"]


def test_cancel_stops_between_files(tmp_path):
    for i in range(5):
        _write(tmp_path / f"file{i}.csv", f"{i}".encode())
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 3

    files, _ = discover([tmp_path], cancel=cancel)
    assert _names(files) == ["file0.csv", "file1.csv"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_links_out_of_the_tree_and_folder_loops_are_not_followed(tmp_path):
    outside = _write(tmp_path / "elsewhere" / "secret.csv", b"outside")
    root = tmp_path / "drop"
    _write(root / "in.csv", b"inside")
    try:
        os.symlink(outside, root / "link.csv")
        os.symlink(root, root / "loop", target_is_directory=True)
    except OSError:
        pytest.skip("symlinks not permitted here")
    files, findings = discover([root])
    assert _names(files) == ["in.csv"]
    assert [(f.file, f.rule) for f in findings] == [("link.csv", "input.skipped")]


# ---------------------------------------------------------------- zips


def test_zip_with_folders_and_a_nested_zip(tmp_path):
    inner = _zip({"Audit 2.csv": b"ref,grade\n"})
    outer = _zip({"May/Team A/Audit 1.xlsx": b"xlsx-1", "May/inner.zip": inner, "May/notes.txt": b"hello",
                  "May/": b""})
    path = _write(tmp_path / "returns.zip", outer)
    files, findings = discover([path])
    assert _names(files) == ["returns.zip" + SEP + "inner.zip" + SEP + "Audit 2.csv",
                             "returns.zip" + SEP + "Audit 1.xlsx"]  # sorted by path: May/inner.zip < May/Team A/
    assert files[0].data == b"ref,grade\n"
    assert {f.path for f in files} == {str(path)}
    assert files[1].suffix == ".xlsx" and files[1].leaf_name == "Audit 1.xlsx"
    assert [(f.file, f.rule) for f in findings] == [("returns.zip" + SEP + "notes.txt", "input.skipped")]


def test_zip_member_names_are_sanitised(tmp_path):
    archive = _zip({"../../evil.xlsx": b"one", "C:\\x\\evil2.xlsx": b"two", "/etc/evil3.csv": b"three",
                    "bad\x07name.csv": b"four"})
    path = _write(tmp_path / "returns.zip", archive)
    files, findings = discover([path])
    assert findings == []
    assert sorted(_names(files)) == sorted("returns.zip" + SEP + n for n in
                                           ["evil.xlsx", "evil2.xlsx", "evil3.csv", "badname.csv"])
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["returns.zip"]  # nothing was written anywhere


@pytest.mark.parametrize("raw, expected", [
    ("../../evil.xlsx", "evil.xlsx"),
    ("C:\\x\\evil.xlsx", "evil.xlsx"),
    ("C:evil.xlsx", "evil.xlsx"),
    ("/abs/path/a.csv", "a.csv"),
    ("folder/..", "folder"),
    ("..", "unnamed"),
    ("", "unnamed"),
    ("line\r\nbreak.csv", "linebreak.csv"),
    ("invoice\u202excod.xlsx", "invoicexcod.xlsx"),  # a right-to-left override hides the real suffix
    ("a \u203a b.xlsx", "a - b.xlsx"),  # the chain separator cannot be forged
])
def test_safe_name(raw, expected):
    assert safe_name(raw) == expected


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.zip"
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Audit 1.xlsx", b"real return")
        with archive.open("Audit 2.xlsx", "w", force_zip64=True) as member:
            for _ in range(300):  # 300 MB of zeros, about 300 kB compressed
                member.write(zeros)
    files, findings = discover([path])
    assert _names(files) == ["bomb.zip" + SEP + "Audit 1.xlsx"]
    assert [(f.file, f.severity, f.rule) for f in findings] == [
        ("bomb.zip" + SEP + "Audit 2.xlsx", Severity.ERROR, "input.zip_refused")]
    assert "200 MB" in findings[0].message  # over the single-member limit before the ratio is even checked


def test_highly_compressed_member_under_the_size_limit_is_refused(tmp_path):
    path = _write(tmp_path / "r.zip", _zip({"big.csv": bytes(3 * 1024 * 1024)}))  # ~1000:1, 3 MB
    files, findings = discover([path])
    assert files == []
    assert [(f.rule, f.severity) for f in findings] == [("input.zip_refused", Severity.ERROR)]
    assert "200 to 1" in findings[0].message


def test_declared_size_is_not_trusted(tmp_path):
    """Headers claiming 100 bytes for 5 MB of zeros: the member is not read as an input."""
    data = bytearray(_zip({"small.csv": bytes(5 * 1024 * 1024)}))
    central = data.find(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")  # uncompressed size
    data[22:26] = (100).to_bytes(4, "little")  # local header copy
    path = _write(tmp_path / "liar.zip", bytes(data))
    files, findings = discover([path])
    assert files == []
    assert [f.severity for f in findings] == [Severity.ERROR]
    assert findings[0].rule in ("input.zip_bad", "input.zip_refused")


def test_total_and_member_limits_can_be_shrunk(tmp_path):
    # 40,000 bytes each, compressing to a few hundred: the zip itself stays under every limit below.
    members = {f"Audit {i}.csv": f"row,{i},x\n".encode() * 5_000 for i in range(1, 4)}
    path = _write(tmp_path / "r.zip", _zip(members))
    files, findings = discover([path], limits=ArchiveLimits(max_total_bytes=100_000))
    assert _names(files) == ["r.zip" + SEP + "Audit 1.csv", "r.zip" + SEP + "Audit 2.csv"]
    assert [(f.file, f.rule) for f in findings] == [("r.zip", "input.zip_refused")]
    assert "Audit 3.csv" in findings[0].message

    files, findings = discover([path], limits=ArchiveLimits(max_member_bytes=30_000))
    assert files == [] and len(findings) == 3
    assert {f.rule for f in findings} == {"input.zip_refused"}

    files, findings = discover([path], limits=ArchiveLimits(max_members=2))
    assert files == [] and [(f.file, f.rule) for f in findings] == [("r.zip", "input.zip_refused")]


def test_encrypted_member_and_bad_zip_are_findings(tmp_path):
    data = bytearray(_zip({"locked.xlsx": b"secret", "open.csv": b"fine"}))
    # Set the "encrypted" flag on the first member in its local header and its central directory entry.
    data[6] |= 0x01
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x01
    _write(tmp_path / "a.zip", bytes(data))
    _write(tmp_path / "b.zip", b"PK\x03\x04 this is not really a zip")
    files, findings = discover([tmp_path])
    assert _names(files) == ["a.zip" + SEP + "open.csv"]
    assert sorted((f.file, f.severity, f.rule) for f in findings) == [
        ("a.zip" + SEP + "locked.xlsx", Severity.ERROR, "input.zip_encrypted"),
        ("b.zip", Severity.ERROR, "input.zip_bad"),
    ]


def test_nesting_deeper_than_three_containers_is_not_opened(tmp_path):
    d = _zip({"x.csv": b"too deep"})
    c = _zip({"d.zip": d, "y.csv": b"deep enough"})
    b = _zip({"c.zip": c})
    path = _write(tmp_path / "a.zip", _zip({"b.zip": b}))
    files, findings = discover([path])
    chain = SEP.join(["a.zip", "b.zip", "c.zip"])
    assert _names(files) == [chain + SEP + "y.csv"]
    assert [(f.file, f.severity, f.rule) for f in findings] == [
        (chain + SEP + "d.zip", Severity.WARNING, "input.too_deep")]


# ---------------------------------------------------------------- emails


def _email(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "auditor@example.org"
    message["To"] = "qa@example.org"
    message["Subject"] = subject
    message.set_content("Please find the returns attached.\n")
    return message


def test_eml_attachments_nested_zip_and_attached_message(tmp_path):
    forwarded = _email("Fwd: late return")
    forwarded.add_attachment(b"late,1\n", maintype="text", subtype="csv", filename="Audit 4.csv")
    message = _email("May audits")
    message.add_attachment(b"xlsx-1", maintype=XLSX_MIME[0], subtype=XLSX_MIME[1], filename="Audit 1.xlsx")
    message.add_attachment(b"ref,grade\r\nA,Good\r\n", maintype="text", subtype="csv", filename="Audit 2.csv")
    message.add_attachment(_zip({"Audit 3.xlsx": b"xlsx-3"}), maintype="application", subtype="zip",
                           filename="more.zip")
    message.add_attachment(forwarded)
    path = _write(tmp_path / "Audits.eml", message.as_bytes(policy=default_policy))

    files, findings = discover([path])

    assert _names(files) == ["Audits.eml" + SEP + "Audit 1.xlsx", "Audits.eml" + SEP + "Audit 2.csv",
                             "Audits.eml" + SEP + "more.zip" + SEP + "Audit 3.xlsx",
                             "Audits.eml" + SEP + "attached message.eml" + SEP + "Audit 4.csv"]
    assert [f.data for f in files] == [b"xlsx-1", b"ref,grade\r\nA,Good\r\n", b"xlsx-3", b"late,1\n"]
    assert {f.path for f in files} == {str(path)}
    assert findings == []  # the bodies are not inputs and not findings


def test_eml_inline_part_with_filename_is_a_candidate_and_attachment_names_are_sanitised(tmp_path):
    message = _email("Inline")
    message.add_related(b"a,b\n", maintype="text", subtype="csv", filename="..\\..\\inline.csv",
                        disposition="inline")
    path = _write(tmp_path / "i.eml", message.as_bytes())
    files, findings = discover([path])
    assert _names(files) == ["i.eml" + SEP + "inline.csv"]
    assert findings == []


def test_eml_without_attachments_is_a_warning(tmp_path):
    path = _write(tmp_path / "Chat.eml", _email("No files").as_bytes())
    files, findings = discover([path])
    assert files == []
    assert [(f.file, f.severity, f.rule) for f in findings] == [
        ("Chat.eml", Severity.WARNING, "input.email_no_attachments")]


def test_an_email_of_many_nested_parts_parses_each_header_once(tmp_path, monkeypatch):
    """The parser and the walk over the parts ask each part for its Content-Type again and again; parsed anew
    each time, a damaged email of a few hundred nested parts took seconds to open (issue 18: the fuzz
    profile's slowest format). Each distinct header line is parsed once, and the attachment still found."""
    from email import headerregistry

    attached = _email("Audits")
    attached.add_attachment(b"a,b\r\n1,2\r\n", maintype="text", subtype="csv", filename="Tracker.csv")
    data = attached.as_bytes()
    for depth in range(300):  # every level a multipart part around the one before
        boundary = b"level%d" % depth
        data = (b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n--" + boundary + b"\r\n" + data
                + b"\r\n--" + boundary + b"--\r\n")
    parsed = []
    real = headerregistry.HeaderRegistry.__call__
    monkeypatch.setattr(headerregistry.HeaderRegistry, "__call__",
                        lambda self, name, value: parsed.append((name, value)) or real(self, name, value))
    files, findings = discover([_write(tmp_path / "Nested.eml", data)])
    assert [f.name.rsplit(SEP, 1)[-1] for f in files] == ["Tracker.csv"] and findings == []
    assert len(parsed) == len(set(parsed)), "a header was parsed more than once"


def test_msg_writer_output_is_a_valid_compound_file():
    big = bytes(range(256)) * 20  # 5,120 bytes: stored in normal sectors, not the mini stream
    data = build_msg("May audits", [("Audit 1.xlsx", b"small"), ("big.csv", big)])
    assert len(data) % 512 == 0
    with olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert ole.openstream("__substg1.0_0037001F").read().decode("utf-16-le") == "May audits"
        assert ole.openstream("__attach_version1.0_#00000000/__substg1.0_3707001F").read() == \
            "Audit 1.xlsx".encode("utf-16-le")
        assert ole.openstream("__attach_version1.0_#00000000/__substg1.0_37010102").read() == b"small"
        assert ole.openstream("__attach_version1.0_#00000001/__substg1.0_37010102").read() == big
        assert ole.get_type("__attach_version1.0_#00000001") == olefile.STGTY_STORAGE
        assert len(ole.listdir(streams=True, storages=False)) == 8


def test_cfb_writer_with_many_entries_round_trips():
    streams = {f"s{i:02d}/stream{i}": bytes([i]) * (i * 300) for i in range(1, 30)}
    with olefile.OleFileIO(io.BytesIO(write_cfb(streams)), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        for path, data in streams.items():
            assert ole.openstream(path).read() == data


def test_msg_attachments(tmp_path):
    path = _write(tmp_path / "Audits.msg", build_msg(
        "May audits", [("Audit 1.xlsx", b"xlsx-1"), ("Audit 2.csv", b"ref,grade\n"), ("logo.png", b"\x89PNG")]))
    files, findings = discover([path])
    assert _names(files) == ["Audits.msg" + SEP + "Audit 1.xlsx", "Audits.msg" + SEP + "Audit 2.csv"]
    assert [f.data for f in files] == [b"xlsx-1", b"ref,grade\n"]
    assert [(f.file, f.rule) for f in findings] == [("Audits.msg" + SEP + "logo.png", "input.skipped")]


def test_msg_short_names_embedded_messages_and_zip_attachments(tmp_path):
    forwarded = EmbeddedMessage("Fwd late return", "Fwd: late return", [("Audit 3.csv", b"late\n")])
    path = _write(tmp_path / "Audits.msg", build_msg(
        "May", [("AUDIT~1.XLS", b"xls-1"), forwarded, ("R.ZIP", _zip({"Audit 4.xlsx": b"xlsx-4"}))],
        name_stream="3704001F"))
    files, findings = discover([path])
    assert _names(files) == ["Audits.msg" + SEP + "AUDIT~1.XLS",
                             "Audits.msg" + SEP + "Fwd late return.msg" + SEP + "Audit 3.csv",
                             "Audits.msg" + SEP + "R.ZIP" + SEP + "Audit 4.xlsx"]
    assert findings == []


def test_damaged_msg_and_msg_inside_zip(tmp_path):
    good = build_msg("x", [("Audit 1.csv", b"a\n")])
    _write(tmp_path / "broken.msg", b"\xd0\xcf\x11\xe0 not a compound file" * 100)
    _write(tmp_path / "mail.zip", _zip({"Audits.msg": good}))
    files, findings = discover([tmp_path])
    assert _names(files) == ["mail.zip" + SEP + "Audits.msg" + SEP + "Audit 1.csv"]
    assert [(f.file, f.severity, f.rule) for f in findings] == [("broken.msg", Severity.ERROR, "input.email_bad")]


def test_eml_with_a_base64_encoded_attached_message(tmp_path):
    """Some clients base64-encode an attached message; its attachments are still found."""
    inner = (b"From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=ZZ\r\n\r\n--ZZ\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
             b"--ZZ\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=\"in.csv\"\r\n\r\n"
             b"a,b\r\n--ZZ--\r\n")
    outer = (b"From: a@example.org\r\nSubject: y\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=YY\r\n\r\n--YY\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
             b"--YY\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n"
             b"Content-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\n"
             + base64.encodebytes(inner) + b"\r\n--YY--\r\n")
    files, findings = discover([_write(tmp_path / "o.eml", outer)])
    assert [(f.name, f.data) for f in files] == [("o.eml" + SEP + "fwd.eml" + SEP + "in.csv", b"a,b")]
    assert findings == []


def test_a_container_dropped_twice_is_opened_once(tmp_path):
    archive = _zip({"Audit 1.xlsx": b"one", "Audit 2.xlsx": b"two"})
    first = _write(tmp_path / "returns.zip", archive)
    second = _write(tmp_path / "returns (1).zip", archive)
    files, findings = discover([first, second])
    assert _names(files) == ["returns.zip" + SEP + "Audit 1.xlsx", "returns.zip" + SEP + "Audit 2.xlsx"]
    assert [(f.file, f.rule) for f in findings] == [("returns (1).zip", "input.duplicate_file")]
