"""The leak inspector's fast paths find exactly what the straightforward way finds.

The inspector looks at a council's hundred thousand IDs by hash lookups and whole-set string operations,
skips the cell-by-cell walk of a sheet in which nothing can be found, and parses plain XML with the
standard library's parser. Each is checked here against a plain reference, kept in this file as the
inspector was written before those shortcuts (one token run per value, each value sorted one by one,
every cell and text looked at, every part parsed by defusedxml), over generated cases: IDs inside longer
tokens, leading zeros, punctuation, mixed case and Unicode case folding, dates in every rendering the
matcher knows, staff names across odd spacing, postcodes with and without their space.
"""
from __future__ import annotations

import gc
import io
import re
import zipfile
from contextlib import ExitStack
from datetime import date
from types import SimpleNamespace
from typing import Iterable, Iterator
from unittest import mock
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
import pytest
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from hypothesis import HealthCheck, given, settings, strategies as st

import pqa_desktop.core.inspect as inspect_package
from pqa_desktop.core.exports.spec import table_spec
from pqa_desktop.core.inspect import bulk, content, inspect_workbook, package, sensitive_set, sources
from pqa_desktop.core.inspect.matching import (_POSTCODE, _PRIORITY, CASE_REFERENCE, ID_SHAPE, MIN_IDENTIFIER_CHARS,
                                               MIN_NAME_PART_LETTERS, POSTCODE, STAFF_ID, STAFF_NAME, TOKEN,
                                               DATE_OF_BIRTH, Matcher, _is_number, dates_written_in)
from pqa_desktop.core.inspect.package import local, open_package
from pqa_desktop.core.report import render_workbook
from tests import report_fixtures as fx

# --- the reference: the inspector as it was written before the shortcuts ---------------------------------


def ref_tokens(text: str) -> list[str]:
    return [m.group().casefold() for m in TOKEN.finditer(text)]


def ref_normalise_postcode(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).upper()


def ref_identifier_variants(identifier: str) -> list[tuple[str, ...]]:
    run = tuple(ref_tokens(identifier))
    variants = [run] if sum(len(t) for t in run) >= MIN_IDENTIFIER_CHARS else []
    if len(run) == 1 and run[0].isdigit() and run[0].startswith("0"):
        stripped = run[0].lstrip("0")
        if len(stripped) >= MIN_IDENTIFIER_CHARS:
            variants.append((stripped,))
    return variants


def ref_name_runs(name: str, own_words: frozenset[str]) -> list[tuple[str, ...]]:
    run = tuple(ref_tokens(name))
    if not run:
        return []
    runs = []
    if len(run) > 1 or (len(run[0]) >= MIN_NAME_PART_LETTERS and run[0] not in own_words):
        runs.append(run)
    if len(run) > 1:
        runs.extend((part,) for part in run
                    if len(part) >= MIN_NAME_PART_LETTERS and part.isalpha() and part not in own_words)
    return runs


def ref_shape(identifier: str) -> str:
    return "".join("A" if "A" <= ch <= "Z" else "a" if "a" <= ch <= "z" else "9" if "0" <= ch <= "9" else ch
                   for ch in identifier)


def ref_shape_pattern(case_refs) -> re.Pattern | None:
    """Strings shaped like the IDs: a shape at least three IDs have, of six characters or more, with a digit."""
    counted: dict[str, int] = {}
    for value in case_refs:
        shape = ref_shape(str(value))
        counted[shape] = counted.get(shape, 0) + 1
    kept = sorted((s for s, n in counted.items() if n >= 3 and len(s) >= 6 and "9" in s and s.isascii()),
                  key=lambda s: (-len(s), s))
    if not kept:
        return None
    classes = {"A": "[A-Z]", "a": "[a-z]", "9": "[0-9]"}
    alternatives = "|".join("".join(classes.get(ch) or re.escape(ch) for ch in s) for s in kept)
    return re.compile(rf"(?<![^\W_])(?<![0-9][.,])(?:{alternatives})(?![^\W_])(?![.,][0-9])")


