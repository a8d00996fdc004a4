"""Small helpers for the few widget shapes used everywhere (labels with a style role, buttons,
a label that elides, a screen that scrolls rather than grow past a small screen)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from naas_centre.formatting import bidi_isolated


def label(text: str, role: str = "", *, buddy: QWidget | None = None, wrap: bool = False) -> QLabel:
    """A label styled by ``role`` (title, heading, muted, error, saved, pending, field-name)."""
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    if buddy is not None:
        widget.setBuddy(buddy)
    widget.setWordWrap(wrap)
    return widget


class ElidedLabel(QLabel):
    """One line of plain text that, given less room than it needs, ends in "…" and says the
    whole of it in a tooltip and to a screen reader: never cut mid-word at the edge."""

    def __init__(self, text: str = "", role: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        if role:
            self.setProperty("role", role)
        self.setProperty("elides", True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)  # shrinks to "…"
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setAccessibleName(text)
        self._tooltip()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().horizontalAdvance("W…"), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._tooltip()

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def _tooltip(self) -> None:
        self.setToolTip(self.text() if self.is_elided() else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        whole = bidi_isolated(self.text())
        shown = self.fontMetrics().elidedText(whole, Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)


def scrolling(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area: at its own size where the window is large
    enough, scrolled rather than cut or grown past the screen where it is not (a small
    screen, twice the text size)."""
    area = QScrollArea()
    area.setObjectName(f"{content.objectName() or 'content'}_scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(content)
    return area


def scroll_when_small(window: QWidget) -> None:
    """Moves a window's whole layout into a scroll area, so a dialog taller or wider than
    a small screen scrolls instead of going off its edge."""
    layout = window.layout()
    if layout is None:
        return
    inner = QWidget()
    inner.setObjectName(f"{window.objectName() or type(window).__name__}_content")
    inner.setLayout(layout)  # Qt moves the layout and its widgets across
    outer = QVBoxLayout(window)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scrolling(inner))
    # As large as the content asks (no scroll bars where the screen has room), never
    # larger than the screen.
    wanted = window.size().expandedTo(inner.sizeHint())
    screen = window.screen()
    if screen is not None:
        wanted = wanted.boundedTo(screen.availableGeometry().size() - QSize(0, TITLE_BAR))
    window.resize(wanted)


TITLE_BAR = 36  # what a window manager's title bar takes, before it has framed a window


def set_role(widget: QWidget, role: str) -> None:
    """Change a widget's style role and have the style sheet apply it again."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def primary_button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setProperty("role", "primary")
    return button


def card(role: str = "card") -> QFrame:
    frame = QFrame()
    frame.setProperty("role", role)
    return frame
