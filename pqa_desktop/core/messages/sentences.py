"""What the key messages of every section share: the drafters' registry, the most sentences a section
holds, and numbers written as the workbook's cells show them (``Shown``, whole percentages rounded half
away from zero). The audit sections' drafters (key_messages) and the KPI, workforce and fostering ones
(kpi_messages) both build on this module, and neither imports the other's helpers.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from ..measures.figures import Figures, shown_decimal
from ..report import styles

MAX_SENTENCES = 4

Drafter = Callable[[Figures], list[str]]
DRAFTERS: dict[str, list[Drafter]] = {}


AUDITS_FIRST, KPIS_AFTER = 0, 1  # where a section has both, the audits' sentences come first


def drafter(section: str, rank: int = AUDITS_FIRST) -> Callable[[Drafter], Drafter]:
    """Register a function drafting sentences for ``section`` (KPI modules add theirs the same way).

    A section's drafters run by ``rank``, then in the order they were registered: the order of a section's
    sentences (and which of them the limit keeps) never depends on which module was imported first."""

    def register(func: Drafter) -> Drafter:
        drafters = DRAFTERS.setdefault(section, [])
        if func not in drafters:
            func.draft_rank = rank
            drafters.append(func)
            drafters.sort(key=lambda each: getattr(each, "draft_rank", AUDITS_FIRST))  # stable: registration order
        return func

    return register


# --- numbers as shown ---------------------------------------------------------------------------

def whole_percent(fraction: float) -> int:
    """The whole percentage a fraction shows as, rounding half away from zero (0.125 -> 13, -0.005 -> -1).

    Python's round() rounds half to even, and 0.145 * 100 is 14.499999999999998 in binary, so the
    fraction as a spreadsheet shows it (``figures.shown_decimal``) is scaled exactly instead.
    """
    scaled = shown_decimal(fraction) * 100
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_text(fraction: float) -> str:
    return f"{whole_percent(fraction)}%"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def join_words(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def lower_first(label: str) -> str:
    """Lower-case a label's first letter for use mid-sentence, leaving acronyms (EDT, AMHP) alone."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def named_table(figures: Figures, name: str) -> pd.DataFrame:
    """The named table, or an empty one when the figures lack it (its input was not supplied)."""
    return figures.tables.get(name, pd.DataFrame())


def _rounded(number: float, places: int, scale: int = 1) -> Decimal:
    """Round half away from zero on the number as a spreadsheet shows it (as whole_percent does)."""
    exact = shown_decimal(number) * scale
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Shown:
    """A number as a cell displays it: the rounded amount (for comparisons) and its text."""

    amount: Decimal
    text: str

    @classmethod
    def of(cls, number: float, num_format: str) -> "Shown":
        if num_format == styles.PERCENT:
            amount = Decimal(whole_percent(number))
            return cls(amount, percent_text(number))
        if num_format == styles.BENCHMARK_PERCENT:
            amount = _rounded(number, 1, scale=100)
            return cls(amount, f"{amount}%")
        if num_format == styles.COUNT:
            amount = _rounded(number, 0)
            return cls(amount, f"{int(amount):,}")
        if num_format == styles.DECIMAL:
            amount = _rounded(number, 1)
            return cls(amount, format(amount, ",.1f"))
        # General (medians in days): a whole number shows whole, a half day as 13.5.
        exact = shown_decimal(number)
        if exact == exact.to_integral_value():
            return cls(exact.to_integral_value(), str(int(exact)))
        return cls(exact, format(exact.normalize(), "f"))
