"""A second, independent reading of the DfE's LAIT download: what every council's published comparators must
be, worked out from the raw files without any of PQA Desktop's code, to check the workbook against.

Run as a script in a process of its own (it needs pyarrow for the Parquet data, which lives in .venv/build-only,
apart from the test environment: see the Makefile):

    python tests/lait_reference.py LAIT_FOLDER PAIRINGS_TOML > reference.json

It reads ``bds_long.parquet`` with pyarrow, ``sn_*.xlsx`` with openpyxl and ``lait_data_dictionary.csv`` with the
csv module, and applies the rules docs/published-comparators.md states (as LAIT's R code works them out), each
written out here on its own: a value is a number or blank; the latest year is the measure's newest; the
statistical-neighbour mean is over the neighbours with a value that year; the region is the one the
neighbours file gives, London as a whole when Inner/Outer London has no value that year; the rank counts the
local authorities (areas the data places in a region) with a strictly better value, by the dictionary's
polarity; the quartiles are Python's ``statistics.quantiles(method="inclusive")`` (R's type 7), a value on a
boundary in the band below, A the best quarter; no rank or band without a High/Low polarity or with
``No_Quartile`` N.

Output: {"measures": {code: {"title", "polarity", "year_type", "years": [the last five]}},
         "councils": {LA number: {"name", "region", "neighbours", "codes": {code: {"value", "neighbours", "region",
         "region_name", "england", "rank", "quartile", "series": [[year, council, neighbours, region, england], …]}}}}}
with values as published (percentages 0-100).
"""
from __future__ import annotations

import csv
import json
import statistics
import sys
import tomllib
from pathlib import Path

YEARS = 5


def number(text):
    """A published value: a number, else blank ('-', 'c', '..', empty)."""
    if text is None:
        return None
    try:
        return float(str(text).strip())
    except ValueError:
        return None


def read_dictionary(path: Path, codes: set[str]) -> dict[str, dict]:
    out = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["Measure_short"].strip()
            if code in codes and code not in out and "DISCONTINUE" not in row["Table_status"].upper():
                out[code] = {"title": row["Measure"].strip(), "polarity": row["Polarity"].strip(),
                             "year_type": row["Year_Type"].strip(), "no_quartile": row["No_Quartile"].strip() == "N"}
    return out


def read_neighbours(path: Path) -> dict[int, dict]:
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True)["LA SN Groups"]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "LA num")
    header = list(rows[start])
    out = {}
    for r in rows[start + 1:]:
        if not isinstance(r[0], (int, float)):
            continue
        neighbours = [int(r[i]) for i, h in enumerate(header) if isinstance(h, str) and h.startswith("SN")
                      and h != "SNP" and r[i] is not None]
        out[int(r[0])] = {"name": r[header.index("LA Name")], "region": r[header.index("GOReg")].strip(),
                          "neighbours": neighbours}
    return out


def read_values(path: Path, codes: set[str]):
    """(values: code -> year -> area number -> value, names: number -> name, las: numbers of local authorities)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path, filters=[("Short Desc", "in", sorted(codes))]).to_pydict()
    values: dict[str, dict[str, dict[int, float | None]]] = {}
    names: dict[int, str] = {}
    las: set[int] = set()
    for code, year, area, value, area_number, region in zip(table["Short Desc"], table["Years"],
                                                            table["LA and Regions"], table["Values"],
                                                            table["LA Number"], table["Region"]):
        if area_number is None or year in (None, "", "NA"):
            continue
        n = int(area_number)
        names[n] = area.strip()
        if region not in (None, "", "NA"):  # a local authority sits in a region; regions and England do not
            las.add(n)
        values.setdefault(code, {}).setdefault(str(year).strip(), {})[n] = number(value)
    return values, names, las


def band(value: float, others: list[float], polarity: str) -> str:
    q1, q2, q3 = statistics.quantiles(others, n=4, method="inclusive")
    below = 0 if value <= q1 else 1 if value <= q2 else 2 if value <= q3 else 3  # 0: the lowest quarter
    return "ABCD"[below] if polarity == "Low" else "DCBA"[below]


def main(folder: Path, pairings_toml: Path) -> dict:
    pairings = tomllib.loads(pairings_toml.read_text(encoding="utf-8"))["pairing"]
    codes = {p["code"] for p in pairings}
    dictionary = read_dictionary(folder / "lait_data_dictionary.csv", codes)
    neighbours_file = sorted(folder.glob("sn_*.xlsx"))[-1]
    groups = read_neighbours(neighbours_file)
    values, names, las = read_values(folder / "bds_long.parquet", codes)
    number_of = {name: n for n, name in names.items()}
    england = number_of["England"]

    measures, councils = {}, {}
    for code in sorted(codes):
        years = sorted(values[code], key=int)[-YEARS:]
        measures[code] = {**dictionary[code], "years": years}
    for la, group in groups.items():
        council = {"name": names.get(la, group["name"]), "region": group["region"], "neighbours": group["neighbours"],
                   "codes": {}}
        for code in sorted(codes):
            entry = measures[code]
            years = entry["years"]
            latest = years[-1]
            by_year = values[code]
            region = number_of[group["region"]]
            if group["region"].startswith("London (") and by_year[latest].get(region) is None:
                region = number_of["London"]

            def point(year: str) -> list:
                year_values = by_year[year]
                present = [year_values.get(n) for n in group["neighbours"] if year_values.get(n) is not None]
                return [year, year_values.get(la), sum(present) / len(present) if present else None,
                        year_values.get(region), year_values.get(england)]

            _, value, neighbours_mean, region_value, england_value = point(latest)
            ranked = [v for n, v in by_year[latest].items() if n in las and v is not None]
            polarity = entry["polarity"]
            rank = quartile = None
            if value is not None and polarity in ("High", "Low"):
                better = [v for v in ranked if (v > value if polarity == "High" else v < value)]
                rank = len(better) + 1
                if not entry["no_quartile"]:
                    quartile = band(value, ranked, polarity)
            council["codes"][code] = {
                "value": value, "neighbours": neighbours_mean, "region": region_value, "region_name": names[region],
                "england": england_value, "rank": rank, "quartile": quartile,
                "series": [point(y) for y in years]}
        councils[str(la)] = council
    return {"measures": measures, "councils": councils}


if __name__ == "__main__":
    json.dump(main(Path(sys.argv[1]), Path(sys.argv[2])), sys.stdout)
