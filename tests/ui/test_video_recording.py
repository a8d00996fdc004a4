"""Recording from the scoring screen (issue 15: capture with the phase, consent, evidence
tied to time): a generated video file is the room's camera and a generated WAV its
microphone, through the recorder's own interfaces; the file written is checked with
ffprobe. Everything is waited for on signals or on the recorder's own clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import RecordingRow
from naas_centre.services import timing
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre
from tests.ui.scoring_station_support import close_view, first_sitting, notes
from tests.video.media import FPS, make_sound, make_video, probe
from tests.video.network_camera import NetworkCamera
from ui.scoring.sitting_view import SittingView
from ui.scoring.station_panel import StationPanel
from ui.video.config import VideoConfig
from ui.video.station_video import SittingVideo
from ui.work.tasks import TaskManager

RECORD_SECONDS = 3.0


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("room")
    return make_video(folder / "camera.mp4", 4.0), make_sound(folder / "microphone.wav", 4.0)


@pytest.fixture
def assessor(demo: DemoCentre) -> Actor:
    return demo.actor("assessor1")


@pytest.fixture
def sitting_id(demo: DemoCentre, assessor: Actor) -> str:
    return first_sitting(demo, assessor)


@pytest.fixture
def view(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    room: tuple[Path, Path],
) -> Iterator[SittingView]:
    config = VideoConfig(str(room[0]), demo.folder, sound=str(room[1]))
    opened = _open(qtbot, tasks, demo, assessor, sitting_id, config)
    yield opened
    close_view(opened, tasks, qtbot)


def _open(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, sitting_id: str, config: VideoConfig
) -> SittingView:
    from ui.scoring.sitting_view import load_sitting

    detail, pack = load_sitting(demo.db, assessor, sitting_id)
    view = SittingView(tasks, demo.db, assessor, detail, pack, video=config)
    qtbot.addWidget(view)
    view.resize(1366, 720)
    video = view.video
    assert video is not None
    with qtbot.waitSignal(view.clocks.clocks_loaded, timeout=10_000):
        view.show()
    qtbot.waitUntil(lambda: all(s.allowed is not None for s in video.stations.values()), timeout=10_000)
    return view


def _recorded_panel(view: SittingView) -> StationPanel:
    video = view.video
    assert video is not None
    sid = next(sid for sid, p in view.panels.items() if sid in video.stations and p.station.actor_name)
    view.tabs.setCurrentWidget(view.panels[sid])
    return view.panels[sid]


def _consent(qtbot: QtBot, video: SittingVideo, station_id: str) -> None:
    with qtbot.waitSignal(video.consent_checked, timeout=10_000) as checked:
        video.record_consent(station_id, True, True)
    assert checked.args == [station_id, True]


def test_consent_gates_recording_and_the_control_says_why(
    qtbot: QtBot, view: SittingView, demo: DemoCentre
) -> None:
    video = view.video
    assert video is not None
    p = _recorded_panel(view)
    control = video.stations[p.station.id].widget
    assert not control.record.isEnabled()
    assert control.state.text() == "Recording is off: The candidate's consent to recording is not recorded."
    # Said in the room, ticked in the dialog: the candidate only.
    qtbot.mouseClick(control.consent, Qt.MouseButton.LeftButton)
    dialog = view.findChild(object, "consent_dialog")
    assert dialog is not None and dialog.isVisible()
    dialog.candidate.setChecked(True)
    with qtbot.waitSignal(video.consent_checked, timeout=10_000) as checked:
        dialog.accept()
    assert checked.args == [p.station.id, False]
    assert control.state.text() == (
        "Recording is off: The actor (Sinéad Gallagher) has not consented to recording "
        "(or has withdrawn consent)."
    )
    assert not control.record.isEnabled()
    # The role-play starts without consent: nothing is recorded.
    video.start(p.station.id)
    assert video.recording(p.station.id) is None
    _consent(qtbot, video, p.station.id)
    assert control.record.isEnabled()
    assert control.state.text() == "Ready: recording starts with the role-play."


def test_a_role_play_is_recorded_while_the_grid_is_scored_and_notes_carry_the_recording_time(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    room: tuple[Path, Path],
) -> None:
    station = "home-visit"  # played by an actor with standing consent
    # The reading is over; the role-play's start starts the recording.
    timing.record_event(demo.db, assessor, sitting_id, station, "reading", "start", at=datetime.now(UTC))
    timing.record_event(demo.db, assessor, sitting_id, station, "reading", "end")
    view = _open(
        qtbot, tasks, demo, assessor, sitting_id, VideoConfig(str(room[0]), demo.folder, str(room[1]))
    )
    try:
        _record(qtbot, view, demo, sitting_id, station)
    finally:
        close_view(view, tasks, qtbot)


def _record(qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str, station: str) -> None:
    video = view.video
    assert video is not None
    p = view.panels[station]
    view.tabs.setCurrentWidget(p)
    _consent(qtbot, video, station)
    with qtbot.waitSignal(video.recording_started, timeout=15_000) as started:
        view.clock_request("start")
    assert started.args[0] == station
    recording_id = started.args[1]
    recorder = video.recording(station)
    assert recorder is not None
    control = video.stations[station].widget
    qtbot.waitUntil(lambda: control.preview.frames_shown > 0, timeout=10_000)
    assert control.state.text().startswith("● Recording")

    # Scoring goes on while it records: each level is saved.
    p.grid.setFocus()
    for _row in range(2):
        with qtbot.waitSignal(view.score_recorded, timeout=10_000):
            qtbot.keyClick(p.grid, Qt.Key.Key_2)
        qtbot.keyClick(p.grid, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: recorder.recording_time() >= 1.0, timeout=10_000)

    book = p.notebook
    book.focus_input()
    qtbot.keyClicks(book.input, "Asks an open question about the morning")
    before = recorder.recording_time()
    with qtbot.waitSignal(video.notes_stamped, timeout=10_000):
        qtbot.keyClick(book.input, Qt.Key.Key_Return)  # stamped with the wall clock here
        after = recorder.recording_time()

    # A pause of the role-play is marked in the recording.
    view.clock_request("pause")
    dialog = p.timer.pause_dialog
    assert dialog is not None
    dialog.buttons["other"].setChecked(True)
    qtbot.keyClicks(dialog.details, "the actor needed water")
    with qtbot.waitSignal(view.clocks.pause_reason_saved, timeout=10_000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: recorder.status().paused, timeout=10_000)
    qtbot.waitUntil(lambda: "(role-play paused)" in control.state.text(), timeout=10_000)
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        view.clock_request("start")  # resumes
    qtbot.waitUntil(lambda: not recorder.status().paused, timeout=10_000)
    qtbot.waitUntil(lambda: recorder.recording_time() >= RECORD_SECONDS, timeout=15_000)

    # Ending the role-play stops the recording and saves it.
    qtbot.mouseClick(p.timer.end_button, Qt.MouseButton.LeftButton)
    box = p.timer.end_box
    assert box is not None
    end = next(b for b in box.buttons() if b.objectName() == "end_ok")
    with qtbot.waitSignal(video.recording_finished, timeout=15_000) as finished:
        qtbot.mouseClick(end, Qt.MouseButton.LeftButton)
    assert finished.args == [station, recording_id]
    assert video.recording(station) is None
    assert control.state.text() == "Ready: recording starts with the role-play."

    fresh = demo.fresh()
    try:
        with fresh.read() as s:
            row = s.scalars(select(RecordingRow).where(RecordingRow.id == recording_id)).one()
            folder, duration, status = demo.folder / row.folder, row.duration, row.status
    finally:
        fresh.dispose()
    assert status == "finished" and duration is not None and duration >= RECORD_SECONDS
    facts = probe(folder / "recording.mp4")
    assert facts.codecs == {"video": "h264", "audio": "aac"}
    assert abs(facts.duration - duration) <= 0.2
    assert abs(facts.video_frames - duration * FPS) <= max(2, 0.01 * duration * FPS)
    index = json.loads((folder / "recording.json").read_text())
    assert [m["kind"] for m in index["marks"]] == ["pause", "resume", "stopped"]

    stored = [n for n in notes(demo, sitting_id) if n.text == "Asks an open question about the morning"]
    assert len(stored) == 1 and stored[0].recording_ms is not None
    # The note's time is the recorder's own clock at Enter (the two clocks read apart by
    # at most the time between reading them).
    assert before * 1000 - 50 <= stored[0].recording_ms <= after * 1000 + 50


@pytest.fixture
def network_camera() -> Iterator[NetworkCamera]:
    camera = NetworkCamera()
    camera.start()
    yield camera
    camera.stop()


def test_a_lost_camera_and_a_low_disk_are_shown_while_scoring_goes_on(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    network_camera: NetworkCamera,
) -> None:
    station = "home-visit"
    timing.record_event(demo.db, assessor, sitting_id, station, "reading", "start", at=datetime.now(UTC))
    timing.record_event(demo.db, assessor, sitting_id, station, "reading", "end")
    # Warned under 1 EiB free: this disk is always "low"; stopped under none.
    config = VideoConfig(network_camera.url, demo.folder, "none", warn_bytes=1 << 60, stop_bytes=0)
    view = _open(qtbot, tasks, demo, assessor, sitting_id, config)
    try:
        video = view.video
        assert video is not None
        p = view.panels[station]
        view.tabs.setCurrentWidget(p)
        _consent(qtbot, video, station)
        with qtbot.waitSignal(video.recording_started, timeout=15_000):
            view.clock_request("start")
        control = video.stations[station].widget
        qtbot.waitUntil(lambda: "Disk space is low" in control.warning.text(), timeout=10_000)
        network_camera.stop()  # unplugged
        qtbot.waitUntil(lambda: "Camera lost" in control.warning.text(), timeout=10_000)
        assert control.warning.isVisible()
        p.grid.setFocus()
        with qtbot.waitSignal(view.score_recorded, timeout=10_000):  # scoring goes on
            qtbot.keyClick(p.grid, Qt.Key.Key_3)
        network_camera.start()  # plugged in again
        qtbot.waitUntil(lambda: "Camera lost" not in control.warning.text(), timeout=15_000)
        with qtbot.waitSignal(video.recording_finished, timeout=15_000):
            video.stop(station)
        with demo.db.read() as s:
            folder = demo.folder / s.scalars(select(RecordingRow.folder)).one()
        marks = [m["kind"] for m in json.loads((folder / "recording.json").read_text())["marks"]]
        assert marks[-3:] == ["camera_lost", "camera_back", "stopped"]
    finally:
        close_view(view, tasks, qtbot)
