"""Background work, one way for every feature (after Anki's ``taskman``).

A feature describes the work (a plain callable with plain arguments: a ``Database``
handle, ids, frozen views; never a widget or an ORM row), what to do with the result
and what to do with an error. The work runs off the GUI thread; the result or the error
comes back on the GUI thread through one queued signal.

Reads run on a small pool. Writes run one at a time, in the order they were asked for,
on a single write thread: a score recorded after another is stored after it. A write
reports back only once the service call has returned, that is once the commit is on
disk, so the screen never shows unsaved work as saved.

Typed: ``run`` and ``write`` return a ``Task[T]`` whose ``on_done`` takes the work's own
result type. A failure goes to ``on_error`` (or the application's default handler).
Long work (``long``) is given its ``Task`` as first argument: ``task.progress(done,
total, step)`` reports progress back to the GUI thread, and at that same point the work
honours ``task.cancel()``: it raises ``Cancelled`` (``task.check()``) or returns what
it has done so far (``task.cancelled``).

After each write that says what it changes (``changes=``), ``changed`` is emitted once
with that ``Changes`` value; every open view that shows such data refreshes itself.

``shutdown`` first emits ``about_to_shut_down`` so that every timer and worker stops,
cancels long work, then waits for what is running.
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from shiboken6 import Shiboken

from naas_centre.writes.changes import Changes
from ui.work.main_thread_gc import MainThreadCollector

log = logging.getLogger(__name__)

T = TypeVar("T")
OnDone = Callable[[Any], object]
OnError = Callable[[BaseException], object]
OnProgress = Callable[[int, int, str], object]
SWITCH_INTERVAL_S = 0.001


class _QuickHandover:
    """While a task manager lives, Python's lock passes between threads every millisecond:
    at the default 5 ms a commit returning from the disk could wait that long to report
    "saved". Given back as it was when the last task manager shuts down."""

    def __init__(self) -> None:
        self._users = 0
        self._interval = sys.getswitchinterval()

    def acquire(self) -> None:
        self._users += 1
        if self._users == 1:
            self._interval = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL_S)

    def release(self) -> None:
        if self._users == 0:
            return
        self._users -= 1
        if self._users == 0:
            sys.setswitchinterval(self._interval)


_HANDOVER = _QuickHandover()


class Cancelled(Exception):
    """Raised inside a task at a progress point once the task has been cancelled."""


@dataclass(eq=False)
class _Handoff:
    """Where a write's outcome is handed straight to a GUI thread that waits for it
    (``TaskManager.await_briefly``), instead of through the queued signal."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    waiting: bool = False
    finished: bool = False  # the outcome went by the signal
    outcome: _Outcome | None = None


