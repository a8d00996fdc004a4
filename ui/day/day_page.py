"""What the two day views share: the day switcher, loading in the background, opening a sitting."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from naas_centre.services.views import Actor, SittingSummary
from naas_centre.writes.changes import Changes
from ui.common.widgets import label
from ui.day.day_switcher import DaySwitcher
from ui.work.changes import ChangeWatcher
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database


def _days_with_sittings(db: Database, actor: Actor) -> list[date]:
    from naas_centre.services import sittings

    return sittings.days_with_sittings(db, actor)


def _shown_on_board(c: Changes) -> bool:
    """A sitting's status and completeness: everything but a note alone."""
    return c.scores or c.clocks or c.scripts or c.status or c.reports


class DayPage(QWidget):
    """Subclasses give the heading, build the body and say how a day is loaded and shown."""

    sitting_opened = Signal(str)
    day_loaded = Signal(object)  # date
    day_painted = Signal()  # the first paint after a day was loaded (for the startup benchmark)
    heading = ""

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.loaded_day: date | None = None
        self._await_paint = False
        self._loading_token = 0

        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(20, 14, 20, 12)
        self.box.setSpacing(10)
        self.title = label(self.heading, "muted")
        self.box.addWidget(self.title)
        self.switcher = DaySwitcher()
        self.switcher.day_changed.connect(self.load_day)
        # The board refreshes itself after a write that changes what it shows (kept while
        # the board is hidden behind a sitting, and done when it shows again).
        self.changes = ChangeWatcher(tasks, self, _shown_on_board, lambda _c: self.refresh())
        self.box.addWidget(self.switcher)
        self.status = label("Loading…", "muted")
        self.status.setObjectName("day_status")
        self.box.addWidget(self.status)

    def start(self) -> None:
        """Read which days have sittings, then show the nearest to today."""
        self.tasks.run(_days_with_sittings, self.db, self.actor, on_done=self._got_days, owner=self)

    def refresh(self) -> None:
        self.tasks.run(
            _days_with_sittings,
            self.db,
            self.actor,
            on_done=lambda days: self._got_days(days, keep=True),
            owner=self,
        )

    def _got_days(self, days: list[date], keep: bool = False) -> None:
        self.switcher.set_days(days, self.switcher.day if keep else None)

    def load_day(self, day: date) -> None:
        self._loading_token += 1
        token = self._loading_token
        self.status.setText("Loading…")
        self.tasks.run(
            self.read_day,
            self.db,
            self.actor,
            day,
            on_done=lambda result: self._day_read(token, day, result),
            owner=self,
            name="read_day",
        )

    def _day_read(self, token: int, day: date, result: Any) -> None:
        if token != self._loading_token:
            return  # a later day was asked for meanwhile
        self.loaded_day = day
        self.show_day(day, result)
        self._await_paint = True
        self.installEventFilter(self)
        self.update()
        self.day_loaded.emit(day)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.Paint and self._await_paint:
            self._await_paint = False
            self.removeEventFilter(self)
            QTimer.singleShot(0, self.day_painted.emit)
        return super().eventFilter(watched, event)

    # -- for subclasses ---------------------------------------------------------------------

    # Each subclass defines both (checked when the subclass is made, below).

    @staticmethod
    def read_day(db: Database, actor: Actor, day: date) -> Any:
        """Runs in a worker; returns plain data for ``show_day``."""

    def show_day(self, day: date, result: Any) -> None:
        """Shows what ``read_day`` returned, on the GUI thread."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        missing = [n for n in ("read_day", "show_day") if cls.__dict__.get(n) is None]
        if missing:
            raise TypeError(f"{cls.__name__} must define {' and '.join(missing)}")

    def focus_body(self) -> None:
        """Put the keyboard focus where the day's sittings are."""

    def selected_sitting(self) -> SittingSummary | None:
        """The sitting chosen in the day's list or board, if any."""
        return None
