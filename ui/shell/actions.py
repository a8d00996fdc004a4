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
from PySide6.QtWidgets import QMenuBar, QSizePolicy, QToolButton, QWidget
from shiboken6 import Shiboken

from naas_centre.services import capabilities as can
from naas_centre.services.capabilities import may
from ui.common import theme


@dataclass(frozen=True)
class UiState:
    """What decides which actions are enabled."""

    locked: bool = False
    view: str = "day"  # "day" or "sitting"
    can_submit: bool = False
    can_scroll_days: bool = True
    role: str = ""  # the signed-in account's role (a Role value)


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


def _off_the_day(state: UiState) -> bool:
    return not state.locked and state.view in ("sitting", "marking")


# Who is offered what: the services' own table (``capabilities``), never a rule here.


def _hands_over(state: UiState) -> bool:
    """Assessors and managers check candidates in and start the written exercise."""
    return not state.locked and state.view in ("day", "sitting") and may(state.role, can.HAND_OVER)


def _marks(state: UiState) -> bool:
    return not state.locked and may(state.role, can.MARK)


def _reads_reports(state: UiState) -> bool:
    """Assessors (their own sittings), managers, administrators and QA read a sitting's reports."""
    return not state.locked and state.view in ("day", "sitting") and may(state.role, can.READ_REPORTS)


def _writes_day_reports(state: UiState) -> bool:
    return not state.locked and state.view in ("day", "sitting") and may(state.role, can.SIGN_DAY)


def _moderates(state: UiState) -> bool:
    return not state.locked and state.view in ("day", "sitting") and may(state.role, can.MODERATE)


def _runs_centre(state: UiState) -> bool:
    """Set up, plan, run-sheets and the packs; the services decide each step."""
    return not state.locked and may(state.role, can.RUN_CENTRE)


def _exports(state: UiState) -> bool:
    """Score sheets (managers, administrators) or equality counts in aggregate (QA lead)."""
    return not state.locked and (may(state.role, can.EXPORT) or may(state.role, can.EQUALITY))


def _exchanges(state: UiState) -> bool:
    """Collecting the rooms' results and resolving conflicts: managers and administrators."""
    return not state.locked and may(state.role, can.EXCHANGE)


def _sends_results(state: UiState) -> bool:
    return not state.locked and may(state.role, can.SEND_RESULTS)


def _reads_equality(state: UiState) -> bool:
    return not state.locked and may(state.role, can.EQUALITY)


def _reviews_recordings(state: UiState) -> bool:
    return not state.locked and state.view in ("day", "sitting") and may(state.role, can.REVIEW_RECORDINGS)


def _oversees(state: UiState) -> bool:
    return not state.locked and may(state.role, can.OVERSEE)


def _has_own_figures(state: UiState) -> bool:
    return not state.locked and may(state.role, can.OWN_FIGURES)


def _calibrates(state: UiState) -> bool:
    return not state.locked and may(state.role, can.CALIBRATE)


def _makes_calibration(state: UiState) -> bool:
    return not state.locked and may(state.role, can.MAKE_CALIBRATION)


def _sets_standards(state: UiState) -> bool:
    return not state.locked and may(state.role, can.STANDARD_SETTING)


def _administers(state: UiState) -> bool:
    """Signing certificates and accounts; the services refuse anyone else too."""
    return not state.locked and may(state.role, can.ADMINISTER)


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


