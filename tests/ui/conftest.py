"""GUI fixtures: a real demo centre (made once, copied per test), the real services,
a task manager that is drained and shut down after each test, no leaked windows, and
Python's garbage collected on the GUI thread only, as the app does."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from db.engine import Database
from naas_centre import paths
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.services import accounts, centre
from naas_centre.services.views import Actor
from ui.common import theme
from ui.common.settings import Settings
from ui.work.main_thread_gc import MainThreadCollector
from ui.work.tasks import TaskManager

PASSWORDS = {a.username: a.password for a in ACCOUNTS}


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    """The demo centre, made once: creating it hashes a dozen passwords."""
    folder = tmp_path_factory.mktemp("demo-template")
    made = create_demo(paths.demo_db_path(folder), data_dir=folder)
    made.db.dispose()
    return paths.demo_db_path(folder), made.day


@dataclass
class DemoCentre:
    folder: Path  # a data folder holding the demo database (as --demo finds it)
    path: Path
    db: Database
    day: date

    def actor(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, PASSWORDS[username])

    def fresh(self) -> Database:
        """A second, independent connection: what is read here is what is on disk."""
        return Database(self.path, "00000000-0000-4000-8000-00000000fe57")


@pytest.fixture
def demo(tmp_path: Path, demo_template: tuple[Path, date]) -> Iterator[DemoCentre]:
    folder = tmp_path / "data"
    folder.mkdir()
    path = paths.demo_db_path(folder)
    shutil.copy(demo_template[0], path)
    db = centre.open_database(path, folder)
    yield DemoCentre(folder, path, db, demo_template[1])
    db.dispose()


@pytest.fixture
def tasks(qapp: QApplication) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()
    manager.deleteLater()


@pytest.fixture
def settings(tmp_path: Path, qapp: QApplication) -> Settings:
    return Settings.for_data_dir(tmp_path / "ui-settings")


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(qapp: QApplication) -> Iterator[None]:
    """As ``run_gui`` does: set up before, and torn down after, every other fixture of the
    test. Its workers are stopped by then, and what it left is collected here, on the GUI
    thread, before the next test runs (a crash then names the test that made it)."""
    collector = MainThreadCollector()
    collector.start()
    yield
    collector.stop()
    collector.deleteLater()
    gc.collect()


@pytest.fixture(autouse=True)
def _light_theme(qapp: QApplication) -> None:
    theme.apply(qapp, "light", 11)


@pytest.fixture(autouse=True)
def _no_leaked_windows(qapp: QApplication) -> Iterator[None]:
    """A test that leaves a visible top-level window behind fails (after napari)."""
    before = {id(w) for w in qapp.topLevelWidgets()}
    yield
    leaked = [
        w
        for w in qapp.topLevelWidgets()
        if id(w) not in before and w.isVisible() and w.objectName() != "_keep"
    ]
    for w in leaked:
        w.close()
        w.deleteLater()
    assert not leaked, f"windows left open: {[type(w).__name__ for w in leaked]}"


WaitUntil = Callable[[Callable[[], object]], None]


@pytest.fixture
def wait_until(qtbot: QtBot) -> WaitUntil:
    def wait(condition: Callable[[], object], timeout: int = 10_000) -> None:
        qtbot.waitUntil(lambda: bool(condition()), timeout=timeout)

    return wait


@pytest.fixture(scope="session")
def scored_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    """The demo day played through once: every sitting scored and submitted by both
    assessors, not moderated yet, nothing signed, no centre CA."""
    from naas_centre.demo.play import fill_scored_day

    folder = tmp_path_factory.mktemp("scored-template")
    made = create_demo(paths.demo_db_path(folder), data_dir=folder)
    fill_scored_day(made.db, made.day)
    made.db.dispose()
    return paths.demo_db_path(folder), made.day


@pytest.fixture
def scored(tmp_path: Path, scored_template: tuple[Path, date]) -> Iterator[DemoCentre]:
    """A copy of the scored demo day with a data folder of its own (the CA is made there)."""
    folder = tmp_path / "scored-data"
    folder.mkdir()
    path = paths.demo_db_path(folder)
    shutil.copy(scored_template[0], path)
    db = centre.open_database(path, folder)
    yield DemoCentre(folder, path, db, scored_template[1])
    db.dispose()
