"""From the database to the plain data a report is drawn from.

A report is made only from what was recorded: a missing timing is shown as "not
recorded", never estimated. ``NotReady`` says why a report cannot be made yet (an
assessor has not submitted, a script is not in, the assessors differ on a level).

In a circuit each station has its own assessors: a station's report shows, names and
is signed by the assessors who observed it; the outcome report by all of the sitting's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    AccountRow,
    ActorRow,
    CandidateRow,
    CentreRow,
    EvidenceNoteRow,
    JudgementRow,
    ModerationRow,
    PackRow,
    RoomRow,
    ScoreRow,
    ScriptRow,
    SittingActorRow,
    SittingAssessorRow,
    SittingRow,
)
from naas_centre.core.completeness import Missing, MissingKind
from naas_centre.core.pass_marks import in_force, marks_of
from naas_centre.errors import Conflict, NotFound, PermissionDenied
from naas_centre.packs.outcome_adapter import evaluate_pack
from naas_centre.packs.schema import Criterion, KssArea, Pack, Rubric
from naas_centre.reports import station_standing
from naas_centre.reports.data import (
    AreaCriterion,
    AreaProfile,
    CriterionScore,
    DayRow,
    DaySummaryData,
    EvidenceNote,
    Judgement,
    KnowledgeArea,
    KnowledgeMarks,
    KnowledgeReportData,
    LevelName,
    Moderated,
    ObservationReportData,
    OutcomeReportData,
    Pause,
    PhaseTiming,
    ReportData,
    ReportHeader,
    ReportKind,
    RubricRow,
    SignatureSlot,
    StationJudgement,
    WrittenReportData,
)
from naas_centre.services import access, completeness, knowledge, moderation, packs, pass_marks, timing
from naas_centre.services.views import Actor, Role

READERS = (Role.CENTRE_MANAGER, Role.ADMINISTRATOR, Role.QA_LEAD)
COUNTERSIGN_LABEL = "Countersignature: centre manager"
NO_CONFLICT = "I have no conflict of interest with the candidate or with their employer."


def declaration(kind: ReportKind, *, two: bool, others: int = 1) -> str:
    """What an assessor declares by signing a report of this kind, printed beside the box.

    ``two``: other assessors sign it too (``others`` of them: a circuit's outcome has several)."""
    colleagues = "the other assessor" if others <= 1 else "the other assessors"
    alone = f", independently of {colleagues}," if two else ""
    if kind == ReportKind.OBSERVATION:
        text = (
            f"I observed this candidate and recorded my evidence and levels myself{alone} "
            "against the pack's rubric."
        )
    elif kind == ReportKind.WRITTEN:
        text = f"I marked this script myself{alone} against the pack's rubric."
    elif kind == ReportKind.KNOWLEDGE:
        text = (
            "I confirm that the candidate sat this knowledge test under the centre's procedures, and "
            "that these are the marks of the answers they submitted, as the pack's keys give them."
        )
    elif two:
        text = (
            f"I assessed this candidate at this sitting, independently of {colleagues}. The outcome "
            "rests on our levels, or on the levels agreed at moderation as the station reports record."
        )
    else:
        text = "I assessed this candidate at this sitting. The outcome rests on my levels."
    return f"{text} {NO_CONFLICT}"


COUNTERSIGN_DECLARATION = (
    "I have checked that this report is complete, that every difference between the assessors was "
    "moderated and recorded, and that the sitting was run under the centre's procedures."
)
KNOWLEDGE_COUNTERSIGN = (
    "I have checked that this report is complete and that the knowledge test was run under the "
    "centre's procedures."
)
DAY_DECLARATION = "I confirm that this summary is a true record of the day's sittings and their outcomes."
JUDGEMENT_WORDS = {"met": "met", "not_met": "not met"}


class NotReady(Conflict):
    """The report cannot be made (or signed) yet; the message says what is missing."""


@dataclass(frozen=True, order=True)
class ReportRef:
    """One report: its kind, and the sitting and station (or the day) it is about."""

    kind: ReportKind
    sitting_id: str | None = None
    station_id: str | None = None
    day: date | None = None

    @property
    def key(self) -> str:
        if self.kind == ReportKind.DAY_SUMMARY:
            return f"day_summary/{self.day}"
        return f"{self.kind.value}/{self.sitting_id}/{self.station_id or ''}"


def refs_for_pack(sitting_id: str, pack: Pack) -> list[ReportRef]:
    """The reports of one sitting, in sitting order: the pack decides how many stations."""
    out = [ReportRef(ReportKind.OBSERVATION, sitting_id, sc.id) for sc in pack.scenarios]
    if pack.written_exercise is not None:
        out.append(ReportRef(ReportKind.WRITTEN, sitting_id, pack.written_exercise.id))
    if pack.knowledge_test is not None:  # one per form; the form's id stands in the station's place
        out += [ReportRef(ReportKind.KNOWLEDGE, sitting_id, f.id) for f in pack.knowledge_test.forms]
    out.append(ReportRef(ReportKind.OUTCOME, sitting_id))
    return out


def refs_for_sitting(db: Database, actor: Actor, sitting_id: str) -> list[ReportRef]:
    with db.read() as s:
        sitting = _sitting(s, actor, sitting_id)
        return refs_for_pack(sitting_id, packs.pack_by_id(s, sitting.pack_id))


def sittings_of_day(db: Database, actor: Actor, day: date) -> list[str]:
    """The day's sittings the actor may report on, in start order."""
    with db.read() as s:
        q = select(SittingRow.id).where(SittingRow.day == day).order_by(SittingRow.starts_at, SittingRow.id)
        return list(s.scalars(access.only_reachable(q, actor, READERS, "read reports")))


def gather(db: Database, actor: Actor, ref: ReportRef) -> ReportData:
    """The data for one report, or NotReady with what is missing."""
    if ref.kind == ReportKind.DAY_SUMMARY:
        assert ref.day is not None
        return day_summary(db, actor, ref.day)
    assert ref.sitting_id is not None
    if ref.kind == ReportKind.KNOWLEDGE:  # rests on the candidate's form alone, not on the sheets
        assert ref.station_id is not None
        with db.read() as s:
            return _Context.load(s, actor, ref.sitting_id).knowledge(ref.station_id)
    _require_complete(db, actor, ref)
    with db.read() as s:
        ctx = _Context.load(s, actor, ref.sitting_id)
        if ref.kind == ReportKind.OUTCOME:
            return ctx.outcome()
        assert ref.station_id is not None
        timings = _timings(db, actor, ref.sitting_id, ref.station_id)
        if ref.kind == ReportKind.WRITTEN:
            return ctx.written(ref.station_id, timings)
        return ctx.observation(ref.station_id, timings)


def readiness(db: Database, actor: Actor, ref: ReportRef) -> str | None:
    """None when the report can be made and signed, else why not (a sentence)."""
    try:
        gather(db, actor, ref)
    except NotReady as exc:
        return str(exc)
    return None


def _lacking(db: Database, actor: Actor, ref: ReportRef) -> tuple[Missing, ...]:
    """What the sitting still lacks for this report (a knowledge-test report: nothing of it).

    The rule is ``naas_centre.services.completeness`` (one rule for the sitting screen,
    moderation and the reports): the outcome needs everything; a station's report needs
    what concerns that station and the sitting as a whole (an assessor not submitted).
    """
    assert ref.sitting_id is not None
    if ref.kind == ReportKind.KNOWLEDGE:
        return ()
    station = None if ref.kind == ReportKind.OUTCOME else ref.station_id
    return completeness.for_report(db, actor, ref.sitting_id, station)


def _require_complete(db: Database, actor: Actor, ref: ReportRef) -> None:
    """NotReady naming, in plain words, whatever the sitting still lacks for this report."""
    items = _lacking(db, actor, ref)
    if not items:
        return
    what = "The outcome" if ref.kind == ReportKind.OUTCOME else "This report"
    texts = list(dict.fromkeys(" ".join(str(m.text).split()).rstrip(".") for m in items))
    said = "Still missing: " + "; ".join(texts[:3])
    said += f"; and {len(texts) - 3} more things to finish." if len(texts) > 3 else "."
    raise NotReady(f"{what} cannot be made or signed yet. {said}")


def _heading(c: Criterion) -> str:
    """A criterion as a person reads it in a sentence: its short title, else its text."""
    return c.heading()


def _standard(pack: Pack) -> int:
    """The level that meets the standard (the pack's own, else the pass mark rounded up)."""
    return pack.outcome.standard()


# One sitting, read once -------------------------------------------------------------


@dataclass
class _Context:
    s: Session
    sitting: SittingRow
    candidate: CandidateRow
    pack_row: PackRow
    pack: Pack
    centre: str
    room: str
    assessors: list[tuple[str, str, bool]]  # (account id, name, submitted)
    actors: dict[str, str]
    registrations: dict[str, str | None]  # account id → professional registration number
    observers: dict[str, tuple[str, ...]]  # station → the account ids of its assessors

    @classmethod
    def load(cls, s: Session, actor: Actor, sitting_id: str) -> _Context:
        sitting = _sitting(s, actor, sitting_id)
        candidate = s.get(CandidateRow, sitting.candidate_id)
        pack_row = s.get(PackRow, sitting.pack_id)
        room = s.get(RoomRow, sitting.room_id)
        assert candidate is not None and pack_row is not None and room is not None
        assessors = [
            (aid, name, sub is not None)
            for aid, name, sub in s.execute(
                select(
                    SittingAssessorRow.assessor_id, AccountRow.display_name, SittingAssessorRow.submitted_at
                )
                .join(AccountRow, AccountRow.id == SittingAssessorRow.assessor_id)
                .where(SittingAssessorRow.sitting_id == sitting_id)
                .order_by(SittingAssessorRow.created_at, AccountRow.display_name)
            )
        ]
        actors = dict(
            s.execute(
                select(SittingActorRow.station_id, ActorRow.full_name)
                .join(ActorRow, ActorRow.id == SittingActorRow.actor_id)
                .where(SittingActorRow.sitting_id == sitting_id)
            ).all()
        )
        centre = s.scalar(select(CentreRow.name).limit(1)) or "Assessment centre"
        registrations = dict(
            s.execute(
                select(AccountRow.id, AccountRow.registration_number).where(
                    AccountRow.id.in_([aid for aid, _, _ in assessors])
                )
            ).all()
        )
        pack = packs.pack_of_row(pack_row)
        return cls(
            s,
            sitting,
            candidate,
            pack_row,
            pack,
            centre,
            room.name,
            assessors,
            actors,
            registrations,
            access.observers(s, sitting_id, pack),
        )

    def of_station(self, station_id: str | None) -> list[tuple[str, str, bool]]:
        """The assessors who observed one station (None: the whole sitting), in order."""
        if station_id is None:
            return self.assessors
        ids = set(self.observers.get(station_id, ()))
        return [a for a in self.assessors if a[0] in ids]

    def criteria_expected(self) -> int:
        """How many levels the sitting's sheets hold between them, when all are in."""
        sizes = {station: len(rubric.criteria) for station, rubric in self.pack.rubrics()}
        total = sum(sizes[station] * len(ids) for station, ids in self.observers.items())
        return total or len(self.pack.criteria())

    def _require_submitted(self) -> None:
        if not self.assessors:
            raise NotReady("No assessor is assigned to this sitting.")
        waiting = [name for _, name, submitted in self.assessors if not submitted]
        if waiting:
            raise NotReady(f"Not every score is in: {', '.join(waiting)} has not submitted yet.")

    def header(
        self,
        kind: ReportKind,
        title: str,
        station_id: str | None = None,
        signers: list[tuple[str, str, bool]] | None = None,
    ) -> ReportHeader:
        """The report's heading and signature slots: a station's report is signed by the
        assessors who observed that station, the outcome by every assessor of the sitting
        (``signers`` says otherwise: a knowledge test's, by who handed it over)."""
        c, pr = self.candidate, self.pack_row
        signers = self.of_station(station_id) if signers is None else signers
        names = tuple(name for _, name, _ in signers)
        said = declaration(kind, two=len(signers) > 1, others=len(signers) - 1)
        slots = tuple(
            SignatureSlot(
                "assessor",
                f"Assessor: {name}",
                aid,
                registration_number=(self.registrations.get(aid) or "").strip() or None,
                declaration=said,
            )
            for aid, name, _ in signers
        )
        checked = KNOWLEDGE_COUNTERSIGN if kind == ReportKind.KNOWLEDGE else COUNTERSIGN_DECLARATION
        slots += (SignatureSlot("countersign", COUNTERSIGN_LABEL, declaration=checked),)
        return ReportHeader(
            kind=kind,
            title=title,
            centre_name=self.centre,
            candidate_name=c.full_name,
            registration_number=c.registration_number,
            employer=c.employer,
            level=c.level,
            attempt=self.sitting.attempt,
            adjustments=adjustments_in_words(
                c.extra_time_percent,
                c.extra_time_minutes,
                c.break_between_scenarios,
                written=self.pack.written_exercise is not None,
            ),
            sitting_id=self.sitting.id,
            day=self.sitting.day,
            room=self.room,
            pack_name=pr.name,
            pack_version=pr.version,
            pack_title=pr.title,
            pack_hash=pr.content_hash,
            assessors=names,
            slots=slots,
        )

    def levels(self) -> dict[str, dict[tuple[str, str], int | None]]:
        """assessor id → (station, criterion) → level."""
        out: dict[str, dict[tuple[str, str], int | None]] = defaultdict(dict)
        for r in self._score_rows():
            out[r.assessor_id][(r.station_id, r.criterion_id)] = r.level
        return out

    def _score_rows(self) -> list[ScoreRow]:
        return list(self.s.scalars(select(ScoreRow).where(ScoreRow.sitting_id == self.sitting.id)))

    def moderations(self) -> dict[tuple[str, str], tuple[ModerationRow, str]]:
        """(station, criterion id or "" for the judgement) → the moderation and the moderator's name."""
        rows = self.s.execute(
            select(ModerationRow, AccountRow.display_name)
            .join(AccountRow, AccountRow.id == ModerationRow.moderator_id)
            .where(ModerationRow.sitting_id == self.sitting.id)
        ).all()
        return {(m.station_id, m.criterion_id): (m, name) for m, name in rows}

    def _rubric_rows(self, station_id: str, rubric: Rubric) -> tuple[RubricRow, ...]:
        areas = {a.id: a.title for a in self.pack.kss_areas}
        labels = {lv.value: lv.label for lv in self.pack.levels_for(rubric)}
        scores_by = {(r.assessor_id, r.station_id, r.criterion_id): r for r in self._score_rows()}
        moderated = self.moderations()
        evidence: dict[tuple[str, str], list[str]] = defaultdict(list)
        for n in self.s.scalars(
            select(EvidenceNoteRow)
            .where(
                EvidenceNoteRow.sitting_id == self.sitting.id,
                EvidenceNoteRow.station_id == station_id,
                EvidenceNoteRow.criterion_id.is_not(None),
            )
            .order_by(EvidenceNoteRow.written_at, EvidenceNoteRow.id)
        ):
            if n.text.strip() and n.criterion_id is not None:
                evidence[(n.assessor_id, n.criterion_id)].append(n.text.strip())
        rows = []
        observed = self.of_station(station_id)
        for c in rubric.criteria:
            scores = []
            for aid, name, _ in observed:
                row = scores_by.get((aid, station_id, c.id))
                level = row.level if row is not None else None
                scores.append(
                    CriterionScore(
                        assessor=name,
                        level=level,
                        level_label=labels.get(level, "") if level is not None else "",
                        descriptor=c.descriptors.get(level, "") if level is not None else "",
                        reason=(row.reason or "").strip() if row is not None else "",
                        evidence=tuple(evidence.get((aid, c.id), ())),
                    )
                )
            agreed = None
            found = moderated.get((station_id, c.id))
            if found is not None and len({sc.level for sc in scores}) > 1:
                m, moderator = found
                agreed = Moderated(
                    moderator=moderator,
                    reason=m.reason.strip(),
                    level=m.level,
                    level_label=labels.get(m.level, "") if m.level is not None else "",
                    descriptor=c.descriptors.get(m.level, "") if m.level is not None else "",
                )
            rows.append(
                RubricRow(
                    c.id,
                    c.text,
                    c.kss,
                    areas.get(c.kss, c.kss),
                    tuple(scores),
                    criterion_title=_heading(c),
                    moderation=agreed,
                )
            )
        return tuple(rows)

    def _judgement_moderation(self, station_id: str) -> Moderated | None:
        found = self.moderations().get((station_id, ""))
        given = {j.judgement for j in self._judgements(station_id)}
        if found is None or len(given) < 2:
            return None
        m, moderator = found
        return Moderated(moderator=moderator, reason=m.reason.strip(), judgement=m.judgement)

    def _notes(self, station_id: str) -> tuple[EvidenceNote, ...]:
        names = {aid: name for aid, name, _ in self.assessors}
        criteria = {c.id: _heading(c) for _, c in self.pack.criteria()}
        rows = self.s.scalars(
            select(EvidenceNoteRow)
            .where(EvidenceNoteRow.sitting_id == self.sitting.id, EvidenceNoteRow.station_id == station_id)
            .order_by(EvidenceNoteRow.written_at, EvidenceNoteRow.id)
        )
        return tuple(
            EvidenceNote(
                assessor=names.get(r.assessor_id, "former assessor"),
                written_at=r.written_at,
                clock=_clock(r.phase_clock_ms),
                phase=timing.PHASE_TITLES.get(r.phase or "", r.phase),
                criterion=criteria.get(r.criterion_id) if r.criterion_id else None,
                text=r.text,
                recording_ms=r.recording_ms,
            )
            for r in rows
        )

    def _judgements(self, station_id: str) -> tuple[Judgement, ...]:
        rows = {
            j.assessor_id: j
            for j in self.s.scalars(
                select(JudgementRow).where(
                    JudgementRow.sitting_id == self.sitting.id, JudgementRow.station_id == station_id
                )
            )
        }
        out = []
        for aid, name, _ in self.of_station(station_id):
            j = rows.get(aid)
            out.append(
                Judgement(
                    name,
                    j.judgement if j else None,
                    j.rationale if j else "",
                    borderline=bool(j and j.judgement and j.borderline),
                )
            )
        return tuple(out)

    def _scale(self, rubric: Rubric) -> tuple[LevelName, ...]:
        return tuple(LevelName(lv.value, lv.label) for lv in self.pack.levels_for(rubric))

    def observation(self, station_id: str, timings: tuple[PhaseTiming, ...]) -> ObservationReportData:
        scenario = next((sc for sc in self.pack.scenarios if sc.id == station_id), None)
        if scenario is None:
            raise NotFound(f"The pack has no scenario {station_id!r}.")
        self._require_submitted()
        return ObservationReportData(
            header=self.header(ReportKind.OBSERVATION, "Observation report", station_id),
            station_id=station_id,
            station_title=scenario.title,
            station_kind=scenario.kind,
            setting=scenario.setting,
            actor_name=self.actors.get(station_id),
            scale=self._scale(scenario.rubric),
            timings=timings,
            rubric=self._rubric_rows(station_id, scenario.rubric),
            notes=self._notes(station_id),
            judgements=self._judgements(station_id),
            judgement_moderation=self._judgement_moderation(station_id),
        )

    def written(self, station_id: str, timings: tuple[PhaseTiming, ...]) -> WrittenReportData:
        we = self.pack.written_exercise
        if we is None or we.id != station_id:
            raise NotFound("The pack has no such written exercise.")
        self._require_submitted()
        script = self.s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == self.sitting.id))
        if script is None or script.submitted_at is None:
            raise NotReady("The candidate's written script has not been submitted.")
        rubric = self._rubric_rows(station_id, we.rubric)
        return WrittenReportData(
            header=self.header(ReportKind.WRITTEN, "Written-exercise report", station_id),
            station_id=station_id,
            title=we.title,
            prompt=we.prompt,
            script_text=script.text,
            word_count=script.word_count,
            submitted_at=script.submitted_at,
            submitted_how=script.submitted_how,
            scale=self._scale(we.rubric),
            timings=timings,
            rubric=rubric,
            notes=self._notes(station_id),
            judgements=self._judgements(station_id),
            judgement_moderation=self._judgement_moderation(station_id),
            summary=_marking_in_words(rubric, self._scale(we.rubric), _standard(self.pack), we),
        )

    def final_levels(self) -> dict[str, int | None]:
        """The level of each criterion that the outcome rule uses.

        Assessors score independently; their levels count once they agree. Where they
        differ, the difference must be reconciled (moderation) before an outcome exists.
        """
        final, differ = moderation.final_levels_in(self.s, self.sitting.id, self.pack)
        if differ:
            names = {c.id: f"“{_heading(c)}”" for _, c in self.pack.criteria()}
            shown = [names.get(d, "a criterion") for d in differ[:3]]
            raise NotReady(
                f"The assessors differ on {len(differ)} criteria ({'; '.join(shown)}"
                f"{'; …' if len(differ) > 3 else ''}); they must be agreed at moderation before the outcome."
            )
        return final

    def outcome(self) -> OutcomeReportData:
        self._require_submitted()
        levels = self.final_levels()
        # The station pass marks in force on the sitting's day (none before any takes effect).
        adopted = pass_marks.adopted_for(self.s, (self.pack.name, self.pack.version))
        marks = in_force(adopted, self.sitting.day)
        tests = knowledge.outcome_marks_in(self.s, self.sitting.id, self.pack)
        result = evaluate_pack(self.pack, levels, marks_of(marks), knowledge=tests or None)
        if result.missing_knowledge:
            raise NotReady(self._knowledge_waiting(result.missing_knowledge))
        if not result.complete or result.met is None:
            raise NotReady(f"{len(result.missing)} criteria are not scored.")
        rule = self.pack.outcome
        standard = _standard(self.pack)
        first_rubric = self.pack.rubrics()[0][1]
        labels = {lv.value: lv.label for lv in self.pack.levels_for(first_rubric)}
        titles = dict(_stations(self.pack))
        critical = {c.criterion: c.min_level for c in rule.overall.critical}
        by_area: dict[str, list[tuple[str, Criterion]]] = defaultdict(list)
        for station, c in self.pack.criteria():
            by_area[c.kss].append((station, c))
        areas = []
        for a, r in zip(self.pack.kss_areas, result.areas, strict=True):
            crits = tuple(
                AreaCriterion(
                    title=_heading(c),
                    station=titles.get(station, "another station"),
                    level=int(levels[c.id] or 0),
                    level_label=labels.get(int(levels[c.id] or 0), ""),
                    critical_min=critical.get(c.id),
                )
                for station, c in by_area[a.id]
            )
            failed = tuple(
                f"{x.title} ({x.station})"
                for x in crits
                if x.critical_min is not None and x.level < x.critical_min
            )
            met = bool(r.met) and not failed
            below = any(x.level < standard for x in crits)
            areas.append(
                AreaProfile(
                    area_id=a.id,
                    title=a.title,
                    combined=float(r.combined or 0.0),
                    pass_mark=rule.area_pass_mark,
                    met=met,
                    development_feedback=a.development_feedback,
                    failed_critical=failed,
                    criteria=crits,
                    strengths=_strengths(a, crits, standard, labels),
                    next_steps=_next_steps(a, crits, standard, labels, met),
                    needs_development=not met or (not result.met and below),
                )
            )
        stations = []
        judgements = []
        for station, title in _stations(self.pack):
            given = self._judgements(station)
            for j in given:
                judgements.append((title, j.assessor, j.judgement or ""))
            stations.append(
                StationJudgement(
                    station=title,
                    judgements=tuple((j.assessor, j.judgement) for j in given),
                    moderation=self._judgement_moderation(station),
                    borderline=tuple(j.assessor for j in given if j.borderline),
                )
            )
        return OutcomeReportData(
            header=self.header(ReportKind.OUTCOME, "Outcome and feedback"),
            met=result.met,
            areas=tuple(areas),
            reasons=tuple(result.reasons),
            rule=_rule_in_words(self.pack) + station_standing.rule_in_words(self.pack, marks),
            scale=self._scale(first_rubric),
            station_judgements=tuple(judgements),
            rationale=" ".join((rule.rationale or "").split()),
            judgement_note=_judgement_note(stations, result.met),
            stations=tuple(stations),
            appeal=_appeal(self.centre),
            station_scores=station_standing.standings(self.s, self.pack, self.sitting.day, levels, marks),
            knowledge=tuple(
                _knowledge_marks(r)
                for r in knowledge.results_in(self.s, self.sitting.id)
                if r.form_id in tests
            ),
        )

    def _handed_over(self, form_id: str) -> list[tuple[str, str, bool]]:
        """Who signs a knowledge test's report: the assessor of the sitting who handed the
        kiosk over for it; every assessor of the sitting when a manager did."""
        opened = knowledge.opened_by_in(self.s, self.sitting.id, form_id)
        mine = [a for a in self.assessors if a[0] == opened]
        return mine or self.assessors

    def _knowledge_waiting(self, forms: tuple[str, ...]) -> str:
        test = self.pack.knowledge_test
        titles = {f.id: f.title for f in test.forms} if test is not None else {}
        named = " and ".join(f"“{titles.get(f, f)}”" for f in forms)
        return (
            f"The outcome cannot be made or signed yet. Still missing: the candidate has not submitted "
            f"the knowledge test {named}, which the outcome rule counts."
        )

    def knowledge(self, form_id: str) -> KnowledgeReportData:
        """The report of one knowledge-test form, once the candidate has submitted it."""
        record = knowledge.form_record_in(self.s, self.sitting.id, self.pack, form_id)
        title = knowledge.form_title(self.pack, form_id)
        marked = knowledge.result_in(self.s, self.sitting.id, form_id)
        if record is None or marked is None or record.submitted_at is None:
            what = "started" if record is None else "submitted"
            raise NotReady(
                f"This report cannot be made or signed yet. Still missing: the candidate has not {what} "
                f"the knowledge test “{title}”; its report is made once they submit it or the time runs out."
            )
        return KnowledgeReportData(
            header=self.header(
                ReportKind.KNOWLEDGE, "Knowledge-test report", signers=self._handed_over(form_id)
            ),
            form_id=form_id,
            title=title,
            items=record.items,
            minutes=record.minutes,
            allowed_minutes=record.allowed_ms / 60_000,
            started_at=record.started_at,
            submitted_at=record.submitted_at,
            submitted_how=record.submitted_how or "candidate",
            pass_rule=record.pass_mark,
            marking=record.marking,
            result=_knowledge_marks(marked),
        )


