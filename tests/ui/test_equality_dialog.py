"""Equality monitoring: the quality-assurance lead sees counts by group with small groups
suppressed; nobody else can open it (the action is disabled and the service refuses)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from naas_centre.errors import PermissionDenied
from naas_centre.services import equality, sittings
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


def test_qa_sees_counts_by_group_with_small_groups_suppressed(
    qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, settings: Settings
) -> None:
    give_monitoring(scored)
    w = open_window(qtbot, tasks, scored, settings, "qa")
    try:
        dialog = trigger(w, "centre.equality")
        assert isinstance(dialog, EqualityDialog)
        qtbot.waitSignal(dialog.loaded, timeout=10_000).wait()
        # Five women beside one hidden man, out of the six the disability count shows,
        # would give the man away: both are hidden.
        assert dialog.shown("sex") == {"Female": "fewer than 5", "Male": "fewer than 5"}
        assert dialog.shown("disability") == {"No": "6"}
        assert dialog.shown("age_band") == {"35-44": "fewer than 5", "45-54": "fewer than 5"}
        assert dialog.shown("ethnicity") == {"not given": "6"}
        assert "No individual is ever shown" in dialog.note.text()
        # What the dialog shows is exactly what the service hands out: counts, nothing else.
        served = {(g.field, g.group): g.count for g in equality.aggregate(scored.db, scored.actor("qa"))}
        shown = {(f, group): text for f in dialog.tables for group, text in dialog.shown(f).items()}
        assert shown.keys() == served.keys()
        assert all(
            text == ("fewer than 5" if served[k] is None else str(served[k])) for k, text in shown.items()
        )
    finally:
        close_window(w, tasks)


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
