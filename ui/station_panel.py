"""One station of a sitting: its rubric grid and overall judgement, its clock and evidence notes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from naas_centre.packs.schema import Pack, Rubric
from naas_centre.services.views import StationView
from ui.evidence_notebook import EvidenceNotebook
from ui.formatting import tidy
from ui.phase_timer import PhaseTimerCard
from ui.rubric_grid import RubricGridView, RubricTableModel
from ui.widgets import label, set_role

JUDGEMENTS = (("met", "Met"), ("not_met", "Not met"))
KIND_TITLES = {"role_play": "Role-play", "reflective": "Reflective discussion", "written": "Written exercise"}


class JudgementBar(QWidget):
    """Met / not met for the station, with whether the choice is saved."""

    judgement_chosen = Signal(object)  # "met", "not_met" or None

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
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("judgement_clear")
        self.clear_button.clicked.connect(lambda: self._chosen(None))
        row.addWidget(self.clear_button)
        self.state = label("", "muted")
        self.state.setObjectName("judgement_state")
        row.addWidget(self.state)
        row.addStretch(1)
        self._value: str | None = None
        self._read_only = False

    @property
    def value(self) -> str | None:
        return self._value

    def show_value(self, value: str | None, state: str = "saved") -> None:
        """Shows ``value``; ``state`` is "saving", "retrying" or "saved"."""
        self._value = value
        self.group.setExclusive(False)
        for key, button in self.buttons.items():
            button.setChecked(key == value)
        self.group.setExclusive(True)
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

    def _chosen(self, value: str | None) -> None:
        if self._read_only or value == self._value:
            return
        self.judgement_chosen.emit(value)


class StationPanel(QWidget):
    """A station: the rubric grid and the judgement on the left; its clock and notes on the right."""

    level_chosen = Signal(str, str, object)  # station id, criterion id, level
    judgement_chosen = Signal(str, object)  # station id, judgement

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
        self.grid.holds_paint = True  # the sitting view releases it when the level is saved
        self.grid.setModel(self.model)
        self.grid.level_chosen.connect(lambda cid, level: self.level_chosen.emit(station.id, cid, level))
        box.addWidget(self.grid, 1)

        bottom = QHBoxLayout()
        self.judgement = JudgementBar()
        self.judgement.judgement_chosen.connect(lambda value: self.judgement_chosen.emit(station.id, value))
        bottom.addWidget(self.judgement, 1)
        about = KIND_TITLES.get(station.kind, station.kind)
        if station.actor_name:
            about += f" with {station.actor_name}"
        info = label(about, "muted")
        info.setObjectName("station_info")
        bottom.addWidget(info)
        box.addLayout(bottom)
        keys = f"1–{len(self.model.levels)}" if len(self.model.levels) > 1 else "1"
        self.keys_hint = label(
            f"Keys: ↑ ↓ criterion · {keys} level · Del clears · N note about it · F1 all keys", "muted"
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
        side.setMinimumWidth(340)
        self.splitter.setSizes([930, 410])

    def set_read_only(self, read_only: bool) -> None:
        self.model.set_read_only(read_only)
        self.judgement.set_read_only(read_only)
        self.keys_hint.setVisible(not read_only)
        self.notebook.set_read_only(read_only)
