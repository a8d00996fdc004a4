from __future__ import annotations

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntryRow
from naas_centre.demo.play import fill_scored_day
from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.services import audit, moderation, scoring, sittings
from naas_centre.services.views import Actor
from tests.services.conftest import Demo
from tests.services.small_centre import PACK, Centre, make_centre


@pytest.fixture
def scored(demo: Demo) -> Demo:
    fill_scored_day(demo.db, demo.day)
    return demo


def _levels(diffs: list[moderation.Difference]) -> list[moderation.Difference]:
    return [d for d in diffs if not d.is_judgement]


def test_moderation_waits_for_both_submissions(demo: Demo) -> None:
    manager = demo.login("manager")
    sid = sittings.day_overview(demo.db, manager, demo.day).sittings[0].id
    with pytest.raises(Conflict, match="every assessor has submitted"):
        moderation.differences(demo.db, manager, sid)


def test_differences_are_listed_agreed_with_reasons_and_audited(scored: Demo) -> None:
    manager = scored.login("manager")
    day = sittings.day_overview(scored.db, manager, scored.day)
    sid, diffs = next(
        (s.id, d) for s in day.sittings if (d := _levels(moderation.differences(scored.db, manager, s.id)))
    )
    first = diffs[0]
    assert len({lv for _, lv in first.levels}) == 2 and first.agreed is None
    with pytest.raises(UserError, match="reason"):
        moderation.agree(scored.db, manager, sid, first.station_id, first.criterion_id, 3, " ")
    with pytest.raises(PermissionDenied):
        moderation.agree(
            scored.db, scored.login("assessor1"), sid, first.station_id, first.criterion_id, 3, "mine"
        )
    level = min(lv for _, lv in first.levels if lv is not None)
    moderation.agree(scored.db, manager, sid, first.station_id, first.criterion_id, level, "Notes support it")
    again = _levels(moderation.differences(scored.db, manager, sid))[0]
    assert again.agreed == level and again.reason == "Notes support it"
    assert audit.verify(scored.db).ok


def test_final_levels_need_every_difference_moderated(scored: Demo) -> None:
    manager = scored.login("manager")
    day = sittings.day_overview(scored.db, manager, scored.day)
    sid, diffs = next(
        (s.id, d) for s in day.sittings if (d := _levels(moderation.differences(scored.db, manager, s.id)))
    )
    from db.models import SittingRow
    from naas_centre.services import packs

    with scored.db.read() as s:
        pack = packs.pack_by_id(s, s.get(SittingRow, sid).pack_id)  # type: ignore[union-attr]
        _, disputed = moderation.final_levels_in(s, sid, pack)
    assert sorted(disputed) == sorted(d.criterion_id for d in diffs)
    for d in diffs:
        moderation.agree(scored.db, manager, sid, d.station_id, d.criterion_id, 2, "Agreed")
    with scored.db.read() as s:
        final, disputed = moderation.final_levels_in(s, sid, pack)
    assert disputed == [] and all(v is not None for v in final.values())


def test_agreeing_where_assessors_already_agree_is_refused(scored: Demo) -> None:
    manager = scored.login("manager")
    sid = sittings.day_overview(scored.db, manager, scored.day).sittings[0].id
    from naas_centre.services import packs

    diffs = {d.criterion_id for d in moderation.differences(scored.db, manager, sid)}
    station, crit = next(
        (st, c.id)
        for st, c in packs.pack_for_sitting(scored.db, manager, sid).criteria()
        if c.id not in diffs
    )
    with pytest.raises(Conflict, match="nothing to moderate"):
        moderation.agree(scored.db, manager, sid, station, crit, 2, "x")


# On the small centre, on SQLite and PostgreSQL ---------------------------------------


@pytest.fixture
def centre(any_db: Database) -> Centre:
    c = make_centre(any_db)
    c.everything_but_scores()
    return c


