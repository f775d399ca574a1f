"""Read a download of the DfE Local Authority Interactive Tool's data (the files of its repository's
``01_data/02_prod`` folder) into ``PublishedData``, keeping only the measures we pair and their last few years.

The folder holds:
- the data, long format (``Short Desc``, ``Data item``, ``Years``, ``LA and Regions``, ``Values``, ``LA Number``,
  ``Region``): ``bds_long.csv``, or Parquet (``bds_long.parquet``, ``bds_long_0.parquet``). Parquet needs
  pyarrow, a build-time dependency only (it is not in the app): the app reads the CSV, or the compact file
  ``scripts/build_published_comparators.py`` makes;
- ``lait_data_dictionary.csv``: each measure's title, polarity, decimal places, year type, ``No_Quartile``;
- ``sn_<month>_<year>.xlsx``: each LA's ten statistical neighbours and its region (the latest one is used).

Read as LAIT reads them (its ``global.R``): values ``-``, ``c``, ``..`` and anything else not a number are
blank; an area with LA number 970 or more is England or a region, every other area a local authority;
measures whose dictionary status says DISCONTINUE are left out; a blank ``dps`` means 1 decimal place.
The 9-character codes come from resources/la_codes.csv (LAIT's own code list has only the 3-digit numbers).
"""
from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from ..resources import resource
from .dataset import (COUNTRY, ENGLAND, LA, REGION, Area, PublishedData, PublishedDataError, PublishedMeasure,
                      published_number)

DEFAULT_YEARS = 5  # the five-year series the report charts
DATA_COLUMNS = ("Short Desc", "Years", "LA and Regions", "Values", "LA Number")
CSV_NAMES = ("bds_long.csv",)
PARQUET_PATTERN = "bds_long*.parquet"
DICTIONARY = "lait_data_dictionary.csv"
NEIGHBOURS_PATTERN = "sn_*.xlsx"
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), start=1)}


def is_lait_folder(path: Path) -> bool:
    return path.is_dir() and (path / DICTIONARY).is_file()


