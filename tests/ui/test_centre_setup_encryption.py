"""Setting up a real centre asks how its data is kept: encrypted under a passphrase, or
knowingly not. Real SQLCipher files, the real application, real key and mouse events."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db import cipher
from db.models import AuditEntryRow
from naas_centre import paths
from naas_centre.opening import StartOptions
from naas_centre.services import centre
from tests.keyring_session import keyring_session
from tests.ui.conftest import WaitUntil
from ui.common.settings import Settings
from ui.shell.app import CentreApp
from ui.signin.centre_setup_dialog import CentreSetupDialog
from ui.signin.login_window import SIGN_IN, UNLOCK

PASSWORD = "a long enough password"
PASSPHRASE = "quiet river under the old bridge"


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    cipher.forget()  # the register is the process's: no test leaves a key for the next


@pytest.fixture
def make_app(qtbot: QtBot, settings: Settings) -> Iterator[object]:
    made: list[CentreApp] = []

    def make(options: StartOptions) -> CentreApp:
        app = CentreApp(settings, options)
        made.append(app)
        app.start()
        return app

    yield make
    for app in made:
        if app.main_window is not None:
            app.main_window.close()
        app.login.close()
        app.shutdown()


def _type(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(field, text)


def _open_dialog(qtbot: QtBot, app: CentreApp, wait_until: WaitUntil) -> CentreSetupDialog:
    wait_until(lambda: app.login.pages.currentIndex() == 1)
    qtbot.mouseClick(app.login.set_up_button, Qt.MouseButton.LeftButton)
    dialog = app.setup_dialog
    assert dialog is not None and dialog.isVisible()
    _type(qtbot, dialog.centre_name, "Northern Assessment Centre")
    _type(qtbot, dialog.admin_username, "chris")
    _type(qtbot, dialog.admin_display_name, "Chris Admin")
    _type(qtbot, dialog.password, PASSWORD)
    _type(qtbot, dialog.repeat, PASSWORD)
    return dialog


def _refused(qtbot: QtBot, dialog: CentreSetupDialog, wait_until: WaitUntil, target: Path) -> str:
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: dialog.error.isVisible() and dialog.create_button.isEnabled())
    assert dialog.isVisible()
    assert not target.exists() or target.stat().st_size == 0  # nothing created
    return dialog.error.text()


def _entries(target: Path, folder: Path) -> list[tuple[str, str | None]]:
    db = centre.open_database(target, folder)
    try:
        with db.read() as s:
            rows = s.execute(
                select(AuditEntryRow.action, AuditEntryRow.after).where(AuditEntryRow.action.like("centre.%"))
            ).all()
            return [(r[0], r[1]) for r in rows]
    finally:
        db.dispose()


def test_neither_way_is_taken_unasked(qtbot: QtBot, make_app, tmp_path: Path, wait_until: WaitUntil) -> None:
    folder = tmp_path / "fresh"
    app = make_app(StartOptions(data_dir=folder))
    dialog = _open_dialog(qtbot, app, wait_until)
    assert not dialog.encrypt.isChecked() and not dialog.plain.isChecked()
    assert "can read the candidates' data" in dialog.plain_consequence.text()
    assert not dialog.passphrase.isEnabled()  # nothing to type until encryption is chosen
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Choose how the centre's data is kept" in dialog.error.text()
    assert not paths.default_db_path(folder).exists()
    dialog.reject()


def test_an_encrypted_centre_from_the_start_and_unlocked_at_the_next(
    qtbot: QtBot, make_app, tmp_path: Path, wait_until: WaitUntil
) -> None:
    folder = tmp_path / "fresh"
    target = paths.default_db_path(folder)
    app = make_app(StartOptions(data_dir=folder))
    dialog = _open_dialog(qtbot, app, wait_until)
    qtbot.mouseClick(dialog.encrypt, Qt.MouseButton.LeftButton)
    assert dialog.encrypt.isChecked() and dialog.passphrase.isEnabled()
    assert dialog.passphrase.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.passphrase_repeat.echoMode() == QLineEdit.EchoMode.Password

    _type(qtbot, dialog.passphrase, PASSPHRASE)
    _type(qtbot, dialog.passphrase_repeat, PASSPHRASE + " x")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.text() == "The two passphrases differ."
    assert not target.exists()

    _type(qtbot, dialog.passphrase, "too short")
    _type(qtbot, dialog.passphrase_repeat, "too short")
    assert "passphrase must have at least 12" in _refused(qtbot, dialog, wait_until, target)

    _type(qtbot, dialog.passphrase, "1qaz2wsx3edc")  # long enough, and on the common list
    _type(qtbot, dialog.passphrase_repeat, "1qaz2wsx3edc")
    assert "most common" in _refused(qtbot, dialog, wait_until, target)

    _type(qtbot, dialog.passphrase, PASSPHRASE)
    _type(qtbot, dialog.passphrase_repeat, PASSPHRASE)
    with qtbot.waitSignal(app.centre_ready, timeout=30_000):
        qtbot.keyClick(dialog.passphrase_repeat, Qt.Key.Key_Return)

    # The file is SQLCipher's: the standard library cannot read it; nothing is in clear.
    assert cipher.looks_encrypted(target)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(target).execute("SELECT * FROM centre").fetchall()
    held = PASSPHRASE.encode()
    assert not any(held in p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert _entries(target, folder) == [("centre.created_encrypted", '{"kept":"encrypted"}')]

    qtbot.keyClicks(app.login.password, PASSWORD)  # the username is filled in already
    with qtbot.waitSignal(app.signed_in, timeout=20_000):
        qtbot.keyClick(app.login.password, Qt.Key.Key_Return)
    assert app.main_window is not None and app.main_window.at_rest is not None
    assert app.main_window.at_rest.text() == "Encrypted"

    cipher.forget()  # a new start: nothing held in memory
    again = make_app(StartOptions(data_dir=folder))
    with qtbot.waitSignal(again.centre_locked, timeout=30_000):
        pass
    assert again.login.pages.currentIndex() == UNLOCK
    field = again.login.unlock_page.passphrase
    qtbot.keyClicks(field, PASSPHRASE)
    with qtbot.waitSignal(again.centre_ready, timeout=30_000):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert again.login.pages.currentIndex() == SIGN_IN
    assert again.login.centre_label.text() == "Northern Assessment Centre"


def test_a_plain_centre_is_a_choice_the_trail_records(
    qtbot: QtBot, make_app, tmp_path: Path, wait_until: WaitUntil
) -> None:
    folder = tmp_path / "fresh"
    target = paths.default_db_path(folder)
    app = make_app(StartOptions(data_dir=folder))
    dialog = _open_dialog(qtbot, app, wait_until)
    qtbot.mouseClick(dialog.plain, Qt.MouseButton.LeftButton)
    assert not dialog.passphrase.isEnabled() and not dialog.remember.isEnabled()
    with qtbot.waitSignal(app.centre_ready, timeout=30_000):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert cipher.is_plain(target)
    assert _entries(target, folder) == [
        ("centre.created_without_encryption", '{"kept":"without_encryption"}')
    ]


def test_without_a_keyring_remembering_is_not_offered(
    qtbot: QtBot, make_app, tmp_path: Path, wait_until: WaitUntil, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    app = make_app(StartOptions(data_dir=tmp_path / "fresh"))
    dialog = _open_dialog(qtbot, app, wait_until)
    qtbot.mouseClick(dialog.encrypt, Qt.MouseButton.LeftButton)
    remember: QWidget = dialog.remember
    assert remember.isVisible() and not remember.isEnabled()
    assert "no keyring" in remember.toolTip()
    dialog.reject()


@pytest.fixture
def on_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process talks to a real, unlocked GNOME Keyring of the test's own."""
    with keyring_session(tmp_path / "home") as env:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", env["DBUS_SESSION_BUS_ADDRESS"])
        yield


