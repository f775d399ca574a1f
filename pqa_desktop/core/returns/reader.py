"""Entry point for auditor returns and audit registers: ``read_return(item)``.

Returns None when the input is neither (the pipeline then tries the export readers). A spreadsheet
that cannot be opened at all (password, damage) is claimed here as "unreadable" with one error
finding, since no other reader could do better with it.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from ..findings import Finding, FindingSink, Severity
from ..inputs.tables import (RULE_PASSWORD, SPREADSHEET_SUFFIXES, TABLE_SUFFIXES, UNOPENABLE_RULES,
                             SheetHead, SheetTable, is_password_protected, iter_tables, report_unopenable)
from ..records import InputFile, ReadResult
from .ooxml import read_package_info
from .overrides import Overrides, apply_overrides
from .register_reader import HEADER_WITHIN, detect_register, read_registers
from .template_reader import FORM_ROWS, read_template

_OOXML_SUFFIXES = (".xlsx", ".xlsm")


def _unreadable(sink: FindingSink) -> ReadResult:
    password = any(f.rule == RULE_PASSWORD for f in sink.findings)
    label = "Unreadable: password protected" if password else "Unreadable: could not be opened"
    # Only the opening failure is reported: warnings from a half-read file would mislead.
    findings = [f for f in sink.findings if f.rule in UNOPENABLE_RULES][:1]
    return ReadResult(kind="unreadable", kind_label=label, findings=findings)


def read_return(item: InputFile, overrides: Overrides | None = None) -> ReadResult | None:
    """Read one input as a template return or an audit register; None if it is neither.

    ``overrides`` ((sheet, cell) -> value, the workspace's value corrections) are written into the
    cell grid before anything is interpreted.
    """
    return read_return_with_tables(item, overrides)[0]


# A sheet handed to another reader keeps its first rows: the register header is within the first 10 and a
# form's labels within its first FORM_ROWS, which is all that decides whether a workbook is ours.
HEAD_ROWS = max(FORM_ROWS, HEADER_WITHIN)
_NAME_PREFIX = "pqa_"  # a workbook with PQA defined names is one of our templates: no sheet is handed over

HandOver = Callable[[SheetTable], object | None]


class ReturnRead(NamedTuple):
    """What ``read_return_with_tables`` read: the return or register (None when the input is neither), the
    sheets read (None when none were, or the file could not be opened), and, when there is no return, what
    reading the sheets found (a sheet too large to read whole, rows in another encoding, a text too long
    for a cell), for whichever reader makes something of the sheets to report; a return carries its own."""
    result: ReadResult | None
    tables: list[SheetTable] | None
    found: list[Finding]


def read_return_with_tables(item: InputFile, overrides: Overrides | None = None,
                            hand_over: HandOver | None = None) -> ReturnRead:
    """``read_return`` plus the sheets it read and what reading them found (``ReturnRead``).

    The pipeline hands the sheets of a file that is not a return to the export reader, so a large
    export is read from its bytes once, not twice. ``hand_over``, when given, is offered each sheet longer
    than ``HEAD_ROWS`` as it is read (overrides applied), in a workbook with no PQA defined names; when it
    makes something of the sheet (the export reader: its typed table) and the sheet is not an audit
    register, only the sheet's first ``HEAD_ROWS`` rows are kept, as a ``SheetHead`` with what it made,
    and the sheet's cells are let go before the next sheet is read. Should the file be claimed as a template
    return by the labels in those first rows after all, it is read again whole, so the return is read
    exactly as without ``hand_over``.
    """
    suffix = item.suffix
    if suffix not in TABLE_SUFFIXES:
        return ReturnRead(None, None, [])
    sink = FindingSink(item.name)
    if suffix in SPREADSHEET_SUFFIXES and is_password_protected(item.data):
        report_unopenable(item, sink)
        return ReturnRead(_unreadable(sink), None, [])

    package = read_package_info(item.data) if suffix in _OOXML_SUFFIXES else None
    if suffix in _OOXML_SUFFIXES and package is None and item.data.startswith(b"PK"):
        # A zip that is not a workbook (or a damaged one): calamine cannot open it either.
        report_unopenable(item, sink)
        return ReturnRead(_unreadable(sink), None, [])

    if package is not None and any(name.startswith(_NAME_PREFIX) for name in package.names):
        hand_over = None  # a template's cells may be named anywhere on its sheets
    tables: list[SheetTable] = []
    handed = False
    for table in iter_tables(item, sink):
        apply_overrides([table], overrides)
        # A sheet no longer than its head would be kept whole anyway (a return's form is well within it).
        if hand_over is not None and len(table.rows) > HEAD_ROWS and (made := hand_over(table)) is not None \
                and detect_register(table) is None:
            table = SheetHead(table.sheet, table.rows[:HEAD_ROWS], read_as=made)
            handed = True
        tables.append(table)
        del table  # the whole sheet is not held while the next is read
    if any(f.severity == Severity.ERROR and f.rule in UNOPENABLE_RULES for f in sink.findings):
        if suffix == ".csv":
            return ReturnRead(None, None, [])  # a text file that is not a table: not ours to judge
        return ReturnRead(_unreadable(sink), None, [])

    template = read_template(item, tables, package, sink)
    if template is not None:
        if handed:  # an export whose first rows read as a form: the form is read from the whole sheets
            return read_return_with_tables(item, overrides)
        return ReturnRead(template, tables, [])

    registers = [reg for table in tables if (reg := detect_register(table)) is not None]  # never a SheetHead
    if registers:
        modified = package.modified if package and package.modified else item.modified
        return ReturnRead(read_registers(item, registers, sink, modified), tables, [])
    return ReturnRead(None, tables, sink.findings)
