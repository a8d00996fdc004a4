"""The administration dialog on a new centre (no demo): every tab reads and writes through
the services off the GUI thread, and a refusal is shown plainly where it happened."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from db.engine import Database
from naas_centre.services import accounts, centre, centre_settings, conflicts, employers, sittings
from naas_centre.services.views import Actor, Role
from ui.centre.admin.administration_dialog import AdministrationDialog
from ui.centre.admin.form_dialog import FormDialog
from ui.centre.admin.list_tab import ListTab
from ui.work.tasks import TaskManager

PASSWORD = "a long enough password"
WAIT = 10_000


@pytest.fixture
def new_centre(tmp_path: Path) -> Iterator[tuple[Database, Actor]]:
    db = centre.create_centre(
        tmp_path / "centre.db", "Pennine Assessment Centre", "ada", "Ada Okafor", PASSWORD, data_dir=tmp_path
    )
    yield db, accounts.authenticate(db, "ada", PASSWORD)
    db.dispose()


def _open(qtbot: QtBot, tasks: TaskManager, db: Database, actor: Actor) -> AdministrationDialog:
    dialog = AdministrationDialog(tasks, db, actor)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.show()
    return dialog


def _refused(qtbot: QtBot, tab: ListTab[Any], form: FormDialog) -> str:
    with qtbot.waitSignal(tab.refused, timeout=WAIT) as refusal:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible() and form.error.isVisible()  # stays open to be put right
    return str(refusal.args[0])


def _rows(tab: ListTab[Any]) -> list[list[str]]:
    t = tab.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]  # type: ignore[union-attr]


def test_an_administrator_sets_up_employers_and_accounts(
    qtbot: QtBot, tasks: TaskManager, new_centre: tuple[Database, Actor]
) -> None:
    db, admin = new_centre
    dialog = _open(qtbot, tasks, db, admin)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "Accounts",
        "Employers",
        "Conflicts of interest",
        "Actors",
        "Rooms",
        "Centre",
    ]
    assert dialog.width() <= 1366 and dialog.height() <= 768
    assert dialog.minimumSizeHint().width() <= 1366 and dialog.minimumSizeHint().height() <= 700
    assert _rows(dialog.accounts) == [["Ada Okafor", "ada", "Administrator", "—", "—", "Active"]]

    # An employer, through its form; a duplicate is refused in the form, which stays open.
    tab = dialog.employers
    qtbot.mouseClick(tab.findChild(type(tab.toggle_button), "employer_new"), Qt.MouseButton.LeftButton)
    form = tab.form
    assert form is not None
    form.name.setText("Leeds City Council")
    form.email.setText("accreditation@leeds.gov.uk")
    with qtbot.waitSignal(tab.saved, timeout=WAIT):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.entries) == 1, timeout=WAIT)
    assert tab.status.text() == "Leeds City Council is added."
    tab.new_employer()
    again = tab.form
    assert again is not None and again is not form
    again.name.setText("leeds city council")
    assert _refused(qtbot, tab, again) == "There is already an employer called 'Leeds City Council'."
    again.reject()

    # An assessor account of that employer: its temporary password is shown once, and works.
    accounts_tab = dialog.accounts
    qtbot.waitUntil(lambda: accounts_tab.employer_names == ["Leeds City Council"], timeout=WAIT)
    accounts_tab.new_account()
    new = accounts_tab.form
    assert new is not None
    new.display_name.setText("Sam Reid")
    new.username.setText("s.reid")
    new.role.setCurrentIndex(new.role.findData(Role.ASSESSOR.value))
    new.employer.setCurrentIndex(new.employer.findData("Leeds City Council"))
    new.registration.setText("SW123456")
    with qtbot.waitSignal(accounts_tab.saved, timeout=WAIT):
        qtbot.mouseClick(new.save_button, Qt.MouseButton.LeftButton)
    assert accounts_tab.password_panel.isVisible()
    shown = accounts_tab._password
    assert shown and shown in accounts_tab.password_text.text()
    assert accounts.authenticate(db, "s.reid", shown).employer == "Leeds City Council"
    accounts_tab.forget_password()
    assert not accounts_tab.password_panel.isVisible() and shown not in accounts_tab.password_text.text()
    qtbot.waitUntil(lambda: len(accounts_tab.entries) == 2, timeout=WAIT)
    assert [
        "Sam Reid",
        "s.reid",
        "Assessor",
        "Leeds City Council",
        "SW123456",
        "Temporary password",
    ] in _rows(accounts_tab)

    # The same username again: refused in the form.
    accounts_tab.new_account()
    twin = accounts_tab.form
    assert twin is not None
    twin.display_name.setText("Sam Other")
    twin.username.setText("s.reid")
    assert _refused(qtbot, accounts_tab, twin) == "The username 's.reid' is taken."
    twin.reject()

    # Disabling oneself is refused on the tab's status line; disabling Sam works.
    assert accounts_tab.select(lambda e: e.username == "ada")
    with qtbot.waitSignal(accounts_tab.refused, timeout=WAIT):
        qtbot.mouseClick(accounts_tab.toggle_button, Qt.MouseButton.LeftButton)
    assert accounts_tab.status.text() == "You cannot disable your own account."
    assert accounts_tab.select(lambda e: e.username == "s.reid")
    with qtbot.waitSignal(accounts_tab.loaded, timeout=WAIT):
        qtbot.mouseClick(accounts_tab.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: accounts_tab.toggle_button.text() == "Enable", timeout=WAIT)
    assert accounts_tab.status.text() == "Sam Reid's account is disabled: they cannot sign in."

    # A reset shows a new temporary password once.
    with qtbot.waitSignal(accounts_tab.saved, timeout=WAIT):
        accounts_tab.reset_password()
    assert accounts_tab._password and accounts_tab._password != shown

    # Renaming the employer carries the account with it.
    assert tab.select(lambda e: e.name == "Leeds City Council")
    tab.edit_employer()
    rename = tab.form
    assert rename is not None
    rename.name.setText("Leeds Children and Families")
    with qtbot.waitSignal(tab.saved, timeout=WAIT):
        qtbot.mouseClick(rename.save_button, Qt.MouseButton.LeftButton)
    assert "0 candidates, 1 accounts" in tab.status.text()
    qtbot.waitUntil(
        lambda: any(e.employer == "Leeds Children and Families" for e in accounts_tab.entries), timeout=WAIT
    )


def test_a_centre_manager_keeps_rooms_actors_and_conflicts_but_not_accounts(
    qtbot: QtBot, tasks: TaskManager, new_centre: tuple[Database, Actor]
) -> None:
    db, admin = new_centre
    issued = accounts.new_account(db, admin, "mina", "Mina Shah", Role.CENTRE_MANAGER)
    manager = accounts.authenticate(db, "mina", issued.password)
    sam = accounts.new_account(db, admin, "sam", "Sam Reid", Role.ASSESSOR)
    employers.add_employer(db, manager, "Bury Council")
    candidate = sittings.add_candidate(
        db, manager, sittings.CandidateInput("Jo Bloggs", "SW100001", "Bury Council", "practitioner")
    )
    dialog = _open(qtbot, tasks, db, manager)
    assert dialog.accounts.table.rowCount() == 0
    assert "Centre manager accounts cannot do this" in dialog.accounts.status.text()
    assert dialog.centre.name.text() == "Pennine Assessment Centre"  # read, not changed

    rooms = dialog.rooms
    rooms.new_room()
    form = rooms.form
    assert form is not None
    form.name.setText("Room 1")
    with qtbot.waitSignal(rooms.saved, timeout=WAIT):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    rooms.new_room()
    second = rooms.form
    assert second is not None
    second.name.setText("room 1")
    assert _refused(qtbot, rooms, second) == "There is already a room called 'Room 1'."
    second.name.setText("Computer suite")
    second.kind.setCurrentIndex(second.kind.findData("written"))
    with qtbot.waitSignal(rooms.saved, timeout=WAIT):
        qtbot.mouseClick(second.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(rooms.entries) == 2, timeout=WAIT)
    assert _rows(rooms) == [
        ["Computer suite", "Written exercise", "In use"],
        ["Room 1", "Role-play", "In use"],
    ]

    actors_tab = dialog.actors
    assert any(p.key == "naas-practitioner/home-visit" for p in actors_tab.parts)
    actors_tab.new_actor()
    af = actors_tab.form
    assert af is not None
    af.name.setText("Rhian Evans")
    af.consent.setChecked(True)
    for i in range(af.parts.count()):
        item = af.parts.item(i)
        if item is not None and item.data(Qt.ItemDataRole.UserRole) == "naas-practitioner/home-visit":
            item.setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(actors_tab.saved, timeout=WAIT):
        qtbot.mouseClick(af.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(actors_tab.entries) == 1, timeout=WAIT)
    assert actors_tab.entries[0].parts == ("naas-practitioner/home-visit",)
    assert _rows(actors_tab)[0][:2] == ["Rhian Evans", "Yes"]

    tab = dialog.conflicts
    tab.declare()
    qtbot.waitUntil(lambda: tab.form is not None, timeout=WAIT)
    cf = tab.form
    assert cf is not None
    cf.assessor.setCurrentIndex(cf.assessor.findData(sam.account.id))
    cf.candidate.setCurrentIndex(cf.candidate.findData(candidate))
    cf.kind.setCurrentIndex(cf.kind.findData("other"))
    assert _refused(qtbot, tab, cf) == "Say in the note what the conflict is when its kind is Other."
    cf.note.setPlainText("Neighbours")
    with qtbot.waitSignal(tab.saved, timeout=WAIT):
        qtbot.mouseClick(cf.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.entries) == 1, timeout=WAIT)
    with db.read() as s:
        assert conflicts.conflicts_between(s, [sam.account.id], [candidate]) == {(sam.account.id, candidate)}
    assert tab.select(lambda e: e.candidate_name == "Jo Bloggs")
    with qtbot.waitSignal(tab.saved, timeout=WAIT):
        tab.withdraw()
    qtbot.waitUntil(lambda: not tab.entries, timeout=WAIT)

    # The centre's settings are an administrator's: the manager's save is refused plainly.
    dialog.centre.name.setText("Mine now")
    with qtbot.waitSignal(dialog.centre.refused, timeout=WAIT):
        dialog.centre.save_name()
    assert "Centre manager accounts cannot do this" in dialog.centre.status.text()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (31, 78, 121)).save(out, "PNG")
    return out.getvalue()


def test_the_centre_tab_sets_name_logo_and_resit_rule(
    qtbot: QtBot, tasks: TaskManager, new_centre: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = new_centre
    dialog = _open(qtbot, tasks, db, admin)
    tab = dialog.centre
    assert tab.logo.text() == "No logo" and not tab.remove_button.isEnabled()

    good = tmp_path / "logo.png"
    good.write_bytes(_png())
    with qtbot.waitSignal(tab.saved, timeout=WAIT):
        tab.set_logo_file(good)
    assert tab.logo.pixmap() is not None and not tab.logo.pixmap().isNull()
    assert tab.status.text() == "The logo from logo.png is saved."

    bad = tmp_path / "notes.txt"
    bad.write_text("not a picture", encoding="utf-8")
    with qtbot.waitSignal(tab.refused, timeout=WAIT) as refusal:
        tab.set_logo_file(bad)
    assert refusal.args == [f"{bad} is not a PNG or JPEG picture."]
    with db.read() as s:
        assert centre_settings.report_logo(s) == good.read_bytes()  # the refusal changed nothing

    tab.wait_weeks.setValue(12)
    tab.max_attempts.setValue(3)
    with qtbot.waitSignal(tab.saved, timeout=WAIT):
        qtbot.mouseClick(tab.rule_button, Qt.MouseButton.LeftButton)
    assert tab.status.text().endswith("12 weeks after a not-met outcome; at most 3 attempts at one level.")
    with db.read() as s:
        assert centre_settings.resit_rule(s) == (12, 3)

    tab.name.setText("  ")
    with qtbot.waitSignal(tab.refused, timeout=WAIT):
        qtbot.mouseClick(tab.name_button, Qt.MouseButton.LeftButton)
    assert tab.status.text() == "The centre needs a name: it heads every report."
    tab.name.setText("Pennine Centre")
    with qtbot.waitSignal(tab.saved, timeout=WAIT):
        qtbot.mouseClick(tab.name_button, Qt.MouseButton.LeftButton)
    assert centre.centre_info(db) is not None and centre.centre_info(db).name == "Pennine Centre"  # type: ignore[union-attr]

    with qtbot.waitSignal(tab.saved, timeout=WAIT):
        qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    assert tab.logo.text() == "No logo"
