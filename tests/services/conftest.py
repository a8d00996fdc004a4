from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from db.engine import Database
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.services import accounts
from naas_centre.services.views import Actor
from tests.conftest import WORKSTATION
from tests.services.small_centre import PASSWORD as SMALL_CENTRE_PASSWORD

PASSWORDS = {a.username: a.password for a in ACCOUNTS}


def password_of(actor: Actor) -> str:
    """The password a test account signed in with, asked again by sensitive acts."""
    return PASSWORDS.get(actor.username, SMALL_CENTRE_PASSWORD)  # small_centre.py's accounts


@dataclass
class Demo:
    db: Database
    day: date

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, PASSWORDS[username])


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    folder = tmp_path_factory.mktemp("demo")
    result = create_demo(folder / "demo.db", data_dir=folder)
    result.db.dispose()
    return folder / "demo.db", result.day


@pytest.fixture
def demo(tmp_path: Path, demo_template: tuple[Path, date]) -> Iterator[Demo]:
    path = tmp_path / "demo.db"
    shutil.copy(demo_template[0], path)
    db = Database(path, WORKSTATION)
    yield Demo(db, demo_template[1])
    db.dispose()
