"""The build's memory (issue 18, item 3: the command line's peak <= 250 MB on a large council's year, measured
by `make bench`): an analysis keeps what was read, not the inputs' bytes, and memory freed between stages
is given back to the system. No absolute figure here: the machine and CI differ."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.runtime.memory import release_freed_memory
from pqa_desktop.core.sample.demo import generate_returns
from pqa_desktop.core.sample.exports import generate_exports

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


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux only")
def test_memory_freed_is_given_back_to_the_system():
    # 80 MB in blocks small enough to come from the C heap (not mapped on their own), a block kept after
    # them so the heap's top cannot shrink by itself: freeing them leaves the process holding the memory.
    blocks = [bytearray(20_000) for _ in range(4000)]
    for block in blocks:
        block[::4096] = b"x" * len(block[::4096])  # touched: resident
    keep = bytearray(20_000)
    del blocks
    before = _rss_kb()
    assert release_freed_memory()
    after = _rss_kb()
    assert before - after > 30_000, (before, after)
    del keep
