"""Signing: the centre CA, keys under passwords, countersigning, frozen versions, audit."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEntryRow, CertificateRow, SignedDocumentRow, SigningKeyRow
from naas_centre.errors import AuthenticationFailed, Conflict, PermissionDenied
from naas_centre.reports import data as rdata
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import NotReady, ReportRef, refs_for_sitting
from naas_centre.services import accounts, audit, signatures, sittings
from naas_centre.services.views import Actor, Role
from naas_centre.signing import ca
from naas_centre.signing.pdf import SignerIdentity
from naas_centre.signing.verify import verify_pdf
from tests.reports.conftest import DISPLAY, NAMES, PASSWORDS, Centre, nss_trusting, observers_of


def _first_observation(centre: Centre, name: str = NAMES[0]) -> ReportRef:
    return refs_for_sitting(centre.db, centre.login("manager"), centre.sitting_of[name])[0]


def _signer(centre: Centre, username: str) -> tuple[Actor, SignerIdentity]:
    actor = centre.login(username)
    return actor, signatures.unlock_signer(centre.db, actor, PASSWORDS[username], centre.data_dir)


def test_first_signature_makes_the_ca_and_a_key_under_the_password(centre: Centre) -> None:
    assert signatures.centre_ca(centre.db) is None
    actor = centre.login("assessor1")
    identity = signatures.unlock_signer(centre.db, actor, PASSWORDS["assessor1"], centre.data_dir)
    info = signatures.centre_ca(centre.db)
    assert info is not None and "certificate authority" in info.subject
    secret = ca.passphrase_path(centre.data_dir)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(secret.parent.stat().st_mode) == 0o700
    with centre.db.read() as s:
        keys = {k.protection: k.encrypted_pem for k in s.scalars(select(SigningKeyRow))}
        certs = s.scalars(select(CertificateRow).order_by(CertificateRow.kind)).all()
    assert set(keys) == {"centre-passphrase-file", "account-password"}
    assert all(text.startswith(ca.ENVELOPE) and not ca.key_needs_upgrade(text) for text in keys.values())
    with pytest.raises(AuthenticationFailed):
        ca.decrypt_key(keys["account-password"], "not her password")
    ca.decrypt_key(keys["account-password"], PASSWORDS["assessor1"])
    assert [c.kind for c in certs] == ["ca", "signer"]
    assert "CN=Helen Brady" in certs[1].subject and certs[1].issuer_id == certs[0].id
    # unlocking again reuses the same certificate
    again = signatures.unlock_signer(centre.db, actor, PASSWORDS["assessor1"], centre.data_dir)
    assert again.certificate_id == identity.certificate_id
    with pytest.raises(AuthenticationFailed):
        signatures.unlock_signer(centre.db, actor, "wrong password", centre.data_dir)


def test_sign_cosign_and_countersign(centre: Centre, tmp_path: Path) -> None:
    """A station's report is signed by that station's own assessors, then countersigned;
    the sitting's other assessors cannot sign it."""
    sid = centre.sitting_of[NAMES[0]]
    ref = _first_observation(centre)
    assert ref.station_id is not None
    own = observers_of(centre.db, sid, ref.station_id)
    assert len(own) >= 2, own  # a signature and at least one cosignature
    elsewhere = [u for u in centre.assessors_of(NAMES[0]) if u not in own]
    assert elsewhere, "every assessor of the sitting observes this station"
    for user in elsewhere:
        with pytest.raises(PermissionDenied, match="observed this station"):
            signatures.plan(centre.db, centre.login(user), ref)

    u1, *others = own
    a1, id1 = _signer(centre, u1)
    first = signatures.sign_report(centre.db, a1, id1, ref)
    assert first.version == 1 and first.signers == (DISPLAY[u1],)
    with pytest.raises(Conflict, match="already signed"):
        signatures.plan(centre.db, a1, ref)
    for user in others:
        actor, identity = _signer(centre, user)
        cosigned = signatures.sign_report(centre.db, actor, identity, ref)
        assert cosigned.id == first.id and cosigned.version == 1
    m, idm = _signer(centre, "manager")
    done = signatures.sign_report(centre.db, m, idm, ref)
    assert done.id == first.id and done.version == 1
    everyone = [*(DISPLAY[u] for u in own), "Ngozi Okafor"]
    assert list(done.signers) == everyone
    with pytest.raises(Conflict, match="already countersigned"):
        signatures.plan(centre.db, m, ref)
    pdf = signatures.document_pdf(centre.db, m, done.id)
    verdict = verify_pdf(pdf, signatures.trusted_cas(centre.db))
    assert verdict.ok, verdict.problem
    assert verdict.complete and not verdict.missing
    # the report requires exactly the station's own assessors and a centre manager
    assert [r.name for r in verdict.required] == [*(DISPLAY[u] for u in own), "centre manager"]
    assert [r.role for r in verdict.required] == ["assessor"] * len(own) + ["countersign"]
    assert [s.signer for s in verdict.signatures] == everyone
    assert all(s.trusted and s.intact for s in verdict.signatures)

    ca_pem = tmp_path / "ca.pem"
    signatures.export_ca(centre.db, centre.data_dir, ca_pem)
    nss = nss_trusting(tmp_path / "nss", ca_pem)
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    out = nss.pdfsig(path)
    assert out.count("Signature Validation: Signature is Valid.") == len(everyone), out
    assert out.count("Certificate Validation: Certificate is Trusted.") == len(everyone), out
    assert "Signer Certificate Common Name: Ngozi Okafor" in out

    with centre.db.read() as s:
        actions = list(
            s.scalars(
                select(AuditEntryRow.action)
                .where(AuditEntryRow.entity_id == done.id)
                .order_by(AuditEntryRow.seq)
            )
        )
    assert actions == ["report.sign", *["report.cosign"] * len(others), "report.countersign"]
    assert audit.verify(centre.db).ok


