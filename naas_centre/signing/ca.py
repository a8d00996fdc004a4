"""The centre's own certificate authority, with ``cryptography``: no database here.

Keys are ECDSA P-256: small, fast to make and to sign with, and accepted by pyHanko,
by poppler/NSS (``pdfsig``) and by the common PDF readers.

Where the CA's private key lives, and why
-----------------------------------------
The CA key is stored in the database encrypted (PKCS#8) under a random *centre
passphrase* that is kept in a file in the workstation's data folder
(``signing/ca-passphrase``, mode 0600 in a 0700 folder), never in the database.

- Issuing must work without an administrator at hand: an assessor who signs for the
  first time, or the unattended ``naas-centre reports --signer`` run, gets a
  certificate at once. The app issues one only to an account that has just proved its
  password (argon2 check), and every issue is audited and listed in ``certificates``.
- A copy of the database (a backup, an export, a shared PostgreSQL server) is not
  enough to mint certificates: that also needs the file on the workstation.
- The passphrase alone cannot sign as anyone: each signer's private key is encrypted
  under that signer's own password. Someone holding the passphrase could only certify
  a *new* key, which shows up in the certificate list and in the audit trail.

A workstation without the file can still sign with certificates already issued; to
let it issue, copy the file (the error message says where).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from naas_centre.errors import AuthenticationFailed, UserError

CA_YEARS = 20
SIGNER_YEARS = 5
PASSPHRASE_FILE = "ca-passphrase"


@dataclass(frozen=True)
class Issued:
    """A new certificate with its private key (in memory only until encrypted)."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def _name(common: str, organisation: str, title: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64])]
    if title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, title[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common[:64]))
    return x509.Name(attrs)


def directory_name(display_name: str, fallback: str) -> str:
    """The name as a certificate may carry it.

    X.509 names follow LDAP string preparation (RFC 4518), which refuses a value that
    mixes right-to-left and left-to-right letters ("ليلى Smith"); validators then
    cannot read the certificate at all. Such a name is replaced by ``fallback`` (the
    username) in the certificate only; the visible signature block keeps the real name.
    """
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]

    try:
        asn1_x509.Name.build({"common_name": display_name}).hashable  # noqa: B018  (runs the check)
    except ValueError:
        return fallback
    return display_name


def new_ca(centre_name: str, *, now: datetime | None = None) -> Issued:
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"{centre_name} certificate authority", centre_name)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def issue_signer(ca: Issued, display_name: str, role_label: str, *, now: datetime | None = None) -> Issued:
    """A signing certificate for one person: name, role and centre in the subject.

    ``display_name`` must pass ``directory_name``.
    """
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    organisation = ca.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(display_name, str(organisation), role_label))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(min(now + timedelta(days=365 * SIGNER_YEARS), ca.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: the signer stands by the document
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(cert, key)


# Encrypted keys ---------------------------------------------------------------------


def encrypt_key(key: ec.EllipticCurvePrivateKey, secret: str | bytes) -> str:
    """PKCS#8 PEM, encrypted with the best scheme ``cryptography`` offers."""
    password = secret.encode() if isinstance(secret, str) else secret
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password),
    ).decode("ascii")


def decrypt_key(pem: str, secret: str | bytes) -> ec.EllipticCurvePrivateKey:
    password = secret.encode() if isinstance(secret, str) else secret
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=password)
    except (ValueError, TypeError) as exc:
        raise AuthenticationFailed("The password does not unlock this signing key.") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise UserError("The stored signing key is not an EC key.")
    return key


def key_der(key: ec.EllipticCurvePrivateKey) -> bytes:
    """Unencrypted PKCS#8 DER: only ever handed to a worker process in memory."""
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def key_from_der(der: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_der_private_key(der, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


# Certificates as text ---------------------------------------------------------------


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_pem(text: str | bytes) -> x509.Certificate:
    data = text.encode("ascii") if isinstance(text, str) else text
    return x509.load_pem_x509_certificate(data)


def load_any(data: bytes) -> list[x509.Certificate]:
    """Certificates from a PEM file (one or more) or a single DER certificate."""
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def common_name(cert: x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else cert.subject.rfc4514_string()


# The centre passphrase file ---------------------------------------------------------


def passphrase_path(data_dir: Path) -> Path:
    return data_dir / "signing" / PASSPHRASE_FILE


def create_passphrase(data_dir: Path) -> bytes:
    """A new random passphrase, written atomically with owner-only permissions."""
    path = passphrase_path(data_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    if path.exists():
        raise UserError(f"{path} already exists; the centre's CA passphrase is never replaced silently.")
    value = secrets.token_urlsafe(32).encode("ascii")
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(value + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return value


def read_passphrase(data_dir: Path) -> bytes:
    path = passphrase_path(data_dir)
    try:
        value = path.read_bytes().strip()
    except FileNotFoundError:
        raise UserError(
            f"This workstation cannot issue signing certificates: the centre's CA passphrase file "
            f"{path} is missing. Copy it from the workstation that created the centre's CA."
        ) from None
    if not value:
        raise UserError(f"{path} is empty.")
    return value