class ReferenceMatcher:
    def __init__(self, runs, postcodes, dates_of_birth, file_names=(), shape=None):
        self.runs, self.postcodes, self.dates_of_birth = runs, postcodes, dates_of_birth
        self.file_names = sorted(file_names, key=len, reverse=True)
        self.shape = shape
        self.known = {run for found in runs.values() for run, _ in found}
        self.answers: dict[tuple[str, bool], frozenset[str]] = {}  # see kinds_in

    # build's arguments -> the matcher they made. The inspector builds a matcher per workbook; a test inspecting
    # many workbooks with the same values gets the same reference matcher, answers remembered (see kinds_in).
    built: dict[tuple, "ReferenceMatcher"] = {}

    @classmethod
    def build(cls, **values):
        values = {name: tuple(value) if isinstance(value, Iterator) else value  # read once, for key and build
                  for name, value in values.items()}
        try:
            key = tuple(sorted((name, tuple(value) if isinstance(value, (list, tuple)) else frozenset(value))
                               for name, value in values.items()))
            hash(key)
        except TypeError:  # not plain values (a CaseReferences): made afresh
            return cls._build(**values)
        if key not in cls.built:
            if len(cls.built) >= 64:
                cls.built.clear()
            cls.built[key] = cls._build(**values)
        return cls.built[key]

    @classmethod
    def _build(cls, *, case_refs=(), staff_ids=(), staff_names=(), postcodes=(), dates_of_birth=(), own_words=(),
               file_names=()):
        own = frozenset(w.casefold() for w in own_words)
        kind_of: dict[tuple[str, ...], str] = {}

        def add(run, kind):
            current = kind_of.get(run)
            if current is None or _PRIORITY.index(kind) < _PRIORITY.index(current):
                kind_of[run] = kind

        for name in staff_names:
            for run in ref_name_runs(str(name), own):
                add(run, STAFF_NAME)
        for kind, values in ((CASE_REFERENCE, case_refs), (STAFF_ID, staff_ids)):
            for value in values:
                for run in ref_identifier_variants(str(value)):
                    add(run, kind)
        runs: dict[str, list] = {}
        for run, kind in kind_of.items():
            runs.setdefault(run[0], []).append((run, kind))
        codes = frozenset(p for p in (ref_normalise_postcode(v) for v in postcodes) if _POSTCODE.fullmatch(p))
        return cls(runs, codes, frozenset(dates_of_birth), file_names, ref_shape_pattern(case_refs))

    def __bool__(self):
        return bool(self.runs or self.postcodes or self.dates_of_birth or self.shape)

    def kinds_in(self, text, *, numbers=True):
        # The answer is a function of the text alone (the matcher never changes once built): each distinct
        # text is worked out once, the plain way below, and a copy of its answer given every time it is asked.
        answer = self.answers.get((text, numbers))
        if answer is None:
            answer = self.answers[(text, numbers)] = frozenset(self._kinds_in(text, numbers=numbers))
        return set(answer)

    def _kinds_in(self, text, *, numbers=True):
        if not text:
            return set()
        found = set()
        if self.runs and (numbers or not _is_number(text)):
            toks = ref_tokens(text)
            for i, tok in enumerate(toks):
                for run, kind in self.runs.get(tok, ()):
                    if len(run) == 1 or tuple(toks[i:i + len(run)]) == run:
                        found.add(kind)
        if not re.search(r"\d", text):
            return found
        if self.postcodes and any(ref_normalise_postcode(m.group(1) + m.group(2)) in self.postcodes
                                  for m in _POSTCODE.finditer(text)):
            found.add(POSTCODE)
        # A string shaped like the IDs, where people read (never a bare number), that is not itself a known one.
        if numbers and self.shape is not None and not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text) and \
                any(tuple(ref_tokens(m.group())) not in self.known for m in self.shape.finditer(text)):
            found.add(ID_SHAPE)
        for name in self.file_names:  # a date that is part of an input's name is not a date of birth
            text = text.replace(name, " ")
        if self.dates_of_birth and not self.dates_of_birth.isdisjoint(dates_written_in(text)):
            found.add(DATE_OF_BIRTH)
        return found


def ref_as_strings(values):
    return [str(v) for v in values if v is not None and str(v).strip()]


def ref_strings(column: pd.Series) -> set[str]:
    return {str(v).strip() for v in column.dropna() if str(v).strip()}


def ref_dates(column: pd.Series) -> set[date]:
    return {v.date() for v in pd.to_datetime(column, errors="coerce").dropna()}


def ref_sensitive_set(analysis) -> dict[str, set]:
    found = dict(case_refs=set(), staff_ids=set(), postcodes=set(), dates_of_birth=set(), file_names=set(),
                 staff_names={str(n) for n in analysis.staff_names if str(n).strip()})
    names = [item.name for item in analysis.files] + [item.name for item, _ in analysis.results] + \
        [f.file for f in analysis.findings]
    for name in names + [analysis.mask(n) for n in names]:
        if dates_written_in(name):
            found["file_names"].add(name)
    for _, result in analysis.results:
        for table in result.exports:
            try:
                personal = {c.id: c.personal for c in table_spec(table.kind).columns if c.personal}
            except KeyError:
                personal = {}
            for column in table.frame.columns:
                kind = personal.get(column)
                if kind == "address":
                    found["postcodes"] |= ref_strings(table.frame[column])
                elif kind == "staff_id":
                    found["staff_ids"] |= ref_strings(table.frame[column])
                elif column in sources.DATE_OF_BIRTH_COLUMNS:
                    found["dates_of_birth"] |= ref_dates(table.frame[column])
    postcode_keys = {ref_normalise_postcode(p) for p in found["postcodes"]}
    named = {n.strip().casefold() for n in found["staff_names"]}
    for value in analysis.sensitive:
        text = str(value).strip()
        if not text or text.casefold() in named or ref_normalise_postcode(text) in postcode_keys:
            continue
        if text not in found["staff_ids"]:
            found["case_refs"].add(text)
    return found


