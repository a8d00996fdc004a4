"""What a sitting still lacks, on a small centre built through the public services:
stations never started, a written exercise never written or never submitted, sheets
unscored or unjudged, assessors not submitted, and differences not yet moderated.

Runs on SQLite and, through ``any_db``, on PostgreSQL.
"""

from __future__ import annotations

import pytest

from db.engine import Database
from naas_centre.errors import PermissionDenied
from naas_centre.services import completeness, moderation, scoring, timing, written
from naas_centre.services.completeness import MissingKind
from tests.services.small_centre import CRITERIA, Centre, make_centre


@pytest.fixture
def centre(any_db: Database) -> Centre:
    return make_centre(any_db)


def test_a_sitting_not_begun_lacks_every_component_in_plain_words(centre: Centre) -> None:
    missing = centre.missing()
    texts = [m.text for m in missing]
    assert texts[0] == "Home visit: the role-play was never started."
    assert "Reflective conversation: the conversation was never started." in texts
    assert "Case record: the candidate has not written the exercise." in texts
    assert (
        "Home visit: Priya Shah has not scored “Explains the purpose of the visit in plain language”."
        in texts
    )
    assert "Home visit: Gareth Hughes has not given an overall judgement." in texts
    assert texts[-2:] == [
        "Priya Shah has not submitted their scores.",
        "Gareth Hughes has not submitted their scores.",
    ]
    unscored = [(m.station_id, m.criterion_id, m.assessor_name) for m in missing if m.kind == "unscored"]
    assert len(unscored) == 2 * len(CRITERIA)
    assert ("case-record", "wr-analysis", "Gareth Hughes") in unscored
    # Names, never internal ids, in what a person reads.
    for m in missing:
        for internal in ("home-visit", "hv-purpose", "case-record", "wr-analysis", centre.a1.account_id):
            assert internal not in m.text
        assert m.station_title in m.text
    assert MissingKind.MODERATION_OUTSTANDING not in centre.kinds()


def test_an_assessor_sees_their_own_gaps_and_of_a_colleague_only_whether_they_submitted(
    centre: Centre,
) -> None:
    centre.score(centre.a2)
    mine = centre.missing(centre.a1)
    assert {m.assessor_name for m in mine if m.kind in completeness.ON_THE_SHEET} == {"Priya Shah"}
    assert [m.text for m in mine if m.kind == MissingKind.ASSESSOR_NOT_SUBMITTED] == [
        "Priya Shah has not submitted their scores.",
        "Gareth Hughes has not submitted their scores.",
    ]
    # Gareth has scored everything: his own list holds nothing on his sheet.
    assert not [m for m in centre.missing(centre.a2) if m.kind in completeness.ON_THE_SHEET]


def test_only_the_sittings_assessors_a_manager_or_an_administrator_may_ask(centre: Centre) -> None:
    assert centre.missing(centre.admin) == centre.missing(centre.manager)
    for who in (centre.qa, centre.outsider):
        with pytest.raises(PermissionDenied):
            centre.missing(who)


def test_a_written_exercise_scored_before_anything_was_written_is_still_missing(centre: Centre) -> None:
    """The issue's case: the written station scored in the grid, no script at all."""
    centre.run_station("home-visit")
    centre.run_station("reflection")
    centre.score(centre.a1)
    centre.score(centre.a2)
    scoring.submit(centre.db, centre.a1, centre.sitting_id)
    scoring.submit(centre.db, centre.a2, centre.sitting_id)
    assert [m.text for m in centre.missing()] == ["Case record: the candidate has not written the exercise."]

    grant = written.open_kiosk(centre.db, centre.a1, centre.sitting_id)
    assert centre.kinds() == [MissingKind.WRITTEN_NOT_WRITTEN]  # opened, nothing typed
    written.save(centre.db, grant, "Visited Ms Lewis at home.")
    assert [m.text for m in centre.missing()] == [
        "Case record: the candidate's script has not been submitted."
    ]
    written.submit(centre.db, grant, "Visited Ms Lewis at home.", "candidate")
    assert centre.missing() == ()


