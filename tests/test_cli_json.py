"""The command line's --json output: JSON alone on stdout, everything else on stderr."""
from __future__ import annotations

import json

import pytest

from pqa_desktop.cli import main


@pytest.fixture(scope="module")
def sample(tmp_path_factory, demo_inputs_copy):
    folder = tmp_path_factory.mktemp("sample")
    demo_inputs_copy(folder)  # generated once per run (conftest.py)
    return folder


def test_validate_json_prints_json_alone_on_stdout(sample, capsys):
    status = main(["validate", str(sample), "--period-end", "2024-09", "--json"])
    assert status == 1  # the sample carries deliberate errors
    captured = capsys.readouterr()
    summary = json.loads(captured.out)  # nothing but the JSON document
    assert summary["findings"]["error"] >= 1
    assert summary["period_end"] == "2024-09"
    # every finding still printed, on stderr
    assert "ERROR" in captured.err
    assert captured.err.count("\n") >= sum(summary["findings"].values())


def test_validate_without_json_prints_findings_on_stdout(sample, capsys):
    assert main(["validate", str(sample), "--period-end", "2024-09"]) == 1
    captured = capsys.readouterr()
    assert "ERROR" in captured.out
