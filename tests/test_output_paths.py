"""Outputs never destroy inputs, path mistakes are said before any work, a killed save leaves nothing for good,
any file name reaches any console, and options and inputs come in any order (issue 15, cases 5-7, 11, 12).

The command line is run in-process (``cli.main``) and, for the console encodings, as a real process whose
output is redirected with ``PYTHONIOENCODING`` set as a Windows console would have it (cp1252, or ascii).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from pqa_desktop.cli import main
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.sending.output_paths import draft_problem, output_problem
from pqa_desktop.core.report.package import STALE_TEMPORARY_SECONDS, remove_stale_temporaries, write_atomically
from tests import fuzz_support as fz

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--period-end", "2024-09", "--la-name", "Anytown Council"]


@pytest.fixture
def inputs(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Audit 1.xlsx").write_bytes(fz.case_return())
    (folder / "Audits.eml").write_bytes(fz.returns_eml())
    return folder


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def no_reading(monkeypatch):
    """Any reading fails the test: path mistakes are found before the inputs are touched."""
    def refuse(*args, **kwargs):
        raise AssertionError("inputs were read before the output path was checked")

    monkeypatch.setattr(pipeline, "discover", refuse)
    monkeypatch.setattr(pipeline, "discover_inputs", refuse)


# ---------------------------------------------------------------- case 5: outputs never replace inputs


@pytest.mark.parametrize("target", ["Audit 1.xlsx", "Audits.eml"])
def test_the_workbook_is_never_written_over_an_input(inputs, capsys, no_reading, target):
    before = _digest(inputs / target)
    assert main(["build", str(inputs), "-o", str(inputs / target), *ARGS]) == 1
    assert _digest(inputs / target) == before
    err = capsys.readouterr().err
    assert f"'{target}', which is one of the inputs" in err and "Errno" not in err


def test_the_workbook_is_never_written_over_an_input_given_as_a_file(inputs, capsys, no_reading):
    path = inputs / "Audit 1.xlsx"
    before = _digest(path)
    assert main(["build", str(path), "-o", str(path), *ARGS]) == 1
    assert _digest(path) == before


def test_the_email_draft_is_never_written_over_an_input_email(inputs, tmp_path, capsys, no_reading):
    before = _digest(inputs / "Audits.eml")
    assert main(["build", str(inputs), "-o", str(tmp_path / "out.xlsx"), "--email-draft",
                 str(inputs / "Audits.eml"), *ARGS]) == 1
    assert _digest(inputs / "Audits.eml") == before and not (tmp_path / "out.xlsx").exists()
    assert "one of the inputs" in capsys.readouterr().err


def test_the_email_draft_is_never_the_workbook(inputs, tmp_path, capsys, no_reading):
    out = tmp_path / "out.xlsx"
    assert main(["build", str(inputs), "-o", str(out), "--email-draft", str(out), *ARGS]) == 1
    assert not out.exists()
    assert "the same file" in capsys.readouterr().err


def test_the_workbook_is_never_written_over_a_file_the_build_reads(inputs, tmp_path, capsys, no_reading):
    settings = tmp_path / "settings.toml"
    settings.write_text('la_name = "Anytown Council"\n', encoding="utf-8")
    assert main(["build", str(inputs), "-o", str(settings), "--settings", str(settings), *ARGS]) == 1
    assert settings.read_text(encoding="utf-8") == 'la_name = "Anytown Council"\n'
    assert "the settings file" in capsys.readouterr().err


def test_a_new_workbook_beside_the_inputs_is_fine(inputs, capsys):
    assert main(["build", str(inputs), "-o", str(inputs / "Report.xlsx"), *ARGS]) == 0
    assert openpyxl.load_workbook(inputs / "Report.xlsx").sheetnames[0] == "Contents"


# ---------------------------------------------------------------- case 6: path mistakes, in plain words


def _long_name() -> str:
    return "x" * 300 + ".xlsx"


@pytest.mark.parametrize("output, words", [
    ("missing folder/out.xlsx", "does not exist"),
    ("LONG", "too long"),
    ("in", "is a folder"),
    ("", "No file name was given"),
    ("in/", "is a folder"),  # the command line takes "in/" for "in"
])
def test_path_mistakes_are_said_before_any_work(inputs, tmp_path, capsys, no_reading, output, words):
    target = "" if output == "" else str(tmp_path / (_long_name() if output == "LONG" else output))
    if output == "in/":
        target = str(inputs) + os.sep
    assert main(["build", str(inputs), "-o", target, *ARGS]) == 1
    err = capsys.readouterr().err
    assert words in err
    assert "Errno" not in err and "Excel" not in err


def test_the_demo_checks_its_output_too(tmp_path, capsys):
    assert main(["demo", str(tmp_path / "missing" / "demo.xlsx")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_a_failed_save_says_why_in_plain_words_never_an_errno(tmp_path):
    """The last line of defence, when the folder goes between the check and the save: plain words, and only
    a permission error is taken for the file being open in Excel."""
    from pqa_desktop.core.report.package import OutputNotWritable

    with pytest.raises(OutputNotWritable) as gone:
        write_atomically(tmp_path / "gone" / "out.xlsx", b"data")
    assert "does not exist" in str(gone.value) and "Errno" not in str(gone.value) and "Excel" not in str(gone.value)
    with pytest.raises(OutputNotWritable) as long:
        write_atomically(tmp_path / _long_name(), b"data")
    assert "too long" in str(long.value) and "Errno" not in str(long.value)


def test_the_core_checks_say_nothing_of_good_paths(inputs, tmp_path):
    assert output_problem(tmp_path / "report.xlsx", inputs=[inputs]) is None
    assert draft_problem(tmp_path / "report.eml", workbook=tmp_path / "report.xlsx", inputs=[inputs]) is None
    (tmp_path / "report.xlsx").write_bytes(b"last month's")  # replacing an earlier workbook is the point
    assert output_problem(tmp_path / "report.xlsx", inputs=[inputs]) is None


# ---------------------------------------------------------------- case 7: a killed save leaves nothing for good


def test_stale_temporary_files_of_ours_are_removed_on_the_next_save(tmp_path):
    old = time.time() - STALE_TEMPORARY_SECONDS - 60
    stale = [tmp_path / ".~report.k2j4x9q_.tmp", tmp_path / ".~draft.abcd1234.tmp"]
    fresh = tmp_path / ".~report.zz99yy88.tmp"  # another save, still being written
    others = [tmp_path / ".~lock.report.xlsx#", tmp_path / "~$report.xlsx", tmp_path / "notes.tmp",
              tmp_path / ".~report.tmp", tmp_path / "report.xlsx.tmp"]
    for path in stale + [fresh] + others:
        path.write_bytes(b"x")
        os.utime(path, (old, old) if path != fresh else None)
    for path in others:
        os.utime(path, (old, old))
    write_atomically(tmp_path / "report.xlsx", b"new workbook")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, "report.xlsx"] + [p.name for p in others])


def test_a_save_killed_outright_leaves_a_temporary_file_the_next_save_removes(tmp_path):
    """A SIGKILL between writing the temporary file and replacing the workbook: the file stays behind."""
    script = ("import os, signal, sys\n"
              "from pqa_desktop.core.report import package\n"
              "package.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
              "package.write_atomically(sys.argv[1], b'x' * 1000)\n")
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "report.xlsx")], cwd=ROOT, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == -9
    [left] = [p for p in tmp_path.iterdir()]
    assert left.name.startswith(".~report.") and left.name.endswith(".tmp")
    old = time.time() - STALE_TEMPORARY_SECONDS - 1
    os.utime(left, (old, old))
    assert remove_stale_temporaries(tmp_path) == [left.name]
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- case 11: any file name, any console


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize("command", ["validate", "build", "inspect"])
def test_every_command_writes_any_file_name_to_a_windows_console_or_a_redirect(tmp_path, encoding, command):
    folder = tmp_path / "Łódź returns"
    folder.mkdir()
    (folder / "Audyt Łódź 1.xlsx").write_bytes(fz.case_return())
    (folder / "Błędny.xlsx").write_bytes(b"PK\x03\x04 damaged")  # a finding whose file name is not cp1252
    out = tmp_path / "Raport Łódź.xlsx"
    args = {"validate": ["validate", str(folder), "--period-end", "2024-09", "--json"],
            "build": ["build", str(folder), "-o", str(out), *ARGS, "--json"],
            "inspect": ["inspect", str(out), str(folder), "--la-name", "Anytown Council"]}[command]
    if command == "inspect":
        assert main(["build", str(folder), "-o", str(out), *ARGS]) == 0
    run = subprocess.run([sys.executable, "-m", "pqa_desktop.cli", *args], capture_output=True, timeout=300,
                         cwd=ROOT, env={**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": str(ROOT)})
    stderr = run.stderr.decode(encoding, "replace")
    assert "UnicodeEncodeError" not in stderr and "Traceback" not in stderr, stderr[-2000:]
    assert run.returncode in (0, 1)
    shown = (run.stdout + run.stderr).decode(encoding)
    if command != "inspect":
        assert "B\\u0142\\u0119dny.xlsx" in shown  # the name, written so it can be read back


# ---------------------------------------------------------------- case 12: options and inputs in any order


@pytest.mark.parametrize("order", [
    ["build", "-o", "OUT", "--json", "IN"],
    ["build", "IN", "-o", "OUT", "IN2", "--period-end", "2024-09"],
    ["build", "--json", "-o", "OUT", "IN", "--la-name", "Anytown Council", "IN2"],
    ["build", "--period-end", "2024-09", "IN", "--json", "IN2", "-o", "OUT"],
])
def test_options_and_inputs_in_any_order(tmp_path, capsys, order):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "Audit 1.xlsx").write_bytes(fz.case_return())
    (second / "EDT August.xlsx").write_bytes(fz.edt_return())
    out = tmp_path / "out.xlsx"
    argv = [{"OUT": str(out), "IN": str(first), "IN2": str(second)}.get(a, a) for a in order]
    assert main(argv) == 0
    assert out.is_file()
    if "IN2" in order:
        kinds = openpyxl.load_workbook(out)["Contents"]
        assert kinds  # both inputs were read: the EDT dip sample is on its sheet
        edt = [row for row in openpyxl.load_workbook(out)["EDT dip sampling"].iter_rows(values_only=True) if any(row)]
        assert len(edt) > 3


def test_validate_takes_options_and_inputs_in_any_order(tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "Audit 1.xlsx").write_bytes(fz.case_return())
    (second / "Broken.xlsx").write_bytes(b"PK\x03\x04 damaged")
    assert main(["validate", str(first), "--period-end", "2024-09", str(second)]) == 1  # Broken.xlsx: an error
    assert "Broken.xlsx" in capsys.readouterr().out


def test_an_unknown_option_is_still_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build", str(tmp_path), "-o", str(tmp_path / "o.xlsx"), "--no-such-option"])
    assert exit_.value.code == 2
