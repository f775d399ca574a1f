"""The email draft: a .eml file that Outlook opens ready to send, with the workbook attached.

``X-Unsent: 1`` makes Outlook (and Thunderbird) open the file as a draft with a Send button. The body
holds only the headline figures (measure names and numbers, shown as the workbook shows them) and
the classification: no names, references or dates of birth ever reach it, because nothing but the
headline figures is passed in. With a password the body says the password comes by another route;
the password itself is never passed here, so it cannot end up in the draft.

The draft is reproducible: the Date header is the "date produced", the Message-ID and the MIME
boundaries are derived from the content, so the same workbook and figures give the same bytes.
It is written atomically (temporary file beside it, then replace).
"""
from __future__ import annotations

import hashlib
import html
import os
from datetime import date, datetime, time, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Sequence

from ..measures.figures import Headline
from ..encryption import is_password_protected
from ..report.context import CLASSIFICATION
from ..report.package import write_atomically
from ..report.styles import unit_kind
from ..report.text import is_blank, round_half_away

XLSX_MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
REPORT_NAME = "Performance and Quality Assurance Update"
# Noon UTC is the same calendar day everywhere from UTC-11 to UTC+11, so the draft's date is the
# "date produced" whatever the reader's time zone.
_DATE_TIME = time(12, 0, tzinfo=timezone.utc)
_MESSAGE_ID_DOMAIN = "pqa-desktop.invalid"  # reserved name: the draft is not sent from anywhere yet


def email_subject(la_name: str, period_label: str, classification: str = CLASSIFICATION) -> str:
    """"Anytown Council — Performance and Quality Assurance Update, September 2024 (OFFICIAL-SENSITIVE)"."""
    return f"{la_name.strip()} — {REPORT_NAME}, {period_label} ({classification})"


def write_email_draft(path: str | os.PathLike, workbook_path: str | os.PathLike, *, la_name: str,
                      period_label: str, headlines: Sequence[Headline] | Sequence[dict],
                      password_protected: bool, produced: date, to: str = "",
                      classification: str = CLASSIFICATION) -> None:
    """Write the .eml draft at path with the workbook at workbook_path attached.

    ``headlines`` are the Summary rows (Headline objects, or the dicts of pipeline.headline_summary).
    ``password_protected`` must match the workbook (an encrypted workbook and True, or a plain one
    and False): a draft must never tell recipients a file is protected when it is not.
    Raises OutputNotWritable when path cannot be replaced; the previous draft is then intact.
    """
    attachment = Path(workbook_path).read_bytes()
    if is_password_protected(attachment) != password_protected:
        state = "is" if is_password_protected(attachment) else "is not"
        raise ValueError(f"The workbook {Path(workbook_path).name} {state} password protected, but the "
                         "draft was asked to say otherwise.")
    message = build_email_draft(attachment, Path(workbook_path).name, la_name=la_name,
                                period_label=period_label, headlines=headlines,
                                password_protected=password_protected, produced=produced, to=to,
                                classification=classification)
    write_draft(path, message)


def build_email_draft(attachment: bytes, attachment_name: str, *, la_name: str, period_label: str,
                      headlines: Sequence[Headline] | Sequence[dict], password_protected: bool,
                      produced: date, to: str = "", classification: str = CLASSIFICATION) -> EmailMessage:
    """The draft as an EmailMessage (no file is touched)."""
    rows = [_as_headline(h) for h in headlines]
    subject = email_subject(la_name, period_label, classification)
    text = plain_body(la_name, period_label, rows, password_protected, produced, classification)
    markup = html_body(la_name, period_label, rows, password_protected, produced, classification)
    return draft_message(subject, text, markup, attachment, attachment_name, produced, to)


