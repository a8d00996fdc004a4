"""The screens show every candidate's name: the CJK font the reports ship is added to Qt's
fonts, so a workstation without one shows a Chinese name, not empty boxes."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics
from pytestqt.qtbot import QtBot

from ui.common import theme


def test_the_shipped_cjk_font_is_there_for_the_screens(qtbot: QtBot) -> None:
    families = theme.add_shipped_fonts()
    assert "WenQuanYi Micro Hei" in families
    assert "WenQuanYi Micro Hei" in QFontDatabase.families()
    shipped = QFont("WenQuanYi Micro Hei")
    assert QFontMetrics(shipped).inFontUcs4(ord("王"))  # 王 of a demo candidate's name
    assert theme.add_shipped_fonts() == families  # once: a second call adds nothing
