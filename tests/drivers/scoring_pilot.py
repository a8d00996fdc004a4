"""A scripted assessor for the end-to-end tests (``launch.py --scoring PLAN``).

PLAN is a JSON object (or the path of a file holding one):

    {"login": ["assessor1", "password"], "sitting": "<sitting id>",
     "start_phase": true, "items": 40, "interval_ms": 60, "report": false}

It signs in, opens the sitting, and then works the real widgets as an assessor would:
clicks the clock's Start button (``start_phase``), then clicks rubric cells and types
notes (Enter saves; every fourth note through the grid's N key). It prints one line
per change *when the screen marks it saved*:

    saved start <station> <phase>
    saved level <station> <criterion> <level>
    saved note <station> <note id> <text>

With ``"report": true`` it prints instead, once the sitting is open, one line
``snapshot {json}`` with what the screen shows (levels, notes, the clock), and quits.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from naas_centre.services.views import Actor


def say(line: str) -> None:
    print(line, flush=True)


class Autopilot(QObject):
    def __init__(self, centre: Any, plan: dict[str, Any]) -> None:
        super().__init__(centre)
        self.centre = centre
        self.plan = plan
        self.window: Any = None
        self.view: Any = None
        self.step = 0
        self.levels_left: list[tuple[int, int]] = []  # (row, level) still to click
        self._going = False
        self._timer = QTimer(self)
        self._timer.setInterval(int(plan.get("interval_ms", 60)))
        self._timer.timeout.connect(self._next_item)
        centre.centre_ready.connect(self._centre_ready)
        centre.signed_in.connect(self._signed_in)

    def _centre_ready(self) -> None:
        user, password = self.plan["login"]
        self.centre.sign_in(user, password)

    def _signed_in(self, _actor: Actor) -> None:
        self.window = self.centre.main_window
        self.window.sitting_shown.connect(self._sitting_shown)
        self.window.open_sitting(self.plan["sitting"])

    def _sitting_shown(self, _sitting_id: str) -> None:
        view = self.window.sitting_view
        self.view = view
        view.clocks.clocks_loaded.connect(self._maybe_go)
        view.notes.notes_loaded.connect(self._maybe_go)
        view.score_recorded.connect(lambda s, c, lv: say(f"saved level {s} {c} {lv}"))
        view.notes.note_saved.connect(self._note_saved)
        view.clocks.clock_event_saved.connect(self._clock_saved)
        self._maybe_go()

    def _maybe_go(self) -> None:
        view = self.view
        if self._going or view is None or not view.clocks.ready or not view.notes.loaded:
            return
        self._going = True
        say(f"autopilot ready {view.sitting_id}")
        if self.plan.get("report"):
            QTimer.singleShot(int(self.plan.get("report_after_ms", 300)), self._report)
            return
        panel = view.current_panel()
        model = panel.model
        self.levels_left = [
            (row, 1 + (i % len(model.levels))) for i, row in enumerate(model.criterion_rows())
        ]
        if self.plan.get("start_phase"):
            QTest.mouseClick(panel.timer.start_button, Qt.MouseButton.LeftButton)
        else:
            self._timer.start()

    def _clock_saved(self, station: str, phase: str, kind: str) -> None:
        say(f"saved {kind} {station} {phase}")
        if kind == "start" and not self._timer.isActive() and not self.plan.get("report"):
            self._timer.start()

    def _note_saved(self, station: str, key: int, note_id: str) -> None:
        entry = self.view.panels[station].notebook.model.entry(key)
        say(f"saved note {station} {note_id} {entry.text if entry else ''}")

    def _next_item(self) -> None:
        if self.step >= int(self.plan.get("items", 30)):
            self._timer.stop()
            say("autopilot done")
            return
        panel = self.view.current_panel()
        i = self.step
        self.step += 1
        if i % 3 == 1 and self.levels_left:
            row, level = self.levels_left.pop(0)
            grid, model = panel.grid, panel.model
            column = model.column_of(level)
            index = model.index(row, column)
            grid.scrollTo(index)
            QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(index).center())
            return
        book = panel.notebook
        text = f"evidence {i}: the candidate asks an open question about the children"
        if i % 4 == 0:  # the grid's N key: a note about the criterion under the cursor
            panel.grid.setFocus()
            QTest.keyClick(panel.grid, Qt.Key.Key_N)
        else:
            book.focus_input()
        QTest.keyClicks(book.input, text)
        QTest.keyClick(book.input, Qt.Key.Key_Return)

    def _report(self) -> None:
        say("snapshot " + json.dumps(self.view.snapshot()))
        QTimer.singleShot(0, QApplication.quit)
