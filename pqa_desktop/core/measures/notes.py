"""The workbook's notes: each a text on the cover, referred to as ``[note N]`` from any table's Note column.

The measures layer does not know the number a note will get (the audit notes, the KPI definitions and
any other section's notes are gathered from several places), so it refers to a note by its key with
``note_ref(key)``. The report layer numbers the notes once, in the order the cover lists them
(``number_notes``), and turns every reference in a Note cell into ``[note N]`` (``resolve_note_refs``).
One mechanism for every table with a Note column: the numbers cannot drift from the cover.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_REF = re.compile(r"\{note:([^{}]+)\}")


@dataclass(frozen=True)
class Note:
    """One note of the cover: ``key`` says what it is about (a measure id such as ``contacts``, or
    ``audits.moderation``), ``text`` is what the cover shows."""

    key: str
    text: str


def note_ref(key: str) -> str:
    """A reference to the note ``key``, to put in a Note cell; the workbook shows it as ``[note N]``."""
    return "{note:" + key + "}"


def note_keys(text: str) -> list[str]:
    """The keys of the notes ``text`` refers to, in order."""
    return _REF.findall(text)


def number_notes(notes: Sequence[Note]) -> dict[str, int]:
    """Each note's number on the cover: 1, 2, 3 ... in the order given (a key given twice keeps its first)."""
    numbers: dict[str, int] = {}
    for n, note in enumerate(notes, start=1):
        numbers.setdefault(note.key, n)
    return numbers


def resolve_note_refs(text: str, numbers: Mapping[str, int]) -> str:
    """``text`` with every reference written ``[note N]``. A reference to a note the cover does not list
    is dropped rather than shown as a number leading nowhere (tests/test_notes.py proves none is)."""
    if "{note:" not in text:
        return text

    def number(match: re.Match) -> str:
        n = numbers.get(match.group(1))
        return f"[note {n}]" if n is not None else ""

    return re.sub(r"\s{2,}", " ", _REF.sub(number, text)).strip()
