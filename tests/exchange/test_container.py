"""Bundle files: written and read back, and refused plainly when anything about them is wrong.

Real keys throughout (a centre CA and a person's certificate made as the product makes
them), real files; scrypt runs with small costs through the ``cost`` parameter only.
The file is taken apart here by ``docs/bundles.md``'s description, not by the module's
own reader, so the description is tested too.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import struct
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from db.engine import Database
from naas_centre.errors import UserError
from naas_centre.exchange import layout, trust
from naas_centre.exchange.container import open_bundle, signer_of, write_bundle
from naas_centre.exchange.layout import KdfCost
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
from naas_centre.services import authority
from naas_centre.signing import ca
from naas_centre.signing.pdf import SignerIdentity

CHEAP = KdfCost(n=2**4, r=8, p=1)  # the product's default is 2**17 (a test below holds it there)
CENTRE = "6f1c2d3e-0000-4000-8000-00000000c001"
PASSPHRASE = "plum tractor seventeen lanterns"
SMALL_CHUNK = 4096
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Centre:
    root: ca.Issued
    manager: ca.Issued


@pytest.fixture(scope="module")
def centre() -> Centre:
    issued = NOW - timedelta(days=30)  # the bundles below are made on NOW, whatever today is
    root = ca.new_ca("Pennine Assessment Centre", now=issued)
    manager = ca.issue_signer(
        root, "Sarah Khan", "Centre manager", unique_id="acc-manager", registration="SW104422", now=issued
    )
    return Centre(root, manager)


def _members() -> list[tuple[str, bytes | io.BytesIO]]:
    rows = [{"id": i, "candidate": f"Candidate {i}", "level": "practitioner"} for i in range(120)]
    return [
        ("tables/sittings.json", json.dumps(rows).encode()),
        ("reports/report-1.pdf", io.BytesIO(random.Random(1).randbytes(9000))),
        ("empty.txt", b""),
        ("exactly-two-chunks.bin", io.BytesIO(bytes(range(256)) * 32)),  # 8192: ends on a boundary
    ]


def _write(path: Path, centre: Centre, **kwargs: object) -> Path:
    args: dict[str, object] = {
        "kind": "day",
        "centre_id": CENTRE,
        "members": _members(),
        "passphrase": PASSPHRASE,
        "signer": centre.manager,
        "cost": CHEAP,
        "chunk_size": SMALL_CHUNK,
        "now": NOW,
    }
    args.update(kwargs)
    write_bundle(path, **args)  # type: ignore[arg-type]
    return path


def _open(path: Path, centre: Centre, **kwargs: object) -> dict[str, bytes]:
    """Every member's bytes, after a full open (the refusals come from here)."""
    args: dict[str, object] = {
        "passphrase": PASSPHRASE,
        "trusted_cas": [centre.root.certificate],
        "expected_centre_id": CENTRE,
    }
    args.update(kwargs)
    with open_bundle(path, **args) as bundle:  # type: ignore[arg-type]
        return {m.name: m.read() for m in bundle.members()}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, centre: Centre) -> bytes:
    return _write(tmp_path_factory.mktemp("small") / "day.bundle", centre).read_bytes()


# Taking a file apart by the documented layout ------------------------------------------------


@dataclass(frozen=True)
class Parts:
    header: tuple[int, int]  # the header JSON
    key_check: tuple[int, int]
    records: list[tuple[int, int, int]]  # (kind, start of the record, end)
    trailer: int  # where the stored digest begins
    signature: tuple[int, int]
    footer: int


def _parts(data: bytes) -> Parts:
    assert data[:16] == b"\x89NAAS-BUNDLE\r\n\x1a\n"
    version, complement, length = struct.unpack(">HHI", data[16:24])
    assert (version, complement) == (1, 0xFFFE)
    header = (24, 24 + length)
    at = header[1] + 16
    records = []
    while True:
        kind, size = struct.unpack(">BI", data[at : at + 5])
        records.append((kind, at, at + 5 + size))
        at += 5 + size
        if kind == 4:
            break
    (sig_len,) = struct.unpack(">H", data[at + 32 : at + 34])
    signature = (at + 34, at + 34 + sig_len)
    assert struct.unpack(">Q8s", data[signature[1] :]) == (len(data), b"\x00NAASEND")
    return Parts(header, (header[1], header[1] + 16), records, at, signature, signature[1])


