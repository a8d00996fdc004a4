"""Checking a signed report: who signed, when, the chain to a trusted centre CA, whether
every signature the report needs is there, and whether anything changed since.

pyHanko checks the cryptography (the digest over the signed bytes and the signature
over it); every rule of the centre's policy is here, and it is stricter than pyHanko's
standard diff policy or poppler's ``pdfsig``:

- **Who may sign.** Only an end-entity certificate (not a CA) with the digital
  signature key usage, issued *directly* by a trusted centre CA (a chain of two), valid
  at the signing time and not revoked at or before it (per any CRL given or embedded
  in the document, each checked against the CA's key). A signature with the CA's own
  key, through an intermediate, or by a certificate from another issuer is invalid.
- **Who must sign.** The first signature certifies the document (DocMDP) and its
  revision names the required signers (``pdf.CATALOG_KEY``). Each signature must sit in
  a required slot and be made by the account that slot names (the certificate's
  subject serialNumber); the document is *complete* when every slot is signed.
  ``FileVerdict.ok`` is about what is there; ``accepted`` (what the command line calls
  VALID) also needs ``complete``.
- **What may change after the first signature.** Only a further signature by a
  required signer, and validation data (the DSS). Each later revision is compared with
  the one before, object by object: an existing object may be rewritten only where a
  new signature has to be hooked in (the form's field list, the page's annotation
  list: each may only gain that signature's field and widget) or in the DSS. An empty
  signature field, an annotation, a new appearance, a changed /Info or XMP title, a
  changed page: each is a change, reported with its revision (counted from 1, the
  document as drawn).

What this does not check: that the signing time is true (it is the signer's clock; no
time-stamp authority is used offline), and that the centre really issued the document
(``naas_centre.services.verification`` does that against the centre's database).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm, enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from naas_centre.signing import ca
from naas_centre.signing.pdf import CATALOG_KEY, RequiredSigner, field_name, read_required

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """Something added or altered after a signature: in which revision, and what."""

    revision: int  # counted from 1: revision 1 is the document as drawn
    what: str


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
    covers: str  # "the entire file", "its revision, and later only further signatures", ...
    ok: bool
    problem: str | None = None
    revision: int = 0  # the revision this signature makes, counted from 1
    covered_bytes: int = 0  # the file as it was just after this signature: data[:covered_bytes]
    account_id: str | None = None  # from the certificate subject
    registration: str | None = None
    serial: str = ""  # certificate serial, hex
    revoked_at: datetime | None = None  # per a CRL, when the certificate was revoked
    certifies: bool = False  # a certification (DocMDP) signature
    role: str | None = None  # the certificate's title
    organisation: str | None = None


@dataclass(frozen=True)
class FileVerdict:
    ok: bool  # signed, every signature valid, trusted and in its place, nothing else changed
    signatures: tuple[SignatureVerdict, ...] = field(default=())
    problem: str | None = None
    complete: bool = False  # every required signer signed
    required: tuple[RequiredSigner, ...] = ()
    missing: tuple[str, ...] = ()  # names of required signers who have not signed
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()  # harmless facts: validation data added, later revocations
    revisions: int = 0
    problems: tuple[str, ...] = ()  # each problem on its own; ``problem`` joins them

    @property
    def accepted(self) -> bool:
        """What ``naas-centre verify`` accepts: ``ok`` and ``complete``. A report signed by
        one assessor so far is ``ok`` (what is there is sound) but not yet accepted."""
        return self.ok and self.complete

    @property
    def sound(self) -> bool:
        """Another name for ``ok``: what is signed so far is intact and trusted."""
        return self.ok


def _failed(problem: str, revisions: int = 0) -> FileVerdict:
    return FileVerdict(False, problem=problem, problems=(problem,), revisions=revisions)


# Reading ----------------------------------------------------------------------------


def _crypto_cert(asn1_cert: Any) -> x509.Certificate:
    return x509.load_der_x509_certificate(asn1_cert.dump())


def _name_of(cert: x509.Certificate) -> str:
    return ca.common_name(cert)


def _spki(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _dss_items(root: Any, key: str) -> list[bytes]:
    try:
        dss = root.get("/DSS")
        if dss is None:
            return []
        items = dss.get_object().get(key)
        if items is None:
            return []
        return [item.get_object().data for item in items.get_object()]
    except (KeyError, TypeError, AttributeError, PdfError):
        return []


def _embedded(reader: PdfFileReader) -> tuple[list[x509.Certificate], list[x509.CertificateRevocationList]]:
    """The certificates and CRLs in the DSS of every revision (a later one cannot hide
    an earlier CRL by rewriting the DSS)."""
    certs: dict[bytes, x509.Certificate] = {}
    crls: dict[bytes, x509.CertificateRevocationList] = {}
    for rev in range(reader.xrefs.total_revisions):
        try:
            root = reader.get_historical_root(rev)
        except (PdfError, KeyError, TypeError):
            continue
        for der in _dss_items(root, "/Certs"):
            with contextlib.suppress(ValueError):
                certs.setdefault(der, x509.load_der_x509_certificate(der))
        for der in _dss_items(root, "/CRLs"):
            with contextlib.suppress(ValueError):
                crls.setdefault(der, ca.load_crl(der))
    return list(certs.values()), list(crls.values())


def valid_crls_of(
    crls: Iterable[x509.CertificateRevocationList], trusted: Sequence[x509.Certificate]
) -> list[tuple[x509.CertificateRevocationList, x509.Certificate]]:
    """CRLs that a trusted CA really signed, with that CA."""
    out = []
    for crl in crls:
        for root in trusted:
            if crl.issuer != root.subject:
                continue
            try:
                if crl.is_signature_valid(root.public_key()):  # type: ignore[arg-type]
                    out.append((crl, root))
                    break
            except (TypeError, ValueError):
                continue
    return out


# Who may sign -----------------------------------------------------------------------


def issuer_check(
    cert: x509.Certificate,
    trusted: Sequence[x509.Certificate],
    others: Sequence[x509.Certificate],
    at: datetime,
) -> tuple[x509.Certificate | None, str | None]:
    """The trusted CA that issued ``cert`` directly, or why there is none."""
    if any(_spki(cert) == _spki(root) for root in trusted):
        return None, "signed with the centre CA's own key; only an individual's signing certificate may sign"
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        if bc.ca:
            return (
                None,
                f"signed with a CA certificate ({_name_of(cert)}); only an end-entity certificate may sign",
            )
    except x509.ExtensionNotFound:
        pass
    issuer = None
    for root in trusted:
        if root.subject != cert.issuer or not _is_ca(root):
            continue
        try:
            cert.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidSignature):
            continue
        issuer = root
        break
    if issuer is None:
        via = next((o for o in others if o.subject == cert.issuer and _spki(o) != _spki(cert)), None)
        if via is not None and via.issuer != via.subject and not _is_ca(via):
            return None, (
                f"the certificate was issued with the key of {_name_of(via)}, whose own certificate is not a "
                "certificate authority's; only certificates the centre CA issued itself may sign"
            )
        if via is not None and via.issuer != via.subject:
            return None, (
                f"the certificate was issued by {_name_of(via)}, an intermediate certificate, not directly "
                "by a trusted centre CA; only certificates the centre CA issued itself may sign"
            )
        issuer_cn = cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        who = str(issuer_cn[0].value) if issuer_cn else cert.issuer.rfc4514_string()
        return (
            None,
            f"the signer's certificate does not chain to a trusted centre CA (it was issued by {who})",
        )
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        signs = ku.digital_signature
    except x509.ExtensionNotFound:
        signs = False
    if not signs:
        return None, "the signer's certificate is not for digital signatures (no digital-signature key usage)"
    if not (cert.not_valid_before_utc <= at <= cert.not_valid_after_utc):
        return None, (
            f"the signer's certificate was not valid at the signing time (valid "
            f"{cert.not_valid_before_utc:%d %B %Y} to {cert.not_valid_after_utc:%d %B %Y})"
        )
    if not (issuer.not_valid_before_utc <= at <= issuer.not_valid_after_utc):
        return None, "the centre CA's certificate was not valid at the signing time"
    return issuer, None


def _is_ca(cert: x509.Certificate) -> bool:
    """A certificate that may issue others: a CA with the certificate-signing usage (a
    signer's certificate given as ``--ca`` by mistake trusts nothing)."""
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(bc.ca and ku.key_cert_sign)


def revocation_of(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    crls: Sequence[tuple[x509.CertificateRevocationList, x509.Certificate]],
) -> tuple[datetime | None, str | None]:
    """When the certificate was revoked (earliest, per any valid CRL of its issuer), and why."""
    found: tuple[datetime, str | None] | None = None
    for crl, root in crls:
        if root is not issuer and root.subject != issuer.subject:
            continue
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is None:
            continue
        when = entry.revocation_date_utc
        try:
            reason: str | None = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.name
        except x509.ExtensionNotFound:
            reason = None
        if found is None or when < found[0]:
            found = (when, reason)
    if found is None:
        return None, None
    return found[0], (found[1] or "").replace("_", " ") or None


# What may change --------------------------------------------------------------------


def _raw(d: Any, key: str) -> Any:
    try:
        return d.raw_get(key)
    except KeyError:
        return None


def _ref(obj: Any) -> tuple[int, int] | None:
    if isinstance(obj, generic.IndirectObject):
        return (obj.idnum, obj.generation)
    return None


def _same(a: Any, b: Any) -> bool:
    """Equal as written: references by number, direct values deeply."""
    if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
        return _ref(a) == _ref(b)
    if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
        if not (isinstance(a, generic.StreamObject) and isinstance(b, generic.StreamObject)):
            return False
        return a.encoded_data == b.encoded_data and _same_dict(a, b)
    if isinstance(a, generic.DictionaryObject) and isinstance(b, generic.DictionaryObject):
        return _same_dict(a, b)
    if isinstance(a, generic.ArrayObject) and isinstance(b, generic.ArrayObject):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a.iterate(), b.iterate(), strict=True))
    if type(a) is not type(b):
        return False
    return bool(a == b)


