"""What the leak inspector reports: where, what kind, in plain English, never the leaked value."""
from __future__ import annotations

from dataclasses import dataclass

# Kinds of leak that are about the package rather than personal data (personal data kinds are in
# matching.KIND_PHRASES).
HIDDEN_SHEET = "hidden sheet"
HIDDEN_ROW = "hidden row"
HIDDEN_COLUMN = "hidden column"
HIDDEN_OBJECT = "hidden object"
COMMENT = "comment"
EXTERNAL_LINK = "external link"
CUSTOM_XML = "custom XML"
PIVOT_CACHE = "pivot cache"
MACRO = "macro"
EMBEDDED_OBJECT = "embedded object"
AUTHOR = "author"
UNREADABLE_PART = "unreadable part"
INVISIBLE_TEXT = "invisible text"


@dataclass(frozen=True)
class Leak:
    """One thing in the workbook that must not be emailed.

    ``part`` is a package part ("xl/worksheets/sheet3.xml"), a cell ("cell 'Audit list'!B7"),
    "defined name" or "document properties"; ``kind`` is one of the kinds above or of
    matching.KIND_PHRASES; ``detail`` says in plain English where and what kind, never the value.
    """

    part: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return self.detail
