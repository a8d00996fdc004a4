"""Whether a bundle's signer may sign for this centre: the same rule as a signed report's.

The certificate must be an individual's signing certificate issued directly by one of
the centre's CA certificates (``naas_centre.signing.verify`` holds that rule; it is
reused, not restated), valid when the bundle says it was made, and on no revocation
list of that CA. Unlike a report, a bundle signed *before* a revocation is refused too:
its creation time is the signer's own claim, and a revoked key could claim any time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.x509.oid import NameOID

from naas_centre.signing import ca

if TYPE_CHECKING:
    from db.engine import Database


def describe(cert: x509.Certificate) -> str:
    """The signer as a person reads them: "Sarah Khan (Centre manager)"."""
    title = cert.subject.get_attributes_for_oid(NameOID.TITLE)
    name = ca.common_name(cert)
    return f"{name} ({title[0].value!s})" if title else name


def organisation(cert: x509.Certificate) -> str | None:
    found = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(found[0].value) if found else None


def problem(
    cert: x509.Certificate,
    trusted_cas: Sequence[x509.Certificate],
    crls: Sequence[x509.CertificateRevocationList],
    at: datetime,
) -> tuple[str, bool] | None:
    """Why ``cert`` may not sign a bundle made at ``at``, and whether the reason is a
    revocation; None when it may."""
    # Imported here: the report verifier brings pyHanko, which writing a bundle never needs.
    from naas_centre.signing.verify import issuer_check, revocation_of, valid_crls_of

    if not trusted_cas:
        return "this database holds no centre CA to check the signature against", False
    issuer, why = issuer_check(cert, trusted_cas, (), at)
    if issuer is None:
        return why or "the signer's certificate does not chain to a trusted centre CA", False
    revoked_at, reason = revocation_of(cert, issuer, valid_crls_of(crls, trusted_cas))
    if revoked_at is not None:
        because = f" ({reason})" if reason else ""
        return f"the centre revoked that certificate on {revoked_at:%d %B %Y}{because}", True
    return None


def from_database(db: Database) -> tuple[list[x509.Certificate], list[x509.CertificateRevocationList]]:
    """The receiving centre's CA certificates (every one it ever had) and revocation
    lists, as ``open_bundle`` takes them."""
    from naas_centre.services.verification import trusted_material

    return trusted_material(db)
