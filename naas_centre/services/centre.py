"""Opening a centre's database, and setting up a new centre."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from db import cipher
from db.engine import Database, DatabaseError, is_sqlite, to_url
from db.migrate import upgrade
from db.models import CentreRow
from naas_centre import paths
from naas_centre.errors import Conflict, UserError
from naas_centre.services import accounts, audit, checkpoints, encrypted_file, password_rules
from naas_centre.services.views import Role


@dataclass(frozen=True)
class CentreInfo:
    id: str
    name: str
    is_demo: bool


def open_database(target: str | Path, data_dir: Path | None = None, *, create: bool = True) -> Database:
    """A ready database: created if new (when ``create``), upgraded (after a backup) if old.

    Raises UserError with a plain message for a file that is not a database, is
    unreadable, or was written by a newer version of the app.
    """
    url = to_url(target)
    if is_sqlite(url):
        path = Path(url.removeprefix("sqlite:///"))
        if path.is_dir():
            raise UserError(f"{path} is a folder, not a database file")
        if not path.exists() and not create:
            raise UserError(f"{path}: no such database")
        folder = paths.data_dir_location(data_dir).absolute()
        if create and not path.parent.exists() and path.parent.absolute() == folder:
            paths.data_dir(data_dir)  # a first centre where the data folder is not made yet
        if not path.parent.is_dir():
            raise UserError(f"{path.parent}: no such folder for the database")
        if path.exists() and not path.is_file():
            raise UserError(f"{path} is not a regular file")
        if not create and path.stat().st_size == 0:
            # An existing centre is asked for: an empty file is none, and stays empty.
            raise UserError(f"{path} is empty: it holds no centre")
        if path.exists() and cipher.looks_encrypted(path) and cipher.passphrase_for(path) is None:
            raise UserError(str(cipher.no_passphrase(path)))
    folder = paths.data_dir(data_dir)
    db = Database(url, paths.workstation_id(folder))
    try:
        with db.engine.connect():
            pass
    except SQLAlchemyError as exc:
        db.dispose()
        raise UserError(f"{_where(url)}: cannot open the database: {_reason(exc)}") from exc
    except DatabaseError as exc:  # the passphrase does not open it
        db.dispose()
        raise UserError(str(exc)) from exc
    try:
        upgrade(db.engine)
    except DatabaseError as exc:
        db.dispose()
        raise UserError(str(exc)) from exc
    except SQLAlchemyError as exc:
        db.dispose()
        raise UserError(f"{_where(url)}: cannot open the database: {_reason(exc)}") from exc
    try:
        # A centre from before the trail covered its packs, reports and certificates
        # enters them once, so that its trail verifies from here on.
        audit.adopt_unrecorded(db, checkpoints.file_of(db))
    except SQLAlchemyError as exc:
        db.dispose()
        raise UserError(f"{_where(url)}: cannot open the database: {_reason(exc)}") from exc
    return db


def _where(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own first line, without SQLAlchemy's background link."""
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else exc.__class__.__name__


def centre_info(db: Database) -> CentreInfo | None:
    with db.read() as s:
        row = s.scalar(select(CentreRow).limit(1))
        return CentreInfo(row.id, row.name, row.is_demo) if row else None


def create_centre(
    target: str | Path,
    centre_name: str,
    admin_username: str,
    admin_display_name: str,
    password: str,
    *,
    data_dir: Path | None = None,
    is_demo: bool = False,
    passphrase: str | None = None,
) -> Database:
    """A new centre with its first administrator. Refuses a database that has a centre.

    With ``passphrase`` the SQLite file is encrypted under it from the start (and the
    passphrase held for the run, as an unlocked centre's is); the trail says which it was.
    Every rule is checked before anything is written, so a refusal leaves nothing behind.
    """
    if not centre_name.strip():
        raise UserError("The centre needs a name.")
    accounts.check_password_rules(password)
    if passphrase is not None:
        password_rules.check_new_password(passphrase, "passphrase")
        if passphrase == password:
            raise UserError("The passphrase must differ from the administrator's password.")
        encrypted_file.prepare(target, passphrase)
    try:
        db = open_database(target, data_dir)
    except BaseException:
        if passphrase is not None:
            encrypted_file.release(target)
        raise
    try:
        # The look and the insert in one transaction holding the write lock (BEGIN
        # IMMEDIATE on SQLite, a table lock on a server): of two programs creating a
        # centre at once, the second finds the first's and is refused.
        with db.write() as s:
            if not db.is_sqlite:
                s.execute(text(f"LOCK TABLE {CentreRow.__tablename__} IN EXCLUSIVE MODE"))
            if s.scalar(select(CentreRow.id).limit(1)) is not None:
                raise Conflict(f"{target} already holds a centre")
            row = CentreRow(name=centre_name.strip(), is_demo=is_demo)
            s.add(row)
            s.flush()
            kept = encrypted_file.how_kept(db.url)
            audit.note(s, None, f"centre.created_{kept}", CentreRow.__tablename__, row.id, {"kept": kept})
        accounts.create_account(db, None, admin_username, admin_display_name, Role.ADMINISTRATOR, password)
    except Exception:
        db.dispose()
        if passphrase is not None:
            encrypted_file.release(target)
        raise
    return db


def audit_ok(db: Database) -> audit.VerifyResult:
    return audit.verify(db)
