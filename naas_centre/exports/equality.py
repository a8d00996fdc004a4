"""Equality monitoring in aggregate: outcomes counted by group, small counts suppressed.

For quality assurance only (the service checks who asks). Each count under
``SMALLEST_GROUP`` is written "fewer than 5", as ``services.equality`` does, so no
individual can be picked out; no total per group is given, which would let a reader
work a suppressed count back out. Outcomes are the score sheets' own (one per sitting).
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
    out = []
    for name in FIELDS:
        for (field, group), counts in sorted(groups.items()):
            if field == name:
                out.append(
                    OutcomeCounts(
                        field,
                        group,
                        tuple(n if (n := counts[o]) >= SMALLEST_GROUP else None for o in OUTCOMES),
                    )
                )
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
