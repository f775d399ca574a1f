"""The release's own files: the version in one place, the Windows version resource, the icon, licences and
SBOM, the user guide converter, the zip helper, the changelog and the checklist, and the scripts and
workflow that tie them together. The bundle itself is built and smoke-tested by scripts/smoke_bundle.sh.
"""
from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import pytest

import pqa_desktop

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import third_party  # noqa: E402
import user_guide  # noqa: E402
import windows_version  # noqa: E402
import zip_folder  # noqa: E402


# --- the version, in one place -----------------------------------------------------------------
def test_version_is_read_from_the_package_file():
    assert windows_version.package_version(REPO) == pqa_desktop.__version__


def test_pyproject_reads_the_version_dynamically():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "pqa_desktop.__version__"}


def test_changelog_top_release_is_the_package_version():
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", text, re.MULTILINE)
    assert "## [Unreleased]" in text
    assert releases and releases[0][0] == pqa_desktop.__version__
    for heading in ("### Added", "### Not verified here"):
        assert heading in text


@pytest.mark.parametrize("version, numbers", [
    ("1.0.0", (1, 0, 0, 0)), ("2.3", (2, 3, 0, 0)), ("1.0.0rc1", (1, 0, 0, 0)), ("1.2.3+local.7", (1, 2, 3, 0)),
])
def test_version_numbers_for_the_fixed_resource(version, numbers):
    assert windows_version.version_numbers(version) == numbers


def test_version_numbers_reject_what_windows_cannot_hold():
    with pytest.raises(ValueError):
        windows_version.version_numbers("70000.0.0")
    with pytest.raises(ValueError):
        windows_version.version_numbers("final")


def test_version_resource_text_is_the_expression_pyinstaller_evaluates():
    # PyInstaller eval()s the file with its resource classes in scope; record what each is given.
    def recorder(kind):
        return lambda *args, **kwargs: {"kind": kind, "args": args, **kwargs}
    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct"]
    text = windows_version.version_resource_text("1.2.3", "PQA Desktop.exe", "PQA Desktop")
    info = eval(text, {"__builtins__": {}}, {n: recorder(n) for n in names})  # noqa: S307 (our own text)
    assert info["ffi"]["filevers"] == (1, 2, 3, 0) and info["ffi"]["prodvers"] == (1, 2, 3, 0)
    table = info["kids"][0]["args"][0][0]
    assert table["args"][0] == "080904B0"  # English (United Kingdom), Unicode
    strings = dict(s["args"] for s in table["args"][1])
    assert strings["ProductVersion"] == "1.2.3" and strings["FileVersion"] == "1.2.3.0"
    assert strings["OriginalFilename"] == "PQA Desktop.exe" and strings["InternalName"] == "PQA Desktop"
    assert info["kids"][1]["args"][0][0]["args"] == ("Translation", [2057, 1200])


def test_version_resource_parses_with_pyinstaller(tmp_path):
    # Needs pefile, which PyInstaller installs on Windows only (skipped on Linux, where the test above stands in).
    versioninfo = pytest.importorskip("PyInstaller.utils.win32.versioninfo")
    path = windows_version.write_version_file(tmp_path / "v.txt", "1.2.3", "pqa.exe", "PQA Desktop command line")
    info = versioninfo.load_version_info_from_text_file(str(path))
    assert (info.ffi.fileVersionMS, info.ffi.fileVersionLS) == ((1 << 16) | 2, 3 << 16)
    strings = {s.name: s.val for table in info.kids[0].kids for s in table.kids}
    assert strings["ProductVersion"] == "1.2.3" and strings["FileVersion"] == "1.2.3.0"
    assert strings["OriginalFilename"] == "pqa.exe" and strings["ProductName"] == "PQA Desktop"


# --- the icon --------------------------------------------------------------------------------------
def test_icon_ico_holds_png_images_of_every_size():
    data = (REPO / "resources" / "icon.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1) and count == 7
    sizes = []
    for i in range(count):
        w, h, _, _, planes, bits, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        image = data[offset:offset + length]
        assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) == length
        png_w, png_h = struct.unpack(">II", image[16:24])
        assert (w or 256, h or 256) == (png_w, png_h) and (planes, bits) == (1, 32)
        sizes.append(png_w)
    assert sorted(sizes) == [16, 24, 32, 48, 64, 128, 256]
    png = (REPO / "resources" / "icon.png").read_bytes()
    assert struct.unpack(">II", png[16:24]) == (256, 256)


def test_ico_layout_worked_by_hand():
    pytest.importorskip("PySide6")
    import make_icon
    blobs = {16: b"A" * 10, 256: b"B" * 20}
    ico = make_icon.ico_bytes(blobs)
    # 6-byte header + two 16-byte entries = 38; the first image at 38, the second at 38 + 10 = 48.
    assert struct.unpack_from("<HHH", ico, 0) == (0, 1, 2)
    assert struct.unpack_from("<BBBBHHII", ico, 6) == (16, 16, 0, 0, 1, 32, 10, 38)
    assert struct.unpack_from("<BBBBHHII", ico, 22) == (0, 0, 0, 0, 1, 32, 20, 48)
    assert ico[38:48] == b"A" * 10 and ico[48:] == b"B" * 20


