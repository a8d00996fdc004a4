"""Moderation: where two assessors' submitted levels differ, the agreed level and why.

Only once both assessors have submitted (the service refuses before). Each agreement is
saved through the write worker and shows as saved only after it is committed; the
outcome report becomes possible when every difference has an agreed level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.errors import Conflict
from naas_centre.services.moderation import Difference
from naas_centre.services.views import Actor, SittingSummary
from ui import error_reporting, theme
from ui.formatting import local_time
from ui.tasks import TaskManager
from ui.widgets import card, label, primary_button, set_role
from ui.wrap_delegate import WrapDelegate

if TYPE_CHECKING:
    from db.engine import Database


@dataclass(frozen=True)
class DifferenceRow:
    difference: Difference
    station_title: str
    scale: tuple[tuple[int, str], ...]  # (level, label) of the criterion's rubric

    def level_text(self, level: int | None) -> str:
        if level is None:
            return "not scored"
        name = dict(self.scale).get(level, "")
        return f"{level} · {name}" if name else str(level)


@dataclass(frozen=True)
class ModerationData:
    summary: SittingSummary
    rows: tuple[DifferenceRow, ...]
    assessors: tuple[str, ...]
    waiting: str | None  # why moderation cannot start yet


def read_moderation(db: Database, actor: Actor, sitting_id: str) -> ModerationData:
    """Runs in a worker: the differences with what is needed to show and agree them."""
    from naas_centre.services import moderation, packs, sittings

    detail = sittings.sitting_detail(db, actor, sitting_id)
    try:
        diffs = moderation.differences(db, actor, sitting_id)
    except Conflict as exc:
        return ModerationData(detail.summary, (), detail.summary.assessors, str(exc))
    pack = packs.pack_for_sitting(db, actor, sitting_id)
    rubrics = dict(pack.rubrics())
    titles = {st.id: st.title for st in detail.stations}
    rows = []
    for d in diffs:
        rubric = rubrics[d.station_id]
        scale = tuple((lv.value, lv.label) for lv in pack.levels_for(rubric))
        rows.append(DifferenceRow(d, titles.get(d.station_id, d.station_id), scale))
    names = tuple(name for name, _ in diffs[0].levels) if diffs else detail.summary.assessors
    return ModerationData(detail.summary, tuple(rows), names, None)


def _agree(
    db: Database, actor: Actor, sitting_id: str, station_id: str, criterion_id: str, level: int, reason: str
) -> None:
    from naas_centre.services import moderation

    moderation.agree(db, actor, sitting_id, station_id, criterion_id, level, reason)


class ModerationDialog(QDialog):
    loaded = Signal()
    agreement_saved = Signal(str, str)  # station id, criterion id: committed

    def __init__(
        self, tasks: TaskManager, db: Database, actor: Actor, sitting_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ModerationDialog")
        self.setWindowTitle("Moderation")
        self.resize(1120, 680)
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.sitting_id = sitting_id
        self.data: ModerationData | None = None
        self._keep: tuple[str, str] | None = None
        self._saving = False

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(10)
        top = QHBoxLayout()
        self.candidate = label("Loading…", "name")
        top.addWidget(self.candidate)
        self.facts = label("", "muted", wrap=True)
        top.addWidget(self.facts, 1)
        box.addLayout(top)
        box.addWidget(
            label(
                "Both assessors have submitted. Where their levels differ, agree the level with them "
                "and say why: the agreed level counts towards the outcome, and the reason is kept on "
                "record with your name.",
                "muted",
                wrap=True,
            )
        )

        self.body = QStackedWidget()
        self.waiting = label("", "heading", wrap=True)
        self.waiting.setObjectName("moderation_waiting")
        self.waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.waiting)
        work = QWidget()
        work_box = QVBoxLayout(work)
        work_box.setContentsMargins(0, 0, 0, 0)
        work_box.setSpacing(8)
        self.counts = label("", "muted")
        self.counts.setObjectName("moderation_counts")
        work_box.addWidget(self.counts)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("differences")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setItemDelegate(WrapDelegate(self.table, max_lines=3))
        self.table.itemSelectionChanged.connect(self._chosen)
        work_box.addWidget(self.table, 1)
        work_box.addWidget(self._editor())
        self.body.addWidget(work)
        box.addWidget(self.body, 1)

        bottom = QHBoxLayout()
        self.saved_note = label("", "saved")
        self.saved_note.setObjectName("moderation_saved")
        bottom.addWidget(self.saved_note, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom.addWidget(close)
        box.addLayout(bottom)
        self.reload()

    def _editor(self) -> QWidget:
        frame = card()
        frame.setObjectName("moderation_editor")
        e = QVBoxLayout(frame)
        e.setContentsMargins(14, 12, 14, 12)
        e.setSpacing(8)
        self.criterion = label("", "heading", wrap=True)
        self.criterion.setObjectName("moderation_criterion")
        e.addWidget(self.criterion)
        self.given = label("", "muted", wrap=True)
        e.addWidget(self.given)
        levels_row = QHBoxLayout()
        levels_row.addWidget(label("Agreed level", "field-name"))
        self.levels = QButtonGroup(self)
        self.levels.idToggled.connect(lambda _i, _on: self._update())
        self.levels_box = QHBoxLayout()
        self.levels_box.setSpacing(18)
        levels_row.addLayout(self.levels_box)
        levels_row.addStretch(1)
        e.addLayout(levels_row)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("moderation_reason")
        self.reason.setAccessibleName("Reason for the agreed level")
        self.reason.setPlaceholderText(
            "Why this level: the evidence both assessors recorded, and what settled it"
        )
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(64)
        self.reason.textChanged.connect(self._update)
        e.addWidget(self.reason)
        row = QHBoxLayout()
        self.state = label("", "muted", wrap=True)
        self.state.setObjectName("moderation_state")
        row.addWidget(self.state, 1)
        self.save_button = primary_button("Save the agreed level")
        self.save_button.setObjectName("moderation_save")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        e.addLayout(row)
        return frame

    # -- reading ----------------------------------------------------------------------------

    def reload(self) -> None:
        self.tasks.run(
            read_moderation,
            self.db,
            self.actor,
            self.sitting_id,
            on_done=self._loaded,
            on_error=self._failed,
            owner=self,
            name="read_moderation",
        )

    def _failed(self, exc: BaseException) -> None:
        self.waiting.setText(error_reporting.plain_message(exc))
        self.body.setCurrentWidget(self.waiting)

    def _loaded(self, data: ModerationData) -> None:
        self.data = data
        s = data.summary
        self.setWindowTitle(f"Moderation · {s.candidate_name}")
        self.candidate.setText(s.candidate_name)
        self.facts.setText(f"{s.day:%d %B %Y} · {local_time(s.starts_at)} · {s.room} · {s.pack_title}")
        if data.waiting is not None:
            self.waiting.setText(data.waiting)
            self.body.setCurrentWidget(self.waiting)
            self.counts.setText("")
            self.loaded.emit()
            return
        if not data.rows:
            self.waiting.setText("The assessors agree on every criterion: there is nothing to moderate.")
            self.body.setCurrentIndex(0)
            self.counts.setText("")
            self.loaded.emit()
            return
        self.body.setCurrentIndex(1)
        headers = ["Station", "Criterion", *data.assessors, "Agreed", "Reason"]
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(data.rows))
        c = theme.colours()
        select = next((i for i, r in enumerate(data.rows) if r.difference.agreed is None), 0)
        for i, r in enumerate(data.rows):
            d = r.difference
            cells = [r.station_title, d.criterion_text]
            cells += [r.level_text(level) for _, level in d.levels]
            cells += [r.level_text(d.agreed) if d.agreed is not None else "to agree", d.reason or ""]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if j == len(cells) - 2:
                    item.setForeground(QBrush(QColor(c.saved if d.agreed is not None else c.pending)))
                self.table.setItem(i, j, item)
            if self._keep == (d.station_id, d.criterion_id):
                select = i
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 190)
        for j in range(2, 2 + len(data.assessors) + 1):
            self.table.setColumnWidth(j, 150)
        header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        self.table.blockSignals(False)
        self._keep = None
        agreed = sum(1 for r in data.rows if r.difference.agreed is not None)
        self.counts.setText(f"{agreed} of {len(data.rows)} differences agreed")
        set_role(self.counts, "saved" if agreed == len(data.rows) else "muted")
        self.table.selectRow(select)
        self._chosen()
        self.loaded.emit()

    # -- agreeing ---------------------------------------------------------------------------

    def current(self) -> DifferenceRow | None:
        if self.data is None or not self.data.rows:
            return None
        rows = self.table.selectionModel().selectedRows()
        return self.data.rows[rows[0].row()] if rows else None

    def _chosen(self) -> None:
        row = self.current()
        for button in self.levels.buttons():
            self.levels.removeButton(button)
            button.deleteLater()
        if row is None:
            self.criterion.setText("")
            self.given.setText("")
            self._update()
            return
        d = row.difference
        self.criterion.setText(d.criterion_text)
        self.given.setText(
            f"{row.station_title} · "
            + "; ".join(f"{name} gave {row.level_text(level)}" for name, level in d.levels)
        )
        given = {level for _, level in d.levels}
        for value, name in row.scale:
            button = QRadioButton(f"{value} · {name}")
            button.setObjectName(f"level_{value}")
            if value in given:
                font = button.font()
                font.setBold(True)
                button.setFont(font)
                button.setToolTip("A level one of the assessors gave")
            self.levels.addButton(button, value)
            self.levels_box.addWidget(button)
            if d.agreed == value:
                button.setChecked(True)
        self.reason.setPlainText(d.reason or "")
        if d.agreed is not None:
            self.state.setText(f"Agreed at level {d.agreed}. Change the level or the reason to save again.")
            set_role(self.state, "saved")
        else:
            self.state.setText("Not agreed yet.")
            set_role(self.state, "muted")
        self._update()

    def choose_level(self, level: int) -> None:
        button = self.levels.button(level)
        if button is not None:
            button.setChecked(True)

    def _update(self) -> None:
        row = self.current()
        ready = (
            row is not None
            and self.levels.checkedId() != -1
            and bool(self.reason.toPlainText().strip())
            and not self._saving
        )
        self.save_button.setEnabled(ready)
        if row is not None and self.levels.checkedId() != -1 and not self.reason.toPlainText().strip():
            self.save_button.setToolTip("Say why this level was agreed first")
        else:
            self.save_button.setToolTip("")

    def save(self) -> None:
        row = self.current()
        level = self.levels.checkedId()
        reason = self.reason.toPlainText().strip()
        if row is None or level == -1 or not reason or self._saving:
            return
        d = row.difference
        self._saving = True
        self._keep = (d.station_id, d.criterion_id)
        self.state.setText("Saving…")
        set_role(self.state, "pending")
        self._update()
        self.tasks.write(
            _agree,
            self.db,
            self.actor,
            self.sitting_id,
            d.station_id,
            d.criterion_id,
            level,
            reason,
            on_done=lambda _r: self._saved(d),
            on_error=self._save_failed,
            owner=self,
            name="moderation_agree",
        )

    def _saved(self, d: Difference) -> None:
        self._saving = False
        self._keep = None  # go on to the next difference still to agree
        self.saved_note.setText(f"Saved at {datetime.now():%H:%M:%S}: {_short(d.criterion_text)}")
        self.agreement_saved.emit(d.station_id, d.criterion_id)
        self.reload()

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self.state.setText(error_reporting.plain_message(exc))
        set_role(self.state, "error")
        self._update()


def _short(text: str, length: int = 70) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
