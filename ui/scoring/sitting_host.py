"""What a sitting's clocks and notes need of the sitting view that holds them.

``SittingClocks`` and ``SittingNotes`` are the view's helpers; they are given this face
of it, not the view, so neither module imports ``sitting_view`` (which imports them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QTabWidget

    from db.engine import Database
    from naas_centre.services.views import Actor, SittingDetail
    from ui.common.settings import Settings
    from ui.scoring.station_panel import StationPanel
    from ui.work.pending_writes import PendingWrites
    from ui.work.tasks import TaskManager


class SittingHost(Protocol):
    tasks: TaskManager
    db: Database
    actor: Actor
    sitting_id: str
    detail: SittingDetail
    settings: Settings | None
    panels: dict[str, StationPanel]
    pending: PendingWrites
    tabs: QTabWidget
    clock: Callable[[], datetime]  # the wall clock (UTC) the phase clocks read

    @property
    def saving_started(self) -> SignalInstance:
        """Emitted as a change is handed to the write queue."""
        ...

    @property
    def scoring(self) -> bool:
        """Whether this assessor may still change their sheet."""
        ...

    def current_panel(self) -> StationPanel | None: ...
