"""The workspace: one SQLite file keeping imported audits, the latest system exports, corrections,
the findings' statuses, commentary and the audit-key secret between runs (shared/spec/cli.md, "Workspace").

It may live on a shared drive, so: rollback journal (journal_mode=DELETE; WAL needs shared memory a
network share cannot give), one writer at a time (BEGIN IMMEDIATE takes the write lock up front and a
second writer waits, then gets a plain message), and every change in one transaction, so a crash or a
kill leaves each imported file either fully there or absent. ``secure_delete`` overwrites removed and
purged rows, so what is deleted does not linger in the file's free pages.
"""
from __future__ import annotations

import getpass
import json
import platform
import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from ..calendar import add_months, month_start
from ..finding_status import ACCEPTED, CORRECTED, FindingStatus, StatusKey, status_key
from ..findings import Finding, Severity, register_rule
from ..inputs.signatures import Hashed, Signature
from ..privacy import audit_key, new_secret
from ..records import InputFile, ReadResult
from . import codec
from .stored import StoredFrame, StoredTable
from .schema import APPLICATION, DERIVED_TABLE, MIGRATIONS, SCHEMA_VERSION, SIGNATURES_TABLE

RULE_TABLE_REPLACED = register_rule(
    "workspace.table_replaced",
    "A system export kept in the workspace was replaced by a later export of the same list.")

SECRET_KEY = "audit_key_secret"
PREVIOUS_SECRETS_KEY = "previous_audit_key_secrets"  # JSON list, oldest first
BUSY_TIMEOUT_SECONDS = 30.0

Overrides = dict[tuple[str, str], str]


class WorkspaceError(Exception):
    """A workspace that cannot be used; the message says what to do, in plain English."""


@dataclass(frozen=True)
class ImportRow:
    id: int
    name: str  # display name as given (unmasked: for the QA officer's inputs list only)
    sha256: str
    kind: str
    kind_label: str
    imported_at: datetime  # UTC
    records: int  # audits + EDT samples + export rows still used
    first_date: date | None  # period hint: earliest audit, sample month or export date
    last_date: date | None
    path: str | None = None  # where the file was when imported
    replaced: tuple[str, ...] = ()  # labels of its export tables replaced by later imports


@dataclass(frozen=True)
class Correction:
    id: int
    kind: str  # "keep" (which duplicate to keep) or "value" (a corrected cell value)
    target: tuple  # keep: (template type, REFERENCE, audit date); value: (file sha256, sheet, cell)
    value: str  # keep: the file name kept; value: the value read instead
    reason: str
    who: str
    when: datetime  # UTC


@dataclass(frozen=True)
class AuditLookup:
    template_type: str
    reference: str
    audit_date: date
    file: str


@dataclass
class StoredImport:
    """One import as the pipeline reads it back: the file (without its bytes) and what it gave."""

    id: int
    item: InputFile
    result: ReadResult


def _copy_of(stored: StoredImport) -> StoredImport:
    """A kept import with its own containers (records and frames are shared: nothing changes them, and
    pandas copies a frame before writing to it). Its identifiers are shared too: they are kept as frozen
    sets, which nothing can change (``|=`` makes a new one). A council's export holds up to 100,000 of them;
    a copy of each at every check (the app checks again after every file added) was a few milliseconds
    more, and each copy a new set the job's end had to look through before setting it aside
    (``runtime.memory.untrack_sets_of_strings``: about 20 ms of every re-check of a council's year)."""
    r = stored.result
    result = replace(r, audits=list(r.audits), edt_samples=list(r.edt_samples), findings=list(r.findings),
                     auditors=dict(r.auditors),
                     exports=[t.copy() if isinstance(t, StoredTable) else replace(t, frame=t.frame.copy(deep=False))
                              for t in r.exports])
    return StoredImport(stored.id, stored.item, result)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _who(who: str | None) -> str:
    if who and who.strip():
        return who.strip()
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some service accounts)
        return "unknown"


def _cell(cell: str) -> str:
    return cell.replace("$", "").strip().upper()


def _overrides_text(overrides: Mapping[tuple[str, str], object] | None) -> str:
    """A canonical text for a set of overrides, to tell whether stored records used the current ones."""
    items = sorted([str(s), _cell(str(c)), "" if v is None else str(v)] for (s, c), v in (overrides or {}).items())
    return json.dumps(items, separators=(",", ":"))


def _statements(script: str) -> list[str]:
    without_comments = re.sub(r"--[^\n]*", "", script)
    return [s.strip() for s in without_comments.split(";") if s.strip()]


def _when(stamp: datetime | None) -> datetime:
    """As the combiners compare modification times: aware in UTC, unknown as the oldest."""
    if stamp is None:
        return datetime.min
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp


