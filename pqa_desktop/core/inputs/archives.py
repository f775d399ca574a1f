"""Zip archives, opened as hostile input, and what every container shares (names, limits, parts).

A zip dropped on the app may come from anywhere, so it is read with limits: a member count, a total and
a per-member uncompressed size, and a compression ratio above which a member is taken for a zip bomb.
Sizes declared in the archive are only a first check: every member is decompressed in chunks and
stopped as soon as the bytes actually produced break a limit.

Container readers (this module's ``read_zip``, ``emails.read_eml``, ``emails.read_msg``) do not recurse:
they return ``Part`` values and ``discover`` opens any part that is itself a container, so nesting depth
and duplicates are handled in one place.
"""
from __future__ import annotations

import io
import lzma
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import Callable

from ..findings import Finding, Severity, register_rule

# U+203A with spaces: joins the chain of containers in a display name ("returns.zip › Audit 1.xlsx").
SEP = " \u203a "

# Hostile-input limits (defaults of ArchiveLimits). Real returns are a few hundred kB each; a month's
# zip of every return is well under these, so hitting one means the archive is broken or malicious.
MAX_MEMBERS = 2_000  # entries in one archive, folders included
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # everything unpacked from one file dropped by the user
MAX_MEMBER_BYTES = 200 * 1024 * 1024  # one unpacked member; also the largest file read from disk
MAX_RATIO = 200  # uncompressed : compressed, checked on members above RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1024 * 1024  # small members compress well legitimately (a blank template is ~99%)
MAX_DEPTH = 3  # containers inside containers: a.zip › b.zip › c.zip › x.xlsx is the deepest opened
# Every input of one build together (files on disk and what is unpacked from zips and emails): a large
# council's year is under 40 MB, and reading takes several times the bytes read, so past this a laptop
# would run out of memory (four zips each within the limits above once took 8 GB).
MAX_BUILD_BYTES = 512 * 1024 * 1024

_CHUNK = 1024 * 1024

RULE_ZIP_BAD = register_rule(
    "input.zip_bad", "A .zip file, or a file inside it, is damaged and could not be opened.")
RULE_ZIP_ENCRYPTED = register_rule(
    "input.zip_encrypted", "A file inside a .zip is password-protected by the zip itself and could not be read.")
RULE_ZIP_REFUSED = register_rule(
    "input.zip_refused",
    "A .zip file, or a file inside it, breaks a safety limit (too many files, too large, or compressed "
    "suspiciously well) and was not unpacked.")
RULE_BUILD_LIMIT = register_rule(
    "input.build_limit",
    "The inputs of one build together are larger than PQA Desktop reads at once: the files past the limit "
    "were left out.")
RULE_TOO_DEEP = register_rule(
    "input.too_deep", "A container (zip or email) is nested inside too many others and was not opened.")


@dataclass(frozen=True)
class ArchiveLimits:
    """Safety limits for unpacking; tests shrink them, the app uses the defaults."""

    max_members: int = MAX_MEMBERS
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_member_bytes: int = MAX_MEMBER_BYTES
    max_ratio: float = MAX_RATIO
    ratio_floor_bytes: int = RATIO_FLOOR_BYTES
    max_depth: int = MAX_DEPTH
    max_build_bytes: int = MAX_BUILD_BYTES


class BuildBudget:
    """What one build may still read, across every input given to it."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limit = limits.max_build_bytes
        self.bytes_left = limits.max_build_bytes


class ExtractionBudget:
    """What may still be unpacked from one file dropped by the user, shared by every archive nested in it
    (so a zip of zips cannot multiply the limits), within what the build may still read (``build``)."""

    def __init__(self, limits: ArchiveLimits, build: BuildBudget | None = None) -> None:
        self.limits = limits
        self.members_left = limits.max_members
        self.file_bytes_left = limits.max_total_bytes
        self.build = build or BuildBudget(limits)

    @property
    def bytes_left(self) -> int:
        return min(self.file_bytes_left, self.build.bytes_left)

    def take(self, size: int) -> None:
        self.file_bytes_left -= size
        self.build.bytes_left -= size


def build_limit_finding(display: str, limit: int) -> Finding:
    """The finding naming a file left out because the build's inputs together would pass ``limit``."""
    return Finding(display, "", "", Severity.ERROR, RULE_BUILD_LIMIT,
                   f"Left out: this file would take the inputs of this build past {describe_size(limit)} in all, "
                   "more than PQA Desktop reads in one build, so it was not read. Build with fewer inputs (one "
                   "month's returns, or the exports alone), or take out files that are not inputs, and build "
                   "again.")


@dataclass(frozen=True)
class Part:
    """One file found inside a container.

    ``names`` is the sanitised chain below the container: one name for a zip member or an attachment,
    more for an attachment of a message embedded in an Outlook message. ``data`` is None when the part
    was not read, with ``skip_reason`` saying why (for the "skipped: not an input" finding).
    """

    names: tuple[str, ...]
    data: bytes | None
    skip_reason: str | None = None


# Returns why a file name is not an input, or None when it is a candidate (see discover.skip_reason).
SkipCheck = Callable[[str], "str | None"]

_DRIVE = re.compile(r"^[A-Za-z]:")