def _same_dict(a: Any, b: Any) -> bool:
    return set(a.keys()) == set(b.keys()) and all(_same(a.raw_get(k), b.raw_get(k)) for k in a)


def _changed_keys(a: Any, b: Any) -> set[str]:
    keys = set(a.keys()) | set(b.keys())
    return {str(k) for k in keys if not _same(_raw(a, k), _raw(b, k))}


def _pages(resolver: Any, root: Any) -> list[tuple[tuple[int, int], Any]]:
    """(reference, page dictionary) of every page in a revision, in order."""
    out: list[tuple[tuple[int, int], Any]] = []

    def walk(node_ref: Any, depth: int) -> None:
        if depth > 32 or len(out) > 10_000:
            return
        node = node_ref.get_object()
        kids = _raw(node, "/Kids")
        if kids is None:
            ref = _ref(node_ref)
            if ref is not None:
                out.append((ref, node))
            return
        for kid in kids.get_object().iterate() if hasattr(kids.get_object(), "raw_iter") else kids:
            walk(kid, depth + 1)

    pages = _raw(root, "/Pages")
    if pages is not None:
        walk(pages, 0)
    return out


def _added(old: Any, new: Any) -> list[Any] | None:
    """The items ``new`` adds after all of ``old``; None when ``old`` is not kept as it was."""
    old_items = list(old.iterate()) if old is not None else []
    new_items = list(new.iterate()) if new is not None else []
    if len(new_items) < len(old_items) or not all(
        _same(x, y) for x, y in zip(old_items, new_items[: len(old_items)], strict=True)
    ):
        return None
    return new_items[len(old_items) :]