def _knowledge_marks(r: knowledge.KnowledgeResult) -> KnowledgeMarks:
    """A form's marks as a report holds them: totals per area, never an item."""
    return KnowledgeMarks(
        form_id=r.form_id,
        title=r.title,
        marks=float(r.marks),
        available=r.available,
        pass_mark=float(r.needed),
        passed=r.passed,
        areas=tuple(KnowledgeArea(a.kss, a.title, float(a.marks), a.available) for a in r.areas),
    )


def _marking_in_words(
    rubric: tuple[RubricRow, ...], scale: tuple[LevelName, ...], standard: int, exercise: Any
) -> tuple[str, ...]:
    """The marking of a script in sentences, from the final levels and the rubric's words."""
    labels = {lv.value: lv.label for lv in scale}
    scored = [(r, r.final_level) for r in rubric if r.final_level is not None]
    if not scored:
        return ()
    criteria = {c.id: c for c in exercise.rubric.criteria}
    out = []
    top = max(level for _, level in scored)
    strong = [r for r, level in scored if level == top and level >= standard]
    if strong:
        quoted = [f"“{r.criterion_title}”" for r in strong]
        names = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
        out.append(f"The script was strongest in {names}, at {_level_words(top, labels)}.")
    short = sorted(((r, level) for r, level in scored if level < standard), key=lambda x: x[1])
    for r, level in short:
        aim = criteria[r.criterion_id].descriptors.get(standard, "") if r.criterion_id in criteria else ""
        text = f"“{r.criterion_title}” was at {_level_words(level, labels)}, below the standard."
        if aim:
            text += f" At the standard, the rubric describes: {' '.join(aim.split())}"
        out.append(text)
    if not short:
        out.append(f"Every criterion of the script reached {_level_words(standard, labels)} or above.")
    return tuple(out)


