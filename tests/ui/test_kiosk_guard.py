"""The kiosk's guard against what keys alone do not cover: text committed through an
input method in one piece (a paste by another road), and the window being minimised.
Real Qt events sent through the application, on a real kiosk over the demo centre."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.test_kiosk import MakeKiosk, assessor, make_kiosk, sitting_id, start_writing
from ui.written.kiosk_guard import LONGEST_COMPOSED_COMMIT
from ui.written.script_editor import ScriptEditor

__all__ = ["assessor", "make_kiosk", "sitting_id"]  # fixtures shared with test_kiosk.py


def commit(widget: ScriptEditor, text: str, preedit: str = "") -> None:
    event = QInputMethodEvent(preedit, [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_a_long_input_method_commit_is_refused_as_a_paste_is(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    start_writing(qtbot, kiosk)
    editor = kiosk.editor
    editor.setFocus()
    with qtbot.waitSignal(editor.paste_blocked):
        commit(editor, "x" * 1100)
    assert editor.toPlainText() == ""
    assert "Pasting" in kiosk.notice.text()


def test_composed_words_still_go_in(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    start_writing(qtbot, kiosk)
    editor = kiosk.editor
    editor.setFocus()
    commit(editor, "", preedit="ni")  # composing shows, nothing committed yet
    commit(editor, "你好")  # a word from an input method
    commit(editor, "é")  # a dead key
    commit(editor, "y" * LONGEST_COMPOSED_COMMIT)  # the longest a composition may be
    assert editor.toPlainText() == "你好é" + "y" * LONGEST_COMPOSED_COMMIT
    blocked: list[bool] = []
    editor.paste_blocked.connect(lambda: blocked.append(True))
    commit(editor, "z" * (LONGEST_COMPOSED_COMMIT + 1))  # one more is a paste
    assert blocked == [True]
    assert editor.toPlainText() == "你好é" + "y" * LONGEST_COMPOSED_COMMIT


def test_where_the_pack_allows_paste_a_long_commit_goes_in(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    start_writing(qtbot, kiosk)
    kiosk.editor.allow_paste = True
    kiosk.editor.setFocus()
    commit(kiosk.editor, "allowed " * 20)
    assert kiosk.editor.toPlainText() == "allowed " * 20


def test_a_minimised_kiosk_comes_back_full_screen_and_active(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    assert kiosk.isFullScreen()
    with qtbot.waitSignal(kiosk.guard.reclaimed):
        kiosk.showMinimized()
    assert not kiosk.isMinimized()
    assert kiosk.windowState() & Qt.WindowState.WindowFullScreen
    assert kiosk.isVisible()
