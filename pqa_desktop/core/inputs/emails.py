"""Saved emails: the attachments of a .eml (MIME) or an Outlook .msg (compound file) as parts.

The email body is never an input; every attachment is, including inline parts that have a file name.
An attached message is handed back whole (a .eml part, opened again by ``discover``) or, for Outlook's
embedded messages, walked in place because it has no file of its own.
"""
from __future__ import annotations

import base64
import io
import quopri
import re
from email import policy
from email.message import Message
from email.parser import BytesParser

import olefile

from ..findings import Finding, Severity, register_rule
from .archives import RULE_TOO_DEEP, SEP, Part, SkipCheck, safe_name

RULE_EMAIL_BAD = register_rule(
    "input.email_bad", "A saved email (.eml or .msg) is damaged and its attachments could not be read.")
RULE_EMAIL_NO_ATTACHMENTS = register_rule(
    "input.email_no_attachments", "A saved email has no attachments, so nothing was read from it.")
RULE_EMAIL_PARTS_DAMAGED = register_rule(
    "input.email_parts_damaged",
    "A saved email's parts are damaged (a boundary marker between them is missing or altered): an attachment "
    "could not be separated and was not read.")
RULE_ATTACHMENT_LINK = register_rule(
    "input.attachment_link",
    "An Outlook attachment is only a link to a file stored elsewhere, so its content is not in the email.")

ATTACHED_MESSAGE = "attached message"  # name for an attached message that has no file name of its own

# ---------------------------------------------------------------- .eml (MIME)


class _HeadersParsedOnce(policy.EmailPolicy):
    """``policy.default``, with each header parsed once per message read. The parser and ``walk`` ask a part for
    its Content-Type again and again, and the default policy parses the header anew each time: a damaged email
    of a few hundred nested parts or thousands of headers took seconds to open. Headers are immutable, so
    handing back the one parsed before changes nothing else."""

    header_cache = None  # a dict for one message's read (see _parse_eml)

    def header_fetch_parse(self, name, value):
        if self.header_cache is None or hasattr(value, "name"):
            return super().header_fetch_parse(name, value)
        key = (name, value)
        parsed = self.header_cache.get(key)
        if parsed is None:
            parsed = self.header_cache[key] = super().header_fetch_parse(name, value)
        return parsed


def _parse_eml(data: bytes) -> Message:
    return BytesParser(policy=_HeadersParsedOnce(header_cache={})).parsebytes(data)


def read_eml(data: bytes, container: str, findings: list[Finding], skip_check: SkipCheck) -> list[Part]:
    """Every attachment of a MIME message; attached messages come back as .eml parts. Parts the parser could
    not separate (a damaged boundary) are findings naming the attachments lost, never a silent "no
    attachments" or an attachment merged into the part before it."""
    try:
        message = _parse_eml(data)
        parts = [_eml_part(part, container, findings, skip_check) for part in _attachments(message)]
        damage = _damaged_parts(message, container)
    except Exception:  # noqa: BLE001 - hostile input: the parser's failure modes are not all documented
        findings.append(Finding(container, "", "", Severity.ERROR, RULE_EMAIL_BAD,
                                "This saved email is damaged and its attachments could not be read. "
                                "Save the email again, or save the attachments and add them."))
        return []
    findings.extend(damage)
    parts = [p for p in parts if p is not None]
    if not parts and not damage:
        findings.append(_no_attachments(container))
    return parts


# The header block that opens a MIME part (a Content-Type naming a type, with a Content-Disposition or a
# Content-Transfer-Encoding beside it), found inside the body of another part: the boundary before it was
# damaged, so the parser took it (and the attachment after it) for the earlier part's content. Text that
# merely mentions a header has no such block.
_HEADER_BLOCK = re.compile(r"(?m)^(?:[\w-]+[ \t]*:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+")
_PART_TYPE = re.compile(r"(?im)^content-type[ \t]*:[ \t]*[\w.+-]+/[\w.+-]+")
_PART_FRAMING = re.compile(r"(?im)^content-(?:disposition|transfer-encoding)[ \t]*:")
_FILE_NAME = re.compile(r"""(?i)\b(?:file)?name\*?=\s*(?:"([^"\r\n]*)"|([^;\s]+))""")


