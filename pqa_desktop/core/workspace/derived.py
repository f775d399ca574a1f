"""Figures worked out from the exports a workspace holds, kept in the workspace (issue 18).

A new audit return changes no export, yet a cold ``pqa build --workspace`` worked out the KPIs, workforce and
fostering figures of the whole year again (a fork and a second of CPU at council scale). The export part of
the figures (``run._add_export_figures``: its tables, headlines and notes) is kept in the workspace under a
key made of everything it is worked out from: the stored tables' stamps (each import's content hash, when it
was imported, with which corrections, its tables' ids), the period, the settings, the bank holidays (the
user's own file, by content), the published comparators and the benchmarks file named in the settings (by
content), and the code that works them out (``code_version``). Any change to one of them is a miss and the
figures are worked out again; only the latest figures are kept.

What is kept is typed JSON, never pickle (a workspace on a shared drive is not trusted code), and only when
it reads back exactly as it was: the same tables (columns, dtypes, index, and every cell's value and Python
type), the same headlines and notes. Anything else (a chosen council's published comparators, a value of a
type this does not know) is simply not kept, and the figures are worked out as before. The key is a digest:
the settings' audit-key secret, which the settings' text may hold, never reaches the file.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import sys
import zlib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

FORMAT = 1  # of what is kept: a change to it makes every kept figure a miss
EXPORT_FIGURES = "export_figures"  # the name the export part of the figures is kept under


class NotKept(Exception):
    """A value this codec cannot write exactly: the figures are not kept (and are worked out next time)."""


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the code and shipped data that work out figures: every module of the core and every
    file of resources/. In a bundle (no sources on disk) its version and its resources."""
    from ... import __version__
    from ..resources import resources_dir

    digest = hashlib.sha256(f"{__version__}|{FORMAT}".encode())
    core = Path(__file__).resolve().parents[1]
    sources = sorted(core.rglob("*.py")) if not getattr(sys, "frozen", False) else []
    try:
        resources = sorted(p for p in resources_dir().rglob("*") if p.is_file())
    except FileNotFoundError:
        resources = []
    for path in [*sources, *resources]:
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            digest.update(path.name.encode() + b"\0?")
    return digest.hexdigest()


def file_stamp(path: str | Path | None) -> object:
    """What a file the figures read is, for a key: its content's digest; a folder's files' names, sizes and
    modified times; None when there is no such file."""
    if not path:
        return None
    p = Path(path)
    try:
        if p.is_file():
            return hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_dir():
            return sorted((str(f.relative_to(p)), f.stat().st_size, f.stat().st_mtime_ns)
                          for f in p.rglob("*") if f.is_file())
    except OSError:
        return ("unreadable", str(p))
    return None


def key_digest(key: object) -> str:
    """The digest a key is kept under (the key's parts are never written)."""
    text = repr((FORMAT, code_version(), key))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# --- values --------------------------------------------------------------------------------------------

def _value(v):
    t = type(v)
    if v is None or t is bool or t is str or t is int:
        return v
    if t is float:
        return v if math.isfinite(v) else {"f": repr(v)}
    if t is datetime and v.tzinfo is None:
        return {"dt": v.isoformat()}
    if t is date:
        return {"d": v.isoformat()}
    if v is pd.NA:
        return {"na": 1}
    if isinstance(v, (np.integer, np.floating, np.bool_)):
        item = v.item()
        return {"np": [v.dtype.str, _value(item)]}
    raise NotKept(f"a value of type {t.__name__}")


def _tagged(d: dict):
    if "f" in d:
        return float(d["f"])
    if "dt" in d:
        return datetime.fromisoformat(d["dt"])
    if "d" in d:
        return date.fromisoformat(d["d"])
    if "na" in d:
        return pd.NA
    if "np" in d:
        dtype, value = d["np"]
        return np.dtype(dtype).type(value)
    return d


def _same(x, y) -> bool:
    """The same value of the same type (NaN the same as NaN)."""
    if x is y:
        return True
    if type(x) is not type(y):
        return False
    if isinstance(x, (float, np.floating)) and x != x:
        return y != y
    try:
        return bool(x == y)
    except (TypeError, ValueError):
        return False


# --- tables --------------------------------------------------------------------------------------------

def _frame(frame: pd.DataFrame) -> dict:
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1 \
            or frame.index.name is not None or frame.columns.name is not None or frame.attrs:
        raise NotKept("a table with its own index")
    return {"rows": len(frame), "columns": [_value(c) for c in frame.columns],
            "columns_dtype": str(frame.columns.dtype), "dtypes": [str(t) for t in frame.dtypes],
            "data": [[_value(v) for v in frame.iloc[:, i].tolist()] for i in range(frame.shape[1])]}


def _unframe(data: dict) -> pd.DataFrame:
    columns = [pd.Series(values, dtype=dtype) for values, dtype in zip(data["data"], data["dtypes"])]
    frame = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame(index=range(data["rows"]))
    frame.columns = pd.Index(data["columns"], dtype=data["columns_dtype"])
    if len(frame) != data["rows"]:
        frame = frame.reindex(range(data["rows"]))
    return frame


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if type(a.index) is not type(b.index) or not a.index.equals(b.index) or a.shape != b.shape:
        return False
    if a.columns.dtype != b.columns.dtype or not all(_same(x, y) for x, y in zip(a.columns, b.columns)):
        return False
    if [str(t) for t in a.dtypes] != [str(t) for t in b.dtypes]:
        return False
    return all(all(_same(x, y) for x, y in zip(a.iloc[:, i].tolist(), b.iloc[:, i].tolist()))
               for i in range(a.shape[1]))


