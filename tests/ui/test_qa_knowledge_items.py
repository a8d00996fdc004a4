"""The QA dashboard's knowledge-test page: the QA lead's alone (the service refuses anyone
else), read in the background, the figures the service gives, items by id, never a stem."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from naas_centre.errors import PermissionDenied
from naas_centre.packs.schema import Pack
from naas_centre.services import item_statistics
from tests.ui.conftest import DemoCentre
from ui.qa.knowledge_items import TITLE, ItemFigures, KnowledgeItemsPage
from ui.qa.qa_dashboard import QaDashboard
from ui.work.tasks import TaskManager

TIMEOUT = 60_000


def test_the_qa_lead_sees_each_items_figures_and_flags(
    qtbot: QtBot, tasks: TaskManager, scored: DemoCentre
) -> None:
    qa = scored.actor("qa")
    dialog = QaDashboard(tasks, scored.db, qa, today=lambda: scored.day)
    qtbot.addWidget(dialog)
    page = dialog.items_page
    assert page is not None and dialog.tabs.tabText(0) == TITLE
    qtbot.waitUntil(lambda: page.show_button.isEnabled(), timeout=TIMEOUT)  # the packs are read
    names = [page.pack.itemText(i) for i in range(page.pack.count())]
    assert names == list(item_statistics.packs_with_tests(scored.db, qa))
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT) as got:
        page.show_button.click()
    figures = got.args[0]
    assert isinstance(figures, ItemFigures)
    report = item_statistics.item_statistics(scored.db, qa, figures.pack_name)
    assert report.items  # the played day's candidates sat the test
    rows = figures.items.rows
    assert [(r[0], r[1], r[4]) for r in rows] == [(i.item_id, i.version, i.candidates) for i in report.items]
    assert [r[5] for r in rows] == [f"{i.facility:.3f}" for i in report.items]
    model = page.tables[0].view.model()
    assert model.rowCount() == len(report.items)
    assert f"{len(report.items)} question versions sat; {len(report.flagged())} flagged" in page.status.text()
    pack = next(
        p for p in scored_packs(scored) if p.name == figures.pack_name and p.knowledge_test is not None
    )
    assert pack.knowledge_test is not None
    shown = " ".join(str(v) for r in rows for v in r)
    for item in pack.knowledge_test.bank.items:
        assert item.stem[:50] not in shown


def scored_packs(scored: DemoCentre) -> list[Pack]:
    from sqlalchemy import select

    from db.models import PackRow
    from naas_centre.services import packs

    with scored.db.read() as s:
        return [packs.pack_of_row(r) for r in s.scalars(select(PackRow))]


def test_only_the_qa_lead_has_the_page_and_the_service_refuses_the_rest(
    qtbot: QtBot, tasks: TaskManager, scored: DemoCentre
) -> None:
    manager = scored.actor("manager")
    dialog = QaDashboard(tasks, scored.db, manager, today=lambda: scored.day)
    qtbot.addWidget(dialog)
    assert dialog.items_page is None
    assert TITLE not in [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    for who in ("manager", "admin", "assessor1"):
        with pytest.raises(PermissionDenied):
            item_statistics.packs_with_tests(scored.db, scored.actor(who))
    # A page made for someone else all the same shows the service's refusal, plainly.
    page = KnowledgeItemsPage(tasks, scored.db, manager)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.failed, timeout=TIMEOUT) as got:
        pass
    assert "QA lead" in got.args[0] or "cannot" in got.args[0].lower(), got.args[0]
    assert not page.show_button.isEnabled()
