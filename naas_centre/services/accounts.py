"""Local accounts: argon2id passwords, lock-out after repeated failures, roles.

Every door that takes a password (sign-in, the idle lock, the sign dialog, leaving the
candidate kiosk) goes through ``_check``: one counter and one lock per account, each
failure audited, so no door is a free oracle for guessing. A password an administrator
set is marked temporary until its owner chooses their own: it signs in, but it never
unlocks, replaces or is issued a signing key (``naas_centre.services.certificates``).

Permission checks for every other service start here (``require``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database, StorageError
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


# Doors: where a password was typed, named in the audit trail ("account.failed_<door>").
SIGN_IN = "login"
IDLE_UNLOCK = "unlock"
SIGNING = "signing"
KIOSK_EXIT = "kiosk_exit"


def authenticate(
    db: Database, username: str, password: str, *, now: datetime | None = None, door: str = SIGN_IN
) -> Actor:
    """The account's actor, or AuthenticationFailed/AccountLocked with a message to show."""
    now = now or utcnow()
    with db.write() as s:
        row = s.scalar(select(AccountRow).where(AccountRow.username == username.strip()))
        if row is None or not row.active:
            _verify(_DUMMY_HASH, password)
            raise AuthenticationFailed("Unknown username or wrong password.")
        actor, refusal = _check(s, row, password, now, door)
    if refusal is not None:
        if not isinstance(refusal, AccountLocked):
            refusal = AuthenticationFailed("Unknown username or wrong password.")
        raise refusal
    assert actor is not None
    return actor


def check_password(
    db: Database, account_id: str, password: str, *, door: str, now: datetime | None = None
) -> Actor:
    """The signed-in person's password again (idle unlock, signing): the same lock-out as
    sign-in, every failure audited. Raises AuthenticationFailed or AccountLocked."""
    now = now or utcnow()
    try:
        with db.write() as s:
            row = s.get(AccountRow, account_id)
            if row is None or not row.active:
                _verify(_DUMMY_HASH, password)
                raise AuthenticationFailed("This account has been deactivated; ask an administrator.")
            actor, refusal = _check(s, row, password, now, door)
    except StorageError:
        if door != IDLE_UNLOCK:
            raise
        # The disk refuses writes (full, failing): the idle lock must still open for its
        # owner, whose unsaved scores wait in the journal. The lock-out still holds; a
        # wrong password is refused but cannot be counted until the disk takes writes.
        return _check_read_only(db, account_id, password, now)
    if refusal is not None:
        raise refusal
    assert actor is not None
    return actor


def _check_read_only(db: Database, account_id: str, password: str, now: datetime) -> Actor:
    with db.read() as s:
        row = s.get(AccountRow, account_id)
        if row is None or not row.active:
            raise AuthenticationFailed("This account has been deactivated; ask an administrator.")
        if row.locked_until is not None and row.locked_until > now:
            raise AccountLocked(f"This account is locked after {MAX_FAILURES} wrong passwords.")
        if _verify(row.password_hash, password):
            return actor_of(row)
        raise AuthenticationFailed(f"That is not the password of {row.display_name}.")