def draft_message(subject: str, text: str, markup: str, attachment: bytes, attachment_name: str,
                  produced: date, to: str = "") -> EmailMessage:
    """An Outlook draft (``X-Unsent: 1``) with a plain and an HTML body and one workbook attached, made
    reproducibly: the Date is the day produced, the Message-ID and boundaries come from the content."""
    message = EmailMessage(policy=policy.SMTP)
    if to.strip():
        message["To"] = to.strip()
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.combine(_day(produced), _DATE_TIME))
    message["Message-ID"] = _message_id(subject, text, markup, attachment, produced)
    message["X-Unsent"] = "1"
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(markup, subtype="html", cte="quoted-printable")
    message.add_attachment(attachment, maintype=XLSX_MIME[0], subtype=XLSX_MIME[1],
                           filename=attachment_name)
    _fix_boundaries(message, subject + text + markup, attachment)
    for part in message.iter_parts():
        _drop_inner_mime_version(part)
    return message


def write_draft(path: str | os.PathLike, message: EmailMessage) -> None:
    """Save a draft atomically; OutputNotWritable when ``path`` cannot be replaced."""
    write_atomically(path, message.as_bytes(policy=policy.SMTP), program="Outlook or another program")


# --- the words -----------------------------------------------------------------------------------

def plain_body(la_name: str, period_label: str, headlines: Sequence[Headline], password_protected: bool,
               produced: date, classification: str = CLASSIFICATION) -> str:
    lines = ["Hello,", "",
             f"Please find attached the {la_name.strip()} Children's Services {REPORT_NAME} for "
             f"{period_label}.", ""]
    if headlines:
        lines.append("Headline figures:")
        for section, rows in _by_section(headlines):
            if section:
                lines += ["", f"{section}:"]
            lines += [f"- {headline_line(h)}" for h in rows]
    else:
        lines.append("The workbook holds no headline figures this month: see its Data quality sheet.")
    for paragraph in _closing(password_protected, produced, classification):
        lines += ["", paragraph]
    return "\n".join(lines) + "\n"


