"""The bundle file format, version 1: constants, the header, nonces, associated data and
the key derivation. ``docs/bundles.md`` describes the same bytes for other readers.

::

    preamble   magic (16) | version u16 | ~version u16 | header length u32 | header (JSON)
    key check  16-byte AES-GCM tag of nothing, proving the passphrase
    records    kind u8 | length u32 | AES-256-GCM ciphertext and tag, one per chunk
    trailer    SHA-256 of all above (32) | signature length u16 | signature |
               file length u64 | end mark (8)

All integers are big-endian.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

VERSION = 1
# PNG's trick: a high byte catches 7-bit transfers, CR LF and LF catch line-ending
# conversion, ^Z stops a DOS "type".
MAGIC = b"\x89NAAS-BUNDLE\r\n\x1a\n"
END_MARK = b"\x00NAASEND"
FORMAT_NAME = "naas-centre bundle"
CIPHER = "AES-256-GCM"

PREAMBLE = struct.Struct(">HHI")  # version, its complement, header length
RECORD = struct.Struct(">BI")  # kind, ciphertext length
FOOTER = struct.Struct(">Q8s")  # file length, end mark
SIG_LENGTH = struct.Struct(">H")
TAG = 16
DIGEST = 32
MAX_HEADER = 64 * 1024
MAX_SIGNATURE = 1024
MAX_MEMBERS = 2**32 - 2  # member index 2**32 - 1 is the key check's
MAX_NAME = 1024

CHUNK = 1024 * 1024
MIN_CHUNK, MAX_CHUNK = 4096, 16 * 1024 * 1024

# Record kinds: a member is NAME, then DATA chunks, then exactly one LAST (possibly
# empty); after the last member one END, whose member index is the member count.
NAME, DATA, LAST, END = 1, 2, 3, 4
KINDS = (NAME, DATA, LAST, END)

SIGNATURE_CONTEXT = b"naas-centre bundle v1 signature\x00"
KEY_CHECK_CONTEXT = b"naas-centre bundle v1 key check\x00"
KEY_CHECK_NONCE = b"\xff" * 12

_KIND_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")


@dataclass(frozen=True)
class KdfCost:
    """scrypt's costs: memory is 128 * n * r bytes (128 MiB by default, about 0.35 s here),
    so each passphrase guess costs an attacker the same."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    def check(self) -> str | None:
        """Why a reader refuses these costs (a file could ask for any), or None."""
        if self.n < 2 or self.n & (self.n - 1) or self.n > 2**20:
            return "its key derivation asks for an impossible cost"
        if not (1 <= self.r <= 32 and 1 <= self.p <= 16) or 128 * self.n * self.r > 1024**3:
            return "its key derivation asks for an impossible cost"
        return None


DEFAULT_KDF = KdfCost()


def derive_key(passphrase: str, salt: bytes, cost: KdfCost) -> bytes:
    # NFC: the same passphrase typed on two systems' keyboards gives the same bytes.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=32, n=cost.n, r=cost.r, p=cost.p).derive(secret)


def nonce(kind: int, member: int, chunk: int) -> bytes:
    """96 bits: member index u32 | chunk index u32 | kind u8 | three zero bytes. Unique
    per chunk under a key that is itself unique per bundle (a fresh salt)."""
    return struct.pack(">IIB3x", member, chunk, kind)


def associated(header_digest: bytes, kind: int, member: int, chunk: int) -> bytes:
    """What a chunk's tag binds besides its bytes: the header (by digest), the chunk's
    kind (so whether it is its member's last), its member and its place."""
    return header_digest + struct.pack(">BII", kind, member, chunk)


def check_kind(kind: str) -> bool:
    return bool(_KIND_NAME.fullmatch(kind))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text, validate=True)


@dataclass(frozen=True)
class Header:
    kind: str
    centre_id: str
    created: datetime
    certificate_der: bytes
    salt: bytes
    cost: KdfCost
    chunk_size: int

    def encode(self) -> bytes:
        """Canonical JSON (sorted keys, no spaces); readers use the bytes as they are."""
        doc = {
            "format": FORMAT_NAME,
            "kind": self.kind,
            "centre_id": self.centre_id,
            "created": self.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "certificate": b64(self.certificate_der),
            "kdf": {
                "name": "scrypt",
                "n": self.cost.n,
                "r": self.cost.r,
                "p": self.cost.p,
                "salt": b64(self.salt),
            },
            "cipher": CIPHER,
            "chunk_size": self.chunk_size,
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    @classmethod
    def decode(cls, raw: bytes) -> Header:
        """The header, or ValueError saying what is wrong with it."""
        doc = json.loads(raw.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
            raise ValueError("the header is not a bundle header")
        if doc.get("cipher") != CIPHER:
            raise ValueError(f"unknown cipher {doc.get('cipher')!r}")
        kdf = doc.get("kdf")
        if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
            raise ValueError("unknown key derivation")
        numbers = (kdf.get("n"), kdf.get("r"), kdf.get("p"), doc.get("chunk_size"))
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in numbers):
            raise ValueError("a number in the header is not a number")
        kind, centre_id, created = doc.get("kind"), doc.get("centre_id"), doc.get("created")
        if not (isinstance(kind, str) and isinstance(centre_id, str) and isinstance(created, str)):
            raise ValueError("a text in the header is not text")
        chunk_size = int(doc["chunk_size"])
        if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
            raise ValueError("the chunk size is out of range")
        when = datetime.fromisoformat(created.replace("Z", "+00:00"))
        if when.tzinfo is None:
            raise ValueError("the creation time has no time zone")
        return cls(
            kind=kind,
            centre_id=centre_id,
            created=when,
            certificate_der=unb64(doc.get("certificate")),
            salt=unb64(kdf.get("salt")),
            cost=KdfCost(int(kdf["n"]), int(kdf["r"]), int(kdf["p"])),
            chunk_size=chunk_size,
        )


def preamble(header: bytes) -> bytes:
    return MAGIC + PREAMBLE.pack(VERSION, VERSION ^ 0xFFFF, len(header)) + header


def header_digest(preamble_bytes: bytes) -> bytes:
    return hashlib.sha256(preamble_bytes).digest()


def signed_message(digest: bytes) -> bytes:
    """What the signer signs (ECDSA with SHA-256): a context and the digest of every byte
    before the trailer, the header included."""
    return SIGNATURE_CONTEXT + digest
