"""Moderation: where two assessors' submitted sheets differ, what was agreed and why.

Every difference the outcome uses is listed: criterion levels and each station's
overall judgement. Beside each, both assessors' own evidence: the notes they tagged to
that criterion (for a judgement, their notes on the station) and the reason they gave.
The header says who has submitted, from the same data as the body, so the two never
disagree. Only once every assessor has submitted can anything be agreed (the service
refuses before). Each agreement is saved through the write worker and shows as saved
only after it is committed; the outcome report becomes possible when every difference
is agreed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
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
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from naas_centre.errors import Conflict
from naas_centre.formatting import local_time
from naas_centre.services.moderation import JUDGEMENT_WORDS, Difference, Side
from naas_centre.services.views import Actor, SittingSummary
from naas_centre.writes.changes import Changes
from ui.common import error_reporting, theme
from ui.common.widgets import card, label, primary_button, set_role
from ui.common.wrap_delegate import WrapDelegate
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database


# Button ids of the two judgement choices (level choices use the level's own value).
_JUDGEMENT_IDS = {"met": 1001, "not_met": 1000}


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

    def given_text(self, side: Side) -> str:
        """What one assessor gave: a level, or a judgement."""
        if self.difference.is_judgement:
            return JUDGEMENT_WORDS.get(side.judgement or "", "no judgement")
        return self.level_text(side.level)

    def agreed_text(self) -> str:
        d = self.difference
        if d.is_judgement:
            return JUDGEMENT_WORDS.get(d.agreed_judgement or "", "to agree")
        return self.level_text(d.agreed) if d.agreed is not None else "to agree"


@dataclass(frozen=True)
class Submission:
    assessor: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class ModerationData:
    summary: SittingSummary
    rows: tuple[DifferenceRow, ...]
    assessors: tuple[str, ...]
    waiting: str | None  # why moderation cannot start yet
    submissions: tuple[Submission, ...] = ()

    @property
    def everyone_submitted(self) -> bool:
        return bool(self.submissions) and all(s.submitted_at is not None for s in self.submissions)


def submission_text(submissions: tuple[Submission, ...]) -> str:
    """Who has submitted, in one sentence that is true of every case."""
    if not submissions:
        return "No assessor is assigned to this sitting yet."
    done = [s for s in submissions if s.submitted_at is not None]
    waiting = [s.assessor for s in submissions if s.submitted_at is None]
    parts = [f"{s.assessor} submitted at {local_time(s.submitted_at)}" for s in done if s.submitted_at]
    if waiting:
        parts.append(f"{' and '.join(waiting)} {'has' if len(waiting) == 1 else 'have'} not submitted yet")
    text = "; ".join(parts) + "."
    if waiting:
        return text + " Moderation starts once every assessor has submitted."
    if len(submissions) == 1:
        return text + " With one assessor there is nothing to moderate."
    return (
        text + " Where their levels or overall judgements differ, agree the outcome with them and say "
        "why: what is agreed counts towards the outcome, and the reason is kept on record with your name."
    )


def counts_text(agreed: int, total: int, judgements: int) -> str:
    """ "2 of 5 differences agreed (1 of them an overall judgement)"."""
    text = f"{agreed} of {total} difference{'s' if total != 1 else ''} agreed"
    if judgements and total == 1:
        return text + " (an overall judgement)"
    if judgements:
        kind = "an overall judgement" if judgements == 1 else "overall judgements"
        return text + f" ({judgements} of them {kind})"
    return text


def read_moderation(db: Database, actor: Actor, sitting_id: str) -> ModerationData:
    """Runs in a worker: the differences with what is needed to show and agree them."""
    from naas_centre.services import moderation, packs, sittings

    detail = sittings.sitting_detail(db, actor, sitting_id)
    # A manager's detail holds every sheet: the submission times are the service's own.
    sheets = tuple(detail.others) or ((detail.mine,) if detail.mine else ())
    submissions = tuple(Submission(sh.assessor_name, sh.submitted_at) for sh in sheets)
    try:
        diffs = moderation.differences(db, actor, sitting_id)
    except Conflict as exc:
        return ModerationData(detail.summary, (), detail.summary.assessors, str(exc), submissions)
    pack = packs.pack_for_sitting(db, actor, sitting_id)
    rubrics = dict(pack.rubrics())
    titles = {st.id: st.title for st in detail.stations}
    rows = []
    for d in diffs:
        rubric = rubrics[d.station_id]
        scale = tuple((lv.value, lv.label) for lv in pack.levels_for(rubric))
        rows.append(DifferenceRow(d, d.station_title or titles.get(d.station_id, ""), scale))
    names = tuple(side.assessor_name for side in diffs[0].sides) if diffs else detail.summary.assessors
    return ModerationData(detail.summary, tuple(rows), names, None, submissions)


def _agree(
    db: Database, actor: Actor, sitting_id: str, d: Difference, choice: int | str, reason: str
) -> None:
    from naas_centre.services import moderation

    if d.is_judgement:
        moderation.agree_judgement(db, actor, sitting_id, d.station_id, str(choice), reason)
    else:
        moderation.agree(db, actor, sitting_id, d.station_id, d.criterion_id, int(choice), reason)


def evidence_html(row: DifferenceRow, side: Side) -> str:
    """One assessor's side: what they gave, their reason and their notes."""
    d = row.difference
    out = [f"<p><b>{_escape(side.assessor_name)}</b>: {_escape(row.given_text(side))}</p>"]
    what = "Rationale" if d.is_judgement else "Reason"
    if side.reason.strip():
        out.append(f"<p><i>{what}:</i> {_escape(side.reason.strip())}</p>")
    else:
        out.append(f"<p><i>{what}:</i> none recorded</p>")
    if side.notes:
        heading = "Notes on this station" if d.is_judgement else "Notes tagged to this criterion"
        items = []
        for n in side.notes:
            when = f"{n.clock} · " if n.clock else ""
            tag = f" <i>({_escape(n.criterion_text)})</i>" if n.criterion_text else ""
            items.append(f"<li>{when}{_escape(n.text)}{tag}</li>")
        out.append(f"<p><i>{heading}:</i></p><ul>{''.join(items)}</ul>")
    else:
        none = "no notes on this station" if d.is_judgement else "no notes tagged to this criterion"
        out.append(f"<p><i>Notes:</i> {none}</p>")
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ModerationDialog(QDialog):
    loaded = Signal()
    agreement_saved = Signal(str, str)  # station id, criterion id ("" for a judgement): committed

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        sitting_id: str,
        parent: QWidget | None = None,
        *,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ModerationDialog")
        self.data_dir = data_dir  # where recordings are; None: none are offered
        self.setWindowTitle("Moderation")
        self.resize(1180, 760)
        screen = self.screen()
        if screen is not None:  # on a 1366×768 laptop, the whole dialog stays on screen
            room = screen.availableGeometry()
            self.resize(min(1180, room.width() - 40), min(760, room.height() - 48))
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.sitting_id = sitting_id
        self.data: ModerationData | None = None
        self._keep: tuple[str, str] | None = None
        self._saving = False
        self._choices: dict[int, int | str] = {}

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(10)
        top = QHBoxLayout()
        self.candidate = label("Loading…", "name")
        top.addWidget(self.candidate)
        self.facts = label("", "muted", wrap=True)
        top.addWidget(self.facts, 1)
        box.addLayout(top)
        # Said from the sheets themselves once loaded: never "both submitted" before they have.
        self.intro = label("Reading who has submitted…", "muted", wrap=True)
        self.intro.setObjectName("moderation_intro")
        box.addWidget(self.intro)

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
        self.table.setAccessibleName("Differences between the assessors")
        self.table.setTabKeyNavigation(False)  # Tab goes to each row's agreed level and reason
        self.table.setAccessibleDescription("One row for each level or judgement the assessors differ on")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setItemDelegate(WrapDelegate(self.table, max_lines=3))
        self.table.itemSelectionChanged.connect(self._chosen)
        self.table.setMinimumHeight(96)
        work_box.addWidget(self.table, 1)
        # The editor keeps its natural height (it fits 768 pixels): the table takes the rest.
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
        # Both assessors' evidence side by side: what each gave, their reason, their notes.
        sides = QHBoxLayout()
        sides.setSpacing(10)
        self.evidence: list[QTextBrowser] = []
        for i in range(2):
            view = QTextBrowser()
            view.setObjectName(f"moderation_evidence_{i}")
            view.setOpenLinks(False)
            view.setFixedHeight(136)  # scrolls when an assessor wrote many notes
            view.setAccessibleName("Evidence recorded by an assessor")
            sides.addWidget(view)
            self.evidence.append(view)
        e.addLayout(sides)
        choices_row = QHBoxLayout()
        self.choice_name = label("Agreed level", "field-name")
        choices_row.addWidget(self.choice_name)
        self.levels = QButtonGroup(self)
        self.levels.idToggled.connect(lambda _i, _on: self._update())
        self.levels_box = QHBoxLayout()
        self.levels_box.setSpacing(18)
        choices_row.addLayout(self.levels_box)
        choices_row.addStretch(1)
        e.addLayout(choices_row)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("moderation_reason")
        self.reason.setAccessibleName("Reason for what was agreed")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(64)
        self.reason.textChanged.connect(self._update)
        e.addWidget(self.reason)
        row = QHBoxLayout()
        self.state = label("", "muted", wrap=True)
        self.state.setObjectName("moderation_state")
        row.addWidget(self.state, 1)
        # The recording at this difference: the station's, from its notes on the criterion.
        self.recording_button = QPushButton("Watch the recording…")
        self.recording_button.setObjectName("moderation_recording")
        self.recording_button.clicked.connect(self.open_recording)
        self.recording_button.setVisible(self.data_dir is not None)
        row.addWidget(self.recording_button)
        self.save_button = primary_button("Save the agreed level")
        self.save_button.setObjectName("moderation_save")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        e.addLayout(row)
        return frame

    def open_recording(self) -> None:
        row = self.current()
        if row is None or self.data_dir is None:
            return
        from ui.video.review_dialog import ReviewDialog

        d = row.difference
        review = ReviewDialog(
            self.tasks,
            self.db,
            self.actor,
            self.data_dir,
            self.sitting_id,
            d.station_id,
            self,
            criterion_id=d.criterion_id or None,
        )
        review.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.review = review
        review.open()

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
        self.intro.setText("")
        self.waiting.setText(error_reporting.plain_message(exc))
        self.body.setCurrentWidget(self.waiting)

    def _loaded(self, data: ModerationData) -> None:
        self.data = data
        s = data.summary
        self.setWindowTitle(f"Moderation · {s.candidate_name}")
        self.candidate.setText(s.candidate_name)
        self.facts.setText(f"{s.day:%d %B %Y} · {local_time(s.starts_at)} · {s.room} · {s.pack_title}")
        self.intro.setText(submission_text(data.submissions))
        if data.waiting is not None:
            self.waiting.setText(data.waiting)
            self.body.setCurrentWidget(self.waiting)
            self.counts.setText("")
            self.loaded.emit()
            return
        if not data.rows:
            self.waiting.setText(
                "The assessors agree on every criterion and every overall judgement: "
                "there is nothing to moderate."
            )
            self.body.setCurrentIndex(0)
            self.counts.setText("")
            self.loaded.emit()
            return
        self.body.setCurrentIndex(1)
        headers = ["Station", "What differs", *data.assessors, "Agreed", "Reason"]
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(data.rows))
        c = theme.colours()
        select = next((i for i, r in enumerate(data.rows) if not r.difference.is_agreed), 0)
        for i, r in enumerate(data.rows):
            d = r.difference
            what = d.criterion_title or d.criterion_text
            cells = [r.station_title, what]
            cells += [r.given_text(side) for side in d.sides]
            cells += [r.agreed_text(), d.reason or ""]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(d.criterion_text if j == 1 else text)
                if j == len(cells) - 2:
                    item.setForeground(QBrush(QColor(c.saved if d.is_agreed else c.pending)))
                if j == 1 and d.is_judgement:
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
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
        agreed = sum(1 for r in data.rows if r.difference.is_agreed)
        judgements = sum(1 for r in data.rows if r.difference.is_judgement)
        self.counts.setText(counts_text(agreed, len(data.rows), judgements))
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
        self._choices = {}
        if row is None:
            self.criterion.setText("")
            self.given.setText("")
            for view in self.evidence:
                view.clear()
            self._update()
            return
        d = row.difference
        if d.is_judgement:
            self.criterion.setText(f"Overall judgement of “{row.station_title}”")
        else:
            self.criterion.setText(d.criterion_text)
        self.given.setText(
            f"{row.station_title} · "
            + "; ".join(f"{side.assessor_name} gave {row.given_text(side)}" for side in d.sides)
        )
        for view, side in zip(self.evidence, d.sides, strict=False):
            view.setHtml(evidence_html(row, side))
        for view in self.evidence[len(d.sides) :]:
            view.clear()
        if d.is_judgement:
            self.choice_name.setText("Agreed judgement")
            self.save_button.setText("Save the agreed judgement")
            self.reason.setPlaceholderText(
                "Why this judgement: the evidence both assessors recorded at this station, "
                "and what settled it"
            )
            given_j = {side.judgement for side in d.sides}
            options: list[tuple[int, int | str, str, bool, bool]] = [
                (_JUDGEMENT_IDS[v], v, JUDGEMENT_WORDS[v], v in given_j, d.agreed_judgement == v)
                for v in ("met", "not_met")
            ]
        else:
            self.choice_name.setText("Agreed level")
            self.save_button.setText("Save the agreed level")
            self.reason.setPlaceholderText(
                "Why this level: the evidence both assessors recorded, and what settled it"
            )
            given_l = {side.level for side in d.sides}
            options = [
                (value, value, f"{value} · {name}", value in given_l, d.agreed == value)
                for value, name in row.scale
            ]
        for button_id, value, text, given, agreed in options:
            button = QRadioButton(text)
            button.setObjectName(f"choice_{value}")
            if given:
                font = button.font()
                font.setBold(True)
                button.setFont(font)
                button.setToolTip("What one of the assessors gave")
            self.levels.addButton(button, button_id)
            self._choices[button_id] = value
            self.levels_box.addWidget(button)
            if agreed:
                button.setChecked(True)
        self.reason.setPlainText(d.reason or "")
        if d.is_agreed:
            self.state.setText(f"Agreed: {row.agreed_text()}. Change it or the reason to save again.")
            set_role(self.state, "saved")
        else:
            self.state.setText("Not agreed yet.")
            set_role(self.state, "muted")
        self._update()

    def choose_level(self, level: int) -> None:
        button = self.levels.button(level)
        if button is not None:
            button.setChecked(True)

    def choose_judgement(self, judgement: str) -> None:
        button = self.levels.button(_JUDGEMENT_IDS[judgement])
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
            self.save_button.setToolTip("Say why this was agreed first")
        else:
            self.save_button.setToolTip("")

    def save(self) -> None:
        row = self.current()
        choice = self._choices.get(self.levels.checkedId())
        reason = self.reason.toPlainText().strip()
        if row is None or choice is None or not reason or self._saving:
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
            d,
            choice,
            reason,
            on_done=lambda _r: self._saved(d),
            on_error=self._save_failed,
            owner=self,
            name="moderation_agree",
            changes=Changes.of(self.sitting_id, scores=True, status=True),
        )

    def _saved(self, d: Difference) -> None:
        self._saving = False
        self._keep = None  # go on to the next difference still to agree
        what = (
            f"{d.station_title}, overall judgement"
            if d.is_judgement
            else (d.criterion_title or d.criterion_text)
        )
        self.saved_note.setText(f"Saved at {datetime.now():%H:%M:%S}: {_short(what)}")
        self.agreement_saved.emit(d.station_id, d.criterion_id)
        self.reload()

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self.state.setText(error_reporting.plain_message(exc))
        set_role(self.state, "error")
        self._update()


def _short(text: str, length: int = 70) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
