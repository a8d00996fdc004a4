"""The centre database encrypted on disk: real SQLCipher files, looked at byte by byte."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db import cipher
from db.engine import Database, DatabaseError
from db.migrate import open_read_only

NAME = "Zebedee Quinlan-Marsh"


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    cipher.forget()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _made(path: Path, passphrase: str | None) -> None:
    if passphrase is not None:
        cipher.unlock(path, passphrase)
    db = Database(path, "ws-test")
    with db.write() as s:
        s.execute(text("CREATE TABLE person (name TEXT)"))
        s.execute(text("INSERT INTO person VALUES (:n)"), {"n": NAME})
    db.dispose()
    cipher.forget()


def _names(path: Path) -> list[str]:
    db = Database(path, "ws-test")
    try:
        with db.read() as s:
            return list(s.scalars(text("SELECT name FROM person")))
    finally:
        db.dispose()


def test_an_encrypted_file_shows_nothing_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "centre.db"
    _made(path, "a long passphrase")
    raw = path.read_bytes()
    assert not raw.startswith(cipher.SQLITE_HEADER)
    assert NAME.encode() not in raw
    strings = subprocess.run(["strings", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Zebedee" not in strings
    cipher.unlock(path, "a long passphrase")
    assert _names(path) == [NAME]


def test_a_wrong_passphrase_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "centre.db"
    _made(path, "the right one")
    before = _digest(path)
    cipher.unlock(path, "the wrong one")
    with pytest.raises(cipher.Encrypted, match="the passphrase does not open this centre's database"):
        _names(path)
    with pytest.raises(cipher.Encrypted, match="the passphrase does not open"):
        open_read_only(path)
    assert _digest(path) == before


def test_opened_without_a_passphrase_it_says_it_is_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "centre.db"
    _made(path, "the right one")
    before = _digest(path)
    with pytest.raises(DatabaseError, match="is encrypted: give its passphrase"):
        open_read_only(path)
    assert _digest(path) == before


def test_encrypt_rekey_and_decrypt_in_place_keep_every_row(tmp_path: Path) -> None:
    path = tmp_path / "centre.db"
    _made(path, None)
    cipher.encrypt(path, "first")
    assert not path.read_bytes().startswith(cipher.SQLITE_HEADER)
    assert not list(tmp_path.glob(".*part*"))
    assert _names(path) == [NAME]
    cipher.rekey(path, "first", "second")
    cipher.forget()
    cipher.unlock(path, "first")
    with pytest.raises(cipher.Encrypted):
        _names(path)
    cipher.unlock(path, "second")
    assert _names(path) == [NAME]
    cipher.decrypt(path, "second")
    assert path.read_bytes().startswith(cipher.SQLITE_HEADER)
    assert _names(path) == [NAME]


def test_encrypting_an_encrypted_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "centre.db"
    _made(path, "first")
    before = _digest(path)
    with pytest.raises(cipher.Encrypted, match="not a plain SQLite database"):
        cipher.encrypt(path, "again")
    assert _digest(path) == before


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from naas_centre.cli import main; sys.exit(main(sys.argv[1:]))",
            *args,
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_the_command_line_end_to_end(tmp_path: Path) -> None:
    db, data, out = tmp_path / "demo.db", tmp_path / "data", tmp_path / "backups"
    good, bad, new = tmp_path / "good", tmp_path / "bad", tmp_path / "new"
    good.write_text("Correct horse 1\n")
    bad.write_text("not it\n")
    new.write_text("Battery staple 2\n")
    common = ["--db", str(db), "--data-dir", str(data)]
    made = _cli(
        "demo", *common, "--history", "none", "--scored", "--encrypt", "--db-passphrase-file", str(good)
    )
    assert made.returncode == 0, made.stderr
    raw = db.read_bytes()
    assert not raw.startswith(cipher.SQLITE_HEADER) and b"Pennine" not in raw

    before = _digest(db)
    for given in (["--db-passphrase-file", str(bad)], []):
        refused = _cli("audit", "verify", *common, *given)
        assert refused.returncode == 2
        assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr
    assert (
        "the passphrase does not open"
        in _cli("audit", "verify", *common, "--db-passphrase-file", str(bad)).stderr
    )
    assert "is encrypted" in _cli("audit", "verify", *common).stderr
    assert _digest(db) == before

    taken = _cli("backup", *common, "--out", str(out), "--db-passphrase-file", str(good))
    assert taken.returncode == 0, taken.stderr
    (copy,) = out.iterdir()
    assert not copy.read_bytes().startswith(cipher.SQLITE_HEADER)
    restored = tmp_path / "restored.db"
    back = _cli(
        "restore",
        str(copy),
        "--db",
        str(restored),
        "--data-dir",
        str(data),
        "--db-passphrase-file",
        str(good),
    )
    assert back.returncode == 0, back.stderr
    assert not restored.read_bytes().startswith(cipher.SQLITE_HEADER)
    ok = _cli(
        "audit", "verify", "--db", str(restored), "--data-dir", str(data), "--db-passphrase-file", str(good)
    )
    assert ok.returncode == 0 and "audit trail intact" in ok.stdout

    rekeyed = _cli(
        "db", "rekey", *common, "--db-passphrase-file", str(good), "--new-passphrase-file", str(new)
    )
    assert rekeyed.returncode == 0, rekeyed.stderr
    assert _cli("audit", "verify", *common, "--db-passphrase-file", str(good)).returncode == 2
    assert _cli("audit", "verify", *common, "--db-passphrase-file", str(new)).returncode == 0

    plain = tmp_path / "plain.db"
    assert (
        _cli("demo", "--db", str(plain), "--data-dir", str(data), "--history", "none", "--scored").returncode
        == 0
    )
    counted = _cli("audit", "verify", "--db", str(plain), "--data-dir", str(data)).stdout
    enc = _cli(
        "db", "encrypt", "--db", str(plain), "--data-dir", str(data), "--db-passphrase-file", str(good)
    )
    assert enc.returncode == 0, enc.stderr
    assert b"Pennine" not in plain.read_bytes()
    after = _cli(
        "audit", "verify", "--db", str(plain), "--data-dir", str(data), "--db-passphrase-file", str(good)
    )
    assert after.returncode == 0 and after.stdout.splitlines()[0] == counted.splitlines()[0]
