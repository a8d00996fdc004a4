"""Scheduled backups in the running app: due on the hour by an injected clock, taken off
the GUI thread and proven, and one more at close only when something was written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from naas_centre.backup import names
from naas_centre.opening import OpenedCentre
from naas_centre.services import centre
from naas_centre.writes.changes import Changes
from tests.ui.conftest import DemoCentre
from ui.common.settings import Settings
from ui.shell.backups import BackupKeeper, backup_folder
from ui.work.tasks import TaskManager


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


def _keeper(tasks: TaskManager, demo: DemoCentre, settings: Settings, clock: Clock) -> BackupKeeper:
    opened = OpenedCentre(demo.db, centre.centre_info(demo.db), demo.folder, str(demo.path))
    return BackupKeeper(tasks, opened, settings, now=clock)


def test_a_backup_is_taken_when_due_and_not_again_before_the_hour(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings, tmp_path: Path
) -> None:
    settings.set("backup_folder", str(tmp_path / "drive"))
    clock = Clock()
    keeper = _keeper(tasks, demo, settings, clock)
    assert keeper.folder == tmp_path / "drive" == backup_folder(settings, demo.folder)
    with qtbot.waitSignal(keeper.backed_up, timeout=60_000) as taken:
        keeper.tick()  # no copy in the folder yet: due at once
    backup = taken.args[0]
    assert backup.path.parent == tmp_path / "drive" and backup.entries > 0
    info = centre.centre_info(demo.db)
    assert info is not None and len(names.copies(tmp_path / "drive", info.name, info.id)) == 1
    keeper.tick()
    assert not keeper.running  # not due again before the hour
    clock.at += timedelta(hours=1)
    with qtbot.waitSignal(keeper.backed_up, timeout=60_000):
        keeper.tick()
    assert len(names.copies(tmp_path / "drive", info.name, info.id)) == 2


def test_at_close_a_copy_only_when_something_was_written(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings, tmp_path: Path
) -> None:
    settings.set("backup_folder", str(tmp_path / "drive"))
    clock = Clock()
    keeper = _keeper(tasks, demo, settings, clock)
    with qtbot.waitSignal(keeper.backed_up, timeout=60_000):
        keeper.tick()
    keeper.close()
    assert keeper.tasks.writes_pending == 0  # nothing written since: nothing to keep
    keeper = _keeper(tasks, demo, settings, clock)  # the next session, an hour on
    clock.at += timedelta(minutes=10)
    tasks.changed.emit(Changes.of("s1", scores=True), None)  # a score was saved
    with qtbot.waitSignal(keeper.backed_up, timeout=60_000):
        keeper.close()
    info = centre.centre_info(demo.db)
    assert info is not None and len(names.copies(tmp_path / "drive", info.name, info.id)) == 2


def test_a_folder_that_cannot_be_written_is_tried_again_later(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.set("backup_folder", str(blocker))
    clock = Clock()
    keeper = _keeper(tasks, demo, settings, clock)
    with qtbot.waitSignal(keeper.backup_failed, timeout=60_000) as failed:
        keeper.tick()
    assert "a-file" in failed.args[0]
    assert not keeper.schedule.due(clock.at)  # not at every tick: after a few minutes
    clock.at += timedelta(minutes=6)
    assert keeper.schedule.due(clock.at)
