"""Reading one recognised sheet into an ExportTable: typed columns, per-cell findings, flags.

Only the columns the contract names go into the frame (unknown extra columns are ignored). Rows
below the header where every recognised column is blank are not records (spacer rows, a stray
note in an unknown column). ``_row`` keeps the sheet row number for findings.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..findings import FindingSink
from ..inputs.tables import SheetTable, cell_name, column_values
from . import rules
from .checks import flag_impossible
from .columns import Distinct, parse_column
from .model import ExportTable
from .recognise import HeaderMatch
from .row_findings import RowFindings
from .spec import ColumnSpec

# What a QA officer is told for a cell that cannot be read, by column type.
_UNREADABLE = {
    "date": (rules.UNREADABLE_DATE,
             "The date in column '{header}' could not be read (write dates as dd/mm/yyyy), so it is "
             "left blank and this row is left out of figures that need it. Correct it in the export "
             "and add the file again.",
             "{{count}} more dates in column '{header}' could not be read and are left blank."),
    "number": (rules.UNREADABLE_NUMBER,
               "The value in column '{header}' is not a number, so it is left blank. Correct it in "
               "the export and add the file again.",
               "{{count}} more values in column '{header}' are not numbers and are left blank."),
    "yes_no": (rules.UNREADABLE_CODE,
               "The answer in column '{header}' is not Yes or No, so it is left blank. Use Yes or No "
               "(or a) Yes / b) No) and add the file again.",
               "{{count}} more answers in column '{header}' are not Yes or No and are left blank."),
    "codes": (rules.UNREADABLE_CODE,
              "The role in column '{header}' is not a workforce census role (1 Senior manager to 6 "
              "Qualified without cases) or one of its names, so this worker is not counted as case "
              "holding. Correct it in the list and add the file again.",
              "{{count}} more roles in column '{header}' were not recognised."),
}


@dataclass
class Seen:
    """Identifying strings met in one file (ReadResult.sensitive / staff_names)."""

    sensitive: set[str] = field(default_factory=set)
    staff_names: set[str] = field(default_factory=set)

    def add(self, column: ColumnSpec, values: pd.Series) -> None:
        if not column.personal:
            return
        present = values.dropna().unique()
        texts = [v for v in present if v.__class__ is str]
        if len(texts) == len(present) and "" not in map(str.strip, texts):
            strings = set(texts)  # parsed text: already str and never blank (the commonest case)
        else:
            strings = {str(v) for v in present if str(v).strip()}
        self.sensitive |= strings
        if column.personal == "staff":
            self.staff_names |= strings


def _unreadable_kind(column: ColumnSpec) -> str | None:
    if column.codes:
        return "codes"
    if column.type == "date":
        return "date"
    if column.type in ("int", "number"):
        return "number"
    if column.type == "yes_no":
        return "yes_no"
    return None  # codes and text are kept as written: never unreadable


def _snapshot_of(frame: pd.DataFrame, report_sink: FindingSink, sheet: str) -> date | None:
    """A workforce list's own snapshot date: the value of its Snapshot date column (the most common
    one, with a warning, if rows disagree)."""
    if "snapshot_date" not in frame:
        return None
    counts = Counter(frame["snapshot_date"].dropna())
    if not counts:
        return None
    stamp, _ = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if len(counts) > 1:
        report_sink.warning(rules.SNAPSHOT_DATES_DIFFER,
                            f"The workforce list holds {len(counts)} different snapshot dates; "
                            f"{stamp:%d/%m/%Y}, the most common, is used. Check the list was "
                            "extracted in one run.", sheet=sheet)
    return stamp.date()


def read_sheet(table: SheetTable, match: HeaderMatch, file: str, sink: FindingSink, seen: Seen,
               today: date, modified: datetime | None = None) -> ExportTable:
    spec = match.spec
    header = match.header_row
    positions = match.positions
    # Whole columns, read without cleaning every cell of the sheet: each distinct value is cleaned.
    cells = column_values(table, set(positions.values()), header + 1)
    raw: dict[str, Distinct] = {column_id: Distinct.of_cells(cells[index])
                                for column_id, index in positions.items()}
    keep = np.zeros(max(0, len(table.rows) - header - 1), dtype=bool)
    for column in raw.values():
        keep |= ~column.blank
    kept = np.flatnonzero(keep)
    sheet_rows = kept + header + 1  # 0-based sheet row index of each record

    report = RowFindings(sink, table.sheet)
    data: dict[str, pd.Series] = {}
    for column in spec.columns:
        if column.id not in positions:
            continue
        series, bad = parse_column(raw[column.id].take(kept), column)
        data[column.id] = series.reset_index(drop=True)
        seen.add(column, data[column.id])
        kind = _unreadable_kind(column)
        if kind and bad.any():
            rule, message, more = _UNREADABLE[kind]
            header_text = str(table.cell(header, positions[column.id]) or column.header)
            header_text = " ".join(header_text.split())
            places = [cell_name(int(r), positions[column.id]) for r in sheet_rows[bad]]
            escaped = header_text.replace("{", "{{").replace("}", "}}")  # ``more`` is formatted twice
            report.report(rule, places, message.format(header=header_text), more.format(header=escaped))

    frame = pd.DataFrame(data, index=pd.RangeIndex(len(kept)))
    frame["_row"] = (sheet_rows + 1).astype(int)
    flag_impossible(spec.kind, frame, report, today)
    snapshot = _snapshot_of(frame, sink, table.sheet) if spec.kind == "workforce" else None
    return ExportTable(kind=spec.kind, label=spec.label, file=file, sheet=table.sheet, frame=frame,
                       columns=frozenset(positions), header_row=header + 1,
                       date_column=spec.date_column, snapshot=snapshot, modified=modified)
