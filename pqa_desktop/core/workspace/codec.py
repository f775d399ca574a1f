"""Turning records into workspace rows and back, keeping only what the figures and privacy need.

Audits keep every field a measure or a privacy rule reads (staff names stay: feedback is redacted
with them, and the user may opt in to showing them) but never the auditor's evidence text. EDT records
keep their answers but not the free-text comment, which no measure reads. Export tables lose the
personal columns no measure uses (placement postcode and URN, worker and personal adviser names,
gender, ethnicity); child IDs stay because the measures join lists on them. A frame is stored as typed
JSON columns, zlib-compressed: never pickle, because a workspace on a shared drive is not trusted code.
"""
from __future__ import annotations

import heapq
import json
import zlib
from collections.abc import Iterator
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..exports.model import ExportTable
from ..exports.spec import table_spec
from ..runtime.memory import no_cycle_collection
from ..records import Audit, EdtRecord, EdtSample, Feedback, Source

# Columns that hold personal data and that no measure reads. Dropped on import, whatever the kind.
_DEMOGRAPHIC_COLUMNS = frozenset({"gender", "ethnicity", "placement_urn"})
_DROPPED_PERSONAL = frozenset({"staff", "address"})  # spec "personal" classes: names, postcodes


def dropped_columns(kind: str) -> frozenset[str]:
    """Column ids of ``kind`` that the workspace never stores."""
    try:
        spec = table_spec(kind)
    except KeyError:
        return _DEMOGRAPHIC_COLUMNS
    return frozenset(c.id for c in spec.columns if c.personal in _DROPPED_PERSONAL) | _DEMOGRAPHIC_COLUMNS


def address_values(table: ExportTable) -> set[str]:
    """Every value of the table's address columns (postcodes): the reader counts them among the
    identifiers to mask, but the workspace keeps no postcodes."""
    try:
        spec = table_spec(table.kind)
    except KeyError:
        return set()
    out: set[str] = set()
    for column in spec.columns:
        if column.personal == "address" and column.id in table.frame.columns:
            out |= {str(v) for v in table.frame[column.id].dropna().unique()}
    return out


# The app reads and imports on a worker thread of the window's process, and one call into the json module's C
# code keeps every other thread of the process waiting until it returns: a council's export (a hundred
# thousand rows, a million values) took 100-600 ms in one call, and the window stood still that long. So a
# long list is written and read in pieces of ``_PIECE`` values, each a call of a few milliseconds, with the
# window's turn in between. The pieces are marked by line breaks, which JSON allows between values and never
# holds inside a string (json.dumps escapes them), so the text is the same JSON as before for any reader:
# a workspace written before is read as it always was, and one written now by an older version too.
_PIECE = 20000
_SMALL = 64  # containers up to this size are written item by item (the frame's few columns), larger ones whole
_SEPARATORS = (",", ":")
_MARK = "\u0000piece"  # stands for a list read in pieces while the text around them is read (never a data key)


def _json_text(value) -> str:
    out: list[str] = []
    _write(value, out)
    return "".join(out)


def _write(value, out: list[str]) -> None:
    if isinstance(value, list) and len(value) > _PIECE:
        out.append("[\n")
        out.append(",\n".join(json.dumps(value[start:start + _PIECE], separators=_SEPARATORS)[1:-1]
                               for start in range(0, len(value), _PIECE)))
        out.append("\n]")
    elif isinstance(value, list) and len(value) <= _SMALL and any(isinstance(v, (list, dict)) for v in value):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, dict) and len(value) <= _SMALL and all(isinstance(k, str) for k in value):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            out.append(("," if i else "") + json.dumps(key) + ":")
            _write(item, out)
        out.append("}")
    else:
        out.append(json.dumps(value, separators=_SEPARATORS))


def _read_json(text: str, object_hook=None):
    """``json.loads(text, object_hook=object_hook)``, a list written in pieces (see ``_write``) read piece by
    piece. The text's lines are taken one at a time, not split all at once: a copy of the whole text held
    beside the values read from it was a fifth of decoding a council's export's peak memory (issue 18)."""
    if "\n" not in text:
        return json.loads(text, object_hook=object_hook)
    lines = _lines(text)
    skeleton: list[str] = []
    pieces: list[list] = []
    line = next(lines, None)
    while line is not None:
        following = next(lines, None)
        if not line.endswith("[") or following is None:
            skeleton.append(line)
            line = following
            continue
        # "…[" then the pieces, each a line ending "," but the last, then a line starting "]"
        values: list = []
        while following is not None and not following.startswith("]"):
            values.extend(json.loads("[" + (following[:-1] if following.endswith(",") else following) + "]",
                                     object_hook=object_hook))
            following = next(lines, None)
        skeleton.append(line[:-1] + json.dumps({_MARK: len(pieces)}))
        pieces.append(values)
        line = following[1:] if following is not None else None
    hook = object_hook or (lambda d: d)
    return json.loads("".join(skeleton),
                      object_hook=lambda d: pieces[d[_MARK]] if len(d) == 1 and _MARK in d else hook(d))


