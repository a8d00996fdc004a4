"""Recording role-plays from the scoring screen: a record control and live preview per
station, started and stopped with the station's role-play phase, or by hand.

Nothing here waits on the recorder on the GUI thread: opening the camera, starting and
stopping the recorder and marking a pause run as background tasks; the preview and the
status are read from the recorder's own slots on a timer. The record control is off
until the candidate's and the actor's consent for the sitting are recorded, and says
which is missing. A camera that is lost or a disk running low is shown in the control
while scoring goes on. Evidence notes written while a station records get their time
in the recording (``services.recordings``) once they are saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services import recordings
from naas_centre.services.recordings import MayRecord, RecordingView
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import label, set_role
from ui.video.config import VideoConfig
from ui.video.preview import PreviewLabel

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.video.recorder import Recorder
    from naas_centre.video.sound import SampleSource
    from naas_centre.video.sources import FrameSource
    from naas_centre.video.status import RecorderStatus
    from ui.video.microphone import Microphone
    from ui.work.tasks import TaskManager

STATUS_MS = 500
RECORDED_PHASE = "role_play"


@dataclass
class Running:
    """A recorder at work, with the sources it reads (closed when it stops)."""

    recorder: Recorder
    pictures: FrameSource
    sound: SampleSource | None


def open_recorder(
    config: VideoConfig, folder: Path, pushed: SampleSource | None, seal: str | None = None
) -> Running:
    """Runs in a worker: opens the source and starts recording into ``folder`` (sealed under
    ``seal``, the encrypted centre's passphrase, when given)."""
    from naas_centre.video.recorder import Recorder

    folder.mkdir(parents=True, exist_ok=True)
    pictures = config.open_pictures()
    sound: SampleSource | None = None
    try:
        sound = pushed if pushed is not None else config.open_sound()
        recorder = Recorder(
            folder, pictures, sound, warn_bytes=config.warn_bytes, stop_bytes=config.stop_bytes, seal=seal
        )
        recorder.start()
    except BaseException:
        pictures.close()
        if sound is not None:
            sound.close()
        raise
    return Running(recorder, pictures, sound)


def stop_recorder(running: Running) -> RecorderStatus:
    """Runs in a worker: stops, writes what is queued, closes the file and the sources."""
    try:
        return running.recorder.stop()
    finally:
        running.pictures.close()
        if running.sound is not None:
            running.sound.close()


def mark(running: Running, kind: str) -> None:
    """Runs in a worker: a pause or a resume of the phase, into the recording's index."""
    if kind == "pause":
        running.recorder.mark_pause()
    else:
        running.recorder.mark_resume()


class ConsentDialog(QDialog):
    """Who has consented to this sitting being recorded, as said in the room."""

    def __init__(self, actor_name: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consent_dialog")
        self.setWindowTitle("Consent to recording")
        box = QVBoxLayout(self)
        box.addWidget(
            label("Tick for each person who has agreed to this role-play being recorded.", wrap=True)
        )
        self.candidate = QCheckBox("The candidate consents")
        self.candidate.setObjectName("consent_candidate")
        box.addWidget(self.candidate)
        self.actor: QCheckBox | None = None
        if actor_name:
            self.actor = QCheckBox(f"The actor, {actor_name}, consents")
            self.actor.setObjectName("consent_actor")
            box.addWidget(self.actor)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)


class StationVideo(QFrame):
    """One station's record control: preview, what it is doing or why it is off, buttons."""

    record_toggled = Signal(bool)  # True: start now; False: stop now
    consent_requested = Signal()

    def __init__(self, station_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station_id = station_id
        self.setObjectName(f"video_{station_id}")
        self.setProperty("role", "card")
        # Side by side, so the clock and the notes keep their room on a 768-pixel screen.
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.setSpacing(8)
        self.preview = PreviewLabel()
        outer.addWidget(self.preview)
        box = QVBoxLayout()
        box.setSpacing(4)
        self.state = label("Checking consent…", "muted", wrap=True)
        self.state.setObjectName("video_state")
        box.addWidget(self.state)
        self.warning = label("", "error", wrap=True)
        self.warning.setObjectName("video_warning")
        self.warning.hide()
        box.addWidget(self.warning)
        box.addStretch(1)
        self.record = QPushButton("● Record")
        self.record.setObjectName("video_record")
        self.record.setToolTip(
            "Recording starts and stops with the role-play; this starts or stops it by hand"
        )
        self.record.setCheckable(True)
        self.record.setEnabled(False)
        self.record.clicked.connect(self.record_toggled.emit)
        self.consent = QPushButton("Consent…")
        self.consent.setObjectName("video_consent")
        self.consent.setToolTip("Record who has agreed to this role-play being recorded")
        self.consent.clicked.connect(self.consent_requested.emit)
        row = QHBoxLayout()
        row.addWidget(self.record)
        row.addWidget(self.consent)
        box.addLayout(row)
        outer.addLayout(box, 1)

    def show_state(self, text: str, role: str = "muted") -> None:
        self.state.setText(text)
        set_role(self.state, role)

    def show_warning(self, text: str) -> None:
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def show_recording(self, recording: bool, can_start: bool) -> None:
        self.record.blockSignals(True)
        self.record.setChecked(recording)
        self.record.blockSignals(False)
        self.record.setText("■ Stop" if recording else "● Record")
        self.record.setEnabled(recording or can_start)


@dataclass
class _Station:
    widget: StationVideo
    actor_name: str | None
    allowed: MayRecord | None = None
    row: RecordingView | None = None
    running: Running | None = None
    busy: str = ""  # "starting" or "stopping" while a task is on its way
    stop_asked: bool = False  # a stop came while starting: stop once started


class SittingVideo(QObject):
    """The sitting's recordings: one record control per role-play station."""

    recording_started = Signal(str, str)  # station id, recording id
    recording_finished = Signal(str, str)  # station id, recording id
    consent_checked = Signal(str, bool)  # station id, whether it may record
    notes_stamped = Signal(str)  # station id

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        sitting_id: str,
        config: VideoConfig,
        clock: Callable[[], datetime],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.tasks, self.db, self.actor = tasks, db, actor
        self.sitting_id, self.config, self.clock = sitting_id, config, clock
        self.stations: dict[str, _Station] = {}
        self.closed = False
        self._microphone: Microphone | None = None
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_MS)
        self.status_timer.timeout.connect(self._poll)
        tasks.about_to_shut_down.connect(self._shut_down)

    def add_station(self, station_id: str, actor_name: str | None) -> StationVideo:
        widget = StationVideo(station_id)
        self.stations[station_id] = _Station(widget, actor_name)
        widget.record_toggled.connect(partial(self._toggled, station_id))
        widget.consent_requested.connect(partial(self._ask_consent, station_id))
        self.check_consent(station_id)
        return widget

    # -- consent --------------------------------------------------------------------------

    def check_consent(self, station_id: str) -> None:
        self.tasks.run(
            recordings.may_record,
            self.db,
            self.actor,
            self.sitting_id,
            station_id,
            on_done=partial(self._consent_read, station_id),
            on_error=partial(self._consent_failed, station_id),
            owner=self,
            name="may_record",
        )

    def _consent_read(self, station_id: str, allowed: MayRecord) -> None:
        station = self.stations[station_id]
        station.allowed = allowed
        self._show(station)
        self.consent_checked.emit(station_id, allowed.allowed)

    def _consent_failed(self, station_id: str, exc: BaseException) -> None:
        self.stations[station_id].widget.show_state(str(exc), "error")
        if not error_reporting.is_user_error(exc):
            error_reporting.log_bug(exc)

    def _ask_consent(self, station_id: str) -> None:
        station = self.stations[station_id]
        dialog = ConsentDialog(station.actor_name, self.parent_widget)
        dialog.finished.connect(dialog.deleteLater)
        dialog.accepted.connect(partial(self._consent_given, station_id, dialog))
        dialog.open()

    def _consent_given(self, station_id: str, dialog: ConsentDialog) -> None:
        actor_consents = dialog.actor.isChecked() if dialog.actor is not None else None
        self.record_consent(station_id, dialog.candidate.isChecked(), actor_consents)

    def record_consent(self, station_id: str, candidate: bool, actor: bool | None) -> None:
        """Saves what was said in the room, then reads again whether it may record."""
        self.tasks.write(
            _save_consent,
            self.db,
            self.actor,
            self.sitting_id,
            station_id,
            candidate,
            actor,
            on_done=lambda _r: self.check_consent(station_id),
            on_error=partial(self._refused, "The consent was not saved"),
            owner=self,
            name="record_consent",
        )

    # -- the phase and the button ---------------------------------------------------------

    def phase_event(self, station_id: str, phase: str, kind: str) -> None:
        """A saved clock event of a station: the role-play's start and end drive recording."""
        station = self.stations.get(station_id)
        if station is None or phase != RECORDED_PHASE:
            return
        if kind in ("start", "reopen"):
            self.start(station_id)
        elif kind == "end":
            self.stop(station_id)
        elif kind in ("pause", "resume") and station.running is not None:
            self.tasks.run(mark, station.running, kind, owner=self, name=f"video_{kind}")

    def _toggled(self, station_id: str, on: bool) -> None:
        if on:
            self.start(station_id)
        else:
            self.stop(station_id)

    def recording(self, station_id: str) -> Recorder | None:
        station = self.stations.get(station_id)
        return station.running.recorder if station is not None and station.running is not None else None

    def recording_id(self, station_id: str) -> str | None:
        station = self.stations.get(station_id)
        return station.row.id if station is not None and station.row is not None else None

    def start(self, station_id: str) -> None:
        station = self.stations[station_id]
        if self.closed or station.busy or station.running is not None:
            return
        if station.allowed is None or not station.allowed.allowed:
            self._show(station)
            return
        station.busy, station.stop_asked = "starting", False
        station.widget.show_state("Starting the camera…", "pending")
        station.widget.show_recording(True, False)
        self.tasks.write(
            recordings.start_recording,
            self.db,
            self.actor,
            self.sitting_id,
            station_id,
            on_done=partial(self._row_made, station_id),
            on_error=partial(self._start_refused, station_id),
            owner=self,
            name="start_recording",
        )

    def _row_made(self, station_id: str, row: RecordingView) -> None:
        station = self.stations[station_id]
        station.row = row
        pushed = self._microphone_samples()
        self.tasks.run(
            open_recorder,
            self.config,
            self.config.data_dir / row.folder,
            pushed,
            recordings.media_passphrase(self.db),
            on_done=partial(self._recorder_started, station_id),
            on_error=partial(self._recorder_failed, station_id),
            owner=self,
            name="open_recorder",
        )

    def _microphone_samples(self) -> SampleSource | None:
        if self.config.sound != "microphone":
            return None
        from ui.video.microphone import Microphone, has_microphone

        if not has_microphone():
            return None
        if self._microphone is None:
            self._microphone = Microphone(self)
        return self._microphone.samples

    def _recorder_started(self, station_id: str, running: Running) -> None:
        station = self.stations[station_id]
        assert station.row is not None
        station.running, station.busy = running, ""
        if self._microphone is not None and running.sound is self._microphone.samples:
            self._microphone.start()
        # The first picture's instant, on the clock the notes are stamped with.
        started = self.clock() - timedelta(seconds=running.recorder.recording_time())
        self.tasks.write(
            recordings.set_started,
            self.db,
            self.actor,
            station.row.id,
            started,
            owner=self,
            name="set_started",
        )
        station.widget.preview.follow(running.recorder.latest)
        self.status_timer.start()
        self._show(station)
        self.recording_started.emit(station_id, station.row.id)
        if station.stop_asked or self.closed:
            self.stop(station_id)

    def _start_refused(self, station_id: str, exc: BaseException) -> None:
        station = self.stations[station_id]
        station.busy = ""
        self._show(station)
        station.widget.show_state(f"Not recording: {exc}", "error")
        if not error_reporting.is_user_error(exc):
            error_reporting.log_bug(exc)

    def _recorder_failed(self, station_id: str, exc: BaseException) -> None:
        """The camera or the disk refused: said in the control, scoring goes on."""
        station = self.stations[station_id]
        row, station.row, station.busy = station.row, None, ""
        if row is not None:
            self.tasks.write(
                recordings.abandon_recording,
                self.db,
                self.actor,
                row.id,
                str(exc),
                owner=self,
                name="abandon",
            )
        self._show(station)
        station.widget.show_state(f"Not recording: {exc}", "error")
        if not error_reporting.is_user_error(exc):
            error_reporting.log_bug(exc)

    def stop(self, station_id: str) -> None:
        station = self.stations[station_id]
        if station.busy == "starting":
            station.stop_asked = True
            return
        if station.running is None or station.busy:
            return
        station.busy = "stopping"
        station.widget.show_state("Stopping…", "pending")
        if self._microphone is not None and station.running.sound is self._microphone.samples:
            self._microphone.stop()
        self.tasks.run(
            stop_recorder,
            station.running,
            on_done=partial(self._recorder_stopped, station_id),
            on_error=partial(self._recorder_stopped_badly, station_id),
            owner=self,
            name="stop_recorder",
        )

    def _recorder_stopped(self, station_id: str, status: RecorderStatus) -> None:
        station = self.stations[station_id]
        row = station.row
        station.widget.preview.follow(None)
        station.running, station.busy, station.row = None, "", None
        if row is not None:
            self.tasks.write(
                recordings.finish_recording,
                self.db,
                self.actor,
                row.id,
                status.duration,
                stopped_by_itself=bool(status.stopped_reason or status.error),
                on_done=lambda _v: self.recording_finished.emit(station_id, row.id),
                on_error=partial(self._refused, "The recording's end was not saved"),
                owner=self,
                name="finish_recording",
            )
        self._show(station)
        why = status.stopped_reason or status.error
        station.widget.show_warning(f"The recording stopped by itself: {why}" if why else "")
        if not any(s.running for s in self.stations.values()):
            self.status_timer.stop()

    def _recorder_stopped_badly(self, station_id: str, exc: BaseException) -> None:
        error_reporting.log_bug(exc)
        from naas_centre.video.status import IDLE

        self._recorder_stopped(station_id, IDLE)

    def note_saved(self, station_id: str, _key: int = 0, _note_id: str = "") -> None:
        """A note of this station reached the disk: while it records, it gets its time
        (the arguments of ``SittingNotes.note_saved``)."""
        station = self.stations.get(station_id)
        if station is None or station.row is None or self.closed:
            return
        self.tasks.write(
            recordings.stamp_notes,
            self.db,
            self.actor,
            station.row.id,
            on_done=lambda _r: self.notes_stamped.emit(station_id),
            owner=self,
            name="stamp_notes",
        )

    # -- what the control shows -----------------------------------------------------------

    def _poll(self) -> None:
        for station_id, station in self.stations.items():
            if station.running is None or station.busy:
                continue
            status = station.running.recorder.status()
            if not status.recording:  # stopped by itself: disk nearly full, or the encoder failed
                self.stop(station_id)
                continue
            self._show(station, status)

    def _show(self, station: _Station, status: RecorderStatus | None = None) -> None:
        widget = station.widget
        allowed = station.allowed
        may = allowed is not None and allowed.allowed
        if station.running is not None:
            status = status or station.running.recorder.status()
            minutes, seconds = divmod(int(status.duration), 60)
            paused = " (role-play paused)" if status.paused else ""
            widget.show_state(f"● Recording {minutes:02d}:{seconds:02d}{paused}", "error")
            warnings = []
            if station.running.sound is None and self.config.sound != "none":
                warnings.append("No sound: no microphone was found, so pictures only are recorded.")
            if status.camera_lost:
                warnings.append("Camera lost: trying again every second. Scoring goes on.")
            if status.disk_low:
                warnings.append("Disk space is low: the recording stops cleanly before it is full.")
            widget.show_warning(" ".join(warnings))
            widget.show_recording(True, may)
            return
        widget.show_recording(False, may and not station.busy)
        if allowed is None:
            widget.show_state("Checking consent…")
        elif not allowed.allowed:
            widget.show_state(f"Recording is off: {allowed.reason}", "muted")
        else:
            widget.show_state("Ready: recording starts with the role-play.", "saved")

    def _refused(self, what: str, exc: BaseException) -> None:
        error_reporting.show_error(self.parent_widget, exc, what)

    # -- closing --------------------------------------------------------------------------

    def close_down(self) -> None:
        """The sitting leaves the screen: every recording stops and is saved."""
        if self.closed:
            return
        for station_id in list(self.stations):
            self.stop(station_id)
        self.closed = True

    def _shut_down(self) -> None:
        """The app closes: recordings are stopped and saved here and now."""
        self.closed = True
        self.status_timer.stop()
        if self._microphone is not None:
            self._microphone.stop()
        for station in self.stations.values():
            if station.running is None or station.busy:
                continue
            status = stop_recorder(station.running)
            station.running = None
            if station.row is not None:
                try:
                    recordings.finish_recording(
                        self.db, self.actor, station.row.id, status.duration, stopped_by_itself=False
                    )
                except Exception as exc:  # the row stays "recording"; its media is kept
                    error_reporting.log_bug(exc)


def _save_consent(
    db: Database, actor: Actor, sitting_id: str, station_id: str, candidate: bool, actor_consents: bool | None
) -> None:
    recordings.record_candidate_consent(db, actor, sitting_id, candidate)
    if actor_consents is not None:
        recordings.record_actor_consent(db, actor, sitting_id, station_id, actor_consents)
