"""A centre with a past for the QA screens: the demo centre with its default history (a
half-year of weekly days, scored, moderated and monitored through the services and the
demo's bulk path), made once per session and copied for each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from naas_centre import paths
from naas_centre.demo.centre import HistorySize, create_demo
from naas_centre.services import accounts, centre
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre


@pytest.fixture(scope="session")
def history_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date, dict[str, str]]:
    folder = tmp_path_factory.mktemp("qa-history")
    made = create_demo(paths.demo_db_path(folder), data_dir=folder, history=HistorySize.DEFAULT)
    made.db.dispose()
    return paths.demo_db_path(folder), made.day, {a.username: a.password for a in made.accounts}


class HistoryCentre(DemoCentre):
    passwords: dict[str, str]

    def actor(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, self.passwords[username])


@pytest.fixture
def history(tmp_path: Path, history_template: tuple[Path, date, dict[str, str]]) -> Iterator[HistoryCentre]:
    folder = tmp_path / "history-data"
    folder.mkdir()
    path = paths.demo_db_path(folder)
    shutil.copy(history_template[0], path)
    db = centre.open_database(path, folder)
    made = HistoryCentre(folder, path, db, history_template[1])
    made.passwords = history_template[2]
    yield made
    db.dispose()
