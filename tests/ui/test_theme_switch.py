"""Switching theme with a sitting open: what is drawn in the theme's colours follows, so
the clock's bell is never dark on a dark card."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.conftest import DemoCentre
from tests.ui.scoring_station_support import close_view, first_sitting, open_view
from ui.common import theme
from ui.work.tasks import TaskManager


def _brightest(image: QImage) -> float:
    return max(
        QColor(image.pixel(x, y)).lightnessF() * (QColor(image.pixel(x, y)).alphaF())
        for x in range(image.width())
        for y in range(image.height())
    )


def test_the_bell_is_redrawn_for_the_dark_theme(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, qapp: QApplication
) -> None:
    actor = demo.actor("assessor1")
    view = open_view(qtbot, tasks, demo, actor, first_sitting(demo, actor))
    mute = next(iter(view.panels.values())).timer.mute
    light_bell = mute.icon().pixmap(16, 16).toImage()
    assert _brightest(light_bell) < 0.5  # dark ink on a light card
    try:
        theme.apply(qapp, "dark", 11)
        qtbot.waitUntil(lambda: _brightest(mute.icon().pixmap(16, 16).toImage()) > 0.8, timeout=5_000)
    finally:
        theme.apply(qapp, "light", 11)
    close_view(view, tasks, qtbot)
