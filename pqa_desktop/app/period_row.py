"""The top row of the window: the period end month, the LA name and Settings… (what decides what the workbook shows).

The period comes from today's date (the last complete month) and may go back to 2015; it never runs past
the current month. The panel owns its widgets and says what changed through signals; the window decides what
a change sets off (a fresh check once the typing settles, the period's commentary, the Build line).
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ..core.calendar import Period, last_complete_month, month_start

EARLIEST_PERIOD = QDate(2015, 1, 1)


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class PeriodRow(QWidget):
    period_changed = Signal()
    la_name_changed = Signal()  # each keystroke
    la_name_edited = Signal(str)  # the edit finished (Enter or focus left): worth remembering
    settings_requested = Signal()

    def __init__(self, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.period_edit = QDateEdit()
        self.period_edit.setDisplayFormat("MMMM yyyy")
        self.period_edit.setDateRange(EARLIEST_PERIOD, _qdate(month_start(today)))
        self.period_edit.setDate(_qdate(last_complete_month(today)))
        self.period_edit.setAccessibleName("Period end month")
        self.period_edit.setToolTip("The last month the workbook reports on")
        self.period_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("September 2024") + 48)
        self.la_name_edit = QLineEdit()
        self.la_name_edit.setPlaceholderText("e.g. Anytown Council")
        self.la_name_edit.setAccessibleName("Local authority name")
        self.la_name_edit.setToolTip("Shown on the workbook's cover")
        period_label = QLabel("&Period end month:")
        period_label.setBuddy(self.period_edit)
        la_label = QLabel("&LA name:")
        la_label.setBuddy(self.la_name_edit)
        # the settings sit with the period and LA name: they decide what the workbook shows
        self.settings_button = QPushButton("Settin&gs\u2026")
        self.settings_button.setAccessibleName("Settings")
        self.settings_button.setToolTip("Population, service areas, targets, privacy and the other settings")
        self.settings_button.clicked.connect(lambda _checked=False: self.settings_requested.emit())
        self.period_edit.dateChanged.connect(lambda _d: self.period_changed.emit())
        self.la_name_edit.textChanged.connect(lambda _t: self.la_name_changed.emit())
        self.la_name_edit.editingFinished.connect(lambda: self.la_name_edited.emit(self.la_name_edit.text()))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)  # laid out as a row of the window's own layout
        row.addWidget(period_label)
        row.addWidget(self.period_edit)
        row.addSpacing(16)
        row.addWidget(la_label)
        row.addWidget(self.la_name_edit, 1)
        row.addSpacing(16)
        row.addWidget(self.settings_button)

    @property
    def period(self) -> Period:
        d = self.period_edit.date()
        return Period(date(d.year(), d.month(), 1))

    def la_name(self) -> str:
        return self.la_name_edit.text()

    def set_la_name(self, name: str) -> None:
        self.la_name_edit.setText(name)

    def focus_chain(self) -> list[QWidget]:
        return [self.period_edit, self.la_name_edit, self.settings_button]