def _describe_object(obj: Any, ref: tuple[int, int]) -> str:
    if isinstance(obj, generic.DictionaryObject) and (
        obj.get("/FT") is not None or obj.get("/Subtype") == "/Widget"
    ):
        name = obj.get("/T")
        label = f" {name!s}" if name is not None else ""
        return f"the form field{label} was changed (its appearance or value)"
    if isinstance(obj, generic.DictionaryObject) and obj.get("/Type") == "/Sig":
        return "an existing signature's dictionary was replaced"
    if isinstance(obj, generic.DictionaryObject) and obj.get("/Type") == "/Annot":
        return f"an existing annotation (object {ref[0]}) was changed"
    try:
        kind = obj.get("/Type") if isinstance(obj, generic.DictionaryObject) else None
        sub = obj.get("/Subtype") if isinstance(obj, generic.DictionaryObject) else None
    except (KeyError, PdfError):
        kind = sub = None
    if kind == "/Font" or sub in ("/Type0", "/TrueType", "/Type1", "/CIDFontType2"):
        return f"a font (object {ref[0]}) was replaced"
    if sub == "/Image":
        return f"an image (object {ref[0]}) was replaced"
    if isinstance(obj, generic.StreamObject):
        return f"a content stream (object {ref[0]}) was replaced"
    return f"object {ref[0]} of the document was replaced"


