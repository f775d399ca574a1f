"""Checks on how the workbook is put together, whatever its data: the contract's "no hidden sheets,
rows or columns, no pivot caches, no external links, no comments, no custom XML; the author and
last-modified-by are the LA name, never the Windows user name". Macros and embedded objects are
reported too: a report never needs them and either can carry anything.
"""
from __future__ import annotations

import getpass
import os
import re
from typing import Iterator

from .leak import (AUTHOR, COMMENT, CUSTOM_XML, EMBEDDED_OBJECT, EXTERNAL_LINK, HIDDEN_COLUMN, HIDDEN_OBJECT,
                   HIDDEN_ROW, HIDDEN_SHEET, MACRO, PIVOT_CACHE, UNREADABLE_PART, Leak)
from .package import Package, local, sheet_of_parts, sheets

CORE_PROPERTIES = "docProps/core.xml"
COMMENT_PARTS = re.compile(r"^xl/(comments[^/]*\.xml|threadedComments/|persons/)", re.IGNORECASE)
PIVOT_PARTS = re.compile(r"^xl/(pivotCache|pivotTables)/", re.IGNORECASE)
EXTERNAL_PARTS = re.compile(r"^xl/(externalLinks/|connections\.xml$|queryTables/)", re.IGNORECASE)
MACRO_PARTS = re.compile(r"(^|/)vbaProject\.bin$|^xl/macrosheets/|^xl/activeX/", re.IGNORECASE)
EMBEDDED_PARTS = re.compile(r"^xl/embeddings/", re.IGNORECASE)
TRUE = ("1", "true")


def structure_leaks(package: Package, la_name: str | None) -> Iterator[Leak]:
    yield from _hidden_sheets(package)
    yield from _hidden_rows_and_columns(package)
    yield from _hidden_objects(package)
    yield from _parts_not_allowed(package)
    yield from _external_relationships(package)
    yield from _authors(package, la_name)
    yield from _unreadable_parts(package)


def _unreadable_parts(package: Package) -> Iterator[Leak]:
    """An XML part that does not parse (or declares entities) could not be checked: say so rather than
    pass it. Excel would refuse or "repair" such a file too."""
    for name in sorted(package.parts):
        if package.is_xml(name) and package.xml(name) is None:
            yield Leak(name, UNREADABLE_PART, f"Part {name} is not well-formed XML or declares entities, so "
                                              "it could not be checked. Build the workbook again.")


def _on_sheet(owner: dict[str, str], part: str) -> str:
    sheet = owner.get(part)
    return f" on sheet '{sheet}'" if sheet else ""


def _hidden_sheets(package: Package) -> Iterator[Leak]:
    for sheet in sheets(package):
        if sheet.state != "visible":
            how = "very hidden (only a macro can show it)" if sheet.state == "veryHidden" else "hidden"
            yield Leak("xl/workbook.xml", HIDDEN_SHEET, f"Sheet '{sheet.name}' is {how}.")


def _runs(numbers: list[int]) -> list[str]:
    """[3, 4, 5, 9] -> ["3 to 5", "9"]."""
    out: list[str] = []
    for n in sorted(set(numbers)):
        if out and isinstance(out[-1], list) and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return [f"{a}" if a == b else f"{a} to {b}" for a, b in out]


def _column_letter(n: int) -> str:
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _hidden_rows_and_columns(package: Package) -> Iterator[Leak]:
    for sheet in sheets(package):
        root = package.xml(sheet.part)
        if root is None:
            continue
        rows, columns = [], []  # in any order: _runs sorts them
        tags, elements = package.tags(sheet.part), package.elements(sheet.part)
        for el in (el for tag in tags.get("row", ()) for el in elements[tag]):
            if el.get("hidden") in TRUE or _zero(el.get("ht")):
                if (el.get("r") or "").isdigit():
                    rows.append(int(el.get("r")))
        for el in (el for tag in tags.get("col", ()) for el in elements[tag]):
            if el.get("hidden") in TRUE or _zero(el.get("width")):
                lo, hi = el.get("min", "0"), el.get("max", "0")
                if lo.isdigit() and hi.isdigit():
                    columns.extend(range(int(lo), min(int(hi), 16384) + 1))
        for run in _runs(rows):
            yield Leak(sheet.part, HIDDEN_ROW, f"{_plural('Row', run)} {run} of sheet '{sheet.name}' "
                                               f"{_is_are(run)} hidden.")
        for run in _runs(columns):
            letters = " to ".join(_column_letter(int(n)) for n in run.split(" to "))
            yield Leak(sheet.part, HIDDEN_COLUMN, f"{_plural('Column', run)} {letters} of sheet "
                                                  f"'{sheet.name}' {_is_are(run)} hidden.")