def _resign(data: bytes, parts: Parts, body: bytes, key: ec.EllipticCurvePrivateKey) -> bytes:
    """``body`` (everything before the trailer) with a fresh digest and signature: what
    someone holding a centre signing key, but not the bundle's own chunks, could make."""
    digest = hashlib.sha256(body).digest()
    signature = key.sign(b"naas-centre bundle v1 signature\x00" + digest, ec.ECDSA(hashes.SHA256()))
    tail = digest + struct.pack(">H", len(signature)) + signature
    return body + tail + struct.pack(">Q8s", len(body) + len(tail) + 16, b"\x00NAASEND")


def _flip(data: bytes, at: int, mask: int = 0x01) -> bytes:
    changed = bytearray(data)
    changed[at] ^= mask
    return bytes(changed)


def _refusal(path: Path, centre: Centre, **kwargs: object) -> BundleRefused:
    with pytest.raises(BundleRefused) as caught:
        _open(path, centre, **kwargs)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    return caught.value


# Round trips ---------------------------------------------------------------------------------


def test_members_come_back_as_written_with_who_made_them(tmp_path: Path, centre: Centre) -> None:
    path = tmp_path / "day.bundle"
    written = write_bundle(
        path,
        "day",
        CENTRE,
        _members(),
        PASSPHRASE,
        centre.manager,
        cost=CHEAP,
        chunk_size=SMALL_CHUNK,
        now=NOW,
    )
    expected = {
        name: source if isinstance(source, bytes) else source.getvalue() for name, source in _members()
    }
    assert _open(path, centre) == expected
    with open_bundle(path, PASSPHRASE, [centre.root.certificate], CENTRE) as bundle:
        info = bundle.info
    assert info == written
    assert [(m.name, m.size) for m in info.members] == [(n, len(b)) for n, b in expected.items()]
    assert (info.kind, info.centre_id, info.created) == ("day", CENTRE, NOW)
    assert info.signer == "Sarah Khan (Centre manager)" and info.signer_account_id == "acc-manager"
    assert (
        info.size == path.stat().st_size
        and info.digest == hashlib.sha256(path.read_bytes()[: _parts(path.read_bytes()).trailer]).hexdigest()
    )


def test_the_header_says_what_the_documentation_says(small: bytes, centre: Centre) -> None:
    parts = _parts(small)
    header = json.loads(small[parts.header[0] : parts.header[1]])
    assert header == {
        "format": "naas-centre bundle",
        "kind": "day",
        "centre_id": CENTRE,
        "created": "2026-12-01T09:30:00Z",
        "certificate": header["certificate"],
        "kdf": {"name": "scrypt", "n": 16, "r": 8, "p": 1, "salt": header["kdf"]["salt"]},
        "cipher": "AES-256-GCM",
        "chunk_size": SMALL_CHUNK,
    }
    assert ca.fingerprint(ca.load_any(layout.unb64(header["certificate"]))[0]) == ca.fingerprint(
        centre.manager.certificate
    )
    kinds = [kind for kind, _, _ in parts.records]
    # each member: its name, its chunks (the last one flagged LAST), then the closing record
    exact = [1, 2, 3]  # 8192 bytes in 4096-byte chunks: two full chunks, the second one LAST
    assert kinds[-4:] == [*exact, 4] and kinds.count(1) == 4 and kinds.count(3) == 4
    assert kinds[kinds.index(1, 1) - 1 :][:1] == [3]
    assert b"Candidate" not in small and b"sittings" not in small  # contents and names are encrypted


def test_two_bundles_of_the_same_data_share_no_ciphertext(tmp_path: Path, centre: Centre) -> None:
    one = _write(tmp_path / "one.bundle", centre).read_bytes()
    two = _write(tmp_path / "two.bundle", centre).read_bytes()
    a, b = _parts(one), _parts(two)
    assert one[a.records[1][1] + 5 : a.records[1][2]] != two[b.records[1][1] + 5 : b.records[1][2]]


class _Generated(io.RawIOBase):
    """``size`` pseudo-random bytes made as they are read, never held."""

    def __init__(self, size: int, seed: int) -> None:
        self.left, self.random = size, random.Random(seed)

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(target), self.left)
        target[:n] = self.random.randbytes(n)
        self.left -= n
        return n


class _HashingSink:
    def __init__(self) -> None:
        self.hash, self.size = hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return len(data)