def _revision_changes(
    reader: PdfFileReader, rev: int, new_sig_fields: set[tuple[int, int]]
) -> tuple[list[str], bool]:
    """What revision ``rev`` (0-based) changed, other than ``new_sig_fields`` (the fields of
    signatures made in this revision) and validation data. Returns (changes, dss_touched)."""
    xrefs = reader.xrefs
    changes: list[str] = []
    freed = xrefs.refs_freed_in_revision(rev)
    if freed:
        changes.append(f"{len(freed)} object(s) of the document deleted")
    explicit = xrefs.explicit_refs_in_revision(rev)
    overwritten = {(r.idnum, r.generation) for r in explicit if xrefs.get_introducing_revision(r) < rev}
    old = reader.get_historical_resolver(rev - 1)
    new = reader.get_historical_resolver(rev)
    old_trailer, new_trailer = old.trailer_view, new.trailer_view
    old_root_ref, new_root_ref = _ref(_raw(old_trailer, "/Root")), _ref(_raw(new_trailer, "/Root"))
    if old_root_ref != new_root_ref or old_root_ref is None:
        return ["the document catalog was replaced"], False
    old_info, new_info = _raw(old_trailer, "/Info"), _raw(new_trailer, "/Info")
    handled: set[tuple[int, int]] = set()
    dss_touched = False
    if not _same(old_info, new_info):
        changes.append("the document information (/Info: title, author) was replaced")
    info_ref = _ref(old_info)
    if info_ref is not None and info_ref in overwritten:
        handled.add(info_ref)
        keys = _changed_keys(old.get_object(old_info.reference), new.get_object(old_info.reference))
        if keys:
            changes.append(
                "the document information changed (" + ", ".join(sorted(k.lstrip("/") for k in keys)) + ")"
            )
    old_root, new_root = reader.get_historical_root(rev - 1), reader.get_historical_root(rev)
    if old_root_ref in overwritten:
        handled.add(old_root_ref)
        for key in sorted(_changed_keys(old_root, new_root)):
            if key == "/DSS":
                dss_touched = True
            elif key == "/AcroForm" and _raw(old_root, "/AcroForm") is None:
                changes.append("a form was added to the document")
            elif (
                key == "/AcroForm" and _ref(_raw(old_root, key)) is None and _ref(_raw(new_root, key)) is None
            ):
                pass  # a form written inside the catalog: compared field by field below
            elif key == "/AcroForm":
                changes.append("the document's form was replaced")
            elif key == "/Metadata":
                changes.append("the document's XMP metadata (title, author) was replaced")
            elif key == CATALOG_KEY:
                changes.append("the list of required signers was changed")
            else:
                changes.append(f"the document catalog changed ({key.lstrip('/')})")
    meta_ref = _ref(_raw(old_root, "/Metadata"))
    if meta_ref is not None and meta_ref in overwritten:
        handled.add(meta_ref)
        changes.append("the document's XMP metadata (title, author) changed")
    req_ref = _ref(_raw(old_root, CATALOG_KEY))
    if req_ref is not None and req_ref in overwritten:
        handled.add(req_ref)
        changes.append("the list of required signers was changed")

    # The DSS: validation data only. Only objects that already were the DSS may be
    # rewritten as such: pointing /DSS at a page's content and rewriting that would
    # otherwise pass as "validation data".
    for r in _dss_refs(_raw(old_root, "/DSS")):
        if r in overwritten:
            handled.add(r)
            dss_touched = True

    # The form: its field list may only gain the new signature fields.
    acro_raw_old, acro_raw_new = _raw(old_root, "/AcroForm"), _raw(new_root, "/AcroForm")
    acro_ref = _ref(acro_raw_old)
    new_fields: list[Any] = []
    if acro_raw_old is not None and (acro_ref in overwritten or not _same(acro_raw_old, acro_raw_new)):
        if acro_ref is not None:
            handled.add(acro_ref)
        acro_old, acro_new = (
            acro_raw_old.get_object(),
            (acro_raw_new.get_object() if acro_raw_new is not None else None),
        )
        if acro_new is not None:
            old_form = old.get_object(acro_raw_old.reference) if acro_ref is not None else acro_old
            for key in sorted(_changed_keys(old_form, acro_new)):
                if key != "/Fields":
                    changes.append(f"the form's settings changed ({key.lstrip('/')})")
            f_old, f_new = _raw(old_form, "/Fields"), _raw(acro_new, "/Fields")
            f_ref = _ref(f_old)
            if f_ref is not None and f_ref in overwritten:
                handled.add(f_ref)
            f_old_obj = old.get_object(f_old.reference) if f_ref is not None else f_old
            f_new_obj = f_new.get_object() if f_new is not None else None
            added = _added(f_old_obj, f_new_obj)
            if added is None:
                changes.append("fields were removed from or reordered in the document's form")
            else:
                new_fields = added
    elif acro_raw_old is None and acro_raw_new is not None:
        fields_new = _raw(acro_raw_new.get_object(), "/Fields")
        new_fields = list(fields_new.get_object().iterate()) if fields_new is not None else []
    for item in new_fields:
        ref = _ref(item)
        if ref is None or ref not in new_sig_fields:
            changes.append(_describe_new_field(item))

    # The pages: each may only gain the widgets of the new signature fields.
    new_pages = {ref: page for ref, page in _pages(new, new_root)}
    old_pages = _pages(old, old_root)
    if [r for r, _ in old_pages] != list(new_pages):
        changes.append("pages were added, removed or reordered")
    for number, (ref, old_page) in enumerate(old_pages, 1):
        annots_raw = _raw(old_page, "/Annots")
        annots_ref = _ref(annots_raw)
        page_written = ref in overwritten
        annots_written = annots_ref is not None and annots_ref in overwritten
        if not page_written and not annots_written:
            continue
        new_page = new_pages.get(ref)
        if new_page is None:
            continue
        if page_written:
            handled.add(ref)
            for key in sorted(_changed_keys(old_page, new_page)):
                if key == "/Annots":
                    continue
                if key in ("/Contents", "/Resources"):
                    changes.append(f"the content of page {number} was changed")
                else:
                    changes.append(f"page {number} was changed ({key.lstrip('/')})")
        if annots_written:
            handled.add(annots_ref)  # type: ignore[arg-type]
        old_annots = old.get_object(annots_raw.reference) if annots_ref is not None else annots_raw
        new_annots_raw = _raw(new_page, "/Annots")
        new_annots = new_annots_raw.get_object() if new_annots_raw is not None else None
        added = _added(old_annots, new_annots)
        if added is None:
            changes.append(f"annotations on page {number} were removed or replaced")
            continue
        for item in added:
            if not _is_widget_of(item, new_sig_fields):
                changes.append(_describe_annotation(item, number))

    for ref in sorted(overwritten - handled):
        try:
            obj = new.get_object(generic.Reference(ref[0], ref[1]))
        except (PdfError, KeyError):
            obj = None
        if _is_content_of(ref, old_pages, old):
            number = next(
                n for n, (_r, p) in enumerate(old_pages, 1) if _content_refs(p, old).__contains__(ref)
            )
            changes.append(f"the text or drawing of page {number} was changed")
        else:
            changes.append(_describe_object(obj, ref))
    return changes, dss_touched