def safe_name(raw: str, fallback: str = "unnamed") -> str:
    """The base name of a member or attachment name, safe to show and to chain.

    Drops folders (either slash), ``..`` and ``.`` segments, a drive letter ("C:evil.xlsx"), trailing dots
    and spaces (as Windows does), control and invisible formatting characters (a right-to-left override can disguise a suffix), and the chain
    separator itself. Lone surrogates (undecodable bytes in a file-system name) become U+FFFD so the
    name can still be written to the workbook.
    """
    cleaned = []
    for ch in raw or "":
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf"):
            continue
        cleaned.append("\ufffd" if category == "Cs" else ch)
    text = "".join(cleaned).replace("\\", "/").replace("\u203a", "-")
    segments = [s.strip() for s in text.split("/")]
    segments = [s for s in segments if s and s.strip(".")]
    # Trailing dots and spaces go, as Windows drops them ("Audit 1.xlsx." is Audit 1.xlsx once saved there).
    leaf = _DRIVE.sub("", segments[-1]).strip().rstrip(". ") if segments else ""
    if not leaf.strip("."):
        return fallback
    if len(leaf) > 200:  # keep the suffix: it decides how the file is read
        stem, dot, suffix = leaf.rpartition(".")
        leaf = (stem[: 200 - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 10 else leaf[:200]
    return leaf


def describe_size(size: int) -> str:
    """A limit in words for a message: "200 MB", "30 kB"."""
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size / 1024:,.0f} kB"


def read_zip(data: bytes, container: str, findings: list[Finding], skip_check: SkipCheck,
             budget: ExtractionBudget) -> list[Part]:
    """The members of a zip, read within the limits; problems are added to ``findings``.

    ``container`` is the display name of the zip (for findings). Members that are not inputs are not
    decompressed at all, so a zip holding a large video costs nothing.
    """
    limits = budget.limits
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        findings.append(Finding(container, "", "", Severity.ERROR, RULE_ZIP_BAD,
                                "This .zip file is damaged and could not be opened. Make the zip again "
                                "(or add the files themselves) and re-run."))
        return []
    if len(entries) > budget.members_left:
        findings.append(Finding(container, "", "", Severity.ERROR, RULE_ZIP_REFUSED,
                                f"This .zip file holds more than {limits.max_members:,} files, so it was not "
                                "unpacked. Add the returns themselves, or a smaller zip."))
        return []
    budget.members_left -= len(entries)

    parts: list[Part] = []
    # Same order as a folder: by path inside the archive, ignoring case.
    for info in sorted(entries, key=lambda i: (i.filename.casefold(), i.filename)):
        if info.filename.endswith("/"):  # a folder (ZipInfo.is_dir() raises IndexError on an empty name)
            continue
        name = safe_name(info.filename)
        where = container + SEP + name
        reason = skip_check(name)
        if reason is not None:
            parts.append(Part((name,), None, reason))
            continue
        if info.flag_bits & 0x1:
            findings.append(Finding(where, "", "", Severity.ERROR, RULE_ZIP_ENCRYPTED,
                                    "This file is password-protected inside the zip and could not be read. "
                                    "Unzip it with the password and add the file itself."))
            continue
        content, problem = _read_member(archive, info, len(data), budget)
        if problem == "build":  # this member does not fit what the build may still read; a smaller one may
            findings.append(build_limit_finding(where, budget.build.limit))
            continue
        if problem == "total":
            findings.append(Finding(container, "", "", Severity.ERROR, RULE_ZIP_REFUSED,
                                    f"This .zip file unpacks to more than {describe_size(limits.max_total_bytes)}, "
                                    f"so unpacking stopped at '{name}' and the files after it were not read. "
                                    "Split the zip or add the returns themselves."))
            break
        if problem is not None:
            findings.append(Finding(where, "", "", Severity.ERROR,
                                    RULE_ZIP_BAD if problem == "damaged" else RULE_ZIP_REFUSED,
                                    _MEMBER_PROBLEMS[problem].format(size=describe_size(limits.max_member_bytes),
                                                                     ratio=limits.max_ratio)))
            continue
        budget.take(len(content))
        parts.append(Part((name,), content))
    return parts


_MEMBER_PROBLEMS = {
    "damaged": "This file inside the zip is damaged (or uses a compression method that cannot be read) "
               "and was not read. Make the zip again, or add the file itself.",
    "large": "This file inside the zip unpacks to more than {size}, so it was not read. "
             "Check it is the right file.",
    "ratio": "This file inside the zip is compressed more than {ratio:g} to 1, which real returns never are "
             "(it may be a 'zip bomb'), so it was not read. Check where the zip came from.",
}


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, archive_size: int,
                 budget: ExtractionBudget) -> tuple[bytes, str | None]:
    """Decompress one member in chunks, stopping at the first limit broken by the bytes produced.

    Returns (content, None) or (b"", problem) where problem is "damaged", "large", "ratio", "total" (the
    dropped file's limit) or "build" (what the build may still read). The chunks go into one buffer whose
    bytes become the content without a copy (a list of chunks joined held the member twice).
    """
    limits = budget.limits
    # The declared sizes can lie, but when they already break a limit there is no point reading.
    compressed = max(1, min(info.compress_size, archive_size))
    if info.file_size > limits.max_member_bytes:
        return b"", "large"
    if info.file_size > limits.ratio_floor_bytes and info.file_size / compressed > limits.max_ratio:
        return b"", "ratio"

    def over_budget(size: int) -> str | None:
        if size > budget.file_bytes_left:
            return "total"
        return "build" if size > budget.build.bytes_left else None

    problem = over_budget(info.file_size)
    if problem is not None:
        return b"", problem
    buffer = io.BytesIO()
    produced = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                produced += len(chunk)
                if produced > limits.max_member_bytes:
                    return b"", "large"
                if produced > limits.ratio_floor_bytes and produced / compressed > limits.max_ratio:
                    return b"", "ratio"
                problem = over_budget(produced)
                if problem is not None:
                    return b"", problem
                buffer.write(chunk)
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError):
        # RuntimeError: zipfile's "password required"; NotImplementedError: unsupported compression.
        return b"", "damaged"
    return buffer.getvalue(), None
