"""A centre created encrypted from the start: the file, the CA's passphrase beside it, the
trail's word on it, and what a refusal leaves (nothing)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from db import cipher
from db.engine import Database
from db.migrate import upgrade
from db.models import AuditEntryRow
from naas_centre.errors import UserError
from naas_centre.protection import sealed
from naas_centre.services import authority, centre
from naas_centre.signing import ca
from tests.conftest import WORKSTATION

PASSWORD = "a long enough password"
PASSPHRASE = "quiet river under the old bridge"


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    cipher.forget()
    sealed.forget()


def _actions(db: Database) -> list[str]:
    with db.read() as s:
        return list(
            s.scalars(select(AuditEntryRow.action).where(AuditEntryRow.action.like("centre.created%")))
        )


def test_the_ca_passphrase_of_a_centre_encrypted_from_the_start_is_sealed(tmp_path: Path) -> None:
    folder, target = tmp_path / "data", tmp_path / "centre.db"
    db = centre.create_centre(
        target, "North", "admin", "Admin", PASSWORD, data_dir=folder, passphrase=PASSPHRASE
    )
    try:
        assert _actions(db) == ["centre.created_encrypted"]
        authority.ensure_ca(db, folder)
    finally:
        db.dispose()
    assert cipher.looks_encrypted(target)
    seal = sealed.SealKey(PASSPHRASE, target.name)
    assert sealed.file_is_sealed(ca.passphrase_path(folder, seal))
    assert not ca.passphrase_path(folder).exists()  # no clear copy, as `db encrypt` leaves it
    held = PASSPHRASE.encode()
    assert not any(held in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("passphrase", "said"),
    [("too short", "at least 12"), ("1qaz2wsx3edc", "most common"), (PASSWORD, "differ from")],
)
def test_a_refused_passphrase_creates_nothing_and_holds_nothing(
    tmp_path: Path, passphrase: str, said: str
) -> None:
    target = tmp_path / "centre.db"
    with pytest.raises(UserError, match=said):
        centre.create_centre(
            target, "North", "admin", "Admin", PASSWORD, data_dir=tmp_path, passphrase=passphrase
        )
    assert list(tmp_path.iterdir()) == []
    assert cipher.passphrase_for(target) is None


def test_a_plain_file_left_by_an_unfinished_set_up_is_encrypted_before_the_centre_goes_in(
    tmp_path: Path,
) -> None:
    target = tmp_path / "centre.db"
    empty = Database(target, WORKSTATION)
    upgrade(empty.engine)
    empty.dispose()
    db = centre.create_centre(
        target, "North", "admin", "Admin", PASSWORD, data_dir=tmp_path, passphrase=PASSPHRASE
    )
    db.dispose()
    assert cipher.looks_encrypted(target)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(target).execute("SELECT * FROM centre").fetchall()


def test_a_plain_centre_says_so_in_its_trail(tmp_path: Path) -> None:
    db = centre.create_centre(tmp_path / "centre.db", "North", "admin", "Admin", PASSWORD, data_dir=tmp_path)
    try:
        assert _actions(db) == ["centre.created_without_encryption"]
    finally:
        db.dispose()
