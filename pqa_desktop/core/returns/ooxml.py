"""The two parts of an .xlsx/.xlsm package that cell readers do not give us: defined names and the
workbook's own "modified" property.

Read straight from the zip (xl/workbook.xml, docProps/core.xml) with defusedxml, so the cell values
can come from python-calamine without loading the workbook a second time through openpyxl.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from defusedxml import ElementTree

from ..inputs.packages import plain_parts

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DCTERMS_NS = "{http://purl.org/dc/terms/}"
_MAX_PART_BYTES = 64 * 1024 * 1024  # a workbook.xml of thousands of sheets and names is a few MB
_WORKBOOK_PART, _CORE_PART = "xl/workbook.xml", "docProps/core.xml"


@dataclass(frozen=True)
class NameTarget:
    """Where a defined name points: a constant, or a sheet range (0-based, inclusive)."""

    constant: str | None = None
    sheet: str | None = None
    first_row: int = 0
    first_col: int = 0
    last_row: int = 0
    last_col: int = 0

    @property
    def is_range(self) -> bool:
        return self.sheet is not None


@dataclass
class PackageInfo:
    names: dict[str, NameTarget] = field(default_factory=dict)  # lower-case name -> target
    modified: datetime | None = None  # naive UTC


def read_package_info(data: bytes) -> PackageInfo | None:
    """Defined names and core modified time of an OOXML workbook; None if it is not a readable one."""
    try:
        parts = plain_parts(data, (_WORKBOOK_PART, _CORE_PART), _MAX_PART_BYTES)
        if parts is None:  # an archive the plain reading leaves to zipfile
            parts = _parts_by_zipfile(data)
    except Exception:  # noqa: BLE001 - hostile input: zipfile and its decompressors raise many types
        return None
    if parts is None or _WORKBOOK_PART not in parts:
        return None
    try:
        names = _defined_names(parts[_WORKBOOK_PART])
    except Exception:  # malformed XML: the cell reader will say the file is damaged
        return None
    return PackageInfo(names=names, modified=_core_modified(parts.get(_CORE_PART)))


def _parts_by_zipfile(data: bytes) -> dict[str, bytes] | None:
    """The workbook and core parts read with ``zipfile``; None when one is too large to read."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = set(zf.namelist())
        if _WORKBOOK_PART not in members:
            return {}
        # zipfile stops at the declared size, so refusing a huge declared size bounds the memory
        # a hostile package can take here (inputs.packages refuses such a file with a finding).
        if any(zf.getinfo(part).file_size > _MAX_PART_BYTES for part in (_WORKBOOK_PART, _CORE_PART)
               if part in members):
            return None
        return {part: zf.read(part) for part in (_WORKBOOK_PART, _CORE_PART) if part in members}


def _defined_names(workbook_xml: bytes) -> dict[str, NameTarget]:
    return dict(_defined_names_of(workbook_xml))


# Cached by the part's bytes: every return made from one template has the same workbook.xml (sheets and
# names), and parsing it again for each of a year's thousand returns was a fifth of reading one.
@lru_cache(maxsize=32)
def _defined_names_of(workbook_xml: bytes) -> tuple[tuple[str, NameTarget], ...]:
    root = ElementTree.fromstring(workbook_xml)
    sheets = [s.get("name") for s in root.iter(f"{_MAIN_NS}sheet")]
    workbook_scoped: dict[str, NameTarget] = {}
    sheet_scoped: dict[str, NameTarget] = {}
    for node in root.iter(f"{_MAIN_NS}definedName"):
        name = (node.get("name") or "").lower()
        target = parse_name_formula(node.text or "")
        if not name or target is None:
            continue
        if node.get("localSheetId") is None:
            workbook_scoped[name] = target
        else:
            # Sheet-scoped copies appear when a sheet is copied within a workbook; accepted only
            # where no workbook-scoped name of that name exists.
            index = int(node.get("localSheetId") or 0)
            if 0 <= index < len(sheets):
                sheet_scoped.setdefault(name, target)
    return tuple({**sheet_scoped, **workbook_scoped}.items())


_CELL = r"\$?([A-Za-z]{1,3})\$?(\d{1,7})"
_RANGE = re.compile(rf"^{_CELL}(?::{_CELL})?$")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


# Cached (NameTarget is frozen): every return made from one template carries the same few dozen
# formulas, and a council's year holds over a thousand returns.
@lru_cache(maxsize=4096)
def parse_name_formula(text: str) -> NameTarget | None:
    """ "case_file_audit" (quoted constant), 1, 'My sheet'!$B$4, Sheet1!$A$2:$C$6 -> NameTarget.

    A broken reference (#REF!, left when the cell was deleted) or several areas give None for the
    areas we cannot read, so the caller falls back to the label.
    """
    text = text.strip()
    if text.startswith("="):
        text = text[1:].strip()
    if not text or "#REF!" in text.upper():
        return None
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return NameTarget(constant=text[1:-1].replace('""', '"'))
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return NameTarget(constant=text)
    if "!" not in text:
        return None
    sheet_part, _, ref = text.rpartition("!")
    if "," in ref:
        return None
    if sheet_part.startswith("'") and sheet_part.endswith("'"):
        sheet_part = sheet_part[1:-1].replace("''", "'")
    m = _RANGE.match(ref.strip())
    if not m:
        return None
    c1, r1 = _col_index(m.group(1)), int(m.group(2)) - 1
    c2, r2 = (_col_index(m.group(3)), int(m.group(4)) - 1) if m.group(3) else (c1, r1)
    return NameTarget(sheet=sheet_part, first_row=min(r1, r2), first_col=min(c1, c2),
                      last_row=max(r1, r2), last_col=max(c1, c2))


def _core_modified(core_xml: bytes | None) -> datetime | None:
    if not core_xml:
        return None
    try:
        root = ElementTree.fromstring(core_xml)
    except Exception:
        return None
    node = root.find(f"{_DCTERMS_NS}modified")
    if node is None or not (node.text or "").strip():
        return None
    try:
        stamp = datetime.fromisoformat(node.text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp
