"""The leak inspector (`pqa inspect`, and every build on its own output before saving).

Contract: the Privacy section of report-workbook.md. ``inspect_workbook`` returns every way the
workbook could leak: hidden sheets, rows, columns or objects, comments, external links and hyperlinks,
custom XML, pivot caches, macros, embedded objects, an author that is not the LA, and any child ID,
case reference, staff name or ID, date of birth or postcode known from the inputs, wherever it sits
in the package. Each Leak names where and which kind, never the value.

    leaks = inspect_with(path, sensitive_set(analysis), la_name=settings.la_name,
                         allow_case_refs=settings.include_case_refs, allow_staff_names=settings.include_staff_names)
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterable

from .content import content_leaks
from .formatting import invisible_text_leaks
from .leak import Leak
from .matching import KIND_PHRASES, CaseReferences, Matcher
from ..runtime.memory import no_cycle_collection
from .package import Package, WorkbookUnreadable, open_package, own_dates, sheets
from .sources import SensitiveSet, as_strings, own_words, sensitive_set
from .structure import structure_leaks


def inspect_workbook(data: bytes | str | Path, *, identifiers: Iterable[str] = (),
                     dates_of_birth: Iterable[date] = (), postcodes: Iterable[str] = (),
                     staff_names: Iterable[str] = (), staff_ids: Iterable[str] = (),
                     allow_case_refs: bool = False, allow_staff_names: bool = False,
                     la_name: str | None = None, ignore_dates: Iterable[date] = (),
                     file_names: Iterable[str] = ()) -> list[Leak]:
    """Every leak in the workbook (its bytes, or a path), in a stable order; [] when it is safe to send.

    ``identifiers`` are child IDs and case, carer and record references (or their ``CaseReferences``; skipped
    when the user opted in to case references, ``allow_case_refs``); ``staff_names`` are skipped when the user
    opted in to staff names. ``staff_ids`` are always checked. ``ignore_dates`` are dates the report itself shows (the
    period's end, the date produced): a child born on one of those days is not an alarm. ``file_names`` are
    the inputs' names: a date written as part of one is a file's date, not a date of birth (the same date
    anywhere else in the text still is).
    ``la_name``, when given, is what the author and last-modified-by must be; without it, a value that
    looks like a user name is reported.

    Raises WorkbookUnreadable when the file is not an .xlsx package (or is encrypted).
    """
    with no_cycle_collection():
        return _inspect(open_package(data), identifiers=identifiers, dates_of_birth=dates_of_birth,
                        postcodes=postcodes, staff_names=staff_names, staff_ids=staff_ids,
                        allow_case_refs=allow_case_refs, allow_staff_names=allow_staff_names, la_name=la_name,
                        ignore_dates=ignore_dates, file_names=file_names)


def _inspect(package: Package, *, identifiers: Iterable[str], dates_of_birth: Iterable[date],
             postcodes: Iterable[str], staff_names: Iterable[str], staff_ids: Iterable[str], allow_case_refs: bool,
             allow_staff_names: bool, la_name: str | None, ignore_dates: Iterable[date],
             file_names: Iterable[str] = ()) -> list[Leak]:
    matcher = Matcher.build(
        case_refs=() if allow_case_refs else (identifiers if isinstance(identifiers, CaseReferences)
                                              else as_strings(identifiers)),
        staff_ids=as_strings(staff_ids),
        staff_names=() if allow_staff_names else as_strings(staff_names),
        postcodes=as_strings(postcodes),
        dates_of_birth=set(dates_of_birth) - set(ignore_dates) - own_dates(package),
        own_words=own_words() | set((la_name or "").casefold().split()),
        file_names=file_names,
    )
    leaks = list(structure_leaks(package, la_name))
    leaks.extend(invisible_text_leaks(package))
    if matcher:
        leaks.extend(content_leaks(package, matcher))
    return _never_echoing(_unique(leaks), package, matcher)


def inspect_with(data: bytes | str | Path, found: SensitiveSet, **options) -> list[Leak]:
    """``inspect_workbook`` with what ``sensitive_set`` (or the pipeline's ``identifiers_from_inputs``) gathered;
    its case references as worked out for an inspection before (``SensitiveSet.case_references``)."""
    identifiers = found.case_refs if options.get("allow_case_refs") else found.case_references()
    return inspect_workbook(data, identifiers=identifiers, dates_of_birth=found.dates_of_birth,
                            postcodes=found.postcodes, staff_names=found.staff_names,
                            staff_ids=found.staff_ids, file_names=found.file_names, **options)


def _unique(leaks: list[Leak]) -> list[Leak]:
    seen: set[Leak] = set()
    out = []
    for leak in leaks:
        if leak not in seen:
            seen.add(leak)
            out.append(leak)
    return out


def _never_echoing(leaks: list[Leak], package: Package, matcher: Matcher) -> list[Leak]:
    """A message names a sheet or part; when that name itself holds personal data, say the sheet's
    position instead, and if anything is still recognisable, leave the place out altogether."""
    if not matcher:
        return leaks
    renames = {}
    for position, sheet in enumerate(sheets(package), start=1):
        if matcher.kinds_in(sheet.name):
            renames["'" + sheet.name.replace("'", "''") + "'"] = f"sheet {position}"
            renames[f"'{sheet.name}'"] = f"sheet {position}"
    out = []
    for leak in leaks:
        part, detail = leak.part, leak.detail
        for old, new in renames.items():
            part, detail = part.replace(old, new), detail.replace(old, new)
        if matcher.kinds_in(part) or matcher.kinds_in(detail):
            phrase = KIND_PHRASES.get(leak.kind, leak.kind)
            part = "a part of the workbook"
            detail = (f"Found {phrase} in a part of the workbook whose own name holds personal data, so "
                      "it is not shown here.")
        out.append(Leak(part, leak.kind, detail))
    return out


__all__ = ["inspect_workbook", "inspect_with", "sensitive_set", "SensitiveSet", "Leak",
           "WorkbookUnreadable", "KIND_PHRASES"]
