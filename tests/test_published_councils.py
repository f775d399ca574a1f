"""`pqa demo --council X` (the demo built for a real council) against the DfE's LAIT data read a second way.

tests/lait_reference.py reads the LAIT download itself (pyarrow, openpyxl, csv; none of PQA Desktop's code)
and works out every council's latest value, statistical neighbours' mean, region, England, rank, quartile band
and five-year series by the rules docs/published-comparators.md states. The workbook built for a council must
show exactly those figures wherever it shows them: tbl_benchmarks, tbl_kpis' England, Statistical neighbours
and Region columns, every scorecard, the Summary's tbl_headlines and the published-series chart data; a measure
without a published counterpart keeps its shipped England value and no other. The councils built end to end
cover a suppressed value (Barnet), a missing own value with a neighbour missing too (Westminster's 2025
workforce return), most values missing (the Isles of Scilly, the City of London, Inner London), and a rank tied
with another council (Kingston upon Thames with Richmond). Every other council is checked at the level of the
tables the workbook is written from.
"""
from __future__ import annotations

import csv
import functools
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pqa_desktop.core.comparators import UnknownCouncil, benchmarks_table, council_comparators, series_table
from pqa_desktop.core.settings import Settings

from . import workbook_checks as checks  # noqa: I001
from .shared_paths import shared_file

ROOT = Path(__file__).resolve().parents[1]
BUILD_ONLY = ROOT / ".venv" / "build-only"  # pyarrow, apart from the test environment (Makefile)
COMPARATORS = ("England", "Statistical neighbours", "Region")


@pytest.fixture(scope="module")
def reference() -> dict:
    """Every council's published comparators, worked out from the LAIT files in a process of its own."""
    if not (BUILD_ONLY / "pyarrow").is_dir():
        pytest.fail("pyarrow is not in .venv/build-only: run `make .venv/build-only/.installed` (make test does)")
    env = {**os.environ, "PYTHONPATH": str(BUILD_ONLY)}
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "lait_reference.py"),
                             str(shared_file("data", "dfe-lait")), str(ROOT / "resources" / "published_comparators.toml")],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@functools.cache
def _pairings() -> dict[str, str]:
    """KPI id -> LAIT code, from the pairing file (data, read here without the product's code)."""
    text = (ROOT / "resources" / "published_comparators.toml").read_text(encoding="utf-8")
    return {p["kpi_id"]: p["code"] for p in tomllib.loads(text)["pairing"]}


@functools.cache
def _measures() -> dict[str, dict]:
    measures = tomllib.loads((ROOT / "resources" / "measures.toml").read_text(encoding="utf-8"))["measure"]
    return {m["id"]: m for m in measures}


def _units() -> dict[str, str]:
    return {kpi_id: m["unit"] for kpi_id, m in _measures().items()}


def _shipped_england() -> dict[str, float]:
    """resources/benchmarks.csv's England values, in our units (what every unpaired measure keeps)."""
    units = _units()
    with open(ROOT / "resources" / "benchmarks.csv", encoding="utf-8-sig", newline="") as fh:
        return {r["KPI id"]: float(r["Value"]) / (100 if units[r["KPI id"]] == "percent" else 1)
                for r in csv.DictReader(fh) if r["Comparator"] == "England"}


def _ours(kpi_id: str, value: float | None) -> float | None:
    """A published value (percentages 0-100) in the workbook's units (fractions)."""
    if value is None:
        return None
    return value / 100 if _units()[kpi_id] == "percent" else value


def _year_label(year: str, year_type: str) -> str:
    """2025 as a reader says it: 2024-25 for a financial year, Sep 2025 for the workforce census."""
    if year_type == "Financial Year":
        return f"{int(year) - 1}-{year[2:]}"
    assert year_type == "Annual (end of Sept)", year_type
    return f"Sep {year}"


