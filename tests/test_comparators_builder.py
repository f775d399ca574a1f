"""The published-comparators resource builder (scripts/build_published_comparators.py) and the LAIT folder
reader behind it and behind ``--benchmarks-data``: generated LAIT folders in, JSON and tables out; the shipped
resource and the docs tables rebuilt from the real LAIT download must match what is committed."""
from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter

from pqa_desktop.core.comparators import load_published
from pqa_desktop.core.comparators.dataset import PublishedDataError, from_json, to_json
from pqa_desktop.core.comparators.lait import read_lait_folder
from pqa_desktop.core.resources import resource

from .shared_paths import shared_file

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "build_published_comparators.py"
DATA_HEADER = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]
DICT_HEADER = ["Measure_code", "Topic", "Measure", "Chart_title", "Measure_short", "Polarity", "y_axis_name",
               "state_funded_flag", "Table_status", "Description", "Last Update", "Next Update",
               "Data Owner (DO) /Supplier and Contact Details", "Methodology", "Hyperlink(s)", "dps", "Year_Type",
               "No_Quartile"]


BUILD_ONLY = ROOT / ".venv" / "build-only"  # pyarrow, apart from the test environment (Makefile)


def _run_script(*args: str) -> subprocess.CompletedProcess:
    """The builder in its own process: it loads pyarrow, which must never reach this one (pandas would
    switch to pyarrow-backed strings, and the app is tested as it ships, without pyarrow)."""
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT)


def _dictionary(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, DICT_HEADER)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "NA") for k in DICT_HEADER})


def _neighbours(path: Path, rows: list[list]) -> None:
    """As the DfE's file: two title rows, then 'LA num', 'LA Name', 'LA number', 'GOInd', 'GOReg', SN1, SNP…"""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("LA SN Groups")
    ws.write_row(0, 0, ["Statistical neighbours"])
    ws.write_row(1, 0, [1, 2, 3])
    header = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
    for i in range(1, 11):
        header += [f"SN{i}", "SNP"]
    ws.write_row(2, 0, header)
    for i, r in enumerate(rows, start=3):
        ws.write_row(i, 0, r)
    book.close()


def _sn_row(number: int, name: str, region: str, sns: list[int]) -> list:
    row: list = [number, name, number, 1, region]
    for n in sns:
        row += [n, "Close"]
    return row