def ref_cells(root: Element, sheet: str, shared: list[str], shown: set[int], kinds_of) -> Iterator:
    """content._cells as it was: every cell, every text looked at with the matcher."""
    matcher = kinds_of.matcher
    for cell in root.iter():
        if local(cell.tag) != "c":
            continue
        ref = cell.get("r", "?")
        kind_of_cell = cell.get("t", "n")
        texts: list[str] = []
        for child in cell:
            tag = local(child.tag)
            if tag == "v" and child.text is not None:
                if kind_of_cell == "s":
                    if child.text.strip().isdigit() and int(child.text) < len(shared):
                        shown.add(int(child.text))
                        texts.append(shared[int(child.text)])
                else:
                    texts.append(child.text)
            elif tag == "is":
                texts.append("".join(t.text or "" for t in child.iter() if local(t.tag) == "t"))
            elif tag == "f" and child.text:
                texts.append(child.text)
        kinds: set[str] = set()
        for text in texts:
            kinds |= matcher.kinds_in(text)
            if content._is_birth_header(text):
                kinds.add(DATE_OF_BIRTH)
        for kind in sorted(kinds):
            where = content.sheet_ref(sheet, ref)
            yield content.Leak(where, kind, f"{content._phrase(kind)} appears in {where}.")


def reference_inspector() -> ExitStack:
    """Every shortcut off: the reference matcher and value sorting, each cell and text looked at, every
    part parsed by defusedxml."""
    stack = ExitStack()
    for target, name, value in (
            (inspect_package, "Matcher", ReferenceMatcher), (inspect_package, "as_strings", ref_as_strings),
            (content, "_clean", lambda *a: False), (content._TreeTexts, "clean", lambda *a: False),
            (content._TreeTexts, "clean_at_once", lambda *a: False),
            (content, "_nothing_at_once", lambda *a, **k: False),
            (content, "_cells", ref_cells), (package, "_without_declarations", lambda data: False)):
        stack.enter_context(mock.patch.object(target, name, value))
    return stack


# --- what is generated ---------------------------------------------------------------------------------

# Letters whose case folding is unusual (ß -> ss, İ -> i + dot, final sigma, the long s, ligatures), digits
# that are not ASCII (fullwidth, Arabic-Indic, superscript: a digit but not a decimal), and separators.
ODD_LETTERS = "ßİıſΣσςﬁﬀÅåéÉǅ"
ODD_DIGITS = "１２٣²"
SEPARATORS = [" ", "  ", "\t", "\u00a0", "\u2003", "-", ".", "/", "_", ",", "'", "\n", "", "\x00"]
ID_CHARS = st.sampled_from("0123456789" + "ABCDEFGHJKLMNPRSTWXYZ" + "abcfhkqswxyz" + ODD_LETTERS + ODD_DIGITS + "-_/. ")
WORDS = ["Young", "Early", "Carer", "Ann", "Lee", "Hall", "Aisha", "Yates", "Lomax", "Benedict", "O'Neil",
         "Smith-Jones", "STRAßE", "Şükrü", "Nuñez", "Élodie", "ΣΟΦΙΑ"]

digits_id = st.builds(lambda zeros, digits: "0" * zeros + digits, st.integers(0, 3),
                      st.text("0123456789", min_size=1, max_size=9))
odd_id = st.text(ID_CHARS, min_size=0, max_size=11)
prefixed_id = st.builds(lambda p, sep, n: p + sep + n, st.sampled_from(["CF", "cf", "SW", "Fh", "ß", "İD"]),
                        st.sampled_from(["", "-", "/", " ", "_", "."]), st.text("0123456789", min_size=1, max_size=7))
identifiers = st.one_of(digits_id, odd_id, prefixed_id)
names = st.builds(lambda words, gaps: "".join(w + g for w, g in zip(words, gaps)).strip(),
                  st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
                  st.lists(st.sampled_from([" ", "  ", "\t", "-", ""]), min_size=3, max_size=3))
postcodes = st.builds(lambda area, d, extra, gap, inward: area + d + extra + gap + inward,
                      st.sampled_from(["M", "m", "SW", "sw", "EC", "B", "Ab"]), st.sampled_from("123456789"),
                      st.sampled_from(["", "A", "1", "w"]), st.sampled_from(["", " ", "  ", "\t"]),
                      st.sampled_from(["1AE", "2aa", "9ZZ", "4Bq"]))
births = st.dates(min_value=date(1995, 1, 1), max_value=date(2024, 12, 31))
MONTHS = ["Jan", "February", "Mar", "Sept", "sep", "MAY", "Oct.", "December"]


def renderings(d: date) -> list[str]:
    """A date written in every way the matcher knows, and some it need not."""
    return [f"{d:%d/%m/%Y}", f"{d.day}/{d.month}/{d:%y}", f"{d:%d-%m-%y}", f"{d:%d.%m.%Y}", f"{d:%Y-%m-%d}",
            f"{d.day} {d:%B %Y}", f"{d:%d-%b-%Y}", f"{d.day}rd {d:%b} {d:%y}", f"{d:%d %b}, {d:%Y}",
            f"{d.day} {d:%b}. {d:%Y}", f"{d.day}-{MONTHS[d.month % len(MONTHS)]}-{d:%Y}", f"{d:%m/%d/%Y}"]


@st.composite
def known(draw) -> dict:
    """What the inputs identify: the keyword arguments of Matcher.build / inspect_workbook."""
    return dict(case_refs=draw(st.lists(identifiers, max_size=8)), staff_ids=draw(st.lists(identifiers, max_size=4)),
                staff_names=draw(st.lists(names, max_size=4)), postcodes=draw(st.lists(postcodes, max_size=3)),
                dates_of_birth=draw(st.lists(births, max_size=3)))