def html_body(la_name: str, period_label: str, headlines: Sequence[Headline], password_protected: bool,
              produced: date, classification: str = CLASSIFICATION) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en-GB"><head><meta charset="utf-8">',
             f"<title>{e(email_subject(la_name, period_label, classification))}</title></head><body>",
             "<p>Hello,</p>",
             f"<p>Please find attached the {e(la_name.strip())} Children's Services {REPORT_NAME} for "
             f"{e(period_label)}.</p>"]
    if headlines:
        parts.append("<table>")
        parts.append("<caption>Headline figures</caption>")
        parts.append("<thead><tr>" + "".join(f'<th scope="col">{c}</th>' for c in
                                              ("Measure", "Value", "Previous", "Change", "Target", "Status"))
                     + "</tr></thead><tbody>")
        for h in headlines:
            cells = [value_text(h.value, h.unit), value_text(h.previous, h.unit), change_text(h),
                     value_text(h.target, h.unit), h.status]
            parts.append(f'<tr><th scope="row">{e(h.measure)}</th>'
                         + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table>")
    else:
        parts.append("<p>The workbook holds no headline figures this month: see its Data quality sheet.</p>")
    parts += [f"<p>{e(p)}</p>" for p in _closing(password_protected, produced, classification)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _closing(password_protected: bool, produced: date, classification: str) -> list[str]:
    if password_protected:
        protection = ("The workbook is protected with a password. The password will reach you by "
                      "another route (by phone or in a separate message), never in this email.")
    else:
        protection = ("The workbook is not password protected: share it only within the organisation "
                      "and by secure email.")
    return [f"The workbook is classified {classification}. It holds no children's names, dates of birth "
            "or postcodes; please do not forward it beyond those who need it.",
            protection,
            f"Produced with PQA Desktop on {_day(produced).strftime('%d/%m/%Y')}."]


def headline_line(h: Headline) -> str:
    """"Good or better overall judgements (year to date): 69% (previous 66%, change +3.0 pts; target 70%) — Below target"."""
    line = f"{h.measure}: {value_text(h.value, h.unit) or 'no data'}"
    extras = []
    if not is_blank(h.previous):
        change = change_text(h)
        extras.append(f"previous {value_text(h.previous, h.unit)}" + (f", change {change}" if change else ""))
    if not is_blank(h.target):
        extras.append(f"target {value_text(h.target, h.unit)}")
    if extras:
        line += f" ({'; '.join(extras)})"
    if h.status and h.status != "No target":
        line += f" — {h.status}"
    return line


def value_text(value: float | None, unit: str) -> str:
    """A value as the workbook shows it: whole percentages, counts with thousands, one decimal;
    "" for a blank cell."""
    if is_blank(value):
        return ""
    kind = unit_kind(unit)
    if kind == "percent":
        return f"{round_half_away(float(value) * 100)}%"
    if kind == "number":
        return f"{round_half_away(float(value), 1):,}"
    if kind == "days":
        return f"{_trim_decimal(round_half_away(float(value), 1))} days"
    return f"{int(round_half_away(float(value))):,}"


def change_text(h: Headline) -> str:
    """Value − Previous as the workbook's Change column shows it (+3.0 pts, +12, −1.5)."""
    change = h.change
    if is_blank(change):
        return ""
    kind = unit_kind(h.unit)
    rounded = round_half_away(change, 0 if kind == "count" else 1)
    # The workbook's change formats show zero unsigned ("0.0 pts", "0"), never "-0.0".
    shown = f"{abs(rounded):,}" if rounded == 0 else f"{rounded:+,}"
    return f"{shown} pts" if kind == "percent" else shown


def _trim_decimal(d) -> str:
    text = f"{d:,}"
    return text[:-2] if text.endswith(".0") else text


def _by_section(headlines: Sequence[Headline]) -> list[tuple[str, list[Headline]]]:
    """Headlines grouped by report section in first-seen order; one untitled group if all share one."""
    groups: dict[str, list[Headline]] = {}
    for h in headlines:
        groups.setdefault(h.section or "Summary", []).append(h)
    if len(groups) == 1:
        return [("", list(headlines))]
    return list(groups.items())


def _as_headline(h: Headline | dict) -> Headline:
    if isinstance(h, Headline):
        return h
    return Headline(measure=str(h["measure"]), value=h.get("value"), previous=h.get("previous"),
                    unit=h.get("unit") or "count", target=h.get("target"), england=h.get("england"),
                    status=h.get("status") or "No target", section=h.get("section") or "Summary")


# --- reproducibility -----------------------------------------------------------------------------

def _day(produced: date) -> date:
    return produced.date() if isinstance(produced, datetime) else produced


def _message_id(subject: str, text: str, markup: str, attachment: bytes, produced: date) -> str:
    digest = hashlib.sha256()
    for part in (subject.encode(), text.encode(), markup.encode(), attachment):
        digest.update(hashlib.sha256(part).digest())
    return f"<{_day(produced):%Y%m%d}.{digest.hexdigest()[:32]}@{_MESSAGE_ID_DOMAIN}>"


def _drop_inner_mime_version(part: EmailMessage) -> None:
    """MIME-Version belongs on the message alone; the email package repeats it on added parts."""
    del part["MIME-Version"]
    for inner in part.iter_parts():
        _drop_inner_mime_version(inner)


def _fix_boundaries(message: EmailMessage, words: str, attachment: bytes) -> None:
    """Content-derived MIME boundaries (the email package picks random ones).

    "=_" never occurs in quoted-printable or base64 text, so the boundary cannot collide with a part.
    """
    seed = hashlib.sha256(words.encode() + attachment).hexdigest()[:24]
    for index, part in enumerate(p for p in message.walk() if p.is_multipart()):
        part.set_boundary(f"=_pqa_{seed}_{index}")


__all__ = ["write_email_draft", "build_email_draft", "draft_message", "write_draft", "email_subject", "plain_body",
           "html_body", "headline_line", "value_text", "change_text", "XLSX_MIME"]
