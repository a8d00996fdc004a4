"""Signing identities: who may get a certificate, how keys are kept, revocation.

The rules a certificate in someone's name follows
-------------------------------------------------
- A signing key is only ever unlocked by its owner's password, checked at the signing
  door of the one lock-out (``accounts.check_password``). A password an administrator
  set (``password_temporary``) unlocks nothing and gets nothing issued: its owner
  chooses their own first.
- A new certificate is issued (a) with the person present: their first certificate,
  or a renewal (expired, or under a new centre CA) proved by unlocking their current
  key; or (b) when two different administrators have each approved a replacement, with
  a reason (an administrator never approves for themself; the pair is used once).
  A key locked by a password reset and a revoked certificate can only be replaced by
  (b): the centre no longer trusts what that key signs.
- Every issue is audited and shown to the person at their next sign-in
  (``pending_certificate_notices``, ``acknowledge_certificates``).
- Revocation (``revoke_certificates``) marks the person's certificates and issues a
  new revocation list signed by the CA key; the newest list goes into every signature.
  A revoked certificate never signs again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database
from db.models import (
    AccountRow,
    CertificateApprovalRow,
    CertificateRow,
    SigningKeyRow,
)
from naas_centre.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied, UserError
from naas_centre.services import accounts, audit, authority, capabilities
from naas_centre.services.views import Actor, Role

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

    from naas_centre.signing.pdf import SignerIdentity

# The cryptography (and pyHanko, behind SignerIdentity) is imported where it is used: the
# notices and lists here are read at sign-in, and must not cost the GUI a second of imports.

SIGNERS = capabilities.SIGN  # a sitting's reports
# Who holds a signing key: whoever signs a report of any kind (the QA lead: the QA report).
KEY_HOLDERS = (*SIGNERS, *(r for r in capabilities.SIGN_QA_REPORT if r not in SIGNERS))
APPROVALS_NEEDED = 2
# An approval is for a replacement the person is about to collect, not a standing permit.
APPROVAL_VALID = timedelta(days=7)
# An administrator account another administrator set up (or reset) this recently does not approve.
APPROVER_SETTLING = timedelta(days=7)


class TemporaryPassword(AuthenticationFailed):
    """The password is one an administrator set: it unlocks no signing key."""


class ReplacementNeedsApproval(PermissionDenied):
    """The person's key cannot be used, and only two administrators can have it replaced."""


# A signer's key ---------------------------------------------------------------------


def _latest_signer(s: Session, account_id: str) -> tuple[CertificateRow, SigningKeyRow | None] | None:
    found = s.execute(
        select(CertificateRow, SigningKeyRow)
        .outerjoin(SigningKeyRow, SigningKeyRow.certificate_id == CertificateRow.id)
        .where(CertificateRow.account_id == account_id, CertificateRow.kind == "signer")
        .order_by(CertificateRow.created_at.desc())
        .limit(1)
    ).first()
    return (found[0], found[1]) if found is not None else None


def _open(key_row: SigningKeyRow | None, password: str) -> ec.EllipticCurvePrivateKey | None:
    from naas_centre.signing import ca

    if key_row is None:
        return None
    try:
        return ca.decrypt_key(key_row.encrypted_pem, password)
    except AuthenticationFailed:
        return None


