"""What differs on Windows, exercised on Linux (docs/windows-checklist.md lists what still needs Windows).

- File names Windows forbids or reserves (``CON``, ``aux.xlsx``, ``<>:"|?*``, trailing dots and spaces)
  inside zips and emails: every input is still read, the names shown are the ones Windows would give,
  and nothing is written to disk under such a name.
- Names differing only by case (one file on Windows) inside one zip: both read, told apart.
- Paths longer than 260 characters: read and written here; where Windows refuses them (long paths off,
  emulated by refusing such paths as Windows does), a finding or message says so and what to do.
- A console on code page 1252 or ASCII (``PYTHONIOENCODING``) for every command.
- ``open()`` without an explicit encoding anywhere in the package (Windows' default is the ANSI code page).
- The output locked by another program (Excel's exclusive lock, emulated: ``os.replace`` raising what
  Windows raises): the message, and building again once it is closed.
"""
from __future__ import annotations

import ast
import email
import errno
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from pqa_desktop.cli import main
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.pipeline.run import analyse
from pqa_desktop.core.report import package
from pqa_desktop.core.returns.templates import return_bytes

ROOT = Path(__file__).resolve().parent.parent
SEP_2024 = Period(date(2024, 9, 1))
COMMON = ["--period-end", "2024-09", "--la-name", "Anytown Council", "--produced", "2024-10-07"]
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


def windows_accepts(name: str) -> bool:
    """Whether Windows can create a file of this name (no forbidden character, no reserved device name,
    no trailing dot or space)."""
    if not name or name != name.rstrip(". ") or any(c in '<>:"/\\|?*' or ord(c) < 32 for c in name):
        return False
    return name.split(".")[0].upper() not in WINDOWS_RESERVED


def _return(n: int, overall: str = "Good") -> bytes:
    return return_bytes("case_file_audit", {
        "case_ref": f"AB{100300 + n}", "service_area": "IRT", "team": "IRT 1", "auditor": "Ann Auditor",
        "audit_date": date(2024, 7, 1 + n), "overall": overall})


# Member name in the zip (or attachment name) -> the name shown, as Windows would save it.
HOSTILE = {
    "aux.xlsx": "aux.xlsx",
    "com1.xlsx": "com1.xlsx",
    "LPT9.Audit.xlsx": "LPT9.Audit.xlsx",
    "Audit 1.xlsx.": "Audit 1.xlsx",  # Windows drops trailing dots ...
    "Audit 2.xlsx . ": "Audit 2.xlsx",  # ... and spaces
    'Audit <3>:"|?*.xlsx': 'Audit <3>:"|?*.xlsx',  # shown as sent; never a file name here
}


def _hostile_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for n, name in enumerate(HOSTILE):
            archive.writestr(name, _return(n))
        archive.writestr("CON", b"not a workbook")


def _hostile_email(path: Path) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "auditor@example.org", "qa@example.org", "Returns"
    message.set_content("Returns attached.")
    for n, name in enumerate(HOSTILE, start=10):
        message.add_attachment(_return(n), maintype="application", subtype="octet-stream", filename=name)
    path.write_bytes(message.as_bytes(policy=policy.SMTP))


def _files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*")]


def test_names_windows_forbids_or_reserves_in_zips_and_emails_are_read_and_shown_safely(tmp_path):
    _hostile_zip(tmp_path / "returns.zip")
    _hostile_email(tmp_path / "Returns.eml")
    analysis = analyse([tmp_path / "returns.zip", tmp_path / "Returns.eml"], SEP_2024)
    shown = sorted(item.name for item, result in analysis.results if result.kind == "case_file_audit")
    assert shown == sorted([f"returns.zip \u203a {n}" for n in HOSTILE.values()]
                           + [f"Returns.eml \u203a {n}" for n in HOSTILE.values()])
    assert len(analysis.records.audits) == 2 * len(HOSTILE)  # none dropped ("Audit 1.xlsx." was, as no type)
    [con] = [f for f in analysis.findings if f.file.endswith("CON")]
    assert con.rule == "input.skipped"  # not a workbook: said, not read
    assert all(c.isprintable() for f in analysis.findings for c in f.file + f.message)


