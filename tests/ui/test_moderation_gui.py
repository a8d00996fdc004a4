"""Moderation in the GUI: the differences between two submitted sheets (levels and
overall judgements) with both assessors' notes and reasons beside them, an agreed level
or judgement with its reason saved through the write worker (committed before it shows
as saved), a header that says truly who has submitted, and nothing to moderate before
both assessors have submitted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from naas_centre.demo.signing import moderate_day
from naas_centre.errors import PermissionDenied
from naas_centre.services import access, moderation, packs, scoring, sittings, timing, written
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import choose_sitting, close_window, open_window, trigger
from tests.ui.scoring_station_support import first_sitting, own_criteria, own_stations
from ui.centre.moderation_dialog import ModerationDialog
from ui.common.settings import Settings
from ui.day.centre_day_view import READINESS_ROLE, CentreDayView
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager


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


def _assessors(centre: DemoCentre) -> dict[str, Actor]:
    """Every assessor account of the demo centre, by account id."""
    from naas_centre.demo.centre import ACCOUNTS

    actors = (centre.actor(a.username) for a in ACCOUNTS if a.username.startswith("assessor"))
    return {a.account_id: a for a in actors}


def _station_observers(centre: DemoCentre, sitting_id: str) -> dict[str, tuple[Actor, ...]]:
    """Station → the assessors who observe it in this sitting (a circuit: one pair each),
    in the order they were assigned."""
    pack = packs.pack_for_sitting(centre.db, centre.actor("manager"), sitting_id)
    by_id = _assessors(centre)
    with centre.db.read() as s:
        ids = access.observers(s, sitting_id, pack)
    return {station: tuple(by_id[i] for i in assessors) for station, assessors in ids.items()}


def test_the_differences_are_listed_with_each_assessors_level(
    qtbot: QtBot, manager_window: MainWindow, scored: DemoCentre
) -> None:
    manager = scored.actor("manager")
    sitting = sittings.day_overview(scored.db, manager, scored.day).sittings[0]
    diffs = moderation.differences(scored.db, manager, sitting.id)
    assert len(diffs) >= 2
    # In a circuit each station has its own pair: the differences are between those two.
    pairs = {
        st: tuple(a.display_name for a in who) for st, who in _station_observers(scored, sitting.id).items()
    }
    dialog = open_moderation(qtbot, manager_window, sitting.id)
    table = dialog.table
    headers = [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())]
    first_pair = pairs[diffs[0].station_id]
    assert len(first_pair) == 2
    assert headers == ["Station", "What differs", *first_pair, "Agreed", "Reason"]
    assert table.rowCount() == len(diffs)
    for row, d in enumerate(diffs):
        pair = pairs[d.station_id]
        assert len(pair) == 2
        assert [name for name, _ in d.levels] == list(pair)  # the station's own two assessors
        assert table.item(row, 0).text() == d.station_title
        assert table.item(row, 1).text() == (d.criterion_title or d.criterion_text)
        for column, (_name, level) in enumerate(d.levels, start=2):
            assert table.item(row, column).text().startswith(f"{level} · ")
        assert table.item(row, 4).text() == "to agree"
        # Chosen, the row names its own station's assessors and no one else.
        table.selectRow(row)
        given = dialog.given.text()
        for name, level in d.levels:
            assert f"{name} gave {level} · " in given
        for name in set(sitting.assessors) - set(pair):
            assert name not in given
    table.selectRow(0)
    assert dialog.counts.text() == f"0 of {len(diffs)} differences agreed"
    # The header is true: both have submitted, by name.
    for name in sitting.assessors:
        assert f"{name} submitted at " in dialog.intro.text()
    assert "not submitted" not in dialog.intro.text()
    # The levels the assessors gave are marked among the choices.
    given = {level for _, level in diffs[0].levels}
    assert {b.text()[0] for b in dialog.levels.buttons() if b.font().bold()} == {str(x) for x in given}


def test_an_agreed_level_is_saved_with_its_reason_before_it_shows_as_saved(
    qtbot: QtBot, manager_window: MainWindow, scored: DemoCentre
) -> None:
    manager = scored.actor("manager")
    sitting = sittings.day_overview(scored.db, manager, scored.day).sittings[0]
    first = moderation.differences(scored.db, manager, sitting.id)[0]
    assert not first.is_judgement
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
        qtbot.waitSignal(  # announced: the board and an open reports list refresh by themselves
            dialog.tasks.changed,
            check_params_cb=lambda c, _o: c.scores and c.status and c.touches(sitting.id),
            timeout=10_000,
        ),
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
        # Header and body agree: no one has submitted, and the header says so.
        assert "submitted at" not in dialog.intro.text()
        assert f"{' and '.join(sitting.assessors)} have not submitted yet" in dialog.intro.text()
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


def _play_sitting(centre: DemoCentre, sitting_id: str) -> None:
    """The sitting held for real: every station's clock run and the script written."""
    manager = centre.actor("manager")
    a1 = centre.actor(ASSESSORS[0])
    sittings.set_status(centre.db, manager, sitting_id, "checked_in")
    pack = packs.pack_for_sitting(centre.db, manager, sitting_id)
    for sc in pack.scenarios:
        phases = ["reading", "role_play"] + (["discussion"] if sc.timing.discussion else [])
        for phase in phases:
            timing.record_event(centre.db, a1, sitting_id, sc.id, phase, "start")
            timing.record_event(centre.db, a1, sitting_id, sc.id, phase, "end")
    if pack.written_exercise is not None:
        grant = written.open_kiosk(centre.db, a1, sitting_id)
        timing.record_event(centre.db, grant.actor, sitting_id, pack.written_exercise.id, "writing", "start")
        text = "Visited the family at home; both children seen. Analysis and plan follow."
        written.submit(centre.db, grant, text, "candidate")