def unlock_signer(db: Database, actor: Actor, password: str, data_dir: Path) -> SignerIdentity:
    """The actor's signing identity, unlocked with their own password.

    The password is checked at the signing door of the one lock-out. The actor's
    current certificate is used when its key opens, it is neither revoked nor replaced
    and its CA is the centre's current one; otherwise a new certificate is issued if
    the rules above allow it (``TemporaryPassword`` or ``ReplacementNeedsApproval``
    say plainly what to do when they do not).
    """
    from naas_centre.signing import ca

    accounts.require(actor, *KEY_HOLDERS)
    accounts.check_password(db, actor.account_id, password, door=accounts.SIGNING)
    with db.read() as s:
        if accounts.password_is_temporary(s, actor.account_id):
            raise TemporaryPassword(
                "Your password was set by an administrator, so it cannot unlock a signing key: "
                "someone else knows it. Choose a new password of your own first "
                "(Centre ▸ Change my password…), then sign. Nothing was signed."
            )
        found = _latest_signer(s, actor.account_id)
        ca_row = authority.ca_row(s)
    key = _open(found[1], password) if found is not None else None
    if found is not None and key is not None and ca_row is not None:
        cert_row, key_row = found
        usable = (
            cert_row.revoked_at is None
            and cert_row.retired_at is None
            and cert_row.issuer_id == ca_row.id
            and cert_row.not_after > utcnow()
        )
        if usable and key_row is not None:
            with db.write() as s:
                if ca.key_needs_upgrade(key_row.encrypted_pem):
                    stored = s.get(SigningKeyRow, key_row.id)
                    if stored is not None and stored.encrypted_pem == key_row.encrypted_pem:
                        stored.encrypted_pem = ca.encrypt_key(key, password)
                        audit.note(
                            s,
                            actor,
                            "certificate.key_upgrade",
                            "certificates",
                            cert_row.id,
                            {"serial": cert_row.serial, "protection": "argon2id"},
                        )
                cert_now, ca_now = s.get(CertificateRow, cert_row.id), s.get(CertificateRow, ca_row.id)
                assert cert_now is not None and ca_now is not None
                return _identity(s, actor, cert_now, ca_now, ca.key_der(key), data_dir)
    proved = key is not None and found is not None and found[0].revoked_at is None
    return _issue(db, actor, password, data_dir, proved_current_key=proved)


def _identity(
    s: Session,
    actor: Actor,
    cert_row: CertificateRow,
    ca_row: CertificateRow,
    key_der: bytes,
    data_dir: Path | None,
) -> SignerIdentity:
    from naas_centre.signing.pdf import SignerIdentity

    account = s.get(AccountRow, actor.account_id)
    return SignerIdentity(
        name=actor.display_name,
        role=actor.role.label,
        key_der=key_der,
        cert_pem=cert_row.pem,
        ca_pem=ca_row.pem,
        serial=cert_row.serial,
        certificate_id=cert_row.id,
        registration=account.registration_number if account is not None else None,
        crl_der=authority.current_crl(s, ca_row, data_dir),
    )


def _usable_approvals(s: Session, account_id: str) -> list[CertificateApprovalRow]:
    rows = s.scalars(
        select(CertificateApprovalRow)
        .join(AccountRow, AccountRow.id == CertificateApprovalRow.approver_id)
        .where(
            AccountRow.role == Role.ADMINISTRATOR.value,
            AccountRow.active.is_(True),
            CertificateApprovalRow.account_id == account_id,
            CertificateApprovalRow.used_at.is_(None),
            CertificateApprovalRow.created_at > utcnow() - APPROVAL_VALID,
            CertificateApprovalRow.approver_id != account_id,
        )
        .order_by(CertificateApprovalRow.created_at)
    ).all()
    return list(rows)


