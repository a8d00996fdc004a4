"""The centre's own certificate authority, with ``cryptography``: no database here.

Keys are ECDSA P-256: small, fast to make and to sign with, and accepted by pyHanko,
by poppler/NSS (``pdfsig``) and by the common PDF readers.

Where the CA's private key lives, and why
-----------------------------------------
The CA key is stored in the database encrypted (see ``encrypt_key``) under a random *centre
passphrase* that is kept in a file in the workstation's data folder
(``signing/ca-passphrase``, mode 0600 in a 0700 folder), never in the database. An
encrypted centre keeps it instead in a file of its own, sealed under the database's
passphrase (``signing/ca-passphrase.<database>.sealed``, ``naas_centre.protection.sealed``):
a copy of the data folder alone does not give it.

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

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2.low_level import Type as Argon2Type
from argon2.low_level import hash_secret_raw
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

from db.durable import sync_folder
from naas_centre.errors import AuthenticationFailed, UserError
from naas_centre.protection import sealed

CA_YEARS = 20
SIGNER_YEARS = 5
PASSPHRASE_FILE = "ca-passphrase"
CRL_DAYS = 365
REGISTRATION_PREFIX = "Registration "


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


def _signer_name(
    common: str, organisation: str, title: str, unique_id: str, registration: str | None
) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        x509.NameAttribute(NameOID.TITLE, title[:64]),
    ]
    if registration:
        attrs.append(
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, (REGISTRATION_PREFIX + registration)[:64])
        )
    attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, unique_id[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common[:64]))
    return x509.Name(attrs)


def unique_id(cert: x509.Certificate) -> str | None:
    """The account id a signer certificate carries (subject serialNumber), if any."""
    attrs = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(attrs[0].value) if attrs else None


def registration(cert: x509.Certificate) -> str | None:
    """The registration number a signer certificate carries, if any."""
    for attr in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME):
        value = str(attr.value)
        if value.startswith(REGISTRATION_PREFIX):
            return value[len(REGISTRATION_PREFIX) :]
    return None


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


def issue_signer(
    ca: Issued,
    display_name: str,
    role_label: str,
    *,
    unique_id: str,
    registration: str | None = None,
    now: datetime | None = None,
) -> Issued:
    """A signing certificate for one person.

    The subject names the centre (O), the person's role (title), their registration
    with the regulator (OU, as "Registration SW123456", when they have one), the
    account's unique id (serialNumber) and their name (CN). The unique id makes two
    people with the same name two different subjects, and it is what a report's list
    of required signers is matched against. ``display_name`` must pass ``directory_name``.
    """
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    organisation = ca.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    cert = (
        x509.CertificateBuilder()
        .subject_name(_signer_name(display_name, str(organisation), role_label, unique_id, registration))
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
#
# Version 2 (current): the key (PKCS#8 DER) sealed with AES-256-GCM under a key derived
# from the secret with argon2id at 46 MiB and one pass (about 65 ms here: a guess costs
# about twice a sign-in, and needs the memory). The envelope is one line of text:
#
#     naas-key:{"v": 2, "kdf": "argon2id", "m": 47104, "t": 1, "p": 1, "salt": ..., "nonce": ...}:CIPHERTEXT
#
# The header (everything before the last colon) is the GCM associated data, so the cost
# parameters cannot be lowered without the key failing to open. Version 1 keys are
# PKCS#8 PEM encrypted by ``cryptography`` (PBKDF2, 2,048 iterations): still read, and
# ``key_needs_upgrade`` says so, so that the caller re-encrypts them after an unlock.

ENVELOPE = "naas-key:"
KEY_VERSION = 2
_KDF = {"kdf": "argon2id", "m": 47104, "t": 1, "p": 1}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(secret: bytes, salt: bytes, header: dict[str, object]) -> bytes:
    m, t, p = header.get("m"), header.get("t"), header.get("p")
    if header.get("kdf") != "argon2id" or not all(isinstance(v, int) for v in (m, t, p)):
        raise UserError("The stored signing key uses a key derivation this version cannot read.")
    assert isinstance(m, int) and isinstance(t, int) and isinstance(p, int)
    if m < 19456 or t < 1 or p < 1 or m > 4 * 1024 * 1024 or t > 64 or p > 16:
        raise UserError("The stored signing key has implausible key-derivation parameters.")
    return hash_secret_raw(
        secret, salt, time_cost=t, memory_cost=m, parallelism=p, hash_len=32, type=Argon2Type.ID
    )


def _secret(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def encrypt_key(key: ec.EllipticCurvePrivateKey, secret: str | bytes) -> str:
    """The key sealed under ``secret``: argon2id, then AES-256-GCM (see above)."""
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header: dict[str, object] = {"v": KEY_VERSION, **_KDF, "salt": _b64(salt), "nonce": _b64(nonce)}
    head = ENVELOPE + json.dumps(header, sort_keys=True, separators=(",", ":"))
    sealed = AESGCM(_derive(_secret(secret), salt, header)).encrypt(nonce, key_der(key), head.encode("ascii"))
    return f"{head}:{_b64(sealed)}"


def decrypt_key(text: str, secret: str | bytes) -> ec.EllipticCurvePrivateKey:
    """Opens a key sealed by ``encrypt_key``, or an old PKCS#8 PEM one."""
    password = _secret(secret)
    if text.startswith(ENVELOPE):
        head, _, body = text.rpartition(":")
        try:
            header = json.loads(head[len(ENVELOPE) :])
            salt, nonce = base64.b64decode(header["salt"]), base64.b64decode(header["nonce"])
            sealed = base64.b64decode(body)
        except (ValueError, KeyError, TypeError):
            raise UserError("The stored signing key is damaged.") from None
        if header.get("v") != KEY_VERSION:
            raise UserError("The stored signing key was written by a newer version of naas-centre.")
        try:
            der = AESGCM(_derive(password, salt, header)).decrypt(nonce, sealed, head.encode("ascii"))
        except InvalidTag:
            raise AuthenticationFailed("The password does not unlock this signing key.") from None
        key: object = serialization.load_der_private_key(der, password=None)
    else:
        try:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=password)
        except (ValueError, TypeError) as exc:
            raise AuthenticationFailed("The password does not unlock this signing key.") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise UserError("The stored signing key is not an EC key.")
    return key


