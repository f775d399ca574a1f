"""Passwords: encrypting the saved workbook and opening password-protected inputs.

The workbook is encrypted as Excel does it ("File > Info > Protect Workbook > Encrypt with
Password"): ECMA-376 agile encryption (AES-256, SHA-512, random salts), written by msoffcrypto-tool.
Each encryption uses fresh salts, so two encryptions of the same workbook differ byte for byte but
decrypt to the same bytes.

Encrypted inputs (OOXML workbooks in an OLE wrapper, legacy .xls with a FILEPASS record) are
decrypted in memory with each password the user gave, in turn; the decrypted copy keeps the
input's name and content hash (the hash identifies the file as it is on disk) and replaces it for
the readers. A file no password fits is left as it is: the readers then report it once as
"password protected".

Passwords are only ever held in memory: nothing here stores, logs, prints or echoes one, and no
error message contains one.
"""
from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path
from typing import Iterable, Sequence

from .records import InputFile

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: how Excel wraps an encrypted workbook


def is_password_protected(data: bytes) -> bool:
    """An encrypted Office file: OOXML wrapped in an OLE compound file with an EncryptedPackage
    stream (what Excel writes for "Encrypt with password"), or a legacy .xls with a FILEPASS record."""
    if not data.startswith(OLE_SIGNATURE):
        return False
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
                return True
            for stream in ("Workbook", "Book"):
                if ole.exists(stream):
                    return _biff_has_filepass(ole.openstream(stream).read(65536))
            return False
    except Exception:  # noqa: BLE001 - a damaged compound file is "corrupt", decided by the caller
        return False


def _biff_has_filepass(head: bytes) -> bool:
    """FILEPASS (0x002F) appears among the first records of an encrypted BIFF workbook globals."""
    pos = 0
    while pos + 4 <= len(head):
        rtype = int.from_bytes(head[pos:pos + 2], "little")
        size = int.from_bytes(head[pos + 2:pos + 4], "little")
        if rtype == 0x002F:
            return True
        if rtype == 0x0085:  # BOUNDSHEET: past the point where FILEPASS would be
            return False
        pos += 4 + size
    return False


# What Excel itself uses for a legacy .xls that is only "write protected": the file is encrypted
# with this published default password and Excel opens it without asking. Trying it costs nothing.
EXCEL_DEFAULT_XLS_PASSWORD = "VelvetSweatshop"

# A hostile file can ask for billions of hashing rounds per password tried (a denial of service).
# Excel writes 100,000; ten times that still opens every genuine file in about a second.
MAX_SPIN_COUNT = 1_000_000

# A password file is one short line; reading more than this means the wrong file was chosen.
_MAX_PASSWORD_FILE_BYTES = 64 * 1024


class PasswordFileError(ValueError):
    """A password file cannot be used; the message says why in plain English (never the password)."""


class WrongPassword(ValueError):
    """The password does not open the file (or the file is not an encrypted Office file)."""


# --- the saved workbook --------------------------------------------------------------------------

def encrypt_xlsx(data: bytes, password: str) -> bytes:
    """An .xlsx package encrypted with password (ECMA-376 agile), as an OLE compound file.

    Raises ValueError for an empty password or data that is not an unencrypted .xlsx package.
    """
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    if not password:
        raise ValueError("The password is empty: enter a password of at least one character.")
    if not data.startswith(b"PK"):
        raise ValueError("Only an unencrypted .xlsx workbook can be encrypted.")
    out = io.BytesIO()
    try:
        OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    except msoffcrypto.exceptions.FileFormatError as exc:
        raise ValueError("Only an unencrypted .xlsx workbook can be encrypted.") from exc
    return out.getvalue()


def decrypt_xlsx(data: bytes, password: str) -> bytes:
    """The plain package inside an encrypted Office file (OOXML or legacy .xls).

    Raises WrongPassword when the password does not fit or data is not an encrypted Office file.
    """
    plain = _decrypt(data, password)
    if plain is None:
        raise WrongPassword("The password does not open this file, or the file is not an encrypted "
                            "Excel workbook.")
    return plain