def _expected(reference: dict, la: int) -> dict[str, dict]:
    """KPI id -> what the workbook must show for council ``la`` (values in our units)."""
    council = reference["councils"][str(la)]
    out = {}
    for kpi_id, code in _pairings().items():
        measure, found = reference["measures"][code], council["codes"][code]
        out[kpi_id] = {
            "Published measure": measure["title"],
            "Year": _year_label(measure["years"][-1], measure["year_type"]),
            "Council": _ours(kpi_id, found["value"]), "Statistical neighbours": _ours(kpi_id, found["neighbours"]),
            "Region": _ours(kpi_id, found["region"]), "England": _ours(kpi_id, found["england"]),
            "Rank": found["rank"], "Quartile": found["quartile"], "code": code,
            "series": [[_year_label(y, measure["year_type"]), *(_ours(kpi_id, v) for v in values)]
                       for y, *values in found["series"]]}
    return out


def _same(got, want) -> bool:
    if want is None or got is None:
        return got is want
    if isinstance(want, float):  # the workbook holds a published value to 10 decimal places (0.0236666667)
        return got == pytest.approx(want, rel=1e-9, abs=5.1e-11)
    return got == want


def _mismatches(where: str, got: dict, want: dict, columns) -> list[str]:
    return [f"{where} {c}: {got.get(c)!r}, expected {want.get(c)!r}" for c in columns if not _same(got.get(c), want.get(c))]


# --- the workbook, end to end ----------------------------------------------------------------------

COUNCILS = {"Barnet": 302, "Westminster": 213, "Isles of Scilly": 420, "Kingston upon Thames": 314,
            "City of London": 201}


@pytest.fixture(scope="module", params=list(COUNCILS))
def built(request, shared_demo):
    name = request.param
    out = shared_demo(name)  # `pqa demo --produced 2024-10-07 --council NAME`, built once per run (conftest.py)
    return name, COUNCILS[name], checks.load(out), out


def test_the_chosen_councils_cover_the_awkward_cases(reference):
    codes = {la: reference["councils"][str(la)]["codes"] for la in COUNCILS.values()}
    assert codes[302]["CPPlans2yrsActive"]["value"] is None  # suppressed
    westminster = codes[213]["Work_Force_TO_Rate"]
    assert westminster["value"] is None and westminster["neighbours"] is not None
    assert sum(codes[420][c]["value"] is None for c in codes[420]) >= 8 and sum(
        codes[201][c]["value"] is None for c in codes[201]) >= 6
    assert codes[314]["Work_Force_TO_Rate"]["rank"] == reference["councils"]["318"]["codes"]["Work_Force_TO_Rate"]["rank"]
    assert reference["councils"]["201"]["region"] == "London (Inner)"


def test_tbl_benchmarks_gives_the_lait_figures(built, reference):
    name, la, wb, _ = built
    want = _expected(reference, la)
    rows = {r["KPI id"]: r for r in checks.table_dicts(wb["KPIs"], "tbl_benchmarks")}
    assert set(rows) == set(want)
    problems = []
    for kpi_id, row in rows.items():
        problems += _mismatches(f"{name} tbl_benchmarks {kpi_id}", row, want[kpi_id],
                                ("Published measure", "Year", "Council", *COMPARATORS, "Rank", "Quartile"))
        if f"(LAIT {want[kpi_id]['code']})" not in row["Source"]:
            problems.append(f"{name} {kpi_id}: Source {row['Source']!r}")
    assert not problems, problems


def test_tbl_kpis_scorecards_and_headlines_give_the_lait_figures(built, reference):
    name, la, wb, _ = built
    want = _expected(reference, la)
    shipped = _shipped_england()
    kpis = {r["KPI id"]: r for r in checks.table_dicts(wb["KPIs"], "tbl_kpis")}
    problems = []
    for kpi_id, row in kpis.items():
        expected = want.get(kpi_id) or {"England": shipped.get(kpi_id)}  # unpaired: the shipped England value only
        problems += _mismatches(f"{name} tbl_kpis {kpi_id}", row, expected, COMPARATORS)
        if kpi_id in want and f"LAIT {want[kpi_id]['code']}" not in (row["Benchmark source"] or ""):
            problems.append(f"{name} tbl_kpis {kpi_id}: Benchmark source {row['Benchmark source']!r}")
    for sheet, table in checks.SCORECARDS.items():
        for row in checks.table_dicts(wb[sheet], table):
            expected = want.get(row["KPI id"]) or {"England": shipped.get(row["KPI id"])}
            problems += _mismatches(f"{name} {table} {row['KPI id']}", row, expected, ("Statistical neighbours", "England"))
    headlines = checks.table_dicts(wb["Summary"], "tbl_headlines")
    kpi_headlines = [(checks.headline_kpi_id(str(h["Measure"])), h) for h in headlines]
    assert sum(1 for kpi_id, _ in kpi_headlines if kpi_id in want) >= 7
    for kpi_id, h in kpi_headlines:
        if kpi_id is None:  # an audit headline: no published counterpart
            assert h["Statistical neighbours"] is None and h["England"] is None
            continue
        expected = want.get(kpi_id) or {"England": shipped.get(kpi_id)}
        problems += _mismatches(f"{name} tbl_headlines {kpi_id}", h, expected, ("Statistical neighbours", "England"))
    assert not problems, problems


