"""The centre's certificate authority in the database: its certificate, its key (under the
passphrase file of the workstation, see ``naas_centre.signing.ca``) and its revocation
lists. Who may be issued a certificate is decided in ``certificates``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database
from db.models import CentreRow, CertificateRow, CrlRow, SigningKeyRow
from naas_centre import paths
from naas_centre.errors import AuthenticationFailed, UserError
from naas_centre.protection import centre_key
from naas_centre.services import audit

if TYPE_CHECKING:
    from cryptography import x509

    from naas_centre.signing import ca

# A revocation list is replaced before its next update, so a signature never embeds a stale one.
CRL_MARGIN = timedelta(days=30)


# The centre CA ----------------------------------------------------------------------


@dataclass(frozen=True)
class CaInfo:
    id: str
    subject: str
    fingerprint: str
    not_after: datetime
    pem: str


def ca_row(s: Session) -> CertificateRow | None:
    return s.scalar(
        select(CertificateRow)
        .where(CertificateRow.kind == "ca", CertificateRow.retired_at.is_(None))
        .order_by(CertificateRow.created_at)
        .limit(1)
    )


def _ca_info(row: CertificateRow) -> CaInfo:
    return CaInfo(row.id, row.subject, row.fingerprint, row.not_after, row.pem)


def centre_ca(db: Database) -> CaInfo | None:
    """The centre's CA certificate, if it has been made."""
    with db.read() as s:
        row = ca_row(s)
        return _ca_info(row) if row else None


def trusted_cas(db: Database) -> list[x509.Certificate]:
    """Every CA certificate the centre ever had: documents signed under any stay verifiable."""
    from naas_centre.signing import ca

    with db.read() as s:
        return [
            ca.load_pem(pem)
            for pem in s.scalars(select(CertificateRow.pem).where(CertificateRow.kind == "ca"))
        ]


def ensure_ca(db: Database, data_dir: Path) -> CaInfo:
    """The centre's CA, made on first need (see ``naas_centre.signing.ca`` for the key),
    with its first (empty) revocation list."""
    from naas_centre.signing import ca

    existing = centre_ca(db)
    if existing is not None:
        return existing
    with db.write() as s:
        row = ca_row(s)
        if row is not None:  # made meanwhile by another window
            return _ca_info(row)
        name = s.scalar(select(CentreRow.name).limit(1)) or "Assessment centre"
        # An encrypted centre makes its own sealed file; it never takes over a clear one,
        # which belongs to a plain centre of the same data folder (the demo, say).
        seal = centre_key.key_of(db.url)
        path = ca.passphrase_path(data_dir, seal)
        secret = ca.read_passphrase(data_dir, seal) if path.exists() else ca.create_passphrase(data_dir, seal)
        issued = ca.new_ca(name)
        row = store_certificate(s, issued, "ca", None, None)
        s.add(
            SigningKeyRow(
                certificate_id=row.id,
                protection="centre-passphrase-file",
                encrypted_pem=ca.encrypt_key(issued.key, secret),
            )
        )
        audit.note(
            s,
            None,
            "ca.create",
            "certificates",
            row.id,
            {"subject": row.subject, "fingerprint": row.fingerprint},
        )
        new_crl(s, row, issued)
        return _ca_info(row)


def store_certificate(
    s: Session, issued: ca.Issued, kind: str, account_id: str | None, issuer_id: str | None
) -> CertificateRow:
    from naas_centre.signing import ca

    cert = issued.certificate
    row = CertificateRow(
        kind=kind,
        account_id=account_id,
        issuer_id=issuer_id,
        subject=cert.subject.rfc4514_string()[:400],
        serial=ca.serial_hex(cert),
        fingerprint=ca.fingerprint(cert),
        pem=ca.pem(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )
    s.add(row)
    s.flush()
    return row


def ca_key(s: Session, ca_row: CertificateRow, data_dir: Path) -> ca.Issued:
    """The CA certificate with its key, opened with the passphrase file of this workstation."""
    from naas_centre.signing import ca

    key_row = s.scalar(select(SigningKeyRow).where(SigningKeyRow.certificate_id == ca_row.id))
    if key_row is None:
        raise UserError("The centre CA's key is missing from the database; no certificate can be issued.")
    seal = centre_key.key_of_session(s)
    try:
        key = ca.decrypt_key(key_row.encrypted_pem, ca.read_passphrase(data_dir, seal))
    except AuthenticationFailed:
        raise UserError(
            f"The CA passphrase file {ca.passphrase_path(data_dir)} does not unlock this centre's CA: "
            "it belongs to another centre. Use the data folder of this centre's workstation."
        ) from None
    ca.seal_clear(data_dir, seal)  # proved to be this centre's: an encrypted one seals it
    return ca.Issued(ca.load_pem(ca_row.pem), key)


def export_ca(db: Database, data_dir: Path, out: Path) -> CaInfo:
    """Writes the CA certificate (PEM) atomically: a temporary file, then a rename."""

    info = ensure_ca(db, data_dir)
    target = out.expanduser()
    if target.is_dir():
        raise UserError(f"{target} is a folder; give a file name such as {target / 'centre-ca.pem'}")
    if not target.parent.is_dir():
        raise UserError(f"{target.parent}: no such folder")
    paths.write_atomic(target, info.pem.encode("ascii"))  # fsync'd; a device is refused, not replaced
    return info


# Revocation lists -------------------------------------------------------------------


def _newest_crl(s: Session, ca_id: str) -> CrlRow | None:
    return s.scalar(select(CrlRow).where(CrlRow.ca_id == ca_id).order_by(CrlRow.number.desc()).limit(1))


def new_crl(s: Session, ca_row: CertificateRow, issued: ca.Issued) -> CrlRow:
    """A new list of every certificate this CA has revoked, numbered one past the last."""
    from cryptography import x509

    from naas_centre.signing import ca

    s.flush()
    number = (s.scalar(select(func.max(CrlRow.number)).where(CrlRow.ca_id == ca_row.id)) or 0) + 1
    revoked = [
        (int(serial, 16), when, reason or "")
        for serial, when, reason in s.execute(
            select(CertificateRow.serial, CertificateRow.revoked_at, CertificateRow.revocation_reason)
            .where(CertificateRow.issuer_id == ca_row.id, CertificateRow.revoked_at.is_not(None))
            .order_by(CertificateRow.revoked_at)
        )
        if when is not None
    ]
    der = ca.make_crl(issued, revoked, number)
    crl = x509.load_der_x509_crl(der)
    next_update = crl.next_update_utc
    assert next_update is not None
    row = CrlRow(
        ca_id=ca_row.id, number=number, this_update=crl.last_update_utc, next_update=next_update, der=der
    )
    s.add(row)
    s.flush()
    audit.note(
        s,
        None,
        "crl.issue",
        "crls",
        row.id,
        {"number": number, "revoked": [format(serial, "x") for serial, _, _ in revoked]},
    )
    return row


def current_crl(s: Session, ca_row: CertificateRow, data_dir: Path | None) -> bytes | None:
    """The newest revocation list, renewed first when it is close to its next update and
    this workstation can open the CA key; None only for a CA that never had one and
    cannot make one here."""
    from naas_centre.signing import ca

    row = _newest_crl(s, ca_row.id)
    if row is not None and row.next_update > utcnow() + CRL_MARGIN:
        return row.der
    if data_dir is not None and ca.has_passphrase(data_dir, centre_key.key_of_session(s)):
        return new_crl(s, ca_row, ca_key(s, ca_row, data_dir)).der
    return row.der if row is not None else None
