"""The navigator: every item of the form, answered, unanswered or flagged.

Each button says its state in text and shape as well as colour: "12 ✓" answered,
"12 ⚑" flagged, "12 ✓⚑" both, "12" unanswered; its accessible name says it in words.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QToolButton, QVBoxLayout, QWidget

COLUMNS = 5


def state_words(answered: bool, flagged: bool) -> str:
    words = "answered" if answered else "not answered"
    return f"{words}, flagged" if flagged else words


class Navigator(QWidget):
    chosen = Signal(int)  # index of the item to show

    def __init__(self, total: int) -> None:
        super().__init__()
        self.setObjectName("knowledge_navigator")
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 12, 12, 12)
        self.summary = QLabel("")
        self.summary.setObjectName("knowledge_summary")
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        grid = QGridLayout()
        grid.setSpacing(4)
        self.buttons: list[QToolButton] = []
        for n in range(total):
            button = QToolButton()
            button.setObjectName(f"knowledge_nav_{n}")
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, i=n: self.chosen.emit(i))
            grid.addWidget(button, n // COLUMNS, n % COLUMNS)
            self.buttons.append(button)
        box.addLayout(grid)
        box.addWidget(QLabel("✓ answered   ⚑ flagged"))
        box.addStretch(1)
        self.states: list[tuple[bool, bool]] = [(False, False)] * total

    def set_state(self, index: int, answered: bool, flagged: bool) -> None:
        self.states[index] = (answered, flagged)
        button = self.buttons[index]
        marks = ("✓" if answered else "") + ("⚑" if flagged else "")
        button.setText(f"{index + 1} {marks}".strip())
        button.setAccessibleName(f"Question {index + 1}: {state_words(answered, flagged)}")
        button.setProperty("answered", answered)
        button.setProperty("flagged", flagged)
        button.style().unpolish(button)
        button.style().polish(button)
        self._summarise()

    def set_current(self, index: int) -> None:
        for n, button in enumerate(self.buttons):
            button.setChecked(n == index)

    def unanswered(self) -> list[int]:
        return [n for n, (answered, _) in enumerate(self.states) if not answered]

    def flagged(self) -> list[int]:
        return [n for n, (_, flagged) in enumerate(self.states) if flagged]

    def _summarise(self) -> None:
        done = sum(1 for a, _ in self.states if a)
        flags = len(self.flagged())
        self.summary.setText(
            f"{done} of {len(self.states)} answered" + (f", {flags} flagged" if flags else "")
        )
