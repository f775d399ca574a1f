"""Which council the user means: a local authority's name (as the DfE writes it, or a common form of it:
"Leeds City Council", "County Durham", "Bristol"), its old 3-digit LA number (383) or its 9-character code
(E08000035; a former code such as E10000002 for Buckinghamshire still works). Only councils with published
figures in the latest year can be chosen; an unknown or ambiguous text is an error naming the near matches.
"""
from __future__ import annotations

import difflib
import re

from .dataset import Area, PublishedData

CODE = re.compile(r"^E(0[6-9]|10)\d{6}$", re.IGNORECASE)
HOW = ("Give the council's name as the DfE writes it (for example 'Leeds'), its 3-digit LA number (383) "
       "or its 9-character code (E08000035).")
# Words around a council's name that the DfE's names leave out.
_AFFIXES = ("london borough of ", "royal borough of ", "metropolitan borough of ", "borough of ", "city of ",
            "county of ", "the ")
_SUFFIXES = (" metropolitan borough council", " borough council", " city council", " county council",
             " district council", " council", " borough", " city of", " county of", " city")


class UnknownCouncil(ValueError):
    """The text names no current council, or more than one; the message lists the near matches."""

    def __init__(self, message: str, near: list[str] | None = None):
        super().__init__(message)
        self.near = near or []


def name_key(text: str) -> str:
    """Case, punctuation and '&' ignored: "St. Helens" and "st helens" match; "Brighton & Hove" is "brighton
    and hove"."""
    s = str(text).lower().replace("&", " and ")
    s = re.sub(r"[^\w]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _short_key(key: str) -> str:
    """The name without council words ("leeds city council" -> "leeds", "county durham" -> "durham")."""
    changed = True
    while changed:
        changed = False
        for affix in _AFFIXES:
            if key.startswith(affix) and len(key) > len(affix):
                key, changed = key[len(affix):], True
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, changed = key[: -len(suffix)], True
    if key.startswith("county ") and len(key) > 7:
        key = key[7:]
    return key


def _names(area: Area, aliases: dict[int, set[str]]) -> set[str]:
    return {area.name, *aliases.get(area.number, ())}


def resolve_council(text: str, data: PublishedData, aliases: dict[int, set[str]] | None = None) -> Area:
    """The current council ``text`` names; UnknownCouncil (listing near matches) when none or several do.
    ``aliases``: other names by LA number (resources/la_codes.csv's spellings)."""
    aliases = aliases if aliases is not None else _code_list_names()
    wanted = str(text or "").strip()
    if not wanted:
        raise UnknownCouncil(f"No council given. {HOW}")
    current = data.current_councils()
    by_number = {a.number: a for a in current}
    region_keys = {name_key(a.name) for a in data.areas.values() if a.kind != "la"}

    if wanted.isdigit():
        area = by_number.get(int(wanted))
        if area is not None:
            return area
        old = data.areas.get(int(wanted))
        if old is not None and old.kind == "la":
            raise UnknownCouncil(f"{old.name} (LA number {wanted}) has no published figures for the latest year: "
                                 f"it was replaced in a local government reorganisation. {HOW}")
        raise UnknownCouncil(f"No English local authority has the LA number {wanted}. {HOW}")
    if CODE.match(wanted):
        code = wanted.upper()
        for area in current:
            if code in area.codes:
                return area
        old = next((a for a in data.las() if code in a.codes), None)
        if old is not None:
            raise UnknownCouncil(f"{old.name} ({code}) has no published figures for the latest year: it was "
                                 f"replaced in a local government reorganisation. {HOW}")
        raise UnknownCouncil(f"No English local authority has the code {code}. {HOW}")

    key = name_key(wanted)
    if key in region_keys:
        near = [a.name for a in current if key in name_key(a.name)][:5]
        raise UnknownCouncil(f"{wanted!r} is a region or England, not a council."
                             f"{' Did you mean ' + _or(near) + '?' if near else ''} {HOW}", near)
    full: dict[str, set[int]] = {}
    short: dict[str, set[int]] = {}
    for area in current:
        for name in _names(area, aliases):
            k = name_key(name)
            full.setdefault(k, set()).add(area.number)
            s = _short_key(k)
            if s not in region_keys:  # "City of London" is never just "London"
                short.setdefault(s, set()).add(area.number)
    for table, probe in ((full, key), (short, _short_key(key))):
        found = table.get(probe)
        if found and len(found) == 1:
            return by_number[next(iter(found))]
        if found:
            return _ambiguous(wanted, [by_number[n] for n in found])
    # part of a name ("Kingston"): every current council whose name holds it as whole words
    containing = sorted({n for k, numbers in full.items() if re.search(rf"\b{re.escape(key)}\b", k)
                         for n in numbers})
    if len(containing) == 1:
        return by_number[containing[0]]
    if containing:
        return _ambiguous(wanted, [by_number[n] for n in containing])
    old = next((a for a in data.las() if name_key(a.name) == key or _short_key(name_key(a.name)) == _short_key(key)),
               None)
    near = _near(key, current, aliases)
    if old is not None:
        raise UnknownCouncil(f"{old.name} has no published figures for the latest year: it was replaced in a "
                             f"local government reorganisation."
                             f"{' Did you mean ' + _or(near) + '?' if near else ''} {HOW}", near)
    raise UnknownCouncil(f"No council called {wanted!r}.{' Did you mean ' + _or(near) + '?' if near else ''} {HOW}",
                         near)


def _ambiguous(wanted: str, areas: list[Area]) -> Area:
    names = sorted(a.name for a in areas)
    raise UnknownCouncil(f"{wanted!r} could be {_or(names)}: give the full name, the LA number or the code. {HOW}",
                         names)


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _near(key: str, current: list[Area], aliases: dict[int, set[str]]) -> list[str]:
    """Up to five current councils whose names are closest to what was typed (difflib's ratio)."""
    keys: dict[str, str] = {}
    for area in current:
        for name in _names(area, aliases):
            keys.setdefault(name_key(name), area.name)
            keys.setdefault(_short_key(name_key(name)), area.name)
    matches = difflib.get_close_matches(key, list(keys), n=10, cutoff=0.6)
    matches += difflib.get_close_matches(_short_key(key), list(keys), n=10, cutoff=0.6)
    return list(dict.fromkeys(keys[m] for m in matches))[:5]


def _code_list_names() -> dict[int, set[str]]:
    """Other spellings of councils' names (resources/la_codes.csv: "County Durham", "Herefordshire, County of")."""
    import csv

    from ..resources import resource

    out: dict[int, set[str]] = {}
    with open(resource("la_codes.csv"), encoding="utf-8", newline="") as fh:
        for record in csv.DictReader(fh):
            out.setdefault(int(record["LA number"]), set()).add(record["Name"].strip())
    return out