def test_nothing_is_written_to_disk_under_a_name_windows_refuses(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    _hostile_zip(tmp_path / "in" / "returns.zip")
    _hostile_email(tmp_path / "in" / "Returns.eml")
    home = Path(os.environ["PQA_DESKTOP_HOME"])
    out = tmp_path / "out"
    out.mkdir()
    before = set(_files_under(tmp_path, home))
    assert main(["build", str(tmp_path / "in"), "-o", str(out / "report.xlsx"), *COMMON,
                 "--workspace", str(out / "ws.sqlite"), "--email-draft", str(out / "report.eml")]) == 0
    written = set(_files_under(tmp_path, home)) - before
    assert {p.name for p in written} >= {"report.xlsx", "report.eml", "ws.sqlite"}
    assert [p.name for p in written if not windows_accepts(p.name)] == []


def test_the_outlook_drop_saves_attachments_under_names_windows_accepts_and_case_apart(tmp_path):
    """Attachments dragged out of Outlook are the one place input names become file names."""
    from pqa_desktop.app.outlook_drop import DroppedFileStore

    store = DroppedFileStore(tmp_path / "dropped")
    names = [*HOSTILE, "CON", "A.xlsx", "a.xlsx", "x" * 300 + ".xlsx"]
    saved = store.save([(name, _return(n)) for n, name in enumerate(names)])
    assert len(saved) == len(names) and all(windows_accepts(p.name) for p in saved)
    assert len({p.name.casefold() for p in saved}) == len(saved)  # one folder on Windows holds them all
    assert all(len(str(p.relative_to(tmp_path))) < 200 for p in saved)
    store.discard()


def test_names_that_differ_only_by_case_are_two_inputs(tmp_path):
    """On Windows A.xlsx and a.xlsx are one file, so unzipped there one would replace the other. Read
    from the zip they are two returns: both count, and each finding names its own."""
    with zipfile.ZipFile(tmp_path / "returns.zip", "w") as archive:
        archive.writestr("A.xlsx", _return(1, "Good"))
        archive.writestr("a.xlsx", _return(2, "Goodish"))
    analysis = analyse([tmp_path / "returns.zip"], SEP_2024)
    assert sorted(item.name for item, _ in analysis.results) == ["returns.zip \u203a A.xlsx", "returns.zip \u203a a.xlsx"]
    assert len(analysis.records.audits) == 2
    [bad] = [f for f in analysis.findings if f.rule == "grade.unrecognised"]
    assert bad.file == "returns.zip \u203a a.xlsx"


# ---------------------------------------------------------------------------------------------------------
# paths longer than 260 characters
# ---------------------------------------------------------------------------------------------------------
def _deep(root: Path, length: int) -> Path:
    """A folder whose full path is at least ``length`` characters (each part under 255)."""
    folder = root
    while len(str(folder)) < length:
        folder = folder / ("Children's services QA returns " + "x" * 40)
    folder.mkdir(parents=True)
    return folder


def test_paths_longer_than_260_characters_are_read_and_written(tmp_path):
    inputs = _deep(tmp_path / "in", 300)
    (inputs / "Audit 1.xlsx").write_bytes(_return(1))
    out = _deep(tmp_path / "out", 300) / "report.xlsx"
    assert len(str(inputs / "Audit 1.xlsx")) > 260 and len(str(out)) > 260
    assert main(["build", str(tmp_path / "in"), "-o", str(out), *COMMON]) == 0
    assert out.read_bytes()[:2] == b"PK"


@pytest.fixture
def windows_without_long_paths(monkeypatch):
    """Refuse paths of 260 characters or more as Windows does when long paths are off: not found."""
    real_open, real_stat, real_mkstemp = os.open, os.stat, package.tempfile.mkstemp

    def check(path):
        if len(os.path.abspath(os.fspath(path))) >= 260:
            raise FileNotFoundError(errno.ENOENT, "The system cannot find the path specified", os.fspath(path))

    def opening(path, *args, **kwargs):
        check(path)
        return real_open(path, *args, **kwargs)

    def making(*args, dir=None, **kwargs):  # noqa: A002 - tempfile's own name
        check(os.path.join(dir or ".", "x" * 20))
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(os, "open", opening)
    monkeypatch.setattr(package.tempfile, "mkstemp", making)
    return check


def test_where_windows_refuses_a_long_input_path_a_finding_says_so_and_the_rest_counts(tmp_path,
                                                                                     windows_without_long_paths):
    deep = _deep(tmp_path / "in", 300)
    (deep / "Audit 1.xlsx").write_bytes(_return(1))
    (tmp_path / "in" / "Audit 2.xlsx").write_bytes(_return(2))
    analysis = analyse([tmp_path / "in"], SEP_2024)
    assert len(analysis.records.audits) == 1
    [finding] = [f for f in analysis.findings if f.rule == "input.unreadable"]
    assert finding.file == "Audit 1.xlsx" and "characters long" in finding.message
    assert "260" in finding.message and "nearer the top of the drive" in finding.message
    assert "Children" not in finding.message  # the length, never the folders (they may hold names)


def test_where_windows_refuses_a_long_output_path_the_message_says_so(tmp_path, capsys,
                                                                    windows_without_long_paths):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "Audit 1.xlsx").write_bytes(_return(1))
    out = _deep(tmp_path / "out", 300) / "report.xlsx"
    assert main(["build", str(tmp_path / "in"), "-o", str(out), *COMMON]) == 1
    err = capsys.readouterr().err
    assert f"Cannot save report.xlsx: its full path is {len(str(out))} characters long" in err
    assert "shorter name, and build again" in err and "Traceback" not in err and "Errno" not in err
    assert list(out.parent.iterdir()) == []


