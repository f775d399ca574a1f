"""The export figures of one analysis are worked out once per settings (the app computes them for the
drafted messages, then again for the build): same figures, fewer passes, and a changed setting counts."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.sample.exports import generate_exports
from pqa_desktop.core.settings import Settings

SEP = Period(date(2024, 9, 1))


def test_export_figures_are_computed_once_per_analysis_and_settings(tmp_path, monkeypatch):
    generate_exports(tmp_path / "exports", period_end=date(2024, 9, 1), seed=3, scale=0.05, messy=False)
    analysis = pipeline.analyse([tmp_path / "exports"], SEP)
    passes = []
    real = pipeline._add_export_figures
    monkeypatch.setattr(pipeline, "_add_export_figures", lambda *a: passes.append(1) or real(*a))
    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"))
    first, _ = pipeline.compute(analysis, options)
    first.tables["tbl_kpis"].loc[0, "Value"] = -1  # a caller changing its copy changes nobody else's
    second, _ = pipeline.compute(analysis, options)
    assert len(passes) == 1
    fresh = pipeline.Figures(period=SEP)
    real(fresh, analysis.exports, SEP, options.settings)
    for name, table in fresh.tables.items():
        assert second.tables[name].equals(table), name
    assert second.headlines[-len(fresh.headlines):] == fresh.headlines
    assert second.notes[-len(fresh.notes):] == fresh.notes
    # Another setting: worked out again.
    other = replace(options, settings=replace(options.settings, population_0_17=99_000))
    pipeline.compute(analysis, other)
    assert len(passes) == 2


def _same_figures(a, b) -> bool:
    return (sorted(a.tables) == sorted(b.tables) and all(a.tables[n].equals(b.tables[n]) for n in a.tables)
            and [repr(h) for h in a.headlines] == [repr(h) for h in b.headlines] and a.notes == b.notes)


def test_kpis_worked_out_in_a_fork_are_the_same(tmp_path, monkeypatch):
    """At council scale the KPIs are worked out in a forked copy beside the other figures: same figures."""
    import multiprocessing

    from pqa_desktop.core.runtime import processes

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork here")
    generate_exports(tmp_path / "exports", period_end=date(2024, 9, 1), seed=4, scale=0.05, messy=True)
    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"))
    here = pipeline.compute(pipeline.analyse([tmp_path / "exports"], SEP), options)[0]
    monkeypatch.setattr(processes, "KPI_ELSEWHERE_MIN_ROWS", 0)
    monkeypatch.setattr(processes, "fork_is_safe", lambda: True)
    monkeypatch.delenv(processes.START_METHOD_ENV, raising=False)  # the fork path, whatever the run forces
    forked = []
    real = pipeline._KpisElsewhere.results
    monkeypatch.setattr(pipeline._KpisElsewhere, "results", lambda self: forked.append(r := real(self)) or r)
    elsewhere = pipeline.compute(pipeline.analyse([tmp_path / "exports"], SEP), options)[0]
    assert forked and forked[0] is not None, "the KPIs were not worked out in the fork"
    assert _same_figures(elsewhere, here)


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_without_fork_the_kpis_are_worked_out_here(tmp_path, monkeypatch, method):
    """Where workers do not start by forking (Windows: spawn), a copy would cost more than it saves
    (processes.kpi_plan): the KPIs are worked out in this process, with the same figures."""
    import multiprocessing

    from pqa_desktop.core.runtime import processes

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    generate_exports(tmp_path / "exports", period_end=date(2024, 9, 1), seed=4, scale=0.05, messy=True)
    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"))
    here = pipeline.compute(pipeline.analyse([tmp_path / "exports"], SEP), options)[0]
    monkeypatch.setattr(processes, "KPI_ELSEWHERE_MIN_ROWS", 0)
    monkeypatch.setattr(processes, "fork_is_safe", lambda: True)
    monkeypatch.setenv(processes.START_METHOD_ENV, method)
    assert processes.kpi_plan(10**6) == "here"
    started = []
    monkeypatch.setattr(pipeline._KpisElsewhere, "__init__", lambda self, *a: started.append(1))
    again = pipeline.compute(pipeline.analyse([tmp_path / "exports"], SEP), options)[0]
    assert not started, "a copy was started"
    assert _same_figures(again, here)


def test_a_fork_that_fails_leaves_the_kpis_to_this_process(tmp_path, monkeypatch):
    import multiprocessing
    import os

    from pqa_desktop.core.runtime import processes

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork here")
    generate_exports(tmp_path / "exports", period_end=date(2024, 9, 1), seed=4, scale=0.05, messy=False)
    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"))
    here = pipeline.compute(pipeline.analyse([tmp_path / "exports"], SEP), options)[0]
    monkeypatch.setattr(processes, "KPI_ELSEWHERE_MIN_ROWS", 0)
    monkeypatch.setattr(processes, "fork_is_safe", lambda: True)
    monkeypatch.delenv(processes.START_METHOD_ENV, raising=False)  # the fork path, whatever the run forces
    parent = os.getpid()
    real = pipeline.kpi_figures

    def dying(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(7)  # the copy dies without a word
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "kpi_figures", dying)
    answers = []
    real_results = pipeline._KpisElsewhere.results
    monkeypatch.setattr(pipeline._KpisElsewhere, "results", lambda self: answers.append(r := real_results(self)) or r)
    again = pipeline.compute(pipeline.analyse([tmp_path / "exports"], SEP), options)[0]
    assert answers == [None], "the fork was not tried, or did not die"
    assert _same_figures(again, here)


def test_the_figures_of_a_check_are_worked_out_once_for_its_build(tmp_path, monkeypatch):
    """The app computes the figures when it checks the inputs (the drafted key messages) and again when the
    workbook is built from that check: the audit figures too are worked out once, each caller gets its own
    copy, the build's replaced key messages are its own, and the feedback left out or a setting counts."""
    from tests.workspace_fixtures import august, september

    generate_exports(tmp_path / "exports", period_end=date(2024, 9, 1), seed=3, scale=0.05, messy=False)
    analysis = pipeline.analyse([tmp_path / "exports", august(tmp_path / "aug"), september(tmp_path / "sep")], SEP)
    passes = []
    real = pipeline.audit_figures
    monkeypatch.setattr(pipeline, "audit_figures", lambda *a, **k: passes.append(1) or real(*a, **k))
    check = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"), audit_key_secret="s")
    drafted = pipeline.compute(analysis, check)
    drafted[0].tables["tbl_feedback"].loc[0, "Feedback"] = "changed by a caller"
    drafted[1].setdefault("Summary", []).append("changed by a caller")
    build = replace(check, messages={"Summary": "Our own key message."})
    built = pipeline.compute(analysis, build)
    assert len(passes) == 1, "the audit figures were worked out again for the build of the same check"
    fresh = pipeline.compute(pipeline.analyse([tmp_path / "exports", tmp_path / "aug", tmp_path / "sep"], SEP), build)
    assert _same_figures(built[0], fresh[0])
    assert built[1] == fresh[1] and built[1]["Summary"] == ["Our own key message."]
    assert pipeline.compute(analysis, check)[1] == pipeline.compute(
        pipeline.analyse([tmp_path / "exports", tmp_path / "aug", tmp_path / "sep"], SEP), check)[1]
    feedback = built[0].tables["tbl_feedback"]
    assert len(feedback) == 2
    left_out = replace(check, excluded_feedback={pipeline.feedback_items(analysis, check)[0].audit_key})
    assert len(pipeline.compute(analysis, left_out)[0].tables["tbl_feedback"]) == 1
    hidden = replace(check, settings=replace(check.settings, feedback_text=False))
    assert set(pipeline.compute(analysis, hidden)[0].tables["tbl_feedback"]["Feedback"]) == {pipeline.FEEDBACK_LEFT_OUT}
    other_secret = replace(check, audit_key_secret="another")
    assert list(pipeline.compute(analysis, other_secret)[0].tables["tbl_audits"]["Audit key"]) != \
        list(built[0].tables["tbl_audits"]["Audit key"])
