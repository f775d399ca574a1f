"""Headless LibreOffice opening and saving password-protected spreadsheets, for the encryption tests.

``soffice --convert-to`` has no way to give a password in LibreOffice 7.4 (the one installed here):
it fails with "source file could not be loaded" on an encrypted file. A LibreOffice Basic macro can:
``loadComponentFromURL`` and ``storeToURL`` take a ``Password`` in their media descriptor, exactly
what the "Enter password" dialog passes. The macro is installed in a private profile (the user's
"My Macros", which LibreOffice trusts) and run with a ``macro:///`` URL. The password reaches
soffice on its command line, which is acceptable for a test password only.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

MODULE = """Sub ConvertFile(sIn As String, sInPassword As String, sOut As String, sFilter As String, sOutPassword As String)
  On Error GoTo Done
  Dim aLoad(1) As New com.sun.star.beans.PropertyValue
  aLoad(0).Name = "Hidden" : aLoad(0).Value = True
  aLoad(1).Name = "Password" : aLoad(1).Value = sInPassword
  oDoc = StarDesktop.loadComponentFromURL(ConvertToURL(sIn), "_blank", 0, aLoad())
  If Not IsNull(oDoc) Then
    If sOutPassword = "" Then
      Dim aPlain(0) As New com.sun.star.beans.PropertyValue
      aPlain(0).Name = "FilterName" : aPlain(0).Value = sFilter
      oDoc.storeToURL(ConvertToURL(sOut), aPlain())
    Else
      Dim aLocked(1) As New com.sun.star.beans.PropertyValue
      aLocked(0).Name = "FilterName" : aLocked(0).Value = sFilter
      aLocked(1).Name = "Password" : aLocked(1).Value = sOutPassword
      oDoc.storeToURL(ConvertToURL(sOut), aLocked())
    End If
    oDoc.close(True)
  End If
Done:
  StarDesktop.terminate()
End Sub
"""


def soffice_or_skip() -> str:
    path = shutil.which("soffice")
    if path is None:
        if os.environ.get("PQA_REQUIRE_LIBREOFFICE"):
            pytest.fail("soffice is required (PQA_REQUIRE_LIBREOFFICE=1) but not installed")
        pytest.skip("LibreOffice not installed")
    return path


def _profile(workdir: Path, soffice: str) -> Path:
    """A private LibreOffice profile holding the ConvertFile macro (created on first use)."""
    profile = workdir / "lo-macro-profile"
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    if not module.exists():
        # A first headless start creates the profile, with an empty Standard library to fill.
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--terminate_after_init"],
                       capture_output=True, timeout=180)
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
            '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
            f'script:language="StarBasic">{escape(MODULE, {chr(34): "&quot;"})}</script:module>\n',
            encoding="utf-8")
        library = module.parent / "script.xlb"
        if not library.exists():
            library.write_text(
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">\n'
                '<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" '
                'library:readonly="false" library:passwordprotected="false">\n'
                ' <library:element library:name="Module1"/>\n</library:library>\n', encoding="utf-8")
    return profile


def convert(source: Path, target: Path, filter_name: str, *, password: str = "", new_password: str = "") -> bool:
    """Open source (with password), save it as target with filter_name (encrypted with new_password).

    True when LibreOffice wrote target; False when it could not open source (e.g. wrong password).
    """
    soffice = soffice_or_skip()
    profile = _profile(target.parent, soffice)
    args = ",".join(f'"{a}"' for a in (source, password, target, filter_name, new_password))
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    f"macro:///Standard.Module1.ConvertFile({args})"],
                   capture_output=True, timeout=180)
    return target.exists() and target.stat().st_size > 0
