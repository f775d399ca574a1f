"""Looking for known personal data everywhere in the workbook's XML, and saying where it is.

Cells are read as Excel shows them (shared strings resolved, inline strings, numbers, formulas) and
reported as "cell 'Sheet'!B7"; chart titles and labels, drawings' alt text, defined names, sheet names
and document properties are named as such; every other piece of text or attribute in every XML part is
looked at too ("the raw XML of xl/...").

Numbers that are sizes, offsets, indexes or style ids (an EMU width of 419100, a column offset, a
shared-string index) are attributes or structural elements, not text anyone reads: an all-digit value
is only looked at as an identifier where it is a value ``<v>`` or text ``<t>``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator
from xml.etree.ElementTree import Element

from .bulk import SEPARATOR
from .leak import Leak
from .matching import DATE_OF_BIRTH, KIND_PHRASES, Matcher
from .package import Package, local, sheet_of_parts, sheets

VALUE_TAGS = frozenset({"v", "t"})
BIRTH_HEADERS = frozenset({"date of birth", "dob", "d o b", "birth date", "birthdate", "date born", "born"})
DOC_PROPERTIES = ("docProps/",)
_DECIMAL = re.compile(r"\d")
_NOT_LETTERS = re.compile(r"[^a-z]+")
# Somewhere in a case-folded text: one of BIRTH_HEADERS with other characters for its spaces, not next to a letter.
_BIRTH_HEADER_IN = re.compile("(?<![a-z])(?:" + "|".join(re.escape(h).replace(r"\ ", "[^a-z]+")
                                                         for h in sorted(BIRTH_HEADERS)) + ")(?![a-z])")


def sheet_ref(sheet: str, cell: str) -> str:
    return "cell '" + sheet.replace("'", "''") + "'!" + cell


def _phrase(kind: str) -> str:
    text = KIND_PHRASES[kind]
    return text[0].upper() + text[1:]


def content_leaks(package: Package, matcher: Matcher) -> Iterator[Leak]:
    shared = _shared_strings(package)
    shown: set[int] = set()
    kinds_of = _CellKinds(matcher)
    shared_clean = _none_in(kinds_of, set(shared))
    for sheet in sheets(package):
        root = package.xml(sheet.part)
        if root is None:
            if sheet.part in package.parts:
                yield from _unparsed(package, sheet.part, matcher)
            continue
        # Cell by cell only when something is there to find. When no stored string holds anything, which
        # cells show which string (``shown``) does not matter either: the loop below finds nothing.
        if not (shared_clean and _clean(package, sheet.part, kinds_of)):
            yield from _cells(root, sheet.name, shared, shown, kinds_of)
        yield from _raw(package, sheet.part, root, matcher, f"sheet '{sheet.name}' outside its cells "
                                                           "(header, footer, validation or link)",
                        skip=frozenset({"sheetData"}))
    for index, text in enumerate(shared):
        if index not in shown and not shared_clean:  # (no stored string holds anything: none to report)
            for kind in sorted(matcher.kinds_in(text)):
                yield Leak("xl/sharedStrings.xml", kind,
                           f"{_phrase(kind)} appears in a stored string (number {index + 1}) that no cell shows, "
                           "but anyone can read in the file.")
    owner = sheet_of_parts(package)
    done = {s.part for s in sheets(package)} | {"xl/sharedStrings.xml"}
    others = [name for name in sorted(package.parts) if name not in done and package.is_xml(name)]
    # The parts looked at as raw XML (a report's charts, drawings, tables and relationships: a hundred or so):
    # each part's texts gathered once, and when none of them holds anything, all at once, no part is looked
    # at on its own.
    texts_of = {name: _TreeTexts.of(package.xml(name)) for name in others
                if name != "xl/workbook.xml" and not name.startswith(DOC_PROPERTIES) and package.xml(name) is not None}
    raw_clean = _TreeTexts.union(texts_of.values()).clean_at_once(matcher)
    for name in others:
        root = package.xml(name)
        if root is None:
            yield from _unparsed(package, name, matcher)
            continue
        if name == "xl/workbook.xml":
            yield from _workbook(root, matcher)
        elif name.startswith(DOC_PROPERTIES):
            yield from _properties(name, root, matcher)
        elif not raw_clean:
            on = f" on sheet '{owner[name]}'" if name in owner else ""
            yield from _raw(package, name, root, matcher, _place_in(name) + on, texts=texts_of[name])


def _shared_strings(package: Package) -> list[str]:
    root = package.xml("xl/sharedStrings.xml")
    if root is None:
        return []
    return ["".join(t.text or "" for t in si.iter() if local(t.tag) == "t")
            for si in root if local(si.tag) == "si"]


class _CellKinds(dict):
    """What a cell's text holds: ``matcher.kinds_in``, and a date of birth for a "Date of birth" heading.
    Each text is looked at once: a report repeats its texts ("Good", "0") thousands of times."""

    def __init__(self, matcher: Matcher):
        super().__init__()
        self.matcher = matcher

    def __missing__(self, text: str) -> frozenset[str]:
        kinds = self.matcher.kinds_in(text)
        if _is_birth_header(text):
            kinds.add(DATE_OF_BIRTH)
        self[text] = found = frozenset(kinds)
        return found

    __call__ = dict.__getitem__


def _none_in(kinds_of: _CellKinds, texts: set[str]) -> bool:
    """True when no text holds anything (``kinds_of`` of each is empty): at once when it can be told so
    (``_nothing_at_once``), else text by text."""
    return _nothing_at_once(kinds_of.matcher, texts, birth_headers=True) or not any(map(kinds_of, texts))


def _nothing_at_once(matcher: Matcher, texts: set[str], birth_headers: bool = False) -> bool:
    """True only when no text holds anything the matcher finds (``Matcher.none_in``) nor, with
    ``birth_headers``, is a heading such as "Date of birth": every text at once. False: look at each.

    A heading is a text whose letters, each run of other characters made one space, are one of
    BIRTH_HEADERS: its case-folded self is such a heading with other characters (not letters) around and
    between its words, as found in the texts joined by the separator (a character that is not a letter)."""
    texts = [t for t in texts if t]  # an empty text holds nothing
    if birth_headers and texts and _BIRTH_HEADER_IN.search(SEPARATOR.join(texts).casefold()):
        return False
    return matcher.none_in(texts)


def _clean(package: Package, part: str, kinds_of: _CellKinds) -> bool:
    """True when no value, inline string or formula anywhere in the sheet holds anything (shared strings
    are looked at by the caller): every text a cell can show is among these, so no cell holds anything."""
    tags, elements = package.tags(part), package.elements(part)
    texts: set[str | None] = set()
    for tag in tags.get("v", []) + tags.get("f", []):
        texts.update(el.text for el in elements[tag])
    for tag in tags.get("is", []):
        texts.update("".join(t.text or "" for t in el.iter() if local(t.tag) == "t") for el in elements[tag])
    texts.discard(None)
    return _none_in(kinds_of, texts)


def _cells(root: Element, sheet: str, shared: list[str], shown: set[int], kinds_of: _CellKinds) -> Iterator[Leak]:
    names: dict[str, str] = {}  # each tag's local name, worked out once
    for cell in root.iter():  # document order: leaks come in cell order
        tag = names.get(cell.tag) or names.setdefault(cell.tag, local(cell.tag))
        if tag != "c":
            continue
        kind_of_cell = cell.get("t", "n")
        texts: list[str] = []
        for child in cell:
            tag = names.get(child.tag) or names.setdefault(child.tag, local(child.tag))
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
        kinds: frozenset[str] = frozenset()
        for text in texts:
            kinds |= kinds_of(text)
        if kinds:
            ref = sheet_ref(sheet, cell.get("r", "?"))
            for kind in sorted(kinds):
                yield Leak(ref, kind, f"{_phrase(kind)} appears in {ref}.")


def _is_birth_header(text: str) -> bool:
    """A cell that is only a heading such as "Date of birth" or "DOB": the column below it would hold
    dates of birth, whatever their values (a date cell alone cannot be told from an audit date)."""
    if _DECIMAL.search(text):  # a decimal digit is a digit: the quick answer for every number
        return False
    return not any(ch.isdigit() for ch in text) and _NOT_LETTERS.sub(" ", text.casefold()).strip() in BIRTH_HEADERS


def _texts(root: Element, skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, list[str], str | None]]:
    """Every text and attribute value: (text, the tags from the root down to it, attribute name or None)."""
    stack: list[tuple[Element, list[str]]] = [(root, [local(root.tag)])]
    while stack:
        el, path = stack.pop()
        for name, value in el.attrib.items():
            yield value, path, local(name)
        if el.text and el.text.strip():
            yield el.text, path, None
        for child in reversed(list(el)):
            tag = local(child.tag)
            if tag in skip:
                continue
            stack.append((child, path + [tag]))
            if child.tail and child.tail.strip():
                yield child.tail, path, None


READABLE_ATTRIBUTES = frozenset({"descr", "title", "name"})  # alt text and names people read


def _kinds(matcher: Matcher, text: str, path: list[str], attribute: str | None, readable: bool = False) -> set[str]:
    """Known personal data in one text; an all-digit text counts only where people read it."""
    readable = readable or (attribute is None and path[-1] in VALUE_TAGS) or (
        path[-1] == "cNvPr" and attribute in READABLE_ATTRIBUTES)
    return matcher.kinds_in(text, numbers=readable)


def _raw(package: Package, name: str, root: Element, matcher: Matcher, place: str,
         skip: frozenset[str] = frozenset(), texts: "_TreeTexts | None" = None) -> Iterator[Leak]:
    """Known personal data in the part's texts and attributes (but those under ``skip``); ``texts``: the
    part's ``_TreeTexts``, when gathered already."""
    if not skip and (texts or _TreeTexts.of(root)).clean(matcher):
        return
    seen: set[tuple[str, str]] = set()
    for text, path, attribute in _texts(root, skip):
        for kind in _kinds(matcher, text, path, attribute):
            where = _where_in_part(name, path, attribute) or place
            if (kind, where) not in seen:
                seen.add((kind, where))
                yield Leak(name, kind, f"{_phrase(kind)} appears in {where} ({name}).")


