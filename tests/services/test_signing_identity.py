"""Signing identities that hold, tried as an attacker with an administrator's account would:
a reset password unlocks nothing, a replacement needs two other administrators, every
password check shares one lock-out, revoked certificates never sign again, marking codes
cannot be computed, and a batch never writes a stale signed version."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from sqlalchemy import event, func, select

from db.engine import StorageError
from db.models import (
    AccountRow,
    AuditEntryRow,
    CertificateApprovalRow,
    CertificateRow,
    CrlRow,
    DocumentSignatureRow,
    SigningKeyRow,
    SittingRow,
)
from naas_centre.errors import AccountLocked, AuthenticationFailed, Conflict, PermissionDenied
from naas_centre.reports import batch
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import ReportRef, refs_for_sitting
from naas_centre.services import accounts, audit, certificates, marking, signatures, sittings, written
from naas_centre.services.views import Actor, Role
from naas_centre.signing import ca
from tests.reports import conftest as reports_fixtures
from tests.reports.conftest import NAMES, PASSWORDS, Centre

# The scored demo day of the report tests, copied per test (no CA yet).
scored_template = reports_fixtures.scored_template
centre = reports_fixtures.centre

OWN = "a password of her own choosing"
TEMPORARY = "temporary-from-admin-42"


LATER = datetime.now(UTC) + timedelta(days=8)  # when a new administrator account may approve


def _second_admin(centre: Centre) -> Actor:
    """A second administrator, who has chosen their own password."""
    admin = centre.login("admin")
    accounts.create_account(
        centre.db, admin, "admin2", "Second Administrator", Role.ADMINISTRATOR, "set by admin1"
    )
    second = accounts.authenticate(centre.db, "admin2", "set by admin1")
    accounts.set_password(centre.db, second, second.account_id, "second admin's own", "set by admin1")
    return second


def _audit_actions(centre: Centre, prefix: str) -> list[str]:
    with centre.db.read() as s:
        return list(
            s.scalars(
                select(AuditEntryRow.action)
                .where(AuditEntryRow.action.like(f"{prefix}%"))
                .order_by(AuditEntryRow.seq)
            )
        )


def _observation(centre: Centre, name: str = NAMES[0]) -> ReportRef:
    return refs_for_sitting(centre.db, centre.login("manager"), centre.sitting_of[name])[0]


def test_a_reset_password_unlocks_nothing_and_a_replacement_needs_two_other_administrators(
    centre: Centre,
) -> None:
    helen = centre.login("assessor1")
    first = signatures.unlock_signer(centre.db, helen, PASSWORDS["assessor1"], centre.data_dir)
    admin = centre.login("admin")

    # The administrator resets her password and tries to sign in her name.
    accounts.set_password(centre.db, admin, helen.account_id, TEMPORARY, None)
    as_helen = accounts.authenticate(centre.db, "assessor1", TEMPORARY)
    with pytest.raises(certificates.TemporaryPassword, match="Choose a new password of your own first"):
        signatures.unlock_signer(centre.db, as_helen, TEMPORARY, centre.data_dir)

    # Choosing "her own" password from the temporary one does not open the old key, and
    # does not get a new certificate issued either: that is the reset attack.
    accounts.set_password(centre.db, as_helen, helen.account_id, OWN, TEMPORARY)
    with centre.db.read() as s:
        row = s.get(AccountRow, helen.account_id)
        assert row is not None and not row.password_temporary
    with pytest.raises(certificates.ReplacementNeedsApproval, match="two administrators"):
        signatures.unlock_signer(centre.db, helen, OWN, centre.data_dir)

    # Two approvals, by two different administrators, none of them for themself.
    with pytest.raises(PermissionDenied, match="themself"):
        signatures.approve_replacement(centre.db, admin, admin.account_id, "testing")
    with pytest.raises(Exception, match="reason"):
        signatures.approve_replacement(centre.db, admin, helen.account_id, "   ")
    state = signatures.approve_replacement(
        centre.db, admin, helen.account_id, "Password reset at her request; she is here in person."
    )
    assert (state.approvals, state.needed) == (1, 2)
    with pytest.raises(Conflict, match="second administrator"):
        signatures.approve_replacement(centre.db, admin, helen.account_id, "again")
    with pytest.raises(certificates.ReplacementNeedsApproval, match="1 more needed"):
        signatures.unlock_signer(centre.db, helen, OWN, centre.data_dir)
    second = _second_admin(centre)
    # One administrator cannot make the second approver: a new account waits a week.
    with pytest.raises(PermissionDenied, match="less than 7 days ago"):
        signatures.approve_replacement(centre.db, second, helen.account_id, "Seen her identity badge.")
    signatures.approve_replacement(centre.db, second, helen.account_id, "Seen her identity badge.", now=LATER)

    replaced = signatures.unlock_signer(centre.db, helen, OWN, centre.data_dir)
    assert replaced.certificate_id != first.certificate_id
    with centre.db.read() as s:
        approvals = s.scalars(select(CertificateApprovalRow)).all()
        assert len(approvals) == 2 and all(a.used_at is not None for a in approvals)
        old = s.get(CertificateRow, first.certificate_id)
        assert old is not None and old.retired_at is not None
        issue = s.scalars(
            select(AuditEntryRow.after)
            .where(AuditEntryRow.action == "certificate.issue")
            .order_by(AuditEntryRow.seq)
        ).all()
    assert "two administrators" in (issue[-1] or "") and "first certificate" in (issue[0] or "")
    assert _audit_actions(centre, "certificate.approve") == ["certificate.approve"] * 2
    # The same key again next time; the approvals were used once and are gone.
    again = signatures.unlock_signer(centre.db, helen, OWN, centre.data_dir)
    assert again.certificate_id == replaced.certificate_id
    people = {p.username: p for p in signatures.list_certificates(centre.db, admin)}
    assert people["assessor1"].approvers == ()


def test_changing_ones_own_password_re_encrypts_the_key_in_the_same_transaction(centre: Centre) -> None:
    helen = centre.login("assessor1")
    first = signatures.unlock_signer(centre.db, helen, PASSWORDS["assessor1"], centre.data_dir)
    accounts.set_password(centre.db, helen, helen.account_id, OWN, PASSWORDS["assessor1"])
    after = signatures.unlock_signer(centre.db, helen, OWN, centre.data_dir)
    assert after.certificate_id == first.certificate_id and after.key_der == first.key_der
    with centre.db.read() as s:
        stored = s.scalar(select(SigningKeyRow).where(SigningKeyRow.certificate_id == first.certificate_id))
        assert stored is not None
    with pytest.raises(AuthenticationFailed):
        ca.decrypt_key(stored.encrypted_pem, PASSWORDS["assessor1"])
    assert "certificate.key_reencrypt" in _audit_actions(centre, "certificate.key")


def test_an_old_format_key_is_upgraded_after_unlocking_and_audited(centre: Centre) -> None:
    helen = centre.login("assessor1")
    first = signatures.unlock_signer(centre.db, helen, PASSWORDS["assessor1"], centre.data_dir)
    key = ca.key_from_der(first.key_der)
    old_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSWORDS["assessor1"].encode()),
    ).decode("ascii")
    with centre.db.write() as s:
        row = s.scalar(select(SigningKeyRow).where(SigningKeyRow.certificate_id == first.certificate_id))
        assert row is not None
        row.encrypted_pem = old_pem  # as a database from before the upgrade holds it
    assert ca.key_needs_upgrade(old_pem)
    again = signatures.unlock_signer(centre.db, helen, PASSWORDS["assessor1"], centre.data_dir)
    assert again.certificate_id == first.certificate_id
    with centre.db.read() as s:
        row = s.scalar(select(SigningKeyRow).where(SigningKeyRow.certificate_id == first.certificate_id))
        assert row is not None and not ca.key_needs_upgrade(row.encrypted_pem)
    assert _audit_actions(centre, "certificate.key_upgrade") == ["certificate.key_upgrade"]


def test_subjects_carry_the_registration_number_and_a_unique_id(centre: Centre) -> None:
    admin = centre.login("admin")
    twin = accounts.create_account(
        centre.db,
        admin,
        "hbrady2",
        "Helen Brady",
        Role.ASSESSOR,
        "another helen pass",
        registration_number="SW104477",
    )
    helen = centre.login("assessor1")
    one = signatures.unlock_signer(centre.db, helen, PASSWORDS["assessor1"], centre.data_dir)
    # An administrator chose the new account's password: it unlocks nothing until its owner
    # chooses their own.
    twin_actor = accounts.authenticate(centre.db, "hbrady2", "another helen pass")
    with pytest.raises(certificates.TemporaryPassword):
        signatures.unlock_signer(centre.db, twin_actor, "another helen pass", centre.data_dir)
    accounts.set_password(centre.db, twin_actor, twin.id, "her own helen pass", "another helen pass")
    other = signatures.unlock_signer(centre.db, twin_actor, "her own helen pass", centre.data_dir)
    a, b = (
        x509.load_pem_x509_certificate(one.cert_pem.encode()),
        x509.load_pem_x509_certificate(other.cert_pem.encode()),
    )
    assert a.subject != b.subject
    assert ca.unique_id(a) == helen.account_id and ca.unique_id(b) == twin.id
    assert ca.registration(a) == "SW071932" and ca.registration(b) == "SW104477"
    assert one.registration == "SW071932"
    assert a.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Helen Brady"
    with pytest.raises(Exception, match="registration number"):
        accounts.create_account(
            centre.db, admin, "x9", "X", Role.ASSESSOR, "long enough pass", registration_number="SW 12; drop"
        )


# One lock-out behind every door ----------------------------------------------------------------


def _open_kiosk(centre: Centre) -> written.KioskGrant:
    helen = centre.login("assessor1")
    mine = [
        sid
        for sid in centre.sitting_of.values()
        if sid in {s.id for s in sittings.list_for_assessor(centre.db, helen, centre.day)}
    ]
    return written.open_kiosk(centre.db, helen, mine[0])


DOORS = {
    "sign-in": lambda centre, actor, pw: accounts.authenticate(centre.db, "assessor1", pw),
    "idle unlock": lambda centre, actor, pw: accounts.check_password(
        centre.db, actor.account_id, pw, door=accounts.IDLE_UNLOCK
    ),
    "sign dialog": lambda centre, actor, pw: signatures.unlock_signer(centre.db, actor, pw, centre.data_dir),
    "kiosk exit": lambda centre, actor, pw: written.leave_kiosk(
        centre.db, _open_kiosk(centre), "assessor1", pw
    ),
}


@pytest.mark.parametrize("door", list(DOORS))
def test_two_hundred_wrong_passwords_then_the_right_one_is_refused_while_locked(
    centre: Centre, door: str
) -> None:
    helen = centre.login("assessor1")
    grant = _open_kiosk(centre) if door == "kiosk exit" else None
    attempt = DOORS[door]
    if grant is not None:
        attempt = lambda centre, actor, pw: written.leave_kiosk(centre.db, grant, "assessor1", pw)  # noqa: E731
    before = len(_audit_actions(centre, "account."))
    for i in range(200):
        with pytest.raises(AuthenticationFailed):
            attempt(centre, helen, f"guess number {i}")
    with pytest.raises(AccountLocked, match="locked"):
        attempt(centre, helen, PASSWORDS["assessor1"])
    # The lock is the sign-in lock: signing in is refused too, and so is the idle unlock.
    with pytest.raises(AccountLocked):
        accounts.authenticate(centre.db, "assessor1", PASSWORDS["assessor1"])
    with pytest.raises(AccountLocked):
        accounts.confirm_password(centre.db, helen.account_id, PASSWORDS["assessor1"])
    failures = _audit_actions(centre, "account.")[before:]
    assert failures.count("account.locked") == 1
    assert len([a for a in failures if a.startswith("account.failed_")]) == accounts.MAX_FAILURES - 1
    # An administrator unlocks it; then the right password works at this door.
    accounts.unlock(centre.db, centre.login("admin"), helen.account_id)
    attempt(centre, helen, PASSWORDS["assessor1"])


def test_failures_at_different_doors_count_towards_one_lock(centre: Centre) -> None:
    helen = centre.login("assessor1")
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(centre.db, "assessor1", "wrong at sign-in")
    for _ in range(2):
        assert not accounts.confirm_password(centre.db, helen.account_id, "wrong at the idle lock")
    with pytest.raises(AccountLocked):
        signatures.unlock_signer(centre.db, helen, "wrong in the sign dialog", centre.data_dir)
    assert _audit_actions(centre, "account.failed_") == [
        "account.failed_login",
        "account.failed_login",
        "account.failed_unlock",
        "account.failed_unlock",
    ]


# Notices, revocation ---------------------------------------------------------------------------


def test_the_person_is_shown_each_certificate_issued_in_their_name(centre: Centre) -> None:
    helen = centre.login("assessor1")
    assert signatures.pending_certificate_notices(centre.db, helen) == []
    identity = signatures.unlock_signer(centre.db, helen, PASSWORDS["assessor1"], centre.data_dir)
    notices = signatures.pending_certificate_notices(centre.db, helen)
    assert [n.serial for n in notices] == [identity.serial]
    assert "first certificate" in notices[0].grounds
    assert signatures.pending_certificate_notices(centre.db, centre.login("assessor2")) == []
    assert signatures.acknowledge_certificates(centre.db, helen) == 1
    assert signatures.pending_certificate_notices(centre.db, helen) == []
    assert _audit_actions(centre, "certificate.acknowledge") == ["certificate.acknowledge"]


def test_a_revoked_certificate_never_signs_again(centre: Centre) -> None:
    ref = _observation(centre)
    helen = centre.login("assessor1")
    identity = signatures.unlock_signer(centre.db, helen, PASSWORDS["assessor1"], centre.data_dir)
    with centre.db.read() as s:
        first_crl = s.scalars(select(CrlRow)).all()
    assert [c.number for c in first_crl] == [1]  # made with the CA
    assert identity.crl_der == first_crl[0].der

    with pytest.raises(PermissionDenied):
        signatures.revoke_certificates(
            centre.db,
            centre.login("manager"),
            "assessor1",
            "no",
            centre.data_dir,
            password=PASSWORDS["manager"],
        )
    with pytest.raises(Exception, match="reason"):
        signatures.revoke_certificates(
            centre.db, centre.login("admin"), "assessor1", " ", centre.data_dir, password=PASSWORDS["admin"]
        )
    serials = signatures.revoke_certificates(
        centre.db,
        centre.login("admin"),
        "assessor1",
        "Laptop stolen; key may be compromised",
        centre.data_dir,
        password=PASSWORDS["admin"],
    )
    assert serials == [identity.serial]
    with centre.db.read() as s:
        newest = s.scalar(select(CrlRow).order_by(CrlRow.number.desc()).limit(1))
        row = s.get(CertificateRow, identity.certificate_id)
    assert newest is not None and newest.number == 2
    crl = x509.load_der_x509_crl(newest.der)
    revoked = crl.get_revoked_certificate_by_serial_number(int(identity.serial, 16))
    assert revoked is not None
    assert row is not None and row.revocation_reason == "Laptop stolen; key may be compromised"
    assert _audit_actions(centre, "certificate.revoke") == ["certificate.revoke"]

    # The identity unlocked before the revocation cannot sign now, and no unlock gives it back.
    with pytest.raises(Conflict, match="revoked"):
        signatures.sign_report(centre.db, helen, identity, ref)
    with pytest.raises(certificates.ReplacementNeedsApproval, match="revoked"):
        signatures.unlock_signer(centre.db, helen, PASSWORDS["assessor1"], centre.data_dir)
    with pytest.raises(Exception, match="no certificate that can be revoked"):
        signatures.revoke_certificates(
            centre.db,
            centre.login("admin"),
            "assessor1",
            "again",
            centre.data_dir,
            password=PASSWORDS["admin"],
        )

    signatures.approve_replacement(centre.db, centre.login("admin"), helen.account_id, "New laptop issued")
    signatures.approve_replacement(
        centre.db, _second_admin(centre), helen.account_id, "Confirmed with her manager", now=LATER
    )
    fresh = signatures.unlock_signer(centre.db, helen, PASSWORDS["assessor1"], centre.data_dir)
    assert fresh.serial != identity.serial and fresh.crl_der == newest.der
    done = signatures.sign_report(centre.db, helen, fresh, ref)
    assert done.version == 1

    people = {p.username: p for p in signatures.list_certificates(centre.db, centre.login("admin"))}
    assert [c.status for c in people["assessor1"].certificates] == ["in use", "revoked"]
    assert people["assessor2"].certificates == ()
    with pytest.raises(PermissionDenied):
        signatures.list_certificates(centre.db, helen)


# Marking codes ---------------------------------------------------------------------------------


def test_marking_codes_are_random_stored_and_not_derived_from_the_sitting(centre: Centre) -> None:
    with centre.db.read() as s:
        rows = s.execute(select(SittingRow.id, SittingRow.marking_code)).all()
    assert rows and all(code for _, code in rows)
    assert len({code for _, code in rows}) == len(rows)
    for sid, code in rows:
        assert code not in hashlib.sha256(sid.encode()).hexdigest().upper()
        assert set(code) <= set(marking.CODE_ALPHABET) and len(code) == marking.CODE_LENGTH

    # A sitting planned before codes existed gets one the first time it is needed, audited.
    sid = rows[0][0]
    with centre.db.write() as s:
        row = s.get(SittingRow, sid)
        assert row is not None
        before = audit.snapshot(row)
        row.marking_code = None
        audit.record(s, None, "sitting.test_clear", row, before)
    code = marking.ensure_marking_codes(centre.db, [sid])[sid]
    assert code and code != rows[0][1]
    assert written.anonymous_code(centre.db, sid) == f"Script {code}"
    with centre.db.read() as s:
        entry = s.scalar(
            select(AuditEntryRow.after).where(
                AuditEntryRow.action == "sitting.marking_code", AuditEntryRow.entity_id == sid
            )
        )
    assert entry is not None and code in entry


# The batch -------------------------------------------------------------------------------------


def _changed_after_signing(centre: Centre) -> tuple[ReportRef, Actor, str]:
    """The first candidate's observation report signed by its first assessor, then corrected."""
    ref = _observation(centre)
    first = centre.assessors_of(NAMES[0])[0]
    signer = centre.login(first)
    identity = signatures.unlock_signer(centre.db, signer, PASSWORDS[first], centre.data_dir)
    signatures.sign_report(centre.db, signer, identity, ref)
    manager = centre.login("manager")
    other = sittings.add_actor(centre.db, manager, "Corrected Actor", True)
    sittings.assign_actor(centre.db, manager, centre.sitting_of[NAMES[0]], ref.station_id or "", other)
    return ref, signer, first


