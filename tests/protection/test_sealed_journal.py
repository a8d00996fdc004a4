"""The journal of pending writes beside an encrypted centre: real SQLCipher files, the
journal's bytes looked at as they are on the disk."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from db import cipher
from db.engine import Database
from naas_centre.cli import main
from naas_centre.protection import sealed
from naas_centre.writes.journal import Journal, journal_path, kept_script

PASSPHRASE = "Correct horse battery 1"
NOTE = "Hesitated before naming the safeguarding lead"
SCRIPT = "My answer: I would first speak to Mrs Okafor"
SECRET_BITS = (NOTE.encode(), SCRIPT.encode(), b"record_level", b"save_script", b"sitting-7")


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    cipher.forget()
    sealed.forget()


def _centre(folder: Path, passphrase: str | None = PASSPHRASE) -> Database:
    path = folder / "centre.db"
    if passphrase is not None:
        cipher.unlock(path, passphrase)
    db = Database(path, "ws-test")
    with db.write() as s:
        s.execute(text("CREATE TABLE t (x TEXT)"))
    return db


def _records(at: datetime) -> list[dict[str, object]]:
    return [
        {"type": "item", "id": "a", "op": "record_level", "args": {"sitting_id": "sitting-7", "level": 3}},
        {"type": "item", "id": "b", "op": "add_note", "args": {"sitting_id": "sitting-7", "text": NOTE}},
        {
            "type": "item",
            "id": "c",
            "op": "save_script",
            "args": {"sitting_id": "sitting-7", "station_id": "w", "text": SCRIPT, "at": at.isoformat()},
        },
    ]


def test_nothing_in_clear_and_it_reads_back_as_the_plain_one_does(tmp_path: Path) -> None:
    at = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    db = _centre(tmp_path)
    journal = Journal(journal_path(db))
    journal.append(_records(at))
    journal.append([{"type": "done", "id": "a"}])
    raw = journal.path.read_bytes()
    assert raw.startswith(sealed.MAGIC)
    assert not any(bit in raw for bit in SECRET_BITS)
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert len(raw.splitlines()) == 1 + 4  # the header, then one sealed line per record

    (tmp_path / "plain").mkdir()
    plain_db = _centre(tmp_path / "plain", None)
    plain = Journal(journal_path(plain_db))
    plain.append(_records(at))
    plain.append([{"type": "done", "id": "a"}])
    assert NOTE.encode() in plain.path.read_bytes()  # a plain centre's journal: as before

    assert journal.open_items() == plain.open_items()
    assert [i["id"] for i in journal.open_items()] == ["b", "c"]
    kept = kept_script(journal.open_items(), "sitting-7", "w", at - timedelta(seconds=1))
    assert kept is not None and kept.text == SCRIPT and kept.ids == ("c",)

    journal.rewrite(journal.open_items()[:1])
    assert not any(bit in journal.path.read_bytes() for bit in SECRET_BITS)
    assert [i["id"] for i in journal.open_items()] == ["b"]
    journal.rewrite([])
    assert not journal.path.exists()
    db.dispose()
    plain_db.dispose()


def test_appending_derives_the_key_once_per_run(tmp_path: Path) -> None:
    db = _centre(tmp_path)
    journal = Journal(journal_path(db))
    for n in range(20):
        journal.append([{"type": "item", "id": str(n), "op": "x", "args": {}}])
    journal.rewrite([])  # emptied, then a new journal at the same place: the same salt
    journal.append([{"type": "item", "id": "again", "op": "x", "args": {}}])
    assert len(sealed._keys) == 1  # one scrypt in all
    assert [i["id"] for i in journal.open_items()] == ["again"]
    db.dispose()


def test_a_wrong_passphrase_or_none_cannot_read_it(tmp_path: Path) -> None:
    db = _centre(tmp_path)
    path = journal_path(db)
    Journal(path).append(_records(datetime.now(UTC)))
    db.dispose()
    before = path.read_bytes()
    cipher.forget()
    with pytest.raises(sealed.SealError, match="opens only with its database's passphrase"):
        Journal(path).open_items()
    cipher.unlock(tmp_path / "centre.db", "not the passphrase")
    with pytest.raises(sealed.SealError, match="passphrase does not open this sealed file"):
        Journal(path).open_items()
    with pytest.raises(sealed.SealError, match="passphrase does not open"):
        Journal(path).append([{"type": "done", "id": "a"}])
    assert path.read_bytes() == before


def test_a_torn_last_line_is_skipped_and_the_next_append_starts_clean(tmp_path: Path) -> None:
    db = _centre(tmp_path)
    journal = Journal(journal_path(db))
    journal.append(_records(datetime.now(UTC)))
    raw = journal.path.read_bytes()
    journal.path.write_bytes(raw[: raw.rstrip(b"\n").rfind(b"\n") + 30])  # killed mid-line
    assert [i["id"] for i in journal.open_items()] == ["a", "b"]
    journal.append([{"type": "item", "id": "d", "op": "x", "args": {}}])
    assert [i["id"] for i in journal.open_items()] == ["a", "b", "d"]
    # Killed while the very first write was made: a torn header holds nothing.
    journal.path.write_bytes(raw[:20])
    assert journal.open_items() == []
    journal.append([{"type": "item", "id": "e", "op": "x", "args": {}}])
    assert [i["id"] for i in journal.open_items()] == ["e"]
    db.dispose()


def test_a_record_altered_on_disk_is_one_plain_error(tmp_path: Path) -> None:
    db = _centre(tmp_path)
    journal = Journal(journal_path(db))
    journal.append(_records(datetime.now(UTC)))
    lines = journal.path.read_bytes().split(b"\n")
    middle = bytearray(lines[2])
    middle[20] = ord("A") if middle[20] != ord("A") else ord("B")
    lines[2] = bytes(middle)
    journal.path.write_bytes(b"\n".join(lines))
    with pytest.raises(sealed.SealError, match="altered or damaged"):
        journal.open_items()
    db.dispose()


def test_a_clear_journal_from_before_encryption_is_read_then_sealed(tmp_path: Path) -> None:
    db = _centre(tmp_path, None)
    path = journal_path(db)
    Journal(path).append(_records(datetime.now(UTC))[:2])
    db.dispose()
    cipher.encrypt(tmp_path / "centre.db", PASSPHRASE)
    journal = Journal(path)
    assert [i["id"] for i in journal.open_items()] == ["a", "b"]
    journal.append([{"type": "done", "id": "a"}])
    assert not any(bit in path.read_bytes() for bit in SECRET_BITS)
    assert [i["id"] for i in journal.open_items()] == ["b"]


def test_encrypt_rekey_and_decrypt_carry_the_journal_along(tmp_path: Path) -> None:
    good, new = tmp_path / "good", tmp_path / "new"
    good.write_text(PASSPHRASE + "\n")
    new.write_text("Battery staple 2\n")
    db = _centre(tmp_path, None)
    path = journal_path(db)
    Journal(path).append(_records(datetime.now(UTC)))
    db.dispose()
    common = ["--db", str(tmp_path / "centre.db"), "--data-dir", str(tmp_path / "data")]

    assert main(["db", "encrypt", *common, "--db-passphrase-file", str(good)]) == 0
    assert path.read_bytes().startswith(sealed.MAGIC)
    assert [i["id"] for i in Journal(path).open_items()] == ["a", "b", "c"]

    cipher.forget()
    argv = ["db", "rekey", *common, "--db-passphrase-file", str(good), "--new-passphrase-file", str(new)]
    assert main(argv) == 0
    cipher.forget()
    cipher.unlock(tmp_path / "centre.db", PASSPHRASE)
    with pytest.raises(sealed.SealError, match="does not open"):
        Journal(path).open_items()
    cipher.forget()
    cipher.unlock(tmp_path / "centre.db", "Battery staple 2")
    assert [i["id"] for i in Journal(path).open_items()] == ["a", "b", "c"]

    cipher.forget()
    assert main(["db", "decrypt", *common, "--db-passphrase-file", str(new)]) == 0
    cipher.forget()
    assert NOTE.encode() in path.read_bytes() and not path.read_bytes().startswith(sealed.MAGIC)
    assert [i["id"] for i in Journal(path).open_items()] == ["a", "b", "c"]