def _dss_refs(dss_raw: Any) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    ref = _ref(dss_raw)
    if ref is not None:
        out.add(ref)
    if dss_raw is None:
        return out
    try:
        dss = dss_raw.get_object()
        for key in ("/Certs", "/CRLs", "/OCSPs", "/VRI"):
            r = _ref(_raw(dss, key))
            if r is not None:
                out.add(r)
    except (PdfError, KeyError, AttributeError):
        pass
    return out


def _content_refs(page: Any, resolver: Any) -> set[tuple[int, int]]:
    contents = _raw(page, "/Contents")
    out: set[tuple[int, int]] = set()
    r = _ref(contents)
    if r is not None:
        out.add(r)
        try:
            obj = resolver.get_object(contents.reference)
            if isinstance(obj, generic.ArrayObject):
                out |= {x for x in (_ref(i) for i in obj.iterate()) if x is not None}
        except (PdfError, KeyError):
            pass
    elif isinstance(contents, generic.ArrayObject):
        out |= {x for x in (_ref(i) for i in contents.iterate()) if x is not None}
    return out


def _is_content_of(ref: tuple[int, int], pages: list[tuple[tuple[int, int], Any]], resolver: Any) -> bool:
    return any(ref in _content_refs(page, resolver) for _r, page in pages)


