"""Renders ``naas-centre.svg`` into the PNG sizes a Linux desktop looks for and the
Windows installer's ``.ico``. Run after changing the drawing; the results are committed.

    QT_QPA_PLATFORM=offscreen python packaging/icons/render.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
PNG_SIZES = (48, 128, 256)
ICO_SIZE = 256  # Windows scales one 256-pixel picture down well enough for every place


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(HERE / "naas-centre.svg")).render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    for size in PNG_SIZES:
        if not render(size).save(str(HERE / f"naas-centre-{size}.png")):
            raise SystemExit(f"could not write naas-centre-{size}.png")
    if not render(ICO_SIZE).save(str(HERE / "naas-centre.ico"), "ICO"):
        raise SystemExit("could not write naas-centre.ico (Qt's ICO image plugin is missing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