def test_a_batch_never_writes_a_stale_signed_version(centre: Centre, tmp_path: Path) -> None:
    ref, signer, username = _changed_after_signing(centre)
    sid = centre.sitting_of[NAMES[0]]

    # Reading only: the changed report is left out with the reason, never written as v1.
    reader = centre.login("manager")  # reading only: no identity
    out = tmp_path / "read"
    result = batch.run(centre.db, reader, out, sitting_id=sid, workers=1)
    assert not any(p.name.endswith(f"{ref.kind.value}_{ref.station_id}_v1.pdf") for p in result.written)
    why = dict(result.skipped)[ref.key]
    assert "changed after version 1 was signed" in why
    assert result.signed == 0 and result.drafts == len(result.written)

    # The signer without a reason: the run stops before anything is signed or written,
    # naming the report.
    identity = signatures.unlock_signer(centre.db, signer, PASSWORDS[username], centre.data_dir)
    stopped = tmp_path / "stopped"
    with pytest.raises(batch.ReasonNeeded, match=NAMES[0]) as caught:
        batch.run(centre.db, signer, stopped, sitting_id=sid, identity=identity, workers=1)
    assert caught.value.keys == [ref.key] and "Give the reason" in str(caught.value)
    assert not stopped.exists()
    with centre.db.read() as s:
        assert s.scalar(select(func.count()).select_from(DocumentSignatureRow)) == 1  # nothing new signed

    # With a reason: version 2 is signed and written, and the counts say so.
    again = batch.run(
        centre.db,
        signer,
        tmp_path / "signed",
        sitting_id=sid,
        identity=identity,
        reason="Actor recorded wrongly; corrected",
        workers=1,
    )
    assert again.new_versions == 1 and again.signed >= 1
    names = [p.name for p in again.written]
    assert any(n.endswith(f"{ref.kind.value}_{ref.station_id}_v2.pdf") for n in names)
    assert not any(n.endswith("_v1.pdf") and ref.station_id in n for n in names)
    versions = signatures.documents(centre.db, signer, ref)
    assert [v.version for v in versions] == [1, 2] and versions[
        1
    ].reason == "Actor recorded wrongly; corrected"


