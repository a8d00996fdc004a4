"""Frozen plain data that services hand out: never live ORM rows.

The GUI, the CLI and background workers all receive these, so nothing outside the
services ever holds a database session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    CENTRE_MANAGER = "centre_manager"
    ASSESSOR = "assessor"
    QA_LEAD = "qa_lead"
    CANDIDATE_KIOSK = "candidate_kiosk"

    @property
    def label(self) -> str:
        return {
            Role.ADMINISTRATOR: "Administrator",
            Role.CENTRE_MANAGER: "Centre manager",
            Role.ASSESSOR: "Assessor",
            Role.QA_LEAD: "Quality-assurance lead",
            Role.CANDIDATE_KIOSK: "Candidate kiosk",
        }[self]


@dataclass(frozen=True)
class Actor:
    """Who is acting: the logged-in account. Every service call takes one."""

    account_id: str
    username: str
    display_name: str
    role: Role
    employer: str | None = None


@dataclass(frozen=True)
class AccountView:
    id: str
    username: str
    display_name: str
    role: Role
    employer: str | None
    active: bool
    locked_until: datetime | None


@dataclass(frozen=True)
class CandidateView:
    id: str
    full_name: str
    registration_number: str
    employer: str
    level: str
    extra_time_percent: int
    extra_time_minutes: int
    break_between_scenarios: bool
    adjustment_notes: str


@dataclass(frozen=True)
class StationView:
    """A scenario or the written exercise, in sitting order, without the actor brief."""

    id: str
    title: str
    kind: str  # role_play, reflective, written
    actor_name: str | None


@dataclass(frozen=True)
class SittingSummary:
    """A row of the day: what an assessor's list and the manager's board show."""

    id: str
    day: date
    starts_at: datetime
    room: str
    candidate_name: str
    candidate_employer: str
    pack_title: str
    level: str
    attempt: int
    status: str
    assessors: tuple[str, ...]
    criteria_total: int
    criteria_scored: int  # by the assessor asking, or by all assessors for a manager
    submitted: int  # assessors who have submitted


@dataclass(frozen=True)
class ScoreSheet:
    """One assessor's scores in one sitting: station → criterion → level (None: not scored)."""

    assessor_id: str
    assessor_name: str
    levels: dict[str, dict[str, int | None]]
    judgements: dict[str, str | None]
    submitted_at: datetime | None


@dataclass(frozen=True)
class SittingDetail:
    summary: SittingSummary
    candidate: CandidateView
    pack_id: str
    pack_hash: str
    stations: tuple[StationView, ...]
    mine: ScoreSheet | None  # the asking assessor's own sheet
    others: tuple[ScoreSheet, ...] = field(default=())  # only once all have submitted


@dataclass(frozen=True)
class DayOverview:
    day: date
    rooms: tuple[str, ...]
    sittings: tuple[SittingSummary, ...]
    assessors: tuple[str, ...]
    actors: tuple[str, ...]