def test_published_series_chart_data_gives_the_lait_years(built, reference):
    name, la, wb, _ = built
    want = _expected(reference, la)
    got: dict[str, list] = {}
    for row in checks.table_dicts(wb["KPI monthly"], "tbl_published_series"):
        got.setdefault(row["KPI id"], []).append(
            [row["Year"], row["Council"], row["Statistical neighbours"], row["Region"], row["England"]])
    assert set(got) == set(want)
    problems = [f"{name} {kpi_id} {g}: expected {w}" for kpi_id in want
                for g, w in zip(got[kpi_id], want[kpi_id]["series"], strict=True)
                if not all(_same(a, b) for a, b in zip(g, w))]
    assert not problems, problems


def _shown(kpi_id: str, value: float) -> str:
    """A value (our units) as its cell and a chart label show it: its 15 significant digits as a spreadsheet
    keeps them, to one decimal (82.7% or 14.1), half away from 0."""
    from decimal import ROUND_HALF_UP, Decimal

    percent = _units()[kpi_id] == "percent"
    exact = Decimal(format(value, ".15g")) * (100 if percent else 1)
    amount = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{amount}%" if percent else str(amount)


def test_each_paired_measure_has_its_published_chart(built, reference):
    """On each paired measure's section sheet, one chart of the published years: a line for each of the
    council, its statistical neighbours' mean, its region and England that has a value in the five years (in
    that order), each drawn from the chart data on KPI monthly, told apart by dash and marker as well as colour,
    its last point labelled with the line's name and value; the title names the measure and the finding."""
    name, la, wb, out = built
    want = _expected(reference, la)
    council = reference["councils"][str(la)]
    series_rows = {}
    ws = wb["KPI monthly"]
    c0, r0, c1, r1 = checks.range_boundaries(ws.tables["tbl_published_series"].ref)
    header = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    for r in range(r0 + 1, r1 + 1):
        series_rows.setdefault(ws.cell(r, c0).value, []).append(r)
    letter = {h: checks.get_column_letter(c0 + i) for i, h in enumerate(header)}
    charts = checks.charts(out)
    problems = []
    for kpi_id, w in want.items():
        measure = _measures()[kpi_id]
        head = f"{measure['label']}, DfE figures:\n"
        found = [c for sheet, cs in charts.items() for c in cs if (c["title"] or "").startswith(head)]
        on_sheet = [c for c in charts[measure["section"]] if (c["title"] or "").startswith(head)]
        assert len(found) == len(on_sheet) == 1, (name, kpi_id, len(found), len(on_sheet))
        chart = on_sheet[0]
        year, value, neighbours = w["series"][-1][0], w["Council"], w["Statistical neighbours"]
        if value is None:
            finding = f"no {council['name']} figure for {year}"
            finding += f" (statistical neighbours {_shown(kpi_id, neighbours)})" if neighbours is not None else ""
        else:
            finding = f"{council['name']} {_shown(kpi_id, value)} in {year}"
            if neighbours is not None:
                a, b = _shown(kpi_id, value).rstrip("%"), _shown(kpi_id, neighbours).rstrip("%")
                word = "above" if float(a) > float(b) else "below" if float(a) < float(b) else "in line with"
                finding += f", {word} statistical neighbours ({_shown(kpi_id, neighbours)})"
        assert len(chart["title"].split("\n")[0]) <= 80  # the measure on one line of the chart's width
        if chart["title"] != head + finding:
            problems.append(f"{name} {kpi_id} title {chart['title']!r}, expected {head + finding!r}")
        lines = [(column, short) for column, short in (("Council", council["name"]), ("Statistical neighbours", "SN"),
                                                       ("Region", "Region"), ("England", "England"))
                 if any(p[1 + ("Council", "Statistical neighbours", "Region", "England").index(column)] is not None
                        for p in w["series"])]
        assert [s["name"].split(":")[0].split(" (")[0].replace("Statistical neighbours' mean", "Statistical neighbours")
                .replace(council["name"], "Council") for s in chart["series"]] == [c for c, _ in lines], (name, kpi_id)
        assert len({s["dash"] for s in chart["series"]}) == len({s["marker"] for s in chart["series"]}) == len(lines)
        rows = series_rows[kpi_id]
        for s, (column, short) in zip(chart["series"], lines):
            assert s["categories"] == f"'KPI monthly'!${letter['Year']}${rows[0]}:${letter['Year']}${rows[-1]}"
            assert s["values"] == f"'KPI monthly'!${letter[column]}${rows[0]}:${letter[column]}${rows[-1]}"
            values = [p[1 + ("Council", "Statistical neighbours", "Region", "England").index(column)] for p in w["series"]]
            last = max(i for i, v in enumerate(values) if v is not None)
            if s["labels"] != {last: f"{short} {_shown(kpi_id, values[last])}"}:
                problems.append(f"{name} {kpi_id} {column} labels {s['labels']}")
            if s["deleted"] != set(range(len(values))) - {last}:
                problems.append(f"{name} {kpi_id} {column}: labels on points {s['deleted']} not deleted")
        if not chart["alt"].startswith(f"{measure['label']}, as the DfE publishes it ({w['Published measure']}), "):
            problems.append(f"{name} {kpi_id} alt {chart['alt']!r}")
    assert not problems, problems


