"""Shared fixtures. Qt runs offscreen; databases are real SQLite files and, when
``NAAS_TEST_PG_URL`` names a server (``./test`` starts a throwaway one), PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.engine import Database
from db.migrate import upgrade

PG_URL = os.environ.get("NAAS_TEST_PG_URL")
WORKSTATION = "00000000-0000-4000-8000-000000000001"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated empty database, copied for each test (cheaper than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    db = Database(path, WORKSTATION)
    upgrade(db.engine)
    db.dispose()
    return path


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "centre.db"
    shutil.copy(sqlite_template, path)
    db = Database(path, WORKSTATION)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("NAAS_TEST_PG_URL is not set: ./test starts PostgreSQL for CI")
        pytest.skip("no PostgreSQL server (./test starts one)")
    name = f"naas_tpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url, WORKSTATION)
    upgrade(db.engine)
    db.dispose()
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_db(pg_template: str) -> Iterator[Database]:
    assert PG_URL
    name = f"naas_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    db = Database(make_url(PG_URL).set(database=name).render_as_string(hide_password=False), WORKSTATION)
    yield db
    db.dispose()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> Database:
    """The same test on SQLite and on PostgreSQL."""
    fixture = "sqlite_db" if request.param == "sqlite" else "pg_db"
    db: Database = request.getfixturevalue(fixture)
    return db


@pytest.fixture
def soffice() -> str:
    """LibreOffice's command, to read and write spreadsheets as a user's office suite
    does. ``./test`` installs it, so under CI its absence is a failure, not a skip."""
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed: ./test installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) is not installed (./test installs it)")
    return found