class Workspace:
    SCHEMA_VERSION = SCHEMA_VERSION

    def __init__(self, path: Path, connection: sqlite3.Connection):
        self.path = path
        self._conn = connection
        self._lock = threading.RLock()  # the app reads on a worker thread and edits on the UI thread
        self._secret: str | None = None
        # Imports already read back, by import id, with the stamp they were read at (see stored_results).
        self._stored: dict[int, tuple[tuple, StoredImport]] = {}

    # --- opening ----------------------------------------------------------------------------------

    @staticmethod
    def default_path() -> Path:
        from ..runtime.userdata import app_data_dir

        return app_data_dir() / "workspace.sqlite"

    @classmethod
    def open(cls, path: str | Path | None = None) -> "Workspace":
        """Open (creating if missing, with its folders) and migrate forward; WorkspaceError if unusable."""
        path = Path(path) if path is not None else cls.default_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"The workspace folder {path.parent} cannot be created ({exc.strerror}). "
                                 "Choose a folder you can write to.") from exc
        if path.is_dir():
            raise WorkspaceError(f"{path} is a folder, not a workspace file. Choose a file name.")
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise WorkspaceError(f"The workspace {path.name} cannot be opened ({exc}). Check the drive is "
                                 "available and you can write to the folder.") from exc
        try:
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")
            workspace = cls(path, conn)
            workspace._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise WorkspaceError(_busy_message(path)) from exc
            raise WorkspaceError(f"{path.name} is not a PQA Desktop workspace (or it is damaged). Choose "
                                 "another file, or a new file name to start a new workspace.") from exc
        except WorkspaceError:
            conn.close()
            raise
        return workspace

    def _version(self) -> int:
        tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return 0
        if "meta" not in tables:
            raise WorkspaceError(f"{self.path.name} is an SQLite file but not a PQA Desktop workspace. Choose "
                                 "another file, or a new file name to start a new workspace.")
        meta = dict(self._conn.execute("SELECT key, value FROM meta"))
        if meta.get("application") != APPLICATION:
            raise WorkspaceError(f"{self.path.name} is an SQLite file but not a PQA Desktop workspace. Choose "
                                 "another file, or a new file name to start a new workspace.")
        return int(meta.get("schema_version", "1"))

    def _migrate(self) -> None:
        version = self._version()
        if version > SCHEMA_VERSION:
            raise WorkspaceError(f"The workspace {self.path.name} was saved by a newer version of PQA Desktop "
                                 f"(workspace version {version}; this one reads up to {SCHEMA_VERSION}). "
                                 "Install the newer version to use it.")
        if version == SCHEMA_VERSION:
            return
        with self._write():
            version = self._version()  # another user may have migrated it while we waited for the lock
            for step in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[step]):
                    self._conn.execute(statement)
            self._conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('application', ?)", (APPLICATION,))
            self._conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                               (str(SCHEMA_VERSION),))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, holding the write lock from the start (one writer at a time)."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise WorkspaceError(_busy_message(self.path)) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._rollback()
                raise WorkspaceError(_write_failed_message(self.path, exc)) from exc
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _rows(self, sql: str, params=()) -> list[tuple]:
        """One query's rows, taken under the lock (the connection is shared by the app's threads)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """Several reads that must see one state of the file (a shared lock for their duration)."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    # --- the audit-key secret ---------------------------------------------------------------------

    def secret(self) -> str:
        """The audit-key secret, created on first use; everyone sharing the workspace gets the same keys."""
        if self._secret is None:
            rows = self._rows("SELECT value FROM meta WHERE key=?", (SECRET_KEY,))
            if not rows:
                with self._write() as conn:  # OR IGNORE: another user may have created it meanwhile
                    conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (SECRET_KEY, new_secret()))
                rows = self._rows("SELECT value FROM meta WHERE key=?", (SECRET_KEY,))
            self._secret = rows[0][0]
        return self._secret

    def new_secret(self) -> str:
        """Start using a fresh secret (new workbooks get new audit keys). The old secrets are kept so
        that keys in workbooks already sent out can still be looked up."""
        with self._write() as conn:
            rows = conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?)",
                                (SECRET_KEY, PREVIOUS_SECRETS_KEY)).fetchall()
            meta = dict(rows)
            previous = json.loads(meta.get(PREVIOUS_SECRETS_KEY, "[]"))
            if SECRET_KEY in meta:
                previous.append(meta[SECRET_KEY])
            secret = new_secret()
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (SECRET_KEY, secret))
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                         (PREVIOUS_SECRETS_KEY, json.dumps(previous)))
        self._secret = secret
        return secret

    def _all_secrets(self) -> list[str]:
        rows = self._rows("SELECT value FROM meta WHERE key=?", (PREVIOUS_SECRETS_KEY,))
        return [self.secret(), *reversed(json.loads(rows[0][0]) if rows else [])]

    # --- imports ----------------------------------------------------------------------------------

    def imports(self) -> list[ImportRow]:
        with self._read() as conn:
            replaced: dict[int, list[str]] = {}
            for import_id, label in conn.execute("SELECT import_id, label FROM replaced_tables ORDER BY rowid"):
                replaced.setdefault(import_id, []).append(label)
            rows = conn.execute(
                "SELECT i.id, i.name, i.sha256, i.kind, i.kind_label, i.imported_at, i.first_date, i.last_date, "
                "i.path, (SELECT COUNT(*) FROM audits a WHERE a.import_id = i.id) "
                "+ (SELECT COUNT(*) FROM edt_samples s WHERE s.import_id = i.id) "
                "+ COALESCE((SELECT SUM(row_count) FROM export_tables e WHERE e.import_id = i.id), 0) "
                "FROM imports i ORDER BY i.id").fetchall()
        return [ImportRow(id=r[0], name=r[1], sha256=r[2], kind=r[3], kind_label=r[4],
                          imported_at=codec.to_datetime(r[5]), first_date=codec.to_date(r[6]),
                          last_date=codec.to_date(r[7]), path=r[8], records=int(r[9]),
                          replaced=tuple(replaced.get(r[0], ()))) for r in rows]

    def has_file(self, sha256: str) -> bool:
        return bool(self._rows("SELECT 1 FROM imports WHERE sha256=?", (sha256,)))

    def is_current(self, sha256: str) -> bool:
        """The file is imported and its records were read with today's value corrections."""
        rows = self._rows("SELECT overrides FROM imports WHERE sha256=?", (sha256,))
        return bool(rows) and rows[0][0] == _overrides_text(self.value_overrides(sha256))

    def current_files(self) -> set[str]:
        """The content hashes of every import that is current (``is_current``), in two queries rather than two
        per import: a build asks it of each of a council's thousand files."""
        with self._read() as conn:
            imports = conn.execute("SELECT sha256, overrides FROM imports").fetchall()
            corrections = conn.execute("SELECT target, value FROM corrections WHERE kind='value' AND undone_at IS NULL "
                                       "ORDER BY id").fetchall()
        overrides: dict[str, Overrides] = {}
        for target, value in corrections:  # the latest correction of each cell, as value_overrides gives them
            sha, sheet, cell = json.loads(target)
            overrides.setdefault(sha, {})[(sheet, cell)] = value
        return {sha for sha, text in imports if text == _overrides_text(overrides.get(sha))}

    def stale_imports(self) -> list[ImportRow]:
        """Imports read before a value correction to them was made or undone (re-read to apply it)."""
        current = self.current_files()
        return [row for row in self.imports() if row.sha256 not in current]

    def import_file(self, item: InputFile, result: ReadResult, overrides: Mapping | None = None) -> int:
        """Store what reading ``item`` gave, in one transaction; a file already imported (same content) is
        replaced in place (re-read with corrected values). Returns the import id."""
        return self.import_files([(item, result, overrides)])[0]

    def import_files(self, reads: Sequence[tuple[InputFile, ReadResult, Mapping | None]]) -> list[int]:
        """``import_file`` for each of ``reads`` in turn, all in one transaction: each file is whole or absent
        after a crash, as with one transaction each, and the file is synced to disk once, not once a file (a
        council's year is some 1,400 files; see ``ImportBatch``). Returns the import ids."""
        if not reads:
            return []
        with self._write() as conn:
            return [self._import_into(conn, item, result, overrides) for item, result, overrides in reads]

    def _import_into(self, conn: sqlite3.Connection, item: InputFile, result: ReadResult,
                     overrides: Mapping | None) -> int:
        now = _now().isoformat()
        # Postcodes are not kept, not even to mask file names: a name holding one already shows it.
        addresses = set().union(*(codec.address_values(t) for t in result.exports))
        sensitive = {s for s in result.sensitive if s not in addresses or s.casefold() in item.name.casefold()}
        row = conn.execute("SELECT id FROM imports WHERE sha256=?", (item.sha256,)).fetchone()
        fields = (item.name, result.kind, result.kind_label, now, _as_stored(item.path), codec.iso(item.modified),
                  _overrides_text(overrides), codec.pack(codec.sorted_in_pieces(sensitive)),
                  codec.pack(sorted(result.staff_names)), codec.pack(dict(sorted(result.auditors.items()))))
        if row is not None:
            import_id = row[0]
            _forget_derived(conn)  # what was worked out from it may hold what it no longer does
            for table in ("audits", "edt_samples", "export_tables", "findings", "replaced_tables"):
                conn.execute(f"DELETE FROM {table} WHERE import_id=?", (import_id,))
            conn.execute("UPDATE imports SET name=?, kind=?, kind_label=?, imported_at=?, path=?, modified=?, "
                         "overrides=?, sensitive=?, staff_names=?, auditors=? WHERE id=?", (*fields, import_id))
        else:
            import_id = conn.execute(
                "INSERT INTO imports(name, kind, kind_label, imported_at, path, modified, overrides, sensitive, "
                "staff_names, auditors, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*fields, item.sha256)).lastrowid
        dates: list[date] = []
        placeholders = ", ".join("?" * (len(codec.AUDIT_COLUMNS) + 1))
        conn.executemany(f"INSERT INTO audits(import_id, {', '.join(codec.AUDIT_COLUMNS)}) VALUES ({placeholders})",
                         [(import_id, *codec.audit_row(a)) for a in result.audits])
        dates += [a.audit_date for a in result.audits]
        placeholders = ", ".join("?" * (len(codec.EDT_COLUMNS) + 1))
        conn.executemany(f"INSERT INTO edt_samples(import_id, {', '.join(codec.EDT_COLUMNS)}) "
                         f"VALUES ({placeholders})", [(import_id, *codec.edt_row(s)) for s in result.edt_samples])
        dates += [s.sample_month for s in result.edt_samples]
        findings = list(result.findings)
        for table in result.exports:
            dates += self._store_table(conn, import_id, item.name, table, findings, now)
        self._add_findings(conn, import_id, findings)
        conn.execute("UPDATE imports SET first_date=?, last_date=? WHERE id=?",
                     (codec.iso(min(dates, default=None)), codec.iso(max(dates, default=None)), import_id))
        return import_id

    def _store_table(self, conn: sqlite3.Connection, import_id: int, name: str, table, findings: list[Finding],
                     now: str) -> list[date]:
        """Keep the later-modified of this table and the stored one of its kind (ties: this one, the newer
        import), as the combiner would; the one not kept is recorded as replaced, with an info finding."""
        stored, newest = codec.stored_table(table)
        current = conn.execute("SELECT e.id, e.modified, e.label, i.id, i.name FROM export_tables e JOIN imports i "
                               "ON i.id = e.import_id WHERE e.kind=?", (table.kind,)).fetchone()
        if current is not None and _when(codec.to_datetime(current[1])) > _when(table.modified):
            conn.execute("INSERT INTO replaced_tables(import_id, kind, label, replaced_by, replaced_at) "
                         "VALUES (?, ?, ?, ?, ?)", (import_id, table.kind, table.label, current[4], now))
            findings.append(_replaced_finding(name, table.sheet, table.label, current[4]))
            return []
        if current is not None:
            _forget_derived(conn)  # the replaced table's identifiers go with it
            conn.execute("DELETE FROM export_tables WHERE id=?", (current[0],))
            conn.execute("INSERT INTO replaced_tables(import_id, kind, label, replaced_by, replaced_at) "
                         "VALUES (?, ?, ?, ?, ?)", (current[3], table.kind, current[2], name, now))
            self._add_findings(conn, current[3], [_replaced_finding(current[4], "", current[2], name)])
        frame = stored.frame
        first = None
        if stored.date_column and stored.date_column in frame.columns and frame[stored.date_column].notna().any():
            first = frame[stored.date_column].min().date()
        conn.execute(
            "INSERT INTO export_tables(import_id, kind, label, sheet, header_row, date_column, snapshot, "
            "vacancies_fte, modified, columns, row_count, newest_date, frame) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (import_id, stored.kind, stored.label, stored.sheet, stored.header_row, stored.date_column,
             codec.iso(stored.snapshot), stored.vacancies_fte, codec.iso(stored.modified),
             json.dumps(sorted(stored.columns)), stored.rows, codec.iso(newest.date()) if newest is not None else None,
             codec.encode_frame(frame)))
        return [d for d in (first, newest.date() if newest is not None else None) if d is not None]

    @staticmethod
    def _add_findings(conn: sqlite3.Connection, import_id: int, findings: list[Finding]) -> None:
        conn.executemany("INSERT INTO findings(import_id, file, sheet, cell, severity, rule, message, field, value) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [(import_id, f.file, f.sheet, f.cell, f.severity.value, f.rule, f.message, f.field, f.value)
                          for f in findings])

    def remove_import(self, import_id: int) -> None:
        """Remove an import and everything that came from it (its records, tables and findings)."""
        with self._write() as conn:
            conn.execute("DELETE FROM imports WHERE id=?", (import_id,))
            _forget_derived(conn)

    def stored_results(self) -> list[StoredImport]:
        """Every import read back as the pipeline uses it (records, tables, findings, identifiers).

        Decoding a large export's stored frames costs about a second, and the app asks again after every
        file added or correction made, so an import read back once is kept, with a stamp of what it is
        made of: when it was (re)imported (to the second), with which corrections, from where, its export
        tables' ids and its newest finding (another import replacing one of its tables removes the table
        and adds a finding to it). Only imports whose stamp changed are read from the file again, whoever
        changed them. What is handed out is a copy: the pipeline may extend the lists and sets it gets.
        """
        with self._read() as conn:
            stamps = {row[0]: tuple(row) for row in conn.execute(
                "SELECT i.id, i.imported_at, i.overrides, i.name, i.path, i.modified, "
                "(SELECT group_concat(e.id) FROM export_tables e WHERE e.import_id = i.id), "
                "(SELECT max(f.id) FROM findings f WHERE f.import_id = i.id), "
                "(SELECT count(*) FROM findings f WHERE f.import_id = i.id) FROM imports i")}
            stale = [i for i, stamp in stamps.items() if self._stored.get(i, (None,))[0] != stamp]
            if stale:
                for import_id, stored in self._read_imports(conn, stale, len(stale) == len(stamps)).items():
                    for table in stored.result.exports:
                        table.token = (stored.item.sha256, *stamps[import_id])
                    self._stored[import_id] = (stamps[import_id], stored)
        for import_id in set(self._stored) - set(stamps):
            del self._stored[import_id]
        return [_copy_of(self._stored[i][1]) for i in sorted(stamps)]

    @staticmethod
    def _read_imports(conn: sqlite3.Connection, ids: list[int], every: bool) -> dict[int, StoredImport]:
        """The imports ``ids`` (all of them when ``every``) decoded from the file."""
        def rows(select: str, where: str, order: str) -> list[tuple]:
            if every:
                return codec.fetch_in_pieces(conn.execute(f"{select} ORDER BY {order}"))
            out: list[tuple] = []
            for start in range(0, len(ids), 500):  # SQLite allows a limited number of parameters
                chunk = ids[start:start + 500]
                out += codec.fetch_in_pieces(conn.execute(
                    f"{select} WHERE {where} IN ({', '.join('?' * len(chunk))}) ORDER BY {order}", chunk))
            return sorted(out, key=lambda row: row[-1]) if len(ids) > 500 else out

        audits: dict[int, list] = {}
        for row in rows(f"SELECT import_id, {', '.join(codec.AUDIT_COLUMNS)}, id FROM audits", "import_id", "id"):
            audits.setdefault(row[0], []).append(row[1:-1])
        samples: dict[int, list] = {}
        for row in rows(f"SELECT import_id, {', '.join(codec.EDT_COLUMNS)}, id FROM edt_samples", "import_id", "id"):
            samples.setdefault(row[0], []).append(row[1:-1])
        findings: dict[int, list[Finding]] = {}
        for row in rows("SELECT import_id, file, sheet, cell, severity, rule, message, field, value, id FROM findings",
                        "import_id", "id"):
            findings.setdefault(row[0], []).append(Finding(row[1], row[2], row[3], Severity(row[4]), row[5], row[6],
                                                           row[7], row[8]))
        tables: dict[int, list] = {}
        for row in rows("SELECT import_id, kind, label, sheet, header_row, date_column, snapshot, vacancies_fte, "
                        "modified, columns, frame, row_count, id FROM export_tables", "import_id", "id"):
            tables.setdefault(row[0], []).append(row[1:-1])
        imports = rows("SELECT id, name, sha256, kind, kind_label, path, modified, sensitive, staff_names, auditors, "
                       "id FROM imports", "id", "id")
        out: dict[int, StoredImport] = {}
        for import_id, name, sha, kind, label, path, modified, sensitive, staff, auditors, _ in imports:
            item = InputFile(name=name, data=b"", sha256=sha, path=path, modified=codec.to_datetime(modified))
            result = ReadResult(kind=kind, kind_label=label, findings=findings.get(import_id, []),
                                sensitive=frozenset(codec.unpack(sensitive, [])),
                                staff_names=frozenset(codec.unpack(staff, [])),
                                auditors=dict(codec.unpack(auditors, {})))
            result.audits = [codec.audit_from_row(r, name, sha) for r in audits.get(import_id, [])]
            result.edt_samples = [codec.edt_from_row(r, name, sha) for r in samples.get(import_id, [])]
            for (t_kind, t_label, sheet, header_row, date_column, snapshot, vacancies, t_modified, columns,
                 frame, row_count) in tables.get(import_id, []):
                # decoded when first used (stored.py): a build after a new return may need none of them
                result.exports.append(StoredTable(
                    kind=t_kind, label=t_label, file=name, sheet=sheet, frame=StoredFrame(frame, row_count),
                    columns=frozenset(json.loads(columns)), header_row=header_row, date_column=date_column,
                    snapshot=codec.to_date(snapshot), vacancies_fte=vacancies, modified=codec.to_datetime(t_modified)))
            out[import_id] = StoredImport(import_id, item, result)
        return out

    # --- figures worked out from what the workspace holds (derived.py) ------------------------------------

    def derived(self, name: str, key: str) -> bytes | None:
        """What was kept as ``name`` under ``key`` (a digest of everything it was worked out from), or None."""
        try:
            rows = self._rows("SELECT value FROM derived WHERE name=? AND key=?", (name, key))
        except sqlite3.OperationalError:  # no such table: nothing kept yet (or a file from before it)
            return None
        return bytes(rows[0][0]) if rows else None

    def keep_derived(self, name: str, key: str, value: bytes) -> bool:
        return self.keep_derived_rows([(name, key, value)])

    def keep_derived_rows(self, rows: list[tuple[str, str, bytes]]) -> bool:
        """Keep each (name, key, value), replacing what was kept as that name before. Only a saving: a
        workspace that cannot be written to now (read-only, or another user writing to it) keeps nothing and
        says False at once, never waiting for the other writer as an import does. The table is made when first
        needed, so the file stays one that earlier versions open (they never look at it)."""
        with self._lock:
            self._conn.execute("PRAGMA busy_timeout = 0")
            try:
                with self._write() as conn:
                    conn.execute(DERIVED_TABLE)
                    conn.executemany("INSERT OR REPLACE INTO derived(name, key, value) VALUES (?, ?, ?)", rows)
            except (WorkspaceError, sqlite3.Error):
                return False
            finally:
                self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        return True

    # --- what imported files on disk looked like (inputs/signatures.py) ----------------------------------

    def file_signatures(self, code: str, host: str | None = None) -> dict[str, Hashed]:
        """What each file on disk this computer (``host``) imported looked like when it was hashed, by path
        key, as recorded by this code (``code``: a record another version of PQA Desktop made is not
        trusted), each with the content hash of its import. Empty for a workspace from before the table."""
        try:
            rows = self._rows(
                "SELECT s.path, s.size, s.mtime_ns, s.ctime_ns, s.ino, s.dev, i.sha256, s.read_at_ns "
                "FROM file_signatures s JOIN imports i ON i.id = s.import_id WHERE s.host=? AND s.code=?",
                (host if host is not None else this_computer(), code))
        except sqlite3.OperationalError:  # no such table: nothing recorded yet (or a file from before it)
            return {}
        return {path: Hashed(path, Signature(size, mtime, ctime, ino, dev), sha, read_at)
                for path, size, mtime, ctime, ino, dev, sha, read_at in rows}

    def keep_file_signatures(self, hashed: list[Hashed], code: str, host: str | None = None) -> int:
        """Record each file's signature (replacing what was recorded for its path on this computer) where its
        content is imported: a file not imported is read every time anyway. Only a saving, like
        ``keep_derived_rows``: a workspace that cannot be written to now keeps nothing and never waits for
        another writer. Returns how many were recorded."""
        if not hashed:
            return 0
        imported = dict(self._rows("SELECT sha256, id FROM imports"))
        rows = [(host if host is not None else this_computer(), h.key, h.signature.size, h.signature.mtime_ns,
                 h.signature.ctime_ns, h.signature.ino, h.signature.dev, imported[h.sha256], h.read_at_ns, code)
                for h in hashed if h.sha256 in imported and _storable(h.key)]
        if not rows:
            return 0
        with self._lock:
            self._conn.execute("PRAGMA busy_timeout = 0")
            try:
                with self._write() as conn:
                    for statement in _statements(SIGNATURES_TABLE):
                        conn.execute(statement)
                    conn.executemany("INSERT OR REPLACE INTO file_signatures(host, path, size, mtime_ns, ctime_ns, "
                                     "ino, dev, import_id, read_at_ns, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                     rows)
            except (WorkspaceError, sqlite3.Error):
                return 0
            finally:
                self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        return len(rows)

    # --- corrections ------------------------------------------------------------------------------

    def _add_correction(self, kind: str, target: list, value: str, reason: str, who: str | None) -> int:
        with self._write() as conn:
            return conn.execute("INSERT INTO corrections(kind, target, value, reason, who, made_at) "
                                "VALUES (?, ?, ?, ?, ?, ?)", (kind, json.dumps(target), str(value), reason or "",
                                                               _who(who), _now().isoformat())).lastrowid

    def choose_duplicate(self, identity: tuple, keep_file: str, reason: str, who: str | None = None) -> int:
        """Keep the copy of a duplicated audit from ``keep_file`` (identity: type, reference, date)."""
        template_type, reference, when = identity
        when = when.isoformat() if isinstance(when, date) else str(when)
        return self._add_correction("keep", [template_type, str(reference).strip().upper(), when], keep_file,
                                    reason, who)

    def correct_value(self, file_sha256: str, sheet: str, cell: str, value: str, reason: str,
                      who: str | None = None) -> int:
        """Read ``value`` instead of what the file holds at ``sheet``!``cell``; the file is not changed."""
        return self._add_correction("value", [file_sha256, sheet, _cell(cell)], value, reason, who)

    def undo_correction(self, correction_id: int, who: str | None = None) -> None:
        """Stop applying a correction (it stays in the history, marked undone with who and when); the
        finding it corrected is open again."""
        with self._write() as conn:
            conn.execute("UPDATE corrections SET undone_at=?, undone_by=? WHERE id=? AND undone_at IS NULL",
                         (_now().isoformat(), _who(who), correction_id))
            conn.execute("DELETE FROM finding_status WHERE correction_id=?", (correction_id,))

    def list_corrections(self) -> list[Correction]:
        out = []
        for cid, kind, target, value, reason, who, made_at in self._rows(
                "SELECT id, kind, target, value, reason, who, made_at FROM corrections WHERE undone_at IS NULL "
                "ORDER BY id"):
            parts = json.loads(target)
            if kind == "keep":
                parts[2] = date.fromisoformat(parts[2])
            out.append(Correction(cid, kind, tuple(parts), value, reason, who, datetime.fromisoformat(made_at)))
        return out

    def keep_choices(self) -> dict[tuple, str]:
        """Duplicate identity -> file name to keep (the latest choice for each), as BuildOptions.keep takes."""
        return {c.target: c.value for c in self.list_corrections() if c.kind == "keep"}

    def value_overrides(self, file_sha256: str) -> Overrides:
        """(sheet, cell) -> value for one file (the latest correction of each cell)."""
        out: Overrides = {}
        for target, value in self._rows(
                "SELECT target, value FROM corrections WHERE kind='value' AND undone_at IS NULL "
                "AND json_extract(target, '$[0]') = ? ORDER BY id", (file_sha256,)):
            _, sheet, cell = json.loads(target)
            out[(sheet, cell)] = value
        return out

    # --- finding statuses ---------------------------------------------------------------------------

    def set_finding_status(self, finding: Finding, status: str, reason: str = "", who: str | None = None,
                           correction_id: int | None = None) -> None:
        """Keep what the QA officer decided about ``finding``: CORRECTED or ACCEPTED (a reason is required
        to accept). The finding is kept with it, as shown, so it can still be listed once corrected away."""
        if status not in (CORRECTED, ACCEPTED):
            raise ValueError(f"a finding's status is {CORRECTED!r} or {ACCEPTED!r}, not {status!r}")
        reason = (reason or "").strip()
        if status == ACCEPTED and not reason:
            raise ValueError("accepting a finding needs a reason")
        f = finding
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO finding_status(file, sheet, cell, rule, severity, message, field, "
                         "value, status, reason, who, set_at, correction_id) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (*status_key(f), f.severity.value, f.message, f.field, f.value, status, reason, _who(who),
                          _now().isoformat(), correction_id))

    def reopen_finding(self, finding: Finding) -> None:
        """The finding is open again (its status is forgotten; a correction behind it stays until undone)."""
        with self._write() as conn:
            conn.execute("DELETE FROM finding_status WHERE file=? AND sheet=? AND cell=? AND rule=?",
                         status_key(finding))

    def finding_statuses(self) -> dict[StatusKey, FindingStatus]:
        """Every finding's status that is not open, by the finding's place and rule."""
        out: dict[StatusKey, FindingStatus] = {}
        for (file, sheet, cell, rule, severity, message, field_, value, status, reason, who, set_at,
             correction_id) in self._rows(
                "SELECT file, sheet, cell, rule, severity, message, field, value, status, reason, who, set_at, "
                "correction_id FROM finding_status ORDER BY set_at, rowid"):
            finding = Finding(file, sheet, cell, Severity(severity), rule, message, field_, value)
            out[(file, sheet, cell, rule)] = FindingStatus(status, reason, who, datetime.fromisoformat(set_at),
                                                            finding, correction_id)
        return out

    # --- commentary -------------------------------------------------------------------------------

    def save_commentary(self, period_end: date, section: str, text: str, who: str | None = None) -> None:
        """The QA officer's text for one section of one month's report (empty text clears it)."""
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO commentary(period_end, section, text, who, saved_at) "
                         "VALUES (?, ?, ?, ?, ?)", (f"{period_end:%Y-%m}", section, text or "", _who(who),
                                                    _now().isoformat()))

    def commentary_for(self, period_end: date) -> dict[str, str]:
        """Each section's text for that month, else its latest earlier month's (offered again next month).
        A section cleared for the month (saved empty) stays empty."""
        out: dict[str, str] = {}
        for section, text in self._rows(
                "SELECT c.section, c.text FROM commentary c WHERE c.period_end = (SELECT MAX(period_end) FROM "
                "commentary d WHERE d.section = c.section AND d.period_end <= ?) ORDER BY c.section",
                (f"{period_end:%Y-%m}",)):
            if text.strip():
                out[section] = text
        return out

    # --- audit keys -------------------------------------------------------------------------------

    def lookup(self, key: str) -> list[AuditLookup]:
        """The audits whose key is ``key``, under the workspace's secret or an earlier one (a key in a
        workbook sent before the secret was changed): for the QA officer only, never written out."""
        wanted = key.strip().lower()
        audits = [(t, r, date.fromisoformat(d), n) for t, r, d, n in self._rows(
            "SELECT a.template_type, a.reference, a.audit_date, i.name FROM audits a JOIN imports i "
            "ON i.id = a.import_id ORDER BY a.audit_date, a.id")]
        for secret in self._all_secrets():
            found = [AuditLookup(t, r, d, n) for t, r, d, n in audits if audit_key(secret, t, r, d) == wanted]
            if found:
                return found
        return []

    # --- purge ------------------------------------------------------------------------------------

    def purge(self, older_than_months: int, today: date) -> int:
        """Remove every import whose records are all dated before ``older_than_months`` months ago (an export
        by its newest date), with the corrections and commentary about that time. Returns imports removed."""
        if older_than_months < 0:
            raise ValueError("older_than_months must not be negative")
        cutoff = add_months(today, -older_than_months)
        cut = cutoff.isoformat()
        with self._write() as conn:
            doomed = []
            for import_id, sha, imported_at, last_date in conn.execute(
                    "SELECT id, sha256, imported_at, last_date FROM imports"):
                newest = conn.execute(
                    "SELECT MAX(d) FROM (SELECT MAX(audit_date) AS d FROM audits WHERE import_id=:i "
                    "UNION ALL SELECT MAX(sample_month) FROM edt_samples WHERE import_id=:i "
                    "UNION ALL SELECT MAX(newest_date) FROM export_tables WHERE import_id=:i)",
                    {"i": import_id}).fetchone()[0]
                # With nothing left to date it (only findings, or every table replaced) the file's own
                # dates, else the day it was imported, decide.
                newest = newest or last_date or imported_at[:10]
                if newest < cut:
                    doomed.append((import_id, sha))
            if doomed:
                _forget_derived(conn)
            for import_id, sha in doomed:
                conn.execute("DELETE FROM imports WHERE id=?", (import_id,))
                conn.execute("DELETE FROM corrections WHERE kind='value' AND json_extract(target, '$[0]') = ?",
                             (sha,))
            conn.execute("DELETE FROM corrections WHERE kind='keep' AND json_extract(target, '$[2]') < ?", (cut,))
            conn.execute("DELETE FROM commentary WHERE period_end < ?", (f"{month_start(cutoff):%Y-%m}",))
            # statuses go with their corrections (cascade), and any set before the cut-off date
            conn.execute("DELETE FROM finding_status WHERE set_at < ?", (cut,))
        return len(doomed)