def test_a_large_member_streams_through_in_bounded_memory(tmp_path: Path, centre: Centre) -> None:
    size = 40 * 1024 * 1024 + 12345
    expected = hashlib.sha256()
    source = _Generated(size, seed=7)
    for block in iter(lambda: source.read(1 << 20), b""):
        expected.update(block)
    path = tmp_path / "results.bundle"
    tracemalloc.start()
    try:
        write_bundle(
            path,
            "results",
            CENTRE,
            [("a.json", b"[]"), ("video/room-1.mp4", _Generated(size, seed=7)), ("z.json", b"{}")],
            PASSPHRASE,
            centre.manager,
            cost=CHEAP,
        )
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        sink = _HashingSink()
        with open_bundle(path, PASSPHRASE, [centre.root.certificate], CENTRE) as bundle:
            names = []
            for member in bundle.members():
                names.append(member.name)
                if member.name.startswith("video/"):
                    shutil.copyfileobj(member, sink)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert names == ["a.json", "video/room-1.mp4", "z.json"]
    assert (sink.size, sink.hash.hexdigest()) == (size, expected.hexdigest())
    assert path.stat().st_size > size
    # a default chunk is 1 MiB: a few of them at once, never the 40 MiB member
    assert write_peak < 8 * 1024 * 1024, write_peak
    assert read_peak < 8 * 1024 * 1024, read_peak


def test_a_member_not_read_to_its_end_is_skipped(tmp_path: Path, centre: Centre) -> None:
    path = _write(tmp_path / "day.bundle", centre)
    with open_bundle(path, PASSPHRASE, [centre.root.certificate], CENTRE) as bundle:
        seen = {}
        for member in bundle.members():
            seen[member.name] = member.read(10)
    assert seen["exactly-two-chunks.bin"] == bytes(range(10))
    assert seen["empty.txt"] == b""


def test_signed_by_an_unlocked_identity_and_trusted_through_the_database(
    tmp_path: Path, any_db: Database
) -> None:
    """The CA the database keeps (made as the product makes it), a signer issued by it,
    and the reader given what ``trust.from_database`` reads back."""
    authority.ensure_ca(any_db, tmp_path)
    with any_db.read() as s:
        row = authority.ca_row(s)
        assert row is not None
        root = authority.ca_key(s, row, tmp_path)
    person = ca.issue_signer(root, "Sarah Khan", "Centre manager", unique_id="acc-manager")
    identity = SignerIdentity(
        name="Sarah Khan",
        role="Centre manager",
        key_der=ca.key_der(person.key),
        cert_pem=ca.pem(person.certificate),
        ca_pem=row.pem,
        serial=ca.serial_hex(person.certificate),
    )
    path = tmp_path / "day.bundle"
    write_bundle(path, "day", CENTRE, [("a.json", b"[1]")], PASSPHRASE, signer_of(identity), cost=CHEAP)
    cas, crls = trust.from_database(any_db)
    with open_bundle(path, PASSPHRASE, cas, CENTRE, crls=crls) as bundle:
        assert [(m.name, m.read()) for m in bundle.members()] == [("a.json", b"[1]")]
    with pytest.raises(Untrusted):
        open_bundle(path, PASSPHRASE, [ca.new_ca("Pennine Assessment Centre").certificate], CENTRE)


# Refusals: what the file is ------------------------------------------------------------------


def test_files_that_are_not_bundles(tmp_path: Path, centre: Centre) -> None:
    for name, data in {
        "report.pdf": b"%PDF-1.7\n" + bytes(300),
        "notes.txt": b"Nothing to see here, just a text file that is long enough.\n",
        "short": b"NAAS",
        "magic-changed": b"\x89NAAS-BUNDLE\n\n\x1a\n" + bytes(100),  # a line-ending conversion
    }.items():
        (tmp_path / name).write_bytes(data)
        assert isinstance(_refusal(tmp_path / name, centre), NotABundle), name
    assert "is not a naas-centre bundle" in str(_refusal(tmp_path / "report.pdf", centre))


def test_missing_file_and_folder(tmp_path: Path, centre: Centre) -> None:
    for target, words in ((tmp_path / "absent.bundle", "no such file"), (tmp_path, "is a folder")):
        with pytest.raises(BundleRefused, match=words):
            _open(target, centre)


