"""One bundle file: named byte streams, encrypted under the centre passphrase and signed
by the person who exported them, written and read as streams.

``write_bundle`` writes one atomically; ``open_bundle`` checks one whole and then hands
out its members one after another as streams. The bytes are in ``layout`` (and
``docs/bundles.md``); the refusals in ``refusals``; the signer's check in ``trust``.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from naas_centre.exchange import layout, trust
from naas_centre.exchange.layout import DATA, END, LAST, NAME, Header, KdfCost
from naas_centre.exchange.reading import Walker
from naas_centre.exchange.refusals import (
    BadMember,
    BadSignature,
    BundleRefused,
    NewerFormat,
    NotABundle,
    OtherCentre,
    Revoked,
    Tampered,
    Truncated,
    Untrusted,
    WrongKind,
    WrongPassphrase,
)
from naas_centre.exports.atomic import check_target, replacing
from naas_centre.signing import ca

if TYPE_CHECKING:
    from naas_centre.signing.pdf import SignerIdentity


class Readable(Protocol):
    """What a member's source must do: an open binary file, ``io.BytesIO``, a pipe, a ``Member``."""

    def read(self, size: int = -1, /) -> bytes: ...


Source = Readable | bytes


@dataclass(frozen=True)
class MemberInfo:
    name: str
    size: int


@dataclass(frozen=True)
class BundleInfo:
    """What a bundle holds and who made it (the same whether just written or just opened)."""

    path: Path
    kind: str
    centre_id: str
    created: datetime
    signer: str  # "Sarah Khan (Centre manager)"
    signer_account_id: str | None  # the subject serialNumber the centre CA wrote
    certificate: x509.Certificate
    members: tuple[MemberInfo, ...]
    size: int
    digest: str  # SHA-256, hex, of everything before the trailer: what was signed


# Writing ----------------------------------------------------------------------------


def write_bundle(
    target: Path,
    kind: str,
    centre_id: str,
    members: Iterable[tuple[str, Source]],
    passphrase: str,
    signer: ca.Issued,
    *,
    cost: KdfCost = layout.DEFAULT_KDF,
    chunk_size: int = layout.CHUNK,
    now: datetime | None = None,
) -> BundleInfo:
    """Writes ``members`` (name, bytes or a binary stream read to its end) to ``target``.

    ``signer`` is the exporting person's certificate and unlocked key (as
    ``naas_centre.signing.ca.Issued``; ``signer_of`` makes one from a ``SignerIdentity``).
    Memory stays at about two chunks whatever the sizes. The file appears whole or not at
    all: on any error (a bad member name, a full disk) ``target`` is as it was.
    """
    target = Path(target)
    if not layout.check_kind(kind):
        raise BundleRefused(f"{kind!r} is not a bundle kind (lower-case letters, digits and '-').")
    if not centre_id or len(centre_id) > 200:
        raise BundleRefused("A bundle needs the centre's id (at most 200 characters).")
    if not passphrase:
        raise BundleRefused("A bundle needs the centre passphrase; none was given.")
    if not layout.MIN_CHUNK <= chunk_size <= layout.MAX_CHUNK:
        raise BundleRefused(f"A chunk size of {chunk_size} bytes is out of range.")
    if cost.check() is not None:
        raise BundleRefused(f"scrypt costs {cost} are out of range.")
    _check_signer(signer)
    try:
        check_target(target)
    except OSError as exc:
        raise BundleRefused(f"{target}: {exc.strerror or exc}; nothing was written.") from None
    created = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    header = Header(
        kind=kind,
        centre_id=centre_id,
        created=created,
        certificate_der=signer.certificate.public_bytes(serialization.Encoding.DER),
        salt=secrets.token_bytes(16),
        cost=cost,
        chunk_size=chunk_size,
    )
    aead = AESGCM(layout.derive_key(passphrase, header.salt, cost))
    try:
        with replacing(target) as tmp, open(tmp, "wb") as fh:
            listing, digest, size = _write(fh, header, aead, members, signer.key)
    except OSError as exc:
        raise BundleRefused(
            f"{target}: the bundle could not be written ({exc.strerror or exc}); nothing was changed."
        ) from None
    return _info(target, header, signer.certificate, listing, size, digest)


def signer_of(identity: SignerIdentity) -> ca.Issued:
    """The certificate and key of a signer unlocked by ``certificates.unlock_signer``."""
    return ca.Issued(ca.load_pem(identity.cert_pem), ca.key_from_der(identity.key_der))


def _check_signer(signer: ca.Issued) -> None:
    public = signer.certificate.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.public_numbers() != (
        signer.key.public_key().public_numbers()
    ):
        raise BundleRefused("The signing key given does not belong to the signer's certificate.")


