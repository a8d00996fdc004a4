"""What runs in the background while the sign-in window is already on screen.

Plain functions over plain data, with no Qt: they import the services (and so
SQLAlchemy, pydantic, argon2) off the GUI thread, open or create the centre's
database, and hand back frozen results.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from naas_centre.errors import UserError

log = logging.getLogger("naas_centre.opening")

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.demo.centre import DemoAccount
    from naas_centre.services.centre import CentreInfo


@dataclass(frozen=True)
class StartOptions:
    db: str | None = None
    data_dir: Path | None = None
    demo: bool = False


@dataclass(frozen=True)
class OpenedCentre:
    db: Database
    info: CentreInfo | None  # None: the database holds no centre yet
    data_dir: Path
    target: str
    new_demo_accounts: tuple[DemoAccount, ...] = ()  # only when the demo was made just now
    # True or False for a SQLite file (encrypted on disk or not); None for a server.
    encrypted: bool | None = None


@dataclass(frozen=True)
class Locked:
    """The centre's file is encrypted and its passphrase is not held yet: ask for it."""

    path: Path
    keyring: str | None = None  # what could remember the passphrase here, in words; None: nothing


class WrongPassphrase(UserError):
    """The passphrase given does not open the centre's file (which is left untouched)."""


@dataclass(frozen=True)
class FirstStart:
    """No centre yet: the user chooses the demo or sets up a real centre."""

    data_dir: Path
    target: str  # where a real centre will be created
    demo_allowed: bool  # not when --db named a database of the user's own
    keyring: str | None = None  # what could remember a new centre's passphrase here, in words


def centre_file(options: StartOptions) -> Path | None:
    """The SQLite file these options open, or None for a server (or an in-memory database)."""
    from db.engine import DatabaseError, sqlite_path, to_url
    from naas_centre import paths

    folder = paths.data_dir(options.data_dir)
    if options.demo:
        return paths.demo_db_path(folder)
    if options.db:
        try:
            return sqlite_path(to_url(options.db))
        except DatabaseError:
            return None  # opening it says what is wrong with it
    return paths.default_db_path(folder)


def open_centre(options: StartOptions) -> OpenedCentre | FirstStart | Locked:
    from db import cipher

    file = centre_file(options)
    if file is not None and cipher.looks_encrypted(file) and cipher.passphrase_for(file) is None:
        from naas_centre import remembered_passphrase

        kept = remembered_passphrase.recall(file)
        if kept is not None and _opens(file, kept):
            _hold(file, kept)  # remembered on this computer when someone asked it to be
            return _open_centre(options)
        # Nothing opened: the passphrase comes first.
        return Locked(file, remembered_passphrase.keyring_name())
    return _open_centre(options)


def _opens(file: Path, passphrase: str) -> bool:
    """Whether ``passphrase`` opens ``file``: the key derived and proven on a read, no write."""
    from db import cipher

    try:
        cipher.connect(file, path=file, passphrase=passphrase).close()
    except cipher.Encrypted:
        return False
    return True


def _hold(file: Path, passphrase: str) -> None:
    from db import cipher

    cipher.unlock(file, passphrase)
    cipher.unlock_centre(passphrase)  # its backups and restores are under the same key


def open_locked(options: StartOptions, passphrase: str, remember: bool = False) -> OpenedCentre | FirstStart:
    """The encrypted centre opened with ``passphrase``, held in memory for the run once it
    proves right (and kept in the keyring when ``remember``). A wrong one is refused before
    anything is written to the file."""
    file = centre_file(options)
    if file is None:
        raise UserError("only a SQLite database file is encrypted by naas-centre")
    if not passphrase:
        raise WrongPassphrase("Enter the passphrase.")
    if not _opens(file, passphrase):
        raise WrongPassphrase("The passphrase does not open this centre's database.")
    _hold(file, passphrase)
    if remember:
        from naas_centre import remembered_passphrase

        try:
            remembered_passphrase.remember(file, passphrase)
        except remembered_passphrase.NoKeyring as exc:  # the centre opens all the same
            log.warning("the passphrase was not remembered: %s", exc)
    return _open_centre(options)


