"""What the written and reports flows need of the window that holds them, and no more.

The flows are helpers of the main window; they are given this small face of it, never
the window itself, so neither imports the other and each can be read on its own.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol

from naas_centre.services.views import Actor, SittingSummary
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractButton, QWidget

    from db.engine import Database


class FlowHost(Protocol):
    @property
    def tasks(self) -> TaskManager: ...

    @property
    def db(self) -> Database: ...

    @property
    def actor(self) -> Actor: ...

    def chosen_sitting(self) -> SittingSummary | None:
        """The sitting open on screen, else the one chosen on the day's page."""
        ...

    def shown_day(self) -> date | None:
        """The day of the sitting open on screen, else the day on the day's page."""
        ...

    def say(self, text: str, ms: int = 6000) -> None:
        """A passing message in the status bar."""
        ...

    def refresh(self) -> None: ...

    def hand_over(self) -> None:
        """The workstation goes to a candidate: the window steps aside."""
        ...

    def take_back(self, who: Actor) -> None:
        """Someone closed the kiosk: the window is back, locked if it is not theirs."""
        ...

    def back_button(self) -> QAbstractButton: ...

    def show_page(self, page: QWidget) -> None: ...

    def drop_page(self, page: QWidget) -> None: ...

    def current_page(self) -> QWidget | None: ...
