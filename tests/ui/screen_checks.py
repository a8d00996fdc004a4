"""What a screen must hold for everyone, checked on the real widgets: no text cut short (a
label's or a button's text wider than the room it is given), and every control that Tab
reaches named for a screen reader."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

SMALL_SCREEN = (1366, 768)
TITLE_BAR = 36  # what a window manager's title bar takes of the screen's height
DOUBLE_TEXT = 22  # points: twice the usual 11


def shown(widget: QWidget, root: QWidget) -> bool:
    """Shown, with some size: scrolled out of view counts (scrolling to it shows it whole)."""
    return widget.isVisibleTo(root) and widget.isVisible() and widget.width() > 1


def _lines(text: str) -> list[str]:
    return [line for line in text.replace("\u2028", "\n").split("\n")]


def needed_width(widget: QLabel | QAbstractButton) -> int:
    metrics = widget.fontMetrics()
    text = widget.text().replace("&&", "\0")
    if isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy() is not None):
        text = text.replace("&", "")  # the mnemonic's marker is not drawn (a label's, with a buddy)
    return max(metrics.horizontalAdvance(line.replace("\0", "&")) for line in _lines(text))


def given_width(widget: QLabel | QAbstractButton) -> int:
    if isinstance(widget, QLabel):
        return widget.contentsRect().width() - 2 * widget.margin() - max(0, widget.indent())
    option = QStyleOptionButton()
    option.initFrom(widget)
    if isinstance(widget, QCheckBox | QRadioButton):
        element = (
            QStyle.SubElement.SE_CheckBoxContents
            if isinstance(widget, QCheckBox)
            else QStyle.SubElement.SE_RadioButtonContents
        )
        return widget.style().subElementRect(element, option, widget).width()
    # A push or tool button: its width less what its style (padding, border) and icon take.
    hint = widget.sizeHint().width()
    return widget.width() - (hint - needed_width(widget))


def lay_out_pending(root: QWidget) -> None:
    """Runs the layouts a text change has asked for, as the next frame would: a clock's
    tick may set a longer text just before the check, with its layout request still queued."""
    for _ in range(4):  # a layout's request climbs one parent at a time
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def clipped_texts(root: QWidget) -> list[str]:
    """Every shown label and button whose text needs more width than it has. Labels that
    wrap, show rich text or a picture, or elide on purpose are left out (they cannot cut)."""
    lay_out_pending(root)
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, QLabel | QPushButton | QToolButton | QCheckBox | QRadioButton):
            continue
        if not widget.text() or not shown(widget, root):
            continue
        if isinstance(widget, QLabel):
            if (
                widget.wordWrap()
                or widget.textFormat() == Qt.TextFormat.RichText
                or widget.property("elides")
            ):
                continue
            if widget.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(widget.text()):
                continue
        if (
            isinstance(widget, QToolButton)
            and widget.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
        ):
            continue
        need, have = needed_width(widget), given_width(widget)
        if need > have + 1:
            name = widget.objectName() or type(widget).__name__
            found.append(f"{name} {widget.text()!r}: needs {need} px, has {have}")
    return found


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader says: the widget's own, its buddy label's, or its text."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


INSIDE_ONE = 120  # Tab presses a widget may keep for itself (a table's cells) before it lets go


def walk_by_tab(qtbot: QtBot, window: QWidget, limit: int = 300) -> list[QWidget]:
    """Presses Tab, as a person would, until focus comes back round; the widgets reached,
    in order. Where Tab is typed into the widget (a script editor), Ctrl+Tab leaves it, as
    in every Qt application; a widget that neither lets go of is a trap, and fails."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    reached: list[QWidget] = []
    for _ in range(limit):
        before = QApplication.focusWidget()
        qtbot.keyClick(before or window, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is before and before is not None:
            # Tab goes through a date's parts, or a table's cells, and then on.
            for _ in range(INSIDE_ONE):
                qtbot.keyClick(before, Qt.Key.Key_Tab)
                if QApplication.focusWidget() is not before:
                    break
            else:
                qtbot.keyClick(before, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
            now = QApplication.focusWidget()
            assert now is not before, (
                f"Tab and Ctrl+Tab cannot leave {type(before).__name__} {before.objectName()}"
            )
        if now is None:
            break
        if now in reached:
            if now is reached[0]:
                break
            continue
        reached.append(now)
    return reached


def unnamed(widgets: list[QWidget]) -> list[str]:
    """Those a screen reader could name only by their kind. A tab bar is named by its
    current tab, so one with no tabs yet (before an analysis) holds nothing to name."""
    return [
        f"{type(w).__name__} {w.objectName() or '(no object name)'} in {type(w.parent()).__name__}"
        for w in widgets
        if not accessible_name(w) and not (isinstance(w, QTabBar) and w.count() == 0)
    ]
