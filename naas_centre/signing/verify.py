"""Checking a signed report: who signed, when, the chain to a trusted centre CA, and
whether anything changed since. pyHanko does the cryptography; the policy is here.

A document passes only when it has at least one signature and every signature is
intact, cryptographically valid and chains to a trusted CA, and nothing but further
signatures (form filling) was added after each of them.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

log = logging.getLogger(__name__)
_ALLOWED_AFTER = ("NONE", "LTA_UPDATES", "FORM_FILLING")


@dataclass(frozen=True)
class SignatureVerdict:
    field: str
    signer: str
    signer_subject: str
    signed_at: datetime | None
    chain: tuple[str, ...]  # signer first, trust anchor last; empty when no path was found
    intact: bool
    valid: bool
    trusted: bool
    covers: str  # "entire file", "revision then only further signatures", ...
    ok: bool
    problem: str | None = None


@dataclass(frozen=True)
class FileVerdict:
    ok: bool
    signatures: tuple[SignatureVerdict, ...] = field(default=())
    problem: str | None = None


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def verify_pdf(data: bytes, trusted: list[x509.Certificate]) -> FileVerdict:
    """Verifies every signature in one PDF against the trusted CA certificates."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        return FileVerdict(False, problem=f"the PDF is damaged and cannot be read ({exc})")
    if not sigs:
        return FileVerdict(False, problem="the document is not signed")
    roots = [_asn1(c) for c in trusted]
    verdicts = []
    for sig in sigs:
        context = ValidationContext(
            trust_roots=roots,
            allow_fetching=False,
            revocation_mode="soft-fail",
        )
        verdicts.append(_one(sig, context))
    ok = all(v.ok for v in verdicts)
    return FileVerdict(
        ok, tuple(verdicts), None if ok else "; ".join(v.problem or "" for v in verdicts if not v.ok)
    )


def _one(sig: EmbeddedPdfSignature, context: ValidationContext) -> SignatureVerdict:
    name = sig.field_name
    try:
        status = validate_pdf_signature(sig, context)
    except Exception as exc:  # a mangled signature container: report it, never crash
        log.debug("signature %s could not be validated", name, exc_info=True)
        return SignatureVerdict(
            name,
            "unknown",
            "",
            None,
            (),
            False,
            False,
            False,
            "unknown",
            False,
            f"{name}: unreadable signature ({exc})",
        )
    cert = status.signing_cert
    signer = cert.subject.native.get("common_name", cert.subject.human_friendly)
    path = status.validation_path
    chain: tuple[str, ...] = ()
    if path is not None:
        chain = tuple(
            c.subject.native.get("common_name", c.subject.human_friendly) for c in reversed(list(path))
        )
    level = status.modification_level
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        covers = "the entire file"
        coverage_ok = True
    elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        later = level.name if level is not None else "UNKNOWN"
        covers = "its revision; added later: " + {
            "NONE": "nothing",
            "LTA_UPDATES": "validation data only",
            "FORM_FILLING": "only further signatures",
        }.get(later, f"other changes ({later.lower().replace('_', ' ')})")
        coverage_ok = later in _ALLOWED_AFTER and bool(status.docmdp_ok)
    else:
        covers = "only part of its revision"
        coverage_ok = False
    problem = None
    if not status.intact:
        problem = "digest mismatch: the document changed after it was signed"
    elif not status.valid:
        problem = "the signature itself does not verify"
    elif not status.trusted:
        problem = "the signer's certificate does not chain to a trusted centre CA"
    elif not coverage_ok:
        problem = f"the document was changed after this signature ({covers})"
    ok = problem is None and status.bottom_line
    if problem is None and not ok:
        problem = "the signature does not meet the document's modification policy"
    return SignatureVerdict(
        field=name,
        signer=str(signer),
        signer_subject=cert.subject.human_friendly,
        signed_at=status.signer_reported_dt,
        chain=chain,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        covers=covers,
        ok=ok,
        problem=None if ok else f"{name}: {problem}",
    )
