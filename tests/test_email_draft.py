"""The .eml draft: opens in Outlook ready to send, workbook attached, headline figures only, no password."""
from __future__ import annotations

import os
from datetime import date
from email import message_from_bytes, policy

import pytest

from pqa_desktop.core.sending.email_draft import XLSX_MIME, change_text, value_text, write_email_draft
from pqa_desktop.core.measures.figures import Headline
from pqa_desktop.core.measures.audits import HEADLINE_GOOD_OR_BETTER
from pqa_desktop.core.report import OutputNotWritable, write_workbook
from tests.report_fixtures import LA, audit_figures, context

SUBJECT = ("Anytown Council — Performance and Quality Assurance Update, September 2024 "
           "(OFFICIAL-SENSITIVE)")
PRODUCED = date(2024, 10, 7)
HEADLINES = audit_figures().headlines + [
    Headline("Average caseload per social worker", 12.25, 11.0, unit="number", section="Workforce"),
    Headline("Median days from referral to assessment", 21.5, 20, unit="days", section="Workforce"),
    Headline("Re-referrals within 12 months", None, 0.2, unit="percent", status="No data",
             section="Workforce"),
]
# Worked by hand from the figures above, as the workbook's formats show them.
EXPECTED_LINES = [
    "- Audits completed (year to date): 64 (previous 58, change +6)",
    f"- {HEADLINE_GOOD_OR_BETTER}: 25% (previous 22%, change +3.0 pts; target 40%)"
    " — Below target",
    "- Average caseload per social worker: 12.3 (previous 11.0, change +1.3)",
    "- Median days from referral to assessment: 21.5 days (previous 20 days, change +1.5)",
    "- Re-referrals within 12 months: no data (previous 20%) — No data",
]


def _workbook(tmp_path, password: str | None = None, name: str = "PQA September 2024.xlsx"):
    path = tmp_path / name
    write_workbook(path, audit_figures(), context(), password=password)
    return path


def _draft(tmp_path, workbook, *, password_protected=False, name="draft.eml", headlines=HEADLINES, **kw):
    path = tmp_path / name
    write_email_draft(path, workbook, la_name=LA, period_label="September 2024", headlines=headlines,
                      password_protected=password_protected, produced=kw.pop("produced", PRODUCED), **kw)
    return path