@dataclass
class _TreeTexts:
    """Every text of a tree as ``_raw`` looks at it (``_kinds``): its texts and tails (``readable``, each at most
    looked at with ``numbers=True``, which finds all that ``numbers=False`` does, and more), the attribute values
    people read (alt text and names, ``READABLE_ATTRIBUTES`` of ``cNvPr``: ``readable`` too) and every other
    attribute value (``attributes``: ``numbers=False``, so a chart's axis number or a theme's colour "F79646" is
    never taken for an ID's shape)."""

    readable: set[str]
    attributes: set[str]

    @classmethod
    def of(cls, root: Element) -> "_TreeTexts":
        readable = set(root.itertext())
        attributes: set[str] = set()
        for el in root.iter():
            attrib = el.attrib
            if attrib:
                attributes.update(attrib.values())
                if local(el.tag) == "cNvPr":
                    readable.update(value for key, value in attrib.items() if local(key) in READABLE_ATTRIBUTES)
        return cls(readable, attributes)

    @classmethod
    def union(cls, many: Iterable["_TreeTexts"]) -> "_TreeTexts":
        many = list(many)
        return cls(set().union(*(t.readable for t in many)), set().union(*(t.attributes for t in many)))

    def clean_at_once(self, matcher: Matcher) -> bool:
        """True only when none of the texts holds anything, answered for them all at once (``Matcher.none_in``);
        False: look at each."""
        return _nothing_at_once(matcher, self.readable) and matcher.none_in([t for t in self.attributes if t],
                                                                           numbers=False)

    def clean(self, matcher: Matcher) -> bool:
        """True when none of the texts holds anything: at once, else text by text."""
        return self.clean_at_once(matcher) or not (any(matcher.kinds_in(text) for text in self.readable) or any(
            matcher.kinds_in(text, numbers=False) for text in self.attributes))


