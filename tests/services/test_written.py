from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import AuditEntryRow
from naas_centre.errors import AuthenticationFailed, Conflict, PermissionDenied
from naas_centre.services import audit, scoring, sittings, written
from tests.services.conftest import Demo


def _checked_in(demo: Demo) -> str:
    a1 = demo.login("assessor1")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    sittings.set_status(demo.db, a1, sid, "checked_in")
    return sid


def test_kiosk_needs_a_checked_in_candidate_and_an_assessor_or_manager(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    with pytest.raises(Conflict, match="Check the candidate in"):
        written.open_kiosk(demo.db, a1, sid)
    sittings.set_status(demo.db, a1, sid, "checked_in")
    for who in ("qa", "kiosk", "assessor3"):
        with pytest.raises(PermissionDenied):
            written.open_kiosk(demo.db, demo.login(who), sid)
    assert written.open_kiosk(demo.db, a1, sid).sitting_id == sid


def test_the_kiosk_sees_only_candidate_material(demo: Demo) -> None:
    sid = _checked_in(demo)
    grant = written.open_kiosk(demo.db, demo.login("assessor1"), sid)
    m = written.material(demo.db, grant)
    assert m.prompt and m.case_material
    assert not hasattr(m, "actor_brief")
    assert m.conditions.allow_paste is False


def test_save_counts_words_and_submit_freezes(demo: Demo) -> None:
    sid = _checked_in(demo)
    grant = written.open_kiosk(demo.db, demo.login("assessor1"), sid)
    state = written.save(demo.db, grant, "The family were seen at home on Tuesday.")
    assert state.word_count == 8 and state.revision == 1
    assert written.save(demo.db, grant, "The family were seen at home on Tuesday.").revision == 1
    done = written.submit(
        demo.db, grant, "The family were seen at home on Tuesday. Risk is moderate.", "time_up"
    )
    assert done.submitted_at is not None and done.word_count == 11
    with pytest.raises(Conflict, match="submitted"):
        written.save(demo.db, grant, "changed afterwards")


def test_leaving_the_kiosk_needs_an_assessor_or_manager_password_and_is_audited(demo: Demo) -> None:
    sid = _checked_in(demo)
    grant = written.open_kiosk(demo.db, demo.login("assessor1"), sid)
    with pytest.raises(AuthenticationFailed):
        written.leave_kiosk(demo.db, grant, "assessor1", "guess")
    with pytest.raises(PermissionDenied):
        written.leave_kiosk(demo.db, grant, "qa", "demo-quality-2026")
    assert written.leave_kiosk(demo.db, grant, "manager", "demo-manager-2026").username == "manager"
    with demo.db.read() as s:
        actions = s.scalars(select(AuditEntryRow.action).where(AuditEntryRow.action.like("kiosk.%"))).all()
    assert actions.count("kiosk.exit_refused") == 2 and "kiosk.exit" in actions
    assert audit.verify(demo.db).ok


def test_marking_is_anonymous_by_default_and_uses_the_written_rubric(demo: Demo) -> None:
    sid = _checked_in(demo)
    a1 = demo.login("assessor1")
    grant = written.open_kiosk(demo.db, a1, sid)
    written.submit(demo.db, grant, "A short but complete case record.", "candidate")
    scripts = written.scripts_to_mark(demo.db, a1)
    assert len(scripts) == 1
    detail = sittings.sitting_detail(demo.db, a1, sid)
    assert scripts[0].anonymous and detail.candidate.full_name not in scripts[0].label
    assert written.scripts_to_mark(demo.db, a1, reveal_names=True)[0].label == detail.candidate.full_name
    from naas_centre.services import packs

    pack = packs.pack_for_sitting(demo.db, a1, sid)
    assert pack.written_exercise is not None
    crit = pack.written_exercise.rubric.criteria[0].id
    scoring.record_level(demo.db, a1, sid, pack.written_exercise.id, crit, 3)
    assert sittings.sitting_detail(demo.db, a1, sid).mine.levels[pack.written_exercise.id][crit] == 3  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        written.scripts_to_mark(demo.db, demo.login("manager"))
