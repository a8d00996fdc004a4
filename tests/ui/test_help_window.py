"""The in-app manual: a page per role, opened at the role asked for, searchable with
real key presses, and closed with Escape."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from naas_centre.services.views import Role
from ui.common.help_window import PAGES, HelpWindow, count_matches, load_pages, manual_folder, show_manual


def test_every_role_has_a_page_with_steps() -> None:
    assert {role for role, _ in PAGES} == {r.value for r in Role}
    pages = load_pages()
    assert [p.role for p in pages] == [role for role, _ in PAGES]
    for page in pages:
        assert page.markdown.startswith("# ")
        assert "\n1. " in page.markdown, f"{page.role}: no steps"
    assert (manual_folder() / "assessor.md").is_file()


def test_it_opens_at_the_roles_page_and_search_marks_every_match(qtbot: QtBot) -> None:
    window = show_manual(Role.CENTRE_MANAGER)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    view = window.view
    assert view.current_role == "centre_manager"
    assert "Moderation" in view.browser.toPlainText()
    assert window.focusWidget() is view.search

    qtbot.keyClicks(view.search, "moderat")
    expected = count_matches(view.browser.toPlainText(), "moderat")
    assert expected >= 2 and view.matches_shown() == expected
    assert view.browser.textCursor().selectedText().casefold() == "moderat"
    first = view.browser.textCursor().position()
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.browser.textCursor().position() > first  # Enter: the next match
    assert "match" in view.found.text()

    hidden = [view.list.item(i).isHidden() for i in range(view.list.count())]
    assert hidden != [False] * len(hidden)  # pages without the word leave the list


def test_a_word_only_on_another_page_takes_you_there(qtbot: QtBot) -> None:
    window = show_manual(Role.ASSESSOR)
    qtbot.addWidget(window)
    view = window.view
    qtbot.keyClicks(view.search, "Cronbach")
    assert view.current_role == "qa_lead"
    assert view.matches_shown() >= 1
    view.search.clear()
    qtbot.keyClicks(view.search, "no such words anywhere")
    assert "not in the manual" in view.found.text()
    assert view.matches_shown() == 0


def test_escape_closes_and_f1_again_reopens_the_same_window(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    window = show_manual(Role.CANDIDATE_KIOSK, owner)
    assert isinstance(window, HelpWindow) and window.parent() is owner
    qtbot.waitExposed(window)
    qtbot.keyClick(window.view.search, Qt.Key.Key_Escape)
    assert not window.isVisible()
    again = show_manual(Role.ADMINISTRATOR, owner)
    assert again is window and again.isVisible()
    assert again.view.current_role == "administrator"
    again.close()


def test_a_copy_without_its_manual_says_so_in_the_window(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.common.help_window as help_window

    def nowhere() -> Path:
        raise help_window.ManualMissing("the manual is not installed (looked in /nowhere)")

    monkeypatch.setattr(help_window, "manual_folder", nowhere)
    owner = QWidget()
    qtbot.addWidget(owner)
    window = show_manual(Role.ASSESSOR, owner)
    assert "looked in /nowhere" in window.view.browser.toPlainText()
    window.close()
