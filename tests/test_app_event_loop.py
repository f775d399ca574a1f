"""What keeps the window's event loop turning at a council's scale (issue 18). The times themselves are
measured by the benchmark (scripts/bench_app.py), never here; these tests hold the behaviour."""
from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

from pqa_desktop.app import jobs
from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.main_window import MainWindow
from tests.app_fixtures import TODAY, isolated_qsettings  # noqa: F401 (fixture)


def test_the_objects_made_at_start_are_left_out_of_full_collections_once(qtbot, isolated_qsettings, monkeypatch):
    monkeypatch.setattr(jobs, "_SET_ASIDE", False)
    frozen = []
    monkeypatch.setattr(jobs.gc, "freeze", lambda: frozen.append(gc.get_count()))
    first = MainWindow(settings=AppSettings(), today=TODAY)
    qtbot.addWidget(first)
    assert len(frozen) == 1
    second = MainWindow(settings=AppSettings(), today=TODAY)  # a later window (tests) sets nothing aside again
    qtbot.addWidget(second)
    assert len(frozen) == 1
    assert gc.isenabled()  # collections still run: only the start-up objects are left out


def test_a_job_lets_the_window_back_into_the_interpreter_within_a_tenth_of_a_millisecond(monkeypatch):
    """Each call the window makes into Python while a job's thread runs Python waits for it to let go, up
    to the switch interval (5 ms by default): a redraw's few hundred calls stalled the window 70-110 ms, and
    120-260 ms at 1 ms while a build started (the app's probe; 48-78 ms at 0.1 ms)."""
    import sys

    monkeypatch.setattr(sys, "getswitchinterval", lambda: 0.005)
    chosen = []
    monkeypatch.setattr(sys, "setswitchinterval", chosen.append)
    jobs.PipelineJob(jobs.ANALYSE, lambda progress, cancel: None)
    assert chosen == [jobs.WINDOW_SWITCH_SECONDS] and jobs.WINDOW_SWITCH_SECONDS <= 0.0001


# ---------------------------------------------------------------------------------------------------------
# the inputs list after a check: updated in place, not replaced, when the files are the ones listed
# ---------------------------------------------------------------------------------------------------------
from pqa_desktop.app.inputs_model import STATUS_COLUMN, SUMMARY_ROLE, InputsTableModel  # noqa: E402
from pqa_desktop.app.inputs_panel import InputsPanel  # noqa: E402
from pqa_desktop.core.pipeline.run import InputSummary  # noqa: E402


def _row(n: int, errors: int = 0, kind: str = "case_file_audit") -> InputSummary:
    return InputSummary(name=f"CFA {n}.xlsx", kind=kind, kind_label="Case file audit", records=1, errors=errors,
                        path=f"/data/returns/CFA {n}.xlsx", import_id=n)


class _Signals:
    def __init__(self, model):
        self.resets, self.changed, self.inserted = 0, [], []
        model.modelReset.connect(lambda: setattr(self, "resets", self.resets + 1))
        model.dataChanged.connect(lambda a, b, *_: self.changed.append((a.row(), b.row())))
        model.rowsInserted.connect(lambda _p, first, last: self.inserted.append((first, last)))


def _shown(panel: InputsPanel) -> list[tuple[str, str]]:
    proxy = panel.proxy
    return [(proxy.index(r, 0).data(SUMMARY_ROLE).name, proxy.index(r, STATUS_COLUMN).data())
            for r in range(proxy.rowCount())]


def test_a_check_of_the_files_listed_redraws_only_the_rows_that_changed(qtbot):
    panel = InputsPanel()
    qtbot.addWidget(panel)
    panel.set_rows([_row(n) for n in range(1, 1001)])
    signals = _Signals(panel.model)
    rows = [_row(n, errors=1 if n in (5, 6, 7, 500) else 0) for n in range(1, 1001)]
    panel.set_rows(rows)
    assert signals.resets == 0 and signals.inserted == []
    assert signals.changed == [(4, 6), (499, 499)]
    assert panel.model.rows() == rows
    assert _shown(panel)[3:8] == [("CFA 4.xlsx", "No problems found"), ("CFA 5.xlsx", "1 error"),
                                  ("CFA 6.xlsx", "1 error"), ("CFA 7.xlsx", "1 error"),
                                  ("CFA 8.xlsx", "No problems found")]
    assert panel.summary_text() == "4 files of 1000 need attention"


def test_one_new_file_is_added_at_the_end_of_the_list(qtbot):
    panel = InputsPanel()
    qtbot.addWidget(panel)
    panel.set_rows([_row(n) for n in range(1, 11)])
    panel.put_rows([_row(11)])  # streamed while the check ran
    signals = _Signals(panel.model)
    panel.set_rows([_row(n) for n in range(1, 13)])  # the check: that file and one more
    assert signals.resets == 0 and signals.changed == [] and signals.inserted == [(11, 11)]
    assert [name for name, _ in _shown(panel)] == [f"CFA {n}.xlsx" for n in range(1, 13)]


def test_other_files_or_another_order_replace_the_list(qtbot):
    for before, after in (([1, 2, 3], [2, 1, 3]), ([1, 2, 3], [1, 2]), ([1, 2, 3], [1, 4, 3]), ([], [1])):
        model = InputsTableModel()
        model.set_rows([_row(n) for n in before])
        signals = _Signals(model)
        model.set_rows([_row(n) for n in after])
        assert signals.resets == 1
        assert [r.name for r in model.rows()] == [f"CFA {n}.xlsx" for n in after]


def test_the_rows_selected_stay_selected_after_a_check(qtbot):
    panel = InputsPanel()
    qtbot.addWidget(panel)
    panel.set_rows([_row(n) for n in range(1, 6)])
    panel.view.selectRow(2)
    panel.set_rows([_row(n, errors=1) for n in range(1, 7)])
    assert [s.name for s in panel.selected_summaries()] == ["CFA 3.xlsx"]


def test_new_files_between_the_rows_listed_are_inserted_where_the_check_has_them(qtbot):
    panel = InputsPanel()
    qtbot.addWidget(panel)
    panel.set_rows([_row(n) for n in (1, 2, 3, 9)])
    signals = _Signals(panel.model)
    rows = [_row(n, errors=1 if n == 9 else 0) for n in (1, 2, 4, 3, 5, 9, 10)]  # 4, 5 and 10 are new
    panel.set_rows(rows)
    assert signals.resets == 0
    assert signals.inserted == [(2, 2), (4, 4), (6, 6)]
    assert signals.changed == [(5, 5)]
    assert panel.model.rows() == rows
    assert [name for name, _ in _shown(panel)] == [f"CFA {n}.xlsx" for n in (1, 2, 4, 3, 5, 9, 10)]
    assert _shown(panel)[5] == ("CFA 9.xlsx", "1 error")


def test_a_file_listed_twice_or_gone_replaces_the_list(qtbot):
    model = InputsTableModel()
    model.set_rows([_row(1), _row(2)])
    signals = _Signals(model)
    model.set_rows([_row(1), _row(1), _row(2)])
    assert signals.resets == 1 and [r.name for r in model.rows()] == ["CFA 1.xlsx", "CFA 1.xlsx", "CFA 2.xlsx"]
