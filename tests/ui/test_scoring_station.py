"""The scoring station: one screen with the candidate, the phase clock, the rubric grid and
the evidence notes; the clock run from recorded instants; alerts seen and heard; notes
typed fast, stamped, changed and deleted; everything shown as saved only once on disk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from naas_centre.services import packs, scoring, timing
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre, WaitUntil
from tests.ui.scoring_station_support import (
    audit_actions,
    captured_errors,
    close_view,
    events,
    first_sitting,
    level,
    notes,
    now,
    open_view,
    others_of,
    own_criteria,
    own_stations,
    panel,
    partner,
)
from ui.common.settings import Settings
from ui.scoring.sitting_view import SittingView
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager


@pytest.fixture
def assessor(demo: DemoCentre) -> Actor:
    return demo.actor("assessor1")


@pytest.fixture
def sitting_id(demo: DemoCentre, assessor: Actor) -> str:
    return first_sitting(demo, assessor)


@pytest.fixture
def view(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, sitting_id: str, settings: Settings
) -> Iterator[SittingView]:
    v = open_view(qtbot, tasks, demo, assessor, sitting_id, settings)
    yield v
    close_view(v, tasks, qtbot)


def inside(widget: QWidget, window: QWidget) -> bool:
    """Shown, not empty, and wholly within the window."""
    if not widget.isVisible() or widget.width() < 10 or widget.height() < 10:
        return False
    top_left = widget.mapTo(window, widget.rect().topLeft())
    bottom_right = widget.mapTo(window, widget.rect().bottomRight())
    return window.rect().contains(top_left) and window.rect().contains(bottom_right)


def test_one_screen_at_1366x768_holds_candidate_phase_clock_grid_and_notes(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, settings: Settings
) -> None:
    window = MainWindow(tasks, demo.db, assessor, "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitSignal(window.day_view.day_loaded, timeout=10_000):
        window.show()
    with qtbot.waitSignal(window.sitting_shown, timeout=10_000):
        window.open_sitting(window.day_view.model.sittings[0].id)
    view = window.sitting_view
    assert view is not None
    qtbot.waitUntil(lambda: view.clocks.ready, timeout=10_000)
    p = panel(view)
    name = view.findChild(QWidget, "candidate_name")
    assert name is not None and inside(name, window)
    for widget in (p.timer.remaining, p.timer.phase_name, p.timer.start_button, p.grid, p.judgement):
        assert inside(widget, window), widget.objectName()
    assert inside(p.notebook.input, window) and inside(p.notebook.criterion, window)
    assert p.timer.phase_name.text() == "Reading"
    assert p.timer.remaining.font().pointSize() >= 36  # a large clock
    assert p.timer.remaining.text() == "12:30"  # 10 minutes with this candidate's 25% extra time
    assert view.tabs.tabText(0).startswith("1 · ")  # the scenario, by its title
    # Every level column is wide enough for its descriptor to be read in the grid.
    assert all(p.grid.columnWidth(c) >= 150 for c in range(p.model.columnCount()))
    window.close()
    tasks.wait()


def test_start_pause_with_a_reason_resume_and_end_are_recorded_and_shown(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str
) -> None:
    p = panel(view)
    timer = p.timer
    assert timer.start_button.isVisible() and timer.start_button.text() == "Start reading"
    before = now()
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000) as saved:
        qtbot.mouseClick(timer.start_button, Qt.MouseButton.LeftButton)
    assert saved.args == [p.station.id, "reading", "start"]
    assert timer.status.text() == "Running"
    assert timer.save_state.text().startswith("✓ Started the reading") and timer.save_state.isVisible()
    start = events(demo, sitting_id)[0]
    assert (start.kind, start.phase, start.adjusted_ms, start.planned_ms) == (
        "start",
        "reading",
        750_000,
        600_000,
    )
    assert before <= start.at <= now()

    # The clock stops at the press; the reason is asked after, and goes with that pause.
    pressed = now()
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000) as saved:
        qtbot.mouseClick(timer.pause_button, Qt.MouseButton.LeftButton)
    assert saved.args == [p.station.id, "reading", "pause"]
    pause = events(demo, sitting_id)[1]
    assert (pause.kind, pause.reason) == ("pause", None) and pressed <= pause.at <= now()
    dialog = timer.pause_dialog
    assert dialog is not None and dialog.isVisible()
    assert timer.status.text() == "Paused"
    clock = timer.clock
    assert clock is not None
    stood = clock.current(now())
    later = clock.current(now() + timedelta(minutes=2))  # the dialog left open: nothing runs
    assert stood is not None and later is not None
    assert later.state.remaining_ms == stood.state.remaining_ms
    assert not dialog.ok.isEnabled()  # a reason is chosen first
    dialog.buttons["other"].setChecked(True)
    assert not dialog.ok.isEnabled()  # "other" needs its details
    dialog.buttons["fire alarm"].setChecked(True)
    qtbot.keyClicks(dialog.details, "evacuated to the car park")
    with qtbot.waitSignal(view.clocks.pause_reason_saved, timeout=10_000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert timer.status.text() == "Paused · fire alarm: evacuated to the car park"
    assert events(demo, sitting_id)[1].at == pause.at  # the same pause, now with its reason

    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        qtbot.mouseClick(timer.resume_button, Qt.MouseButton.LeftButton)
    # "End phase" asks once; keeping it running records nothing.
    qtbot.mouseClick(timer.end_button, Qt.MouseButton.LeftButton)
    box = timer.end_box
    assert box is not None and box.isVisible()
    keep = next(b for b in box.buttons() if b.text() == "Keep it running")
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    assert timer.status.text() == "Running" and len(events(demo, sitting_id)) == 3
    qtbot.mouseClick(timer.end_button, Qt.MouseButton.LeftButton)
    box = timer.end_box
    assert box is not None
    end = next(b for b in box.buttons() if b.objectName() == "end_ok")
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        qtbot.mouseClick(end, Qt.MouseButton.LeftButton)
    kinds = [(e.phase, e.kind, e.reason) for e in events(demo, sitting_id)]
    assert kinds == [
        ("reading", "start", None),
        ("reading", "pause", "fire alarm: evacuated to the car park"),
        ("reading", "resume", None),
        ("reading", "end", None),
    ]
    assert audit_actions(demo, pause.id)[-1][0] == "phase.pause_reason"
    # The next phase is now the current one, and the list says what happened.
    assert timer.phase_name.text() == "Role-play" and timer.start_button.text() == "Start role-play"
    row = timer._rows["reading"]
    assert row[1].text() == "12:30 (10:00)"  # adjusted, with the planned length
    assert row[3].text().startswith("1 · ") and "fire alarm" in row[3].toolTip()
    assert "–" in row[2].text() and row[4].text() == "—"


def test_the_clock_is_computed_from_the_recorded_instants(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    settings: Settings,
) -> None:
    station = packs.pack_for_sitting(demo.db, assessor, sitting_id).scenarios[0].id
    started = now() - timedelta(minutes=3, seconds=20)
    timing.record_event(demo.db, assessor, sitting_id, station, "reading", "start", at=started)
    view = open_view(qtbot, tasks, demo, assessor, sitting_id, settings)
    timer = panel(view).timer
    view.clocks.ticker.stop()  # no ticks at all: the figures still follow the instants
    timer.tick(started + timedelta(minutes=3, seconds=20), force=True)
    assert timer.remaining.text() == "09:10"  # 12:30 − 3:20
    # An hour later, without a tick in between: exact, no drift.
    timer.tick(started + timedelta(minutes=63, seconds=20), force=True)
    assert timer.remaining.text() == "−50:50"
    assert timer.remaining.property("role") == "clock-over"
    assert "over time by 50:50" in timer.caption.text()
    assert timer._rows["reading"][4].text() == "+50:50"
    close_view(view, tasks, qtbot)


def test_alerts_at_the_pack_points_are_shown_and_heard_and_can_be_muted(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    settings: Settings,
) -> None:
    station = packs.pack_for_sitting(demo.db, assessor, sitting_id).scenarios[0].id
    # 5 minutes and 30 s left of the 12:30 reading time; the clock is then read half a
    # minute on (an instant given to the card, not waited for): the 5-minute point is crossed.
    started = now() - timedelta(minutes=7)
    timing.record_event(demo.db, assessor, sitting_id, station, "reading", "start", at=started)
    view = open_view(qtbot, tasks, demo, assessor, sitting_id, settings)
    timer = panel(view).timer
    assert not timer.alert_bar.isVisible()
    with qtbot.waitSignal(view.clocks.alert_raised, timeout=5_000) as alert:
        timer.tick(started + timedelta(minutes=7, seconds=30, milliseconds=500))
    assert alert.args == [station, "reading", 300_000]
    assert timer.alert_bar.isVisible() and timer.alert_text.text() == "5 minutes left: reading"
    assert view.clocks.sound.played == ["beep"]  # no sound device here: the system beep
    qtbot.waitUntil(lambda: timer.property("role") == "timer-card-flash", timeout=2_000)  # it flashes

    qtbot.mouseClick(timer.mute, Qt.MouseButton.LeftButton)
    assert view.clocks.sound.muted and timer.mute.text() == "Muted"
    assert settings.get("alert_sound") == "off"
    # Time up, seen (never muted) but not heard.
    with qtbot.waitSignal(view.clocks.alert_raised, timeout=2_000) as up:
        timer.tick(started + timedelta(minutes=12, seconds=31))
    assert up.args[2] == 0
    assert timer.alert_text.text() == "⏰ Time is up: reading"
    assert timer.alert_bar.property("role") == "alert-up"
    assert view.clocks.sound.played[-1] == "muted"
    close_view(view, tasks, qtbot)


def test_no_alert_for_points_already_past_when_the_sitting_opens(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    settings: Settings,
) -> None:
    station = packs.pack_for_sitting(demo.db, assessor, sitting_id).scenarios[0].id
    timing.record_event(
        demo.db, assessor, sitting_id, station, "reading", "start", at=now() - timedelta(minutes=12)
    )
    view = open_view(qtbot, tasks, demo, assessor, sitting_id, settings)
    with qtbot.assertNotEmitted(view.clocks.alert_raised, wait=600):
        pass
    assert not panel(view).timer.alert_bar.isVisible()
    close_view(view, tasks, qtbot)


def test_opening_a_sitting_whose_clock_ran_while_the_app_was_down_records_the_gap(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    settings: Settings,
) -> None:
    scenarios = {sc.id for sc in packs.pack_for_sitting(demo.db, assessor, sitting_id).scenarios}
    # Their last scenario: the sitting opens on it.
    station = [st for st in own_stations(demo, assessor, sitting_id) if st in scenarios][-1]
    started = now() - timedelta(minutes=4)
    timing.record_event(demo.db, assessor, sitting_id, station, "reading", "start", at=started)
    timing.heartbeat(demo.db, assessor, sitting_id, now=started + timedelta(minutes=1))  # then: a crash
    reopened = started + timedelta(minutes=4, seconds=30)  # the wall clock, held still
    view = open_view(qtbot, tasks, demo, assessor, sitting_id, settings, clock=lambda: reopened)
    gap = [e for e in events(demo, sitting_id) if e.kind == "downtime"]
    assert len(gap) == 1 and gap[0].station_id == station and gap[0].gap_ms == 210_000
    assert view.current_panel() is view.panels[station]
    timer = view.panels[station].timer
    assert timer.remaining.text() == "08:00"  # the time passed while the app was down
    assert timer.downtime.isVisible() and "03:30" in timer.downtime.text()
    close_view(view, tasks, qtbot)


def test_keyboard_n_opens_a_note_about_the_current_criterion_and_enter_saves_it(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str
) -> None:
    p = panel(view)
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        view.clock_request("start")
    rows = p.model.criterion_rows()
    second = p.model.criterion_at(rows[1])
    assert second is not None
    p.grid.setFocus()
    qtbot.keyClick(p.grid, Qt.Key.Key_Down)
    qtbot.keyClick(p.grid, Qt.Key.Key_N)
    book = p.notebook
    assert book.input.hasFocus()
    assert book.criterion.currentData() == second.id
    qtbot.keyClicks(book.input, "Explains the purpose of the visit in plain words")
    with qtbot.waitSignal(view.notes.note_saved, timeout=10_000):
        qtbot.keyClick(book.input, Qt.Key.Key_Return)
    assert book.input.text() == "" and book.criterion.currentData() is None  # ready for the next
    entry = book.model.entries[-1]
    assert entry.state == "saved" and entry.note_id is not None
    stored = notes(demo, sitting_id)
    assert [(n.text, n.criterion_id, n.phase) for n in stored] == [
        ("Explains the purpose of the visit in plain words", second.id, "reading")
    ]
    assert stored[0].phase_clock_ms is not None and 0 <= stored[0].phase_clock_ms < 10_000
    assert stored[0].written_at == entry.written_at
    # Esc goes back to the grid, where the cursor still is.
    qtbot.keyClick(book.input, Qt.Key.Key_Escape)
    assert p.grid.hasFocus() and p.grid.currentIndex().row() == rows[1]


def test_notes_typed_in_a_row_stay_in_order_newest_last(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str
) -> None:
    book = panel(view).notebook
    book.focus_input()
    texts = [f"note {i}: the candidate asks an open question" for i in range(6)]
    for text in texts:
        qtbot.keyClicks(book.input, text)
        qtbot.keyClick(book.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: all(e.state == "saved" for e in book.model.entries), timeout=10_000)
    assert [e.text for e in book.model.entries] == texts
    assert [n.text for n in notes(demo, sitting_id)] == texts
    assert all(n.phase is None for n in notes(demo, sitting_id))  # no phase running: wall time only


def test_a_note_is_changed_by_double_click_and_its_old_wording_kept_in_the_audit_trail(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str
) -> None:
    book = panel(view).notebook
    book.focus_input()
    qtbot.keyClicks(book.input, "Jargon: 'section 47' unexplained")
    with qtbot.waitSignal(view.notes.note_saved, timeout=10_000):
        qtbot.keyClick(book.input, Qt.Key.Key_Return)
    index = book.model.index(0)
    qtbot.waitUntil(lambda: book.list.visualRect(index).height() > 10)
    centre = book.list.visualRect(index).center()
    # A real double-click is press, release, double-click: QTest sends only the last.
    qtbot.mouseClick(book.list.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(book.list.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert book.editing is not None and book.input.text() == "Jargon: 'section 47' unexplained"
    book.input.clear()
    qtbot.keyClicks(book.input, "Jargon: 'section 47' unexplained, then explained when asked")
    with qtbot.waitSignal(view.notes.note_saved, timeout=10_000):
        qtbot.keyClick(book.input, Qt.Key.Key_Return)
    entry = book.model.entries[0]
    assert entry.text.endswith("explained when asked") and entry.edited and entry.state == "saved"
    stored = notes(demo, sitting_id)
    assert len(stored) == 1 and stored[0].text == entry.text
    trail = audit_actions(demo, stored[0].id)
    assert [a for a, _b, _c in trail] == ["note.add", "note.edit"]
    assert "section 47' unexplained\"" in (trail[1][1] or "")  # the earlier wording


def test_a_note_is_deleted_after_asking(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str
) -> None:
    book = panel(view).notebook
    book.focus_input()
    qtbot.keyClicks(book.input, "A note written in the wrong sitting")
    with qtbot.waitSignal(view.notes.note_saved, timeout=10_000):
        qtbot.keyClick(book.input, Qt.Key.Key_Return)
    book.list.setFocus()
    book.list.setCurrentIndex(book.model.index(0))
    qtbot.keyClick(book.list, Qt.Key.Key_Delete)
    box = book.confirm_box
    assert box is not None and box.isVisible() and "wrong sitting" in box.informativeText()
    with qtbot.waitSignal(view.notes.note_deleted, timeout=10_000):
        box.button(QMessageBox.StandardButton.Yes).click()
    assert book.model.entries == [] and notes(demo, sitting_id) == []


def test_independence_the_other_sheet_shows_only_once_both_have_submitted(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    settings: Settings,
) -> None:
    other = partner(demo, sitting_id, "assessor1")
    everyone = [other, assessor, *others_of(demo, sitting_id, {other.username, assessor.username})]
    for who in everyone:
        value = 1 if who is other else 4
        reason = "Did not explain why she was there; no plan agreed." if value < 3 else None
        for station, criterion in own_criteria(demo, who, sitting_id):
            scoring.record_level(demo.db, who, sitting_id, station, criterion.id, value, reason)
        for station in own_stations(demo, who, sitting_id):
            scoring.set_judgement(demo.db, who, sitting_id, station, "met")
    for who in everyone:
        if who is not assessor:
            scoring.submit(demo.db, who, sitting_id)
    # The other assessor has submitted; this one has not: nothing of theirs shows.
    view = open_view(qtbot, tasks, demo, assessor, sitting_id, settings)
    assert not view.sheet_choice.isVisible()
    p = panel(view)
    first = p.model.criterion_at(p.model.criterion_rows()[0])
    assert first is not None and p.model.level_of(first.id) == 4
    with qtbot.waitSignal(view.submitted, timeout=10_000):
        view.submit()
    qtbot.waitUntil(lambda: view.sheet_choice.isVisible(), timeout=10_000)
    assert "Every assessor has submitted" in view.banner_text.text()
    view.sheet_choice.setCurrentIndex(view.sheet_choice.findData(other.account_id))
    assert p.model.level_of(first.id) == 1  # the other sheet, read-only
    assert p.model.read_only and p.notebook.input.isHidden()
    close_view(view, tasks, qtbot)


def test_a_change_refused_by_the_database_is_reported_and_undone(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = open_view(qtbot, tasks, demo, assessor, sitting_id, settings)
    for station, criterion in own_criteria(demo, assessor, sitting_id):
        scoring.record_level(
            demo.db, assessor, sitting_id, station, criterion.id, 2, "Seen only when prompted."
        )
    for station in own_stations(demo, assessor, sitting_id):
        scoring.set_judgement(demo.db, assessor, sitting_id, station, "met")
    scoring.submit(demo.db, assessor, sitting_id)  # from elsewhere, behind this screen's back
    p = panel(view)
    first = p.model.criterion_at(p.model.criterion_rows()[0])
    assert first is not None
    with captured_errors(monkeypatch) as shown:
        p.grid.choose(p.model.row_of(first.id), 3)
        qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "read-only" in str(shown[0][0])
    assert not p.model.is_saving(first.id) and p.model.level_of(first.id) is None
    assert level(demo, sitting_id, assessor.account_id, p.station.id, first.id) == 2
    close_view(view, tasks, qtbot)


def test_the_clock_keys_and_the_keyboard_help(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    settings: Settings,
    wait_until: WaitUntil,
) -> None:
    window = MainWindow(tasks, demo.db, assessor, "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.day_view.day_loaded, timeout=10_000):
        window.show()
    with qtbot.waitSignal(window.sitting_shown, timeout=10_000):
        window.open_sitting(window.day_view.model.sittings[0].id)
    view = window.sitting_view
    assert view is not None
    wait_until(lambda: view.clocks.ready)
    timer = panel(view).timer
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.action_set["sitting.note"].trigger()
    assert panel(view).notebook.input.hasFocus()
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        window.action_set["sitting.clock_start"].trigger()
    window.action_set["sitting.clock_pause"].trigger()
    assert timer.pause_dialog is not None and timer.pause_dialog.isVisible()
    timer.pause_dialog.reject()
    window.action_set["sitting.mute"].trigger()
    assert view.clocks.sound.muted and settings.get("alert_sound") == "off"
    keys = dict((text, keys) for keys, text in window.action_set.key_help())
    assert keys["Start or resume the phase"] == "F6" and keys["Pause the phase"] == "F7"
    assert any(k == "N" for k, _t in window.action_set.key_help())
    window.close()
    tasks.wait()
