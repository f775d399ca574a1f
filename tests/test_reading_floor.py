"""``scripts/reading_floor.py`` (issue 18): each kind of input read as the parse floor reads it and as a reading
worker reads it, in process time, so the README's per-kind ratios can be taken again."""
from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

from pqa_desktop.core.returns.templates import write_return

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("pqa_reading_floor", ROOT / "scripts" / "reading_floor.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _year(folder: Path) -> Path:
    (folder / "returns" / "Case file audits").mkdir(parents=True)
    (folder / "exports").mkdir()
    for n in range(3):
        write_return(folder / "returns" / "Case file audits" / f"Audit {n}.xlsx", "case_file_audit", {
            "case_ref": f"AB{100000 + n}", "service_area": "IRT", "team": "IRT 1", "auditor": "Ann Auditor",
            "audit_date": date(2024, 7, 1 + n), "overall": "Good"})
    (folder / "exports" / "Allocation history.csv").write_text(
        "Child ID,Worker ID,Start date,End date\n" + "".join(f"C{n},W{n % 3},01/0{1 + n % 9}/2024,\n" for n in range(40)),
        encoding="utf-8")
    return folder


def test_the_inputs_are_grouped_by_kind_and_each_group_is_read_both_ways(tmp_path, capsys):
    script = _script()
    year = _year(tmp_path)
    groups = script.groups(year)
    assert [p.name for p in groups["returns"]] == ["Audit 0.xlsx", "Audit 1.xlsx", "Audit 2.xlsx"]
    assert [p.name for p in groups["CSV exports"]] == ["Allocation history.csv"]
    assert groups["exports workbook"] == []
    figures = script.measure(groups["returns"], repeats=2)
    assert figures["files"] == 3 and figures["floor"] > 0 and figures["read"] > 0
    assert script.main(["--data", str(year), "--repeats", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["inputs", "files", "floor", "s", "read", "s", "ratio"]
    assert [line.split()[0] for line in lines[1:]] == ["CSV", "returns", "all"]  # no exports workbook: no line
    assert all(line.endswith("x") for line in lines[1:])
