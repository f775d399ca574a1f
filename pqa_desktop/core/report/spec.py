"""The workbook layout as data: sheets, their tables and headers, palette and label codes (resources/workbook.toml)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from ..calendar import Period, month_label
from ..resources import resource
from ..measures.audit_judgements import case_file_domains
from ..values import GRADES

GRADE_COLUMNS = (*GRADES, "Total", *(f"{g} %" for g in GRADES), "Good or better %")
GRADE_PERCENT_COLUMNS = tuple(f"{g} %" for g in GRADES)


@dataclass(frozen=True)
class TableSpec:
    name: str
    heading: str
    columns: tuple[str, ...]  # may hold the tokens <grades>, <months>, <domains>, <scorecard>
    scorecard_columns: tuple[str, ...] = ()

    def headers(self, period: Period) -> list[str]:
        """The contract headers, tokens expanded for this period."""
        out: list[str] = []
        for col in self.columns:
            if col == "<scorecard>":
                out.extend(self.scorecard_columns)
            elif col == "<grades>":
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
    data: bool = False  # a data sheet for analysts (no narrative, filter buttons on its tables)
    scorecard: str | None = None  # the scorecard table: the rows of tbl_kpis whose Section is sections[0]

    @property
    def section(self) -> str | None:
        """The report section the sheet tells (its key messages and commentary are at its top)."""
        return self.sections[0] if self.sections else None


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
    scorecard_columns: tuple[str, ...]
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

    def sheet_of_section(self, section: str) -> SheetSpec | None:
        """The sheet telling a report section (its messages, commentary and scorecard), if any."""
        return next((s for s in self.sheets if s.section == section), None)


def case_file_domain_labels() -> list[str]:
    """Practice domain labels of the case file audit, the overall judgement left out: the domains the measures
    count (the report reads the measures, not the auditor templates' spec)."""
    return [d.label for d in case_file_domains()]


@lru_cache(maxsize=1)
def workbook_spec() -> WorkbookSpec:
    with open(resource("workbook.toml"), "rb") as fh:
        raw = tomllib.load(fh)
    scorecard_columns = tuple(raw["scorecard_columns"])
    sheets = tuple(
        SheetSpec(
            name=s["name"],
            title=s.get("title", s["name"]),
            description=s["description"],
            missing=s.get("missing", ""),
            sections=tuple(s.get("sections", ())),
            contents=s.get("contents", s["description"]),
            tables=tuple(TableSpec(t["name"], t["heading"], tuple(t["columns"]), scorecard_columns)
                         for t in s.get("tables", ())),
            data=bool(s.get("data", False)),
            scorecard=s.get("scorecard"),
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
        scorecard_columns=scorecard_columns,
        sheets=sheets,
    )
