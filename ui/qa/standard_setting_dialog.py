"""Station pass marks: propose them from a period's sheets, see what they would change,
then adopt one with a reason.

Everything is read and written off the GUI thread (``ui.work.tasks``); the services
decide who may do what (``services.standard_setting``), so a refusal comes back here as
a plain line in the status. Nothing is adopted without a reason and an effective day;
adopting makes a new version and never changes an older one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.qa.disclosure import Period
from naas_centre.services.standard_setting import (
    AdoptedPassMark,
    Method,
    PackVersion,
    Proposal,
    ProposedMarks,
    Rate,
    StationProposal,
    WhatIf,
)
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import label, primary_button, set_role
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database

PROPOSAL_COLUMNS = (
    "Station",
    "Sittings",
    "Borderline",
    "Borderline regression",
    "R²",
    "Borderline group",
    "In force",
    "Try",
)
WHAT_IF_COLUMNS = ("", "Pass mark now", "Pass rate now", "Proposed mark", "Pass rate proposed")
TRY_COLUMN = PROPOSAL_COLUMNS.index("Try")
DIMENSION_TITLES = {
    "age_band": "Age band",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "sex": "Sex",
    "employer": "Employer",
}
HIDDEN = "hidden"


# Work run off the GUI thread ------------------------------------------------------------


def read_packs(db: Database, actor: Actor) -> tuple[tuple[PackVersion, str], ...]:
    from naas_centre.services import standard_setting

    return standard_setting.packs_in_use(db, actor)


def read_proposal(db: Database, actor: Actor, pack: PackVersion, period: Period) -> Proposal:
    from naas_centre.services import standard_setting

    return standard_setting.propose(db, actor, pack, period)


def read_what_if(db: Database, actor: Actor, marks: ProposedMarks, period: Period, today: date) -> WhatIf:
    from naas_centre.services import standard_setting

    return standard_setting.what_if(db, actor, marks, period, today=today)


@dataclass(frozen=True)
class Adoption:
    """What the dialog asks to adopt: one station's mark, and where it came from."""

    pack: PackVersion
    station_id: str
    pass_mark: float
    method: Method
    reason: str
    effective_from: date
    n: int | None
    r_squared: float | None
    se: float | None


