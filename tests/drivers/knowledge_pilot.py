"""Drives the knowledge-test kiosk left open on a workstation, as a candidate would
(used by ``tests/e2e/test_kill_knowledge.py``; nothing here ships in the package).

    python tests/drivers/knowledge_pilot.py DATA_DIR answer|report

It opens the centre's database in ``DATA_DIR`` (the demo's), finds the knowledge test
this workstation left open (``knowledge.find_left_open``, as the app does at start),
and shows the real kiosk window offscreen.

``answer``  clicks, with real mouse events, option A then B then C… of each item in turn
            and moves on with the Next button; after each answer is durable (the kiosk's
            ``answer_saved``) prints ``pilot answered <index> <item id> <option id>``.
``report``  prints ``pilot shown {json}`` (item order, the options each shows as chosen,
            the time left) and quits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> int:
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    app = QApplication([])
    from naas_centre import paths
    from naas_centre.services import centre, knowledge
    from naas_centre.services.knowledge import AnswerState
    from ui.work.tasks import TaskManager
    from ui.written.knowledge_window import KnowledgeKioskWindow

    db = centre.open_database(paths.demo_db_path(folder), folder)
    start = knowledge.find_left_open(db)
    if start is None:
        print("pilot found no knowledge test left open", flush=True)
        return 2
    tasks = TaskManager()
    kiosk = KnowledgeKioskWindow(tasks, db, start)
    kiosk.present()

    class Pilot(QObject):
        def step(self) -> None:
            n = kiosk.index
            buttons = kiosk.item_view.options
            QTest.mouseClick(buttons[n % len(buttons)], Qt.MouseButton.LeftButton)

        def saved(self, state: AnswerState) -> None:
            n = next(i for i, item in enumerate(kiosk.items) if item.id == state.item_id)
            print(f"pilot answered {n} {state.item_id} {','.join(state.chosen)}", flush=True)
            if n + 1 < len(kiosk.items):
                QTest.mouseClick(kiosk.next_button, Qt.MouseButton.LeftButton)
                QTimer.singleShot(20, self.step)

    pilot = Pilot(kiosk)
    if mode == "answer":
        kiosk.answer_saved.connect(pilot.saved)
        QTimer.singleShot(0, pilot.step)
    else:

        def report() -> None:
            shown = []
            for n, item in enumerate(kiosk.items):
                kiosk.show_item(n)
                shown.append([item.id, [b.option_id for b in kiosk.item_view.options if b.chosen]])
            print(
                "pilot shown " + json.dumps({"items": shown, "remaining_ms": kiosk.remaining_ms()}),
                flush=True,
            )
            kiosk.release()
            kiosk.close()
            app.quit()

        QTimer.singleShot(0, report)
    code = app.exec()
    tasks.shutdown()
    db.dispose()
    return code


if __name__ == "__main__":
    sys.exit(main())
