"""Python's cyclic collector runs on the GUI thread only, from its event loop."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from ui.work.main_thread_gc import MainThreadCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The thread of every collection made while the test runs."""
    seen: list[int] = []

    def note(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(threading.get_ident())

    gc.callbacks.append(note)
    yield seen
    gc.callbacks.remove(note)


def test_a_worker_that_makes_garbage_never_collects_it(qtbot: QtBot, collections: list[int]) -> None:
    collector = MainThreadCollector(interval_ms=10)
    before = gc.isenabled()  # off already under the suite's own collector
    collector.start()
    try:
        assert not gc.isenabled()

        def litter() -> None:
            for _ in range(50_000):  # far past the first generation's threshold, many times
                Cycle()

        worker = threading.Thread(target=litter)
        worker.start()
        worker.join()
        assert collections == []  # not one on the worker's thread
        qtbot.waitUntil(lambda: bool(collections), timeout=10_000)  # the timer's, next
        assert set(collections) == {threading.get_ident()}
    finally:
        collector.stop()
    assert gc.isenabled() == before  # given back as it was


def test_check_collects_only_past_a_threshold(collections: list[int]) -> None:
    collector = MainThreadCollector()
    collector.start()
    try:
        gc.collect()
        collections.clear()
        assert collector.check() == 0 and collections == []  # nothing allocated since
        for _ in range(gc.get_threshold()[0] + 1):
            Cycle()
        assert collector.check() > 0 and len(collections) == 1
    finally:
        collector.stop()