def test_remembered_at_set_up_the_next_start_opens_unasked(
    qtbot: QtBot, make_app, tmp_path: Path, wait_until: WaitUntil, on_keyring: None
) -> None:
    folder = tmp_path / "fresh"
    target = paths.default_db_path(folder)
    app = make_app(StartOptions(data_dir=folder))
    dialog = _open_dialog(qtbot, app, wait_until)
    assert not dialog.remember.isEnabled()  # not before encryption is chosen
    qtbot.mouseClick(dialog.encrypt, Qt.MouseButton.LeftButton)
    assert dialog.remember.isEnabled() and not dialog.remember.isChecked()  # offered, never assumed
    assert "Secret Service" in dialog.remember.toolTip()
    qtbot.mouseClick(dialog.remember, Qt.MouseButton.LeftButton)
    _type(qtbot, dialog.passphrase, PASSPHRASE)
    _type(qtbot, dialog.passphrase_repeat, PASSPHRASE)
    with qtbot.waitSignal(app.centre_ready, timeout=30_000):
        qtbot.keyClick(dialog.passphrase_repeat, Qt.Key.Key_Return)
    held = PASSPHRASE.encode()
    assert not any(held in p.read_bytes() for p in folder.rglob("*") if p.is_file())

    cipher.forget()  # a new start: nothing held in memory, the keyring remembers
    again = make_app(StartOptions(data_dir=folder))
    locked: list[object] = []
    again.centre_locked.connect(lambda: locked.append(True))
    with qtbot.waitSignal(again.centre_ready, timeout=30_000):
        pass
    assert not locked and again.login.pages.currentIndex() == SIGN_IN
    assert cipher.passphrase_for(target) == PASSPHRASE

    from naas_centre import remembered_passphrase

    assert remembered_passphrase.forget(target)