def _damaged_parts(message: Message, container: str) -> list[Finding]:
    """Findings for parts the parser could not separate, naming the attachments they hide where it can."""
    findings = []
    for part in message.walk():
        kinds = {type(defect).__name__ for defect in part.defects}
        body = part.get_payload() if not part.is_multipart() or "StartBoundaryNotFoundDefect" in kinds else ""
        if not isinstance(body, str):
            body = ""
        if "StartBoundaryNotFoundDefect" in kinds:
            names = _names_in(body)
            findings.append(Finding(
                container, "", "", Severity.ERROR, RULE_EMAIL_PARTS_DAMAGED,
                "The parts of this saved email could not be found: the boundary marker its header names does not "
                f"appear in it, so {_what(names)} could not be read. Save the email again from the mail program, "
                "or save the attachments and add them."))
            continue
        hidden = [block.group() for block in _HEADER_BLOCK.finditer(body)
                  if _PART_TYPE.search(block.group()) and _PART_FRAMING.search(block.group())]
        if hidden:
            names = _names_in("\n".join(hidden))
            after = safe_name(part.get_filename() or "", "") or "the message text"
            findings.append(Finding(
                container, "", "", Severity.ERROR, RULE_EMAIL_PARTS_DAMAGED,
                f"Part of this saved email is damaged: a boundary marker after {_quoted(after)} is broken, so "
                f"{_what(names)} could not be separated from it and was not read. Save the email again from the "
                "mail program, or save the attachments and add them."))
        if "CloseBoundaryNotFoundDefect" in kinds:
            findings.append(Finding(
                container, "", "", Severity.WARNING, RULE_EMAIL_PARTS_DAMAGED,
                "This saved email ends before its last part is closed (it may have been cut short): its last "
                "attachment may be incomplete. If that attachment gives other findings, save the email again."))
    return findings


def _names_in(text: str) -> list[str]:
    names = []
    for found in _FILE_NAME.finditer(text):
        name = safe_name(found.group(1) or found.group(2) or "", "")
        if name and name not in names:
            names.append(name)
    return names


def _quoted(name: str) -> str:
    return name if name == "the message text" else f"'{name}'"


