"""Text in CSV files is read as written, or a finding says what could not be (issue 15, cases 8 and 9).

Built here: an audit register saved as Excel's "Unicode Text" (UTF-16 with a byte order mark, tab
separated) and the same without the mark; a register whose rows mix UTF-8 and Windows-1252 (a file
written by two programs: before, the whole file was decoded as Windows-1252 and "Équipe Sud" became
"Ã‰quipe Sud", a team that does not exist); a register with a feedback text of 150,000 characters
(over the csv module's 131,072 limit the whole file was "not recognised"); texts over Excel's 32,767
characters (cut without a word when the workbook showed them).
"""
from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from pqa_desktop.cli import main
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.findings import FindingSink, Severity
from pqa_desktop.core.inputs.tables import EXCEL_CELL_CHARS, read_tables
from pqa_desktop.core.pipeline.run import analyse
from tests import fuzz_support as fz

PERIOD = Period(date(2024, 9, 1))
HEADER = ["Child ID", "Date of audit", "Service area", "Team", "Auditor", "Overall grade", "Feedback"]


def _rows(teams: list[str], feedback: list[str] | None = None) -> list[list[str]]:
    feedback = feedback or [""] * len(teams)
    return [[f"{300100 + i}", f"{3 + i:02d}/07/2024", "CwD", team, "Jo Bloggs", "Good", text]
            for i, (team, text) in enumerate(zip(teams, feedback))]


def _csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([HEADER, *rows])
    return buffer.getvalue()


def _teams_read(path) -> list[str]:
    analysis = analyse([path], PERIOD)
    return sorted({a.team for a in analysis.records.audits})


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_excel_unicode_text_is_read(tmp_path, encoding):
    """Excel's "Unicode Text": UTF-16 (with a byte order mark; -le/-be are the same without it), tabs."""
    path = tmp_path / "Tracker.csv"
    path.write_bytes(_csv_text(_rows(["Équipe Sud", "Team Ōtā"]), delimiter="\t").encode(encoding))
    assert _teams_read(path) == ["Team Ōtā", "Équipe Sud"]
    analysis = analyse([path], PERIOD)
    assert [r.kind for _, r in analysis.results] == ["audit_register"]
    assert not [f for f in analysis.findings if f.severity is Severity.ERROR]


def test_a_file_mixing_utf8_and_windows_1252_reads_every_name_and_names_the_rows(tmp_path):
    lines = _csv_text(_rows(["Équipe Sud", "Équipe Sud", "Team A", "Équipe Sud"])).split("\r\n")
    # Rows 3 and 5 (sheet rows: the header is row 1) were written by another program, in Windows-1252.
    data = "\r\n".join(lines[:2]).encode("utf-8") + b"\r\n" + lines[2].encode("cp1252") + b"\r\n" + \
        lines[3].encode("utf-8") + b"\r\n" + lines[4].encode("cp1252") + b"\r\n"
    path = tmp_path / "Tracker.csv"
    path.write_bytes(data)
    assert _teams_read(path) == ["Team A", "Équipe Sud"]  # no "Ã‰quipe Sud"
    sink = FindingSink("Tracker.csv")
    read_tables(fz.input_file("Tracker.csv", data), sink)
    [finding] = sink.findings
    assert finding.rule == "file.mixed_encoding" and finding.severity is Severity.INFO
    assert "rows 3, 5 were saved as Windows-1252" in finding.message and finding.cell == "row 3"


def test_a_file_wholly_in_windows_1252_is_read_as_before_without_a_finding(tmp_path):
    data = _csv_text(_rows(["Équipe Sud", "Team A"])).encode("cp1252")
    sink = FindingSink("Tracker.csv")
    [table] = read_tables(fz.input_file("Tracker.csv", data), sink)
    assert sink.findings == [] and table.rows[1][3] == "Équipe Sud"


def test_a_cell_over_the_csv_field_limit_is_read(tmp_path):
    """Over 131,072 characters the csv module raised "field larger than field limit" and the whole file
    was 'not recognised'; the long feedback is read whole, with a finding that the workbook cuts it."""
    long_text = "Helpful visits. " * 9_400  # 150,400 characters
    path = tmp_path / "Tracker.csv"
    path.write_text(_csv_text(_rows(["Team A", "Team B"], ["Quick", long_text])), encoding="utf-8")
    analysis = analyse([path], PERIOD)
    assert [r.kind for _, r in analysis.results] == ["audit_register"]
    assert len(analysis.records.audits) == 2
    [finding] = [f for f in analysis.findings if f.rule == "file.text_over_excel_limit"]
    assert finding.cell == "G3" and "32,767" in finding.message and finding.severity is Severity.WARNING


def test_a_long_quoted_text_over_several_lines_is_found_too(tmp_path):
    text = ("A line of feedback.\n" * 2_000)  # 40,000 characters, no line of them long
    data = _csv_text(_rows(["Team A"], [text])).encode("utf-8")
    sink = FindingSink("Tracker.csv")
    read_tables(fz.input_file("Tracker.csv", data), sink)
    assert [(f.rule, f.cell) for f in sink.findings] == [("file.text_over_excel_limit", "G2")]