def _differing_sheets(c: Centre) -> None:
    """Priya and Gareth differ on one level and on the reflection's judgement; both
    tagged notes to the criterion and wrote notes on the reflection."""
    sid = c.sitting_id
    c.score(c.a1, level=3)
    c.score(c.a2, level=3, **{"hv-purpose": 4})
    scoring.set_judgement(c.db, c.a1, sid, "reflection", "met", "Named two things she would change.")
    scoring.set_judgement(c.db, c.a2, sid, "reflection", "not_met", "Reflection stayed descriptive.")
    scoring.add_note(
        c.db, c.a1, sid, "home-visit", "Said why she came; rights not mentioned", criterion_id="hv-purpose"
    )
    scoring.add_note(
        c.db,
        c.a2,
        sid,
        "home-visit",
        "Explained purpose and rights, checked Ms Lewis understood",
        criterion_id="hv-purpose",
        phase_clock_ms=222_000,
    )
    scoring.add_note(c.db, c.a2, sid, "home-visit", "Asked about Tom's nursery", criterion_id="hv-child")
    scoring.add_note(c.db, c.a1, sid, "reflection", "Would ask about Tom's routine sooner")
    scoring.add_note(
        c.db, c.a2, sid, "reflection", "Described the visit; little on why", criterion_id="rf-learning"
    )
    scoring.submit(c.db, c.a1, sid)


def test_moderation_names_who_has_not_submitted(centre: Centre) -> None:
    _differing_sheets(centre)
    with pytest.raises(Conflict, match="every assessor has submitted; Gareth Hughes has not submitted yet"):
        moderation.differences(centre.db, centre.manager, centre.sitting_id)


def test_a_judgement_difference_is_listed_with_both_assessors_notes_and_reasons(centre: Centre) -> None:
    _differing_sheets(centre)
    scoring.submit(centre.db, centre.a2, centre.sitting_id)
    diffs = moderation.differences(centre.db, centre.manager, centre.sitting_id)
    assert [(d.station_id, d.criterion_id) for d in diffs] == [
        ("home-visit", "hv-purpose"),
        ("reflection", ""),
    ]

    level = diffs[0]
    assert level.station_title == "Home visit" and not level.is_judgement
    assert level.levels == (("Priya Shah", 3), ("Gareth Hughes", 4))
    priya, gareth = level.sides
    assert [n.text for n in priya.notes] == ["Said why she came; rights not mentioned"]
    assert [(n.text, n.clock) for n in gareth.notes] == [
        ("Explained purpose and rights, checked Ms Lewis understood", "03:42")
    ]  # only the notes tagged to this criterion

    verdict = diffs[1]
    assert verdict.is_judgement and verdict.station_title == "Reflective conversation"
    assert verdict.criterion_text == moderation.JUDGEMENT_TEXT
    assert verdict.judgements == (("Priya Shah", "met"), ("Gareth Hughes", "not_met"))
    priya, gareth = verdict.sides
    assert (priya.judgement, priya.reason) == ("met", "Named two things she would change.")
    assert (gareth.judgement, gareth.reason) == ("not_met", "Reflection stayed descriptive.")
    # For a judgement, every note on the station, with the criterion it was tagged to.
    assert [(n.text, n.criterion_text) for n in priya.notes] == [
        ("Would ask about Tom's routine sooner", None)
    ]
    assert [(n.text, n.criterion_text) for n in gareth.notes] == [
        ("Described the visit; little on why", "Names what they would do differently")
    ]
    assert not verdict.is_agreed and verdict.agreed_judgement is None


