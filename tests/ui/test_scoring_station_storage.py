"""Disk trouble at the scoring station, injected for real: a full disk (SQLite may not grow
by a page), a database locked by another program, a read-only medium. The assessor sees a
persistent warning; what could not be saved waits in order, kept in memory and in the
journal, shows as "not saved yet, retrying", and lands once the trouble clears."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from db.engine import Database
from naas_centre.services import packs, scoring
from naas_centre.services.views import Actor
from naas_centre.writes.journal import Journal, journal_path
from tests.ui.conftest import DemoCentre
from tests.ui.scoring_station_support import (
    close_view,
    events,
    first_sitting,
    level,
    notes,
    now,
    open_view,
    panel,
)
from tests.ui.storage_faults import inject
from ui.common.settings import Settings
from ui.scoring.sitting_view import SittingView
from ui.work.pending_writes import WriteItem, iso
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
    v.storage_banner.all_clear_ms = 150
    v.clocks.heartbeat.stop()  # the tests below start and end the trouble themselves
    yield v
    close_view(v, tasks, qtbot)


def journal_items(db: Database) -> list[dict[str, object]]:
    return Journal(journal_path(db)).open_items()


def test_database_locked_the_level_waits_is_kept_and_lands_when_the_lock_goes(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> None:
    p = panel(view)
    row = p.model.criterion_rows()[0]
    criterion = p.model.criterion_at(row)
    assert criterion is not None
    clear = inject(demo.db, demo.path, "locked")
    try:
        p.grid.choose(row, 3)
        qtbot.waitUntil(lambda: p.model.is_retrying(criterion.id), timeout=10_000)
        assert p.model.level_of(criterion.id) == 3  # shown as asked, and said to be unsaved
        assert p.model.save_state(criterion.id) == "retrying"
        assert view.storage_banner.isVisible()
        text = view.storage_banner.text.text()
        assert "locked" in text and "Nothing already saved is lost" in text and "tried again" in text
        assert [i["op"] for i in journal_items(demo.db)] == ["record_level"]
        assert level(demo, sitting_id, assessor.account_id, p.station.id, criterion.id) is None
        # It keeps trying while the lock is held (waited for, not timed: a busy machine).
        qtbot.waitUntil(lambda: view.pending.failures >= 2, timeout=10_000)
        assert view.storage_banner.isVisible()
    finally:
        with qtbot.waitSignal(view.score_recorded, timeout=10_000):
            clear()
    assert p.model.save_state(criterion.id) == "saved"
    assert level(demo, sitting_id, assessor.account_id, p.station.id, criterion.id) == 3
    assert "everything is saved" in view.storage_banner.text.text()
    qtbot.waitUntil(lambda: not view.storage_banner.isVisible(), timeout=5_000)
    assert not journal_path(demo.db).exists()


def test_disk_full_a_note_and_a_level_after_it_wait_in_order_and_land_once(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> None:
    p = panel(view)
    book = p.notebook
    long_note = "The candidate's own words, taken down in full: " + "x" * 30_000  # needs new pages
    row = p.model.criterion_rows()[1]
    criterion = p.model.criterion_at(row)
    assert criterion is not None
    clear = inject(demo.db, demo.path, "full")
    try:
        book.focus_input()
        book.input.setText(long_note)
        qtbot.keyClick(book.input, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: book.model.entries[-1].state == "retrying", timeout=10_000)
        assert "disk is full" in view.storage_banner.text.text().lower()
        p.grid.choose(row, 2)  # behind the note: it waits too, at once
        assert p.model.save_state(criterion.id) == "retrying"
        assert "2 changes not saved yet" in view.storage_banner.text.text()
        assert [i["op"] for i in journal_items(demo.db)] == ["add_note", "record_level"]
        assert notes(demo, sitting_id) == []
    finally:
        with qtbot.waitSignal(view.score_recorded, timeout=10_000):
            clear()
    assert book.model.entries[-1].state == "saved"
    stored = notes(demo, sitting_id)
    assert len(stored) == 1 and stored[0].text == long_note
    assert level(demo, sitting_id, assessor.account_id, p.station.id, criterion.id) == 2
    qtbot.waitUntil(lambda: not view.storage_banner.isVisible(), timeout=5_000)
    assert journal_items(demo.db) == []


def test_read_only_medium_the_clock_runs_from_the_click_and_is_stored_with_that_instant(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str
) -> None:
    timer = panel(view).timer
    clear = inject(demo.db, demo.path, "read_only")
    try:
        before = now()
        qtbot.mouseClick(timer.start_button, Qt.MouseButton.LeftButton)
        after = now()
        qtbot.waitUntil(lambda: "not saved yet — retrying" in timer.save_state.text(), timeout=10_000)
        assert timer.status.text() == "Running"  # the clock runs from the click meanwhile
        assert "cannot be written to" in view.storage_banner.text.text()
        assert events(demo, sitting_id) == []
        qtbot.wait(600)
    finally:
        with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
            clear()
    stored = events(demo, sitting_id)
    assert [(e.phase, e.kind) for e in stored] == [("reading", "start")]
    assert before <= stored[0].at <= after  # the instant of the click, not of the late commit
    assert timer.save_state.text().startswith("✓ Started the reading")
    qtbot.waitUntil(lambda: not view.storage_banner.isVisible(), timeout=5_000)


def test_when_the_journal_cannot_be_written_either_the_banner_says_keep_the_app_open(
    qtbot: QtBot, view: SittingView, demo: DemoCentre
) -> None:
    journal_path(demo.db).mkdir()  # a folder where the file should go: every write to it fails
    p = panel(view)
    clear = inject(demo.db, demo.path, "read_only")
    try:
        p.grid.choose(p.model.criterion_rows()[0], 1)
        qtbot.waitUntil(lambda: view.storage_banner.isVisible(), timeout=10_000)
        assert "kept in memory only" in view.storage_banner.text.text()
    finally:
        with qtbot.waitSignal(view.score_recorded, timeout=10_000):
            clear()
    journal_path(demo.db).rmdir()


def test_changes_left_in_the_journal_by_a_crash_are_saved_on_the_next_opening_once(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    settings: Settings,
) -> None:
    pack = packs.pack_for_sitting(demo.db, assessor, sitting_id)
    station, rubric = pack.rubrics()[0]
    criterion = rubric.criteria[0].id
    written = now() - timedelta(minutes=2)
    # One note reached the disk just before the crash, stored under its write's own id;
    # its journal line was never marked done. The replay knows it by that id.
    reached = str(uuid.uuid4())
    scoring.add_note(
        demo.db, assessor, sitting_id, station, "made it to disk", written_at=written, note_id=reached
    )
    someone_else = demo.actor("assessor3")

    def item(
        op: str, args: dict[str, object], actor: Actor, write_id: str | None = None
    ) -> dict[str, object]:
        return WriteItem(write_id or str(uuid.uuid4()), 0, op, args, actor, op).record()

    base = {"sitting_id": sitting_id, "station_id": station}
    Journal(journal_path(demo.db)).append(
        [
            item(
                "add_note", {**base, "text": "made it to disk", "written_at": iso(written)}, assessor, reached
            ),
            item("record_level", {**base, "criterion_id": criterion, "level": 4}, assessor),
            item(
                "add_note",
                {**base, "text": "kept in the journal", "written_at": iso(written + timedelta(seconds=5))},
                assessor,
            ),
            item("record_level", {**base, "criterion_id": criterion, "level": 1}, someone_else),
        ]
    )
    with journal_path(demo.db).open("a", encoding="utf-8") as f:
        f.write('{"v": 1, "type": "item", "id": "torn')  # the line being written when it died

    view = open_view(qtbot, tasks, demo, assessor, sitting_id, settings)
    p = view.panels[station]
    qtbot.waitUntil(lambda: p.model.level_of(criterion) == 4, timeout=10_000)
    qtbot.waitUntil(
        lambda: [e.text for e in p.notebook.model.entries] == ["made it to disk", "kept in the journal"]
    )
    assert [n.text for n in notes(demo, sitting_id)] == ["made it to disk", "kept in the journal"]
    assert level(demo, sitting_id, assessor.account_id, station, criterion) == 4
    # Another account's change stays in the journal for when they sign in here.
    left = journal_items(demo.db)
    assert [(i["op"], i["account_id"]) for i in left] == [("record_level", someone_else.account_id)]
    assert (
        json.loads(journal_path(demo.db).read_text(encoding="utf-8").splitlines()[0])["id"] == left[0]["id"]
    )
    close_view(view, tasks, qtbot)


def test_a_window_holding_the_only_copy_of_changes_asks_before_it_closes(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, sitting_id: str, settings: Settings
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    view = open_view(qtbot, tasks, demo, assessor, sitting_id, settings)
    view.clocks.heartbeat.stop()
    window.setCentralWidget(view)
    window.show()
    journal_path(demo.db).mkdir()  # the journal cannot be written either
    p = panel(view)
    clear = inject(demo.db, demo.path, "read_only")
    try:
        p.grid.choose(p.model.criterion_rows()[0], 2)
        qtbot.waitUntil(lambda: view.unsafe_to_close(), timeout=10_000)
        assert not window.close()  # refused: it asks instead
        box = view.confirm_box
        assert box is not None and box.isVisible() and "not saved yet" in box.text()
        keep = next(b for b in box.buttons() if b.text() == "Keep the window open")
        keep.click()
        assert window.isVisible()
    finally:
        with qtbot.waitSignal(view.score_recorded, timeout=10_000):
            clear()
    assert not view.unsafe_to_close()
    journal_path(demo.db).rmdir()
    qtbot.waitUntil(lambda: view.pending.idle)
    assert window.close()
    tasks.wait()


def test_read_only_medium_a_pause_and_its_reason_wait_in_order_and_land_with_the_press(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str
) -> None:
    timer = panel(view).timer
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        qtbot.mouseClick(timer.start_button, Qt.MouseButton.LeftButton)
    clear = inject(demo.db, demo.path, "read_only")
    try:
        before = now()
        qtbot.mouseClick(timer.pause_button, Qt.MouseButton.LeftButton)
        after = now()
        assert timer.status.text() == "Paused"  # stopped at the press, whatever the disk does
        dialog = timer.pause_dialog
        assert dialog is not None
        dialog.buttons["actor issue"].setChecked(True)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert timer.status.text() == "Paused · actor issue"
        qtbot.waitUntil(lambda: len(journal_items(demo.db)) == 2, timeout=10_000)
        assert [i["op"] for i in journal_items(demo.db)] == ["record_event", "set_pause_reason"]
        assert [e.kind for e in events(demo, sitting_id)] == ["start"]
    finally:
        with qtbot.waitSignal(view.clocks.pause_reason_saved, timeout=10_000):
            clear()
    stored = events(demo, sitting_id)
    assert [(e.kind, e.reason) for e in stored] == [("start", None), ("pause", "actor issue")]
    assert before <= stored[1].at <= after
    qtbot.waitUntil(lambda: journal_items(demo.db) == [], timeout=5_000)