def variants(value: str) -> list[str]:
    """How a known value may come back in a text: as is, in another case, without its leading zeros, its
    spaces changed, its parts on their own, inside a longer token."""
    out = [value, value.upper(), value.lower(), value.swapcase(), value.casefold(), value.lstrip("0"),
           " ".join(value.split()), "  ".join(value.split()), "".join(value.split()), "x" + value, value + "9",
           "0." + value, value + ".5"]
    out.extend(value.split())
    return [v for v in out if v]


@st.composite
def text_about(draw, values: dict) -> str:
    """A text made of fragments of the known values, dates, numbers and noise, joined by separators."""
    fragments = [v for key in ("case_refs", "staff_ids", "staff_names", "postcodes") for value in values[key]
                 for v in variants(str(value))]
    fragments += [r for d in values["dates_of_birth"] for r in renderings(d)]
    pool = st.one_of(st.sampled_from(fragments), st.text(max_size=6), identifiers, names, postcodes,
                     births.map(lambda d: draw(st.sampled_from(renderings(d)))), st.integers(0, 10**9).map(str),
                     st.floats(0, 1).map(str), st.sampled_from(["Date of birth", "D.O.B", "born", "Child or young person"])) \
        if fragments else st.one_of(st.text(max_size=6), identifiers, names, st.integers(0, 10**9).map(str))
    parts = draw(st.lists(pool, min_size=1, max_size=5))
    gaps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(parts), max_size=len(parts)))
    return "".join(p + g for p, g in zip(parts, gaps))


OWN_WORDS = frozenset({"young", "early", "carer", "child", "person"})

# --- the matcher -----------------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_matcher_finds_what_the_reference_finds(data):
    values = data.draw(known())
    fast = Matcher.build(**values, own_words=OWN_WORDS)
    reference = ReferenceMatcher.build(**values, own_words=OWN_WORDS)
    assert bool(fast) == bool(reference)
    for text in data.draw(st.lists(text_about(values), min_size=1, max_size=6)):
        for numbers in (True, False):
            expected = reference.kinds_in(text, numbers=numbers)
            assert fast.kinds_in(text, numbers=numbers) == expected, (text, numbers)
            again = fast.kinds_in(text, numbers=numbers)  # the remembered answer, a set of its own
            assert again == expected
            again.add("changed")
            assert fast.kinds_in(text, numbers=numbers) == expected


@pytest.mark.parametrize("case_refs, staff_ids, staff_names, text, kinds", [
    (["0012345"], [], [], "12345", {CASE_REFERENCE}),  # leading zeros lost in a spreadsheet
    (["00012"], [], [], "12", set()),  # too short once the zeros go
    (["AB123"], ["ab123"], [], "ab123", {CASE_REFERENCE}),  # a case reference is named before a staff ID
    (["Yates"], [], ["Aisha Yates"], "YATES", {STAFF_NAME}),  # a staff name before either
    (["ABCD"], [], [], "abcd", set()),  # four characters: never an identifier
    (["STRASSE1"], [], [], "straße1", {CASE_REFERENCE}),  # Unicode case folding, both ways
    (["straße1"], [], [], "STRASSE1", {CASE_REFERENCE}),
    (["CF-20931"], [], [], "cf 20931", {CASE_REFERENCE}),  # the same token run
    (["CF-20931"], [], [], "cf20931", set()),
    (["7752564"], [], [], "0.7752564", set()),  # the digits of a decimal
    (["7752564"], [], [], "7752564.5", set()),
    (["７７５２５６４"], [], [], "７７５２５６４", {CASE_REFERENCE}),  # fullwidth digits are letters-and-digits
])
def test_matcher_edge_cases(case_refs, staff_ids, staff_names, text, kinds):
    values = dict(case_refs=case_refs, staff_ids=staff_ids, staff_names=staff_names)
    assert ReferenceMatcher.build(**values).kinds_in(text) == kinds  # the cases mean what they say
    assert Matcher.build(**values).kinds_in(text) == kinds


def test_only_short_identifiers_make_an_empty_matcher():
    assert not Matcher.build(case_refs=["1234", "ab", ""])
    assert Matcher.build(case_refs=["1234", "12345"])


# --- whole-set string operations -----------------------------------------------------------------------

any_texts = st.lists(st.text(st.characters(codec="utf-8"), max_size=8) | st.text("ab0 \x00", max_size=4)
                     | st.text("aZ09", max_size=3), max_size=12)


@settings(max_examples=300, deadline=None)
@given(any_texts)
def test_whole_set_operations_are_each_values_own(texts):
    assert bulk.each(texts, str.casefold) == [t.casefold() for t in texts]
    assert bulk.each(texts, str.upper) == [t.upper() for t in texts]
    assert bulk.each(texts, bulk.without_whitespace_upper) == [ref_normalise_postcode(t) for t in texts]
    whole = bulk.joined(texts)
    if bulk.all_letters_and_digits(texts, whole):
        assert texts and all(t.isalnum() for t in texts)
    elif whole is not None and whole.isascii():  # for ASCII the answer is exact both ways
        assert not texts or not all(t.isalnum() for t in texts)