def test_a_station_started_only_in_its_reading_time_was_not_held(centre: Centre) -> None:
    timing.record_event(centre.db, centre.a1, centre.sitting_id, "home-visit", "reading", "start")
    assert "Home visit: the role-play was never started." in [m.text for m in centre.missing()]
    timing.record_event(centre.db, centre.a1, centre.sitting_id, "home-visit", "reading", "end")
    timing.record_event(centre.db, centre.a1, centre.sitting_id, "home-visit", "role_play", "start")
    assert MissingKind.STATION_NOT_STARTED in centre.kinds()  # the reflection is still to come
    assert all(m.station_id != "home-visit" for m in centre.missing() if m.kind == "station_not_started")


def test_a_level_below_the_standard_needs_a_reason(centre: Centre) -> None:
    centre.everything_but_scores()
    centre.score(centre.a1, **{"hv-child": 2})
    below = [m for m in centre.missing(centre.a1) if m.kind == MissingKind.REASON_NEEDED]
    assert [(m.station_id, m.criterion_id, m.assessor_name) for m in below] == [
        ("home-visit", "hv-child", "Priya Shah")
    ]
    assert below[0].text == (
        "Home visit: Priya Shah gave level 2 for “Keeps the child's daily experience in view”, "
        "below the standard (3), without a written reason."
    )
    scoring.record_level(
        centre.db,
        centre.a1,
        centre.sitting_id,
        "home-visit",
        "hv-child",
        2,
        reason="Tom was mentioned once, as 'the little one'; his day was never asked about.",
    )
    assert MissingKind.REASON_NEEDED not in centre.kinds(centre.a1)


def test_every_difference_the_rule_uses_is_missing_until_moderated(centre: Centre) -> None:
    centre.everything_but_scores()
    centre.score(centre.a1, level=3, judgement="met")
    centre.score(centre.a2, level=3, judgement="met", **{"hv-purpose": 4})
    # Gareth finds the reflection not met, Priya met: a difference of judgement alone.
    scoring.set_judgement(centre.db, centre.a2, centre.sitting_id, "reflection", "not_met", "Little insight.")
    scoring.submit(centre.db, centre.a1, centre.sitting_id)
    assert centre.kinds() == [MissingKind.ASSESSOR_NOT_SUBMITTED]  # nothing to moderate yet
    scoring.submit(centre.db, centre.a2, centre.sitting_id)

    outstanding = centre.missing()
    assert [(m.kind, m.station_id, m.criterion_id) for m in outstanding] == [
        (MissingKind.MODERATION_OUTSTANDING, "home-visit", "hv-purpose"),
        (MissingKind.MODERATION_OUTSTANDING, "reflection", None),
    ]
    assert outstanding[0].text == (
        "Home visit: the assessors differ on “Explains the purpose of the visit in plain language” "
        "(Priya Shah 3, Gareth Hughes 4); agree a level at moderation."
    )
    assert outstanding[1].text == (
        "Reflective conversation: the assessors' overall judgements differ "
        "(Priya Shah “met”, Gareth Hughes “not met”); agree a judgement at moderation."
    )
    # Both assessors see the same once both have submitted.
    assert centre.missing(centre.a1) == outstanding

    moderation.agree(
        centre.db, centre.manager, centre.sitting_id, "home-visit", "hv-purpose", 3, "Notes show 3"
    )
    assert [m.station_id for m in centre.missing()] == ["reflection"]
    moderation.agree_judgement(
        centre.db,
        centre.manager,
        centre.sitting_id,
        "reflection",
        "met",
        "Both notes record insight into the visit.",
    )
    assert centre.missing() == ()


def test_a_sitting_with_no_assessor_is_not_complete(any_db: Database) -> None:
    c = make_centre(any_db, assessors=0)
    c.everything_but_scores()
    assert [m.text for m in c.missing()] == [
        "No assessor is assigned to this sitting, so no one has scored it."
    ]