def test_a_newer_format_asks_for_an_update(tmp_path: Path, small: bytes, centre: Centre) -> None:
    path = tmp_path / "future.bundle"
    path.write_bytes(small[:16] + struct.pack(">HH", 2, 2 ^ 0xFFFF) + b"\x00\x00\x00\x05hello later formats")
    refusal = _refusal(path, centre)
    assert isinstance(refusal, NewerFormat)
    assert "made by a newer version of naas-centre" in str(refusal) and "update this workstation" in str(
        refusal
    )


def test_wrong_passphrase(tmp_path: Path, small: bytes, centre: Centre) -> None:
    path = tmp_path / "day.bundle"
    path.write_bytes(small)
    for wrong in ("plum tractor seventeen lantern", "", "PLUM TRACTOR SEVENTEEN LANTERNS"):
        refusal = _refusal(path, centre, passphrase=wrong)
        assert isinstance(refusal, WrongPassphrase) and "passphrase" in str(refusal)


def test_another_centres_bundle(tmp_path: Path, centre: Centre) -> None:
    other_root = ca.new_ca("Elsewhere Training Ltd")
    other = ca.issue_signer(other_root, "Tom Reyes", "Centre manager", unique_id="acc-9")
    path = _write(tmp_path / "foreign.bundle", centre, centre_id="another-centre", signer=other)
    refusal = _refusal(path, centre)
    assert isinstance(refusal, OtherCentre) and "Elsewhere Training Ltd" in str(refusal)
    # and this centre's own id in a bundle signed elsewhere: the certificate is refused
    path = _write(tmp_path / "posing.bundle", centre, signer=other)
    refusal = _refusal(path, centre)
    assert isinstance(refusal, Untrusted) and not isinstance(refusal, Revoked)
    assert "Tom Reyes (Centre manager)" in str(refusal) and "does not chain to a trusted centre CA" in str(
        refusal
    )


def test_signed_with_the_ca_key_itself(tmp_path: Path, centre: Centre) -> None:
    path = _write(tmp_path / "ca-signed.bundle", centre, signer=centre.root)
    refusal = _refusal(path, centre)
    assert isinstance(refusal, Untrusted) and "centre CA's own key" in str(refusal)


def test_no_centre_ca_in_this_database(tmp_path: Path, small: bytes, centre: Centre) -> None:
    path = tmp_path / "day.bundle"
    path.write_bytes(small)
    assert "holds no centre CA" in str(_refusal(path, centre, trusted_cas=[]))
    # a later CA of the same centre still trusts what the earlier one issued
    assert _open(path, centre, trusted_cas=[ca.new_ca("Pennine").certificate, centre.root.certificate])


def test_a_revoked_signer(tmp_path: Path, small: bytes, centre: Centre) -> None:
    path = tmp_path / "day.bundle"
    path.write_bytes(small)
    serial = centre.manager.certificate.serial_number
    crl = ca.load_crl(ca.make_crl(centre.root, [(serial, NOW, "laptop stolen")], 2))
    refusal = _refusal(path, centre, crls=[crl])
    assert isinstance(refusal, Revoked) and "revoked" in str(refusal) and "key compromise" in str(refusal)
    # a list signed by another CA revokes nothing here
    stranger = ca.new_ca("Elsewhere Training Ltd")
    forged = ca.load_crl(ca.make_crl(ca.Issued(stranger.certificate, stranger.key), [(serial, NOW, "x")], 3))
    assert _open(path, centre, crls=[forged])


def test_the_wrong_kind(tmp_path: Path, small: bytes, centre: Centre) -> None:
    path = tmp_path / "day.bundle"
    path.write_bytes(small)
    refusal = _refusal(path, centre, expected_kind="results")
    assert isinstance(refusal, WrongKind) and "is a day bundle, not a results bundle" in str(refusal)
    assert _open(path, centre, expected_kind="day")


# Refusals: a byte changed, the file cut ------------------------------------------------------


