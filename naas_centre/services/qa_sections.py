"""The QA analysis, section by section, over the data ``qa_data`` reads."""

from __future__ import annotations

from datetime import date

from db.engine import Database
from naas_centre.qa.disclosure import Period
from naas_centre.services.qa_analysis import Cancelled, PersonalSheet, Progress, QaAnalysis
from naas_centre.services.views import Actor


def run(
    db: Database,
    actor: Actor,
    period: Period | None,
    progress: Progress | None,
    cancelled: Cancelled | None,
    today: date | None,
) -> QaAnalysis:
    raise NotImplementedError


def personal(db: Database, actor: Actor, today: date | None) -> PersonalSheet:
    raise NotImplementedError
