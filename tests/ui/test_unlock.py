"""An encrypted centre asks for its passphrase before the sign-in; a plain one says it is plain.

Real SQLCipher files, the real application, real key events.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from db import cipher
from naas_centre import paths
from naas_centre.opening import StartOptions
from tests.keyring_session import keyring_session
from tests.ui.conftest import PASSWORDS, DemoCentre
from ui.common.settings import Settings
from ui.shell.app import CentreApp
from ui.signin.login_window import SIGN_IN, UNLOCK

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    cipher.forget()  # the register is the process's: no test leaves a key for the next


@pytest.fixture
def encrypted(tmp_path: Path, demo_template: tuple[Path, date]) -> tuple[Path, Path]:
    """A data folder and, in it, the centre's database encrypted under PASSPHRASE."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = paths.default_db_path(folder)
    shutil.copy(demo_template[0], path)
    cipher.encrypt(path, PASSPHRASE)
    cipher.forget()  # as at a new start: no passphrase held
    return folder, path


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


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _type_passphrase(qtbot: QtBot, app: CentreApp, text: str) -> None:
    field = app.login.unlock_page.passphrase
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _sign_in(qtbot: QtBot, app: CentreApp, username: str) -> None:
    qtbot.keyClicks(app.login.username, username)
    qtbot.keyClick(app.login.username, Qt.Key.Key_Return)  # on to the password
    qtbot.keyClicks(app.login.password, PASSWORDS[username])
    with qtbot.waitSignal(app.signed_in, timeout=20_000):
        qtbot.keyClick(app.login.password, Qt.Key.Key_Return)


def test_an_encrypted_centre_asks_for_its_passphrase_and_a_wrong_one_changes_nothing(
    qtbot: QtBot, make_app, encrypted: tuple[Path, Path]
) -> None:
    folder, path = encrypted
    before = _digest(path)
    files_before = sorted(p.name for p in path.parent.iterdir())
    app = make_app(StartOptions(data_dir=folder))
    with qtbot.waitSignal(app.centre_locked, timeout=20_000):
        pass
    page = app.login.unlock_page
    assert app.login.pages.currentIndex() == UNLOCK
    assert page.isVisible() and page.passphrase.hasFocus()
    assert page.passphrase.echoMode() == QLineEdit.EchoMode.Password
    assert "encrypted" in page.reason.text()
    assert app.opened is None  # nothing opened before the passphrase

    # What the page shows the moment it hands the passphrase on: the work is queued, not done.
    seen: list[tuple[str, bool, bool]] = []
    app.login.unlock_requested.connect(
        lambda *_given: seen.append(
            (page.unlock_button.text(), page.unlock_button.isEnabled(), app.opened is None)
        )
    )
    with qtbot.waitSignal(app.unlock_refused, timeout=20_000):
        _type_passphrase(qtbot, app, "not the passphrase")
    assert seen == [("Unlocking…", False, True)]
    assert page.error.isVisible()
    assert page.error.text() == "The passphrase does not open this centre's database."
    assert page.unlock_button.isEnabled() and page.unlock_button.text() == "Unlock"
    assert page.passphrase.text() == ""  # no copy kept in the field
    assert _digest(path) == before  # byte for byte
    assert sorted(p.name for p in path.parent.iterdir()) == files_before  # no journal, no log
    assert app.opened is None

    with qtbot.waitSignal(app.centre_ready, timeout=30_000):
        _type_passphrase(qtbot, app, PASSPHRASE)
    assert app.login.pages.currentIndex() == SIGN_IN
    assert app.login.centre_label.text() == "Pennine Assessment Centre (demo)"

    _sign_in(qtbot, app, "manager")
    assert app.main_window is not None
    assert app.main_window.at_rest is not None
    assert app.main_window.at_rest.text() == "Encrypted"
    raw = path.read_bytes()
    assert not raw.startswith(cipher.SQLITE_HEADER) and b"Pennine" not in raw
    held = PASSPHRASE.encode()
    assert not any(held in p.read_bytes() for p in folder.rglob("*") if p.is_file())  # never written


