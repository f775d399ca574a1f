"""The workbook layout as data: sheets, their tables and headers, palette and label codes (resources/workbook.toml)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from ..calendar import Period, month_label
from ..resources import resource
from ..returns.spec import returns_spec
from ..values import GRADES

GRADE_COLUMNS = (*GRADES, "Total", *(f"{g} %" for g in GRADES), "Good or better %")
GRADE_PERCENT_COLUMNS = tuple(f"{g} %" for g in GRADES)


@dataclass(frozen=True)
class TableSpec:
    name: str
    heading: str
    columns: tuple[str, ...]  # may hold the tokens <grades>, <months>, <domains>

    def headers(self, period: Period) -> list[str]:
        """The contract headers, tokens expanded for this period."""
        out: list[str] = []
        for col in self.columns:
            if col == "<grades>":
                out.extend(GRADE_COLUMNS)
            elif col == "<months>":
                out.extend(month_label(m) for m in period.trend_months)
            elif col == "<domains>":
                out.extend(case_file_domain_labels())
            else:
                out.append(col)
        return out


@dataclass(frozen=True)
class SheetSpec:
    name: str
    title: str
    description: str
    missing: str
    sections: tuple[str, ...]
    contents: str
    tables: tuple[TableSpec, ...]


@dataclass(frozen=True)
class WorkbookSpec:
    classification: str
    no_data: str
    no_commentary: str
    no_messages: str
    grade_colours: dict[str, str]
    series_colours: tuple[str, ...]
    reference_colours: dict[str, str]
    label_codes: dict[str, str]
    kpi_sections: dict[str, tuple[str, ...]]
    sheets: tuple[SheetSpec, ...]

    def sheet(self, name: str) -> SheetSpec:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)

    def table(self, name: str) -> TableSpec:
        for s in self.sheets:
            for t in s.tables:
                if t.name == name:
                    return t
        raise KeyError(name)

    def kpi_section(self, kpi_id: str) -> str:
        """The KPIs-sheet section a KPI id charts under: exact id first, then the longest matching prefix."""
        best, best_len = "Plans and children in care", -1
        for section, keys in self.kpi_sections.items():
            for key in keys:
                if kpi_id == key:
                    return section
                if kpi_id.startswith(key) and len(key) > best_len:
                    best, best_len = section, len(key)
        return best


def case_file_domain_labels() -> list[str]:
    """Practice domain labels of the case file audit, the overall judgement left out."""
    return [f.label for f in returns_spec().returns["case_file_audit"].domains if f.field != "overall"]


@lru_cache(maxsize=1)
def workbook_spec() -> WorkbookSpec:
    with open(resource("workbook.toml"), "rb") as fh:
        raw = tomllib.load(fh)
    sheets = tuple(
        SheetSpec(
            name=s["name"],
            title=s.get("title", s["name"]),
            description=s["description"],
            missing=s.get("missing", ""),
            sections=tuple(s.get("sections", ())),
            contents=s.get("contents", s["description"]),
            tables=tuple(TableSpec(t["name"], t["heading"], tuple(t["columns"])) for t in s.get("tables", ())),
        )
        for s in raw["sheets"]
    )
    palette = raw["palette"]
    return WorkbookSpec(
        classification=raw["classification"],
        no_data=raw["no_data"],
        no_commentary=raw["no_commentary"],
        no_messages=raw["no_messages"],
        grade_colours=dict(palette["grades"]),
        series_colours=tuple(palette["series"]),
        reference_colours=dict(palette["reference"]),
        label_codes=dict(raw["label_codes"]),
        kpi_sections={k: tuple(v) for k, v in raw["kpi_sections"].items()},
        sheets=sheets,
    )