def test_an_agreed_judgement_is_recorded_with_its_reason_and_moderator_and_audited(centre: Centre) -> None:
    _differing_sheets(centre)
    sid = centre.sitting_id
    scoring.submit(centre.db, centre.a2, sid)
    with pytest.raises(UserError, match="Say why"):
        moderation.agree_judgement(centre.db, centre.manager, sid, "reflection", "met", "  ")
    with pytest.raises(UserError, match="met or not met"):
        moderation.agree_judgement(centre.db, centre.manager, sid, "reflection", "maybe", "x")
    with pytest.raises(PermissionDenied):
        moderation.agree_judgement(centre.db, centre.a1, sid, "reflection", "met", "mine")
    with pytest.raises(Conflict, match="nothing to moderate"):
        moderation.agree_judgement(centre.db, centre.manager, sid, "home-visit", "met", "x")

    reason = "Both sets of notes record two concrete changes she would make: met."
    moderation.agree_judgement(centre.db, centre.manager, sid, "reflection", "met", reason)
    verdict = moderation.differences(centre.db, centre.manager, sid)[1]
    assert verdict.agreed_judgement == "met" and verdict.reason == reason
    assert verdict.moderator_name == "Helen Brooks" and verdict.is_agreed

    with centre.db.read() as s:
        final, disputed = moderation.final_judgements_in(s, sid, PACK)
        levels, level_disputes = moderation.final_levels_in(s, sid, PACK)
    assert disputed == [] and final == {
        "home-visit": "met",
        "reflection": "met",
        "case-record": "met",
    }
    assert level_disputes == ["hv-purpose"] and levels["hv-purpose"] is None
    # Changing one's mind is a new audited entry, not a silent overwrite.
    moderation.agree_judgement(
        centre.db, centre.manager, sid, "reflection", "not_met", "On reflection: not met."
    )
    with centre.db.read() as s:
        actions = list(
            s.scalars(select(AuditEntryRow.action).where(AuditEntryRow.action == "moderation.agree"))
        )
    assert len(actions) == 2
    assert audit.verify(centre.db).ok


def test_the_level_reason_each_assessor_gave_is_shown(centre: Centre) -> None:
    sid = centre.sitting_id
    _differing_sheets(centre)
    scoring.record_level(
        centre.db,
        centre.a2,
        sid,
        "home-visit",
        "hv-purpose",
        4,
        reason="Rights explained unprompted and understanding checked twice.",
    )
    scoring.submit(centre.db, centre.a2, sid)
    level = moderation.differences(centre.db, centre.manager, sid)[0]
    assert level.sides[1].reason == "Rights explained unprompted and understanding checked twice."
    assert level.sides[0].reason == ""


def test_the_demo_moderates_a_disputed_judgement_as_the_agreed_levels_show_it(demo: Demo) -> None:
    from naas_centre.demo.signing import moderate_day
    from naas_centre.services import packs

    a1, a2 = demo.login("assessor1"), demo.login("assessor2")
    sid = next(
        s.id
        for s in sittings.list_for_assessor(demo.db, a1, demo.day)
        if s.id in {x.id for x in sittings.list_for_assessor(demo.db, a2, demo.day)}
    )
    pack = packs.pack_for_sitting(demo.db, a1, sid)
    assert pack.written_exercise is not None

    def observed(who: Actor) -> set[str]:
        mine = next(x for x in sittings.list_for_assessor(demo.db, who, demo.day) if x.id == sid)
        return (
            {st for st, _ in pack.rubrics()} if mine.every_station else {o.station_id for o in mine.observed}
        )

    # A circuit: the pair observe the candidate's first station and mark the written exercise.
    first, second = sorted(observed(a1) & observed(a2), key=[st for st, _ in pack.rubrics()].index)
    low_criterion = dict(pack.rubrics())[second].criteria[0].id
    standard = pack.outcome.standard()
    others = [
        who
        for who in (demo.login(f"assessor{k}") for k in range(3, 7))
        if sid in {x.id for x in sittings.list_for_assessor(demo.db, who, demo.day)}
    ]
    for who in (a1, a2, *others):
        mine = observed(who)
        for station, c in pack.criteria():
            if station not in mine:
                continue
            low = who in (a1, a2) and station == second and c.id == low_criterion
            reason = "Not seen in the conversation." if low else None
            scoring.record_level(
                demo.db, who, sid, station, c.id, standard - 1 if low else standard, reason=reason
            )
        for station, _ in pack.rubrics():
            if station in mine:
                scoring.set_judgement(demo.db, who, sid, station, "met", "As recorded.")
    scoring.set_judgement(demo.db, a2, sid, first, "not_met", "Not convinced.")
    scoring.set_judgement(demo.db, a1, sid, second, "not_met", "One criterion below the standard.")
    for who in (a1, a2, *others):
        scoring.submit(demo.db, who, sid)

    assert moderate_day(demo.db, demo.day) == 2  # the other sittings are not in yet
    manager = demo.login("manager")
    agreed = {d.station_id: d.agreed_judgement for d in moderation.differences(demo.db, manager, sid)}
    assert agreed == {first: "met", second: "not_met"}
