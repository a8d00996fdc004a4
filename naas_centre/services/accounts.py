"""Local accounts: argon2id passwords, lock-out after repeated failures, roles.

Every door that takes a password (sign-in, the idle lock, the sign dialog, leaving the
candidate kiosk) goes through ``_check``: one counter and one lock per account, each
failure audited, so no door is a free oracle for guessing. A password an administrator
set is marked temporary until its owner chooses their own: it signs in, but it never
unlocks, replaces or is issued a signing key (``naas_centre.services.certificates``).

Permission checks for every other service start here (``require``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
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
from naas_centre.services import audit, capabilities, password_rules
from naas_centre.services.views import AccountView, Actor, Role

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = password_rules.MIN_LENGTH

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
    """A new password: long enough and not a common one (``password_rules``)."""
    password_rules.check_new_password(password)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


# Doors: where a password was typed, named in the audit trail ("account.failed_<door>").
SIGN_IN = "login"
IDLE_UNLOCK = "unlock"
SIGNING = "signing"
KIOSK_EXIT = "kiosk_exit"
RECONFIRM = "reconfirm"


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
        require(actor, *capabilities.ADMINISTER)
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
        require(actor, *capabilities.ADMINISTER)
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


def reconfirm(db: Database, actor: Actor, password: str, *, doing: str = "this") -> None:
    """The person's password again before a sensitive act (an export, an erasure, a
    revocation, a bundle, a restore): the same lock-out as sign-in, a failure audited
    and refused in one plain sentence, a success audited with what it was for.

    ``doing`` names the act in the refusal and the trail ("export score sheets").
    """
    with db.write() as s:
        row = s.get(AccountRow, actor.account_id)
        if row is None or not row.active:
            _verify(_DUMMY_HASH, password)
            raise AuthenticationFailed("This account has been deactivated; ask an administrator.")
        confirmed, refusal = _check(s, row, password, utcnow(), RECONFIRM)
        if confirmed is not None:
            audit.note(s, actor, "account.reconfirmed", AccountRow.__tablename__, row.id, {"for": doing})
    if isinstance(refusal, AccountLocked):
        raise refusal
    if refusal is not None:
        raise AuthenticationFailed(
            f"The password is wrong: nothing was done ({doing} asks for your password)."
        )


def reconfirm_person(db: Database, actor: Actor, password: str | None, *, doing: str) -> None:
    """``reconfirm`` for a person; the command line, which acts for whoever holds the
    database file (no account: ``Actor.account_id`` empty), has no password to give."""
    if not actor.account_id:
        return
    if not password:
        said = f"{doing[:1].upper()}{doing[1:]}"
        raise AuthenticationFailed(f"{said} asks for your password again: nothing was done.")
    reconfirm(db, actor, password, doing=doing)


def unlock(db: Database, actor: Actor, account_id: str) -> None:
    require(actor, *capabilities.ADMINISTER)
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


# Administration: accounts as an administrator keeps them ------------------------------


@dataclass(frozen=True)
class AccountEntry:
    """One account as the administration screen lists it."""

    id: str
    username: str
    display_name: str
    role: Role
    employer: str | None
    registration_number: str | None
    active: bool
    locked_until: datetime | None
    password_temporary: bool
    last_login_at: datetime | None

    def locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())


@dataclass(frozen=True)
class IssuedPassword:
    """A temporary password made for someone: shown once, never stored in clear."""

    account: AccountEntry
    password: str


# Letters and digits that cannot be misread for one another when read out or copied.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """Four groups of four, such as "k7qm-x4pt-93hz-rw2e": 80 bits, easy to read out."""
    groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def parse_role(text: str) -> Role:
    """A role from its value or its label ("centre_manager", "Centre manager")."""
    wanted = " ".join(text.replace("_", " ").split()).lower()
    for role in Role:
        if wanted in (role.value.replace("_", " "), role.label.lower()):
            return role
    known = ", ".join(r.label.lower() for r in Role)
    raise UserError(f"There is no role called {text.strip()!r} (roles: {known}).")


def _entry(row: AccountRow) -> AccountEntry:
    return AccountEntry(
        row.id,
        row.username,
        row.display_name,
        Role(row.role),
        row.employer,
        row.registration_number,
        row.active,
        row.locked_until,
        row.password_temporary,
        row.last_login_at,
    )


def account_entries(db: Database, actor: Actor) -> list[AccountEntry]:
    """Every account, administrators first, for the administration screen."""
    require(actor, *capabilities.ADMINISTER)
    with db.read() as s:
        rows = s.scalars(select(AccountRow).order_by(AccountRow.role, AccountRow.username))
        return [_entry(r) for r in rows]


def _known_employer(s: Session, employer: str | None) -> str | None:
    """The employer exactly as the centre lists it (None for none), or a refusal."""
    from naas_centre.services import employers  # employers renames accounts: a cycle

    name = " ".join((employer or "").split())
    if not name:
        return None
    row = employers.find(s, name)
    if row is None:
        raise UserError(f"There is no employer called {name!r}: add it on the Employers tab first.")
    if not row.active:
        raise UserError(f"The employer {row.name!r} is deactivated: re-activate it first.")
    return row.name


def new_account(
    db: Database,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role | str,
    employer: str | None = None,
    registration_number: str | None = None,
) -> IssuedPassword:
    """An account with a temporary password made here, to be handed to its owner once.

    Its employer must be one the centre lists (the conflict-of-interest rule depends on
    the names matching).
    """
    require(actor, *capabilities.ADMINISTER)
    role = role if isinstance(role, Role) else parse_role(role)
    with db.read() as s:
        employer = _known_employer(s, employer)
    password = temporary_password()
    view = create_account(
        db, actor, username, display_name, role, password, employer, registration_number, temporary=True
    )
    with db.read() as s:
        row = s.get(AccountRow, view.id)
        assert row is not None
        return IssuedPassword(_entry(row), password)


def _active_administrators(s: Session) -> int:
    rows = s.scalars(
        select(AccountRow.id).where(AccountRow.role == Role.ADMINISTRATOR.value, AccountRow.active.is_(True))
    )
    return len(list(rows))


def _account(s: Session, account_id: str) -> AccountRow:
    row = s.get(AccountRow, account_id)
    if row is None:
        raise NotFound("No such account: it may have been removed on another workstation.")
    return row


def edit_account(
    db: Database,
    actor: Actor,
    account_id: str,
    *,
    display_name: str,
    role: Role | str,
    employer: str | None,
    registration_number: str | None,
) -> AccountEntry:
    """Changes who an account is (never its username, which the audit trail names)."""
    require(actor, *capabilities.ADMINISTER)
    role = role if isinstance(role, Role) else parse_role(role)
    name = " ".join(display_name.split())
    if not name:
        raise UserError("A display name is needed.")
    registration = _registration(registration_number)
    with db.write() as s:
        row = _account(s, account_id)
        if row.role == Role.ADMINISTRATOR.value and role != Role.ADMINISTRATOR and row.active:
            if row.id == actor.account_id:
                raise Conflict("You cannot take the administrator role from your own account.")
            if _active_administrators(s) <= 1:
                raise Conflict(f"{row.display_name} is the last active administrator: the centre needs one.")
        before = audit.snapshot(row)
        row.display_name = name
        row.role = role.value
        if " ".join((employer or "").split()) != (row.employer or ""):
            row.employer = _known_employer(s, employer)  # an unchanged name may predate the list
        row.registration_number = registration
        if audit.snapshot(row) != before:
            audit.record(s, actor, "account.edit", row, before)
        return _entry(row)


def _registration(registration_number: str | None) -> str | None:
    registration = (registration_number or "").strip() or None
    if registration is not None and (len(registration) > 40 or not registration.replace("-", "").isalnum()):
        raise UserError("A registration number is letters and digits, such as SW123456.")
    return registration


def set_active(db: Database, actor: Actor, account_id: str, active: bool) -> AccountEntry:
    """Disables an account (it can no longer sign in) or enables it again.

    Nobody disables their own account, and the last active administrator stays, so a
    centre can never lock itself out of its own administration.
    """
    require(actor, *capabilities.ADMINISTER)
    with db.write() as s:
        row = _account(s, account_id)
        if row.active == active:
            return _entry(row)
        if not active:
            if row.id == actor.account_id:
                raise Conflict("You cannot disable your own account.")
            if row.role == Role.ADMINISTRATOR.value and _active_administrators(s) <= 1:
                raise Conflict(f"{row.display_name} is the last active administrator: the centre needs one.")
        before = audit.snapshot(row)
        row.active = active
        audit.record(s, actor, "account.enable" if active else "account.disable", row, before)
        return _entry(row)


def reset_password(db: Database, actor: Actor, account_id: str) -> IssuedPassword:
    """A new temporary password for someone else's account, returned to be shown once.

    It signs in but unlocks no signing key until its owner chooses their own. A reset
    also lifts a lock-out, since its owner is about to sign in with the new one.
    """
    require(actor, *capabilities.ADMINISTER)
    if account_id == actor.account_id:
        raise Conflict("Change your own password with Centre > Change my password, not by a reset.")
    password = temporary_password()
    hashed = _hasher.hash(password)
    with db.write() as s:
        row = _account(s, account_id)
        before = audit.snapshot(row)
        row.password_hash = hashed
        row.password_temporary = True
        row.failed_logins = 0
        row.locked_until = None
        audit.record(s, actor, "account.password_reset", row, before)
        return IssuedPassword(_entry(row), password)
