"""Python's cyclic garbage collector, run on the GUI thread only, from its event loop.

Left automatic, a collection runs on whichever thread happens to cross the allocation
threshold: a worker of the task manager, or one of the FFmpeg threads that read a sealed
recording through Python. A widget or timer caught in a reference cycle is then
destroyed from that thread, under the GUI thread's feet (a crash inside an unrelated
constructor). So the automatic collector is switched off and this timer collects
instead, with the collector's own thresholds, between two events of the GUI thread
(calibre and pyqtgraph do the same).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        """Called on the GUI thread, which then does all the collecting."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Gives collection back to Python as it was before ``start``."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def check(self) -> int:
        """Collects the oldest generation past its threshold, as Python would have;
        returns the number of objects found unreachable."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        found = 0
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                found = gc.collect(generation)
                break
        return found