def _place_in(name: str) -> str:
    if name.startswith("xl/charts/"):
        return "a chart"
    if name.startswith("xl/drawings/"):
        return "a drawing"
    if name.startswith("xl/tables/"):
        return "a table's definition"
    return "the raw XML"


def _where_in_part(name: str, path: list[str], attribute: str | None) -> str | None:
    """A closer description for chart titles and labels and for drawings' alt text and names."""
    if name.startswith("xl/charts/"):
        if "title" in path:
            return "a chart title"
        if {"cat", "tx", "dLbls", "dLbl", "legend", "ser"} & set(path):
            return "a chart's labels"
    if name.startswith("xl/drawings/") and path[-1] == "cNvPr":
        if attribute in ("descr", "title"):
            return "a chart's or picture's alt text"
        return "a chart's or picture's name"
    return None


def _unparsed(package: Package, name: str, matcher: Matcher) -> Iterator[Leak]:
    """A part that claims to be XML but does not parse: its text is still looked at, whole."""
    text = package.parts[name].decode("utf-8", errors="replace")
    for kind in sorted(matcher.kinds_in(text, numbers=False)):
        yield Leak(name, kind, f"{_phrase(kind)} appears in the raw XML ({name}).")


def _workbook(root: Element, matcher: Matcher) -> Iterator[Leak]:
    for text, path, attribute in _texts(root):
        if path[-1] == "sheet" and attribute == "name":
            place, part = "a sheet's name", "xl/workbook.xml"
        elif path[-1] == "definedName":
            place, part = "a defined name", "defined name"
        else:
            place, part = "the raw XML", "xl/workbook.xml"
        readable = place != "the raw XML"
        for kind in sorted(_kinds(matcher, text, path, attribute, readable)):
            yield Leak(part, kind, f"{_phrase(kind)} appears in {place} (xl/workbook.xml).")


def _properties(name: str, root: Element, matcher: Matcher) -> Iterator[Leak]:
    for text, path, attribute in _texts(root):
        prop = path[1] if len(path) > 1 else path[0]
        if path[-1] == "property" or "property" in path:
            prop = "a custom property"
        for kind in sorted(_kinds(matcher, text, path, attribute, readable=attribute is None)):
            yield Leak("document properties", kind,
                       f"{_phrase(kind)} appears in the document properties ({prop}, {name}).")
