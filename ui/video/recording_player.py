"""A recording's player: picture, play and pause, frame steps, speed and the phase time
line (with notes and bookmarks on it where the caller has them). The review dialog, the
calibration exercise beside a rubric grid and the exercise maker all use this one.

It is handed what a worker has read (``PlayerSource``), never reads the disk itself, so
it can sit beside a rubric grid in the scoring screen (a calibration exercise) without
the GUI thread waiting on anything. Frame stepping pauses and lands on the start of a
frame, by the recording's own frame rate, as in review. A sealed recording (an encrypted
centre's) is opened by the worker and played from a decrypting device
(``sealed_device``), never from a clear copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QIODevice, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from naas_centre.protection.sealed_media import SealedMediaFile
from naas_centre.video.index import Mark
from ui.common import media_calls
from ui.common.widgets import label
from ui.video.review_timeline import PhaseTimeline, spans_of
from ui.video.sealed_device import SealedMediaDevice

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


def clock_text(ms: int) -> str:
    seconds = max(0, ms) // 1000
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


@dataclass(frozen=True)
class PlayerSource:
    media: Path  # the MP4
    fps: int
    duration_ms: int
    marks: tuple[Mark, ...]  # pauses of the phase, for the time line
    sealed: SealedMediaFile | None = None  # the sealed file, opened by the worker


def open_sealed(media: Path, passphrase: str | None) -> SealedMediaFile | None:
    """Runs in a worker: a sealed recording opened (key derived, records indexed), or None
    for a plain one; no passphrase for a sealed one is a plain error."""
    from naas_centre.video.media_file import source

    given = source(media, passphrase)
    return None if isinstance(given, str) else given


def player_source(
    folder: Path, fallback_duration: float | None = None, passphrase: str | None = None
) -> PlayerSource:
    """Runs in a worker: what the player needs from a recording's folder (``passphrase``:
    the encrypted centre's, for a sealed recording)."""
    from naas_centre.video.index import read_index

    index = read_index(folder)
    duration = index.duration if index.duration is not None else (fallback_duration or 0.0)
    media = folder / index.file
    return PlayerSource(media, index.fps, round(duration * 1000), index.marks, open_sealed(media, passphrase))


