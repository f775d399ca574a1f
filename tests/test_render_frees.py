"""Rendering the workbook leaves nothing for the cyclic garbage collector (issue 18).

XlsxWriter's objects refer to one another in cycles: a written workbook left as it was waited for the
collector's next full pass, which walked every cell written (a council's workbook: some 75,000 objects, up to
45 ms at the end of the app's build with the window's thread waiting). ``report.package.let_go`` empties the
closed workbook once its bytes are taken, so reference counting frees it at once."""
from __future__ import annotations

import gc

from pqa_desktop.core.report import render_workbook
from pqa_desktop.core.report.package import Workbook, let_go
from tests import report_fixtures as fx


def _left_for_the_collector(make) -> tuple[object, int]:
    """What ``make()`` returns, and how many objects it left that only the cycle collector can free."""
    gc.collect()
    gc.disable()
    try:
        made = make()
        return made, gc.collect()
    finally:
        gc.enable()


def test_a_rendered_workbook_leaves_no_cycles_behind():
    figures, context = fx.full_figures(), fx.context()
    data, left = _left_for_the_collector(lambda: render_workbook(figures, context))
    assert data[:2] == b"PK"
    assert left < 100, f"rendering left {left} objects in reference cycles"


def test_an_xlsxwriter_workbook_is_cyclic_until_let_go():
    """The reason for ``let_go``: without it a closed workbook is freed only by the collector (this fails
    should a later XlsxWriter stop making cycles, and ``let_go`` could go)."""
    import io

    def written(release: bool):
        def make():
            wb = Workbook(io.BytesIO(), {"in_memory": True})
            sheet = wb.add_worksheet("Data")
            for row in range(200):
                sheet.write_row(row, 0, [f"text {row}", row, row / 7])
            chart = wb.add_chart({"type": "line"})
            chart.add_series({"values": "=Data!$B$1:$B$200"})
            sheet.insert_chart("E2", chart)
            wb.close()
            if release:
                let_go(wb)
        return make

    assert _left_for_the_collector(written(False))[1] > 600
    assert _left_for_the_collector(written(True))[1] < 20