def test_a_countersigning_manager_is_told_which_reports_wait_for_a_new_version(
    centre: Centre, tmp_path: Path
) -> None:
    ref, _, _ = _changed_after_signing(centre)
    manager = centre.login("manager")
    identity = signatures.unlock_signer(centre.db, manager, PASSWORDS["manager"], centre.data_dir)
    result = batch.run(
        centre.db,
        manager,
        tmp_path / "out",
        sitting_id=centre.sitting_of[NAMES[0]],
        identity=identity,
        workers=1,
    )
    # A manager does not start a new version of a candidate's report: it is left out, named.
    assert "an assessor of the sitting signs version 2" in dict(result.skipped)[ref.key]
    assert result.signed == 0
    assert signatures.documents(centre.db, manager, ref)[-1].version == 1
    assert ReportKind.OBSERVATION.value in ref.key


def test_the_idle_lock_still_opens_for_its_owner_when_the_disk_refuses_writes(centre: Centre) -> None:
    helen = centre.login("assessor1")
    holder = sqlite3.connect(centre.path, timeout=0, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock: no write gets through

    @event.listens_for(centre.db.engine, "connect")
    def _impatient(conn: sqlite3.Connection, _rec: object) -> None:
        conn.execute("PRAGMA busy_timeout=100")

    centre.db.engine.dispose()
    try:
        assert accounts.confirm_password(centre.db, helen.account_id, PASSWORDS["assessor1"])
        assert not accounts.confirm_password(centre.db, helen.account_id, "a wrong guess")
        with pytest.raises(StorageError):  # signing needs the disk anyway: it says so
            signatures.unlock_signer(centre.db, helen, PASSWORDS["assessor1"], centre.data_dir)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
