"""Item statistics from submitted forms: figures per item version, for QA and managers only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from naas_centre.errors import PermissionDenied
from naas_centre.qa import items as stats
from naas_centre.qa.tables import NotEnoughData
from naas_centre.services import item_statistics, knowledge, packs, sittings
from tests.services.conftest import Demo

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


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


def test_the_qa_analysis_and_its_signed_report_carry_the_periods_items_for_the_qa_lead(
    demo: Demo, tmp_path: Path
) -> None:
    from naas_centre.qa.disclosure import Period
    from naas_centre.reports.qa_report import Signer, render
    from naas_centre.services.qa_analysis import analyse, tables
    from tests.reports.conftest import pdftotext

    name, _ = _sit_the_day(demo)
    period, after = Period(demo.day, demo.day), demo.day + timedelta(days=1)
    analysis = analyse(demo.db, demo.login("qa"), period, today=after)
    (report,) = analysis.items
    alone = item_statistics.item_statistics(demo.db, demo.login("qa"), name, period)
    assert item_statistics.tables(report) == item_statistics.tables(alone)  # (NaN is not NaN)
    assert f"knowledge-items-{name}" in {t.name for t in tables(analysis)}
    pdf = tmp_path / "qa.pdf"
    pdf.write_bytes(render(analysis, centre="C", signer=Signer("Dev Patel", "QA lead"), made_at=NOW).pdf)
    text = " ".join(pdftotext(pdf).split())
    assert "6. The knowledge test's items" in text
    flagged = report.flagged()
    assert f"{len(flagged)} for review" in text
    assert all(f"{i.item_id} v{i.version}" in text for i in flagged)
    # The report names items by id only: no stem of the bank is printed.
    pack = packs.pack_for_sitting(
        demo.db,
        demo.login("qa"),
        sittings.day_overview(demo.db, demo.login("manager"), demo.day).sittings[0].id,
    )
    assert pack.knowledge_test is not None
    assert not any(" ".join(i.stem.split())[:60] in text for i in pack.knowledge_test.bank.items)
    # A period without the day has none; nor has a manager's analysis (the bank is the QA lead's).
    earlier = Period(demo.day - timedelta(days=30), demo.day - timedelta(days=1))
    assert analyse(demo.db, demo.login("qa"), earlier, today=after).items == ()
    assert analyse(demo.db, demo.login("manager"), period, today=after).items == ()
