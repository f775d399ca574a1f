"""The saved workbook encrypted with a password (ECMA-376 agile, as Excel does), and password files.

Excel itself is not available here: the encrypted files are proven by decrypting them with
msoffcrypto-tool and opening the result with openpyxl, and by LibreOffice opening them with the
password (through a Basic macro, since LibreOffice 7.4's --convert-to cannot take a password).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile

import msoffcrypto
import olefile
import openpyxl
import pytest

from pqa_desktop.core import encryption
from pqa_desktop.core.encryption import (PasswordFileError, WrongPassword, decrypt_xlsx, encrypt_xlsx,
                                         read_password_file)
from pqa_desktop.core.inputs.tables import is_password_protected
from pqa_desktop.core.report import OutputNotWritable, render_workbook, save_workbook, write_workbook
from tests import libreoffice_macro
from tests.report_fixtures import LA, context, full_figures

PASSWORD = "Tr0ub4dor&3 horse"


@pytest.fixture(scope="module")
def plain_bytes() -> bytes:
    return render_workbook(full_figures(), context())


def _msoffcrypto_decrypt(data: bytes, password: str) -> bytes:
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password=password, verify_password=True)
    out = io.BytesIO()
    office.decrypt(out, verify_integrity=True)
    return out.getvalue()


def _cells(data: bytes) -> dict:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None}


def test_encrypted_workbook_decrypts_to_the_same_cells(tmp_path, plain_bytes):
    path = tmp_path / "report.xlsx"
    write_workbook(path, full_figures(), context(), password=PASSWORD)
    saved = path.read_bytes()
    # An OLE compound file with the agile EncryptionInfo, as Excel writes it; not a zip any more.
    assert saved.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and not zipfile.is_zipfile(path)
    assert is_password_protected(saved)
    ole = olefile.OleFileIO(io.BytesIO(saved))
    info = ole.openstream("EncryptionInfo").read()
    assert info[:4] == b"\x04\x00\x04\x00"  # version 4.4 = agile encryption
    assert b'hashAlgorithm="SHA512"' in info and b'cipherAlgorithm="AES"' in info
    with pytest.raises(Exception):
        openpyxl.load_workbook(path)  # nothing can read it without the password

    plain = _msoffcrypto_decrypt(saved, PASSWORD)
    assert plain == plain_bytes  # the unencrypted render, byte for byte
    cells = _cells(plain)
    assert cells == _cells(plain_bytes)
    assert cells[("Contents", "A1")].startswith(f"{LA} Children's Services")


def test_two_encryptions_differ_but_decrypt_to_the_same_bytes(plain_bytes):
    first, second = encrypt_xlsx(plain_bytes, PASSWORD), encrypt_xlsx(plain_bytes, PASSWORD)
    assert first != second  # fresh random salts every time
    assert decrypt_xlsx(first, PASSWORD) == decrypt_xlsx(second, PASSWORD) == plain_bytes


def test_the_password_is_written_nowhere(tmp_path, plain_bytes):
    path = tmp_path / "report.xlsx"
    save_workbook(path, plain_bytes, PASSWORD)
    assert os.listdir(tmp_path) == ["report.xlsx"]  # no temporary or side file
    raw = path.read_bytes()
    for encoded in (PASSWORD.encode("utf-8"), PASSWORD.encode("utf-16-le"), b"Tr0ub4dor"):
        assert encoded not in raw
        assert encoded not in decrypt_xlsx(raw, PASSWORD)


def test_wrong_password_does_not_open_it(plain_bytes):
    locked = encrypt_xlsx(plain_bytes, PASSWORD)
    with pytest.raises(WrongPassword) as caught:
        decrypt_xlsx(locked, "tr0ub4dor&3 horse")  # case matters
    assert "tr0ub4dor" not in str(caught.value).lower()
    with pytest.raises(WrongPassword):
        decrypt_xlsx(plain_bytes, PASSWORD)  # not encrypted at all


def test_no_password_leaves_the_workbook_unencrypted(tmp_path, plain_bytes):
    for password in (None, ""):
        path = tmp_path / f"plain{password is None}.xlsx"
        write_workbook(path, full_figures(), context(), password=password)
        assert path.read_bytes() == plain_bytes


def test_encrypt_refuses_an_empty_password_and_a_non_workbook(plain_bytes):
    with pytest.raises(ValueError, match="empty"):
        encrypt_xlsx(plain_bytes, "")
    with pytest.raises(ValueError, match="unencrypted .xlsx"):
        encrypt_xlsx(encrypt_xlsx(plain_bytes, PASSWORD), PASSWORD)
    with pytest.raises(ValueError, match="unencrypted .xlsx"):
        encrypt_xlsx(b"PK\x03\x04 not really a zip", PASSWORD)


def test_an_encrypted_write_that_fails_leaves_the_previous_file(tmp_path, plain_bytes, monkeypatch):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"last month's workbook")

    def open_in_excel(src, dst):
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", open_in_excel)
    with pytest.raises(OutputNotWritable, match="open in Excel"):
        save_workbook(path, plain_bytes, PASSWORD)
    assert path.read_bytes() == b"last month's workbook"
    assert os.listdir(tmp_path) == ["report.xlsx"]


def test_a_hostile_hashing_cost_is_refused(plain_bytes, monkeypatch):
    locked = encrypt_xlsx(plain_bytes, PASSWORD)  # Excel's 100,000 rounds
    assert decrypt_xlsx(locked, PASSWORD) == plain_bytes
    monkeypatch.setattr(encryption, "MAX_SPIN_COUNT", 50_000)
    with pytest.raises(WrongPassword):
        decrypt_xlsx(locked, PASSWORD)


# --- password files ------------------------------------------------------------------------------

def test_password_file_first_line_stripped(tmp_path):
    path = tmp_path / "pw.txt"
    path.write_bytes("\ufeff  s3cret pass \r\nsecond line ignored\r\n".encode("utf-8"))
    assert read_password_file(path) == "s3cret pass"
    path.write_bytes("caf\xe9\n".encode("cp1252"))  # saved by an old Windows editor
    assert read_password_file(path) == "caf\xe9"


def test_password_file_errors_are_plain_and_never_show_a_password(tmp_path):
    with pytest.raises(PasswordFileError, match=r"pw\.txt does not exist"):
        read_password_file(tmp_path / "pw.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(PasswordFileError, match=r"empty\.txt is empty"):
        read_password_file(empty)
    blank_first = tmp_path / "blank.txt"
    blank_first.write_text("   \nhunter2\n")
    with pytest.raises(PasswordFileError) as caught:
        read_password_file(blank_first)
    assert "first line" in str(caught.value) and "hunter2" not in str(caught.value)
    with pytest.raises(PasswordFileError, match="folder"):
        read_password_file(tmp_path)


# --- LibreOffice ---------------------------------------------------------------------------------

def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.libreoffice
def test_libreoffice_opens_the_encrypted_workbook_with_its_password(tmp_path, plain_bytes):
    soffice = libreoffice_macro.soffice_or_skip()
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext not installed")
    locked = tmp_path / "report.xlsx"
    save_workbook(locked, plain_bytes, PASSWORD)

    # Without the password LibreOffice cannot load it.
    profile = tmp_path / "lo-plain-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "no-password"), str(locked)], capture_output=True, timeout=180)
    assert not (tmp_path / "no-password" / "report.pdf").exists()
    assert not libreoffice_macro.convert(locked, tmp_path / "wrong.pdf", "calc_pdf_Export", password="wrong")

    pdf = tmp_path / "report.pdf"
    assert libreoffice_macro.convert(locked, pdf, "calc_pdf_Export", password=PASSWORD)
    text = _words(subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                                 timeout=60).stdout)
    titles = [_words(str(ws["A1"].value)) for ws in openpyxl.load_workbook(io.BytesIO(plain_bytes)).worksheets]
    assert titles and not [t for t in titles if t not in text]
