"""Light, dark and high-contrast themes: a style sheet, a palette, the colours painted by
hand, icons, and the check and radio indicators drawn in the theme's own colours.

Style sheets and icons are package resources found with ``importlib.resources``, so the
same code works from a checkout, an installed wheel and a frozen bundle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionViewItem,
    QWidget,
)

from naas_centre.formatting import bidi_isolated

THEMES = ("light", "dark", "high-contrast")


@dataclass(frozen=True)
class Colours:
    """Colours for what delegates paint themselves (the rubric grid, the day board)."""

    window: str
    surface: str
    text: str
    muted: str
    accent: str
    accent_text: str
    chosen: str  # a chosen rubric level
    chosen_border: str
    area: str  # a KSS area's header row
    area_text: str
    grid: str
    saved: str
    pending: str
    error: str
    progress: str
    focus: str
    disabled: str  # text of a disabled control: fainter, still legible


LIGHT = Colours(
    window="#f4f6f9",
    surface="#ffffff",
    text="#1d2330",
    muted="#566072",
    accent="#2563a8",
    accent_text="#ffffff",
    chosen="#dce9f7",
    chosen_border="#2563a8",
    area="#eef1f5",
    area_text="#1f3b5c",
    grid="#e3e7ed",
    saved="#256b42",
    pending="#8a5a00",
    error="#b3261e",
    progress="#4c86c6",
    focus="#a86b00",
    disabled="#8c95a3",
)

DARK = Colours(
    window="#1b1e23",
    surface="#24282f",
    text="#e6e8eb",
    muted="#a9b1bd",
    accent="#6ea8e6",
    accent_text="#10151c",
    chosen="#25405f",
    chosen_border="#8dbbec",
    area="#2d323a",
    area_text="#cfe0f4",
    grid="#363c46",
    saved="#8fd3a6",
    pending="#f0c46c",
    error="#ffb4ab",
    progress="#5b93d0",
    focus="#c9a13b",
    disabled="#7d8592",
)

# White on black, yellow for what has focus or is chosen: for readers who need the most
# contrast (every text pair above 7:1, WCAG AAA).
HIGH_CONTRAST = Colours(
    window="#000000",
    surface="#000000",
    text="#ffffff",
    muted="#e0e0e0",
    accent="#ffe14d",
    accent_text="#000000",
    chosen="#3a3000",
    chosen_border="#ffe14d",
    area="#1a1a1a",
    area_text="#ffffff",
    grid="#8c8c8c",
    saved="#8fd3a6",
    pending="#f0c46c",
    error="#ffb4ab",
    progress="#ffe14d",
    focus="#ffe14d",
    disabled="#a6a6a6",
)

_BY_NAME = {"light": LIGHT, "dark": DARK, "high-contrast": HIGH_CONTRAST}

_current = "light"
_style: QProxyStyle | None = None


def colours() -> Colours:
    return _BY_NAME[_current]


def is_dark() -> bool:
    """Whether text is light on a dark ground (dark and high contrast): for colours chosen
    outside the palette, such as a chart's series."""
    return _current != "light"


def current() -> str:
    return _current


def resource_text(*parts: str) -> str:
    entry = files("ui.common") / "resources"
    for part in parts:  # one name at a time, as an installed package's folders take them
        entry = entry / part
    return entry.read_text(encoding="utf-8")


def apply(app: QApplication, name: str = "light", point_size: int = 11) -> None:
    """Style the whole application; call again to switch."""
    global _current, _style
    _current = name if name in THEMES else "light"
    c = colours()
    if _style is None:  # once: the application owns it from then on, kept alive here too
        _style = ThemeStyle()
        app.setStyle(_style)
    font = QFont(app.font())
    font.setPointSize(point_size)
    app.setFont(font)
    app.setPalette(_palette(c))
    app.setStyleSheet(resource_text(f"{_current}.qss"))
    _icon.cache_clear()


SHIPPED_FONTS = ("wqy-microhei.ttc",)  # beside the reports' fonts: Chinese, Japanese, Korean


@cache
def add_shipped_fonts() -> tuple[str, ...]:
    """The fonts the reports ship, for the screens too: a workstation without a CJK font
    would show a candidate's Chinese name as empty boxes. Qt falls back to them for any
    character the chosen font lacks. Once, after the first window is up (about 6 ms)."""
    from PySide6.QtGui import QFontDatabase

    families: list[str] = []
    for name in SHIPPED_FONTS:
        path = files("naas_centre.reports") / "fonts" / name
        added = QFontDatabase.addApplicationFont(str(path))
        families += QFontDatabase.applicationFontFamilies(added) if added >= 0 else []
    return tuple(families)


