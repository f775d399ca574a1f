"""The export figures of one analysis are worked out once per settings (the app computes them for the
drafted messages, then again for the build): same figures, fewer passes, and a changed setting counts."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from pqa_desktop.core import pipeline
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.sample_exports import generate_exports
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
