"""Signing a report: a PAdES B-LT signature (pyHanko) with a visible block we draw ourselves.

The block (name, registration, role, date and time) is drawn with ReportLab, with the
same embedded fonts as the report, so any name renders; it becomes the appearance of
the signature field placed over one of the boxes the report reserved. Each signature
is an incremental update, so a countersignature leaves the first one intact.

What the signed revisions carry
-------------------------------
- The first signature *certifies* the document (DocMDP, P=2: only form filling and
  signing may follow) and, in the same signed revision, the catalog gains a
  ``/NaasCentre`` dictionary listing the required signers (slot, role, name, account
  id). A verifier then knows who must sign, from the document itself.
- Every signature writes its validation data into the revision it signs: the centre
  CA certificate, the signer's certificate and the centre's current CRL, in the
  document security store (``/DSS``, PAdES B-LT). We chose the DSS over the
  ``adbe-revocation-info-archival`` attribute because PAdES signatures (ETSI.CAdES.
  detached) are meant to use the DSS, and over pyHanko's usual separate DSS update
  after the signature because data inside the signed revision needs no exception in
  the verifier's rule that nothing unsigned may follow a signature.
- pyHanko's habit of rewriting /Info (ModDate, Producer) on every update is turned
  off: after the first signature, the document information never changes.
"""

from __future__ import annotations

import binascii
import io
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigner, PdfSigningSession
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from naas_centre.reports import fonts
from naas_centre.reports.layout import ACCENT, INK, MUTED, SlotRect, short_stamp

FIELD_PREFIX = "Signature"
CATALOG_KEY = "/NaasCentre"  # our private catalog entry: the required signers
CHECKPOINT_KEY = "/AuditCheckpoint"  # in it: the audit trail's head, signed by the first signer
REQUIRED_VERSION = 1


@dataclass(frozen=True)
class SignerIdentity:
    """Everything needed to sign, in memory: the unlocked key is PKCS#8 DER."""

    name: str
    role: str
    key_der: bytes
    cert_pem: str
    ca_pem: str
    serial: str
    certificate_id: str = ""  # the row in ``certificates``, to record who signed with what
    registration: str | None = None  # shown under the name: "Registration SW123456"
    crl_der: bytes | None = None  # the centre's current CRL, embedded as validation data


@dataclass(frozen=True)
class RequiredSigner:
    """One signature a report needs: its slot (field ``Signature{slot+1}``), the slot's
    role ("assessor", "countersign"), the person's name and their account id (which
    the signer certificate's subject serialNumber must equal)."""

    slot: int
    role: str
    name: str
    account_id: str


def required_object(
    required: Sequence[RequiredSigner], checkpoint: str | None = None
) -> generic.DictionaryObject:
    """The ``/NaasCentre`` catalog dictionary that names the required signers and holds the
    signer's checkpoint of the audit trail (one JSON line), both under the certifying
    signature."""
    entries = generic.ArrayObject()
    for r in required:
        entries.append(
            generic.DictionaryObject(  # type: ignore[no-untyped-call]
                {
                    generic.NameObject("/Slot"): generic.NumberObject(r.slot),  # type: ignore[no-untyped-call]
                    generic.NameObject("/Field"): generic.TextStringObject(field_name(r.slot)),
                    generic.NameObject("/Role"): generic.TextStringObject(r.role),
                    generic.NameObject("/Name"): generic.TextStringObject(r.name),
                    generic.NameObject("/Account"): generic.TextStringObject(r.account_id),
                }
            )
        )
    out = generic.DictionaryObject(  # type: ignore[no-untyped-call]
        {
            generic.NameObject("/Version"): generic.NumberObject(REQUIRED_VERSION),  # type: ignore[no-untyped-call]
            generic.NameObject("/RequiredSigners"): entries,
        }
    )
    if checkpoint is not None:
        out[generic.NameObject(CHECKPOINT_KEY)] = generic.TextStringObject(checkpoint)
    return out


def read_checkpoint(catalog: Any) -> str | None:
    """The checkpoint a catalog's ``/NaasCentre`` dictionary holds, as JSON text (None: none)."""
    try:
        entry = catalog.get(CATALOG_KEY)
        if entry is None:
            return None
        value = entry.get_object().get(CHECKPOINT_KEY)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None if value is None else str(value)