def test_an_empty_passphrase_is_not_tried(qtbot: QtBot, make_app, encrypted: tuple[Path, Path]) -> None:
    folder, _path = encrypted
    app = make_app(StartOptions(data_dir=folder))
    with qtbot.waitSignal(app.centre_locked, timeout=20_000):
        pass
    qtbot.keyClick(app.login.unlock_page.passphrase, Qt.Key.Key_Return)
    assert app.login.unlock_page.error.text() == "Enter the passphrase."
    assert app.login.unlock_page.unlock_button.isEnabled()


def test_a_plain_centre_asks_nothing_and_says_it_is_not_encrypted(
    qtbot: QtBot, make_app, demo: DemoCentre
) -> None:
    app = make_app(StartOptions(db=str(demo.path), data_dir=demo.folder))
    locked: list[object] = []
    app.centre_locked.connect(lambda: locked.append(True))
    with qtbot.waitSignal(app.centre_ready, timeout=20_000):
        pass
    assert not locked and app.login.pages.currentIndex() == SIGN_IN
    _sign_in(qtbot, app, "manager")
    assert app.main_window is not None
    shown = app.main_window.at_rest
    assert shown is not None and shown.isVisible()
    assert shown.text() == "Not encrypted"
    assert "naas-centre db encrypt --db FILE" in shown.toolTip()
    assert "centre" in shown.toolTip() and "close" in shown.toolTip()


@pytest.fixture
def on_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process talks to a real, unlocked GNOME Keyring of the test's own."""
    with keyring_session(tmp_path / "home") as env:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", env["DBUS_SESSION_BUS_ADDRESS"])
        yield


def test_without_a_keyring_remembering_is_not_offered(
    qtbot: QtBot, make_app, encrypted: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    folder, _path = encrypted
    app = make_app(StartOptions(data_dir=folder))
    with qtbot.waitSignal(app.centre_locked, timeout=20_000):
        pass
    remember = app.login.unlock_page.remember
    assert remember.isVisible() and not remember.isEnabled() and not remember.isChecked()
    assert "no keyring" in remember.toolTip()


def test_a_passphrase_remembered_on_this_computer_opens_the_next_start_unasked(
    qtbot: QtBot, make_app, encrypted: tuple[Path, Path], on_keyring: None
) -> None:
    folder, path = encrypted
    app = make_app(StartOptions(data_dir=folder))
    with qtbot.waitSignal(app.centre_locked, timeout=20_000):
        pass
    page = app.login.unlock_page
    assert page.remember.isEnabled() and not page.remember.isChecked()  # offered, never assumed
    assert "Secret Service" in page.remember.toolTip()
    qtbot.mouseClick(page.remember, Qt.MouseButton.LeftButton)
    assert page.remember.isChecked()
    with qtbot.waitSignal(app.centre_ready, timeout=30_000):
        _type_passphrase(qtbot, app, PASSPHRASE)
    held = PASSPHRASE.encode()
    assert not any(held in p.read_bytes() for p in folder.rglob("*") if p.is_file())  # not beside the data

    cipher.forget()  # a new start: nothing held in memory, the keyring remembers
    again = make_app(StartOptions(data_dir=folder))
    locked: list[object] = []
    again.centre_locked.connect(lambda: locked.append(True))
    with qtbot.waitSignal(again.centre_ready, timeout=30_000):
        pass
    assert not locked and again.login.pages.currentIndex() == SIGN_IN
    assert cipher.passphrase_for(path) == PASSPHRASE

    from naas_centre import remembered_passphrase

    assert remembered_passphrase.forget(path)  # and once forgotten, asked again
    cipher.forget()
    third = make_app(StartOptions(data_dir=folder))
    with qtbot.waitSignal(third.centre_locked, timeout=30_000):
        pass
    assert third.login.pages.currentIndex() == UNLOCK
