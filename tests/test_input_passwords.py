"""Password-protected inputs: decrypted with the passwords the user gave, else one clear finding."""
from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from pqa_desktop import cli
from pqa_desktop.core.encryption import (PasswordFileError, decrypt_input, needs_password, read_input_passwords,
                                         unlock_inputs)
from pqa_desktop.core.findings import Severity
from pqa_desktop.core.returns.reader import read_return
from tests import libreoffice_macro
from tests.returns_fixtures import input_file, write_template

CASE = {"case_ref": "CR-2001", "service_area": "Family Safeguarding", "audit_date": "03/05/2024",
        "overall": "Good", "audit_kind": "Case file audit"}
CARER = {"case_ref": "CR-2002", "service_area": "Children in Care", "audit_date": "14/06/2024",
         "overall": "Inadequate", "audit_kind": "Case file audit"}


def _locked(tmp_path, name: str, values: dict, password: str):
    plain = write_template(tmp_path / f"plain_{name}", "case_file_audit", values)
    locked = tmp_path / name
    with open(plain, "rb") as src, open(locked, "wb") as out:
        OOXMLFile(src).encrypt(password, out)
    return input_file(locked)


def test_right_password_reads_the_return(tmp_path):
    item = _locked(tmp_path, "Audit CR-2001.xlsx", CASE, "Autumn-2024")
    assert needs_password(item)
    opened = decrypt_input(item, ["wrong one", "Autumn-2024"])
    assert opened is not None
    # Same file as far as findings and provenance go: name, path and hash of the file on disk.
    assert (opened.name, opened.path, opened.sha256) == (item.name, item.path, item.sha256)
    assert zipfile.is_zipfile(io.BytesIO(opened.data)) and not needs_password(opened)
    result = read_return(opened)
    assert result.kind == "case_file_audit"
    assert [(a.reference, a.overall) for a in result.audits] == [("CR-2001", "Good")]
    assert "file.password_protected" not in {f.rule for f in result.findings}


def test_wrong_password_gives_one_clear_finding_never_a_crash(tmp_path):
    item = _locked(tmp_path, "Audit May.xlsx", CASE, "Autumn-2024")
    assert decrypt_input(item, ["autumn-2024", "Autumn 2024", ""]) is None
    assert unlock_inputs([item], ["autumn-2024"]) == [item]  # left as it is, for the readers to report
    result = read_return(item)
    assert result.kind == "unreadable" and result.audits == []
    assert [(f.file, f.severity, f.rule) for f in result.findings] == [
        ("Audit May.xlsx", Severity.ERROR, "file.password_protected")]
    message = result.findings[0].message
    assert "password protected" in message
    assert "asks for it" in message and "--" not in message  # the app shows it too: no command-line options
    assert "--input-passwords" in cli._finding_line(result.findings[0])  # the command line says how, itself
    assert "utumn" not in message


def test_several_passwords_are_tried_on_every_input(tmp_path):
    first = _locked(tmp_path, "a.xlsx", CASE, "alpha")
    second = _locked(tmp_path, "b.xlsx", CARER, "beta")
    plain = input_file(write_template(tmp_path / "c.xlsx", "case_file_audit", CASE))
    nobody = _locked(tmp_path, "d.xlsx", CASE, "gamma")
    unlocked = unlock_inputs([first, second, plain, nobody], ["beta", "alpha"])
    assert [i.name for i in unlocked] == ["a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx"]
    assert unlocked[2] is plain and unlocked[3] is nobody
    overall = [[a.overall for a in read_return(i).audits] for i in unlocked]
    assert overall == [["Good"], ["Inadequate"], ["Good"], []]
    assert read_return(unlocked[3]).kind == "unreadable"


def test_a_file_that_is_not_encrypted_is_left_alone(tmp_path):
    plain = input_file(write_template(tmp_path / "c.xlsx", "case_file_audit", CASE))
    assert not needs_password(plain)
    assert decrypt_input(plain, ["anything"]) is None


def test_a_damaged_encrypted_file_is_a_finding_not_a_crash(tmp_path):
    item = _locked(tmp_path, "broken.xlsx", CASE, "alpha")
    for cut in (len(item.data) // 2, 4096, 600):
        damaged = replace(item, data=item.data[:cut])
        assert decrypt_input(damaged, ["alpha"]) is None
        result = read_return(damaged)
        assert result.kind == "unreadable"
        assert [f.severity for f in result.findings] == [Severity.ERROR]


# --- the --input-passwords file ------------------------------------------------------------------

def test_input_passwords_one_per_line(tmp_path):
    path = tmp_path / "passwords.txt"
    path.write_bytes("\ufeffalpha\r\n\r\n  beta  \n\talpha\ngamma delta\n   \n".encode("utf-8"))
    assert read_input_passwords(path) == ["alpha", "beta", "gamma delta"]


def test_input_passwords_errors(tmp_path):
    with pytest.raises(PasswordFileError, match=r"passwords\.txt does not exist"):
        read_input_passwords(tmp_path / "passwords.txt")
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n\n")
    with pytest.raises(PasswordFileError, match="one password on each line"):
        read_input_passwords(blank)


# --- legacy .xls ---------------------------------------------------------------------------------

@pytest.mark.libreoffice
def test_encrypted_xls_from_libreoffice(tmp_path):
    """An Excel 97-2003 file saved with a password (RC4, by LibreOffice) opens with the password, and
    one saved only "write protected" (Excel's published default password) opens without asking."""
    source = write_template(tmp_path / "source.xlsx", "case_file_audit", CASE)
    locked, default = tmp_path / "locked.xls", tmp_path / "default.xls"
    assert libreoffice_macro.convert(source, locked, "MS Excel 97", new_password="Winter-24")
    assert libreoffice_macro.convert(source, default, "MS Excel 97", new_password="VelvetSweatshop")

    item = input_file(locked)
    assert needs_password(item)
    assert read_return(item).findings[0].rule == "file.password_protected"
    assert decrypt_input(item, ["winter-24"]) is None
    opened = decrypt_input(item, ["winter-24", "Winter-24"])
    assert opened is not None and not needs_password(opened)
    assert [(a.reference, a.overall) for a in read_return(opened).audits] == [("CR-2001", "Good")]

    write_protected = input_file(default)
    assert needs_password(write_protected)
    opened = decrypt_input(write_protected, [])
    assert opened is not None
    assert [a.overall for a in read_return(opened).audits] == ["Good"]
