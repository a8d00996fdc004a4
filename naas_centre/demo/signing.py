"""The finishing touches on the scored demo day: moderation, then signed reports.

The centre manager reconciles every difference between the two assessors' sheets;
each demo assessor then signs the reports of their sittings, and the manager
countersigns and signs the day summary. Everything goes through the public services;
the moderator's words are data (``content/judgements.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from db.engine import Database
from naas_centre.demo import data
from naas_centre.demo.centre import ACCOUNTS
from naas_centre.errors import Conflict, PermissionDenied
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import NotReady, ReportRef, refs_for_sitting
from naas_centre.services import accounts, moderation, packs, signatures, sittings
from naas_centre.services.views import Role

_PASSWORDS = {a.username: a.password for a in ACCOUNTS}


@dataclass(frozen=True)
class SignedDay:
    moderated: int
    signatures: int


def moderate_day(db: Database, day: date) -> int:
    """Agrees every difference: the lower level where the candidate's evidence was thin,
    then each disputed station judgement as the agreed levels at that station show it."""
    manager_acc = next(a for a in ACCOUNTS if a.role == Role.CENTRE_MANAGER)
    manager = accounts.authenticate(db, manager_acc.username, manager_acc.password)
    words = data.judgements().moderation
    agreed = 0
    for summary in sittings.day_overview(db, manager, day).sittings:
        try:
            diffs = moderation.differences(db, manager, summary.id)
        except Conflict:
            continue  # not every sheet is in: nothing to moderate yet
        final: dict[tuple[str, str], int] = {}
        for diff in diffs:
            if diff.is_judgement:
                continue
            levels = [lv for _, lv in diff.levels if lv is not None]
            low, high = min(levels), max(levels)
            # The demo's rule of thumb: a difference of one level goes to the lower
            # unless both assessors' notes support the higher; here, the lower.
            moderation.agree(
                db,
                manager,
                summary.id,
                diff.station_id,
                diff.criterion_id,
                low,
                words.level.format(low=low, high=high),
            )
            final[(diff.station_id, diff.criterion_id)] = low
            agreed += 1
        judged = [d for d in diffs if d.is_judgement]
        if not judged:
            continue
        pack = packs.pack_for_sitting(db, manager, summary.id)
        standard = pack.outcome.standard()
        sheet = sittings.sitting_detail(db, manager, summary.id).others[0]
        rubrics = dict(pack.rubrics())
        for diff in judged:
            station = diff.station_id
            at_station = [
                final.get((station, c.id), sheet.levels[station][c.id]) for c in rubrics[station].criteria
            ]
            met = all(lv is not None and lv >= standard for lv in at_station)
            moderation.agree_judgement(
                db,
                manager,
                summary.id,
                station,
                "met" if met else "not_met",
                words.met if met else words.not_met,
            )
            agreed += 1
    return agreed


def sign_day(db: Database, day: date, data_dir: Path) -> SignedDay:
    """Moderates, then signs every report of the day as the demo assessors and manager."""
    moderated = moderate_day(db, day)
    count = 0
    signers = [a.username for a in ACCOUNTS if a.role == Role.ASSESSOR]
    signers += [a.username for a in ACCOUNTS if a.role == Role.CENTRE_MANAGER]
    for username in signers:
        actor = accounts.authenticate(db, username, _PASSWORDS[username])
        identity = signatures.unlock_signer(db, actor, _PASSWORDS[username], data_dir)
        if actor.role == Role.ASSESSOR:
            ids = [s.id for s in sittings.list_for_assessor(db, actor, day)]
        else:
            ids = [s.id for s in sittings.day_overview(db, actor, day).sittings]
        refs = [ref for sid in ids for ref in refs_for_sitting(db, actor, sid)]
        if actor.role == Role.CENTRE_MANAGER:
            refs.append(ReportRef(ReportKind.DAY_SUMMARY, day=day))
        for ref in refs:
            try:
                signatures.sign_report(db, actor, identity, ref)
                count += 1
            except (NotReady, Conflict, PermissionDenied):
                continue  # not this signer's to sign, or already signed
    return SignedDay(moderated, count)