def _parse(path):
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def _texts(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


def test_draft_opens_ready_to_send_with_the_workbook_attached(tmp_path):
    workbook = _workbook(tmp_path)
    message = _parse(_draft(tmp_path, workbook, to="senior.managers@anytown.gov.uk"))
    assert message["X-Unsent"] == "1"
    assert message["Subject"] == SUBJECT
    assert message["To"] == "senior.managers@anytown.gov.uk"
    assert message["Date"] == "Mon, 07 Oct 2024 12:00:00 +0000"
    assert message.get_content_type() == "multipart/mixed"
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    attached = attachments[0]
    assert attached.get_content_type() == "/".join(XLSX_MIME)
    assert XLSX_MIME[1] == "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert attached.get_filename() == "PQA September 2024.xlsx"
    assert attached.get_content() == workbook.read_bytes()


def test_body_holds_the_headline_figures_as_the_workbook_shows_them(tmp_path):
    message = _parse(_draft(tmp_path, _workbook(tmp_path)))
    plain, markup = _texts(message)
    lines = plain.splitlines()
    for expected in EXPECTED_LINES:
        assert expected in lines
    # Grouped by the report section each headline belongs to, in the order they come.
    assert [line for line in lines if line in ("Audit activity:", "Overall judgements:", "Workforce:")] == [
        "Audit activity:", "Overall judgements:", "Workforce:"]
    assert "<td>25%</td><td>22%</td><td>+3.0 pts</td><td>40%</td><td>Below target</td>" in markup
    assert "OFFICIAL-SENSITIVE" in plain
    # Only measure names and numbers: nothing from the context the workbook was built with.
    ctx = context()
    for private in ("Users", "register.xlsx", "audit 1.xlsx", "child's voice", ctx.messages["Summary"][0]):
        assert private not in plain and private not in markup


def test_headline_dicts_give_the_same_draft(tmp_path):
    workbook = _workbook(tmp_path)
    as_dicts = [{"measure": h.measure, "value": h.value, "previous": h.previous, "unit": h.unit,
                 "status": h.status, "target": h.target, "section": h.section,
                 "change": h.change} for h in HEADLINES]
    objects = _draft(tmp_path, workbook, name="objects.eml")
    dicts = _draft(tmp_path, workbook, name="dicts.eml", headlines=as_dicts)
    assert objects.read_bytes() == dicts.read_bytes()


def test_draft_is_reproducible_and_crlf(tmp_path):
    workbook = _workbook(tmp_path)
    first = _draft(tmp_path, workbook, name="first.eml").read_bytes()
    second = _draft(tmp_path, workbook, name="second.eml").read_bytes()
    assert first == second
    assert b"\n" not in first.replace(b"\r\n", b"")  # every line ends CRLF
    later = _parse(_draft(tmp_path, workbook, name="later.eml", produced=date(2024, 10, 8)))
    assert later["Date"] == "Tue, 08 Oct 2024 12:00:00 +0000"
    assert later["Message-ID"] != _parse(tmp_path / "first.eml")["Message-ID"]
    assert _parse(tmp_path / "first.eml")["Message-ID"].endswith("@pqa-desktop.invalid>")


@pytest.mark.parametrize("password", ["September", "Tr0ub4dor&3"])
def test_password_goes_by_another_route_and_never_into_the_draft(tmp_path, password):
    plain_draft = _parse(_draft(tmp_path, _workbook(tmp_path, name="open.xlsx"), name="open.eml"))
    workbook = _workbook(tmp_path, password=password)
    path = _draft(tmp_path, workbook, password_protected=True)
    message = _parse(path)
    plain, markup = _texts(message)
    assert "by another route (by phone or in a separate message), never in this email" in plain
    assert "password will reach you" in markup
    assert list(message.iter_attachments())[0].get_content() == workbook.read_bytes()

    # The words do not depend on the password: a draft for another password has the same text, and
    # "September" appears exactly as often as the period label puts it there.
    other = _parse(_draft(tmp_path, _workbook(tmp_path, password="x9-Q!zz", name="other.xlsx"),
                          password_protected=True, name="other.eml"))
    assert _texts(other) == (plain, markup)
    assert plain.count("September") == _texts(plain_draft)[0].count("September") == 1
    if password != "September":
        raw = path.read_bytes()
        for text in (plain, markup, raw.decode("ascii"), message["Subject"]):
            assert password not in text
        assert password.encode("utf-16-le") not in raw

    # Unprotected drafts say so and do not promise a password.
    plain_text = _texts(plain_draft)[0]
    assert "not password protected" in plain_text and "separate message" not in plain_text


def test_protection_must_match_the_workbook(tmp_path):
    with pytest.raises(ValueError, match="is not password protected"):
        _draft(tmp_path, _workbook(tmp_path), password_protected=True)
    with pytest.raises(ValueError, match="is password protected"):
        _draft(tmp_path, _workbook(tmp_path, password="pw", name="locked.xlsx"), password_protected=False)
    assert not (tmp_path / "draft.eml").exists()


def test_a_failed_write_leaves_the_previous_draft_and_no_partial_file(tmp_path, monkeypatch):
    workbook = _workbook(tmp_path)
    draft = _draft(tmp_path, workbook)
    previous = draft.read_bytes()
    before = sorted(os.listdir(tmp_path))

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="the disk is full"):  # OutputNotWritable, in plain words (issue 15)
        _draft(tmp_path, workbook, to="someone@anytown.gov.uk")
    monkeypatch.undo()

    def locked(src, dst):
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputNotWritable, match="Cannot save draft.eml"):
        _draft(tmp_path, workbook, to="someone@anytown.gov.uk")
    assert draft.read_bytes() == previous
    assert sorted(os.listdir(tmp_path)) == before


def test_number_formats():
    assert value_text(0.685, "percent") == "69%"  # half away from zero, as the workbook rounds
    assert value_text(0.005, "percent") == "1%"
    assert value_text(1234, "count") == "1,234"
    assert value_text(None, "count") == ""
    assert change_text(Headline("x", 0.50, 0.505, unit="percent")) == "-0.5 pts"
    assert change_text(Headline("x", 0.5, 0.5, unit="percent")) == "0.0 pts"
    assert change_text(Headline("x", 10, 12, unit="count")) == "-2"
    assert change_text(Headline("x", 1500, 250, unit="count")) == "+1,250"
