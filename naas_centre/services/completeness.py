"""What a sitting still lacks: nothing produces an outcome, or is offered for signing,
while this list holds anything.

``missing`` is the one answer for every screen: the sitting screen shows it before an
assessor submits and goes to each item; moderation and the reports refuse while it is
not empty. The rule itself is pure (``naas_centre.core.completeness``); this module
reads the facts.

Who may ask: the sitting's own assessors, a centre manager, an administrator. An
assessor sees the gaps on their own sheet in detail, and of a colleague only whether
they have submitted: independence holds until both are in.

In a circuit each assessor's sheet is expected over the stations they observe
(``access.stations_in``), and a station no one observes is missing.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    AccountRow,
    JudgementRow,
    KnowledgeFormRow,
    ModerationRow,
    PhaseEventRow,
    ScoreRow,
    ScriptRow,
    SittingAssessorRow,
    SittingRow,
)
from naas_centre.core.completeness import (
    JUDGEMENT,
    ON_THE_SHEET,
    CriterionFacts,
    KnowledgeFacts,
    Missing,
    MissingKind,
    ScriptFacts,
    SheetFacts,
    SittingFacts,
    StationFacts,
    concerning,
    in_words,
)
from naas_centre.core.completeness import missing as missing_from_facts
from naas_centre.errors import NotFound
from naas_centre.packs.schema import Pack
from naas_centre.services import access, packs
from naas_centre.services.views import Actor, Role

__all__ = [
    "ASKERS",
    "ON_THE_SHEET",
    "REPORT_READERS",
    "Missing",
    "MissingKind",
    "concerning",
    "for_report",
    "in_words",
    "missing",
    "missing_in",
    "standard_of",
]

ASKERS = (Role.CENTRE_MANAGER, Role.ADMINISTRATOR)
REPORT_READERS = (Role.CENTRE_MANAGER, Role.ADMINISTRATOR, Role.QA_LEAD)
# The phase whose start means the station took place.
_MAIN_PHASE = {"role_play": "role_play", "reflective": "role_play", "written": "writing"}


def missing(db: Database, actor: Actor, sitting_id: str) -> tuple[Missing, ...]:
    """Everything still missing in the sitting, in sitting order; empty when complete."""
    with db.read() as s:
        access.open_sitting(s, actor, sitting_id, ASKERS, "see what a sitting is missing")
        detail_for = frozenset({actor.account_id}) if actor.role == Role.ASSESSOR else None
        return missing_in(s, sitting_id, detail_for=detail_for)


def for_report(db: Database, actor: Actor, sitting_id: str, station_id: str | None) -> tuple[Missing, ...]:
    """What stands between one report and signing (see ``core.completeness.concerning``).

    Anyone who reads the sitting's reports may ask (quality assurance too)."""
    with db.read() as s:
        access.open_sitting(s, actor, sitting_id, REPORT_READERS, "read reports")
        detail_for = frozenset({actor.account_id}) if actor.role == Role.ASSESSOR else None
        return concerning(missing_in(s, sitting_id, detail_for=detail_for), station_id)


def missing_in(
    s: Session, sitting_id: str, *, detail_for: frozenset[str] | None = None
) -> tuple[Missing, ...]:
    """The same, inside a caller's session. The caller has checked the actor may reach
    the sitting (the reports do, for their own readers)."""
    return missing_from_facts(facts(s, sitting_id, detail_for=detail_for))


def standard_of(pack: Pack) -> int:
    """The level that meets the standard: below it, a level needs a written reason."""
    return pack.outcome.standard()


def facts(s: Session, sitting_id: str, *, detail_for: frozenset[str] | None = None) -> SittingFacts:
    sitting = s.get(SittingRow, sitting_id)
    if sitting is None:
        raise NotFound("No such sitting.")
    pack = packs.pack_by_id(s, sitting.pack_id)

    started = {
        (station, phase)
        for station, phase in s.execute(
            select(PhaseEventRow.station_id, PhaseEventRow.phase).where(
                PhaseEventRow.sitting_id == sitting_id, PhaseEventRow.kind == "start"
            )
        )
    }
    stations = [
        StationFacts(
            sc.id,
            sc.title,
            sc.kind,
            tuple(CriterionFacts(c.id, c.title or c.text) for c in sc.rubric.criteria),
            (sc.id, _MAIN_PHASE[sc.kind]) in started,
        )
        for sc in pack.scenarios
    ]
    we = pack.written_exercise
    if we is not None:
        stations.append(
            StationFacts(
                we.id,
                we.title,
                "written",
                tuple(CriterionFacts(c.id, c.title or c.text) for c in we.rubric.criteria),
                (we.id, "writing") in started,
            )
        )

    levels: dict[str, dict[tuple[str, str], int | None]] = defaultdict(dict)
    reasons: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    for sc in s.scalars(select(ScoreRow).where(ScoreRow.sitting_id == sitting_id)):
        levels[sc.assessor_id][(sc.station_id, sc.criterion_id)] = sc.level
        reasons[sc.assessor_id][(sc.station_id, sc.criterion_id)] = sc.reason or ""
    verdicts: dict[str, dict[str, str | None]] = defaultdict(dict)
    for j in s.scalars(select(JudgementRow).where(JudgementRow.sitting_id == sitting_id)):
        verdicts[j.assessor_id][j.station_id] = j.judgement
    sheets = tuple(
        SheetFacts(
            link.assessor_id,
            name,
            levels[link.assessor_id],
            reasons[link.assessor_id],
            verdicts[link.assessor_id],
            link.submitted_at is not None,
            frozenset(access.stations_in(link.stations, pack)),
        )
        for link, name in s.execute(
            select(SittingAssessorRow, AccountRow.display_name)
            .join(AccountRow, AccountRow.id == SittingAssessorRow.assessor_id)
            .where(SittingAssessorRow.sitting_id == sitting_id)
            .order_by(SittingAssessorRow.created_at, SittingAssessorRow.id)
        )
    )

    script_row = s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == sitting_id))
    script = (
        ScriptFacts(bool(script_row.text.strip()), script_row.submitted_at is not None)
        if script_row is not None
        else None
    )
    moderated = frozenset(
        (m.station_id, m.criterion_id)
        for m in s.scalars(select(ModerationRow).where(ModerationRow.sitting_id == sitting_id))
        if (m.judgement if m.criterion_id == JUDGEMENT else m.level) is not None
    )
    return SittingFacts(
        stations=tuple(stations),
        sheets=sheets,
        script=script,
        moderated=moderated,
        standard=standard_of(pack),
        detail_for=detail_for,
        knowledge=_knowledge(s, sitting_id, pack),
    )


def _knowledge(s: Session, sitting_id: str, pack: Pack) -> tuple[KnowledgeFacts, ...]:
    """Each form of the pack's knowledge test (the outcome rule asks for every one)."""
    test = pack.knowledge_test
    if test is None:
        return ()
    drawn = {
        form_id: submitted is not None
        for form_id, submitted in s.execute(
            select(KnowledgeFormRow.form_id, KnowledgeFormRow.submitted_at).where(
                KnowledgeFormRow.sitting_id == sitting_id
            )
        )
    }
    return tuple(KnowledgeFacts(f.id, f.title, f.id in drawn, drawn.get(f.id, False)) for f in test.forms)
