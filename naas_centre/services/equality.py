"""Equality monitoring: stored apart from identity and scores, read only in aggregate.

Only the quality-assurance lead reads it, and then only as counts per group: groups
under 5 are suppressed, and so is the smallest other group of each question wherever
one hidden group could be worked out from the total (the same candidates answer every
question, so the total is always known): ``qa.disclosure.suppress_one_way``. Given a
``period``, only candidates who sat in it are counted, with their monitoring as it stood
when it closed, and an open or too small period is refused, so recording one more
candidate changes no figure of a period that may be shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from db.engine import Database
from db.models import CandidateRow, EqualityMonitoringRow, SittingRow
from naas_centre.errors import NotFound
from naas_centre.qa import disclosure
from naas_centre.services import capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

FIELDS = ("age_band", "ethnicity", "disability", "sex")
TOO_SMALL = "every group (too small to name)"
SMALLEST_GROUP = disclosure.SMALLEST_CELL  # groups smaller than this are shown as "fewer than 5"


@dataclass(frozen=True)
class Monitoring:
    age_band: str | None = None
    ethnicity: str | None = None
    disability: str | None = None
    sex: str | None = None


@dataclass(frozen=True)
class GroupCount:
    field: str
    group: str
    count: int | None  # None: fewer than SMALLEST_GROUP, suppressed


def record(db: Database, actor: Actor, candidate_id: str, data: Monitoring) -> None:
    """The centre manager enters what the candidate chose to give; every field optional."""
    require(actor, *capabilities.RECORD_EQUALITY)
    with db.write() as s:
        if s.get(CandidateRow, candidate_id) is None:
            raise NotFound("No such candidate.")
        row = s.scalar(
            select(EqualityMonitoringRow).where(EqualityMonitoringRow.candidate_id == candidate_id)
        )
        if row is None:
            row = EqualityMonitoringRow(candidate_id=candidate_id)
            s.add(row)
        for name in FIELDS:
            setattr(row, name, getattr(data, name))


def aggregate(
    db: Database, actor: Actor, period: disclosure.Period | None = None, *, today: date | None = None
) -> list[GroupCount]:
    """Counts per group of each question; None where suppressed (small, or to protect one)."""
    require(actor, *capabilities.EQUALITY)
    if period is not None:
        from naas_centre.services.fairness import LONDON, closed_before

        disclosure.check_period(period, today or datetime.now(LONDON).date())
    with db.read() as s:
        if period is None:
            rows: Sequence[EqualityMonitoringRow | None] = s.scalars(select(EqualityMonitoringRow)).all()
        else:
            closed = closed_before(period)
            sat = select(SittingRow.candidate_id).where(
                SittingRow.day >= period.start, SittingRow.day <= period.end
            )
            found = {
                cid: row
                for cid, row in s.execute(
                    select(CandidateRow.id, EqualityMonitoringRow)
                    .outerjoin(EqualityMonitoringRow, EqualityMonitoringRow.candidate_id == CandidateRow.id)
                    .where(CandidateRow.id.in_(sat))
                )
            }
            disclosure.check_enough(period, len(found))
            # Monitoring entered or changed after the close reads as not given.
            rows = [r if r is not None and r.updated_at <= closed else None for r in found.values()]
    out: list[GroupCount] = []
    for name in FIELDS:
        counts = Counter((getattr(r, name) if r is not None else None) or "not given" for r in rows)
        groups = sorted(counts)
        try:
            shown = disclosure.suppress_one_way([counts[g] for g in groups]) if groups else ()
        except disclosure.PeriodNotPublishable:
            # Every group of one (or one small group): even their names would tell.
            out.append(GroupCount(name, TOO_SMALL, None))
            continue
        out.extend(GroupCount(name, g, n) for g, n in zip(groups, shown, strict=True))
    return out
