"""Signed checkpoints of the audit trail, kept where a rewrite of the database cannot reach.

A checkpoint is the head of this database's chain (its id, the place and hash of its last
entry, that entry's time, the centre's id) signed with a key the database does not hold:
the signer's own certificate key when a person signs a report or a bundle, and the
workstation's key (a file in the data folder, its owner's alone) when the app closes.
Each is appended as one JSON line to ``<database>.checkpoints`` beside the database and
made durable before the call returns; a signed report and a bundle carry their own copy.

``check`` proves the chain still extends every checkpoint: the entry at each place still
has the hash that was signed, and since every entry's hash covers the one before it,
nothing before it changed either. Entries cut from the end, a history rewritten and
re-hashed, or the whole chain replaced are caught whenever a checkpoint is later than what
was removed or rewritten. Not caught: entries added after the newest checkpoint (they are
counted, so a reader sees how much of the trail no checkpoint vouches for yet), and a
truncation to before the newest checkpoint when the checkpoint file was deleted too; then
only a report or bundle holding a later checkpoint shows it.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import load_pem_x509_certificate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database, sqlite_path
from db.models import AuditChainRow, AuditEntryRow, CentreRow
from naas_centre.errors import UserError

VERSION = 1
SUFFIX = ".checkpoints"
KEY_FILE = "checkpoint-key.pem"
WORKSTATION = "workstation"
PERSON = "person"
# Why a checkpoint was taken.
CLOSE = "close"
REPORT = "report"
BUNDLE = "bundle"


class CheckpointRefused(UserError):
    """A checkpoint that cannot be read or whose signature does not hold."""


@dataclass(frozen=True)
class Head:
    """The last entry of a database's own chain, and whose database it is."""

    centre_id: str
    chain_id: str
    seq: int  # the entry's place in its chain (0: no entry yet)
    hash: str
    at: str  # the entry's time, ISO 8601 ('' for an empty chain)