def _plural(word: str, run: str) -> str:
    return word + "s" if " to " in run else word


def _is_are(run: str) -> str:
    return "are" if " to " in run else "is"


def _zero(value: str | None) -> bool:
    try:
        return value is not None and float(value) == 0
    except ValueError:
        return False


def _hidden_objects(package: Package) -> Iterator[Leak]:
    owner = sheet_of_parts(package)
    for name in sorted(package.parts):
        if not name.startswith("xl/drawings/") or not name.endswith(".xml"):
            continue
        root = package.xml(name)
        if root is None:
            continue
        if any(local(el.tag) == "cNvPr" and el.get("hidden") in TRUE for el in root.iter()):
            yield Leak(name, HIDDEN_OBJECT, f"A chart, picture or shape{_on_sheet(owner, name)} is hidden.")


def _parts_not_allowed(package: Package) -> Iterator[Leak]:
    owner = sheet_of_parts(package)
    checks = (
        (COMMENT_PARTS, COMMENT, "Comments or notes{where} ({part}): a comment can hold anything, and "
                                 "its author's name."),
        (PIVOT_PARTS, PIVOT_CACHE, "A pivot table or pivot cache ({part}): it keeps a copy of the rows "
                                   "it was made from."),
        (EXTERNAL_PARTS, EXTERNAL_LINK, "A link to another workbook or data source ({part})."),
        (MACRO_PARTS, MACRO, "Macros or controls ({part})."),
        (EMBEDDED_PARTS, EMBEDDED_OBJECT, "An embedded file or object ({part}): it can hold anything."),
    )
    for name in sorted(package.parts):
        if name.endswith(".rels"):
            continue  # a part's relationships are reported with the part (and external targets below)
        if name.lower().startswith("customxml/"):
            yield Leak(name, CUSTOM_XML, f"Custom XML data ({name}).")
            continue
        for pattern, kind, message in checks:
            if pattern.search(name):
                yield Leak(name, kind, message.format(where=_on_sheet(owner, name), part=name))
                break


def _external_relationships(package: Package) -> Iterator[Leak]:
    owner = sheet_of_parts(package)
    for rel in package.relationships:
        if not rel.external:
            continue
        where = _on_sheet(owner, rel.source) or f" in {rel.source or 'the package'}"
        if rel.type == "hyperlink":
            detail = f"A hyperlink to an outside address{where}."
        else:
            detail = f"A link to an outside file or address{where} (relationship type '{rel.type}')."
        yield Leak(rel.source or "_rels/.rels", EXTERNAL_LINK, detail)


def user_names() -> set[str]:
    """The names this computer's user signs in with (compared case-insensitively)."""
    names = {os.environ.get(v, "") for v in ("USERNAME", "USER", "LOGNAME")}
    try:
        names.add(getpass.getuser())
    except (OSError, KeyError, ImportError):
        pass
    return {n.strip().casefold() for n in names if n and n.strip()}


def _authors(package: Package, la_name: str | None) -> Iterator[Leak]:
    root = package.xml(CORE_PROPERTIES)
    if root is None:
        return
    expected = _words(la_name) if la_name else None
    logins = user_names()
    labels = {"creator": "author", "lastModifiedBy": "last-modified-by"}
    for el in root:
        label = labels.get(local(el.tag))
        value = (el.text or "").strip()
        if label is None or not value:
            continue
        if expected is not None:
            if _words(value) != expected:
                yield Leak("document properties", AUTHOR,
                           f"The document's {label} property is not the LA name ('{la_name}'); set it to "
                           "the LA name so no one's user name travels with the report.")
        elif value.casefold() in logins or _looks_like_login(value):
            yield Leak("document properties", AUTHOR,
                       f"The document's {label} property looks like a person's user name; set it to the "
                       "LA name.")


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _looks_like_login(value: str) -> bool:
    """"jbloggs", "j.bloggs", "DOMAIN\\jbloggs", "jbloggs@council.gov.uk": one word, no spaces.
    An LA's name ("Anytown Council") has a space."""
    return " " not in value.strip() or "\\" in value or "@" in value
