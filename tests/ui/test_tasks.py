"""The background-work helper: results and errors come back on the GUI thread, writes in order."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from naas_centre.errors import UserError
from ui.work.tasks import TaskManager


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


# -- long work: progress and cancellation --------------------------------------------------------


def test_long_work_reports_progress_and_stops_when_cancelled(qtbot: QtBot, tasks: TaskManager) -> None:
    from ui.work.tasks import Task

    go_on = threading.Event()
    seen: list[tuple[int, int, str]] = []
    done: list[object] = []

    def work(task: Task[int], steps: int) -> int:
        for i in range(1, steps + 1):
            task.progress(i, steps, f"step {i}")
            if i == 1:
                go_on.wait(10)  # the GUI cancels while the first step is in hand
            task.check()
        return steps

    def progressed(i: int, total: int, step: str) -> None:
        seen.append((i, total, step))
        task.cancel()
        go_on.set()

    with qtbot.waitSignal(tasks.busy_changed, check_params_cb=lambda busy: busy is False, timeout=10_000):
        task = tasks.long(work, 5, on_done=done.append, on_progress=progressed)
    assert seen == [(1, 5, "step 1")]  # nothing after the cancel reaches the GUI
    assert done == []  # it raised Cancelled at its next progress point: no callback ran
    assert task.cancelled


def test_long_work_that_returns_what_it_did_when_cancelled_hands_it_back(
    qtbot: QtBot, tasks: TaskManager
) -> None:
    from ui.work.tasks import Task

    go_on = threading.Event()
    done: list[list[int]] = []

    def work(task: Task[list[int]]) -> list[int]:
        made: list[int] = []
        for i in range(10):
            if task.cancelled:
                break  # what was made stays made
            made.append(i)
            task.progress(i + 1, 10)
            go_on.wait(10)
        return made

    def progressed(_i: int, _total: int, _step: str) -> None:
        task.cancel()
        go_on.set()

    with qtbot.waitSignal(tasks.busy_changed, check_params_cb=lambda busy: busy is False, timeout=10_000):
        task = tasks.long(work, on_done=done.append, on_progress=progressed)
    assert done == [[0]]


def test_shutting_down_cancels_long_work(qtbot: QtBot) -> None:
    from ui.work.tasks import Task

    manager = TaskManager()
    started = threading.Event()
    stopped: list[bool] = []

    def work(task: Task[None]) -> None:
        started.set()
        while not task.cancelled:  # steps of work, each a progress point
            task.progress(0, 0)
        stopped.append(True)

    manager.long(work)
    assert started.wait(10)
    assert manager.shutdown()
    assert stopped == [True]
    manager.deleteLater()


# -- the change notification -----------------------------------------------------------------------


def test_a_write_that_says_what_it_changes_is_announced_once_after_it_commits(
    qtbot: QtBot, tasks: TaskManager
) -> None:
    from naas_centre.writes.changes import Changes

    order: list[str] = []
    announced: list[tuple[Changes, object]] = []
    tasks.changed.connect(lambda c, origin: announced.append((c, origin)))
    owner = QObject()
    change = Changes.of("s1", scores=True)
    with qtbot.waitSignal(tasks.writes_settled, timeout=10_000):
        tasks.write(
            lambda: order.append("committed"),
            on_done=lambda _v: order.append("done"),
            owner=owner,
            changes=change,
        )
        tasks.write(lambda: None)  # says nothing: announces nothing
        tasks.write(_fails, changes=change)  # did not commit: announces nothing
    assert announced == [(change, owner)]
    assert order == ["committed", "done"]


def _fails() -> None:
    raise UserError("refused")


def test_a_watching_view_refreshes_once_for_a_burst_and_not_for_its_own_changes(
    qtbot: QtBot, tasks: TaskManager
) -> None:
    from PySide6.QtWidgets import QWidget

    from naas_centre.writes.changes import Changes
    from ui.work.changes import ChangeWatcher

    view = QWidget()
    qtbot.addWidget(view)
    refreshed: list[Changes] = []
    watcher = ChangeWatcher(tasks, view, lambda c: c.touches("s1"), refreshed.append)
    child = QObject(view)
    with qtbot.waitSignal(tasks.writes_settled, timeout=10_000):
        tasks.write(lambda: None, changes=Changes.of("s1", scores=True))
        tasks.write(lambda: None, changes=Changes.of("s1", notes=True))
        tasks.write(lambda: None, changes=Changes.of("s2", scores=True))  # another sitting
        tasks.write(lambda: None, changes=Changes.of("s1", clocks=True), origin=child)  # its own
    # Hidden: kept until it is shown, then one refresh for all of it.
    assert refreshed == [] and watcher.waiting == Changes.of("s1", scores=True, notes=True)
    view.show()
    qtbot.waitUntil(lambda: bool(refreshed))
    assert refreshed == [Changes.of("s1", scores=True, notes=True)]
    tasks.shutdown()
    assert watcher.waiting.empty


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
        # Live allocations that make a collection due (freed ones do not count, and
        # objects an earlier test left to be deleted are freed meanwhile, so keep adding).
        kept: list[Node] = []

        def freed() -> bool:
            kept.extend(Node() for _ in range(gc.get_threshold()[0] + 1))
            return gone() is None

        qtbot.waitUntil(freed)  # freed by the GUI thread's timer
        kept.clear()
    finally:
        manager.shutdown()
    assert gc.isenabled() == was_enabled


def test_a_write_that_commits_while_the_gui_waits_briefly_is_answered_there_once(
    qtbot: QtBot, tasks: TaskManager
) -> None:
    answers: list[int] = []
    task = tasks.write(lambda: 7, on_done=answers.append)
    # Generous here: the worker may be slow to start on a busy machine; the product waits 8 ms.
    assert tasks.await_briefly(task, 30.0)
    assert answers == [7]  # answered inside the call, on this thread
    tasks.wait()
    QApplication.processEvents()  # anything the signal had queued would be delivered now
    assert answers == [7]  # and never a second time by the signal
    assert not tasks.busy


def test_a_write_slower_than_the_brief_wait_is_answered_by_the_signal(
    qtbot: QtBot, tasks: TaskManager
) -> None:
    gate = threading.Event()
    answers: list[str] = []

    def slow() -> str:
        gate.wait(10)
        return "saved"

    task = tasks.write(slow, on_done=answers.append)
    assert not tasks.await_briefly(task, 0.001)
    assert answers == []
    gate.set()
    qtbot.waitUntil(lambda: answers == ["saved"])
    assert not tasks.await_briefly(task, 0.001)  # finished and answered: nothing more to hand over
    assert answers == ["saved"]