def _lines(text: str) -> Iterator[str]:
    """``iter(text.split("\n"))``, each line made only when it is asked for."""
    start = 0
    while True:
        stop = text.find("\n", start)
        if stop < 0:
            yield text[start:]
            return
        yield text[start:stop]
        start = stop + 1


def sorted_in_pieces(values) -> list:
    """``sorted(values)``, a long list sorted in pieces of ``_PIECE`` and merged: sorting a file's identifiers
    (a council's Annex A, two hundred thousand) in one call took 100 ms with the window waiting (see
    ``_PIECE``); each piece is a few milliseconds and the merge runs Python, which lets the window in."""
    values = list(values)
    if len(values) <= _PIECE:
        return sorted(values)
    return list(heapq.merge(*(sorted(values[start:start + _PIECE]) for start in range(0, len(values), _PIECE))))


def fetch_in_pieces(cursor) -> list[tuple]:
    """``cursor.fetchall()`` a thousand rows at a time: one call making a year's rows (a hundred thousand
    tuples) holds the interpreter, and the window, as long (see ``_PIECE``)."""
    out: list[tuple] = []
    while rows := cursor.fetchmany(1000):
        out += rows
    return out


def pack(value) -> bytes:
    return zlib.compress(_json_text(value).encode("utf-8"), 6)


