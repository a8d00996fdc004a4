"""Preparing room workstations and setting one up, on real services: the demo centre's
day written as one day bundle per room through the dialog, one of them taken in by the
set-up dialog into a new, empty data folder, where the room's assessor signs in; a wrong
password, a wrong passphrase and a missing CA refused plainly with nothing left behind.

Every wait is on a signal or a state.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.engine import Database
from db.models import PlanStationRow, RoomRow
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.exchange.container import signer_of
from naas_centre.exchange.day import export_day
from naas_centre.services import accounts, authority, certificates, sittings
from naas_centre.services.views import Actor
from tests.ui.conftest import WaitUntil
from ui.common.settings import Settings
from ui.exchange import open_prepare_workstations, open_set_up_from_bundle
from ui.exchange.prepare_dialog import PrepareWorkstationsDialog, bundle_name
from ui.exchange.setup_dialog import SetUpDialog
from ui.work.tasks import TaskManager

CENTRE_WS = "00000000-0000-4000-8000-0000000000c0"
PASSWORDS = {a.username: a.password for a in ACCOUNTS}
PASSPHRASE = "birch room, fifth of march"
SHOTS = Path("/tmp/naas-shots")


@dataclass
class Centre:
    db: Database
    day: date
    data_dir: Path
    room: str  # the room whose station assessor1 observes

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, PASSWORDS[username])


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    folder = tmp_path_factory.mktemp("prepare-demo")
    made = create_demo(folder / "demo.db", data_dir=folder)
    authority.ensure_ca(made.db, folder)
    for username in ("manager", "assessor1", "assessor2"):  # certificates issued at the centre
        who = accounts.authenticate(made.db, username, PASSWORDS[username])
        certificates.unlock_signer(made.db, who, PASSWORDS[username], folder)
    made.db.dispose()
    return folder, made.day


@pytest.fixture
def centre(tmp_path: Path, demo_folder: tuple[Path, date]) -> Iterator[Centre]:
    folder = tmp_path / "centre"
    shutil.copytree(demo_folder[0], folder)
    db = Database(folder / "demo.db", CENTRE_WS)
    a1 = accounts.authenticate(db, "assessor1", PASSWORDS["assessor1"])
    with db.read() as s:
        room = next(
            s.get(RoomRow, st.room_id).name  # type: ignore[union-attr]
            for st in s.scalars(select(PlanStationRow))
            if a1.account_id in json.loads(st.assessor_ids)
        )
    yield Centre(db, demo_folder[1], folder, room)
    db.dispose()


def _ca_file(c: Centre, tmp_path: Path) -> Path:
    out = tmp_path / "centre-ca.pem"
    authority.export_ca(c.db, c.data_dir, out)
    return out


def _bundle(c: Centre, tmp_path: Path) -> Path:
    target = tmp_path / bundle_name(c.room, c.day)
    manager = c.login("manager")
    identity = certificates.unlock_signer(c.db, manager, PASSWORDS["manager"], c.data_dir)
    export_day(c.db, manager, c.room, c.day, target, PASSPHRASE, signer_of(identity))
    return target


def _fill(dialog: PrepareWorkstationsDialog, password: str, folder: Path) -> None:
    dialog.folder.setText(str(folder))
    dialog.password.setText(password)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.passphrase_again.setText(PASSPHRASE)


def _shot(dialog: QWidget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    dialog.layout().activate()  # type: ignore[union-attr]  # the layout after the last change, not the one before it
    dialog.grab().save(str(SHOTS / name))


def test_rooms_are_prepared_and_a_fresh_workstation_is_set_up_where_its_assessor_signs_in(
    qtbot: QtBot, tasks: TaskManager, centre: Centre, tmp_path: Path, wait_until: WaitUntil
) -> None:
    out = tmp_path / "bundles"
    out.mkdir()
    prepare = open_prepare_workstations(
        None, tasks, centre.db, centre.login("manager"), centre.data_dir, day=centre.day
    )
    qtbot.addWidget(prepare)
    wait_until(lambda: prepare.rooms.count() > 0)  # read off the GUI thread
    rooms = [r.name for r in prepare.ticked_rooms()]
    assert centre.room in rooms and len(rooms) == prepare.rooms.count()  # all ticked
    _fill(prepare, PASSWORDS["manager"], out)
    with qtbot.waitSignal(prepare.prepared, timeout=120_000) as done:
        prepare.start_button.click()
    result = done.args[0]
    assert [o.refused for o in result.outcomes] == [None] * len(rooms)
    assert sorted(p.name for p in out.iterdir()) == sorted(bundle_name(r, centre.day) for r in rooms)
    ours = next(o for o in result.outcomes if o.room == centre.room)
    assert ours.sittings > 0 and ours.people > 0
    summary = prepare.summary.toPlainText()
    assert f"{centre.room}: {ours.sittings} sitting(s), {ours.people} people" in summary
    assert f"{len(rooms)} of {len(rooms)} room file(s) written to {out}." in prepare.status.text()
    assert prepare.width() <= 1366 and prepare.height() <= 768
    _shot(prepare, "prepare-workstations.png")
    prepare.close()

    fresh = tmp_path / "room-ws"
    fresh.mkdir()
    setup = open_set_up_from_bundle(None, tasks, fresh)
    qtbot.addWidget(setup)
    setup.bundle.setText(str(out / bundle_name(centre.room, centre.day)))
    setup.passphrase.setText(PASSPHRASE)
    setup.ca_file.setText(str(_ca_file(centre, tmp_path)))
    with qtbot.waitSignal(setup.workstation_set_up, timeout=120_000) as set_up:
        setup.start_button.click()
    path = set_up.args[0]
    assert path.parent == fresh and path.is_file()
    assert "set up" in setup.status.text() and setup.summary.toPlainText()
    assert setup.width() <= 1366 and setup.height() <= 768
    _shot(setup, "set-up-from-bundle.png")
    setup.close()

    room = Database(path, "00000000-0000-4000-8000-0000000000a1")
    try:
        a1 = accounts.authenticate(room, "assessor1", PASSWORDS["assessor1"])
        assert sittings.list_for_assessor(room, a1, centre.day)
    finally:
        room.dispose()


def test_no_plan_that_day_and_a_wrong_password_are_refused_and_write_nothing(
    qtbot: QtBot, tasks: TaskManager, centre: Centre, tmp_path: Path, wait_until: WaitUntil
) -> None:
    out = tmp_path / "bundles"
    out.mkdir()
    dialog = PrepareWorkstationsDialog(
        tasks, centre.db, centre.login("manager"), centre.data_dir, None, day=date(2001, 1, 2)
    )
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.rooms_loaded, timeout=30_000) as loaded:
        pass
    assert loaded.args[0] is None
    assert "no day is planned" in dialog.status.text()
    _fill(dialog, PASSWORDS["manager"], out)
    dialog.start_button.click()
    assert not dialog.running and "no day is planned" in dialog.status.text()

    with qtbot.waitSignal(dialog.rooms_loaded, timeout=30_000):
        dialog.day.setDate(QDate(centre.day.year, centre.day.month, centre.day.day))
    assert dialog.rooms.count() > 0
    _fill(dialog, "not my password", out)
    dialog.start_button.click()
    assert dialog.running
    wait_until(lambda: not dialog.running)
    text = dialog.status.text()
    assert "password" in text.lower() and "No file was written." in text and "Traceback" not in text
    assert list(out.iterdir()) == []
    dialog.close()


def test_a_wrong_passphrase_or_a_missing_ca_sets_up_nothing_and_leaves_nothing_behind(
    qtbot: QtBot, tasks: TaskManager, centre: Centre, tmp_path: Path, wait_until: WaitUntil
) -> None:
    bundle = _bundle(centre, tmp_path)
    ca_file = _ca_file(centre, tmp_path)
    fresh = tmp_path / "room-ws"
    fresh.mkdir()
    dialog = SetUpDialog(tasks, fresh, None, bundle=bundle)
    qtbot.addWidget(dialog)
    emitted: list[object] = []
    dialog.workstation_set_up.connect(emitted.append)

    def attempt(passphrase: str, ca: str) -> str:
        dialog.passphrase.setText(passphrase)
        dialog.ca_file.setText(ca)
        dialog.start_button.click()
        wait_until(lambda: not dialog.running)
        return dialog.status.text()

    text = attempt(PASSPHRASE, "")  # no CA given: said before anything is made
    assert "CA certificate" in text and "Nothing was set up." in text
    text = attempt(PASSPHRASE, str(tmp_path / "no-such-ca.pem"))
    assert "no-such-ca.pem: no such file." in text and "Traceback" not in text
    assert list(fresh.iterdir()) == []
    text = attempt("not the passphrase", str(ca_file))
    assert "passphrase" in text and "Nothing was set up." in text and "Traceback" not in text
    assert list(fresh.iterdir()) == []  # no database, no workstation id
    assert emitted == []
    dialog.close()


def test_a_fresh_install_is_set_up_from_the_first_start_page_and_its_assessor_signs_in(
    qtbot: QtBot, centre: Centre, tmp_path: Path, settings: Settings, wait_until: WaitUntil
) -> None:
    """What a room's workstation does at first start: no centre yet, a day bundle and the
    centre's CA file, then the sign-in window on the room's centre."""
    from PySide6.QtWidgets import QApplication

    from naas_centre.opening import StartOptions
    from ui.shell.app import CentreApp

    bundle, ca_file = _bundle(centre, tmp_path), _ca_file(centre, tmp_path)
    fresh = tmp_path / "fresh-room"
    app = CentreApp(settings, StartOptions(data_dir=fresh))
    app.start()
    try:
        wait_until(lambda: app.login.pages.currentIndex() == 1)  # the first-start page
        assert app.login.bundle_button.isVisible()
        app.login.bundle_button.click()
        setup = app.bundle_dialog
        assert isinstance(setup, SetUpDialog)
        setup.bundle.setText(str(bundle))
        setup.passphrase.setText(PASSPHRASE)
        setup.ca_file.setText(str(ca_file))
        with qtbot.waitSignal(app.centre_ready, timeout=120_000):
            setup.start_button.click()
        assert app.login.pages.currentIndex() == 0
        with qtbot.waitSignal(app.signed_in, timeout=20_000) as signed:
            app.login.username.setText("assessor1")
            app.login.password.setText(PASSWORDS["assessor1"])
            app.login.sign_in_button.click()
        assert signed.args[0].username == "assessor1"
        window = app.main_window
        assert window is not None
        wait_until(lambda: bool(window.day_view.model.sittings))  # type: ignore[attr-defined]  # the room's day
    finally:
        if app.main_window is not None:
            app.main_window.close()
        app.login.close()
        app.shutdown()
        QApplication.processEvents()
