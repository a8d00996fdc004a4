"""Who may reach a sitting, and which of its stations: the one rule every service
applies the same way.

An assessor reaches only the sittings assigned to them; other roles reach every
sitting when the calling service allows their role at all. Within a sitting an
assessor scores, and signs the reports of, only the stations they observe
(``SittingAssessorRow.stations``; "" is every station).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from db.models import SittingAssessorRow, SittingRow
from naas_centre.errors import NotFound, PermissionDenied
from naas_centre.packs.schema import Pack
from naas_centre.services.views import Actor, Role

NOT_YOURS = "This sitting is not assigned to you."


def is_assigned(s: Session, assessor_id: str, sitting_id: str) -> bool:
    return (
        s.scalar(
            select(SittingAssessorRow.id).where(
                SittingAssessorRow.sitting_id == sitting_id, SittingAssessorRow.assessor_id == assessor_id
            )
        )
        is not None
    )


def open_sitting(
    s: Session, actor: Actor, sitting_id: str, others: tuple[Role, ...], doing: str
) -> SittingRow:
    """The sitting, if ``actor`` may reach it; ``others`` are the non-assessor roles allowed.

    ``doing`` completes the refusal for other roles: "cannot {doing}".
    """
    sitting = s.get(SittingRow, sitting_id)
    if sitting is None:
        raise NotFound("No such sitting.")
    if actor.role == Role.ASSESSOR:
        if not is_assigned(s, actor.account_id, sitting_id):
            raise PermissionDenied(NOT_YOURS)
    elif actor.role not in others:
        raise PermissionDenied(f"{actor.role.label} accounts cannot {doing}.")
    return sitting


def only_reachable(q: Select[Any], actor: Actor, others: tuple[Role, ...], doing: str) -> Select[Any]:
    """Narrows a query over sittings to those the actor may reach."""
    if actor.role == Role.ASSESSOR:
        return q.join(SittingAssessorRow, SittingAssessorRow.sitting_id == SittingRow.id).where(
            SittingAssessorRow.assessor_id == actor.account_id
        )
    if actor.role not in others:
        raise PermissionDenied(f"{actor.role.label} accounts cannot {doing}.")
    return q


# Stations: in a circuit each station has its own assessors ----------------------------


def stations_in(field: str, pack: Pack) -> tuple[str, ...]:
    """The pack stations a ``SittingAssessorRow.stations`` value names, in sitting order.

    "" means every station (a room where the same assessors see the whole sitting); an
    id the pack does not have is ignored, as it can be no one's to score.
    """
    every = tuple(station for station, _ in pack.rubrics())
    named = {part.strip() for part in field.split(",") if part.strip()}
    if not named:
        return every
    return tuple(station for station in every if station in named)


def observed_stations(s: Session, sitting_id: str, assessor_id: str, pack: Pack) -> tuple[str, ...]:
    """The stations this assessor observes in this sitting, in sitting order; () when
    they are not assigned to it."""
    field = s.scalar(
        select(SittingAssessorRow.stations).where(
            SittingAssessorRow.sitting_id == sitting_id, SittingAssessorRow.assessor_id == assessor_id
        )
    )
    return () if field is None else stations_in(field, pack)


def observers(s: Session, sitting_id: str, pack: Pack) -> dict[str, tuple[str, ...]]:
    """Station → the assessors (account ids) who observe it, in the order they were
    assigned; a station no one observes maps to ()."""
    out: dict[str, list[str]] = {station: [] for station, _ in pack.rubrics()}
    for assessor_id, field in s.execute(
        select(SittingAssessorRow.assessor_id, SittingAssessorRow.stations)
        .where(SittingAssessorRow.sitting_id == sitting_id)
        .order_by(SittingAssessorRow.created_at, SittingAssessorRow.id)
    ):
        for station in stations_in(field, pack):
            out[station].append(assessor_id)
    return {station: tuple(ids) for station, ids in out.items()}


def not_observed(title: str) -> str:
    """The refusal for an assessor acting on a station that is another's in this sitting."""
    return f"You do not observe “{title}” in this sitting."
