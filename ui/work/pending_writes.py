"""Every change an assessor records, saved in order and never dropped.

Scores, judgements, notes and clock events go through ``PendingWrites``: one change at
a time, in the order they were made, on the task manager's write worker. A change is
reported as saved only once its commit is on disk.

When a write cannot reach the disk (``StorageError``: full, locked, read-only), the
change stays at the head of the queue, later changes wait behind it (so an older level
can never land over a newer one), all of them are appended to the journal file
(``naas_centre.writes.journal``), and the head is tried again with backoff until it goes through.
``changed`` tells the storage banner; each change's ``on_waiting`` tells its cell or
note to say "not saved yet, retrying". A change the database refuses for a reason of
its own (say, the sheet was submitted from elsewhere) is reported, never dropped
silently.

After a crash, the journal's open items are replayed when the same account opens a
sitting again: each replay first checks whether the change did reach the disk before
the crash, so nothing is recorded twice.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import uuid
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import Shiboken

from db.engine import StorageError
from naas_centre.services.views import Actor
from naas_centre.writes.journal import Journal, journal_path
from naas_centre.writes.ops import OPS, Write, changes_of, iso, run_op
from ui.work.tasks import Task, TaskManager

__all__ = ["PendingWrites", "WriteItem", "iso"]

if TYPE_CHECKING:
    from db.engine import Database

log = logging.getLogger(__name__)

RETRY_DELAYS_MS = (250, 500, 1000, 2000, 4000, 5000)
# How long a click may wait for its own commit on the GUI thread: half a frame. A disk
# slower than this is answered through the event loop, as before.
BRIEF_WAIT_S = 0.008


# -- the queue ---------------------------------------------------------------------------


@dataclass(eq=False)
class WriteItem:
    id: str
    seq: int
    op: str
    args: dict[str, Any]
    actor: Actor
    label: str
    owner: QObject | None = None
    on_saved: Callable[[Any], None] | None = None
    on_waiting: Callable[[], object] | None = None
    on_refused: Callable[[BaseException], None] | None = None
    attempts: int = 0
    journaled: bool = False
    told_waiting: bool = False
    replayed: bool = False
    queued_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def record(self) -> dict[str, Any]:
        return {
            "type": "item",
            "id": self.id,
            "op": self.op,
            "args": self.args,
            "account_id": self.actor.account_id,
            "label": self.label,
            "queued_at": iso(self.queued_at),
        }

    def _alive(self) -> bool:
        return self.owner is None or Shiboken.isValid(self.owner)

    def tell(self, what: str, value: Any = None) -> None:
        if not self._alive():
            return
        if what == "saved" and self.on_saved is not None:
            self.on_saved(value)
        elif what == "waiting" and self.on_waiting is not None:
            self.on_waiting()
        elif what == "refused" and self.on_refused is not None:
            self.on_refused(value)


class PendingWrites(QObject):
    """The ordered, retried queue of one database's changes (one per task manager)."""

    changed = Signal()  # trouble began or ended, or the number of waiting changes moved
    item_saved = Signal(object)  # WriteItem
    item_refused = Signal(object, object)  # WriteItem, exception: for replayed items

    def __init__(self, tasks: TaskManager, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.db = db
        self.journal = Journal(journal_path(db))
        self.setObjectName(f"pending:{self.journal.path}")
        self.retry_delays_ms: tuple[int, ...] = RETRY_DELAYS_MS
        self.trouble: StorageError | None = None
        self.journal_error: OSError | None = None
        self.failures = 0  # consecutive failed tries of the head
        self.saved_after_trouble = 0
        self._queue: deque[WriteItem] = deque()
        self._in_flight: WriteItem | None = None
        self._in_flight_task: Task[Any] | None = None
        self._seq = itertools.count(1)
        self._replayed_accounts: set[str] = set()
        self._foreign: list[dict[str, Any]] = []  # journal items of accounts not signed in here
        self._journal_dirty = False  # written to since it was last tidied
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._pump)

    @classmethod
    def for_database(cls, tasks: TaskManager, db: Database) -> PendingWrites:
        """The one queue for ``db``: it lives as long as the task manager, not a view."""
        name = f"pending:{journal_path(db)}"
        for child in tasks.findChildren(PendingWrites):
            if child.objectName() == name and child.db is db:
                return child
        return cls(tasks, db, parent=tasks)

    # -- state ----------------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        """Changes not saved yet because of trouble (0 while all is well)."""
        return sum(1 for item in self._queue if item.told_waiting)

    @property
    def idle(self) -> bool:
        return not self._queue

    @property
    def stuck(self) -> bool:
        return self.trouble is not None and bool(self._queue)

    def items(self) -> list[WriteItem]:
        return list(self._queue)

    # -- asking -----------------------------------------------------------------------------

    def submit(
        self,
        actor: Actor,
        op: Write | str,
        args: dict[str, Any] | None = None,
        *,
        label: str,
        owner: QObject | None = None,
        on_saved: Callable[[Any], None] | None = None,
        on_waiting: Callable[[], object] | None = None,
        on_refused: Callable[[BaseException], None] | None = None,
    ) -> WriteItem:
        if isinstance(op, Write):  # the typed way: ops.record_level(...), ops.add_note(...)
            name, args = op.op, op.args
        else:
            name = op
        if name not in OPS or args is None:
            raise ValueError(f"unknown change {name!r}")
        item = WriteItem(
            str(uuid.uuid4()),
            next(self._seq),
            name,
            args,
            actor,
            label,
            owner,
            on_saved,
            on_waiting,
            on_refused,
        )
        self._queue.append(item)
        if self._queue[0] is not item and self._queue[0].told_waiting:
            self._hold([item])  # behind a change that is waiting: it waits too, kept
            self.changed.emit()
        self._pump()
        return item

    def replay_journal(self, actor: Actor, only: Collection[str] | None = None) -> int:
        """Queues this account's changes left in the journal by an earlier run. Once per account.

        ``only``: just these items (a reopened kiosk's own saves), leaving the rest of the
        account's for the screen that made them."""
        if only is None:
            if actor.account_id in self._replayed_accounts:
                return 0
            self._replayed_accounts.add(actor.account_id)
        mine = []
        try:
            records = self.journal.open_items()
        except OSError as exc:
            log.error("cannot read the journal %s: %s", self.journal.path, exc)
            return 0
        queued = {item.id for item in self._queue}
        for record in records:
            if record["id"] in queued or record.get("op") not in OPS:
                continue
            if only is not None and record["id"] not in only:
                continue
            if record.get("account_id") != actor.account_id:
                if all(r["id"] != record["id"] for r in self._foreign):
                    self._foreign.append(record)
                continue
            item = WriteItem(
                record["id"],
                next(self._seq),
                record["op"],
                dict(record["args"]),
                actor,
                record.get("label", ""),
            )
            item.journaled = item.replayed = True
            item.attempts = 1  # a retry: check first whether it reached the disk
            mine.append(item)
        self._journal_dirty = self._journal_dirty or bool(records)
        if mine:
            log.warning("replaying %d change(s) left in %s", len(mine), self.journal.path)
            self._queue.extend(mine)
            self.changed.emit()
            self._pump()
        return len(mine)

    def report(self, exc: BaseException | None) -> None:
        """What another write (a heartbeat) found: trouble, or the disk taking writes again."""
        if isinstance(exc, StorageError):
            if self.trouble is None or self.trouble.kind != exc.kind:
                self.trouble = exc
                self.changed.emit()
        elif exc is None and self.trouble is not None:
            if self._queue:
                self.retry_now()
            else:
                self.trouble = None
                self.changed.emit()

    def retry_now(self) -> None:
        if self._retry.isActive():
            self._retry.stop()
            self._pump()

    # -- the worker round trip ------------------------------------------------------------------

    def _pump(self) -> None:
        if self._in_flight is not None or not self._queue or self._retry.isActive():
            return
        item = self._queue[0]
        self._in_flight = item
        try:
            self._in_flight_task = self.tasks.write(
                run_op,
                self.db,
                item.actor,
                item.op,
                item.args,
                item.attempts > 0,
                item.id,
                on_done=partial(self._saved, item),
                on_error=partial(self._failed, item),
                name=item.op,
                changes=changes_of(item.op, item.args),
                origin=item.owner if item._alive() else None,
            )
        except RuntimeError:  # the task manager has shut down: the journal keeps what waits
            self._in_flight = None
            self._hold(list(self._queue))

    def settle_briefly(self, seconds: float = BRIEF_WAIT_S) -> bool:
        """Gives the change in flight a moment to commit and, if it does, tells its asker
        now (``TaskManager.await_briefly``); True if it was told. The caller's state must
        be complete: ``on_saved`` runs inside this call."""
        task, item = self._in_flight_task, self._in_flight
        if task is None or item is None:
            return False
        return self.tasks.await_briefly(task, seconds)

    def _saved(self, item: WriteItem, result: Any) -> None:
        self._in_flight = None
        self._queue.popleft()
        if item.journaled:
            self._mark_done(item, "saved")
        was_troubled = self.trouble is not None or self.failures > 0 or item.told_waiting
        if item.told_waiting:
            self.saved_after_trouble += 1
        self.failures = 0
        self.trouble = None
        item.tell("saved", result)
        self.item_saved.emit(item)
        if not self._queue:
            self._settle()
        if was_troubled:
            self.changed.emit()
        self._pump()

    def _failed(self, item: WriteItem, exc: BaseException) -> None:
        self._in_flight = None
        if isinstance(exc, StorageError):
            item.attempts += 1
            self.failures += 1
            self.trouble = exc
            self._hold(list(self._queue))
            delay = self.retry_delays_ms[min(self.failures, len(self.retry_delays_ms)) - 1]
            log.warning("%s not saved (%s); trying again in %d ms", item.label, exc.kind, delay)
            self._retry.start(delay)
            self.changed.emit()
            return
        # Refused for a reason of its own: said out loud, never dropped silently.
        self._queue.popleft()
        if item.journaled:
            self._mark_done(item, "refused")
        if item.replayed or not item._alive() or item.on_refused is None:
            self.item_refused.emit(item, exc)
        item.tell("refused", exc)
        if not self._queue:
            self._settle()
        self.changed.emit()
        self._pump()

    # -- keeping what waits ---------------------------------------------------------------------

    def _hold(self, items: list[WriteItem]) -> None:
        """Into the journal (once each), and each told that it is waiting."""
        new = [item for item in items if not item.journaled]
        if new:
            try:
                self.journal.append([item.record() for item in new])
            except OSError as exc:
                self.journal_error = exc
                log.error("cannot write the journal %s: %s", self.journal.path, exc)
            else:
                self.journal_error = None
                self._journal_dirty = True
                for item in new:
                    item.journaled = True
        for item in items:
            if not item.told_waiting:
                item.told_waiting = True
                item.tell("waiting")

    def _mark_done(self, item: WriteItem, outcome: str) -> None:
        # Without the mark a replay checks the disk first, so nothing is recorded twice.
        with contextlib.suppress(OSError):
            self.journal.append([{"type": "done", "id": item.id, "outcome": outcome}])

    def _settle(self) -> None:
        """Nothing waits: the journal keeps only other accounts' open items (usually: gone)."""
        if not self._journal_dirty:
            return
        try:
            self.journal.rewrite(list(self._foreign))
            self.journal_error = None
            self._journal_dirty = False
        except OSError as exc:
            log.error("cannot tidy the journal %s: %s", self.journal.path, exc)