class RecordingPlayer(QWidget):
    media_ready = Signal()  # the file is loaded and the first picture shows

    def __init__(self, parent: QWidget | None = None, *, name: str = "player") -> None:
        """``name`` begins the object names of its parts (``review_play``, ``player_play``)."""
        super().__init__(parent)
        self.setObjectName("RecordingPlayer")
        self.source: PlayerSource | None = None
        self.player = QMediaPlayer(self)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.video = QVideoWidget()
        self.video.setObjectName(f"{name}_video")
        self.video.setMinimumSize(320, 180)
        column.addWidget(self.video, 1)
        self.timeline = PhaseTimeline()
        self.timeline.seek_requested.connect(self.seek)
        column.addWidget(self.timeline)
        row = QHBoxLayout()
        self.play_button = QPushButton("▶ Play")
        self.play_button.setObjectName(f"{name}_play")
        self.play_button.clicked.connect(self.toggle_play)
        row.addWidget(self.play_button)
        self.back_frame = QPushButton("◀ Frame")
        self.back_frame.setObjectName(f"{name}_frame_back")
        self.back_frame.setToolTip("One frame back (the player pauses)")
        self.back_frame.clicked.connect(lambda: self.step(-1))
        row.addWidget(self.back_frame)
        self.next_frame = QPushButton("Frame ▶")
        self.next_frame.setObjectName(f"{name}_frame_next")
        self.next_frame.setToolTip("One frame on (the player pauses)")
        self.next_frame.clicked.connect(lambda: self.step(1))
        row.addWidget(self.next_frame)
        row.addWidget(label("Speed", "field-name"))
        self.speed = QComboBox()
        self.speed.setObjectName(f"{name}_speed")
        self.speed.setAccessibleName("Speed")
        for value in SPEEDS:
            self.speed.addItem(f"{value:g}×", value)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(
            lambda _i: self.player.setPlaybackRate(float(self.speed.currentData()))
        )
        row.addWidget(self.speed)
        self.position_label = label("00:00 / 00:00", "muted")
        self.position_label.setObjectName(f"{name}_position")
        row.addWidget(self.position_label)
        row.addStretch(1)
        column.addLayout(row)
        self.message = label("", "muted", wrap=True)
        self.message.setObjectName(f"{name}_message")
        self.message.hide()
        column.addWidget(self.message)

        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.player.setVideoOutput(self.video)
        self.player.positionChanged.connect(self._position_changed)
        self.player.mediaStatusChanged.connect(self._media_status)
        # Slots, never lambdas, and calls through media_calls: see ui/common/media_calls.py.
        self.player.errorOccurred.connect(self._player_failed)
        self._asked: int | None = None  # a seek on its way to the player
        self._media_started = False
        self._device: SealedMediaDevice | None = None

    def _player_failed(self, _error: QMediaPlayer.Error, text: str) -> None:
        failure = self._device.failure if self._device is not None else ""
        self.say(f"The recording cannot be played: {failure or text}")

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def load(
        self, source: PlayerSource, notes_ms: Sequence[int] = (), bookmarks_ms: Sequence[int] = ()
    ) -> None:
        """Opens ``source``, paused at its start once loaded (``media_ready``), with the
        given notes and bookmarks marked on the time line."""
        self.source = source
        self.position_label.setText(f"00:00 / {clock_text(source.duration_ms)}")
        self.timeline.set_content(
            source.duration_ms, spans_of(source.marks, source.duration_ms), list(notes_ms), list(bookmarks_ms)
        )
        self._media_started = False
        previous, self._device = self._device, None
        if source.sealed is not None:
            self._device = SealedMediaDevice(source.sealed, self)
            self._device.open(QIODevice.OpenModeFlag.ReadOnly)
            self._device.seek(0)
            self.player.setSourceDevice(self._device, QUrl.fromLocalFile(str(source.media)))
        else:
            self.player.setSource(QUrl.fromLocalFile(str(source.media)))
        if previous is not None and previous.media is not source.sealed:
            media_calls.after(self, previous.close)  # once the player has let go of it
        elif previous is not None:
            previous.deleteLater()

    def set_bookmarks(self, bookmarks_ms: Sequence[int]) -> None:
        if self.source is not None:
            self.timeline.set_content(
                self.source.duration_ms, self.timeline.spans, self.timeline.notes_ms, list(bookmarks_ms)
            )

    def play_from(self, ms: int) -> None:
        self.seek(ms)
        media_calls.play(self.player)
        self.play_button.setText("❚❚ Pause")

    def stop(self) -> None:
        media_calls.stop(self.player)

    def release(self) -> None:
        """Stops and lets go of the recording: the player's threads are done with a sealed
        one's device before it is closed, never reading it while it goes."""
        media_calls.stop(self.player)
        media_calls.clear_source(self.player)
        device, self._device = self._device, None
        self.source = None
        if device is not None:
            media_calls.after(self, device.close)  # once the player has let go of it
            media_calls.after(self, device.deleteLater)

    def _media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if (
            status == QMediaPlayer.MediaStatus.LoadedMedia
            and self.source is not None
            and not self._media_started
        ):
            self._media_started = True  # once: a seek may bring the status back to "loaded"
            media_calls.pause(self.player)  # paused at the start: the first picture shows
            self.media_ready.emit()

    def seek(self, ms: int) -> None:
        self._asked = max(0, ms)
        media_calls.seek(self.player, self._asked)
        media_calls.after(self, self._seeked)

    def _seeked(self) -> None:
        self._asked = None

    def position(self) -> int:
        """Where the recording is, or is about to be after a seek just asked for."""
        return self._asked if self._asked is not None else self.player.position()

    def toggle_play(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            media_calls.pause(self.player)
            self.play_button.setText("▶ Play")
        else:
            media_calls.play(self.player)
            self.play_button.setText("❚❚ Pause")

    def step(self, frames: int) -> None:
        fps = self.source.fps if self.source is not None else 25
        media_calls.pause(self.player)
        self.play_button.setText("▶ Play")
        frame = round(self.position() * fps / 1000) + frames
        self.seek(round(max(0, frame) * 1000 / fps))

    def _position_changed(self, ms: int) -> None:
        self.timeline.set_position(ms)
        total = self.source.duration_ms if self.source is not None else self.player.duration()
        self.position_label.setText(f"{clock_text(ms)} / {clock_text(total)}")