def write_adoption(db: Database, actor: Actor, adoption: Adoption, at: datetime) -> AdoptedPassMark:
    from naas_centre.services import standard_setting

    return standard_setting.adopt(
        db,
        actor,
        adoption.pack,
        adoption.station_id,
        adoption.pass_mark,
        adoption.method,
        adoption.reason,
        adoption.effective_from,
        n=adoption.n,
        r_squared=adoption.r_squared,
        se=adoption.se,
        at=at,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _figure(x: float | None, places: int = 2) -> str:
    return "—" if x is None else f"{x:.{places}f}"


def _rate(r: Rate) -> str:
    share = r.rate
    total = r.met + r.not_met
    return "—" if share is None else f"{share:.0%} ({r.met} of {total})"


def _shown_rate(rate: float | None) -> str:
    return HIDDEN if rate is None else f"{rate:.0%}"


def _item(text: str, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for i in range(1, len(columns)):
        table.horizontalHeader().setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
    return table


class StandardSettingDialog(QDialog):
    """Propose → what-if → adopt, for one pack and period."""

    packs_loaded = Signal()
    proposed = Signal()
    what_if_shown = Signal()
    adopted = Signal(object)  # the AdoptedPassMark
    failed = Signal(str)  # the plain message shown

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("StandardSettingDialog")
        self.setWindowTitle("Station pass marks")
        self.resize(1040, 760)
        self.tasks, self.db, self.actor, self.clock = tasks, db, actor, clock
        self.proposal: Proposal | None = None
        self.what_if_result: WhatIf | None = None
        self._tries: dict[str, QDoubleSpinBox] = {}

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(8)
        box.addWidget(label("Station pass marks", "heading"))
        box.addWidget(
            label(
                "Propose a pass mark for each station from the assessors' overall judgements over a period "
                "(borderline regression, with the borderline group beside it), see the pass rates it would "
                "give, then adopt it with a reason. An adopted mark holds every sitting from the day it "
                "takes effect: a station's score (the sum of its agreed levels) must reach it.",
                "muted",
                wrap=True,
            )
        )

        choose = QHBoxLayout()
        self.pack_choice = QComboBox()
        self.pack_choice.setObjectName("standard_pack")
        self.pack_choice.setAccessibleName("Scenario pack")
        today = self.clock().date()
        self.start = QDateEdit(_qdate(today - timedelta(days=365)))
        self.end = QDateEdit(_qdate(today))
        for edit, name in ((self.start, "From"), (self.end, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(f"{name} (the sittings the figures come from)")
        self.propose_button = primary_button("Propose")
        self.propose_button.setObjectName("standard_propose")
        self.propose_button.setEnabled(False)
        self.propose_button.clicked.connect(self.propose)
        choose.addWidget(label("Pack", buddy=self.pack_choice))
        choose.addWidget(self.pack_choice, 1)
        for text, widget in (("From", self.start), ("to", self.end)):
            choose.addWidget(label(text, buddy=widget))
            choose.addWidget(widget)
        choose.addWidget(self.propose_button)
        box.addLayout(choose)

        self.proposal_table = _table(PROPOSAL_COLUMNS, "standard_proposal")
        box.addWidget(self.proposal_table, 2)
        self.notes = label("", "muted", wrap=True)
        self.notes.setObjectName("standard_notes")
        box.addWidget(self.notes)

        self.what_if_button = QPushButton("What if?")
        self.what_if_button.setObjectName("standard_what_if")
        self.what_if_button.setToolTip("Pass rates under the marks in the Try column, beside those in force")
        self.what_if_button.setEnabled(False)
        self.what_if_button.clicked.connect(self.try_marks)
        row = QHBoxLayout()
        row.addWidget(self.what_if_button)
        self.what_if_summary = label("", wrap=True)
        self.what_if_summary.setObjectName("standard_what_if_summary")
        row.addWidget(self.what_if_summary, 1)
        box.addLayout(row)
        self.what_if_table = _table(WHAT_IF_COLUMNS, "standard_what_if_table")
        box.addWidget(self.what_if_table, 2)
        self.groups_table = _table(
            ("Group", "Met now", "Not met now", "Pass rate now", "Met proposed", "Pass rate proposed"),
            "standard_groups",
        )
        box.addWidget(self.groups_table, 2)
        self.groups_note = label("", "muted", wrap=True)
        self.groups_note.setObjectName("standard_groups_note")
        box.addWidget(self.groups_note)

        adopt = QHBoxLayout()
        self.station_choice = QComboBox()
        self.station_choice.setObjectName("standard_station")
        self.station_choice.setAccessibleName("Station to adopt a pass mark for")
        self.method_choice = QComboBox()
        self.method_choice.setObjectName("standard_method")
        for method in Method:
            self.method_choice.addItem(method.words, method.value)  # Qt keeps a plain str
        self.effective = QDateEdit(_qdate(today + timedelta(days=1)))
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("d MMM yyyy")
        self.effective.setMinimumDate(_qdate(today + timedelta(days=1)))  # never under a given outcome
        self.effective.setAccessibleName("In force from")
        self.reason = QLineEdit()
        self.reason.setObjectName("standard_reason")
        self.reason.setPlaceholderText("Why this mark (kept with it and in the audit trail)")
        self.reason.textChanged.connect(self._update_buttons)
        self.adopt_button = primary_button("Adopt")
        self.adopt_button.setObjectName("standard_adopt")
        self.adopt_button.setEnabled(False)
        self.adopt_button.clicked.connect(self.adopt)
        adopt.addWidget(label("Adopt for", buddy=self.station_choice))
        adopt.addWidget(self.station_choice, 1)
        adopt.addWidget(self.method_choice)
        adopt.addWidget(label("from", buddy=self.effective))
        adopt.addWidget(self.effective)
        adopt.addWidget(self.reason, 2)
        adopt.addWidget(self.adopt_button)
        box.addLayout(adopt)

        self.status = label("Loading the packs…", "muted", wrap=True)
        self.status.setObjectName("standard_status")
        box.addWidget(self.status)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        box.addWidget(close)

        self.tasks.run(
            read_packs,
            db,
            actor,
            on_done=self._packs,
            on_error=self._failed,
            owner=self,
            name="standard_packs",
        )

    # -- choosing ---------------------------------------------------------------------------

    def pack(self) -> PackVersion | None:
        value = self.pack_choice.currentData()
        return value if isinstance(value, PackVersion) else None

    def period(self) -> Period:
        return Period(_pydate(self.start.date()), _pydate(self.end.date()))

    def _packs(self, found: tuple[tuple[PackVersion, str], ...]) -> None:
        self.pack_choice.clear()
        for pack, title in found:
            self.pack_choice.addItem(f"{title} ({pack.in_words()})", pack)
        self.propose_button.setEnabled(bool(found))
        self._say("Choose a pack and a period, then Propose." if found else "No sitting has used a pack yet.")
        self.packs_loaded.emit()

    # -- proposing --------------------------------------------------------------------------

    def propose(self) -> None:
        pack = self.pack()
        if pack is None:
            return
        self._say("Working out the pass marks…")
        self.propose_button.setEnabled(False)
        self.tasks.run(
            read_proposal,
            self.db,
            self.actor,
            pack,
            self.period(),
            on_done=self._proposed,
            on_error=self._failed,
            owner=self,
            name="standard_propose",
        )

    def _proposed(self, proposal: Proposal) -> None:
        self.proposal = proposal
        self.propose_button.setEnabled(True)
        table = self.proposal_table
        table.setRowCount(len(proposal.stations))
        self._tries.clear()
        self.station_choice.clear()
        for i, st in enumerate(proposal.stations):
            regression = (
                "—"
                if st.regression_mark is None
                else f"{st.regression_mark:.2f} (SE {_figure(st.regression_se)})"
            )
            group = "—" if st.group_mark is None else f"{st.group_mark:.2f}"
            now = "none" if st.current is None else f"{st.current.pass_mark:g} (v{st.current.version})"
            cells = (
                st.station,
                str(st.n),
                str(st.n_borderline),
                regression,
                _figure(st.r_squared),
                group,
                now,
            )
            for col, text in enumerate(cells):
                table.setItem(i, col, _item(text, right=col > 0))
            spin = QDoubleSpinBox()
            spin.setObjectName(f"standard_try_{st.station_id}")
            spin.setRange(0, st.most)
            spin.setDecimals(2)
            spin.setSingleStep(0.5)
            spin.setSpecialValueText("none")  # 0: no mark tried for this station
            start = st.regression_mark if st.regression_mark is not None else st.group_mark
            spin.setValue(round(start, 2) if start is not None else 0)
            spin.setAccessibleName(f"Pass mark to try for {st.station}, out of {st.most}")
            table.setCellWidget(i, TRY_COLUMN, spin)
            self._tries[st.station_id] = spin
            self.station_choice.addItem(st.station, st.station_id)
        notes = [f"{st.station}: {st.note}" for st in proposal.stations if st.note]
        self.notes.setText("\n".join(notes))
        self._say(
            f"{proposal.sittings} sittings of {proposal.title} from {proposal.period.in_words()}. "
            "Change a mark in the Try column, then What if?"
        )
        self._update_buttons()
        self.proposed.emit()

    # -- the what-if ------------------------------------------------------------------------

    def tried(self) -> dict[str, float]:
        """Station id → the mark in its Try box (a box at "none" tries none)."""
        return {station: spin.value() for station, spin in self._tries.items() if spin.value() > 0}

    def try_marks(self) -> None:
        pack = self.pack()
        if pack is None or self.proposal is None:
            return
        self._say("Working out the pass rates…")
        self.what_if_button.setEnabled(False)
        self.tasks.run(
            read_what_if,
            self.db,
            self.actor,
            ProposedMarks(pack, self.tried()),
            self.period(),
            self.clock().date(),
            on_done=self._what_if,
            on_error=self._failed,
            owner=self,
            name="standard_what_if",
        )

    def _what_if(self, result: WhatIf) -> None:
        self.what_if_result = result
        table = self.what_if_table
        table.setRowCount(len(result.stations) + 1)
        rows: list[tuple[str, str, str, str, str]] = [
            ("Outcome (every station)", "", _rate(result.current), "", _rate(result.proposed))
        ]
        for st in result.stations:
            rows.append(
                (
                    st.station,
                    "changed in the period"
                    if st.changed_within
                    else "none"
                    if st.current_mark is None
                    else f"{st.current_mark:g}",
                    _rate(st.current),
                    "none" if st.proposed_mark is None else f"{st.proposed_mark:g}",
                    _rate(st.proposed),
                )
            )
        for i, cells in enumerate(rows):
            for col, text in enumerate(cells):
                table.setItem(i, col, _item(text, right=col > 0))
        self.what_if_summary.setText(
            f"Of {result.complete} sittings with an outcome, {result.now_not_met} that meet the standard "
            f"now would not, and {result.now_met} that do not would."
            + (f" {result.incomplete} are not yet complete." if result.incomplete else "")
        )
        groups = self.groups_table
        groups.setRowCount(len(result.groups))
        for i, g in enumerate(result.groups):
            cells2 = (
                f"{DIMENSION_TITLES.get(g.dimension, g.dimension)}: {g.group}",
                HIDDEN if g.current[0] is None else str(g.current[0]),
                HIDDEN if g.current[1] is None else str(g.current[1]),
                _shown_rate(g.current_rate),
                HIDDEN if g.proposed[0] is None else str(g.proposed[0]),
                _shown_rate(g.proposed_rate),
            )
            for col, text in enumerate(cells2):
                groups.setItem(i, col, _item(text, right=col > 0))
        groups.setVisible(bool(result.groups))
        self.groups_note.setText(
            result.groups_note
            or "Counts under 5, and any count that would give one away, are hidden (as in the equality "
            "tables)."
        )
        self._say("These are the pass rates the marks would give; nothing is adopted until you Adopt.")
        self._update_buttons()
        self.what_if_shown.emit()

    # -- adopting ---------------------------------------------------------------------------

    def adoption(self) -> Adoption | None:
        """What Adopt would record, from the choices on screen (None while incomplete)."""
        pack, proposal = self.pack(), self.proposal
        station = self.station_choice.currentData()
        if pack is None or proposal is None or not isinstance(station, str):
            return None
        figures: Mapping[str, StationProposal] = {st.station_id: st for st in proposal.stations}
        st = figures[station]
        method = Method(self.method_choice.currentData())
        mark = self._tries[station].value()
        by_regression = method == Method.BORDERLINE_REGRESSION
        return Adoption(
            pack,
            station,
            mark,
            method,
            self.reason.text(),
            _pydate(self.effective.date()),
            st.n if method != Method.BY_HAND else None,
            st.r_squared if by_regression else None,
            (st.regression_se if by_regression else st.group_se) if method != Method.BY_HAND else None,
        )

    def adopt(self) -> None:
        adoption = self.adoption()
        if adoption is None:
            return
        self.adopt_button.setEnabled(False)
        self._say("Adopting…")
        self.tasks.write(
            write_adoption,
            self.db,
            self.actor,
            adoption,
            self.clock(),
            on_done=self._adopted,
            on_error=self._failed,
            owner=self,
            name="standard_adopt",
        )

    def _adopted(self, mark: AdoptedPassMark) -> None:
        self.reason.clear()
        self._say(
            f"Adopted: “{mark.station}” has a pass mark of {mark.pass_mark:g} ({mark.method.words}), version "
            f"{mark.version}, in force from {mark.effective_from:%d %B %Y}.",
            "saved",
        )
        self._update_buttons()
        self.adopted.emit(mark)

    # -- state ------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        ready = self.proposal is not None
        self.what_if_button.setEnabled(ready)
        self.adopt_button.setEnabled(ready and bool(self.reason.text().strip()))

    def _say(self, text: str, role: str = "muted") -> None:
        self.status.setText(text)
        set_role(self.status, role)

    def _failed(self, exc: BaseException) -> None:
        message = error_reporting.plain_message(exc)
        self._say(message, "error")
        self.propose_button.setEnabled(self.pack() is not None)
        self._update_buttons()
        self.failed.emit(message)
