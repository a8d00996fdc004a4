"""The CA passphrase file of an encrypted centre: sealed under the database's passphrase,
and still the key to the centre's CA after the database changes passphrase."""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from db import cipher
from db.engine import Database
from naas_centre.cli import main
from naas_centre.errors import UserError
from naas_centre.protection import sealed
from naas_centre.reports.gather import ReportRef, refs_for_sitting
from naas_centre.services import signatures
from naas_centre.signing import ca
from naas_centre.signing.verify import verify_pdf
from tests.conftest import WORKSTATION
from tests.reports.conftest import NAMES, PASSWORDS, Centre, observers_of

PASSPHRASE = "Correct horse battery 1"
NEW = "Battery staple 2"
KEY, NEW_KEY = sealed.SealKey(PASSPHRASE, "centre.db"), sealed.SealKey(NEW, "centre.db")


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    cipher.forget()
    sealed.forget()


def _reopen(centre: Centre, passphrase: str | None) -> None:
    centre.db.dispose()
    cipher.forget()
    if passphrase is not None:
        cipher.unlock(centre.path, passphrase)
    centre.db = Database(centre.path, WORKSTATION)


@pytest.fixture
def encrypted(centre: Centre) -> Iterator[Centre]:
    centre.db.dispose()
    cipher.encrypt(centre.path, PASSPHRASE)
    centre.db = Database(centre.path, WORKSTATION)
    yield centre
    centre.db.dispose()


def _report(centre: Centre) -> tuple[ReportRef, tuple[str, ...]]:
    sid = centre.sitting_of[NAMES[0]]
    ref = refs_for_sitting(centre.db, centre.login("manager"), sid)[0]
    assert ref.station_id is not None
    return ref, observers_of(centre.db, sid, ref.station_id)


def _sign(centre: Centre, username: str, ref: ReportRef) -> bytes:
    actor = centre.login(username)
    identity = signatures.unlock_signer(centre.db, actor, PASSWORDS[username], centre.data_dir)
    done = signatures.sign_report(centre.db, actor, identity, ref)
    pdf = signatures.document_pdf(centre.db, centre.login("manager"), done.id)
    verdict = verify_pdf(pdf, signatures.trusted_cas(centre.db))
    assert verdict.ok, verdict.problem
    return pdf


def _cli(centre: Centre, *args: str) -> int:
    return main([*args, "--db", str(centre.path), "--data-dir", str(centre.data_dir)])


def test_the_file_holds_no_clear_passphrase_and_a_report_signs_and_verifies(encrypted: Centre) -> None:
    ref, own = _report(encrypted)
    _sign(encrypted, own[0], ref)
    path = ca.passphrase_path(encrypted.data_dir, KEY)
    assert path.name == "ca-passphrase.centre.db.sealed"
    assert not ca.passphrase_path(encrypted.data_dir).exists()  # no clear file at all
    raw = path.read_bytes()
    assert sealed.is_sealed(raw)
    secret = ca.read_passphrase(encrypted.data_dir, KEY)
    assert secret not in raw and len(secret) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # A copy of the data folder alone, or with another passphrase, does not give it.
    with pytest.raises(UserError, match="is missing"):
        ca.read_passphrase(encrypted.data_dir)
    with pytest.raises(sealed.SealError, match="does not open"):
        ca.read_passphrase(encrypted.data_dir, sealed.SealKey("a guess at it", "centre.db"))


def test_after_rekey_and_decrypt_the_ca_still_opens(encrypted: Centre, tmp_path: Path) -> None:
    good, new = tmp_path / "good", tmp_path / "new"
    good.write_text(PASSPHRASE + "\n")
    new.write_text(NEW + "\n")
    ref, own = _report(encrypted)
    _sign(encrypted, own[0], ref)
    secret = ca.read_passphrase(encrypted.data_dir, KEY)
    encrypted.db.dispose()
    cipher.forget()

    rekey = ("db", "rekey", "--db-passphrase-file", str(good), "--new-passphrase-file", str(new))
    assert _cli(encrypted, *rekey) == 0
    raw = ca.passphrase_path(encrypted.data_dir, KEY).read_bytes()
    assert sealed.is_sealed(raw) and secret not in raw
    with pytest.raises(sealed.SealError, match="does not open"):
        ca.read_passphrase(encrypted.data_dir, KEY)
    assert ca.read_passphrase(encrypted.data_dir, NEW_KEY) == secret
    _reopen(encrypted, NEW)
    _sign(encrypted, own[1], ref)  # a new signer: a certificate issued by the CA, so its key opened

    encrypted.db.dispose()
    cipher.forget()
    assert _cli(encrypted, "db", "decrypt", "--db-passphrase-file", str(new)) == 0
    assert ca.passphrase_path(encrypted.data_dir).read_bytes() == secret + b"\n"  # as a plain centre's
    assert not ca.passphrase_path(encrypted.data_dir, KEY).exists()
    _reopen(encrypted, None)
    signatures.unlock_signer(
        encrypted.db, encrypted.login("manager"), PASSWORDS["manager"], encrypted.data_dir
    )


@pytest.mark.parametrize("how", ["by hand", "db encrypt"])
def test_a_clear_file_of_an_encrypted_centre_is_sealed_at_its_first_use(
    centre: Centre, tmp_path: Path, how: str
) -> None:
    ref, own = _report(centre)
    _sign(centre, own[0], ref)
    clear = ca.passphrase_path(centre.data_dir)
    secret = ca.read_passphrase(centre.data_dir)
    assert clear.read_bytes() == secret + b"\n"  # a plain centre: as it always was
    centre.db.dispose()
    if how == "by hand":
        cipher.encrypt(centre.path, PASSPHRASE)
    else:
        good = tmp_path / "good"
        good.write_text(PASSPHRASE + "\n")
        assert _cli(centre, "db", "encrypt", "--db-passphrase-file", str(good)) == 0
    _reopen(centre, PASSPHRASE)
    _sign(centre, own[1], ref)  # the CA's key opened with the clear file: now it is sealed
    assert not clear.exists()
    assert secret not in ca.passphrase_path(centre.data_dir, KEY).read_bytes()
    assert not list(clear.parent.glob("*.tmp"))
    assert ca.read_passphrase(centre.data_dir, KEY) == secret
    centre.db.dispose()


def test_a_plain_centre_in_the_same_folder_keeps_its_clear_file(
    centre: Centre, scored_template: tuple[Path, object, object]
) -> None:
    ref, own = _report(centre)
    _sign(centre, own[0], ref)
    clear = ca.passphrase_path(centre.data_dir)
    before = clear.read_bytes()

    other_path = centre.path.with_name("other.db")
    shutil.copy(scored_template[0], other_path)
    cipher.encrypt(other_path, PASSPHRASE)
    other = Centre(
        Database(other_path, WORKSTATION), centre.day, centre.data_dir, other_path, centre.sitting_of
    )
    try:
        _sign(other, own[0], ref)  # its own CA, under its own sealed file
        assert ca.passphrase_path(centre.data_dir, sealed.SealKey(PASSPHRASE, "other.db")).exists()
    finally:
        other.db.dispose()
    assert clear.read_bytes() == before
    _sign(centre, own[1], ref)
