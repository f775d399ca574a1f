"""The workspace's SQLite schema, by version, and the steps that migrate an older file forward.

Version 1 held imports, their records, findings and commentary; version 2 added the corrections
table; version 3 added each finding's field and value found, each import's auditors (who filled in which
return or register row, to send findings back to them) and the status the QA officer gave a finding
(corrected, or accepted with a reason). Each step runs inside the opening transaction, so a file is either fully migrated or left as it
was. A new file is created at version 1 and migrated like any other, so the upgrade path is the path
every workspace takes and is exercised on every first open.
"""
from __future__ import annotations

APPLICATION = "pqa-desktop-workspace"

# Version 1: everything except corrections. Foreign keys cascade so removing an import removes all
# that came from it in one statement.
V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,              -- display name ("returns.zip › Audit 1.xlsx"), unmasked
    sha256 TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    kind_label TEXT NOT NULL,
    imported_at TEXT NOT NULL,       -- UTC ISO
    path TEXT,                       -- outermost file on disk when imported (to re-read for a correction)
    modified TEXT,                   -- file modification time (ISO) as the reader saw it
    first_date TEXT,                 -- period hint: earliest audit / sample / export date
    last_date TEXT,
    overrides TEXT NOT NULL DEFAULT '{}',  -- value corrections the stored records were read with
    sensitive BLOB,                  -- zlib(JSON list): identifiers to mask in file names
    staff_names BLOB                 -- zlib(JSON list): staff names to redact from feedback
);
CREATE TABLE audits (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    template_type TEXT NOT NULL,
    reference TEXT NOT NULL,
    audit_date TEXT NOT NULL,
    audit_type TEXT NOT NULL,
    service_area TEXT NOT NULL,
    team TEXT,
    grades TEXT NOT NULL,            -- JSON
    compliance TEXT NOT NULL,        -- JSON
    moderated_overall TEXT,
    moderation_date TEXT,
    feedback_source TEXT,
    feedback_sentiment TEXT,
    feedback_text TEXT,
    actions INTEGER NOT NULL,
    practitioner_involved TEXT,
    carer_type TEXT,
    staff TEXT NOT NULL,             -- JSON role -> name
    source_sheet TEXT,
    source_row INTEGER,
    source_modified TEXT
);
CREATE INDEX audits_import ON audits(import_id);
CREATE TABLE edt_samples (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    sampled_by TEXT NOT NULL,
    sample_month TEXT NOT NULL,
    records TEXT NOT NULL,           -- JSON list of [row, contact date, answers]
    source_sheet TEXT,
    source_row INTEGER,
    source_modified TEXT
);
CREATE INDEX edt_import ON edt_samples(import_id);
CREATE TABLE export_tables (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    kind TEXT NOT NULL UNIQUE,       -- only the latest table of each kind is kept
    label TEXT NOT NULL,
    sheet TEXT NOT NULL,
    header_row INTEGER NOT NULL,
    date_column TEXT,
    snapshot TEXT,
    vacancies_fte REAL,
    modified TEXT,
    columns TEXT NOT NULL,           -- JSON list of canonical column ids kept
    row_count INTEGER NOT NULL,
    newest_date TEXT,                -- latest date in the table (dates of birth aside), for purge
    frame BLOB NOT NULL              -- zlib(JSON) typed columns, see codec.py
);
CREATE TABLE replaced_tables (
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    replaced_by TEXT NOT NULL,       -- display name of the import whose table is used instead
    replaced_at TEXT NOT NULL
);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    file TEXT NOT NULL, sheet TEXT NOT NULL, cell TEXT NOT NULL,
    severity TEXT NOT NULL, rule TEXT NOT NULL, message TEXT NOT NULL
);
CREATE INDEX findings_import ON findings(import_id);
CREATE TABLE commentary (
    period_end TEXT NOT NULL,        -- "YYYY-MM"
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    who TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (period_end, section)
);
"""

V2 = """
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('keep', 'value')),
    target TEXT NOT NULL,            -- JSON: keep [type, REFERENCE, ISO date]; value [sha256, sheet, cell]
    value TEXT NOT NULL,             -- keep: the file name kept; value: the value read instead
    reason TEXT NOT NULL,
    who TEXT NOT NULL,
    made_at TEXT NOT NULL,           -- UTC ISO
    undone_at TEXT,
    undone_by TEXT
);
"""

V3 = """
ALTER TABLE findings ADD COLUMN field TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN value TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN auditors BLOB;   -- zlib(JSON) place ("" or "row 12") -> auditor's name
CREATE TABLE finding_status (
    file TEXT NOT NULL,              -- the finding's place and rule, as shown (file name masked)
    sheet TEXT NOT NULL,
    cell TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,          -- the finding as it was when its status was set, so a finding that
    message TEXT NOT NULL,           -- a correction made go away can still be listed as corrected
    field TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('corrected', 'accepted')),
    reason TEXT NOT NULL,
    who TEXT NOT NULL,
    set_at TEXT NOT NULL,            -- UTC ISO
    correction_id INTEGER REFERENCES corrections(id) ON DELETE CASCADE,  -- the correction that made it
    PRIMARY KEY (file, sheet, cell, rule)
);
"""

# Figures worked out from what the workspace holds, kept to save working them out again (derived.py): made
# when first needed, not by a migration, so a workspace holding it is still one that earlier versions open
# (they never read it). ``key`` is a digest of everything the value was worked out from; one row per name.
DERIVED_TABLE = """
CREATE TABLE IF NOT EXISTS derived (
    name TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    value BLOB NOT NULL              -- zlib(typed JSON), see derived.py
)
"""

# What each file on disk a workspace imported looked like when it was hashed (its stat signature, see
# inputs/signatures.py), so a build knows an unchanged file without reading it again: made when first needed,
# like ``derived``, and gone with its import (a purge, a removal) by the foreign key, which SQLite enforces
# whichever version of PQA Desktop removes the import. Kept per computer: the same path on another one may be
# another file.
SIGNATURES_TABLE = """
CREATE TABLE IF NOT EXISTS file_signatures (
    host TEXT NOT NULL,              -- the computer that hashed the file
    path TEXT NOT NULL,              -- its absolute path there (case-folded on Windows)
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,       -- POSIX: inode change time; Windows: creation time
    ino TEXT NOT NULL,               -- as text: unsigned 64-bit (ReFS: 128-bit) numbers SQLite cannot hold
    dev TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,  -- whose content it held (sha256)
    read_at_ns INTEGER NOT NULL,     -- when the signature was taken, just before the file was read
    code TEXT NOT NULL,              -- which PQA Desktop recorded it: another's records are not trusted
    PRIMARY KEY (host, path)
);
CREATE INDEX IF NOT EXISTS file_signatures_import ON file_signatures(import_id)
"""

# MIGRATIONS[n] takes a file from version n to n + 1.
MIGRATIONS: dict[int, str] = {0: V1, 1: V2, 2: V3}
SCHEMA_VERSION = max(MIGRATIONS) + 1
