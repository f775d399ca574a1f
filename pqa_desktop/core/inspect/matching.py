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
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import not_
from typing import Iterable

from ..runtime.memory import untrack_union
from . import bulk

TOKEN = re.compile(r"[^\W_]+(?:(?<=\d)\.\d+)*")
MIN_IDENTIFIER_CHARS = 5
MIN_NAME_PART_LETTERS = 5

CASE_REFERENCE = "case reference"
ID_SHAPE = "ID-shaped string"
STAFF_ID = "staff ID"
STAFF_NAME = "staff name"
POSTCODE = "postcode"
DATE_OF_BIRTH = "date of birth"

# What each kind is called in a plain-English message ("a child's or case reference appears in ...").
KIND_PHRASES = {
    CASE_REFERENCE: "a child's ID or case reference",
    ID_SHAPE: "a string shaped like the children's IDs and case references in the inputs",
    STAFF_ID: "a staff member's ID",
    STAFF_NAME: "a staff member's name",
    POSTCODE: "a postcode",
    DATE_OF_BIRTH: "a child's date of birth",
}

# When one string is known as two kinds, the first listed here names it.
_PRIORITY = (STAFF_NAME, CASE_REFERENCE, STAFF_ID)
_BEFORE_CASE_REFERENCE = frozenset(_PRIORITY[:_PRIORITY.index(CASE_REFERENCE)])

_POSTCODE = re.compile(r"(?<![^\W_])([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})(?![^\W_])")

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NUMERIC_DATE = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.\-]?\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TEXT_DATE = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?[\s\-]+(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
    r"[\s\-,]+(\d{4}|\d{2})(?!\d)", re.IGNORECASE)


def tokens(text: str) -> list[str]:
    """The text's tokens, case-folded."""
    return list(map(str.casefold, TOKEN.findall(text)))  # TOKEN has no groups: findall gives whole matches


def normalise_postcode(text: str) -> str:
    """Spaces removed, upper case (``str.split()`` splits on exactly the characters ``\\s`` matches)."""
    return "".join(str(text).split()).upper()


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


# --- strings shaped like the inputs' IDs -----------------------------------------------------------------

# An ID's shape: each capital letter A, each small letter a, each digit 9, anything else as itself
# ("CF-20931" -> "AA-99999"). A shape is looked for when at least MIN_SHAPE_IDS of the inputs' IDs have it
# (a way the council numbers children, not a one-off), it has MIN_SHAPE_CHARS characters or more and a
# digit: a word is not shaped like an ID, and shorter shapes match counts and cell references.
_SHAPE_OF = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                          "A" * 26 + "a" * 26 + "9" * 10)
_SHAPE_CLASSES = {"A": "[A-Z]", "a": "[a-z]", "9": "[0-9]"}
MIN_SHAPE_IDS = 3
MIN_SHAPE_CHARS = 6


def id_shape_pattern(identifiers: Iterable[object]) -> re.Pattern | None:
    """One pattern finding any string with the shape of the inputs' IDs (see above), or None. Not next to
    another letter or digit, nor part of a decimal or a number written with thousands separators."""
    texts = bulk.str_list(identifiers)  # stripped already (sources.sensitive_set); a space is a shape's own
    return _id_shape_pattern(texts, bulk.joined(texts))


def _id_shape_pattern(texts: list[str], whole: str | None) -> re.Pattern | None:
    """``id_shape_pattern`` of texts that are all ``str``, joined already (``bulk.joined``)."""
    return _shape_pattern(_shapes(texts, whole))


def _shapes(texts: list[str], whole: str | None) -> Counter:
    """How many of the texts have each shape."""
    return Counter(bulk.each(texts, lambda text: text.translate(_SHAPE_OF), whole) if texts else [])


def _shape_pattern(counted: Counter) -> re.Pattern | None:
    """The pattern of the shapes ``counted`` (``_shapes``) that enough IDs have (see above), or None."""
    kept = sorted((shape for shape, n in counted.items()
                   if n >= MIN_SHAPE_IDS and len(shape) >= MIN_SHAPE_CHARS and "9" in shape and shape.isascii()),
                  key=lambda shape: (-len(shape), shape))
    if not kept:
        return None
    alternatives = "|".join("".join(_SHAPE_CLASSES.get(ch) or re.escape(ch) for ch in shape) for shape in kept)
    return re.compile(rf"(?<![^\W_])(?<![0-9][.,])(?:{alternatives})(?![^\W_])(?![.,][0-9])")


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


