"""Drives the knowledge-test kiosk as a candidate would, with real mouse events
(``launch.py --kiosk MODE`` when the kiosk the app reopens at start is a knowledge
test; used by ``tests/e2e/test_kill_knowledge.py``; nothing here ships in the package).

``answer``  clicks option A then B then C… of each item in turn and moves on with the
            Next button; after each answer is durable (the kiosk's ``answer_saved``)
            prints ``pilot answered <index> <item id> <option id>``. The item at
            ``FLAGGED_AT`` is also flagged, printing ``pilot flagged <index> <item id>``
            once the flag is durable.
``report``  prints ``pilot shown {json}`` (item order, the options each shows as chosen,
            the items flagged, the time left) and quits.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from naas_centre.services.knowledge import AnswerState
    from ui.written.knowledge_window import KnowledgeKioskWindow

FLAGGED_AT = 2


class Pilot(QObject):
    def __init__(self, kiosk: KnowledgeKioskWindow) -> None:
        super().__init__(kiosk)
        self.kiosk = kiosk

    def step(self) -> None:
        kiosk = self.kiosk
        buttons = kiosk.item_view.options
        QTest.mouseClick(buttons[kiosk.index % len(buttons)], Qt.MouseButton.LeftButton)

    def saved(self, state: AnswerState) -> None:
        kiosk = self.kiosk
        n = next(i for i, item in enumerate(kiosk.items) if item.id == state.item_id)
        if state.flagged:
            print(f"pilot flagged {n} {state.item_id}", flush=True)
        else:
            print(f"pilot answered {n} {state.item_id} {','.join(state.chosen)}", flush=True)
            if n == FLAGGED_AT:
                QTest.mouseClick(kiosk.flag_button, Qt.MouseButton.LeftButton)
                return
        if n + 1 < len(kiosk.items):
            QTest.mouseClick(kiosk.next_button, Qt.MouseButton.LeftButton)
            QTimer.singleShot(20, self.step)

    def report(self) -> None:
        kiosk = self.kiosk
        shown = []
        for n, item in enumerate(kiosk.items):
            kiosk.show_item(n)
            shown.append([item.id, [b.option_id for b in kiosk.item_view.options if b.chosen]])
        flagged = [item.id for item in kiosk.items if kiosk.flags.get(item.id)]
        state = {
            "items": shown,
            "flagged": flagged,
            "remaining_ms": kiosk.remaining_ms(),
            "flag_text": kiosk.flag_button.text(),
        }
        print("pilot shown " + json.dumps(state), flush=True)
        kiosk.release()  # a kiosk refuses to close, and so would stop the quit; it reopens next time
        QTimer.singleShot(0, QApplication.quit)


def attach(kiosk: KnowledgeKioskWindow, mode: str) -> Pilot:
    pilot = Pilot(kiosk)
    if mode == "answer":
        kiosk.answer_saved.connect(pilot.saved)
        QTimer.singleShot(0, pilot.step)
    else:
        QTimer.singleShot(0, pilot.report)
    return pilot
