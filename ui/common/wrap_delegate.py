"""Table cells with room around their text, wrapped to a few lines and elided after that.

Style-sheet padding on items is not counted when rows size themselves to their
contents, so wrapped text gets clipped mid-line; this delegate measures what it paints.
Keep the whole text in the cell's tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetrics, QPainter, QPalette, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from naas_centre.formatting import bidi_isolated

Index = QModelIndex | QPersistentModelIndex


def wrapped_lines(text: str, font: QFont, width: int, max_lines: int) -> list[str]:
    """``text`` as it wraps in ``width`` pixels: at most ``max_lines``, the last one elided."""
    metrics = QFontMetrics(font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    out: list[str] = []
    for paragraph in text.split("\n"):
        layout = QTextLayout(paragraph, font)
        layout.setTextOption(option)
        layout.beginLayout()
        while len(out) < max_lines:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start, length = line.textStart(), line.textLength()
            if len(out) == max_lines - 1 and start + length < len(paragraph):
                out.append(metrics.elidedText(paragraph[start:], Qt.TextElideMode.ElideRight, width))
            else:
                out.append(paragraph[start : start + length].rstrip())
        layout.endLayout()
        if len(out) >= max_lines:
            break
    return out


class WrapDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None, *, max_lines: int = 3, pad: int = 8) -> None:
        super().__init__(parent)
        self.max_lines = max_lines
        self.pad = pad

    def _text_width(self, option: QStyleOptionViewItem, index: Index) -> int:
        width = option.rect.width()
        view = self.parent()
        if isinstance(view, QTableView):
            width = view.columnWidth(index.column())  # rows are sized before cells are laid out
        return max(40, width - 2 * self.pad)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        lines = wrapped_lines(text, option.font, self._text_width(option, index), self.max_lines)
        base = super().sizeHint(option, index)
        return QSize(base.width(), max(1, len(lines)) * option.fontMetrics.lineSpacing() + 2 * self.pad)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        text = bidi_isolated(option.text)  # an Arabic name keeps its order among the rest
        option.text = ""
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        r = option.rect.adjusted(self.pad, self.pad, -self.pad, -self.pad)
        lines = wrapped_lines(text, option.font, r.width(), self.max_lines)
        step = option.fontMetrics.lineSpacing()
        top = r.top() + max(0, (r.height() - len(lines) * step) // 2)
        painter.save()
        painter.setFont(option.font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        brush = index.data(Qt.ItemDataRole.ForegroundRole)
        if isinstance(brush, QBrush) and not selected:
            painter.setPen(brush.color())
        else:
            role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            painter.setPen(option.palette.color(role))
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for i, line in enumerate(lines):
            painter.drawText(QRect(r.left(), top + i * step, r.width(), step), flags, line)
        painter.restore()
