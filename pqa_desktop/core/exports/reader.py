"""Entry point for system exports: ``read_export(item)``.

Every sheet of a spreadsheet (or the one table of a CSV) is recognised by its headers alone, never
by file or sheet name, and read into an ExportTable. A sheet that nearly matches a kind but lacks
required columns gives one error finding per missing column and is not read. A ``.xml`` file is
tried as the workforce census. Returns None when nothing in the file is a system export (the
pipeline tries the auditor-returns reader first, then this).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Sequence

from ..findings import Finding, FindingSink, Severity
from ..inputs.tables import TABLE_SUFFIXES, UNOPENABLE_RULES, SheetHead, SheetTable, read_tables
from ..records import InputFile, ReadResult
from ..returns.ooxml import read_package_info
from ..returns.overrides import Overrides, apply_overrides
from . import rules
from .census import read_census
from .model import ExportTable
from .recognise import HeaderMatch, recognise
from .sheet_reader import Seen, read_sheet

KIND = "system_export"


def _missing_columns(match: HeaderMatch, table: SheetTable, sink: FindingSink) -> None:
    spec = match.spec
    for column_id in match.missing:
        column = spec.column(column_id)
        also = f" (or {', '.join(repr(a) for a in column.aliases)})" if column.aliases else ""
        sink.error(rules.MISSING_COLUMN,
                   f"This sheet looks like the {spec.label} export but has no '{column.header}' "
                   f"column{also} in its header row (row {match.header_row + 1}), so it was not read. "
                   "Export the list again with every column, or rename the column to match.",
                   sheet=table.sheet)


def _label(exports: list[ExportTable], near: list[HeaderMatch]) -> str:
    """What the app shows for the file: the table's label, or a count of what it holds."""
    labels = [t.label for t in exports] or [f"{m.spec.label} (not read: columns missing)" for m in near]
    if len(labels) == 1:
        return labels[0]
    kinds = [t.kind for t in exports] or [m.spec.kind for m in near]
    if exports and all(k.startswith("annex_a_") for k in kinds):
        return f"Annex A ({len(exports)} lists)"
    if exports:
        return f"System exports ({len(exports)} tables)"
    return f"System exports (not read: columns missing in {len(near)} sheets)"


@dataclass
class TypedSheet:
    """One sheet read as an export while its workbook was being read (``sheet_reader``): the table and the
    findings reading it gave, in their order, and the identifying strings met in it."""

    table: ExportTable
    findings: list[Finding]
    seen: Seen


def _modified(item: InputFile) -> datetime | None:
    if item.suffix in (".xlsx", ".xlsm"):
        package = read_package_info(item.data)
        if package is not None and package.modified is not None:
            return package.modified
    return item.modified


def sheet_reader(item: InputFile, today: date | None = None) -> Callable[[SheetTable], TypedSheet | None]:
    """What reads each sheet of ``item`` as an export as soon as it is read (the returns reader's
    ``hand_over``): a sheet that is an export (a complete match) comes back typed, as ``read_export`` would
    read it, so its cells need not be held until the whole workbook has been read; None for any other."""
    modified: list[datetime | None] = []  # the package's, read once, when the first sheet is typed

    def read(table: SheetTable) -> TypedSheet | None:
        match = recognise(table)
        if match is None or not match.complete:
            return None
        if not modified:
            modified.append(_modified(item))
        sink, seen = FindingSink(item.name), Seen()
        export = read_sheet(table, match, item.name, sink, seen, today or date.today(), modified[0])
        return TypedSheet(export, sink.findings, seen)

    return read


def read_export(item: InputFile, tables: list[SheetTable] | None = None,
                today: date | None = None, overrides: Overrides | None = None,
                found: Sequence[Finding] = ()) -> ReadResult | None:
    """Read one input as system exports; None if no sheet of it is a (nearly) recognised export.

    ``tables`` may pass sheets already read by another reader, to save reading a large file twice (a
    ``SheetHead`` whose ``read_as`` is a ``TypedSheet`` was read as an export already, see ``sheet_reader``),
    and ``found`` what that reading found (a sheet too large to read whole...), reported with the export;
    ``today`` (for tests) is the day a date of birth must not be after; ``overrides`` ((sheet, cell)
    -> value, the workspace's value corrections) are written into the grids before they are read.
    """
    suffix = item.suffix
    today = today or date.today()
    modified = _modified(item)
    if suffix == ".xml":
        return read_census(item, today=today, modified=modified)
    if suffix not in TABLE_SUFFIXES:
        return None

    sink = FindingSink(item.name)
    if tables is None:
        tables = read_tables(item, sink)
    else:
        sink.findings.extend(found)
    if any(f.severity == Severity.ERROR and f.rule in UNOPENABLE_RULES for f in sink.findings):
        return None  # an unopenable file: the returns reader has already said so
    apply_overrides([t for t in tables if not isinstance(t, SheetHead)], overrides)  # typed with them

    seen = Seen()
    exports: list[ExportTable] = []
    near: list[HeaderMatch] = []
    for table in tables:
        typed = table.read_as if isinstance(table, SheetHead) else None
        if isinstance(typed, TypedSheet):
            sink.findings.extend(typed.findings)
            seen.sensitive |= typed.seen.sensitive
            seen.staff_names |= typed.seen.staff_names
            exports.append(typed.table)
            continue
        match = recognise(table)
        if match is None:
            continue
        if not match.complete:
            _missing_columns(match, table, sink)
            near.append(match)
            continue
        exports.append(read_sheet(table, match, item.name, sink, seen, today, modified))
    if not exports and not near:
        return None
    return ReadResult(kind=KIND, kind_label=_label(exports, near), findings=sink.findings,
                      sensitive=seen.sensitive, staff_names=seen.staff_names, exports=exports)
