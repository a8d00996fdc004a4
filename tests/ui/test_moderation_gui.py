"""Moderation in the GUI: the differences between two submitted sheets, an agreed level
with its reason saved through the write worker (committed before it shows as saved),
and nothing to moderate before both assessors have submitted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from naas_centre.errors import PermissionDenied
from naas_centre.services import moderation, sittings
from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import choose_sitting, close_window, open_window, trigger
from ui.main_window import MainWindow
from ui.moderation_dialog import ModerationDialog
from ui.settings import Settings
from ui.tasks import TaskManager


@pytest.fixture
def manager_window(
    qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, settings: Settings
) -> Iterator[MainWindow]:
    w = open_window(qtbot, tasks, scored, settings, "manager")
    yield w
    close_window(w, tasks)


def open_moderation(qtbot: QtBot, w: MainWindow, sitting_id: str) -> ModerationDialog:
    choose_sitting(w, sitting_id)
    dialog = trigger(w, "reports.moderate")
    assert isinstance(dialog, ModerationDialog)
    qtbot.waitSignal(dialog.loaded, timeout=10_000).wait()
    return dialog


def test_the_differences_are_listed_with_each_assessors_level(
    qtbot: QtBot, manager_window: MainWindow, scored: DemoCentre
) -> None:
    manager = scored.actor("manager")
    sitting = sittings.day_overview(scored.db, manager, scored.day).sittings[0]
    diffs = moderation.differences(scored.db, manager, sitting.id)
    assert len(diffs) >= 2
    dialog = open_moderation(qtbot, manager_window, sitting.id)
    table = dialog.table
    headers = [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())]
    assert headers == ["Station", "Criterion", *sitting.assessors, "Agreed", "Reason"]
    assert table.rowCount() == len(diffs)
    for row, d in enumerate(diffs):
        assert table.item(row, 1).text() == d.criterion_text
        for column, (_name, level) in enumerate(d.levels, start=2):
            assert table.item(row, column).text().startswith(f"{level} · ")
        assert table.item(row, 4).text() == "to agree"
    assert dialog.counts.text() == f"0 of {len(diffs)} differences agreed"
    # The levels the assessors gave are marked among the choices.
    given = {level for _, level in diffs[0].levels}
    assert {b.text()[0] for b in dialog.levels.buttons() if b.font().bold()} == {str(x) for x in given}


def test_an_agreed_level_is_saved_with_its_reason_before_it_shows_as_saved(
    qtbot: QtBot, manager_window: MainWindow, scored: DemoCentre
) -> None:
    manager = scored.actor("manager")
    sitting = sittings.day_overview(scored.db, manager, scored.day).sittings[0]
    first = moderation.differences(scored.db, manager, sitting.id)[0]
    dialog = open_moderation(qtbot, manager_window, sitting.id)
    agreed = min(level for _, level in first.levels if level is not None)

    dialog.choose_level(agreed)
    assert not dialog.save_button.isEnabled()  # the reason is required
    qtbot.keyClicks(dialog.reason, "Both notes show the purpose explained but understanding not checked")
    assert dialog.save_button.isEnabled()

    on_disk: list[moderation.Difference] = []

    def read_back(_station: str, _criterion: str) -> None:
        fresh = scored.fresh()  # another connection: only committed data is visible
        try:
            on_disk.extend(moderation.differences(fresh, manager, sitting.id))
        finally:
            fresh.dispose()

    dialog.agreement_saved.connect(read_back)
    with (
        qtbot.waitSignal(dialog.loaded, timeout=10_000),
        qtbot.waitSignal(dialog.agreement_saved, timeout=10_000) as saved,
    ):
        dialog.save_button.click()
        # Until the write worker reports the commit, it says so and nothing shows as saved.
        assert dialog.state.text() == "Saving…" and dialog.saved_note.text() == ""
        assert not dialog.save_button.isEnabled()
    assert saved.args == [first.station_id, first.criterion_id]
    mine = next(d for d in on_disk if d.criterion_id == first.criterion_id)
    assert mine.agreed == agreed
    assert mine.reason == "Both notes show the purpose explained but understanding not checked"
    assert dialog.saved_note.text().startswith("Saved at ")
    assert dialog.table.item(0, 4).text().startswith(f"{agreed} · ")
    assert dialog.table.item(0, 5).text() == mine.reason
    total = dialog.table.rowCount()
    assert dialog.counts.text() == f"1 of {total} differences agreed"
    # It moves on to the next difference still to agree.
    current = dialog.current()
    assert current is not None and current.difference.agreed is None


def test_moderation_waits_until_both_assessors_have_submitted(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    w = open_window(qtbot, tasks, demo, settings, "manager")
    try:
        sitting = sittings.day_overview(demo.db, demo.actor("manager"), demo.day).sittings[0]
        dialog = open_moderation(qtbot, w, sitting.id)
        assert dialog.body.currentWidget() is dialog.waiting
        assert "once every assessor has submitted" in dialog.waiting.text()
    finally:
        close_window(w, tasks)


def test_only_managers_and_administrators_moderate(
    qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, settings: Settings
) -> None:
    for username, allowed in (("assessor1", False), ("qa", False), ("admin", True), ("manager", True)):
        w = open_window(qtbot, tasks, scored, settings, username)
        try:
            assert w.action_set["reports.moderate"].isEnabled() is allowed, username
        finally:
            close_window(w, tasks)
    assessor = scored.actor("assessor1")
    sitting = sittings.list_for_assessor(scored.db, assessor, scored.day)[0]
    d = moderation.differences(scored.db, scored.actor("manager"), sitting.id)[0]
    with pytest.raises(PermissionDenied):
        moderation.agree(scored.db, assessor, sitting.id, d.station_id, d.criterion_id, 3, "mine")
