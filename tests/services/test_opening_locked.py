"""The app's opening of an encrypted centre, without Qt: asked for first, proven, then held."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from db import cipher
from naas_centre import paths
from naas_centre.opening import (
    Locked,
    OpenedCentre,
    StartOptions,
    WrongPassphrase,
    centre_file,
    open_centre,
    open_locked,
)
from naas_centre.services import centre

PASSPHRASE = "a passphrase only the centre knows"


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    cipher.forget()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A data folder whose centre's database is encrypted, with no passphrase held."""
    data = tmp_path / "data"
    data.mkdir()
    target = paths.default_db_path(data)
    centre.create_centre(
        str(target), "Harbour Centre", "admin", "Ada Admin", "a long password 1", data_dir=data
    ).dispose()
    cipher.encrypt(target, PASSPHRASE)
    cipher.forget()
    return data


def test_an_encrypted_centre_is_not_opened_until_its_passphrase_proves_right(folder: Path) -> None:
    options = StartOptions(data_dir=folder)
    target = paths.default_db_path(folder)
    assert open_centre(options) == Locked(target)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    with pytest.raises(WrongPassphrase, match=r"^The passphrase does not open this centre's database\.$"):
        open_locked(options, "a guess")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert cipher.passphrase_for(target) is None  # a wrong one is not kept

    opened = open_locked(options, PASSPHRASE)
    try:
        assert isinstance(opened, OpenedCentre)
        assert opened.info is not None and opened.info.name == "Harbour Centre"
        assert opened.encrypted is True
        assert cipher.passphrase_for(target) == PASSPHRASE  # in memory, for the run
    finally:
        opened.db.dispose()


def test_a_plain_centre_opens_at_once_and_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    target = paths.default_db_path(data)
    centre.create_centre(
        str(target), "Harbour Centre", "admin", "Ada Admin", "a long password 1", data_dir=data
    ).dispose()
    opened = open_centre(StartOptions(data_dir=data))
    try:
        assert isinstance(opened, OpenedCentre) and opened.encrypted is False
    finally:
        opened.db.dispose()


def test_a_server_has_no_file_to_unlock() -> None:
    assert centre_file(StartOptions(db="postgresql+psycopg://centre@127.0.0.1/naas")) is None
