"""Right-to-left names in left-to-right screens: a list or a table shows an Arabic name in
its own order with the figures beside it where they were written, as the application's
style isolates each right-to-left run before Qt lays the cell's text out."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem, QWidget
from pytestqt.qtbot import QtBot

from naas_centre.formatting import bidi_isolated

NAME = "ليلى حداد (2) · 09:00"


def _grab(widget: QWidget) -> QImage:
    return widget.grab().toImage()


def _painted(text: str, width: int = 420, height: int = 40) -> QImage:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
    painter.end()
    return image


def test_isolating_changes_what_qt_draws() -> None:
    """The control: drawn as written, the figures are pulled into the name's direction."""
    assert _painted(NAME) != _painted(bidi_isolated(NAME))


def _table(qtbot: QtBot, text: str) -> QTableWidget:
    table = QTableWidget(1, 1)
    table.setItem(0, 0, QTableWidgetItem(text))
    table.setColumnWidth(0, 380)
    table.resize(420, 80)
    qtbot.addWidget(table)
    return table


def test_a_table_cell_shows_the_name_isolated(qtbot: QtBot, qapp: QApplication) -> None:
    raw, isolated = _table(qtbot, NAME), _table(qtbot, bidi_isolated(NAME))
    assert _grab(raw.viewport()) == _grab(isolated.viewport())
    assert raw.item(0, 0).text() == NAME  # what is stored and copied is what was written
