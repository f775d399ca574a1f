"""Export tables read back from a workspace, their frames decoded only when first used (issue 18).

A council's stored exports take half a second to decode, and a build after a new return no longer needs most
of them: the export figures are kept in the workspace (``derived.py``), and what the rest of a build reads
from the tables (each table's rows, its dates' reach, the identifiers the leak inspection looks for) is kept
there too, as the table's ``facts``. A ``StoredTable`` is an ``ExportTable`` whose ``frame`` is decoded the
first time anything asks for it, once for every copy of the table (each copy then has its own shallow copy of
the frame, as before), so whatever still reads a frame gets exactly the frame it got before.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..exports.model import ExportTable
from . import codec


@dataclass(frozen=True)
class TableFacts:
    """What a build reads from a stored table besides its figures: worked out from its frame once, kept in the
    workspace with the figures. ``latest``: its latest date, dates of birth aside (``combine.latest_date``);
    ``dated``, ``first`` and ``last``: whether it has its date column, and that column's reach
    (``event_coverage``); the identifiers the leak
    inspection looks for (``inspect.sources.table_identifiers``)."""

    latest: datetime | None  # a pandas Timestamp, as latest_date gives it
    dated: bool  # the table has its date column
    first: date | None
    last: date | None
    postcodes: frozenset[str] = field(default_factory=frozenset)
    staff_ids: frozenset[str] = field(default_factory=frozenset)
    # the dates of birth as sorted day numbers (``date.toordinal``, 4 bytes each): a council's lists hold tens of
    # thousands, kept for the whole of an app session; as date objects in sets they were 4 MB
    birth_days: bytes = b""

    @staticmethod
    def days_of(dates) -> bytes:
        return np.array(sorted(d.toordinal() for d in dates), dtype="<i4").tobytes()

    @property
    def dates_of_birth(self) -> set[date]:
        return set(map(date.fromordinal, np.frombuffer(self.birth_days, dtype="<i4").tolist()))


class StoredFrame:
    """A stored table's frame as the workspace file holds it, decoded the first time it is asked for."""

    def __init__(self, blob: bytes, rows: int) -> None:
        self._blob: bytes | None = blob
        self._frame: pd.DataFrame | None = None
        self._lock = threading.Lock()  # the app's threads may ask at once: decoded once
        self.rows = rows
        self.facts: TableFacts | None = None  # known without decoding, when kept in the workspace

    @property
    def decoded(self) -> bool:
        return self._frame is not None

    def frame(self) -> pd.DataFrame:
        with self._lock:
            if self._frame is None:
                self._frame = codec.decode_frame(self._blob)
                self._blob = None
            return self._frame

    def __getstate__(self) -> dict:
        return {"frame": self.frame(), "rows": self.rows, "facts": self.facts}

    def __setstate__(self, state: dict) -> None:
        self._blob, self._frame, self._lock = None, state["frame"], threading.Lock()
        self.rows, self.facts = state["rows"], state["facts"]


class StoredTable(ExportTable):
    """An ``ExportTable`` read back from a workspace (see the module). Built with a ``StoredFrame`` as its
    frame; a frame given later (``replace(table, frame=...)``) is its own from then on, and then nothing is
    known of it but what it holds (``facts`` is None)."""

    @property
    def frame(self) -> pd.DataFrame:  # type: ignore[override]
        own = self.__dict__.get("_frame")
        if own is None:
            own = self.__dict__["_frame"] = self.__dict__["_stored"].frame().copy(deep=False)
        return own

    @frame.setter
    def frame(self, value) -> None:
        if isinstance(value, StoredFrame):
            self.__dict__.update(_stored=value, _given=False)
            self.__dict__.pop("_frame", None)
        else:
            self.__dict__.update(_frame=value, _given=True)

    @property
    def rows(self) -> int:
        own = self.__dict__.get("_frame")
        return len(own) if own is not None else self.__dict__["_stored"].rows

    @property
    def facts(self) -> TableFacts | None:
        """What is known of the table without decoding its frame (None: ask the frame)."""
        return None if self.__dict__.get("_given") else self.__dict__["_stored"].facts

    @property
    def stored_frame(self) -> StoredFrame | None:
        """The stored frame this table's frame is (None once another frame was given)."""
        return None if self.__dict__.get("_given") else self.__dict__["_stored"]

    def copy(self) -> "StoredTable":
        """A copy for another caller: sharing the stored frame (decoded once for both), or its own frame's
        shallow copy when it was given one."""
        stored = self.stored_frame
        return replace(self, frame=stored if stored is not None else self.frame.copy(deep=False))
