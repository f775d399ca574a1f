"""Every KPI, workforce and fostering measure id with its metadata, from resources/measures.toml.

The order of the file is the order of the rows of ``tbl_kpis``.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from ..resources import resource


@dataclass(frozen=True)
class MeasureSpec:
    id: str
    label: str
    unit: str  # count, percent (a fraction), days, number, rate
    window: str  # last month, 3m, YTD, snapshot, trend window, 6 months, 12 months
    section: str
    polarity: str  # higher, lower, none
    definition: str  # the [note] text: which DfE definition, where our choice differs

    @property
    def is_percent(self) -> bool:
        return self.unit == "percent"

    @property
    def window_text(self) -> str:
        """The Window cell of tbl_kpis: "Last month", "3m", "YTD", "Snapshot", "Trend window"…"""
        return self.window[:1].upper() + self.window[1:]


@lru_cache(maxsize=None)
def measure_specs() -> tuple[MeasureSpec, ...]:
    with open(resource("measures.toml"), "rb") as fh:
        raw = tomllib.load(fh)
    return tuple(MeasureSpec(id=m["id"], label=m["label"], unit=m["unit"], window=m["window"],
                             section=m["section"], polarity=m.get("polarity", "none"),
                             definition=m.get("definition", ""))
                 for m in raw["measure"])


def measure_spec(measure_id: str) -> MeasureSpec:
    for spec in measure_specs():
        if spec.id == measure_id:
            return spec
    raise KeyError(measure_id)


def measure_units() -> dict[str, str]:
    """Each measure's unit by its id (percent, count, days ...)."""
    return {s.id: s.unit for s in measure_specs()}


def in_our_units(kpi_id: str, value: float | None, units: dict[str, str] | None = None) -> float | None:
    """A published value in our table's units: a percentage (published 0-100) as a fraction, whatever its
    size (0.8% is 0.008). Rounded to 10 places, so 78.83 / 100 is stored as 0.7883, not 0.7883000000000001."""
    if value is None:
        return None
    unit = (units or measure_units()).get(kpi_id)
    return round(value / 100 if unit == "percent" else value, 10)
