"""What the inspector looks for: the personal data the inputs hold, sorted by kind.

Read with the pipeline's own readers, so the inspector knows exactly what a build knew: references
and child IDs (``ReadResult.sensitive``), staff names, staff IDs, and from the system exports the
dates of birth and placement postcodes.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from itertools import compress
from operator import is_not
from typing import Iterable, Protocol

import pandas as pd

from ..resources import resources_dir
from ..runtime.memory import untrack_union
from . import bulk
from .matching import CaseReferences, dates_written_in, normalise_postcode, tokens


class WhatWasRead(Protocol):
    """What ``sensitive_set`` reads of the pipeline's ``Analysis`` (the inspector stands below the pipeline,
    which runs it: it never imports the pipeline)."""

    files: list
    results: list
    findings: list
    sensitive: set[str]
    staff_names: set[str]

    def mask(self, name: str) -> str: ...

DATE_OF_BIRTH_COLUMNS = ("dob",)


@dataclass
class SensitiveSet:
    """Every identifying value seen in the inputs, by kind. Held in memory only, never written."""

    # child IDs, case/carer/record refs, family, adopter (``sensitive_set`` makes it a frozenset: what is worked out
    # from it is kept, see ``case_references``)
    case_refs: set[str] | frozenset[str] = field(default_factory=set)
    staff_ids: set[str] = field(default_factory=set)
    staff_names: set[str] = field(default_factory=set)
    postcodes: set[str] = field(default_factory=set)
    dates_of_birth: set[date] = field(default_factory=set)
    # The inputs' file names, as given and as the report shows them (identifiers masked): the report lists
    # them, and a date written in one ("Audit - IRT - 07.06.24.xlsx") is not a date of birth where it is
    # part of the name; the same date written anywhere else still is.
    file_names: set[str] = field(default_factory=set)
    # ``case_references()`` of the frozenset ``case_refs`` it was worked out from (kept while that is still
    # ``case_refs``); not part of what the set holds, so neither compared nor shown
    _worked_out: tuple[frozenset[str], CaseReferences] | None = field(default=None, init=False, repr=False,
                                                                      compare=False)

    def __bool__(self) -> bool:
        return any((self.case_refs, self.staff_ids, self.staff_names, self.postcodes, self.dates_of_birth))

    def case_references(self) -> CaseReferences:
        """``case_refs`` as the leak inspector looks for them (``CaseReferences``), worked out once for a frozenset
        of them (which nothing can change) and kept; grown from the last check's by ``grown_sensitive_set``."""
        if self._worked_out is not None and self._worked_out[0] is self.case_refs:
            return self._worked_out[1]
        made = CaseReferences.of(as_strings(self.case_refs))
        if isinstance(self.case_refs, frozenset):
            self._worked_out = (self.case_refs, made)
        return made

    def update(self, other: "SensitiveSet") -> None:
        self.case_refs |= other.case_refs
        self.staff_ids |= other.staff_ids
        self.staff_names |= other.staff_names
        self.postcodes |= other.postcodes
        self.dates_of_birth |= other.dates_of_birth
        self.file_names |= other.file_names


def sensitive_set(analysis: WhatWasRead) -> SensitiveSet:
    """Sort what the pipeline's analysis saw (``Analysis.sensitive``, ``staff_names``, the export tables)."""
    found = SensitiveSet(staff_names={str(n) for n in analysis.staff_names if str(n).strip()})
    # Every input's name: those read now, and those a workspace holds (a rebuild from the workspace alone
    # reads no file, yet its report lists them all), and every file a finding names.
    names = {item.name for item in analysis.files} | {item.name for item, _ in analysis.results} | \
        {f.file for f in analysis.findings if f.file}
    dated = {name for name in names if dates_written_in(name)}  # masking leaves a name's dates as they are
    found.file_names = dated | set(map(analysis.mask, dated))
    for _, result in analysis.results:
        for table in result.exports:
            # a table read back from a workspace knows its identifiers without decoding its frame
            facts = getattr(table, "facts", None)
            postcodes, staff_ids, dates_of_birth = (
                (facts.postcodes, facts.staff_ids, facts.dates_of_birth) if facts is not None
                else table_identifiers(table))
            found.postcodes |= postcodes
            found.staff_ids |= staff_ids
            found.dates_of_birth |= dates_of_birth
    # Every other value is a case reference, unless it is a staff name, a postcode or a staff ID. A
    # council's year holds a hundred thousand of them, so they are sorted a whole set at a time (bulk.py).
    postcode_keys = set(map(normalise_postcode, found.postcodes))
    named = {n.strip().casefold() for n in found.staff_names}
    texts = set(map(str.strip, bulk.str_list(analysis.sensitive)))
    texts.discard("")
    texts -= found.staff_ids
    listed = list(texts)
    whole = bulk.joined(listed)
    texts.difference_update(compress(listed, map(named.__contains__, bulk.each(listed, str.casefold, whole))))
    if postcode_keys:
        keys = bulk.each(listed, bulk.without_whitespace_upper, whole)  # normalise_postcode of each
        texts.difference_update(compress(listed, map(postcode_keys.__contains__, keys)))
    found.case_refs = frozenset(texts)  # stripped, none blank: as the inspector takes them (as_strings)
    return found