def _is_widget_of(item: Any, sig_fields: set[tuple[int, int]]) -> bool:
    ref = _ref(item)
    if ref is None:
        return False
    if ref in sig_fields:
        return True
    try:
        parent = _ref(_raw(item.get_object(), "/Parent"))
    except (PdfError, KeyError):
        return False
    return parent in sig_fields


def _describe_new_field(item: Any) -> str:
    try:
        obj = item.get_object()
        kind = obj.get("/FT")
        name = obj.get("/T")
        filled = obj.get("/V") is not None
    except (PdfError, KeyError, AttributeError):
        return "a form field was added"
    label = f" {name!s}" if name else ""
    if kind == "/Sig" and not filled:
        return f"an empty, unsigned signature field{label} was added (its appearance can show anything)"
    if kind == "/Sig":
        return f"a signature field{label} was added whose signature was not made in this revision"
    return f"a form field{label} was added"


def _describe_annotation(item: Any, page: int) -> str:
    try:
        sub = str(item.get_object().get("/Subtype") or "").lstrip("/")
    except (PdfError, KeyError, AttributeError):
        sub = ""
    if sub == "Widget":
        return f"a form field's widget was added on page {page} (it is drawn over the page)"
    return f"an annotation{f' ({sub})' if sub else ''} was added on page {page}"


# The verdict ------------------------------------------------------------------------


def verify_pdf(
    data: bytes,
    trusted: Sequence[x509.Certificate],
    *,
    crls: Sequence[x509.CertificateRevocationList] = (),
    now: datetime | None = None,
) -> FileVerdict:
    """Verifies one PDF against the trusted centre CA certificates (see the module text).

    Never raises for a bad file: a PDF too damaged to analyse is a verdict like any other.
    """
    try:
        return _verify(data, trusted, crls, now or datetime.now(UTC))
    except Exception as exc:  # a verifier reports; whatever the file does, it must not crash
        log.debug("verification failed", exc_info=True)
        return _failed(f"the PDF is damaged and cannot be analysed ({type(exc).__name__}: {exc})")


