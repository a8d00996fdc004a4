"""Equality monitoring: the quality-assurance lead sees, for a period that has ended,
counts by group with small groups and what would give them away suppressed; nobody
else can open it (the action is disabled and the service refuses)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from naas_centre.errors import PermissionDenied
from naas_centre.services import equality, sittings
from tests.services.test_fairness import PERIOD, TODAY
from tests.services.test_fairness import Centre as FairnessCentre
from tests.services.test_fairness import centre as centre  # the fixtures: a centre of 28
from tests.services.test_fairness import template as template
from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import close_window, open_window, trigger
from ui.common.settings import Settings
from ui.qa.equality_dialog import EqualityDialog
from ui.work.tasks import TaskManager


def give_monitoring(centre: DemoCentre) -> None:
    """Five of the day's six candidates say they are women: a group big enough to count,
    but hidden to protect the one man."""
    manager = centre.actor("manager")
    ids = [
        sittings.sitting_detail(centre.db, manager, s.id).candidate.id
        for s in sittings.day_overview(centre.db, manager, centre.day).sittings
    ]
    assert len(ids) == 6
    for i, candidate in enumerate(ids):
        data = equality.Monitoring(
            age_band="35-44" if i < 3 else "45-54", disability="No", sex="Female" if i < 5 else "Male"
        )
        equality.record(centre.db, manager, candidate, data)


def test_qa_is_told_plainly_when_a_period_is_open_or_too_small(
    qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, settings: Settings
) -> None:
    """Counts are given for a period that has ended, with enough candidates: the demo's
    six do not make one, and the day in progress is not over."""
    give_monitoring(scored)
    w = open_window(qtbot, tasks, scored, settings, "qa")
    try:
        dialog = trigger(w, "centre.equality")
        assert isinstance(dialog, EqualityDialog)
        qtbot.waitSignal(dialog.loaded, timeout=10_000).wait()
        assert "fewer than the 20" in dialog.status.text()  # the year up to yesterday: none
        assert all(table.rowCount() == 0 for table in dialog.tables.values())
        day = scored.day
        dialog.start.setDate(QDate(day.year, day.month, day.day).addDays(-7))
        dialog.end.setDate(QDate(day.year, day.month, day.day).addDays(7))
        with qtbot.waitSignal(dialog.loaded, timeout=10_000):
            dialog.show_button.click()
        assert "has not ended yet" in dialog.status.text()
        assert "No individual is ever shown" in dialog.note.text()
    finally:
        close_window(w, tasks)


def test_qa_sees_a_closed_periods_counts_exactly_as_served(
    qtbot: QtBot, tasks: TaskManager, centre: FairnessCentre
) -> None:
    """28 candidates in a period that has ended: counts by group, small ones hidden with
    what would give them away, the screen showing exactly what the service hands out."""
    qa = centre.login("qa")
    dialog = EqualityDialog(tasks, centre.db, qa, today=lambda: TODAY)
    qtbot.addWidget(dialog)
    dialog.start.setDate(QDate(PERIOD.start.year, PERIOD.start.month, PERIOD.start.day))
    dialog.end.setDate(QDate(PERIOD.end.year, PERIOD.end.month, PERIOD.end.day))
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
        dialog.show_button.click()
    served = {(g.field, g.group): g.count for g in equality.aggregate(centre.db, qa, PERIOD, today=TODAY)}
    shown = {(f, group): text for f in dialog.tables for group, text in dialog.shown(f).items()}
    assert shown.keys() == served.keys() and any(v is not None for v in served.values())
    assert all(text == ("fewer than 5" if served[k] is None else str(served[k])) for k, text in shown.items())
    dialog.close()
    tasks.wait()


@pytest.mark.parametrize("username", ["manager", "admin", "assessor1"])
def test_nobody_else_can_open_it(
    qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, settings: Settings, username: str
) -> None:
    w = open_window(qtbot, tasks, scored, settings, username)
    try:
        assert not w.action_set["centre.equality"].isEnabled()
        with pytest.raises(PermissionDenied):
            equality.aggregate(scored.db, scored.actor(username))
        # Even a dialog made by hand gets nothing from the service.
        dialog = EqualityDialog(tasks, scored.db, scored.actor(username), w)
        with qtbot.waitSignal(dialog.loaded, timeout=10_000):
            dialog.show()
        assert "cannot do this" in dialog.status.text()
        assert all(table.rowCount() == 0 for table in dialog.tables.values())
        dialog.close()
    finally:
        close_window(w, tasks)