def _check(
    s: Session, row: AccountRow, password: str, now: datetime, door: str
) -> tuple[Actor | None, AuthenticationFailed | None]:
    """Checks one password against the account's lock-out, in the caller's transaction.

    Returns the refusal rather than raising it, so that the failure count and its audit
    entry are committed with the transaction.
    """
    if row.locked_until is not None and row.locked_until > now:
        minutes = max(1, round((row.locked_until - now).total_seconds() / 60))
        return None, AccountLocked(
            f"This account is locked after {MAX_FAILURES} wrong passwords. "
            f"Try again in {minutes} min, or ask an administrator to unlock it."
        )
    if _verify(row.password_hash, password):
        rehash = _hasher.check_needs_rehash(row.password_hash)
        before = audit.snapshot(row) if row.failed_logins or row.locked_until or rehash else None
        row.failed_logins = 0
        row.locked_until = None
        if door == SIGN_IN:
            row.last_login_at = now
        if rehash:
            # Stored under older hashing settings: upgraded now that the password is known.
            row.password_hash = _hasher.hash(password)
        if before is not None:
            audit.record(s, actor_of(row), "account.login_reset", row, before)
        return actor_of(row), None
    before = audit.snapshot(row)
    row.failed_logins += 1
    locked = row.failed_logins >= MAX_FAILURES
    if locked:
        row.locked_until = now + LOCK_FOR
        row.failed_logins = 0
    audit.record(s, None, "account.locked" if locked else f"account.failed_{door}", row, before)
    if locked:
        return None, AccountLocked(
            f"Wrong password. The account is now locked for {int(LOCK_FOR.total_seconds() // 60)} minutes."
        )
    if door == SIGNING:
        return None, AuthenticationFailed("The password is wrong; nothing was signed.")
    return None, AuthenticationFailed(f"That is not the password of {row.display_name}.")


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
    registration_number: str | None = None,
    *,
    temporary: bool | None = None,
) -> AccountView:
    """Administrators create accounts; ``actor`` None only while a centre is first set up.

    ``registration_number`` is the person's professional registration (Social Work
    England, say "SW123456"): it goes into their signing certificate. A password an
    administrator chooses for someone is temporary (``temporary`` None means: when
    ``actor`` is given), as after a reset: it unlocks no signing key until its owner
    chooses their own. The demo, whose passwords are published, says False.
    """
    if actor is not None:
        require(actor, Role.ADMINISTRATOR)
    username = username.strip()
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise UserError("A username is letters and digits, with . - _ allowed.")
    if not display_name.strip():
        raise UserError("A display name is needed.")
    check_password_rules(password)
    registration = (registration_number or "").strip() or None
    if registration is not None and (len(registration) > 40 or not registration.replace("-", "").isalnum()):
        raise UserError("A registration number is letters and digits, such as SW123456.")
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
            registration_number=registration,
            password_temporary=(actor is not None) if temporary is None else temporary,
        )
        s.add(row)
        audit.record(s, actor, "account.create", row, None)
        return _view(row)


def set_password(
    db: Database, actor: Actor, account_id: str, new_password: str, old_password: str | None
) -> None:
    """Own password (old one needed) or, for an administrator, anyone's.

    A password an administrator sets for someone else is temporary: it signs in, but
    unlocks no signing key until its owner replaces it with their own. Changing one's
    own password re-encrypts one's signing key under the new one, in the same
    transaction, so the key follows the password.
    """
    from naas_centre.services import certificates  # a cycle: certificates uses this module

    own = actor.account_id == account_id
    if not own:
        require(actor, Role.ADMINISTRATOR)
    check_password_rules(new_password)
    hashed = _hasher.hash(new_password)
    with db.write() as s:
        row = s.get(AccountRow, account_id)
        if row is None:
            raise NotFound("No such account.")
        if own and not _verify(row.password_hash, old_password or ""):
            raise AuthenticationFailed("The current password is wrong.")
        before = audit.snapshot(row)
        row.password_hash = hashed
        row.password_temporary = not own
        audit.record(s, actor, "account.password" if own else "account.password_reset", row, before)
        if own:
            certificates.reencrypt_keys(s, actor, account_id, old_password or "", new_password)


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
    """For unlocking an idle-locked screen: ``check_password`` at the idle-lock door.

    False for a wrong password; raises AccountLocked when the account is locked (the
    lock-out is the same as at sign-in, so this is no way round it).
    """
    try:
        check_password(db, account_id, password, door=IDLE_UNLOCK)
    except AccountLocked:
        raise
    except AuthenticationFailed:
        return False
    return True


def password_is_temporary(s: Session, account_id: str) -> bool:
    row = s.get(AccountRow, account_id)
    return row is None or row.password_temporary