def adjustments_in_words(percent: int, minutes: int, break_between: bool, *, written: bool) -> str:
    """The candidate's adjustments by their effect, never their reason, each once.

    The reason for an adjustment (``CandidateRow.adjustment_notes``) can be health or
    disability information: it stays in the candidate's record and out of every report.
    """
    parts: list[str] = []
    amounts = []
    if percent:
        amounts.append(f"{percent}%")
    if minutes:
        amounts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if amounts:
        where = "the reading time of each scenario" + (" and the written exercise" if written else "")
        parts.append(f"{' and '.join(amounts)} extra time for {where}")
    if break_between:
        parts.append("a break between scenarios")
    return "; ".join(dict.fromkeys(parts))


def _level_words(level: int, labels: dict[int, str]) -> str:
    label = labels.get(level)
    return f"level {level} ({label})" if label else f"level {level}"


def _named(items: list[AreaCriterion], labels: dict[int, str]) -> str:
    parts = [f"“{x.title}” in {x.station}, {_level_words(x.level, labels)}" for x in items]
    if len(parts) <= 1:
        return "".join(parts)
    return "; ".join(parts[:-1]) + "; and " + parts[-1]


def _strengths(area: KssArea, crits: tuple[AreaCriterion, ...], standard: int, labels: dict[int, str]) -> str:
    """What the candidate showed in this area, from their own levels, then the pack's words."""
    strong = sorted((x for x in crits if x.level >= standard), key=lambda x: -x.level)
    if strong:
        top = [x for x in strong if x.level == strong[0].level]
        text = f"The assessors saw your strongest evidence for this area in {_named(top, labels)}."
        rest = [x for x in strong if x not in top]
        if rest:
            text += f" You also reached the standard in {_named(rest, labels)}."
    else:
        text = (
            f"No criterion in this area reached {_level_words(standard, labels)} at this sitting; "
            "the notes in the station reports show what the assessors did see."
        )
    pack_words = " ".join((area.strengths or "").split())
    return f"{text} {pack_words}".strip()


