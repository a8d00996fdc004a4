"""A sitting: the candidate, their stations in order, and for each a rubric grid, a phase
clock and an evidence notebook, all on one screen.

An assessor scores here. Every level, judgement, note and clock event goes through
``PendingWrites`` (in order, on the single write worker); the screen shows a change as
*saved* only once the database has it, and as *not saved yet, retrying* while the disk
cannot take it. The clocks are recomputed from recorded instants on every tick. While
the sitting is open this workstation sends a heartbeat, so that after a crash the time
the app was down is recorded when the sitting is opened again. After the assessor
submits, the sheet is read-only (and its clocks no longer start). Managers and quality
assurance see the same grids and clocks, read-only, with the assessors' sheets to choose from.
In a circuit an assessor has tabs only for the stations they observe (their sheet holds
those: ``sittings.score_sheets``); a manager or quality assurance sees every station.

Before submitting, the screen asks ``services.completeness`` what the sitting still
lacks and lists it in plain words; each item goes to its station and criterion, and
submitting waits while anything is left that the assessor must see to. The writing
clock is never started here: "Hand over to the candidate…" opens the kiosk, where the
candidate starts it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from naas_centre.formatting import local_moment, local_time
from naas_centre.packs.schema import Pack
from naas_centre.services.views import Actor, Role, ScoreSheet, SittingDetail
from naas_centre.writes.changes import Changes
from ui.common import error_reporting, theme
from ui.common.rubric_grid import SAVING_AFTER_MS
from ui.common.widgets import ElidedLabel, card, label, primary_button, set_role
from ui.scoring.sitting_clocks import SittingClocks, utcnow
from ui.scoring.sitting_notes import SittingNotes
from ui.scoring.station_panel import StationPanel
from ui.scoring.storage_banner import StorageBanner
from ui.video.config import VideoConfig
from ui.video.station_video import SittingVideo
from ui.work.changes import ChangeWatcher
from ui.work.pending_writes import PendingWrites, WriteItem, iso
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database
    from ui.common.settings import Settings


def load_sitting(db: Database, actor: Actor, sitting_id: str) -> tuple[SittingDetail, Pack]:
    """Runs in a worker: the sitting as this actor may see it, and its frozen pack."""
    from naas_centre.services import packs, sittings

    return sittings.sitting_detail(db, actor, sitting_id), packs.pack_for_sitting(db, actor, sitting_id)


def load_reasons(
    db: Database, actor: Actor, sitting_id: str
) -> tuple[dict[tuple[str, str], str], frozenset[str]]:
    """Runs in a worker: the assessor's own reasons for their levels, and the stations
    whose judgement they marked borderline."""
    from naas_centre.services import scoring

    return scoring.my_reasons(db, actor, sitting_id), scoring.my_borderline(db, actor, sitting_id)


def what_is_missing(db: Database, actor: Actor, sitting_id: str) -> tuple[Any, ...]:
    """Runs in a worker: what the sitting still lacks (``completeness.Missing`` items)."""
    from naas_centre.services import completeness

    return completeness.missing(db, actor, sitting_id)


# What does not hold an assessor's submit back: their own submission (that is what they
# are doing), a colleague's, moderation, which comes after both have submitted, a
# station the day's plan left without an assessor (the centre's to put right), and the
# candidate's knowledge test, which no assessor observes.
AFTER_SUBMIT = frozenset(
    {
        "assessor_not_submitted",
        "moderation_outstanding",
        "no_assessor",
        "knowledge_not_sat",
        "knowledge_not_submitted",
    }
)


def before_submit(
    items: tuple[Any, ...], assessor_id: str, stations: Collection[str] | None = None
) -> list[Any]:
    """The items an assessor must see to before submitting: on their own sheet, or of the
    sitting itself (a station never held, a script not written or not submitted) at the
    ``stations`` they observe (None: every station)."""
    return [
        m
        for m in items
        if str(m.kind) not in AFTER_SUBMIT
        and getattr(m, "assessor_id", None) in (None, assessor_id)
        and (stations is None or not m.station_id or m.station_id in stations)
    ]


def stations_shown(actor: Actor, detail: SittingDetail) -> frozenset[str] | None:
    """The stations that get a tab: an assessor's own (their sheet holds just those), or
    None for every station (a manager or quality assurance reading the sitting)."""
    if actor.role == Role.ASSESSOR and detail.mine is not None:
        return frozenset(detail.mine.levels)
    return None


class MissingDialog(QDialog):
    """What is missing before submitting, in plain words; choosing an item goes there."""

    go_to = Signal(object)  # a completeness.Missing

    def __init__(self, items: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("missing_dialog")
        self.setWindowTitle("Not ready to submit")
        self.items = items
        box = QVBoxLayout(self)
        count = len(items)
        box.addWidget(
            label(
                f"{count} thing{'s' if count != 1 else ''} to see to before you submit. "
                "Choose one to go there.",
                "heading",
                wrap=True,
            )
        )
        self.list = QListWidget()
        self.list.setObjectName("missing_list")
        self.list.setWordWrap(True)
        self.list.setMinimumWidth(560)
        self.list.setMinimumHeight(320)
        for m in items:
            QListWidgetItem(str(m.text), self.list)
        if items:
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._chosen)
        self.list.itemClicked.connect(self._chosen)
        box.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.go_button = buttons.addButton("Go there", QDialogButtonBox.ButtonRole.AcceptRole)
        self.go_button.setObjectName("missing_go")
        self.go_button.clicked.connect(lambda: self._chosen(self.list.currentItem()))
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)

    def _chosen(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        chosen = self.items[self.list.row(item)]
        self.accept()
        self.go_to.emit(chosen)


class SittingView(QWidget):
    score_recorded = Signal(str, str, object)  # station id, criterion id, level (None: cleared)
    judgement_recorded = Signal(str, object)  # station id, judgement
    submitted = Signal(str)  # sitting id
    saving_started = Signal()
    submit_state_changed = Signal(bool)
    handover_requested = Signal(str)  # sitting id: the candidate starts the writing on the kiosk
    clock_running_changed = Signal(bool)  # a phase clock runs here (the idle lock waits for it)
    reason_recorded = Signal(str, str, str)  # station id, criterion id, reason

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        detail: SittingDetail,
        pack: Pack,
        parent: QWidget | None = None,
        *,
        back: QWidget | None = None,
        settings: Settings | None = None,
        clock: Callable[[], datetime] = utcnow,
        video: VideoConfig | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SittingView")
        self.clock = clock  # the wall clock its phase clocks read (a test gives its own)
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.pack = pack
        self.detail = detail
        self.settings = settings
        self.sitting_id = detail.summary.id
        from naas_centre.services.scoring import standard_level

        self.standard = standard_level(pack)
        self.confirm_box: QMessageBox | None = None
        self.missing_dialog: MissingDialog | None = None
        self.missing: tuple[Any, ...] = ()  # as last read, before submitting
        self._closed_down = False
        self._sheets_shown: list[ScoreSheet] = []  # what the sheet chooser offers, in its order
        self._guarded: QWidget | None = None  # the window whose closing waits for unsaved changes
        self._close_anyway = False
        self.pending = PendingWrites.for_database(tasks, db)
        self._reload_soon = QTimer(self)
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(300)
        self._reload_soon.timeout.connect(self.reload_all)
        # Levels handed to the worker whose cell, progress and "Saving…" are not shown
        # yet: shown when saved, or after SAVING_AFTER_MS if the disk is slow.
        self._unshown: dict[int, tuple[str, str]] = {}
        self._show_unshown = QTimer(self)
        self._show_unshown.setSingleShot(True)
        self._show_unshown.setInterval(SAVING_AFTER_MS)
        self._show_unshown.timeout.connect(self._show_levels_saving)

        box = QVBoxLayout(self)
        box.setContentsMargins(10, 6, 10, 4)
        box.setSpacing(6)
        box.addWidget(self._header(detail, back))

        self.storage_banner = StorageBanner(self.pending)
        box.addWidget(self.storage_banner)

        self.banner = card("banner")
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(12, 8, 12, 8)
        self.banner_text = label("", wrap=True)
        self.banner_text.setObjectName("sitting_banner")
        banner_row.addWidget(self.banner_text, 1)  # the width it can have: fewer lines, more grid
        self.sheet_choice = QComboBox()
        self.sheet_choice.setObjectName("sheet_choice")
        self.sheet_choice.currentIndexChanged.connect(self._show_other_sheet)
        banner_row.addWidget(self.sheet_choice)
        self.banner.hide()
        box.addWidget(self.banner)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("stations")
        self.tabs.tabBar().setAccessibleName("Stations (a tick: every criterion scored and judged)")
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.setUsesScrollButtons(False)
        self.panels: dict[str, StationPanel] = {}
        self._own_borderline: frozenset[str] = frozenset()  # stations the assessor marked borderline
        self._sheet_shown: ScoreSheet | None = None
        rubrics = dict(pack.rubrics())
        is_assessor = actor.role == Role.ASSESSOR and detail.mine is not None
        self.observed = stations_shown(actor, detail)
        # Numbered in sitting order, so "2 · Young person" is the same station on every screen.
        for number, station in enumerate(detail.stations, start=1):
            rubric = rubrics.get(station.id)
            if rubric is None or (self.observed is not None and station.id not in self.observed):
                continue
            panel = StationPanel(pack, station, rubric, can_run_clock=is_assessor, notes=is_assessor)
            panel.model.set_standard(self.standard)
            panel.level_chosen.connect(self._record_level)
            panel.reason_given.connect(self._record_reason)
            panel.judgement_chosen.connect(self._record_judgement)
            panel.timer.handover_requested.connect(lambda: self.handover_requested.emit(self.sitting_id))
            self.panels[station.id] = panel
            self.tabs.addTab(panel, f"{number} · {station.title}")
            self.tabs.setTabToolTip(self.tabs.count() - 1, station.title)
        box.addWidget(self.tabs, 1)

        self.clocks = SittingClocks(self, self)
        self.clocks.running_changed.connect(self.clock_running_changed)
        tasks.about_to_shut_down.connect(self.close_down)
        self.notes = SittingNotes(self, self)
        self.pending.item_saved.connect(self._replayed_saved)
        self.pending.item_refused.connect(self._replayed_refused)
        # A write to this sitting from elsewhere (moderation, the kiosk, a replayed change)
        # refreshes the screen; its own changes it shows already.
        self.changes = ChangeWatcher(
            tasks, self, lambda c: c.touches(self.sitting_id), lambda _c: self.reload_all()
        )

        # Video (ui.video): a record control under each role-play's clock, when this
        # workstation has a camera set up; the saved clock events start and stop it.
        self.video: SittingVideo | None = None
        if video is not None and is_assessor:
            self.video = SittingVideo(tasks, db, actor, self.sitting_id, video, clock, self)
            for sid, panel in self.panels.items():
                if panel.station.kind == "role_play":
                    panel.add_beside_clock(self.video.add_station(sid, panel.station.actor_name))
            self.clocks.clock_event_saved.connect(self.video.phase_event)
            self.notes.note_saved.connect(self.video.note_saved)

        self.apply(detail)
        self.clocks.start()
        if is_assessor:
            self.notes.load()
            self.load_reasons()
            self.pending.replay_journal(actor)

    # -- closing down ---------------------------------------------------------------------------

    def close_down(self) -> None:
        """The sitting leaves the screen (or the app closes): its clocks and heartbeat stop."""
        if self._closed_down:
            return
        self._closed_down = True
        self._reload_soon.stop()
        self.clocks.stop()
        if self.video is not None:
            self.video.close_down()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_down()
        super().closeEvent(event)

    # -- not closing over changes that nothing keeps -------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        window = self.window()
        if window is not self and window is not self._guarded:
            window.installEventFilter(self)
            self._guarded = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and watched is self._guarded and self.unsafe_to_close():
            event.ignore()
            self._ask_before_closing()
            return True
        return False

    def unsafe_to_close(self) -> bool:
        """Changes wait that neither the database nor the journal holds: quitting loses them."""
        return not self._close_anyway and not self.pending.idle and self.pending.journal_error is not None

    def _ask_before_closing(self) -> None:
        box = QMessageBox(self)
        box.setObjectName("unsaved_box")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Changes not saved")
        waiting = len(self.pending.items())
        box.setText(f"{waiting} change{'s are' if waiting != 1 else ' is'} not saved yet.")
        box.setInformativeText(
            "Neither the database nor the journal on this disk can take them now, so they are "
            "held only by this window. Keep it open until the warning goes: they are retried."
        )
        keep = box.addButton("Keep the window open", QMessageBox.ButtonRole.RejectRole)
        box.addButton("Close and lose them", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.finished.connect(box.deleteLater)
        box.buttonClicked.connect(lambda button: self._close_choice(button is not keep))
        self.confirm_box = box
        box.open()

    def _close_choice(self, lose: bool) -> None:
        if lose and self._guarded is not None:
            self._close_anyway = True
            self._guarded.close()

    # -- for the keyboard (the window's actions) ---------------------------------------------

    def current_panel(self) -> StationPanel | None:
        panel = self.tabs.currentWidget()
        return panel if isinstance(panel, StationPanel) else None

    def write_note(self, criterion_id: str | None = None) -> None:
        """Ready to type a note in the current station's notebook."""
        panel = self.current_panel()
        if panel is not None:
            panel.notebook.focus_input(criterion_id)

    def clock_request(self, kind: str) -> None:
        """Start (or resume), pause or end the current station's phase."""
        self.clocks.request(kind)

    def toggle_mute(self) -> None:
        self.clocks.set_muted(not self.clocks.sound.muted)

    # -- what it shows -------------------------------------------------------------------

    def _header(self, detail: SittingDetail, back: QWidget | None) -> QWidget:
        c, s = detail.candidate, detail.summary
        frame = card()
        rows = QVBoxLayout(frame)
        rows.setContentsMargins(16, 8, 16, 8)
        rows.setSpacing(2)
        top = QHBoxLayout()
        if back is not None:
            top.addWidget(back)
            top.addSpacing(6)
        name = label(c.full_name, "name")
        name.setObjectName("candidate_name")
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(name)
        top.addSpacing(12)
        facts = [
            f"Registration {c.registration_number}",
            c.employer,
            c.level.capitalize(),
            f"attempt {s.attempt}",
        ]
        top.addWidget(ElidedLabel(" · ".join(facts), "muted"), 1)  # the whole in a tooltip if cut
        top.addWidget(label(f"{local_time(s.starts_at)} · {s.room}", "heading"))
        rows.addLayout(top)

        second = QHBoxLayout()
        adjustments = []
        if c.extra_time_percent:
            adjustments.append(f"{c.extra_time_percent}% extra time")
        if c.extra_time_minutes:
            adjustments.append(f"{c.extra_time_minutes} minutes extra")
        if c.break_between_scenarios:
            adjustments.append("a break between scenarios")
        if c.adjustment_notes:
            adjustments.append(c.adjustment_notes)
        left = QVBoxLayout()
        left.setSpacing(0)
        left.addWidget(label(s.pack_title, "muted"))
        if adjustments:
            adj = label("Adjustments: " + "; ".join(adjustments), "notice", wrap=True)
            adj.setObjectName("adjustments")
            left.addWidget(adj)
        second.addLayout(left, 1)
        self.progress = label("", "muted")
        self.progress.setObjectName("sitting_progress")
        second.addWidget(self.progress)
        second.addSpacing(8)
        self.submit_button = primary_button("Submit scores…")
        self.submit_button.setObjectName("submit")
        self.submit_button.clicked.connect(self.ask_submit)
        second.addWidget(self.submit_button)
        rows.addLayout(second)
        return frame

    @property
    def scoring(self) -> bool:
        """This actor scores here: an assigned assessor whose sheet is still open."""
        mine = self.detail.mine
        return self.actor.role == Role.ASSESSOR and mine is not None and mine.submitted_at is None

    def apply(self, detail: SittingDetail) -> None:
        """Show a sitting as read from the database."""
        self.detail = detail
        sheet = detail.mine
        # An assessor compares with the colleagues of their own stations; the rest have none here.
        others = [sh for sh in detail.others if self.observed is None or self.observed & set(sh.levels)]
        if sheet is None and others:
            sheet = others[0]
        self._load_sheet(sheet)
        read_only = not self.scoring
        for panel in self.panels.values():
            # After submitting, nothing here starts (or runs) a clock.
            panel.set_read_only(read_only, can_run_clock=self.scoring)
        self.submit_button.setVisible(self.actor.role == Role.ASSESSOR)
        self.submit_button.setEnabled(self.scoring)
        self._update_banner(others)
        self._update_progress()
        self.submit_state_changed.emit(self.scoring)

    def _load_sheet(self, sheet: ScoreSheet | None) -> None:
        mine = sheet is not None and self.detail.mine is not None and sheet is self.detail.mine
        self._sheet_shown = sheet
        for station_id, panel in self.panels.items():
            levels = sheet.levels.get(station_id, {}) if sheet else {}
            panel.model.load(levels)
            if not mine:
                panel.model.load_reasons({})  # only the assessor's own reasons are read here
            # Borderline marks are the assessor's own, read with their reasons (load_reasons).
            verdict = sheet.judgements.get(station_id) if sheet else None
            panel.judgement.show_value(verdict, borderline=mine and station_id in self._own_borderline)
            panel.show_reason()

    def _update_banner(self, others: list[ScoreSheet]) -> None:
        mine = self.detail.mine
        self.sheet_choice.blockSignals(True)
        self.sheet_choice.clear()
        self.sheet_choice.hide()
        self._sheets_shown = []
        if self.actor.role == Role.ASSESSOR and mine is not None and mine.submitted_at is not None:
            when = local_moment(mine.submitted_at)
            text = f"You submitted these scores on {when}. They are now read-only."
            if others:  # independence: only once every assessor has submitted (sitting_detail)
                text += " Every assessor has submitted; showing"
                self._sheets_shown = [mine, *others]
                self.sheet_choice.addItem("your scores", mine.assessor_id)
                for sheet in others:
                    self.sheet_choice.addItem(f"the scores of {sheet.assessor_name}", sheet.assessor_id)
                self.sheet_choice.show()
            self.banner_text.setText(text)
            set_role(self.banner, "banner-done")
            self.banner.show()
        elif self.actor.role != Role.ASSESSOR:
            if others:
                self.banner_text.setText("Read-only. Showing the scores of")
                self._sheets_shown = list(others)
                for sheet in others:
                    state = "submitted" if sheet.submitted_at else "not submitted yet"
                    self.sheet_choice.addItem(f"{sheet.assessor_name} ({state})", sheet.assessor_id)
                self.sheet_choice.show()
            else:
                self.banner_text.setText("Read-only: no assessor is assigned to this sitting yet.")
            set_role(self.banner, "banner")
            self.banner.show()
        else:
            self.banner.hide()
        self.sheet_choice.blockSignals(False)

    def _show_other_sheet(self, position: int) -> None:
        if 0 <= position < len(self._sheets_shown):
            self._load_sheet(self._sheets_shown[position])
            if self._sheets_shown[position] is self.detail.mine:
                self.load_reasons()
            self._update_progress()

    def counts(self) -> tuple[int, int, int, int]:
        """(criteria scored, criteria, judgements given, stations)."""
        scored = sum(p.model.scored() for p in self.panels.values())
        total = sum(p.model.total() for p in self.panels.values())
        judged = sum(1 for p in self.panels.values() if p.judgement.value is not None)
        return scored, total, judged, len(self.panels)

    def reasons_needed(self) -> int:
        return sum(len(p.model.reasons_needed()) for p in self.panels.values()) if self.scoring else 0

    def _update_progress(self) -> None:
        scored, total, judged, stations = self.counts()
        text = f"Scored {scored} of {total} criteria · judgements {judged} of {stations}"
        needed = self.reasons_needed()
        if needed:
            text += f" · {needed} reason{'s' if needed != 1 else ''} needed"
        self.progress.setText(text)
        for i in range(self.tabs.count()):
            panel = self.tabs.widget(i)
            if isinstance(panel, StationPanel):
                done = (
                    panel.model.scored() == panel.model.total()
                    and panel.judgement.value is not None
                    and not (self.scoring and panel.model.reasons_needed())
                )
                title = self.tabs.tabText(i).removesuffix("  ✓")
                text = title + ("  ✓" if done else "")
                if self.tabs.tabText(i) != text:
                    self.tabs.setTabText(i, text)
                    # An icon as well as the mark: a tab cut short at 1366×768 still says it.
                    self.tabs.setTabIcon(i, theme.icon("check", theme.colours().saved) if done else QIcon())
                model = panel.model
                state = (
                    "complete"
                    if done
                    else f"{model.scored()} of {model.total()} criteria scored, judgement "
                    + ("given" if panel.judgement.value is not None else "not given")
                )
                self.tabs.setTabToolTip(i, f"{title}: {state}")

    # -- recording ---------------------------------------------------------------------------

    def _record_level(self, station_id: str, criterion_id: str, level: int | None) -> None:
        if not self.scoring:
            return
        model = self.panels[station_id].model
        # The write is handed to the worker before the screen does anything else, and the
        # GUI thread then waits for it, briefly, holding none of Python's lock, which the
        # commit needs: what it would do meanwhile slowed the commit threefold.
        token = model.reserve(criterion_id, level)
        self.pending.submit(
            self.actor,
            "record_level",
            {
                "sitting_id": self.sitting_id,
                "station_id": station_id,
                "criterion_id": criterion_id,
                "level": level,
            },
            label=f"level {level} for {station_id}/{criterion_id}" if level else f"clearing {criterion_id}",
            owner=self,
            on_saved=partial(self._level_saved, station_id, criterion_id, token, level),
            on_waiting=partial(model.retrying, criterion_id, token),
            on_refused=partial(self._level_failed, station_id, criterion_id, token),
        )
        self._unshown[token] = (station_id, criterion_id)
        if not self._show_unshown.isActive():
            self._show_unshown.start()
        self.pending.settle_briefly()  # most commits land within it: "saved" shown at once

    def _show_levels_saving(self) -> None:
        """The disk is taking its time: the levels on their way are shown as saving."""
        unshown, self._unshown = self._unshown, {}
        for station_id, criterion_id in set(unshown.values()):
            self.panels[station_id].model.show_pending(criterion_id)
        if unshown:
            self._update_progress()
            self.saving_started.emit()

    def _level_saved(
        self, station_id: str, criterion_id: str, token: int, level: int | None, _result: object
    ) -> None:
        if self._unshown.pop(token, None) is not None:
            self.saving_started.emit()  # saved before it was shown as saving: said in order
        panel = self.panels[station_id]
        had_note = panel.model.criterion_note(criterion_id)
        panel.model.confirm(criterion_id, token, level)
        panel.grid.release_paint()
        if had_note != panel.model.criterion_note(criterion_id):  # "reason needed" came or went
            panel.grid.resizeRowToContents(panel.model.row_of(criterion_id))
        self._update_progress()
        self.score_recorded.emit(station_id, criterion_id, level)

    def _level_failed(self, station_id: str, criterion_id: str, token: int, exc: BaseException) -> None:
        self._unshown.pop(token, None)
        self.panels[station_id].model.revert(criterion_id, token)
        self._update_progress()
        error_reporting.show_error(self, exc, "The level was not saved")

    def _record_reason(self, station_id: str, criterion_id: str, reason: str) -> None:
        if not self.scoring:
            return
        panel = self.panels[station_id]
        before = panel.model.reason_of(criterion_id)
        panel.reason_saved(criterion_id, reason, "saving")
        self._update_progress()
        self.saving_started.emit()
        self.pending.submit(
            self.actor,
            "record_level",
            {
                "sitting_id": self.sitting_id,
                "station_id": station_id,
                "criterion_id": criterion_id,
                "level": panel.model.level_of(criterion_id),
                "reason": reason,
            },
            label=f"the reason for {station_id}/{criterion_id}",
            owner=self,
            on_saved=partial(self._reason_saved, station_id, criterion_id, reason),
            on_waiting=partial(self._reason_waiting, station_id, criterion_id),
            on_refused=partial(self._reason_failed, station_id, criterion_id, before),
        )

    def _reason_saved(self, station_id: str, criterion_id: str, reason: str, _result: object) -> None:
        panel = self.panels[station_id]
        if panel.model.reason_of(criterion_id) == reason:
            panel.reason_saved(criterion_id, reason, "saved")
        self._update_progress()
        self.reason_recorded.emit(station_id, criterion_id, reason)

    def _reason_waiting(self, station_id: str, criterion_id: str) -> None:
        bar = self.panels[station_id].reason_bar
        if bar.criterion_id == criterion_id and bar.isVisible():
            bar.set_state("retrying")

    def _reason_failed(self, station_id: str, criterion_id: str, before: str, exc: BaseException) -> None:
        self.panels[station_id].reason_saved(criterion_id, before, "saved")
        self._update_progress()
        error_reporting.show_error(self, exc, "The reason was not saved")

    def load_reasons(self) -> None:
        if self.tasks.closed:
            return
        self.tasks.run(
            load_reasons,
            self.db,
            self.actor,
            self.sitting_id,
            on_done=self._reasons_loaded,
            owner=self,
            name="load_reasons",
        )

    def _reasons_loaded(self, loaded: tuple[dict[tuple[str, str], str], frozenset[str]]) -> None:
        reasons, self._own_borderline = loaded
        mine = self._sheet_shown is None or self._sheet_shown is self.detail.mine
        for station_id, panel in self.panels.items():
            panel.model.load_reasons({cid: text for (sid, cid), text in reasons.items() if sid == station_id})
            bar = panel.judgement
            if mine and bar.saved:  # never over a change still saving
                bar.show_value(bar.value, borderline=station_id in self._own_borderline)
            panel.grid.resizeRowsToContents()
            panel.show_reason()
        self._update_progress()

    def _record_judgement(self, station_id: str, judgement: str | None, borderline: bool = False) -> None:
        if not self.scoring:
            return
        bar = self.panels[station_id].judgement
        before = (bar.value, bar.borderline)
        bar.show_value(judgement, "saving", borderline)
        self.saving_started.emit()
        args: dict[str, Any] = {
            "sitting_id": self.sitting_id,
            "station_id": station_id,
            "judgement": judgement,
        }
        if borderline:
            args["borderline"] = True
        self.pending.submit(
            self.actor,
            "set_judgement",
            args,
            label=f"judgement {judgement}{' (borderline)' if borderline else ''} for {station_id}",
            owner=self,
            on_saved=partial(self._judgement_saved, station_id, judgement, borderline),
            on_waiting=partial(self._judgement_waiting, station_id, judgement),
            on_refused=partial(self._judgement_failed, station_id, before),
        )

    def _judgement_saved(
        self, station_id: str, judgement: str | None, borderline: bool, _result: object
    ) -> None:
        marked = self._own_borderline - {station_id}
        self._own_borderline = marked | {station_id} if borderline and judgement else marked
        bar = self.panels[station_id].judgement
        if bar.value == judgement and bar.borderline == borderline:
            bar.show_value(judgement, "saved")
        self._update_progress()
        self.judgement_recorded.emit(station_id, judgement)

    def _judgement_waiting(self, station_id: str, judgement: str | None) -> None:
        bar = self.panels[station_id].judgement
        if bar.value == judgement:
            bar.show_value(judgement, "retrying")

    def _judgement_failed(self, station_id: str, before: tuple[str | None, bool], exc: BaseException) -> None:
        self.panels[station_id].judgement.show_value(before[0], "saved", before[1])
        self._update_progress()
        error_reporting.show_error(self, exc, "The judgement was not saved")

    # -- changes kept from before (the journal) ---------------------------------------------------

    def _replayed_saved(self, item: WriteItem) -> None:
        if item.replayed and item.args.get("sitting_id") == self.sitting_id:
            self._reload_soon.start()

    def _replayed_refused(self, item: WriteItem, exc: BaseException) -> None:
        if item.args.get("sitting_id") != self.sitting_id:
            return
        self._reload_soon.start()
        error_reporting.show_error(self, exc, f"A change kept from before could not be saved ({item.label})")

    def reload_all(self) -> None:
        if self._closed_down or self.tasks.closed:
            return
        if not self.pending.idle:
            self._reload_soon.start()
            return
        self.reload()
        self.clocks.load()
        if self.actor.role == Role.ASSESSOR:
            self.notes.load()
            self.load_reasons()

    # -- what the screen shows, as data (for the end-to-end test and the benchmark) ------------

    def snapshot(self) -> dict[str, Any]:
        now = self.clock()
        out: dict[str, Any] = {"sitting_id": self.sitting_id, "now": iso(now), "stations": {}}
        for sid, panel in self.panels.items():
            model = panel.model
            levels = {}
            for row in model.criterion_rows():
                criterion = model.criterion_at(row)
                assert criterion is not None
                levels[criterion.id] = [model.level_of(criterion.id), model.save_state(criterion.id)]
            clock = panel.timer.clock
            current = clock.current(now) if clock else None
            out["stations"][sid] = {
                "levels": levels,
                "judgement": panel.judgement.value,
                "borderline": panel.judgement.borderline,
                "notes": [
                    {"id": e.note_id, "text": e.text, "criterion": e.criterion_id, "state": e.state}
                    for e in panel.notebook.model.entries
                ],
                "clock": None
                if current is None
                else {
                    "phase": current.plan.phase,
                    "status": current.state.status,
                    "remaining_ms": current.state.remaining_ms,
                    "shown": panel.timer.remaining.text(),
                    "downtime_ms": current.downtime_ms,
                },
            }
        return out

    # -- submitting ----------------------------------------------------------------------------

    def ask_submit(self) -> None:
        """Says what is still missing (and goes there), else asks first; submits on Yes."""
        if not self.scoring:
            return
        if not self.pending.idle:
            box = QMessageBox(self)
            box.setWindowTitle("Submit scores")
            box.setIcon(QMessageBox.Icon.Information)
            box.setText("Some changes are not saved yet.")
            box.setInformativeText(
                "Submitting waits until every score, judgement and note shows as saved. "
                "They are kept and retried; try again once they are in."
            )
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            box.finished.connect(box.deleteLater)
            self.confirm_box = box
            box.open()
            return
        self.submit_button.setEnabled(False)
        self.tasks.run(
            what_is_missing,
            self.db,
            self.actor,
            self.sitting_id,
            on_done=self._show_missing,
            on_error=self._missing_failed,
            owner=self,
            name="what_is_missing",
        )

    def _missing_failed(self, exc: BaseException) -> None:
        self.submit_button.setEnabled(self.scoring)
        error_reporting.show_error(self, exc, "What the sitting lacks could not be read")

    def _show_missing(self, items: tuple[Any, ...]) -> None:
        self.submit_button.setEnabled(self.scoring)
        if not self.scoring:
            return
        self.missing = tuple(before_submit(items, self.actor.account_id, self.observed))
        if self.missing:
            dialog = MissingDialog(list(self.missing), self)
            dialog.go_to.connect(self.go_to_missing)
            dialog.finished.connect(dialog.deleteLater)
            self.missing_dialog = dialog
            dialog.open()
            return
        box = QMessageBox(self)
        box.setWindowTitle("Submit scores")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(f"Submit your scores for {self.detail.candidate.full_name}?")
        box.setInformativeText("Once submitted, your scores cannot be changed.")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Submit")
        box.accepted.connect(self.submit)
        box.finished.connect(box.deleteLater)
        self.confirm_box = box
        box.open()

    def go_to_missing(self, item: Any) -> None:
        """Shows the station and the criterion (or the judgement, or the clock) an item names."""
        panel = self.panels.get(str(item.station_id))
        if panel is None:
            return
        self.tabs.setCurrentWidget(panel)
        # Focus once the list's dialog has gone (closing it hands focus back to where it was).
        QTimer.singleShot(0, partial(self._focus_missing, panel, str(item.kind), item.criterion_id))

    def _focus_missing(self, panel: StationPanel, kind: str, criterion: str | None) -> None:
        self.window().activateWindow()
        if criterion and panel.model.has_criterion(criterion):
            panel.grid.go_to(criterion)
            panel.grid.setFocus()
            if kind == "reason_needed":
                panel.ask_reason(criterion)
            return
        if kind == "no_judgement":
            next(iter(panel.judgement.buttons.values())).setFocus()
            return
        for button in (panel.timer.handover_button, panel.timer.start_button):
            if button.isVisible():
                button.setFocus()
                return
        panel.grid.setFocus()

    def submit(self) -> None:
        if not self.scoring or not self.pending.idle:
            return
        from naas_centre.services import scoring

        self.submit_button.setEnabled(False)
        self.saving_started.emit()
        self.tasks.write(
            scoring.submit,
            self.db,
            self.actor,
            self.sitting_id,
            on_done=lambda _r: self._submitted(),
            on_error=self._submit_failed,
            owner=self,
            name="submit",
            changes=Changes.of(self.sitting_id, status=True),
        )

    def _submitted(self) -> None:
        self.submitted.emit(self.sitting_id)
        self.reload()

    def _submit_failed(self, exc: BaseException) -> None:
        self.submit_button.setEnabled(self.scoring)
        error_reporting.show_error(self, exc, "The scores were not submitted")

    def reload(self) -> None:
        if self.tasks.closed:
            return
        self.tasks.run(
            load_sitting,
            self.db,
            self.actor,
            self.sitting_id,
            on_done=lambda result: self.apply(result[0]),
            owner=self,
            name="reload_sitting",
        )
