"""Equality monitoring in aggregate: outcomes counted by group, small counts suppressed.

For quality assurance only (the service checks who asks). Each question is a group by
outcome table suppressed as ``qa.disclosure.suppress_two_way`` does, taking its margins
as known (the screen gives each group's size, and a fully shown question gives every
outcome's total): counts under 5 are written "fewer than 5", and so are the
complements that keep them from being worked back out. Outcomes are the score sheets'
own (one per sitting).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import EqualityMonitoringRow, SittingRow
from naas_centre.exports.atomic import replacing
from naas_centre.exports.score_sheets import OUTCOMES, Filters, ScoreSheetQuery
from naas_centre.qa import disclosure
from naas_centre.services.equality import FIELDS, SMALLEST_GROUP

SUPPRESSED = f"fewer than {SMALLEST_GROUP}"
FIELD_TITLES = {"age_band": "Age band", "ethnicity": "Ethnicity", "disability": "Disability", "sex": "Sex"}
NOT_GIVEN = "not given"


@dataclass(frozen=True)
class OutcomeCounts:
    """One monitoring group's outcomes: counts, or None where suppressed."""

    field: str
    group: str
    counts: tuple[int | None, ...]  # in OUTCOMES order


def outcome_counts(s: Session, filters: Filters) -> list[OutcomeCounts]:
    query = ScoreSheetQuery.open(s, filters)
    outcome = {r.sitting_id: r.outcome for r in query.results()}
    groups: dict[tuple[str, str], Counter[str]] = {}
    monitoring = {
        sid: row
        for sid, row in s.execute(
            select(SittingRow.id, EqualityMonitoringRow).join(
                EqualityMonitoringRow, EqualityMonitoringRow.candidate_id == SittingRow.candidate_id
            )
        )
        if sid in outcome
    }
    for sid, result in outcome.items():
        row = monitoring.get(sid)
        for name in FIELDS:
            group = (getattr(row, name) if row is not None else None) or NOT_GIVEN
            groups.setdefault((name, group), Counter())[result] += 1
    out: list[OutcomeCounts] = []
    for name in FIELDS:
        keys = sorted(group for field, group in groups if field == name)
        table = disclosure.suppress_two_way([[groups[(name, g)][o] for o in OUTCOMES] for g in keys])
        out.extend(OutcomeCounts(name, g, cells) for g, cells in zip(keys, table.cells, strict=True))
    return out


def write_csv(target: Path, counts: list[OutcomeCounts]) -> int:
    import csv

    with replacing(target) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Monitoring question", "Group", *(o.capitalize() for o in OUTCOMES)])
        for c in counts:
            out.writerow(
                [FIELD_TITLES[c.field], c.group, *(SUPPRESSED if n is None else n for n in c.counts)]
            )
    return len(counts)