ASSESSORS = ("assessor1", "assessor2")


def test_a_judgement_difference_shows_both_assessors_notes_and_the_true_submission_state(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    """The issue's case: one assessor judged a station "not met", the other "met", with
    every level alike. It is listed, with both assessors' notes and reasons beside it,
    and the header never says both have submitted while one has not."""
    sid = first_sitting(demo, demo.actor(ASSESSORS[0]))
    _play_sitting(demo, sid)
    pack = packs.pack_for_sitting(demo.db, demo.actor("manager"), sid)
    standard = pack.outcome.standard()
    # The two assessors of one station (in a circuit, its own pair), in assignment order.
    observed = _station_observers(demo, sid)
    station = next(sc for sc in pack.scenarios if len(observed[sc.id]) == 2)
    a1, a2 = observed[station.id]
    everyone = list({a.account_id: a for who in observed.values() for a in who}.values())
    others = [a for a in everyone if a.account_id not in {a1.account_id, a2.account_id}]
    for who in everyone:  # each scores only the stations they observe, every level alike
        for st, c in own_criteria(demo, who, sid):
            scoring.record_level(demo.db, who, sid, st, c.id, standard)
        for st in own_stations(demo, who, sid):
            scoring.set_judgement(demo.db, who, sid, st, "met", "The evidence meets the standard throughout.")
    scoring.set_judgement(
        demo.db, a2, sid, station.id, "not_met", "The child's voice was never sought: not met overall."
    )
    tagged = station.rubric.criteria[0]
    scoring.add_note(demo.db, a1, sid, station.id, "Explained why she had come before anything else")
    scoring.add_note(
        demo.db,
        a2,
        sid,
        station.id,
        "Did not ask what a day is like for either child",
        criterion_id=tagged.id,
    )
    for who in (*others, a1):  # everyone but the second assessor of the station
        scoring.submit(demo.db, who, sid)

    w = open_window(qtbot, tasks, demo, settings, "manager")
    try:
        dialog = open_moderation(qtbot, w, sid)
        first, second = a1.display_name, a2.display_name
        # One has submitted: the header and the body say the same, by name.
        assert f"{first} submitted at " in dialog.intro.text()
        for other in others:
            assert f"{other.display_name} submitted at " in dialog.intro.text()
        assert f"{second} has not submitted yet" in dialog.intro.text()
        assert dialog.body.currentWidget() is dialog.waiting
        assert f"{second} has not submitted yet" in dialog.waiting.text()
        assert "Both" not in dialog.intro.text()

        scoring.submit(demo.db, a2, sid)
        with qtbot.waitSignal(dialog.loaded, timeout=10_000):
            dialog.reload()
        assert f"{second} submitted at " in dialog.intro.text() and "not submitted" not in dialog.intro.text()
        assert dialog.table.rowCount() == 1
        assert [dialog.table.item(0, j).text() for j in range(5)] == [
            station.title,
            moderation.JUDGEMENT_TEXT,
            "Met",
            "Not met",
            "to agree",
        ]
        assert dialog.counts.text() == "0 of 1 difference agreed (an overall judgement)"
        mine, theirs = (view.toPlainText() for view in dialog.evidence)
        assert f"{first}: Met" in mine and "The evidence meets the standard throughout." in mine
        assert "Explained why she had come before anything else" in mine
        assert f"{second}: Not met" in theirs and "The child's voice was never sought" in theirs
        assert "Did not ask what a day is like for either child" in theirs
        assert (tagged.title or tagged.text).split()[0] in theirs  # the note's criterion, by name

        # Agree it: the judgement, with a reason, saved before it shows as saved.
        assert [b.text() for b in dialog.levels.buttons()] == ["Met", "Not met"]
        dialog.choose_judgement("not_met")
        assert not dialog.save_button.isEnabled()
        qtbot.keyClicks(dialog.reason, "Both notes show the children's experience was not explored")
        with (
            qtbot.waitSignal(dialog.loaded, timeout=10_000),
            qtbot.waitSignal(dialog.agreement_saved, timeout=10_000) as saved,
        ):
            dialog.save_button.click()
            assert dialog.state.text() == "Saving…"
        assert saved.args == [station.id, ""]
        assert dialog.table.item(0, 4).text() == "Not met"
        assert dialog.counts.text() == "1 of 1 difference agreed (an overall judgement)"
        fresh = demo.fresh()
        try:
            agreed = moderation.differences(fresh, demo.actor("manager"), sid)[0]
        finally:
            fresh.dispose()
        assert agreed.agreed_judgement == "not_met" and agreed.moderator_name
    finally:
        close_window(w, tasks)


def test_the_day_board_says_what_awaits_moderation_until_it_is_done(
    qtbot: QtBot, manager_window: MainWindow, scored: DemoCentre
) -> None:
    manager = scored.actor("manager")
    view = manager_window.day_view
    assert isinstance(view, CentreDayView)
    expected = {
        s.id: len(moderation.differences(scored.db, manager, s.id))
        for s in sittings.day_overview(scored.db, manager, scored.day).sittings
    }
    assert any(expected.values())
    for pos, s in view.model.cells.items():
        index = view.model.index(*pos)
        shown = index.data(READINESS_ROLE)
        assert shown == (f"{expected[s.id]} to moderate" if expected[s.id] else "ready for reports"), s
        if expected[s.id]:
            assert "agree a level at moderation" in index.data(Qt.ItemDataRole.ToolTipRole)

    moderate_day(scored.db, scored.day)
    with qtbot.waitSignal(view.day_loaded, timeout=10_000):
        manager_window.action_set["day.refresh"].trigger()
    assert {view.model.index(*pos).data(READINESS_ROLE) for pos in view.model.cells} == {"ready for reports"}
