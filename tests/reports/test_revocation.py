"""Revocation: ``naas-centre ca revoke``, the centre's CRLs, and what verify makes of a
signature made before and after a certificate was revoked."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from sqlalchemy import select, update

from db.engine import Database
from db.models import AccountRow, AuditEntryRow, CertificateRow, CrlRow
from naas_centre.cli import main
from naas_centre.services import signatures
from naas_centre.signing import ca
from naas_centre.signing.pdf import RequiredSigner, sign_pdf
from naas_centre.signing.verify import verify_pdf
from tests.conftest import WORKSTATION
from tests.reports.conftest import DISPLAY, PASSWORDS, nss_trusting, observers_of
from tests.reports.test_cli import cli
from tests.reports.test_tamper import Signed, _draft, build_signed


@pytest.fixture(scope="module")
def base(
    tmp_path_factory: pytest.TempPathFactory, scored_template: tuple[Path, object, dict[str, str]]
) -> Signed:
    """A countersigned outcome report; each test copies its centre before revoking."""
    return build_signed(tmp_path_factory.mktemp("revocation"), scored_template)


def test_a_crl_lists_revoked_serials_with_a_reason_code_and_is_signed_by_the_ca() -> None:
    root = ca.new_ca("Pennine Assessment Centre")
    one = ca.issue_signer(root, "Sarah Khan", "Assessor", unique_id="acc-1")
    two = ca.issue_signer(root, "Tom Reyes", "Assessor", unique_id="acc-2")
    when = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)
    der = ca.make_crl(
        root,
        [
            (one.certificate.serial_number, when, "Laptop stolen from her car; key may be compromised"),
            (two.certificate.serial_number, when, "Left the centre"),
        ],
        7,
        now=when + timedelta(minutes=1),
    )
    crl = ca.load_crl(der)
    assert crl.is_signature_valid(root.certificate.public_key())  # type: ignore[arg-type]
    assert ca.crl_number(crl) == 7 and crl.issuer == root.certificate.subject
    entry = crl.get_revoked_certificate_by_serial_number(one.certificate.serial_number)
    assert entry is not None and entry.revocation_date_utc == when
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        == x509.ReasonFlags.key_compromise
    )
    left = crl.get_revoked_certificate_by_serial_number(two.certificate.serial_number)
    assert left is not None
    assert left.extensions.get_extension_for_class(x509.CRLReason).value.reason == (
        x509.ReasonFlags.cessation_of_operation
    )
    with pytest.raises(ValueError):
        ca.load_crl(b"not a revocation list")


def _copy(signed: Signed, folder: Path) -> Signed:
    """A centre of its own (database and data folder), to revoke in."""
    folder.mkdir()
    shutil.copy(signed.db_path, folder / "centre.db")
    shutil.copytree(signed.data_dir, folder / "data")
    shutil.copy(signed.pdf, folder / "outcome.pdf")
    return Signed(
        folder,
        folder / "centre.db",
        folder / "data",
        folder / "outcome.pdf",
        signed.ca_pem,
        folder / "centre.crl",
        signed.nss,
        signed.assessors,
        signed.sitting_id,
    )


def _revoke(centre: Signed, username: str, reason: str, admin: str = "admin") -> tuple[int, str, str]:
    pw = centre.folder / f"{admin}.pw"
    pw.write_text(PASSWORDS.get(admin, "nope") + "\n", encoding="utf-8")
    run = cli(
        "ca",
        "revoke",
        username,
        "--reason",
        reason,
        "--admin",
        admin,
        "--password-file",
        str(pw),
        "--db",
        str(centre.db_path),
        "--data-dir",
        str(centre.data_dir),
    )
    return run.returncode, run.stdout, run.stderr


def _export_crl(centre: Signed) -> None:
    code = main(
        [
            "ca",
            "export",
            "--db",
            str(centre.db_path),
            "--data-dir",
            str(centre.data_dir),
            "--out",
            str(centre.folder / "ca.pem"),
            "--crl-out",
            str(centre.crl),
        ]
    )
    assert code == 0


def test_9_a_signature_with_a_revoked_certificate_is_invalid(
    base: Signed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    centre = _copy(base, tmp_path / "centre")
    user = centre.assessors[0]
    # She still holds her key (her password opens it) when her certificate is revoked.
    identity = centre.identity(user)
    code, out, err = _revoke(centre, user, "Laptop stolen from her car; key may be compromised")
    assert code == 0, err
    assert f"Revoked 1 certificate(s) of {user}: {identity.serial}" in out
    _export_crl(centre)
    capsys.readouterr()

    # Whoever has the key signs a fresh copy afterwards, leaving the new CRL out.
    pdf, slots = _draft(centre)
    forged = sign_pdf(
        pdf,
        identity,
        0,
        slots[0],
        datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1),
        reason="Assessor: signed the candidate outcome and feedback",
        location="Assessment centre",
        tz="Europe/London",
        required=[RequiredSigner(0, "assessor", DISPLAY[user], centre.account_id(user))],
    )
    path = centre.write("after-revocation.pdf", forged)
    # Offline, with the revocation list the centre publishes:
    run = cli("verify", "--ca", str(centre.ca_pem), "--crl", str(centre.crl), str(path))
    assert run.returncode == 1, run.stdout
    assert "the certificate was revoked on" in run.stdout and "key compromise" in run.stdout
    assert "at or before this signature; the signature is not valid" in run.stdout
    # pdfsig sees the revocation only with the list imported into its NSS database, and
    # only as of today: it cannot tell this signature from one made before the revocation.
    nss = nss_trusting(tmp_path / "nss", centre.ca_pem)
    subprocess.run(["crlutil", "-I", "-i", str(centre.crl), "-d", f"sql:{nss.folder}", "-B"], check=True)
    assert "Certificate has been Revoked." in nss.pdfsig(path)
    assert "Certificate has been Revoked." in nss.pdfsig(centre.pdf)
    # With the centre's database (its CRLs and the certificate's status):
    run = cli("verify", "--db", str(centre.db_path), "--data-dir", str(centre.data_dir), str(path))
    assert run.returncode == 1 and "revoked on" in run.stdout, run.stdout

    # The report she signed before the revocation still stands, and says so.
    run = cli("verify", "--ca", str(centre.ca_pem), "--crl", str(centre.crl), str(centre.pdf))
    assert run.returncode == 0, run.stdout
    assert "after this signature; the signature stands" in run.stdout
    run = cli("verify", "--db", str(centre.db_path), "--data-dir", str(centre.data_dir), str(centre.pdf))
    assert run.returncode == 0, run.stdout

    # Audited, with a new CRL in the database.
    db = Database(centre.db_path, WORKSTATION)
    try:
        with db.read() as s:
            assert s.scalar(select(AuditEntryRow.id).where(AuditEntryRow.action == "certificate.revoke"))
            row = s.scalar(select(CertificateRow).where(CertificateRow.serial == identity.serial))
            assert row is not None and row.revoked_at is not None
            assert "Laptop stolen" in (row.revocation_reason or "")
            assert len(s.scalars(select(CrlRow.id)).all()) >= 2
    finally:
        db.dispose()


def test_a_crl_embedded_by_a_later_signer_shows_the_revocation_offline(base: Signed, tmp_path: Path) -> None:
    """Revoked, then she signs anyway; the manager countersigns later and his signature
    embeds the centre's current CRL: the file alone now shows her signature invalid."""
    centre = _copy(base, tmp_path / "centre")
    user = centre.assessors[0]
    hers = centre.identity(user)
    assert _revoke(centre, user, "Left the centre")[0] == 0
    his = centre.identity("manager")
    assert his.crl_der is not None and ca.load_crl(his.crl_der).get_revoked_certificate_by_serial_number(
        int(hers.serial, 16)
    )
    pdf, slots = _draft(centre)
    assert len(slots) == centre.signature_count
    countersign = len(slots) - 1  # after every assessor's place
    required = [
        RequiredSigner(0, "assessor", DISPLAY[user], centre.account_id(user)),
        RequiredSigner(countersign, "countersign", "centre manager", ""),
    ]
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    data = sign_pdf(pdf, hers, 0, slots[0], when, reason="signed", location="x", tz="UTC", required=required)
    data = sign_pdf(
        data, his, countersign, slots[countersign], when, reason="countersigned", location="x", tz="UTC"
    )
    verdict = verify_pdf(data, ca.load_any(centre.ca_pem.read_bytes()))  # no CRL given: the embedded one
    assert not verdict.ok
    first = verdict.signatures[0]
    assert not first.ok and first.revoked_at is not None
    assert "revoked" in (first.problem or "") and verdict.signatures[1].ok


