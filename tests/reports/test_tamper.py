"""Attacks on a signed, countersigned outcome report, built for real, each caught by
``naas-centre verify``; and what pdfsig does and does not see.

The report is the outcome of the candidate who did not meet the standard, signed by
every assessor of her sitting (on the circuit, each observed some of her stations) and
countersigned by the centre manager through the services, as on a real day. Each
attack is what someone holding a copy of that file (and, for some, a key or the CA
passphrase) could do.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from db.engine import Database
from db.models import CertificateRow, SigningKeyRow
from naas_centre.cli import main
from naas_centre.demo.centre import ACCOUNTS
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import refs_for_sitting
from naas_centre.reports.layout import SlotRect
from naas_centre.services import signatures
from naas_centre.services.views import Role
from naas_centre.signing import ca
from naas_centre.signing.pdf import RequiredSigner, SignerIdentity, sign_pdf
from naas_centre.signing.verify import verify_pdf
from tests.conftest import WORKSTATION
from tests.reports.conftest import DISPLAY, NOT_MET, PASSWORDS, Nss, nss_trusting
from tests.reports.test_cli import cli


@dataclass
class Signed:
    """A countersigned outcome report and what an employer would be given with it."""

    folder: Path
    db_path: Path
    data_dir: Path
    pdf: Path
    ca_pem: Path
    crl: Path
    nss: Nss
    assessors: tuple[str, ...]  # usernames, in the order the outcome report names them
    sitting_id: str

    @property
    def signature_count(self) -> int:
        """Every signature the outcome carries: each of the sitting's assessors, then the
        centre manager's countersignature."""
        return len(self.assessors) + 1

    @property
    def after_last(self) -> int:
        """The revision an update appended to the signed file makes: the drawn report is
        revision 1, then each signature one more."""
        return self.signature_count + 2

    @property
    def data(self) -> bytes:
        return self.pdf.read_bytes()

    def write(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path

    def ca_issued(self) -> ca.Issued:
        """The centre CA with its key, as someone holding the passphrase file has it."""
        db = Database(self.db_path, WORKSTATION)
        try:
            with db.read() as s:
                row = s.scalar(select(CertificateRow).where(CertificateRow.kind == "ca"))
                assert row is not None
                key_row = s.scalar(select(SigningKeyRow).where(SigningKeyRow.certificate_id == row.id))
                assert key_row is not None
                return ca.Issued(
                    ca.load_pem(row.pem),
                    ca.decrypt_key(key_row.encrypted_pem, ca.read_passphrase(self.data_dir)),
                )
        finally:
            db.dispose()

    def identity(self, username: str) -> SignerIdentity:
        db = Database(self.db_path, WORKSTATION)
        try:
            from naas_centre.services import accounts

            actor = accounts.authenticate(db, username, PASSWORDS[username])
            return signatures.unlock_signer(db, actor, PASSWORDS[username], self.data_dir)
        finally:
            db.dispose()

    def account_id(self, username: str) -> str:
        from db.models import AccountRow

        db = Database(self.db_path, WORKSTATION)
        try:
            with db.read() as s:
                found = s.scalar(select(AccountRow.id).where(AccountRow.username == username))
                assert found is not None
                return found
        finally:
            db.dispose()


def _outcome_ref(db: Database, actor: object, sitting_id: str) -> object:
    return next(r for r in refs_for_sitting(db, actor, sitting_id) if r.kind == ReportKind.OUTCOME)  # type: ignore[arg-type]


def build_signed(folder: Path, scored_template: tuple[Path, object, dict[str, str]]) -> Signed:
    """The scored demo day with one outcome report signed, countersigned and exported."""
    from naas_centre.services import accounts, sittings

    src, _day, ids = scored_template
    db_path = folder / "centre.db"
    shutil.copy(src, db_path)
    data_dir = folder / "data"
    data_dir.mkdir()
    db = Database(db_path, WORKSTATION)
    try:
        sid = ids[NOT_MET]
        manager = accounts.authenticate(db, "manager", PASSWORDS["manager"])
        names = sittings.sitting_detail(db, manager, sid).summary.assessors
        users = tuple(next(u for u, n in DISPLAY.items() if n == name) for name in names)
        assert len(users) >= 2, users  # the outcome is signed and cosigned
        ref = _outcome_ref(db, manager, sid)
        view = None
        for user in (*users, "manager"):
            actor = accounts.authenticate(db, user, PASSWORDS[user])
            identity = signatures.unlock_signer(db, actor, PASSWORDS[user], data_dir)
            view = signatures.sign_report(db, actor, identity, ref)  # type: ignore[arg-type]
        assert view is not None and view.signers == (*names, "Ngozi Okafor")
        pdf = folder / "outcome.pdf"
        pdf.write_bytes(signatures.document_pdf(db, manager, view.id))
    finally:
        db.dispose()
    ca_pem, crl = folder / "centre-ca.pem", folder / "centre.crl"
    code = main(
        [
            "ca",
            "export",
            "--db",
            str(db_path),
            "--data-dir",
            str(data_dir),
            "--out",
            str(ca_pem),
            "--crl-out",
            str(crl),
        ]
    )
    assert code == 0
    return Signed(
        folder,
        db_path,
        data_dir,
        pdf,
        ca_pem,
        crl,
        nss_trusting(folder / "nss", ca_pem),
        users,
        sid,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def signed(
    tmp_path_factory: pytest.TempPathFactory, scored_template: tuple[Path, object, dict[str, str]]
) -> Signed:
    return build_signed(tmp_path_factory.mktemp("tamper"), scored_template)


def _verify(signed: Signed, path: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["verify", "--ca", str(signed.ca_pem), *extra, str(path)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out + out.err


def _verify_db(signed: Signed, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["verify", "--db", str(signed.db_path), "--data-dir", str(signed.data_dir), str(path)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out + out.err


# What the attacks start from ----------------------------------------------------------


def _outcome_box(pdf: Path) -> tuple[int, tuple[float, float, float, float]]:
    """The page and box (PDF points, origin bottom left) of the "Outcome: standard NOT MET"
    banner, from poppler's word boxes."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = html.split("<page ")[1:]
    for number, page in enumerate(pages):
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        )
        for i, (x1, y1, _x2, y2, word) in enumerate(words):
            if word == "Outcome:" and i + 3 < len(words) and words[i + 2][4] == "NOT":
                x2 = float(words[i + 3][2])
                return number, (float(x1) - 8, height - float(y2) - 8, x2 + 260, height - float(y1) + 6)
    raise AssertionError("no outcome banner found")


def _appearance(
    writer: IncrementalPdfFileWriter, width: float, height: float, text: str
) -> generic.IndirectObject:
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica-Bold"),
            }
        )
    )
    ops = (
        f"0.13 0.55 0.27 rg 0 0 {width:.1f} {height:.1f} re f "
        f"BT /F1 12 Tf 1 1 1 rg 8 {height / 2 - 4:.1f} Td ({text}) Tj ET"
    ).encode("ascii")
    stream = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [
                    generic.FloatObject(0),
                    generic.FloatObject(0),
                    generic.FloatObject(width),
                    generic.FloatObject(height),
                ]
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(
                {
                    generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/F1"): font}),
                }
            ),
        },
        stream_data=ops,
    )
    return writer.add_object(stream)


def covering_empty_field(signed: Signed) -> bytes:
    """Attack 1: an unsigned, empty signature field whose appearance is a green
    "Outcome: standard MET" bar drawn over the orange NOT MET one. No key needed."""
    page, (x1, y1, x2, y2) = _outcome_box(signed.pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.data), strict=False)
    box = (int(x1), int(y1), int(x2), int(y2))
    fields.append_signature_field(writer, fields.SigFieldSpec("Signature9", on_page=page, box=box))
    widget = next(
        ref.get_object() for name, _value, ref in fields.enumerate_sig_fields(writer) if name == "Signature9"
    )
    widget[generic.NameObject("/AP")] = generic.DictionaryObject(
        {
            generic.NameObject("/N"): _appearance(
                writer, box[2] - box[0], box[3] - box[1], "Outcome: standard MET"
            )
        }
    )
    writer.update_container(widget)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def added_annotation(signed: Signed) -> bytes:
    """Attack 2: a free-text annotation over the outcome, appended after the last signature."""
    page_ix, (x1, y1, x2, y2) = _outcome_box(signed.pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.data), strict=False)
    page_ref = writer.find_page_for_modification(page_ix)[0]
    annot = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
                generic.NameObject("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (x1, y1, x2, y2)]
                ),
                generic.NameObject("/Contents"): generic.TextStringObject("Outcome: standard MET"),
                generic.NameObject("/DA"): generic.TextStringObject("/Helv 12 Tf 0 g"),
                generic.NameObject("/F"): generic.NumberObject(4),
            }
        )
    )
    page = page_ref.get_object()
    annots = page.get("/Annots")
    if annots is None:
        page[generic.NameObject("/Annots")] = generic.ArrayObject([annot])
        writer.update_container(page)
    else:
        raw = page.raw_get("/Annots")
        annots.append(annot)
        if isinstance(raw, generic.IndirectObject):
            writer.update_container(raw)
        else:
            writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def changed_title(signed: Signed) -> bytes:
    """Attack 3: the document title (/Info) changed in an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.data), strict=False)
    info = writer.trailer["/Info"]
    info[generic.NameObject("/Title")] = generic.TextStringObject("Candidate outcome: standard MET")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def changed_text(signed: Signed) -> bytes:
    """Attack 4: the first page's content stream rewritten: a white box over the banner
    and new words on it."""
    page_ix, (x1, y1, x2, y2) = _outcome_box(signed.pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.data), strict=False)
    page = writer.find_page_for_modification(page_ix)[0].get_object()
    contents = page.raw_get("/Contents")
    target = contents.raw_get(0) if isinstance(contents, generic.ArrayObject) else contents
    stream = target.get_object()
    extra = (
        f"\nq 0.13 0.55 0.27 rg {x1:.1f} {y1:.1f} {x2 - x1:.1f} {y2 - y1:.1f} re f "
        f"BT /Helv 12 Tf 1 1 1 rg {x1 + 8:.1f} {y1 + 8:.1f} Td (Outcome: standard MET) Tj ET Q\n"
    ).encode("ascii")
    stream.strip_filters()  # write it back uncompressed, with the extra drawing at the end
    stream._data = stream._encoded_data = stream.data + extra
    writer.update_container(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def changed_appearance(signed: Signed) -> bytes:
    """The first signature's visible block replaced by another drawing (its widget rewritten)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.data), strict=False)
    widget = next(
        ref.get_object() for name, _v, ref in fields.enumerate_sig_fields(writer) if name == "Signature1"
    )
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    widget[generic.NameObject("/AP")] = generic.DictionaryObject(
        {generic.NameObject("/N"): _appearance(writer, x2 - x1, y2 - y1, "Outcome: standard MET")}
    )
    writer.update_container(widget)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def changed_xmp_title(signed: Signed) -> bytes:
    """An XMP metadata stream with a new title, hooked into the catalog."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.data), strict=False)
    xmp = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
        b"Candidate outcome: standard MET</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF>"
        b'</x:xmpmeta><?xpacket end="w"?>'
    )
    stream = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Metadata"),
            generic.NameObject("/Subtype"): generic.NameObject("/XML"),
        },
        stream_data=xmp,
    )
    writer.root[generic.NameObject("/Metadata")] = writer.add_object(stream)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _draft(signed: Signed) -> tuple[bytes, tuple[SlotRect, ...]]:
    """The same report drawn afresh, unsigned: what a forger starts from."""
    from naas_centre.reports.gather import gather
    from naas_centre.reports.render import render
    from naas_centre.services import accounts

    db = Database(signed.db_path, WORKSTATION)
    try:
        manager = accounts.authenticate(db, "manager", PASSWORDS["manager"])
        drawn = render(gather(db, manager, _outcome_ref(db, manager, signed.sitting_id)))  # type: ignore[arg-type]
        return drawn.pdf, tuple(drawn.slots)
    finally:
        db.dispose()


def forged(
    signed: Signed,
    cert: x509.Certificate,
    key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    *,
    pdf: bytes | None = None,
    slots: tuple[SlotRect, ...] | None = None,
    account_id: str | None = None,
    chain_pem: str | None = None,
) -> bytes:
    """The report signed in the first assessor's place with someone else's certificate."""
    if pdf is None or slots is None:
        pdf, slots = _draft(signed)
    user = signed.assessors[0]
    identity = SignerIdentity(
        name=DISPLAY[user],
        role="Assessor",
        key_der=ca.key_der(key),
        cert_pem=ca.pem(cert),
        ca_pem=chain_pem or ca.pem(ca_cert),
        serial=ca.serial_hex(cert),
    )
    required = [RequiredSigner(0, "assessor", DISPLAY[user], account_id or signed.account_id(user))]
    return sign_pdf(
        pdf,
        identity,
        0,
        slots[0],
        datetime.now(UTC).replace(microsecond=0),
        reason="Assessor: signed the candidate outcome and feedback",
        location="Assessment centre",
        tz="Europe/London",
        required=required,
    )


def _intermediate(root: ca.Issued) -> ca.Issued:
    """A CA certificate issued under the centre CA (which says path length 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = x509.Name(
        [
            x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, "Assessment centre"),
            x509.NameAttribute(x509.NameOID.COMMON_NAME, "Signing delegate"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(root.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(root.key, hashes.SHA256())
    )
    return ca.Issued(cert, key)


def outside_pdf() -> bytes:
    """A document made outside the app with ReportLab, dressed as a report."""
    buf = io.BytesIO()
    c = Canvas(buf)
    c.setTitle("Candidate outcome and feedback")
    c.setFont("Helvetica-Bold", 16)
    c.drawString(60, 760, "Outcome: standard MET")
    c.setFont("Helvetica", 11)
    c.drawString(60, 735, "The candidate met the standard at the assessment centre.")
    c.rect(60, 100, 160, 74)
    c.showPage()
    c.save()
    return buf.getvalue()


# The untouched report -----------------------------------------------------------------


def test_the_untouched_report_verifies_with_both_tools(signed: Signed) -> None:
    run = cli("verify", "--ca", str(signed.ca_pem), str(signed.pdf))
    assert run.returncode == 0, run.stdout + run.stderr
    assert ": VALID" in run.stdout and "complete: every required signature is present" in run.stdout
    assert "certifies the document" in run.stdout
    assert "changes after the first signature: none" in run.stdout
    out = signed.nss.pdfsig(signed.pdf)
    assert out.count("Signature Validation: Signature is Valid.") == signed.signature_count, out
    assert out.count("Certificate is Trusted.") == signed.signature_count, out
    # with the centre's records too, and with the exported revocation list
    run = cli("verify", "--db", str(signed.db_path), "--data-dir", str(signed.data_dir), str(signed.pdf))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "centre records: issued by the centre" in run.stdout
    run = cli("verify", "--ca", str(signed.ca_pem), "--crl", str(signed.crl), str(signed.pdf))
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_report_carries_its_required_signers_and_validation_data(signed: Signed) -> None:
    verdict = verify_pdf(signed.data, ca.load_any(signed.ca_pem.read_bytes()))
    assert verdict.ok and verdict.complete and verdict.accepted and not verdict.missing
    names = [DISPLAY[u] for u in signed.assessors]
    assert [r.name for r in verdict.required] == [*names, "centre manager"]  # any centre manager
    assert len(verdict.signatures) == signed.signature_count
    assert [s.signer for s in verdict.signatures] == [*names, "Ngozi Okafor"]
    assert [r.role for r in verdict.required] == ["assessor"] * len(names) + ["countersign"]
    first, *later = verdict.signatures
    assert first.certifies and not any(s.certifies for s in later)
    ids = [signed.account_id(u) for u in signed.assessors]
    assert [r.account_id for r in verdict.required[: len(ids)]] == ids
    assert [s.account_id for s in verdict.signatures[: len(ids)]] == ids
    # PAdES B-LT: the chain and the CRL sit in the DSS, inside each signed revision
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed.data), strict=False)
    dss = reader.get_historical_root(first.revision - 1)["/DSS"]
    assert len(dss["/Certs"]) >= 2 and len(dss["/CRLs"]) >= 1
    # drawn, then exactly one revision per signature
    assert reader.xrefs.total_revisions == 1 + signed.signature_count
    # Years later, offline, when the signers' five-year certificates have long expired:
    # each signature is judged as of its own time, with the data it carries.
    years_later = datetime(2045, 6, 1, tzinfo=UTC)
    later = verify_pdf(signed.data, ca.load_any(signed.ca_pem.read_bytes()), now=years_later)
    assert later.accepted, later.problem


# The attacks ----------------------------------------------------------------------------


def test_1_a_covering_empty_signature_field_is_a_change(signed: Signed) -> None:
    path = signed.write("covered.pdf", covering_empty_field(signed))
    out = signed.nss.pdfsig(path)
    # pdfsig sees nothing wrong
    assert out.count("Signature Validation: Signature is Valid.") == signed.signature_count, out
    run = cli("verify", "--ca", str(signed.ca_pem), str(path))
    assert run.returncode == 1, run.stdout
    assert "NOT VALID" in run.stdout
    assert (
        f"revision {signed.after_last}: an empty, unsigned signature field Signature9 was added" in run.stdout
    )
    assert "after the last signature" in run.stdout
    assert "Traceback" not in run.stderr


def test_2_pdfsig_accepts_an_added_annotation_but_verify_refuses_it(signed: Signed) -> None:
    path = signed.write("annotated.pdf", added_annotation(signed))
    out = signed.nss.pdfsig(path)
    # poppler is satisfied
    assert out.count("Signature Validation: Signature is Valid.") == signed.signature_count, out
    assert "Digest Mismatch" not in out
    run = cli("verify", "--ca", str(signed.ca_pem), str(path))
    assert run.returncode == 1, run.stdout
    assert f"revision {signed.after_last}: an annotation (FreeText) was added on page" in run.stdout


def test_3_a_changed_title_is_a_change(signed: Signed, capsys: pytest.CaptureFixture[str]) -> None:
    path = signed.write("retitled.pdf", changed_title(signed))
    code, out = _verify(signed, path, capsys=capsys)
    assert code == 1 and "NOT VALID" in out
    assert f"revision {signed.after_last}: the document information changed (" in out and "Title" in out


def test_3b_a_changed_xmp_title_is_a_change(signed: Signed, capsys: pytest.CaptureFixture[str]) -> None:
    path = signed.write("xmp.pdf", changed_xmp_title(signed))
    code, out = _verify(signed, path, capsys=capsys)
    assert code == 1, out
    assert f"revision {signed.after_last}: the document's XMP metadata (title, author) was replaced" in out, (
        out
    )


def test_3c_a_new_appearance_for_a_signature_is_a_change(
    signed: Signed, capsys: pytest.CaptureFixture[str]
) -> None:
    path = signed.write("appearance.pdf", changed_appearance(signed))
    code, out = _verify(signed, path, capsys=capsys)
    assert code == 1, out
    assert (
        f"revision {signed.after_last}: the form field Signature1 was changed (its appearance or value)"
        in out
    ), out


def test_4_an_update_that_changes_page_text_is_a_change(signed: Signed) -> None:
    path = signed.write("rewritten.pdf", changed_text(signed))
    run = cli("verify", "--ca", str(signed.ca_pem), str(path))
    assert run.returncode == 1, run.stdout
    assert re.search(
        rf"revision {signed.after_last}: the text or drawing of page \d+ was changed", run.stdout
    ), run.stdout


def test_5_revisions_cut_off_are_not_complete(signed: Signed, capsys: pytest.CaptureFixture[str]) -> None:
    full = verify_pdf(signed.data, ca.load_any(signed.ca_pem.read_bytes()))
    names = [r.name for r in full.required]
    assert len(names) == signed.signature_count
    # each earlier state of the file, from the first signature alone to all but the last
    for kept, missing in ((k, names[k:]) for k in range(1, len(names))):
        cut = signed.data[: full.signatures[kept - 1].covered_bytes]
        path = signed.write(f"cut-{kept}.pdf", cut)
        code, out = _verify(signed, path, capsys=capsys)
        assert code == 1, out
        assert f"NOT COMPLETE: missing {', '.join(missing)}" in out
        verdict = verify_pdf(cut, ca.load_any(signed.ca_pem.read_bytes()))
        assert verdict.ok and not verdict.complete and not verdict.accepted
        assert list(verdict.missing) == missing
        # the centre's records know it is an earlier state of a document with more signatures
        code, out = _verify_db(signed, path, capsys)
        assert code == 1 and "NOT COMPLETE" in out and "more signatures than this file" in out


def test_6_a_signature_with_the_ca_key_is_invalid(signed: Signed) -> None:
    root = signed.ca_issued()
    path = signed.write("by-ca.pdf", forged(signed, root.certificate, root.key, root.certificate))
    run = cli("verify", "--ca", str(signed.ca_pem), str(path))
    assert run.returncode == 1, run.stdout
    assert "signed with the centre CA's own key" in run.stdout


def test_7_a_chain_through_an_intermediate_is_invalid(
    signed: Signed, capsys: pytest.CaptureFixture[str]
) -> None:
    root = signed.ca_issued()
    middle = _intermediate(root)
    user = signed.assessors[0]
    leaf = ca.issue_signer(middle, DISPLAY[user], "Assessor", unique_id=signed.account_id(user))
    data = forged(signed, leaf.certificate, leaf.key, middle.certificate)
    path = signed.write("via-intermediate.pdf", data)
    code, out = _verify(signed, path, capsys=capsys)
    assert code == 1, out
    assert (
        "issued by Signing delegate, an intermediate certificate, not directly by a trusted centre CA" in out
    )


def test_8_a_certificate_from_another_issuer_is_invalid(
    signed: Signed, capsys: pytest.CaptureFixture[str]
) -> None:
    other = ca.new_ca("Elsewhere Training Ltd")
    user = signed.assessors[0]
    leaf = ca.issue_signer(other, DISPLAY[user], "Assessor", unique_id=signed.account_id(user))
    path = signed.write("other-ca.pdf", forged(signed, leaf.certificate, leaf.key, other.certificate))
    code, out = _verify(signed, path, capsys=capsys)
    assert code == 1, out
    assert "does not chain to a trusted centre CA (it was issued by Elsewhere Training Ltd" in out


def test_9_a_signature_added_with_someone_elses_key_in_a_required_place_is_invalid(
    signed: Signed, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second account signs in the slot the report names for the first assessor."""
    pdf, slots = _draft(signed)
    intruder = next(
        a.username for a in ACCOUNTS if a.role == Role.ASSESSOR and a.username not in signed.assessors
    )
    identity = signed.identity(intruder)
    user = signed.assessors[0]
    data = sign_pdf(
        pdf,
        identity,
        0,
        slots[0],
        datetime.now(UTC).replace(microsecond=0),
        reason="signed",
        location="Assessment centre",
        tz="Europe/London",
        required=[RequiredSigner(0, "assessor", DISPLAY[user], signed.account_id(user))],
    )
    path = signed.write("impostor.pdf", data)
    code, out = _verify(signed, path, capsys=capsys)
    assert code == 1, out
    assert f"signed by {DISPLAY[intruder]} in the place of {DISPLAY[user]}" in out


def test_10_a_document_made_outside_the_app_is_caught_with_the_database(signed: Signed) -> None:
    identity = signed.identity(signed.assessors[0])
    user = signed.assessors[0]
    data = sign_pdf(
        outside_pdf(),
        identity,
        0,
        SlotRect(0, 60, 100, 220, 174),
        datetime.now(UTC).replace(microsecond=0),
        reason="Assessor: signed the candidate outcome and feedback",
        location="Assessment centre",
        tz="Europe/London",
        required=[RequiredSigner(0, "assessor", DISPLAY[user], signed.account_id(user))],
    )
    path = signed.write("outside.pdf", data)
    # On its own the file is a well-formed document signed by a real assessor...
    assert cli("verify", "--ca", str(signed.ca_pem), str(path)).returncode == 0
    # ...but the centre never issued it.
    run = cli("verify", "--db", str(signed.db_path), "--data-dir", str(signed.data_dir), str(path))
    assert run.returncode == 1, run.stdout
    assert "the centre did not issue this document" in run.stdout
    assert "Traceback" not in run.stderr


def test_damaged_or_padded_files_are_reported_never_crash(
    signed: Signed, capsys: pytest.CaptureFixture[str]
) -> None:
    data = signed.data
    padded = signed.write("padded.pdf", data + b"\n% a note added after the end\n" + b"x" * 64)
    code, out = _verify(signed, padded, capsys=capsys)
    assert code == 1 and "bytes were appended after the last signature" in out, out
    for i, cut in enumerate((len(data) // 3, len(data) // 2, len(data) - 2000, len(data) - 7)):
        path = signed.write(f"damaged-{i}.pdf", data[:cut])
        code, out = _verify(signed, path, capsys=capsys)
        assert code == 1 and "NOT VALID" in out, (cut, out)


def test_page_text_rewritten_under_the_name_of_validation_data_is_a_change(
    signed: Signed, capsys: pytest.CaptureFixture[str]
) -> None:
    """The catalog's /DSS pointed at the page's content stream, which is then rewritten:
    validation data may change after signing, but only what already was validation data."""
    page_ix, (x1, y1, x2, y2) = _outcome_box(signed.pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.data), strict=False)
    page = writer.find_page_for_modification(page_ix)[0].get_object()
    contents = page.raw_get("/Contents")
    target = contents.raw_get(0) if isinstance(contents, generic.ArrayObject) else contents
    writer.root[generic.NameObject("/DSS")] = target
    writer.update_root()
    stream = target.get_object()
    stream.strip_filters()
    stream._data = stream._encoded_data = stream.data + (
        f"\nq 0.13 0.55 0.27 rg {x1:.1f} {y1:.1f} {x2 - x1:.1f} {y2 - y1:.1f} re f Q\n"
    ).encode("ascii")
    writer.update_container(stream)
    out = io.BytesIO()
    writer.write(out)
    path = signed.write("smuggled.pdf", out.getvalue())
    code, text = _verify(signed, path, capsys=capsys)
    assert code == 1, text
    assert re.search(rf"revision {signed.after_last}: the text or drawing of page \d+ was changed", text), (
        text
    )


def test_a_certificate_issued_by_a_signers_key_is_invalid_even_if_that_signer_is_trusted(
    signed: Signed, capsys: pytest.CaptureFixture[str]
) -> None:
    """An assessor's key used as a CA, and her certificate given by mistake as ``--ca``:
    an end-entity certificate trusts nothing."""
    user = signed.assessors[0]
    hers = signed.identity(user)
    as_ca = ca.Issued(ca.load_pem(hers.cert_pem), ca.key_from_der(hers.key_der))
    leaf = ca.issue_signer(as_ca, DISPLAY[signed.assessors[1]], "Assessor", unique_id="someone")
    path = signed.write("by-signer.pdf", forged(signed, leaf.certificate, leaf.key, as_ca.certificate))
    trusted = signed.write("her.pem", hers.cert_pem.encode("ascii"))
    code = main(["verify", "--ca", str(signed.ca_pem), "--ca", str(trusted), str(path)])
    out = capsys.readouterr().out
    assert code == 1, out
    assert (
        f"issued with the key of {DISPLAY[user]}, whose own certificate is not a certificate authority's"
        in out
    )