@dataclass(eq=False)
class Task(Generic[T]):
    """A handle on one piece of background work whose result is a ``T``."""

    id: int
    name: str
    on_done: Callable[[T], object] | None
    on_error: OnError | None
    owner: QObject | None
    write: bool
    changes: Changes | None = None
    origin: QObject | None = None  # who made the change (told with it): by default the owner
    on_progress: OnProgress | None = None
    long: bool = False
    _cancelled: threading.Event = field(default_factory=threading.Event, repr=False)
    _report: Callable[[Task[Any], int, int, str], None] | None = field(default=None, repr=False)
    _handoff: _Handoff | None = field(default=None, repr=False)

    def cancel(self) -> None:
        """Ask the work to stop at its next progress point.

        Its callbacks will not run, except that long work which stops by returning what
        it did so far (a day's reports: what was written stays written) still hands that
        back to ``on_done``."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """A progress point: long work calls this between steps to honour cancellation."""
        if self._cancelled.is_set():
            raise Cancelled(self.name)

    def progress(self, done: int, total: int, step: str = "") -> None:
        """From the worker: how far the work has got, shown on the GUI thread. Long work
        reads ``cancelled`` (or calls ``check``) at the same point."""
        if self._report is not None and not self._cancelled.is_set():
            self._report(self, done, total, step)


@dataclass(frozen=True)
class _Outcome:
    task: Task[Any]
    ok: bool
    value: Any


class TaskManager(QObject):
    """Runs callables in the background and hands results back on the GUI thread.

    ``default_error`` handles errors of tasks that gave no ``on_error`` of their own
    (the application shows user errors plainly and logs bugs with their trace).
    """

    _delivered = Signal(object)
    _progressed = Signal(object, int, int, str)  # task, done, total, step (from a worker)
    busy_changed = Signal(bool)
    changed = Signal(object, object)  # Changes a write just committed, the QObject that asked (or None)
    writes_settled = Signal()
    # Emitted first thing in ``shutdown``: every timer that asks for work stops on it,
    # so nothing asks a closed manager (a heartbeat once did, on a busy machine).
    about_to_shut_down = Signal()

    def __init__(self, default_error: OnError | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._default_error = default_error
        self._reads = QThreadPool(self)
        self._reads.setMaxThreadCount(2)
        self._writes = QThreadPool(self)
        self._writes.setMaxThreadCount(1)  # the single write worker: FIFO, one at a time
        self._writes.setExpiryTimeout(-1)
        self._ids = itertools.count(1)
        self._pending: dict[int, Task[Any]] = {}
        self._closed = False
        self._delivered.connect(self._on_delivered)
        self._progressed.connect(self._on_progressed)
        self._released = False
        _HANDOVER.acquire()
        # Never a collection on a worker's thread while this lives (main_thread_gc says why).
        self._collector = MainThreadCollector(self)
        self._collector.start()

    # -- asking for work ------------------------------------------------------------

    def run(
        self,
        fn: Callable[..., T],
        *args: Any,
        on_done: Callable[[T], object] | None = None,
        on_error: OnError | None = None,
        owner: QObject | None = None,
        name: str = "",
        **kwargs: Any,
    ) -> Task[T]:
        """Read-only work: opening, loading lists, signing in."""
        task: Task[T] = self._task(fn, on_done, on_error, owner, name, write=False)
        return self._submit(self._reads, task, fn, args, kwargs)

    def write(
        self,
        fn: Callable[..., T],
        *args: Any,
        on_done: Callable[[T], object] | None = None,
        on_error: OnError | None = None,
        owner: QObject | None = None,
        name: str = "",
        changes: Changes | None = None,
        origin: QObject | None = None,
        **kwargs: Any,
    ) -> Task[T]:
        """Work that changes data: serialised on the one write thread, in order.

        ``changes``: what it changes; emitted by ``changed`` once it has committed, with
        ``origin`` (by default ``owner``), so the view that made it can let it pass."""
        task: Task[T] = self._task(fn, on_done, on_error, owner, name, write=True, changes=changes)
        task.origin = origin
        task._handoff = _Handoff()
        return self._submit(self._writes, task, fn, args, kwargs)

    def long(
        self,
        fn: Callable[..., T],
        *args: Any,
        on_done: Callable[[T], object] | None = None,
        on_error: OnError | None = None,
        on_progress: OnProgress | None = None,
        owner: QObject | None = None,
        name: str = "",
        changes: Changes | None = None,
        **kwargs: Any,
    ) -> Task[T]:
        """Long work with progress and cancellation (a day's reports): ``fn(task, *args)``.

        It runs on the read pool (so clicks keep being saved meanwhile); its own writes
        are its own transactions. ``on_progress`` gets ``task.progress`` calls on the GUI
        thread; after ``task.cancel()`` the work stops at its next progress point, either
        by raising ``Cancelled`` (``task.check()``: no callback runs) or by returning what
        it did so far (then ``on_done`` gets it). ``changes`` is emitted when it ends, cancelled or not:
        what it did before it stopped stays done."""
        task: Task[T] = self._task(fn, on_done, on_error, owner, name, write=False, changes=changes)
        task.on_progress, task.long, task._report = on_progress, True, self._report
        return self._submit(self._reads, task, fn, (task, *args), kwargs)

    def _task(
        self,
        fn: Callable[..., T],
        on_done: Callable[[T], object] | None,
        on_error: OnError | None,
        owner: QObject | None,
        name: str,
        *,
        write: bool,
        changes: Changes | None = None,
    ) -> Task[T]:
        if self._closed:
            raise RuntimeError("the task manager has shut down")
        return Task(
            next(self._ids), name or getattr(fn, "__name__", "task"), on_done, on_error, owner, write, changes
        )

    def _submit(
        self,
        pool: QThreadPool,
        task: Task[T],
        fn: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Task[T]:
        was_idle = not self._pending
        self._pending[task.id] = task
        if was_idle:
            self.busy_changed.emit(True)

        def work() -> None:
            try:
                task.check()
                value = fn(*args, **kwargs)
                outcome = _Outcome(task, True, value)
            except BaseException as exc:
                outcome = _Outcome(task, False, exc)
            handoff = task._handoff
            if handoff is not None:
                with handoff.lock:
                    if handoff.waiting:  # the GUI thread waits for it: no trip through the event loop
                        handoff.outcome = outcome
                        handoff.done.set()
                        return
                    handoff.finished = True
            try:
                self._delivered.emit(outcome)
            except RuntimeError:
                # Work that outlived shutdown's wait (a long demo build at quit): the manager
                # is gone, and with it everyone the outcome was for.
                if not self._closed:
                    raise

        pool.start(work)
        return task

    def await_briefly(self, task: Task[Any], seconds: float) -> bool:
        """Waits up to ``seconds`` (well under a frame) for write ``task`` and, if it has
        finished, delivers its outcome now, on the GUI thread; False if it goes on.

        Used right after a click whose "saved" the assessor waits for: while the GUI
        thread waits here it holds none of Python's lock, so the worker's commit is not
        kept waiting by what the GUI thread would do next (seen: 1 ms to start the
        worker, the service stretched from 0.2 to 3 ms). Call it where the caller's own
        state is complete: the result's callbacks run inside this call."""
        handoff = task._handoff
        if handoff is None or self._closed:
            return False
        with handoff.lock:
            if handoff.finished or handoff.outcome is not None:
                return False  # on its way by the signal
            handoff.waiting = True
        handoff.done.wait(seconds)
        with handoff.lock:
            handoff.waiting = False
            outcome, handoff.outcome = handoff.outcome, None
        if outcome is None:
            return False
        self._on_delivered(outcome)
        return True

    # -- state ----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def closed(self) -> bool:
        """Shut down: new work is refused."""
        return self._closed

    @property
    def writes_pending(self) -> int:
        return sum(1 for t in self._pending.values() if t.write)

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Block until every started task has finished (results not yet delivered)."""
        return bool(self._writes.waitForDone(timeout_ms)) and bool(self._reads.waitForDone(timeout_ms))

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Refuse new work, cancel reads and long work (at their next progress point),
        and let every write finish."""
        if not self._closed:
            self.about_to_shut_down.emit()
        self._closed = True
        for task in list(self._pending.values()):
            if not task.write:
                task.cancel()
        self._reads.clear()
        done = self.wait(timeout_ms)
        self._pending.clear()
        if not self._released:
            self._released = True
            self._collector.stop()
            _HANDOVER.release()
        return done

    # -- delivery on the GUI thread -------------------------------------------------

    def _report(self, task: Task[Any], done: int, total: int, step: str) -> None:
        self._progressed.emit(task, done, total, step)  # queued: from a worker thread

    @Slot(object, int, int, str)
    def _on_progressed(self, task: Task[Any], done: int, total: int, step: str) -> None:
        if task.cancelled or self._closed or task.on_progress is None:
            return
        if task.owner is not None and not Shiboken.isValid(task.owner):
            return
        task.on_progress(done, total, step)

    @Slot(object)
    def _on_delivered(self, outcome: _Outcome) -> None:
        task = outcome.task
        self._pending.pop(task.id, None)
        try:
            self._deliver(outcome)
        finally:
            if task.write and not any(t.write for t in self._pending.values()):
                self.writes_settled.emit()
            if not self._pending:
                self.busy_changed.emit(False)

    def _deliver(self, outcome: _Outcome) -> None:
        task = outcome.task
        # What a write changed is said once it has committed, whoever asked for it; long
        # work that was cancelled still changed what it did before it stopped.
        committed = outcome.ok or (not task.write and isinstance(outcome.value, Cancelled))
        try:
            self._answer(outcome)  # the asker first: its "saved" is what the user waits for
        finally:
            if task.changes is not None and committed and not task.changes.empty and not self._closed:
                origin = task.origin or task.owner
                self.changed.emit(
                    task.changes, origin if origin is not None and Shiboken.isValid(origin) else None
                )

    def _answer(self, outcome: _Outcome) -> None:
        task = outcome.task
        if self._closed or (task.cancelled and not (task.long and outcome.ok)):
            return
        owner_gone = task.owner is not None and not Shiboken.isValid(task.owner)
        if owner_gone and outcome.ok:
            return  # whoever asked has gone (a closed view): nothing to update
        if outcome.ok:
            if task.on_done is not None:
                task.on_done(outcome.value)
            return
        exc = outcome.value
        if isinstance(exc, Cancelled):
            return
        # A failure is never dropped: if the view that asked has gone, the default handler shows it.
        handler = self._default_error if owner_gone else (task.on_error or self._default_error)
        if handler is not None:
            handler(exc)
        else:
            log.error("task %s failed", task.name, exc_info=exc)
