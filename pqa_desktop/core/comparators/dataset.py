"""The DfE's published figures for every English local authority, region and England, as PQA Desktop keeps
them: the paired LAIT measures (title, polarity, decimal places, year type, whether quartile bands apply)
with each area's value for the last few published years, and each local authority's region, statistical
neighbours and codes.

It is written as compact JSON (resources/published_comparators.json, a few hundred KB at most) by
``scripts/build_published_comparators.py`` from a LAIT download, and read back here with the standard
library alone. A value the DfE suppressed or did not publish (``-``, ``c``, ``x``, ``[c]``, ``..``) is None.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "pqa-published-comparators"
FORMAT_VERSION = 1
ENGLAND = 970
LONDON = 986
LA, REGION, COUNTRY = "la", "region", "england"
HIGH, LOW = "High", "Low"


class PublishedDataError(ValueError):
    """A comparators file or LAIT folder that cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class Area:
    number: int  # the DfE's 3-digit LA number; 970 England, 980-990 the regions
    name: str  # as LAIT writes it ("Bristol, City of")
    kind: str  # LA, REGION or COUNTRY
    region: int | None = None  # an LA's region (its statistical-neighbour file's region), else None
    neighbours: tuple[int, ...] = ()  # an LA's 10 statistical neighbours, closest first
    codes: tuple[str, ...] = ()  # 9-character codes (E06/E08/E09/E10), the current one first


@dataclass(frozen=True)
class PublishedMeasure:
    code: str  # LAIT's Short Desc
    title: str  # the dictionary's Measure
    polarity: str  # HIGH, LOW, or "" (the DfE gives none: no rank, no quartile band)
    decimals: int  # as LAIT shows it (its dictionary's dps; blank means 1)
    year_type: str  # "Financial Year", "Annual (end of Sept)" …
    no_quartile: bool  # the dictionary's No_Quartile = N: quartile bands do not apply
    last_update: str  # "November 2025"
    years: tuple[str, ...]  # oldest first, as published ("2025")
    values: dict[int, tuple[float | None, ...]] = field(default_factory=dict)  # area -> value per year

    @property
    def latest(self) -> str | None:
        return self.years[-1] if self.years else None

    def value(self, area: int, year_index: int = -1) -> float | None:
        row = self.values.get(area)
        return None if row is None else row[year_index]


@dataclass(frozen=True)
class PublishedData:
    source: str  # "DfE Local Authority Interactive Tool (LAIT) data, …" — what it was built from
    areas: dict[int, Area]
    measures: dict[str, PublishedMeasure]
    path: str = ""  # the file or folder it was read from ("" for the shipped file)

    def las(self) -> list[Area]:
        return [a for a in self.areas.values() if a.kind == LA]

    def current_councils(self) -> list[Area]:
        """Local authorities with a published value in some measure's latest year (a council abolished
        in a local government reorganisation has none), by name."""
        out = [a for a in self.las()
               if any(m.years and m.value(a.number) is not None for m in self.measures.values())]
        return sorted(out, key=lambda a: a.name.lower())

    def latest_years(self) -> list[tuple[str, str]]:
        """(year type, latest year) of the measures, each pair once, in measure order."""
        return list(dict.fromkeys((m.year_type, m.latest) for m in self.measures.values() if m.latest))


def year_label(year: str, year_type: str) -> str:
    """What a LAIT year means, as a reader says it: a financial year "2025" is "2024-25" (the year to 31
    March 2025); a workforce census year "2025" is "Sep 2025" (at 30 September); "Annual" counts at 31
    March are "Mar 2025"; an academic year "2025" is "2024/25". Other labels are kept as published."""
    text = str(year).strip()
    if not (len(text) == 4 and text.isdigit()):
        return text
    y = int(text)
    kind = year_type.strip().lower()
    if kind == "financial year":
        return f"{y - 1}-{y % 100:02d}"
    if kind == "academic year":
        return f"{y - 1}/{y % 100:02d}"
    if "sept" in kind:
        return f"Sep {y}"
    if kind == "annual":
        return f"Mar {y}"
    return text


def published_number(text: object) -> float | None:
    """A published value as a number: None when suppressed or missing ("-", "c", "x", "[c]", "..", "")."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        number = float(text)
    else:
        cleaned = str(text).strip().replace(",", "")
        try:
            number = float(cleaned)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


# --- the compact file ----------------------------------------------------------------------------

def to_json(data: PublishedData) -> str:
    """Compact, stable JSON: areas and measures in number and pairing order, one line each."""
    areas = [[a.number, a.name, a.kind, a.region, list(a.neighbours), list(a.codes)]
             for a in sorted(data.areas.values(), key=lambda a: a.number)]
    measures = [{"code": m.code, "title": m.title, "polarity": m.polarity, "decimals": m.decimals,
                 "year_type": m.year_type, "no_quartile": m.no_quartile, "last_update": m.last_update,
                 "years": list(m.years),
                 "values": {str(k): [_compact(v) for v in row] for k, row in sorted(m.values.items())}}
                for m in data.measures.values()]
    lines = ["{", f'"format": {json.dumps(FORMAT)}, "version": {FORMAT_VERSION},',
             f'"source": {json.dumps(data.source, ensure_ascii=False)},', '"areas": [']
    lines.append(",\n".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in areas))
    lines.append('], "measures": [')
    lines.append(",\n".join(json.dumps(m, ensure_ascii=False, separators=(",", ":")) for m in measures))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def _compact(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def from_json(text: str, path: str = "") -> PublishedData:
    name = Path(path).name if path else "the comparators file"
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise PublishedDataError(f"{name} is not a comparators file (not valid JSON: {exc}).") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise PublishedDataError(f"{name} is not a comparators file made by scripts/build_published_comparators.py.")
    if raw.get("version") != FORMAT_VERSION:
        raise PublishedDataError(f"{name} was made by another version of PQA Desktop (format {raw.get('version')}, "
                                 f"this version reads {FORMAT_VERSION}); build it again with this version's script.")
    try:
        areas = {}
        for number, area_name, kind, region, neighbours, codes in raw["areas"]:
            areas[int(number)] = Area(int(number), str(area_name), str(kind),
                                      None if region is None else int(region),
                                      tuple(int(n) for n in neighbours), tuple(str(c) for c in codes))
        measures = {}
        for m in raw["measures"]:
            years = tuple(str(y) for y in m["years"])
            values = {}
            for key, row in m["values"].items():
                if len(row) != len(years):
                    raise ValueError(f"{m['code']}: area {key} has {len(row)} values for {len(years)} years")
                values[int(key)] = tuple(published_number(v) for v in row)
            measures[str(m["code"])] = PublishedMeasure(
                code=str(m["code"]), title=str(m["title"]), polarity=str(m["polarity"]),
                decimals=int(m["decimals"]), year_type=str(m["year_type"]), no_quartile=bool(m["no_quartile"]),
                last_update=str(m.get("last_update", "")), years=years, values=values)
    except (KeyError, TypeError, ValueError) as exc:
        raise PublishedDataError(f"{name} is damaged ({exc}); build it again with "
                                 "scripts/build_published_comparators.py.") from exc
    return PublishedData(source=str(raw.get("source", "")), areas=areas, measures=measures, path=path)
