"""Completes a demo sitting through the real services: clock, notes, levels, script, the
knowledge test, submit.

Used by the report tests and the benchmark; every value goes through the same calls the
GUI makes, so the reports are drawn from data the app could really hold.
"""

from __future__ import annotations

import random
from datetime import timedelta

from db.engine import Database
from naas_centre.packs.schema import Pack
from naas_centre.services import knowledge, packs, scoring, sittings, timing, written
from naas_centre.services.views import Actor

NOTES = (
    "Introduced herself and explained why she had come, in plain words.",
    "Asked an open question about the children's routine; mother talked about mornings.",
    "Named the worry about alcohol directly but kindly.",
    "Checked the young person understood the limits of confidentiality.",
    "Summarised what she had heard before giving her own view.",
)
SCRIPT = (
    "Record of home visit\n\nI visited Ms Rahman at home on Tuesday at 4pm with her agreement. "
    "Yusuf was at home; Hana was at school club. The flat was warm and tidy.\n\n"
    "Analysis\n\nYusuf's bruises are consistent with being gripped. Ms Rahman gave an account "
    "that fits what school saw. Strengths: she sought help from the GP; her sister is close by.\n\n"
    "Plan\n\nA child and family assessment under section 17, a strategy discussion if any new "
    "marks are seen, and a review in four weeks. Question for supervision: are we hearing Yusuf?"
)


def complete(
    db: Database,
    sitting_id: str,
    assessors: list[Actor],
    *,
    seed: int = 1,
    agree: bool = True,
    timed: bool = True,
    script: bool = True,
    low: bool = False,
    knowledge_right: int | None = None,
    sit_test: bool = True,
) -> Pack:
    """Scores every criterion for each assessor and submits. ``low`` makes a not-met candidate.

    With ``sit_test`` the candidate sits the pack's knowledge test (``sit_knowledge``),
    getting ``knowledge_right`` questions right (None: every one).

    In a circuit each assessor scores the stations they observe; with ``agree`` False the
    second assessor of the first criterion's station gives it one level less.
    """
    rng = random.Random(seed)
    first = assessors[0]
    pack = packs.pack_for_sitting(db, first, sitting_id)
    detail = sittings.sitting_detail(db, first, sitting_id)
    start = detail.summary.starts_at
    if detail.summary.status in ("planned",):
        sittings.set_status(db, first, sitting_id, "checked_in")
    if timed:
        at = start
        for sc in pack.scenarios:
            for phase in timing.station_plan(pack, sc.id, timing.Adjustment()):
                timing.record_event(db, first, sitting_id, sc.id, phase.phase, "start", at=at)
                at += timedelta(milliseconds=phase.planned_ms // 2)
                if phase.phase == "role_play" and sc is pack.scenarios[0]:
                    timing.record_event(
                        db, first, sitting_id, sc.id, phase.phase, "pause", reason="fire alarm", at=at
                    )
                    at += timedelta(minutes=4)
                    timing.record_event(db, first, sitting_id, sc.id, phase.phase, "resume", at=at)
                over = timedelta(seconds=75) if phase.phase == "role_play" else timedelta()
                at += timedelta(milliseconds=phase.planned_ms - phase.planned_ms // 2) + over
                timing.record_event(db, first, sitting_id, sc.id, phase.phase, "end", at=at)
            at += timedelta(minutes=5)
    if script and pack.written_exercise is not None:
        grant = written.open_kiosk(db, first, sitting_id)
        written.submit(db, grant, SCRIPT, "candidate")
    if sit_test and pack.knowledge_test is not None:
        sit_knowledge(db, first, sitting_id, pack, right=knowledge_right)
    scale = [lv.value for lv in pack.levels]
    top = max(scale)
    base_levels = {
        (station, c.id): (max(min(scale), top - 2) if low and k % 3 == 0 else rng.choice([top - 1, top, top]))
        for k, (station, c) in enumerate(pack.criteria())
    }
    own = {}
    for actor in assessors:
        mine = sittings.sitting_detail(db, actor, sitting_id).mine
        own[actor.account_id] = set(mine.levels) if mine is not None else set()
    first_station, first_criterion = pack.criteria()[0]
    differing = [a.account_id for a in assessors if first_station in own[a.account_id]][1:2]
    for n, actor in enumerate(assessors):
        for (station, cid), level in base_levels.items():
            if station not in own[actor.account_id]:
                continue
            if not agree and actor.account_id in differing and cid == first_criterion.id:
                level = level - 1
            below = level < scoring.standard_level(pack)  # such a level needs a reason to be submitted
            reason = "Seen only in part, and only when prompted; see the notes." if below else None
            scoring.record_level(db, actor, sitting_id, station, cid, level, reason)
        for station, rubric in pack.rubrics():
            if station not in own[actor.account_id]:
                continue
            verdict = "not_met" if low else "met"
            scoring.set_judgement(
                db, actor, sitting_id, station, verdict, "Consistent evidence across the rubric; see notes."
            )
            for k in range(2):
                scoring.add_note(
                    db,
                    actor,
                    sitting_id,
                    station,
                    NOTES[(n + k) % len(NOTES)],
                    criterion_id=rubric.criteria[k % len(rubric.criteria)].id,
                    phase="role_play" if station != "written" else None,
                    phase_clock_ms=60_000 * (k + 1) + 5_000 * n,
                    written_at=start + timedelta(minutes=10 + k),
                )
        scoring.submit(db, actor, sitting_id)
    return pack


def sit_knowledge(
    db: Database, opener: Actor, sitting_id: str, pack: Pack, *, right: int | None = None
) -> knowledge.KnowledgeStart:
    """The candidate sits the pack's first knowledge-test form on the kiosk and submits it:
    the first ``right`` questions answered with the key (None: all), the rest wrongly."""
    assert pack.knowledge_test is not None
    keys = {i.id: i.key_ids() for i in pack.knowledge_test.bank.items}
    start = knowledge.open_and_start(db, opener, sitting_id)
    for n, item in enumerate(start.items):
        key = keys[item.id]
        if right is None or n < right:
            chosen = sorted(key)
        else:
            chosen = [next(o for o, _ in item.options if o not in key)]
        knowledge.answer(db, start.grant, item.id, chosen)
    return knowledge.submit(db, start.grant, "candidate")
