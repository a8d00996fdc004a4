"""The phase timer card: the time left in large figures, the phase controls, the phase list.

The card shows a ``StationClock`` (``ui.station_clock``): on every tick it asks the
clock for the state *now*, computed from the recorded instants, so the figures are
right however late a tick comes. It raises the pack's alerts (5 min, 1 min, time up by
default) when the time left crosses them while the card is running, never for points
already past when the sitting was opened.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
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
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from naas_centre.core.timing import PAUSE_REASONS, alerts_crossed, clock
from ui import theme
from ui.formatting import local_time
from ui.station_clock import PhaseNow, StationClock
from ui.widgets import label, primary_button, set_role

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
    """Why the clock stops: one of the set reasons, with details (needed for "other")."""

    reason_given = Signal(str)

    def __init__(self, phase_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pause_dialog")
        self.setWindowTitle(f"Pause the {phase_title.lower()} phase")
        box = QVBoxLayout(self)
        box.addWidget(label("Why is the clock stopping? The reason is recorded with the pause.", wrap=True))
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
        self.ok.setText("Pause the clock")
        self.ok.setObjectName("pause_ok")
        self.buttons_box.accepted.connect(self._accept)
        self.buttons_box.rejected.connect(self.reject)
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
        self.reason_given.emit(reason)
        self.accept()


class PhaseTimerCard(QFrame):
    """One station's clock. ``event_requested(phase, kind, reason)`` asks to record an event."""

    event_requested = Signal(str, str, object)
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
        self.end_button = QPushButton("End phase")
        self.end_button.setObjectName("phase_end")
        for button, kind in (
            (self.start_button, "start"),
            (self.pause_button, "pause"),
            (self.resume_button, "resume"),
            (self.end_button, "end"),
        ):
            button.clicked.connect(lambda _c=False, k=kind: self.request(k))
            controls.addWidget(button)
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
        visible = {
            self.start_button: status == "not_started",
            self.pause_button: status == "running",
            self.resume_button: status == "paused",
            self.end_button: status in ("running", "paused"),
        }
        for button, show in visible.items():
            button.setVisible(show and self.can_run)
            button.setEnabled(show and self.can_run)

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
        """Start, pause (asks why first), resume or end the current phase."""
        current = self.current_phase()
        if current is None or not self.can_run:
            return
        phase = current.plan.phase
        if kind == "pause":
            if current.state.status != "running":
                return
            dialog = PauseDialog(current.plan.title, self)
            dialog.reason_given.connect(lambda reason: self.event_requested.emit(phase, "pause", reason))
            dialog.finished.connect(dialog.deleteLater)
            self.pause_dialog = dialog
            dialog.open()
            return
        self.event_requested.emit(phase, kind, None)

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


def _clock_role(remaining_ms: int) -> str:
    if remaining_ms < 0:
        return "clock-over"
    if remaining_ms <= 60_000:
        return "clock-near"
    return "clock"