def test_revoke_refuses_bad_requests_plainly(base: Signed, tmp_path: Path) -> None:
    centre = _copy(base, tmp_path / "centre")
    for args, message in (
        ((centre.assessors[0], "Left the centre", "manager"), "administrator"),
        (("nobody", "Left the centre", "admin"), "no account"),
        ((centre.assessors[0], "   ", "admin"), "--reason"),
    ):
        code, _out, err = _revoke(centre, *args)
        assert code == 2, (args, err)
        assert message in err, (args, err)
        assert "Traceback" not in err
    pw = centre.folder / "wrong.pw"
    pw.write_text("not the password\n")
    run = cli(
        "ca",
        "revoke",
        centre.assessors[0],
        "--reason",
        "Left the centre",
        "--admin",
        "admin",
        "--password-file",
        str(pw),
        "--db",
        str(centre.db_path),
    )
    assert run.returncode == 2 and "password" in run.stderr.lower() and "Traceback" not in run.stderr
    # nothing was revoked by any of these
    db = Database(centre.db_path, WORKSTATION)
    try:
        with db.read() as s:
            assert s.scalar(select(CertificateRow.id).where(CertificateRow.revoked_at.is_not(None))) is None
    finally:
        db.dispose()


def test_the_database_knows_a_replaced_certificate_and_a_deactivated_signer(
    base: Signed, tmp_path: Path
) -> None:
    """A certificate the centre had replaced before the signing time, and a signer whose
    account was deactivated before it, fail ``verify --db`` (the file alone cannot know)."""
    centre = _copy(base, tmp_path / "centre")
    first = verify_pdf(centre.data, ca.load_any(centre.ca_pem.read_bytes())).signatures[0]
    assert first.signed_at is not None
    before = first.signed_at - timedelta(minutes=1)
    db = Database(centre.db_path, WORKSTATION)
    try:
        with db.write() as s:
            s.execute(
                update(CertificateRow).where(CertificateRow.serial == first.serial).values(retired_at=before)
            )
    finally:
        db.dispose()
    run = cli("verify", "--db", str(centre.db_path), "--data-dir", str(centre.data_dir), str(centre.pdf))
    assert run.returncode == 1 and "had been replaced on" in run.stdout, run.stdout
    db = Database(centre.db_path, WORKSTATION)
    try:
        with db.write() as s:
            s.execute(
                update(CertificateRow).where(CertificateRow.serial == first.serial).values(retired_at=None)
            )
            s.execute(update(AccountRow).where(AccountRow.id == first.account_id).values(active=False))
            s.execute(update(AccountRow).where(AccountRow.id == first.account_id).values(updated_at=before))
    finally:
        db.dispose()
    run = cli("verify", "--db", str(centre.db_path), "--data-dir", str(centre.data_dir), str(centre.pdf))
    assert run.returncode == 1 and "account was deactivated" in run.stdout, run.stdout
    # verify never writes: the database is byte for byte what it was
    snapshot = centre.db_path.read_bytes()
    cli("verify", "--db", str(centre.db_path), "--data-dir", str(centre.data_dir), str(centre.pdf))
    assert centre.db_path.read_bytes() == snapshot


