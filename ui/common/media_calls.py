"""Calls into a ``QMediaPlayer`` made from Qt's event loop, never straight from Python.

The FFmpeg backend's ``stop``, ``play``, ``pause`` and seeks wait for its own threads,
and those threads may need Python's lock on the way (to tell or destroy a wrapped
object). Called from Python, the GUI thread holds that lock while it waits: each waits
for the other (seen: the kiosk hung stopping a clip). Queued, the call runs from the
event loop, where PySide has let go of the lock.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Q_ARG, QMetaObject, QObject, Qt, QTimer, QUrl
from PySide6.QtMultimedia import QMediaPlayer

_QUEUED = Qt.ConnectionType.QueuedConnection


def play(player: QMediaPlayer) -> None:
    QMetaObject.invokeMethod(player, "play", _QUEUED)


def pause(player: QMediaPlayer) -> None:
    QMetaObject.invokeMethod(player, "pause", _QUEUED)


def stop(player: QMediaPlayer) -> None:
    QMetaObject.invokeMethod(player, "stop", _QUEUED)


def clear_source(player: QMediaPlayer) -> None:
    """The player holds no media (nor a device) any more."""
    QMetaObject.invokeMethod(player, "setSource", _QUEUED, Q_ARG("QUrl", QUrl()))


def seek(player: QMediaPlayer, ms: int) -> None:
    QMetaObject.invokeMethod(player, "setPosition", _QUEUED, Q_ARG("qint64", int(ms)))


def after(context: QObject, then: Callable[[], None]) -> None:
    """``then`` from the event loop, after every call queued here so far (events run in order)."""
    QTimer.singleShot(0, context, then)
