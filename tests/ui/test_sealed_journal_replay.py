"""The journal of pending writes of an encrypted centre, driven for real: the same disk
trouble as the plain centre's tests (the same tests, run again here against a SQLCipher
copy of the demo), and the journal's bytes looked at while the writes wait."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from db import cipher
from naas_centre import paths
from naas_centre.protection import sealed
from naas_centre.services import centre, packs, scoring
from naas_centre.services.views import Actor
from naas_centre.writes.journal import Journal, journal_path
from tests.ui import test_kiosk_storage as kiosk_tests
from tests.ui import test_scoring_station_storage as station_tests
from tests.ui.conftest import DemoCentre, WaitUntil
from tests.ui.scoring_station_support import close_view, level, notes, now, open_view, panel
from tests.ui.storage_faults import inject
from ui.common.settings import Settings
from ui.scoring.sitting_view import SittingView
from ui.work.pending_writes import PendingWrites, WriteItem, iso
from ui.work.tasks import TaskManager
from ui.written.kiosk_window import KioskWindow

PASSPHRASE = "Correct horse battery 1"

# Fixtures and tests of the plain centre, run again here against the encrypted one. (The
# kiosk's "locked" case is left out: its lock is taken with the standard library's
# sqlite3, which cannot open an encrypted file.)
kiosk = kiosk_tests.kiosk
assessor = station_tests.assessor
sitting_id = station_tests.sitting_id
view = station_tests.view
test_a_kiosk_reopened_after_a_crash_shows_and_saves_what_the_journal_kept = (
    kiosk_tests.test_a_kiosk_reopened_after_a_crash_shows_and_saves_what_the_journal_kept
)
test_disk_full_a_note_and_a_level_after_it_wait_in_order_and_land_once = (
    station_tests.test_disk_full_a_note_and_a_level_after_it_wait_in_order_and_land_once
)


@pytest.fixture
def demo(tmp_path: Path, demo_template: tuple[Path, date]) -> Iterator[DemoCentre]:
    """The demo centre as the other GUI tests have it, but encrypted (SQLCipher)."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = paths.demo_db_path(folder)
    shutil.copy(demo_template[0], path)
    cipher.encrypt(path, PASSPHRASE)
    db = centre.open_database(path, folder)
    yield DemoCentre(folder, path, db, demo_template[1])
    db.dispose()
    cipher.forget()
    sealed.forget()


def test_a_waiting_note_is_not_in_clear_in_the_journal(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str
) -> None:
    assert cipher.looks_encrypted(demo.path)
    p = panel(view)
    book = p.notebook
    note = "Spoke over the service user twice; apologised without prompting"
    clear = inject(demo.db, demo.path, "read_only")
    try:
        book.focus_input()
        qtbot.keyClicks(book.input, note)
        qtbot.keyClick(book.input, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: book.model.entries[-1].state == "retrying", timeout=10_000)
        raw = journal_path(demo.db).read_bytes()
        assert raw.startswith(sealed.MAGIC)
        assert note.encode() not in raw and b"Spoke over" not in raw and b"add_note" not in raw
        assert sitting_id.encode() not in raw
        assert [i["op"] for i in Journal(journal_path(demo.db)).open_items()] == ["add_note"]
    finally:
        clear()
    qtbot.waitUntil(lambda: [n.text for n in notes(demo, sitting_id)] == [note], timeout=10_000)
    qtbot.waitUntil(lambda: not journal_path(demo.db).exists(), timeout=10_000)


def test_the_candidates_waiting_text_is_not_in_clear_in_the_journal(
    qtbot: QtBot, kiosk: KioskWindow, tasks: TaskManager, demo: DemoCentre, wait_until: WaitUntil
) -> None:
    pending = PendingWrites.for_database(tasks, demo.db)
    pending.retry_delays_ms = (60_000,)  # the test says when to try again
    typed = "Confidentiality has limits where there is risk"
    clear = inject(demo.db, demo.path, "read_only")
    try:
        kiosk.editor.setFocus()
        qtbot.keyClicks(kiosk.editor, typed)
        kiosk.autosaver.flush()
        journal = Journal(journal_path(demo.db))
        wait_until(lambda: [i["args"]["text"] for i in journal.open_items()][-1:] == [typed])
        raw = journal.path.read_bytes()
        assert b"Confidentiality" not in raw and b"save_script" not in raw
    finally:
        clear()
    with qtbot.waitSignal(kiosk.script_saved, timeout=10_000, check_params_cb=lambda s: s.text == typed):
        pending.retry_now()
    wait_until(lambda: not journal.path.exists())


def test_a_sealed_journal_left_by_a_crash_is_replayed_once_past_its_torn_line(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    settings: Settings,
) -> None:
    """As the plain centre's crash test: one note on disk already, its line not marked done;
    a level and a note only in the journal; another account's change; a torn last line."""
    pack = packs.pack_for_sitting(demo.db, assessor, sitting_id)
    station, rubric = pack.rubrics()[0]
    criterion = rubric.criteria[0].id
    written = now() - timedelta(minutes=2)
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
    journal = Journal(journal_path(demo.db))
    journal.append(
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
    with journal.path.open("ab") as f:
        f.write(b"c2VhbGVkIGJ1dCBjdXQgc2hvcn")  # the sealed line being written when it died
    assert b"kept in the journal" not in journal.path.read_bytes()

    opened = open_view(qtbot, tasks, demo, assessor, sitting_id, settings)
    p = opened.panels[station]
    qtbot.waitUntil(lambda: p.model.level_of(criterion) == 4, timeout=10_000)
    qtbot.waitUntil(
        lambda: [e.text for e in p.notebook.model.entries] == ["made it to disk", "kept in the journal"]
    )
    assert [n.text for n in notes(demo, sitting_id)] == ["made it to disk", "kept in the journal"]
    assert level(demo, sitting_id, assessor.account_id, station, criterion) == 4
    left = journal.open_items()
    assert [(i["op"], i["account_id"]) for i in left] == [("record_level", someone_else.account_id)]
    assert journal.path.read_bytes().startswith(sealed.MAGIC)  # rewritten, sealed still
    assert json.loads(journal.lines(PASSPHRASE)[0])["id"] == left[0]["id"]
    close_view(opened, tasks, qtbot)