def _open_centre(options: StartOptions) -> OpenedCentre | FirstStart:
    from naas_centre import paths

    folder = paths.data_dir(options.data_dir)
    if options.demo:
        return open_demo(folder)
    if options.db:
        from naas_centre.services import centre

        db = centre.open_database(options.db, folder)
        info = centre.centre_info(db)
        if info is None:
            db.dispose()
            return FirstStart(folder, str(options.db), demo_allowed=False, keyring=_keyring())
        warm_up()
        return OpenedCentre(db, info, folder, str(options.db), encrypted=_encrypted(db))
    target = paths.default_db_path(folder)
    if not target.exists():
        return FirstStart(folder, str(target), demo_allowed=True, keyring=_keyring())
    opened = _open(target, folder)
    if opened.info is None:  # a set-up that never finished: offer it again
        opened.db.dispose()
        return FirstStart(folder, str(target), demo_allowed=True, keyring=_keyring())
    return opened


def _keyring() -> str | None:
    """Asked only at a first start, where a new centre may be set up encrypted."""
    from naas_centre import remembered_passphrase

    return remembered_passphrase.keyring_name()


def open_demo(folder: Path) -> OpenedCentre:
    """The demo centre, in its own file beside (never inside) a real centre's database."""
    from naas_centre import paths

    target = paths.demo_db_path(folder)
    if target.exists():
        return _open(target, folder)
    from naas_centre.demo import centre as demo
    from naas_centre.services import centre

    # With its past, so quality assurance has something real to show from the first start.
    made = demo.create_demo(target, data_dir=folder, history=demo.HistorySize.DEFAULT)
    warm_up()
    return OpenedCentre(
        made.db,
        centre.centre_info(made.db),
        folder,
        str(target),
        tuple(made.accounts),
        encrypted=_encrypted(made.db),
    )


@dataclass(frozen=True)
class Encryption:
    """How a new centre's data is kept: encrypted under ``passphrase`` (kept in the keyring
    when ``remember``), or, with no Encryption at all, in clear (chosen as such)."""

    passphrase: str
    remember: bool = False


def set_up_centre(
    target: str,
    folder: Path,
    centre_name: str,
    admin_username: str,
    admin_display_name: str,
    password: str,
    encryption: Encryption | None,
) -> OpenedCentre:
    from naas_centre.services import centre

    db = centre.create_centre(
        target,
        centre_name,
        admin_username,
        admin_display_name,
        password,
        data_dir=folder,
        passphrase=encryption.passphrase if encryption is not None else None,
    )
    if encryption is not None and encryption.remember:
        from db.engine import sqlite_path, to_url
        from naas_centre import remembered_passphrase

        file = sqlite_path(to_url(target))
        try:
            if file is not None:
                remembered_passphrase.remember(file, encryption.passphrase)
        except remembered_passphrase.NoKeyring as exc:  # the centre is made all the same
            log.warning("the passphrase was not remembered: %s", exc)
    warm_up()
    return OpenedCentre(db, centre.centre_info(db), folder, target, encrypted=_encrypted(db))


def _open(target: Path, folder: Path) -> OpenedCentre:
    from naas_centre.services import centre

    db = centre.open_database(target, folder)
    info = centre.centre_info(db)
    warm_up()
    return OpenedCentre(db, info, folder, str(target), encrypted=_encrypted(db))


def _encrypted(db: Database) -> bool | None:
    """Whether the open centre's file is encrypted on disk; None when it is not a file."""
    from db import cipher
    from db.engine import sqlite_path

    file = sqlite_path(db.engine.url.render_as_string(hide_password=False))
    return None if file is None else cipher.looks_encrypted(file)


def warm_up() -> None:
    """Import what signing in and the first day need, so the user does not wait for it."""
    import naas_centre.services.accounts
    import naas_centre.services.packs
    import naas_centre.services.scoring
    import naas_centre.services.sittings  # noqa: F401


def demo_accounts() -> tuple[DemoAccount, ...]:
    from naas_centre.demo.centre import ACCOUNTS

    return tuple(ACCOUNTS)
