"""Every user action of the main window, declared once.

An action is an id, its text, its shortcut, the window method that handles it and when
it is enabled. Menus, buttons, the shortcuts and the keyboard help are all built
from ``ACTIONS``, so a keyboard user reaches everything a mouse user does, and a new
action needs one line here and one method on the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QToolButton, QWidget
from shiboken6 import Shiboken

from ui import theme


@dataclass(frozen=True)
class UiState:
    """What decides which actions are enabled."""

    locked: bool = False
    view: str = "day"  # "day" or "sitting"
    can_submit: bool = False
    can_scroll_days: bool = True


Condition = Callable[[UiState], bool]


def _always(state: UiState) -> bool:
    return True


def _unlocked(state: UiState) -> bool:
    return not state.locked


def _on_day(state: UiState) -> bool:
    return not state.locked and state.view == "day"


def _in_sitting(state: UiState) -> bool:
    return not state.locked and state.view == "sitting"


def _can_submit(state: UiState) -> bool:
    return _in_sitting(state) and state.can_submit


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    menu: str
    handler: str  # the name of the window's method that carries it out
    shortcut: str | QKeySequence.StandardKey | None = None
    enabled_when: Condition = _unlocked
    icon: str | None = None
    tip: str = ""
    checkable: bool = False


MENUS = ("&Centre", "&Day", "&Sitting", "&View", "&Help")

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "day.back",
        "&Back to the day",
        "&Day",
        "show_day",
        "Alt+Left",
        _in_sitting,
        "back",
        "Leave the sitting (every score is already saved) and return to the day",
    ),
    ActionSpec(
        "day.previous",
        "&Previous day",
        "&Day",
        "previous_day",
        "Ctrl+PgUp",
        _on_day,
        "chevron-left",
        "The previous day with sittings",
    ),
    ActionSpec(
        "day.next",
        "&Next day",
        "&Day",
        "next_day",
        "Ctrl+PgDown",
        _on_day,
        "chevron-right",
        "The next day with sittings",
    ),
    ActionSpec(
        "day.today",
        "&Today",
        "&Day",
        "go_today",
        "Ctrl+T",
        _on_day,
        "calendar",
        "Today, or the nearest day with sittings",
    ),
    ActionSpec(
        "day.refresh",
        "&Refresh",
        "&Day",
        "refresh",
        "F5",
        _unlocked,
        "refresh",
        "Read the day again from the database",
    ),
    ActionSpec(
        "sitting.submit",
        "S&ubmit scores…",
        "&Sitting",
        "submit_sitting",
        "Ctrl+Return",
        _can_submit,
        "submit",
        "Submit your scores for this sitting; they cannot be changed afterwards",
    ),
    ActionSpec(
        "centre.lock",
        "&Lock the screen",
        "&Centre",
        "lock_now",
        "Ctrl+L",
        _unlocked,
        "lock",
        "Cover the window until your password is entered",
    ),
    ActionSpec(
        "centre.sign_out",
        "Sign &out",
        "&Centre",
        "sign_out",
        "Ctrl+Shift+L",
        _unlocked,
        "sign-out",
        "Sign out and return to the sign-in window",
    ),
    ActionSpec("centre.quit", "&Quit", "&Centre", "quit_app", QKeySequence.StandardKey.Quit, _unlocked),
    ActionSpec("view.dark", "&Dark theme", "&View", "toggle_dark", "Ctrl+Shift+D", _always, checkable=True),
    ActionSpec("view.preferences", "&Preferences…", "&View", "edit_preferences", "Ctrl+,", _unlocked),
    ActionSpec("help.keys", "&Keyboard shortcuts", "&Help", "show_keys", "F1", _always),
    ActionSpec("help.about", "&About naas-centre", "&Help", "show_about", None, _always),
)

# Keys the rubric grid handles itself, listed beside the actions in the keyboard help.
GRID_KEYS: tuple[tuple[str, str], ...] = (
    ("↑ / ↓", "Previous or next criterion"),
    ("← / →", "Move along the levels of a criterion"),
    ("1 … 9", "Record that level for the current criterion"),
    ("Space / Enter", "Record the level under the cursor"),
    ("Delete / Backspace", "Clear the level of the current criterion"),
    ("Ctrl+Tab", "Next station"),
)


class ActionSet:
    """The QActions for one window, built from the specs and kept enabled as they should be."""

    def __init__(self, host: QWidget, specs: Iterable[ActionSpec] = ACTIONS) -> None:
        self.specs = tuple(specs)
        self._actions: dict[str, QAction] = {}
        self._hiding: dict[str, QToolButton] = {}
        for spec in self.specs:
            action = QAction(spec.text, host)
            action.setObjectName(spec.id)
            if spec.shortcut is not None:
                action.setShortcut(QKeySequence(spec.shortcut))
            if spec.icon:
                action.setIcon(theme.icon(spec.icon))
            if spec.tip:
                action.setToolTip(spec.tip)
                action.setStatusTip(spec.tip)
            action.setCheckable(spec.checkable)
            action.triggered.connect(getattr(host, spec.handler))
            host.addAction(action)  # shortcuts work even where no menu shows the action
            self._actions[spec.id] = action

    def __getitem__(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def build_menus(self, bar: QMenuBar) -> None:
        menus = {title: bar.addMenu(title) for title in MENUS}
        for spec in self.specs:
            menus[spec.menu].addAction(self._actions[spec.id])

    def button(self, action_id: str, *, hide_when_disabled: bool = False) -> QToolButton:
        """A tool button that carries out the action (and follows its text, icon and state)."""
        button = QToolButton()
        button.setObjectName(f"button_{action_id}")
        button.setDefaultAction(self._actions[action_id])
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        if hide_when_disabled:
            self._hiding[action_id] = button
        return button

    def update(self, state: UiState) -> None:
        for spec in self.specs:
            enabled = spec.enabled_when(state)
            self._actions[spec.id].setEnabled(enabled)
            button = self._hiding.get(spec.id)
            if button is not None and Shiboken.isValid(button):
                button.setVisible(enabled)

    def refresh_icons(self) -> None:
        for spec in self.specs:
            if spec.icon:
                self._actions[spec.id].setIcon(theme.icon(spec.icon))

    def key_help(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every action with a shortcut, then the grid's keys."""
        rows = []
        for spec in self.specs:
            keys = self._actions[spec.id].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                rows.append((keys, spec.text.replace("&", "").rstrip("…")))
        return rows + list(GRID_KEYS)
