"""The rules of who sees and scores what, called directly on the services."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import ScoreRow
from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.services import audit, equality, packs, scoring, sittings, timing, written
from naas_centre.services.views import Actor
from tests.services.conftest import Demo


def _first_sitting(demo: Demo, who: Actor) -> str:
    return sittings.list_for_assessor(demo.db, who, demo.day)[0].id


def _observed(demo: Demo, who: Actor, sitting_id: str) -> set[str]:
    """The stations ``who`` observes in the sitting (the demo day is a circuit)."""
    mine = next(x for x in sittings.list_for_assessor(demo.db, who, demo.day) if x.id == sitting_id)
    pack = packs.pack_for_sitting(demo.db, who, sitting_id)
    return {st for st, _ in pack.rubrics()} if mine.every_station else {o.station_id for o in mine.observed}


def _score_everything(demo: Demo, who: Actor, sitting_id: str, level: int = 3) -> None:
    pack = packs.pack_for_sitting(demo.db, who, sitting_id)
    below = level < scoring.standard_level(pack)
    observed = _observed(demo, who, sitting_id)
    for station, criterion in pack.criteria():
        if station not in observed:
            continue
        reason = "Named the concern only when asked; no plan agreed with her." if below else None
        scoring.record_level(demo.db, who, sitting_id, station, criterion.id, level, reason)
    for station, _ in pack.rubrics():
        if station in observed:
            scoring.set_judgement(demo.db, who, sitting_id, station, "met")


def _stations_run(demo: Demo, who: Actor, sitting_id: str) -> None:
    """Every role-play took place: its clock was started (and the reading before it ended)."""
    pack = packs.pack_for_sitting(demo.db, who, sitting_id)
    for sc in pack.scenarios:
        timing.record_event(demo.db, who, sitting_id, sc.id, "reading", "start")
        timing.record_event(demo.db, who, sitting_id, sc.id, "reading", "end")
        timing.record_event(demo.db, who, sitting_id, sc.id, "role_play", "start")


def _script_written(demo: Demo, sitting_id: str) -> None:
    """The candidate writes and submits the written exercise (as the kiosk does)."""
    manager = demo.login("manager")
    if sittings.sitting_detail(demo.db, manager, sitting_id).summary.status == "planned":
        sittings.set_status(demo.db, manager, sitting_id, "checked_in")
    grant = written.open_kiosk(demo.db, manager, sitting_id)
    written.submit(
        demo.db, grant, "Case record: visit on Monday; concerns discussed with Ms Doyle.", "candidate"
    )


def test_an_assessor_sees_only_their_own_sittings(demo: Demo) -> None:
    a1, a3 = demo.login("assessor1"), demo.login("assessor3")
    mine = {s.id for s in sittings.list_for_assessor(demo.db, a1, demo.day)}
    theirs = {s.id for s in sittings.list_for_assessor(demo.db, a3, demo.day)}
    assert mine and theirs
    assert all(a1.display_name in s.assessors for s in sittings.list_for_assessor(demo.db, a1, demo.day))
    foreign = next(iter(theirs - mine))
    with pytest.raises(PermissionDenied):
        sittings.sitting_detail(demo.db, a1, foreign)
    with pytest.raises(PermissionDenied):
        packs.pack_for_sitting(demo.db, a1, foreign)
    with pytest.raises(PermissionDenied):
        scoring.record_level(demo.db, a1, foreign, "x", "y", 1)


def test_the_manager_sees_the_whole_day(demo: Demo) -> None:
    manager = demo.login("manager")
    day = sittings.day_overview(demo.db, manager, demo.day)
    assert len(day.sittings) == 6
    assert len(day.rooms) == 4  # three role-play rooms and the written room
    assert all(len(s.assessors) >= 2 for s in day.sittings)  # each station's own pair
    with pytest.raises(PermissionDenied):
        sittings.day_overview(demo.db, demo.login("assessor1"), demo.day)


def test_no_assessor_from_the_candidates_own_employer(demo: Demo) -> None:
    manager = demo.login("manager")
    day = sittings.day_overview(demo.db, manager, demo.day)
    leeds = [s for s in day.sittings if s.candidate_employer == "Leeds City Council"]
    assert leeds and all("Priya Raman" not in s.assessors for s in leeds)  # assessor3 works for Leeds
    a3 = demo.login("assessor3")
    extra = sittings.add_candidate(
        demo.db,
        manager,
        sittings.CandidateInput("Aled Morgan", "SW1", "Leeds City Council", "practitioner"),
    )
    pack = packs.pack_for_sitting(demo.db, manager, leeds[0].id)
    room = sittings.add_room(demo.db, manager, "Room 3")
    sid = sittings.plan_sitting(demo.db, manager, extra, pack, room, leeds[0].starts_at)
    with pytest.raises(Conflict, match="conflict of interest"):
        sittings.assign_assessor(demo.db, manager, sid, a3.account_id)


def test_clicking_records_and_clears_a_level_durably(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid = _first_sitting(demo, a1)
    pack = packs.pack_for_sitting(demo.db, a1, sid)
    station, criterion = pack.criteria()[0]
    scoring.record_level(demo.db, a1, sid, station, criterion.id, 3)
    # A fresh engine sees it: it is on disk, not in a cache.
    from db.engine import Database

    other = Database(demo.db.url, "another-workstation")
    with other.read() as s:
        assert s.scalar(select(ScoreRow.level).where(ScoreRow.criterion_id == criterion.id)) == 3
    scoring.record_level(demo.db, a1, sid, station, criterion.id, None)
    detail = sittings.sitting_detail(other, a1, sid)
    assert detail.mine is not None and detail.mine.levels[station][criterion.id] is None
    other.dispose()


def test_bad_levels_and_criteria_are_refused(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid = _first_sitting(demo, a1)
    pack = packs.pack_for_sitting(demo.db, a1, sid)
    station, criterion = pack.criteria()[0]
    with pytest.raises(UserError, match="not on the scale"):
        scoring.record_level(demo.db, a1, sid, station, criterion.id, 99)
    with pytest.raises(UserError, match="no criterion"):
        scoring.record_level(demo.db, a1, sid, station, "made-up", 1)
    with pytest.raises(UserError, match="no station"):
        scoring.record_level(demo.db, a1, sid, "nowhere", criterion.id, 1)


def test_managers_cannot_score(demo: Demo) -> None:
    manager = demo.login("manager")
    sid = sittings.day_overview(demo.db, manager, demo.day).sittings[0].id
    with pytest.raises(PermissionDenied):
        scoring.record_level(demo.db, manager, sid, "a", "b", 1)


def test_independence_until_both_have_submitted(demo: Demo) -> None:
    a1, a2 = demo.login("assessor1"), demo.login("assessor2")
    sid = _first_sitting(demo, a1)
    assert sid in {s.id for s in sittings.list_for_assessor(demo.db, a2, demo.day)}
    _score_everything(demo, a1, sid, 3)
    _score_everything(demo, a2, sid, 2)
    assert sittings.sitting_detail(demo.db, a2, sid).others == ()
    _stations_run(demo, a1, sid)
    _script_written(demo, sid)
    scoring.submit(demo.db, a1, sid)
    # One has submitted: still nothing of the other's is visible either way.
    assert sittings.sitting_detail(demo.db, a1, sid).others == ()
    assert sittings.sitting_detail(demo.db, a2, sid).others == ()
    with pytest.raises(Conflict, match="read-only"):
        scoring.record_level(demo.db, a1, sid, *_any_criterion(demo, a1, sid), 1)
    scoring.submit(demo.db, a2, sid)
    # A circuit: the sitting's other stations have assessors of their own, who have not
    # submitted yet; until every sheet is in, no one sees another's.
    rest = [
        who
        for who in (demo.login(f"assessor{k}") for k in range(3, 7))
        if sid in {x.id for x in sittings.list_for_assessor(demo.db, who, demo.day)}
    ]
    assert rest and sittings.sitting_detail(demo.db, a1, sid).others == ()
    for who in rest:
        _score_everything(demo, who, sid, 3)
        scoring.submit(demo.db, who, sid)
    seen_by_a1 = sittings.sitting_detail(demo.db, a1, sid).others
    sheet = next(sh for sh in seen_by_a1 if sh.assessor_name == a2.display_name)
    assert a1.display_name not in {sh.assessor_name for sh in seen_by_a1}
    observed = _observed(demo, a2, sid)
    assert {lv for st, levels in sheet.levels.items() if st in observed for lv in levels.values()} == {2}


def _any_criterion(demo: Demo, who: Actor, sid: str) -> tuple[str, str]:
    station, criterion = packs.pack_for_sitting(demo.db, who, sid).criteria()[0]
    return station, criterion.id


def test_submit_needs_every_score_and_judgement(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid = _first_sitting(demo, a1)
    with pytest.raises(Conflict, match="not scored"):
        scoring.submit(demo.db, a1, sid)
    pack = packs.pack_for_sitting(demo.db, a1, sid)
    observed = _observed(demo, a1, sid)
    for station, criterion in pack.criteria():
        if station in observed:
            scoring.record_level(demo.db, a1, sid, station, criterion.id, 3)
    with pytest.raises(Conflict, match="judgement"):
        scoring.submit(demo.db, a1, sid)


def test_a_level_below_the_standard_needs_a_written_reason_named_by_title(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid = _first_sitting(demo, a1)
    _stations_run(demo, a1, sid)
    _script_written(demo, sid)
    _score_everything(demo, a1, sid, 3)
    pack = packs.pack_for_sitting(demo.db, a1, sid)
    standard = scoring.standard_level(pack)
    (station, first), (_s2, second) = pack.criteria()[0], pack.criteria()[1]
    scoring.record_level(demo.db, a1, sid, station, first.id, standard - 1)
    scoring.record_level(demo.db, a1, sid, station, second.id, standard - 1, "   ")
    with pytest.raises(Conflict, match="needs your written reason") as refused:
        scoring.submit(demo.db, a1, sid)
    message = str(refused.value)
    title = dict(scoring.station_titles(pack))[station]
    assert f"{title} — {scoring.criterion_title(first)}" in message
    assert scoring.criterion_title(second) in message
    assert first.id not in message  # names, never ids
    # The reason is the assessor's own words; a level changed later keeps it.
    scoring.record_level(demo.db, a1, sid, station, first.id, standard - 1, "Did not explain her rights.")
    scoring.record_level(demo.db, a1, sid, station, second.id, None)
    scoring.record_level(demo.db, a1, sid, station, second.id, standard - 1, "Jargon left unexplained.")
    assert scoring.my_reasons(demo.db, a1, sid) == {
        (station, first.id): "Did not explain her rights.",
        (station, second.id): "Jargon left unexplained.",
    }
    scoring.submit(demo.db, a1, sid)
    with demo.db.read() as s:
        reasons = s.scalars(select(ScoreRow.reason).where(ScoreRow.criterion_id == first.id)).all()
    assert reasons == ["Did not explain her rights."]
    assert audit.verify(demo.db).ok


def test_criterion_titles_are_short_and_cut_on_a_word(demo: Demo) -> None:
    pack = packs.pack_for_sitting(
        demo.db, demo.login("assessor1"), _first_sitting(demo, demo.login("assessor1"))
    )
    for _station, criterion in pack.criteria():
        title = scoring.criterion_title(criterion)
        assert 0 < len(title) <= scoring.TITLE_CHARS + 1
        assert not title.endswith(" …")


def test_equality_data_only_for_quality_assurance_in_aggregate(demo: Demo) -> None:
    for who in ("assessor1", "manager", "admin"):
        with pytest.raises(PermissionDenied):
            equality.aggregate(demo.db, demo.login(who))
    counts = equality.aggregate(demo.db, demo.login("qa"))
    assert counts
    # Six candidates: every group is smaller than the smallest shown, so all are suppressed.
    assert all(c.count is None for c in counts)
    detail = sittings.sitting_detail(
        demo.db, demo.login("assessor1"), _first_sitting(demo, demo.login("assessor1"))
    )
    assert not any(hasattr(detail.candidate, f) for f in equality.FIELDS)
