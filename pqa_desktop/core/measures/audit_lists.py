"""Row-per-item tables: feedback texts and the audit list."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from ..records import Audit
from .audit_judgements import case_file_domains, foster_domains
from .audit_windows import DateWindow, audit_type, service_area
from .grades import frame

FEEDBACK_COLUMNS = ("Date", "Audit type", "Service area", "Source", "Sentiment", "Feedback")


def feedback_audits(audits: Sequence[Audit], window: DateWindow, audit_key: Callable[[Audit], str]) -> list[Audit]:
    """The audits whose feedback text the feedback table lists, in its order (date, then audit key)."""
    with_text = [a for a in audits if window.contains(a.audit_date) and a.feedback and (a.feedback.text or "").strip()]
    with_text.sort(key=lambda a: (a.audit_date, audit_key(a)))
    return with_text


def feedback_table(audits: Sequence[Audit], window: DateWindow, audit_key: Callable[[Audit], str]) -> pd.DataFrame:
    """Every feedback text in the window, in date order (text as written: names are redacted later)."""
    with_text = feedback_audits(audits, window, audit_key)
    rows = [{"Date": a.audit_date, "Audit type": audit_type(a), "Service area": service_area(a),
             "Source": a.feedback.source, "Sentiment": a.feedback.sentiment, "Feedback": a.feedback.text}
            for a in with_text]
    return frame(rows, FEEDBACK_COLUMNS)


def audit_list_domain_columns() -> list[tuple[str, dict[str, str]]]:
    """(column label, {template type: domain field}) for each case file domain except the overall one.

    The columns are the case file audit's domains (the lead's reading of the contract); a foster carer
    domain fills a column only where its label is the same, and a return type without a domain of
    that label leaves the column blank. Foster carer domain grades are reported in tbl_foster_audits.
    """
    columns: dict[str, dict[str, str]] = {
        d.label: {"case_file_audit": d.field} for d in case_file_domains()}
    for domain in foster_domains():
        if domain.field != "overall" and domain.label in columns:
            columns[domain.label]["foster_carer_audit"] = domain.field
    return list(columns.items())


def audit_list_table(audits: Sequence[Audit], window: DateWindow, audit_key: Callable[[Audit], str], *,
                     include_case_refs: bool = False, include_staff_names: bool = False) -> pd.DataFrame:
    domain_columns = audit_list_domain_columns()
    headers = ["Audit key"]
    if include_case_refs:
        headers.append("Reference")
    if include_staff_names:
        headers.append("Auditor")
    headers += ["Audit type", "Audit date", "Service area", "Team", *(label for label, _ in domain_columns),
                "Overall", "Moderated"]
    listed = sorted(((audit_key(a), a) for a in audits if window.contains(a.audit_date)),
                    key=lambda pair: (pair[1].audit_date, pair[0]))
    rows = []
    for key, audit in listed:
        row = {"Audit key": key, "Reference": audit.reference, "Auditor": audit.staff.get("auditor"),
               "Audit type": audit_type(audit), "Audit date": audit.audit_date,
               "Service area": service_area(audit), "Team": (audit.team or "").strip() or None,
               "Overall": audit.overall, "Moderated": "Yes" if audit.moderated else "No"}
        for label, fields in domain_columns:
            field = fields.get(audit.template_type)
            row[label] = audit.grades.get(field) if field else None
        rows.append(row)
    return frame(rows, headers)
