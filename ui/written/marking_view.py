"""Marking the written scripts: the script beside the written exercise's rubric.

An assessor sees the submitted scripts of their own sittings, under an anonymous code
when the pack asks for anonymous marking (the default). For each they read the script,
set the level of each criterion in the rubric grid (the same grid and keys as the
scoring station), give met or not met, and write feedback. Every change goes through
``PendingWrites``, like the scoring station's: in order, shown as saved only once its
commit is on disk, kept and retried when the disk cannot take it. Only the marker's own
marks are ever read here; the other marker's stay hidden until both have submitted.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QPlainTextEdit,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from naas_centre.formatting import local_moment, local_time
from naas_centre.services.marking import MarkingSheet
from naas_centre.services.views import Actor
from naas_centre.services.written import ScriptForMarking
from ui.common import error_reporting
from ui.common.rubric_grid import RubricGridView, RubricTableModel
from ui.common.widgets import card, label, set_role
from ui.work.pending_writes import PendingWrites
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database

FEEDBACK_QUIET_MS = 700
FEEDBACK_CAP_MS = 1500


def _scripts(db: Database, actor: Actor) -> list[ScriptForMarking]:
    from naas_centre.services import written

    return written.scripts_to_mark(db, actor)


def _sheet(db: Database, actor: Actor, sitting_id: str) -> MarkingSheet:
    from naas_centre.services import marking

    return marking.my_marking(db, actor, sitting_id)


class MarkingView(QWidget):
    level_saved = Signal(str, object)  # criterion id, level
    judgement_saved = Signal(object)  # judgement, feedback as saved
    sheet_shown = Signal(str)  # sitting id
    scripts_loaded = Signal(int)

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        back: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MarkingView")
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.pending = PendingWrites.for_database(tasks, db)
        self.pending.replay_journal(actor)
        self.scripts: list[ScriptForMarking] = []
        self.sheet: MarkingSheet | None = None
        self.model: RubricTableModel | None = None
        self._judgement: str | None = None
        self._feedback_sent = ""
        self._load_token = 0

        box = QVBoxLayout(self)
        box.setContentsMargins(12, 8, 12, 6)
        box.setSpacing(8)
        box.addWidget(self._header(back))

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.script_heading = label("", "heading")
        self.script_heading.setObjectName("script_heading")
        column.addWidget(self.script_heading)
        self.script = QPlainTextEdit()
        self.script.setObjectName("script_text")
        self.script.setAccessibleName("The candidate's script")
        self.script.setReadOnly(True)
        self.script.document().setDocumentMargin(14)
        font = QFont(self.script.font())
        font.setPointSizeF(font.pointSizeF() + 0.5)
        self.script.setFont(font)
        column.addWidget(self.script, 1)
        self.splitter.addWidget(left)

        right = QWidget()
        marks = QVBoxLayout(right)
        marks.setContentsMargins(0, 0, 0, 0)
        marks.setSpacing(6)
        self.grid = RubricGridView()
        self.grid.setObjectName("marking_grid")
        self.grid.level_chosen.connect(self._record_level)
        marks.addWidget(self.grid, 1)
        marks.addLayout(self._judgement_row())
        feedback_head = QHBoxLayout()
        feedback_head.addWidget(label("Feedback for the candidate", "heading"))
        feedback_head.addStretch(1)
        self.feedback_state = label("", "muted")
        self.feedback_state.setObjectName("feedback_state")
        feedback_head.addWidget(self.feedback_state)
        marks.addLayout(feedback_head)
        self.feedback = QPlainTextEdit()
        self.feedback.setObjectName("feedback")
        self.feedback.setAccessibleName("Feedback for the candidate")
        self.feedback.setPlaceholderText(
            "What the script shows against each area, and what would make it stronger."
        )
        self.feedback.setTabChangesFocus(True)
        self.feedback.textChanged.connect(self._feedback_changed)
        self.feedback.setMinimumHeight(90)
        self.feedback.setMaximumHeight(160)
        marks.addWidget(self.feedback, 1)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        left.setMinimumWidth(320)
        box.addWidget(self.splitter, 1)

        self.empty = label("", "muted")
        self.empty.setObjectName("marking_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        box.addWidget(self.empty, 1)

        self.quiet = QTimer(self)
        self.quiet.setSingleShot(True)
        self.quiet.setInterval(FEEDBACK_QUIET_MS)
        self.quiet.timeout.connect(self.save_feedback)
        self.cap = QTimer(self)
        self.cap.setSingleShot(True)
        self.cap.setInterval(FEEDBACK_CAP_MS)
        self.cap.timeout.connect(self.save_feedback)
        self._set_enabled(False)
        self.reload()

    # -- building ---------------------------------------------------------------------------

    def _header(self, back: QWidget | None) -> QWidget:
        frame = card()
        row = QHBoxLayout(frame)
        row.setContentsMargins(16, 8, 16, 8)
        if back is not None:
            row.addWidget(back)
            row.addSpacing(6)
        row.addWidget(label("Written scripts to mark", "name"))
        row.addSpacing(12)
        self.choice = QComboBox()
        self.choice.setObjectName("script_choice")
        self.choice.setAccessibleName("Script")
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.choice.currentIndexChanged.connect(self._chosen)
        row.addWidget(self.choice)
        self.anonymity = label("", "muted")
        self.anonymity.setObjectName("anonymity")
        row.addWidget(self.anonymity, 1)
        self.banner = label("", "notice", wrap=True)
        self.banner.setObjectName("marking_banner")
        self.banner.hide()
        row.addWidget(self.banner, 1)
        return frame

    def _judgement_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(label("Overall judgement:", "heading"))
        self.judgement_group = QButtonGroup(self)
        self.judgement_buttons: dict[str, QRadioButton] = {}
        for value, text in (("met", "Met"), ("not_met", "Not met")):
            button = QRadioButton(text)
            button.setObjectName(f"marking_{value}")
            self.judgement_group.addButton(button)
            self.judgement_buttons[value] = button
            button.clicked.connect(partial(self._record_judgement, value))
            row.addWidget(button)
        self.judgement_state = label("", "muted")
        self.judgement_state.setObjectName("judgement_state")
        row.addWidget(self.judgement_state)
        row.addStretch(1)
        return row

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.tasks.run(_scripts, self.db, self.actor, on_done=self._got_scripts, owner=self, name="scripts")

    def _got_scripts(self, scripts: list[ScriptForMarking]) -> None:
        current = self.sheet.sitting_id if self.sheet else None
        self.scripts = scripts
        self.choice.blockSignals(True)
        self.choice.clear()
        for s in scripts:
            self.choice.addItem(
                f"{s.label} · {s.word_count:,} words · in at {local_time(s.submitted_at)}", s.sitting_id
            )
        self.choice.blockSignals(False)
        anonymous = [s for s in scripts if s.anonymous]
        self.anonymity.setText(
            "Names hidden: anonymous marking" if anonymous and len(anonymous) == len(scripts) else ""
        )
        self.scripts_loaded.emit(len(scripts))
        if not scripts:
            self.splitter.hide()
            self.empty.setText("No submitted scripts to mark yet. They appear here once a candidate submits.")
            self.empty.show()
            return
        self.empty.hide()
        self.splitter.show()
        ids = [s.sitting_id for s in scripts]
        index = ids.index(current) if current in ids else 0
        self.choice.setCurrentIndex(index)
        self._chosen(index)

    def _chosen(self, index: int) -> None:
        if not 0 <= index < len(self.scripts):
            return
        self.save_feedback()  # the previous script's feedback goes first
        chosen = self.scripts[index]
        self.script_heading.setText(f"{chosen.label} · {chosen.word_count:,} words")
        self.script.setPlainText(chosen.text)
        self._set_enabled(False)
        if self.model is not None:
            self.model.set_read_only(True)  # until this script's marks are read
        self._load_token += 1
        token = self._load_token
        self.tasks.run(
            _sheet,
            self.db,
            self.actor,
            chosen.sitting_id,
            on_done=lambda sheet: self._show_sheet(token, sheet),
            owner=self,
            name="marking_sheet",
        )

    def _show_sheet(self, token: int, sheet: MarkingSheet) -> None:
        if token != self._load_token:
            return
        self.sheet = sheet
        we = sheet.pack.written_exercise
        assert we is not None
        self.model = RubricTableModel(sheet.pack, sheet.station_id, we.rubric, self)
        self.grid.setModel(self.model)
        self.grid.scrollToTop()
        self.model.load(sheet.levels)
        read_only = sheet.submitted_at is not None
        self.model.set_read_only(read_only)
        self._show_judgement(sheet.judgement, "saved" if sheet.judgement else "")
        self.feedback.blockSignals(True)
        self.feedback.setPlainText(sheet.feedback)
        self.feedback.blockSignals(False)
        self._feedback_sent = sheet.feedback
        self.feedback_state.setText("")
        self._set_enabled(not read_only)
        if read_only and sheet.submitted_at is not None:
            self.banner.setText(
                f"You submitted your scores for this sitting on {local_moment(sheet.submitted_at)}: "
                "these marks are read-only."
            )
            self.banner.show()
        else:
            self.banner.hide()
        self.sheet_shown.emit(sheet.sitting_id)

    def _set_enabled(self, enabled: bool) -> None:
        for button in self.judgement_buttons.values():
            button.setEnabled(enabled)
        self.feedback.setReadOnly(not enabled)

    @property
    def marking(self) -> bool:
        return self.sheet is not None and self.sheet.submitted_at is None

    # -- recording -------------------------------------------------------------------------------

    def _record_level(self, criterion_id: str, level: int | None) -> None:
        if not self.marking or self.model is None or self.sheet is None:
            return
        model, sheet = self.model, self.sheet
        token = model.begin(criterion_id, level)
        self.pending.submit(
            self.actor,
            "record_level",
            {
                "sitting_id": sheet.sitting_id,
                "station_id": sheet.station_id,
                "criterion_id": criterion_id,
                "level": level,
            },
            label=f"written level {level} for {criterion_id}",
            owner=self,
            on_saved=partial(self._level_saved, model, criterion_id, token, level),
            on_waiting=partial(model.retrying, criterion_id, token),
            on_refused=partial(self._level_refused, model, criterion_id, token),
        )

    def _level_saved(
        self, model: RubricTableModel, criterion_id: str, token: int, level: int | None, _r: object
    ) -> None:
        model.confirm(criterion_id, token, level)
        self.level_saved.emit(criterion_id, level)

    def _level_refused(
        self, model: RubricTableModel, criterion_id: str, token: int, exc: BaseException
    ) -> None:
        model.revert(criterion_id, token)
        error_reporting.show_error(self, exc, "The level was not saved")

    def _record_judgement(self, judgement: str) -> None:
        if not self.marking or judgement == self._judgement:
            return
        self._show_judgement(judgement, "saving")
        self._send_judgement()

    def _feedback_changed(self) -> None:
        if not self.marking:
            return
        self.feedback_state.setText("Saving…")
        set_role(self.feedback_state, "pending")
        self.quiet.start()
        if not self.cap.isActive():
            self.cap.start()

    def save_feedback(self) -> None:
        """Sends the feedback now if it changed (the timers, a change of script, leaving)."""
        self.quiet.stop()
        self.cap.stop()
        if self.marking and self.feedback.toPlainText() != self._feedback_sent:
            self._send_judgement()

    def _send_judgement(self) -> None:
        assert self.sheet is not None
        text = self.feedback.toPlainText()
        judgement = self._judgement
        self._feedback_sent = text
        self.pending.submit(
            self.actor,
            "set_judgement",
            {
                "sitting_id": self.sheet.sitting_id,
                "station_id": self.sheet.station_id,
                "judgement": judgement,
                "rationale": text,
            },
            label=f"written judgement and feedback for {self.sheet.sitting_id}",
            owner=self,
            on_saved=partial(self._judgement_saved, self.sheet.sitting_id, judgement, text),
            on_waiting=partial(self._judgement_waiting, self.sheet.sitting_id),
            on_refused=self._judgement_refused,
        )

    def _judgement_saved(self, sitting_id: str, judgement: str | None, text: str, _r: object) -> None:
        if self.sheet is None or self.sheet.sitting_id != sitting_id:
            return
        if judgement == self._judgement:
            self._show_judgement(judgement, "saved" if judgement else "")
        if text == self.feedback.toPlainText():
            self.feedback_state.setText(f"Saved {datetime.now():%H:%M:%S}")
            set_role(self.feedback_state, "saved")
        self.judgement_saved.emit((judgement, text))

    def _judgement_waiting(self, sitting_id: str) -> None:
        if self.sheet is None or self.sheet.sitting_id != sitting_id:
            return
        self.feedback_state.setText("Not saved yet — retrying")
        set_role(self.feedback_state, "error")

    def _judgement_refused(self, exc: BaseException) -> None:
        error_reporting.show_error(self, exc, "The judgement and feedback were not saved")
        if self.sheet is not None:
            self._chosen(self.choice.currentIndex())  # show what the database holds

    def _show_judgement(self, value: str | None, state: str) -> None:
        self._judgement = value
        self.judgement_group.setExclusive(False)
        for key, button in self.judgement_buttons.items():
            button.setChecked(key == value)
        self.judgement_group.setExclusive(True)
        text, role = {
            "saving": ("Saving…", "pending"),
            "saved": ("✓ Saved", "saved"),
        }.get(state, ("Not given yet", "muted"))
        self.judgement_state.setText(text)
        set_role(self.judgement_state, role)
