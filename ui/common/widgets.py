"""Small helpers for the few widget shapes used everywhere (labels with a style role, buttons)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QWidget


def label(text: str, role: str = "", *, buddy: QWidget | None = None, wrap: bool = False) -> QLabel:
    """A label styled by ``role`` (title, heading, muted, error, saved, pending, field-name)."""
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    if buddy is not None:
        widget.setBuddy(buddy)
    widget.setWordWrap(wrap)
    return widget


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
