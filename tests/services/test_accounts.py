from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.base import utcnow
from db.engine import Database
from db.models import AccountRow
from naas_centre.errors import AccountLocked, AuthenticationFailed, Conflict, PermissionDenied, UserError
from naas_centre.services import accounts, audit
from naas_centre.services.views import Role
from tests.services.conftest import Demo


def test_passwords_are_argon2id_hashes(any_db: Database) -> None:
    accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, "correct horse battery")
    with any_db.read() as s:
        row = s.scalar(select(AccountRow).where(AccountRow.username == "amal"))
        assert row is not None
        assert row.password_hash.startswith("$argon2id$")
        assert "correct horse" not in row.password_hash
    actor = accounts.authenticate(any_db, "amal", "correct horse battery")
    assert actor.role == Role.ADMINISTRATOR


def test_wrong_password_and_unknown_user_say_the_same(any_db: Database) -> None:
    accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, "correct horse battery")
    with pytest.raises(AuthenticationFailed) as wrong:
        accounts.authenticate(any_db, "amal", "nope")
    with pytest.raises(AuthenticationFailed) as unknown:
        accounts.authenticate(any_db, "nobody", "nope")
    assert str(wrong.value) == str(unknown.value)


def test_five_wrong_passwords_lock_the_account_for_a_time(any_db: Database) -> None:
    accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, "correct horse battery")
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(any_db, "amal", "wrong")
    with pytest.raises(AccountLocked):
        accounts.authenticate(any_db, "amal", "wrong")
    # Locked: even the right password is refused.
    with pytest.raises(AccountLocked, match="locked"):
        accounts.authenticate(any_db, "amal", "correct horse battery")
    later = utcnow() + accounts.LOCK_FOR + timedelta(seconds=1)
    assert accounts.authenticate(any_db, "amal", "correct horse battery", now=later).username == "amal"
    assert audit.verify(any_db).ok


def test_a_success_resets_the_failure_count(any_db: Database) -> None:
    accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, "correct horse battery")
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(any_db, "amal", "wrong")
    accounts.authenticate(any_db, "amal", "correct horse battery")
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(any_db, "amal", "wrong")
    assert accounts.authenticate(any_db, "amal", "correct horse battery")


def test_only_administrators_create_accounts(demo: Demo) -> None:
    manager = demo.login("manager")
    with pytest.raises(PermissionDenied):
        accounts.create_account(demo.db, manager, "x1", "X", Role.ASSESSOR, "long enough pass")
    admin = demo.login("admin")
    accounts.create_account(demo.db, admin, "x1", "X", Role.ASSESSOR, "long enough pass")
    with pytest.raises(Conflict):
        accounts.create_account(demo.db, admin, "x1", "X", Role.ASSESSOR, "long enough pass")
    with pytest.raises(UserError, match="at least"):
        accounts.create_account(demo.db, admin, "x2", "X", Role.ASSESSOR, "short")


def test_changing_own_password_needs_the_old_one(demo: Demo) -> None:
    a = demo.login("assessor1")
    with pytest.raises(AuthenticationFailed):
        accounts.set_password(demo.db, a, a.account_id, "a brand new password", "not the old one")
    accounts.set_password(demo.db, a, a.account_id, "a brand new password", "demo-assessor-2026")
    assert accounts.authenticate(demo.db, "assessor1", "a brand new password")
    other = demo.login("assessor2")
    with pytest.raises(PermissionDenied):
        accounts.set_password(demo.db, other, a.account_id, "hijacked password!", None)
    assert audit.verify(demo.db).ok


def test_a_hash_made_with_older_settings_is_upgraded_at_sign_in_and_audited(any_db: Database) -> None:
    from argon2 import PasswordHasher

    accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, "correct horse battery")
    old = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash("correct horse battery")
    with any_db.write() as s:
        row = s.scalar(select(AccountRow).where(AccountRow.username == "amal"))
        assert row is not None
        before = audit.snapshot(row)
        row.password_hash = old
        audit.record(s, None, "account.password", row, before)
    accounts.authenticate(any_db, "amal", "correct horse battery")
    with any_db.read() as s:
        new = s.scalar(select(AccountRow.password_hash).where(AccountRow.username == "amal"))
    assert new != old and "m=19456,t=2,p=1" in str(new)
    assert audit.verify(any_db).ok
