"""Recordings sealed under the centre database's passphrase, written and read as a stream.

A sealed recording is binary. It opens with two header lines::

    naas-sealed-media:{"recording":"<folder name>","v":1}
    naas-sealed:{"check":"…","kdf":"scrypt",…}      (``sealed.py``'s header: salt, costs, check)

and then records, each a 4-byte big-endian length and that many bytes: a fresh 12-byte
nonce, the AES-256-GCM ciphertext and its tag. Each record is authenticated with both
header lines and its own index, so a record cannot be moved, dropped from the middle,
or taken to another recording's file, and the header's costs cannot be lowered.

The muxer of a fragmented MP4 only ever appends (it neither seeks nor asks where it is:
checked with PyAV 18 / FFmpeg 8 and ``frag_keyframe+empty_moov``), so :class:`SealingFile`
takes its bytes in order and follows the MP4's top-level boxes in them: the start (``ftyp``
and ``moov``) and then each fragment (``moof`` and its ``mdat``) is one record, sealed,
written and fsync'd as soon as its last byte arrives. A kill keeps every whole record; a
torn last record (shorter than its length says) is skipped on reading, as the plain
file's torn last fragment is. :class:`SealedMediaFile` reads it back with random access
(an index of the records' offsets, read from their lengths), which PyAV opens as a file.
"""

from __future__ import annotations

import io
import json
import os
import secrets
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag

from db.durable import sync_folder
from naas_centre.protection import sealed
from naas_centre.protection.sealed import SealError

MAGIC = b"naas-sealed-media:"
VERSION = 1
_NONCE, _TAG, _LENGTH = 12, 16, 4
_HEADER_MAX = 4096
_RECORD_MAX = 64 * 1024 * 1024  # a record is one fragment: a second of video, a few MB at most
_ENDS_RECORD = (b"moov", b"mdat")  # the box that completes the start, or a fragment
_CHUNK = 1024 * 1024


