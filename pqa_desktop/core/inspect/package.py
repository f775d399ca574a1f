"""Opening a workbook for inspection: the zip package, its XML parts, its relationships.

The workbook may come from anyone (``pqa inspect`` on a file someone sent), so it is opened with the
same caution as an input: bounded sizes and member counts, XML parsed with entity expansion refused
(defusedxml), nothing executed, no link followed.
"""
from __future__ import annotations

import calendar
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import XMLParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..runtime.memory import no_cycle_collection

MAX_PARTS = 10_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200  # uncompressed : compressed, above RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 10 * 1024 * 1024
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx (and old .xls) files

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class WorkbookUnreadable(ValueError):
    """The file is not an .xlsx workbook the inspector can open (the message says why, in plain English)."""


@lru_cache(maxsize=4096)  # a workbook has a few dozen tags, each seen thousands of times
def local(tag: str) -> str:
    """An XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True)
class Relationship:
    source: str  # the part the relationship belongs to
    type: str  # last segment of the relationship type: worksheet, hyperlink, comments, chart, ...
    target: str  # resolved part name, or the raw target when external
    external: bool


@dataclass
class Package:
    parts: dict[str, bytes]
    relationships: list[Relationship] = field(default_factory=list)
    _xml: dict[str, Element | None] = field(default_factory=dict)
    _owner: dict[str, str] | None = None  # sheet_of_parts, worked out once
    _tags: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    _elements: dict[str, dict[str, list[Element]]] = field(default_factory=dict)

    def tags(self, name: str) -> dict[str, list[str]]:
        """The tags in the part's XML by local name ({"c": ["{...main}c"]}): ``elements`` with each gives
        those elements (in document order, tag by tag)."""
        if name not in self._tags:
            found: dict[str, list[str]] = {}
            for tag in sorted(self.elements(name)):
                found.setdefault(local(tag), []).append(tag)
            self._tags[name] = found
        return self._tags[name]

    def elements(self, name: str) -> dict[str, list[Element]]:
        """The part's elements by tag, each list in document order: ``list(root.iter(tag))`` of every tag, from
        one walk of the tree. The checks ask a sheet for its rows, columns, cells, values and formulas: each
        ``root.iter(tag)`` walked all of a large sheet's ~45,000 elements again (3 ms a walk)."""
        found = self._elements.get(name)
        if found is None:
            found = self._elements[name] = {}
            root = self.xml(name)
            for el in (root.iter() if root is not None else ()):
                try:
                    found[el.tag].append(el)
                except KeyError:
                    found[el.tag] = [el]
        return found

    def xml(self, name: str) -> Element | None:
        """The part's parsed XML, or None when it is absent or not well-formed XML."""
        if name not in self._xml:
            data = self.parts.get(name)
            try:
                self._xml[name] = _parse(data) if data is not None else None
            except (DefusedXmlException, SyntaxError, ValueError):
                self._xml[name] = None
        return self._xml[name]

    def is_xml(self, name: str) -> bool:
        return name.endswith((".xml", ".rels", ".vml")) or self.parts[name].lstrip()[:5] == b"<?xml"


# Entities can only be declared in a document type declaration. A part with none, in an encoding whose
# markup is plain ASCII bytes, cannot declare one, so the standard library's parser (written in C, twice
# as fast as defusedxml's pure-Python one) reads it to the same tree; any other part goes to defusedxml,
# which refuses entities.
_DECLARATIONS = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"<\?xml[^>]*>")
_ENCODING = re.compile(rb"""\sencoding\s*=\s*["']([^"']*)["']""")
_ASCII_MARKUP = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii", b"iso-8859-1", b"latin-1", b"latin1",
                           b"windows-1252", b"cp1252"})
_UTF8_BOM = b"\xef\xbb\xbf"


# The app builds on a worker thread of the window's process, and one call into the parser's C code keeps the
# window waiting until it returns: a council's largest sheet (a few megabytes of XML) took 80-180 ms in one
# call. Fed in pieces, each call is a few milliseconds, with the window's turn in between; the tree and the
# errors are the same as ``fromstring``'s, which feeds the whole text to the same parser at once.
_FEED_BYTES = 256 * 1024


def _stdlib_fromstring(data: bytes) -> Element:
    parser = XMLParser()
    for start in range(0, len(data), _FEED_BYTES):
        parser.feed(data[start:start + _FEED_BYTES])
    return parser.close()


def _parse(data: bytes) -> Element:
    return _stdlib_fromstring(data) if _without_declarations(data) else fromstring(data)


def _without_declarations(data: bytes) -> bool:
    """Whether the part certainly declares no document type or entity (see _DECLARATIONS)."""
    if b"\x00" in data or data[:2] in (b"\xfe\xff", b"\xff\xfe"):  # UTF-16 or UTF-32
        return False
    start = data[len(_UTF8_BOM):] if data.startswith(_UTF8_BOM) else data
    if start.startswith(b"<?xml"):
        declaration = _XML_DECLARATION.match(start)
        if declaration is None:
            return False
        if b"encoding" in declaration.group():
            encoding = _ENCODING.search(declaration.group())
            if encoding is None or encoding.group(1).lower() not in _ASCII_MARKUP:
                return False
    return _DECLARATIONS.search(data) is None