@pytest.mark.parametrize("texts, answer", [
    (["a1", "B2", "007"], True), ([], False), ([""], False), (["ab", ""], False), (["", "ab"], False),
    (["ab", "", "cd"], False), (["ab", "c d"], False), (["ab", "c_d"], False), (["ab\x00cd"], False),
    (["straße"], False),  # not ASCII: each is looked at by the caller
])
def test_letters_and_digits_at_once(texts, answer):
    assert bulk.all_letters_and_digits(texts, bulk.joined(texts)) is answer


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), identifiers, st.just(" \t")),
                max_size=10))
def test_as_strings_as_before(values):
    assert sources.as_strings(values) == ref_as_strings(values)
    assert sources.as_strings(iter(values)) == ref_as_strings(values)


def test_letters_digits_and_spaces_are_what_the_patterns_say():
    # _identifier_runs treats a str.isalnum value as one token, and normalise_postcode removes what
    # str.split() splits on where it removed what \s matches: true of every character there is.
    letter_or_digit, space = re.compile(r"[^\W_]"), re.compile(r"\s")
    assert all(bool(letter_or_digit.match(chr(c))) == chr(c).isalnum() for c in range(0x110000))
    assert all(bool(space.match(chr(c))) == chr(c).isspace() for c in range(0x110000))


# --- sorting what the inputs hold ---------------------------------------------------------------------------

def _kind_with(personal: str) -> tuple[str, str]:
    for kind in ("allocations", "workforce", "annex_a_list_8"):
        for column in table_spec(kind).columns:
            if column.personal == personal:
                return kind, column.id
    raise AssertionError(personal)


mixed_cell = st.one_of(st.none(), st.just(float("nan")), st.integers(0, 10**7), st.floats(0, 1e6), identifiers,
                       postcodes, names, st.just("  "), identifiers.map(lambda v: f"  {v} "))
birth_cell = st.one_of(st.none(), births, births.map(lambda d: f"{d:%d/%m/%Y}"), births.map(lambda d: f"{d:%Y-%m-%d}"),
                       st.just("not a date"))


@st.composite
def analyses(draw):
    address_kind, address_column = _kind_with("address")
    staff_kind, staff_column = _kind_with("staff_id")
    rows = draw(st.integers(0, 12))
    tz = draw(st.sampled_from([None, "Europe/London", "America/New_York"]))
    births_dtype = draw(st.sampled_from(["datetime", "object"]))
    dob = [draw(birth_cell) for _ in range(rows)]
    if births_dtype == "datetime":
        dob = pd.to_datetime(pd.Series([d if isinstance(d, date) else None for d in dob], dtype=object))
        if tz:
            dob = dob.dt.tz_localize("UTC").dt.tz_convert(tz)
    first = pd.DataFrame({"dob": pd.Series(dob, dtype=object) if births_dtype == "object" else dob,
                          address_column: [draw(mixed_cell) for _ in range(rows)]})
    second = pd.DataFrame({staff_column: [draw(mixed_cell) for _ in range(rows)]})
    result = SimpleNamespace(exports=[SimpleNamespace(kind=address_kind, frame=first),
                                      SimpleNamespace(kind=staff_kind, frame=second),
                                      SimpleNamespace(kind="not a known table", frame=first.rename(columns=str.upper))])
    staff_names = draw(st.lists(names | st.just("  "), max_size=4))
    cells = [v for v in list(first[address_column]) + list(second[staff_column]) if v is not None]
    sensitive = set(draw(st.lists(st.one_of(identifiers, names, postcodes, st.sampled_from(cells or ["x"]),
                                            st.sampled_from(staff_names or ["y"]).map(str.upper)), max_size=15)))
    files = [SimpleNamespace(name=draw(st.sampled_from(["Audit 07.06.24.xlsx", "list 8 2024-09-30.csv", "a.xlsx"])))
             for _ in range(draw(st.integers(0, 3)))]
    stored = SimpleNamespace(name=draw(st.sampled_from(["Return 20.05.24.xlsx", "b.xlsx"])))  # from a workspace
    return SimpleNamespace(staff_names=set(staff_names), files=files, results=[(stored, result)], findings=[],
                           mask=lambda name: name.replace("Return", "R***"),
                           sensitive={str(v) if not isinstance(v, float) else v for v in sensitive})


@pytest.mark.filterwarnings("ignore:.*(infer format|dayfirst).*:UserWarning")  # pandas on the odd date text
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(analyses())
def test_sensitive_set_sorts_as_before(analysis):
    found = sensitive_set(analysis)
    expected = ref_sensitive_set(analysis)
    assert {key: getattr(found, key) for key in expected} == expected


# --- parsing ------------------------------------------------------------------------------------------------

def _shape(el: Element) -> tuple:
    return (el.tag, sorted(el.attrib.items()), el.text, el.tail, [_shape(c) for c in el])


def _parsed(parse, data: bytes):
    try:
        return _shape(parse(data))
    except (DefusedXmlException, SyntaxError, ValueError):
        return "not parsed"


prologs = st.sampled_from([b"", b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n',
                           b"\xef\xbb\xbf", b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>",
                           b'<?xml version="1.0" encoding="ISO-8859-1"?>', b'<?xml version="1.0" encoding="cp037"?>',
                           b'<?xml version="1.0" encoding="UTF-16"?>', b"<?xml encoding=utf-8?>", b" <?xml version='1.0'?>"])
