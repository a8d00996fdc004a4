"""Python's cyclic collector runs on the GUI thread only, from its event loop."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from ui.work.main_thread_gc import Collector, MainThreadCollector


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


def test_collection_comes_back_only_when_the_last_holder_stops(qtbot: QtBot) -> None:
    """The application and each task manager hold the one collector; whichever stops
    first, workers never collect until all have (a task manager may outlive the window)."""
    was = gc.isenabled()
    gc.enable()  # as in a process before its first holder (the suite's own holds the real one)
    collector = Collector()
    app, tasks = object(), object()
    try:
        collector.hold(app, 250)
        collector.hold(tasks, 10)
        assert not gc.isenabled()
        collector.let_go(app)  # the application's holder goes first
        assert not gc.isenabled() and collector.held
        collector.let_go(app)  # twice: nothing more
        assert not gc.isenabled()
        collector.let_go(tasks)
        assert gc.isenabled() and not collector.held  # given back as it was
    finally:
        collector.let_go(app)
        collector.let_go(tasks)
        (gc.enable if was else gc.disable)()


def test_a_task_manager_holds_the_collector_until_it_shuts_down(qtbot: QtBot) -> None:
    from ui.work import main_thread_gc
    from ui.work.tasks import TaskManager

    manager = TaskManager()
    try:
        assert main_thread_gc._COLLECTOR.held and not gc.isenabled()
    finally:
        manager.shutdown()
    manager.shutdown()  # a second shutdown lets nothing go twice
    assert not gc.isenabled()  # the suite's own holder still has it
