"""One past day of the demo, as its assessors ran it, written through the bulk path.

For each sitting of the day, in start order: the candidate checked in; at each station
the reading, role-play and discussion clocks run (a few over time), each assessor
jotting a few evidence notes as they watch; the written
exercise on the kiosk (opened, the script saved and submitted, the kiosk closed); the
knowledge test after it on the same kiosk (the form drawn, answered, submitted); the
levels each assessor gave (``history_levels``), with their reasons below the standard,
and a judgement per station, some marked borderline; every sheet submitted; each
difference moderated by the centre manager; the sitting complete. The rows and audit
entries are those the services write for the same steps (``history_rows``), in one
transaction.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    AccountRow,
    CandidateRow,
    EvidenceNoteRow,
    JudgementRow,
    KnowledgeAnswerRow,
    KnowledgeFormRow,
    ModerationRow,
    PhaseEventRow,
    ScoreRow,
    ScriptRow,
    SittingAssessorRow,
    SittingRow,
    VisitRow,
)
from naas_centre.core.completeness import JUDGEMENT
from naas_centre.core.timing import Adjustment, adjusted_ms
from naas_centre.demo import data, knowledge_answers
from naas_centre.demo.history_content import HistoryContent, Marking
from naas_centre.demo.history_levels import judge, read_levels, settle, showing
from naas_centre.demo.history_rows import Trail, row_values, snapshot_of
from naas_centre.demo.levels import station_met
from naas_centre.packs.outcome_adapter import evaluate_pack
from naas_centre.packs.schema import Pack
from naas_centre.services import audit, knowledge, timing, written
from naas_centre.services.views import Actor

_SCORING_STEP = timedelta(seconds=15)  # one criterion every so often after the discussion
_MARKING = timedelta(minutes=20)  # a script is read through before it is marked


@dataclass(frozen=True)
class Played:
    sitting_id: str
    candidate_id: str
    lead: str  # the assessor who led the first station: who signs first
    met: bool


@dataclass(frozen=True)
class DayScore:
    played: tuple[Played, ...]
    moderated: int

    @property
    def sittings(self) -> int:
        return len(self.played)

    @property
    def met(self) -> int:
        return sum(p.met for p in self.played)


@dataclass
class _Sitting:
    row: SittingRow
    candidate: CandidateRow
    visits: dict[str, VisitRow]  # station → visit
    links: dict[str, SittingAssessorRow]  # assessor id → link
    observers: dict[str, list[str]]  # station → assessor ids, in link order


def _load(s: Session, day: date, usernames: Mapping[str, str]) -> list[_Sitting]:
    # In start order, and by registration where several start at once: the same order
    # on every run, so the seed gives the same day.
    rows = s.scalars(
        select(SittingRow)
        .join(CandidateRow, CandidateRow.id == SittingRow.candidate_id)
        .where(SittingRow.day == day, SittingRow.status == "planned")
        .order_by(SittingRow.starts_at, CandidateRow.registration_number)
    ).all()
    ids = [r.id for r in rows]
    visits: dict[str, dict[str, VisitRow]] = defaultdict(dict)
    for v in s.scalars(select(VisitRow).where(VisitRow.sitting_id.in_(ids))):
        visits[v.sitting_id][v.station_id] = v
    links: dict[str, dict[str, SittingAssessorRow]] = defaultdict(dict)
    for link in s.scalars(
        select(SittingAssessorRow)
        .where(SittingAssessorRow.sitting_id.in_(ids))
        .order_by(SittingAssessorRow.created_at, SittingAssessorRow.id)
    ):
        links[link.sitting_id][link.assessor_id] = link
    out = []
    for r in rows:
        candidate = s.get(CandidateRow, r.candidate_id)
        assert candidate is not None
        observers: dict[str, list[str]] = defaultdict(list)
        for aid, link in links[r.id].items():
            for station in (link.stations or "").split(","):
                if station:
                    observers[station].append(aid)
        ordered = {st: sorted(ids, key=lambda a: usernames[a]) for st, ids in observers.items()}
        out.append(_Sitting(r, candidate, visits[r.id], links[r.id], ordered))
    return out


class _Writer:
    """The day's steps as rows and entries on one ``Trail``."""

    def __init__(
        self,
        trail: Trail,
        pack: Pack,
        content: HistoryContent,
        rng: random.Random,
        markings: Mapping[str, Marking],
        usernames: Mapping[str, str],
        manager: Actor,
        abilities: Mapping[str, float],
    ) -> None:
        self.trail, self.pack, self.content, self.rng = trail, pack, content, rng
        self.markings, self.usernames, self.manager, self.abilities = markings, usernames, manager, abilities
        self.rubrics = dict(pack.rubrics())
        self.keys = knowledge_answers.keys_of(pack) if pack.knowledge_test is not None else {}
        self.banks = data.banks()
        self.standard = pack.outcome.standard()
        self.scale = sorted(lv.value for lv in pack.levels)
        self.words = data.judgements().moderation
        self.moderated = 0

    # -- the steps ---------------------------------------------------------------------

    def status(self, who: str, sitting: SittingRow, status: str) -> None:
        before = audit.snapshot(sitting)
        sitting.status = status
        self.trail.entry(who, "sitting.status", "sittings", sitting.id, before, audit.snapshot(sitting))

    def event(
        self, who: str, sid: str, station: str, plan: timing.PhasePlan, kind: str, at: datetime
    ) -> None:
        start = kind == "start"
        self.trail.audited_insert(  # as the session records a phase event it flushes
            PhaseEventRow,
            None,
            "phase_events.add",
            row_values(
                PhaseEventRow,
                sitting_id=sid,
                station_id=station,
                phase=plan.phase,
                kind=kind,
                at=at,
                account_id=who,
                planned_ms=plan.planned_ms if start else None,
                adjusted_ms=plan.adjusted_ms if start else None,
                created_at=at,
                updated_at=at,
            ),
        )

    def run_station(
        self, st: _Sitting, station: str, lead: str, at: datetime, phases: dict[str, tuple[datetime, int]]
    ) -> datetime:
        """The station's clocks from ``at``; returns when its last phase ended. Each
        phase's start and length in milliseconds go into ``phases``."""
        c = st.candidate
        plans = timing.station_plan(
            self.pack, station, Adjustment(c.extra_time_percent, c.extra_time_minutes)
        )
        rng = self.rng
        for plan in plans:
            length = plan.adjusted_ms
            if plan.phase == "reading":
                elapsed = length + rng.randint(0, 15_000)
            elif rng.random() < 0.2:
                elapsed = length + rng.randint(20_000, 120_000)  # over time
            else:
                elapsed = length - rng.randint(0, 120_000)
            if st.row.status == "checked_in" and plan.phase == plans[0].phase:
                self.status(lead, st.row, "in_progress")  # the first clock started
            self.event(lead, st.row.id, station, plan, "start", at)
            phases[plan.phase] = (at, elapsed)
            at += timedelta(milliseconds=elapsed)
            self.event(lead, st.row.id, station, plan, "end", at)
            at += timedelta(seconds=rng.randint(20, 60))
        return at

    def write_script(self, st: _Sitting, station: str, opener: str, at: datetime) -> datetime:
        c = st.candidate
        (plan,) = timing.station_plan(
            self.pack, station, Adjustment(c.extra_time_percent, c.extra_time_minutes)
        )
        rng = self.rng
        text = data.script(self.pack.level.value)
        for old, new in data.day().script_variants.get(self.pack.level.value, ()):
            if rng.random() < 0.5:
                text = text.replace(old, new)
        early = rng.random() < 0.5
        elapsed = plan.adjusted_ms - (rng.randint(3, 12) * 60_000 if early else 0)
        ended = at + timedelta(milliseconds=elapsed)
        how = "candidate" if early else "time_up"
        values = row_values(
            ScriptRow,
            sitting_id=st.row.id,
            text=text,
            word_count=written.word_count(text),
            revision=4,  # three autosaves as the candidate typed, and the submission
            saved_at=ended,
            submitted_at=None,
            submitted_how=None,
            created_at=at,
            updated_at=ended,
        )
        sid = str(values["id"])
        self.trail.entry(opener, "kiosk.open", "scripts", sid, None, {"sitting": st.row.id})
        self.event(opener, st.row.id, station, plan, "start", at)
        before = snapshot_of(values, "scripts")
        values |= {"submitted_at": ended, "submitted_how": how}
        self.trail.insert(ScriptRow, values)
        self.trail.entry(
            opener, f"script.submit.{how}", "scripts", sid, before, snapshot_of(values, "scripts")
        )
        self.event(opener, st.row.id, station, plan, "end", ended)
        self.trail.entry(opener, "kiosk.exit", "scripts", sid, None, {"by": self.usernames[opener]})
        return ended

    def sit_knowledge(self, st: _Sitting, opener: str, at: datetime) -> bool:
        """The pack's knowledge test on the kiosk from ``at``; whether every form passed."""
        test = self.pack.knowledge_test
        if test is None:
            return True
        c = st.candidate
        # The candidate's own stream: the day's levels stay as drawn without a knowledge test.
        chooser = random.Random(f"knowledge:{c.registration_number}:{st.row.day}")
        passed = True
        for form in test.forms:
            seed = f"{chooser.getrandbits(128):032x}"
            items = knowledge.drawn_items(self.pack, form.id, seed)
            allowed = adjusted_ms(form.minutes, Adjustment(c.extra_time_percent, c.extra_time_minutes))
            values = row_values(
                KnowledgeFormRow,
                sitting_id=st.row.id,
                pack_id=st.row.pack_id,
                form_id=form.id,
                seed=seed,
                items=items,
                started_at=at,
                allowed_ms=allowed,
                created_at=at,
                updated_at=at,
            )
            fid, table = str(values["id"]), KnowledgeFormRow.__tablename__
            self.trail.entry(None, "knowledge.form_drawn", table, fid, None, snapshot_of(values, table))
            self.trail.entry(opener, "kiosk.open", table, fid, None, {"sitting": st.row.id})
            chosen = knowledge_answers.choose(knowledge_answers.drawn(items), self.keys, chooser)
            took = int(allowed * (0.55 + 0.4 * chooser.random()))
            answers = []
            for n, (item_id, options) in enumerate(chosen.items()):
                answered = at + timedelta(milliseconds=took * (n + 1) // (len(chosen) + 1))
                answers.append(
                    row_values(
                        KnowledgeAnswerRow,
                        knowledge_form_id=fid,
                        item_id=item_id,
                        item_version=next(i["version"] for i in json.loads(items) if i["id"] == item_id),
                        chosen=json.dumps(list(options)),
                        flagged=False,
                        answered_at=answered,
                        created_at=answered,
                        updated_at=answered,
                    )
                )
            marked = knowledge.mark_answers(self.pack, form.id, seed, items, chosen)
            ended = at + timedelta(milliseconds=took)
            before = snapshot_of(values, table)
            values |= {
                "submitted_at": ended,
                "submitted_how": "candidate",
                "marks": str(marked.marks),
                "passed": marked.passed,
                "updated_at": ended,
            }
            self.trail.insert(KnowledgeFormRow, values)  # before its answers: they point at it
            for a in answers:
                self.trail.audited_insert(KnowledgeAnswerRow, None, "knowledge_answers.add", a)
            self.trail.entry(
                opener, "knowledge.submit.candidate", table, fid, before, snapshot_of(values, table)
            )
            self.trail.entry(opener, "kiosk.exit", table, fid, None, {"by": self.usernames[opener]})
            passed = passed and marked.passed
            at = ended + timedelta(minutes=2)
        return passed

    def notes(
        self,
        who: str,
        sid: str,
        station: str,
        levels: Mapping[str, int],
        phases: Mapping[str, tuple[datetime, int]],
    ) -> None:
        """A few evidence notes as the assessor watched: what they saw of a criterion met,
        or what was missing of one below the standard (``content/notes/``)."""
        bank = self.banks[station]
        rng = self.rng
        for cid in rng.sample(sorted(levels), k=min(len(levels), rng.randint(2, 4))):
            said = (bank.seen if levels[cid] >= self.standard else bank.missing).get(cid)
            if not said:
                continue
            phase, text = rng.choice(said)
            if phase not in phases:
                continue
            start, elapsed = phases[phase]
            clock = rng.randint(min(30_000, elapsed // 2), max(elapsed - 5_000, elapsed // 2))
            written_at = start + timedelta(milliseconds=clock)
            self.trail.audited_insert(
                EvidenceNoteRow,
                who,
                "note.add",
                row_values(
                    EvidenceNoteRow,
                    sitting_id=sid,
                    assessor_id=who,
                    station_id=station,
                    criterion_id=cid,
                    text=text,
                    phase=phase,
                    phase_clock_ms=clock,
                    written_at=written_at,
                    created_at=written_at,
                    updated_at=written_at,
                ),
            )

    def reasons(self, station: str, levels: Mapping[str, int], which: int) -> dict[str, str]:
        out = {}
        bank = self.banks.get(station)
        for cid, level in levels.items():
            if level >= self.standard:
                continue
            said = (bank.reasons.get(cid) if bank else None) or self.content.written_reasons.get(cid)
            if not said:
                raise RuntimeError(f"the demo history has no reason for a low level on {station}/{cid}")
            out[cid] = said[which % len(said)]
        return out

    def score(
        self, who: str, sid: str, station: str, levels: Mapping[str, int], which: int, at: datetime
    ) -> datetime:
        """An assessor's levels and judgement at one station from ``at``; returns when done."""
        reasons = self.reasons(station, levels, which)
        rubric = self.rubrics[station]
        for c in rubric.criteria:
            at += _SCORING_STEP
            self.trail.audited_insert(
                ScoreRow,
                who,
                "score.set",
                row_values(
                    ScoreRow,
                    sitting_id=sid,
                    assessor_id=who,
                    station_id=station,
                    criterion_id=c.id,
                    level=levels[c.id],
                    reason=reasons.get(c.id, ""),
                    created_at=at,
                    updated_at=at,
                ),
            )
        at += _SCORING_STEP
        judged = judge(self.content, self.pack, rubric, levels)
        self.trail.audited_insert(
            JudgementRow,
            who,
            "judgement.set",
            row_values(
                JudgementRow,
                sitting_id=sid,
                assessor_id=who,
                station_id=station,
                judgement="met" if judged.met else "not_met",
                borderline=judged.borderline,
                rationale=judged.rationale,
                created_at=at,
                updated_at=at,
            ),
        )
        return at

    def moderate(
        self, sid: str, station: str, sheets: list[dict[str, int]], agreed: dict[str, int], at: datetime
    ) -> None:
        rubric = self.rubrics[station]
        for c in rubric.criteria:
            given = {sheet[c.id] for sheet in sheets}
            if len(given) < 2:
                continue
            other = max(given - {agreed[c.id]}, key=lambda lv: abs(lv - agreed[c.id]))
            self._agreement(
                sid,
                station,
                c.id,
                at,
                level=agreed[c.id],
                reason=self.words.level.format(low=agreed[c.id], high=other),
            )
        verdicts = {station_met(self.pack, rubric, sheet)[0] for sheet in sheets}
        if len(verdicts) > 1:
            met = station_met(self.pack, rubric, agreed)[0]
            self._agreement(
                sid,
                station,
                JUDGEMENT,
                at,
                judgement="met" if met else "not_met",
                reason=self.words.met if met else self.words.not_met,
            )

    def _agreement(
        self,
        sid: str,
        station: str,
        criterion: str,
        at: datetime,
        *,
        reason: str,
        level: int | None = None,
        judgement: str | None = None,
    ) -> None:
        self.trail.audited_insert(
            ModerationRow,
            self.manager.account_id,
            "moderation.agree",
            row_values(
                ModerationRow,
                sitting_id=sid,
                station_id=station,
                criterion_id=criterion,
                level=level,
                judgement=judgement,
                reason=reason,
                moderator_id=self.manager.account_id,
                created_at=at,
                updated_at=at,
            ),
        )
        self.moderated += 1

    # -- a sitting ---------------------------------------------------------------------

    def sitting(self, st: _Sitting, middle: float) -> Played:
        """Plays one sitting through, to whether its agreed levels meet the standard."""
        rng, pack = self.rng, self.pack
        ability = self.abilities[st.candidate.id]
        order = sorted(st.visits.values(), key=lambda v: v.starts_at)
        first_station = next(v for v in order if v.station_id != "written")
        lead = st.observers[first_station.station_id][0]
        self.status(lead, st.row, "checked_in")
        final: dict[str, int] = {}
        done: dict[str, datetime] = {}
        last = order[0].starts_at  # when the candidate's last station or exercise ended
        we = pack.written_exercise
        for visit in order:
            station = we.id if visit.station_id == "written" and we is not None else visit.station_id
            who = st.observers[station]
            start = visit.starts_at + timedelta(seconds=rng.randint(0, 120))
            if we is not None and station == we.id:
                wrote = self.write_script(st, station, who[0], start)
                last = max(last, wrote)
                ended = wrote + _MARKING
                offset = 0.0  # marked later in the day, away from the rota's slots
            else:
                phases: dict[str, tuple[datetime, int]] = {}
                ended = self.run_station(st, station, who[0], start, phases)
                last = max(last, ended)
                offset = visit.slot - middle
            shown = showing(self.content, rng, station, self.rubrics[station], ability)
            sheets = [
                read_levels(self.content, rng, station, shown, self.markings[aid], offset, self.scale)
                for aid in who
            ]
            for which, (aid, levels) in enumerate(zip(who, sheets, strict=True)):
                if station in self.banks:
                    self.notes(aid, st.row.id, station, levels, phases)
                at = ended + timedelta(minutes=5 * which if station == getattr(we, "id", None) else 0)
                done[aid] = max(done.get(aid, at), self.score(aid, st.row.id, station, levels, which, at))
            agreed = settle(shown, sheets)
            final.update(agreed)
            st_moderation = max(done.values()) + timedelta(hours=2)
            self.moderate(st.row.id, station, sheets, agreed, st_moderation)
        passed = self.sit_knowledge(st, lead, last + timedelta(minutes=10))
        for aid, link in st.links.items():
            before = audit.snapshot(link)
            link.submitted_at = done[aid] + timedelta(minutes=rng.randint(2, 10))
            self.trail.entry(
                aid, "sitting.submit", "sitting_assessors", link.id, before, audit.snapshot(link)
            )
        self.status(lead, st.row, "complete")
        return Played(st.row.id, st.candidate.id, lead, bool(evaluate_pack(pack, final).met) and passed)


def score_day(
    db: Database,
    manager: Actor,
    pack: Pack,
    day: date,
    markings: Mapping[str, Marking],
    rng: random.Random,
    content: HistoryContent,
    abilities: Mapping[str, float],
) -> DayScore:
    """Plays the planned ``day`` through, in one transaction."""
    with db.write() as s:
        usernames = {a.id: a.username for a in s.scalars(select(AccountRow))}
        day_sittings = _load(s, day, usernames)
        trail = Trail(s)
        writer = _Writer(trail, pack, content, rng, markings, usernames, manager, abilities)
        slots = [v.slot for st in day_sittings for v in st.visits.values() if v.station_id != "written"]
        middle = (min(slots) + max(slots)) / 2 if slots else 0.0
        played = tuple(writer.sitting(st, middle) for st in day_sittings)
        trail.flush()
    return DayScore(played, writer.moderated)
