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


class IdentifierMasker:
    """Masks every known identifier (case reference, child ID, name) appearing in a short text such as a
    file name, case-insensitively and inside words too ("CFA123456.xlsx").

    Built once per run: a large council has 100,000+ child IDs, so matching is a set lookup of each
    substring of the (short) text, longest first, rather than one pattern per identifier.
    """

    MIN_LENGTH = 3

    def __init__(self, identifiers: Iterable[str]):
        # the known identifiers folded, as a dict's keys rather than a set: a dict of texts is left out of the
        # garbage collector's passes (a set is walked member by member; the app keeps a council's 124,000
        # while it works, issue 18); lookups are the same
        self._known: dict[str, None] = dict.fromkeys(
            i.strip().casefold() for i in identifiers if i and len(i.strip()) >= self.MIN_LENGTH)
        self._lengths = sorted({len(i) for i in self._known}, reverse=True)

    def add(self, identifiers: Iterable[str]) -> None:
        """Learn more identifiers (a window masking each file's name as it is read learns as it goes)."""
        new = {i.strip().casefold() for i in identifiers if i and len(i.strip()) >= self.MIN_LENGTH}
        new = [i for i in new if i not in self._known]
        if new:
            self._known.update(dict.fromkeys(new))
            self._lengths = sorted(set(self._lengths) | {len(i) for i in new}, reverse=True)

    def __call__(self, text: str) -> str:
        if not text or not self._known:
            return text
        folded = text.casefold()
        if len(folded) != len(text):  # casefold changed the length (e.g. German sharp s): match on lower()
            folded = text.lower()
        out, i, n = [], 0, len(text)
        while i < n:
            for length in self._lengths:
                if i + length <= n and folded[i:i + length] in self._known:
                    out.append(MASK)
                    i += length
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

