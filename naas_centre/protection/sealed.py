"""Files sealed under the centre database's passphrase: AES-256-GCM, one line per record.

A sealed file is text. Its first line is the header::

    naas-sealed:{"check":"…","kdf":"scrypt","n":32768,"p":1,"r":8,"salt":"…","v":1}

and every line after it is one record: base64 of a fresh 12-byte nonce followed by the
AES-GCM ciphertext and tag, authenticated together with the header line (so a record
cannot be moved to another file, nor the header's costs lowered). ``check`` is an empty
record: a wrong passphrase is told at once, even in a file with no records yet.

The key is scrypt over the passphrase with the header's random salt, derived once per
run for a given passphrase and salt and then cached, and a new file at a path already
sealed in this run takes the same salt, so appending never derives a key again. Records
are sealed one by one, each with its own nonce: a crash while one is written tears that
line only, and the reader skips a torn last line (one with no line end), as it does for
the clear journal. A record that fails its tag anywhere else, or a wrong passphrase, is
one plain error: :class:`SealError`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from db.durable import sync_folder
from naas_centre.errors import UserError

MAGIC = b"naas-sealed:"
VERSION = 1
# scrypt at 32 MiB: about a tenth of a second, paid once per run and file.
_N, _R, _P = 2**15, 8, 1
_NONCE = 12

# (passphrase, salt, n, r, p) -> key; and, per path, the salt of a file made in this run.
_keys: dict[tuple[str, bytes, int, int, int], bytes] = {}
_salts: dict[Path, bytes] = {}


@dataclass(frozen=True)
class SealKey:
    """What a file of one encrypted database is sealed under: its passphrase, and the
    database's file name, which names the sealed files that belong to it."""

    passphrase: str
    tag: str


class SealError(UserError):
    """A sealed file that this passphrase does not open, or that was altered."""


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


def file_is_sealed(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return is_sealed(fh.read(len(MAGIC)))
    except OSError:
        return False


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    cached = _keys.get((passphrase, salt, n, r, p))
    if cached is None:
        cached = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
        _keys[(passphrase, salt, n, r, p)] = cached
    return cached


@dataclass(frozen=True)
class Sealer:
    """The key of one sealed file, with the header line its records are bound to."""

    header: bytes  # the first line, without its line end
    aead: AESGCM

    def seal(self, plain: bytes) -> bytes:
        """One record line (with its line end)."""
        nonce = secrets.token_bytes(_NONCE)
        return base64.b64encode(nonce + self.aead.encrypt(nonce, plain, self.header)) + b"\n"

    def open(self, line: bytes, where: Path) -> bytes:
        """The clear bytes of one record line (its line end already removed)."""
        try:
            raw = base64.b64decode(line, validate=True)
            if len(raw) < _NONCE + 16:
                raise ValueError("short")
            return self.aead.decrypt(raw[:_NONCE], raw[_NONCE:], self.header)
        except (ValueError, binascii.Error, InvalidTag):
            raise SealError(f"{where}: a sealed record was altered or damaged; it cannot be read") from None


def new_sealer(path: Path, passphrase: str) -> Sealer:
    """A sealer for a new file at ``path`` (its salt the one used there before in this run)."""
    key_path = Path(os.path.abspath(path))
    salt = _salts.setdefault(key_path, secrets.token_bytes(16))
    aead = AESGCM(_derive(passphrase, salt, _N, _R, _P))
    fields: dict[str, object] = {"kdf": "scrypt", "n": _N, "r": _R, "p": _P, "v": VERSION, "salt": _b64(salt)}
    # The check record is bound to the rest of the header, which it then joins.
    base = MAGIC + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("ascii")
    nonce = secrets.token_bytes(_NONCE)
    fields["check"] = _b64(nonce + aead.encrypt(nonce, b"", base))
    header = MAGIC + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("ascii")
    return Sealer(header, aead)


def sealer_of(header: bytes, passphrase: str, where: Path) -> Sealer:
    """The sealer of an existing file, from its header line; a wrong passphrase is refused."""
    try:
        fields = json.loads(header[len(MAGIC) :])
        version, n, r, p = fields["v"], fields["n"], fields["r"], fields["p"]
        salt = base64.b64decode(fields["salt"], validate=True)
        check = base64.b64decode(fields.pop("check"), validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise SealError(f"{where}: the sealed file's header is damaged; it cannot be read") from None
    if version != VERSION:
        raise SealError(f"{where} was sealed by a newer version of naas-centre; it cannot be read here")
    if fields.get("kdf") != "scrypt" or not all(isinstance(v, int) for v in (n, r, p)):
        raise SealError(f"{where}: the sealed file's header is damaged; it cannot be read")
    if not (2**14 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16) or len(salt) < 16:
        raise SealError(f"{where}: the sealed file's header has implausible costs; it cannot be read")
    aead = AESGCM(_derive(passphrase, salt, n, r, p))
    base = MAGIC + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("ascii")
    try:
        aead.decrypt(check[:_NONCE], check[_NONCE:], base)
    except InvalidTag:
        raise SealError(
            f"{where}: the database's passphrase does not open this sealed file (or it was altered)"
        ) from None
    return Sealer(header, aead)


def read_records(path: Path, passphrase: str) -> list[bytes]:
    """Every whole record of a sealed file, in order; a torn last line is skipped.

    A file torn inside its header (a crash while the first write was made) holds nothing.
    """
    lines = path.read_bytes().split(b"\n")
    tail = lines.pop()  # after the last line end: empty, or a line a crash cut short
    if not lines:
        return []
    sealer = sealer_of(lines[0], passphrase, path)
    records = [sealer.open(line, path) for line in lines[1:]]
    if tail:
        with contextlib.suppress(SealError):
            records.append(sealer.open(tail, path))  # whole but for its line end
    return records


def cut_torn_tail(path: Path) -> None:
    """Drops a last line with no line end (a crash while it was written), so that the next
    record starts a line of its own. Reads back from the end only as far as it must."""
    with open(path, "r+b") as fh:
        end = fh.seek(0, os.SEEK_END)
        if end == 0:
            return
        fh.seek(end - 1)
        if fh.read(1) == b"\n":
            return
        pos = end
        while pos > 0:
            step = min(65536, pos)
            fh.seek(pos - step)
            chunk = fh.read(step)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                fh.truncate(pos - step + cut + 1)
                return
            pos -= step
        fh.truncate(0)


def sealer_for_append(path: Path, passphrase: str) -> tuple[Sealer, bool]:
    """The sealer to append to ``path`` with, and whether its header must be written first."""
    try:
        with open(path, "rb") as fh:
            header = fh.readline()
    except FileNotFoundError:
        header = b""
    if not header.endswith(b"\n"):
        return new_sealer(path, passphrase), True  # none yet (a torn one was cut off)
    return sealer_of(header.rstrip(b"\n"), passphrase, path), False


def write_records(path: Path, records: list[bytes], passphrase: str) -> None:
    """``path`` written anew, sealed, owner-only: a temporary file, fsync, then a rename."""
    sealer = new_sealer(path, passphrase)
    body = sealer.header + b"\n" + b"".join(sealer.seal(r) for r in records)
    write_atomically(path, body)


def write_atomically(path: Path, body: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)  # a stale temporary file may have been made looser
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    sync_folder(path.parent)


def forget() -> None:
    """Drops every cached key (as ``db.cipher.forget`` drops the passphrases)."""
    _keys.clear()
    _salts.clear()
