"""The one clock that pictures and sound are timed by.

The recorder asks a ``Clock`` what time it is and waits on it; the system's monotonic
clock is the default. A caller may pass another (a clock that runs faster than real
time lets a long recording be checked in a short while).
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds, from an arbitrary origin; never goes back."""
        ...

    def wait_until(self, instant: float, stop: threading.Event) -> bool:
        """Wait until ``now() >= instant``; False at once if ``stop`` is set meanwhile."""
        ...


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()

    def wait_until(self, instant: float, stop: threading.Event) -> bool:
        delay = instant - time.monotonic()
        if delay > 0:
            return not stop.wait(delay)
        return not stop.is_set()
