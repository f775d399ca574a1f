"""Numbers in words, as the tables show them (whole percentages, half away from zero), and line wrapping."""
from __future__ import annotations

import math
import textwrap
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from ..measures.figures import shown_decimal

# Narrative text is written one line per row (no wrapped cells), so rows keep their height and the
# tables beside them stay compact; a screen reader reads the lines in order.
LINE_WIDTH = 100


def is_blank(value: object) -> bool:
    """None, NaN, NaT and pd.NA are blank cells (a zero denominator is blank, never 0)."""
    if value is None:
        return True
    if value.__class__ is str:  # the commonest cell, and never blank (an empty string is text)
        return False
    if isinstance(value, float):
        return math.isnan(value)
    try:
        result = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return result if isinstance(result, bool) else False


def round_half_away(x: float, places: int = 0) -> Decimal:
    """The number as its cell shows it with ``places`` decimals (figures.shown_decimal), half away from zero."""
    quantum = Decimal(1).scaleb(-places)
    return shown_decimal(x).quantize(quantum, rounding=ROUND_HALF_UP)  # HALF_UP = away from zero


def percent_text(fraction: float | None, places: int = 0) -> str:
    """0.685 -> "69%"; places=1 for benchmarks: 0.845 -> "84.5%". The fraction is scaled in decimal, as its
    cell shows it (0.8815 is 88.15%, shown 88.2%: in binary 0.8815 * 100 is 88.14999…), as the key messages
    say it."""
    if is_blank(fraction):
        return "no figure"
    scaled = shown_decimal(fraction) * 100
    return f"{scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def count_text(n: float, noun: str) -> str:
    n = int(n)
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def wrap_lines(text: str, width: int = LINE_WIDTH, first_prefix: str = "", next_prefix: str = "") -> list[str]:
    """Paragraphs (split on line breaks) wrapped to width, each paragraph's first line prefixed."""
    lines: list[str] = []
    for paragraph in str(text).replace("\r\n", "\n").split("\n"):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        lines.extend(textwrap.wrap(paragraph, width=width, initial_indent=first_prefix,
                                   subsequent_indent=next_prefix, break_long_words=True,
                                   break_on_hyphens=False))
    return lines