class _Out:
    """The file being written, hashed as it goes (everything before the trailer is signed)."""

    def __init__(self, fh: BinaryIO, header_digest: bytes, aead: AESGCM) -> None:
        self.fh, self.header_digest, self.aead = fh, header_digest, aead
        self.hash = hashes.Hash(hashes.SHA256())
        self.size = 0

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.hash.update(data)
        self.size += len(data)

    def record(self, kind: int, member: int, chunk: int, plain: bytes | memoryview) -> None:
        sealed = self.aead.encrypt(
            layout.nonce(kind, member, chunk),
            plain,
            layout.associated(self.header_digest, kind, member, chunk),
        )
        self.write(layout.RECORD.pack(kind, len(sealed)))
        self.write(sealed)


def _write(
    fh: BinaryIO,
    header: Header,
    aead: AESGCM,
    members: Iterable[tuple[str, Source]],
    key: ec.EllipticCurvePrivateKey,
) -> tuple[list[MemberInfo], bytes, int]:
    pre = layout.preamble(header.encode())
    header_digest = layout.header_digest(pre)
    out = _Out(fh, header_digest, aead)
    out.write(pre)
    out.write(aead.encrypt(layout.KEY_CHECK_NONCE, b"", layout.KEY_CHECK_CONTEXT + header_digest))
    listing: list[MemberInfo] = []
    seen: set[str] = set()
    for index, (name, source) in enumerate(members):
        encoded = _member_name(name, seen)
        if index >= layout.MAX_MEMBERS:
            raise BadMember("A bundle holds at most 2**32 - 2 members.")
        out.record(NAME, index, 0, encoded)
        size, chunk = 0, 1
        for piece, last in _pieces(source, header.chunk_size):
            if chunk > 0xFFFFFFFF:
                raise BadMember(f"Member {name!r} is too large for one bundle.")
            out.record(LAST if last else DATA, index, chunk, piece)
            size += len(piece)
            chunk += 1
        listing.append(MemberInfo(name, size))
    out.record(END, len(listing), 0, json.dumps({"members": len(listing)}).encode("ascii"))
    digest = out.hash.finalize()
    signature = key.sign(layout.signed_message(digest), ec.ECDSA(hashes.SHA256()))
    tail = digest + layout.SIG_LENGTH.pack(len(signature)) + signature
    size = out.size + len(tail) + layout.FOOTER.size
    fh.write(tail + layout.FOOTER.pack(size, layout.END_MARK))
    return listing, digest, size


def _member_name(name: str, seen: set[str]) -> bytes:
    """A member's name as UTF-8: a relative path with '/' between parts, nothing that
    could climb out of a folder if a reader unpacked it there, each name once."""
    parts = name.split("/")
    if (
        not name
        or any(part in ("", ".", "..") for part in parts)
        or any(ord(c) < 32 or c in "\\\x7f" for c in name)
    ):
        raise BadMember(
            f"{name!r} cannot name a bundle member (use a relative path such as 'tables/sittings.json')."
        )
    if name in seen:
        raise BadMember(f"{name!r} is given twice; each bundle member needs its own name.")
    encoded = name.encode("utf-8")
    if len(encoded) > layout.MAX_NAME:
        raise BadMember(f"{name[:60]!r}... is too long for a bundle member's name.")
    seen.add(name)
    return encoded