def _verify(
    data: bytes,
    trusted: Sequence[x509.Certificate],
    crls: Sequence[x509.CertificateRevocationList],
    now: datetime,
) -> FileVerdict:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = sorted(reader.embedded_signatures, key=lambda s: s.signed_revision)
        total = reader.xrefs.total_revisions
        embedded_certs, embedded_crls = _embedded(reader)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        return _failed(f"the PDF is damaged and cannot be read ({exc})")
    if not sigs:
        return _failed("the document is not signed", revisions=total)
    valid_crls = valid_crls_of([*crls, *embedded_crls], trusted)
    problems: list[str] = []
    notes: list[str] = []
    first = sigs[0]
    required: tuple[RequiredSigner, ...] = ()
    try:
        required = read_required(reader.get_historical_root(first.signed_revision)) or ()
    except (PdfError, KeyError, TypeError):
        required = ()
    if not required:
        problems.append(
            "the document does not name the signatures it needs "
            "(its first signature lists no required signers)"
        )
    verdicts = [
        _one(sig, i == 0, trusted, embedded_certs, valid_crls, required, reader, now, notes)
        for i, sig in enumerate(sigs)
    ]
    problems += [v.problem for v in verdicts if v.problem]

    # Revisions after the first signature.
    by_revision: dict[int, list[EmbeddedPdfSignature]] = {}
    for sig in sigs:
        by_revision.setdefault(sig.signed_revision, []).append(sig)
    changes: list[Change] = []
    field_refs = _field_refs(reader)
    for rev in range(first.signed_revision + 1, total):
        here = by_revision.get(rev, [])
        new_fields = {field_refs[s.field_name] for s in here if s.field_name in field_refs}
        try:
            found, dss = _revision_changes(reader, rev, new_fields)
        except (PdfError, KeyError, TypeError, ValueError, AttributeError) as exc:
            found, dss = [f"an update that cannot be analysed ({exc})"], False
        if len(here) > 1:
            found.append("more than one signature in one update")
        after = _after(sigs, rev)
        for what in found:
            changes.append(Change(rev + 1, f"{what} ({after})"))
        if not here and not found and dss:
            notes.append(
                f"revision {rev + 1}: validation data (certificates, revocation lists) added {after}"
            )
    last = sigs[-1]
    tail = data.rstrip(b"\r\n\t \x00")
    if (
        last.signed_revision == total - 1
        and verdicts[-1].covered_bytes < len(data)
        and not tail.endswith(b"%%EOF")
    ):
        changes.append(Change(total + 1, "bytes were appended after the last signature"))
    elif not tail.endswith(b"%%EOF"):
        changes.append(Change(total + 1, "bytes were appended after the last revision"))
    for c in changes:
        problems.append(f"revision {c.revision}: {c.what}")

    signed_slots = {r.slot for r in required for v in verdicts if v.ok and v.field == field_name(r.slot)}
    missing = tuple(r.name for r in required if r.slot not in signed_slots)
    complete = bool(required) and not missing
    # Incompleteness is not a problem with what is there: ``missing`` says who is awaited.
    ok = not problems and all(v.ok for v in verdicts)
    return FileVerdict(
        ok=ok,
        signatures=tuple(verdicts),
        problem="; ".join(problems) if problems else None,
        problems=tuple(problems),
        complete=complete,
        required=required,
        missing=missing,
        changes=tuple(changes),
        notes=tuple(notes),
        revisions=total,
    )


def _after(sigs: Sequence[EmbeddedPdfSignature], rev: int) -> str:
    before = [s for s in sigs if s.signed_revision < rev]
    if not before:
        return "before any signature"
    if len(before) == len(sigs):
        return "after the last signature"
    return f"after signature {len(before)}"


def _field_refs(reader: PdfFileReader) -> dict[str, tuple[int, int]]:
    out = {}
    for name, _value, ref in enumerate_sig_fields(reader, filled_status=True):
        if ref is not None:
            out[str(name)] = (ref.idnum, ref.generation)
    return out


