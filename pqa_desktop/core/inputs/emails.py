"""Saved emails: the attachments of a .eml (MIME) or an Outlook .msg (compound file) as parts.

The email body is never an input; every attachment is, including inline parts that have a file name.
An attached message is handed back whole (a .eml part, opened again by ``discover``) or, for Outlook's
embedded messages, walked in place because it has no file of its own.
"""
from __future__ import annotations

import base64
import io
import quopri
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
RULE_ATTACHMENT_LINK = register_rule(
    "input.attachment_link",
    "An Outlook attachment is only a link to a file stored elsewhere, so its content is not in the email.")

ATTACHED_MESSAGE = "attached message"  # name for an attached message that has no file name of its own

# ---------------------------------------------------------------- .eml (MIME)


def read_eml(data: bytes, container: str, findings: list[Finding], skip_check: SkipCheck) -> list[Part]:
    """Every attachment of a MIME message; attached messages come back as .eml parts."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
        parts = [_eml_part(part, container, findings, skip_check) for part in _attachments(message)]
    except Exception:  # noqa: BLE001 - hostile input: the parser's failure modes are not all documented
        findings.append(Finding(container, "", "", Severity.ERROR, RULE_EMAIL_BAD,
                                "This saved email is damaged and its attachments could not be read. "
                                "Save the email again, or save the attachments and add them."))
        return []
    parts = [p for p in parts if p is not None]
    if not parts:
        findings.append(_no_attachments(container))
    return parts


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
