"""The background-work helper: results and errors come back on the GUI thread, writes in order."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from naas_centre.errors import UserError
from ui.tasks import TaskManager


def test_result_comes_back_on_the_gui_thread(qtbot: QtBot, tasks: TaskManager) -> None:
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def work(x: int) -> tuple[int, int]:
        return x * 2, threading.get_ident()

    def done(value: tuple[int, int]) -> None:
        seen["value"], seen["worker"] = value
        seen["delivered_on"] = threading.get_ident()

    with qtbot.waitSignal(tasks.busy_changed, check_params_cb=lambda busy: busy is False):
        tasks.run(work, 21, on_done=done)
    assert seen["value"] == 42
    assert seen["worker"] != gui
    assert seen["delivered_on"] == gui


def test_an_error_reaches_on_error_and_not_on_done(qtbot: QtBot, tasks: TaskManager) -> None:
    errors: list[BaseException] = []

    def fail() -> None:
        raise UserError("the file is not a database")

    with qtbot.waitSignal(tasks.busy_changed, check_params_cb=lambda busy: busy is False):
        tasks.run(
            fail, on_done=lambda _v: errors.append(AssertionError("on_done ran")), on_error=errors.append
        )
    assert len(errors) == 1 and isinstance(errors[0], UserError)


def test_writes_run_one_at_a_time_in_the_order_asked(qtbot: QtBot, tasks: TaskManager) -> None:
    order: list[int] = []
    running = threading.Semaphore(1)
    overlapped: list[int] = []

    def write(i: int) -> int:
        if not running.acquire(blocking=False):
            overlapped.append(i)
        order.append(i)
        running.release()
        return i

    delivered: list[int] = []
    with qtbot.waitSignal(tasks.writes_settled, timeout=10_000):
        for i in range(40):
            tasks.write(write, i, on_done=delivered.append)
    qtbot.waitUntil(lambda: len(delivered) == 40)
    assert order == list(range(40))
    assert delivered == list(range(40))
    assert overlapped == []


def test_a_gone_owner_gets_no_result_but_its_error_is_still_reported(qtbot: QtBot) -> None:
    reported: list[BaseException] = []
    manager = TaskManager(default_error=reported.append)
    owner = QObject()
    got: list[object] = []
    gate = threading.Event()

    def slow_ok() -> str:
        gate.wait(5)
        return "late"

    def slow_fail() -> None:
        gate.wait(5)
        raise RuntimeError("a bug")

    manager.write(slow_ok, on_done=got.append, owner=owner)
    manager.write(slow_fail, on_error=got.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner))
    gate.set()
    with qtbot.waitSignal(manager.writes_settled):
        pass
    assert got == []
    assert len(reported) == 1 and isinstance(reported[0], RuntimeError)
    manager.shutdown()


def test_shutdown_lets_writes_finish(qtbot: QtBot) -> None:
    manager = TaskManager()
    done = threading.Event()

    def write() -> None:
        done.wait(0.05)
        done.set()

    manager.write(write)
    assert manager.shutdown(5_000)
    assert done.is_set()


def _alive(obj: QObject) -> bool:
    from shiboken6 import Shiboken

    return bool(Shiboken.isValid(obj))


def test_cycles_are_collected_on_the_gui_thread_only_while_a_manager_lives(qtbot: QtBot) -> None:
    import gc
    import weakref

    gc.collect()
    was_enabled = gc.isenabled()
    manager = TaskManager()
    try:
        assert not gc.isenabled(), "a collection started in a worker could delete Qt objects there"

        class Node:
            other: object = None

        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle only the collector can free
        gone = weakref.ref(a)
        del a, b
        # Live allocations that make a collection due (freed ones do not count).
        kept = [Node() for _ in range(gc.get_threshold()[0] + 1)]
        qtbot.waitUntil(lambda: gone() is None)  # freed by the GUI thread's timer
        del kept
    finally:
        manager.shutdown()
    assert gc.isenabled() == was_enabled
