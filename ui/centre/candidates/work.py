"""What the candidate screens ask of the services, run in workers (the services are
imported there, so opening the main window stays cheap)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from naas_centre.services.views import Actor

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.imports.problems import Problem
    from naas_centre.services.candidates import CandidateEntry, EndorsementView, ImportPreview, ImportResult


def list_candidates(db: Database, actor: Actor) -> list[CandidateEntry]:
    from naas_centre.services import candidates

    return candidates.list_candidates(db, actor)


def preview(db: Database, actor: Actor, path: Path) -> ImportPreview:
    from naas_centre.services import candidates

    return candidates.preview_import(db, actor, path)


def import_file(db: Database, actor: Actor, path: Path) -> ImportResult:
    from naas_centre.services import candidates

    return candidates.import_candidates(db, actor, path)


def save_problems(problems: tuple[Problem, ...], target: Path) -> int:
    from naas_centre.services import candidates

    return candidates.save_problems(problems, target)


def record_endorsement(
    db: Database, actor: Actor, candidate_id: str, level: str, endorsed_by: str, endorsed_on: date
) -> EndorsementView:
    from naas_centre.services import candidates

    return candidates.record_endorsement(db, actor, candidate_id, level, endorsed_by, endorsed_on)
