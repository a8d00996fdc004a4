from __future__ import annotations

import pytest

from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.services import audit, moderation, sittings
from naas_centre.services.demo_scoring import fill_scored_day
from tests.services.conftest import Demo


@pytest.fixture
def scored(demo: Demo) -> Demo:
    fill_scored_day(demo.db, demo.day)
    return demo


def test_moderation_waits_for_both_submissions(demo: Demo) -> None:
    manager = demo.login("manager")
    sid = sittings.day_overview(demo.db, manager, demo.day).sittings[0].id
    with pytest.raises(Conflict, match="every assessor has submitted"):
        moderation.differences(demo.db, manager, sid)


def test_differences_are_listed_agreed_with_reasons_and_audited(scored: Demo) -> None:
    manager = scored.login("manager")
    day = sittings.day_overview(scored.db, manager, scored.day)
    sid, diffs = next(
        (s.id, d) for s in day.sittings if (d := moderation.differences(scored.db, manager, s.id))
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
    again = moderation.differences(scored.db, manager, sid)[0]
    assert again.agreed == level and again.reason == "Notes support it"
    assert audit.verify(scored.db).ok


def test_final_levels_need_every_difference_moderated(scored: Demo) -> None:
    manager = scored.login("manager")
    day = sittings.day_overview(scored.db, manager, scored.day)
    sid, diffs = next(
        (s.id, d) for s in day.sittings if (d := moderation.differences(scored.db, manager, s.id))
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