def test_the_cover_names_the_council(built, reference):
    name, la, wb, _ = built
    cover = next(r[1].value for r in wb["Contents"].iter_rows(max_col=2) if r[0].value == "Published comparators")
    assert cover.startswith(f"{reference['councils'][str(la)]['name']} (LA {la}")


def test_the_council_workbook_keeps_the_contract_layout(built):
    assert checks.problems(built[3]) == []


# --- every council -------------------------------------------------------------------------------

def test_every_council_gets_exactly_the_lait_figures(reference):
    """Every council in the DfE's statistical-neighbour file: either it can be chosen and the tables the workbook
    is written from (tbl_benchmarks, the published series) hold exactly the LAIT figures, or it has no figure for
    any paired measure's latest year (abolished in a reorganisation) and choosing it is refused."""
    refused, problems = [], []
    for la_text, council in reference["councils"].items():
        la = int(la_text)
        want = _expected(reference, la)
        try:
            found = council_comparators(Settings(council=str(la)))
        except UnknownCouncil:
            refused.append(council["name"])
            assert all(w["Council"] is None for w in want.values()), council["name"]
            continue
        assert found.council.number == la and found.council.name == council["name"]
        rows = {r["KPI id"]: r for r in benchmarks_table(found).to_dict("records")}
        assert set(rows) == set(want), council["name"]
        for kpi_id, row in rows.items():
            problems += _mismatches(f"{council['name']} {kpi_id}", row, want[kpi_id],
                                    ("Published measure", "Year", "Council", *COMPARATORS, "Rank", "Quartile"))
        series = series_table(found)
        for kpi_id, w in want.items():
            got = series[series["KPI id"] == kpi_id][["Year", "Council", "Statistical neighbours", "Region",
                                                      "England"]].values.tolist()
            if len(got) != len(w["series"]) or not all(_same(a, b) for g, e in zip(got, w["series"]) for a, b in zip(g, e)):
                problems.append(f"{council['name']} {kpi_id} series {got} != {w['series']}")
    assert not problems, problems[:20]
    assert len(reference["councils"]) - len(refused) == 153, refused  # every council of England today