def signed_checkpoint(data: bytes) -> str | None:
    """The checkpoint in the revision the first signature of a PDF covers (None: none, or
    a file that cannot be read). Its worth is the signature's: verify the PDF too."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = sorted(reader.embedded_signatures, key=lambda sig: sig.signed_revision)
        if not sigs:
            return None
        return read_checkpoint(reader.get_historical_root(sigs[0].signed_revision))
    except Exception:  # whatever the file holds, reading it never crashes the caller
        return None


def read_required(catalog: Any) -> tuple[RequiredSigner, ...] | None:
    """The required signers a catalog names; None when it names none (or nonsense)."""
    try:
        entry = catalog.get(CATALOG_KEY)
        if entry is None:
            return None
        entry = entry.get_object()
        out = []
        for item in entry["/RequiredSigners"]:
            item = item.get_object()
            out.append(
                RequiredSigner(
                    slot=int(item["/Slot"]),
                    role=str(item["/Role"]),
                    name=str(item["/Name"]),
                    account_id=str(item["/Account"]),
                )
            )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return tuple(out) if out else None


class _QuietWriter(IncrementalPdfFileWriter):
    """Leaves /Info and XMP metadata as they are: a signature changes nothing else."""

    def _update_meta(self) -> None:
        return


def field_name(slot: int) -> str:
    return f"{FIELD_PREFIX}{slot + 1}"


def appearance(identity: SignerIdentity, when: datetime, tz: str, width: float, height: float) -> bytes:
    """A one-page PDF the size of the box: the visible signature block."""
    fonts.register()
    with fonts.DRAWING:  # the fonts' subsets are shared by every document being drawn
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=(width, height), initialFontName=fonts.SANS, pageCompression=1)  # type: ignore[arg-type]
        c.setFillColor(colors.white)
        c.rect(0, 0, width, height, stroke=0, fill=1)
        c.setFillColor(ACCENT)
        c.rect(0, 0, 1.6 * mm, height, stroke=0, fill=1)
        x = 4 * mm
        inner = width - x - 2 * mm
        c.setFillColor(MUTED)
        fonts.draw_string(c, x, height - 4.5 * mm, "Digitally signed by", 7)
        c.setFillColor(INK)
        size = 11.0
        while size > 7 and fonts.string_width(identity.name, size, bold=True) > inner:
            size -= 0.5
        fonts.draw_string(
            c, x, height - 9.5 * mm, fonts.fit(identity.name, size, inner, bold=True), size, bold=True
        )
        line = height - 13.3 * mm
        if identity.registration:
            fonts.draw_string(c, x, line, fonts.fit(f"Registration {identity.registration}", 7.5, inner), 7.5)
            line -= 3.6 * mm
        fonts.draw_string(c, x, line, fonts.fit(identity.role, 8, inner), 8)
        fonts.draw_string(c, x, line - 3.7 * mm, fonts.fit(short_stamp(when, tz), 7.5, inner), 7.5)
        c.setFillColor(MUTED)
        fonts.draw_string(c, x, 2.2 * mm, fonts.fit(f"Certificate {identity.serial[:16]}", 6.5, inner), 6.5)
        c.showPage()
        c.save()
    return buf.getvalue()


class _PdfPageBytes(PdfContent):
    """pyHanko's ImportedPdfPage, reading from memory instead of a file name."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        super().__init__()

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
        name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[name.decode("ascii")] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name + b" Do"


class _TimedSigner(PdfSigner):
    """Signs with the instant we chose, so the visible block and the signature agree."""

    def __init__(self, *args: Any, signing_time: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> PdfSigningSession:
        session: PdfSigningSession = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._signing_time
        return session


def _signer(identity: SignerIdentity) -> signers.SimpleSigner:
    cert = asn1_x509.Certificate.load(_der(identity.cert_pem))
    ca = asn1_x509.Certificate.load(_der(identity.ca_pem))
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(identity.key_der),
        cert_registry=SimpleCertificateStore.from_certs([cert, ca]),  # type: ignore[no-untyped-call]
    )


def _der(pem_text: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_certificate(pem_text.encode("ascii")).public_bytes(Encoding.DER)


def sign_pdf(
    pdf: bytes,
    identity: SignerIdentity,
    slot_index: int,
    slot: SlotRect,
    when: datetime,
    *,
    reason: str,
    location: str,
    tz: str,
    required: Sequence[RequiredSigner] | None = None,
    checkpoint: str | None = None,
) -> bytes:
    """The PDF with one more signature, appended as an incremental update.

    On a document not yet signed, ``required`` names every signature it needs; they
    are written into the revision this (certifying) signature covers; without them the
    verifier can never call the document complete. ``checkpoint`` (the audit trail's
    signed head) goes beside them. Later signatures are approval signatures (which may
    only fill forms) and both are ignored.
    """
    # Whole points, inside the box the report drew.
    box = (math.ceil(slot.x1), math.ceil(slot.y1), math.floor(slot.x2), math.floor(slot.y2))
    width, height = box[2] - box[0], box[3] - box[1]
    style = StaticStampStyle(
        background=_PdfPageBytes(appearance(identity, when, tz, width, height)),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(0, 0, 0, 0),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
        ),
    )
    name = field_name(slot_index)
    writer = _QuietWriter(io.BytesIO(pdf), strict=False)
    first = not _signed(writer)
    if first and required:
        writer.root[generic.NameObject(CATALOG_KEY)] = writer.add_object(
            required_object(required, checkpoint)
        )
        writer.update_root()  # type: ignore[no-untyped-call]
    _embed_validation_data(writer, identity)
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        reason=reason,
        location=location,
        name=identity.name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        certify=first,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    spec = fields.SigFieldSpec(sig_field_name=name, on_page=slot.page, box=box)
    pdf_signer = _TimedSigner(
        meta, _signer(identity), stamp_style=style, new_field_spec=spec, signing_time=when
    )
    out = pdf_signer.sign_pdf(writer)
    return bytes(out.getbuffer())


def _signed(writer: IncrementalPdfFileWriter) -> bool:
    return any(True for _ in fields.enumerate_sig_fields(writer.prev, filled_status=True))


def _embed_validation_data(writer: IncrementalPdfFileWriter, identity: SignerIdentity) -> None:
    """The chain and the current CRL, into the DSS of the revision about to be signed."""
    certs = [
        asn1_x509.Certificate.load(_der(identity.cert_pem)),
        asn1_x509.Certificate.load(_der(identity.ca_pem)),
    ]
    crls = []
    if identity.crl_der:
        from asn1crypto import crl as asn1_crl

        crls.append(asn1_crl.CertificateList.load(identity.crl_der))
    DocumentSecurityStore.supply_dss_in_writer(writer, None, certs=certs, crls=crls)
