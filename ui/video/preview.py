"""The live preview: the recorder's newest picture, read on a timer, never waited for.

``Recorder.latest()`` is a slot the capture thread fills; reading it takes no lock and
never blocks. A picture is wrapped as a ``QImage`` over the recorder's own buffer (no
copy) and scaled once to the preview's size: that scaled image is the one copy made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

if TYPE_CHECKING:
    from naas_centre.video.recorder import PreviewFrame
    from naas_centre.video.sources import Image

PREVIEW_MS = 80  # about 12 pictures a second: enough to see the room, cheap on the GUI thread
PREVIEW_SIZE = QSize(160, 90)


def to_qimage(image: Image, size: QSize) -> QImage:
    """A BGR picture scaled into ``size``: wrapped without copying, then scaled (one copy)."""
    height, width = image.shape[:2]
    wrapped = QImage(image.data, width, height, image.strides[0], QImage.Format.Format_BGR888)
    return wrapped.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)


class PreviewLabel(QLabel):
    """Shows the newest picture ``latest`` gives (None: nothing yet)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("video_preview")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFixedSize(PREVIEW_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setProperty("role", "muted")
        self.setText("No picture")
        self._latest: Callable[[], PreviewFrame | None] | None = None
        self._shown_at: float | None = None
        self.frames_shown = 0
        self.timer = QTimer(self)
        self.timer.setInterval(PREVIEW_MS)
        self.timer.timeout.connect(self.refresh)

    def follow(self, latest: Callable[[], PreviewFrame | None] | None) -> None:
        self._latest, self._shown_at = latest, None
        if latest is None:
            self.timer.stop()
            self.clear()
            self.setText("No picture")
        else:
            self.timer.start()

    def refresh(self) -> None:
        frame = self._latest() if self._latest is not None else None
        if frame is None or frame.at == self._shown_at:
            return
        self._shown_at = frame.at
        self.setPixmap(QPixmap.fromImage(to_qimage(frame.image, self.contentsRect().size())))
        self.frames_shown += 1
