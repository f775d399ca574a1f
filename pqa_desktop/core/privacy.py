"""Privacy rules of the workbook contract: audit keys, staff-name redaction, file-name masking."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets as _secrets
from datetime import date
from typing import Iterable

REDACTED_NAME = "[name]"
MASK = "\u2022\u2022\u2022"  # shown in place of an identifier inside a file name


def new_secret() -> str:
    """A fresh audit-key secret (64 hex characters)."""
    return _secrets.token_hex(32)


def audit_key(secret: str, template_type: str, reference: str, audit_date: date) -> str:
    """First 10 hex characters of HMAC-SHA256(secret, "<type>|<REFERENCE>|<ISO date>")."""
    message = f"{template_type}|{reference.strip().upper()}|{audit_date.isoformat()}"
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def name_tokens(names: Iterable[str]) -> list[str]:
    """Full names and each part of three or more letters, longest first (so full names win)."""
    tokens: set[str] = set()
    for name in names:
        if not name:
            continue
        full = re.sub(r"\s+", " ", str(name)).strip()
        if len(full) >= 3:
            tokens.add(full)
        for part in re.split(r"[^A-Za-z\u00C0-\u024F'\-]+", full):
            part = part.strip("'-")
            if len(part) >= 3:
                tokens.add(part)
    return sorted(tokens, key=lambda t: (-len(t), t.casefold()))


def name_pattern(names: Iterable[str]) -> re.Pattern | None:
    tokens = name_tokens(names)
    if not tokens:
        return None
    alternation = "|".join(re.escape(t) for t in tokens)
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])", re.IGNORECASE)


def redact_names(text: str, names: Iterable[str] | re.Pattern | None) -> str:
    """Replace every staff name (full, or any part of 3+ letters) matched as a whole word by [name]."""
    if not text:
        return text
    pattern = names if isinstance(names, re.Pattern) or names is None else name_pattern(names)
    if pattern is None:
        return text
    return pattern.sub(REDACTED_NAME, text)


def mask_identifiers(text: str, identifiers: Iterable[str]) -> str:
    """Mask every known case reference or name appearing in a file name (case-insensitive)."""
    out = text
    for ident in sorted({i.strip() for i in identifiers if i and len(i.strip()) >= 3}, key=len, reverse=True):
        out = re.sub(re.escape(ident), MASK, out, flags=re.IGNORECASE)
    return out
