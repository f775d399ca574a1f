"""Parsing one export column into its typed pandas Series, vectorised for lists of 100,000+ rows.

Each parser takes the raw cell values of a column (as ``read_tables`` gives them: str, int, float,
date/datetime or None) and returns ``(series, unreadable)``: the typed values and a boolean array
marking cells that were present but could not be read (left blank; the caller raises findings).

Speed matters: an Annex A List 1 can hold 120,000 rows. Dates take vectorised fast paths (real
dates, Excel serials, dd/mm/yyyy and ISO text by regex) and fall back to ``parse_uk_date`` only for
the leftovers, once per distinct value. Codes, Yes/No and text are parsed once per distinct value
and mapped back, since exports repeat a small set of values many times.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..values import clean_text, is_blank, label_key, parse_uk_date, parse_yes_no
from .spec import ColumnSpec, code_numbers, code_table

DATE_DTYPE = "datetime64[ns]"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DMY = re.compile(rf"^(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{4}}|\d{{2}}){_TIME}$")
_ISO = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")
# Excel serials for 1900-01-01 .. 9999-12-31, as parse_uk_date accepts them.
_SERIAL_MIN, _SERIAL_MAX = 1, 2958466


def _raw_series(values: list) -> pd.Series:
    return pd.Series(values, dtype=object)


def _blank_mask(raw: pd.Series) -> np.ndarray:
    """None, NaN and white-space-only text are blank."""
    blank = raw.isna().to_numpy(copy=True)
    is_str = raw.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if is_str.any():
        blank[is_str] = raw[is_str].str.strip().eq("").to_numpy()
    return blank


def _by_distinct(raw: pd.Series, blank: np.ndarray, parse) -> tuple[pd.Series, np.ndarray]:
    """Apply ``parse`` (value -> parsed, raising ValueError when unreadable) once per distinct value.

    Values are keyed by (type, value) so 1, 1.0 and True, which hash alike, are parsed separately.
    """
    out = np.full(len(raw), None, dtype=object)
    bad = np.zeros(len(raw), dtype=bool)
    cache: dict[tuple, tuple[object, bool]] = {}
    values = raw.to_numpy()
    for i in np.flatnonzero(~blank):
        value = values[i]
        key = (type(value), value)
        hit = cache.get(key)
        if hit is None:
            try:
                hit = (parse(value), False)
            except (ValueError, OverflowError):
                hit = (None, True)
            cache[key] = hit
        out[i], bad[i] = hit
    return pd.Series(out, index=raw.index, dtype=object), bad


# --- dates -----------------------------------------------------------------------------------

def _from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    parts = pd.DataFrame({"year": year.astype("int64"), "month": month.astype("int64"),
                          "day": day.astype("int64")})
    return pd.to_datetime(parts, errors="coerce").astype(DATE_DTYPE)


def parse_dates(values: list) -> tuple[pd.Series, np.ndarray]:
    """UK dates only: real dates, Excel serials, and text as ``parse_uk_date`` reads it.

    Times of day are dropped (figures count whole days).
    """
    raw = _raw_series(values)
    n = len(raw)
    blank = _blank_mask(raw)
    out = pd.Series(pd.NaT, index=raw.index, dtype=DATE_DTYPE)
    kinds = raw.map(type)

    is_date = (kinds.isin([datetime, date, pd.Timestamp])).to_numpy() & ~blank
    if is_date.any():
        out[is_date] = pd.to_datetime(raw[is_date], errors="coerce").astype(DATE_DTYPE).dt.normalize()

    is_serial = kinds.isin([int, float]).to_numpy() & ~blank
    if is_serial.any():
        numbers = pd.to_numeric(raw[is_serial], errors="coerce").astype(float)
        ok = numbers.between(_SERIAL_MIN, _SERIAL_MAX - 1)
        days = np.floor(numbers[ok])
        out[days.index] = pd.to_datetime(days, unit="D", origin="1899-12-30",
                                         errors="coerce").astype(DATE_DTYPE)

    is_text = kinds.eq(str).to_numpy() & ~blank
    if is_text.any():
        text = raw[is_text].str.strip()
        dmy = text.str.extract(_DMY).dropna()
        if len(dmy):
            year = dmy[2].astype("int64")
            year = year.where(dmy[2].str.len() > 2, year + 2000)  # two-digit years are 20xx
            out[dmy.index] = _from_parts(year, dmy[1], dmy[0])
        iso = text.str.extract(_ISO).dropna()
        if len(iso):
            out[iso.index] = _from_parts(iso[0], iso[1], iso[2])

    # Leftovers: text in other accepted forms ("1 Apr 2024"), or values the fast paths refused
    # (31/02/2024, out-of-range serials): parse_uk_date decides, once per distinct value.
    leftover = ~blank & out.isna().to_numpy()
    bad = np.zeros(n, dtype=bool)
    if leftover.any():
        def parse(value):
            parsed = parse_uk_date(value)
            try:
                return pd.Timestamp(parsed)
            except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
                raise ValueError("date out of range") from exc
        parsed, bad_left = _by_distinct(raw, ~leftover, parse)
        good = leftover & ~bad_left
        if good.any():
            out[good] = pd.to_datetime(parsed[good]).astype(DATE_DTYPE).dt.normalize()
        bad = bad_left & leftover
    return out, bad


# --- numbers ---------------------------------------------------------------------------------

def parse_numbers(values: list) -> tuple[pd.Series, np.ndarray]:
    """Numbers as float (NaN = blank). Text numbers may carry thousands separators."""
    raw = _raw_series(values)
    blank = _blank_mask(raw)
    kinds = raw.map(type)
    out = pd.Series(np.nan, index=raw.index, dtype=float)
    is_number = kinds.isin([int, float]).to_numpy() & ~blank
    if is_number.any():
        out[is_number] = raw[is_number].astype(float)
    is_text = kinds.eq(str).to_numpy() & ~blank
    if is_text.any():
        cleaned = raw[is_text].str.strip().str.replace(",", "", regex=False)
        out[is_text] = pd.to_numeric(cleaned, errors="coerce").astype(float)
    # Booleans, dates and unparseable text in a number column are unreadable.
    bad = ~blank & out.isna().to_numpy()
    return out, bad


# --- codes, Yes/No, text ---------------------------------------------------------------------

# The list prefix Annex A templates put before a dropdown value: "a) ", "f) ", "aa) ".
_LIST_PREFIX = re.compile(r"^[a-z]{1,2}\)\s*(?=\S)")
# "U1: Foster placement", "N1 - Abuse or Neglect", "q) 6: Police" -> the code before the separator.
_CODE_LABEL = re.compile(r"^([A-Za-z]{0,6}\d{1,3}[A-Za-z]?|[A-Z]{1,8})\s*(?::|\s[-\u2013\u2014]\s)\s*\S")
# A bare code such as "u1" or "pr4": upper-cased so it matches the DfE spelling.
_BARE_CODE = re.compile(r"^[A-Za-z]{1,3}\d{1,3}[A-Za-z]?$")
_YES_NO_WORDS = {"y": "Yes", "yes": "Yes", "n": "No", "no": "No"}
# Answers meaning "not recorded": blank, without a finding.
_UNKNOWN = {"unknown", "not known", "not recorded", "not stated", "nk", "n k", "not applicable",
            "n a", "na", "not stated recorded", "missing"}


def _strip_prefix(text: str) -> str:
    return _LIST_PREFIX.sub("", text.replace("\u00a0", " ").strip(), count=1)


def code_of(value: object, known: tuple[str, ...] = ()) -> str | None:
    """The code a coded cell carries: "a) U1" and "U1: Foster placement" -> "U1"; uncoded text such
    as "Female" is kept as written; a spelling of one of ``known`` takes its canonical form and,
    where "Yes" is one of them, "Y"/"N" become "Yes"/"No"."""
    text = clean_text(value)
    if text is None:
        return None
    text = _strip_prefix(text)
    m = _CODE_LABEL.match(text)
    code = m.group(1) if m else text
    if _BARE_CODE.match(code):
        code = code.upper()
    key = label_key(code)
    for canonical in known:
        if label_key(canonical) == key:
            return canonical
    if "Yes" in known and m is None:  # "Y" / "n" in a Yes/No-like code column such as LA in Touch
        return _YES_NO_WORDS.get(key, code)
    return code


def yes_no_of(value: object) -> str | None:
    """"Yes", "No" or None: "a) Yes", "Yes", "Y", "y", "1", True all read "Yes"; "Not applicable"
    and "Not known" are blank. Raises ValueError for anything else."""
    if isinstance(value, str):
        text = _strip_prefix(value)
        if label_key(text) in _UNKNOWN:
            return None
        answer = parse_yes_no(text)
    else:
        answer = parse_yes_no(value)
    return answer if answer in ("Yes", "No") else None


def role_of(value: object, table: str) -> float:
    """A workforce census role code (1-6) from a code or a role name, as float."""
    numbers = code_numbers(table)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and int(value) in numbers:
            return float(int(value))
        raise ValueError("not a role code")
    text = _strip_prefix(str(value))
    m = re.match(r"^(\d{1,2})(?:\s*(?::|\s[-\u2013\u2014]\s|\.|\)|$))", text)
    if m and int(m.group(1)) in numbers:
        return float(int(m.group(1)))
    code = code_table(table).get(label_key(text))
    if code is None:
        raise ValueError("not a role")
    return float(code)


def _text_of(value: object) -> str | None:
    if isinstance(value, str):
        value = value.replace("\u00a0", " ")
    return clean_text(value)


def parse_column(values: list, column: ColumnSpec) -> tuple[pd.Series, np.ndarray]:
    """One column's raw cells -> (typed Series, unreadable mask), by the column's type."""
    if column.type == "date":
        return parse_dates(values)
    if column.type in ("int", "number"):
        return parse_numbers(values)
    raw = _raw_series(values)
    blank = _blank_mask(raw)
    if column.codes:
        parsed, bad = _by_distinct(raw, blank, lambda v: role_of(v, column.codes))
        return parsed.astype(float), bad
    if column.type == "yes_no":
        return _by_distinct(raw, blank, yes_no_of)
    if column.type == "code":
        return _by_distinct(raw, blank, lambda v: code_of(v, column.values))
    return _by_distinct(raw, blank, _text_of)


def blank_rows(columns: list[list]) -> np.ndarray:
    """Rows (by position) where every given column is blank."""
    if not columns:
        return np.zeros(0, dtype=bool)
    n = len(columns[0])
    blank = np.ones(n, dtype=bool)
    for values in columns:
        blank &= np.fromiter((is_blank(v) for v in values), dtype=bool, count=n)
    return blank