def read_lait_folder(folder: Path, codes: Iterable[str], years: int = DEFAULT_YEARS) -> PublishedData:
    """The paired measures (``codes``, in that order) of a LAIT download, their last ``years`` years."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PublishedDataError(f"{folder} is not a folder.")
    wanted = list(dict.fromkeys(codes))
    dictionary = _read_dictionary(folder / DICTIONARY)
    missing = [c for c in wanted if c not in dictionary]
    if missing:
        raise PublishedDataError(f"{DICTIONARY} in {folder.name} has no measure {', '.join(missing)} "
                                 "(or lists it as discontinued).")
    rows = _data_rows(folder, set(wanted))
    neighbours_file = _neighbours_file(folder)
    las = _read_neighbours(neighbours_file)

    names: dict[int, str] = {}
    by_code: dict[str, dict[tuple[int, str], float | None]] = {c: {} for c in wanted}
    seen: dict[tuple[str, int, str], object] = {}
    for code, year, name, value, number in rows:
        key = (code, number, year)
        if key in seen and seen[key] != value:
            raise PublishedDataError(f"The LAIT data has two different values for {code}, {name}, {year}.")
        seen[key] = value
        names.setdefault(number, name)
        by_code[code][(number, year)] = published_number(value)

    regions = {number: name for number, name in names.items() if number >= ENGLAND}
    region_by_name = {_key(name): number for number, name in regions.items() if number != ENGLAND}
    codes_of = _la_codes()
    areas: dict[int, Area] = {}
    for number, name in sorted(names.items()):
        if number == ENGLAND:
            areas[number] = Area(number, name, COUNTRY)
        elif number in regions:
            areas[number] = Area(number, name, REGION)
    for number, (name, region_name, sns) in las.items():
        region = region_by_name.get(_key(region_name))
        if region is None:
            raise PublishedDataError(f"{neighbours_file.name}: the region {region_name!r} of {name} is not an "
                                     "area of the LAIT data.")
        unknown = [n for n in sns if n not in las]
        if unknown:
            raise PublishedDataError(f"{neighbours_file.name}: {name}'s neighbour(s) {unknown} are not listed "
                                     "as local authorities in it.")
        areas[number] = Area(number, names.get(number, name), LA, region, tuple(sns), codes_of.get(number, ()))
    for number, name in names.items():  # an LA in the data with no neighbours row still counts in ranks
        if number not in areas:
            areas[number] = Area(number, name, LA, None, (), codes_of.get(number, ()))

    measures: dict[str, PublishedMeasure] = {}
    for code in wanted:
        entry = dictionary[code]
        values = by_code[code]
        all_years = sorted({year for _, year in values}, key=_year_order)
        kept = tuple(all_years[-years:]) if years > 0 else tuple(all_years)
        if not kept:
            raise PublishedDataError(f"The LAIT data in {folder.name} has no values for {code}.")
        measures[code] = PublishedMeasure(
            code=code, title=entry["title"], polarity=entry["polarity"], decimals=entry["decimals"],
            year_type=entry["year_type"], no_quartile=entry["no_quartile"], last_update=entry["last_update"],
            years=kept,
            values={number: tuple(values.get((number, y)) for y in kept)
                    for number in sorted({n for n, y in values if y in kept})})
    source = (f"DfE Local Authority Interactive Tool (LAIT) data: {_data_file_name(folder)}, {DICTIONARY}, "
              f"{neighbours_file.name}")
    return PublishedData(source=source, areas=areas, measures=measures, path=str(folder))


# --- the files -----------------------------------------------------------------------------------

def _year_order(year: str) -> tuple[int, str]:
    """LAIT orders years by their first four digits (its Years_num), then as text ("2022 (Rev)")."""
    head = year[:4]
    return (int(head) if head.isdigit() else -1, year)


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).strip().lower())


def _data_file_name(folder: Path) -> str:
    csv_file = next((folder / n for n in CSV_NAMES if (folder / n).is_file()), None)
    if csv_file is not None:
        return csv_file.name
    parquet = sorted(folder.glob(PARQUET_PATTERN))
    return parquet[0].name if parquet else CSV_NAMES[0]


def _data_rows(folder: Path, codes: set[str]) -> Iterator[tuple[str, str, str, str | None, int]]:
    """(code, year, area name, value text, LA number) of the wanted codes: the CSV if there is one (the
    standard library reads it), else the Parquet file (with pyarrow, at build time)."""
    csv_file = next((folder / n for n in CSV_NAMES if (folder / n).is_file()), None)
    if csv_file is not None:
        yield from _csv_rows(csv_file, codes)
        return
    parquet = sorted(folder.glob(PARQUET_PATTERN))
    if not parquet:
        raise PublishedDataError(f"{folder.name} holds no LAIT data file ({CSV_NAMES[0]} or bds_long.parquet).")
    try:
        import pyarrow.parquet as pq  # build-time only (the 'data' extra); never in the app bundle
    except ImportError as exc:
        raise PublishedDataError(
            f"{folder.name} holds the LAIT data only as {parquet[0].name} (Parquet), which PQA Desktop cannot "
            f"read by itself. Use bds_long.csv from the same LAIT release, or the file made from this folder "
            "by scripts/build_published_comparators.py.") from exc
    for path in parquet:
        try:
            table = pq.read_table(path, columns=list(DATA_COLUMNS), filters=[("Short Desc", "in", sorted(codes))])
        except Exception as exc:  # pyarrow raises its own error types for damaged or foreign files
            raise PublishedDataError(f"{path.name} cannot be read as the LAIT data: {exc}") from exc
        columns = table.to_pydict()
        for code, year, name, value, number in zip(*(columns[c] for c in DATA_COLUMNS)):
            row = _row(code, year, name, value, number)
            if row is not None:
                yield row


def _csv_rows(path: Path, codes: set[str]) -> Iterator[tuple[str, str, str, str | None, int]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            absent = [c for c in DATA_COLUMNS if c not in (reader.fieldnames or ())]
            if absent:
                raise PublishedDataError(f"{path.name} has no column {', '.join(absent)}: it is not LAIT's "
                                         "long-format data.")
            for record in reader:
                if record["Short Desc"] in codes:
                    row = _row(record["Short Desc"], record["Years"], record["LA and Regions"], record["Values"],
                               record["LA Number"])
                    if row is not None:
                        yield row
    except UnicodeDecodeError as exc:
        raise PublishedDataError(f"{path.name} is not UTF-8 text as LAIT writes it.") from exc


def _row(code, year, name, value, number) -> tuple[str, str, str, str | None, int] | None:
    """A data row, or None for a row LAIT drops (no year) or one without an LA number."""
    if year is None or str(year).strip() in ("", "NA"):
        return None
    la_number = published_number(number)
    if la_number is None:
        return None
    return str(code), str(year).strip(), str(name).strip(), None if value is None else str(value), int(la_number)


def _read_dictionary(path: Path) -> dict[str, dict]:
    if not path.is_file():
        raise PublishedDataError(f"{path.parent.name} holds no {DICTIONARY}: it is not a LAIT data folder.")
    out: dict[str, dict] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for record in csv.DictReader(fh):
            code = (record.get("Measure_short") or "").strip()
            if not code or code in out or "DISCONTINUE" in (record.get("Table_status") or "").upper():
                continue
            polarity = (record.get("Polarity") or "").strip()
            decimals = published_number(record.get("dps"))
            out[code] = {
                "title": (record.get("Measure") or code).strip(),
                "polarity": polarity if polarity in ("High", "Low") else "",
                "decimals": 1 if decimals is None else int(decimals),
                "year_type": (record.get("Year_Type") or "").strip(),
                "no_quartile": (record.get("No_Quartile") or "").strip().upper() == "N",
                "last_update": _update_text(record.get("Last Update")),
            }
    return out


def _update_text(value: str | None) -> str:
    """The dictionary's Last Update: an Excel day number (45931) as "October 2025", other text as written."""
    text = (value or "").strip()
    if text.isdigit():
        day = date.fromordinal(date(1899, 12, 30).toordinal() + int(text))
        return day.strftime("%B %Y")
    return "" if text == "NA" else text


