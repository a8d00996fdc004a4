"""The recording's time line: the role-play with its pauses, camera gaps, the notes and
bookmarks as ticks, and where the player is. A click asks to play from there."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from naas_centre.video.index import Mark


@dataclass(frozen=True)
class Span:
    start_ms: int
    end_ms: int
    kind: str  # "pause" or "gap" (the camera lost)


def spans_of(marks: tuple[Mark, ...], duration_ms: int) -> list[Span]:
    """Pauses (pause → resume) and camera gaps (lost → back), in recording time."""
    found: list[Span] = []
    open_at: dict[str, int] = {}
    for mark in marks:
        at = round(mark.at * 1000)
        if mark.kind in ("pause", "camera_lost"):
            open_at.setdefault(mark.kind, at)
        elif mark.kind in ("resume", "camera_back"):
            opener = "pause" if mark.kind == "resume" else "camera_lost"
            if opener in open_at:
                start = open_at.pop(opener)
                found.append(Span(start, at, "pause" if opener == "pause" else "gap"))
    for opener, start in open_at.items():  # never resumed: to the end
        found.append(Span(start, duration_ms, "pause" if opener == "pause" else "gap"))
    return sorted(found, key=lambda s: s.start_ms)


class PhaseTimeline(QWidget):
    seek_requested = Signal(int)  # milliseconds

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("review_timeline")
        self.setMinimumHeight(34)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("The role-play: pauses in amber, camera gaps in grey, notes and bookmarks as ticks")
        self.duration_ms = 1  # never 0: positions are shares of it
        self.spans: list[Span] = []
        self.notes_ms: list[int] = []
        self.bookmarks_ms: list[int] = []
        self.position_ms = 0

    def sizeHint(self) -> QSize:
        return QSize(480, 34)

    def set_content(
        self, duration_ms: int, spans: list[Span], notes_ms: list[int], bookmarks_ms: list[int]
    ) -> None:
        self.duration_ms, self.spans = max(1, duration_ms), spans
        self.notes_ms, self.bookmarks_ms = notes_ms, bookmarks_ms
        self.update()

    def set_position(self, ms: int) -> None:
        self.position_ms = ms
        self.update()

    def _x(self, ms: int) -> float:
        return 4 + (self.width() - 8) * min(max(ms, 0), self.duration_ms) / self.duration_ms

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        bar = QRectF(4, 12, self.width() - 8, 12)
        painter.fillRect(bar, QColor("#cfe3d4"))
        for span in self.spans:
            colour = QColor("#f2b84b") if span.kind == "pause" else QColor("#9a9a9a")
            painter.fillRect(
                QRectF(
                    self._x(span.start_ms), 12, max(2.0, self._x(span.end_ms) - self._x(span.start_ms)), 12
                ),
                colour,
            )
        painter.setPen(QColor("#1f4e79"))
        for ms in self.notes_ms:
            x = self._x(ms)
            painter.drawLine(int(x), 4, int(x), 12)
        painter.setPen(QColor("#8e2c8e"))
        for ms in self.bookmarks_ms:
            x = self._x(ms)
            painter.drawLine(int(x), 24, int(x), 32)
        painter.setPen(QColor("#c0392b"))
        x = self._x(self.position_ms)
        painter.drawLine(int(x), 8, int(x), 28)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            share = (event.position().x() - 4) / max(1, self.width() - 8)
            self.seek_requested.emit(round(min(max(share, 0.0), 1.0) * self.duration_ms))
