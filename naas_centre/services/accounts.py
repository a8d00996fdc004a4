"""Local accounts: argon2id passwords, lock-out after repeated failures, roles.

Permission checks for every other service start here (``require``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from db.base import utcnow
from db.engine import Database
from db.models import AccountRow
from naas_centre.errors import (
    AccountLocked,
    AuthenticationFailed,
    Conflict,
    NotFound,
    PermissionDenied,
    UserError,
)
from naas_centre.services import audit
from naas_centre.services.views import AccountView, Actor, Role

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 10

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 35 ms here.
# The library's default (64 MiB, 3 passes, 4 lanes) took 250 ms on a 2-core workstation,
# most of the budget for showing the day after sign-in. Older hashes are upgraded to
# these settings at the next sign-in (check_needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# A real hash to verify against for unknown users, so a wrong username costs the same time.
_DUMMY_HASH = _hasher.hash("not a password of anyone's")


def require(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        allowed = ", ".join(r.label.lower() for r in roles)
        raise PermissionDenied(f"{actor.role.label} accounts cannot do this (only: {allowed})")


def _view(row: AccountRow) -> AccountView:
    return AccountView(
        row.id, row.username, row.display_name, Role(row.role), row.employer, row.active, row.locked_until
    )


def actor_of(row: AccountRow) -> Actor:
    return Actor(row.id, row.username, row.display_name, Role(row.role), row.employer)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"The password must have at least {MIN_PASSWORD} characters.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(db: Database, username: str, password: str, *, now: datetime | None = None) -> Actor:
    """The account's actor, or AuthenticationFailed/AccountLocked with a message to show."""
    now = now or utcnow()
    with db.write() as s:
        row = s.scalar(select(AccountRow).where(AccountRow.username == username.strip()))
        if row is None or not row.active:
            _verify(_DUMMY_HASH, password)
            raise AuthenticationFailed("Unknown username or wrong password.")
        if row.locked_until is not None and row.locked_until > now:
            minutes = max(1, round((row.locked_until - now).total_seconds() / 60))
            raise AccountLocked(
                f"This account is locked after {MAX_FAILURES} wrong passwords. "
                f"Try again in {minutes} min, or ask an administrator to unlock it."
            )
        if _verify(row.password_hash, password):
            rehash = _hasher.check_needs_rehash(row.password_hash)
            before = audit.snapshot(row) if row.failed_logins or row.locked_until or rehash else None
            row.failed_logins = 0
            row.locked_until = None
            row.last_login_at = now
            if rehash:
                # Stored under older hashing settings: upgraded now that the password is known.
                row.password_hash = _hasher.hash(password)
            if before is not None:
                audit.record(s, actor_of(row), "account.login_reset", row, before)
            return actor_of(row)
        before = audit.snapshot(row)
        row.failed_logins += 1
        locked = row.failed_logins >= MAX_FAILURES
        if locked:
            row.locked_until = now + LOCK_FOR
            row.failed_logins = 0
        audit.record(s, None, "account.locked" if locked else "account.failed_login", row, before)
    if locked:
        raise AccountLocked(
            f"Wrong password. The account is now locked for {int(LOCK_FOR.total_seconds() // 60)} minutes."
        )
    raise AuthenticationFailed("Unknown username or wrong password.")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def create_account(
    db: Database,
    actor: Actor | None,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    employer: str | None = None,
) -> AccountView:
    """Administrators create accounts; ``actor`` None only while a centre is first set up."""
    if actor is not None:
        require(actor, Role.ADMINISTRATOR)
    username = username.strip()
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise UserError("A username is letters and digits, with . - _ allowed.")
    if not display_name.strip():
        raise UserError("A display name is needed.")
    check_password_rules(password)
    hashed = _hasher.hash(password)
    with db.write() as s:
        if s.scalar(select(AccountRow.id).where(AccountRow.username == username)):
            raise Conflict(f"The username {username!r} is taken.")
        row = AccountRow(
            username=username,
            display_name=display_name.strip(),
            role=role.value,
            password_hash=hashed,
            employer=(employer or "").strip() or None,
        )
        s.add(row)
        audit.record(s, actor, "account.create", row, None)
        return _view(row)


def set_password(
    db: Database, actor: Actor, account_id: str, new_password: str, old_password: str | None
) -> None:
    """Own password (old one needed) or, for an administrator, anyone's."""
    if actor.account_id != account_id:
        require(actor, Role.ADMINISTRATOR)
    check_password_rules(new_password)
    hashed = _hasher.hash(new_password)
    with db.write() as s:
        row = s.get(AccountRow, account_id)
        if row is None:
            raise NotFound("No such account.")
        if actor.account_id == account_id and not _verify(row.password_hash, old_password or ""):
            raise AuthenticationFailed("The current password is wrong.")
        before = audit.snapshot(row)
        row.password_hash = hashed
        audit.record(s, actor, "account.password", row, before)


def unlock(db: Database, actor: Actor, account_id: str) -> None:
    require(actor, Role.ADMINISTRATOR)
    with db.write() as s:
        row = s.get(AccountRow, account_id)
        if row is None:
            raise NotFound("No such account.")
        before = audit.snapshot(row)
        row.locked_until = None
        row.failed_logins = 0
        audit.record(s, actor, "account.unlock", row, before)


def list_accounts(db: Database, actor: Actor) -> list[AccountView]:
    require(actor, Role.ADMINISTRATOR, Role.CENTRE_MANAGER)
    with db.read() as s:
        return [
            _view(r) for r in s.scalars(select(AccountRow).order_by(AccountRow.role, AccountRow.username))
        ]


def confirm_password(db: Database, account_id: str, password: str) -> bool:
    """For unlocking an idle-locked screen: the same account's password, no lock-out change."""
    with db.read() as s:
        row = s.get(AccountRow, account_id)
        return row is not None and row.active and _verify(row.password_hash, password)
