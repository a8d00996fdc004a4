"""The sealed media format on its own: a stream of MP4-like boxes, given in odd pieces,
sealed one record per box group, and read back with random access."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from naas_centre.protection import sealed
from naas_centre.protection.sealed_media import SealedMediaFile, SealingFile

PASSPHRASE = "Correct horse battery 1"


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    sealed.forget()


def _box(kind: bytes, body: bytes, large: bool = False) -> bytes:
    if large:
        return (1).to_bytes(4, "big") + kind + (16 + len(body)).to_bytes(8, "big") + body
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def _stream(fragments: int) -> tuple[bytes, list[bytes]]:
    """A clear MP4's shape: ftyp and moov, then moof and mdat pairs, then mfra; and the
    groups each of which should be one record."""
    rng = random.Random(7)
    start = _box(b"ftyp", b"iso5" * 4) + _box(b"moov", rng.randbytes(900))
    groups = [start]
    for n in range(fragments):
        fragment = _box(b"moof", rng.randbytes(300)) + _box(b"mdat", rng.randbytes(5000 + n), large=n == 1)
        groups.append(fragment)
    groups.append(_box(b"mfra", rng.randbytes(60)))
    return b"".join(groups), groups


def _write(path: Path, data: bytes, pieces: int) -> None:
    sink = SealingFile(path, PASSPHRASE, path.parent.name)
    rng = random.Random(pieces)
    at = 0
    while at < len(data):
        step = rng.randint(1, pieces)
        assert sink.write(data[at : at + step]) == len(data[at : at + step])
        assert sink.tell() == min(len(data), at + step)
        at += step
    sink.close()


@pytest.mark.parametrize("pieces", [1, 7, 4096, 100_000])
def test_a_record_is_a_box_group_whatever_pieces_the_muxer_writes(tmp_path: Path, pieces: int) -> None:
    data, groups = _stream(5)
    path = tmp_path / "rec" / "recording.mp4"
    path.parent.mkdir()
    _write(path, data, pieces)
    with SealedMediaFile(path, PASSPHRASE) as media:
        assert [media.record(i) for i in range(media.records)] == groups
        assert media.size == len(data)
        rng = random.Random(1)
        for _ in range(200):
            at, size = rng.randrange(len(data)), rng.randint(1, 9000)
            media.seek(at)
            assert media.read(size) == data[at : at + size]
        assert media.seek(0, 2) == len(data) and media.read(10) == b""


def test_a_box_of_no_size_ends_box_cutting_but_nothing_is_lost(tmp_path: Path) -> None:
    data, groups = _stream(2)
    tail = (0).to_bytes(4, "big") + b"mdat" + b"to the end" * 50
    path = tmp_path / "rec" / "recording.mp4"
    path.parent.mkdir()
    _write(path, data[: -len(groups[-1])] + tail, 33)
    with SealedMediaFile(path, PASSPHRASE) as media:
        assert b"".join(media.chunks()) == data[: -len(groups[-1])] + tail
        assert media.records == len(groups)  # the start, two fragments, the sizeless rest


def test_the_muxer_cannot_seek_back(tmp_path: Path) -> None:
    path = tmp_path / "rec" / "recording.mp4"
    path.parent.mkdir()
    sink = SealingFile(path, PASSPHRASE, "rec")
    sink.write(b"\0\0\0\x10ftypiso5iso5")
    assert sink.seek(0, 1) == 16 and sink.seek(16) == 16
    with pytest.raises(OSError, match="cannot seek back"):
        sink.seek(0)
    sink.close()