def _next_steps(
    area: KssArea, crits: tuple[AreaCriterion, ...], standard: int, labels: dict[int, str], met: bool
) -> str:
    """Where to develop next: the criteria below the standard first, then the pack's words."""
    weak = sorted((x for x in crits if x.level < standard), key=lambda x: x.level)
    failed = [x for x in crits if x.critical_min is not None and x.level < x.critical_min]
    parts = []
    for x in failed:
        parts.append(
            f"“{x.title}” in {x.station} is a critical criterion: it was at "
            f"{_level_words(x.level, labels)} and must reach {_level_words(x.critical_min or 0, labels)}, "
            "whatever the other levels. Make it the first thing you work on."
        )
    others = [x for x in weak if x not in failed]
    if others:
        parts.append(f"Work first on {_named(others, labels)}, which did not yet reach the standard.")
    elif not failed:
        ahead = [x for x in crits if x.level == standard]
        if ahead:
            which = "criterion" if len(ahead) == 1 else f"{len(ahead)} criteria"
            parts.append(
                f"To move beyond the standard, look with your supervisor at what the rubric describes "
                f"above {_level_words(standard, labels)} for the {which} of this area that you met at "
                "the standard, and choose one to practise."
            )
        elif met:
            parts.append("Keep this practice where others can learn from it, for example as a peer observer.")
    pack_words = " ".join((area.next_steps or "").split())
    if pack_words:
        parts.append(pack_words)
    return " ".join(parts)