MENUS = ("&Centre", "&Day", "&Sitting", "&Reports", "&View", "&Help")

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "day.back",
        "&Back to the day",
        "&Day",
        "show_day",
        "Alt+Left",
        _off_the_day,
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
        "sitting.check_in",
        "&Check in candidate",
        "&Sitting",
        "check_in_candidate",
        "Ctrl+Shift+I",
        _hands_over,
        "check",
        "Record that the chosen sitting's candidate has arrived",
    ),
    ActionSpec(
        "sitting.written",
        "Start &written exercise…",
        "&Sitting",
        "start_written_exercise",
        "Ctrl+Shift+W",
        _hands_over,
        "lock",
        "Hand this workstation to the chosen sitting's candidate: full screen, locked, timed",
    ),
    ActionSpec(
        "sitting.mark",
        "&Mark written scripts",
        "&Sitting",
        "mark_written_scripts",
        "Ctrl+Shift+M",
        _marks,
        "submit",
        "Read the submitted scripts of your sittings and mark them against the written rubric",
    ),
    ActionSpec(
        "sitting.clock_start",
        "S&tart or resume the phase",
        "&Sitting",
        "phase_start",
        "F6",
        _in_sitting,
        None,
        "Start the current station's next phase, or resume it after a pause",
    ),
    ActionSpec(
        "sitting.clock_pause",
        "&Pause the phase…",
        "&Sitting",
        "phase_pause",
        "F7",
        _in_sitting,
        None,
        "Stop the clock of the current station's phase; the reason is asked and recorded",
    ),
    ActionSpec(
        "sitting.clock_end",
        "&End the phase",
        "&Sitting",
        "phase_end",
        "F8",
        _in_sitting,
        None,
        "End the current station's running phase (overrun is recorded)",
    ),
    ActionSpec(
        "sitting.note",
        "Write a &note",
        "&Sitting",
        "write_note",
        "Ctrl+N",
        _in_sitting,
        None,
        "Type an evidence note, stamped with the phase clock and the time",
    ),
    ActionSpec(
        "sitting.mute",
        "&Mute or hear the timer's alerts",
        "&Sitting",
        "toggle_alert_sound",
        "F9",
        _in_sitting,
        None,
        "Alerts are always shown; this decides whether they are also heard",
    ),
    ActionSpec(
        "reports.sitting",
        "&Reports for the sitting…",
        "&Reports",
        "show_reports",
        "Ctrl+R",
        _reads_reports,
        "submit",
        "The chosen sitting's reports: their state, a preview, signing and saving",
    ),
    ActionSpec(
        "reports.moderate",
        "&Moderate differences…",
        "&Reports",
        "moderate_sitting",
        "Ctrl+Shift+O",
        _moderates,
        None,
        "Agree a level, with the reason, where the chosen sitting's assessors differ",
    ),
    ActionSpec(
        "reports.recordings",
        "Re&cordings of this sitting…",
        "&Reports",
        "show_recordings",
        None,
        _reviews_recordings,
        None,
        "Watch, export or delete the chosen sitting's recordings (review beside the grid)",
    ),
    ActionSpec(
        "reports.day",
        "&Write the day's reports…",
        "&Reports",
        "write_day_reports",
        "Ctrl+Shift+R",
        _writes_day_reports,
        None,
        "Write every report of the day to a folder, signing what is complete first if you choose",
    ),
    ActionSpec(
        "centre.admin",
        "&Administration…",
        "&Centre",
        "show_administration",
        None,
        _runs_centre,
        None,
        "Accounts, employers, conflicts of interest, actors, rooms and the centre's own settings",
    ),
    ActionSpec(
        "centre.candidates",
        "Ca&ndidates…",
        "&Centre",
        "show_candidates",
        None,
        _runs_centre,
        None,
        "The centre's candidates, their employers' endorsements and attempts; import from a spreadsheet",
    ),
    ActionSpec(
        "centre.plan",
        "P&lan a day…",
        "&Centre",
        "show_day_plan",
        None,
        _runs_centre,
        None,
        "The day as a circuit: stations, slots and breaks, the rota built and checked",
    ),
    ActionSpec(
        "centre.run_sheets",
        "R&un-sheets…",
        "&Centre",
        "show_run_sheets",
        None,
        _runs_centre,
        None,
        "The day's rota per room, each actor's pack, each candidate's timetable and the sign-in sheet",
    ),
    ActionSpec(
        "centre.export",
        "E&xport score sheets…",
        "&Centre",
        "show_export",
        None,
        _exports,
        None,
        "Score sheets for employers as CSV or Excel, by day, employer or level",
    ),
    ActionSpec(
        "centre.prepare_rooms",
        "Prepare room &workstations…",
        "&Centre",
        "show_prepare_rooms",
        None,
        _exchanges,
        None,
        "One signed, encrypted file per room for the day, to set up that room's workstation",
    ),
    ActionSpec(
        "centre.collect_results",
        "Co&llect results…",
        "&Centre",
        "show_collect_results",
        None,
        _exchanges,
        None,
        "Merge the rooms' result files into this database: what was added, what was there, any conflicts",
    ),
    ActionSpec(
        "centre.conflicts",
        "Con&flicts…",
        "&Centre",
        "show_conflicts",
        None,
        _exchanges,
        None,
        "Records changed both here and in a room: keep one version, with a reason",
    ),
    ActionSpec(
        "centre.send_results",
        "Send this room's &results…",
        "&Centre",
        "show_send_results",
        None,
        _sends_results,
        None,
        "This workstation's results in one signed, encrypted file for the centre manager",
    ),
    ActionSpec(
        "centre.packs",
        "Scenario &packs…",
        "&Centre",
        "show_packs",
        None,
        _runs_centre,
        None,
        "Every scenario pack found, built-in and the centre's own, with any problems in them",
    ),
    ActionSpec(
        "centre.equality",
        "&Equality monitoring…",
        "&Centre",
        "show_equality",
        None,
        _reads_equality,
        None,
        "Counts by group only, small groups suppressed (quality assurance)",
    ),
    ActionSpec(
        "centre.quality",
        "&Quality assurance…",
        "&Centre",
        "show_quality",
        None,
        _oversees,
        None,
        "Agreement, examiner stringency and drift, reliability, standard setting and fairness",
    ),
    ActionSpec(
        "centre.my_figures",
        "My &figures…",
        "&Centre",
        "show_my_figures",
        None,
        _has_own_figures,
        None,
        "How your scores compare, over time: your own figures, naming no colleague",
    ),
    ActionSpec(
        "centre.calibration",
        "Cali&bration…",
        "&Centre",
        "show_calibration",
        None,
        _calibrates,
        None,
        "Score a recorded role-play before the day and compare your levels with the panel's",
    ),
    ActionSpec(
        "centre.make_calibration",
        "Ma&ke a calibration exercise…",
        "&Centre",
        "make_calibration",
        None,
        _makes_calibration,
        None,
        "Turn a consented recording into a calibration exercise, with the levels the panel agreed",
    ),
    ActionSpec(
        "centre.pass_marks",
        "Station pass &marks…",
        "&Centre",
        "show_pass_marks",
        None,
        _sets_standards,
        None,
        "Propose each station's pass mark from the assessors' judgements, try it, and adopt it",
    ),
    ActionSpec(
        "centre.certificates",
        "Signing &certificates…",
        "&Centre",
        "show_certificates",
        None,
        _administers,
        None,
        "Everyone's signing certificates: revoke them, or approve a replacement (two administrators)",
    ),
    ActionSpec(
        "centre.password",
        "Change my pass&word…",
        "&Centre",
        "change_password",
        None,
        _unlocked,
        None,
        "Choose your own password; your signing key is re-encrypted under it",
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
    ActionSpec("help.manual", "&Manual for your role", "&Help", "show_manual", "F1", _always),
    ActionSpec("help.keys", "&Keyboard shortcuts", "&Help", "show_keys", "Shift+F1", _always),
    ActionSpec("help.about", "&About naas-centre", "&Help", "show_about", None, _always),
)

# Keys the rubric grid handles itself, listed beside the actions in the keyboard help.
GRID_KEYS: tuple[tuple[str, str], ...] = (
    ("↑ / ↓", "Previous or next criterion"),
    ("← / →", "Move along the levels of a criterion"),
    ("1 … 9", "Record that level for the current criterion"),
    ("Space / Enter", "Record the level under the cursor"),
    ("Delete / Backspace", "Clear the level of the current criterion"),
    ("N", "Write a note about the current criterion (Enter saves it, Esc returns to the grid)"),
    ("Alt+M / Alt+N", "The station's overall judgement: met, or not met"),
    ("Alt+B", "Borderline, either way"),
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
        # Whole or not at all: a crowded status bar squeezed "Start written exercise".
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
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