# ---------------------------------------------------------------------------------------------------------
# a console on code page 1252, or ASCII
# ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def non_ascii(tmp_path_factory) -> dict:
    """Inputs, outputs and a workspace whose names are not ASCII; one not even in code page 1252."""
    root = tmp_path_factory.mktemp("console")
    inputs = root / "Réturns ü"
    inputs.mkdir()
    (inputs / "Audit – Zoë.xlsx").write_bytes(_return(1))
    (inputs / "Audit 名前.xlsx").write_bytes(_return(2))
    (inputs / "Révision ü.xlsx").write_bytes(_return(3, "Goodish"))  # an error finding naming it
    out = root / "out ü"
    out.mkdir()
    assert main(["build", str(inputs), "-o", str(out / "réport.xlsx"), *COMMON,
                 "--workspace", str(out / "wörkspace.sqlite")]) == 0
    return {"root": root, "inputs": inputs, "out": out}


def _commands(paths: dict) -> dict[str, list[str]]:
    inputs, out, root = str(paths["inputs"]), paths["out"], paths["root"]
    return {
        "version": ["--version"],
        "help": ["build", "--help"],
        "templates": ["templates", str(root / "modèles")],
        "demo": ["demo", str(out / "démo.xlsx"), "--produced", "2024-10-07", "--json"],
        "build": ["build", inputs, "-o", str(out / "rapport ü.xlsx"), *COMMON, "--json",
                  "--email-draft", str(out / "brouillon ü.eml")],
        "validate": ["validate", inputs, "--period-end", "2024-09", "--json"],
        "inspect": ["inspect", str(out / "réport.xlsx"), inputs, "--la-name", "Anytown Council"],
        "lookup": ["lookup", "0123456789", "--workspace", str(out / "wörkspace.sqlite")],
        "purge": ["purge", "--workspace", str(out / "wörkspace.sqlite"), "--older-than", "24"],
    }


# Exit status each command should end with here: validate 1 (an error finding), lookup 1 (no such key).
EXPECTED_EXIT = {"validate": 1, "lookup": 1}

@pytest.mark.once
@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize("command", list(_commands({"inputs": "", "out": Path(), "root": Path()})))
def test_every_command_works_on_a_console_that_is_not_utf8(command, encoding, non_ascii):
    args = _commands(non_ascii)[command]
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": str(ROOT), "PYTHONUTF8": "0"}
    run = subprocess.run([sys.executable, "-m", "pqa_desktop", *args], capture_output=True, cwd=ROOT, env=env,
                         timeout=300)
    err = run.stderr.decode(encoding, "replace")
    assert "Traceback" not in err and "UnicodeEncodeError" not in err, err[-2000:]
    assert run.returncode == EXPECTED_EXIT.get(command, 0), err[-2000:]
    if "--json" in args:
        assert json.loads(run.stdout.decode(encoding))  # still JSON the console can carry


