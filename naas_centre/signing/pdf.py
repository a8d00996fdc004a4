"""Signing a report: a PAdES B-B signature (pyHanko) with a visible block we draw ourselves.

The block (name, role, date and time) is drawn with ReportLab, with the same embedded
fonts as the report, so any name renders; it becomes the appearance of the signature
field placed over one of the boxes the report reserved. Each signature is an
incremental update, so a countersignature leaves the first one intact.
"""

from __future__ import annotations

import binascii
import io
import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigner, PdfSigningSession
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from naas_centre.reports import fonts
from naas_centre.reports.layout import ACCENT, INK, MUTED, SlotRect, short_stamp

FIELD_PREFIX = "Signature"


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


def field_name(slot: int) -> str:
    return f"{FIELD_PREFIX}{slot + 1}"


def appearance(identity: SignerIdentity, when: datetime, tz: str, width: float, height: float) -> bytes:
    """A one-page PDF the size of the box: the visible signature block."""
    fonts.register()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height), initialFontName=fonts.SANS, pageCompression=1)  # type: ignore[arg-type]
    c.setFillColor(colors.white)
    c.rect(0, 0, width, height, stroke=0, fill=1)
    c.setFillColor(ACCENT)
    c.rect(0, 0, 1.6 * mm, height, stroke=0, fill=1)
    x = 4 * mm
    inner = width - x - 2 * mm
    c.setFillColor(MUTED)
    fonts.draw_string(c, x, height - 5 * mm, "Digitally signed by", 7)
    c.setFillColor(INK)
    size = 11.0
    while size > 7 and fonts.string_width(identity.name, size, bold=True) > inner:
        size -= 0.5
    fonts.draw_string(
        c, x, height - 10.5 * mm, fonts.fit(identity.name, size, inner, bold=True), size, bold=True
    )
    fonts.draw_string(c, x, height - 15 * mm, fonts.fit(identity.role, 8.5, inner), 8.5)
    fonts.draw_string(c, x, height - 19.5 * mm, fonts.fit(short_stamp(when, tz), 8, inner), 8)
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
) -> bytes:
    """The PDF with one more signature, appended as an incremental update."""
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
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        reason=reason,
        location=location,
        name=identity.name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    spec = fields.SigFieldSpec(sig_field_name=name, on_page=slot.page, box=box)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    pdf_signer = _TimedSigner(
        meta, _signer(identity), stamp_style=style, new_field_spec=spec, signing_time=when
    )
    out = pdf_signer.sign_pdf(writer)
    return bytes(out.getbuffer())
