"""Rebuilding from the workspace alone (``pqa build --workspace W -o out.xlsx``, no inputs) writes the workbook
(issue 15): the demo's returns have dates in their file names ("… 20.05.24.xlsx"), the Data quality sheet lists
those names, and with no input read in the rebuild the leak inspector took those dates for children's dates of
birth and refused the build. A date that is part of an input's name is not a date of birth; the same date
anywhere else still is.
"""
from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from pqa_desktop.cli import main
from pqa_desktop.core.inspect import inspect_workbook
from pqa_desktop.core.inspect.matching import DATE_OF_BIRTH

ARGS = ["--period-end", "2024-09", "--la-name", "Anytown Council", "--produced", "2024-10-07"]


@pytest.fixture(scope="module")
def demo_inputs(tmp_path_factory, demo_inputs_copy):
    folder = tmp_path_factory.mktemp("demo")
    demo_inputs_copy(folder)  # generated once per run (conftest.py)
    return folder


def test_the_demo_rebuilds_from_the_workspace_alone(demo_inputs, tmp_path, capsys):
    workspace = tmp_path / "ws.sqlite"
    assert main(["build", str(demo_inputs), "--workspace", str(workspace), "-o", str(tmp_path / "first.xlsx"),
                 *ARGS]) == 0
    capsys.readouterr()
    assert main(["build", "--workspace", str(workspace), "-o", str(tmp_path / "again.xlsx"), *ARGS]) == 0, \
        capsys.readouterr().err
    first, again = (openpyxl.load_workbook(tmp_path / n) for n in ("first.xlsx", "again.xlsx"))
    names = [r[0] for r in again["Data quality"].iter_rows(values_only=True) if r and r[0]]
    assert any("20.05.24" in str(n) for n in names)  # the dated file names are listed, and allowed
    assert [ws.title for ws in again.worksheets] == [ws.title for ws in first.worksheets]


def test_a_date_of_birth_outside_a_file_name_is_still_a_leak(tmp_path):
    """The same date as a file name's, written elsewhere, is reported: file names are taken out of the
    text before dates are looked for, not their dates out of the dates of birth."""
    import xlsxwriter

    path = tmp_path / "w.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data quality")
    ws.write_string(0, 0, "Case file audit - CwD Team - 20.05.24.xlsx")
    ws.write_string(1, 0, "Born 20/05/2024, see Case file audit - CwD Team - 20.05.24.xlsx")
    wb.close()
    leaks = inspect_workbook(path, dates_of_birth=[date(2024, 5, 20)],
                             file_names=["Case file audit - CwD Team - 20.05.24.xlsx"])
    assert [(leak.kind, leak.part) for leak in leaks if leak.kind == DATE_OF_BIRTH] == \
        [(DATE_OF_BIRTH, "cell 'Data quality'!A2")]