def _what(names: list[str]) -> str:
    if not names:
        return "its attachments"
    shown = ", ".join(f"'{n}'" for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"the attachment{'s' if len(names) > 1 else ''} {shown}"


def _attachments(part: Message):
    """The attachment parts, in message order, without descending into attached messages."""
    if part.get_content_type() == "message/rfc822":  # an attached (forwarded) message
        yield part
        return
    if part.is_multipart():
        for sub in part.get_payload():
            yield from _attachments(sub)
        return
    if part.get_filename() is not None or part.get_content_disposition() == "attachment":
        yield part


def _eml_part(part: Message, container: str, findings: list[Finding], skip_check: SkipCheck) -> Part | None:
    if part.get_content_type() == "message/rfc822":
        name = _with_suffix(safe_name(part.get_filename() or "", ATTACHED_MESSAGE), ".eml")
        return Part((name,), _attached_message_bytes(part))
    name = safe_name(part.get_filename() or "", "attachment")
    reason = skip_check(name)
    if reason is not None:
        return Part((name,), None, reason)
    return Part((name,), part.get_payload(decode=True) or b"")


def _attached_message_bytes(part: Message) -> bytes:
    """The bytes of an attached message. The email package parses a message/rfc822 part as a message
    whatever its transfer encoding, so one that a client sent base64 or quoted-printable encoded (which
    RFC 2046 forbids but some do) comes back as a header-less message whose body is the encoded text."""
    inner = part.get_payload()
    if not isinstance(inner, list) or not inner:
        return part.get_payload(decode=True) or b""
    content = inner[0].as_bytes(policy=policy.default)
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding == "base64":
        return base64.b64decode(content)  # not validating: line breaks are skipped
    if encoding == "quoted-printable":
        return quopri.decodestring(content)
    return content


def _with_suffix(name: str, suffix: str) -> str:
    return name if name.lower().endswith(suffix) else name + suffix


def _no_attachments(container: str) -> Finding:
    return Finding(container, "", "", Severity.WARNING, RULE_EMAIL_NO_ATTACHMENTS,
                   "This saved email has no attachments, so nothing was read from it (the body of an "
                   "email is never read). If the returns were sent as links, save the files and add them.")


# ---------------------------------------------------------------- .msg (Outlook compound file)

_ATTACH_PREFIX = "__attach_version1.0_#"
_EMBEDDED = "__substg1.0_3701000d"  # PR_ATTACH_DATA_OBJ: a storage (embedded message or OLE object)
_DATA = "__substg1.0_37010102"  # PR_ATTACH_DATA_BIN: the attached file's bytes
_PROPERTIES = "__properties_version1.0"
# File name properties, best first: long file name, short (8.3) file name, display name; each as
# Unicode (001F, UTF-16LE) or as the older 8-bit string (001E).
_NAME_STREAMS = ("__substg1.0_3707001f", "__substg1.0_3707001e", "__substg1.0_3704001f",
                 "__substg1.0_3704001e", "__substg1.0_3001001f", "__substg1.0_3001001e")


def read_msg(data: bytes, container: str, findings: list[Finding], skip_check: SkipCheck,
             depth_left: int) -> list[Part]:
    """Every attachment of an Outlook .msg; attachments of embedded messages are walked in place
    (at most ``depth_left`` embedded levels), their names chained under the embedded message's name."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            tree = _MsgTree(ole)
            parts = tree.attachments((), container, findings, skip_check, depth_left)
    except Exception:  # noqa: BLE001 - hostile input: olefile raises many types on malformed files
        findings.append(Finding(container, "", "", Severity.ERROR, RULE_EMAIL_BAD,
                                "This Outlook message (.msg) is damaged and its attachments could not be "
                                "read. Save the email again from Outlook, or save the attachments and add them."))
        return []
    if not parts:
        findings.append(_no_attachments(container))
    return parts


class _MsgTree:
    """The entries of a compound file by lower-case path, so property names match in any case."""

    def __init__(self, ole: olefile.OleFileIO) -> None:
        self.ole = ole
        self.entries = {tuple(n.lower() for n in path): path
                        for path in ole.listdir(streams=True, storages=True)}

    def children(self, prefix: tuple[str, ...]) -> list[str]:
        return sorted(key[len(prefix)] for key in self.entries
                      if len(key) == len(prefix) + 1 and key[: len(prefix)] == prefix)

    def read(self, path: tuple[str, ...]) -> bytes:
        return self.ole.openstream(self.entries[path]).read()

    def attachments(self, prefix: tuple[str, ...], container: str, findings: list[Finding],
                    skip_check: SkipCheck, depth_left: int) -> list[Part]:
        parts: list[Part] = []
        for storage in self.children(prefix):
            if not storage.startswith(_ATTACH_PREFIX):
                continue
            here = prefix + (storage,)
            children = set(self.children(here))
            raw_name = next((self._text(here + (s,)) for s in _NAME_STREAMS if s in children), "")
            if _EMBEDDED in children:
                parts.extend(self._embedded(here + (_EMBEDDED,), raw_name, container, findings,
                                            skip_check, depth_left))
                continue
            name = safe_name(raw_name, "attachment")
            if _DATA not in children:
                findings.append(Finding(container + SEP + name, "", "", Severity.WARNING, RULE_ATTACHMENT_LINK,
                                        "This attachment is only a link to a file kept elsewhere (for example "
                                        "OneDrive or SharePoint), so it could not be read. Save the file and "
                                        "add it."))
                continue
            reason = skip_check(name)
            parts.append(Part((name,), None, reason) if reason else Part((name,), self.read(here + (_DATA,))))
        return parts

    def _embedded(self, storage: tuple[str, ...], raw_name: str, container: str, findings: list[Finding],
                  skip_check: SkipCheck, depth_left: int) -> list[Part]:
        if _PROPERTIES not in self.children(storage):
            # Attach method 6: an OLE object (a pasted chart, a package), not a message or a file.
            name = safe_name(raw_name, "embedded object")
            return [Part((name,), None, "an object embedded in the email, not an attached file")]
        name = _with_suffix(safe_name(raw_name, ATTACHED_MESSAGE), ".msg")
        where = container + SEP + name
        if depth_left <= 0:
            findings.append(Finding(where, "", "", Severity.WARNING, RULE_TOO_DEEP,
                                    "This attached message is inside too many other messages or zips, so it "
                                    "was not opened. Save its attachments and add them."))
            return []
        inner = self.attachments(storage, where, findings, skip_check, depth_left - 1)
        if not inner:
            findings.append(_no_attachments(where))
        return [Part((name,) + p.names, p.data, p.skip_reason) for p in inner]

    def _text(self, path: tuple[str, ...]) -> str:
        raw = self.read(path)
        text = raw.decode("utf-16-le", "replace") if path[-1].endswith("001f") else raw.decode("cp1252", "replace")
        return text.rstrip("\x00")
