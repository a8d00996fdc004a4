"""The scoring station on a PostgreSQL server that goes away: a throwaway server of this
module's own, stopped mid-sitting as a power cut would (``pg_ctl stop -m immediate``)
and started again. The assessor sees the same lasting warning as for a refusing disk;
what is recorded meanwhile is journaled, retried, and lands once, in order, when the
server is back. Below it, the engine: a lost or refused connection is a StorageError of
kind ``server``, and the pool replaces connections the server dropped."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from db.engine import SERVER, Database, StorageError
from db.models import ScoreRow
from naas_centre.demo.centre import create_demo
from naas_centre.services import audit, centre
from naas_centre.services.views import Actor
from naas_centre.writes.journal import Journal, journal_path
from tests.pg_server import PgServer, create_server, require_pg_bin
from tests.ui.conftest import DemoCentre
from tests.ui.scoring_station_support import close_view, first_sitting, level, notes, open_view, panel
from ui.common.settings import Settings
from ui.scoring.sitting_view import SittingView
from ui.work.tasks import TaskManager

pytestmark = pytest.mark.postgres

WORKSTATION = "00000000-0000-4000-8000-0000000005e7"


@pytest.fixture(scope="module")
def server() -> Iterator[PgServer]:
    made = create_server(require_pg_bin())
    yield made
    made.remove()


@pytest.fixture
def running(server: PgServer) -> PgServer:
    """The server, started again if a test before this one left it stopped."""
    if not server.running():
        server.start()
    return server


def new_database(server: PgServer) -> str:
    name = f"naas_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.url(name)


@dataclass
class ServerCentre(DemoCentre):
    url: str = ""

    def fresh(self) -> Database:
        return Database(self.url, "00000000-0000-4000-8000-00000000fe57")


@pytest.fixture
def demo(tmp_path: Path, running: PgServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerCentre]:
    """The demo centre on the server; the data folder (where a server's journal is kept)
    is this test's own."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("NAAS_DATA_DIR", str(folder))
    url = new_database(running)
    made = create_demo(url, data_dir=folder)
    made.db.dispose()
    db = centre.open_database(url, folder)
    yield ServerCentre(folder, folder / "on-the-server", db, made.day, url)
    db.dispose()


@pytest.fixture
def assessor(demo: ServerCentre) -> Actor:
    return demo.actor("assessor1")


@pytest.fixture
def view(
    qtbot: QtBot, tasks: TaskManager, demo: ServerCentre, assessor: Actor, settings: Settings
) -> Iterator[SittingView]:
    v = open_view(qtbot, tasks, demo, assessor, first_sitting(demo, assessor), settings)
    v.storage_banner.all_clear_ms = 150
    v.clocks.heartbeat.stop()  # the test takes the server down and up itself
    yield v
    close_view(v, tasks, qtbot)


def test_server_stopped_mid_sitting_the_warning_stays_and_every_score_lands_once_it_is_back(
    qtbot: QtBot, view: SittingView, demo: ServerCentre, assessor: Actor, running: PgServer
) -> None:
    sitting_id = view.sitting_id
    p = panel(view)
    rows = p.model.criterion_rows()[:4]
    criteria = [p.model.criterion_at(r) for r in rows]
    assert all(c is not None for c in criteria) and len(criteria) == 4
    ids = [c.id for c in criteria if c is not None]
    with qtbot.waitSignal(view.score_recorded, timeout=10_000):
        p.grid.choose(rows[0], 1)  # saved while the server runs: the pool holds a connection
    assert level(demo, sitting_id, assessor.account_id, p.station.id, ids[0]) == 1

    running.stop("immediate")  # every connection cut at once, as by a power cut
    try:
        p.grid.choose(rows[0], 4)  # a newer level over a saved one
        qtbot.waitUntil(lambda: p.model.is_retrying(ids[0]), timeout=15_000)
        assert view.pending.trouble is not None and view.pending.trouble.kind == SERVER
        assert view.storage_banner.isVisible()
        assert "Nothing already saved is lost" in view.storage_banner.text.text()
        assert "The database server cannot be reached" in view.storage_banner.text.text()  # not a disk
        book = p.notebook
        book.focus_input()
        book.input.setText("Asked the mother what a good week looks like; she named the school run.")
        qtbot.keyClick(book.input, Qt.Key.Key_Return)
        for r, lv in zip(rows[1:], (2, 3, 1), strict=True):
            p.grid.choose(r, lv)
        p.grid.choose(rows[3], 2)  # changed again while waiting: the later one must win
        assert [p.model.save_state(c) for c in ids] == ["retrying"] * 4
        assert book.model.entries[-1].state == "retrying"
        assert "6 changes not saved yet" in view.storage_banner.text.text()
        journal = Journal(journal_path(demo.db))
        assert journal.path.parent == demo.folder
        ops = [i["op"] for i in journal.open_items()]
        assert ops == [
            "record_level",
            "add_note",
            "record_level",
            "record_level",
            "record_level",
            "record_level",
        ]
        # It keeps trying, and the warning stays up, while the server is down.
        qtbot.waitUntil(lambda: view.pending.failures >= 3, timeout=15_000)
        assert view.storage_banner.isVisible() and view.pending.stuck
    finally:
        running.start()
    qtbot.waitUntil(lambda: view.pending.idle, timeout=30_000)
    assert [p.model.save_state(c) for c in ids] == ["saved"] * 4
    assert book.model.entries[-1].state == "saved"
    assert "everything is saved" in view.storage_banner.text.text()
    qtbot.waitUntil(lambda: not view.storage_banner.isVisible(), timeout=5_000)
    assert not journal.path.exists()
    stored = [level(demo, sitting_id, assessor.account_id, p.station.id, c) for c in ids]
    assert stored == [4, 2, 3, 2]
    assert [n.text for n in notes(demo, sitting_id)] == [book.model.entries[-1].text]
    fresh = demo.fresh()
    try:
        with fresh.read() as s:
            rows_per_criterion = s.execute(
                select(ScoreRow.criterion_id, func.count())
                .where(ScoreRow.sitting_id == sitting_id, ScoreRow.assessor_id == assessor.account_id)
                .group_by(ScoreRow.criterion_id)
            ).all()
        assert sorted(n for _, n in rows_per_criterion) == [1, 1, 1, 1]
        verdict = audit.verify(fresh)
        assert verdict.ok, verdict.problem
    finally:
        fresh.dispose()


# -- the engine under it -------------------------------------------------------------------------


@pytest.fixture
def table_db(running: PgServer) -> Iterator[Database]:
    db = Database(new_database(running), WORKSTATION)
    with db.write() as s:
        s.execute(text("CREATE TABLE t (x integer PRIMARY KEY)"))
    yield db
    db.dispose()


def stored(db: Database) -> list[int]:
    with db.read() as s:
        return [x for (x,) in s.execute(text("SELECT x FROM t ORDER BY x"))]


def test_a_stopped_server_is_a_plain_server_storage_error_and_writes_go_through_once_it_is_back(
    table_db: Database, running: PgServer
) -> None:
    with table_db.write() as s:
        s.execute(text("INSERT INTO t VALUES (1)"))  # leaves a pooled connection behind
    running.stop("immediate")
    try:
        for x in (2, 3):  # the pooled connection found dead, then a refused new one
            with pytest.raises(StorageError) as caught, table_db.write() as s:
                s.execute(text("INSERT INTO t VALUES (:x)"), {"x": x})
            assert caught.value.kind == SERVER
            assert str(caught.value) == (
                "The database server cannot be reached: nothing new was saved, and it will be tried again."
            )
        # A read meanwhile (a clock, the day board) meets the same plain trouble, not a fault.
        with pytest.raises(StorageError) as read_caught, table_db.read() as s:
            s.execute(text("SELECT x FROM t")).all()
        assert read_caught.value.kind == SERVER
    finally:
        running.start()
    with table_db.write() as s:
        s.execute(text("INSERT INTO t VALUES (4)"))
    assert stored(table_db) == [1, 4]


def test_a_connection_the_server_ends_mid_transaction_is_a_server_storage_error_and_kept_nothing(
    table_db: Database,
) -> None:
    with pytest.raises(StorageError) as caught, table_db.write() as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
        other = create_engine(table_db.url, isolation_level="AUTOCOMMIT")
        with other.connect() as c:
            c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        other.dispose()
        s.execute(text("INSERT INTO t VALUES (2)"))
    assert caught.value.kind == SERVER
    with table_db.write() as s:  # the pool gives a live connection again
        s.execute(text("INSERT INTO t VALUES (3)"))
    assert stored(table_db) == [3]


def test_a_refusal_of_the_servers_own_is_not_storage_trouble(table_db: Database) -> None:
    with table_db.write() as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
    with pytest.raises(IntegrityError), table_db.write() as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
    assert stored(table_db) == [1]
