"""The system-export tables as data: resources/system_exports.toml loaded into typed specs.

Header matching lives here as data (headers and aliases), not as code: a header cell matches a
column when its ``label_key`` (case, white space incl. line breaks and NBSP, curly quotes, doubled
brackets and punctuation normalised) equals the key of the column's header or one of its aliases.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from ..resources import resource
from ..values import label_key

COLUMN_TYPES = ("text", "date", "int", "number", "code", "yes_no")


@dataclass(frozen=True)
class ColumnSpec:
    id: str  # canonical field name used by the measures
    header: str  # verbatim header of the contract
    type: str  # one of COLUMN_TYPES
    required: bool = False
    aliases: tuple[str, ...] = ()
    personal: str | None = None  # child, family, adopter, staff, staff_id, carer, address
    values: tuple[str, ...] = ()  # canonical spellings of a code column's known values
    codes: str | None = None  # name of a numeric code table (e.g. "workforce_roles")

    @property
    def keys(self) -> tuple[str, ...]:
        """Every header key this column answers to (header first, then aliases)."""
        out: list[str] = []
        for text in (self.header, *self.aliases):
            key = label_key(text)
            if key and key not in out:
                out.append(key)
        return tuple(out)


@dataclass(frozen=True)
class TableSpec:
    kind: str
    label: str
    columns: tuple[ColumnSpec, ...]
    date_column: str | None = None
    _by_key: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_key: dict[str, str] = {}
        for column in self.columns:
            for key in column.keys:
                # First claim wins: an alias never steals another column's verbatim header.
                by_key.setdefault(key, column.id)
        object.__setattr__(self, "_by_key", by_key)

    @property
    def header_keys(self) -> dict[str, str]:
        """Header key (``label_key``) -> canonical id of the column it names (read only)."""
        return self._by_key

    def column_for(self, header_cell: object) -> str | None:
        """Canonical id of the column a header cell names, or None for an unknown header."""
        if header_cell is None:
            return None
        return self._by_key.get(label_key(header_cell))

    def column(self, column_id: str) -> ColumnSpec:
        for c in self.columns:
            if c.id == column_id:
                return c
        raise KeyError(column_id)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.columns if c.required)


@lru_cache(maxsize=None)
def _load() -> dict:
    with open(resource("system_exports.toml"), "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=None)
def table_specs() -> tuple[TableSpec, ...]:
    """Every export table of the contract, in the file's order (which breaks recognition ties)."""
    specs = []
    for table in _load()["table"]:
        columns = tuple(
            ColumnSpec(id=c["id"], header=c["header"], type=c["type"], required=bool(c.get("required")),
                       aliases=tuple(c.get("aliases", ())), personal=c.get("personal"),
                       values=tuple(c.get("values", ())), codes=c.get("codes"))
            for c in table["columns"])
        specs.append(TableSpec(kind=table["kind"], label=table["label"], columns=columns,
                               date_column=table.get("date_column")))
    return tuple(specs)


def table_spec(kind: str) -> TableSpec:
    for spec in table_specs():
        if spec.kind == kind:
            return spec
    raise KeyError(kind)


@lru_cache(maxsize=None)
def code_table(name: str) -> dict[str, int]:
    """A numeric code table as label key -> code, e.g. workforce_roles: "case holder" -> 5."""
    out: dict[str, int] = {}
    for code, names in _load().get(name, {}).items():
        for text in names:
            out[label_key(text)] = int(code)
    return out


@lru_cache(maxsize=None)
def code_numbers(name: str) -> frozenset[int]:
    return frozenset(int(code) for code in _load().get(name, {}))
