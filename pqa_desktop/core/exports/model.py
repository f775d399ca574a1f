"""Records read from system exports: one typed DataFrame per recognised table.

Column names are the canonical ids of resources/system_exports.toml. Types in ``frame``:
dates are pandas datetime64 (NaT = blank); ``int``/``number`` columns are float (NaN = blank);
``code`` columns hold the bare code (``"a) U1"`` and ``"U1: Foster placement"`` become ``"U1"``;
uncoded text such as ``"Female"`` stays as written); ``yes_no`` columns hold "Yes", "No" or None;
``text`` columns str or None. ``_row`` holds the sheet row number the user sees (1-based), for
findings, never the child's ID (for the census XML, the worker's position in the file).
Only the columns found in the header are in ``frame`` (``columns`` / ``has()`` say which).

Workforce ``role`` is the census OrgRole code as float (1 Senior manager ... 5 Case holder,
6 Qualified without cases; NaN = no or unrecognised role, so not case-holding), whether the list
wrote the code or a role name. A workforce ``start_date`` of NaT means in post since before any
window (census workers without RoleStartDate): measures treat a NaT start as "always started".
The census XML has no team or service area: ``service_area`` is "All" and there is no ``team``.

Impossible records stay in the frame, flagged by boolean columns that the measures honour by
leaving the row out of the measure it would distort (each is reported as a warning):
``_bad_assessment_dates`` (List 4: authorised before start), ``_bad_icpc`` (List 5: ICPC before
S47 start), ``_bad_s47_end`` (List 5: S47 end before start), ``_bad_dob`` (Lists 8-10: birth
after the day the list was read), ``_bad_leave`` (workforce: leave before start),
``_bad_allocation`` (allocations: end before start), ``_bad_deregistration`` (households:
de-registered before approval). Each is present, all False when the dates are missing, for its kinds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd


@dataclass
class ExportTable:
    kind: str  # e.g. "annex_a_list_8", "workforce", "allocations", "households", "benchmarks"
    label: str  # e.g. "Annex A List 8 Children in care"
    file: str  # display name of the input
    sheet: str
    frame: pd.DataFrame
    columns: frozenset[str]  # canonical ids found in the header (optional ones may be missing)
    header_row: int = 1  # sheet row of the header (1-based)
    date_column: str | None = None  # the column coverage is counted by
    snapshot: date | None = None  # workforce: the list's own snapshot date (column or census ReferenceDate)
    vacancies_fte: float | None = None  # census XML LALevelVacancies
    modified: datetime | None = None  # when the input was last modified (the later copy of a kind wins)
    # Which stored copy this is, for a table read back from a workspace (import id and its stamp); the
    # same token means the same content, so figures worked out from it can be kept. None: read just now.
    token: tuple | None = field(default=None, compare=False, repr=False)

    def has(self, column: str) -> bool:
        return column in self.columns

    @property
    def rows(self) -> int:
        return len(self.frame)


@dataclass
class ExportRecords:
    """The latest table of each kind (a second table of the same kind replaces the first, with a warning)."""

    tables: dict[str, ExportTable] = field(default_factory=dict)

    def get(self, kind: str) -> ExportTable | None:
        return self.tables.get(kind)

    def __bool__(self) -> bool:
        return bool(self.tables)