# --- licences and the SBOM -------------------------------------------------------------------------
def test_licence_texts_for_qt_are_in_the_repository():
    lgpl = (REPO / "licences" / "LGPL-3.0.txt").read_text(encoding="utf-8")
    gpl = (REPO / "licences" / "GPL-3.0.txt").read_text(encoding="utf-8")
    note = (REPO / "licences" / "LGPL-NOTE.txt").read_text(encoding="utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in lgpl and "Version 3" in lgpl
    assert "GNU GENERAL PUBLIC LICENSE" in gpl and "Version 3" in gpl
    assert "Replacing the Qt libraries" in note and "_internal" in note


def test_distributions_of_import_names():
    # Standard-library names map to no distribution; pandas and numpy to themselves, dateutil to its wheel.
    assert third_party.distributions_of({"pandas", "numpy", "os", "json", "dateutil"}) == [
        "numpy", "pandas", "python-dateutil"]


def test_notices_carry_every_licence_text_and_the_lgpl_for_pyside():
    packages = third_party.packages_named(["XlsxWriter", "PySide6-Essentials"])
    text = third_party.notices_text(packages, REPO / "licences")
    xlsxwriter = next(p for p in packages if p.name.lower() == "xlsxwriter")
    assert xlsxwriter.licence == "BSD-2-Clause" and xlsxwriter.licence_texts
    assert "Redistribution and use in source and binary forms" in text
    # The PySide6 wheel ships no licence file: the notices fall back to the LGPL and GPL texts.
    assert text.count("GNU LESSER GENERAL PUBLIC LICENSE") >= 1 and "Python Software Foundation" in text


def test_cyclonedx_sbom_structure():
    packages = [third_party.Package("XlsxWriter", "3.3.1", "BSD-2-Clause", "https://x.example"),
                third_party.Package("olefile", "0.47", "BSD", ""),
                third_party.Package("PySide6_Essentials", "6.12.0", "LGPL-3.0-only OR GPL-3.0-only", "")]
    bom = third_party.cyclonedx(packages, "1.0.0", timestamp=datetime(2024, 10, 7, 9, 30, tzinfo=timezone.utc))
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.5")
    assert bom["metadata"]["timestamp"] == "2024-10-07T09:30:00Z"
    assert bom["metadata"]["component"]["version"] == "1.0.0"
    by_name = {c["name"]: c for c in bom["components"]}
    assert by_name["XlsxWriter"]["purl"] == "pkg:pypi/xlsxwriter@3.3.1"
    assert by_name["PySide6_Essentials"]["purl"] == "pkg:pypi/pyside6-essentials@6.12.0"
    assert by_name["XlsxWriter"]["licenses"] == [{"expression": "BSD-2-Clause"}]
    assert by_name["olefile"]["licenses"] == [{"license": {"name": "BSD"}}]  # not an SPDX id
    assert by_name["python"]["type"] == "platform"
    assert set(bom["dependencies"][0]["dependsOn"]) == {c["bom-ref"] for c in bom["components"]}
    json.dumps(bom)  # serialisable as written


def test_package_list_round_trip(tmp_path):
    packages = third_party.packages_named(["defusedxml", "olefile"])
    path = tmp_path / "bundled-packages.txt"
    path.write_text(third_party.package_list_text(packages), encoding="utf-8")
    assert third_party.read_package_list(path) == ["defusedxml", "olefile"]


# --- the user guide ---------------------------------------------------------------------------------
def test_markdown_converter_handles_the_guides_markdown(tmp_path):
    (tmp_path / "p.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", 1000, 50))
    markdown = ("# Title\n\nSome *emphasis*, **bold** and `code <x>`.\n\n- one\n  continued\n- two\n\n"
                "1. first\n2. second\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n> a note\n\n"
                "![Alt text](p.png)\n\n![Gone](missing.png)\n")
    page = user_guide.markdown_to_html(markdown, tmp_path, inline_images=True)
    assert '<h1 id="title">Title</h1>' in page
    assert "<em>emphasis</em>" in page and "<strong>bold</strong>" in page and "<code>code &lt;x&gt;</code>" in page
    assert "<ul><li>one continued</li><li>two</li></ul>" in page and "<ol><li>first</li><li>second</li></ol>" in page
    assert "<table><tr><th>A</th><th>B</th></tr>" in page and "<td>1</td><td>2</td>" in page
    assert "<blockquote><p>a note</p></blockquote>" in page
    assert 'src="data:image/png;base64,' in page and 'width="620"' in page  # 1000 px scaled to the page
    assert "[picture missing: missing.png]" in page
    assert user_guide.source_digest(markdown) in page