def open_package(data: bytes | str | Path) -> Package:
    """Read every part of the workbook into memory, within the size limits."""
    if not isinstance(data, (bytes, bytearray)):
        try:
            data = Path(data).read_bytes()
        except OSError as exc:
            raise WorkbookUnreadable(f"Cannot read {Path(data).name}: {exc.strerror or exc}.") from exc
    if bytes(data[:8]) == OLE_SIGNATURE:
        raise WorkbookUnreadable("The workbook is password protected: give its password so it can be "
                                 "decrypted and inspected.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        _check_limits(infos)
        # A folder entry ends with '/'; ZipInfo.is_dir() raises IndexError on a part with an empty name.
        parts = {info.filename: archive.read(info) for info in infos if not info.filename.endswith("/")}
    except WorkbookUnreadable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, ValueError,
            NotImplementedError, zlib.error) as exc:
        raise WorkbookUnreadable("The file is not an Excel workbook (.xlsx), or it is damaged.") from exc
    package = Package(parts=parts)
    package.relationships = _relationships(package)
    return package


def _check_limits(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_PARTS:
        raise WorkbookUnreadable(f"The workbook has more than {MAX_PARTS:,} parts, far more than any "
                                 "report: it was not inspected.")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise WorkbookUnreadable("The workbook unpacks to more than 512 MB: it was not inspected.")
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise WorkbookUnreadable("The workbook is compressed far more than a real workbook is "
                                     "(a 'zip bomb'): it was not inspected.")


def _relationships(package: Package) -> list[Relationship]:
    out = []
    for name in sorted(package.parts):
        if not name.endswith(".rels"):
            continue
        root = package.xml(name)
        if root is None:
            continue
        folder, rels_file = posixpath.split(name)  # "xl/worksheets/_rels", "sheet1.xml.rels"
        source_dir = posixpath.dirname(folder)
        source = posixpath.join(source_dir, rels_file[:-len(".rels")]) if rels_file != ".rels" else ""
        for rel in root:
            if local(rel.tag) != "Relationship":
                continue
            target = rel.get("Target", "")
            external = rel.get("TargetMode", "").lower() == "external"
            if not external:
                target = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                            else posixpath.join(source_dir, target))
            out.append(Relationship(source, rel.get("Type", "").rsplit("/", 1)[-1], target, external))
    return out


@dataclass(frozen=True)
class Sheet:
    name: str
    part: str
    state: str  # visible, hidden, veryHidden


def sheets(package: Package) -> list[Sheet]:
    """The workbook's sheets, in order, with their parts."""
    root = package.xml("xl/workbook.xml")
    if root is None:
        return []
    targets = {}
    rels = package.xml("xl/_rels/workbook.xml.rels")
    for rel in (rels if rels is not None else []):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = (target.lstrip("/") if target.startswith("/")
                                  else posixpath.normpath(posixpath.join("xl", target)))
    out = []
    for el in root.iter():
        if local(el.tag) == "sheet":
            part = targets.get(el.get(f"{{{REL_NS}}}id"), "")
            out.append(Sheet(el.get("name", ""), part, el.get("state", "visible")))
    return out


def sheet_of_parts(package: Package) -> dict[str, str]:
    """Which sheet each part hangs from (worksheet -> drawing -> chart, worksheet -> comments, ...)."""
    if package._owner is not None:
        return package._owner
    owner: dict[str, str] = {}
    frontier = [(s.part, s.name) for s in sheets(package)]
    while frontier:
        part, sheet = frontier.pop()
        if part in owner:
            continue
        owner[part] = sheet
        frontier.extend((r.target, sheet) for r in package.relationships if r.source == part and not r.external)
    package._owner = owner
    return owner


_MONTH_YEAR = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|"
                         r"December) (\d{4})\b")


def own_dates(package: Package) -> set[date]:
    """The dates the report itself states, read from its core properties: the date produced (created,
    modified) and the last day of the month its title or subject names (the period's snapshot). A
    child born on one of those days is not an alarm: the report must be able to say its own dates."""
    root = package.xml("docProps/core.xml")
    found: set[date] = set()
    if root is None:
        return found
    for el in root:
        text = (el.text or "").strip()
        if local(el.tag) in ("created", "modified"):
            try:
                found.add(date.fromisoformat(text[:10]))
            except ValueError:
                pass
        elif local(el.tag) in ("title", "subject"):
            for m in _MONTH_YEAR.finditer(text):
                month = MONTH_NAMES.index(m.group(1)) + 1
                year = int(m.group(2))
                found.add(date(year, month, calendar.monthrange(year, month)[1]))
    return found
