"""The candidate's kiosk for the knowledge test: one item at a time, full screen, nothing else.

It holds a ``KnowledgeGrant``, which reaches one sitting's form and nothing else; the
same guard as the written exercise keeps the candidate inside (``KioskGuard``), and
leaving needs an assessor's or a manager's password (``knowledge.leave``, audited).

Every answer and flag is one write through the ordered, journaled queue the written
exercise and the scoring station use (``PendingWrites``, ``writes.ops.answer_item``):
an option shows as chosen only once its write is on disk (or, while the disk refuses,
fsync'd in the journal, marked "saving…"). The click waits up to half a frame for the
commit, so the choice shows at once. Moving between items rebuilds only the item's own
widgets, in the same event. After a crash the form reopens with the same order, the
answers saved (and any still in the journal) and the clock, which runs from the form's
start for the time allowed with the candidate's extra time.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from naas_centre.core.timing import clock
from naas_centre.errors import UserError
from naas_centre.services import knowledge
from naas_centre.services.knowledge import AnswerState, KnowledgeStart
from naas_centre.services.views import Actor
from naas_centre.writes import ops
from naas_centre.writes.changes import Changes
from naas_centre.writes.journal import Journal, journal_path
from ui.common import error_reporting
from ui.work.pending_writes import PendingWrites
from ui.work.tasks import TaskManager
from ui.written.kiosk_guard import KioskGuard, inside
from ui.written.kiosk_panels import kiosk_style
from ui.written.knowledge_item import ItemView
from ui.written.knowledge_navigator import Navigator

if TYPE_CHECKING:
    from db.engine import Database

log = logging.getLogger("naas_centre.ui.knowledge")

TICK_MS = 250
SUBMIT_RETRY_MS = 100


def _numbers(indexes: list[int]) -> str:
    return ", ".join(str(i + 1) for i in indexes)


class _KeyReach(QObject):
    """Letters and digits choose options, the arrow keys move, wherever focus is in the test."""

    def __init__(self, window: KnowledgeKioskWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not isinstance(watched, QWidget) or not inside(watched, self.window.test_page):
            return False
        return self.window.handle_key(event)


class KnowledgeKioskWindow(QWidget):
    left = Signal(object)  # the Actor who closed the kiosk with their password
    submitted = Signal(object)  # the KnowledgeStart as submitted
    answer_saved = Signal(object)  # AnswerState once durable

    def __init__(
        self, tasks: TaskManager, db: Database, start: KnowledgeStart, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("KnowledgeKioskWindow")
        self.setWindowFlags(
            Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setWindowTitle(start.title)
        self.setStyleSheet(kiosk_style())
        self.tasks, self.db, self.start = tasks, db, start
        self.grant = start.grant
        self.items = start.items
        self.index = 0
        self.answers: dict[str, tuple[str, ...]] = {}
        self.flags: dict[str, bool] = {}
        self.pending: dict[str, tuple[str, ...]] = {}  # asked for, not on disk yet
        self.submitted_at = start.submitted_at
        self._submitting: str | None = None
        self._released = False
        for a in start.answers:
            self.answers[a.item_id] = a.chosen
            self.flags[a.item_id] = a.flagged
        self.writes = PendingWrites.for_database(tasks, db)
        replay = self._journaled()

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        root.addWidget(self.pages)
        self.test_page = self._build_test_page()
        self.confirm_page, self.confirm_text = self._build_confirm_page()
        self.staff_page = self._build_staff_page()
        self.done_page, self.done_text = self._build_done_page()
        for page in (self.test_page, self.confirm_page, self.staff_page, self.done_page):
            self.pages.addWidget(page)

        for n, item in enumerate(self.items):
            self.navigator.set_state(n, bool(self.answers.get(item.id)), self.flags.get(item.id, False))
        self.guard = KioskGuard(self)
        self.keys = _KeyReach(self)
        self.ticker = QTimer(self)
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self._tick)
        self.submit_retry = QTimer(self)
        self.submit_retry.setSingleShot(True)
        self.submit_retry.setInterval(SUBMIT_RETRY_MS)
        self.submit_retry.timeout.connect(self._send_submit)
        self.tasks.about_to_shut_down.connect(self.release)
        self.show_item(0)
        if replay:
            self.writes.replay_journal(self.grant.actor, only=replay)
        if self.submitted_at is not None:
            self._show_done()
        self._tick()

    # -- building -----------------------------------------------------------------------------

    def _build_test_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.setContentsMargins(24, 12, 24, 12)
        title = QLabel(f"{self.start.title} · {self.start.candidate_name}")
        title.setObjectName("knowledge_title")
        header.addWidget(title, 1)
        self.saved_label = QLabel("")
        self.saved_label.setObjectName("knowledge_saved")
        header.addWidget(self.saved_label)
        self.clock_label = QLabel("")
        self.clock_label.setObjectName("knowledge_clock")
        self.clock_label.setAccessibleName("Time left")
        header.addWidget(self.clock_label)
        box.addLayout(header)
        body = QHBoxLayout()
        self.navigator = Navigator(len(self.items))
        self.navigator.chosen.connect(self.show_item)
        body.addWidget(self.navigator)
        self.item_view = ItemView(self.start.video_replays)
        self.item_view.option_clicked.connect(self.choose)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.item_view)
        body.addWidget(scroll, 1)
        box.addLayout(body, 1)
        footer = QHBoxLayout()
        footer.setContentsMargins(24, 10, 24, 14)
        self.notice = QLabel("")
        self.notice.setObjectName("knowledge_notice")
        self.previous_button = QPushButton("← Previous")
        self.previous_button.setObjectName("knowledge_previous")
        self.previous_button.clicked.connect(lambda: self.move_by(-1))
        self.flag_button = QPushButton("")
        self.flag_button.setObjectName("knowledge_flag")
        self.flag_button.clicked.connect(self.toggle_flag)
        self.next_button = QPushButton("Next →")
        self.next_button.setObjectName("knowledge_next")
        self.next_button.clicked.connect(lambda: self.move_by(1))
        self.submit_button = QPushButton("Finish and submit…")
        self.submit_button.setObjectName("knowledge_submit")
        self.submit_button.clicked.connect(self.ask_submit)
        self.staff_button = QPushButton("For assessors…")
        self.staff_button.setObjectName("knowledge_staff")
        self.staff_button.clicked.connect(self.ask_staff)
        footer.addWidget(self.notice, 1)
        for button in (
            self.previous_button,
            self.flag_button,
            self.next_button,
            self.submit_button,
            self.staff_button,
        ):
            footer.addWidget(button)
        box.addLayout(footer)
        return page

    def _card(self, name: str) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.addStretch(1)
        card = QWidget()
        card.setObjectName(name)
        card.setMaximumWidth(640)
        box = QVBoxLayout(card)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        return page, box

    def _build_confirm_page(self) -> tuple[QWidget, QLabel]:
        page, box = self._card("knowledge_confirm")
        box.addWidget(QLabel("Submit your answers?"))
        text = QLabel("")
        text.setObjectName("knowledge_unanswered")
        text.setWordWrap(True)
        box.addWidget(text)
        row = QHBoxLayout()
        self.keep_button = QPushButton("Go back to the questions")
        self.keep_button.setObjectName("knowledge_keep")
        self.keep_button.clicked.connect(self.back_to_test)
        self.confirm_button = QPushButton("Submit my answers")
        self.confirm_button.setObjectName("knowledge_confirm_submit")
        self.confirm_button.clicked.connect(lambda: self.submit("candidate"))
        row.addWidget(self.keep_button)
        row.addWidget(self.confirm_button)
        box.addLayout(row)
        return page, text

    def _build_staff_page(self) -> QWidget:
        page, box = self._card("knowledge_staff_panel")
        box.addWidget(QLabel("For assessors: sign in to close this screen."))
        self.username = QLineEdit()
        self.username.setObjectName("knowledge_staff_username")
        self.username.setPlaceholderText("User name")
        self.password = QLineEdit()
        self.password.setObjectName("knowledge_staff_password")
        self.password.setPlaceholderText("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.staff_message = QLabel("")
        self.staff_message.setObjectName("knowledge_staff_message")
        self.staff_message.setWordWrap(True)
        for w in (self.username, self.password, self.staff_message):
            box.addWidget(w)
        row = QHBoxLayout()
        back = QPushButton("Back")
        back.clicked.connect(self.back_to_test)
        self.leave_button = QPushButton("Close the candidate's screen")
        self.leave_button.setObjectName("knowledge_leave")
        self.leave_button.clicked.connect(self._leave)
        row.addWidget(back)
        row.addWidget(self.leave_button)
        box.addLayout(row)
        return page

    def _build_done_page(self) -> tuple[QWidget, QLabel]:
        page, box = self._card("knowledge_done")
        text = QLabel("")
        text.setObjectName("knowledge_done_text")
        text.setWordWrap(True)
        box.addWidget(text)
        box.addWidget(QLabel("Please stay where you are: an assessor will close this screen."))
        staff = QPushButton("For assessors…")
        staff.setObjectName("knowledge_done_staff")
        staff.clicked.connect(self.ask_staff)
        box.addWidget(staff)
        return page, text

    # -- showing ------------------------------------------------------------------------------

    def present(self) -> None:
        self.guard.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.keys)
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        self.ticker.start()
        self._tick()
        kinds = {m.kind for item in self.items for m in item.media}
        if kinds:  # once the form is on screen
            QTimer.singleShot(0, lambda: self.item_view.prepare_media(kinds != {"case"}, "case" in kinds))

    @property
    def released(self) -> bool:
        return self._released

    def show_item(self, index: int) -> None:
        """The item at ``index``, in place: its widgets only, in this event."""
        if not 0 <= index < len(self.items):
            return
        self.index = index
        item = self.items[index]
        self.item_view.show_item(index, len(self.items), item, self.answers.get(item.id, ()))
        self._show_pending(item.id)
        self.navigator.set_current(index)
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.items) - 1)
        self._show_flag()
        self.notice.setText("")

    def move_by(self, step: int) -> None:
        self.show_item(self.index + step)

    def _show_flag(self) -> None:
        flagged = self.flags.get(self.items[self.index].id, False)
        self.flag_button.setText("⚑ Flagged: unflag" if flagged else "⚐ Flag to come back to")
        self.flag_button.setAccessibleName("Flagged" if flagged else "Not flagged")

    def _show_pending(self, item_id: str) -> None:
        if item_id != self.items[self.index].id:
            return
        if item_id in self.pending:
            chosen = self.pending[item_id]
            self.item_view.show_answer(chosen, pending=chosen)
        else:
            self.item_view.show_answer(self.answers.get(item_id, ()))

    def handle_key(self, event: QKeyEvent) -> bool:
        """Keys on the test page: True when taken."""
        if self.pages.currentWidget() is not self.test_page or not self._open:
            return False
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown):
            self.move_by(1)
            return True
        if key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp):
            self.move_by(-1)
            return True
        if event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False
        option = self.item_view.option_for_key(event.text())
        if option is not None:
            self.choose(option)
            return True
        return False

    # -- answering ----------------------------------------------------------------------------

    @property
    def _open(self) -> bool:
        return self.submitted_at is None and self._submitting is None and not self._released

    def choose(self, option_id: str) -> None:
        if not self._open:
            return
        item = self.items[self.index]
        now = self.pending.get(item.id, self.answers.get(item.id, ()))
        if item.answer_type == "multiple":
            if option_id in now:
                chosen = tuple(o for o in now if o != option_id)
            elif len(now) >= item.choose:
                self.notice.setText(f"Choose {item.choose}: unchoose one before choosing another.")
                return
            else:
                chosen = (*now, option_id)
        else:
            if now == (option_id,):
                return
            chosen = (option_id,)
        order = [o for o, _ in item.options]
        chosen = tuple(sorted(chosen, key=order.index))
        self._write(
            item.id,
            ops.answer_item(
                self.grant.sitting_id, self.grant.form_id, item.id, list(chosen), datetime.now(UTC)
            ),
            pending=chosen,
        )

    def toggle_flag(self) -> None:
        if not self._open:
            return
        item = self.items[self.index]
        flagged = not self.flags.get(item.id, False)
        self._write(
            item.id,
            ops.flag_item(self.grant.sitting_id, self.grant.form_id, item.id, flagged, datetime.now(UTC)),
        )

    def _write(self, item_id: str, write: ops.Write, pending: tuple[str, ...] | None = None) -> None:
        if pending is not None:
            self.pending[item_id] = pending
        self.writes.submit(
            self.grant.actor,
            write,
            label=f"answer to question {self._number(item_id)}",
            owner=self,
            on_saved=self._saved,
            on_waiting=lambda: self._waiting(item_id),
            on_refused=self._refused,
        )
        # Half a frame for the commit: the answer then shows in this very event.
        self.writes.settle_briefly()

    def _number(self, item_id: str) -> int:
        return next(n for n, i in enumerate(self.items) if i.id == item_id) + 1

    def _saved(self, state: AnswerState) -> None:
        self.answers[state.item_id] = state.chosen
        self.flags[state.item_id] = state.flagged
        if self.pending.get(state.item_id) == state.chosen:
            del self.pending[state.item_id]
        n = self._number(state.item_id) - 1
        self.navigator.set_state(n, bool(state.chosen), state.flagged)
        self._show_pending(state.item_id)
        if n == self.index:
            self._show_flag()
        self.saved_label.setText(f"Saved {datetime.now():%H:%M:%S}")
        self.answer_saved.emit(state)

    def _waiting(self, item_id: str) -> None:
        if self.writes.journal_error is None:  # kept, fsync'd, on this workstation
            self.saved_label.setText("Kept on this screen; saving to the database…")
        else:
            self.saved_label.setText("Not saved yet: trying again. Please tell an assessor.")

    def _refused(self, exc: BaseException) -> None:
        log.warning("knowledge answer refused: %s", exc)
        self.pending.clear()
        self._show_pending(self.items[self.index].id)
        self.notice.setText(error_reporting.plain_message(exc))

    def _journaled(self) -> set[str]:
        """Answers and flags of this form left in the journal by a crash: newer than the disk."""
        try:
            records = Journal(journal_path(self.db)).open_items()
        except OSError as exc:
            log.error("cannot read the journal for the knowledge test: %s", exc)
            return set()
        ids: set[str] = set()
        for record in records:
            args: dict[str, Any] = record.get("args") or {}
            if record.get("op") not in ("answer_item", "flag_item"):
                continue
            if (args.get("sitting_id"), args.get("form_id")) != (self.grant.sitting_id, self.grant.form_id):
                continue
            ids.add(str(record["id"]))
            if record["op"] == "answer_item":
                self.pending[str(args["item_id"])] = tuple(args.get("chosen") or ())
            else:
                self.flags[str(args["item_id"])] = bool(args.get("flagged"))
        return ids

    # -- the clock ----------------------------------------------------------------------------

    def remaining_ms(self) -> int:
        return int((self.start.deadline() - datetime.now(UTC)).total_seconds() * 1000)

    def _tick(self) -> None:
        if self.submitted_at is not None:
            self.clock_label.setText("Submitted")
            return
        left = self.remaining_ms()
        self.clock_label.setText(f"{clock(max(0, left))} left")
        if left <= 0 and self._open:
            self.submit("time_up")

    # -- submitting ---------------------------------------------------------------------------

    def ask_submit(self) -> None:
        if not self._open:
            return
        unanswered = self.navigator.unanswered()
        flagged = self.navigator.flagged()
        lines = []
        if unanswered:
            lines.append(f"{len(unanswered)} question(s) not answered: {_numbers(unanswered)}.")
        else:
            lines.append("You have answered every question.")
        if flagged:
            lines.append(f"Flagged to come back to: {_numbers(flagged)}.")
        lines.append(f"{clock(max(0, self.remaining_ms()))} left. Once submitted, answers cannot change.")
        self.confirm_text.setText("\n".join(lines))
        self.pages.setCurrentWidget(self.confirm_page)
        self.keep_button.setFocus()

    def back_to_test(self) -> None:
        target = self.done_page if not self._open and self.submitted_at is not None else self.test_page
        self.pages.setCurrentWidget(target)

    def submit(self, how: str) -> None:
        if not self._open:
            return
        self._submitting = how
        self.item_view.stop_media()
        self._show_done()
        self._send_submit()

    def _send_submit(self) -> None:
        if self._submitting is None:
            return
        if not self.writes.idle:  # every answer first, in order
            self.submit_retry.start()
            return
        self.tasks.write(
            knowledge.submit,
            self.db,
            self.grant,
            self._submitting,
            on_done=self._submit_done,
            on_error=self._submit_failed,
            owner=self,
            name="knowledge_submit",
            changes=Changes.of(self.grant.sitting_id, scripts=True, status=True),
        )

    def _submit_done(self, start: KnowledgeStart) -> None:
        self._submitting = None
        self.submitted_at = start.submitted_at
        self._show_done()
        self._tick()
        self.submitted.emit(start)

    def _submit_failed(self, exc: BaseException) -> None:
        log.warning("submitting the knowledge test failed: %s", exc)
        self.done_text.setText("Saving your answers is taking longer than usual; it is being tried again.")
        self.submit_retry.start(2_000)

    def _show_done(self) -> None:
        if self.submitted_at is not None:
            when = self.submitted_at.astimezone()
            self.done_text.setText(f"Your answers have been submitted at {when:%H:%M}. Thank you.")
        else:
            self.done_text.setText("Submitting your answers…")
        if self.pages.currentWidget() is not self.staff_page:
            self.pages.setCurrentWidget(self.done_page)

    # -- the assessor's panel -----------------------------------------------------------------

    def ask_staff(self) -> None:
        self.staff_message.setText(
            "" if not self._open else "The test's clock keeps running while this screen is closed."
        )
        self.pages.setCurrentWidget(self.staff_page)
        self.username.setFocus()

    def _leave(self) -> None:
        if self._submitting is not None or not self.writes.idle:
            self.staff_message.setText("Answers are still being saved. Wait a moment, then try again.")
            return
        self.tasks.write(
            knowledge.leave,
            self.db,
            self.grant,
            self.username.text(),
            self.password.text(),
            on_done=self._left,
            on_error=lambda exc: self.staff_message.setText(
                str(exc) if isinstance(exc, UserError) else error_reporting.plain_message(exc)
            ),
            owner=self,
            name="knowledge_leave",
        )

    def _left(self, who: Actor) -> None:
        self.release()
        self.left.emit(who)
        self.close()

    def release(self) -> None:
        """Stops everything and lets the window close (after a password, or in tests)."""
        if self._released:
            return
        self._released = True
        self.ticker.stop()
        self.submit_retry.stop()
        self.item_view.stop_media()
        self.guard.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.keys)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._released:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)