@dataclass
class _IdentifierRuns:
    """``_identifier_variants`` of many values: ``plain`` holds the case-folded values that are one token
    (letters and digits only), of any length, for the caller to hold to MIN_IDENTIFIER_CHARS; ``singles``
    and ``longer`` the other one-token and longer variants, already held to it."""

    plain: set[str]
    singles: set[str]
    longer: set[tuple[str, ...]]


def _identifier_runs(values: Iterable[object]) -> _IdentifierRuns:
    """Built for a council's hundred thousand IDs: an ID made only of letters and digits (``str.isalnum``:
    exactly the characters a token is made of) is one token, its case-folded self, so those are folded a
    whole set at a time (see bulk.py); only the others (``CF-20931``) are cut into tokens one by one."""
    texts = bulk.str_list(values)
    return _runs_of_identifiers(texts, bulk.joined(texts))


def _runs_of_identifiers(texts: list[str], whole: str | None) -> _IdentifierRuns:
    """``_identifier_runs`` of texts that are all ``str``, joined already (``bulk.joined``)."""
    if bulk.all_letters_and_digits(texts, whole):
        others: list[str] = []
    else:
        letters_and_digits = list(map(str.isalnum, texts))
        others = list(compress(texts, map(not_, letters_and_digits)))
        texts = list(compress(texts, letters_and_digits))
        whole = bulk.joined(texts)  # letters and digits only: never the separator (None: there are none)
    folded_whole = whole.casefold() if whole is not None else None
    folded = folded_whole.split(bulk.SEPARATOR) if folded_whole is not None else []  # bulk.each
    found = _IdentifierRuns(set(folded), set(), set())
    if folded:  # the number a spreadsheet shows for an all-digit ID with leading zeros: few IDs have them
        text = bulk.SEPARATOR + folded_whole + bulk.SEPARATOR
        start = text.find(bulk.SEPARATOR + "0")
        while start != -1:
            end = text.find(bulk.SEPARATOR, start + 1)
            token = text[start + 1:end]
            if token.isdigit() and len(token.lstrip("0")) >= MIN_IDENTIFIER_CHARS:
                found.singles.add(token.lstrip("0"))
            start = text.find(bulk.SEPARATOR + "0", end)
    for text in others:
        for run in _identifier_variants(text):
            if len(run) == 1:
                found.singles.add(run[0])
            else:
                found.longer.add(run)
    return found


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


