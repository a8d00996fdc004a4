"""An encrypted centre's passphrase remembered in a real keyring: GNOME Keyring's Secret
Service on a D-Bus session of the test's own, driven through the real command line."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from db import cipher
from tests.keyring_session import keyring_session

GOOD, NEW = "Correct horse 1", "Battery staple 2"


@pytest.fixture(scope="module")
def keyring_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with keyring_session(tmp_path_factory.mktemp("home")) as env:
        yield env


RUN = "import sys; from naas_centre.cli import main; sys.exit(main(sys.argv[1:]))"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, check=False, timeout=300,
    )  # fmt: skip


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _secret(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def _verified(common: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _cli("audit", "verify", *common, env=env)


def test_a_remembered_passphrase_opens_the_centre_until_it_is_forgotten(
    tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    env = keyring_env
    db, data = tmp_path / "centre.db", tmp_path / "data"
    good, new = _secret(tmp_path, "good", GOOD), _secret(tmp_path, "new", NEW)
    common = ["--db", str(db), "--data-dir", str(data)]
    made = _cli("demo", *common, "--history", "none", "--encrypt", "--db-passphrase-file", good, env=env)
    assert made.returncode == 0, made.stderr
    assert cipher.looks_encrypted(db)

    asked = _verified(common, env)
    assert asked.returncode == 2 and "is encrypted" in asked.stderr  # nothing kept yet: asked for

    kept = _cli("db", "remember", *common, "--db-passphrase-file", good, env=env)
    assert kept.returncode == 0, kept.stderr
    assert "kept in the Secret Service" in kept.stdout
    before = _digest(db)
    opened = _verified(common, env)
    assert opened.returncode == 0 and "audit trail intact" in opened.stdout, opened.stderr
    assert _digest(db) == before  # reading with the kept passphrase changed nothing
    home = Path(env["HOME"])
    stored = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    assert GOOD.encode() not in stored  # the keyring keeps it encrypted, not in clear

    rekeyed = _cli("db", "rekey", *common, "--new-passphrase-file", new, env=env)
    assert rekeyed.returncode == 0, rekeyed.stderr
    assert "keeps the new passphrase" in rekeyed.stdout
    assert _verified(common, env).returncode == 0  # the keyring followed the key change

    gone = _cli("db", "forget", *common, env=env)
    assert gone.returncode == 0 and "no longer kept" in gone.stdout
    assert _verified(common, env).returncode == 2
    again = _cli("db", "forget", *common, env=env)
    assert again.returncode == 0 and "kept no passphrase" in again.stdout


def test_a_stale_passphrase_in_the_keyring_is_passed_over(
    tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    env = keyring_env
    db, data = tmp_path / "centre.db", tmp_path / "data"
    good, new = _secret(tmp_path, "good", GOOD), _secret(tmp_path, "new", NEW)
    common = ["--db", str(db), "--data-dir", str(data)]
    assert (
        _cli(
            "demo", *common, "--history", "none", "--encrypt", "--db-passphrase-file", good, env=env
        ).returncode
        == 0
    )
    assert _cli("db", "remember", *common, "--db-passphrase-file", good, env=env).returncode == 0
    # The key changed by a run that did not see this keyring: what it keeps no longer opens.
    elsewhere = {k: v for k, v in env.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    changed = _cli(
        "db", "rekey", *common, "--db-passphrase-file", good, "--new-passphrase-file", new, env=elsewhere
    )
    assert changed.returncode == 0, changed.stderr
    before = _digest(db)
    asked = _verified(common, env)
    assert asked.returncode == 2 and "is encrypted" in asked.stderr
    assert len(asked.stderr.strip().splitlines()) == 1 and "Traceback" not in asked.stderr
    assert _digest(db) == before
    assert _cli("audit", "verify", *common, "--db-passphrase-file", new, env=env).returncode == 0


def test_without_a_keyring_remember_says_so_and_keeps_nothing(
    tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    env = {k: v for k, v in keyring_env.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    db, data = tmp_path / "centre.db", tmp_path / "data"
    good = _secret(tmp_path, "good", GOOD)
    common = ["--db", str(db), "--data-dir", str(data)]
    assert (
        _cli(
            "demo", *common, "--history", "none", "--encrypt", "--db-passphrase-file", good, env=env
        ).returncode
        == 0
    )
    refused = _cli("db", "remember", *common, "--db-passphrase-file", good, env=env)
    assert refused.returncode == 2
    assert "no keyring to keep the passphrase in" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr
    assert _cli("audit", "verify", *common, env=keyring_env).returncode == 2  # the real keyring got nothing


def test_a_plain_centre_has_no_passphrase_to_remember(tmp_path: Path, keyring_env: dict[str, str]) -> None:
    db, data = tmp_path / "plain.db", tmp_path / "data"
    common = ["--db", str(db), "--data-dir", str(data)]
    assert _cli("demo", *common, "--history", "none", env=keyring_env).returncode == 0
    before = _digest(db)
    refused = _cli("db", "remember", *common, env=keyring_env)
    assert refused.returncode == 2 and "is not encrypted" in refused.stderr
    assert _digest(db) == before
