"""Dropping inputs on the window: files, folders, a zip, a saved email, and attachments dragged out of Outlook.

The Outlook drop is synthesised: a QMimeData carrying real FILEGROUPDESCRIPTORW bytes (built here with
struct, field by field, as Windows lays them out) and FileContents under the MIME names Qt on Windows
uses. Behaviour inside real Outlook on Windows is not verified by these tests.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import struct
import zipfile
from datetime import date
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.inputs_model import STATUS_COLUMN
from pqa_desktop.app.main_window import MainWindow
from pqa_desktop.app.outlook_drop import (DroppedFileStore, clean_file_name, has_virtual_files,
                                          parse_file_group_descriptor, read_virtual_files)
from pqa_desktop.core.returns.templates import return_bytes
from tests.app_fixtures import TODAY, fake_pipeline, isolated_qsettings, message_boxes  # noqa: F401 (fixtures)

WAIT_MS = 5000
SEP = " \u203a "
DESCRIPTOR_MIME = 'application/x-qt-windows-mime;value="FileGroupDescriptorW"'
CONTENTS_MIME = 'application/x-qt-windows-mime;value="FileContents"'
FD_ATTRIBUTES, FD_FILESIZE, FILE_ATTRIBUTE_DIRECTORY = 0x04, 0x40, 0x10


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings):
    yield


@pytest.fixture
def window(qtbot) -> MainWindow:
    w = MainWindow(settings=AppSettings(), today=TODAY)
    qtbot.addWidget(w)
    w.show()
    return w


def file_descriptor(name: str, size: int | None, *, folder: bool = False) -> bytes:
    """One FILEDESCRIPTORW, 592 bytes: the fields in Windows' order, cFileName as 260 UTF-16 units."""
    flags = (FD_FILESIZE if size is not None else 0) | (FD_ATTRIBUTES if folder else 0)
    size = size or 0
    encoded = name.encode("utf-16-le")
    assert len(encoded) < 520
    return (struct.pack("<I", flags) + bytes(16)  # dwFlags, clsid
            + struct.pack("<ii", 0, 0) + struct.pack("<ii", 0, 0)  # sizel, pointl
            + struct.pack("<I", FILE_ATTRIBUTE_DIRECTORY if folder else 0)  # dwFileAttributes
            + struct.pack("<Q", 0) * 3  # creation, last access, last write times
            + struct.pack("<II", size >> 32, size & 0xFFFFFFFF)  # nFileSizeHigh, nFileSizeLow
            + encoded + bytes(520 - len(encoded)))  # cFileName[260], NUL padded


def group_descriptor(*descriptors: bytes) -> bytes:
    return struct.pack("<I", len(descriptors)) + b"".join(descriptors)


def outlook_mime(descriptor: bytes, contents: bytes | None) -> QMimeData:
    mime = QMimeData()
    mime.setData(DESCRIPTOR_MIME, descriptor)
    if contents is not None:
        mime.setData(CONTENTS_MIME, contents)
    return mime


