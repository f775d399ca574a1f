"""Published comparators in the workbook and on the command line: `pqa demo/build --council`, the settings
file's council, `--benchmarks-data`, tbl_kpis' comparator columns, tbl_benchmarks, the KPI notes, the
cover line and the key messages; nothing but the cover line changes without a council."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pqa_desktop.cli import main
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.comparators import NO_COUNCIL_TEXT, council_comparators
from pqa_desktop.core.measures.kpi_catalogue import measure_specs
from pqa_desktop.core.measures.kpi_table import kpi_tables
from pqa_desktop.core.messages.kpi_messages import Kpi, benchmark_clause
from pqa_desktop.core.resources import resource
from pqa_desktop.core.settings import Settings

from . import workbook_checks as checks

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
def barnet(shared_demo) -> Path:
    return shared_demo("Barnet")  # built once per run (conftest.py)


@pytest.fixture(scope="module")
def no_council(shared_demo) -> Path:
    return shared_demo()  # built once per run (conftest.py)


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
    # where the workbook shows them, as it does: tables, messages and the published-series charts
    assert ("tbl_benchmarks on the KPIs sheet (with rank and quartile band) and a chart of each measure's published "
            "years on its section sheet") in text
    assert line(no_council) == NO_COUNCIL_TEXT
    assert "a chart of each measure's published years" in NO_COUNCIL_TEXT


def test_nothing_else_changes_without_a_council(no_council):
    wb = load_workbook(no_council)
    assert "tbl_benchmarks" not in wb["KPIs"].tables
    kpis = _by_id(_table(wb["KPIs"], "tbl_kpis"))
    assert kpis["icpc_15wd_pct"]["England"] == pytest.approx(0.797)  # the shipped England value
    assert all(r["Statistical neighbours"] is None and r["Region"] is None for r in kpis.values())
    notes = [r[1] for r in table_rows(wb["Contents"], "tbl_notes")[1:]]
    assert not any("Published comparator" in n for n in notes)


def test_key_messages_compare_with_statistical_neighbours(barnet):
    # each key message is one whole sentence in one cell, at the top of its section's sheet
    ws = load_workbook(barnet)["Child protection"]
    texts = [c.value for (c,) in ws.iter_rows(max_col=1) if isinstance(c.value, str)]
    # the demo's 92% against Barnet's neighbours (72.5%) and England (81.4%)
    assert ("\u2022 ICPCs held within 15 working days of the strategy discussion: 92% in the year to date, meeting "
            "the target of 90%, above statistical neighbours (72.5%) and England (81.4%).") in texts


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


def test_build_takes_the_council_from_the_settings_file(tmp_path, capsys, demo_inputs_copy):

    inputs = tmp_path / "in"
    demo_inputs_copy(inputs)  # generated once per run (conftest.py)
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


# --- nothing but the cover line changes without a council -----------------------------------------

COMPARATOR_COLUMNS = {"tbl_kpis": ("England", "Statistical neighbours", "Region", "Benchmark source"),
                      "tbl_headlines": ("Statistical neighbours", "England"), "tbl_kpi_chart_data": ("England",),
                      **{t: ("Statistical neighbours", "England") for t in checks.SCORECARDS.values()}}
PUBLISHED_TABLES = {"tbl_benchmarks", "tbl_published_series"}
# What a key message says about comparators (benchmark_clause): ", below statistical neighbours (80.2%) and
# England (78.1%)", ", above … but below England (…)", or " (England 84.5%)".
_CLAUSES = (re.compile(r", (above|below|in line with) statistical neighbours \([^)]*\)"
                       r"(( and| but)?( (above|below|in line with))? England \([^)]*\))?"),
            re.compile(r" \((England|statistical neighbours) [^)]*\)"))
_ENGLAND = re.compile(r"England [\d.,]+%?")


def _sentences(ws) -> list[str]:
    """A sheet's key messages and commentary, a sentence continued on the next row joined to it."""
    out: list[str] = []
    for text in checks.narrative_cells(ws):
        if text.startswith("  ") and out:
            out[-1] += " " + text.strip()
        else:
            out.append(text)
    return out


def _without_comparators(sentence: str) -> str:
    for clause in _CLAUSES:
        sentence = clause.sub("", sentence)
    return sentence


