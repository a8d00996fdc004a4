"""The candidate's kiosk for the written exercise: full screen, and nothing else.

It shows the task, the pack's case material, an editor with a live word count and the
clock with the candidate's extra time. It holds a ``KioskGrant``, which reaches one
sitting's script and candidate material and nothing else: no menus, no other window,
no other candidate, never an actor's brief. Closing it, Escape, Alt+F4, Ctrl+W and
Ctrl+Q do nothing (``KioskGuard``); leaving needs an assessor's or a manager's password
(``written.leave_kiosk``, audited), and from the same panel they can pause and resume
the clock, with a reason.

Every change reaches the database within two seconds (``Autosaver``); "Saved" shows
the time of the last commit. At each alert point the clock says so; at time up the
editor turns read-only and the script is submitted. After a crash the app reopens
the kiosk at start (``naas_centre.services.kiosk``) with the saved script and the clock
as the recorded instants give it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from naas_centre import material as kiosk_material
from naas_centre.clocks import ClockReading, WritingClock
from naas_centre.core.timing import clock
from naas_centre.errors import Conflict, UserError
from naas_centre.services import kiosk as work
from naas_centre.services.kiosk import KioskStart
from naas_centre.services.views import Actor
from naas_centre.writes.changes import Changes
from ui.common import error_reporting, theme
from ui.common.widgets import set_role
from ui.work.pending_writes import PendingWrites, WriteItem
from ui.work.tasks import TaskManager
from ui.written.kiosk_autosave import Autosaver
from ui.written.kiosk_bars import KioskFooter, KioskHeader, condition_lines
from ui.written.kiosk_guard import KioskGuard
from ui.written.kiosk_panels import Cover, kiosk_style
from ui.written.script_editor import ScriptEditor

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.services.knowledge import KnowledgeStart
    from naas_centre.services.timing import StationTiming
    from naas_centre.services.written import ScriptState
    from ui.written.knowledge_window import KnowledgeKioskWindow

log = logging.getLogger("naas_centre.ui.kiosk")

TICK_MS = 250
HEARTBEAT_MS = 2_000
RESYNC_MS = 15_000
ALERT_SHOWN_MS = 12_000
NOTICE_SHOWN_MS = 6_000
SUBMIT_RETRY_MS = 2_000


# -- the window ---------------------------------------------------------------------------------


class KioskWindow(QWidget):
    left = Signal(object)  # the Actor who closed the kiosk with their password
    submitted = Signal(object)  # the ScriptState as submitted
    script_saved = Signal(object)  # the ScriptState after each autosave commit
    clock_changed = Signal(object)  # StationTiming after a start, pause, resume or end

    def __init__(self, tasks: TaskManager, db: Database, start: KioskStart, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("KioskWindow")
        self.setWindowFlags(
            Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setWindowTitle("Written exercise")
        self.setStyleSheet(kiosk_style())
        self.tasks = tasks
        self.db = db
        self.grant = start.grant
        self.material = start.material
        self.clock = WritingClock(start.timing)
        self.submitted_state: ScriptState | None = (
            start.script if start.script.submitted_at is not None else None
        )
        self.downtime_ms = start.downtime_ms
        self._released = False
        self._submitting: str | None = None  # how, while a submission is on its way
        self._submit_text = ""
        self._timing_version = 0
        self._save_failed = False
        self._alert_state = ""
        self._focus_watched = False
        self.knowledge_button: QPushButton | None = None
        self.knowledge: KnowledgeKioskWindow | None = None

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.header = KioskHeader(self.material)
        self.saved_label, self.clock_label, self.clock_note = (
            self.header.saved,
            self.header.clock,
            self.header.clock_note,
        )
        root.addWidget(self.header)
        self.alert = QLabel("")
        self.alert.setObjectName("kiosk_alert")
        self.alert.setWordWrap(True)
        self.alert.hide()
        root.addWidget(self.alert)

        self.reading = QTextBrowser()
        self.reading.setObjectName("case_material")
        self.reading.setAccessibleName("The task and the case material")
        self.reading.setOpenLinks(False)
        self.reading.document().setDocumentMargin(22)
        c = theme.colours()
        self.reading.setHtml(
            kiosk_material.document_html(
                self.material.prompt,
                self.material.case_material,
                heading=c.area_text,
                muted=c.muted,
                rule=c.grid,
            )
        )
        self.editor = ScriptEditor(self.material.conditions.allow_paste)
        self.editor.setPlaceholderText("Write your answer here.")
        # After a crash while the disk refused writes, the journal has newer text than the
        # database: the candidate sees that, and it is saved before anything they type next.
        self.editor.load(start.kept.text if start.kept is not None else start.script.text)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.reading)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 9)
        self.splitter.setStretchFactor(1, 11)
        root.addWidget(self.splitter, 1)
        self.footer = KioskFooter(self.material.conditions)
        f = self.footer
        self.conditions, self.notice, self.words = f.conditions, f.notice, f.words
        self.submit_button, self.staff_button = f.submit_button, f.staff_button
        self.submit_button.clicked.connect(self.ask_submit)
        self.staff_button.clicked.connect(self.ask_staff)
        root.addWidget(self.footer)

        self.cover = Cover(self)
        self.cover.start.start_requested.connect(self._start_clock)
        self.cover.confirm.confirmed.connect(lambda: self._submit("candidate"))
        self.cover.confirm.cancelled.connect(self._back_to_base)
        self.cover.staff.cancelled.connect(self._back_to_base)
        self.cover.staff.pause_requested.connect(lambda u, p, r: self._staff_clock(u, p, "pause", r))
        self.cover.staff.resume_requested.connect(lambda u, p: self._staff_clock(u, p, "resume", None))
        self.cover.staff.leave_requested.connect(self._staff_leave)
        self.cover.done.staff_requested.connect(self.ask_staff)
        self.cover.start.staff_requested.connect(self.ask_staff)

        # The same ordered, journaled write path as the scoring station: a refusing disk
        # loses none of the candidate's typing.
        self.autosaver = Autosaver(
            PendingWrites.for_database(self.tasks, self.db), self.grant, self.editor.toPlainText, self
        )
        # Every timer stops before the task manager shuts down (the last text is saved first).
        self.tasks.about_to_shut_down.connect(self.release)
        self.autosaver.saved.connect(self._saved)
        self.autosaver.failed.connect(self._save_failed_now)
        self._replaying: set[str] = set(start.kept.ids) if start.kept is not None else set()
        if self._replaying:
            self.autosaver.pending.item_saved.connect(self._replayed)
            self.autosaver.pending.replay_journal(self.grant.actor, only=self._replaying)
        self.editor.textChanged.connect(self.autosaver.changed)
        self.editor.word_count_changed.connect(self._show_words)
        self.editor.paste_blocked.connect(self._paste_blocked)
        self._show_words(self.editor.word_count)

        self.guard = KioskGuard(self)
        self.ticker = self._timer(TICK_MS, self._tick, single=False)
        self.heartbeat = self._timer(HEARTBEAT_MS, self._beat, single=False)
        self.resync = self._timer(RESYNC_MS, self._resync, single=False)
        self.alert_hide = self._timer(ALERT_SHOWN_MS, self._hide_alert)
        self.notice_hide = self._timer(NOTICE_SHOWN_MS, lambda: self.notice.setText(""))
        self.submit_retry = self._timer(SUBMIT_RETRY_MS, self._retry_submit)

        if self._replaying:
            self._show_saved("Saving what was typed before the restart…", "pending")
        elif start.script.saved_at is not None:
            local = start.script.saved_at.astimezone()
            self._show_saved(f"Saved {local:%H:%M:%S}")

    def _timer(self, interval: int, slot: object, *, single: bool = True) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(interval)
        timer.setSingleShot(single)
        timer.timeout.connect(slot)
        return timer

    # -- building ---------------------------------------------------------------------------

    # -- showing ------------------------------------------------------------------------------

    def present(self) -> None:
        """Full screen, in front, with the guard on."""
        self.guard.start()
        app = QApplication.instance()
        if isinstance(app, QApplication) and not self._focus_watched:
            app.focusChanged.connect(self._focus_changed)
            self._focus_watched = True
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        self.editor.ensureCursorVisible()
        for timer in (self.ticker, self.heartbeat, self.resync):
            timer.start()
        self._apply_state()
        self._tick()
        if self.submitted_state is not None and self.clock.read().status in ("running", "paused"):
            self._finish_phase()  # submitted, but the app stopped before the clock was ended
        elif self.submitted_state is not None:
            self._offer_knowledge()
        if self.downtime_ms >= 5_000 and self.submitted_state is None and self._alert_state != "paused":
            seconds = round(self.downtime_ms / 1000)
            self._show_alert(
                f"This screen was restarted. Your saved work is here; the {seconds} seconds it was "
                "closed are recorded for the assessors.",
                "info",
            )

    @property
    def released(self) -> bool:
        return self._released

    def reading_now(self) -> ClockReading:
        return self.clock.read()

    def _apply_state(self) -> None:
        """Editor, panels and buttons as the script and the clock now stand."""
        reading = self.clock.read()
        writing = reading.status == "running" and self.submitted_state is None and self._submitting is None
        self.editor.setReadOnly(not writing)
        self.submit_button.setEnabled(writing)
        current = self.cover.current
        if self.submitted_state is not None or self._submitting is not None:
            if current is not self.cover.staff:
                self._show_done()
        elif reading.status == "not_started":
            if current is None:
                conditions = condition_lines(self.material.conditions)
                self.cover.start.show_plan(
                    self.material.title, reading.length_ms, reading.planned_ms, conditions
                )
                self.cover.present(self.cover.start)
                self.cover.start.start.setFocus()
        elif current is self.cover.start:
            self.cover.dismiss()
        if reading.status == "paused":
            why = f" ({reading.pause_reason})" if reading.pause_reason else ""
            self._show_alert(f"The clock is paused{why}. Your work is saved.", "paused", keep=True)
        elif self._alert_state == "paused":
            self._hide_alert()
        if reading.status == "ended" and self.submitted_state is None and self._submitting is None:
            self._time_up()

    def _show_done(self) -> None:
        state = self.submitted_state
        if state is not None and state.submitted_at is not None:
            when = state.submitted_at.astimezone()
            self.cover.done.show_state(
                "Your script has been submitted",
                f"{state.word_count:,} words, submitted at {when:%H:%M}. Thank you.",
            )
        else:
            self.cover.done.show_state(
                "Submitting your script…", "Your script is safe on this screen while it is saved."
            )
        self.cover.present(self.cover.done)

    def _back_to_base(self) -> None:
        self.cover.dismiss()
        self._apply_state()
        if self.cover.current is None and not self.editor.isReadOnly():
            self.editor.setFocus()

    def _show_words(self, count: int) -> None:
        self.words.setText(f"{count:,} word{'s' if count != 1 else ''}")

    def _show_saved(self, text: str, role: str = "muted") -> None:
        self.saved_label.setText(text)
        set_role(self.saved_label, role)

    def _show_alert(self, text: str, state: str = "", *, keep: bool = False) -> None:
        self.alert.setText(text)
        self.alert.setProperty("alert", state)
        self.alert.style().unpolish(self.alert)
        self.alert.style().polish(self.alert)
        self.alert.show()
        self._alert_state = state
        if keep:
            self.alert_hide.stop()
        else:
            self.alert_hide.start()

    def _hide_alert(self) -> None:
        self.alert.hide()
        self._alert_state = ""

    # -- the clock ----------------------------------------------------------------------------

    def _tick(self) -> None:
        reading = self.clock.read()
        if reading.status == "not_started":
            text = clock(reading.length_ms)
        else:  # running, paused, or the time left when it ended
            text = clock(max(0, reading.remaining_ms))
        if self.clock_label.text() != text:
            self.clock_label.setText(text)
        note = f"left of {clock(reading.length_ms)}"
        if reading.status == "paused":
            note = "paused"
        elif reading.status == "not_started":
            note = "not started"
        elif self.submitted_state is not None:
            note = "submitted"
        elif reading.status == "ended":
            note = "finished"
        if self.clock_note.text() != note:
            self.clock_note.setText(note)
        self._colour_clock(reading)
        for point in self.clock.alerts(reading):
            if point > 0:
                self._alert_point(point)
        if (
            reading.status == "running"
            and reading.remaining_ms <= 0
            and self.submitted_state is None
            and self._submitting is None
        ):
            self._time_up()

    def _colour_clock(self, reading: ClockReading) -> None:
        points = sorted(p for p in self.clock.timing.alert_points_ms if p > 0)
        state = ""
        if reading.status == "paused":
            state = "paused"
        elif reading.status == "running" and points:
            if reading.remaining_ms <= points[0]:
                state = "last"
            elif reading.remaining_ms <= points[-1]:
                state = "soon"
        if self.clock_label.property("alert") != state:
            self.clock_label.setProperty("alert", state)
            self.clock_label.style().unpolish(self.clock_label)
            self.clock_label.style().polish(self.clock_label)

    def _alert_point(self, point_ms: int) -> None:
        minutes = round(point_ms / 60_000)
        if minutes >= 1:
            left = f"{minutes} minute{'s' if minutes != 1 else ''}"
        else:
            left = f"{round(point_ms / 1000)} seconds"
        self._show_alert(
            f"{left} left. Your script will be submitted automatically when the time is up.", "soon"
        )

    def _set_timing(self, timing: StationTiming) -> None:
        self._timing_version += 1
        self.clock.update(timing)
        self.clock_changed.emit(timing)
        self._apply_state()
        self._tick()

    def _start_clock(self) -> None:
        self.cover.start.set_busy(True)
        self.tasks.write(
            work.start_clock,
            self.db,
            self.grant,
            on_done=self._started,
            on_error=self._start_failed,
            owner=self,
            name="kiosk_start",
        )

    def _started(self, timing: StationTiming) -> None:
        self.cover.start.set_busy(False)
        self.cover.dismiss()
        self._set_timing(timing)
        self.editor.setFocus()

    def _start_failed(self, exc: BaseException) -> None:
        self.cover.start.set_busy(False)
        if isinstance(exc, Conflict):  # started meanwhile (this kiosk again, after a restart)
            self._resync()
            return
        self.cover.start.details.setText(error_reporting.plain_message(exc))

    def _resync(self) -> None:
        version = self._timing_version
        self.tasks.run(
            work.read_timing,
            self.db,
            self.grant,
            on_done=lambda t: self._resynced(version, t),
            on_error=lambda exc: log.warning("kiosk timing not read: %s", exc),
            owner=self,
            name="kiosk_timing",
        )

    def _resynced(self, version: int, timing: StationTiming) -> None:
        if version == self._timing_version:  # no local event since the read was asked for
            self._set_timing(timing)

    def _beat(self) -> None:
        if self._released or self.tasks.closed:
            return  # a beat already on its way when the kiosk was released
        self.tasks.write(
            work.heartbeat,
            self.db,
            self.grant,
            on_error=lambda exc: log.warning("kiosk heartbeat not saved: %s", exc),
            owner=self,
            name="kiosk_heartbeat",
        )

    # -- saving -------------------------------------------------------------------------------

    def _replayed(self, item: WriteItem) -> None:
        """One of the journal's saves of this script reached the database."""
        if item.id not in self._replaying:
            return
        self._replaying.discard(item.id)
        if not self._replaying:
            self.autosaver.pending.item_saved.disconnect(self._replayed)
            self._show_saved(f"Saved {datetime.now():%H:%M:%S}")

    def _saved(self, state: ScriptState, at: datetime) -> None:
        self._save_failed = False
        self._show_saved(f"Saved {at:%H:%M:%S}")
        self.script_saved.emit(state)

    def _save_failed_now(self, exc: BaseException) -> None:
        self._save_failed = True
        log.warning("autosave failed: %s", exc)
        self._show_saved("Not saved yet: trying again. Your text is still here.", "pending")

    def _paste_blocked(self) -> None:
        self.notice.setText("Pasting text from outside your script is switched off.")
        self.notice_hide.start()

    def _focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        self.autosaver.flush()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and not self._released:
            self.autosaver.flush()
            if not self.isActiveWindow():
                QTimer.singleShot(300, self._reclaim)

    def _reclaim(self) -> None:
        if not self._released and self.isVisible() and not self.isActiveWindow():
            self.raise_()
            self.activateWindow()

    # -- submitting ---------------------------------------------------------------------------

    def ask_submit(self) -> None:
        reading = self.clock.read()
        if reading.status != "running" or self.submitted_state is not None or self._submitting:
            return
        self.autosaver.flush()
        self.cover.confirm.ask(_time_left(reading.remaining_ms), self.editor.word_count)
        self.cover.present(self.cover.confirm)
        self.cover.confirm.keep.setFocus()

    def _time_up(self) -> None:
        self._show_alert("Time is up. Your script is being submitted.", "soon", keep=True)
        self._submit("time_up")

    def _submit(self, how: str) -> None:
        if self.submitted_state is not None or self._submitting is not None:
            return
        self._submitting = how
        self.autosaver.stop()
        self.editor.setReadOnly(True)
        self._submit_text = self.editor.toPlainText()
        self._apply_state()
        self._send_submit()

    def _send_submit(self) -> None:
        assert self._submitting is not None
        self.tasks.write(
            work.submit,
            self.db,
            self.grant,
            self._submit_text,
            self._submitting,
            on_done=self._submit_done,
            on_error=self._submit_failed,
            owner=self,
            name="kiosk_submit",
            changes=Changes.of(self.grant.sitting_id, scripts=True, status=True),
        )

    def _finish_phase(self) -> None:
        self.tasks.write(
            work.submit,
            self.db,
            self.grant,
            self.editor.toPlainText(),
            "time_up",
            on_done=self._submit_done,
            on_error=lambda exc: log.warning("the writing clock was not ended: %s", exc),
            owner=self,
            name="kiosk_end",
            changes=Changes.of(self.grant.sitting_id, scripts=True, status=True),
        )

    def _retry_submit(self) -> None:
        if self._submitting is not None and self.submitted_state is None:
            self._send_submit()

    def _submit_done(self, result: tuple[ScriptState, StationTiming]) -> None:
        state, timing = result
        self.submitted_state = state
        self._submitting = None
        self._set_timing(timing)
        self._hide_alert()
        self._show_saved(f"Submitted {datetime.now():%H:%M:%S}", "saved")
        self.submitted.emit(state)
        self._offer_knowledge()

    # -- the knowledge test, when the pack has one: the candidate goes on to it here ---------

    def _offer_knowledge(self) -> None:
        from naas_centre.services import knowledge

        self.tasks.run(
            knowledge.forms_to_sit,
            self.db,
            self.grant.sitting_id,
            on_done=self._knowledge_offered,
            on_error=lambda exc: log.warning("knowledge test not looked for: %s", exc),
            owner=self,
            name="knowledge_forms",
        )

    def _knowledge_offered(self, forms: tuple[str, ...]) -> None:
        if not forms or self._released or self.knowledge_button is not None:
            return
        button = QPushButton("Go on to the knowledge test")
        button.setObjectName("go_to_knowledge")
        button.clicked.connect(self._open_knowledge)
        self.cover.done.box.addWidget(button)
        self.knowledge_button = button

    def _open_knowledge(self) -> None:
        from naas_centre.services import knowledge

        self.tasks.write(
            knowledge.open_and_start,
            self.db,
            self.grant.opened_by,
            self.grant.sitting_id,
            on_done=self._show_knowledge,
            on_error=lambda exc: self.cover.done.message.setText(error_reporting.plain_message(exc)),
            owner=self,
            name="knowledge_open",
        )

    def _show_knowledge(self, start: KnowledgeStart) -> None:
        from ui.written.knowledge_window import KnowledgeKioskWindow

        self.knowledge = KnowledgeKioskWindow(self.tasks, self.db, start, parent=self)
        self.knowledge.left.connect(self._left)  # its password closes this kiosk too
        self.release()
        self.knowledge.present()
        self.hide()

    def _submit_failed(self, exc: BaseException) -> None:
        log.warning("submitting the script failed: %s", exc)
        self.cover.done.show_state(
            "Saving your script…",
            "Your script is safe on this screen. Saving it is taking longer than usual; "
            "it is being tried again. Please tell an assessor.",
        )
        self.submit_retry.start()

    # -- the assessor's panel -----------------------------------------------------------------

    def ask_staff(self) -> None:
        self.autosaver.flush()
        reading = self.clock.read()
        action = None
        if self.submitted_state is None and self._submitting is None:
            action = {"running": "pause", "paused": "resume"}.get(reading.status)
        note = ""
        if self.submitted_state is None and reading.status == "running":
            note = "The clock keeps running after the screen is closed unless you pause it first."
        self.cover.staff.ask(action, note)
        self.cover.present(self.cover.staff)
        self.cover.staff.username.setFocus()

    def _staff_clock(self, username: str, password: str, kind: str, reason: str | None) -> None:
        self.autosaver.flush()
        self.tasks.write(
            work.staff_clock,
            self.db,
            self.grant,
            username,
            password,
            kind,
            reason,
            on_done=self._staff_clock_done,
            on_error=lambda exc: self.cover.staff.refuse(error_reporting.plain_message(exc)),
            owner=self,
            name=f"kiosk_{kind}",
        )

    def _staff_clock_done(self, timing: StationTiming) -> None:
        self.cover.dismiss()
        self._set_timing(timing)

    def _staff_leave(self, username: str, password: str) -> None:
        self.autosaver.flush()
        if self._submitting is not None:
            self.cover.staff.refuse(
                "The script is still being submitted (the database is not taking it yet). "
                "Wait for it before closing this screen."
            )
            return
        if self._save_failed:
            self.cover.staff.refuse(
                "The latest changes are not saved yet (the database cannot be written). "
                "Wait for “Saved” before closing this screen."
            )
            return
        self.tasks.write(
            work.leave,
            self.db,
            self.grant,
            username,
            password,
            on_done=self._left,
            on_error=lambda exc: self.cover.staff.refuse(_refusal(exc)),
            owner=self,
            name="kiosk_leave",
        )

    def _left(self, who: Actor) -> None:
        self.release()
        self.left.emit(who)  # the next window shows first: closing the last one would quit the app
        self.close()

    def release(self) -> None:
        """Stops everything and lets the window close (after a password, or in tests)."""
        if self._released:
            return
        self._released = True
        for timer in (self.ticker, self.heartbeat, self.resync, self.alert_hide, self.submit_retry):
            timer.stop()
        self.autosaver.flush(now=True)  # even while a save is on its way: nothing typed is left behind
        self.autosaver.stop()
        self.guard.stop()
        app = QApplication.instance()
        if isinstance(app, QApplication) and self._focus_watched:
            app.focusChanged.disconnect(self._focus_changed)
            self._focus_watched = False

    # -- what a candidate cannot do ----------------------------------------------------------

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


def _time_left(ms: int) -> str:
    minutes = ms // 60_000
    if minutes >= 1:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return "less than a minute"


def _refusal(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        return str(exc)
    return error_reporting.plain_message(exc)