@dataclass(frozen=True)
class CaseReferences:
    """The case references an inspection looks for (each a ``str``, none blank), with what ``Matcher.build``
    works out from them: their token runs and the pattern of their shapes. A council's 123,000 took 60 ms to
    clean, fold and count at every inspection; the leak inspector's identifiers keep theirs
    (``SensitiveSet.case_references``), and those grown from the last check's grow them with the texts added
    (``grown``). Iterating gives the texts."""

    texts: tuple[str, ...]
    runs: _IdentifierRuns
    shapes: Counter  # how many of the texts have each shape (``_shapes``)
    id_shape: re.Pattern | None

    @classmethod
    def of(cls, texts: Iterable[object]) -> "CaseReferences":
        """Of texts that are all ``str`` and none blank (``sources.as_strings``); each is counted as often as it is
        given (``grown`` holds a set's texts, each once)."""
        listed = bulk.str_list(texts)
        whole = bulk.joined(listed)
        shapes = _shapes(listed, whole)
        return cls(tuple(listed), _runs_of_identifiers(listed, whole), shapes, _shape_pattern(shapes))

    def grown(self, texts: Iterable[object]) -> "CaseReferences":
        """``of`` these texts and ``texts`` (none of them one of these): the runs are the union of each text's own
        runs and the shapes a count of each text's shape (``_runs_of_identifiers`` looks at each text on its
        own), so only the added texts are worked out."""
        added = CaseReferences.of(texts)
        if not added.texts:
            return self
        runs = _IdentifierRuns(self.runs.plain | added.runs.plain, self.runs.singles | added.runs.singles,
                               self.runs.longer | added.runs.longer)
        untrack_union(runs.plain, (self.runs.plain, added.runs.plain))
        shapes = self.shapes + added.shapes  # every count is positive: nothing is dropped
        return CaseReferences(self.texts + added.texts, runs, shapes, _shape_pattern(shapes))

    def __iter__(self):
        return iter(self.texts)

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class Matcher:
    """Built once per inspection from what the inputs hold; ``kinds_in(text)`` says what a text leaks.

    Matching costs what the *text* costs, not what the inputs hold: the text is cut into tokens and each
    token looked up in hash sets, so a council's hundred thousand child IDs cost no more per cell than
    ten. ``identifiers`` holds the case references that are one token, case-folded, of any length (a
    token matches one only with MIN_IDENTIFIER_CHARS or more); ``singles`` every other one-token run
    and its kind; ``runs`` the longer runs by their first token."""

    singles: dict[str, str] = field(default_factory=dict)  # one-token run -> kind
    runs: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)  # first token -> longer runs
    postcodes: frozenset[str] = frozenset()
    dates_of_birth: frozenset[date] = frozenset()
    identifiers: set[str] = field(default_factory=set)  # case references, one token each, case-folded
    # The inputs' names (those holding a date matter), longest first: a date in one is not a date of birth.
    file_names: tuple[str, ...] = ()
    id_shape: re.Pattern | None = None  # strings shaped like the inputs' IDs (id_shape_pattern)
    # kinds_in's answers so far: a report repeats its texts ("Good", "0") thousands of times.
    _seen: dict[tuple[str, bool], frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, *, case_refs: Iterable[str] = (), staff_ids: Iterable[str] = (),
              staff_names: Iterable[str] = (), postcodes: Iterable[str] = (),
              dates_of_birth: Iterable[date] = (), own_words: Iterable[str] = (),
              file_names: Iterable[str] = ()) -> "Matcher":
        own = frozenset(w.casefold() for w in own_words)
        name_singles: set[str] = set()
        name_runs: set[tuple[str, ...]] = set()
        for name in staff_names:
            for run in _name_runs(str(name), own):
                if len(run) == 1:
                    name_singles.add(run[0])
                else:
                    name_runs.add(run)
        # a hundred thousand of them: made str and joined once, for both their runs and their shapes; or
        # worked out already (``CaseReferences``, kept with the inspector's identifiers)
        references = case_refs if isinstance(case_refs, CaseReferences) else CaseReferences.of(case_refs)
        case = references.runs
        staff = _identifier_runs(staff_ids)
        staff.singles.update(t for t in staff.plain if len(t) >= MIN_IDENTIFIER_CHARS)
        # A run known as two kinds is named by the first of _PRIORITY: fill from the last kind there to
        # the first, each overwriting the one before (case.plain is looked at in _kind_of_token).
        one_token = {STAFF_NAME: name_singles, CASE_REFERENCE: case.singles, STAFF_ID: staff.singles}
        longer = {STAFF_NAME: name_runs, CASE_REFERENCE: case.longer, STAFF_ID: staff.longer}
        singles: dict[str, str] = {}
        kind_of: dict[tuple[str, ...], str] = {}
        for kind in reversed(_PRIORITY):
            singles.update(dict.fromkeys(one_token[kind], kind))
            kind_of.update(dict.fromkeys(longer[kind], kind))
        runs: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for run, kind in kind_of.items():
            runs.setdefault(run[0], []).append((run, kind))
        codes = frozenset(p for p in map(normalise_postcode, postcodes) if _POSTCODE.fullmatch(p))
        dated_names = tuple(sorted(set(filter(None, file_names)), key=len, reverse=True))
        return cls(singles=singles, runs=runs, postcodes=codes, dates_of_birth=frozenset(dates_of_birth),
                   identifiers=case.plain, file_names=dated_names,
                   id_shape=references.id_shape)

    def __bool__(self) -> bool:
        return bool(self.singles or self.runs or self.postcodes or self.dates_of_birth or self.id_shape
                    or any(len(t) >= MIN_IDENTIFIER_CHARS for t in self.identifiers))  # stops at the first

    def kinds_in(self, text: str, *, numbers: bool = True) -> set[str]:
        """Which kinds of known personal data the text holds. With ``numbers=False`` an all-digit text
        (a size, offset or index in the XML) is not looked at as an identifier."""
        if not text:
            return set()
        key = (text, numbers)
        kinds = self._seen.get(key)
        if kinds is None:
            kinds = self._seen[key] = frozenset(self._kinds_in(text, numbers))
        return set(kinds)

    def none_in(self, texts: list[str], *, numbers: bool = True) -> bool:
        """True only when ``kinds_in`` finds nothing in any of the texts (with ``numbers=True``, which finds
        all that ``numbers=False`` does; with ``numbers=False`` as ``kinds_in(text, numbers=False)`` looks:
        no all-digit text as an identifier, no ID shapes): answered for all of them at once, where a report's
        thousands of distinct texts would each be cut into tokens and searched by every pattern. False means
        "look at each".

        The texts are joined by a character none of them holds (bulk.SEPARATOR) that no token, postcode, ID
        shape or date can hold either, and that every pattern's look-arounds see as they see a text's start or
        end (it is neither a letter, a digit, a space nor punctuation they look for): so the joined text's
        tokens are every text's tokens, and its postcodes, shapes and dates every text's. Finding none of
        them anywhere, no text holds one. An ID shape that holds the separator itself is never looked for so.
        """
        whole = bulk.joined(texts)
        if whole is None:
            return not texts
        id_shape = self.id_shape if numbers else None  # (shapes only where people read: kinds_in)
        if id_shape is not None and bulk.SEPARATOR in id_shape.pattern:
            return False
        # With numbers=False a number's tokens are never looked up (kinds_in: nor is a bare number's)
        tokenised = whole if numbers else bulk.SEPARATOR.join(t for t in texts if not _is_number(t))
        folded = set(map(str.casefold, set(TOKEN.findall(tokenised))))
        if not folded.isdisjoint(self.singles) or not folded.isdisjoint(self.runs):
            return False
        if any(len(token) >= MIN_IDENTIFIER_CHARS for token in folded.intersection(self.identifiers)):
            return False
        # Postcodes, shapes and dates as kinds_in looks for them: only in a text with a digit that is not a
        # bare number ("12", "0.7752564": no letter for a postcode, one separator at most for a date, and
        # never looked at for its shape).
        if not (self.postcodes or id_shape is not None or self.dates_of_birth) or not _DIGIT.search(whole):
            return True
        whole = bulk.SEPARATOR.join(t for t in texts if _DIGIT.search(t) and not _PLAIN_NUMBER.fullmatch(t))
        if not whole:
            return True
        if self.postcodes and any(normalise_postcode(m.group(1) + m.group(2)) in self.postcodes
                                  for m in _POSTCODE.finditer(whole)):
            return False
        if id_shape is not None and any(not self._known(m.group()) for m in id_shape.finditer(whole)):
            return False
        return not (self.dates_of_birth and not self.dates_of_birth.isdisjoint(dates_written_in(whole)))

    def _kinds_in(self, text: str, numbers: bool) -> set[str]:
        if _PLAIN_NUMBER.fullmatch(text):
            # A count or share ("12", "0.7752564"): one token, neither a postcode (no letter) nor a date
            # (one separator at most), and not looked at as an identifier with numbers=False.
            kind = self._kind_of_token(text) if numbers else None
            return {kind} if kind else set()
        found: set[str] = set()
        if (self.singles or self.runs or self.identifiers) and (numbers or not _is_number(text)):
            found |= self._runs_in(tokens(text))
        if not _DIGIT.search(text):  # postcodes and dates always have a digit: skip the costlier patterns
            return found
        if self.postcodes and any(normalise_postcode(m.group(1) + m.group(2)) in self.postcodes
                                  for m in _POSTCODE.finditer(text)):
            found.add(POSTCODE)
        # Shapes only where people read (never an attribute: a colour "F79646" is shaped like "A99999"), and
        # never a bare number (a count cannot be told from an ID; the IDs themselves are matched above).
        if numbers and self.id_shape is not None and \
                any(not self._known(m.group()) for m in self.id_shape.finditer(text)):
            found.add(ID_SHAPE)
        if self.dates_of_birth and not self.dates_of_birth.isdisjoint(dates_written_in(text)) and \
                not self.dates_of_birth.isdisjoint(dates_written_in(self._without_file_names(text))):
            found.add(DATE_OF_BIRTH)
        return found

    def _known(self, text: str) -> bool:
        """Whether ``text`` is itself a known identifier (then it is reported as one, not for its shape)."""
        toks = tokens(text)
        if len(toks) == 1:
            return self._kind_of_token(toks[0]) is not None
        return any(run == tuple(toks) for run, _ in self.runs.get(toks[0], ())) if toks else False

    def _without_file_names(self, text: str) -> str:
        """The text with every input's name taken out (looked at only when it holds a date of birth)."""
        for name in self.file_names:
            if name in text:
                text = text.replace(name, " ")
        return text

    def _kind_of_token(self, token: str) -> str | None:
        kind = self.singles.get(token)
        if kind not in _BEFORE_CASE_REFERENCE and len(token) >= MIN_IDENTIFIER_CHARS and token in self.identifiers:
            return CASE_REFERENCE
        return kind

    def _runs_in(self, toks: list[str]) -> set[str]:
        if self.identifiers.isdisjoint(toks):  # the usual answer, at once
            found = set(filter(None, map(self.singles.get, toks)))
        else:
            found = set(filter(None, map(self._kind_of_token, toks)))
        runs = self.runs
        if runs:
            for i, tok in enumerate(toks):
                for run, kind in runs.get(tok, ()):
                    if tuple(toks[i:i + len(run)]) == run:
                        found.add(kind)
        return found


_DIGIT = re.compile(r"\d")
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\s*", text))
