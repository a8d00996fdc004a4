"""Item statistics from submitted forms: figures per item version, for QA and managers only."""

from __future__ import annotations

import pytest

from naas_centre.errors import PermissionDenied
from naas_centre.qa import items as stats
from naas_centre.qa.tables import NotEnoughData
from naas_centre.services import item_statistics, knowledge, packs, sittings
from tests.services.conftest import Demo


def _sit_the_day(demo: Demo) -> tuple[str, dict[str, list[tuple[str, float]]]]:
    """Every sitting of the day sits the form: candidate n answers its first 10 + 8n items
    with the key and the rest with a wrong option. Returns the pack name and, per item,
    (candidate's sitting, mark) as worked by hand."""
    manager = demo.login("manager")
    day = sittings.day_overview(demo.db, manager, demo.day)
    worked: dict[str, list[tuple[str, float]]] = {}
    name = ""
    for n, sitting in enumerate(day.sittings):
        sittings.set_status(demo.db, manager, sitting.id, "checked_in")
        grant = knowledge.open_form(demo.db, manager, sitting.id)
        pack = packs.pack_for_sitting(demo.db, manager, sitting.id)
        assert pack.knowledge_test is not None
        name = pack.name
        keys = {i.id: i.key_ids() for i in pack.knowledge_test.bank.items}
        for k, item in enumerate(knowledge.start(demo.db, grant).items):
            right = k < 10 + 8 * n
            chosen = (
                sorted(keys[item.id])
                if right
                else [next(o for o, _ in item.options if o not in keys[item.id])]
            )
            knowledge.answer(demo.db, grant, item.id, chosen)
            worked.setdefault(item.id, []).append((sitting.id, 1.0 if right else 0.0))
        knowledge.submit(demo.db, grant, "candidate")
    return name, worked


def test_facility_and_flags_per_item_version_from_what_was_submitted(demo: Demo) -> None:
    name, worked = _sit_the_day(demo)
    report = item_statistics.item_statistics(demo.db, demo.login("qa"), name)
    by_id = {i.item_id: i for i in report.items}
    assert set(by_id) == set(worked)
    for item_id, marks in worked.items():
        figures = by_id[item_id]
        assert figures.candidates == len(marks)
        assert figures.facility == pytest.approx(sum(m for _, m in marks) / len(marks))
        assert (
            figures.review.reasons
            == stats.review(
                figures.facility,
                figures.point_biserial,
                figures.upper_lower if figures.upper_lower is not None else float("nan"),
            ).reasons
        )
    assert report.flagged() and all(i.review.reasons for i in report.flagged())
    (form,) = report.forms
    assert form.candidates == len(demo_sittings(demo)) and form.kr20_estimated is not None


def demo_sittings(demo: Demo) -> list[str]:
    return [s.id for s in sittings.day_overview(demo.db, demo.login("manager"), demo.day).sittings]


def test_only_the_qa_lead_reads_item_statistics_and_dif(demo: Demo) -> None:
    name, worked = _sit_the_day(demo)
    for who in ("assessor1", "manager", "admin"):
        with pytest.raises(PermissionDenied):
            item_statistics.item_statistics(demo.db, demo.login(who), name)
    item_id = next(iter(worked))
    for who in ("manager", "assessor1"):
        with pytest.raises(PermissionDenied):
            item_statistics.item_dif(demo.db, demo.login(who), name, item_id, 1, "sex", "Male", "Female")
    with pytest.raises(NotEnoughData, match="at least 10 candidates"):
        item_statistics.item_dif(demo.db, demo.login("qa"), name, item_id, 1, "sex", "Male", "Female")
    with pytest.raises(Exception, match="Unknown characteristic"):
        item_statistics.item_dif(demo.db, demo.login("qa"), name, item_id, 1, "religion", "a", "b")