doctypes = st.sampled_from([b"", b"<!DOCTYPE x>", b'<!DOCTYPE x [<!ENTITY a "7752564">]>', b"<!doctype x>",
                            b'<!DOCTYPE x SYSTEM "file:///etc/passwd">', b"<!-- <!DOCTYPE --><!---->",
                            b'<!DOCTYPE x [<!ENTITY % p "x">]>'])
bodies = st.lists(st.sampled_from([b"<a/>", b'<b k="v &amp; w">t</b>', b"text", b"&a;", b"&#55;&#x37;", b"<![CDATA[<x>]]>",
                                   b"<?pi x?>", b"<!-- c -->", b"caf\xc3\xa9", b"caf\xe9", b"\x00", b"<c:v xmlns:c='u'>1</c:v>",
                                   b"<a", b"</x>"]), max_size=5)


@settings(max_examples=400, deadline=None)
@given(prologs, doctypes, bodies, st.sampled_from(["utf-8", "utf-16", "cp037", "latin-1"]))
def test_parsing_gives_defusedxmls_tree_and_never_sees_a_declaration(prolog, doctype, body, encoding):
    data = prolog + doctype + b"<x>" + b"".join(body) + b"</x>"
    for candidate in (data, data.decode("latin-1").encode(encoding, errors="replace"),
                      prolog + (doctype + b"<x>" + b"".join(body) + b"</x>").decode("latin-1").encode(encoding, errors="replace")):
        assert _parsed(package._parse, candidate) == _parsed(defused_fromstring, candidate)
        if package._without_declarations(candidate):  # the standard library parser gets only plain XML
            try:
                defused_fromstring(candidate, forbid_dtd=True)
            except DefusedXmlException as exc:
                pytest.fail(f"{exc!r} in a part parsed without defusedxml: {candidate!r}")
            except (SyntaxError, ValueError):
                pass


@pytest.mark.parametrize("data, plain", [
    (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<x/>', True),
    (b"\xef\xbb\xbf<?xml version='1.0' encoding='latin-1'?><x/>", True),
    (b"<x>&amp;</x>", True),
    (b'<?xml version="1.0"?><!DOCTYPE x><x/>', False),
    (b'<x/><!ENTITY a "b">', False),
    (b"<!doctype x><x/>", False),
    (b'<?xml version="1.0" encoding="cp037"?><x/>', False),  # markup that need not be ASCII bytes
    (b'<?xml version="1.0" encoding="UTF-16"?><x/>', False),
    (b'<?xml version="1.0" encoding=utf-8?><x/>', False),
    ("<x/>".encode("utf-16"), False),
])
def test_which_parts_the_standard_library_parses(data, plain):
    assert package._without_declarations(data) is plain


def test_every_part_of_a_report_parses_as_defusedxml_parses_it(clean):
    parts = open_package(clean).parts
    assert all(package._without_declarations(parts[n]) for n in parts if n.endswith((".xml", ".rels")))
    for name, data in parts.items():
        assert _parsed(package._parse, data) == _parsed(defused_fromstring, data), name


def test_a_parts_elements_by_tag_are_what_the_parser_finds(clean):
    """``Package.elements``, from one walk of each part, holds for every tag exactly ``root.iter(tag)``, in
    document order, also for a part naming one kind of element by two tags."""
    pkg = open_package(clean)
    pkg.parts["xl/worksheets/sheet99.xml"] = (b'<worksheet xmlns="urn:a" xmlns:b="urn:b"><sheetData><row r="1">'
                                              b'<c r="A1"/><b:c r="B1"/><c r="C1"><v>1</v></c></row></sheetData>'
                                              b'</worksheet>')
    for name in [n for n in pkg.parts if pkg.is_xml(n)]:
        root = pkg.xml(name)
        tags = {el.tag for el in root.iter()} if root is not None else set()
        assert set(pkg.elements(name)) == tags
        for tag in tags:
            assert pkg.elements(name)[tag] == list(root.iter(tag)), (name, tag)
    assert pkg.tags("xl/worksheets/sheet99.xml")["c"] == ["{urn:a}c", "{urn:b}c"]


def test_inspecting_leaves_the_garbage_collector_as_it_was(clean):
    assert gc.isenabled()
    inspect_workbook(clean, identifiers=["7752564"])
    assert gc.isenabled()
    gc.disable()
    try:
        inspect_workbook(clean, identifiers=["7752564"])
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(Exception):
        inspect_workbook(b"not a workbook")
    assert gc.isenabled()


# --- the whole inspector ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clean() -> bytes:
    return render_workbook(fx.full_figures(), fx.context())


def _repack(content: dict[str, bytes]) -> bytes:
    # Stored, not deflated: the inspector reads every part whole either way (zipfile inflates or copies), and
    # the 330 kB of parts were compressed again for each of some 300 planted workbooks, then inflated twice.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, data in content.items():
            z.writestr(name, data)
    return out.getvalue()


def _first(pattern: bytes, data: bytes) -> bytes:
    found = re.search(pattern, data)
    assert found, pattern
    return found.group(0)


def planted(clean: bytes, plants: Iterable[tuple[str, str]]) -> bytes:
    """The report with each text put where ``place`` says: a cell's shared string, a stored string no cell
    shows, an inline string, a formula, a number cell, a chart title, alt text, a sheet name, a defined
    name, the document properties or a stray attribute."""
    with zipfile.ZipFile(io.BytesIO(clean)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet2.xml"
    for place, text in plants:
        text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]", "?", text)  # what XML can hold
        value, attribute = escape(text).encode(), quoteattr(text).encode()
        if place == "shared":
            old = _first(rb"<si><t[^>]*>[^<]*</t></si>", parts["xl/sharedStrings.xml"])
            parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
                old, b'<si><t xml:space="preserve">' + value + b"</t></si>", 1)
        elif place == "unused":
            parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
                b"</sst>", b"<si><t>" + value + b"</t></si></sst>")
        elif place in ("inline", "formula", "number"):
            cell = _first(rb'<c r="[A-Z]+\d+"[^>]*?(?:/>|>.*?</c>)', parts[sheet].split(b"<sheetData>")[1])
            ref = re.search(rb'r="([A-Z]+\d+)"', cell).group(0)
            new = {"inline": b"<c " + ref + b' t="inlineStr"><is><t>' + value + b'</t><t xml:space="preserve"> x</t></is></c>',
                   "formula": b"<c " + ref + b' t="str"><f>' + value + b"</f><v>0</v></c>",
                   "number": b"<c " + ref + b"><v>" + (value if text.strip().isdigit() else b"1") + b"</v></c>"}[place]
            parts[sheet] = parts[sheet].replace(cell, new, 1)
        elif place == "chart":
            old = _first(rb"<a:t>[^<]*</a:t>", parts["xl/charts/chart1.xml"])
            parts["xl/charts/chart1.xml"] = parts["xl/charts/chart1.xml"].replace(old, b"<a:t>" + value + b"</a:t>", 1)
        elif place == "alt":
            # quoteattr picks single quotes for a text holding a double one: a second plant finds either
            old = _first(rb'descr=(?:"[^"]*"|\'[^\']*\')', parts["xl/drawings/drawing1.xml"])
            parts["xl/drawings/drawing1.xml"] = parts["xl/drawings/drawing1.xml"].replace(old, b"descr=" + attribute, 1)
        elif place == "sheet name":
            old = _first(rb'<sheet name=(?:"[^"]*"|\'[^\']*\')', parts["xl/workbook.xml"])
            parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(old, b"<sheet name=" + attribute, 1)
        elif place == "defined name":
            parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
                b"</workbook>", b"<definedNames><definedName name=\"n\">" + value + b"</definedName></definedNames></workbook>")
        elif place == "properties":
            parts["docProps/core.xml"] = parts["docProps/core.xml"].replace(
                b"</cp:coreProperties>", b"<cp:keywords>" + value + b"</cp:keywords></cp:coreProperties>")
        elif place == "attribute":
            parts["xl/styles.xml"] = parts["xl/styles.xml"].replace(b"</styleSheet>", b"<extra note=" + attribute + b"/></styleSheet>")
    return _repack(parts)


