"""Parsing one export column into its typed pandas Series, vectorised for lists of 100,000+ rows.

Each parser takes the raw cell values of a column (as ``read_tables`` gives them: str, int, float,
date/datetime or None), or their ``Distinct`` form, and returns ``(series, unreadable)``: the typed
values and a boolean array marking cells that were present but could not be read (left blank; the
caller raises findings).

Speed matters: an Annex A List 1 can hold 120,000 rows. Every column is factorised once (pandas,
in C) into its distinct values, which are parsed and mapped back to the rows. Dates then take
vectorised fast paths (real dates, Excel serials, dd/mm/yyyy and ISO text by regex) and fall back
to ``parse_uk_date`` only for the leftovers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..inputs.tables import clean_cell
from ..values import clean_text, label_key, parse_uk_date, parse_yes_no
from .spec import ColumnSpec, code_numbers, code_table

DATE_DTYPE = "datetime64[ns]"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DMY = re.compile(rf"^(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{4}}|\d{{2}}){_TIME}$")
_ISO = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")
# Excel serials for 1900-01-01 .. 9999-12-31, as parse_uk_date accepts them.
_SERIAL_MIN, _SERIAL_MAX = 1, 2958466


@dataclass(frozen=True)
class Distinct:
    """A column as its distinct values and, per row, the index of its value (-1 = blank).

    Exports repeat a small set of values many times (dates, codes, teams), so every parser works on
    the distinct values and the result is mapped back to the rows with one ``take``. Values that
    hash alike (1, 1.0, True) share one entry; they read alike in every column type we parse.
    """

    codes: np.ndarray
    uniques: list

    @classmethod
    def of(cls, values: list) -> "Distinct":
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        uniques = list(uniques)
        white = np.array([isinstance(u, str) and not u.strip() for u in uniques] + [True], dtype=bool)
        codes = np.where(white[codes], -1, codes)  # codes == -1 picks the trailing True
        return cls(codes, uniques)

    @classmethod
    def of_cells(cls, values: list | np.ndarray) -> "Distinct":
        """``of`` for cells as ``inputs.tables.column_values`` gives them, some not yet cleaned: the
        distinct values are cleaned (``clean_cell``), so each is read as ``read_tables`` gives it."""
        if not isinstance(values, np.ndarray):
            values = pd.Series(values, dtype=object).to_numpy()
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        uniques = list(uniques)
        if set(map(type, uniques)) == {str} and "" not in uniques and not any(map(str.isspace, uniques)):
            return cls(codes, uniques)  # all text, none blank (a column of references): nothing to clean
        # Non-empty text, the commonest value, is already clean (as in tables._clean_row).
        uniques = [u if u.__class__ is str and u else clean_cell(u) for u in uniques]
        white = np.array([u is None or (isinstance(u, str) and (u.isspace() or not u)) for u in uniques]
                         + [True], dtype=bool)
        codes = np.where(white[codes], -1, codes)
        return cls(codes, uniques)

    @property
    def blank(self) -> np.ndarray:
        return self.codes < 0

    def take(self, rows: np.ndarray) -> "Distinct":
        return Distinct(self.codes[rows], self.uniques)

    def spread(self, parsed: np.ndarray, bad: np.ndarray, blank_value) -> tuple[np.ndarray, np.ndarray]:
        """Per-distinct results -> per-row results (blank rows get ``blank_value``, never bad)."""
        parsed = np.append(parsed, np.array([blank_value], dtype=parsed.dtype))
        bad = np.append(bad, False)
        return parsed[self.codes], bad[self.codes]


def _each(uniques: list, parse) -> tuple[np.ndarray, np.ndarray]:
    """``parse`` on each distinct value; ValueError means unreadable (result None)."""
    out = np.full(len(uniques), None, dtype=object)
    bad = np.zeros(len(uniques), dtype=bool)
    for i, value in enumerate(uniques):
        try:
            out[i] = parse(value)
        except (ValueError, OverflowError):
            bad[i] = True
    return out, bad


# --- dates -----------------------------------------------------------------------------------

# Dates a datetime64[ns] column can hold; others (year 24, 1/1/0001) are left to the slow path,
# which reports them as unreadable.
_EARLIEST, _LATEST = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")


def _to_ns(stamps: pd.Series) -> pd.Series:
    """Any-resolution datetimes -> datetime64[ns] at midnight, out-of-range values NaT."""
    stamps = stamps.where(stamps.between(_EARLIEST, _LATEST))
    return stamps.astype(DATE_DTYPE).dt.normalize()


def _from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    parts = pd.DataFrame({"year": year.astype("int64"), "month": month.astype("int64"),
                          "day": day.astype("int64")})
    return _to_ns(pd.to_datetime(parts, errors="coerce"))


_DATE_TYPES = (datetime, date, pd.Timestamp)
_ORDINAL_1970 = date(1970, 1, 1).toordinal()
_EARLIEST_DAY, _LATEST_DAY = np.datetime64(_EARLIEST.date(), "D"), np.datetime64(_LATEST.date(), "D")


def _real_dates(values: list) -> np.ndarray:
    """date/datetime/Timestamp values -> datetime64[ns] at midnight, out-of-range values NaT."""
    if any(getattr(v, "tzinfo", None) is not None for v in values):
        return _to_ns(pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")).to_numpy()
    # The day of each (toordinal ignores the time of day): numpy's own conversion of date objects is
    # slower than this by a factor of ten.
    days = (np.array([v.toordinal() for v in values], dtype=np.int64) - _ORDINAL_1970).astype("datetime64[D]")
    inside = (days >= _EARLIEST_DAY) & (days <= _LATEST_DAY)
    return np.where(inside, days, np.datetime64("NaT")).astype(DATE_DTYPE)


def _parse_date_values(uniques: list) -> tuple[np.ndarray, np.ndarray]:
    """Distinct non-blank values -> (datetime64 array, unreadable mask), fast paths first.

    Works on plain lists and numpy (a column's distinct values are few but its columns many, and
    pandas' per-call cost added up to most of the time).
    """
    out = np.full(len(uniques), np.datetime64("NaT"), dtype=DATE_DTYPE)
    kinds = [type(u) for u in uniques]

    dates = [i for i, kind in enumerate(kinds) if kind in _DATE_TYPES]
    if dates:
        out[dates] = _real_dates([uniques[i] for i in dates])

    serials = [i for i, kind in enumerate(kinds) if kind in (int, float)]
    if serials:
        numbers = pd.to_numeric(pd.Series([uniques[i] for i in serials], index=serials, dtype=object),
                                errors="coerce").astype(float)
        days = np.floor(numbers[numbers.between(_SERIAL_MIN, _SERIAL_MAX - 1)])
        stamps = _to_ns(pd.to_datetime(days, unit="D", origin="1899-12-30", errors="coerce"))
        out[stamps.index.to_numpy(dtype=np.intp)] = stamps.to_numpy(dtype=DATE_DTYPE)

    texts = [(i, uniques[i].strip()) for i, kind in enumerate(kinds) if kind is str]
    if texts:
        dmy = [(i, m.groups()) for i, text in texts if (m := _DMY.search(text))]
        if dmy:
            index = [i for i, _ in dmy]
            years = [int(y) if len(y) > 2 else int(y) + 2000 for _, (_, _, y) in dmy]  # two-digit years are 20xx
            out[index] = _from_parts(pd.Series(years, dtype="int64"),
                                     pd.Series([int(m) for _, (_, m, _) in dmy], dtype="int64"),
                                     pd.Series([int(d) for _, (d, _, _) in dmy], dtype="int64")).to_numpy()
        iso = [(i, m.groups()) for i, text in texts if (m := _ISO.search(text))]
        if iso:
            out[[i for i, _ in iso]] = _from_parts(*(pd.Series([int(g[k]) for _, g in iso], dtype="int64")
                                                     for k in range(3))).to_numpy()

    # Leftovers: text in other accepted forms ("1 Apr 2024"), or values the fast paths refused
    # (31/02/2024, out-of-range serials, booleans): parse_uk_date decides.
    bad = np.zeros(len(uniques), dtype=bool)
    for i in np.flatnonzero(np.isnat(out)):
        try:
            stamp = pd.Timestamp(parse_uk_date(uniques[i]))
        except (ValueError, OverflowError, TypeError, pd.errors.OutOfBoundsDatetime):
            stamp = None
        if stamp is None or not _EARLIEST <= stamp <= _LATEST:
            bad[i] = True
        else:
            out[i] = stamp.normalize().to_datetime64()
    return out, bad


def parse_dates(values: list | Distinct) -> tuple[pd.Series, np.ndarray]:
    """UK dates only: real dates, Excel serials, and text as ``parse_uk_date`` reads it.

    Times of day are dropped (figures count whole days).
    """
    column = values if isinstance(values, Distinct) else Distinct.of(values)
    parsed, bad = _parse_date_values(column.uniques)
    out, bad = column.spread(parsed, bad, np.datetime64("NaT"))
    return pd.Series(out, dtype=DATE_DTYPE), bad


# --- numbers ---------------------------------------------------------------------------------

def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("not a number")  # booleans and dates in a number column
    if isinstance(value, str):
        value = value.strip().replace(",", "")
    return float(value)


def parse_numbers(values: list | Distinct) -> tuple[pd.Series, np.ndarray]:
    """Numbers as float (NaN = blank). Text numbers may carry thousands separators."""
    column = values if isinstance(values, Distinct) else Distinct.of(values)
    parsed, bad = _each(column.uniques, _number)
    parsed = np.array([np.nan if v is None else v for v in parsed], dtype=float)
    out, bad = column.spread(parsed, bad, np.nan)
    return pd.Series(out, dtype=float), bad


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


def _texts(uniques: list) -> tuple[np.ndarray, np.ndarray]:
    """``_each(uniques, _text_of)``, without a call per value for text that is already clean.

    Text columns are where values repeat least (a reference per row): most values are text with no
    leading or trailing white space, tab, no-break space or double space, which ``_text_of`` returns
    unchanged, so only the others (and non-text values) are cleaned one by one.
    """
    out = np.empty(len(uniques), dtype=object)
    texts = [u for u in uniques if u.__class__ is str]
    if len(texts) == len(uniques) and texts:
        joined = "\x00".join(texts)
        if ("\u00a0" not in joined and "\t" not in joined and "  " not in joined and "" not in texts
                and list(map(str.strip, texts)) == texts):
            out[:] = texts
            return out, np.zeros(len(uniques), dtype=bool)
    for i, value in enumerate(uniques):
        if (value.__class__ is str and value and "\u00a0" not in value and "\t" not in value
                and "  " not in value and value.strip() == value):
            out[i] = value
        else:
            out[i] = _text_of(value)
    return out, np.zeros(len(uniques), dtype=bool)


def parse_column(values: list | Distinct, column: ColumnSpec) -> tuple[pd.Series, np.ndarray]:
    """One column's raw cells -> (typed Series, unreadable mask), by the column's type."""
    if column.type == "date":
        return parse_dates(values)
    if column.type in ("int", "number"):
        return parse_numbers(values)
    distinct = values if isinstance(values, Distinct) else Distinct.of(values)
    if column.codes:
        parsed, bad = _each(distinct.uniques, lambda v: role_of(v, column.codes))
        parsed = np.array([np.nan if v is None else v for v in parsed], dtype=float)
        out, bad = distinct.spread(parsed, bad, np.nan)
        return pd.Series(out, dtype=float), bad
    if column.type == "yes_no":
        parsed, bad = _each(distinct.uniques, yes_no_of)
    elif column.type == "code":
        parsed, bad = _each(distinct.uniques, lambda v: code_of(v, column.values))
    else:
        parsed, bad = _texts(distinct.uniques)
    out, bad = distinct.spread(parsed, bad, None)
    return pd.Series(out, dtype=object), bad