def test_a_superseded_version_is_shown(base: Signed, tmp_path: Path) -> None:
    from naas_centre.reports.gather import refs_for_sitting
    from naas_centre.services import accounts, sittings

    centre = _copy(base, tmp_path / "centre")
    db = Database(centre.db_path, WORKSTATION)
    try:
        manager = accounts.authenticate(db, "manager", PASSWORDS["manager"])
        ref = next(r for r in refs_for_sitting(db, manager, centre.sitting_id) if r.station_id)
        assert ref.station_id is not None
        # a station's report is signed by that station's own assessors
        user = observers_of(db, centre.sitting_id, ref.station_id)[0]
        actor = accounts.authenticate(db, user, PASSWORDS[user])
        identity = signatures.unlock_signer(db, actor, PASSWORDS[user], centre.data_dir)
        v1 = signatures.sign_report(db, actor, identity, ref)
        path = centre.write("observation-v1.pdf", signatures.document_pdf(db, actor, v1.id))
        # A correction after signing: the actor who played the scenario was recorded wrongly.
        other = sittings.add_actor(db, manager, "Corrected Actor", True)
        sittings.assign_actor(db, manager, centre.sitting_id, ref.station_id or "", other)
        v2 = signatures.sign_report(db, actor, identity, ref, reason="Actor recorded wrongly; corrected")
        assert v2.version == 2
    finally:
        db.dispose()
    run = cli("verify", "--db", str(centre.db_path), "--data-dir", str(centre.data_dir), str(path))
    assert "centre records: issued by the centre" in run.stdout and ", version 1" in run.stdout
    assert "SUPERSEDED by version 2" in run.stdout and "Actor recorded wrongly; corrected" in run.stdout
