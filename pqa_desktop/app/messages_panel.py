"""Per-section text the QA officer writes: the key messages (drafted, then edited) and the commentary.

Both panels show the report's sections (``core.report.sections.SECTIONS``) in a list on the left and the selected
section's text on the right, with where the text appears in the workbook (the Summary's one page, or the
top of the section's own sheet) and, for the Summary, whether it still fits its one page. The key messages start as the pipeline's drafts (``pipeline.compute``); a section
the user has edited is marked "(edited)" and its text goes to the build as written
(``BuildOptions.messages``), until "Reset to drafted" puts the draft back. Commentary is saved into the
workspace for the period end month as it is typed (after a short pause) and offered again the next month
(``Workspace.commentary_for``).
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from ..core.report.summary_sheet import SUMMARY_SENTENCES
from ..core.report.summary_sheet import COMMENTARY_ROWS, commentary_rows, section_place
from ..core.report.sections import SECTIONS

EDITED_MARK = " (edited)"
WRITTEN_MARK = " \u2713"  # a section holding commentary
SAVE_DELAY_MS = 600  # commentary is saved once typing pauses, and at once when the section changes


def drafted_text(lines: list[str]) -> str:
    """Drafted key messages as the editor shows them: one message per line."""
    return "\n".join(lines)


class SectionTextPanel(QWidget):
    """A list of the report's sections beside one editor; subclasses decide what the text means."""

    PART = "messages"  # what the text is, for where it appears in the workbook

    text_changed = Signal(str)  # section

    def __init__(self, name: str, intro: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._texts: dict[str, str] = {s: "" for s in SECTIONS}
        self._loading = False
        self.intro_label = QLabel(intro)
        self.intro_label.setWordWrap(True)
        self.sections_list = QListWidget()
        self.sections_list.setAccessibleName(f"{name}: report sections")
        for section in SECTIONS:
            item = QListWidgetItem(section)
            item.setData(Qt.ItemDataRole.UserRole, section)
            self.sections_list.addItem(item)
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName(f"{name} for the selected section")
        self.editor.setTabChangesFocus(True)  # keyboard users must be able to leave the editor with Tab
        # Three lines at the least (it grows with the window): room for the line saying where the text goes
        # while the window still fits a full HD screen at 200%.
        self.editor.setMinimumHeight(self.editor.fontMetrics().lineSpacing() * 3 + 2 * self.editor.frameWidth() + 8)
        self.section_label = QLabel("")
        self.section_label.setBuddy(self.editor)
        self.place_label = QLabel("")  # where the section's text appears in the workbook
        self.place_label.setWordWrap(True)
        self.fit_label = QLabel("")  # the Summary's text no longer fitting its one page
        self.fit_label.setWordWrap(True)
        self.fit_label.setStyleSheet("font-weight: bold")
        self.fit_label.setVisible(False)
        self.buttons = QHBoxLayout()  # beside the section's name, above its text
        self.buttons.addWidget(self.section_label)
        self.buttons.addStretch(1)
        right = QVBoxLayout()
        right.addLayout(self.buttons)
        right.addWidget(self.place_label)
        right.addWidget(self.editor, 1)
        right.addWidget(self.fit_label)
        row = QHBoxLayout()
        row.addWidget(self.sections_list, 1)
        row.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addLayout(row, 1)
        self.sections_list.currentItemChanged.connect(self._on_section_changed)
        self.editor.textChanged.connect(self._on_editor_changed)
        self.sections_list.setCurrentRow(0)

    @property
    def current_section(self) -> str:
        item = self.sections_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else SECTIONS[0]

    def select_section(self, section: str) -> None:
        self.sections_list.setCurrentRow(SECTIONS.index(section))

    def text(self, section: str) -> str:
        return self._texts.get(section, "")

    def set_text(self, section: str, text: str) -> None:
        """Set one section's text as if the user typed it (tests and keyboard-free callers)."""
        self.select_section(section)
        self.editor.setPlainText(text)

    def _on_section_changed(self, current, previous) -> None:
        if previous is not None:
            self._leaving_section(previous.data(Qt.ItemDataRole.UserRole))
        self._show_current()

    def _show_current(self) -> None:
        section = self.current_section
        self._loading = True
        try:
            self.editor.setPlainText(self._texts.get(section, ""))
        finally:
            self._loading = False
        self.section_label.setText(self._heading(section))
        self.place_label.setText(section_place(section, self.PART))
        self.editor.setAccessibleDescription(section_place(section, self.PART))
        self._update_buttons()
        self._update_fit()

    def _on_editor_changed(self) -> None:
        if self._loading:
            return
        section = self.current_section
        self._texts[section] = self.editor.toPlainText()
        self._text_edited(section)
        self._refresh_marks()
        self._update_buttons()
        self._update_fit()
        self.text_changed.emit(section)

    def _refresh_marks(self) -> None:
        for row, section in enumerate(SECTIONS):
            self.sections_list.item(row).setText(section + self._mark(section))

    # hooks
    def _heading(self, section: str) -> str:
        return f"{section}:"

    def _mark(self, section: str) -> str:
        return ""

    def _text_edited(self, section: str) -> None:
        pass

    def _leaving_section(self, section: str) -> None:
        pass

    def _update_buttons(self) -> None:
        pass

    def _update_fit(self) -> None:
        warning = self._fit_warning(self.current_section, self._texts.get(self.current_section, ""))
        self.fit_label.setText(warning)
        self.fit_label.setVisible(bool(warning))

    def _fit_warning(self, section: str, text: str) -> str:
        """Why the section's text would not fit where it goes (only the Summary has a page to fit)."""
        return ""


class MessagesPanel(SectionTextPanel):
    """The drafted key messages, editable; edited sections replace the draft at build."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Key messages", "Drafted from the figures, one per line. Your edits are used as "
                         "written.", parent)
        self._drafted: dict[str, str] = {s: "" for s in SECTIONS}
        self._edited: set[str] = set()
        self.reset_button = QPushButton("Reset to draf&ted")
        self.reset_button.setAccessibleName("Reset this section's key messages to the drafted ones")
        self.reset_button.clicked.connect(self.reset_current)
        self.buttons.addWidget(self.reset_button)
        self._update_buttons()

    def set_drafted(self, messages: dict[str, list[str]]) -> None:
        """New drafts (after a check): sections the user has not edited show the new draft; edited ones keep
        the user's text."""
        self._drafted = {s: drafted_text(messages.get(s, [])) for s in SECTIONS}
        for section in SECTIONS:
            if section not in self._edited:
                self._texts[section] = self._drafted[section]
        self._refresh_marks()
        self._show_current()

    def drafted(self, section: str) -> str:
        return self._drafted.get(section, "")

    def is_edited(self, section: str) -> bool:
        return section in self._edited

    def edited_messages(self) -> dict[str, str]:
        """What goes into ``BuildOptions.messages``: only the sections the user changed, as written."""
        return {s: self._texts[s] for s in SECTIONS if s in self._edited}

    def reset_current(self) -> None:
        self.reset(self.current_section)

    def reset(self, section: str) -> None:
        self._edited.discard(section)
        self._texts[section] = self._drafted.get(section, "")
        self._refresh_marks()
        if section == self.current_section:
            self._show_current()

    def _text_edited(self, section: str) -> None:
        if self._texts[section] == self._drafted.get(section, ""):
            self._edited.discard(section)
        else:
            self._edited.add(section)

    def _mark(self, section: str) -> str:
        return EDITED_MARK if section in self._edited else ""

    def _fit_warning(self, section: str, text: str) -> str:
        if section != "Summary":
            return ""
        count = len([line for line in text.splitlines() if line.strip()])
        if count <= SUMMARY_SENTENCES:
            return ""
        return (f"{count} key messages: the Summary is meant for at most {SUMMARY_SENTENCES}, so it stays one "
                f"legible page. All of them are used as written, and the page prints smaller.")

    def _update_buttons(self) -> None:
        if hasattr(self, "reset_button"):
            self.reset_button.setEnabled(self.current_section in self._edited)


class CommentaryPanel(SectionTextPanel):
    """The QA officer's commentary per section, kept in the workspace per period end month.

    ``save`` is called with (section, text) for each change, once typing pauses or the section changes.
    """

    PART = "commentary"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Commentary", "Your commentary per section, saved for this month and offered again "
                         "next month.", parent)
        self.save: Callable[[str, str], None] | None = None
        self._unsaved: set[str] = set()
        self._timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self._month = ""

    def load(self, texts: dict[str, str], month: str = "") -> None:
        """Show a month's commentary ("September 2024"); the caller flushes unsaved changes first."""
        self._timer.stop()
        self._unsaved.clear()
        self._texts = {s: texts.get(s, "") for s in SECTIONS}
        self._month = month
        self._refresh_marks()
        self._show_current()

    def texts(self) -> dict[str, str]:
        """What goes into ``BuildOptions.commentary``: every section with text."""
        return {s: t for s, t in self._texts.items() if t.strip()}

    def flush(self) -> None:
        """Save every section changed since the last save."""
        self._timer.stop()
        pending, self._unsaved = sorted(self._unsaved, key=SECTIONS.index), set()
        if self.save is None:
            return
        for section in pending:
            self.save(section, self._texts[section])

    def _text_edited(self, section: str) -> None:
        self._unsaved.add(section)
        self._timer.start()

    def _leaving_section(self, section: str) -> None:
        if self._unsaved:
            self.flush()

    def _heading(self, section: str) -> str:
        month = getattr(self, "_month", "")
        return f"{section}, {month}:" if month else f"{section}:"

    def _mark(self, section: str) -> str:
        return WRITTEN_MARK if self._texts.get(section, "").strip() else ""

    def _fit_warning(self, section: str, text: str) -> str:
        if section != "Summary":
            return ""
        rows = commentary_rows(text)
        if rows <= COMMENTARY_ROWS:
            return ""
        return (f"This commentary takes {rows} lines; about {COMMENTARY_ROWS} fit on the Summary's one page. "
                f"It is kept whole and the page prints smaller: shorten it, or move detail to a section.")