def _issue(
    db: Database, actor: Actor, password: str, data_dir: Path, *, proved_current_key: bool
) -> SignerIdentity:
    from naas_centre.signing import ca

    info = authority.ensure_ca(db, data_dir)
    with db.write() as s:
        ca_row = s.get(CertificateRow, info.id)
        assert ca_row is not None
        account = s.get(AccountRow, actor.account_id)
        if account is None or not account.active or account.password_temporary:
            raise PermissionDenied("This account cannot be issued a signing certificate.")
        previous = _latest_signer(s, actor.account_id)
        approvals = _usable_approvals(s, actor.account_id)
        approvers = {a.approver_id for a in approvals}
        if previous is None:
            grounds = "first certificate, the person's own password"
        elif proved_current_key:
            grounds = "renewal, proved by unlocking the current key with the person's own password"
        elif len(approvers) >= APPROVALS_NEEDED:
            grounds = "replacement approved by two administrators"
        else:
            revoked = previous[0].revoked_at is not None
            waiting = (
                f" One administrator has approved so far; {APPROVALS_NEEDED - len(approvers)} more needed."
                if approvers
                else ""
            )
            raise ReplacementNeedsApproval(
                (
                    "Your signing certificate was revoked, so it can no longer sign. "
                    if revoked
                    else "Your signing key is locked: it was made under a password you no longer use "
                    "(an administrator reset it). "
                )
                + "A new certificate in your name needs the approval of two administrators "
                "(Centre ▸ Certificates…)." + waiting + " Nothing was signed."
            )
        ca_issued = authority.ca_key(s, ca_row, data_dir)
        used: list[CertificateApprovalRow] = []
        if grounds.startswith("replacement"):
            by_approver: dict[str, CertificateApprovalRow] = {}
            for approval in approvals:
                by_approver.setdefault(approval.approver_id, approval)
            used = list(by_approver.values())[:APPROVALS_NEEDED]
        for old in s.scalars(
            select(CertificateRow).where(
                CertificateRow.account_id == actor.account_id, CertificateRow.retired_at.is_(None)
            )
        ):
            old.retired_at = utcnow()
        subject_name = ca.directory_name(actor.display_name, actor.username)
        issued = ca.issue_signer(
            ca_issued,
            subject_name,
            actor.role.label,
            unique_id=actor.account_id,
            registration=account.registration_number,
        )
        row = authority.store_certificate(s, issued, "signer", actor.account_id, ca_row.id)
        s.add(
            SigningKeyRow(
                certificate_id=row.id,
                protection="account-password",
                encrypted_pem=ca.encrypt_key(issued.key, password),
            )
        )
        for approval in used:
            approval.used_at = utcnow()
        audit.note(
            s,
            actor,
            "certificate.issue",
            "certificates",
            row.id,
            {
                "subject": row.subject,
                "serial": row.serial,
                "fingerprint": row.fingerprint,
                "grounds": grounds,
                "approvals": [a.id for a in used],
                "approved_by": [a.approver_id for a in used],
                "replaces": previous[0].serial if previous is not None else None,
            },
        )
        return _identity(s, actor, row, ca_row, ca.key_der(issued.key), data_dir)


def reencrypt_keys(s: Session, actor: Actor, account_id: str, old_password: str, new_password: str) -> int:
    """Re-encrypts the person's current signing key under their new password, in the
    caller's transaction (``accounts.set_password``). A key the old password does not
    open (it was made before an administrator's reset) stays locked. Returns how many
    keys were re-encrypted."""
    from naas_centre.signing import ca

    found = _latest_signer(s, account_id)
    if found is None:
        return 0
    cert_row, key_row = found
    key = _open(key_row, old_password)
    if key is None or key_row is None:
        return 0
    key_row.encrypted_pem = ca.encrypt_key(key, new_password)
    audit.note(
        s, actor, "certificate.key_reencrypt", "certificates", cert_row.id, {"serial": cert_row.serial}
    )
    return 1


def ensure_signing_allowed(s: Session, certificate_id: str) -> None:
    """Refuses a signature with a certificate that has been revoked (checked at record time,
    so a revocation during a long batch stops it at the next report)."""
    row = s.get(CertificateRow, certificate_id)
    if row is None or row.kind != "signer":
        raise Conflict("This signature's certificate is not one the centre issued; nothing was signed.")
    if row.revoked_at is not None:
        raise Conflict(
            "Your signing certificate was revoked; nothing was signed. A new certificate needs the "
            "approval of two administrators."
        )


# Approvals, revocation, the administrator's list -------------------------------------


@dataclass(frozen=True)
class ApprovalState:
    account_id: str
    display_name: str
    approvals: int  # distinct administrators with a usable approval, this one included
    needed: int


