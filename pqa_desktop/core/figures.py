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

from dataclasses import dataclass, field

import pandas as pd

from .calendar import Period
from .notes import Note


@dataclass
class Headline:
    measure: str  # plain words, e.g. "Good or better overall judgements (year to date)"
    value: float | None
    previous: float | None = None
    unit: str = "count"  # "count", "percent" (fraction), "number" (one decimal), "days"
    target: float | None = None
    england: float | None = None
    status: str = "No target"  # Meets target / Below target / No target / No data
    section: str = "Summary"
    note: str = ""  # a reference to the cover note explaining the row (notes.note_ref), e.g. why Previous is blank

    @property
    def change(self) -> float | None:
        """Value - Previous; for a percentage, in percentage points (0.69 - 0.66 -> 3.0)."""
        if self.value is None or self.previous is None:
            return None
        diff = self.value - self.previous
        return round(diff * 100, 10) if self.unit == "percent" else diff


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