def _palette(c: Colours) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    p.setColor(role.Window, QColor(c.window))
    p.setColor(role.WindowText, QColor(c.text))
    p.setColor(role.Base, QColor(c.surface))
    p.setColor(role.AlternateBase, QColor(c.area))
    p.setColor(role.Text, QColor(c.text))
    p.setColor(role.Button, QColor(c.surface))
    p.setColor(role.ButtonText, QColor(c.text))
    p.setColor(role.ToolTipBase, QColor(c.surface))
    p.setColor(role.ToolTipText, QColor(c.text))
    p.setColor(role.PlaceholderText, QColor(c.muted))
    p.setColor(role.Highlight, QColor(c.accent))
    p.setColor(role.HighlightedText, QColor(c.accent_text))
    p.setColor(role.Link, QColor(c.accent))
    # Fusion draws frames, sliders and scroll bars from these: derived from the window
    # colour they vanish on a dark one, so they take the text and grid colours instead.
    p.setColor(role.Mid, QColor(c.muted))
    p.setColor(role.Dark, QColor(c.muted))
    p.setColor(role.Shadow, QColor(c.grid))
    disabled = QPalette.ColorGroup.Disabled
    for faint in (role.Text, role.WindowText, role.ButtonText):
        p.setColor(disabled, faint, QColor(c.disabled))
    p.setColor(disabled, role.Highlight, QColor(c.grid))
    return p


class ThemeStyle(QProxyStyle):
    """Fusion, with two things of its own for every screen.

    Check boxes and radio buttons are drawn in the theme's colours: Fusion's own outline is
    the window colour a little darker, faint on a dark ground. The outline is the text
    colour (above 4.5:1 in every theme), the mark the accent; a disabled one is outlined in
    the disabled colour and dotted, so it differs in shape, not colour alone.

    Text in every list and table has its right-to-left runs (an Arabic name) isolated
    (``formatting.bidi_isolated``), so a name keeps its order and the figures and
    punctuation beside it stay where they were written."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.ControlElement.CE_ItemViewItem and isinstance(option, QStyleOptionViewItem):
            isolated = bidi_isolated(option.text)
            if isolated != option.text:
                option = QStyleOptionViewItem(option)
                option.text = isolated
        super().drawControl(element, option, painter, widget)

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        radio = element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
        if not radio and element != QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            super().drawPrimitive(element, option, painter, widget)
            return
        c = colours()
        state = option.state
        enabled = bool(state & QStyle.StateFlag.State_Enabled)
        box = QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(QColor(c.text if enabled else c.disabled), 1.6)
        if not enabled:
            pen.setStyle(Qt.PenStyle.DotLine)
        painter.setPen(pen)
        painter.setBrush(QColor(c.surface))
        if radio:
            painter.drawEllipse(box)
        else:
            painter.drawRoundedRect(box, 2.5, 2.5)
        mark = QColor(c.accent if enabled else c.disabled)
        if state & QStyle.StateFlag.State_On:
            if radio:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(mark)
                inset = box.width() * 0.26
                painter.drawEllipse(box.adjusted(inset, inset, -inset, -inset))
            else:
                painter.setBrush(mark)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawRoundedRect(box, 2.5, 2.5)
                tick = QPen(QColor(c.accent_text if enabled else c.surface), max(1.6, box.width() / 7))
                tick.setCapStyle(Qt.PenCapStyle.RoundCap)
                painter.setPen(tick)
                w, h, x, y = box.width(), box.height(), box.left(), box.top()
                painter.drawPolyline(
                    [
                        QPointF(x + w * 0.22, y + h * 0.52),
                        QPointF(x + w * 0.42, y + h * 0.72),
                        QPointF(x + w * 0.78, y + h * 0.30),
                    ]
                )
        elif state & QStyle.StateFlag.State_NoChange:
            painter.setPen(QPen(mark, 2))
            middle = box.center().y()
            painter.drawLine(QPointF(box.left() + 3, middle), QPointF(box.right() - 3, middle))
        painter.restore()


def icon(name: str, colour: str | None = None) -> QIcon:
    """An SVG icon from ``resources/icons``, drawn in ``colour`` (the theme's text colour)."""
    return _icon(name, colour or colours().text)


@cache
def _icon(name: str, colour: str) -> QIcon:
    svg = resource_text("icons", f"{name}.svg").replace("currentColor", colour)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    result = QIcon()
    for size in (16, 20, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result