def key_needs_upgrade(text: str) -> bool:
    """True for a key stored the old way (PKCS#8 PEM under PBKDF2) or with weaker costs:
    re-encrypt it with ``encrypt_key`` once it has been unlocked."""
    if not text.startswith(ENVELOPE):
        return True
    try:
        header = json.loads(text.rpartition(":")[0][len(ENVELOPE) :])
    except ValueError:
        return False  # damaged: decrypt_key says so
    if header.get("v") != KEY_VERSION or header.get("kdf") != _KDF["kdf"]:
        return True
    return any(int(header.get(k, 0)) < int(str(v)) for k, v in _KDF.items() if k != "kdf")


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


def _spaced(raw: bytes) -> str:
    text = raw.hex().upper()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def key_id(cert: x509.Certificate) -> str:
    """The certificate's own key identifier as people compare it by eye ("3F2A 91C0 …")."""
    try:
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        return _spaced(ski.digest)
    except x509.ExtensionNotFound:
        return _spaced(x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest)


def issuer_key_id(cert: x509.Certificate) -> str | None:
    """The key identifier of the CA that issued ``cert``, as ``key_id`` gives the CA's own."""
    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        return None
    return _spaced(aki.key_identifier) if aki.key_identifier else None


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def common_name(cert: x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else cert.subject.rfc4514_string()


# Revocation lists -------------------------------------------------------------------

_REASONS = (
    (("compromis", "stolen", "lost", "leak", "disclosed"), x509.ReasonFlags.key_compromise),
    (
        ("left", "leaver", "cessation", "retired", "resigned", "no longer"),
        x509.ReasonFlags.cessation_of_operation,
    ),
    (("replaced", "supersed", "renewed", "new certificate"), x509.ReasonFlags.superseded),
    (("suspend", "hold"), x509.ReasonFlags.certificate_hold),
    (("affiliation", "name change", "changed name", "registration"), x509.ReasonFlags.affiliation_changed),
)


def crl_reason(text: str) -> x509.ReasonFlags | None:
    """The RFC 5280 reason code closest to a reason written in words (None: unspecified).

    A CRL can carry only a code; the words themselves stay in the centre's database
    and audit trail.
    """
    lowered = text.lower()
    for words, flag in _REASONS:
        if any(w in lowered for w in words):
            return flag
    return None


def make_crl(
    ca: Issued,
    revoked: Sequence[tuple[int, datetime, str]],
    number: int,
    now: datetime | None = None,
    next_update_days: int = CRL_DAYS,
) -> bytes:
    """A certificate revocation list (DER) signed by the CA key.

    ``revoked`` is (certificate serial number, revoked at, reason in words). A report
    embeds the CRL that was current when it was signed, so ``next_update_days`` is
    long: the list is replaced whenever a certificate is revoked, and the signing
    service should make a new one when the newest has passed its next update.
    """
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now)
        .next_update(now + timedelta(days=next_update_days))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
    )
    for serial, when, reason in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(when.replace(microsecond=0))
        )
        code = crl_reason(reason)
        if code is not None:
            entry = entry.add_extension(x509.CRLReason(code), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def load_crl(der: bytes) -> x509.CertificateRevocationList:
    """A CRL from DER (or PEM); ValueError when it is not one."""
    if b"-----BEGIN X509 CRL-----" in der:
        return x509.load_pem_x509_crl(der)
    return x509.load_der_x509_crl(der)


def crl_number(crl: x509.CertificateRevocationList) -> int | None:
    try:
        return int(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    except x509.ExtensionNotFound:
        return None


# The centre passphrase file ---------------------------------------------------------


def passphrase_path(data_dir: Path, seal: sealed.SealKey | None = None) -> Path:
    """The clear file of a plain centre; for an encrypted one, its own sealed file (named
    after its database, so a plain demo in the same folder keeps its clear one)."""
    folder = data_dir / "signing"
    return folder / PASSPHRASE_FILE if seal is None else folder / f"{PASSPHRASE_FILE}.{seal.tag}.sealed"


def has_passphrase(data_dir: Path, seal: sealed.SealKey | None = None) -> bool:
    """Whether ``read_passphrase`` has a file to read (an encrypted centre's clear one too)."""
    return passphrase_path(data_dir, seal).exists() or passphrase_path(data_dir).exists()


def create_passphrase(data_dir: Path, seal: sealed.SealKey | None = None) -> bytes:
    """A new random passphrase, written atomically with owner-only permissions; sealed under
    ``seal`` (an encrypted centre database's passphrase) when one is given."""
    path = passphrase_path(data_dir, seal)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    if path.exists():
        raise UserError(f"{path} already exists; the centre's CA passphrase is never replaced silently.")
    value = secrets.token_urlsafe(32).encode("ascii")
    if seal is not None:
        sealed.write_records(path, [value], seal.passphrase)
        return value
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(value + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return value


def read_passphrase(data_dir: Path, seal: sealed.SealKey | None = None) -> bytes:
    """The CA passphrase: for an encrypted centre (``seal``) from its sealed file if it has
    one, else (its CA was made while it was plain) from the clear file, which the caller
    seals with ``seal_clear`` once it has proved to open this centre's CA."""
    clear = passphrase_path(data_dir)
    path = passphrase_path(data_dir, seal)
    if seal is not None and path.exists():
        records = sealed.read_records(path, seal.passphrase)
        value = records[0].strip() if records else b""
    else:
        try:
            value = clear.read_bytes().strip()
        except FileNotFoundError:
            raise UserError(
                f"This workstation cannot issue signing certificates: the centre's CA passphrase file "
                f"{path} is missing. Copy it from the workstation that created the centre's CA."
            ) from None
    if not value:
        raise UserError(f"{path} is empty.")
    return value


def seal_clear(data_dir: Path, seal: sealed.SealKey | None) -> None:
    """An encrypted centre's CA passphrase still in the clear file is sealed in place: the
    sealed copy written (a temporary file, fsync, rename), then the clear one removed, so a
    copy of the data folder alone no longer gives it."""
    clear = passphrase_path(data_dir)
    if seal is None or passphrase_path(data_dir, seal).exists() or not clear.exists():
        return
    value = read_passphrase(data_dir)
    sealed.write_records(passphrase_path(data_dir, seal), [value], seal.passphrase)
    clear.unlink()
    sync_folder(clear.parent)


def reseal_passphrase(data_dir: Path, old: sealed.SealKey | None, new: sealed.SealKey | None) -> None:
    """An encrypted centre's sealed file written again under ``new`` (None: back in the clear
    file) as its database changes passphrase. Without a sealed file there is nothing to do:
    a clear one is sealed at its first use (``seal_clear``)."""
    reseal_check(data_dir, old, new)
    if old is None or not passphrase_path(data_dir, old).exists():
        return
    value = read_passphrase(data_dir, old)
    if new is not None:
        sealed.write_records(passphrase_path(data_dir, new), [value], new.passphrase)
    else:
        sealed.write_atomically(passphrase_path(data_dir), value + b"\n")
    if passphrase_path(data_dir, old) != passphrase_path(data_dir, new):
        passphrase_path(data_dir, old).unlink()
        sync_folder(data_dir / "signing")


def reseal_check(data_dir: Path, old: sealed.SealKey | None, new: sealed.SealKey | None) -> None:
    """Refuses, before anything changes, a sealed file that ``old`` does not open, and a
    write back in clear over another centre's clear file."""
    if old is None or not passphrase_path(data_dir, old).exists():
        return
    read_passphrase(data_dir, old)
    if new is None and passphrase_path(data_dir).exists():
        raise UserError(
            f"{passphrase_path(data_dir)} belongs to another centre in this data folder; this "
            "centre's CA passphrase cannot be written back in clear beside it. Nothing was changed."
        )
