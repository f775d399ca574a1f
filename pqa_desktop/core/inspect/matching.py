"""Finding known personal data in a piece of text, without false alarms from counts, dates or sizes.

Text is cut into tokens (runs of letters and digits; a decimal such as 0.7752564 stays one token, so a
percentage never contains an "ID"). An identifier or name matches only as a whole run of tokens:

* identifiers (child IDs, case, carer and staff references) of five or more letters and digits, in
  any case. Shorter ones are ignored: a four-digit ID would match half the counts in the report.
* staff names: the full name, and each part of five or more letters on its own. The contract redacts
  parts of three or more letters from feedback; checking parts that short here would stop builds over
  ordinary words ("Ann", "Lee", "Hall"), so the inspector checks five or more, and never a part that
  is a word PQA Desktop writes itself ("Young" in "Child or young person"): the full name still is.
* postcodes: any UK postcode written in the text, compared spaces removed and in upper case, so
  "M1 1AE", "m11ae" and "M1  1AE" are the same.
* dates of birth: their usual text renderings (03/05/2015, 3/5/2015, 03-05-15, 2015-05-03,
  3 May 2015, 03-May-2015, 3rd May 2015).

Only which *kind* of data matched is returned, never the value: callers must not echo it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

TOKEN = re.compile(r"[^\W_]+(?:(?<=\d)\.\d+)*")
MIN_IDENTIFIER_CHARS = 5
MIN_NAME_PART_LETTERS = 5

CASE_REFERENCE = "case reference"
STAFF_ID = "staff ID"
STAFF_NAME = "staff name"
POSTCODE = "postcode"
DATE_OF_BIRTH = "date of birth"

# What each kind is called in a plain-English message ("a child's or case reference appears in ...").
KIND_PHRASES = {
    CASE_REFERENCE: "a child's ID or case reference",
    STAFF_ID: "a staff member's ID",
    STAFF_NAME: "a staff member's name",
    POSTCODE: "a postcode",
    DATE_OF_BIRTH: "a child's date of birth",
}

# When one string is known as two kinds, the first listed here names it.
_PRIORITY = (STAFF_NAME, CASE_REFERENCE, STAFF_ID)

_POSTCODE = re.compile(r"(?<![^\W_])([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})(?![^\W_])")

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NUMERIC_DATE = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.\-]?\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TEXT_DATE = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?[\s\-]+(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
    r"[\s\-,]+(\d{4}|\d{2})(?!\d)", re.IGNORECASE)


def tokens(text: str) -> list[str]:
    """The text's tokens, case-folded."""
    return [m.group().casefold() for m in TOKEN.finditer(text)]


def normalise_postcode(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).upper()


def _years(text: str) -> list[int]:
    """A two-digit year could be either century; a four-digit one is itself."""
    year = int(text)
    return [year] if len(text) == 4 else [2000 + year, 1900 + year]


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def dates_written_in(text: str) -> set[date]:
    """Every full date written in the text in a UK (day first) or ISO rendering."""
    found: set[date] = set()
    for m in _NUMERIC_DATE.finditer(text):
        for year in _years(m.group(4)):
            d = _date(year, int(m.group(3)), int(m.group(1)))
            if d:
                found.add(d)
    for m in _ISO_DATE.finditer(text):
        d = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            found.add(d)
    for m in _TEXT_DATE.finditer(text):
        month = _MONTHS.index(m.group(2)[:3].lower()) + 1
        for year in _years(m.group(3)):
            d = _date(year, month, int(m.group(1)))
            if d:
                found.add(d)
    return found


def _identifier_variants(identifier: str) -> list[tuple[str, ...]]:
    """The identifier as a token run, plus (for an all-digit ID with leading zeros) the number a
    spreadsheet would show once the zeros are lost."""
    run = tuple(tokens(identifier))
    variants = [run] if sum(len(t) for t in run) >= MIN_IDENTIFIER_CHARS else []
    if len(run) == 1 and run[0].isdigit() and run[0].startswith("0"):
        stripped = run[0].lstrip("0")
        if len(stripped) >= MIN_IDENTIFIER_CHARS:
            variants.append((stripped,))
    return variants


def _name_runs(name: str, own_words: frozenset[str]) -> list[tuple[str, ...]]:
    run = tuple(tokens(name))
    if not run:
        return []
    runs = []
    if len(run) > 1 or (len(run[0]) >= MIN_NAME_PART_LETTERS and run[0] not in own_words):
        runs.append(run)
    if len(run) > 1:
        runs.extend((part,) for part in run
                    if len(part) >= MIN_NAME_PART_LETTERS and part.isalpha() and part not in own_words)
    return runs


@dataclass
class Matcher:
    """Built once per inspection from what the inputs hold; ``kinds_in(text)`` says what a text leaks."""

    runs: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)  # first token -> runs
    postcodes: frozenset[str] = frozenset()
    dates_of_birth: frozenset[date] = frozenset()

    @classmethod
    def build(cls, *, case_refs: Iterable[str] = (), staff_ids: Iterable[str] = (),
              staff_names: Iterable[str] = (), postcodes: Iterable[str] = (),
              dates_of_birth: Iterable[date] = (), own_words: Iterable[str] = ()) -> "Matcher":
        own = frozenset(w.casefold() for w in own_words)
        kind_of: dict[tuple[str, ...], str] = {}

        def add(run: tuple[str, ...], kind: str) -> None:
            current = kind_of.get(run)
            if current is None or _PRIORITY.index(kind) < _PRIORITY.index(current):
                kind_of[run] = kind

        for name in staff_names:
            for run in _name_runs(str(name), own):
                add(run, STAFF_NAME)
        for kind, values in ((CASE_REFERENCE, case_refs), (STAFF_ID, staff_ids)):
            for value in values:
                for run in _identifier_variants(str(value)):
                    add(run, kind)
        runs: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for run, kind in kind_of.items():
            runs.setdefault(run[0], []).append((run, kind))
        codes = frozenset(p for p in (normalise_postcode(v) for v in postcodes) if _POSTCODE.fullmatch(p))
        return cls(runs=runs, postcodes=codes, dates_of_birth=frozenset(dates_of_birth))

    def __bool__(self) -> bool:
        return bool(self.runs or self.postcodes or self.dates_of_birth)

    def kinds_in(self, text: str, *, numbers: bool = True) -> set[str]:
        """Which kinds of known personal data the text holds. With ``numbers=False`` an all-digit text
        (a size, offset or index in the XML) is not looked at as an identifier."""
        if not text:
            return set()
        found: set[str] = set()
        if self.runs and (numbers or not _is_number(text)):
            found |= self._runs_in(tokens(text))
        if not _DIGIT.search(text):  # postcodes and dates always have a digit: skip the costlier patterns
            return found
        if self.postcodes and any(normalise_postcode(m.group(1) + m.group(2)) in self.postcodes
                                  for m in _POSTCODE.finditer(text)):
            found.add(POSTCODE)
        if self.dates_of_birth and not self.dates_of_birth.isdisjoint(dates_written_in(text)):
            found.add(DATE_OF_BIRTH)
        return found

    def _runs_in(self, toks: list[str]) -> set[str]:
        found: set[str] = set()
        for i, tok in enumerate(toks):
            for run, kind in self.runs.get(tok, ()):
                if len(run) == 1 or tuple(toks[i:i + len(run)]) == run:
                    found.add(kind)
        return found


_DIGIT = re.compile(r"\d")


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\s*", text))