def test_a_text_under_the_limit_gives_no_finding():
    data = _csv_text(_rows(["Team A"], ["x" * EXCEL_CELL_CHARS])).encode("utf-8")
    sink = FindingSink("Tracker.csv")
    read_tables(fz.input_file("Tracker.csv", data), sink)
    assert sink.findings == []


def test_a_text_over_the_cell_limit_is_cut_by_the_workbook_with_a_finding_on_the_data_quality_sheet(tmp_path):
    """The workbook cannot hold more than 32,767 characters in a cell: a feedback text longer than that is
    cut to the limit and the Data quality sheet says where, besides the finding on the input (XlsxWriter
    cut it without a word)."""
    path = tmp_path / "Tracker.csv"
    path.write_text(_csv_text(_rows(["Team A", "Team B"], ["Quick", "Helpful visits. " * 2_500])), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert main(["build", str(path), "-o", str(out), "--period-end", "2024-09", "--la-name", "Anytown Council"]) == 0
    wb = openpyxl.load_workbook(out)
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert max(map(len, texts)) == EXCEL_CELL_CHARS
    quality = [[c.value for c in row] for row in wb["Data quality"].iter_rows()]
    rules = {row[4]: row for row in quality if len(row) > 5}
    assert rules["file.text_over_excel_limit"][0] == "Tracker.csv" and rules["file.text_over_excel_limit"][2] == "G3"
    cut = rules["report.text_cut"]
    assert cut[1] == "Feedback" and "39,999 characters" in cut[5]  # the trailing space trimmed


def _workforce_csv(teams: list[str], cp1252_rows: set[int]) -> bytes:
    """A workforce export (not a return or register) whose data rows in ``cp1252_rows`` (0-based) were saved as
    Windows-1252, the others as UTF-8."""
    from tests.exports_fixtures import VERBATIM, row_for
    header = VERBATIM["workforce"]
    lines = [",".join(header).encode("utf-8")]
    for i, team in enumerate(teams):
        row = row_for(header, {"Worker ID": f"W{i:03d}", "Team": team, "Service area": "CIN",
                               "Role": "Social worker", "Agency worker": "N", "FTE": "1",
                               "Start date": "01/01/2020", "Snapshot date": "30/09/2024"})
        line = ",".join("" if v is None else str(v) for v in row)
        lines.append(line.encode("cp1252" if i in cp1252_rows else "utf-8"))
    return b"\r\n".join(lines) + b"\r\n"


def test_what_reading_an_export_found_is_kept_with_the_export(tmp_path):
    """The returns reader reads every table first and hands an export's sheets to the export reader; what the
    reading itself found (here, rows in another encoding; likewise a sheet too large to read whole) was said
    only to the returns reader, and lost when the file turned out to be an export."""
    from pqa_desktop.core.pipeline.reading import read_input
    data = _workforce_csv(["Équipe Sud", "Équipe Sud", "Team A", "Équipe Sud"], {1, 3})
    result = read_input(fz.input_file("Workforce.csv", data))
    assert result.kind == "system_export"
    [finding] = [f for f in result.findings if f.rule == "file.mixed_encoding"]
    assert "rows 3, 5 were saved as Windows-1252" in finding.message and finding.file == "Workforce.csv"
    path = tmp_path / "Workforce.csv"
    path.write_bytes(data)
    analysis = analyse([path], PERIOD)
    assert [f.cell for f in analysis.findings if f.rule == "file.mixed_encoding"] == ["row 3"]


def test_a_sheet_too_large_to_read_whole_is_still_said_when_the_workbook_is_an_export(tmp_path, monkeypatch):
    """The same for a workbook: its export sheet, cut short at the reading's cell limit (lowered here to
    3,000 cells), is read as an export and the warning that only its first rows were read goes with it."""
    import functools

    from pqa_desktop.core.pipeline.reading import read_input
    from pqa_desktop.core.returns import reader as returns_reader
    from tests.exports_fixtures import VERBATIM, row_for, write_xlsx
    header = VERBATIM["workforce"]
    rows = [row_for(header, {"Worker ID": f"W{i:03d}", "Team": "Team A", "Service area": "CIN",
                             "Role": "Social worker", "Agency worker": "N", "FTE": 1,
                             "Start date": date(2020, 1, 1), "Snapshot date": date(2024, 9, 30)})
            for i in range(400)]
    path = write_xlsx(tmp_path / "Workforce.xlsx", {"Workforce": [header, *rows]})
    monkeypatch.setattr(returns_reader, "iter_tables", functools.partial(returns_reader.iter_tables, max_cells=3_000))
    result = read_input(fz.input_file("Workforce.xlsx", path.read_bytes()))
    assert result.kind == "system_export" and len(result.exports[0].frame) == 3_000 // len(header) - 1
    [finding] = [f for f in result.findings if f.rule == "file.sheet_truncated"]
    assert finding.sheet == "Workforce" and "401 rows" in finding.message