# --- the export part of the figures --------------------------------------------------------------------

def encode_figures(part) -> bytes:
    """The export part of the figures as kept; ``NotKept`` when it would not read back exactly."""
    from ..measures.figures import Headline
    from ..measures.notes import Note

    if part.published is not None:
        raise NotKept("a chosen council's published comparators")
    if any(type(h) is not Headline for h in part.headlines) or any(type(n) is not Note for n in part.notes):
        raise NotKept("a headline or note of another kind")
    data = {
        "tables": [[name, _frame(table)] for name, table in part.tables.items()],
        "headlines": [{f.name: _value(getattr(h, f.name)) for f in dataclasses.fields(h)} for h in part.headlines],
        "notes": [[n.key, n.text] for n in part.notes],
        "published_problem": part.published_problem,
    }
    blob = zlib.compress(json.dumps(data, separators=(",", ":"), allow_nan=False).encode("utf-8"), 6)
    if not same_figures(decode_figures(blob, part.period), part):
        raise NotKept("the figures would not read back exactly")
    return blob


def decode_figures(blob: bytes, period):
    """The figures ``encode_figures`` kept (``ValueError`` and the like for a damaged value)."""
    from ..measures.figures import Figures, Headline
    from ..measures.notes import Note

    data = json.loads(zlib.decompress(blob).decode("utf-8"), object_hook=_tagged)
    return Figures(period=period,
                   tables={name: _unframe(table) for name, table in data["tables"]},
                   headlines=[Headline(**h) for h in data["headlines"]],
                   notes=[Note(key, text) for key, text in data["notes"]],
                   published=None, published_problem=data["published_problem"])


def same_figures(a, b) -> bool:
    """Exactly the same tables, headlines, notes and published comparators' problem."""
    if list(a.tables) != list(b.tables) or not all(_same_frame(a.tables[n], b.tables[n]) for n in a.tables):
        return False
    if len(a.headlines) != len(b.headlines) or any(
            type(x) is not type(y) or not all(_same(getattr(x, f.name), getattr(y, f.name))
                                              for f in dataclasses.fields(x))
            for x, y in zip(a.headlines, b.headlines)):
        return False
    return a.notes == b.notes and a.published is b.published is None and a.published_problem == b.published_problem


def kept_figures(workspace, key: object, period):
    """The export figures kept in ``workspace`` under ``key``, or None (never kept, another key, or a kept
    value that cannot be read: worked out again)."""
    blob = workspace.derived(EXPORT_FIGURES, key_digest(key))
    if blob is None:
        return None
    try:
        return decode_figures(blob, period)
    except Exception:  # noqa: BLE001 - damaged or from another version: worked out again, never a failure
        return None


def keep_figures(workspace, key: object, part) -> bool:
    """Keep the export figures in ``workspace`` under ``key``; False when they are not kept (see module)."""
    try:
        blob = encode_figures(part)
    except NotKept:
        return False
    return workspace.keep_derived(EXPORT_FIGURES, key_digest(key), blob)


# --- what a build reads from each stored table besides its figures (stored.TableFacts) --------------------

TABLE_FACTS = "table_facts"  # kept as "table_facts <kind>", one per stored table


def _facts_name(kind: str) -> str:
    return f"{TABLE_FACTS} {kind}"


def _facts_key(table) -> str:
    return key_digest((TABLE_FACTS, table.kind, table.token, table.file, table.sheet))


def encode_facts(facts) -> bytes:
    """``TableFacts`` as kept; ``NotKept`` when they would not read back exactly."""
    if any(type(s) is not str for s in (*facts.postcodes, *facts.staff_ids)):
        raise NotKept("an identifier of another type")
    if facts.latest is not None and not isinstance(facts.latest, pd.Timestamp):
        raise NotKept("a latest date of another type")
    data = {"latest": None if facts.latest is None else facts.latest.isoformat(), "dated": facts.dated,
            "first": _value(facts.first), "last": _value(facts.last),
            "postcodes": sorted(facts.postcodes), "staff_ids": sorted(facts.staff_ids),
            "birth_days": np.frombuffer(facts.birth_days, dtype="<i4").tolist()}
    blob = zlib.compress(json.dumps(data, separators=(",", ":"), allow_nan=False).encode("utf-8"), 6)
    if decode_facts(blob) != facts:
        raise NotKept("the facts would not read back exactly")
    return blob


def decode_facts(blob: bytes):
    from .stored import TableFacts

    data = json.loads(zlib.decompress(blob).decode("utf-8"), object_hook=_tagged)
    return TableFacts(latest=None if data["latest"] is None else pd.Timestamp(data["latest"]), dated=data["dated"],
                      first=data["first"], last=data["last"], postcodes=frozenset(data["postcodes"]),
                      staff_ids=frozenset(data["staff_ids"]),
                      birth_days=np.array(data["birth_days"], dtype="<i4").tobytes())


def kept_facts(workspace, table):
    """The facts of a stored table kept in ``workspace``, or None."""
    blob = workspace.derived(_facts_name(table.kind), _facts_key(table))
    if blob is None:
        return None
    try:
        return decode_facts(blob)
    except Exception:  # noqa: BLE001 - damaged or from another version: worked out again
        return None


def keep_facts(workspace, facts_of: list) -> bool:
    """Keep each (table, facts) of ``facts_of`` in ``workspace`` (one transaction)."""
    rows = []
    for table, facts in facts_of:
        try:
            rows.append((_facts_name(table.kind), _facts_key(table), encode_facts(facts)))
        except NotKept:
            continue
    return workspace.keep_derived_rows(rows) if rows else False
