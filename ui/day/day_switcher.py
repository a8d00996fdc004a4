"""Choosing the day: previous and next day with sittings, today, or any date."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QPushButton, QToolButton, QWidget

from ui.common import theme
from ui.common.widgets import label


def nearest_day(days: Sequence[date], today: date) -> date:
    """Today if it has sittings, else the nearest day that has (the later one on a tie)."""
    if not days or today in days:
        return today
    return min(days, key=lambda d: (abs((d - today).days), d < today))


def day_title(day: date, today: date) -> str:
    text = f"{day:%A} {day.day} {day:%B %Y}"
    if day == today:
        return f"Today, {text}"
    return text


class DaySwitcher(QWidget):
    """Steps through the days that have sittings; the date box reaches any day."""

    day_changed = Signal(object)  # date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[date] = []
        self.day = date.today()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.previous_button = QToolButton()
        self.previous_button.setIcon(theme.icon("chevron-left"))
        self.previous_button.setToolTip("Previous day with sittings (Ctrl+PgUp)")
        self.previous_button.setAccessibleName("Previous day")
        self.previous_button.clicked.connect(self.previous)
        self.title = label("", "heading")
        self.title.setObjectName("day_title")
        self.next_button = QToolButton()
        self.next_button.setIcon(theme.icon("chevron-right"))
        self.next_button.setToolTip("Next day with sittings (Ctrl+PgDown)")
        self.next_button.setAccessibleName("Next day")
        self.next_button.clicked.connect(self.next)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("d MMM yyyy")
        self.date_edit.setAccessibleName("Go to date")
        self.date_edit.dateChanged.connect(self._picked)
        self.today_button = QPushButton("Today")
        self.today_button.clicked.connect(self.today)
        row.addWidget(self.previous_button)
        row.addWidget(self.title)
        row.addWidget(self.next_button)
        row.addStretch(1)
        row.addWidget(self.date_edit)
        row.addWidget(self.today_button)

    def set_days(self, days: Sequence[date], choose: date | None = None) -> None:
        self.days = sorted(days)
        self.go(choose or nearest_day(self.days, date.today()))

    def go(self, day: date) -> None:
        self.day = day
        self.title.setText(day_title(day, date.today()))
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)
        self.previous_button.setEnabled(bisect_left(self.days, day) > 0)
        self.next_button.setEnabled(bisect_right(self.days, day) < len(self.days))
        self.day_changed.emit(day)

    def previous(self) -> None:
        i = bisect_left(self.days, self.day)
        if i > 0:
            self.go(self.days[i - 1])

    def next(self) -> None:
        i = bisect_right(self.days, self.day)
        if i < len(self.days):
            self.go(self.days[i])

    def today(self) -> None:
        self.go(nearest_day(self.days, date.today()))

    def _picked(self, qdate: QDate) -> None:
        self.go(date(qdate.year(), qdate.month(), qdate.day()))

    def refresh_icons(self) -> None:
        self.previous_button.setIcon(theme.icon("chevron-left"))
        self.next_button.setIcon(theme.icon("chevron-right"))
