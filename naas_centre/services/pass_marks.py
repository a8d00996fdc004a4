"""The station pass marks a centre has adopted, read for the outcome rule.

Read inside the caller's own transaction by whatever applies the outcome rule (the
reports, the score-sheet export), so the rule a report states and the verdict an export
gives rest on the same marks. No permission here: the callers check their own;
adopting is ``services.standard_setting``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from db.models import StationPassMarkRow
from naas_centre.core.pass_marks import AdoptedMark

PackKey = tuple[str, str]  # (pack name, pack version): how a pass mark names its pack


def adopted(session: Session, packs: Iterable[PackKey]) -> dict[PackKey, tuple[AdoptedMark, ...]]:
    """Every adopted version for each of ``packs`` (a pack with none is left out)."""
    keys = sorted(set(packs))
    out: dict[PackKey, list[AdoptedMark]] = defaultdict(list)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for row in session.scalars(
            select(StationPassMarkRow)
            .where(tuple_(StationPassMarkRow.pack_name, StationPassMarkRow.pack_version).in_(chunk))
            .order_by(StationPassMarkRow.station_id, StationPassMarkRow.version)
        ):
            out[(row.pack_name, row.pack_version)].append(
                AdoptedMark(row.station_id, row.pass_mark, row.effective_from, row.version)
            )
    return {k: tuple(v) for k, v in out.items()}


def adopted_for(session: Session, pack: PackKey) -> tuple[AdoptedMark, ...]:
    return adopted(session, [pack]).get(pack, ())