def unpack(blob: bytes | None, default=None):
    if blob is None:
        return default
    return _read_json(zlib.decompress(blob).decode("utf-8"))


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def to_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def to_datetime(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# --- audits and EDT samples -----------------------------------------------------------------------

AUDIT_COLUMNS = ("template_type", "reference", "audit_date", "audit_type", "service_area", "team", "grades",
                 "compliance", "moderated_overall", "moderation_date", "feedback_source", "feedback_sentiment",
                 "feedback_text", "actions", "practitioner_involved", "carer_type", "staff", "source_sheet",
                 "source_row", "source_modified")


def audit_row(a: Audit) -> tuple:
    fb = a.feedback
    src = a.source
    return (a.template_type, a.reference, a.audit_date.isoformat(), a.audit_type, a.service_area, a.team,
            json.dumps(a.grades), json.dumps(a.compliance), a.moderated_overall, iso(a.moderation_date),
            fb.source if fb else None, fb.sentiment if fb else None, fb.text if fb else None, int(a.actions),
            a.practitioner_involved, a.carer_type, json.dumps(a.staff),
            src.sheet if src else None, src.row if src else None, iso(src.modified) if src else None)


def audit_from_row(row, file: str, sha256: str) -> Audit:
    (template_type, reference, audit_date, audit_type, service_area, team, grades, compliance, moderated,
     moderation_date, fb_source, fb_sentiment, fb_text, actions, involved, carer_type, staff, sheet, src_row,
     src_modified) = row
    feedback = None
    if fb_text is not None or fb_sentiment is not None or fb_source is not None:
        feedback = Feedback(source=fb_source, sentiment=fb_sentiment, text=fb_text or "")
    return Audit(
        template_type=template_type, reference=reference, audit_date=to_date(audit_date), audit_type=audit_type,
        service_area=service_area, team=team, grades=json.loads(grades), compliance=json.loads(compliance),
        moderated_overall=moderated, moderation_date=to_date(moderation_date), feedback=feedback,
        actions=actions, practitioner_involved=involved, carer_type=carer_type, staff=json.loads(staff),
        source=Source(file=file, sheet=sheet or "", row=src_row, sha256=sha256, modified=to_datetime(src_modified)))


EDT_COLUMNS = ("sampled_by", "sample_month", "records", "source_sheet", "source_row", "source_modified")


def edt_row(s: EdtSample) -> tuple:
    records = [[r.row, iso(r.contact_date), r.answers] for r in s.records]  # comments are not kept
    src = s.source
    return (s.sampled_by, s.sample_month.isoformat(), json.dumps(records),
            src.sheet if src else None, src.row if src else None, iso(src.modified) if src else None)


def edt_from_row(row, file: str, sha256: str) -> EdtSample:
    sampled_by, month, records, sheet, src_row, src_modified = row
    return EdtSample(
        sampled_by=sampled_by, sample_month=to_date(month),
        records=[EdtRecord(row=r, contact_date=to_date(d), answers=answers) for r, d, answers in json.loads(records)],
        source=Source(file=file, sheet=sheet or "", row=src_row, sha256=sha256, modified=to_datetime(src_modified)))


# --- export frames --------------------------------------------------------------------------------

def encode_frame(frame: pd.DataFrame) -> bytes:
    """Typed columns as JSON: datetimes as integer ticks of their unit, NaN/NaT/None as null."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        dtype = series.dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            ticks = series.to_numpy().view("int64")
            missing = series.isna().to_numpy()
            values = [None if m else int(t) for t, m in zip(ticks, missing)]
        elif pd.api.types.is_bool_dtype(dtype):
            values = [bool(v) for v in series]
        elif pd.api.types.is_integer_dtype(dtype):
            values = [int(v) for v in series]
        elif pd.api.types.is_float_dtype(dtype):
            values = [None if v != v else float(v) for v in series.to_numpy()]
        else:
            values = [_plain(v) for v in series]
        columns.append([str(name), str(dtype), values])
    return pack({"index": [_plain(i) for i in frame.index], "columns": columns})


def _plain(value):
    """An object-column value as JSON: text stays text; dates are tagged so they come back as dates."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if value is pd.NaT:
        return None
    return str(value)


def _unplain(value):
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
    return value


def _tagged(value: dict):
    """``_unplain`` of a JSON object, as the JSON parser meets it (``object_hook``)."""
    if "dt" in value:
        return datetime.fromisoformat(value["dt"])
    if "d" in value:
        return date.fromisoformat(value["d"])
    return value


_NAT = np.iinfo("int64").min


def decode_frame(blob: bytes) -> pd.DataFrame:
    """The frame ``encode_frame`` wrote. Tagged dates are turned back into dates by the JSON parser as it
    meets them, and each column is built from its list in one step (decoding a council's year cell by cell,
    1.2 million calls, was most of a workspace build's reading back). Each column's values are let go once
    its column is made (a council's export is a million values: held all at once they were the app's peak
    of memory), and the cyclic garbage collector is paused meanwhile: the dates' {"d": ...} pairs are many
    short-lived containers, which made it walk every object the process holds, the window's thread waiting
    (130 ms)."""
    with no_cycle_collection():
        data = _read_json(zlib.decompress(blob).decode("utf-8"), object_hook=_tagged)
        columns = data["columns"]
        names = [c[0] for c in columns]
        out = {}
        for i, (name, dtype, values) in enumerate(columns):
            columns[i] = None
            if dtype.startswith("datetime64"):
                if None in values:
                    values = [_NAT if v is None else v for v in values]
                out[name] = pd.Series(np.array(values, dtype="int64").view(dtype))
            elif dtype in ("object",):
                out[name] = pd.Series(_shared_texts(values), dtype=object)
            elif dtype.startswith(("float", "int", "bool")):
                if None in values:
                    values = np.array([np.nan if v is None else v for v in values], dtype=dtype)
                out[name] = pd.Series(values, dtype=dtype)
            else:  # pandas' own string or category dtypes
                out[name] = pd.Series(values).astype(dtype)
            del values
        frame = pd.DataFrame(out, columns=names)
        del out
        index = data["index"]
        # The readers' frames carry the default 0..n-1 index: give it back as the same RangeIndex.
        frame.index = pd.RangeIndex(len(index)) if index == list(range(len(index))) else pd.Index(index)
        return frame


def _shared_texts(values: list) -> list:
    """``values`` with each text that repeats one object: the JSON parser makes a new string for every cell,
    and an export's coded columns (a contact's source, a team, an outcome) repeat a few values a hundred
    thousand times. Read back, they were a third of what the app's window keeps of a council's year (issue
    18). Only texts are shared: equal values of other types (1, 1.0, True) stay as they were."""
    seen: dict[str, str] = {}
    return [seen.setdefault(v, v) if v.__class__ is str else v for v in values]


def stored_table(table: ExportTable) -> tuple[ExportTable, pd.Timestamp | None]:
    """The table as the workspace keeps it (personal columns dropped) and its newest date."""
    dropped = dropped_columns(table.kind)
    frame = table.frame.drop(columns=[c for c in table.frame.columns if c in dropped])
    newest = None
    for column in frame.columns:
        if column == "dob" or not pd.api.types.is_datetime64_any_dtype(frame[column]):
            continue
        top = frame[column].max()
        if pd.notna(top) and (newest is None or top > newest):
            newest = top
    kept = ExportTable(kind=table.kind, label=table.label, file=table.file, sheet=table.sheet, frame=frame,
                       columns=frozenset(c for c in table.columns if c not in dropped), header_row=table.header_row,
                       date_column=table.date_column, snapshot=table.snapshot, vacancies_fte=table.vacancies_fte,
                       modified=table.modified)
    return kept, newest
