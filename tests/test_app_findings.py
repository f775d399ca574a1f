"""The findings panel: the group tree (by file, by rule) with counts, severity and file filters, sorting,
Ctrl+C copying, and double-click opening the source file (or its zip or email) in the default program.

The pipeline is tests.app_fixtures.FakePipeline: these tests are about the panel, not the checks.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pqa_desktop.app.app_settings import AppSettings
from pqa_desktop.app.findings_model import CELL_COLUMN, FILE_COLUMN, FINDING_ROLE, MESSAGE_COLUMN, findings_as_tsv
from pqa_desktop.app.findings_view import GROUP_BY_RULE, GROUP_ROLE
from pqa_desktop.app.main_window import MainWindow
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.findings import Finding, Severity
from tests.app_fixtures import (TODAY, fake_pipeline, isolated_qsettings, message_boxes,  # noqa: F401 (fixtures)
                                opened_urls, summary)

WAIT_MS = 3000
SEP = " \u203a "
ZIPPED = "returns.zip" + SEP + "Audit 3.xlsx"


@pytest.fixture(autouse=True)
def _private_settings(isolated_qsettings):
    yield


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    out = {}
    for name in ("Audit_March.xlsx", "Audit_April.xlsx", "returns.zip"):
        out[name] = tmp_path / name
        out[name].write_bytes(b"x")
    return out


FINDINGS = [
    Finding("Audit_March.xlsx", "Audit", "C14", Severity.ERROR, "grade.unrecognised", '"Goodish" is not a grade.'),
    Finding("Audit_April.xlsx", "Audit", "C9", Severity.ERROR, "grade.unrecognised", '"Fine" is not a grade.'),
    Finding("Audit_April.xlsx", "Audit", "C10", Severity.ERROR, "date.unreadable", "The audit date cannot be read."),
    Finding("Audit_March.xlsx", "Audit", "C2", Severity.WARNING, "overall.missing", "No overall grade was given."),
    Finding(ZIPPED, "Audit", "C3", Severity.INFO, "grade.number", "Grade 2 was read as Good."),
    Finding("", "", "", Severity.ERROR, "input.none_usable", "Nothing could be read."),
]


@pytest.fixture
def window(qtbot, fake_pipeline, files) -> MainWindow:
    fake_pipeline.findings = FINDINGS
    fake_pipeline.rows_for = lambda paths: [
        summary(files["Audit_March.xlsx"], errors=1, warnings=1), summary(files["Audit_April.xlsx"], errors=2),
        pipeline.InputSummary(name=ZIPPED, kind="case_file_audit", kind_label="Case file audit", records=1,
                              infos=1, path=str(files["returns.zip"]))]
    w = MainWindow(settings=AppSettings(), today=TODAY)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.analysis_ready, timeout=WAIT_MS):
        w.add_paths([files["Audit_March.xlsx"], files["Audit_April.xlsx"], files["returns.zip"]])
    qtbot.waitUntil(lambda: not w.busy, timeout=WAIT_MS)
    return w


def tree_texts(panel) -> list[str]:
    """The tree as indented lines: outer nodes, then their children with two spaces."""
    model, lines = panel.tree_model, []
    for r in range(model.rowCount()):
        item = model.item(r)
        lines.append(item.text())
        lines.extend("  " + item.child(c).text() for c in range(item.rowCount()))
    return lines


def shown(window) -> list[tuple[str, str]]:
    return [(f.file, f.cell) for f in window.findings_proxy.shown_findings()]


def pick(panel, text: str) -> None:
    """Click the tree node showing ``text``."""
    [index] = [i for i in _all_indexes(panel.tree_model) if i.data() == text]
    panel.tree.setCurrentIndex(index)


def _all_indexes(model):
    stack = [model.index(r, 0) for r in range(model.rowCount())]
    while stack:
        index = stack.pop(0)
        yield index
        stack.extend(model.index(r, 0, index) for r in range(model.rowCount(index)))


# ---------------------------------------------------------------------------------------------------------
# grouping and filtering
# ---------------------------------------------------------------------------------------------------------
def test_tree_by_file_counts_each_file_and_lists_its_rules(window):
    panel = window.findings_panel
    assert tree_texts(panel) == [
        "All findings (4 errors, 1 warning, 1 info)",
        # worst severity first, then the larger group, then by name
        "Audit_April.xlsx: 2 errors",
        "  A date could not be read (1)",
        "  A judgement is not on the grading scale (1)",
        "Audit_March.xlsx: 1 error, 1 warning",
        "  A judgement is not on the grading scale (1)",
        "  The overall judgement is blank or Not applicable (1)",
        "(all inputs): 1 error",
        "  None of the inputs could be used (1)",
        ZIPPED + ": 1 info",
        "  A judgement was given as an Ofsted grade number (1-4) and read as the matching grade (1)",
    ]
    assert panel.tree.currentIndex().data() == "All findings (4 errors, 1 warning, 1 info)"


def test_tree_by_rule_counts_findings_and_files(window):
    panel = window.findings_panel
    panel.set_group_by(GROUP_BY_RULE)
    lines = tree_texts(panel)
    assert lines[1:4] == ["A judgement is not on the grading scale: 2 in 2 files",
                          "  Audit_April.xlsx (1)", "  Audit_March.xlsx (1)"]
    assert "A date could not be read: 1 in 1 file" in lines


def test_filter_by_file_and_severity_together(window):
    panel = window.findings_panel
    pick(panel, "Audit_April.xlsx: 2 errors")
    assert sorted(shown(window)) == [("Audit_April.xlsx", "C10"), ("Audit_April.xlsx", "C9")]
    assert window.findings_count_label.text() == "2 of 6 findings shown"

    pick(panel, "Audit_March.xlsx: 1 error, 1 warning")
    window.severity_buttons[Severity.ERROR].click()  # errors off: March's warning is left
    assert shown(window) == [("Audit_March.xlsx", "C2")]
    assert window.findings_count_label.text() == "1 of 6 findings shown"

    # a rule under a file: that file's findings of that rule only (errors back on)
    window.severity_buttons[Severity.ERROR].click()
    march = next(i for i in _all_indexes(panel.tree_model) if i.data() == "Audit_March.xlsx: 1 error, 1 warning")
    panel.tree.setCurrentIndex(panel.tree_model.index(0, 0, march))  # its first rule: grade.unrecognised
    assert shown(window) == [("Audit_March.xlsx", "C14")]
    assert panel.scope_label.isVisible()  # a rule states once what it means
    assert "A judgement is not on the grading scale" in panel.scope_label.text()

    pick(panel, "All findings (4 errors, 1 warning, 1 info)")
    assert len(shown(window)) == 6 and not panel.scope_label.isVisible()


def test_the_picked_group_survives_a_recheck_and_follows_the_group_by_switch(qtbot, window):
    panel = window.findings_panel
    pick(panel, "Audit_April.xlsx: 2 errors")
    with qtbot.waitSignal(window.analysis_ready, timeout=WAIT_MS):
        window.period_edit.setDate(window.period_edit.date().addMonths(-1))
    assert panel.tree.currentIndex().data(GROUP_ROLE) == ("Audit_April.xlsx", None, None)
    assert len(shown(window)) == 2
    panel.set_group_by(GROUP_BY_RULE)  # a file node has no place in the rule tree: back to all findings
    assert panel.tree.currentIndex().data(GROUP_ROLE) == (None, None, None)
    assert len(shown(window)) == 6


def test_sorting_by_file_and_by_cell(window):
    view = window.findings_view
    view.sortByColumn(FILE_COLUMN, Qt.SortOrder.AscendingOrder)
    files = [window.findings_proxy.index(r, FILE_COLUMN).data() for r in range(6)]
    assert files == ["", "Audit_April.xlsx", "Audit_April.xlsx", "Audit_March.xlsx", "Audit_March.xlsx", ZIPPED]
    view.sortByColumn(CELL_COLUMN, Qt.SortOrder.DescendingOrder)
    cells = [window.findings_proxy.index(r, CELL_COLUMN).data() for r in range(6)]
    assert cells == ["", "C14", "C10", "C9", "C3", "C2"]  # a finding about a whole file sorts after any cell


# ---------------------------------------------------------------------------------------------------------
# copy
# ---------------------------------------------------------------------------------------------------------
def test_ctrl_c_copies_the_selected_findings_as_tab_separated_text_with_a_header(qtbot, window):
    view = window.findings_view
    view.sortByColumn(CELL_COLUMN, Qt.SortOrder.AscendingOrder)  # C2, C3, C9, C10, C14, (blank)
    view.selectRow(0)
    view.selectionModel().select(window.findings_proxy.index(3, 0),
                                 view.selectionModel().SelectionFlag.Select
                                 | view.selectionModel().SelectionFlag.Rows)
    view.setFocus()
    QApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == (
        "Severity\tStatus\tFile\tSheet\tCell\tField\tValue found\tMessage\tRule\n"
        "Warning\tOpen\tAudit_March.xlsx\tAudit\tC2\t\t\tNo overall grade was given.\t"
        "The overall judgement is blank or Not applicable\n"
        "Error\tOpen\tAudit_April.xlsx\tAudit\tC10\t\t\tThe audit date cannot be read.\tA date could not be read\n")


def test_copy_all_shown_follows_the_filters_and_keeps_values_in_their_columns(window):
    window.severity_buttons[Severity.ERROR].click()
    window.severity_buttons[Severity.WARNING].click()
    window.findings_panel.copy_shown_action.trigger()
    assert QApplication.clipboard().text() == (
        "Severity\tStatus\tFile\tSheet\tCell\tField\tValue found\tMessage\tRule\n"
        f"Info\tOpen\t{ZIPPED}\tAudit\tC3\t\t\tGrade 2 was read as Good.\t"
        "A judgement was given as an Ofsted grade number (1-4) and read as the matching grade\n")
    text = findings_as_tsv([Finding("a\tb.xlsx", "S", "A1", Severity.INFO, "r", "line one\nline two", "F", "v\tw")])
    assert text.splitlines()[1].split("\t") == ["Info", "Open", "a b.xlsx", "S", "A1", "F", "v w",
                                                 "line one line two", "r"]


# ---------------------------------------------------------------------------------------------------------
# open the source file
# ---------------------------------------------------------------------------------------------------------
def _row_of(window, cell: str) -> int:
    return next(r for r in range(window.findings_proxy.rowCount())
                if window.findings_proxy.index(r, 0).data(FINDING_ROLE).cell == cell)


def _double_click(qtbot, view, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_double_click_opens_the_file_in_its_default_program(qtbot, window, files, opened_urls, message_boxes):
    _double_click(qtbot, window.findings_view, _row_of(window, "C9"))
    assert [u.toLocalFile() for u in opened_urls] == [str(files["Audit_April.xlsx"])]
    assert message_boxes == []


def test_a_file_inside_a_zip_opens_the_zip_and_enter_works_like_double_click(qtbot, window, files, opened_urls):
    view = window.findings_view
    view.setFocus()
    view.setCurrentIndex(window.findings_proxy.index(_row_of(window, "C3"), 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert [u.toLocalFile() for u in opened_urls] == [str(files["returns.zip"])]


def test_a_finding_about_no_file_says_so_instead_of_opening_anything(qtbot, window, opened_urls, message_boxes):
    _double_click(qtbot, window.findings_view, _row_of(window, ""))
    assert opened_urls == []
    [(kind, title, text)] = message_boxes
    assert kind == "information" and title == "Could not open the file"
    assert text == "This finding is about the inputs as a whole, not one file, so there is no file to open."


def test_when_no_program_opens_the_file_the_user_is_told_where_it_is(qtbot, window, files, message_boxes,
                                                                      monkeypatch):
    from PySide6.QtGui import QDesktopServices
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    _double_click(qtbot, window.findings_view, _row_of(window, "C14"))
    [(_kind, _title, text)] = message_boxes
    assert text == (f"Audit_March.xlsx could not be opened: no program on this laptop opens it. "
                    f"It is in {files['Audit_March.xlsx'].parent}.")


def test_a_container_that_produced_no_readable_file_is_found_among_the_added_paths(qtbot, window, files,
                                                                                    opened_urls):
    broken = Finding("returns.zip", "", "", Severity.ERROR, "input.zip_bad", "The zip is damaged.")
    window.inputs_model.set_rows([])  # nothing read: the inputs list has no row for it
    assert window.findings_panel.source_path(broken) == files["returns.zip"]


def test_the_selected_finding_is_shown_in_full_below_the_table(window):
    panel = window.findings_panel
    assert panel.detail_label.text().startswith("Select a finding to read it in full here")
    window.findings_view.setCurrentIndex(window.findings_proxy.index(_row_of(window, "C14"), 0))
    assert panel.detail_label.text() == ("<b>Error</b> (Open) \u2014 Audit_March.xlsx, sheet Audit, C14: "
                                         "&quot;Goodish&quot; is not a grade.")


def test_the_message_column_keeps_the_largest_share_when_the_table_is_narrow(qtbot, window):
    view = window.findings_view
    window.resize(760, 600)
    qtbot.waitUntil(lambda: view.viewport().width() < 700, timeout=WAIT_MS)
    header = view.horizontalHeader()
    widths = [header.sectionSize(c) for c in range(header.count())]
    assert sum(widths) <= view.viewport().width() + 1  # no column pushed off the side
    assert header.sectionSize(MESSAGE_COLUMN) == max(widths)  # the message
