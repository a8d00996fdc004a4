"""Light and dark themes: a style sheet, a palette, the colours painted by hand, icons.

Style sheets and icons are package resources found with ``importlib.resources``, so the
same code works from a checkout, an installed wheel and a frozen bundle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark")


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
    saved="#2e7d4f",
    pending="#8a5a00",
    error="#b3261e",
    progress="#4c86c6",
    focus="#f1c75b",
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
)

_current = "light"


def colours() -> Colours:
    return DARK if _current == "dark" else LIGHT


def current() -> str:
    return _current


def resource_text(*parts: str) -> str:
    entry = files("ui.common") / "resources"
    for part in parts:  # one name at a time, as an installed package's folders take them
        entry = entry / part
    return entry.read_text(encoding="utf-8")


def apply(app: QApplication, name: str = "light", point_size: int = 11) -> None:
    """Style the whole application; call again to switch."""
    global _current
    _current = name if name in THEMES else "light"
    c = colours()
    app.setStyle("Fusion")
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
    p.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor(c.muted))
    p.setColor(QPalette.ColorGroup.Disabled, role.WindowText, QColor(c.muted))
    p.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor(c.muted))
    return p


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
