"""Reviewing a recording beside the grid (issue 15, requirement 5): a real recording made
by the recorder from a generated camera and microphone, notes as chapters (a click plays
from 5 s before the note), a bookmark saved, frame steps, speed, the phase time line."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from pytestqt.qtbot import QtBot

from db.base import utcnow
from naas_centre.services import recordings, scoring
from naas_centre.video.recorder import Recorder
from naas_centre.video.sound import WavSamples
from naas_centre.video.sources import FileFrames
from tests.ui.conftest import DemoCentre
from tests.ui.scoring_station_support import first_sitting
from tests.video.media import ScaledClock, make_sound, make_video
from ui.video.review_dialog import LEAD_MS, ReviewDialog
from ui.work.tasks import TaskManager

STATION = "home-visit"
SECONDS = 9.0
NOTE_AT_MS = 7_200


@dataclass(frozen=True)
class Made:
    sitting_id: str
    recording_id: str


@pytest.fixture
def made(demo: DemoCentre, tmp_path: Path) -> Made:
    a1 = demo.actor("assessor1")
    sid = first_sitting(demo, a1)
    recordings.record_candidate_consent(demo.db, a1, sid, True)
    recordings.record_actor_consent(demo.db, a1, sid, STATION)
    started = utcnow() - timedelta(minutes=5)
    view = recordings.start_recording(demo.db, a1, sid, STATION, started_at=started)
    folder = demo.folder / view.folder
    folder.mkdir(parents=True)
    clock = ScaledClock(2.0)  # nine seconds of recording in four and a half
    recorder = Recorder(
        folder,
        FileFrames(make_video(tmp_path / "camera.mp4", 4.0)),
        WavSamples(make_sound(tmp_path / "microphone.wav", 4.0)),
        clock=clock,
    )
    recorder.start()
    never = threading.Event()
    clock.wait_until(2.0, never)
    recorder.mark_pause("the actor needed water")
    clock.wait_until(3.0, never)
    recorder.mark_resume()
    clock.wait_until(SECONDS, never)
    status = recorder.stop()
    scoring.add_note(
        demo.db,
        a1,
        sid,
        STATION,
        "Explains why she has come, in plain words",
        written_at=started + timedelta(milliseconds=NOTE_AT_MS),
    )
    recordings.finish_recording(
        demo.db, a1, view.id, status.duration, ended_at=started + timedelta(seconds=30)
    )
    return Made(sid, view.id)


def test_review_opens_a_chapter_plays_from_five_seconds_before_and_a_bookmark_is_saved(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, made: Made
) -> None:
    manager = demo.actor("manager")
    dialog = ReviewDialog(tasks, demo.db, manager, demo.folder, made.sitting_id, STATION)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=15_000):
        dialog.show()
    assert dialog.data is not None and dialog.data.recording.id == made.recording_id
    assert dialog.grid is not None and dialog.grid.model() is not None
    assert [s.kind for s in dialog.timeline.spans] == ["pause"]
    assert dialog.timeline.notes_ms == [NOTE_AT_MS]
    qtbot.waitUntil(
        lambda: (
            dialog.player.mediaStatus()
            in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
        ),
        timeout=15_000,
    )

    item = dialog.chapters.item(0)
    assert item.text().startswith("00:07  Explains why she has come")
    rect = dialog.chapters.visualItemRect(item)
    qtbot.mouseClick(dialog.chapters.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    # The player moves from the event loop (ui/common/media_calls.py), so wait for it.
    qtbot.waitUntil(lambda: dialog.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState)
    assert dialog.player.position() >= NOTE_AT_MS - LEAD_MS

    # Frame steps pause the player on a frame boundary; the speed goes from 0.5× to 2×.
    qtbot.mouseClick(dialog.next_frame, Qt.MouseButton.LeftButton)
    stepped = dialog.position()
    assert stepped % 40 == 0
    qtbot.waitUntil(lambda: dialog.player.playbackState() != QMediaPlayer.PlaybackState.PlayingState)
    qtbot.waitUntil(lambda: dialog.player.position() == stepped)
    qtbot.mouseClick(dialog.next_frame, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.next_frame, Qt.MouseButton.LeftButton)  # two steps in a row, before either lands
    qtbot.mouseClick(dialog.back_frame, Qt.MouseButton.LeftButton)
    assert dialog.position() == stepped + 40
    qtbot.waitUntil(lambda: dialog.player.position() == stepped + 40)
    qtbot.mouseClick(dialog.back_frame, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.player.position() == stepped)
    dialog.speed.setCurrentIndex(dialog.speed.count() - 1)
    assert dialog.player.playbackRate() == 2.0

    qtbot.keyClicks(dialog.bookmark_text, "She offers help with the school run")
    with qtbot.waitSignal(dialog.bookmark_saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.bookmark_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].position_ms == stepped
    stored = recordings.bookmarks(demo.db, manager, made.recording_id)
    assert [(b.position_ms, b.text) for b in stored] == [(stepped, "She offers help with the school run")]
    assert dialog.bookmarks.count() == 1 and dialog.timeline.bookmarks_ms == [stepped]
    # A still of the bookmarked frame, for a report: a PNG of the recording's size.
    png = recordings.bookmark_still(demo.db, manager, demo.folder, stored[0].id)
    assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") == 320
    dialog.close()
    tasks.wait()


def test_review_opened_at_a_criterion_starts_at_its_first_note(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, made: Made
) -> None:
    manager = demo.actor("manager")
    with demo.db.write() as s:
        from db.models import EvidenceNoteRow

        note = s.query(EvidenceNoteRow).filter_by(sitting_id=made.sitting_id, station_id=STATION).one()
        criterion = note.criterion_id = "purpose" if note.criterion_id is None else note.criterion_id
    dialog = ReviewDialog(
        tasks, demo.db, manager, demo.folder, made.sitting_id, STATION, criterion_id=criterion
    )
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.media_ready, timeout=15_000):
        dialog.show()
    qtbot.waitUntil(lambda: dialog.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState)
    assert NOTE_AT_MS - LEAD_MS <= dialog.player.position() < NOTE_AT_MS
    assert dialog.chapters.item(0).font().bold()
    dialog.close()
    tasks.wait()


def test_no_recording_is_said_plainly(qtbot: QtBot, tasks: TaskManager, demo: DemoCentre) -> None:
    manager = demo.actor("manager")
    sid = first_sitting(demo, demo.actor("assessor1"))
    dialog = ReviewDialog(tasks, demo.db, manager, demo.folder, sid, STATION)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: "no recording" in dialog.heading.text(), timeout=10_000)
    dialog.close()
    tasks.wait()


def test_moderation_opens_the_recording_at_a_difference(
    qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, tmp_path: Path
) -> None:
    from naas_centre.services import moderation, sittings
    from ui.centre.moderation_dialog import ModerationDialog

    manager = scored.actor("manager")
    sitting_id, difference = next(
        (s.id, d)
        for s in sittings.day_overview(scored.db, manager, scored.day).sittings
        for d in moderation.differences(scored.db, manager, s.id)
        if d.criterion_id
    )
    station = difference.station_id
    recordings.record_candidate_consent(scored.db, manager, sitting_id, True)
    if not recordings.may_record(scored.db, manager, sitting_id, station).allowed:  # an actor plays it
        recordings.record_actor_consent(scored.db, manager, sitting_id, station, True)
    view = recordings.start_recording(scored.db, manager, sitting_id, station, started_at=utcnow())
    folder = scored.folder / view.folder
    folder.mkdir(parents=True)
    clock = ScaledClock(2.0)
    recorder = Recorder(folder, FileFrames(make_video(tmp_path / "camera.mp4", 2.0)), clock=clock)
    recorder.start()
    clock.wait_until(2.0, threading.Event())
    recordings.finish_recording(scored.db, manager, view.id, recorder.stop().duration)

    dialog = ModerationDialog(tasks, scored.db, manager, sitting_id, data_dir=scored.folder)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    assert dialog.recording_button.isVisible()
    assert dialog.data is not None
    row = next(
        i
        for i, r in enumerate(dialog.data.rows)
        if (r.difference.station_id, r.difference.criterion_id) == (station, difference.criterion_id)
    )
    dialog.table.selectRow(row)
    chosen = dialog.current()
    assert chosen is not None and chosen.difference.criterion_id == difference.criterion_id
    qtbot.mouseClick(dialog.recording_button, Qt.MouseButton.LeftButton)
    review = dialog.review
    assert isinstance(review, ReviewDialog)
    qtbot.waitUntil(lambda: review.data is not None, timeout=15_000)
    assert review.data is not None and review.data.recording.id == view.id
    assert (review.station_id, review.criterion_id) == (station, difference.criterion_id)
    review.close()
    dialog.close()
    tasks.wait()


def test_a_manager_exports_and_deletes_a_recording_and_an_assessor_is_refused(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, made: Made, tmp_path: Path
) -> None:
    from ui.video.recordings_dialog import RecordingsDialog

    out = tmp_path / "out"
    out.mkdir()
    assessor = demo.actor("assessor1")
    dialog = RecordingsDialog(tasks, demo.db, assessor, demo.folder, made.sitting_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    assert dialog.table.rowCount() == 1 and dialog.export_button.isEnabled()
    dialog.export_to(out)
    qtbot.waitUntil(lambda: "cannot do this" in dialog.state.text(), timeout=10_000)
    dialog.delete("asked")
    qtbot.waitUntil(
        lambda: "cannot do this" in dialog.state.text() and tasks.writes_pending == 0, timeout=10_000
    )
    assert list(out.iterdir()) == []
    dialog.close()

    manager = demo.actor("manager")
    dialog = RecordingsDialog(tasks, demo.db, manager, demo.folder, made.sitting_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as exported:
        dialog.export_to(out)
    written = exported.args[0]
    assert (written / "recording.mp4").stat().st_size > 0 and (written / "recording.json").exists()
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.delete("The candidate withdrew consent after the day")
    assert dialog.table.item(0, 3).text() == "deleted"
    assert not dialog.export_button.isEnabled() and not dialog.delete_button.isEnabled()
    dialog.close()
    tasks.wait()