@dataclass(frozen=True)
class Checkpoint:
    head: Head
    reason: str
    signed_at: str
    signer: str  # WORKSTATION or PERSON
    key: str  # PEM: the workstation's public key, or the person's certificate
    signature: str  # base64 ECDSA-SHA256 over ``body()``

    def fields(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "centre_id": self.head.centre_id,
            "chain_id": self.head.chain_id,
            "seq": self.head.seq,
            "hash": self.head.hash,
            "at": self.head.at,
            "reason": self.reason,
            "signed_at": self.signed_at,
            "signer": self.signer,
            "key": self.key,
        }

    def body(self) -> bytes:
        return _canonical(self.fields()).encode()

    def to_json(self) -> dict[str, Any]:
        return self.fields() | {"signature": self.signature}

    def line(self) -> bytes:
        return _canonical(self.to_json()).encode() + b"\n"

    def public_key(self) -> ec.EllipticCurvePublicKey:
        raw = self.key.encode()
        loaded = (
            load_pem_x509_certificate(raw).public_key()
            if self.signer == PERSON
            else serialization.load_pem_public_key(raw)
        )
        if not isinstance(loaded, ec.EllipticCurvePublicKey):
            raise ValueError("not an elliptic-curve key")
        return loaded

    def signature_holds(self) -> bool:
        try:
            self.public_key().verify(base64.b64decode(self.signature), self.body(), ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True

    def describe(self) -> str:
        who = "the workstation" if self.signer == WORKSTATION else _common_name(self.key)
        return f"the checkpoint of {self.reason} at {self.signed_at} (signed by {who})"


def _common_name(cert_pem: str) -> str:
    try:
        from cryptography.x509.oid import NameOID

        names = load_pem_x509_certificate(cert_pem.encode()).subject.get_attributes_for_oid(
            NameOID.COMMON_NAME
        )
        return str(names[0].value) if names else "a certificate"
    except ValueError:
        return "a certificate that cannot be read"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_json(raw: object, where: str) -> Checkpoint:
    """A checkpoint read from a file, a report or a bundle; ``where`` names it in a refusal."""
    if not isinstance(raw, Mapping):
        raise CheckpointRefused(f"{where} is not a checkpoint (not a JSON object).")
    if raw.get("v") != VERSION:
        raise CheckpointRefused(f"{where} is a checkpoint of a version this app does not read.")
    texts = ("centre_id", "chain_id", "hash", "at", "reason", "signed_at", "signer", "key", "signature")
    for name in texts:
        if not isinstance(raw.get(name), str):
            raise CheckpointRefused(f"{where}: {name} is missing or not a text.")
    seq = raw.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise CheckpointRefused(f"{where}: seq is missing or not a whole number.")
    if raw["signer"] not in (WORKSTATION, PERSON):
        raise CheckpointRefused(f"{where}: signer is neither a workstation nor a person.")
    cp = Checkpoint(
        Head(str(raw["centre_id"]), str(raw["chain_id"]), seq, str(raw["hash"]), str(raw["at"])),
        str(raw["reason"]),
        str(raw["signed_at"]),
        str(raw["signer"]),
        str(raw["key"]),
        str(raw["signature"]),
    )
    if not cp.signature_holds():
        raise CheckpointRefused(f"{where}: its signature does not hold (it was altered after it was signed).")
    return cp


# -- taking one ---------------------------------------------------------------------------------


def head(session: Session) -> Head:
    """This database's chain head, as a checkpoint signs it."""
    chain_id = str(session.execute(select(AuditChainRow.chain_id)).scalar_one())
    centre_id = session.scalar(select(CentreRow.id).order_by(CentreRow.created_at).limit(1))
    last = session.execute(
        select(AuditEntryRow.chain_seq, AuditEntryRow.hash, AuditEntryRow.at)
        .where(AuditEntryRow.chain_id == chain_id)
        .order_by(AuditEntryRow.chain_seq.desc())
        .limit(1)
    ).first()
    if last is None:
        return Head(str(centre_id or ""), chain_id, 0, "0" * 64, "")
    return Head(str(centre_id or ""), chain_id, int(last[0]), str(last[1]), last[2].isoformat())


def sign(
    head_now: Head, reason: str, key: ec.EllipticCurvePrivateKey, signer: str, key_pem: str
) -> Checkpoint:
    unsigned = Checkpoint(head_now, reason, utcnow().replace(microsecond=0).isoformat(), signer, key_pem, "")
    signature = key.sign(unsigned.body(), ec.ECDSA(hashes.SHA256()))
    return Checkpoint(
        unsigned.head,
        unsigned.reason,
        unsigned.signed_at,
        signer,
        key_pem,
        base64.b64encode(signature).decode(),
    )


def sign_as_person(head_now: Head, reason: str, key_der: bytes, cert_pem: str) -> Checkpoint:
    """Signed with a person's unlocked certificate key (PKCS#8 DER), their certificate in it."""
    key = serialization.load_der_private_key(key_der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CheckpointRefused("The signing key is not an elliptic-curve key; no checkpoint was taken.")
    return sign(head_now, reason, key, PERSON, cert_pem)


def sign_with(
    head_now: Head, reason: str, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate
) -> Checkpoint:
    """Signed with a person's unlocked key, their certificate in it (a bundle's signer)."""
    return sign(head_now, reason, key, PERSON, certificate.public_bytes(serialization.Encoding.PEM).decode())


def keep(db: Database, cp: Checkpoint) -> None:
    """Appends a checkpoint taken elsewhere (a bundle's) to this database's checkpoint file."""
    path = file_of(db)
    if path is not None:
        append(path, cp)


def workstation_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    """This workstation's checkpoint key, made on first use (0600, in the data folder).

    A key of the workstation rather than one issued by the centre CA: the close of the app
    needs no one to unlock anything, and a CA-issued certificate would add nothing a rewrite
    of the database could not forge as easily as the CA row it would chain to."""
    path = data_dir / KEY_FILE
    try:
        return _load_key(path.read_bytes(), path)
    except FileNotFoundError:
        pass
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _load_key(path.read_bytes(), path)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())
    return key


def _load_key(pem: bytes, path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except ValueError:
        key = None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CheckpointRefused(f"{path} is not this workstation's checkpoint key; no checkpoint was taken.")
    return key


def public_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def file_of(db: Database) -> Path | None:
    """Where a database's checkpoints are kept: beside it (a server's database: nowhere local)."""
    path = sqlite_path(db.url)
    return None if path is None else path.with_name(path.name + SUFFIX)


def append(path: Path, cp: Checkpoint) -> None:
    """One line at the end, durable before this returns (the file and, when new, its folder)."""
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, cp.line())
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def take(
    db: Database, reason: str, *, signed_by: tuple[bytes, str] | None = None, data_dir: Path | None = None
) -> Checkpoint:
    """Signs this database's head now and appends it to its checkpoint file.

    ``signed_by`` is a person's (PKCS#8 DER key, certificate PEM); without it the
    workstation's key in ``data_dir`` signs. Only reads the database."""
    with db.read() as s:
        now = head(s)
    if signed_by is not None:
        cp = sign_as_person(now, reason, *signed_by)
    else:
        if data_dir is None:
            raise CheckpointRefused("A workstation checkpoint needs the data folder that holds its key.")
        key = workstation_key(data_dir)
        cp = sign(now, reason, key, WORKSTATION, public_pem(key))
    path = file_of(db)
    if path is not None:
        append(path, cp)
    return cp


def checkpoint(db: Database, reason: str, data_dir: Path) -> Checkpoint:
    """The workstation's checkpoint, as the app takes it when it closes."""
    return take(db, reason, data_dir=data_dir)


def at_close(db: Database, data_dir: Path) -> Checkpoint | None:
    """The checkpoint the app takes as it closes, after its last write; None when the
    file's newest checkpoint already holds this head (nothing written since) or the
    database keeps no checkpoint file (a server)."""
    path = file_of(db)
    if path is None:
        return None
    with db.read() as s:
        now = head(s)
    try:
        held = read_file(path)
    except CheckpointRefused:
        held = []  # a damaged file: append to it all the same, verify will say what is wrong
    if held and held[-1].head == now:
        return None
    return checkpoint(db, CLOSE, data_dir)


def read_file(path: Path) -> list[Checkpoint]:
    """Every checkpoint in a checkpoint file, in order (none if there is no file)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    out = []
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"line {number} of {path.name}"
        try:
            parsed = json.loads(line)
        except ValueError:
            if number == len(lines):  # a last line cut short by a crash mid-write
                break
            raise CheckpointRefused(f"{where} is not a checkpoint (not JSON).") from None
        out.append(from_json(parsed, where))
    return out


# -- checking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """How a database stands against the checkpoints it was given."""

    problem: str | None
    checked: int
    newest: Checkpoint | None  # the latest place vouched for in this database's chains
    since_newest: int  # entries of that chain after it: no checkpoint vouches for them yet


def check(session: Session, given: Iterable[tuple[str, Checkpoint]]) -> Standing:
    """That the chains held extend every checkpoint: each ``(where, checkpoint)`` names
    where it was read (a line of the file, a report) for the problem."""
    centre_id = session.scalar(select(CentreRow.id).order_by(CentreRow.created_at).limit(1))
    own = session.scalar(select(AuditChainRow.chain_id))
    checked = 0
    newest: Checkpoint | None = None
    for where, cp in given:
        h = cp.head
        if h.centre_id != str(centre_id or ""):
            return Standing(
                f"{where} is a checkpoint of another centre's database ({h.centre_id[:8]}): "
                "the database was replaced",
                checked,
                newest,
                0,
            )
        checked += 1
        if h.seq == 0:
            continue
        held = session.scalar(
            select(AuditEntryRow.hash).where(
                AuditEntryRow.chain_id == h.chain_id, AuditEntryRow.chain_seq == h.seq
            )
        )
        if held is None:
            last = int(
                session.scalar(
                    select(func.max(AuditEntryRow.chain_seq)).where(AuditEntryRow.chain_id == h.chain_id)
                )
                or 0
            )
            gone = f"entry {h.seq}" if last + 1 == h.seq else f"entries {last + 1} to {h.seq}"
            return Standing(
                f"{gone} of the trail {'is' if last + 1 == h.seq else 'are'} missing: {cp.describe()} "
                f"({where}) holds entry {h.seq}; the trail was cut back",
                checked,
                newest,
                0,
            )
        if held != h.hash:
            return Standing(
                f"entry {h.seq} of the trail is not the entry in {cp.describe()} ({where}): "
                "the trail was rewritten",
                checked,
                newest,
                0,
            )
        if h.chain_id == own and (newest is None or h.seq >= newest.head.seq):
            newest = cp
    since = 0
    if newest is not None:
        since = int(
            session.scalar(
                select(func.count())
                .select_from(AuditEntryRow)
                .where(
                    AuditEntryRow.chain_id == newest.head.chain_id, AuditEntryRow.chain_seq > newest.head.seq
                )
            )
            or 0
        )
    return Standing(None, checked, newest, since)