def _independent(s: Session, approver_id: str, now: datetime) -> None:
    """Refuses an approver account that another administrator made, or set the password
    of, within ``APPROVER_SETTLING``: one administrator must not be able to make the
    second approver themself. (A sock puppet then has to wait, in the accounts list and
    the audit trail, and the person is told of any certificate at their next sign-in.)"""
    from db.models import AuditEntryRow

    approver = s.get(AccountRow, approver_id)
    if approver is None or approver.password_temporary:
        raise PermissionDenied(
            "Your password was set by another administrator: choose your own "
            "(Centre ▸ Change my password…) before approving certificates."
        )
    recent = s.scalar(
        select(AuditEntryRow.at)
        .where(
            AuditEntryRow.entity_id == approver_id,
            AuditEntryRow.action.in_(("account.create", "account.password_reset")),
            AuditEntryRow.account_id.is_not(None),
            AuditEntryRow.account_id != approver_id,
            AuditEntryRow.at > now - APPROVER_SETTLING,
        )
        .limit(1)
    )
    if recent is not None:
        raise PermissionDenied(
            f"Your administrator account was set up by another administrator less than "
            f"{APPROVER_SETTLING.days} days ago, so it cannot yet approve certificates."
        )


def approve_replacement(
    db: Database, actor: Actor, account_id: str, reason: str, *, now: datetime | None = None
) -> ApprovalState:
    """One administrator's approval of a replacement certificate for a person whose key
    is locked or revoked. Two different administrators are needed; the person then
    collects it by signing with their own password."""
    accounts.require(actor, *capabilities.ADMINISTER)
    reason = reason.strip()
    if not reason:
        raise UserError("Give the reason for a replacement certificate: it is kept in the audit trail.")
    if actor.account_id == account_id:
        raise PermissionDenied("An administrator cannot approve a certificate for themself.")
    with db.write() as s:
        account = s.get(AccountRow, account_id)
        if account is None:
            raise NotFound("No such account.")
        if Role(account.role) not in KEY_HOLDERS:
            raise UserError(f"{account.display_name} does not sign reports; no certificate is needed.")
        _independent(s, actor.account_id, now or utcnow())
        approvals = _usable_approvals(s, account_id)
        if any(a.approver_id == actor.account_id for a in approvals):
            raise Conflict(
                f"You have already approved a replacement for {account.display_name}; "
                "a second administrator must approve it too."
            )
        row = CertificateApprovalRow(account_id=account_id, approver_id=actor.account_id, reason=reason)
        s.add(row)
        s.flush()
        audit.note(
            s,
            actor,
            "certificate.approve",
            "certificate_approvals",
            row.id,
            {"account": account_id, "reason": reason},
        )
        count = len({a.approver_id for a in approvals} | {actor.account_id})
        return ApprovalState(account_id, account.display_name, count, APPROVALS_NEEDED)


def revoke_certificates(
    db: Database, actor: Actor, account_username: str, reason: str, data_dir: Path, *, password: str
) -> list[str]:
    """Revokes every certificate of the person that is not revoked yet, and issues a new
    revocation list signed by the CA (this needs the CA passphrase file). Returns the
    serial numbers revoked. Administrators only, after their password again; audited."""
    accounts.require(actor, *capabilities.ADMINISTER)
    reason = reason.strip()
    if not reason:
        raise UserError("Give the reason for revoking: it is kept in the audit trail.")
    accounts.reconfirm(db, actor, password, doing="revoking certificates")
    with db.write() as s:
        account = s.scalar(select(AccountRow).where(AccountRow.username == account_username.strip()))
        if account is None:
            raise NotFound(f"There is no account with the username {account_username.strip()!r}.")
        rows = s.scalars(
            select(CertificateRow)
            .where(
                CertificateRow.account_id == account.id,
                CertificateRow.kind == "signer",
                CertificateRow.revoked_at.is_(None),
            )
            .order_by(CertificateRow.created_at)
        ).all()
        if not rows:
            raise UserError(f"{account.display_name} has no certificate that can be revoked.")
        ca_row = authority.ca_row(s)
        ca_issued = authority.ca_key(s, ca_row, data_dir) if ca_row is not None else None
        now = utcnow()
        for row in rows:
            row.revoked_at = now
            row.revocation_reason = reason
            audit.note(
                s,
                actor,
                "certificate.revoke",
                "certificates",
                row.id,
                {"serial": row.serial, "account": account.id, "reason": reason},
            )
        if ca_row is not None and ca_issued is not None:
            authority.new_crl(s, ca_row, ca_issued)
        return [row.serial for row in rows]


