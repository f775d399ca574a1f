"""What each KPI, workforce or fostering measure function returns; the KPI table is assembled from these."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class MonthlyPoint:
    month: date  # first day of the month
    value: float | None  # None when the month is not covered or the denominator is zero
    numerator: float | None = None
    denominator: float | None = None


@dataclass
class KpiResult:
    kpi_id: str
    value: float | None = None  # fractions for percentages (0.83), counts, medians, rates
    previous: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    notes: list[str] = field(default_factory=list)  # why blank, coverage caveats, counts left out
    monthly: list[MonthlyPoint] = field(default_factory=list)
    breakdown: dict = field(default_factory=dict)  # extra detail for the Workforce/Fostering tables
