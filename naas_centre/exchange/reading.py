"""Walking a bundle file's records in order, hashing what it reads, and telling a file
that was cut short from one that was changed.

A cut file no longer ends with the footer (its own length and the end mark), so a
record that runs past the end of such a file means "truncated". When the footer is
intact, the file is whole, and a record running past its end means a length was
changed: "tampered". A changed byte therefore never reads as a cut, nor a cut as a
change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from naas_centre.exchange import layout
from naas_centre.exchange.layout import DATA, END, LAST, NAME, TAG
from naas_centre.exchange.refusals import Tampered, Truncated

_END_LIMIT = 256


@dataclass(frozen=True)
class Record:
    kind: int
    member: int  # counted from 0; the END record's is the number of members
    chunk: int  # NAME is chunk 0 of its member, data chunks count from 1
    sealed: bytes

    @property
    def where(self) -> str:
        if self.kind == END:
            return "its closing record"
        if self.kind == NAME:
            return f"the name of member {self.member + 1}"
        return f"chunk {self.chunk} of member {self.member + 1}"


class Walker:
    """Reads ``fh`` from just after its magic (``head``), record by record."""

    def __init__(self, path: Path, fh: BinaryIO, size: int, head: bytes, *, rereading: bool = False) -> None:
        self.path, self.fh, self.size = path, fh, size
        self.position = len(head)
        self._hash = hashlib.sha256(head)
        self._rereading = rereading  # a second pass: the file was whole a moment ago
        self._footer_ok = self._footer_is_whole()

    def _footer_is_whole(self) -> bool:
        if self.size < len(layout.MAGIC) + layout.PREAMBLE.size + layout.FOOTER.size:
            return False
        self.fh.seek(self.size - layout.FOOTER.size)
        footer = self.fh.read(layout.FOOTER.size)
        self.fh.seek(self.position)
        return len(footer) == layout.FOOTER.size and layout.FOOTER.unpack(footer) == (
            self.size,
            layout.END_MARK,
        )

    def _short(self) -> None:
        if self._rereading:
            raise Tampered(self.path, "it changed while being read: it is shorter now")
        if self._footer_ok:
            raise Tampered(self.path, "a length inside it runs past its end")
        raise Truncated(self.path, self.size)

    def take(self, n: int, *, hashed: bool = True) -> bytes:
        if self.position + n > self.size:
            self._short()
        data = self.fh.read(n)
        while len(data) < n:
            more = self.fh.read(n - len(data))
            if not more:
                self._short()
            data += more
        self.position += n
        if hashed:
            self._hash.update(data)
        return data

    def records(self, chunk_size: int) -> Iterator[Record]:
        """Every record up to and including END, each checked for its place and length."""
        member, chunk, inside = 0, 0, False
        while True:
            kind, length = layout.RECORD.unpack(self.take(layout.RECORD.size))
            allowed = (DATA, LAST) if inside else (NAME, END)
            if kind not in allowed:
                raise Tampered(self.path, f"record {kind} cannot come where it does")
            low, high = {
                NAME: (TAG + 1, TAG + layout.MAX_NAME),
                DATA: (TAG + chunk_size, TAG + chunk_size),  # only a member's last chunk may be short
                LAST: (TAG, TAG + chunk_size),
                END: (TAG, TAG + _END_LIMIT),
            }[kind]
            if not low <= length <= high:
                raise Tampered(self.path, "a record's length is impossible")
            yield Record(kind, member, chunk, self.take(length))
            if kind == END:
                return
            if kind == NAME:
                inside, chunk = True, 1
            elif kind == DATA:
                chunk += 1
                if chunk > 0xFFFFFFFF:
                    raise Tampered(self.path, "a member has more chunks than a bundle can hold")
            else:
                inside, chunk, member = False, 0, member + 1
                if member > layout.MAX_MEMBERS:
                    raise Tampered(self.path, "it has more members than a bundle can hold")

    def digest(self) -> bytes:
        """SHA-256 of every byte taken so far (hashed), i.e. what was signed once END is read."""
        return self._hash.copy().digest()

    def trailer(self) -> tuple[bytes, bytes]:
        """The stored digest and the signature; the footer must end the file exactly."""
        stored = self.take(layout.DIGEST, hashed=False)
        (length,) = layout.SIG_LENGTH.unpack(self.take(layout.SIG_LENGTH.size, hashed=False))
        if not 0 < length <= layout.MAX_SIGNATURE:
            raise Tampered(self.path, "its signature length is impossible")
        signature = self.take(length, hashed=False)
        footer = self.take(layout.FOOTER.size, hashed=False)
        if self.position != self.size:
            raise Tampered(self.path, "it goes on after its end")
        if layout.FOOTER.unpack(footer) != (self.size, layout.END_MARK):
            raise Tampered(self.path, "its end mark is damaged")
        return stored, signature