PLACES = ["shared", "unused", "inline", "formula", "number", "chart", "alt", "sheet name", "defined name",
          "properties", "attribute"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_the_inspector_finds_what_the_reference_finds(clean, data):
    values = data.draw(known())
    plants = data.draw(st.lists(st.tuples(st.sampled_from(PLACES), text_about(values)), max_size=4))
    workbook = planted(clean, plants)
    options = dict(identifiers=values["case_refs"], staff_ids=values["staff_ids"], staff_names=values["staff_names"],
                   postcodes=values["postcodes"], dates_of_birth=values["dates_of_birth"], la_name=fx.LA,
                   allow_case_refs=data.draw(st.booleans()), allow_staff_names=data.draw(st.booleans()))
    with reference_inspector():
        expected = inspect_workbook(workbook, **options)
    assert inspect_workbook(workbook, **options) == expected


@pytest.mark.parametrize("place", PLACES)
def test_each_place_is_found_as_the_reference_finds_it(clean, place):
    """Known findings in every place, so the comparison above is not only ever of clean workbooks."""
    values = dict(identifiers=["7752564", "CF-20931", "0012345"], staff_names=["Aisha Yates"], staff_ids=["SW844876"],
                  postcodes=["M1 1AE"], dates_of_birth=[date(2015, 5, 3)], la_name=fx.LA)
    for text in ("Child 7752564", "cf 20931", "12345", "AISHA  YATES", "yates", "sw844876", "m11ae", "3rd May 2015",
                 "Date of birth", "Child 97752564 and 0.7752564"):
        workbook = planted(clean, [(place, text)])
        with reference_inspector():
            expected = inspect_workbook(workbook, **values)
        assert inspect_workbook(workbook, **values) == expected, text
        if text == "Child 7752564" and place not in ("number",):
            assert {leak.kind for leak in expected} >= {CASE_REFERENCE}, place


# --- many texts at once ------------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_nothing_found_at_once_means_nothing_in_any_text(data):
    """``Matcher.none_in`` (and the inspector's ``_nothing_at_once``, which adds the "Date of birth" headings)
    says a set of texts is clean only when asking of each text finds nothing: it may send the inspector to
    look at each text, never let it skip one that holds something."""
    values = data.draw(known())
    matcher = Matcher.build(**values, own_words=OWN_WORDS)
    texts = data.draw(st.lists(st.one_of(text_about(values), st.text(max_size=12), st.integers(0, 10**9).map(str),
                                         st.sampled_from(["", "Good", "0.5", "2024-09-30", "F79646", "Date of birth"])),
                               max_size=8))
    every = {kind for text in texts for numbers in (True, False) for kind in matcher.kinds_in(text, numbers=numbers)}
    if Matcher.build(**values, own_words=OWN_WORDS).none_in(list(texts)):  # a matcher that has seen none of them
        assert not every, texts
    if Matcher.build(**values, own_words=OWN_WORDS).none_in(list(texts), numbers=False):
        assert not any(matcher.kinds_in(text, numbers=False) for text in texts), texts
    cells = content._CellKinds(Matcher.build(**values, own_words=OWN_WORDS))
    if content._nothing_at_once(cells.matcher, set(texts), birth_headers=True):
        assert not every and not any(cells(text) for text in texts), texts


@pytest.mark.parametrize("text, clean", [
    ("Audit of practice", True), ("0.7752564", True), ("7752564", False), ("Child 7752564", False),
    ("CF-20931 seen", False), ("cf 20931", False), ("Aisha  Yates", False), ("M1 1AE", False), ("m11ae", False),
    ("born 3rd May 2015", False), ("03/05/2015", False), ("2015-05-03", False), ("AB123456", False),
    ("12345678", True), ("Date of birth", True), ("F79646", True), ("5400000", True), ("ref AB200002.", False),
])
def test_nothing_at_once_beside_a_reports_own_texts(text, clean):
    """Among a report's own texts one holding something is noticed at once (it is then looked at, with the
    rest, one by one); "Date of birth" is a heading only to the inspector's cells."""
    matcher = Matcher.build(case_refs=["7752564", "CF-20931", "AB100001", "AB100002", "AB100003"],
                            staff_names=["Aisha Yates"], postcodes=["M1 1AE"], dates_of_birth=[date(2015, 5, 3)])
    texts = ["Good", "Requires improvement", "0.25", "12", "Sep 2024", "Audit list", text]
    assert matcher.none_in(texts) is clean
    assert matcher.none_in(texts[:-1])
    assert content._nothing_at_once(matcher, set(texts), birth_headers=True) is (clean and text != "Date of birth")


def test_axis_numbers_and_theme_colours_leave_the_raw_parts_clear_at_once(clean):
    """A chart's label rotation (rot="-2700000") and the theme's colours ("F79646") are attribute values, which
    are never looked at for an ID's shape: with IDs of those shapes in the inputs, the report's charts, drawings
    and theme are still cleared all at once, none walked text by text (issue 18: a large council's seven-digit
    IDs sent fifteen charts and the theme text by text at every build)."""
    with zipfile.ZipFile(io.BytesIO(clean)) as z:
        assert b'rot="-2700000"' in z.read("xl/charts/chart2.xml") and b"F79646" in z.read("xl/theme/theme1.xml")
    values = dict(identifiers=["1234567", "2345678", "3456789", "F12345", "G23456", "H34567"], la_name=fx.LA)
    walked: list[str] = []
    texts = content._texts

    def counting(root, skip=frozenset()):
        walked.append(local(root.tag))
        return texts(root, skip)

    with mock.patch.object(content, "_texts", counting):
        assert inspect_workbook(clean, **values) == []
    assert walked and not {"chartSpace", "theme", "wsDr", "table"} & set(walked), sorted(set(walked))
    with reference_inspector():
        assert inspect_workbook(clean, **values) == []
    # An ID of that shape where people read it (a chart's title) is still found, as the reference finds it
    workbook = planted(clean, [("chart", "Child 9070000")])
    with reference_inspector():
        expected = inspect_workbook(workbook, **values)
    assert {leak.kind for leak in expected} == {ID_SHAPE}
    assert inspect_workbook(workbook, **values) == expected


@pytest.mark.parametrize("place", PLACES)
def test_each_place_is_found_as_when_each_text_is_looked_at(clean, place):
    """The inspector, asking whether whole sets of texts hold anything at once, finds what it found asking of
    each text, in every place a leak can be planted (the other shortcuts on in both)."""
    values = dict(identifiers=["7752564", "CF-20931", "0012345", "AB100001", "AB100002", "AB100003"],
                  staff_names=["Aisha Yates"], staff_ids=["SW844876"], postcodes=["M1 1AE"],
                  dates_of_birth=[date(2015, 5, 3)], la_name=fx.LA)
    for text in ("Child 7752564", "cf 20931", "12345", "AISHA  YATES", "yates", "sw844876", "m11ae", "3rd May 2015",
                 "Date of birth", "Child 97752564 and 0.7752564", "AB999999", "Good"):
        workbook = planted(clean, [(place, text)])
        with mock.patch.object(content, "_nothing_at_once", lambda *a, **k: False):
            expected = inspect_workbook(workbook, **values)
        found = inspect_workbook(workbook, **values)
        assert found == expected, text
        if text == "Child 7752564" and place != "number":
            assert {leak.kind for leak in found} >= {CASE_REFERENCE}, place