def test_user_guide_covers_the_routine_from_download_to_email():
    guide = (REPO / "docs" / "user-guide.md").read_text(encoding="utf-8")
    headings = [h.lower() for h in re.findall(r"^## (.+)$", guide, re.MULTILINE)]
    for topic in ("getting started", "monthly routine", "templates", "findings", "settings",
                  "reading the workbook", "emailing", "ask it for"):
        assert any(topic in h for h in headings), f"the guide has no section on {topic}"
    assert "screenshots/main-window.png" in guide
    for target in re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", guide):
        assert (REPO / "docs" / target).is_file(), f"the guide shows a missing picture: {target}"


def test_user_guide_pdf_is_made_by_qt(tmp_path):
    pytest.importorskip("PySide6")
    source = tmp_path / "guide.md"
    source.write_text("# Guide\n\nHello from the test.\n", encoding="utf-8")
    pdf = tmp_path / "guide.pdf"
    # In a child process: a QGuiApplication here would stop pytest-qt's QApplication in this worker.
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "user_guide.py"), "--source", str(source),
                             "--pdf", str(pdf)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and b"PQA Desktop user guide" in data


# --- the zip helper ---------------------------------------------------------------------------------
@pytest.mark.skipif(os.name == "nt", reason="symbolic links and Unix modes")
def test_zip_keeps_links_and_executable_bits(tmp_path):
    folder = tmp_path / "PQA Desktop"
    (folder / "_internal" / "lib").mkdir(parents=True)
    (folder / "_internal" / "lib" / "libQt.so.6").write_bytes(b"x" * 1000)
    os.symlink("lib/libQt.so.6", folder / "_internal" / "libQt.so.6")
    (folder / "pqa").write_text("#!/bin/sh\n")
    (folder / "pqa").chmod(0o755)
    archive = zip_folder.create(tmp_path / "r.zip", folder)
    out = zip_folder.extract(archive, tmp_path / "unzipped")
    link = out / "PQA Desktop" / "_internal" / "libQt.so.6"
    assert link.is_symlink() and os.readlink(link) == "lib/libQt.so.6" and link.read_bytes() == b"x" * 1000
    assert os.access(out / "PQA Desktop" / "pqa", os.X_OK)
    import zipfile
    names = zipfile.ZipFile(archive).namelist()
    assert names == sorted(names, key=names.index) and all(n.startswith("PQA Desktop/") for n in names)


# --- scripts, workflow, checklist ------------------------------------------------------------------
def test_ci_builds_the_release_then_smoke_tests_then_runs_the_tests_last():
    lines = [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    order = [line for line in lines if line.startswith(("make", "scripts/"))]
    assert order == ["make .venv/.installed .venv/build-only/.installed system-deps", "scripts/release.sh", "scripts/smoke_bundle.sh",
                     "make test"]


def test_windows_workflow_uses_the_same_release_script():
    workflow = (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert "runs-on: windows-latest" in workflow and 'python-version: "3.11"' in workflow
    assert 'pip install -c constraints.txt -e ".[bundle]"' in workflow
    assert "run: scripts/release.sh" in workflow and "shell: bash" in workflow
    assert "actions/upload-artifact" in workflow and "SHA256SUMS" in workflow
    assert "startsWith(github.ref, 'refs/tags/v')" in workflow


def test_build_spec_is_one_folder_without_upx_with_both_executables():
    spec = (REPO / "build.spec").read_text(encoding="utf-8")
    assert "upx=True" not in spec and spec.count("upx=False") == 3
    assert 'name="pqa", console=True' in spec and 'name="PQA Desktop", console=False' in spec
    assert "exclude_binaries=True" in spec and "COLLECT(" in spec  # one-folder
    assert 'QT_MODULES_USED = {"QtCore", "QtGui", "QtWidgets"}' in spec


def test_windows_checklist_marks_every_behaviour_not_verified():
    text = (REPO / "docs" / "windows-checklist.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
    for topic in ("AppLocker", "SmartScreen", "Outlook", "Network share", "administrator", "Task Manager"):
        assert any(topic.lower() in row.lower() for row in rows), f"no checklist row for {topic}"
    assert rows and all(row.rstrip().endswith("| Not verified here |") for row in rows)


def test_every_windows_behaviour_proven_on_linux_names_where_and_that_exists():
    """Each row of the checklist's second table says where it is proven: files and tests that exist."""
    text = (REPO / "docs" / "windows-checklist.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if re.match(r"\| B\d+ \|", line)]
    for topic in ("spaces", "spawn", "code page 1252", "locked by Excel", "260 characters", "schema-valid|0 errors"):
        assert any(re.search(topic, row, re.IGNORECASE) for row in rows), f"no proven row for {topic}"
    for row in rows:
        where = row.rstrip(" |").rsplit("|", 1)[1]
        places = re.findall(r"`([^`]+)`", where)
        assert places, f"no place given: {row[:60]}"
        module = None
        for place in places:
            path, _, test = place.partition("::")
            if path:
                assert (REPO / path).is_file(), f"{path} does not exist"
                module = (REPO / path).read_text(encoding="utf-8")
            if test:
                name = test.lstrip(":").rstrip("…").rstrip("_")
                assert module is not None and f"def {name}" in module, f"{place}: no such test"
