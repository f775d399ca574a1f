"""The desktop app's privacy and security controls, driven through the window with the real pipeline.

Password-protected workbook (asked twice, never stored), password-protected inputs (asked for, kept for
the session), the email draft, a build the leak inspector stops, and removing old data from the workspace.
Every modal is replaced: nothing blocks.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import email
import io
from datetime import date
from email import policy
from pathlib import Path

import msoffcrypto
import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QDialog, QMessageBox

from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.main_window import MainWindow
from pqa_desktop.app.passwords import MISMATCH_TEXT, InputPasswordDialog, OutputPasswordDialog
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.encryption import encrypt_xlsx
from pqa_desktop.core.inspect.leak import Leak
from tests.app_fixtures import check, wait_idle
from tests.app_fixtures import (TODAY, isolated_qsettings, message_boxes, opened_urls,  # noqa: F401 (fixtures)
                                save_dialog)
from tests.workspace_fixtures import AUDITS_YTD, headline, write_audit

WAIT_MS = 20000
PASSWORD = "Tr0ub4dor&3-horse"  # distinctive: a stray copy anywhere would be found by a byte search
INPUT_PASSWORD = "Blue-Heron-42"
PROTECTED = "file.password_protected"


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings):
    yield


@pytest.fixture
def make_window(qtbot):
    def make() -> MainWindow:
        window = MainWindow(settings=AppSettings(), today=TODAY)
        qtbot.addWidget(window)
        window.show()
        window.la_name_edit.setText("Anytown Council")
        return window
    return make


@pytest.fixture
def answer_questions(monkeypatch):
    """QMessageBox.question answered with ``answer["button"]`` (Yes unless a test says otherwise)."""
    answer = {"button": QMessageBox.StandardButton.Yes, "asked": []}

    def ask(parent, title, text, *args, **kwargs):
        answer["asked"].append(text)
        return answer["button"]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(ask))
    return answer


def type_in(dialog_class, monkeypatch, **fields) -> list:
    """Replace dialog_class.exec: type fields into its line edits and press OK; records each result."""
    results = []

    def exec_(dialog):
        for name, value in fields.items():
            getattr(dialog, name).setText(value)
        dialog.ok_button.click()
        results.append(dialog.result())
        return dialog.result()
    monkeypatch.setattr(dialog_class, "exec", exec_)
    return results



def build(qtbot, window, save_dialog, out: Path):
    save_dialog["path"] = str(out)
    with qtbot.waitSignal(window.build_succeeded, timeout=WAIT_MS):
        window.build_button.click()
    wait_idle(qtbot, window)


def two_audits(folder: Path) -> Path:
    write_audit(folder / "CFA 1.xlsx", "CR-2001", date(2024, 9, 3), "Good")
    write_audit(folder / "CFA 2.xlsx", "CR-2002", date(2024, 9, 10), "Requires improvement")
    return folder


def decrypt(data: bytes, password: str) -> bytes:
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password=password)
    out = io.BytesIO()
    office.decrypt(out)
    return out.getvalue()


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]


# ---------------------------------------------------------------------------------------------------------
# the output password
# ---------------------------------------------------------------------------------------------------------
def test_the_password_dialog_is_masked_and_refuses_two_different_entries(qtbot):
    dialog = OutputPasswordDialog()
    qtbot.addWidget(dialog)
    assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password
    assert dialog.confirm_edit.echoMode() == dialog.confirm_edit.EchoMode.Password
    dialog.password_edit.setText(PASSWORD)
    dialog.confirm_edit.setText(PASSWORD + "x")
    dialog.ok_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.error_label.text() == MISMATCH_TEXT
    assert dialog.confirm_edit.text() == ""  # typed again, not corrected
    dialog.ok_button.click()  # an empty second entry does not match either
    assert dialog.result() != QDialog.DialogCode.Accepted
    dialog.confirm_edit.setText(PASSWORD)
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.password() == PASSWORD
    dialog.clear()
    assert dialog.password_edit.text() == dialog.confirm_edit.text() == ""


def test_a_build_with_a_password_saves_an_encrypted_workbook_and_keeps_the_password_nowhere(
        qtbot, make_window, save_dialog, message_boxes, isolated_qsettings, tmp_path, monkeypatch):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([two_audits(tmp_path / "returns")]))
    typed = type_in(OutputPasswordDialog, monkeypatch, password_edit=PASSWORD, confirm_edit=PASSWORD)
    window.protect_checkbox.setChecked(True)
    out = tmp_path / "out" / "report.xlsx"
    out.parent.mkdir()
    build(qtbot, window, save_dialog, out)
    assert typed == [QDialog.DialogCode.Accepted] and message_boxes == []

    data = out.read_bytes()
    assert not data.startswith(b"PK")  # an OLE-wrapped encrypted package, not a plain zip
    with pytest.raises(Exception):
        decrypt(data, "not the password")
    workbook = load_workbook(io.BytesIO(decrypt(data, PASSWORD)), read_only=True)
    assert "Summary" in workbook.sheetnames

    window.save_settings()
    window.workspace.close()  # flush the workspace (and its journal) to disk before searching it
    stored = files_under(isolated_qsettings, window.workspace.path.parent)
    assert any(p.suffix == ".ini" for p in stored) and any(p == window.workspace.path for p in stored)
    for path in stored:
        raw = path.read_bytes()
        assert PASSWORD.encode() not in raw and PASSWORD.encode("utf-16-le") not in raw, path
    assert window.after_build.protected is True


def test_cancelling_the_password_dialog_builds_nothing(qtbot, make_window, save_dialog, tmp_path, monkeypatch):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([two_audits(tmp_path / "returns")]))
    monkeypatch.setattr(OutputPasswordDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    window.protect_checkbox.setChecked(True)
    save_dialog["path"] = str(tmp_path / "report.xlsx")
    window.build_button.click()
    assert not window.busy and not (tmp_path / "report.xlsx").exists()


# ---------------------------------------------------------------------------------------------------------
# password-protected inputs
# ---------------------------------------------------------------------------------------------------------
def test_a_protected_return_is_reported_and_counts_once_its_password_is_entered(
        qtbot, make_window, message_boxes, tmp_path, monkeypatch):
    folder = two_audits(tmp_path / "returns")
    protected = folder / "CFA 2.xlsx"
    protected.write_bytes(encrypt_xlsx(protected.read_bytes(), INPUT_PASSWORD))
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([folder]))
    assert [f.file for f in window.session.analysis.findings if f.rule == PROTECTED] == ["CFA 2.xlsx"]
    assert not window.protected_row.isHidden() and "1 input is password protected" in window.protected_label.text()
    figures, _ = pipeline.compute(window.session.analysis, window.report_content.build_options(window.period))
    assert headline(figures, AUDITS_YTD) == 1  # only the readable audit

    # a wrong password: the finding stays, nothing breaks
    entered = type_in(InputPasswordDialog, monkeypatch, password_edit="wrong one")
    check(qtbot, window, window.enter_password_button.click)
    assert entered == [QDialog.DialogCode.Accepted]
    assert [f.file for f in window.session.analysis.findings if f.rule == PROTECTED] == ["CFA 2.xlsx"]

    # the right one (tried with the wrong one still kept): the file is read and its audit counts
    entered = type_in(InputPasswordDialog, monkeypatch, password_edit=INPUT_PASSWORD)
    check(qtbot, window, window.enter_password_button.click)
    assert [f for f in window.session.analysis.findings if f.rule == PROTECTED] == []
    assert window.protected_row.isHidden()
    figures, _ = pipeline.compute(window.session.analysis, window.report_content.build_options(window.period))
    assert headline(figures, AUDITS_YTD) == 2
    assert window.report_content.build_options(window.period).input_passwords == ("wrong one", INPUT_PASSWORD)
    assert message_boxes == []
    assert protected.read_bytes()[:4] != b"PK\x03\x04"  # the input on disk is still encrypted


# ---------------------------------------------------------------------------------------------------------
# the email draft
# ---------------------------------------------------------------------------------------------------------
def test_prepare_email_writes_a_draft_with_the_workbook_attached_and_no_password(
        qtbot, make_window, save_dialog, message_boxes, opened_urls, tmp_path, monkeypatch):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([two_audits(tmp_path / "returns")]))
    assert not window.email_button.isEnabled()  # nothing built yet
    type_in(OutputPasswordDialog, monkeypatch, password_edit=PASSWORD, confirm_edit=PASSWORD)
    window.protect_checkbox.setChecked(True)
    out = tmp_path / "report.xlsx"
    build(qtbot, window, save_dialog, out)
    assert window.email_button.isEnabled() and not window.open_email_button.isEnabled()

    save_dialog["path"] = str(tmp_path / "report.eml")
    window.email_button.click()
    assert save_dialog["offered"][-1] == str(tmp_path / "report.eml")  # beside the workbook, same stem
    raw = (tmp_path / "report.eml").read_bytes()
    assert PASSWORD.encode() not in raw
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["X-Unsent"] == "1" and "Anytown Council" in message["Subject"]
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["report.xlsx"]
    assert attachments[0].get_content() == out.read_bytes()
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "password" in body.lower()  # says the password comes another way
    assert [title for _kind, title, _text in message_boxes] == ["Email draft saved"]
    assert "send the password another way" in message_boxes[0][2]

    window.open_email_button.click()
    assert [Path(url.toLocalFile()) for url in opened_urls] == [tmp_path / "report.eml"]


def test_the_draft_of_an_unprotected_workbook_asks_for_no_password_to_be_sent(
        qtbot, make_window, save_dialog, message_boxes, tmp_path):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([two_audits(tmp_path / "returns")]))
    out = tmp_path / "plain.xlsx"
    build(qtbot, window, save_dialog, out)
    save_dialog["path"] = str(tmp_path / "plain.eml")
    assert window.prepare_email()
    message = email.message_from_bytes((tmp_path / "plain.eml").read_bytes(), policy=policy.default)
    assert next(message.iter_attachments()).get_content() == out.read_bytes()
    assert "password" not in message_boxes[-1][2].lower()


# ---------------------------------------------------------------------------------------------------------
# a build the leak inspector stops
# ---------------------------------------------------------------------------------------------------------
def test_a_leak_found_by_the_inspector_is_explained_and_nothing_is_written(
        qtbot, make_window, save_dialog, message_boxes, tmp_path, monkeypatch):
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([two_audits(tmp_path / "returns")]))
    place = "cell 'Audit list'!B7 holds a child's ID"
    monkeypatch.setattr(pipeline, "inspect_with",
                        lambda *args, **kwargs: [Leak("cell 'Audit list'!B7", "child_id", place)])
    out = tmp_path / "leaky.xlsx"
    save_dialog["path"] = str(out)
    failed = []
    window.build_succeeded.connect(failed.append)
    window.build_button.click()
    wait_idle(qtbot, window)
    assert failed == [] and not out.exists() and window.last_output is None
    assert len(message_boxes) == 1
    kind, title, text = message_boxes[0]
    assert kind == "warning" and title == "The workbook was not saved"
    assert place in text and "Settings" in text and "Nothing was written" in text
    assert not window.email_button.isEnabled()


# ---------------------------------------------------------------------------------------------------------
# removing old data from the workspace
# ---------------------------------------------------------------------------------------------------------
def test_remove_data_older_than_removes_old_imports_after_asking(qtbot, make_window, answer_questions, tmp_path):
    old = tmp_path / "old"
    write_audit(old / "CFA 2021.xlsx", "CR-0101", date(2021, 5, 4), "Good")
    recent = two_audits(tmp_path / "recent")
    window = make_window()
    check(qtbot, window, lambda: window.add_paths([old, recent]))
    assert sorted(row.name for row in window.workspace.imports()) == ["CFA 1.xlsx", "CFA 2.xlsx", "CFA 2021.xlsx"]
    assert window.workspace_panel.purge_months.value() == 24

    answer_questions["button"] = QMessageBox.StandardButton.No  # asked, and said no: nothing goes
    window.workspace_panel.purge_button.click()
    assert len(answer_questions["asked"]) == 1 and "24 months" in answer_questions["asked"][0]
    assert len(window.workspace.imports()) == 3

    answer_questions["button"] = QMessageBox.StandardButton.Yes
    # 2024-10-07 less 24 months is 2022-10-07: the May 2021 audit is older, the September 2024 ones are not
    check(qtbot, window, window.workspace_panel.purge_button.click)
    assert sorted(row.name for row in window.workspace.imports()) == ["CFA 1.xlsx", "CFA 2.xlsx"]
    # else the next check would import it again
    assert old / "CFA 2021.xlsx" not in window.session.sources.analysis_paths()
    assert window.workspace_panel.model.rowCount() == 2
    assert (old / "CFA 2021.xlsx").exists()  # the file itself is untouched