def grown_sensitive_set(analysis: WhatWasRead, before: SensitiveSet, added: set[str]) -> SensitiveSet:
    """``sensitive_set(analysis)``, grown from ``before``: the set of an analysis whose ``sensitive`` held
    every one of this one's but ``added`` (the app's last check, before one more return was added).

    Only ``added`` is sorted: each text is sorted on its own, so the case references are ``before``'s, less
    those a staff name new since makes a name, with the added texts' own. When the staff IDs or postcodes
    changed, or a staff name has gone, everything is sorted again (``sensitive_set``): what the sets hold
    is always what sorting everything gives.
    """
    found = sensitive_set(_WithOnly(analysis, added))  # everything but the case references, worked out whole
    named_before = {n.strip().casefold() for n in before.staff_names}
    named = {n.strip().casefold() for n in found.staff_names}
    if found.staff_ids != before.staff_ids or found.postcodes != before.postcodes or not named_before <= named:
        return sensitive_set(analysis)
    kept = before._worked_out
    left = _named_left_out(before.case_refs, named - named_before)
    added_refs = found.case_refs
    found.case_refs = frozenset(left | added_refs)
    untrack_union(found.case_refs, (left, added_refs))
    if kept is not None and kept[0] is before.case_refs and left is before.case_refs:
        # what the inspector works out from them, grown with the references added (only before's are known)
        grown = kept[1].grown(as_strings([text for text in added_refs if text not in left]))
        found._worked_out = (found.case_refs, grown)
    return found  # sets of its own: ``before``'s are left as they are


def _named_left_out(texts: set[str], names: set[str]) -> set[str]:
    """``texts`` but those whose case-folded form is one of ``names`` (folded): ``texts`` itself when none
    is, found with one search of the texts folded and joined (a council's 123,000 case references)."""
    if not names or not texts:
        return texts
    listed = list(texts)
    whole = bulk.joined(listed)
    if whole is None:
        folded = list(map(str.casefold, listed))
    else:
        whole = whole.casefold()  # exactly the folded texts joined (bulk's note)
        ends = bulk.SEPARATOR + whole + bulk.SEPARATOR
        if not any(bulk.SEPARATOR + name + bulk.SEPARATOR in ends for name in names):
            return texts
        folded = whole.split(bulk.SEPARATOR)
    return texts.difference(compress(listed, map(names.__contains__, folded)))


class _WithOnly:
    """An analysis as ``sensitive_set`` reads it, with only some of its identifying texts."""

    def __init__(self, analysis: WhatWasRead, sensitive: set[str]):
        self.files, self.results, self.findings = analysis.files, analysis.results, analysis.findings
        self.staff_names, self.sensitive, self.mask = analysis.staff_names, sensitive, analysis.mask


def table_identifiers(table) -> tuple[set[str], set[str], set[date]]:
    """The postcodes, staff IDs and dates of birth one export table holds."""
    from ..exports.spec import table_spec

    postcodes: set[str] = set()
    staff_ids: set[str] = set()
    dates_of_birth: set[date] = set()
    try:
        personal = {c.id: c.personal for c in table_spec(table.kind).columns if c.personal}
    except KeyError:
        personal = {}
    frame: pd.DataFrame = table.frame
    for column in frame.columns:
        kind = personal.get(column)
        if kind == "address":
            postcodes |= _strings(frame[column])
        elif kind == "staff_id":
            staff_ids |= _strings(frame[column])
        elif column in DATE_OF_BIRTH_COLUMNS:
            dates_of_birth |= _dates(frame[column])
    return postcodes, staff_ids, dates_of_birth


def _strings(column: pd.Series) -> set[str]:
    values = column.dropna().tolist()  # the values iterating the column gives
    if set(map(type, values)) <= {str}:
        values = set(values)  # thousands of rows, far fewer distinct values: strip those
    found = set(map(str.strip, map(str, values)))
    found.discard("")
    return found


def _dates(column: pd.Series) -> set[date]:
    values = pd.to_datetime(column, errors="coerce").dropna()
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)  # the wall-clock time, whose date Timestamp.date() gives
    if values.dtype.kind == "M":  # a column of days, a whole column at a time
        days = values.to_numpy().astype("datetime64[D]").view("int64")
        found = set(pd.unique(days).view("datetime64[D]").tolist())
        if set(map(type, found)) <= {date}:  # a year date() cannot hold comes back as a number: say so below
            return found
    return {v.date() for v in values}


@lru_cache(maxsize=1)
def own_words() -> frozenset[str]:
    """Every word PQA Desktop writes itself (labels, headers, choices, notes in resources/*.toml).

    A part of a staff name that is one of these words ("Young", "Early", "Carer") is not an alarm on
    its own: "Child or young person" is a feedback source, not a name. The full name is still checked.
    """
    words: set[str] = set()
    for path in sorted(resources_dir().glob("*.toml")):
        with open(path, "rb") as fh:
            _collect(tomllib.load(fh), words)
    return frozenset(words)


def _collect(value: object, words: set[str]) -> None:
    if isinstance(value, str):
        words.update(t for t in tokens(value) if t.isalpha())
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(key, words)
            _collect(item, words)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, words)


def as_strings(values: Iterable[object]) -> list[str]:
    """Each value that is not None as text, leaving out the blank ones."""
    items = list(values)
    texts = items if set(map(type, items)) <= {str} else list(map(str, filter(_NOT_NONE, items)))
    return list(filter(str.strip, texts))


_NOT_NONE = partial(is_not, None)
