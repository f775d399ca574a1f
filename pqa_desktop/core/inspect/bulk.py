"""String operations on a whole set of values at once, for the hundreds of thousands of IDs a council's
year holds.

Calling ``str.casefold`` a hundred thousand times costs a hundred thousand Python calls; calling it once
on the values joined by a character none of them holds, then splitting, gives the same list at a fraction
of the cost. That is exact for the operations used here because each works character by character:
``casefold`` and ``upper`` map every character on its own (only ``lower`` looks at its neighbours, for
a final sigma), no character maps to the separator, and the separator is not whitespace, so removing
whitespace never touches it.
"""
from __future__ import annotations

from typing import Callable, Iterable

SEPARATOR = "\x00"
_ASCII_LETTERS_AND_DIGITS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def str_list(values: Iterable[object]) -> list[str]:
    """``[str(v) for v in values]``, without the calls when every value already is a ``str``."""
    items = values if isinstance(values, list) else list(values)
    if set(map(type, items)) <= {str}:  # exactly str: str(v) is v
        return items
    return list(map(str, items))


def joined(texts: list[str]) -> str | None:
    """The texts joined by SEPARATOR, or None when one of them holds it (or there are none)."""
    if not texts:
        return None
    whole = SEPARATOR.join(texts)
    return whole if whole.count(SEPARATOR) == len(texts) - 1 else None


def each(texts: list[str], operation: Callable[[str], str], whole: str | None = None) -> list[str]:
    """``[operation(t) for t in texts]`` for a character-by-character operation (see the module's note):
    one call on the joined texts (``whole``, when the caller has joined them already)."""
    whole = whole if whole is not None else joined(texts)
    if whole is None:
        return list(map(operation, texts))
    return operation(whole).split(SEPARATOR)


def without_whitespace_upper(text: str) -> str:
    """Whitespace removed, upper case: ``matching.normalise_postcode`` of a str."""
    return "".join(text.split()).upper()


def all_letters_and_digits(texts: list[str], whole: str | None) -> bool:
    """True only when every text is non-empty and ``str.isalnum`` (``whole`` is ``joined(texts)``).
    Answered at once for ASCII texts; False (meaning: look at each) for any other."""
    if whole is None or not whole.isascii() or not whole or whole[0] == SEPARATOR or whole[-1] == SEPARATOR \
            or SEPARATOR * 2 in whole:
        return False
    return not whole.encode("ascii").translate(None, _ASCII_LETTERS_AND_DIGITS + SEPARATOR.encode())
