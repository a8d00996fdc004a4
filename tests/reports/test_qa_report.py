"""The QA report on a centre filled through the services: its figures as the statistics
give them, read back from the PDF with poppler; fairness only in the QA lead's; signed by
the person who ran it, trusted by pdfsig and by the product's own verifier, and caught
when a byte changes; kept with the centre's signed documents, a new version each time."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import SignedDocumentRow
from naas_centre.errors import PermissionDenied
from naas_centre.qa import agreement, reliability
from naas_centre.qa.disclosure import Period
from naas_centre.reports.qa_report import Signer, render
from naas_centre.services import audit, certificates, signatures, verification
from naas_centre.services.qa_analysis import QaAnalysis, analyse
from naas_centre.services.qa_signing import KIND, sign_qa_report
from naas_centre.signing.verify import verify_pdf
from tests.conftest import WORKSTATION
from tests.reports.conftest import nss_trusting, pdftotext
from tests.services import qa_centre
from tests.services.qa_centre import AFTER, LENIENT, PASSWORD, PERIOD_END, PERIOD_START, QaCentre

PERIOD = Period(PERIOD_START, PERIOD_END)
WHEN = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Path, QaCentre]:
    return qa_centre.built(tmp_path_factory.mktemp("qa-report"), sqlite_template)


@pytest.fixture
def centre(tmp_path: Path, built: tuple[Path, QaCentre]) -> Iterator[QaCentre]:
    shutil.copy(built[0], tmp_path / "qa.db")
    db = Database(tmp_path / "qa.db", WORKSTATION)
    yield QaCentre(db, given=built[1].given, sitting_ids=built[1].sitting_ids)
    db.dispose()


def text_of(tmp_path: Path, pdf: bytes, name: str = "report.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    return " ".join(pdftotext(path).split())


def drawn(analysis: QaAnalysis) -> bytes:
    return render(analysis, centre="Northern Centre", signer=Signer("Dev Patel", "QA lead"), made_at=WHEN).pdf


def test_the_figures_are_the_statistics_and_say_what_they_mean(centre: QaCentre, tmp_path: Path) -> None:
    analysis = analyse(centre.db, centre.login("qa"), PERIOD, today=AFTER)
    text = text_of(tmp_path, drawn(analysis))
    assert "Quality assurance report" in text and PERIOD.in_words() in text
    # The centre's agreement, computed here from what was scored: every pair of levels.
    firsts, seconds = [], []
    for first, second in ((LENIENT, "Omar Haddad"), ("Ruth Allen", "Tom Price")):
        a, b = qa_centre.pair_levels(centre, first, second)
        firsts += a
        seconds += b
    wk = agreement.weighted_kappa(firsts, seconds, "quadratic").kappa
    assert f"weighted kappa {wk:.2f}" in text
    # The home visit's alpha, from the mean of the two sheets' levels of every sitting.
    rows = [
        np.mean([v for (s, _w, st), v in centre.given.items() if s == sid and st == "home-visit"], axis=0)
        for sid in centre.sitting_ids
    ]
    alpha = reliability.cronbach_alpha(np.array(rows)).alpha
    assert f"Home visit 3 40 {alpha:.2f}" in text
    # Plain words, and the flag in words too.
    assert "Assessors agree" in text
    assert f"Attention: {LENIENT} scores more leniently than the candidates and stations explain" in text
    assert "5. Fairness" in text and "Age band" in text


def test_a_report_without_equality_access_has_no_fairness(centre: QaCentre, tmp_path: Path) -> None:
    analysis = analyse(centre.db, centre.login("manager"), PERIOD, today=AFTER)
    text = text_of(tmp_path, drawn(analysis))
    assert "4. Examiner stringency and drift" in text
    for word in ("Fairness", "Age band", "Ethnicity", "Wilson"):
        assert word not in text


def test_signed_by_whoever_ran_it_verified_and_a_changed_byte_caught(
    centre: QaCentre, tmp_path: Path
) -> None:
    manager = centre.login("manager")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    identity = certificates.unlock_signer(centre.db, manager, PASSWORD, data_dir)
    analysis = analyse(centre.db, manager, PERIOD, today=AFTER)
    # Signed now: the signer's certificate was issued just above, and must be valid then.
    signed = sign_qa_report(centre.db, manager, identity, analysis)
    assert signed.version == 1

    trusted = signatures.trusted_cas(centre.db)
    verdict = verify_pdf(signed.pdf, trusted)
    assert verdict.accepted and verdict.complete, verdict.problems
    assert [(r.name, r.account_id) for r in verdict.required] == [("Helen Brooks", manager.account_id)]
    record = verification.check(centre.db, signed.pdf, verdict)
    assert record.ok and record.issued

    ca_pem = tmp_path / "ca.pem"
    signatures.export_ca(centre.db, data_dir, ca_pem)
    nss = nss_trusting(tmp_path / "nss", ca_pem)
    path = tmp_path / "qa.pdf"
    path.write_bytes(signed.pdf)
    out = nss.pdfsig(path)
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Certificate Validation: Certificate is Trusted." in out, out
    assert "Signer Certificate Common Name: Helen Brooks" in out

    at = (
        signed.pdf.index(b"Quality assurance") if b"Quality assurance" in signed.pdf else len(signed.pdf) // 3
    )
    changed = bytearray(signed.pdf)
    changed[at] ^= 0x01
    (tmp_path / "changed.pdf").write_bytes(bytes(changed))
    assert "Signature is Valid." not in nss.pdfsig(tmp_path / "changed.pdf")
    assert not verify_pdf(bytes(changed), trusted).accepted

    again = sign_qa_report(centre.db, manager, identity, analysis)
    with centre.db.read() as s:
        rows = list(s.scalars(select(SignedDocumentRow).where(SignedDocumentRow.kind == KIND)))
    assert sorted(r.version for r in rows) == [1, 2] and again.version == 2
    second = next(r for r in rows if r.version == 2)
    assert second.supersedes_id == signed.document_id and second.sitting_id is None
    checked = audit.verify(centre.db)
    assert checked.ok, checked


def test_only_those_who_oversee_and_sign(centre: QaCentre, tmp_path: Path) -> None:
    manager = centre.login("manager")
    identity = certificates.unlock_signer(centre.db, manager, PASSWORD, tmp_path)
    analysis = analyse(centre.db, manager, PERIOD, today=AFTER)
    for who in ("lena", "admin"):  # an assessor does not oversee; an administrator does not sign it
        with pytest.raises(PermissionDenied):
            sign_qa_report(centre.db, centre.login(who), identity, analysis)


def test_the_qa_lead_signs_the_report_that_holds_fairness(centre: QaCentre, tmp_path: Path) -> None:
    qa = centre.login("qa")
    identity = certificates.unlock_signer(centre.db, qa, PASSWORD, tmp_path)  # a key of their own
    analysis = analyse(centre.db, qa, PERIOD, today=AFTER)
    assert analysis.fairness is not None or analysis.fairness_note
    signed = sign_qa_report(centre.db, qa, identity, analysis)
    text = text_of(tmp_path, signed.pdf, "qa-lead.pdf")
    assert "5. Fairness" in text