def _judgement_note(stations: list[StationJudgement], met: bool) -> str:
    """How the station judgements relate to the outcome rule, in one or two sentences."""
    agreed: list[str | None] = []
    for st in stations:
        if st.moderation is not None:
            agreed.append(st.moderation.judgement)
        else:
            given = {j for _, j in st.judgements}
            agreed.append(given.pop() if len(given) == 1 else None)
    text = (
        "Each assessor also gives an overall judgement of each station: their summary of what the "
        "station showed. The outcome is not a count of these judgements; it follows from the criterion "
        "levels by the rule above, so the judgements explain the levels and do not add to or override them."
    )
    not_met = sum(1 for a in agreed if a == "not_met")
    if met and not_met:
        text += (
            f" {not_met} station{' was' if not_met == 1 else 's were'} judged not met, yet across the "
            "stations the levels meet the rule; the feedback by area says what to develop."
        )
    elif not met and not_met == 0 and agreed:
        text += (
            " Every station was judged met as a whole, yet the levels do not meet the rule; the reasons "
            "above say where."
        )
    return text


def _appeal(centre: str) -> tuple[str, ...]:
    """How to ask for a review of the outcome: generic, as a centre would write it."""
    return (
        f"If you think this outcome is wrong, you can ask {centre} for a review. Write to the centre "
        "manager within 20 working days of receiving this report. Say which part of the outcome you are "
        "asking about and why, and include anything that supports your request.",
        "A review can look at how the assessment was run: for example, a timing or a reasonable "
        "adjustment that was not given as agreed, an interruption, an assessor with a conflict of "
        "interest, or a level recorded or combined in error. It does not re-mark the assessors' "
        "professional judgement of the evidence they saw.",
        "A senior assessor who took no part in your sitting carries out the review. You will receive "
        "the decision in writing, with its reasons, within 20 working days of your request. Your "
        "employer can help you prepare it, and a review does not affect a later attempt.",
    )


