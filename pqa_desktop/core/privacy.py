"""Privacy rules of the workbook contract: audit keys, staff-name redaction, file-name masking."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets as _secrets
from datetime import date
from functools import lru_cache
from typing import Iterable

REDACTED_NAME = "[name]"
MASK = "\u2022\u2022\u2022"  # shown in place of an identifier inside a file name


def new_secret() -> str:
    """A fresh audit-key secret (64 hex characters)."""
    return _secrets.token_hex(32)


def audit_key(secret: str, template_type: str, reference: str, audit_date: date) -> str:
    """First 10 hex characters of HMAC-SHA256(secret, "<type>|<REFERENCE>|<ISO date>")."""
    return _audit_key(secret, template_type, reference.strip().upper(), audit_date)


@lru_cache(maxsize=1 << 14)
def _audit_key(secret: str, template_type: str, reference: str, audit_date: date) -> str:
    # remembered (in this process's memory only, as the secret itself is): a check asks for each audit's key
    # two or three times (its figures, its feedback list and items), and the next check for the same audits
    message = f"{template_type}|{reference}|{audit_date.isoformat()}"
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
    return sorted(tokens, key=_token_order)


def name_pattern(names: Iterable[str]) -> re.Pattern | None:
    return _tokens_pattern(name_tokens(names))


def redact_names(text: str, names: Iterable[str] | re.Pattern | None) -> str:
    """Replace every staff name (full, or any part of 3+ letters) matched as a whole word by [name]."""
    if not text:
        return text
    pattern = names if isinstance(names, re.Pattern) or names is None else name_pattern(names)
    if pattern is None:
        return text
    return pattern.sub(REDACTED_NAME, text)


def _token_order(token: str) -> tuple[int, str]:
    return -len(token), token.casefold()


def _tokens_pattern(tokens: Iterable[str]) -> re.Pattern | None:
    ordered = sorted(tokens, key=_token_order)
    if not ordered:
        return None
    alternation = "|".join(re.escape(t) for t in ordered)
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])", re.IGNORECASE)


class NameRedactor:
    """``redact_names`` for one set of staff names: its pattern compiled once and each text redacted once
    (remembered), however often it is asked for (a check shows the feedback items and works out the
    feedback table from the same texts, issue 18).

    A redactor for more names is grown from one for fewer (``extended``): the redactions it remembers are kept
    where none of the new names' tokens occurs in the text (matched as the pattern matches, ignoring case):
    there, at every place, the same alternatives of the pattern match, the longest first, so the text is
    redacted as a redactor made afresh redacts it.
    """

    REMEMBERED = 50_000  # texts remembered at most (a council's year shows some 700 feedback texts)

    def __init__(self, names: Iterable[str]):
        self._tokens = frozenset(name_tokens(names))
        self._pattern: re.Pattern | None = None  # compiled when first needed
        self._redacted: dict[str, str] = {}

    def _compiled(self) -> re.Pattern | None:
        if self._pattern is None and self._tokens:
            self._pattern = _tokens_pattern(self._tokens)
        return self._pattern

    def __call__(self, text: str) -> str:
        if not text or not self._tokens:
            return text
        shown = self._redacted.get(text)
        if shown is None:
            shown = self._compiled().sub(REDACTED_NAME, text)
            if len(self._redacted) < self.REMEMBERED:
                self._redacted[text] = shown
        return shown

    def extended(self, names: Iterable[str]) -> "NameRedactor":
        """A redactor of ``names`` too (this one is left as it is); the same redactions as ``NameRedactor`` of
        every name of both."""
        grown = object.__new__(type(self))
        new = set(name_tokens(names)) - self._tokens
        grown._tokens = self._tokens | new
        if not new:
            grown._pattern, grown._redacted = self._pattern, self._redacted.copy()
            return grown
        grown._pattern = None
        finder = re.compile("|".join(re.escape(t) for t in sorted(new, key=_token_order)), re.IGNORECASE)
        grown._redacted = {text: shown for text, shown in self._redacted.copy().items() if not finder.search(text)}
        return grown


class IdentifierMasker:
    """Masks every known identifier (case reference, child ID, name) appearing in a short text such as a
    file name, case-insensitively and inside words too ("CFA123456.xlsx").

    Built once per run: a large council has 100,000+ child IDs, so matching is a set lookup of each
    substring of the (short) text, longest first, rather than one pattern per identifier. Each text masked is
    remembered (the same thousand file names are masked several times a check, and again at the next).

    A masker for more identifiers is grown from one for fewer (``extended``): the app checks the inputs again
    after every file added, and folding a council's 124,000 identifiers again took 0.1-0.2 s of each check
    (issue 18). The masks it remembers are kept where no new identifier occurs in the text: there, every
    lookup gives what it gave, so the mask is the one a masker made afresh gives.
    """

    MIN_LENGTH = 3
    # masks remembered at most (file names, folders and findings' texts: a council's year asks some 3,000);
    # past it, texts are masked without being remembered
    REMEMBERED = 50_000
    # past this many new identifiers, the remembered masks are dropped rather than each searched for them
    SEARCHED = 64

    def __init__(self, identifiers: Iterable[str]):
        # the known identifiers folded, as a dict's keys rather than a set: a dict of texts is left out of the
        # garbage collector's passes (a set is walked member by member; the app keeps a council's 124,000
        # while it works, issue 18); lookups are the same
        self._known: dict[str, None] = dict.fromkeys(self._folded(identifiers))
        self._lengths = sorted({len(i) for i in self._known}, reverse=True)
        self._masks: dict[str, str] = {}  # text -> its mask (a dict of texts: untracked by the collector too)

    @classmethod
    def _folded(cls, identifiers: Iterable[str]) -> Iterable[str]:
        return (i.strip().casefold() for i in identifiers if i and len(i.strip()) >= cls.MIN_LENGTH)

    def add(self, identifiers: Iterable[str]) -> None:
        """Learn more identifiers (a window masking each file's name as it is read learns as it goes)."""
        new = [i for i in set(self._folded(identifiers)) if i not in self._known]
        if new:
            self._known.update(dict.fromkeys(new))
            self._lengths = sorted(set(self._lengths) | {len(i) for i in new}, reverse=True)
            self._masks = self._masks_unchanged_by(new)

    def extended(self, identifiers: Iterable[str]) -> "IdentifierMasker":
        """A masker that knows ``identifiers`` too (this one is left as it is): the same masks as
        ``IdentifierMasker`` of every identifier of both, without folding again those this one knows."""
        grown = object.__new__(type(self))
        grown._known = self._known.copy()
        grown._lengths = list(self._lengths)
        grown._masks = self._masks.copy()
        grown.add(identifiers)
        return grown

    def _masks_unchanged_by(self, new: list[str]) -> dict[str, str]:
        """The remembered masks of texts none of the ``new`` (folded) identifiers occurs in."""
        if len(new) > self.SEARCHED or not self._masks:
            return {}
        return {text: shown for text, shown in self._masks.items()
                if not any(identifier in _folded_text(text) for identifier in new)}

    def __call__(self, text: str) -> str:
        if not text or not self._known:
            return text
        shown = self._masks.get(text)
        if shown is None:
            shown = self._mask(text)
            if len(self._masks) < self.REMEMBERED:
                self._masks[text] = shown
        return shown

    def _mask(self, text: str) -> str:
        folded = _folded_text(text)
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


def _folded_text(text: str) -> str:
    """``text`` as the masker matches it: case-folded, else (when folding changes its length, e.g. a German
    sharp s) lower case, so each position is the text's own."""
    folded = text.casefold()
    return folded if len(folded) == len(text) else text.lower()
