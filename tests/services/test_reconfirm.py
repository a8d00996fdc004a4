"""Sensitive acts ask for the password again; new passwords are long and uncommon."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AccountRow, AuditEntryRow, CertificateRow
from naas_centre.demo.centre import ACCOUNTS
from naas_centre.errors import AccountLocked, AuthenticationFailed, UserError
from naas_centre.services import accounts, password_rules
from naas_centre.services.views import Role
from tests.reports import conftest as scored
from tests.reports.conftest import PASSWORDS as REPORT_PASSWORDS
from tests.reports.conftest import Centre
from tests.services.conftest import Demo

scored_template, centre = scored.scored_template, scored.centre

GOOD = "correct horse battery"


def _entries(db: Database, action: str) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).where(AuditEntryRow.action == action)) or 0)


def test_reconfirm_passes_the_right_password_and_audits_what_for(any_db: Database) -> None:
    accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, GOOD)
    amal = accounts.authenticate(any_db, "amal", GOOD)
    accounts.reconfirm(any_db, amal, GOOD, doing="erase a candidate")
    with any_db.read() as s:
        after = s.scalars(
            select(AuditEntryRow.after).where(AuditEntryRow.action == "account.reconfirmed")
        ).all()
    assert after == ['{"for":"erase a candidate"}']


def test_a_wrong_password_is_refused_plainly_counted_and_audited(any_db: Database) -> None:
    accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, GOOD)
    amal = accounts.authenticate(any_db, "amal", GOOD)
    with pytest.raises(AuthenticationFailed, match="nothing was done") as refused:
        accounts.reconfirm(any_db, amal, "not my password", doing="export score sheets")
    assert "export score sheets" in str(refused.value)
    assert _entries(any_db, "account.failed_reconfirm") == 1
    assert _entries(any_db, "account.reconfirmed") == 0
    with any_db.read() as s:
        assert s.scalar(select(AccountRow.failed_logins).where(AccountRow.username == "amal")) == 1


def test_reconfirm_is_no_way_round_the_lock_out(any_db: Database) -> None:
    accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, GOOD)
    amal = accounts.authenticate(any_db, "amal", GOOD)
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(AuthenticationFailed):
            accounts.reconfirm(any_db, amal, "wrong guess here")
    with pytest.raises(AccountLocked):
        accounts.reconfirm(any_db, amal, "wrong guess again")
    with pytest.raises(AccountLocked):  # locked: even the right one waits
        accounts.reconfirm(any_db, amal, GOOD)


@pytest.mark.parametrize("password", ["short pass", "elevenchars", "a" * 11])
def test_short_passwords_are_refused_when_set(any_db: Database, password: str) -> None:
    with pytest.raises(UserError, match="at least 12 characters"):
        accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, password)
    with any_db.read() as s:
        assert s.scalar(select(func.count()).select_from(AccountRow)) == 0


@pytest.mark.parametrize("password", ["1qaz2wsx3edc", "QWERTY123456", "leavemealone"])
def test_common_passwords_are_refused_when_set_or_changed(any_db: Database, password: str) -> None:
    assert password_rules.is_common(password), password
    with pytest.raises(UserError, match="most common passwords"):
        accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, password)
    accounts.create_account(any_db, None, "amal", "Amal Idris", Role.ADMINISTRATOR, GOOD)
    amal = accounts.authenticate(any_db, "amal", GOOD)
    with pytest.raises(UserError, match="most common passwords"):
        accounts.set_password(any_db, amal, amal.account_id, password, GOOD)
    accounts.authenticate(any_db, "amal", GOOD)  # unchanged


def test_the_list_is_the_ten_thousand_most_common() -> None:
    common = password_rules.common_passwords()
    assert len(common) == 10_000
    assert {"123456", "password", "qwerty", "dragon"} <= common
    assert not password_rules.is_common(GOOD)


def test_the_demo_passwords_still_pass(demo: Demo) -> None:
    for account in ACCOUNTS:
        password_rules.check_new_password(account.password)
    manager = demo.login("manager")
    accounts.reconfirm(demo.db, manager, {a.username: a.password for a in ACCOUNTS}["manager"])


def test_a_wrong_password_revokes_nothing(centre: Centre) -> None:
    from naas_centre.services import signatures

    helen = centre.login("assessor1")
    identity = signatures.unlock_signer(centre.db, helen, REPORT_PASSWORDS["assessor1"], centre.data_dir)
    admin = centre.login("admin")
    with pytest.raises(AuthenticationFailed, match="nothing was done"):
        signatures.revoke_certificates(
            centre.db,
            admin,
            "assessor1",
            "Laptop stolen",
            centre.data_dir,
            password="not the admin's password",
        )
    with centre.db.read() as s:
        row = s.get(CertificateRow, identity.certificate_id)
        assert row is not None and row.revoked_at is None
        assert not s.scalar(select(func.count()).where(AuditEntryRow.action == "certificate.revoke"))
    assert signatures.revoke_certificates(
        centre.db, admin, "assessor1", "Laptop stolen", centre.data_dir, password=REPORT_PASSWORDS["admin"]
    ) == [identity.serial]