def _as_stored(path: str | None) -> str | None:
    """``path`` as SQLite can hold it: a name of bytes that are not UTF-8 (Linux) or a lone UTF-16 surrogate
    (Windows) has lone surrogates in Python, which SQLite refuses, and the whole import failed. Each such
    character becomes U+FFFD, as ``safe_name`` does in display names; the path is where the file came from,
    shown and used to find it again for a correction, and a file it no longer leads to is said, not guessed."""
    if path is None or _storable(path):
        return path
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in path)


def _storable(text: str) -> bool:
    """Whether SQLite can hold ``text`` (a Linux file name of bytes that are not UTF-8 has lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def this_computer() -> str:
    """This computer's name, as the file signatures it recorded are kept under (a path on another computer
    may be another file)."""
    return platform.node() or "unknown"


def _forget_derived(conn: sqlite3.Connection) -> None:
    """Forget everything worked out from the workspace's tables (kept figures and identifiers): called where a
    table or an import goes, so nothing worked out from it outlives it (secure_delete overwrites the rows)."""
    try:
        conn.execute("DELETE FROM derived")
    except sqlite3.OperationalError:  # no such table: nothing kept yet
        pass


def _replaced_finding(file: str, sheet: str, label: str, by: str) -> Finding:
    return Finding(file, sheet, "", Severity.INFO, RULE_TABLE_REPLACED,
                   f"This {label} has been replaced in the workspace by the one in '{by}', which is later, so "
                   "it is no longer used. Remove this import if you no longer need it listed.")


def _write_failed_message(path: Path, exc: sqlite3.OperationalError) -> str:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return _busy_message(path)
    if "readonly" in text or "read-only" in text:
        return (f"The workspace {path.name} is read-only for you, so nothing was saved. Ask for write access "
                "to its folder, or choose another workspace.")
    if "full" in text:
        return f"The drive holding the workspace {path.name} is full, so nothing was saved. Free some space."
    return (f"The workspace {path.name} could not be changed ({exc}); nothing was saved. Check the drive is "
            "available and try again.")


def _busy_message(path: Path) -> str:
    return (f"The workspace {path.name} is being changed by someone else (or another PQA Desktop window). "
            "Wait a minute and try again; if it persists, check nobody else has it open.")