def _shipped_england() -> dict[str, tuple[float, str]]:
    """resources/benchmarks.csv (read here as data): KPI id -> (England value in our units, source text)."""
    import csv

    units = {s.id: s.unit for s in measure_specs()}
    with open(resource("benchmarks.csv"), encoding="utf-8-sig", newline="") as fh:
        return {r["KPI id"]: (float(r["Value"]) / (100 if units[r["KPI id"]] == "percent" else 1),
                              f"England: {r['Source']} ({r['Period']})")
                for r in csv.DictReader(fh) if r["Comparator"] == "England"}


def _cells(wb, ref: str | None) -> list | None:
    """The values of a chart's range ('KPI monthly'!$B$5:$B$9)."""
    if ref is None:
        return None
    sheet, cells = ref.rsplit("!", 1)
    return [c.value for row in wb[sheet.strip("'").replace("''", "'")][cells.replace("$", "")] for c in row]


def test_nothing_but_the_cover_line_changes_without_a_council(barnet, no_council):
    """Built without a council, the workbook is the workbook without the published comparators: the same
    sheets, tables, cells and charts as with a council, except exactly where the comparators go (the cover's
    Published comparators line, the KPI notes' published difference, the comparator columns, the comparison
    clause of a key message, tbl_benchmarks, the published-series data and charts); and in each of those
    places it holds what it held before the comparators existed: the shipped England value and its source, no
    statistical neighbours or region, the definitions alone, sentences comparing with England only, no
    published table or chart, and on the cover the line saying how to choose a council."""
    with_council, without = checks.load(barnet), checks.load(no_council)
    assert with_council.sheetnames == without.sheetnames
    shipped = _shipped_england()
    problems: list[str] = []
    for ws in without.worksheets:
        other = with_council[ws.title]
        assert set(ws.tables) == set(other.tables) - PUBLISHED_TABLES, ws.title
        assert (ws.title == "Contents") or _sentences(ws) == _sentences(other) or [
            _without_comparators(s) for s in _sentences(ws)] == [_without_comparators(s) for s in _sentences(other)], \
            ws.title
        problems += [f"{ws.title}: {s!r}" for s in _sentences(ws) if "statistical neighbours" in s]
        for name in ws.tables:
            rows, council_rows = checks.table_dicts(ws, name), checks.table_dicts(other, name)
            assert len(rows) == len(council_rows), name
            touched = COMPARATOR_COLUMNS.get(name, ())
            for row, council_row in zip(rows, council_rows):
                for column, value in row.items():
                    if column in touched:
                        continue
                    if name == "tbl_notes" and value != council_row[column]:
                        # a paired KPI's definition gains its published difference, and nothing else changes
                        assert council_row[column].startswith(value + " Published comparator ("), value
                        continue
                    if value != council_row[column]:
                        problems.append(f"{ws.title} {name} {column}: {value!r} / {council_row[column]!r}")
                kpi_id = row.get("KPI id") or checks.headline_kpi_id(str(row.get("Measure", "")))
                if "England" in touched and kpi_id not in (None, "No data"):
                    england = shipped.get(kpi_id, (None, ""))[0]
                    if not (row["England"] == pytest.approx(england) if england is not None else row["England"] is None):
                        problems.append(f"{name} {kpi_id}: England {row['England']!r}, shipped {england!r}")
                for column in ("Statistical neighbours", "Region"):
                    if column in touched and row[column] is not None:
                        problems.append(f"{name} {kpi_id}: {column} {row[column]!r} without a council")
                if name == "tbl_kpis" and (row["Benchmark source"] or "") != shipped.get(kpi_id, (0, ""))[1]:
                    problems.append(f"tbl_kpis {kpi_id}: Benchmark source {row['Benchmark source']!r}")
    # The cover: every line the same but the published comparators' one, which says how to choose a council.
    cover = {r[0].value: r[1].value for r in without["Contents"].iter_rows(max_col=2) if r[0].value}
    council_cover = {r[0].value: r[1].value for r in with_council["Contents"].iter_rows(max_col=2) if r[0].value}
    assert cover.pop("Published comparators") == NO_COUNCIL_TEXT
    council_cover.pop("Published comparators")
    assert cover.keys() == council_cover.keys()
    assert {k: v for k, v in cover.items() if not str(k).startswith("[note")} == {
        k: v for k, v in council_cover.items() if not str(k).startswith("[note")}  # notes: tbl_notes, above
    # The charts: the same charts, drawn from the same cells, but no published series.
    charts, council_charts = checks.charts(no_council), checks.charts(barnet)
    for sheet, found in charts.items():
        others = [c for c in council_charts[sheet] if ", DfE figures:\n" not in (c["title"] or "")]
        assert [c["title"] for c in found] == [c["title"] for c in others], sheet
        for chart, council_chart in zip(found, others):
            # drawn from the same cells (a longer key message above may move the tables down a row), the
            # England reference line aside
            assert [(s["name"], s["dash"], _cells(without, s["categories"]),
                     None if s["name"] == "England" else _cells(without, s["values"])) for s in chart["series"]] == [
                (s["name"], s["dash"], _cells(with_council, s["categories"]),
                 None if s["name"] == "England" else _cells(with_council, s["values"]))
                for s in council_chart["series"]], (sheet, chart["title"])
            assert _ENGLAND.sub("England", chart["alt"]) == _ENGLAND.sub("England", council_chart["alt"])
        assert not any(", DfE figures:\n" in (c["title"] or "") for c in found)
    assert not problems, problems