def _stations(pack: Pack) -> list[tuple[str, str]]:
    out = [(sc.id, sc.title) for sc in pack.scenarios]
    if pack.written_exercise:
        out.append((pack.written_exercise.id, pack.written_exercise.title))
    return out


def _criteria(pack: Pack) -> dict[str, Criterion]:
    return {c.id: c for _, c in pack.criteria()}


def _rule_in_words(pack: Pack) -> tuple[str, ...]:
    """The pack's outcome rule as sentences: every condition a candidate must meet."""
    rule = pack.outcome
    labels = {lv.value: lv.label for lv in pack.levels}
    how = {"mean": "the mean", "median": "the median", "minimum": "the lowest"}[rule.area_combine.value]
    lines = [
        f"Each criterion evidences one KSS area. An area is met when {how} of its criterion levels, "
        f"across all stations, reaches {rule.area_pass_mark:g}, and none of its critical criteria is "
        "below the level it must reach."
    ]
    total = len(pack.kss_areas)
    if rule.overall.areas_met == "all":
        conditions = [f"all {total} areas are met"]
    else:
        conditions = [f"at least {rule.overall.areas_met} of the {total} areas are met"]
    if rule.overall.floor_level is not None:
        conditions.append(f"no criterion is below {_level_words(rule.overall.floor_level, labels)}")
    critical_line = ""
    if rule.overall.critical:
        criteria = _criteria(pack)
        named = [
            f"“{_heading(criteria[c.criterion]) if c.criterion in criteria else 'a criterion'}” "
            f"(at least level {c.min_level}{', ' + labels[c.min_level] if c.min_level in labels else ''})"
            for c in rule.overall.critical
        ]
        conditions.append("every critical criterion reaches its level")
        listed = " and ".join(named) if len(named) <= 2 else "; ".join(named[:-1]) + "; and " + named[-1]
        critical_line = f"The critical criteria are {listed}."
    bound = rule.overall.max_below_standard
    if bound is not None:
        below = _level_words(_standard(pack), labels)
        count = len(pack.criteria())
        conditions.append(
            f"no criterion is below {below}"
            if bound == 0
            else f"at most {bound} of the {count} criteria are below {below}"
        )
    joined = conditions[0] if len(conditions) == 1 else ", ".join(conditions[:-1]) + " and " + conditions[-1]
    lines.append(f"The standard is met when {joined}.")
    if critical_line:
        lines.append(critical_line)
    if pack.knowledge_test is not None:
        tests = " and ".join(f"“{f.title}”" for f in pack.knowledge_test.forms)
        lines.append(
            f"The knowledge test {tests} must also be submitted and reach its pass mark; a strong "
            "knowledge test does not make up for an area not met, nor the areas for a knowledge test "
            "below its mark."
        )
    lines.append(
        f"The rule is part of the pack {pack.name} {pack.version}; it is the same for every candidate."
    )
    return tuple(lines)


