"""The knowledge test as the kiosk runs it: drawn once, answered, flagged, submitted, marked."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from db.models import CandidateRow, KnowledgeAnswerRow, KnowledgeFormRow, SittingRow
from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.packs.schema import Pack
from naas_centre.services import audit, completeness, knowledge, packs, sittings
from naas_centre.services.knowledge import KnowledgeGrant
from naas_centre.writes import ops
from tests.services.conftest import Demo


def _checked_in(demo: Demo, extra_percent: int = 0) -> str:
    a1 = demo.login("assessor1")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    sittings.set_status(demo.db, a1, sid, "checked_in")
    if extra_percent:
        with demo.db.write() as s:
            sitting = s.get(SittingRow, sid)
            assert sitting is not None
            candidate = s.get(CandidateRow, sitting.candidate_id)
            assert candidate is not None
            candidate.extra_time_percent = extra_percent
    return sid


def _open(demo: Demo, extra_percent: int = 0) -> tuple[KnowledgeGrant, Pack]:
    sid = _checked_in(demo, extra_percent)
    a1 = demo.login("assessor1")
    return knowledge.open_form(demo.db, a1, sid), packs.pack_for_sitting(demo.db, a1, sid)


def _keys(pack: Pack) -> dict[str, tuple[frozenset[str], str]]:
    assert pack.knowledge_test is not None
    return {i.id: (i.key_ids(), i.kss) for i in pack.knowledge_test.bank.items}


def test_opening_needs_a_checked_in_candidate_and_an_assessor_or_manager(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    with pytest.raises(Conflict, match="Check the candidate in"):
        knowledge.open_form(demo.db, a1, sid)
    sittings.set_status(demo.db, a1, sid, "checked_in")
    for who in ("qa", "kiosk", "assessor3"):
        with pytest.raises(PermissionDenied):
            knowledge.open_form(demo.db, demo.login(who), sid)
    with pytest.raises(UserError, match="no form 'nope'"):
        knowledge.open_form(demo.db, a1, sid, "nope")
    assert knowledge.open_form(demo.db, a1, sid).sitting_id == sid


def test_the_form_is_drawn_once_and_a_resume_gets_the_same_one(demo: Demo) -> None:
    grant, pack = _open(demo, extra_percent=25)
    first = knowledge.start(demo.db, grant)
    again = knowledge.open_form(demo.db, demo.login("manager"), grant.sitting_id)
    second = knowledge.start(demo.db, again)
    assert [i.id for i in first.items] == [i.id for i in second.items]
    assert [i.options for i in first.items] == [i.options for i in second.items]
    assert first.started_at == second.started_at
    assert pack.knowledge_test is not None
    blueprint = pack.knowledge_test.forms[0]
    assert len(first.items) == blueprint.size()
    assert first.allowed_ms == round(blueprint.minutes * 60_000 * 1.25)
    with demo.db.read() as s:
        assert s.scalar(select(func.count()).select_from(KnowledgeFormRow)) == 1


def test_the_candidate_sees_no_key_rationale_or_area(demo: Demo) -> None:
    grant, pack = _open(demo)
    start = knowledge.start(demo.db, grant)
    shown = json.dumps([repr(i) for i in start.items])
    assert pack.knowledge_test is not None
    for item in pack.knowledge_test.bank.items:
        if item.rationale:
            assert item.rationale not in shown
    for item in start.items:
        assert not hasattr(item, "key") and not hasattr(item, "kss") and not hasattr(item, "rationale")
        if item.answer_type == "yes_no":
            assert item.options == (("yes", "Yes"), ("no", "No"))
    assert any(m.kind == "case" and m.text for i in start.items for m in i.media)


def test_marking_on_submission_against_a_hand_worked_form(demo: Demo) -> None:
    grant, pack = _open(demo)
    start = knowledge.start(demo.db, grant)
    keys = _keys(pack)
    # By hand: the key for every item but the first three; the first answered wrong, the
    # second left blank, the third a multiple item's keys less one (all or nothing: 0).
    wrong = start.items[0]
    knowledge.answer(
        demo.db, grant, wrong.id, [next(o for o, _ in wrong.options if o not in keys[wrong.id][0])]
    )
    lost = {wrong.id, start.items[1].id}
    multiple = next(i for i in start.items[2:] if i.answer_type == "multiple")
    knowledge.answer(demo.db, grant, multiple.id, sorted(keys[multiple.id][0])[1:])
    lost.add(multiple.id)
    for item in start.items:
        if item.id not in lost:
            knowledge.answer(demo.db, grant, item.id, sorted(keys[item.id][0]))
    knowledge.flag(demo.db, grant, start.items[1].id, True)
    done = knowledge.submit(demo.db, grant, "candidate")
    assert done.submitted_at is not None
    (result,) = knowledge.result(demo.db, demo.login("manager"), grant.sitting_id)
    n = len(start.items)
    assert result.available == n and result.marks == n - 3
    assert result.needed == Fraction(7, 10) * n and result.passed
    expected: dict[str, int] = {}
    for item in start.items:
        expected[keys[item.id][1]] = expected.get(keys[item.id][1], 0) + (item.id not in lost)
    assert {a.kss: a.marks for a in result.areas} == expected
    assert [a.kss for a in result.areas] == [a.id for a in pack.kss_areas if a.id in expected]
    with demo.db.read() as s:
        row = s.scalar(select(KnowledgeFormRow))
        assert row is not None and row.marks == str(n - 3) and row.passed is True
    assert audit.verify(demo.db).ok


def test_nothing_changes_after_submission_or_after_time_up(demo: Demo) -> None:
    grant, _ = _open(demo)
    start = knowledge.start(demo.db, grant)
    item = start.items[0]
    with pytest.raises(Conflict, match="not up yet"):
        knowledge.submit(demo.db, grant, "time_up")
    late = start.deadline() + timedelta(seconds=30)
    with pytest.raises(Conflict, match=r"time .* is up"):
        knowledge.answer(demo.db, grant, item.id, [item.options[0][0]], at=late)
    with pytest.raises(UserError, match="no option"):
        knowledge.answer(demo.db, grant, item.id, ["zz"])
    done = knowledge.submit(demo.db, grant, "time_up", at=late)
    assert done.submitted_at == start.deadline()
    with pytest.raises(Conflict, match="submitted"):
        knowledge.answer(demo.db, grant, item.id, [item.options[0][0]])
    assert knowledge.submit(demo.db, grant, "candidate").submitted_at == start.deadline()


def test_marks_are_for_staff_and_answers_for_a_grant_staff_opened(demo: Demo) -> None:
    grant, _ = _open(demo)
    item = knowledge.start(demo.db, grant).items[0]
    with pytest.raises(PermissionDenied):
        knowledge.result(demo.db, grant.actor, grant.sitting_id)
    forged = KnowledgeGrant(grant.sitting_id, grant.form_id, demo.login("qa"))
    with pytest.raises(PermissionDenied):
        knowledge.answer(demo.db, forged, item.id, [item.options[0][0]])
    with pytest.raises(PermissionDenied):
        knowledge.submit(demo.db, forged, "candidate")


def test_an_answer_replayed_after_a_crash_is_recognised_by_its_write_id(demo: Demo) -> None:
    grant, _ = _open(demo)
    # An item with a third option to change to (the form's order is drawn per candidate).
    item = next(i for i in knowledge.start(demo.db, grant).items if len(i.options) >= 3)
    write = ops.answer_item(
        grant.sitting_id,
        grant.form_id,
        item.id,
        [item.options[1][0]],
        knowledge.start(demo.db, grant).started_at,
    )
    write_id = str(uuid.uuid4())
    ops.run_op(demo.db, grant.actor, write.op, write.args, False, write_id)
    # The candidate then changes their mind; the old write, replayed, must not undo it.
    later = ops.answer_item(
        grant.sitting_id,
        grant.form_id,
        item.id,
        [item.options[2][0]],
        knowledge.start(demo.db, grant).started_at + timedelta(seconds=5),
    )
    later_id = str(uuid.uuid4())
    ops.run_op(demo.db, grant.actor, later.op, later.args, False, later_id)
    replayed = ops.run_op(demo.db, grant.actor, later.op, later.args, True, later_id)
    assert replayed.chosen == (item.options[2][0],)
    flag = ops.flag_item(
        grant.sitting_id, grant.form_id, item.id, True, knowledge.start(demo.db, grant).started_at
    )
    ops.run_op(demo.db, grant.actor, flag.op, flag.args, False, str(uuid.uuid4()))
    with demo.db.read() as s:
        rows = s.scalars(select(KnowledgeAnswerRow)).all()
    assert len(rows) == 1 and rows[0].flagged and json.loads(rows[0].chosen) == [item.options[2][0]]
    assert ops.changes_of("answer_item", write.args).touches(grant.sitting_id)


def test_left_open_finds_the_knowledge_test_this_workstation_was_running(demo: Demo) -> None:
    grant, _ = _open(demo)
    again = knowledge.left_open(demo.db)
    assert again is not None and (again.sitting_id, again.form_id) == (grant.sitting_id, grant.form_id)
    from naas_centre.services import kiosk

    assert kiosk.left_open(demo.db) is None  # the written exercise's kiosk is not the one open


def test_outcome_marks_are_none_until_submitted(demo: Demo) -> None:
    grant, pack = _open(demo)
    assert knowledge.outcome_marks(demo.db, grant.sitting_id, pack) == {grant.form_id: None}
    knowledge.submit(demo.db, grant, "candidate")
    mark = knowledge.outcome_marks(demo.db, grant.sitting_id, pack)[grant.form_id]
    assert mark is not None and mark.marks == 0 and not mark.passed
    assert (
        knowledge.outcome_marks(demo.db, grant.sitting_id, pack.model_copy(update={"knowledge_test": None}))
        == {}
    )


def test_a_form_not_sat_or_not_submitted_is_missing_for_the_outcome_only(demo: Demo) -> None:
    manager = demo.login("manager")
    sid = _checked_in(demo)
    title = packs.pack_for_sitting(demo.db, manager, sid).knowledge_test.forms[0].title  # type: ignore[union-attr]

    def knowledge_items(station_id: str | None = None) -> list[tuple[str, str]]:
        lacking = completeness.for_report(demo.db, manager, sid, station_id)
        return [(m.kind, m.text) for m in lacking if m.kind.startswith("knowledge")]

    counts = "which the outcome rule counts."
    assert knowledge_items() == [
        ("knowledge_not_sat", f"the candidate has not started the knowledge test “{title}”, {counts}")
    ]
    grant = knowledge.open_form(demo.db, demo.login("assessor1"), sid)
    knowledge.start(demo.db, grant)
    assert knowledge_items() == [
        ("knowledge_not_submitted", f"the candidate has not submitted the knowledge test “{title}”, {counts}")
    ]
    # A station's observation report is never held back by the knowledge test.
    station = packs.pack_for_sitting(demo.db, manager, sid).scenarios[0].id
    assert knowledge_items(station) == []
    knowledge.submit(demo.db, grant, "candidate")
    assert knowledge_items() == []