def test_published_charts_follow_each_measures_monthly_chart(barnet):
    """In a section sheet's chart grid, each measure's published chart comes right after its monthly chart
    (or where that would be), in the scorecard's row order; all of them below the scorecard."""
    charts = checks.charts(barnet)
    labels = {s.label: s.id for s in measure_specs()}
    for sheet, table in checks.SCORECARDS.items():
        ids = [r["KPI id"] for r in checks.table_dicts(load_workbook(barnet)[sheet], table)]
        order = []
        for chart in charts[sheet]:
            title = chart["title"] or ""
            label = next((l for l in sorted(labels, key=len, reverse=True)
                          if title.startswith(l + " by month") or title.startswith(l + ", DfE figures:")), None)
            if label is not None:
                order.append((ids.index(labels[label]), 1 if ", DfE figures:" in title else 0))
        assert order == sorted(order), (sheet, order)
    published = [c for cs in charts.values() for c in cs if ", DfE figures:\n" in (c["title"] or "")]
    assert len(published) == 15
    # every line chart states its value axis, so every program draws the scale its labels were placed for
    lines = [c for cs in charts.values() for c in cs if c["kinds"] == ["lineChart"]]
    assert lines and all(c["y_axis"]["min"] is not None and c["y_axis"]["max"] > c["y_axis"]["min"] for c in lines)


def test_the_summary_compares_with_statistical_neighbours(barnet):
    """The Summary's key messages carry the neighbour comparison of the headlines that tell it: Barnet's
    assessments (82%, below neighbours' 84.6%) and average caseload (19.1 against 15.1)."""
    messages = _sentences(load_workbook(barnet)["Summary"])
    assert any(m.startswith("\u2022 Assessments completed within 45 working days: 82%") and
               "below statistical neighbours (84.6%) and England (85.7%)" in m for m in messages)
    assert any("Caseloads average 19.1" in m and "above statistical neighbours (15.1)" in m for m in messages)
    headlines = {h["Measure"]: h for h in checks.table_dicts(load_workbook(barnet)["Summary"], "tbl_headlines")}
    icpc = headlines["ICPCs held within 15 working days of the strategy discussion (year to date)"]
    assert (icpc["Statistical neighbours"], icpc["England"]) == (pytest.approx(0.7254), pytest.approx(0.814))


# --- the published-series chart's scale and labels ----------------------------------------------------

def _series_loc(rows: list[list]):
    from pqa_desktop.core.report.layout import TableLoc

    return TableLoc("KPI monthly", "tbl_published_series", 4,
                    ["KPI id", "Year", "Council", "Statistical neighbours", "Region", "England"],
                    [["x", f"{2020 + i}-{21 + i}", *r] for i, r in enumerate(rows)], True)


@pytest.mark.parametrize("values, axis", [
    ([0.725, 0.917, 0.801, 0.814], (0.7, 0.95, 0.05)),  # Barnet's ICPCs: 70% to 95% in steps of 5
    ([0.702, 0.80], (0.65, 0.85, 0.05)),  # room below the lowest point and above the highest for their labels
    ([67.6, 209.0], (50, 250, 50)),  # a rate, in steps of 50
    ([7.6, 150.0], (0, 200, 50)),  # never below 0
    ([12.2, 16.6], (10, 18, 2)),  # caseloads: room above 16.6 for its label
    ([0.28, 0.28], (0.25, 0.3, 0.05)),  # all the same: still a scale
    ([0.0, 0.0], (0, 1, 1)),
])
def test_the_value_axis_fits_the_lines_in_round_steps(values, axis):
    from pqa_desktop.core.report.charts import value_axis

    low, high, step = value_axis(values)
    assert (low, high, step) == pytest.approx(axis)
    assert low <= min(values) and high > max(values) and low >= 0


