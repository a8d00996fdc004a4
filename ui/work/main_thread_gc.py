"""Python's cyclic garbage collector, run on the GUI thread only, from its event loop.

Left automatic, a collection runs on whichever thread happens to cross the allocation
threshold: a worker of the task manager, or one of the FFmpeg threads that read a sealed
recording through Python. A widget or timer caught in a reference cycle is then
destroyed from that thread, under the GUI thread's feet (a crash inside an unrelated
constructor, seen in day-board workers on a busy machine). So the automatic collector
is switched off and one timer collects instead, with the collector's own thresholds,
between two events of the GUI thread (Anki, calibre and pyqtgraph do the same).

There is one collector for the process, held by whoever needs it (the application, each
task manager, a test): it is switched on when the first holder starts and given back to
Python as it was when the last one stops, whatever order they stop in.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class Collector:
    """The process's one collecting timer, and who holds it."""

    def __init__(self) -> None:
        self._holders: dict[int, int] = {}  # id of a holder → the interval it asked for
        self._was_enabled = True
        self._timer: QTimer | None = None

    def hold(self, holder: object, interval_ms: int) -> None:
        """Called on the GUI thread, which then does all the collecting."""
        if not self._holders:
            self._was_enabled = gc.isenabled()
            gc.disable()
            self._timer = QTimer()
            self._timer.timeout.connect(check)
        self._holders[id(holder)] = interval_ms
        assert self._timer is not None
        self._timer.start(min(self._holders.values()))  # the most eager holder's pace

    def let_go(self, holder: object) -> None:
        if self._holders.pop(id(holder), None) is None or self._timer is None:
            return
        if self._holders:
            self._timer.start(min(self._holders.values()))
            return
        self._timer.stop()
        self._timer.deleteLater()
        self._timer = None
        if self._was_enabled:
            gc.enable()

    @property
    def held(self) -> bool:
        return bool(self._holders)


_COLLECTOR = Collector()


def check() -> int:
    """Collects the generation CPython itself would collect now, if any: the oldest past
    its threshold once the youngest is (a full collection every time would stall the GUI
    thread on a large day: clicks were seen waiting 60 ms and more). Returns the number of
    objects found unreachable."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if not thresholds[0] or counts[0] <= thresholds[0]:
        return 0
    generation = next(g for g in (2, 1, 0) if g == 0 or counts[g] > thresholds[g])
    return gc.collect(generation)


class MainThreadCollector(QObject):
    """One holder of the process's collector: ``start`` on the GUI thread, ``stop`` after."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 250) -> None:
        super().__init__(parent)
        self._interval_ms = interval_ms

    def start(self) -> None:
        _COLLECTOR.hold(self, self._interval_ms)

    def stop(self) -> None:
        """Gives collection back to Python as it was, once no other holder needs it."""
        _COLLECTOR.let_go(self)

    def check(self) -> int:
        return check()
