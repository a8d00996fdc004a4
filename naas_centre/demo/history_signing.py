"""The latest past days' reports, signed through the signing service as the centre did.

Each assessor signs the reports of the stations they observed and the outcomes of
their sittings; the centre manager countersigns and signs the day summary. Signing
draws and signs a PDF each time, so only the latest days are signed, and by default
only their outcomes (``signed`` in ``content/history.yaml``); the rest are ready to sign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from db.engine import Database
from naas_centre.errors import Conflict, PermissionDenied
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import NotReady, ReportRef, refs_for_sitting
from naas_centre.services import accounts, signatures, sittings
from naas_centre.services.views import Role


def sign_days(
    db: Database, days: Sequence[date], kinds: Sequence[str], signers: Mapping[str, str], data_dir: Path
) -> int:
    """Signs every report of ``days`` of the ``kinds`` named that ``signers`` may sign
    (assessors and the centre manager, username → password, in signing order: the
    manager, who countersigns, last); returns the signatures made."""
    count = 0
    for username in signers:
        actor = accounts.authenticate(db, username, signers[username])
        refs: list[ReportRef] = []
        for day in days:
            if actor.role == Role.ASSESSOR:
                ids = [s.id for s in sittings.list_for_assessor(db, actor, day)]
            else:
                ids = [s.id for s in sittings.day_overview(db, actor, day).sittings]
            refs += [ref for sid in ids for ref in refs_for_sitting(db, actor, sid) if ref.kind in kinds]
            if actor.role == Role.CENTRE_MANAGER and ReportKind.DAY_SUMMARY in kinds:
                refs.append(ReportRef(ReportKind.DAY_SUMMARY, day=day))
        if not refs:
            continue
        identity = signatures.unlock_signer(db, actor, signers[username], data_dir)
        for ref in refs:
            try:
                signatures.sign_report(db, actor, identity, ref)
                count += 1
            except (NotReady, Conflict, PermissionDenied):
                continue  # not this signer's to sign, or already signed
    return count
