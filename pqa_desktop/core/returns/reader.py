"""Entry point for auditor returns and audit registers: ``read_return(item)``.

Returns None when the input is neither (the pipeline then tries the export readers). A spreadsheet
that cannot be opened at all (password, damage) is claimed here as "unreadable" with one error
finding, since no other reader could do better with it.
"""
from __future__ import annotations

from ..findings import FindingSink, Severity
from ..inputs.tables import (RULE_PASSWORD, SPREADSHEET_SUFFIXES, TABLE_SUFFIXES, UNOPENABLE_RULES,
                             SheetTable, is_password_protected, read_tables, report_unopenable)
from ..records import InputFile, ReadResult
from .ooxml import read_package_info
from .overrides import Overrides, apply_overrides
from .register_reader import detect_register, read_registers
from .template_reader import read_template

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


def read_return_with_tables(item: InputFile, overrides: Overrides | None = None
                            ) -> tuple[ReadResult | None, list[SheetTable] | None]:
    """``read_return`` plus the sheets it read (None when it read none, or could not open the file).

    The pipeline hands the sheets of a file that is not a return to the export reader, so a large
    export is read from its bytes once, not twice.
    """
    suffix = item.suffix
    if suffix not in TABLE_SUFFIXES:
        return None, None
    sink = FindingSink(item.name)
    if suffix in SPREADSHEET_SUFFIXES and is_password_protected(item.data):
        report_unopenable(item, sink)
        return _unreadable(sink), None

    package = read_package_info(item.data) if suffix in _OOXML_SUFFIXES else None
    if suffix in _OOXML_SUFFIXES and package is None and item.data.startswith(b"PK"):
        # A zip that is not a workbook (or a damaged one): calamine cannot open it either.
        report_unopenable(item, sink)
        return _unreadable(sink), None

    tables = read_tables(item, sink)
    if any(f.severity == Severity.ERROR and f.rule in UNOPENABLE_RULES for f in sink.findings):
        if suffix == ".csv":
            return None, None  # a text file that is not a table: not ours to judge
        return _unreadable(sink), None
    apply_overrides(tables, overrides)

    template = read_template(item, tables, package, sink)
    if template is not None:
        return template, tables

    registers = [reg for table in tables if (reg := detect_register(table)) is not None]
    if registers:
        modified = package.modified if package and package.modified else item.modified
        return read_registers(item, registers, sink, modified), tables
    return None, tables