def _clock(ms: int | None) -> str | None:
    if ms is None:
        return None
    minutes, seconds = divmod(max(0, ms) // 1000, 60)
    return f"{minutes:02d}:{seconds:02d}"


def _timings(db: Database, actor: Actor, sitting_id: str, station_id: str) -> tuple[PhaseTiming, ...]:
    """The station's phases as recorded; empty when the clock was never started."""
    st = timing.station_timing(db, actor, sitting_id, station_id)
    if all(ph.state.started_at is None for ph in st.phases):
        return ()
    return tuple(
        PhaseTiming(
            phase=ph.plan.title,
            planned_minutes=ph.plan.planned_ms / 60_000,
            adjusted_minutes=ph.state.length_ms / 60_000,
            started_at=ph.state.started_at,
            ended_at=ph.state.ended_at,
            pauses=tuple(Pause(pa.start, pa.end, pa.reason or "no reason given") for pa in ph.state.pauses),
            overrun_seconds=ph.state.overrun_ms // 1000,
            downtime_seconds=ph.downtime_ms // 1000,
        )
        for ph in st.phases
    )


def _sitting(s: Session, actor: Actor, sitting_id: str) -> SittingRow:
    return access.open_sitting(s, actor, sitting_id, READERS, "read reports")


# The day ----------------------------------------------------------------------------


def day_summary(
    db: Database, actor: Actor, day: date, signed: dict[str, int] | None = None
) -> DaySummaryData:
    """Every sitting of the day with its progress and outcome. ``signed``: sitting → reports signed."""
    if actor.role not in READERS:
        raise PermissionDenied("Only a centre manager, an administrator or QA can see the day summary.")
    rows = []
    with db.read() as s:
        ids = list(
            s.scalars(select(SittingRow.id).where(SittingRow.day == day).order_by(SittingRow.starts_at))
        )
    # the same rule as the outcome report: no outcome while the sitting lacks anything
    lacking = {sid: _lacking(db, actor, ReportRef(ReportKind.OUTCOME, sid)) for sid in ids}
    with db.read() as s:
        centre = s.scalar(select(CentreRow.name).limit(1)) or "Assessment centre"
        scored_counts = dict(
            s.execute(
                select(ScoreRow.sitting_id, func.count())
                .where(ScoreRow.sitting_id.in_(ids), ScoreRow.level.is_not(None))
                .group_by(ScoreRow.sitting_id)
            ).all()
        )
        for sid in ids:
            ctx = _Context.load(s, actor, sid)
            total = ctx.criteria_expected()
            kinds = {m.kind for m in lacking[sid]}
            try:
                if lacking[sid]:
                    raise NotReady("incomplete")
                outcome = ctx.outcome()
                verdict = "met" if outcome.met else "not met"
            except NotReady as exc:
                moderation_only = kinds == {MissingKind.MODERATION_OUTSTANDING} or "differ" in str(exc)
                verdict = "pending: moderation" if moderation_only else "pending"
            n_reports = len(refs_for_pack(sid, ctx.pack))
            rows.append(
                DayRow(
                    starts_at=ctx.sitting.starts_at,
                    room=ctx.room,
                    candidate_name=ctx.candidate.full_name,
                    employer=ctx.candidate.employer,
                    level=ctx.candidate.level,
                    attempt=ctx.sitting.attempt,
                    pack=f"{ctx.pack_row.name} {ctx.pack_row.version}",
                    assessors=tuple(name for _, name, _ in ctx.assessors),
                    status=ctx.sitting.status,
                    scored=f"{scored_counts.get(sid, 0)} of {total}",
                    outcome=verdict,
                    reports_signed=f"{(signed or {}).get(sid, 0)} of {n_reports}",
                )
            )
    return DaySummaryData(
        centre_name=centre,
        day=day,
        rows=tuple(rows),
        slots=(SignatureSlot("countersign", "Centre manager", declaration=DAY_DECLARATION),),
    )