@dataclass(frozen=True)
class CertificateView:
    id: str
    serial: str
    subject: str
    issued_at: datetime
    not_after: datetime
    status: str  # "in use", "replaced", "revoked", "expired"
    revoked_at: datetime | None
    revocation_reason: str | None
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class PersonCertificates:
    account_id: str
    username: str
    display_name: str
    role: Role
    registration_number: str | None
    active: bool
    certificates: tuple[CertificateView, ...]  # newest first
    approvers: tuple[str, ...]  # names of administrators whose approval is waiting to be used


def _status(row: CertificateRow, now: datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.retired_at is not None:
        return "replaced"
    if row.not_after <= now:
        return "expired"
    return "in use"


def _certificate_view(row: CertificateRow, now: datetime) -> CertificateView:
    return CertificateView(
        row.id,
        row.serial,
        row.subject,
        row.created_at,
        row.not_after,
        _status(row, now),
        row.revoked_at,
        row.revocation_reason,
        row.acknowledged_at,
    )


def list_certificates(db: Database, actor: Actor) -> list[PersonCertificates]:
    """Everyone who signs reports, with every certificate ever issued in their name."""
    accounts.require(actor, *capabilities.ADMINISTER)
    now = utcnow()
    with db.read() as s:
        people = s.scalars(
            select(AccountRow)
            .where(AccountRow.role.in_([r.value for r in KEY_HOLDERS]))
            .order_by(AccountRow.display_name, AccountRow.username)
        ).all()
        names = {aid: name for aid, name in s.execute(select(AccountRow.id, AccountRow.display_name))}
        out = []
        for person in people:
            certs = s.scalars(
                select(CertificateRow)
                .where(CertificateRow.account_id == person.id, CertificateRow.kind == "signer")
                .order_by(CertificateRow.created_at.desc())
            ).all()
            approvers = tuple(
                dict.fromkeys(
                    names.get(a.approver_id, "an administrator") for a in _usable_approvals(s, person.id)
                )
            )
            out.append(
                PersonCertificates(
                    person.id,
                    person.username,
                    person.display_name,
                    Role(person.role),
                    person.registration_number,
                    person.active,
                    tuple(_certificate_view(c, now) for c in certs),
                    approvers,
                )
            )
        return out


@dataclass(frozen=True)
class CertificateNotice:
    serial: str
    subject: str
    issued_at: datetime
    grounds: str  # how it came to be issued, in words


def _grounds(s: Session, row: CertificateRow) -> str:
    from db.models import AuditEntryRow

    entry = s.scalar(
        select(AuditEntryRow.after).where(
            AuditEntryRow.action == "certificate.issue", AuditEntryRow.entity_id == row.id
        )
    )
    if entry and "two administrators" in entry:
        return "a replacement approved by two administrators"
    if entry and "renewal" in entry:
        return "a renewal, made when your password unlocked your previous key"
    return "your first certificate, made when you signed with your password"


def pending_certificate_notices(db: Database, actor: Actor) -> list[CertificateNotice]:
    """Certificates issued in the actor's own name that they have not been shown yet."""
    with db.read() as s:
        rows = s.scalars(
            select(CertificateRow)
            .where(
                CertificateRow.account_id == actor.account_id,
                CertificateRow.kind == "signer",
                CertificateRow.acknowledged_at.is_(None),
            )
            .order_by(CertificateRow.created_at)
        ).all()
        return [CertificateNotice(r.serial, r.subject, r.created_at, _grounds(s, r)) for r in rows]


def acknowledge_certificates(db: Database, actor: Actor) -> int:
    """Records that the actor has been shown the certificates issued in their name."""
    with db.write() as s:
        rows = s.scalars(
            select(CertificateRow).where(
                CertificateRow.account_id == actor.account_id,
                CertificateRow.kind == "signer",
                CertificateRow.acknowledged_at.is_(None),
            )
        ).all()
        now = utcnow()
        for row in rows:
            row.acknowledged_at = now
            audit.note(s, actor, "certificate.acknowledge", "certificates", row.id, {"serial": row.serial})
        return len(rows)
