"""resources/measures.toml against measures.md "Sections and polarity": every measure's section and
polarity as the contract says, and the file (the row order of tbl_kpis) in the contract's section order."""
from __future__ import annotations

import re

import pytest

from pqa_desktop.core.measures.figures import better_or_worse
from pqa_desktop.core.measures.kpi_catalogue import measure_specs
from tests.shared_paths import shared_file


def contract_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section, [(measure id, polarity)…])…] from the contract's table, in its order."""
    text = shared_file("spec", "measures.md").read_text(encoding="utf-8")
    part = text.split("## Sections and polarity", 1)[1].split("\n## ", 1)[0]
    out = []
    for line in part.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 4 or cells[1] in ("section", "---") or not cells[1]:
            continue
        section, measures = cells[1], cells[2]
        shared = re.search(r"\(all (higher|lower|none)\)\s*$", measures)
        found = []
        for m in re.finditer(r"`([a-z0-9_]+)`(?:\s*\((higher|lower|none)\))?", measures):
            found.append((m.group(1), m.group(2) or (shared.group(1) if shared else None)))
        out.append((section, found))
    return out


def test_the_contract_table_was_read():
    sections = contract_sections()
    assert [s for s, _ in sections] == ["Identification of harm", "Assessment", "Child protection",
                                        "Plans and children in care", "Care leavers", "Workforce", "Fostering"]
    assert sum(len(m) for _, m in sections) == 45
    assert all(p in ("higher", "lower", "none") for _, ms in sections for _, p in ms)


def test_every_measure_has_the_contracts_section_and_polarity():
    specs = {s.id: s for s in measure_specs()}
    for section, measures in contract_sections():
        for measure_id, polarity in measures:
            assert specs[measure_id].section == section, measure_id
            assert specs[measure_id].polarity == polarity, measure_id


def test_measures_toml_is_in_the_contracts_order():
    """Rows of tbl_kpis follow the measure table's order within the order of sections: the contract's
    table lists each section's measures in that order, so its order is the file's."""
    expected = [m for _, measures in contract_sections() for m, _ in measures]
    assert [s.id for s in measure_specs()] == expected


@pytest.mark.parametrize("polarity, change, expected", [
    ("higher", 3.0, "Better"), ("higher", -3.0, "Worse"), ("lower", 3.0, "Worse"), ("lower", -0.5, "Better"),
    ("higher", 0.04, "No change"), ("higher", -0.04, "No change"), ("higher", 0.05, "Better"),
    ("lower", -0.05, "Better"), ("higher", 0.0, "No change"), ("none", 5.0, None), ("higher", None, None),
    ("higher", float("nan"), None), (None, 1.0, None),
])
def test_better_or_worse_word(polarity, change, expected):
    assert better_or_worse(polarity, change) == expected