def test_last_point_labels_are_set_apart_where_lines_end_together():
    """Barnet's children in care with 3 or more placements, 2024-25: Barnet, its region and England all 10.0%,
    its neighbours 9.5%; no two labels may cover each other (same band, sides not opposite). A line whose
    last value is earlier (a suppressed latest year) is labelled above its point."""
    from pqa_desktop.core.report.charts import LABEL_CLEARANCE, LABEL_PLACES, label_positions, value_axis

    rows = [[0.09, 0.086, 0.09, 0.09], [0.11, 0.101, 0.11, 0.10], [0.11, 0.085, 0.10, 0.11],
            [0.09, 0.108, 0.11, 0.11], [0.10, 0.095, 0.10, 0.10]]
    loc = _series_loc(rows)
    positions = label_positions(loc, 0, 4)
    assert set(positions) == {"Council", "Statistical neighbours", "Region", "England"}
    low, high, _ = value_axis([v for r in rows for v in r])
    height = LABEL_CLEARANCE * (high - low)
    bands = [(LABEL_PLACES[p][0], rows[-1][k] + LABEL_PLACES[p][1] * height)
             for k, p in enumerate(positions[c] for c in ("Council", "Statistical neighbours", "Region", "England"))]
    for i, (side_a, y_a) in enumerate(bands):
        for side_b, y_b in bands[i + 1:]:
            assert {side_a, side_b} == {"left", "right"} or abs(y_a - y_b) >= height * 0.999, (positions, bands)
    # lines ending far apart stay beside their points
    assert set(label_positions(_series_loc([[0.2, 0.5, 0.8, 0.95]] * 5), 0, 4).values()) == {"right"}
    suppressed = label_positions(_series_loc([[0.045, 0.035, 0.031, 0.02], [0.036, 0.045, 0.032, 0.026],
                                              [None, 0.044, 0.038, 0.023]]), 0, 2)
    assert suppressed["Council"] == "above"


def test_target_and_england_labels_never_print_over_each_other_or_the_last_month():
    """The demo's assessments within 45 working days with Barnet chosen: target 85%, England 85.7% and the last
    month 79% (its label above it). Beside their lines, the two labels printed over each other ("Englaid"); now
    one moves, and neither covers the month's label. Far apart, both stay beside their lines."""
    from pqa_desktop.core.report.charts import (LABEL_PLACES, MONTHLY_LABEL_CLEARANCE, _clash,
                                                reference_label_positions, value_axis)
    from pqa_desktop.core.report.layout import TableLoc

    def loc(values, target, england):
        return TableLoc("KPI monthly", "tbl_kpi_chart_data", 4, ["KPI id", "Month", "Value", "Target", "England"],
                        [["x", None, v, target, england] for v in values], True)

    months = [None] * 6 + [0.89, 0.86, 0.84, 0.85, 0.83, 0.786]
    positions = reference_label_positions(loc(months, 0.85, 0.857), 0, 11, True, True)
    assert positions != {"Target": "right", "England": "right"}
    # and without a council (England 84.5%): not below its line, where it printed over the month's "79%"
    assert reference_label_positions(loc(months, 0.85, 0.845), 0, 11, True, True)["England"] != "below"
    low, high, _ = value_axis([v for v in months if v is not None] + [0.85, 0.857])
    height = MONTHLY_LABEL_CLEARANCE * (high - low)
    bands = {name: (LABEL_PLACES[positions[name]][0], value + LABEL_PLACES[positions[name]][1] * height)
             for name, value in (("Target", 0.85), ("England", 0.857))}
    assert not _clash(bands["Target"], bands["England"], height), positions
    assert not any(_clash(b, ("point", 0.786 + height), height) for b in bands.values()), positions
    assert reference_label_positions(loc(months, 0.95, 0.70), 0, 11, True, True) == {"Target": "right",
                                                                                      "England": "right"}
