"""The descriptors of the criterion under the grid's cursor, whole, in one place.

A dense grid shows each descriptor's first line only, so that several criteria fit on a
1366×768 screen; this line of text under it reads the chosen level's descriptor in full,
and the one under the cursor when that is another level (the rest are in tooltips).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ui.common.rubric_grid import RubricGridView, RubricTableModel


class ChosenDescriptor(QLabel):
    """Follows ``grid``: its cursor, and the levels its model shows."""

    def __init__(self, grid: RubricGridView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chosen_descriptor")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setProperty("role", "descriptor")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setContentsMargins(6, 2, 6, 2)
        self._grid = grid
        model = grid.rubric()
        model.dataChanged.connect(lambda *_: self.refresh())
        selection = grid.selectionModel()
        selection.currentChanged.connect(lambda *_: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        model: RubricTableModel = self._grid.rubric()
        current: QModelIndex = self._grid.currentIndex()
        criterion = model.criterion_at(current.row()) if current.isValid() else None
        if criterion is None:
            self.setText("")
            return
        chosen = model.level_of(criterion.id)
        parts = []
        if chosen is None:
            parts.append("Not scored yet.")
        else:
            parts.append(f"Chosen: {self._described(model, criterion.id, chosen)}")
        under = model.level_at(current.column())
        if under is not None and under != chosen:
            parts.append(f"Under the cursor: {self._described(model, criterion.id, under)}")
        self.setText("\n".join(parts))

    @staticmethod
    def _described(model: RubricTableModel, criterion_id: str, level: int) -> str:
        column = model.column_of(level)
        index = model.index(model.row_of(criterion_id), column or 0)
        return f"{level} · {model.level_label(level)} — {index.data()}"
