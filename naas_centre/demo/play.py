"""Plays the demo day through, so a new user sees a finished day rather than an empty one.

``fill_scored_day`` takes the day ``create_demo`` planned and runs it as a centre would:
the assessors check each candidate in, run the clock (with the candidate's extra time,
a few phases running over and one pause), jot evidence notes as they watch, hand the
workstation to the candidate for the written exercise, then score every criterion,
give a judgement per station and submit. It uses only the public services, so every
permission, audit entry and timing rule applies exactly as in real use; each note,
level, judgement and script carries the time in the played day it was given.

It is deterministic: the same demo gives the same day, note for note. What is written
is data (``content/``); how the levels are drawn is ``levels.py``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from db.engine import Database
from naas_centre.demo import data, knowledge_answers
from naas_centre.demo.centre import ACCOUNTS
from naas_centre.demo.data import Bank
from naas_centre.demo.levels import Scale, intended_levels, scale_of, station_met
from naas_centre.errors import Conflict, UserError
from naas_centre.packs.outcome_adapter import evaluate_pack
from naas_centre.packs.schema import Pack, Rubric
from naas_centre.services import accounts, knowledge, packs, planning, scoring, sittings, timing, written
from naas_centre.services.views import Actor, Role, SittingSummary

_DAY = data.day()
SEED = _DAY.seed
# The candidates who do not meet the standard, with the levels both assessors give them
# where they struggled (see content/day.yaml for why).
STRUGGLES: Mapping[str, Mapping[str, int]] = _DAY.struggles
# The levels every candidate of a level earns for the written script (content/day.yaml).
WRITTEN_LEVELS: Mapping[str, Mapping[str, int]] = _DAY.written_levels
PAUSE_REASON = _DAY.pause.reason
_PAUSE_LENGTH = timedelta(seconds=_DAY.pause.length_s)
# Scenario id → the notes and reasons the assessors draw on there (content/notes/).
BANKS: Mapping[str, Bank] = data.banks()
# When levels and judgements are given in the played day: one criterion every so many
# seconds after a station's discussion ends; a script marked so many minutes after it is in.
_SCORING_STEP_S = 15
_MARKING_MINUTES = 20


@dataclass(frozen=True)
class SheetOutcome:
    """One assessor's submitted sheet, through the pack's outcome rule."""

    assessor: str
    met: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CandidateOutcome:
    candidate: str
    sitting_id: str
    level: str
    sheets: tuple[SheetOutcome, ...]

    @property
    def met(self) -> bool | None:
        """True or False when the sheets agree; None when they differ (moderation decides)."""
        verdicts = {s.met for s in self.sheets}
        return verdicts.pop() if len(verdicts) == 1 else None


@dataclass(frozen=True)
class ScoredDaySummary:
    day: date
    candidates: tuple[CandidateOutcome, ...]
    notes: int
    timing_events: int
    scripts: int

    @property
    def outcomes(self) -> dict[str, dict[str, bool]]:
        """Candidate name → assessor name → met."""
        return {c.candidate: {s.assessor: s.met for s in c.sheets} for c in self.candidates}


def load_script(level: str) -> str:
    """The written-exercise script a demo candidate at ``level`` writes (package data)."""
    return data.script(level)


def _script_for(level: str, rng: random.Random) -> str:
    text = load_script(level)
    for old, new in _DAY.script_variants.get(level, ()):
        if rng.random() < 0.5:
            text = text.replace(old, new)
    return text


# The day ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Phase:
    """How one phase ran: when it started, how long it ran and where it was paused."""

    name: str
    start: datetime
    elapsed_ms: int
    pauses: tuple[tuple[int, timedelta], ...] = ()  # (phase clock at the pause, its length)

    def at(self, clock_ms: int) -> datetime:
        paused = sum((length for when, length in self.pauses if when <= clock_ms), timedelta())
        return self.start + timedelta(milliseconds=clock_ms) + paused

    @property
    def end(self) -> datetime:
        return self.at(self.elapsed_ms)


@dataclass
class _Counts:
    notes: int = 0
    events: int = 0
    scripts: int = 0


class _Day:
    def __init__(self, db: Database, day: date) -> None:
        self.db = db
        self.day = day
        self.passwords = {a.username: a.password for a in ACCOUNTS}
        manager = next(a for a in ACCOUNTS if a.role == Role.CENTRE_MANAGER)
        self.manager = self.login(manager.username)
        self._assessors: dict[str, Actor] = {}
        self.rota = planning.day_rota(db, self.manager, day)
        self.sheets: dict[str, tuple[dict[str, int], dict[str, int]]] = {}  # sitting → the two sheets
        self.counts = _Counts()
        self.overran = False

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, self.passwords[username])

    def assessor(self, display_name: str) -> Actor:
        """The assessor of that name, logged in once for the whole day."""
        if display_name not in self._assessors:
            acc = next(a for a in ACCOUNTS if a.role == Role.ASSESSOR and a.display_name == display_name)
            self._assessors[display_name] = self.login(acc.username)
        return self._assessors[display_name]

    def event(
        self,
        who: Actor,
        sid: str,
        station: str,
        phase: str,
        kind: str,
        at: datetime,
        reason: str | None = None,
    ) -> None:
        timing.record_event(self.db, who, sid, station, phase, kind, reason=reason, at=at)
        self.counts.events += 1

    def run_phase(
        self,
        who: Actor,
        sid: str,
        station: str,
        plan: timing.PhasePlan,
        start: datetime,
        rng: random.Random,
        pause_at: int | None = None,
        force_overrun: bool = False,
    ) -> _Phase:
        length = plan.adjusted_ms
        if plan.phase == "reading":
            elapsed = length + rng.randint(0, 15_000)  # the clock runs out; the door opens
        else:
            over = 0.3 if plan.phase == "role_play" else 0.2
            if force_overrun or rng.random() < over:
                elapsed = length + rng.randint(60_000, 130_000)
            else:
                elapsed = (
                    length - rng.randint(0, 90_000) if rng.random() < 0.6 else length + rng.randint(0, 20_000)
                )
        if elapsed > length + 59_000:
            self.overran = True
        pauses: tuple[tuple[int, timedelta], ...] = ()
        if pause_at is not None:
            pauses = ((pause_at, _PAUSE_LENGTH),)
        phase = _Phase(plan.phase, start, elapsed, pauses)
        self.event(who, sid, station, plan.phase, "start", start)
        for when, gap in pauses:
            at = phase.start + timedelta(milliseconds=when)
            self.event(who, sid, station, plan.phase, "pause", at, PAUSE_REASON)
            self.event(who, sid, station, plan.phase, "resume", at + gap)
        self.event(who, sid, station, plan.phase, "end", phase.end)
        return phase


def _notes_for(
    bank: Bank,
    rubric: Rubric,
    levels: Mapping[str, int],
    scale: Scale,
    rng: random.Random,
    other: Mapping[str, int],
    taken: set[str],
) -> list[tuple[str | None, str, str]]:
    """3–6 (criterion, phase, text) notes for one assessor at one scenario, in the order
    they would come up; never a text the other assessor already wrote here.

    Where this assessor scores a criterion below the standard and the other at or above
    it, this one writes nothing on it: both watched the same conversation, so a note that
    something was missing must not contradict the other's note that it happened.
    """
    count = rng.randint(3, 6)
    general = 1 if rng.random() < 0.5 else 0
    usable = [c for c in rubric.criteria if not levels[c.id] < scale.meets <= other[c.id]]
    notable = [c.id for c in usable if levels[c.id] != scale.meets]
    ordinary = [c.id for c in usable if levels[c.id] == scale.meets]
    rng.shuffle(notable)
    rng.shuffle(ordinary)
    chosen = set((notable + ordinary)[: count - general])
    out: list[tuple[str | None, str, str]] = []
    for c in rubric.criteria:  # rubric order is roughly the order of the conversation
        if c.id not in chosen:
            continue
        pool = (bank.seen if levels[c.id] >= scale.meets else bank.missing).get(c.id, [])
        options = [p for p in pool if p[1] not in taken]
        if options:
            phase, text = rng.choice(options)
            taken.add(text)
            out.append((c.id, phase, text))
    free = [g for g in bank.general if g[1] not in taken]
    while len(out) < count and free:
        phase, text = free.pop(rng.randrange(len(free)))
        taken.add(text)
        out.insert(rng.randint(0, len(out)), (None, phase, text))
    return out


def _write_notes(
    d: _Day,
    who: Actor,
    sid: str,
    station: str,
    notes: list[tuple[str | None, str, str]],
    phases: Mapping[str, _Phase],
    rng: random.Random,
) -> None:
    for phase_name in ("role_play", "discussion"):
        mine = [(c, t) for c, p, t in notes if (p if p in phases else "role_play") == phase_name]
        phase = phases.get(phase_name)
        if phase is None:
            continue
        for k, (criterion, text) in enumerate(mine):
            span = phase.elapsed_ms
            clock = int(span * (k + 0.5) / len(mine)) + rng.randint(-40_000, 40_000)
            clock = min(max(clock, 15_000), span - 5_000)
            scoring.add_note(
                d.db,
                who,
                sid,
                station,
                text,
                criterion_id=criterion,
                phase=phase_name,
                phase_clock_ms=clock,
                written_at=phase.at(clock),
            )
            d.counts.notes += 1


def _reasons_for(
    bank: Bank,
    rubric: Rubric,
    levels: Mapping[str, int],
    scale: Scale,
    which: int,
) -> dict[str, str]:
    """The assessor's reason for each level below the standard, in their own words.

    ``which`` picks this assessor's wording (0 or 1), so two assessors who both found a
    criterion short of the standard say so differently. Never the rubric's descriptor,
    which says what a level means, not what this candidate did.
    """
    out: dict[str, str] = {}
    for c in rubric.criteria:
        if levels[c.id] >= scale.meets:
            continue
        said = bank.reasons.get(c.id) or [text for _phase, text in bank.missing.get(c.id, [])]
        if not said:  # pragma: no cover - every criterion of the demo packs has reasons
            raise RuntimeError(f"the demo has no reason for a low level on {c.heading()!r}")
        out[c.id] = _sentence(said[which % len(said)])
    return out


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!", '"', "'")) else text + "."


def _score_station(
    d: _Day,
    who: Actor,
    sid: str,
    pack: Pack,
    station: str,
    rubric: Rubric,
    levels: Mapping[str, int],
    reasons: Mapping[str, str],
    at: datetime,
) -> None:
    """Scores a station from ``at``: a level every little while, then the judgement."""
    step = timedelta(seconds=_SCORING_STEP_S)
    for n, c in enumerate(rubric.criteria, start=1):
        # A level below the standard carries a reason: scoring.submit refuses one without.
        scoring.record_level(d.db, who, sid, station, c.id, levels[c.id], reasons.get(c.id), at=at + n * step)
    met, rationale = station_met(pack, rubric, levels)
    judged = at + (len(rubric.criteria) + 1) * step
    scoring.set_judgement(d.db, who, sid, station, "met" if met else "not_met", rationale, at=judged)


def _play_sitting(d: _Day, index: int, summary: SittingSummary) -> None:
    rng = random.Random(f"{SEED}:{summary.candidate_name}")
    detail = sittings.sitting_detail(d.db, d.manager, summary.id)
    pack = packs.pack_for_sitting(d.db, d.manager, summary.id)
    sid = summary.id
    # A circuit: each station has its own two assessors, and the written exercise is
    # marked by the pair of the candidate's first station.
    visits = {v.station_id: v for v in d.rota.visits if v.sitting_id == sid}
    pairs = {station: [d.assessor(name) for name in v.assessors] for station, v in visits.items()}
    if any(len(pair) != 2 for pair in pairs.values()):
        raise UserError(f"{summary.candidate_name}'s stations each need two assessors to be played through.")
    struggle = STRUGGLES.get(summary.candidate_name)
    # The two sheets' levels: the first assessor of each station gives the first, the second the other.
    drawn = intended_levels(pack, rng, struggle)
    d.sheets[sid] = drawn
    rubrics = dict(pack.rubrics())
    lead = pairs[pack.scenarios[0].id][0]

    sittings.set_status(d.db, lead, sid, "checked_in")
    for k, scenario in enumerate(pack.scenarios):
        t = visits[scenario.id].starts_at
        assessors = pairs[scenario.id]
        lead = assessors[0]
        sheets = dict(zip((a.account_id for a in assessors), drawn, strict=True))
        plans = [p.plan for p in timing.station_timing(d.db, lead, sid, scenario.id).phases]
        phases: dict[str, _Phase] = {}
        for plan in plans:
            pause_at = None
            if (index, k, plan.phase) == (_DAY.pause.sitting, _DAY.pause.scenario, "role_play"):
                pause_at = _DAY.pause.at_ms
            force = index == 0 and k == 0 and plan.phase == "role_play"
            phases[plan.phase] = d.run_phase(lead, sid, scenario.id, plan, t, rng, pause_at, force)
            t = phases[plan.phase].end + timedelta(
                seconds=rng.randint(30, 90) if plan.phase == "reading" else 0
            )
            if plan.phase == "role_play":
                t += timedelta(seconds=rng.randint(60, 120))  # the actor leaves; assessors settle
        scale = scale_of(pack, scenario.rubric)
        taken: set[str] = set()
        for which, (who, other) in enumerate(zip(assessors, assessors[::-1], strict=True)):
            mine, theirs = sheets[who.account_id], sheets[other.account_id]
            bank = BANKS.get(scenario.id, Bank())
            notes = _notes_for(bank, scenario.rubric, mine, scale, rng, theirs, taken)
            _write_notes(d, who, sid, scenario.id, notes, phases, rng)
            reasons = _reasons_for(bank, scenario.rubric, mine, scale, which)
            # Scored as the discussion ends, in the break before the next station.
            scored = max(p.end for p in phases.values()) + timedelta(seconds=_SCORING_STEP_S // 3 * which)
            _score_station(d, who, sid, pack, scenario.id, scenario.rubric, mine, reasons, scored)

    we = pack.written_exercise
    if we is not None:
        t = visits["written"].starts_at
        assessors = pairs["written"]
        lead = assessors[0]
        sheets = dict(zip((a.account_id for a in assessors), drawn, strict=True))
        grant = written.open_kiosk(d.db, lead, sid)
        text = _script_for(pack.level.value, rng)
        (plan,) = [p.plan for p in written.kiosk_timing(d.db, grant).phases]
        early = rng.random() < 0.5 and detail.candidate.extra_time_percent == 0
        elapsed = plan.adjusted_ms - (rng.randint(3, 8) * 60_000 if early else 0)
        d.event(grant.actor, sid, we.id, plan.phase, "start", t)  # the candidate presses Start
        paragraphs = text.split("\n\n")
        ended = t + timedelta(milliseconds=elapsed)
        for share in (0.3, 0.6, 0.9):  # the kiosk's autosave, as the candidate types
            typed = "\n\n".join(paragraphs[: max(1, int(len(paragraphs) * share))])
            written.save(d.db, grant, typed, at=t + timedelta(milliseconds=int(elapsed * share)))
        # Submitted when the writing ends: by the candidate, or by the clock at time up.
        written.submit(d.db, grant, text, "candidate" if early else "time_up", at=ended)
        d.event(grant.actor, sid, we.id, plan.phase, "end", ended)
        written.leave_kiosk(d.db, grant, lead.username, d.passwords[lead.username])
        d.counts.scripts += 1
        scale = scale_of(pack, we.rubric)
        for which, who in enumerate(assessors):
            mine = sheets[who.account_id]
            reasons = _reasons_for(Bank(), we.rubric, mine, scale, which)
            # Marked once the script is in, each assessor reading it through first.
            marked = ended + timedelta(minutes=_MARKING_MINUTES + 5 * which)
            _score_station(d, who, sid, pack, we.id, rubrics[we.id], mine, reasons, marked)

    if pack.knowledge_test is not None:  # on the kiosk after the written exercise, then handed back
        chooser = random.Random(f"{SEED}:knowledge:{summary.candidate_name}")
        keys = knowledge_answers.keys_of(pack)
        for form in pack.knowledge_test.forms:
            shown = knowledge.open_and_start(d.db, lead, sid, form.id)
            items = [(i.id, tuple(o for o, _ in i.options)) for i in shown.items]
            for item_id, chosen in knowledge_answers.choose(items, keys, chooser).items():
                knowledge.answer(d.db, shown.grant, item_id, chosen)
            knowledge.submit(d.db, shown.grant, "candidate")
            knowledge.leave(d.db, shown.grant, lead.username, d.passwords[lead.username])

    everyone = {a.account_id: a for pair in pairs.values() for a in pair}
    for who in everyone.values():
        scoring.submit(d.db, who, sid)
    sittings.set_status(d.db, lead, sid, "complete")


def _outcome(d: _Day, summary: SittingSummary) -> CandidateOutcome:
    """The outcome of each of the two sheets the day's assessors gave between them: in a
    circuit, the first assessor of every station gives the first, the second the other."""
    pack = packs.pack_for_sitting(d.db, d.manager, summary.id)
    detail = sittings.sitting_detail(d.db, d.manager, summary.id)
    visits = [v for v in d.rota.visits if v.sitting_id == summary.id]
    given: list[dict[str, int | None]] = [{}, {}]
    for sheet in detail.others:
        for v in visits:
            if sheet.assessor_name in v.assessors:
                which = v.assessors.index(sheet.assessor_name)
                station = (
                    v.station_id
                    if v.station_id != "written"
                    else (pack.written_exercise or pack.scenarios[0]).id
                )
                given[which].update(sheet.levels.get(station, {}))
    sheets = []
    for which, levels in enumerate(given):
        result = evaluate_pack(pack, levels)
        sheets.append(SheetOutcome(f"sheet {which + 1}", bool(result.met), result.reasons))
    return CandidateOutcome(summary.candidate_name, summary.id, summary.level, tuple(sheets))


def fill_scored_day(db: Database, day: date) -> ScoredDaySummary:
    """Plays the demo ``day`` through to a finished, scored day (see the module docstring).

    The day must be as ``create_demo`` left it: every sitting still planned.
    """
    d = _Day(db, day)
    overview = sittings.day_overview(db, d.manager, day)
    if not overview.sittings:
        raise UserError(f"There are no sittings on {day:%d %B %Y}.")
    if any(s.status != "planned" for s in overview.sittings):
        raise Conflict("The demo day has already been started; it can only be played through once.")
    for index, summary in enumerate(overview.sittings):
        _play_sitting(d, index, summary)
    if not d.overran:
        raise RuntimeError("the demo day should show at least one phase running over")
    outcomes = tuple(_outcome(d, s) for s in overview.sittings)
    for c in outcomes:
        intended = c.candidate not in STRUGGLES
        if any(s.met != intended for s in c.sheets):
            raise RuntimeError(f"{c.candidate}: the scored outcome is not the one intended")
    return ScoredDaySummary(day, outcomes, d.counts.notes, d.counts.events, d.counts.scripts)
