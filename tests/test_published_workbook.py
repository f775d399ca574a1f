"""Published comparators in the workbook and on the command line: `pqa demo/build --council`, the settings
file's council, `--benchmarks-data`, tbl_kpis' comparator columns, tbl_benchmarks, the KPI notes, the
cover line and the key messages; nothing but the cover line changes without a council."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pqa_desktop.cli import main
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.comparators import NO_COUNCIL_TEXT, council_comparators
from pqa_desktop.core.measures.kpi_table import kpi_tables
from pqa_desktop.core.messages_kpis import Kpi, benchmark_clause
from pqa_desktop.core.resources import resource
from pqa_desktop.core.settings import Settings

PRODUCED = "2024-10-07"


def table_rows(ws, name: str) -> list[list]:
    """The named table's cells (header row first), as openpyxl reads them."""
    return [[c.value for c in row] for row in ws[ws.tables[name].ref]]


def _table(ws, name: str) -> list[dict]:
    rows = table_rows(ws, name)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _by_id(rows: list[dict]) -> dict[str, dict]:
    return {r["KPI id"]: r for r in rows}


@pytest.fixture(scope="module")
def barnet(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("barnet") / "barnet.xlsx"
    assert main(["demo", str(out), "--produced", PRODUCED, "--council", "Barnet"]) == 0
    return out


@pytest.fixture(scope="module")
def no_council(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("none") / "none.xlsx"
    assert main(["demo", str(out), "--produced", PRODUCED]) == 0
    return out


def test_tbl_benchmarks_gives_barnets_published_figures(barnet):
    wb = load_workbook(barnet)
    rows = _by_id(_table(wb["KPIs"], "tbl_benchmarks"))
    icpc = rows["icpc_15wd_pct"]  # hand-worked in test_comparators.py
    assert icpc["Published measure"] == "Percentage of child protection conferences held within 15 days"
    assert (icpc["Year"], icpc["Rank"], icpc["Quartile"]) == ("2024-25", 73, "B")
    assert (icpc["Council"], icpc["Statistical neighbours"], icpc["Region"], icpc["England"]) == (
        pytest.approx(0.827), pytest.approx(0.7254), pytest.approx(0.801), pytest.approx(0.814))
    assert icpc["Source"] == "DfE, Characteristics of children in need 2024-25 (LAIT CP_conf_15days)"
    suppressed = rows["cp_open_2yrs_pct"]
    assert suppressed["Council"] is None and suppressed["Rank"] is None
    assert suppressed["Statistical neighbours"] == pytest.approx(0.04425)
    assert len(rows) == 15 and "contacts" not in rows
    cells = {c.value: c for row in wb["KPIs"].iter_rows() for c in row if c.value == 0.827}
    assert next(iter(cells.values())).number_format == "0.0%"


def test_tbl_kpis_comparators_come_from_the_published_figures(barnet):
    kpis = _by_id(_table(load_workbook(barnet)["KPIs"], "tbl_kpis"))
    icpc = kpis["icpc_15wd_pct"]
    assert (icpc["England"], icpc["Statistical neighbours"], icpc["Region"]) == (
        pytest.approx(0.814), pytest.approx(0.7254), pytest.approx(0.801))
    assert icpc["Benchmark source"] == ("England, Statistical neighbours, Region: DfE, Characteristics of children in "
                                        "need 2024-25 (LAIT CP_conf_15days)")
    caseload = kpis["caseload_avg"]  # not a percentage: as published
    assert caseload["England"] == pytest.approx(15.2)
    assert kpis["contacts"]["England"] is None and kpis["care_leavers_in_touch_pct"]["Statistical neighbours"] is None


def test_paired_kpi_notes_say_where_the_published_definition_differs(barnet):
    notes = [r[1] for r in table_rows(load_workbook(barnet)["Contents"], "tbl_notes")[1:]]
    icpc = next(n for n in notes if "(icpc_15wd_pct)" in n)
    assert icpc.endswith("Published comparator (DfE, Characteristics of children in need 2024-25 (LAIT "
                         "CP_conf_15days)): Published: initial child protection conferences in the year to 31 March "
                         "held within 15 working days of the strategy discussion that started the Section 47 enquiry; "
                         "ours: the same rule for conferences in the year to date (part of a year until March).")
    contacts = next(n for n in notes if "(contacts)" in n)
    assert "Published comparator" not in contacts


def test_cover_names_the_council_and_the_published_years(barnet, no_council):
    def line(path):
        ws = load_workbook(path)["Contents"]
        return next(r[1].value for r in ws.iter_rows(max_col=2) if r[0].value == "Published comparators")

    text = line(barnet)
    assert text.startswith("Barnet (LA 302, E09000003)")
    assert "latest years 2024-25" in text and "Sep 2025 (Children's social work workforce)" in text
    assert line(no_council) == NO_COUNCIL_TEXT


def test_nothing_else_changes_without_a_council(no_council):
    wb = load_workbook(no_council)
    assert "tbl_benchmarks" not in wb["KPIs"].tables
    kpis = _by_id(_table(wb["KPIs"], "tbl_kpis"))
    assert kpis["icpc_15wd_pct"]["England"] == pytest.approx(0.797)  # the shipped England value
    assert all(r["Statistical neighbours"] is None and r["Region"] is None for r in kpis.values())
    notes = [r[1] for r in table_rows(wb["Contents"], "tbl_notes")[1:]]
    assert not any("Published comparator" in n for n in notes)


def test_key_messages_compare_with_statistical_neighbours(barnet):
    # messages are written one wrapped line a row: read the panel back as running text
    ws = load_workbook(barnet)["KPIs"]
    panel = next(c.column for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str) and c.value.startswith("\u2022 ICPCs held"))
    texts = " ".join(c.value.strip() for (c,) in ws.iter_rows(min_col=panel, max_col=panel)
                     if isinstance(c.value, str))
    # the demo's 92% against Barnet's neighbours (72.5%) and England (81.4%)
    assert ("ICPCs held within 15 working days of the strategy discussion: 92% in the year to date, meeting the "
            "target of 90%, above statistical neighbours (72.5%) and England (81.4%).") in texts


def test_users_benchmarks_file_wins_over_the_published_figures():
    import pandas as pd

    published = council_comparators(Settings(council="Barnet"))
    user = pd.DataFrame({"kpi_id": ["icpc_15wd_pct"], "comparator": ["Statistical neighbours"], "value": [66.6],
                         "period": ["2024"], "source": ["Our own group"]})
    table, _ = kpi_tables([], Period.parse("2024-09"), Settings(), user, published=published)
    row = table[table["KPI id"] == "icpc_15wd_pct"].iloc[0]
    assert (row["England"], row["Statistical neighbours"], row["Region"]) == (
        pytest.approx(0.814), pytest.approx(0.666), pytest.approx(0.801))
    assert row["Benchmark source"] == ("England, Region: DfE, Characteristics of children in need 2024-25 (LAIT "
                                       "CP_conf_15days); Statistical neighbours: Our own group (2024)")


def test_a_small_published_percentage_is_not_read_as_a_fraction():
    # Redbridge's CPPlans2yrsActive neighbours average 0.6-ish %: 0.6 must become 0.006, not 0.6 (60%).
    published = council_comparators(Settings(council="Barnet"))
    table, _ = kpi_tables([], Period.parse("2024-09"), Settings(), published=published)
    row = table[table["KPI id"] == "cp_open_2yrs_pct"].iloc[0]
    assert row["Statistical neighbours"] == pytest.approx(0.04425) and row["England"] == pytest.approx(0.023)


# --- the command line -----------------------------------------------------------------------------

@pytest.mark.parametrize("council, words", [
    ("Leds", "No council called 'Leds'. Did you mean Leeds?"),
    ("Kingston", "'Kingston' could be Kingston Upon Hull, City of or Kingston upon Thames"),
    ("Northamptonshire", "could be North Northamptonshire or West Northamptonshire"),
    ("E10000006", "Cumbria (E10000006) has no published figures"),
])
def test_unknown_or_ambiguous_council_is_a_usage_error(tmp_path, capsys, council, words):
    out = tmp_path / "out.xlsx"
    assert main(["demo", str(out), "--council", council]) == 2
    err = capsys.readouterr().err
    assert words in err and "9-character code (E08000035)" in err
    assert not out.exists()


def test_build_takes_the_council_from_the_settings_file(tmp_path, capsys):
    from pqa_desktop.core.sample_data import write_demo_inputs

    inputs = tmp_path / "in"
    write_demo_inputs(inputs)
    settings = tmp_path / "s.toml"
    settings.write_text('la_name = "Barnet"\ncouncil = "E09000003"\n', encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert main(["build", str(inputs), "-o", str(out), "--period-end", "2024-09", "--settings", str(settings),
                 "--produced", PRODUCED]) == 0
    assert "published comparators: Barnet (LA 302, E09000003), latest years 2024-25" in capsys.readouterr().err
    assert "tbl_benchmarks" in load_workbook(out)["KPIs"].tables
    settings.write_text('council = "Barnit"\n', encoding="utf-8")
    assert main(["build", str(inputs), "-o", str(tmp_path / "x.xlsx"), "--settings", str(settings)]) == 2
    assert "Did you mean Barnet" in capsys.readouterr().err


def test_benchmarks_data_option(tmp_path, capsys):
    copy = tmp_path / "newer.json"
    shutil.copy(resource("published_comparators.json"), copy)
    out = tmp_path / "out.xlsx"
    assert main(["demo", str(out), "--produced", PRODUCED, "--council", "383", "--benchmarks-data", str(copy)]) == 0
    err = capsys.readouterr().err
    assert "published comparators: Leeds (LA 383, E08000035), latest years 2024-25" in err
    cover = next(r[1].value for r in load_workbook(out)["Contents"].iter_rows(max_col=2)
                 if r[0].value == "Published comparators")
    assert "from the file chosen in the settings" in cover
    assert main(["demo", str(tmp_path / "x.xlsx"), "--council", "Leeds", "--benchmarks-data",
                 str(tmp_path / "missing.json")]) == 2
    assert "does not exist" in capsys.readouterr().err


# --- key message clauses --------------------------------------------------------------------------

def _kpi(value, neighbours, england, unit="percent"):
    return Kpi("icpc_15wd_pct", "x", "ytd", unit, value, None, None, england, neighbours, "No target", "")


@pytest.mark.parametrize("value, neighbours, england, clause", [
    (0.71, 0.802, 0.781, ", below statistical neighbours (80.2%) and England (78.1%)"),
    (0.79, 0.802, 0.781, ", below statistical neighbours (80.2%) but above England (78.1%)"),
    (0.80, 0.8004, 0.781, ", in line with statistical neighbours (80.0%) and above England (78.1%)"),
    (0.85, 0.802, None, ", above statistical neighbours (80.2%)"),
    (0.85, None, 0.781, " (England 78.1%)"),
])
def test_benchmark_clause_tells_the_comparison_with_neighbours(value, neighbours, england, clause):
    assert benchmark_clause(_kpi(value, neighbours, england)) == clause


def test_benchmark_clause_for_an_average():
    assert benchmark_clause(_kpi(19.1, 15.57, 15.2, unit="number")) == (
        ", above statistical neighbours (15.6) and England (15.2)")
