"""A sitting's clocks: read once, recomputed on every tick, changed through the queue.

When an assessor opens a sitting, ``open_clocks`` runs on the write worker: it records
the gap if a phase ran while the app was down (``timing.reopen``), then the first
heartbeat. From then on a heartbeat goes every few seconds, and the clocks are read
again now and then (another assessor in the room may run them). Between reads each
station's ``StationClock`` is recomputed from its recorded instants every 200 ms.

A start, pause, resume, end or reopening is held as *provisional* from the instant of
the click and stored with that instant, through ``PendingWrites`` like every other
change. A pause stops the clock at the press; its reason is asked afterwards and
stored with that pause.

Every timer here stops when the task manager is about to shut down (and when the
sitting closes), so no heartbeat asks a closed manager for work.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from db.engine import StorageError
from naas_centre.clocks import StationClock, heartbeat, open_clocks, read_clocks
from naas_centre.core.timing import PhaseEvent, clock
from naas_centre.writes import ops
from ui.common import error_reporting
from ui.scoring.alert_sound import AlertSound
from ui.scoring.evidence_notebook import PHASE_NAMES

if TYPE_CHECKING:
    from naas_centre.services.timing import StationTiming
    from ui.scoring.sitting_host import SittingHost

TICK_MS = 200  # the clocks are recomputed from the recorded instants this often
HEARTBEAT_MS = 3000  # "this workstation is here": a gap longer than 5 s is recorded after a crash
REFRESH_EVERY = 2  # heartbeats between re-reading the clocks
KIND_DONE = {"start": "Started", "pause": "Paused", "resume": "Resumed", "end": "Ended", "reopen": "Reopened"}
KIND_DOING = {
    "start": "Starting",
    "pause": "Pausing",
    "resume": "Resuming",
    "end": "Ending",
    "reopen": "Reopening",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class SittingClocks(QObject):
    clocks_loaded = Signal()
    clock_event_saved = Signal(str, str, str)  # station id, phase, kind
    pause_reason_saved = Signal(str, str, str)  # station id, phase, reason
    alert_raised = Signal(str, str, int)  # station id, phase, alert point (ms left)
    running_changed = Signal(bool)  # whether a phase clock is running here now

    def __init__(self, view: SittingHost, parent: QWidget) -> None:
        super().__init__(parent)
        self.parent_widget = parent  # where its error messages show
        self.view = view
        self.tasks, self.db, self.actor = view.tasks, view.db, view.actor
        self.sitting_id = view.sitting_id
        self.panels = view.panels
        self.pending = view.pending
        self.settings = view.settings
        # Present in the room: the services give a sheet of one's own only to an assessor
        # of this sitting (and refuse anyone else's clock events); no role rule here.
        self.present = view.detail.mine is not None
        self.sound = AlertSound(self)
        self.sound.muted = self.settings is not None and self.settings.get("alert_sound") == "off"
        self.ready = False
        self._tokens = itertools.count(1)
        self._heartbeat_busy = False
        self._heartbeats = 0
        self.running = False
        self.stopped = False
        for sid, panel in self.panels.items():
            panel.timer.event_requested.connect(partial(self._clock_event, sid))
            panel.timer.pause_reason_given.connect(partial(self._pause_reason, sid))
            panel.timer.alerted.connect(partial(self._alerted, sid))
            panel.timer.mute_toggled.connect(self.set_muted)
            panel.timer.set_muted(self.sound.muted)
        view.tabs.currentChanged.connect(lambda _i: self._tick())
        self.ticker = QTimer(self)
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self._tick)
        self.heartbeat = QTimer(self)
        self.heartbeat.setInterval(HEARTBEAT_MS)
        self.heartbeat.timeout.connect(self._beat)
        self.tasks.about_to_shut_down.connect(self.stop)

    def start(self) -> None:
        if self.stopped or self.tasks.closed:
            return
        self.ticker.start()
        self.load(first=True)
        if self.present:
            self.heartbeat.start()

    def stop(self) -> None:
        """No more ticks, heartbeats or reads: the sitting closes, or the app does."""
        self.stopped = True
        self.ticker.stop()
        self.heartbeat.stop()
        if self.running:
            self.running = False
            self.running_changed.emit(False)

    def load(self, first: bool = False) -> None:
        if self.stopped or self.tasks.closed:
            return
        stations = list(self.panels)
        if first and self.present:
            self._heartbeat_busy = True
            self.tasks.write(
                open_clocks,
                self.db,
                self.actor,
                self.sitting_id,
                stations,
                self.view.clock(),
                on_done=self._clocks_opened,
                on_error=self._clocks_failed,
                owner=self,
                name="open_clocks",
            )
            return
        self.tasks.run(
            read_clocks,
            self.db,
            self.actor,
            self.sitting_id,
            stations,
            on_done=partial(self._clocks_read, first),
            on_error=self._clocks_failed,
            owner=self,
            name="read_clocks",
        )

    def _clocks_opened(self, result: tuple[dict[str, StationTiming], StorageError | None]) -> None:
        self._heartbeat_busy = False
        timings, trouble = result
        self.pending.report(trouble)
        self._clocks_read(True, timings)

    def _clocks_read(self, first: bool, timings: dict[str, StationTiming]) -> None:
        now = self.view.clock()
        for sid, station_timing in timings.items():
            panel = self.panels[sid]
            station_clock = panel.timer.clock
            if station_clock is None:
                panel.timer.set_clock(StationClock.from_timing(station_timing), now)
            elif not station_clock.provisional:  # an event of ours on its way: wait for its answer
                station_clock.stored(station_timing)
                panel.timer.tick(now, force=True)
        if first:
            self.ready = True
            live = next(
                (
                    panel
                    for panel in self.panels.values()
                    if panel.timer.clock is not None
                    and any(p.state.status in ("running", "paused") for p in panel.timer.clock.phases(now))
                ),
                None,
            )
            if live is not None:
                self.view.tabs.setCurrentWidget(live)
            self.clocks_loaded.emit()

    def _clocks_failed(self, exc: BaseException) -> None:
        self._heartbeat_busy = False
        if isinstance(exc, StorageError):  # the disk or the server: the warning says so, and it passes
            self.pending.report(exc)
            return
        error_reporting.show_error(self.parent_widget, exc, "The clock could not be read")

    def _tick(self) -> None:
        if self.stopped:
            return
        now = self.view.clock()
        current = self.view.tabs.currentWidget()
        self._check_running(now)
        for panel in self.panels.values():
            panel.timer.tick(now)
            if panel is current and panel.timer.clock is not None and panel.notebook.isVisible():
                phase, ms = panel.timer.clock.note_stamp(now)
                preview = (
                    f"at {clock(ms or 0)} · {PHASE_NAMES.get(phase, phase)}"
                    if phase is not None
                    else "between phases"
                )
                if panel.notebook.stamp_preview.text() != preview:
                    panel.notebook.stamp_preview.setText(preview)

    def _check_running(self, now: datetime) -> None:
        running = any(p.timer.clock is not None and p.timer.clock.running(now) for p in self.panels.values())
        if running != self.running:
            self.running = running
            self.running_changed.emit(running)

    def _beat(self) -> None:
        if self.stopped or self.tasks.closed:
            self.stop()
            return
        if self._heartbeat_busy:
            return  # the last one has not come back (a locked database waits): no pile-up
        self._heartbeat_busy = True
        self._heartbeats += 1
        if self._heartbeats % REFRESH_EVERY == 0:
            self.load()
        self.tasks.write(
            heartbeat,
            self.db,
            self.actor,
            self.sitting_id,
            self.view.clock(),
            on_done=self._beat_done,
            on_error=self._beat_failed,
            owner=self,
            name="heartbeat",
        )

    def _beat_done(self, _result: object) -> None:
        self._heartbeat_busy = False
        self.pending.report(None)

    def _beat_failed(self, exc: BaseException) -> None:
        self._heartbeat_busy = False
        if isinstance(exc, StorageError):
            self.pending.report(exc)
        else:
            error_reporting.log_bug(exc)

    def request(self, kind: str) -> None:
        """Start (or resume), pause or end the current station's phase: the keyboard's way."""
        panel = self.view.current_panel()
        if panel is None or panel.timer.clock is None:
            return
        current = panel.timer.current_phase()
        if kind == "start" and current is not None and current.state.status == "paused":
            kind = "resume"
        panel.timer.request(kind)

    def _clock_event(self, station_id: str, phase: str, kind: str, reason: str | None) -> None:
        panel = self.panels[station_id]
        station_clock = panel.timer.clock
        now = self.view.clock()
        if station_clock is None or not station_clock.allows(phase, kind, now):
            return
        token = next(self._tokens)
        station_clock.add_provisional(token, phase, PhaseEvent(kind, now, reason))  # type: ignore[arg-type]
        panel.timer.tick(now, force=True)
        self._check_running(now)
        title = next((p.title for p in station_clock.plans if p.phase == phase), phase)
        what = f"{KIND_DOING[kind]} the {title.lower()}"
        panel.timer.set_save_state("saving", f"{what}: saving…")
        self.view.saving_started.emit()
        self.pending.submit(
            self.actor,
            ops.record_event(self.sitting_id, station_id, phase, kind, at=now, reason=reason),
            label=f"{kind} of the {title.lower()} ({station_id})",
            owner=self,
            on_saved=partial(self._clock_saved, station_id, token, phase, kind, title, now),
            on_waiting=partial(
                panel.timer.set_save_state,
                "retrying",
                f"{what}: not saved yet — retrying",
            ),
            on_refused=partial(self._clock_refused, station_id, token),
        )
        if kind == "pause":  # stopped at the press; now, why
            panel.timer.ask_pause_reason(phase, title, now)

    def _pause_reason(self, station_id: str, phase: str, paused_at: datetime, reason: str) -> None:
        panel = self.panels[station_id]
        station_clock = panel.timer.clock
        if station_clock is None:
            return
        station_clock.set_pause_reason(phase, paused_at, reason)
        panel.timer.tick(self.view.clock(), force=True)
        title = next((p.title for p in station_clock.plans if p.phase == phase), phase)
        self.view.saving_started.emit()
        self.pending.submit(
            self.actor,
            ops.set_pause_reason(self.sitting_id, station_id, phase, paused_at, reason),
            label=f"the reason for pausing the {title.lower()} ({station_id})",
            owner=self,
            on_saved=partial(self._reason_saved, station_id, phase, reason),
            on_waiting=partial(
                panel.timer.set_save_state, "retrying", "The pause's reason: not saved yet — retrying"
            ),
            on_refused=partial(self._reason_refused, station_id),
        )

    def _reason_saved(self, station_id: str, phase: str, reason: str, station_timing: StationTiming) -> None:
        panel = self.panels[station_id]
        station_clock = panel.timer.clock
        if station_clock is not None and not station_clock.provisional:
            station_clock.stored(station_timing)
        panel.timer.tick(self.view.clock(), force=True)
        panel.timer.set_save_state("saved", f"✓ Paused ({reason}): saved")
        self.pause_reason_saved.emit(station_id, phase, reason)

    def _reason_refused(self, station_id: str, exc: BaseException) -> None:
        self.panels[station_id].timer.set_save_state("", "")
        self.load()
        error_reporting.show_error(self.parent_widget, exc, "The reason for the pause was not saved")

    def _clock_saved(
        self,
        station_id: str,
        token: int,
        phase: str,
        kind: str,
        title: str,
        at: datetime,
        station_timing: StationTiming,
    ) -> None:
        panel = self.panels[station_id]
        station_clock = panel.timer.clock
        assert station_clock is not None
        station_clock.drop_provisional(token)
        station_clock.stored(station_timing)
        panel.timer.tick(self.view.clock(), force=True)
        panel.timer.set_save_state(
            "saved", f"✓ {KIND_DONE[kind]} the {title.lower()} at {at.astimezone():%H:%M:%S}: saved"
        )
        self.clock_event_saved.emit(station_id, phase, kind)

    def _clock_refused(self, station_id: str, token: int, exc: BaseException) -> None:
        panel = self.panels[station_id]
        if panel.timer.clock is not None:
            panel.timer.clock.drop_provisional(token)
        panel.timer.tick(self.view.clock(), force=True)
        panel.timer.set_save_state("", "")
        self.load()
        error_reporting.show_error(self.parent_widget, exc, "The clock was not changed")

    def _alerted(self, station_id: str, phase: str, point_ms: int, _text: str) -> None:
        self.sound.play(3 if point_ms <= 0 else 1)
        self.alert_raised.emit(station_id, phase, point_ms)

    def set_muted(self, muted: bool) -> None:
        self.sound.muted = muted
        for panel in self.panels.values():
            panel.timer.set_muted(muted)
        if self.settings is not None:
            self.settings.set("alert_sound", "off" if muted else "on")
