"""Grade tallies shared by every judgement table: counts per grade, Total and shares of Total.

``<grades>`` in the workbook contract is the column block built here. Total counts the four grades
only: ``Not applicable`` and missing judgements are in no count and no percentage. A zero Total gives
blank (NaN) percentages, never 0.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

from ..values import GRADES

GOOD_OR_BETTER = ("Outstanding", "Good")
GRADE_COLUMNS: tuple[str, ...] = (
    *GRADES,
    "Total",
    *(f"{grade} %" for grade in GRADES),
    "Good or better %",
)


def share(numerator: int, denominator: int) -> float | None:
    """An unrounded fraction, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def grade_row(grades: Iterable[str | None]) -> dict[str, int | float | None]:
    """The ``<grades>`` columns for one group of judgements."""
    counts = Counter(g for g in grades if g in GRADES)
    total = sum(counts.values())
    row: dict[str, int | float | None] = {grade: counts[grade] for grade in GRADES}
    row["Total"] = total
    for grade in GRADES:
        row[f"{grade} %"] = share(counts[grade], total)
    row["Good or better %"] = share(sum(counts[g] for g in GOOD_OR_BETTER), total)
    return row


def frame(rows: list[dict], columns: Sequence[str], *, counts: Sequence[str] = ()) -> pd.DataFrame:
    """A table with exactly ``columns``: ``%`` columns as floats (NaN = blank), ``counts`` as ints.

    Fixing the dtypes here means an empty table and a full one look the same to the report layer.
    """
    table = pd.DataFrame(rows, columns=list(columns))
    for column in columns:
        if column.endswith("%"):
            table[column] = table[column].astype("float64")
        elif column in counts or column in GRADES or column == "Total":
            table[column] = table[column].astype("int64")
    return table
