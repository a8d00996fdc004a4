"""Equality monitoring: stored apart from identity and scores, read only in aggregate.

Only the quality-assurance lead reads it, and then only as counts per group, with
small groups suppressed so no individual can be picked out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from db.engine import Database
from db.models import CandidateRow, EqualityMonitoringRow
from naas_centre.errors import NotFound
from naas_centre.services import capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

FIELDS = ("age_band", "ethnicity", "disability", "sex")
SMALLEST_GROUP = 5  # groups smaller than this are shown as "fewer than 5"


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


def aggregate(db: Database, actor: Actor) -> list[GroupCount]:
    require(actor, *capabilities.EQUALITY)
    with db.read() as s:
        rows = s.scalars(select(EqualityMonitoringRow)).all()
    out: list[GroupCount] = []
    for name in FIELDS:
        counts = Counter(getattr(r, name) or "not given" for r in rows)
        for group, n in sorted(counts.items()):
            out.append(GroupCount(name, group, n if n >= SMALLEST_GROUP else None))
    return out
