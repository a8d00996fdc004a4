"""Disk trouble at the kiosk, injected for real (a read-only medium, a database
locked by another program): the
candidate's typing waits in order, kept in the journal beside the database, and lands
once the database takes writes again. Nothing typed is lost; the text stays on screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import ScriptRow
from naas_centre.services import sittings
from naas_centre.services.kiosk import open_for_sitting
from naas_centre.services.views import Actor
from naas_centre.writes.journal import Journal, journal_path
from tests.ui.conftest import DemoCentre, WaitUntil
from tests.ui.storage_faults import inject
from ui.work.pending_writes import PendingWrites
from ui.work.tasks import TaskManager
from ui.written.kiosk_window import KioskWindow


@pytest.fixture
def kiosk(qtbot: QtBot, tasks: TaskManager, demo: DemoCentre) -> Iterator[KioskWindow]:
    assessor: Actor = demo.actor("assessor1")
    sitting_id = sittings.list_for_assessor(demo.db, assessor, demo.day)[0].id
    window = KioskWindow(tasks, demo.db, open_for_sitting(demo.db, assessor, sitting_id, check_in=True))
    qtbot.addWidget(window)
    window.present()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.clock_changed, timeout=10_000):
        qtbot.mouseClick(window.cover.start.start, Qt.MouseButton.LeftButton)
    window.heartbeat.stop()  # the test starts and ends the trouble itself
    yield window
    window.release()
    window.close()
    tasks.wait()
    window.deleteLater()


def on_disk(demo: DemoCentre, sitting_id: str) -> str:
    fresh = demo.fresh()
    try:
        with fresh.read() as s:
            row = s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == sitting_id))
            assert row is not None
            return row.text
    finally:
        fresh.dispose()


@pytest.mark.parametrize("kind", ["read_only", "locked"])
def test_a_refusing_disk_loses_none_of_the_candidates_typing(
    qtbot: QtBot, kiosk: KioskWindow, tasks: TaskManager, demo: DemoCentre, wait_until: WaitUntil, kind: str
) -> None:
    sitting_id = kiosk.grant.sitting_id
    pending = PendingWrites.for_database(tasks, demo.db)
    pending.retry_delays_ms = (60_000,)  # the test says when to try again
    journal = Journal(journal_path(demo.db))
    typed = "First thoughts. Then a plan."
    clear = inject(demo.db, demo.path, kind)
    try:
        kiosk.editor.setFocus()
        qtbot.keyClicks(kiosk.editor, "First thoughts.")
        kiosk.autosaver.flush()
        wait_until(lambda: kiosk.saved_label.text().startswith("Not saved yet"))
        assert kiosk.autosaver.waiting
        # Typing goes on while the disk refuses: each save is kept in the journal, in order.
        qtbot.keyClicks(kiosk.editor, " Then a plan.")
        kiosk.autosaver.flush()
        wait_until(lambda: [i["args"]["text"] for i in journal.open_items()][-1:] == [typed])
        assert [i["op"] for i in journal.open_items()] == ["save_script", "save_script"]
        assert on_disk(demo, sitting_id) == ""
        assert kiosk.editor.toPlainText() == typed
    finally:
        clear()
    with qtbot.waitSignal(kiosk.script_saved, timeout=10_000, check_params_cb=lambda s: s.text == typed):
        pending.retry_now()
    assert on_disk(demo, sitting_id) == typed
    wait_until(lambda: kiosk.saved_label.text().startswith("Saved "))
    wait_until(lambda: not journal.path.exists())  # nothing waits: the journal is tidied away


def test_a_replayed_save_older_than_the_disk_is_not_applied(demo: DemoCentre) -> None:
    """After a crash the journal may hold a save the disk has since overtaken."""
    from datetime import UTC, datetime, timedelta

    from naas_centre.services import written
    from naas_centre.writes.ops import iso, run_op

    assessor = demo.actor("assessor1")
    sitting_id = sittings.list_for_assessor(demo.db, assessor, demo.day)[0].id
    grant = open_for_sitting(demo.db, assessor, sitting_id, check_in=True).grant
    now = datetime.now(UTC)
    written.save(demo.db, grant, "the newer text", at=now)
    args = {
        "sitting_id": sitting_id,
        "station_id": grant.station_id,
        "text": "older",
        "at": iso(now - timedelta(seconds=5)),
    }
    run_op(demo.db, grant.actor, "save_script", args, True, "w-1")
    assert written.script(demo.db, grant).text == "the newer text"
    # Not a replay: saved as asked.
    run_op(demo.db, grant.actor, "save_script", {**args, "at": iso(now + timedelta(seconds=1))}, False, "w-2")
    assert written.script(demo.db, grant).text == "older"


def test_a_kiosk_reopened_after_a_crash_shows_and_saves_what_the_journal_kept(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, wait_until: WaitUntil
) -> None:
    """The app died while the disk refused writes: the typing is in the journal only.

    Reopened, the kiosk shows that text (not the older one on disk), replays the saves in
    order, and the journal is tidied away once they are in the database."""
    from datetime import UTC, datetime, timedelta

    from naas_centre.services import written
    from naas_centre.writes.ops import iso

    assessor = demo.actor("assessor1")
    sitting_id = sittings.list_for_assessor(demo.db, assessor, demo.day)[0].id
    grant = open_for_sitting(demo.db, assessor, sitting_id, check_in=True).grant
    now = datetime.now(UTC)
    written.save(demo.db, grant, "On disk before the trouble.", at=now - timedelta(seconds=30))

    def item(n: int, text: str, seconds_ago: int) -> dict[str, object]:
        args = {"sitting_id": sitting_id, "station_id": grant.station_id, "text": text}
        return {
            "type": "item",
            "id": f"kept-{n}",
            "op": "save_script",
            "args": {**args, "at": iso(now - timedelta(seconds=seconds_ago))},
            "account_id": grant.actor.account_id,
            "label": "the candidate's script",
            "queued_at": iso(now),
        }

    journal = Journal(journal_path(demo.db))
    journal.append(
        [
            item(1, "On disk before the trouble. Then more", 20),
            item(2, "On disk before the trouble. Then more words.", 10),
        ]
    )

    window = KioskWindow(tasks, demo.db, open_for_sitting(demo.db, assessor, sitting_id))
    qtbot.addWidget(window)
    try:
        assert window.editor.toPlainText() == "On disk before the trouble. Then more words."
        wait_until(lambda: on_disk(demo, sitting_id) == "On disk before the trouble. Then more words.")
        wait_until(lambda: window.saved_label.text().startswith("Saved "))
        wait_until(lambda: not journal.path.exists())
    finally:
        window.release()
        window.close()
        tasks.wait()
        window.deleteLater()


def test_a_journal_older_than_the_disk_is_not_shown() -> None:
    from datetime import UTC, datetime, timedelta

    from naas_centre.writes.journal import kept_script
    from naas_centre.writes.ops import iso

    now = datetime.now(UTC)
    records = [
        {
            "id": "a",
            "op": "save_script",
            "args": {"sitting_id": "s", "station_id": "w", "text": "old", "at": iso(now)},
        },
        {
            "id": "b",
            "op": "save_script",
            "args": {"sitting_id": "other", "station_id": "w", "text": "x", "at": iso(now)},
        },
        {"id": "c", "op": "add_note", "args": {"sitting_id": "s"}},
        {"id": "d", "op": "save_script", "args": {"sitting_id": "s", "station_id": "w", "text": "torn"}},
    ]
    assert kept_script(records, "s", "w", now + timedelta(seconds=1)) is None
    kept = kept_script(records, "s", "w", now - timedelta(seconds=1))
    assert kept is not None and kept.text == "old" and kept.ids == ("a",)
    assert kept_script(records, "s", "w", None) == kept