def _read_full(source: Readable, size: int) -> bytes:
    """Up to ``size`` bytes, fewer only at the end (a pipe or socket may return less)."""
    first = source.read(size)
    if not first or len(first) == size:
        return first or b""
    parts = [first]
    got = len(first)
    while got < size:
        more = source.read(size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _pieces(source: Source, size: int) -> Iterator[tuple[bytes | memoryview, bool]]:
    """The source in chunks of ``size``, each with whether it is the last (read one ahead,
    so a member that ends on a chunk boundary still ends with a LAST chunk)."""
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        if not view:
            yield b"", True
        for start in range(0, len(view), size):
            yield view[start : start + size], start + size >= len(view)
        return
    current = _read_full(source, size)
    while True:
        following = _read_full(source, size) if len(current) == size else b""
        yield current, not following
        if not following:
            return
        current = following


def _info(
    path: Path,
    header: Header,
    cert: x509.Certificate,
    listing: Sequence[MemberInfo],
    size: int,
    digest: bytes,
) -> BundleInfo:
    return BundleInfo(
        path=path,
        kind=header.kind,
        centre_id=header.centre_id,
        created=header.created,
        signer=trust.describe(cert),
        signer_account_id=ca.unique_id(cert),
        certificate=cert,
        members=tuple(listing),
        size=size,
        digest=digest.hex(),
    )


# Reading ----------------------------------------------------------------------------


def open_bundle(
    path: Path,
    passphrase: str,
    trusted_cas: Sequence[x509.Certificate],
    expected_centre_id: str,
    *,
    crls: Sequence[x509.CertificateRevocationList] = (),
    expected_kind: str | None = None,
) -> Bundle:
    """The bundle at ``path``, checked whole before anything is handed out.

    One pass over the file checks its structure, its digest, the signature, the signer's
    certificate (issued by one of ``trusted_cas``, on none of ``crls``), the centre, the
    kind, the passphrase, and opens every chunk. Only then is a ``Bundle`` returned, and
    ``Bundle.members`` reads the file a second time, opening each chunk again as it hands
    it out. A file changed on disk between the two passes raises ``Tampered`` at the
    changed chunk or, at the latest, when the last member has been read: a caller that
    stores what it reads should commit only once ``members`` has run to its end.

    ``trust.from_database(db)`` gives ``trusted_cas`` and ``crls`` of a centre database.
    Every refusal is a ``BundleRefused`` naming the file; nothing is changed anywhere.
    """
    path = Path(path)
    fh = _open(path)
    try:
        return _check(path, fh, passphrase, trusted_cas, crls, expected_centre_id, expected_kind)
    except BaseException:
        fh.close()
        raise


def _open(path: Path) -> BinaryIO:
    try:
        fh = open(path, "rb")  # noqa: SIM115  (the Bundle owns it until closed)
    except FileNotFoundError:
        raise BundleRefused(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise BundleRefused(f"{path} is a folder, not a bundle file.") from None
    except OSError as exc:
        raise BundleRefused(f"{path}: {exc.strerror or exc}.") from None
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
        fh.close()
        raise NotABundle(path, "not a regular file")
    return fh


@dataclass
class _Scan:
    header: Header
    header_digest: bytes
    key_opens: bool
    members: list[MemberInfo]
    damaged: str | None  # the first chunk that did not open, when the key did
    digest: bytes
    stored_digest: bytes
    signature: bytes
    data_start: int


def _check(
    path: Path,
    fh: BinaryIO,
    passphrase: str,
    trusted_cas: Sequence[x509.Certificate],
    crls: Sequence[x509.CertificateRevocationList],
    expected_centre_id: str,
    expected_kind: str | None,
) -> Bundle:
    scan, aead = _scan(path, fh, passphrase)
    if scan.digest != scan.stored_digest:
        raise Tampered(path, "its contents do not match the digest it carries")
    try:
        cert = x509.load_der_x509_certificate(scan.header.certificate_der)
        public = cert.public_key()
    except ValueError:
        raise Tampered(path, "its signer's certificate cannot be read") from None
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise Untrusted(
            path, trust.describe(cert), "that certificate is not of the kind the centre CA issues"
        )
    try:
        public.verify(scan.signature, layout.signed_message(scan.digest), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise BadSignature(path, trust.describe(cert)) from None
    header = scan.header
    if header.centre_id != expected_centre_id:
        raise OtherCentre(path, trust.organisation(cert) or f"centre id {header.centre_id}")
    found = trust.problem(cert, trusted_cas, crls, header.created)
    if found is not None:
        why, revoked = found
        raise (Revoked if revoked else Untrusted)(path, trust.describe(cert), why)
    if expected_kind is not None and header.kind != expected_kind:
        raise WrongKind(path, header.kind, expected_kind)
    if not scan.key_opens:
        raise WrongPassphrase(path)
    if scan.damaged is not None:
        raise Tampered(path, scan.damaged)
    size = os.fstat(fh.fileno()).st_size
    info = _info(path, header, cert, scan.members, size, scan.digest)
    return Bundle(info, fh, aead, scan.header_digest, scan)


def _scan(path: Path, fh: BinaryIO, passphrase: str) -> tuple[_Scan, AESGCM]:
    """The first pass: structure, digest, and every chunk opened (when the key opens)."""
    size = os.fstat(fh.fileno()).st_size
    head = fh.read(len(layout.MAGIC))
    if head != layout.MAGIC:
        if len(head) < len(layout.MAGIC) and layout.MAGIC.startswith(head):
            raise Truncated(path, size)
        raise NotABundle(path)
    walker = Walker(path, fh, size, head)
    version, complement, header_length = layout.PREAMBLE.unpack(walker.take(layout.PREAMBLE.size))
    if complement != version ^ 0xFFFF:
        raise Tampered(path, "its format version is damaged")
    if version > layout.VERSION:
        raise NewerFormat(path, version, layout.VERSION)
    if version < 1:
        raise Tampered(path, f"format version {version} never existed")
    if not 0 < header_length <= layout.MAX_HEADER:
        raise Tampered(path, "its header length is impossible")
    raw = walker.take(header_length)
    try:
        header = Header.decode(raw)
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise Tampered(path, f"its header cannot be read: {exc}") from None
    cost_problem = header.cost.check()
    if cost_problem is not None:
        raise Tampered(path, cost_problem)
    header_digest = layout.header_digest(layout.preamble(raw))
    aead = AESGCM(layout.derive_key(passphrase, header.salt, header.cost))
    check = walker.take(layout.TAG)
    try:
        aead.decrypt(layout.KEY_CHECK_NONCE, check, layout.KEY_CHECK_CONTEXT + header_digest)
        key_opens = True
    except InvalidTag:
        key_opens = False
    data_start = walker.position
    members: list[MemberInfo] = []
    damaged: str | None = None
    for record in walker.records(header.chunk_size):
        if not key_opens or damaged is not None:
            continue  # the structure is still walked: a cut or a changed byte is found either way
        try:
            plain = aead.decrypt(
                layout.nonce(record.kind, record.member, record.chunk),
                record.sealed,
                layout.associated(header_digest, record.kind, record.member, record.chunk),
            )
        except InvalidTag:
            damaged = f"{record.where} does not open"
            continue
        if record.kind == NAME:
            try:
                members.append(MemberInfo(plain.decode("utf-8"), 0))
            except UnicodeDecodeError:
                damaged = f"{record.where} holds no name"
        elif record.kind in (DATA, LAST):
            last = members[-1]
            members[-1] = MemberInfo(last.name, last.size + len(plain))
    digest = walker.digest()
    stored, signature = walker.trailer()
    return (
        _Scan(header, header_digest, key_opens, members, damaged, digest, stored, signature, data_start),
        aead,
    )


class Bundle:
    """An opened, checked bundle. Use it as a context manager (it holds the file open),
    and read its members in order with ``members``."""

    def __init__(
        self, info: BundleInfo, fh: BinaryIO, aead: AESGCM, header_digest: bytes, scan: _Scan
    ) -> None:
        self.info = info
        self._fh, self._aead, self._header_digest = fh, aead, header_digest
        self._data_start, self._digest = scan.data_start, scan.digest
        self._chunk_size = scan.header.chunk_size
        self._reading = False

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._fh.close()

    def members(self) -> Iterator[Member]:
        """Each member in turn, as a readable binary stream (``read``, ``shutil.copyfileobj``).

        Members come in the order they were written, and the file is read once: a member
        not read to its end is skipped when the next one is asked for. Each chunk is
        opened again as it is read; ``Tampered`` here means the file changed on disk since
        ``open_bundle`` checked it, and whatever was read from it must be thrown away.
        """
        if self._reading:
            raise RuntimeError("a bundle's members are read once, in order")
        self._reading = True
        self._fh.seek(0)
        head = self._fh.read(len(layout.MAGIC))
        size = os.fstat(self._fh.fileno()).st_size
        walker = Walker(self.info.path, self._fh, size, head, rereading=True)
        walker.take(self._data_start - len(head))
        opened = self._opened(walker)
        for kind, plain in opened:
            if kind == END:
                break
            member = Member(plain.decode("utf-8"), opened)
            yield member
            member.skip_rest()
        if walker.digest() != self._digest:
            raise Tampered(self.info.path, "it changed while being read")

    def _opened(self, walker: Walker) -> Iterator[tuple[int, bytes]]:
        for record in walker.records(self._chunk_size):
            try:
                yield (
                    record.kind,
                    self._aead.decrypt(
                        layout.nonce(record.kind, record.member, record.chunk),
                        record.sealed,
                        layout.associated(self._header_digest, record.kind, record.member, record.chunk),
                    ),
                )
            except InvalidTag:
                raise Tampered(
                    self.info.path, f"it changed while being read: {record.where} no longer opens"
                ) from None

    def __repr__(self) -> str:
        return f"Bundle({self.info.path!s}, {self.info.kind}, {len(self.info.members)} members)"


class Member(io.RawIOBase):
    """One member's bytes, opened chunk by chunk as they are read."""

    def __init__(self, name: str, chunks: Iterator[tuple[int, bytes]]) -> None:
        super().__init__()
        self.name = name
        self._chunks = chunks
        self._buffer = memoryview(b"")
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer and not self._ended:
            kind, plain = next(self._chunks)
            self._buffer, self._ended = memoryview(plain), kind == LAST
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def skip_rest(self) -> None:
        """Passes over what is left of this member (still opening each chunk)."""
        self._buffer = memoryview(b"")
        while not self._ended:
            kind, _ = next(self._chunks)
            self._ended = kind == LAST

    def __repr__(self) -> str:
        return f"Member({self.name!r})"