def drop(widget, mime: QMimeData) -> QDropEvent:
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(QPointF(10, 10), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    assert enter.dropAction() == Qt.DropAction.CopyAction
    event = QDropEvent(QPointF(10, 10), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    assert event.isAccepted()
    return event


def audit_bytes(ref: str, overall: str = "Good", day: int = 11) -> bytes:
    return return_bytes("case_file_audit", {
        "case_ref": ref, "service_area": "IRT", "team": "IRT 1", "auditor": "Ann Auditor",
        "audit_date": date(2024, 7, day), "overall": overall,
    })


def dropped_root() -> Path:
    return Path(os.environ["PQA_DESKTOP_HOME"]) / "dropped"


# ---------------------------------------------------------------------------------------------------------
# the descriptor and names, without Qt
# ---------------------------------------------------------------------------------------------------------
def test_descriptor_is_592_bytes_per_file_and_parses_names_sizes_and_folders():
    one = file_descriptor("Audit März.xlsx", 5_000_000_000)  # > 4 GiB: the high DWORD counts
    assert len(one) == 592
    data = group_descriptor(one, file_descriptor("Returns", None, folder=True), file_descriptor("notes.txt", None))
    entries = parse_file_group_descriptor(data)
    assert [(e.name, e.size, e.is_folder) for e in entries] == [
        ("Audit März.xlsx", 5_000_000_000, False), ("Returns", None, True), ("notes.txt", None, False)]


def test_descriptor_count_larger_than_the_bytes_is_cut_to_what_is_there():
    data = struct.pack("<I", 3) + file_descriptor("a.xlsx", 1)
    assert [e.name for e in parse_file_group_descriptor(data)] == ["a.xlsx"]
    assert parse_file_group_descriptor(b"\x01\x00") == []


@pytest.mark.parametrize("given, safe", [
    ("..\\..\\Windows\\evil.xlsx", "evil.xlsx"),
    ("../../.bashrc", ".bashrc"),
    ("/etc/passwd", "passwd"),
    ("..", "attachment"),
    ("", "attachment"),
    ('Audit: "March"?.xlsx', "Audit_ _March__.xlsx"),
    ("CON.xlsx", "_CON.xlsx"),
    ("lpt1", "_lpt1"),
    ("Report.xlsx. . ", "Report.xlsx"),
    ("tab\there.csv", "tab_here.csv"),
])
def test_file_names_are_cleaned_of_folders_and_characters_windows_refuses(given, safe):
    assert clean_file_name(given) == safe


def test_a_very_long_name_keeps_its_extension():
    name = clean_file_name("x" * 300 + ".xlsx")
    assert name.endswith(".xlsx") and len(name) == 120


def test_store_writes_each_drop_into_its_own_folder_and_discard_removes_it(tmp_path):
    store = DroppedFileStore(tmp_path / "dropped")
    first = store.save([("Audit.xlsx", b"one"), ("audit.XLSX", b"two")])
    second = store.save([("Audit.xlsx", b"three")])
    assert [p.name for p in first] == ["Audit.xlsx", "audit (2).XLSX"]  # same name in one drop: numbered
    assert second[0].name == "Audit.xlsx" and second[0].parent != first[0].parent
    assert [p.read_bytes() for p in first + second] == [b"one", b"two", b"three"]
    assert all(p.is_relative_to(store.session) for p in first + second)
    store.discard()
    assert not (tmp_path / "dropped").exists()


def test_store_removes_a_crashed_sessions_left_overs_after_a_day(tmp_path):
    root = tmp_path / "dropped"
    old = root / "session-1-deadbeef"
    old.mkdir(parents=True)
    (old / "Audit.xlsx").write_bytes(b"x")
    recent = root / "session-2-cafebabe"
    recent.mkdir()
    two_days_ago = os.stat(old).st_mtime - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    DroppedFileStore(root).save([("a.csv", b"1")])
    assert not old.exists() and recent.exists()  # another app may still be using the recent one


def test_read_virtual_files_trims_a_rounded_up_memory_block_to_the_declared_size():
    payload = b"PK\x03\x04 workbook"
    mime = outlook_mime(group_descriptor(file_descriptor("Audit.xlsx", len(payload))), payload + bytes(12))
    assert has_virtual_files(mime)
    drop_ = read_virtual_files(mime)
    assert drop_.files == [("Audit.xlsx", payload)] and drop_.problems == []


def test_bare_format_names_are_read_too():
    mime = QMimeData()
    mime.setData("FileGroupDescriptorW", group_descriptor(file_descriptor("a.csv", 3)))
    mime.setData("FileContents", b"1,2")
    assert read_virtual_files(mime).files == [("a.csv", b"1,2")]


# ---------------------------------------------------------------------------------------------------------
# Outlook drops on the window
# ---------------------------------------------------------------------------------------------------------
def test_an_outlook_attachment_is_saved_privately_and_added_as_an_input(qtbot, window, fake_pipeline,
                                                                          message_boxes):
    workbook = audit_bytes("AB100001")
    mime = outlook_mime(group_descriptor(file_descriptor("..\\..\\Audit March.xlsx", len(workbook))), workbook)
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        drop(window.drop_area, mime)
    [source] = window.sources
    assert source.name == "Audit March.xlsx"
    assert source.is_relative_to(dropped_root())  # inside the user's profile, not beside any ../..
    assert source.read_bytes() == workbook
    assert fake_pipeline.analyse_calls[0][0] == [source]
    assert window.inputs_model.index(0, 0).data() == "Audit March.xlsx"
    assert message_boxes == []

    window.close()  # closing the app deletes the copies: they hold children's records
    assert not source.exists() and not dropped_root().exists()


def test_an_outlook_drop_of_three_attachments_adds_the_first_and_says_what_to_do_with_the_rest(
        qtbot, window, fake_pipeline, message_boxes):
    first = b"Case reference,Audit date\n"
    descriptor = group_descriptor(file_descriptor("Register.csv", len(first)), file_descriptor("Audit 2.xlsx", 10),
                                  file_descriptor("Audit 3.xlsx", 10))
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        drop(window.drop_area, outlook_mime(descriptor, first))
    assert [p.name for p in window.sources] == ["Register.csv"]
    [(kind, title, text)] = message_boxes
    assert kind == "information" and title == "Not everything was added"
    assert "2 of the 3 attachments were not added" in text
    assert "Drag them in one at a time, or save them to a folder" in text


def test_an_email_dragged_out_of_outlook_is_not_added_and_the_user_is_told_to_save_it(qtbot, window, fake_pipeline,
                                                                                     message_boxes):
    # Outlook hands a whole message over as an OLE storage, which Qt cannot read: FileContents comes back empty
    mime = outlook_mime(group_descriptor(file_descriptor("May returns.msg", 40_000)), b"")
    drop(window.drop_area, mime)
    qtbot.waitUntil(lambda: len(message_boxes) == 1, timeout=WAIT_MS)
    assert window.sources == [] and fake_pipeline.analyse_calls == []
    text = message_boxes[0][2]
    assert text.startswith("Outlook did not hand over the email May returns.msg.")
    assert "Save it to a folder first" in text
    assert not any(dropped_root().rglob("*.msg"))


def test_a_drag_with_neither_files_nor_attachments_is_refused(window):
    mime = QMimeData()
    mime.setText("some text")
    enter = QDragEnterEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.drop_area, enter)
    assert not enter.isAccepted()


# ---------------------------------------------------------------------------------------------------------
# files, folders, a zip and a saved email, read by the real pipeline
# ---------------------------------------------------------------------------------------------------------
def test_dropping_a_file_a_folder_a_zip_and_an_email_reads_every_return_inside(qtbot, window, tmp_path,
                                                                               message_boxes):
    single = tmp_path / "Audit 1.xlsx"
    single.write_bytes(audit_bytes("AB100001", day=1))
    folder = tmp_path / "June returns"
    folder.mkdir()
    (folder / "Audit 2.xlsx").write_bytes(audit_bytes("AB100002", day=2))
    archive = tmp_path / "returns.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Audit 3.xlsx", audit_bytes("AB100003", day=3))
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "auditor@example.org", "qa@example.org", "Returns"
    message.set_content("Attached.\n")
    message.add_attachment(audit_bytes("AB100004", day=4), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="Audit 4.xlsx")
    email_path = tmp_path / "Returns.eml"
    email_path.write_bytes(message.as_bytes(policy=default_policy))

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in (single, folder, archive, email_path)])
    with qtbot.waitSignal(window.analysis_ready, timeout=20000):
        drop(window.drop_area, mime)
    qtbot.waitUntil(lambda: not window.busy, timeout=20000)
    rows = window.inputs_model.rows()
    assert [(r.name, r.kind, r.records) for r in rows] == [
        ("Audit 1.xlsx", "case_file_audit", 1),
        ("Audit 2.xlsx", "case_file_audit", 1),
        ("returns.zip" + SEP + "Audit 3.xlsx", "case_file_audit", 1),
        ("Returns.eml" + SEP + "Audit 4.xlsx", "case_file_audit", 1),
    ]
    # a file inside a zip or email keeps the container as its file on disk (to open it)
    assert [Path(r.path) for r in rows] == [single, folder / "Audit 2.xlsx", archive, email_path]
    assert window.inputs_model.index(0, STATUS_COLUMN).data() == "No problems found"
    assert message_boxes == []