def _positions(parts: Parts, size: int) -> dict[int, type[BundleRefused]]:
    """Where to change a byte, and what that must be called."""
    where: dict[int, type[BundleRefused]] = {}
    for at in (0, 1, 7, 15):
        where[at] = NotABundle
    for at in range(16, 24):  # version, its complement, the header's length
        where[at] = Tampered
    h0, h1 = parts.header
    for at in [*range(h0, h0 + 40), *range(h0, h1, 37), h1 - 1]:
        where[at] = Tampered
    for at in range(*parts.key_check):
        where[at] = Tampered
    for _, start, end in parts.records:  # each record's head, and its first, middle and last bytes
        for at in (*range(start, start + 5), start + 5, (start + end) // 2, end - 1):
            where[at] = Tampered
    for at in range(parts.trailer, parts.signature[0]):  # the digest, the signature's length
        where[at] = Tampered
    for at in range(*parts.signature):
        where[at] = BadSignature
    for at in range(parts.footer, size):
        where[at] = Tampered
    return where


def test_a_byte_changed_anywhere_is_refused(tmp_path: Path, small: bytes, centre: Centre) -> None:
    parts = _parts(small)
    path = tmp_path / "changed.bundle"
    positions = _positions(parts, len(small))
    assert len(positions) > 300
    wrong = []
    for at, expected in positions.items():
        for mask in (0x01, 0x80):
            path.write_bytes(_flip(small, at, mask))
            try:
                _open(path, centre)
                wrong.append((at, mask, "opened"))
            except BundleRefused as refusal:
                if type(refusal) is not expected or str(path) not in str(refusal):
                    wrong.append((at, mask, str(refusal)))
    assert wrong == []


def test_a_file_cut_short_at_any_length_is_called_truncated(
    tmp_path: Path, small: bytes, centre: Centre
) -> None:
    path = tmp_path / "cut.bundle"
    parts = _parts(small)
    lengths = {*range(0, 64), *range(64, len(small), 97), *range(len(small) - 200, len(small))}
    lengths |= {start for _, start, _ in parts.records} | {parts.trailer, parts.footer}
    wrong = []
    for length in sorted(lengths):
        path.write_bytes(small[:length])
        try:
            _open(path, centre)
            wrong.append((length, "opened"))
        except Truncated as refusal:
            if "is cut short" not in str(refusal) or f"({length} bytes" not in str(refusal):
                wrong.append((length, str(refusal)))
        except BundleRefused as refusal:
            wrong.append((length, str(refusal)))
    assert wrong == []


def test_bytes_added_at_the_end(tmp_path: Path, small: bytes, centre: Centre) -> None:
    path = tmp_path / "longer.bundle"
    for extra in (b"\x00", b"\n", small[-16:]):
        path.write_bytes(small + extra)
        assert isinstance(_refusal(path, centre), Tampered)


def test_a_signature_over_other_contents(tmp_path: Path, small: bytes, centre: Centre) -> None:
    """A changed chunk with the digest recomputed: only the signature can tell."""
    parts = _parts(small)
    body = bytearray(small[: parts.trailer])
    body[parts.records[1][1] + 10] ^= 0x01
    digest = hashlib.sha256(body).digest()
    path = tmp_path / "redigested.bundle"
    path.write_bytes(bytes(body) + digest + small[parts.trailer + 32 :])
    refusal = _refusal(path, centre)
    assert isinstance(refusal, BadSignature) and "signature does not match" in str(refusal)
    assert "Sarah Khan (Centre manager)" in str(refusal)


def _records(small: bytes, parts: Parts) -> list[bytes]:
    return [small[start:end] for _, start, end in parts.records]


def _rebuilt(small: bytes, parts: Parts, records: list[bytes], centre: Centre) -> bytes:
    return _resign(small, parts, small[: parts.records[0][1]] + b"".join(records), centre.manager.key)


def test_chunks_moved_by_someone_who_can_sign_are_still_caught(
    tmp_path: Path, small: bytes, centre: Centre
) -> None:
    """The chunks' own tags bind their member, place and lastness: reordering, dropping
    or repeating whole chunks fails even under a valid signature."""
    parts = _parts(small)
    records = _records(small, parts)
    path = tmp_path / "moved.bundle"
    path.write_bytes(_rebuilt(small, parts, records, centre))
    assert _open(path, centre)  # re-signing alone changes nothing
    data = [i for i, (kind, _, _) in enumerate(parts.records) if kind == 2]
    first, second = data[0], data[1]
    swapped = list(records)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    dropped = records[:first] + records[first + 1 :]
    repeated = records[: first + 1] + records[first:]
    member_swap = list(records)  # the first data chunk of member 1 and member 4 (both full)
    other = next(i for i in data if i > 4)
    member_swap[first], member_swap[other] = member_swap[other], member_swap[first]
    last = next(i for i, (kind, _, _) in enumerate(parts.records) if kind == 3)
    relabelled = list(records)  # the last chunk of member 1 claimed to be a data chunk
    relabelled[last] = bytes([2]) + records[last][1:]
    no_end = [*records[:-1], records[0]]
    for name, changed in {
        "swapped": swapped,
        "dropped": dropped,
        "repeated": repeated,
        "from another member": member_swap,
        "relabelled": relabelled,
        "end replaced": no_end,
    }.items():
        path.write_bytes(_rebuilt(small, parts, changed, centre))
        refusal = _refusal(path, centre)
        assert isinstance(refusal, Tampered), (name, str(refusal))


def test_a_file_changed_after_it_was_opened(tmp_path: Path, small: bytes, centre: Centre) -> None:
    parts = _parts(small)
    path = tmp_path / "day.bundle"
    for change in ("byte", "cut"):
        path.write_bytes(small)
        got: list[str] = []
        with open_bundle(path, PASSPHRASE, [centre.root.certificate], CENTRE) as bundle:
            if change == "byte":
                with open(path, "r+b") as fh:
                    fh.seek(parts.records[-3][1] + 9)
                    fh.write(b"\x00\x01")
            else:
                with open(path, "r+b") as fh:
                    fh.truncate(parts.records[-3][1] + 9)
            with pytest.raises(Tampered, match="changed while being read"):
                for member in bundle.members():
                    got.append(member.name)
                    member.read()
        assert got[:3] == ["tables/sittings.json", "reports/report-1.pdf", "empty.txt"]


# Writing: bad input changes nothing ----------------------------------------------------------


def test_bad_members_leave_the_target_as_it_was(tmp_path: Path, centre: Centre) -> None:
    target = tmp_path / "day.bundle"
    target.write_bytes(b"the previous bundle")
    for bad in ("", "/etc/passwd", "../up.json", "a//b", "tables/./x", "tab\tname", "back\\slash"):
        with pytest.raises(BadMember, match="cannot name a bundle member"):
            _write(target, centre, members=[("fine.json", b"{}"), (bad, b"x")])
    with pytest.raises(BadMember, match="given twice"):
        _write(target, centre, members=[("a.json", b"1"), ("a.json", b"2")])
    assert target.read_bytes() == b"the previous bundle"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["day.bundle"]


class _Failing(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        raise OSError(5, "Input/output error")


def test_a_source_that_fails_midway_writes_nothing(tmp_path: Path, centre: Centre) -> None:
    target = tmp_path / "day.bundle"
    with pytest.raises(BundleRefused, match="could not be written"):
        _write(target, centre, members=[("a.json", b"{}"), ("video.mp4", _Failing())])
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_are_plain_refusals(tmp_path: Path, centre: Centre) -> None:
    with pytest.raises(UserError, match="is a folder"):
        _write(tmp_path, centre)
    with pytest.raises(BundleRefused, match="not a bundle kind"):
        _write(tmp_path / "a.bundle", centre, kind="Day Bundle")
    with pytest.raises(BundleRefused, match="needs the centre passphrase"):
        _write(tmp_path / "a.bundle", centre, passphrase="")
    stranger = ca.issue_signer(centre.root, "Tom Reyes", "Assessor", unique_id="acc-2")
    with pytest.raises(BundleRefused, match="does not belong"):
        _write(tmp_path / "a.bundle", centre, signer=ca.Issued(centre.manager.certificate, stranger.key))
    assert list(tmp_path.iterdir()) == []


def test_the_product_derives_keys_at_full_cost() -> None:
    cost = layout.DEFAULT_KDF
    assert 128 * cost.n * cost.r >= 128 * 1024 * 1024 and cost.check() is None
    assert KdfCost(n=2**21).check() is not None  # a file cannot make a reader spend gigabytes


def test_header_costs_beyond_reason_are_refused_before_any_work(
    tmp_path: Path, small: bytes, centre: Centre
) -> None:
    parts = _parts(small)
    header = small[parts.header[0] : parts.header[1]].replace(b'"n":16', b'"n":4194304')
    path = tmp_path / "costly.bundle"
    path.write_bytes(small[:20] + struct.pack(">I", len(header)) + header + small[parts.header[1] :])
    refusal = _refusal(path, centre)
    assert isinstance(refusal, Tampered) and "impossible cost" in str(refusal)
