"""The GUI half of the scoring benchmark: the real sitting screen, clicked 10 times a second.

``run(demo, clicks)`` builds the real ``SittingView`` (offscreen) for an assessor of the
big centre, starts the reading phase so the clock ticks as it would, then clicks level
cells of the rubric grid with the mouse at 10 per second (a QTimer; press, and the
release PRESS_MS later). For each click it measures the time from the release until
the screen's *saved* signal (``score_recorded``), which comes only once the commit is
on disk; and, all the while, how late a 2 ms timer fires: how long the event loop was
kept from running (a stall the assessor would feel).
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PRESS_MS = 40  # from a press to its release


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def run(demo: Any, clicks: int) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from naas_centre.services import accounts, sittings
    from ui.common import theme
    from ui.scoring.sitting_view import SittingView, load_sitting
    from ui.work.tasks import TaskManager

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    theme.apply(app, "light", 11)
    tasks = TaskManager()
    actor = accounts.authenticate(demo.db, "assessor1", "demo-assessor-2026")
    sitting_id = sittings.list_for_assessor(demo.db, actor, demo.day)[0].id
    detail, pack = load_sitting(demo.db, actor, sitting_id)
    view = SittingView(tasks, demo.db, actor, detail, pack)
    view.resize(1366, 720)
    view.show()

    def wait_for(condition: Any, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError("the sitting screen did not get ready")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    wait_for(lambda: view.clocks.ready and view.notes.loaded)
    panel = view.current_panel()
    assert panel is not None
    started: list[str] = []
    view.clocks.clock_event_saved.connect(lambda *_a: started.append("yes"))
    QTest.mouseClick(panel.timer.start_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: bool(started))
    settle_until = time.monotonic() + 1.0
    wait_for(lambda: time.monotonic() > settle_until)

    grid, model = panel.grid, panel.model
    rows = model.criterion_rows()
    asked: dict[str, float] = {}
    latencies: list[float] = []
    lateness: list[float] = []
    done = QEventLoop()
    issued = [0]
    down = [False]

    def saved(_station: str, criterion: str, _level: object) -> None:
        t = asked.pop(criterion, None)
        if t is not None:
            latencies.append((time.perf_counter() - t) * 1000)
        if issued[0] >= clicks and not asked:
            done.quit()

    view.score_recorded.connect(saved)

    def click() -> None:
        if issued[0] >= clicks:
            clicker.stop()
            return
        row = rows[issued[0] % len(rows)]
        criterion = model.criterion_at(row)
        assert criterion is not None
        if criterion.id in asked or down[0]:
            return  # its last click is still on its way, or the last press not yet let go (a busy machine)
        current = model.level_of(criterion.id) or 0
        level = model.levels[current % len(model.levels)].value  # always a different level
        column = model.column_of(level)
        index = model.index(row, column)
        grid.scrollTo(index)
        centre = grid.visualRect(index).center()
        # A finger presses, then lets go: the click is the release, and it is timed from
        # there (the press moves the cursor to the row, PRESS_MS earlier as a hand would).
        QTest.mousePress(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        issued[0] += 1
        down[0] = True

        def release() -> None:
            down[0] = False
            asked[criterion.id] = time.perf_counter()
            spot = grid.visualRect(index).center()  # where the cell is now (its row may have opened)
            QTest.mouseRelease(grid.viewport(), Qt.MouseButton.LeftButton, pos=spot)

        QTimer.singleShot(PRESS_MS, grid, release)

    last = [time.perf_counter()]

    def probe() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - 2.0))
        last[0] = now

    stall = QTimer()
    stall.setTimerType(Qt.TimerType.PreciseTimer)
    stall.setInterval(2)
    stall.timeout.connect(probe)
    clicker = QTimer()
    clicker.setTimerType(Qt.TimerType.PreciseTimer)
    clicker.setInterval(100)  # 10 clicks per second
    clicker.timeout.connect(click)
    QTimer.singleShot(clicks * 100 + 30_000, done.quit)  # never hang
    last[0] = time.perf_counter()
    stall.start()
    clicker.start()
    done.exec()
    stall.stop()
    clicker.stop()

    view.close()
    view.deleteLater()
    tasks.shutdown()
    app.processEvents()
    if len(latencies) < clicks:
        raise RuntimeError(f"only {len(latencies)} of {clicks} clicks came back as saved")
    return {
        "gui_clicks": len(latencies),
        "commit_p50_ms": round(statistics.median(latencies), 3),
        "commit_p99_ms": round(_pct(latencies, 99), 3),
        "commit_max_ms": round(max(latencies), 3),
        "stall_p50_ms": round(statistics.median(lateness), 3),
        "stall_p99_ms": round(_pct(lateness, 99), 3),
        "stall_max_ms": round(max(lateness), 3),
    }
