"""One station of a sitting: its rubric grid and overall judgement, its clock and evidence notes.

Beside the grid, for the criterion under the cursor, the assessor's own reason for its
level: needed for a level below the pack's standard before the sheet can be submitted.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpacerItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from naas_centre.formatting import tidy
from naas_centre.packs.schema import Pack, Rubric
from naas_centre.services.views import StationView
from ui.common.rubric_detail import ChosenDescriptor
from ui.common.rubric_grid import RubricGridView, RubricTableModel
from ui.common.widgets import ElidedLabel, label, set_role
from ui.scoring.evidence_notebook import EvidenceNotebook
from ui.scoring.phase_timer import PhaseTimerCard

# Alt+M, Alt+N and Alt+B give the judgement from anywhere on the station, by keyboard alone.
JUDGEMENTS = (("met", "&Met"), ("not_met", "&Not met"))
KIND_TITLES = {"role_play": "Role-play", "reflective": "Reflective discussion", "written": "Written exercise"}


class JudgementBar(QWidget):
    """Met / not met for the station, borderline or not, with whether the choice is saved."""

    judgement_chosen = Signal(object, bool)  # "met", "not_met" or None; borderline

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(2, 4, 2, 2)
        row.setSpacing(12)
        title = label("Overall judgement:", "heading")
        title.setToolTip("Your overall judgement of this station: met or not met")
        row.addWidget(title)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for value, text in JUDGEMENTS:
            button = QRadioButton(text)
            button.setObjectName(f"judgement_{value}")
            self.group.addButton(button)
            self.buttons[value] = button
            row.addWidget(button)
            button.clicked.connect(lambda _checked=False, v=value: self._chosen(v))
        # "Only just", either way: the borderline grade standard setting regresses on.
        self.borderline_box = QCheckBox("&Borderline")
        self.borderline_box.setObjectName("judgement_borderline")
        self.borderline_box.setToolTip("Only just met, or only just not met")
        self.borderline_box.clicked.connect(self._borderline_toggled)
        row.addWidget(self.borderline_box)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("judgement_clear")
        self.clear_button.clicked.connect(lambda: self._chosen(None))
        row.addWidget(self.clear_button)
        self.state = label("", "muted")
        self.state.setObjectName("judgement_state")
        row.addWidget(self.state)
        row.addStretch(1)
        self._value: str | None = None
        self._borderline = False
        self._state = "saved"
        self._read_only = False
        self._enable_borderline()

    @property
    def value(self) -> str | None:
        return self._value

    @property
    def borderline(self) -> bool:
        return self._borderline

    @property
    def saved(self) -> bool:
        """Whether what is shown is on disk (not saving, not waiting to retry)."""
        return self._state == "saved"

    def show_value(self, value: str | None, state: str = "saved", borderline: bool | None = None) -> None:
        """Shows ``value``; ``state`` is "saving", "retrying" or "saved"; ``borderline``
        None keeps the mark shown (a judgement cleared has none)."""
        self._value = value
        self._state = state
        if borderline is not None:
            self._borderline = borderline
        if value is None:
            self._borderline = False
        self.group.setExclusive(False)
        for key, button in self.buttons.items():
            button.setChecked(key == value)
        self.group.setExclusive(True)
        self.borderline_box.setChecked(self._borderline)
        self._enable_borderline()
        if value is None and state == "saved":
            self.state.setText("Not given yet")
            set_role(self.state, "muted")
        elif state == "saving":
            self.state.setText("Saving…")
            set_role(self.state, "pending")
        elif state == "retrying":
            self.state.setText("Not saved yet — retrying")
            set_role(self.state, "error")
        else:
            self.state.setText("✓ Saved")
            set_role(self.state, "saved")
        self.clear_button.setEnabled(value is not None and not self._read_only)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for button in self.buttons.values():
            button.setEnabled(not read_only)
        self.clear_button.setEnabled(not read_only and self._value is not None)
        self._enable_borderline()

    def _enable_borderline(self) -> None:
        self.borderline_box.setEnabled(not self._read_only and self._value is not None)

    def _chosen(self, value: str | None) -> None:
        if self._read_only or value == self._value:
            return
        self.judgement_chosen.emit(value, value is not None and self._borderline)

    def _borderline_toggled(self, checked: bool) -> None:
        if self._read_only or self._value is None:
            self.borderline_box.setChecked(self._borderline)
            return
        self.judgement_chosen.emit(self._value, checked)


class ReasonBar(QFrame):
    """The assessor's reason for the current criterion's level, in their own words.

    Shown for a level below the standard (where it is needed before submitting) and
    wherever a reason has been given. Enter saves it and goes back to the grid; Esc goes
    back without saving.
    """

    reason_given = Signal(str, str)  # criterion id, reason
    back_to_grid = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reason_bar")
        self.setProperty("role", "reason-bar")
        row = QHBoxLayout(self)
        row.setContentsMargins(2, 2, 2, 2)
        row.setSpacing(8)
        self.title = label("", "heading")
        self.title.setObjectName("reason_title")
        row.addWidget(self.title)
        self.edit = QLineEdit()
        self.edit.setObjectName("level_reason")
        self.edit.setAccessibleName("Your reason for this level")
        self.edit.setPlaceholderText("What you saw that places it here, in your own words")
        self.edit.setMinimumWidth(320)
        self.edit.setToolTip("A level below the standard needs your reason to submit. Enter saves it.")
        self.edit.returnPressed.connect(self._give)
        self.edit.installEventFilter(self)
        row.addWidget(self.edit, 1)
        self.state = label("", "muted")
        self.state.setObjectName("reason_state")
        row.addWidget(self.state)
        self.criterion_id: str | None = None
        self._saved_text = ""
        self._read_only = False
        self.hide()

    def show_for(
        self, criterion_id: str | None, level: int | None, level_label: str, reason: str, needed: bool
    ) -> None:
        """The bar for the criterion under the cursor (hidden when it has nothing to say)."""
        if criterion_id != self.criterion_id or not self.edit.hasFocus():
            self.edit.setText(reason)
        self.criterion_id = criterion_id
        self._saved_text = reason
        if criterion_id is None or level is None or not (needed or reason):
            self.hide()
            return
        what = f"level {level} ({level_label})" if level_label else f"level {level}"
        self.title.setText(f"Why {what}?")
        if needed:
            self.set_state("needed")
        elif self.state.property("reason_state") not in ("saving", "retrying"):
            self.set_state("saved")
        self.edit.setReadOnly(self._read_only)
        self.show()

    def set_state(self, state: str) -> None:
        """``state``: "needed", "saving", "retrying" or "saved"."""
        self.state.setProperty("reason_state", state)
        text, role = {
            "needed": ("Needed to submit", "error"),
            "saving": ("Saving…", "pending"),
            "retrying": ("Not saved yet — retrying", "error"),
            "saved": ("✓ Saved", "saved"),
        }[state]
        self.state.setText(text)
        set_role(self.state, role)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.edit.setReadOnly(read_only)

    def focus(self) -> None:
        if self.isVisible() and not self._read_only:
            self.edit.setFocus()
            self.edit.selectAll()

    def _give(self) -> None:
        text = " ".join(self.edit.text().split())
        if self.criterion_id is not None and not self._read_only and text and text != self._saved_text:
            self._saved_text = text
            self.reason_given.emit(self.criterion_id, text)
        self.back_to_grid.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:
                self.edit.setText(self._saved_text)
                self.back_to_grid.emit()
                return True
        return False


class StationPanel(QWidget):
    """A station: the rubric grid and the judgement on the left; its clock and notes on the right."""

    level_chosen = Signal(str, str, object)  # station id, criterion id, level
    reason_given = Signal(str, str, str)  # station id, criterion id, reason
    judgement_chosen = Signal(str, object, bool)  # station id, judgement, borderline

    def __init__(
        self,
        pack: Pack,
        station: StationView,
        rubric: Rubric,
        parent: QWidget | None = None,
        *,
        can_run_clock: bool = False,
        notes: bool = False,
    ) -> None:
        super().__init__(parent)
        self.station = station
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 4)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        outer.addWidget(self.splitter)

        left = QWidget()
        box = QVBoxLayout(left)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        self.model = RubricTableModel(pack, station.id, rubric, self)
        self.grid = RubricGridView()
        self.grid.setObjectName(f"grid_{station.id}")
        self.grid.setAccessibleName(f"Rubric: {station.title}")
        self.grid.setAccessibleDescription(
            "Criteria down, levels across. Up and down arrows: criterion; a number: that level; "
            "Delete clears; R: the reason; N: a note about it"
        )
        self.grid.holds_paint = True  # the sitting view releases it when the level is saved
        self.grid.dense = True  # several criteria at once; the chosen descriptor whole below
        self.grid.setModel(self.model)
        self.grid.level_chosen.connect(lambda cid, level: self.level_chosen.emit(station.id, cid, level))
        box.addWidget(self.grid, 1)
        self.descriptor = ChosenDescriptor(self.grid)
        box.addWidget(self.descriptor)
        self.reason_bar = ReasonBar()
        self.reason_bar.reason_given.connect(lambda cid, text: self.reason_given.emit(station.id, cid, text))
        self.reason_bar.back_to_grid.connect(self.grid.setFocus)
        self.grid.current_criterion_changed.connect(lambda _cid: self.show_reason())
        self.grid.reason_requested.connect(self.ask_reason)
        self.model.dataChanged.connect(lambda *_: self.show_reason())
        box.addWidget(self.reason_bar)

        bottom = QHBoxLayout()
        self.judgement = JudgementBar()
        self.judgement.judgement_chosen.connect(
            lambda value, borderline: self.judgement_chosen.emit(station.id, value, borderline)
        )
        bottom.addWidget(self.judgement, 1)
        about = KIND_TITLES.get(station.kind, station.kind)
        if station.actor_name:
            about += f" with {station.actor_name}"
        info = ElidedLabel(about, "muted")
        info.setObjectName("station_info")
        bottom.addWidget(info)
        box.addLayout(bottom)
        keys = f"1–{len(self.model.levels)}" if len(self.model.levels) > 1 else "1"
        self.keys_hint = label(
            f"Keys: ↑ ↓ criterion · {keys} level · Del clears · R reason · N note about it · "
            "Alt+M met · Alt+N not met · F1 all keys",
            "muted",
            wrap=True,
        )
        self.keys_hint.setObjectName("keys_hint")
        box.addWidget(self.keys_hint)
        self.splitter.addWidget(left)

        side = QWidget()
        side.setObjectName("station_side")
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        self.timer = PhaseTimerCard(station.title, can_run_clock)
        column.addWidget(self.timer)
        self.side_column = column  # where the sitting view places what goes beside the clock
        criteria = [(c.id, tidy(c.text)) for c in rubric.criteria]
        self.notebook = EvidenceNotebook(criteria)
        self.notebook.setVisible(notes)
        self.grid.note_requested.connect(self.notebook.focus_input)
        self.notebook.back_to_grid.connect(self.grid.setFocus)
        column.addWidget(self.notebook, 1)
        if not notes:
            column.addStretch(1)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        # At least 340 wide, and never narrower than what it holds needs (the phase table
        # and the clock at a larger text size): an explicit minimum width would squeeze them.
        column.addSpacerItem(QSpacerItem(340, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum))
        self.splitter.setSizes([930, 410])

    def add_beside_clock(self, widget: QWidget) -> None:
        """A widget under the phase clock (the record control of a recorded role-play)."""
        self.side_column.insertWidget(self.side_column.indexOf(self.timer) + 1, widget)

    def set_read_only(self, read_only: bool, *, can_run_clock: bool | None = None) -> None:
        self.model.set_read_only(read_only)
        self.judgement.set_read_only(read_only)
        self.keys_hint.setVisible(not read_only)
        self.notebook.set_read_only(read_only)
        self.reason_bar.set_read_only(read_only)
        if can_run_clock is not None:
            self.timer.set_can_run(can_run_clock)
        self.show_reason()

    def show_reason(self) -> None:
        """The reason bar for the criterion under the cursor."""
        cid = self.grid.current_criterion()
        level = self.model.level_of(cid) if cid else None
        self.reason_bar.show_for(
            cid,
            level,
            self.model.level_label(level),
            self.model.reason_of(cid) if cid else "",
            bool(cid) and self.model.needs_reason(cid or ""),
        )

    def ask_reason(self, criterion_id: str) -> None:
        if self.grid.current_criterion() != criterion_id:
            self.grid.go_to(criterion_id)
        self.show_reason()
        if not self.reason_bar.isVisible() and self.model.level_of(criterion_id) is not None:
            level = self.model.level_of(criterion_id)
            self.reason_bar.show_for(criterion_id, level, self.model.level_label(level), "", False)
            self.reason_bar.title.setText(f"Why level {level}?")
            self.reason_bar.state.setText("")
        self.reason_bar.focus()

    def reason_saved(self, criterion_id: str, reason: str, state: str = "saved") -> None:
        self.model.set_reason(criterion_id, reason)
        self.grid.resizeRowToContents(self.model.row_of(criterion_id))
        self.show_reason()
        if self.reason_bar.criterion_id == criterion_id and self.reason_bar.isVisible():
            self.reason_bar.set_state(state)
