"""The command line's security options end to end: output password, email draft, input passwords,
the leak check on every build, inspect, lookup and purge."""
from __future__ import annotations

import email
import io
from datetime import date
from email import policy
from pathlib import Path

import msoffcrypto
import pytest
from openpyxl import load_workbook

from pqa_desktop.cli import main
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.encryption import encrypt_xlsx
from pqa_desktop.core.inspect import Leak
from pqa_desktop.core.returns.templates import return_bytes

ARGS = ["--period-end", "2024-09", "--la-name", "Anytown Council", "--produced", "2024-10-07"]


def _return(folder: Path, name: str, ref: str, overall: str = "Good") -> Path:
    values = {"case_ref": ref, "service_area": "IRT", "team": "IRT 1", "auditor": "Mary Watson",
              "social_worker": "Harriet Lambert", "audit_date": date(2024, 6, 12), "overall": overall,
              "feedback_source": "Parent or carer", "feedback_sentiment": "Getting it right",
              "feedback_text": "Harriet Lambert always calls back."}
    path = folder / name
    path.write_bytes(return_bytes("case_file_audit", values))
    return path


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _return(folder, "a.xlsx", "ZX40112")
    _return(folder, "b.xlsx", "ZX40113", "Requires improvement")
    return folder


def _decrypt(data: bytes, password: str) -> bytes:
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password=password)
    out = io.BytesIO()
    office.decrypt(out)
    return out.getvalue()


def test_password_file_encrypts_and_email_draft_never_holds_it(inputs, tmp_path):
    (tmp_path / "pw.txt").write_text("Tulip-Harbour-9\n", encoding="utf-8")
    out, draft = tmp_path / "r.xlsx", tmp_path / "r.eml"
    assert main(["build", str(inputs), "-o", str(out), *ARGS, "--password-file", str(tmp_path / "pw.txt"),
                 "--email-draft", str(draft)]) == 0
    with pytest.raises(Exception):
        load_workbook(out)  # encrypted: not a plain package
    wb = load_workbook(io.BytesIO(_decrypt(out.read_bytes(), "Tulip-Harbour-9")))
    assert "Audit list" in wb.sheetnames
    raw = draft.read_bytes()
    assert b"Tulip-Harbour-9" not in raw
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["X-Unsent"] == "1"
    attachment = next(message.iter_attachments())
    assert attachment.get_content() == out.read_bytes()
    body = message.get_body(("plain",)).get_content()
    assert "password" in body.lower() and "ZX40112" not in body and "Lambert" not in body


def test_password_file_missing_is_a_usage_error(inputs, tmp_path):
    assert main(["build", str(inputs), "-o", str(tmp_path / "r.xlsx"), *ARGS,
                 "--password-file", str(tmp_path / "nope.txt")]) == 2
    assert not (tmp_path / "r.xlsx").exists()


def test_input_passwords_open_a_protected_return(inputs, tmp_path):
    protected = inputs / "c.xlsx"
    protected.write_bytes(encrypt_xlsx(_return(tmp_path, "c.xlsx", "ZX40114").read_bytes(), "Audit2024"))
    out = tmp_path / "r.xlsx"
    assert main(["build", str(inputs), "-o", str(out), *ARGS]) == 0
    dq = [c.value for row in load_workbook(out)["Data quality"].iter_rows() for c in row]
    assert "file.password_protected" in dq
    (tmp_path / "pws.txt").write_text("wrong\nAudit2024\n", encoding="utf-8")
    assert main(["build", str(inputs), "-o", str(out), *ARGS, "--input-passwords", str(tmp_path / "pws.txt")]) == 0
    dq = [c.value for row in load_workbook(out)["Data quality"].iter_rows() for c in row]
    assert "file.password_protected" not in dq
    ws = load_workbook(out)["Audit list"]
    assert len(list(ws[ws.tables["tbl_audits"].ref])) == 4  # header + 3 audits


def test_a_build_that_would_leak_writes_nothing(inputs, tmp_path, monkeypatch, capsys):
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"previous")
    monkeypatch.setattr(pipeline, "inspect_with", lambda *a, **k: [
        Leak("cell 'Audit list'!B7", "case reference", "A child's ID appears in cell 'Audit list'!B7.")])
    assert main(["build", str(inputs), "-o", str(out), *ARGS]) == 1
    assert out.read_bytes() == b"previous"
    assert "'Audit list'!B7" in capsys.readouterr().err


def test_inspect_passes_default_output_and_catches_opted_in_references(inputs, tmp_path, capsys):
    clean, opted = tmp_path / "clean.xlsx", tmp_path / "opted.xlsx"
    assert main(["build", str(inputs), "-o", str(clean), *ARGS]) == 0
    assert main(["build", str(inputs), "-o", str(opted), *ARGS, "--include-case-refs"]) == 0
    capsys.readouterr()
    assert main(["inspect", str(clean), str(inputs), "--la-name", "Anytown Council", "--period-end", "2024-09"]) == 0
    assert main(["inspect", str(opted), str(inputs), "--period-end", "2024-09"]) == 1
    printed = capsys.readouterr().out
    assert "Audit list" in printed and "ZX40112" not in printed
    assert main(["inspect", str(opted), str(inputs), "--period-end", "2024-09", "--include-case-refs"]) == 0


def test_lookup_and_purge_with_a_workspace(inputs, tmp_path, capsys):
    ws, out = tmp_path / "ws.sqlite", tmp_path / "r.xlsx"
    assert main(["build", str(inputs), "-o", str(out), *ARGS, "--workspace", str(ws)]) == 0
    sheet = load_workbook(out)["Audit list"]
    key = list(sheet[sheet.tables["tbl_audits"].ref])[1][0].value
    capsys.readouterr()
    assert main(["lookup", key, "--workspace", str(ws)]) == 0
    assert "ZX4011" in capsys.readouterr().out
    assert main(["lookup", "0000000000", "--workspace", str(ws)]) == 1
    assert main(["purge", "--workspace", str(ws), "--older-than", "1"]) == 0
    assert main(["lookup", key, "--workspace", str(ws)]) == 1
