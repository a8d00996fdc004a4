"""The day planned as a circuit: the plan, its stations (room, station, assessors,
actor), the candidates on the day, "Build rota", the rota as a grid of slots by rooms,
and "Move" and "Swap" with any refusal shown in plain words.

Every read and write runs off the GUI thread (``TaskManager``); the rules, and who may
plan, are the planning service's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from db.engine import Database
from naas_centre.formatting import local_time
from naas_centre.packs.loader import builtin_packs
from naas_centre.packs.schema import Pack
from naas_centre.services import planning
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import label
from ui.work.tasks import TaskManager

NOBODY = ""
BREAKS = (("Morning break", 15), ("Lunch", 45), ("Afternoon break", 15))  # name, usual minutes
# Columns of the stations table
ROOM, STATION, FIRST, SECOND, ACTOR = range(5)


@dataclass(frozen=True)
class Loaded:
    options: planning.PlanningOptions
    plan: planning.DayPlanView | None
    rota: planning.DayRota | None
    packs: tuple[Pack, ...]


def load(db: Database, actor: Actor, day: date) -> Loaded:
    """Runs in a worker."""
    plan = planning.day_plan(db, actor, day)
    rota = planning.day_rota(db, actor, day) if plan is not None else None
    packs = tuple(p.pack for p in builtin_packs() if p.pack is not None)
    return Loaded(planning.planning_options(db, actor), plan, rota, packs)


class DayPlanDialog(QDialog):
    loaded = Signal()
    saved = Signal()  # after any write has come back, changed or refused

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DayPlanDialog")
        self.setWindowTitle("Plan the day")
        self.resize(1300, 720)  # fits 1366x768
        self.tasks, self.db, self.actor = tasks, db, actor
        self.data: Loaded | None = None

        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.day.dateChanged.connect(lambda _d: self.reload())
        self.pack = QComboBox()
        self.first = QTimeEdit(QTime(9, 0))
        self.slot = QSpinBox(minimum=0, maximum=240, suffix=" min")
        self.slot.setSpecialValueText("From the pack")
        self.written_room = QComboBox()
        self.seats = QSpinBox(minimum=0, maximum=200)
        # A day's breaks: a short one each half of the day and lunch, each optional.
        self.breaks: list[tuple[str, QSpinBox, QSpinBox]] = []
        for name, minutes in BREAKS:
            after = QSpinBox(minimum=0, maximum=20, prefix="slot ")
            after.setSpecialValueText("none")
            after.setAccessibleName(f"{name}: after slot")
            length = QSpinBox(minimum=5, maximum=120, value=minutes, suffix=" min")
            length.setAccessibleName(f"{name}: minutes")
            self.breaks.append((name, after, length))
        self.lunch_after, self.lunch_minutes = self.breaks[1][1], self.breaks[1][2]
        self.save_plan_button = QPushButton("Save plan")
        self.save_plan_button.clicked.connect(self.save_plan)
        # Three rows: the day, the written room, the breaks; one row would not fit 1366 pixels.
        top = QVBoxLayout()
        rows = []
        for fields in (
            (("Day", self.day), ("Pack", self.pack), ("First slot", self.first), ("Slot", self.slot)),
            (("Written room", self.written_room), ("Seats", self.seats)),
            tuple(
                pair
                for name, after, length in self.breaks
                for pair in ((f"{name} after", after), ("for", length))
            ),
        ):
            row = QHBoxLayout()
            for text, w in fields:
                row.addWidget(label(text, buddy=w))
                row.addWidget(w, 1)
            top.addLayout(row)
            rows.append(row)
        rows[1].addWidget(self.save_plan_button)

        self.stations = QTableWidget(0, 5)
        self.stations.setHorizontalHeaderLabels(["Room", "Station", "Assessor", "Second assessor", "Actor"])
        self.stations.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.stations.verticalHeader().hide()
        self.save_stations_button = QPushButton("Save stations")
        self.save_stations_button.clicked.connect(self.save_stations)

        self.on_day = QListWidget()
        self.candidate = QComboBox()
        self.add_button = QPushButton("Add to the day")
        self.add_button.clicked.connect(self.add_candidate)
        self.remove_button = QPushButton("Take off the day")
        self.remove_button.setToolTip(
            "Withdraw the chosen candidate from this day (before anything of theirs is recorded)"
        )
        self.remove_button.clicked.connect(self.remove_candidate)
        self.build_button = QPushButton("Build rota")
        self.build_button.clicked.connect(self.build)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(label("Stations", "heading"))
        lv.addWidget(self.stations, 2)
        lv.addWidget(self.save_stations_button)
        lv.addWidget(label("Candidates on the day", "heading"))
        lv.addWidget(self.on_day, 1)
        lv.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignRight)
        add = QHBoxLayout()
        add.addWidget(self.candidate, 1)
        add.addWidget(self.add_button)
        lv.addLayout(add)
        lv.addWidget(self.build_button)

        self.grid = QTableWidget(0, 0)
        self.grid.setSelectionMode(QTableWidget.SelectionMode.ExtendedSelection)
        self.grid.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.to_slot = QSpinBox(minimum=1, maximum=60, prefix="to slot ")
        self.move_button = QPushButton("Move")
        self.move_button.clicked.connect(self.move_visit)
        self.swap_button = QPushButton("Swap")
        self.swap_button.clicked.connect(self.swap_candidates)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(label("Rota (select a visit to move it; two to swap their candidates)", "heading"))
        rv.addWidget(self.grid, 1)
        moves = QHBoxLayout()
        moves.addWidget(self.to_slot)
        moves.addWidget(self.move_button)
        moves.addWidget(self.swap_button)
        moves.addStretch(1)
        rv.addLayout(moves)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([520, 760])
        self.status = label("", wrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.reload()

    # -- reading ----------------------------------------------------------------------------

    def chosen_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def reload(self) -> None:
        self.tasks.run(
            load,
            self.db,
            self.actor,
            self.chosen_day(),
            on_done=self._show,
            on_error=self._failed,
            owner=self,
        )

    def _show(self, data: Loaded) -> None:
        self.data = data
        plan = data.plan
        self.pack.clear()
        for p in data.packs:
            self.pack.addItem(f"{p.title} ({p.level.value})", p)
        self.written_room.clear()
        self.written_room.addItem("None", None)
        for rid, name, _kind in data.options.rooms:
            self.written_room.addItem(name, rid)
        if plan is not None:
            self.pack.setCurrentIndex(
                max(0, next((k for k, p in enumerate(data.packs) if p.title == plan.pack_title), 0))
            )
            start = plan.first_slot_at.astimezone()
            self.first.setTime(QTime(start.hour, start.minute))
            self.slot.setValue(plan.slot_minutes)
            self.written_room.setCurrentIndex(max(0, self.written_room.findData(plan.written_room_id)))
            self.seats.setValue(plan.written_seats)
            self._show_breaks(plan.breaks)
        self._show_stations(data)
        self.on_day.clear()
        self.candidate.clear()
        booked = {c.candidate_id for c in plan.candidates} if plan else set()
        for c in plan.candidates if plan else ():
            extra = f" · {c.adjustments}" if c.adjustments else ""
            item = QListWidgetItem(f"\u2068{c.name}\u2069 ({c.employer}), attempt {c.attempt}{extra}")
            item.setData(Qt.ItemDataRole.UserRole, (c.candidate_id, c.name))
            self.on_day.addItem(item)
        for cid, name, employer, level in data.options.candidates:
            if cid not in booked:
                self.candidate.addItem(f"{name} ({employer}, {level})", cid)
        self._show_grid(data.rota)
        has_plan = plan is not None
        for w in (self.save_stations_button, self.add_button, self.build_button, self.remove_button):
            w.setEnabled(has_plan)
        self.status.setText(
            ""
            if has_plan
            else "There is no plan for this day yet: choose its pack and times, then Save plan."
        )
        self.loaded.emit()

    def _show_breaks(self, breaks: Sequence[planning.BreakSpec]) -> None:
        """Each saved break in its row: by its name, else in the first row left free."""
        rows = {name: (after, length) for name, after, length in self.breaks}
        for name, minutes in BREAKS:
            rows[name][0].setValue(0)
            rows[name][1].setValue(minutes)
        free = [name for name, _ in BREAKS]
        for b in sorted(breaks, key=lambda b: b.after_slot):
            if not free:
                break
            name = b.label if b.label in free else free[0]
            free.remove(name)
            rows[name][0].setValue(b.after_slot)
            rows[name][1].setValue(b.minutes)

    def _combo(self, items: list[tuple[str | None, str]], chosen: str | None) -> QComboBox:
        box = QComboBox()
        for value, text in items:
            box.addItem(text, value)
        box.setCurrentIndex(max(0, box.findData(chosen)))
        return box

    def _show_stations(self, data: Loaded) -> None:
        plan = data.plan
        self.stations.setRowCount(0)
        if plan is None:
            return
        rooms: list[tuple[str | None, str]] = [
            (rid, n) for rid, n, kind in data.options.rooms if kind != "written"
        ]
        people: list[tuple[str | None, str]] = [(NOBODY, "—")]
        people += [(aid, f"{n} ({e})" if e else n) for aid, n, e in data.options.assessors]
        actors: list[tuple[str | None, str]] = [(NOBODY, "—")]
        actors += [(aid, n) for aid, n in data.options.actors]
        current = {st.station_id: st for st in plan.stations}
        for k, (sid, title) in enumerate(plan.pack_stations):
            st = current.get(sid)
            self.stations.insertRow(k)
            item = QTableWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, sid)
            self.stations.setCellWidget(k, ROOM, self._combo(rooms, st.room_id if st else None))
            self.stations.setItem(k, STATION, item)
            ids = st.assessor_ids if st else ()
            self.stations.setCellWidget(k, FIRST, self._combo(people, ids[0] if ids else NOBODY))
            self.stations.setCellWidget(k, SECOND, self._combo(people, ids[1] if len(ids) > 1 else NOBODY))
            self.stations.setCellWidget(k, ACTOR, self._combo(actors, st.actor_id if st else NOBODY))

    def _show_grid(self, rota: planning.DayRota | None) -> None:
        self.grid.clear()
        if rota is None or not rota.visits:
            self.grid.setRowCount(0)
            self.grid.setColumnCount(0)
            return
        self.grid.setColumnCount(len(rota.rooms))
        self.grid.setHorizontalHeaderLabels([f"{r.name}\n{r.station_title or ''}" for r in rota.rooms])
        self.grid.setRowCount(len(rota.slots))
        self.grid.setVerticalHeaderLabels(
            [
                f"{s.number}  {local_time(s.starts_at)}"
                + (f"  then {s.break_after.lower()}" if s.break_after else "")
                for s in rota.slots
            ]
        )
        column = {r.id: k for k, r in enumerate(rota.rooms)}
        cells: dict[tuple[int, int], list[planning.VisitView]] = {}
        for v in rota.visits:
            if 1 <= v.slot <= len(rota.slots):
                cells.setdefault((v.slot - 1, column[v.room_id]), []).append(v)
        for (row, col), visits in cells.items():
            # The name isolated on a line of its own: an Arabic name must not reorder the times.
            text = "\n".join(
                f"\u2068{v.candidate}\u2069\n{local_time(v.starts_at)}–{local_time(v.ends_at)}"
                + (f"\n  {', '.join(v.assessors)}" if v.station_id != "written" else "")
                for v in visits
            )
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, visits)
            self.grid.setItem(row, col, item)
        header = self.grid.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )  # cut at the end, not both
        self.grid.resizeRowsToContents()

    def selected_visits(self) -> list[planning.VisitView]:
        out: list[planning.VisitView] = []
        for item in self.grid.selectedItems():
            out += item.data(Qt.ItemDataRole.UserRole) or []
        return out

    # -- writing ---------------------------------------------------------------------------

    def _write(self, fn: object, *args: object) -> None:
        assert callable(fn)
        self.status.setText("Saving…")
        self.tasks.write(
            fn,
            self.db,
            self.actor,
            self.chosen_day(),
            *args,
            on_done=self._written,
            on_error=self._refused,
            owner=self,
        )

    def _written(self, _result: object) -> None:
        self.status.setText("Saved.")
        self.saved.emit()
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        self.status.setText(error_reporting.plain_message(exc))
        if not error_reporting.is_user_error(exc):
            error_reporting.log_bug(exc)
        self.saved.emit()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(error_reporting.plain_message(exc))
        if not error_reporting.is_user_error(exc):
            error_reporting.log_bug(exc)
        self.loaded.emit()

    def save_plan(self) -> None:
        pack = self.pack.currentData()
        if pack is None:
            self.status.setText("Choose the day's pack.")
            return
        t = self.first.time()
        start = (
            datetime.combine(self.chosen_day(), datetime.min.time())
            .replace(hour=t.hour(), minute=t.minute())
            .astimezone()
        )
        breaks = [
            planning.BreakSpec(after.value(), length.value(), name)
            for name, after, length in self.breaks
            if after.value()
        ]
        self.tasks.write(
            planning.save_plan,
            self.db,
            self.actor,
            self.chosen_day(),
            pack,
            start,
            slot_minutes=self.slot.value() or None,
            breaks=breaks,
            written_room_id=self.written_room.currentData(),
            written_seats=self.seats.value(),
            on_done=self._written,
            on_error=self._refused,
            owner=self,
        )

    def station_specs(self) -> list[planning.StationSpec]:
        specs = []
        for k in range(self.stations.rowCount()):
            item = self.stations.item(k, STATION)
            assert item is not None
            room, first, second, actor = (
                self.stations.cellWidget(k, c) for c in (ROOM, FIRST, SECOND, ACTOR)
            )
            assert isinstance(room, QComboBox) and isinstance(first, QComboBox)
            assert isinstance(second, QComboBox) and isinstance(actor, QComboBox)
            assessors = tuple(a for a in (first.currentData(), second.currentData()) if a)
            specs.append(
                planning.StationSpec(
                    room.currentData(),
                    item.data(Qt.ItemDataRole.UserRole),
                    assessors,
                    actor.currentData() or None,
                )
            )
        return specs

    def save_stations(self) -> None:
        self._write(planning.set_stations, self.station_specs())

    def add_candidate(self) -> None:
        cid = self.candidate.currentData()
        if cid:
            self._write(planning.add_candidates, [cid])

    def remove_candidate(self) -> None:
        item = self.on_day.currentItem()
        if item is None:
            self.status.setText("Choose the candidate to take off the day first.")
            return
        cid, _name = item.data(Qt.ItemDataRole.UserRole)
        self._write(planning.remove_candidate, cid)

    def build(self) -> None:
        self._write(planning.build)

    def move_visit(self) -> None:
        visits = self.selected_visits()
        if len(visits) != 1:
            self.status.setText("Select the one visit to move.")
            return
        v = visits[0]
        self._write(planning.move, v.candidate_id, v.station_id, self.to_slot.value())

    def swap_candidates(self) -> None:
        people = list(dict.fromkeys(v.candidate_id for v in self.selected_visits()))
        if len(people) != 2:
            self.status.setText("Select visits of exactly two candidates to swap.")
            return
        self._write(planning.swap, people[0], people[1])
