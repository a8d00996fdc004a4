"""The past's reports, signed through the signing service as the centre did.

Each assessor signs the reports of the stations they observed and the outcomes of
their sittings; the centre manager countersigns and signs the day summary. Signing
draws and signs a PDF each time, so only the latest days are signed (``signed`` in
``content/history.yaml``; none by default); the rest are ready to sign. An outcome
not met that the candidate re-sat is signed by its lead assessor before the re-sit is
booked, as booking requires.
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
from naas_centre.services.views import Actor, Role
from naas_centre.signing.pdf import SignerIdentity


class Signers:
    """The past's signers, each signed in and their signing identity unlocked once."""

    def __init__(self, db: Database, passwords: Mapping[str, str], data_dir: Path) -> None:
        self.db, self.passwords, self.data_dir = db, passwords, data_dir
        self._held: dict[str, tuple[Actor, SignerIdentity]] = {}

    def get(self, username: str) -> tuple[Actor, SignerIdentity]:
        if username not in self._held:
            actor = accounts.authenticate(self.db, username, self.passwords[username])
            identity = signatures.unlock_signer(self.db, actor, self.passwords[username], self.data_dir)
            self._held[username] = (actor, identity)
        return self._held[username]

    def sign(self, username: str, ref: ReportRef) -> bool:
        """Signs ``ref`` as ``username``; False when it is not theirs to sign, or signed."""
        actor, identity = self.get(username)
        try:
            signatures.sign_report(self.db, actor, identity, ref)
        except (NotReady, Conflict, PermissionDenied):
            return False
        return True


def sign_outcome(signers: Signers, username: str, sitting_id: str) -> None:
    if not signers.sign(username, ReportRef(ReportKind.OUTCOME, sitting_id=sitting_id)):
        raise RuntimeError(f"the demo history could not sign the outcome of sitting {sitting_id}")


def sign_days(signers: Signers, days: Sequence[date], kinds: Sequence[str], usernames: Sequence[str]) -> int:
    """Signs every report of ``days`` of the ``kinds`` named that each of ``usernames``
    (assessors and the centre manager, in signing order: the manager, who countersigns,
    last) may sign; returns the signatures made."""
    count = 0
    for username in usernames:
        actor = accounts.authenticate(signers.db, username, signers.passwords[username])
        refs: list[ReportRef] = []
        for day in days:
            if actor.role == Role.ASSESSOR:
                ids = [s.id for s in sittings.list_for_assessor(signers.db, actor, day)]
            else:
                ids = [s.id for s in sittings.day_overview(signers.db, actor, day).sittings]
            refs += [r for sid in ids for r in refs_for_sitting(signers.db, actor, sid) if r.kind in kinds]
            if actor.role == Role.CENTRE_MANAGER and ReportKind.DAY_SUMMARY in kinds:
                refs.append(ReportRef(ReportKind.DAY_SUMMARY, day=day))
        count += sum(signers.sign(username, ref) for ref in refs)
    return count
