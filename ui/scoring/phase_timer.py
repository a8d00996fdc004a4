"""The phase timer card: the time left in large figures, the phase controls, the phase list.

The card shows a ``StationClock`` (``naas_centre.clocks``): on every tick it asks the
clock for the state *now*, computed from the recorded instants, so the figures are
right however late a tick comes. It raises the pack's alerts (5 min, 1 min, time up by
default) when the time left crosses them while the card is running, never for points
already past when the sitting was opened.

"Pause…" stops the clock at the press and then asks why (the reason is stored with
that pause; closing the question keeps the pause, "reason not given"). "End phase"
asks once. A phase ended by mistake can be reopened, with a reason, until the next
phase starts. The writing clock is never started here: the candidate starts it on
their own screen, so the card offers to hand the workstation over instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from naas_centre.clocks import PhaseNow, StationClock
from naas_centre.core.timing import PAUSE_REASONS, REASON_NOT_GIVEN, alerts_crossed, clock
from naas_centre.formatting import local_time
from naas_centre.services.timing import CANDIDATE_STARTS
from ui.common import theme
from ui.common.widgets import label, primary_button, set_role

MINUS = "−"  # a real minus sign: "−01:05" reads as over time at a glance


def shown_clock(ms: int) -> str:
    return clock(ms).replace("-", MINUS)


def alert_text(point_ms: int, phase_title: str) -> str:
    if point_ms <= 0:
        return f"Time is up: {phase_title.lower()}"
    minutes = point_ms / 60_000
    amount = f"{minutes:g} minute{'s' if minutes != 1 else ''}" if minutes >= 1 else f"{point_ms // 1000} s"
    return f"{amount} left: {phase_title.lower()}"


class PauseDialog(QDialog):
    """Why the clock stopped: one of the set reasons, with details (needed for "other").

    Asked after the clock has stopped. Closing it without a reason keeps the pause,
    recorded as "not given" (``reason_given`` carries that too): the clock must never
    run on because a question was left open.
    """

    reason_given = Signal(str)

    def __init__(self, phase_title: str, parent: QWidget | None = None, *, paused_at: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("pause_dialog")
        self.setWindowTitle(f"The {phase_title.lower()} is paused")
        self._answered = False
        box = QVBoxLayout(self)
        when = f" at {paused_at}" if paused_at else ""
        box.addWidget(
            label(
                f"The clock stopped{when}. Why? The reason is recorded with this pause.",
                wrap=True,
            )
        )
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for number, reason in enumerate(PAUSE_REASONS, start=1):
            button = QRadioButton(f"&{number}  {reason.capitalize()}")
            button.setObjectName(f"reason_{reason.replace(' ', '_')}")
            self.group.addButton(button)
            self.buttons[reason] = button
            box.addWidget(button)
            button.toggled.connect(self._check)
        self.details = QLineEdit()
        self.details.setObjectName("pause_details")
        self.details.setPlaceholderText("Details (needed for “other”)")
        self.details.textChanged.connect(self._check)
        box.addWidget(self.details)
        self.buttons_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Record the reason")
        self.ok.setObjectName("pause_ok")
        later = self.buttons_box.button(QDialogButtonBox.StandardButton.Cancel)
        later.setText("No reason")
        later.setObjectName("pause_no_reason")
        later.setToolTip("The pause stays; its reason is recorded as “not given”")
        self.buttons_box.accepted.connect(self._accept)
        self.buttons_box.rejected.connect(self.reject)
        self.rejected.connect(self._no_reason)
        box.addWidget(self.buttons_box)
        self._check()

    def reason(self) -> str | None:
        chosen = next((r for r, b in self.buttons.items() if b.isChecked()), None)
        details = " ".join(self.details.text().split())
        if chosen is None or (chosen == "other" and not details):
            return None
        return f"{chosen}: {details}" if details else chosen

    def _check(self) -> None:
        self.ok.setEnabled(self.reason() is not None)

    def _accept(self) -> None:
        reason = self.reason()
        if reason is None:
            return
        self._answered = True
        self.reason_given.emit(reason)
        self.accept()

    def _no_reason(self) -> None:
        if not self._answered:
            self._answered = True
            self.reason_given.emit(REASON_NOT_GIVEN)


class ReopenDialog(QDialog):
    """Why a phase that was ended is reopened: the reason is needed, and audited."""

    reason_given = Signal(str)

    def __init__(self, phase_title: str, ended_at: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reopen_dialog")
        self.setWindowTitle(f"Reopen the {phase_title.lower()}")
        box = QVBoxLayout(self)
        box.addWidget(
            label(
                f"The {phase_title.lower()} was ended at {ended_at}. Reopened, its clock carries on "
                "from where it stopped; the time in between is recorded and does not count.",
                wrap=True,
            )
        )
        self.reason = QLineEdit()
        self.reason.setObjectName("reopen_reason")
        self.reason.setAccessibleName("Why it is reopened")
        self.reason.setPlaceholderText("Why (for example: ended by mistake, the candidate was still reading)")
        self.reason.setMinimumWidth(420)
        box.addWidget(self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(f"Reopen the {phase_title.lower()}")
        self.ok.setObjectName("reopen_ok")
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)

    def _accept(self) -> None:
        text = " ".join(self.reason.text().split())
        if text:
            self.reason_given.emit(text)
            self.accept()


class PhaseTimerCard(QFrame):
    """One station's clock. ``event_requested(phase, kind, reason)`` asks to record an event."""

    event_requested = Signal(str, str, object)
    pause_reason_given = Signal(str, object, str)  # phase, the pause's instant (datetime), reason
    handover_requested = Signal()  # the candidate starts the writing on their own screen
    alerted = Signal(str, int, str)  # phase, alert point (ms left), text
    mute_toggled = Signal(bool)

    def __init__(self, station_title: str, can_run: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timer_card")
        self.setProperty("role", "timer-card")
        # Its full height always: the notes below give way, never the clock or the phase list.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.can_run = can_run
        self.clock: StationClock | None = None
        self.pause_dialog: PauseDialog | None = None
        self.reopen_dialog: ReopenDialog | None = None
        self.end_box: QMessageBox | None = None
        self._last_remaining: dict[str, tuple[str, int]] = {}  # phase → (status, ms left)
        self._shown: PhaseNow | None = None

        box = QVBoxLayout(self)
        box.setContentsMargins(14, 10, 14, 10)
        box.setSpacing(4)

        top = QHBoxLayout()
        self.phase_name = label("Clock", "phase")
        self.phase_name.setObjectName("phase_name")
        top.addWidget(self.phase_name)
        self.status = label("Loading…", "status-chip")
        self.status.setObjectName("phase_status")
        top.addWidget(self.status)
        top.addStretch(1)
        self.mute = QToolButton()
        self.mute.setObjectName("alert_mute")
        self.mute.setCheckable(True)
        self.mute.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.mute.toggled.connect(self._mute_toggled)
        top.addWidget(self.mute)
        box.addLayout(top)

        figures = QHBoxLayout()
        figures.setSpacing(10)
        self.remaining = QLabel("--:--")
        self.remaining.setObjectName("phase_clock")
        self.remaining.setProperty("role", "clock")
        font = QFont(self.remaining.font())
        font.setPointSize(40)
        font.setWeight(QFont.Weight.DemiBold)
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFeature(QFont.Tag("tnum"), 1)  # figures of equal width: the clock does not shimmer
        self.remaining.setFont(font)
        figures.addWidget(self.remaining, 0, Qt.AlignmentFlag.AlignVCenter)
        # No word wrap in the card (its lines are short, and broken by hand where needed):
        # wrapping labels make a layout size by width, and the phase list got squeezed.
        self.caption = label("", "muted")
        self.caption.setObjectName("phase_caption")
        figures.addWidget(self.caption, 1)
        box.addLayout(figures)
        controls = QHBoxLayout()
        controls.setSpacing(6)
        box.addLayout(controls)

        self.alert_bar = QFrame()
        self.alert_bar.setObjectName("alert_bar")
        self.alert_bar.setProperty("role", "alert")
        alert_row = QHBoxLayout(self.alert_bar)
        alert_row.setContentsMargins(10, 4, 4, 4)
        self.alert_text = label("", "alert-text")
        self.alert_text.setObjectName("alert_text")
        alert_row.addWidget(self.alert_text, 1)
        dismiss = QToolButton()
        dismiss.setText("✕")
        dismiss.setToolTip("Dismiss the alert")
        dismiss.clicked.connect(self.dismiss_alert)
        alert_row.addWidget(dismiss)
        self.alert_bar.hide()
        box.addWidget(self.alert_bar)
        self._flash = QTimer(self)
        self._flash.setInterval(350)
        self._flash.timeout.connect(self._flash_step)
        self._flashes = 0
        self._dismiss_later = QTimer(self)
        self._dismiss_later.setSingleShot(True)
        self._dismiss_later.timeout.connect(self.dismiss_alert)

        self.start_button = primary_button("Start")
        self.start_button.setObjectName("phase_start")
        self.pause_button = QPushButton("Pause…")
        self.pause_button.setObjectName("phase_pause")
        self.resume_button = primary_button("Resume")
        self.resume_button.setObjectName("phase_resume")
        self.end_button = QPushButton("End phase…")
        self.end_button.setObjectName("phase_end")
        self.reopen_button = QPushButton("Reopen…")
        self.reopen_button.setObjectName("phase_reopen")
        self.reopen_button.setToolTip("A phase ended by mistake: reopen it, with a reason")
        for button, kind in (
            (self.start_button, "start"),
            (self.pause_button, "pause"),
            (self.resume_button, "resume"),
            (self.end_button, "end"),
            (self.reopen_button, "reopen"),
        ):
            button.clicked.connect(lambda _c=False, k=kind: self.request(k))
            controls.addWidget(button)
        self.handover_button = primary_button("Hand over to the candidate…")
        self.handover_button.setObjectName("phase_handover")
        self.handover_button.setToolTip(
            "The candidate starts the writing clock on their own screen, after reading its instructions"
        )
        self.handover_button.clicked.connect(self.handover_requested)
        controls.addWidget(self.handover_button)
        controls.addStretch(1)
        self.save_state = label("", "muted")
        self.save_state.setObjectName("clock_save_state")
        self.save_state.hide()
        box.addWidget(self.save_state)

        self.table = QGridLayout()
        self.table.setHorizontalSpacing(7)
        self.table.setVerticalSpacing(1)
        box.addLayout(self.table)
        self._rows: dict[str, list[QLabel]] = {}
        self.downtime = label("", "muted")
        self.downtime.setObjectName("downtime_note")
        self.downtime.hide()
        box.addWidget(self.downtime)
        self.station_title = station_title
        self.set_muted(False)
        self._show_buttons(None)

    # -- what it shows ----------------------------------------------------------------------

    def set_clock(self, station_clock: StationClock, now: datetime) -> None:
        first = self.clock is None
        self.clock = station_clock
        if first:
            self._build_table()
        self.tick(now, force=True)

    def _build_table(self) -> None:
        assert self.clock is not None
        for col, title in enumerate(("Phase", "Length", "Ran", "Pauses", "Over")):
            head = label(title, "table-head")
            self.table.addWidget(head, 0, col)
        for row, plan in enumerate(self.clock.plans, start=1):
            cells = [label("", "table-cell") for _ in range(5)]
            cells[0].setText(plan.title)
            for col, cell in enumerate(cells):
                cell.setObjectName(f"phase_{plan.phase}_{col}")
                self.table.addWidget(cell, row, col)
            self._rows[plan.phase] = cells
        self.table.setColumnStretch(4, 1)

    def tick(self, now: datetime, *, force: bool = False) -> None:
        """Recomputes from the recorded instants; raises alerts crossed since the last tick."""
        if self.clock is None:
            return
        phases = self.clock.phases(now)
        for p in phases:
            self._check_alerts(p)
        if not (force or self.isVisible()):
            return
        current = self.clock.current(now) or self.clock.last_ended(now)
        self._shown = current
        self._show_current(current, now)
        self._show_table(phases, now)

    def _check_alerts(self, p: PhaseNow) -> None:
        status, remaining = p.state.status, p.state.remaining_ms
        before = self._last_remaining.get(p.plan.phase)
        self._last_remaining[p.plan.phase] = (status, remaining)
        if before is None or status != "running" or before[0] != "running":
            return
        assert self.clock is not None
        crossed = alerts_crossed(before[1], remaining, self.clock.alert_points_ms)
        if crossed:  # several at once (a late tick): the most urgent speaks for them
            self.raise_alert(p.plan.phase, p.plan.title, crossed[-1])

    def _show_current(self, p: PhaseNow | None, now: datetime) -> None:
        if p is None:
            self.phase_name.setText("No phases")
            self._set_status("", "status-chip")
            self._show_buttons(None)
            return
        state = p.state
        self.phase_name.setText(p.plan.title)
        remaining = state.remaining_ms
        if state.status == "not_started":
            self._set_status("Not started", "status-chip")
            self._set_clock(shown_clock(state.length_ms), "clock-idle")
        elif state.status == "running":
            self._set_status("Running", "status-running")
            self._set_clock(shown_clock(remaining), _clock_role(remaining))
        elif state.status == "paused":
            pause = state.pauses[-1] if state.pauses else None
            reason = f" · {pause.reason}" if pause and pause.reason else ""
            self._set_status(f"Paused{reason}", "status-paused")
            self.status.setToolTip(f"Paused at {_hms(pause.start)}{reason}" if pause else "")
            self._set_clock(shown_clock(remaining), "clock-paused")
        else:
            self._set_status("Ended", "status-chip")
            self._set_clock(shown_clock(remaining), "clock-idle" if remaining >= 0 else "clock-over")
        self.caption.setText(self._caption(p, now))
        self._show_buttons(p)

    def _caption(self, p: PhaseNow, now: datetime) -> str:
        state, plan = p.state, p.plan
        length = shown_clock(state.length_ms)
        extra = f"\n{shown_clock(plan.planned_ms)} + extra time" if state.length_ms != plan.planned_ms else ""
        if state.status == "not_started":
            return f"to run: not started{extra}"
        if state.remaining_ms < 0:
            return f"over time by {clock(state.overrun_ms)}\nof {length}{extra}"
        if state.status == "paused" and state.pauses:
            return f"left of {length}; paused {clock(state.pauses[-1].length_ms(now))}"
        if state.status == "ended":
            return f"left when it ended, of {length}"
        return f"left of {length}{extra}"

    def _show_table(self, phases: list[PhaseNow], now: datetime) -> None:
        gaps = []
        for p in phases:
            cells = self._rows.get(p.plan.phase)
            if cells is None:
                continue
            state, plan = p.state, p.plan
            length = shown_clock(state.length_ms)
            if state.length_ms != plan.planned_ms:
                cells[1].setText(f"{length} ({shown_clock(plan.planned_ms)})")
                cells[1].setToolTip(f"{shown_clock(plan.planned_ms)} planned; {length} with extra time")
            else:
                cells[1].setText(length)
            start = local_time(state.started_at) if state.started_at else "—"
            end = local_time(state.ended_at) if state.ended_at else ("…" if state.started_at else "")
            cells[2].setText(f"{start}–{end}" if state.started_at else "—")
            if state.pauses:
                total = sum(pause.length_ms(now) for pause in state.pauses)
                cells[3].setText(f"{len(state.pauses)} · {clock(total)}")
                cells[3].setToolTip(
                    "\n".join(
                        f"{local_time(pause.start)}–{local_time(pause.end) if pause.end else 'now'}: "
                        f"{pause.reason or 'no reason'}"
                        for pause in state.pauses
                    )
                )
            else:
                cells[3].setText("—")
                cells[3].setToolTip("")
            cells[4].setText(f"+{clock(state.overrun_ms)}" if state.overrun_ms else "—")
            set_role(cells[4], "table-over" if state.overrun_ms else "table-cell")
            active = self._shown is not None and self._shown.plan.phase == plan.phase
            set_role(cells[0], "table-active" if active else "table-cell")
            if p.downtime_ms:
                gaps.append(f"{clock(p.downtime_ms)} in the {plan.title.lower()}")
        if gaps:
            self.downtime.setText("App not running (recorded): " + "; ".join(gaps))
            self.downtime.show()
        else:
            self.downtime.hide()

    def _set_clock(self, text: str, role: str) -> None:
        if self.remaining.text() != text:
            self.remaining.setText(text)
        set_role(self.remaining, role)

    def _set_status(self, text: str, role: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        set_role(self.status, role)

    def _show_buttons(self, p: PhaseNow | None) -> None:
        status = p.state.status if p else None
        title = p.plan.title.lower() if p else ""
        self.start_button.setText(f"Start {title}" if title else "Start")
        # The candidate starts a writing clock on their own screen; here it is handed over.
        candidate_starts = p is not None and p.plan.phase in CANDIDATE_STARTS
        reopenable = self._reopenable()
        self.reopen_button.setText(f"Reopen {reopenable.plan.title.lower()}…" if reopenable else "Reopen…")
        visible = {
            self.start_button: status == "not_started" and not candidate_starts,
            self.handover_button: status == "not_started" and candidate_starts,
            self.pause_button: status == "running",
            self.resume_button: status == "paused",
            self.end_button: status in ("running", "paused"),
            self.reopen_button: reopenable is not None and status != "running" and status != "paused",
        }
        for button, show in visible.items():
            button.setVisible(show and self.can_run)
            button.setEnabled(show and self.can_run)

    def _reopenable(self) -> PhaseNow | None:
        if self.clock is None:
            return None
        return self.clock.reopenable(datetime.now(UTC))

    def set_can_run(self, can_run: bool) -> None:
        """Whether this screen runs the clock (an assessor whose sheet is still open)."""
        if can_run == self.can_run:
            return
        self.can_run = can_run
        self._show_buttons(self._shown)

    def set_save_state(self, state: str, text: str) -> None:
        """``state``: "saving", "saved", "retrying" or "" (nothing to say)."""
        self.save_state.setText(text)
        self.save_state.setVisible(bool(text))
        set_role(
            self.save_state, {"saving": "pending", "saved": "saved", "retrying": "error"}.get(state, "muted")
        )

    # -- asking for events -------------------------------------------------------------------

    def current_phase(self) -> PhaseNow | None:
        if self.clock is None:
            return None
        return self.clock.current(datetime.now(UTC))

    def request(self, kind: str) -> None:
        """Start, pause (stops at once, then asks why), resume, end (asks once) or reopen."""
        current = self.current_phase()
        if not self.can_run:
            return
        if kind == "reopen":
            self._ask_reopen()
            return
        if current is None:
            return
        phase = current.plan.phase
        if kind == "pause":
            if current.state.status == "running":
                self.event_requested.emit(phase, "pause", None)  # the pause is the press
            return
        if kind == "end":
            if current.state.status in ("running", "paused"):
                self._ask_end(current)
            return
        if kind == "start" and phase in CANDIDATE_STARTS:
            self.handover_requested.emit()
            return
        self.event_requested.emit(phase, kind, None)

    def ask_pause_reason(self, phase: str, phase_title: str, paused_at: datetime) -> None:
        """After the clock has stopped: why? The answer goes with the pause at ``paused_at``."""
        if self.pause_dialog is not None:
            self.pause_dialog.reject()
        dialog = PauseDialog(phase_title, self, paused_at=_hms(paused_at))
        dialog.reason_given.connect(lambda reason: self.pause_reason_given.emit(phase, paused_at, reason))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: self._dialog_gone(dialog))
        self.pause_dialog = dialog
        dialog.open()

    def _dialog_gone(self, dialog: QDialog) -> None:
        if self.pause_dialog is dialog:
            self.pause_dialog = None
        if self.reopen_dialog is dialog:
            self.reopen_dialog = None

    def _ask_end(self, current: PhaseNow) -> None:
        title = current.plan.title.lower()
        box = QMessageBox(self)
        box.setObjectName("end_box")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(f"End the {title}")
        box.setText(f"End the {title} now?")
        box.setInformativeText(
            "Its clock stops for good. If it is ended by mistake, it can be reopened with a reason "
            "until the next phase starts."
        )
        end = box.addButton(f"End the {title}", QMessageBox.ButtonRole.AcceptRole)
        end.setObjectName("end_ok")
        keep = box.addButton("Keep it running", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        phase = current.plan.phase
        box.buttonClicked.connect(lambda button: self._end_answer(phase, button is end))
        box.finished.connect(box.deleteLater)
        self.end_box = box
        box.open()

    def _end_answer(self, phase: str, end: bool) -> None:
        self.end_box = None
        if end:
            self.event_requested.emit(phase, "end", None)

    def _ask_reopen(self) -> None:
        ended = self._reopenable()
        if ended is None or ended.state.ended_at is None:
            return
        dialog = ReopenDialog(ended.plan.title, _hms(ended.state.ended_at), self)
        phase = ended.plan.phase
        dialog.reason_given.connect(lambda reason: self.event_requested.emit(phase, "reopen", reason))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: self._dialog_gone(dialog))
        self.reopen_dialog = dialog
        dialog.open()

    # -- alerts ------------------------------------------------------------------------------

    def raise_alert(self, phase: str, phase_title: str, point_ms: int) -> None:
        text = alert_text(point_ms, phase_title)
        self.alert_text.setText(("⏰ " if point_ms <= 0 else "") + text)
        set_role(self.alert_bar, "alert-up" if point_ms <= 0 else "alert")
        self.alert_bar.show()
        self._flashes = 0
        self._flash.start()
        self._dismiss_later.start(30_000 if point_ms > 0 else 120_000)
        self.alerted.emit(phase, point_ms, text)

    def _flash_step(self) -> None:
        self._flashes += 1
        set_role(self, "timer-card-flash" if self._flashes % 2 else "timer-card")
        if self._flashes >= 6:
            self._flash.stop()
            set_role(self, "timer-card")

    def dismiss_alert(self) -> None:
        self._flash.stop()
        self._dismiss_later.stop()
        set_role(self, "timer-card")
        self.alert_bar.hide()

    def set_muted(self, muted: bool) -> None:
        self.mute.blockSignals(True)
        self.mute.setChecked(muted)
        self.mute.blockSignals(False)
        self._show_mute(muted)

    def changeEvent(self, event: QEvent) -> None:
        # The bell is drawn in the theme's text colour: drawn again when the theme changes,
        # or a switch to dark leaves it dark on dark.
        if event.type() == QEvent.Type.PaletteChange:
            self._show_mute(self.mute.isChecked())
        super().changeEvent(event)

    def _show_mute(self, muted: bool) -> None:
        self.mute.setText("Muted" if muted else "Sound on")
        self.mute.setIcon(theme.icon("bell-off" if muted else "bell"))
        self.mute.setToolTip(
            "Alerts are shown but not heard: click to hear them again"
            if muted
            else "Alerts are shown and heard: click to mute them"
        )

    def _mute_toggled(self, muted: bool) -> None:
        self._show_mute(muted)
        self.mute_toggled.emit(muted)


def _hms(moment: datetime) -> str:
    return f"{moment.astimezone():%H:%M:%S}"


def _clock_role(remaining_ms: int) -> str:
    if remaining_ms < 0:
        return "clock-over"
    if remaining_ms <= 60_000:
        return "clock-near"
    return "clock"