def is_sealed_media(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _damaged(path: Path) -> SealError:
    return SealError(f"{path}: a sealed record was altered or damaged; it cannot be read")


def _record_ad(header: bytes, index: int) -> bytes:
    return header + index.to_bytes(8, "big")


class SealingFile(io.RawIOBase):
    """A file PyAV writes an MP4 into; it reaches the disk only sealed, one record a box group.

    ``identity`` names the recording (its folder's name) and is bound into every record.
    """

    def __init__(self, path: Path, passphrase: str, identity: str) -> None:
        super().__init__()
        self.path = path
        sealer = sealed.new_sealer(path, passphrase)
        first = MAGIC + json.dumps({"recording": identity, "v": VERSION}, sort_keys=True).encode("utf-8")
        self._header = first + b"\n" + sealer.header + b"\n"
        self._aead = sealer.aead
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._pending = bytearray()
        self._base = 0  # where ``_pending`` starts in the clear stream
        self._next = 0  # where the box after the one being taken starts (in the clear stream)
        self._kind: bytes | None = None  # the box being taken, until it is whole
        self._lost = False  # a box of no size given: no more box ends to follow
        self._given = 0  # clear bytes taken so far: the position the muxer believes in
        self._index = 0
        self._put(self._header)

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True  # to where it is only (see ``seek``)

    def tell(self) -> int:
        return self._given

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        target = offset if whence == os.SEEK_SET else self._given + offset if whence == os.SEEK_CUR else -1
        if whence == os.SEEK_END and offset == 0:
            target = self._given
        if target != self._given:
            raise OSError(f"{self.path}: a sealed recording is written in order; it cannot seek back")
        return self._given

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self.closed:
            raise ValueError("write to a closed sealed recording")
        self._pending += data
        self._given += len(data)
        while not self._lost:
            end = self._next - self._base  # the end of the box being taken, in ``_pending``
            if end > len(self._pending):
                break  # not whole yet
            if self._kind in _ENDS_RECORD:
                self._seal(end)  # the start, or a fragment, is whole: one record
                end = 0
            self._kind = None
            if end + 8 > len(self._pending):
                break
            size = int.from_bytes(self._pending[end : end + 4], "big")
            if size == 1:
                if end + 16 > len(self._pending):
                    break
                size = int.from_bytes(self._pending[end + 8 : end + 16], "big")
            if size < 8:  # 0 (to the end of the file) or damaged: records cut by size only
                self._lost = True
                break
            self._kind = bytes(self._pending[end + 4 : end + 8])
            self._next += size
        while len(self._pending) > _RECORD_MAX:  # no box end in sight: cut at the most a record holds
            self._seal(_RECORD_MAX)
        return len(data)

    def _seal(self, upto: int) -> None:
        plain = bytes(self._pending[:upto])
        del self._pending[:upto]
        self._base += upto
        nonce = secrets.token_bytes(_NONCE)
        body = nonce + self._aead.encrypt(nonce, plain, _record_ad(self._header, self._index))
        self._index += 1
        self._put(len(body).to_bytes(_LENGTH, "big") + body)
        os.fsync(self._fd)

    def _put(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]

    def flush(self) -> None:
        pass  # a record is sealed when its box group is whole, never part of one

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self._pending:
                self._seal(len(self._pending))
            else:
                os.fsync(self._fd)
        finally:
            os.close(self._fd)
            super().close()
        sync_folder(self.path.parent)


class SealedMediaFile(io.RawIOBase):
    """A sealed recording read as its clear MP4, with random access, record by record.

    ``identity`` (by default the name of the file's folder) must be the recording the file
    was sealed for. A wrong passphrase, another recording's file or an altered record is a
    :class:`SealError` that names the file.
    """

    def __init__(self, path: Path, passphrase: str, identity: str | None = None) -> None:
        super().__init__()
        self.path = path
        self._fh = open(path, "rb")  # noqa: SIM115 (closed with this object)
        try:
            self._open(passphrase, identity if identity is not None else path.parent.name)
        except BaseException:
            self._fh.close()
            raise

    def _open(self, passphrase: str, identity: str) -> None:
        head = self._fh.read(_HEADER_MAX)
        first_end = head.find(b"\n")
        second_end = head.find(b"\n", first_end + 1)
        if not head.startswith(MAGIC) or first_end < 0 or second_end < 0:
            raise SealError(f"{self.path}: not a sealed recording, or its header is damaged")
        try:
            fields = json.loads(head[len(MAGIC) : first_end])
            version, owner = fields["v"], fields["recording"]
        except (ValueError, KeyError, TypeError):
            raise SealError(f"{self.path}: the sealed recording's header is damaged") from None
        if version != VERSION:
            raise SealError(f"{self.path} was sealed by a newer naas-centre; it cannot be read here")
        if owner != identity:
            raise SealError(f"{self.path}: this sealed file belongs to another recording ({owner!r})")
        self._aead = sealed.sealer_of(head[first_end + 1 : second_end], passphrase, self.path).aead
        self._header = head[: second_end + 1]
        # The index: where each record's body starts, and where its clear bytes start.
        self._bodies: list[tuple[int, int]] = []  # (offset in the file, length)
        self._starts: list[int] = []
        end = os.fstat(self._fh.fileno()).st_size
        at, clear = len(self._header), 0
        while at + _LENGTH <= end:
            self._fh.seek(at)
            length = int.from_bytes(self._fh.read(_LENGTH), "big")
            if length < _NONCE + _TAG or length > _RECORD_MAX + _NONCE + _TAG:
                raise _damaged(self.path)
            if at + _LENGTH + length > end:
                break  # torn: the recording was killed while this record was written
            self._bodies.append((at + _LENGTH, length))
            self._starts.append(clear)
            clear += length - _NONCE - _TAG
            at += _LENGTH + length
        self.size = clear
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    @property
    def records(self) -> int:
        return len(self._bodies)

    def record(self, index: int) -> bytes:
        """The clear bytes of one record (the last one read is kept)."""
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        offset, length = self._bodies[index]
        self._fh.seek(offset)
        body = self._fh.read(length)
        try:
            plain = self._aead.decrypt(body[:_NONCE], body[_NONCE:], _record_ad(self._header, index))
        except InvalidTag:
            raise _damaged(self.path) from None
        self._cached = (index, plain)
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise OSError(f"{self.path}: a seek before the start")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        out = memoryview(buffer).cast("B")
        done = 0
        while done < len(out) and self._pos < self.size:
            index = bisect_right(self._starts, self._pos) - 1
            plain = self.record(index)
            inside = self._pos - self._starts[index]
            take = min(len(out) - done, len(plain) - inside)
            out[done : done + take] = plain[inside : inside + take]
            done += take
            self._pos += take
        return done

    def chunks(self) -> Iterator[bytes]:
        """The clear MP4 from the start, a record at a time (streamed, never whole)."""
        for index in range(len(self._bodies)):
            yield self.record(index)

    def close(self) -> None:
        if not self.closed:
            self._fh.close()
            self._cached = None
        super().close()


def copy_clear(path: Path, passphrase: str, out: IO[bytes], identity: str | None = None) -> int:
    """Writes the clear MP4 of a sealed recording to ``out``: the bytes written."""
    written = 0
    with SealedMediaFile(path, passphrase, identity) as media:
        for chunk in media.chunks():
            out.write(chunk)
            written += len(chunk)
    return written


def seal_stream(chunks: Iterator[bytes], target: Path, passphrase: str, identity: str) -> None:
    """Seals a clear MP4 given in chunks into ``target`` (records cut at its fragments)."""
    sink = SealingFile(target, passphrase, identity)
    try:
        for chunk in chunks:
            sink.write(chunk)
    except BaseException:
        sink.close()
        target.unlink(missing_ok=True)
        raise
    sink.close()


def clear_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def check(path: Path, passphrase: str | None) -> None:
    """Proves that ``passphrase`` opens a recording (sealed or not), before a key change."""
    if is_sealed_media(path):
        if passphrase is None:
            raise SealError(f"{path} is sealed, but the database is not encrypted: it cannot be opened")
        SealedMediaFile(path, passphrase).close()


def reseal(path: Path, old: str | None, new: str | None) -> None:
    """A recording sealed again under ``new`` (None: written back in clear), from ``old``
    (None: it is clear now), streamed through a temporary file that then replaces it."""
    was_sealed = is_sealed_media(path)
    if not was_sealed and new is None:
        return  # clear, and to stay so
    if not was_sealed and old is not None:
        old = None  # written in clear before the centre was encrypted
    if was_sealed and old is None:
        raise SealError(f"{path} is sealed, but no passphrase opens it")
    identity = path.parent.name
    tmp = path.with_name(path.name + ".reseal")
    source = SealedMediaFile(path, old, identity) if old is not None else None
    try:
        chunks = source.chunks() if source is not None else clear_chunks(path)
        if new is not None:
            seal_stream(chunks, tmp, new, identity)
        else:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if source is not None:
            source.close()
    sync_folder(path.parent)