# ---------------------------------------------------------------------------------------------------------
# no locale-dependent text encoding
# ---------------------------------------------------------------------------------------------------------
def _calls_without_encoding(source: str) -> list[tuple[int, str]]:
    """Text opened, read or written without ``encoding=``: open() in a text mode, Path.open, read_text,
    write_text, io.TextIOWrapper, os.fdopen in a text mode, subprocess with text=True."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or any(k.arg == "encoding" for k in node.keywords):
            continue
        func = node.func
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else None
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("read_text", "write_text", "TextIOWrapper"):
            found.append((node.lineno, name))
        elif name in ("open", "fdopen") and owner != "os" or (name == "fdopen" and owner == "os"):
            # the mode: open(path, mode), os.fdopen(fd, mode), but path.open(mode); os.open is a descriptor
            position = 1 if isinstance(func, ast.Name) or owner == "os" else 0
            mode = next((k.value for k in node.keywords if k.arg == "mode"), None)
            if mode is None and len(node.args) > position:
                mode = node.args[position]
            text_mode = mode is None or isinstance(mode, ast.Constant) and isinstance(mode.value, str) \
                and "b" not in mode.value
            # x.open(something) that is not a mode string is another open (a workspace, a zip member)
            if text_mode and not (position == 0 and node.args and not isinstance(node.args[0], ast.Constant)):
                found.append((node.lineno, name))
        elif name in ("run", "Popen", "check_output") and any(
                k.arg in ("text", "universal_newlines") for k in node.keywords):
            found.append((node.lineno, name))
    return found


def test_the_static_check_would_catch_a_default_encoding():
    assert _calls_without_encoding("open(p)\nopen(p, 'w')\nPath(p).read_text()\nos.fdopen(fd, 'w')\n") == [
        (1, "open"), (2, "open"), (3, "read_text"), (4, "fdopen")]
    assert _calls_without_encoding("open(p, 'rb')\nopen(p, encoding='utf-8')\nos.open(p, flags)\n"
                                   "x.open('rb')\nos.fdopen(fd, 'wb')\nWorkspace.open(p)\n") == []
    assert _calls_without_encoding("path.open()\npath.open('w')\nrun(a, text=True)\n") == [
        (1, "open"), (2, "open"), (3, "run")]


def test_no_text_is_read_or_written_in_the_locales_encoding():
    """Windows' default is the ANSI code page (cp1252), not UTF-8: every text file names its encoding.
    (CI's spawn leg also runs the whole suite with -X warn_default_encoding, where pyproject.toml's
    filterwarnings makes an EncodingWarning raised in the package an error.)"""
    found = []
    for path in sorted((ROOT / "pqa_desktop").rglob("*.py")) + sorted((ROOT / "scripts").glob("*.py")):
        for line, call in _calls_without_encoding(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}:{line} {call}")
    assert found == []


# ---------------------------------------------------------------------------------------------------------
# the output open in Excel
# ---------------------------------------------------------------------------------------------------------
def _sharing_violation(target: str) -> PermissionError:
    exc = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                        "another process", target)
    exc.winerror = 32  # what Windows sets; OSError ignores the argument on Linux
    return exc


def test_a_workbook_open_in_excel_stops_the_command_line_with_a_plain_message_then_building_again_works(
        tmp_path, capsys, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "Audit 1.xlsx").write_bytes(_return(1))
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"last month's workbook")
    real_replace = os.replace
    excel_has_it = [True]

    def replace(src, dst, *args, **kwargs):
        if Path(dst) == out and excel_has_it[0]:
            raise _sharing_violation(str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(package.os, "replace", replace)
    assert main(["build", str(tmp_path / "in"), "-o", str(out), *COMMON]) == 1
    err = capsys.readouterr().err
    assert "pqa: Cannot save report.xlsx: the file is open in Excel or the folder is read-only. Close " \
           "report.xlsx in Excel, or choose another name or folder, and build again." in err
    assert "Traceback" not in err and "WinError" not in err and "Errno" not in err
    assert out.read_bytes() == b"last month's workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "report.xlsx"]  # no temporary file left
    excel_has_it[0] = False  # closed in Excel: build again
    assert main(["build", str(tmp_path / "in"), "-o", str(out), *COMMON]) == 0
    assert out.read_bytes()[:2] == b"PK"
