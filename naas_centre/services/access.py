"""Who may reach a sitting: the one rule every service applies the same way.

An assessor reaches only the sittings assigned to them; other roles reach every
sitting when the calling service allows their role at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from db.models import SittingAssessorRow, SittingRow
from naas_centre.errors import NotFound, PermissionDenied
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
