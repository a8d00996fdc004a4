"""How the rubric grid's cells look: descriptors wrapped and readable, the chosen level,
whether it is saved, and the focus. Painted once and kept.

A grid repaints dozens of cells whenever a row opens or closes. Laying out wrapped text
and painting each cell again in Python held the GUI thread (and with it the write
worker, which shares Python's lock) for tens of milliseconds a click; here each text is
laid out once (``_TextBlocks``) and each cell painted once per look (a cache of pixmaps).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPen,
    QPixmap,
    QStaticText,
    QTextLayout,
    QTextOption,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from ui.common import theme

Index = QModelIndex | QPersistentModelIndex

KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "area", "criterion" or "level"
CHOSEN_ROLE = Qt.ItemDataRole.UserRole + 2  # this level is the criterion's level
STATE_ROLE = Qt.ItemDataRole.UserRole + 3  # "saving", "retrying" or "saved" on the chosen cell
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 4
PAINT_ROLE = Qt.ItemDataRole.UserRole + 5  # (kind, text, chosen, state): what a cell paints, at once

PAD = 10
BADGE_HEIGHT = 22
PREVIEW_LINES = 4  # rows away from the cursor show this much of each descriptor; the cursor's row, all
DENSE_PAD = 5  # a dense grid (the sitting screen): several criteria at once at 1366×768
AREA_DENSE_PAD = 3  # a KSS area's heading row in a dense grid
DENSE_CRITERION_LINES = 2
DENSE_LEVEL_LINES = 1


class _TextBlocks:
    """Descriptors laid out once per (text, width, font, preview) and painted from the cache.

    A grid repaints dozens of cells whenever a row opens or closes; laying out wrapped
    text again each time cost tens of milliseconds of GUI-thread time per click.
    """

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, int, str, int], tuple[QStaticText, int, bool]] = {}

    def get(self, text: str, width: int, font: QFont, max_lines: int) -> tuple[QStaticText, int, bool]:
        """(the text to paint, its height, whether lines were left out)."""
        key = (text, width, font.key(), max_lines)
        hit = self._blocks.get(key)
        if hit is not None:
            return hit
        metrics = QFontMetrics(font)
        lines = _wrapped_lines(text, width, font)
        shown, cut = text, False
        if max_lines and len(lines) > max_lines:
            rest = " ".join("".join(lines[max_lines - 1 :]).split())
            last = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)
            shown, cut = "".join(lines[: max_lines - 1]) + last, True
        static = QStaticText(shown.replace("\n", "\u2028"))
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.setTextWidth(width)
        static.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
        static.prepare(QTransform(), font)
        height = min(len(lines), max_lines or len(lines)) * metrics.lineSpacing()
        if len(self._blocks) > 5000:
            self._blocks.clear()
        self._blocks[key] = (static, height, cut)
        return static, height, cut


def _wrapped_lines(text: str, width: int, font: QFont) -> list[str]:
    layout = QTextLayout(text.replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        lines.append(text[line.textStart() : line.textStart() + line.textLength()])
    layout.endLayout()
    return lines or [""]


class RubricDelegate(QStyledItemDelegate):
    """Paints descriptors wrapped with room around them, the chosen level and its state.

    In a compact grid the criterion under the cursor shows every descriptor in full and
    the others their first lines (a tooltip gives the rest), so that at 1366×768 several
    criteria fit beside the clock and the notes while the one being scored reads whole.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.blocks = _TextBlocks()
        self._fonts: dict[tuple[str, bool], QFont] = {}
        self._painted: dict[tuple[Any, ...], QPixmap] = {}  # oldest first

    def _view(self) -> QAbstractItemView | None:
        view = self.parent()
        return view if isinstance(view, QAbstractItemView) else None

    def _dense(self) -> bool:
        return bool(getattr(self._view(), "dense", False))

    def _pad(self) -> int:
        return DENSE_PAD if self._dense() else PAD

    def _lines(self, index: Index, kind: str) -> int:
        """How many lines a cell shows (0: all). A dense grid shows every row short (the
        descriptors in full beside it, and in tooltips); a compact one, rows away from the
        cursor."""
        view = self._view()
        if view is None or kind == "area":
            return 0
        if self._dense():
            return DENSE_CRITERION_LINES if kind == "criterion" else DENSE_LEVEL_LINES
        if getattr(view, "compact", False) and view.currentIndex().row() != index.row():
            return PREVIEW_LINES
        return 0

    def _text_rect(self, rect: QRect, kind: str) -> QRect:
        pad = self._pad()
        bottom = BADGE_HEIGHT if kind == "level" else 0
        return rect.adjusted(pad + (4 if kind == "criterion" else 0), pad, -pad, -pad - bottom)

    def _block(self, option: QStyleOptionViewItem, index: Index, width: int) -> tuple[QStaticText, int, bool]:
        kind, text, _chosen, _state = index.data(PAINT_ROLE)
        lines = self._lines(index, kind)
        return self.blocks.get(text, max(20, width), self._font(option, kind), lines)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        kind = index.data(KIND_ROLE)
        if kind == "area":
            pad = AREA_DENSE_PAD if self._dense() else PAD
            return QSize(200, QFontMetrics(self._font(option, kind)).height() + 2 * pad)
        pad = self._pad()
        width = max(80, option.rect.width()) - 2 * pad - (4 if kind == "criterion" else 0)
        _static, height, _cut = self._block(option, index, width)
        extra = BADGE_HEIGHT if kind == "level" else 0
        return QSize(width + 2 * pad, height + 2 * pad + extra)

    def helpEvent(
        self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem, index: Index
    ) -> bool:
        """The whole descriptor as a tooltip where the cell shows only its first lines."""
        if event.type() == QEvent.Type.ToolTip and index.data(KIND_ROLE) != "area":
            rect = self._text_rect(view.visualRect(index), index.data(KIND_ROLE))
            _static, _height, cut = self._block(option, index, rect.width())
            if cut:
                QToolTip.showText(event.globalPos(), index.data(), view, view.visualRect(index))
                return True
        return bool(super().helpEvent(event, view, option, index))

    def _font(self, option: QStyleOptionViewItem, kind: str | None) -> QFont:
        bold = kind in ("area", "criterion")
        key = (option.font.key(), bold)
        font = self._fonts.get(key)
        if font is None:
            font = QFont(option.font)
            if bold:
                font.setWeight(QFont.Weight.DemiBold)
            self._fonts[key] = font
        return font

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """From a cache of painted cells: a row opening or closing repaints every cell below
        it, and painting them all again in Python kept the GUI thread busy for milliseconds."""
        kind, text, chosen, state = index.data(PAINT_ROLE)
        rect = option.rect
        read_only = bool(getattr(index.model(), "read_only", False))
        has_focus = bool(option.state & QStyle.StateFlag.State_HasFocus)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver) and kind == "level" and not read_only
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        lines = self._lines(index, kind)
        key = (
            kind,
            text,
            rect.width(),
            rect.height(),
            chosen,
            state,
            has_focus,
            hovered,
            read_only,
            lines,
            self._pad(),
            option.font.key(),
            theme.current(),
            ratio,
        )
        pixmap = self._painted.get(key)
        if pixmap is None:
            pixmap = QPixmap(int(rect.width() * ratio), int(rect.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            # Opaque (every cell paints its whole background): copied, never blended.
            pixmap.fill(QColor(theme.colours().area if kind == "area" else theme.colours().surface))
            cell = QPainter(pixmap)
            self._paint_cell(cell, option, QRect(0, 0, rect.width(), rect.height()), key)
            cell.end()
            if len(self._painted) >= 160:
                self._painted.pop(next(iter(self._painted)))  # the oldest
            self._painted[key] = pixmap
        painter.drawPixmap(rect.topLeft(), pixmap)

    def _paint_cell(
        self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, key: tuple[Any, ...]
    ) -> None:
        kind, text, _w, _h, chosen, state, has_focus, hovered, read_only, lines, pad = key[:11]
        c = theme.colours()
        font = self._font(option, kind)
        painter.setFont(font)

        if kind == "area":
            painter.fillRect(rect, QColor(c.area))
            painter.setPen(QColor(c.area_text))
            painter.drawText(
                rect.adjusted(pad, 0, -pad, 0),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                text,
            )
            return

        painter.fillRect(rect, QColor(c.surface))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if chosen:
            painter.fillRect(rect.adjusted(1, 1, -1, -1), QColor(c.chosen))
            pen = QPen(QColor(c.error if state == "retrying" else c.chosen_border), 2)
            if state in ("saving", "retrying"):
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 4, 4)
        elif hovered:
            tint = QColor(c.chosen)
            tint.setAlpha(110)
            painter.fillRect(rect.adjusted(1, 1, -1, -1), tint)

        text_colour = QColor(c.text)
        if kind == "level" and not chosen and read_only:
            text_colour = QColor(c.muted)
        painter.setPen(text_colour)
        area = self._text_rect(rect, kind)
        static, _height, _cut = self.blocks.get(text, max(20, area.width()), font, lines)
        painter.drawStaticText(area.topLeft(), static)

        if kind == "level" and chosen:
            self._paint_badge(painter, rect, state, c, pad)
        if has_focus:
            painter.setPen(QPen(QColor(c.focus if not chosen else c.accent), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 4, 4)
        if kind == "criterion" and has_focus:
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), QColor(c.accent))

    def _paint_badge(
        self, painter: QPainter, rect: QRect, state: str | None, c: theme.Colours, pad: int
    ) -> None:
        saving = state in ("saving", "retrying")
        colour = {"saving": c.pending, "retrying": c.error}.get(state or "", c.saved)
        text = {"saving": "Saving…", "retrying": "Not saved yet — retrying"}.get(state or "", "Saved")
        font = QFont(painter.font())
        font.setWeight(QFont.Weight.DemiBold)
        font.setPointSizeF(max(8.0, font.pointSizeF() - 1))
        painter.setFont(font)
        icon = theme.icon("pending" if saving else "check", colour)
        badge = QRect(
            rect.left() + pad, rect.bottom() - BADGE_HEIGHT - pad // 2 + 2, rect.width() - 2 * pad, 18
        )
        icon.paint(painter, QRect(badge.left(), badge.top() + 1, 16, 16))
        painter.setPen(QColor(colour))
        painter.drawText(
            badge.adjusted(20, 0, 0, 0), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text
        )
