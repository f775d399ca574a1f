"""The SQLite workspace (shared/spec/cli.md, "Workspace"): imported audits, the latest system exports,
corrections, commentary and the audit-key secret, kept between runs."""
from .schema import SCHEMA_VERSION
from .store import AuditLookup, Correction, ImportRow, StoredImport, Workspace, WorkspaceError

__all__ = ["SCHEMA_VERSION", "AuditLookup", "Correction", "ImportRow", "StoredImport", "Workspace", "WorkspaceError"]
