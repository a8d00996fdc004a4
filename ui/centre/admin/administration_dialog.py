"""Administration: everything a centre keeps about itself, one tab each.

Accounts and the centre's settings are an administrator's; employers, conflicts, actors
and rooms an administrator's or a centre manager's. The services hold that rule: a tab
another role opens shows the service's refusal in place of its table.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from db.engine import Database
from naas_centre.services.views import Actor
from ui.centre.admin.accounts_tab import AccountsTab
from ui.centre.admin.actors_tab import ActorsTab
from ui.centre.admin.centre_tab import CentreTab
from ui.centre.admin.conflicts_tab import ConflictsTab
from ui.centre.admin.employers_tab import EmployersTab
from ui.centre.admin.rooms_tab import RoomsTab
from ui.work.tasks import TaskManager


class AdministrationDialog(QDialog):
    loaded = Signal()  # every tab has shown its first read

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        data_dir: Path | None = None,  # the centre's data folder: its own packs, for actors' parts
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AdministrationDialog")
        self.setWindowTitle("Administration")
        self.resize(1100, 640)  # fits a 1366 x 768 screen with room for the task bar
        self.accounts = AccountsTab(tasks, db, actor)
        self.employers = EmployersTab(tasks, db, actor)
        self.conflicts = ConflictsTab(tasks, db, actor)
        self.actors = ActorsTab(tasks, db, actor, data_dir)
        self.rooms = RoomsTab(tasks, db, actor)
        self.centre = CentreTab(tasks, db, actor)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("admin_tabs")
        for tab, title in (
            (self.accounts, "Accounts"),
            (self.employers, "Employers"),
            (self.conflicts, "Conflicts of interest"),
            (self.actors, "Actors"),
            (self.rooms, "Rooms"),
            (self.centre, "Centre"),
        ):
            self.tabs.addTab(tab, title)
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 12, 14, 10)
        box.addWidget(self.tabs, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        box.addWidget(close)

        self._waiting = 6
        for tab in self._all():
            tab.loaded.connect(self._one_loaded)
        # Renaming an employer changes what the accounts list shows, and the employers'
        # counts follow new accounts: each reloads after the other's writes.
        self.employers.saved.connect(self.accounts.reload)
        self.accounts.saved.connect(self.employers.reload)
        for tab in self._all():
            tab.reload()

    def _all(self) -> tuple[AccountsTab, EmployersTab, ConflictsTab, ActorsTab, RoomsTab, CentreTab]:
        return (self.accounts, self.employers, self.conflicts, self.actors, self.rooms, self.centre)

    def _one_loaded(self) -> None:
        self._waiting -= 1
        if self._waiting == 0:
            self.loaded.emit()
