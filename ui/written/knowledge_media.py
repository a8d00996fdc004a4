"""A knowledge-test item's media inside the kiosk: a case file's text, or a clip with captions.

A clip plays in the kiosk window itself (Qt Multimedia: ``QMediaPlayer`` into a
``QVideoWidget``), never in another program; its captions come from the item's WebVTT
file and follow the player's position. The candidate may play it once and replay it
as often as the blueprint allows (``video_replays``); the plays left are counted per
item for as long as the kiosk is open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from naas_centre.core.captions import Cue, cue_at, parse_vtt
from naas_centre.services.knowledge import ShownMedia
from ui.common import media_calls


class CaseFileView(QTextBrowser):
    """A case file's text, read only."""

    def __init__(self, media: ShownMedia | None = None) -> None:
        super().__init__()
        self.setObjectName("knowledge_case")
        self.setAccessibleName("The case file")
        self.setOpenLinks(False)
        self.setMinimumHeight(160)
        if media is not None:
            self.load(media)

    def load(self, media: ShownMedia) -> None:
        """Shows another case file here (the kiosk reuses the view, as its players)."""
        self.setMarkdown(media.text)
        self.verticalScrollBar().setValue(0)


class ClipPlayer(QWidget):
    """One clip, its captions, and a Play button that counts the plays allowed.

    The kiosk keeps its players and ``load``s the next item's clip into one: making a
    player, its audio output and its video surface takes longer than a frame (the first
    far longer), so the next item would not show within one. The file itself opens just
    after the item is shown."""

    played = Signal(int)  # plays so far

    def __init__(
        self, media: ShownMedia | None = None, plays_allowed: int = 1, plays_so_far: int = 0
    ) -> None:
        super().__init__()
        self.setObjectName("knowledge_clip")
        self.plays_allowed = plays_allowed
        self.plays = plays_so_far
        self.cues: tuple[Cue, ...] = ()
        self._cues_of: dict[str, tuple[Cue, ...]] = {}  # by captions file: read once per kiosk
        self._source: QUrl | None = None
        self.available = False
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.video = QVideoWidget()
        self.video.setMinimumSize(480, 270)
        self.video.setAccessibleName("The video clip")
        box.addWidget(self.video, 1)
        self.caption = QLabel("")
        self.caption.setObjectName("knowledge_caption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setAccessibleName("Captions")
        box.addWidget(self.caption)
        row = QHBoxLayout()
        self.play_button = QPushButton("Play the clip")
        self.play_button.setObjectName("knowledge_play")
        self.play_button.clicked.connect(self.play)
        self.plays_note = QLabel("")
        self.plays_note.setObjectName("knowledge_plays")
        row.addWidget(self.play_button)
        row.addWidget(self.plays_note, 1)
        box.addLayout(row)
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.player.setVideoOutput(self.video)
        self.player.positionChanged.connect(self._position)
        # Slots of this widget, never lambdas: the player's backend emits from its own
        # threads, and a lambda would run there and wait for Python's lock while the GUI
        # thread holds it inside stop() (seen: the kiosk hung on stopping a clip).
        self.player.playbackStateChanged.connect(self._state_changed)
        if media is not None:
            self.load(media, plays_allowed, plays_so_far)
        else:
            self._show_plays()

    def load(self, media: ShownMedia, plays_allowed: int, plays_so_far: int = 0) -> None:
        """Shows ``media`` in this player, with the plays already used of it."""
        self.stop()
        self.plays_allowed = plays_allowed
        self.plays = plays_so_far
        self.cues = self._captions(media)
        self.available = media.path is not None
        if media.path is not None:
            self.caption.setText("")
            self._source = QUrl.fromLocalFile(str(media.path))
            QTimer.singleShot(0, self._open)
        else:
            self._source = None
            self.caption.setText("The clip cannot be found on this workstation. Please tell an assessor.")
        self._show_plays()

    def _captions(self, media: ShownMedia) -> tuple[Cue, ...]:
        if media.captions is None:
            return ()
        key = str(media.captions)
        if key not in self._cues_of:
            try:
                self._cues_of[key] = parse_vtt(media.captions.read_text(encoding="utf-8-sig"))
            except OSError:
                self._cues_of[key] = ()
        return self._cues_of[key]

    @Slot()
    def _open(self) -> None:
        if self._source is not None and self.player.source() != self._source:
            self.player.setSource(self._source)

    @property
    def plays_left(self) -> int:
        return max(0, self.plays_allowed - self.plays)

    def play(self) -> None:
        if not self.available or self.plays_left == 0:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            return
        self.plays += 1
        media_calls.seek(self.player, 0)
        media_calls.play(self.player)
        self.played.emit(self.plays)
        self._show_plays()

    def stop(self) -> None:
        media_calls.stop(self.player)

    @Slot(QMediaPlayer.PlaybackState)
    def _state_changed(self, _state: QMediaPlayer.PlaybackState) -> None:
        self._show_plays()

    @Slot(int)
    def _position(self, ms: int) -> None:
        text = cue_at(self.cues, ms)
        if self.caption.text() != text:
            self.caption.setText(text)

    def _show_plays(self) -> None:
        playing = self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        left = self.plays_left
        self.play_button.setEnabled(self.available and left > 0 and not playing)
        self.play_button.setText("Play the clip" if self.plays == 0 else "Play it again")
        if left == 0:
            note = "You have watched this clip as many times as allowed."
        else:
            note = f"{left} play{'s' if left != 1 else ''} left."
        self.plays_note.setText(note)
