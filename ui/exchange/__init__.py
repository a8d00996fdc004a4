"""Exchange between workstations: a room's results sent in one file, collected at the
centre, and the conflicts that leaves for a manager to resolve.

Each screen opens through one function here, so the shell adds a menu action per
screen and needs nothing else of this package. Each returns its dialog, already open
(window-modal to ``host``) and deleted when it closes.

"Prepare room workstations" (day bundles out, ``naas_centre.exchange.day``) and "Set up
this workstation from a day bundle" (a fresh install, before anyone signs in) open from
here too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

from naas_centre.services.views import Actor
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database
    from ui.exchange.collect_dialog import CollectResultsDialog
    from ui.exchange.conflicts_dialog import ConflictsDialog
    from ui.exchange.prepare_dialog import PrepareWorkstationsDialog
    from ui.exchange.send_dialog import SendResultsDialog
    from ui.exchange.setup_dialog import SetUpDialog

D = TypeVar("D", bound=QDialog)


def _opened(dialog: D) -> D:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def open_collect_results(
    host: QWidget | None, tasks: TaskManager, db: Database, actor: Actor, data_dir: Path | None = None
) -> CollectResultsDialog:
    """Collect results (a centre manager or an administrator): the rooms' files merged here."""
    from ui.exchange.collect_dialog import CollectResultsDialog

    # The trust comes from this database's own centre CA; the data folder is where
    # recordings a bundle carries are placed.
    return _opened(CollectResultsDialog(tasks, db, actor, host, data_dir=data_dir))


def open_send_results(
    host: QWidget | None,
    tasks: TaskManager,
    db: Database,
    actor: Actor,
    data_dir: Path,
    day: date | None = None,
) -> SendResultsDialog:
    """Send this room's results (whoever ran the room): one signed, encrypted file."""
    from ui.exchange.send_dialog import SendResultsDialog

    return _opened(SendResultsDialog(tasks, db, actor, data_dir, host, day=day))


def open_conflicts(
    host: QWidget | None, tasks: TaskManager, db: Database, actor: Actor, data_dir: Path | None = None
) -> ConflictsDialog:
    """Conflicts (a centre manager or an administrator): each kept one way, for a reason."""
    from ui.exchange.conflicts_dialog import ConflictsDialog

    del data_dir
    return _opened(ConflictsDialog(tasks, db, actor, host))


def open_prepare_workstations(
    host: QWidget | None,
    tasks: TaskManager,
    db: Database,
    actor: Actor,
    data_dir: Path,
    day: date | None = None,
) -> PrepareWorkstationsDialog:
    """Prepare room workstations (a centre manager or an administrator): one day bundle per room."""
    from ui.exchange.prepare_dialog import PrepareWorkstationsDialog

    return _opened(PrepareWorkstationsDialog(tasks, db, actor, data_dir, host, day=day))


def open_set_up_from_bundle(host: QWidget | None, tasks: TaskManager, data_dir: Path) -> SetUpDialog:
    """Set up this workstation from a day bundle (a fresh install, no one signed in);
    ``workstation_set_up`` carries the new database's path."""
    from ui.exchange.setup_dialog import SetUpDialog

    return _opened(SetUpDialog(tasks, data_dir, host))
