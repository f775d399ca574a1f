"""The build's memory (issue 18, item 3: the command line's peak <= 250 MB on a large council's year, measured
by `make bench`): an analysis keeps what was read, not the inputs' bytes. No absolute figure here: the
machine and CI differ."""
from __future__ import annotations

from datetime import date

from pqa_desktop.core import pipeline
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.sample_data import generate_returns
from pqa_desktop.core.sample_exports import generate_exports

PERIOD_END = date(2024, 9, 1)


def test_an_analysis_keeps_no_input_bytes_but_every_name_hash_and_place(tmp_path):
    generate_returns(tmp_path / "returns", period_end=PERIOD_END, messy=False, case_file_audits=12,
                     foster_audits=3, edt_samples=1)
    generate_exports(tmp_path / "exports", period_end=PERIOD_END, scale=0.05)
    found = pipeline.discover_inputs([tmp_path])
    analysis = pipeline.analyse([tmp_path], Period(PERIOD_END))
    assert analysis.results and len(analysis.files) == len(found.files)
    assert all(item.data == b"" for item in analysis.files)
    assert all(item.data == b"" for item, _ in analysis.results)
    # what the app, the findings and the leak inspector use of them is kept
    assert [(i.name, i.sha256, i.path, i.modified) for i in analysis.files] == \
        [(i.name, i.sha256, i.path, i.modified) for i in found.files]
    assert analysis.records.audits and analysis.exports
    # the workbook is built from it as before
    out = tmp_path / "out.xlsx"
    pipeline.build([tmp_path], out, pipeline.BuildOptions(period=Period(PERIOD_END), produced=date(2024, 10, 7)),
                   analysis=analysis)
    assert out.stat().st_size > 0