def test_a_manager_countersigns_only_after_an_assessor(centre: Centre) -> None:
    manager = centre.login("manager")
    with pytest.raises(Conflict, match="assessor signs a report first"):
        signatures.plan(centre.db, manager, _first_observation(centre))
    mine = centre.assessors_of(NAMES[0])
    outsider = centre.login(
        next(u for u in ("assessor1", "assessor2", "assessor3", "assessor4") if u not in mine)
    )
    with pytest.raises(PermissionDenied):
        signatures.plan(centre.db, outsider, _first_observation(centre))
    with pytest.raises(PermissionDenied):
        signatures.plan(centre.db, centre.login("qa"), _first_observation(centre))


def test_the_day_summary_is_signed_by_the_manager(centre: Centre) -> None:
    m, idm = _signer(centre, "manager")
    ref = ReportRef(ReportKind.DAY_SUMMARY, day=centre.day)
    view = signatures.sign_report(centre.db, m, idm, ref)
    assert view.kind == ReportKind.DAY_SUMMARY
    assert verify_pdf(signatures.document_pdf(centre.db, m, view.id), signatures.trusted_cas(centre.db)).ok


def test_no_signature_before_every_score_is_in(centre: Centre) -> None:
    manager = centre.login("manager")
    from naas_centre.demo.centre import demo_packs

    sid = centre.sitting_of[NAMES[1]]
    detail = sittings.sitting_detail(centre.db, manager, sid)
    with centre.db.read() as s:
        from db.models import SittingRow

        room = s.get(SittingRow, sid).room_id  # type: ignore[union-attr]
    resit = sittings.plan_sitting(
        centre.db,
        manager,
        detail.candidate.id,
        demo_packs()["practitioner"],
        room,
        detail.summary.starts_at,
        attempt=2,
    )
    a1 = centre.login("assessor1")
    sittings.assign_assessor(centre.db, manager, resit, a1.account_id)
    for ref in refs_for_sitting(centre.db, manager, resit):
        with pytest.raises(NotReady):
            signatures.plan(centre.db, a1, ref)


def test_a_change_after_signing_needs_a_reason_and_makes_a_new_version(centre: Centre) -> None:
    ref = _first_observation(centre)
    a1, id1 = _signer(centre, centre.assessors_of(NAMES[0])[0])
    v1 = signatures.sign_report(centre.db, a1, id1, ref)
    v1_pdf = signatures.document_pdf(centre.db, a1, v1.id)
    assert signatures.changed_since_signed(centre.db, a1, ref) is False

    # A correction after signing: the actor who played the scenario was recorded wrongly.
    manager = centre.login("manager")
    sid = centre.sitting_of[NAMES[0]]
    other_actor = sittings.add_actor(centre.db, manager, "Corrected Actor", True)
    sittings.assign_actor(centre.db, manager, sid, ref.station_id or "", other_actor)
    assert signatures.changed_since_signed(centre.db, a1, ref) is True

    with pytest.raises(Conflict, match="changed after it was signed"):
        signatures.plan(centre.db, a1, ref)
    v2 = signatures.sign_report(centre.db, a1, id1, ref, reason="Actor recorded wrongly; corrected")
    assert v2.version == 2 and v2.supersedes_id == v1.id and v2.reason == "Actor recorded wrongly; corrected"

    versions = signatures.documents(centre.db, a1, ref)
    assert [v.version for v in versions] == [1, 2]
    assert signatures.document_pdf(centre.db, a1, v1.id) == v1_pdf
    old = signatures.frozen_data(centre.db, a1, v1.id)
    new = signatures.frozen_data(centre.db, a1, v2.id)
    assert isinstance(old, rdata.ObservationReportData) and isinstance(new, rdata.ObservationReportData)
    assert old.actor_name != "Corrected Actor" and new.actor_name == "Corrected Actor"
    with centre.db.read() as s:
        entry = s.scalar(select(AuditEntryRow).where(AuditEntryRow.action == "report.reissue"))
        assert entry is not None and "Actor recorded wrongly" in (entry.after or "")
        assert s.scalar(select(SignedDocumentRow.id).where(SignedDocumentRow.id == v1.id)) == v1.id


