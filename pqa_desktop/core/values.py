"""Reading single values the way the contracts say: text normalisation, UK dates, grades, Yes/No.

Every parser returns ``None`` for "blank" and raises ``ValueError`` for "present but unreadable",
so the caller (who knows file, sheet and cell) turns the error into a finding.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from datetime import date, datetime, timedelta

# The characters one Excel cell holds: a longer text is cut to this where a workbook shows it.
EXCEL_CELL_CHARS = 32_767

GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")
NOT_APPLICABLE = "Not applicable"
GRADE_SCALE = GRADES + (NOT_APPLICABLE,)

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ",
                         "\u2013": "-", "\u2014": "-", "\u202f": " ", "\u2007": " "})


def normalise(text: object) -> str:
    """Case-fold, straighten quotes, collapse white space (line breaks, NBSP), drop trailing punctuation."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES)
    s = re.sub(r"\s+", " ", s).strip().casefold()
    # rstrip, not a "[...]+$" pattern: the pattern backtracks on every run of these characters, so a cell
    # holding a long run of them (a hostile or garbled file) took seconds; white space is single spaces here.
    return s.rstrip(" :*.,;!?")


def label_key(text: object) -> str:
    """Key for matching labels and headers: normalised, punctuation-insensitive, brackets undoubled."""
    if text is None:
        return ""
    return _label_key(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=200_000)
def _label_key(text: str) -> str:
    # cached: header detection asks for the same few hundred header texts many thousands of times
    s = normalise(text)
    s = s.replace("((", "(").replace("))", ")")
    s = re.sub(r"[^\w]+", " ", s)  # punctuation -> space
    return re.sub(r"\s+", " ", s).strip()


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and value.strip() == ""


# --- dates -----------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _year(y: str) -> int:
    n = int(y)
    return 2000 + n if len(y) <= 2 else n


def parse_uk_date(value: object) -> date | None:
    """A real date, an Excel serial, or UK-order text. Never month-first.

    Accepted text: dd/mm/yyyy, d/m/yy, 1.4.24, 1-4-2024, 1 Apr 2024, 1 April 24, ISO 2024-04-01 and
    2024-04-01 00:00:00 (and with a T). Two-digit years are 20xx.
    """
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, (int, float)):
        if 1 <= value < 2958466:  # Excel serial dates (1900-01-01 .. 9999-12-31)
            return (_EXCEL_EPOCH + timedelta(days=int(value))).date()
        raise ValueError("not a date")
    s = normalise(value)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", s)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?", s)
    if m:
        return date(_year(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?[ \-/]([a-z]{3,9})[ \-/,]+(\d{2}|\d{4})", s)
    if m and m.group(2)[:3] in _MONTHS:
        return date(_year(m.group(3)), _MONTHS[m.group(2)[:3]], int(m.group(1)))
    raise ValueError("not a date")


# --- grades ----------------------------------------------------------------------------------

_GRADE_ALIASES = {
    "outstanding": "Outstanding", "o": "Outstanding",
    "good": "Good", "g": "Good",
    "requires improvement": "Requires improvement", "ri": "Requires improvement",
    "req imp": "Requires improvement", "requires improvement to be good": "Requires improvement",
    "req improvement": "Requires improvement", "requires imp": "Requires improvement",
    "inadequate": "Inadequate", "i": "Inadequate", "inadeq": "Inadequate",
    "not applicable": NOT_APPLICABLE, "n a": NOT_APPLICABLE, "na": NOT_APPLICABLE,
    "n/a": NOT_APPLICABLE,
}
_GRADE_NUMBERS = {"1": "Outstanding", "2": "Good", "3": "Requires improvement", "4": "Inadequate"}


def parse_grade(value: object) -> tuple[str | None, bool]:
    """Return (canonical grade or None for blank, was_a_number). Raises ValueError if unrecognised."""
    if is_blank(value):
        return None, False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value) in (1.0, 2.0, 3.0, 4.0):
            return _GRADE_NUMBERS[str(int(value))], True
        raise ValueError("not a grade")
    key = label_key(value)
    if key in _GRADE_NUMBERS:
        return _GRADE_NUMBERS[key], True
    if key in _GRADE_ALIASES:
        return _GRADE_ALIASES[key], False
    compact = key.replace(" ", "")
    for alias, grade in _GRADE_ALIASES.items():
        if alias.replace(" ", "").replace("/", "") == compact:
            return grade, False
    raise ValueError("not a grade")


# --- yes / no --------------------------------------------------------------------------------

YES, NO = "Yes", "No"
_YES_NO = {
    "yes": YES, "y": YES, "true": YES, "1": YES, "a yes": YES,
    "no": NO, "n": NO, "false": NO, "0": NO, "b no": NO,
    "not applicable": NOT_APPLICABLE, "n a": NOT_APPLICABLE, "na": NOT_APPLICABLE,
    "n/a": NOT_APPLICABLE,
}


def parse_yes_no(value: object) -> str | None:
    """'Yes', 'No', 'Not applicable', or None for blank. Raises ValueError if unrecognised."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return YES if value == 1 else NO
        raise ValueError("not yes/no")
    key = label_key(value)
    if key in _YES_NO:
        return _YES_NO[key]
    raise ValueError("not yes/no")


def parse_choice(value: object, choices: list[str] | tuple[str, ...]) -> str | None:
    """Match a list value to its canonical spelling, case/space/punctuation-insensitively."""
    if is_blank(value):
        return None
    key = label_key(value)
    for choice in choices:
        if label_key(choice) == key:
            return choice
    raise ValueError("not in list")


def clean_text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"[ \t]+", " ", str(value)).strip()