@pytest.fixture
def lait(tmp_path) -> Path:
    """A small LAIT download: 11 LAs in two regions, England, two measures over four years, CSV data."""
    folder = tmp_path / "lait"
    folder.mkdir()
    _dictionary(folder / "lait_data_dictionary.csv", [
        {"Measure_short": "CP_conf_15days", "Measure": "Conferences within 15 days", "Polarity": "High",
         "dps": "NA", "Year_Type": "Financial Year", "No_Quartile": "NA", "Last Update": "45962",
         "Table_status": "Special Request"},
        {"Measure_short": "Work_Force_TO_Rate", "Measure": "Turnover", "Polarity": "Low", "dps": "2",
         "Year_Type": "Annual (end of Sept)", "No_Quartile": "N", "Last Update": "New Data"},
        {"Measure_short": "Work_Force_TO_Rate", "Measure": "Turnover (a second topic)", "Polarity": "High"},
        {"Measure_short": "Old_Measure", "Measure": "Gone", "Table_status": "DISCONTINUED 2020"},
    ])
    las = [(800 + i, f"Council {i}", "North East" if i < 6 else "South West") for i in range(11)]
    sn_rows = [_sn_row(n, name, region, [m for m, _, _ in las if m != n][:10]) for n, name, region in las]
    _neighbours(folder / "sn_april_2021.xlsx", [_sn_row(n, "Old name", "North West", []) for n, _, _ in las])
    _neighbours(folder / "sn_may_2025.xlsx", sn_rows)
    rows = []
    markers = ["-", "c", "x", "[c]", ".."]
    for year_index, year in enumerate(["2021", "2022", "2023", "2024"]):
        for i, (n, name, region) in enumerate(las):
            value = str(50 + i + year_index) if not (i == 3 and year == "2024") else markers[year_index % 5]
            rows.append(["CP_conf_15days", "", year, name, value, n, region])
            rows.append(["Work_Force_TO_Rate", "", year, name, str(10 + i * 0.5), n, region])
        for number, area in ((970, "England"), (980, "North East"), (990, "South West")):
            rows.append(["CP_conf_15days", "", year, area, str(70 + year_index), number, "NA"])
            rows.append(["Work_Force_TO_Rate", "", year, area, "12.5", number, "NA"])
    rows.append(["Other_Code", "", "2024", "Council 1", "1", 801, "North East"])
    rows.append(["CP_conf_15days", "", "", "Council 1", "99", 801, "North East"])  # no year: dropped, as LAIT does
    with open(folder / "bds_long.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(DATA_HEADER)
        w.writerows(rows)
    return folder


def test_lait_folder_read_as_lait_reads_it(lait):
    data = read_lait_folder(lait, ["CP_conf_15days", "Work_Force_TO_Rate"], years=3)
    cp = data.measures["CP_conf_15days"]
    assert cp.years == ("2022", "2023", "2024")  # the last 3 of 4
    assert (cp.title, cp.polarity, cp.decimals, cp.year_type, cp.no_quartile, cp.last_update) == (
        "Conferences within 15 days", "High", 1, "Financial Year", False, "November 2025")
    assert cp.values[803] == (54.0, 55.0, None)  # the 2024 marker is blank
    assert cp.values[970] == (71.0, 72.0, 73.0)
    turnover = data.measures["Work_Force_TO_Rate"]
    assert (turnover.title, turnover.polarity, turnover.decimals, turnover.no_quartile) == ("Turnover", "Low", 2, True)
    council = data.areas[806]
    assert (council.kind, council.region, len(council.neighbours)) == ("la", 990, 10)  # from sn_may_2025, not 2021
    assert data.areas[980].kind == "region" and data.areas[970].kind == "england"
    assert "Old_Measure" not in data.measures and "Other_Code" not in data.measures
    assert len(data.current_councils()) == 11


@pytest.mark.parametrize("year_index, marker", [(0, "-"), (1, "c"), (2, "x"), (3, "[c]")])
def test_every_suppression_marker_is_blank(tmp_path, lait, year_index, marker):
    rows = list(csv.reader(open(lait / "bds_long.csv", encoding="utf-8")))
    for r in rows[1:]:
        if r[0] == "CP_conf_15days" and r[5] == "801":
            r[4] = marker
    with open(lait / "bds_long.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    data = read_lait_folder(lait, ["CP_conf_15days"], years=4)
    assert data.measures["CP_conf_15days"].values[801] == (None, None, None, None)


def test_two_values_for_one_area_and_year_are_refused(lait):
    with open(lait / "bds_long.csv", "a", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(["CP_conf_15days", "", "2024", "Council 1", "12", 801, "North East"])
    with pytest.raises(PublishedDataError, match="two different values for CP_conf_15days, Council 1, 2024"):
        read_lait_folder(lait, ["CP_conf_15days"])


def test_a_measure_missing_from_the_dictionary_is_named(lait):
    with pytest.raises(PublishedDataError, match="no measure Old_Measure"):
        read_lait_folder(lait, ["CP_conf_15days", "Old_Measure"])


def test_compact_json_round_trip_is_byte_stable(lait):
    data = read_lait_folder(lait, ["CP_conf_15days", "Work_Force_TO_Rate"])
    text = to_json(data)
    again = from_json(text, "x.json")
    assert to_json(again) == text
    assert again.measures["CP_conf_15days"].values == data.measures["CP_conf_15days"].values


def test_run_time_folder_and_file_in_it(lait, monkeypatch):
    # The run-time path reads the paired codes: give this folder only the two it has.
    from pqa_desktop.core.comparators import pairings

    spec = pairings.pairing_spec()
    monkeypatch.setattr(pairings, "pairing_spec", lambda: pairings.PairingSpec(
        tuple(p for p in spec.pairings if p.code in ("CP_conf_15days", "Work_Force_TO_Rate")), spec.unpaired))
    import pqa_desktop.core.comparators as comparators

    monkeypatch.setattr(comparators, "pairing_spec", pairings.pairing_spec)
    from_folder = load_published(lait)
    from_file = load_published(lait / "bds_long.csv")
    assert from_folder.measures.keys() == from_file.measures.keys() == {"CP_conf_15days", "Work_Force_TO_Rate"}


def test_parquet_only_folder_without_pyarrow_says_what_to_use(tmp_path, lait, monkeypatch):
    (lait / "bds_long.csv").rename(lait / "bds_long.parquet")  # contents never read: pyarrow is missing
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(PublishedDataError, match="only as bds_long.parquet .*Use bds_long.csv"):
        read_lait_folder(lait, ["CP_conf_15days"])


@pytest.mark.parametrize("content, words", [
    ("not json", "not a comparators file"),
    ('{"format": "something else"}', "not a comparators file made by"),
    ('{"format": "pqa-published-comparators", "version": 99}', "another version of PQA Desktop"),
    ('{"format": "pqa-published-comparators", "version": 1, "areas": [[1]]}', "is damaged"),
])
def test_unusable_comparators_file(tmp_path, content, words):
    path = tmp_path / "c.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PublishedDataError, match=words):
        load_published(path)


def test_missing_file_and_foreign_folder(tmp_path):
    with pytest.raises(PublishedDataError, match="does not exist"):
        load_published(tmp_path / "nope.json")
    with pytest.raises(PublishedDataError, match="not a LAIT data download"):
        load_published(tmp_path)


# --- the real LAIT download ---------------------------------------------------------------------

def test_shipped_resource_is_what_the_builder_makes_from_the_lait_download(tmp_path):
    folder = shared_file("data", "dfe-lait")
    out, docs = tmp_path / "out.json", tmp_path / "doc.md"
    shutil.copy(ROOT / "docs" / "published-comparators.md", docs)
    result = _run_script(str(folder), "-o", str(out), "--docs", str(docs))
    assert result.returncode == 0, result.stderr
    assert "15 measures, 153 councils, years 2021, 2022, 2023, 2024, 2025" in result.stderr
    assert out.read_bytes() == resource("published_comparators.json").read_bytes(), \
        "resources/published_comparators.json is stale: rerun scripts/build_published_comparators.py"
    assert docs.read_text(encoding="utf-8") == (ROOT / "docs" / "published-comparators.md").read_text(
        encoding="utf-8"), "docs/published-comparators.md is stale: rerun the script with --docs"
    assert out.stat().st_size < 300_000  # a few hundred KB at most


def test_lait_csv_download_at_run_time_gives_the_shipped_figures(tmp_path):
    """The same LAIT release as CSV (its repository also publishes bds_long.csv), read by the standard
    library as the app does, gives exactly the figures built from the Parquet file."""
    folder = shared_file("data", "dfe-lait")
    copy = tmp_path / "lait-csv"
    copy.mkdir()
    for name in ("lait_data_dictionary.csv", "sn_may_2025.xlsx"):
        shutil.copy(folder / name, copy / name)
    convert = (  # the whole table, as R's write.csv would give it, in a process of its own (pyarrow)
        "import csv, sys\n"
        f"sys.path.append({str(BUILD_ONLY)!r})\n"
        "import pyarrow.parquet as pq\n"
        f"header = {DATA_HEADER!r}\n"
        f"table = pq.read_table({str(folder / 'bds_long.parquet')!r}).to_pydict()\n"
        f"with open({str(copy / 'bds_long.csv')!r}, 'w', newline='', encoding='utf-8') as fh:\n"
        "    w = csv.writer(fh)\n"
        "    w.writerow(header)\n"
        "    for row in zip(*(table[c] for c in header)):\n"
        "        w.writerow(['NA' if v is None else (f'{v:g}' if isinstance(v, float) else v) for v in row])\n")
    result = subprocess.run([sys.executable, "-c", convert], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    shipped = json.loads(to_json(load_published()))
    from_csv = json.loads(to_json(load_published(copy)))
    assert from_csv["measures"] == shipped["measures"]
    assert from_csv["areas"] == shipped["areas"]


def test_the_app_and_its_tests_run_without_pyarrow():
    """pandas uses pyarrow-backed strings whenever it can import pyarrow; the bundle has none, so neither may
    the environment the tests run in (the builder's copy lives apart, in .venv/build-only)."""
    import pandas as pd

    assert importlib.util.find_spec("pyarrow") is None
    assert "pyarrow" not in sys.modules
    assert type(pd.Series(["a"]).array).__name__ != "ArrowStringArray"


def test_bundle_leaves_pyarrow_out():
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert '"pyarrow"' in spec.split("excludes = [", 1)[1].split("]", 1)[0]