def test_a_password_reset_gives_a_new_key_only_by_two_administrators_and_old_documents_still_verify(
    centre: Centre,
) -> None:
    ref = _first_observation(centre)
    a1, id1 = _signer(centre, centre.assessors_of(NAMES[0])[0])
    v1 = signatures.sign_report(centre.db, a1, id1, ref)
    admin = centre.login("admin")
    accounts.set_password(centre.db, admin, a1.account_id, "a temporary password", None)
    with pytest.raises(AuthenticationFailed, match="Choose a new password of your own"):
        signatures.unlock_signer(centre.db, a1, "a temporary password", centre.data_dir)
    accounts.set_password(centre.db, a1, a1.account_id, "a brand new password", "a temporary password")
    with pytest.raises(PermissionDenied, match="two administrators"):
        signatures.unlock_signer(centre.db, a1, "a brand new password", centre.data_dir)
    accounts.create_account(centre.db, admin, "admin2", "Second Admin", Role.ADMINISTRATOR, "second pass!")
    admin2 = accounts.authenticate(centre.db, "admin2", "second pass!")
    accounts.set_password(centre.db, admin2, admin2.account_id, "second admin's own", "second pass!")
    week_on = datetime.now(UTC) + timedelta(days=8)  # a new administrator account waits a week to approve
    for approver in (admin, admin2):
        signatures.approve_replacement(
            centre.db, approver, a1.account_id, "Reset at her request, in person", now=week_on
        )
    fresh = signatures.unlock_signer(centre.db, a1, "a brand new password", centre.data_dir)
    assert fresh.certificate_id != id1.certificate_id
    pdf = signatures.document_pdf(centre.db, a1, v1.id)
    verdict = verify_pdf(pdf, signatures.trusted_cas(centre.db))
    assert verdict.signatures[0].intact and verdict.signatures[0].trusted and not verdict.changes


# The key envelope and the certificate subject (no database) --------------------------


def test_keys_are_sealed_with_argon2id_and_aes_gcm_and_old_keys_still_open() -> None:
    import json
    import time

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    sealed = ca.encrypt_key(key, "Helen's own password")
    assert sealed.startswith(ca.ENVELOPE) and not ca.key_needs_upgrade(sealed)
    header = json.loads(sealed.rpartition(":")[0][len(ca.ENVELOPE) :])
    assert header["kdf"] == "argon2id" and header["m"] >= 19456 and header["v"] == 2
    start = time.perf_counter()
    opened = ca.decrypt_key(sealed, "Helen's own password")
    # a guess costs at least what a sign-in costs (argon2id at 19 MiB, 2 passes: ~30 ms)
    assert time.perf_counter() - start > 0.02
    assert ca.key_der(opened) == ca.key_der(key)
    with pytest.raises(AuthenticationFailed):
        ca.decrypt_key(sealed, "a guess")
    # the cost parameters are authenticated: lowering them does not make guessing cheaper
    weaker = sealed.replace('"m":47104', '"m":19456')
    assert weaker != sealed
    with pytest.raises(AuthenticationFailed):
        ca.decrypt_key(weaker, "Helen's own password")
    # an old key (PKCS#8 PEM under PBKDF2) still opens, and says it wants re-sealing
    old = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"old password"),
    ).decode("ascii")
    assert ca.key_needs_upgrade(old)
    assert ca.key_der(ca.decrypt_key(old, "old password")) == ca.key_der(key)
    with pytest.raises(AuthenticationFailed):
        ca.decrypt_key(old, "wrong")


def test_two_people_with_one_name_get_different_subjects() -> None:
    from cryptography import x509

    root = ca.new_ca("Pennine Assessment Centre")
    one = ca.issue_signer(root, "Sarah Khan", "Assessor", unique_id="acc-1", registration="SW104422")
    two = ca.issue_signer(root, "Sarah Khan", "Assessor", unique_id="acc-2", registration=None)
    assert one.certificate.subject != two.certificate.subject
    assert ca.unique_id(one.certificate) == "acc-1" and ca.registration(one.certificate) == "SW104422"
    assert ca.unique_id(two.certificate) == "acc-2" and ca.registration(two.certificate) is None
    cert = one.certificate
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = root.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    cert.verify_directly_issued_by(root.certificate)
