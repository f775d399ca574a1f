"""Figures: what the measures layer hands the report layer. Numbers only, nothing formatted.

``tables`` maps a contract table name (``tbl_overall_by_month``) to a DataFrame whose columns are
exactly the contract's columns, in order. Conventions the report layer relies on:
- months are ``datetime.date`` (first of the month); other dates are ``datetime.date``;
- a column whose header ends in ``%`` (or is ``Value``/``Previous`` of a percentage measure) holds
  unrounded fractions (0.69), with ``None``/NaN for a zero denominator (shown blank, never 0);
- counts are ints.
``headlines`` are the Summary rows; ``notes`` are the cover's notes in order, each with the key a Note cell
refers to it by (``notes.note_ref``); the report layer numbers them ``[note N]``. ``published`` is the
chosen council's published comparators (``core.comparators.CouncilComparators``: latest figures and the
five-year series), None when no council is chosen; ``published_problem`` says why they are missing when a
council was chosen but its figures could not be read.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from ..calendar import Period
from .notes import Note


BETTER, WORSE, NO_CHANGE = "Better", "Worse", "No change"


def shown_decimal(number: float) -> Decimal:
    """A number as a spreadsheet shows it before its number format rounds it: its first 15 significant
    digits, in decimal (Excel shows no more). Rounding this, not the binary float, is how a cell's "0%" or
    "0.0" shows the number: 0.145 is 14.5% and so 15% (in binary, 0.145 * 100 is 14.4999…), 0.35 + 0.055
    (0.40499999999999997) is 0.405 and so 41%. Every sentence, chart title and label says a number this way,
    so it agrees with the cell it comes from."""
    return Decimal(format(float(number), ".15g"))


def better_or_worse(polarity: str | None, change: float | None) -> str | None:
    """The Better or worse word (report-workbook.md): from the measure's polarity (``higher`` or ``lower`` is
    better) and its Change; ``No change`` when the Change rounded to one decimal place is 0; None (a blank
    cell) when the measure has no polarity or no Change."""
    if polarity not in ("higher", "lower") or change is None:
        return None
    try:
        number = float(change)
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return None
    if shown_decimal(number).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) == 0:
        return NO_CHANGE
    return BETTER if (number > 0) == (polarity == "higher") else WORSE


@dataclass
class Headline:
    measure: str  # plain words, e.g. "Good or better overall judgements (year to date)"
    value: float | None
    previous: float | None = None
    unit: str = "count"  # "count", "percent" (fraction), "number" (one decimal), "days"
    target: float | None = None
    england: float | None = None
    status: str = "No target"  # Meets target / Below target / No target / No data
    section: str = "Summary"  # the report section (and sheet) the measure belongs to
    note: str = ""  # a reference to the cover note explaining the row (notes.note_ref), e.g. why Previous is blank
    polarity: str = "none"  # higher / lower is better; none: neither (volumes)
    statistical_neighbours: float | None = None
    kpi_id: str | None = None  # the measure id of a KPI headline (its monthly series is in tbl_kpi_monthly)

    @property
    def change(self) -> float | None:
        """Value - Previous; for a percentage, in percentage points (0.69 - 0.66 -> 3.0)."""
        if self.value is None or self.previous is None:
            return None
        diff = self.value - self.previous
        return round(diff * 100, 10) if self.unit == "percent" else diff

    @property
    def better_or_worse(self) -> str | None:
        return better_or_worse(self.polarity, self.change)


@dataclass
class Figures:
    period: Period
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    headlines: list[Headline] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    published: object | None = None
    published_problem: str | None = None

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]