def _decrypt(data: bytes, password: str) -> bytes | None:
    """Decrypted bytes, or None when the password does not fit (or the file cannot be decrypted)."""
    import msoffcrypto

    if not password:
        return None
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        info = getattr(office, "info", None)
        if isinstance(info, dict) and int(info.get("spinValue") or 0) > MAX_SPIN_COUNT:
            return None
        if office.format == "ooxml":
            office.load_key(password=password, verify_password=True)
        else:  # legacy .xls: load_key checks the password itself
            office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    except Exception:  # msoffcrypto raises its own errors, asserts and struct errors on odd files
        return None
    plain = out.getvalue()
    return plain or None


# --- encrypted inputs ----------------------------------------------------------------------------

def needs_password(item: InputFile) -> bool:
    """True for an encrypted workbook (what the app asks a password for)."""
    return is_password_protected(item.data)


def decrypt_input(item: InputFile, passwords: Sequence[str]) -> InputFile | None:
    """The input decrypted with the first of passwords that fits it, else None.

    The copy keeps the name, path, modification time and content hash of the file on disk, so
    findings, provenance and re-import checks refer to the file the user supplied. A file that is
    not password protected gives None (there is nothing to decrypt).
    """
    if not needs_password(item):
        return None
    for password in _candidates(passwords):
        plain = _decrypt(item.data, password)
        if plain is not None:
            return dataclasses.replace(item, data=plain)
    return None


def unlock_inputs(files: Iterable[InputFile], passwords: Sequence[str]) -> list[InputFile]:
    """Every input, each password-protected one replaced by its decrypted copy where a password fits.

    Files no password fits are kept as they are, so the readers report them as password protected.
    """
    return [decrypt_input(item, passwords) or item for item in files]


def _candidates(passwords: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for password in [*passwords, EXCEL_DEFAULT_XLS_PASSWORD]:
        if password and password not in seen:
            seen.append(password)
    return seen


# --- password files ------------------------------------------------------------------------------

def read_password_file(path: str | os.PathLike) -> str:
    """The password in a text file: its first line, without surrounding spaces.

    Raises PasswordFileError (plain English, naming the file, never the password) when the file is
    missing, unreadable or has an empty first line.
    """
    lines = _password_lines(path)
    password = lines[0].strip() if lines else ""
    if not password:
        raise PasswordFileError(f"The password file {Path(path).name} is empty: put the password on its "
                                "first line and try again.")
    return password


def read_input_passwords(path: str | os.PathLike) -> list[str]:
    """The passwords in a text file, one per line (surrounding spaces and blank lines ignored).

    Raises PasswordFileError when the file is missing, unreadable or holds no password.
    """
    passwords: list[str] = []
    for line in _password_lines(path):
        password = line.strip()
        if password and password not in passwords:
            passwords.append(password)
    if not passwords:
        raise PasswordFileError(f"The input passwords file {Path(path).name} is empty: put one password "
                                "on each line and try again.")
    return passwords


def _password_lines(path: str | os.PathLike) -> list[str]:
    name = Path(path).name
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_PASSWORD_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise PasswordFileError(f"The password file {name} does not exist: check its name and folder.") from exc
    except IsADirectoryError as exc:
        raise PasswordFileError(f"{name} is a folder, not a password file: give the text file that holds "
                                "the password.") from exc
    except OSError as exc:
        raise PasswordFileError(f"The password file {name} could not be read ({exc.strerror or 'error'}): "
                                "check you may open it.") from exc
    if len(raw) > _MAX_PASSWORD_FILE_BYTES:
        raise PasswordFileError(f"{name} is too large to be a password file: give the small text file that "
                                "holds only the password.")
    # Notepad saves UTF-8 with a BOM; older Windows tools save Windows-1252.
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return text.splitlines()


__all__ = ["encrypt_xlsx", "decrypt_xlsx", "decrypt_input", "unlock_inputs", "needs_password",
           "read_password_file", "read_input_passwords", "PasswordFileError", "WrongPassword",
           "MAX_SPIN_COUNT"]