def _neighbours_file(folder: Path) -> Path:
    """The latest statistical-neighbour file (sn_may_2025.xlsx is later than sn_april_2021.xlsx)."""
    files = sorted(folder.glob(NEIGHBOURS_PATTERN))
    if not files:
        raise PublishedDataError(f"{folder.name} holds no statistical neighbours file (sn_<month>_<year>.xlsx).")

    def when(path: Path) -> tuple[int, int, str]:
        match = re.match(r"sn_([a-z]+)_(\d{4})", path.stem.lower())
        if not match:
            return (0, 0, path.name)
        return (int(match.group(2)), _MONTHS.get(match.group(1)[:3], 0), path.name)

    return max(files, key=when)


def _read_neighbours(path: Path) -> dict[int, tuple[str, str, list[int]]]:
    """LA number -> (name, region, its ten neighbours' numbers) from the 'LA SN Groups' sheet."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = "LA SN Groups" if "LA SN Groups" in book.sheet_names else book.sheet_names[0]
        rows = book.get_sheet_by_name(sheet).to_python()
    except Exception as exc:  # calamine raises its own error types
        raise PublishedDataError(f"{path.name} cannot be read: {exc}") from exc
    header_at = next((i for i, r in enumerate(rows[:20]) if r and str(r[0]).strip() == "LA num"), None)
    if header_at is None:
        raise PublishedDataError(f"{path.name} has no header row starting 'LA num' in its first 20 rows.")
    header = [str(h).strip() for h in rows[header_at]]
    try:
        name_at, region_at = header.index("LA Name"), header.index("GOReg")
    except ValueError as exc:
        raise PublishedDataError(f"{path.name} has no 'LA Name' or 'GOReg' column.") from exc
    sn_at = [i for i, h in enumerate(header) if re.fullmatch(r"SN\d+", h)]
    if not sn_at:
        raise PublishedDataError(f"{path.name} has no SN1, SN2 … columns.")
    out: dict[int, tuple[str, str, list[int]]] = {}
    for r in rows[header_at + 1:]:
        number = published_number(r[0]) if r else None
        if number is None:
            continue
        sns = [int(n) for n in (published_number(r[i]) for i in sn_at if i < len(r)) if n is not None]
        out[int(number)] = (str(r[name_at]).strip(), str(r[region_at]).strip(), sns)
    return out


def _la_codes() -> dict[int, tuple[str, ...]]:
    """LA number -> its 9-character codes, the current one first (resources/la_codes.csv)."""
    out: dict[int, list[tuple[bool, str]]] = {}
    with open(resource("la_codes.csv"), encoding="utf-8", newline="") as fh:
        for record in csv.DictReader(fh):
            out.setdefault(int(record["LA number"]), []).append(
                (record["Current"].strip().lower() != "yes", record["Code"].strip().upper()))
    return {number: tuple(code for _, code in sorted(codes)) for number, codes in out.items()}