def _one(
    sig: EmbeddedPdfSignature,
    is_first: bool,
    trusted: Sequence[x509.Certificate],
    others: Sequence[x509.Certificate],
    crls: Sequence[tuple[x509.CertificateRevocationList, x509.Certificate]],
    required: Sequence[RequiredSigner],
    reader: PdfFileReader,
    now: datetime,
    notes: list[str],
) -> SignatureVerdict:
    name = sig.field_name
    revision = sig.signed_revision + 1
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in trusted],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        # pyHanko checks the digest and the signature; trust and changes are ours (above).
        status = validate_pdf_signature(sig, context, skip_diff=True)
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
            revision=revision,
        )
    br = sig.byte_range
    covered = int(br[2]) + int(br[3]) if len(br) == 4 else 0
    cert = _crypto_cert(sig.signer_cert)
    others_all = [*others, *(_crypto_cert(c) for c in sig.other_embedded_certs)]
    signed_at = status.signer_reported_dt
    at = signed_at or now
    signer = _name_of(cert)
    account = ca.unique_id(cert)
    issuer, trust_problem = issuer_check(cert, trusted, others_all, at)
    chain = (signer, _name_of(issuer)) if issuer is not None else ()
    revoked_at, why = (None, None)
    if issuer is not None:
        revoked_at, why = revocation_of(cert, issuer, crls)
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        covers = "the entire file"
    elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        covers = f"revision {revision} (later revisions are checked separately)"
    else:
        covers = "only part of its revision"
    certifies = sig.docmdp_level is not None and _is_certification(sig, reader)
    problem = None
    if not status.intact:
        problem = "digest mismatch: the document changed after it was signed"
    elif not status.valid:
        problem = "the signature itself does not verify"
    elif status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        problem = "the signature covers only part of its revision"
    elif trust_problem is not None:
        problem = trust_problem
    elif revoked_at is not None and revoked_at <= at:
        problem = (
            f"the certificate was revoked on {revoked_at:%d %B %Y at %H:%M} UTC"
            f"{f' ({why})' if why else ''}, at or before this signature; the signature is not valid"
        )
    elif is_first and not certifies:
        problem = "the first signature does not certify the document (no DocMDP)"
    elif is_first and sig.docmdp_level != MDPPerm.FILL_FORMS:
        problem = (
            "the first signature certifies with the wrong permissions (only further signatures may follow)"
        )
    elif not is_first and sig.docmdp_level is not None:
        problem = "a later signature claims to certify the document"
    elif required:
        slot = next((r for r in required if field_name(r.slot) == name), None)
        if slot is None:
            problem = f"a signature by {signer}, in a place ({name}) the report does not have for a signer"
        elif not _fits(slot, account, cert):
            problem = f"signed by {signer} in the place of {slot.name}, whom the report names for it"
    if problem is None and revoked_at is not None:
        notes.append(
            f"{name}: {signer}'s certificate was revoked on {revoked_at:%d %B %Y} UTC, after this signature; "
            "the signature stands"
        )
    return SignatureVerdict(
        field=name,
        signer=signer,
        signer_subject=subject_text(cert),
        signed_at=signed_at,
        chain=chain,
        intact=status.intact,
        valid=status.valid,
        trusted=issuer is not None,
        covers=covers,
        ok=problem is None,
        problem=None if problem is None else f"{name} ({signer}): {problem}",
        revision=revision,
        covered_bytes=covered,
        account_id=account,
        registration=ca.registration(cert),
        serial=ca.serial_hex(cert),
        revoked_at=revoked_at,
        certifies=certifies,
        role=_attr(cert, x509.NameOID.TITLE),
        organisation=_attr(cert, x509.NameOID.ORGANIZATION_NAME),
    )


def _attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    found = cert.subject.get_attributes_for_oid(oid)
    return str(found[0].value) if found else None


# A required place with no account id is open to any holder of a centre certificate
# with the matching title: the countersignature, which any centre manager may give.
OPEN_SLOT_TITLES = {"countersign": "Centre manager"}


def _fits(slot: RequiredSigner, account: str | None, cert: x509.Certificate) -> bool:
    if slot.account_id:
        return slot.account_id == account
    title = OPEN_SLOT_TITLES.get(slot.role)
    titles = [str(a.value) for a in cert.subject.get_attributes_for_oid(x509.NameOID.TITLE)]
    return title is not None and account is not None and titles == [title]


_ATTRS = {
    x509.NameOID.COMMON_NAME: "CN",
    x509.NameOID.SERIAL_NUMBER: "serialNumber",
    x509.NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    x509.NameOID.TITLE: "title",
    x509.NameOID.ORGANIZATION_NAME: "O",
}


def subject_text(cert: x509.Certificate) -> str:
    """The subject as a person reads it: CN first, attribute names spelled out."""
    parts = [f"{_ATTRS.get(a.oid, a.oid.dotted_string)}={a.value!s}" for a in reversed(list(cert.subject))]
    return ", ".join(parts)


def _is_certification(sig: EmbeddedPdfSignature, reader: PdfFileReader) -> bool:
    """The catalog's /Perms /DocMDP, in the signature's own revision, points to it."""
    try:
        root = reader.get_historical_root(sig.signed_revision)
        perms = root.get("/Perms")
        if perms is None:
            return False
        docmdp = perms.get_object().raw_get("/DocMDP")
        target = _ref(sig.sig_field.raw_get("/V"))
        return _ref(docmdp) == target and target is not None
    except (KeyError, PdfError, AttributeError):
        return False


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
