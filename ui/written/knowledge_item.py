"""One knowledge-test item on the kiosk: its stem, its media, and its options.

An option shows as chosen only once the answer is durable (``show_answer`` is called
with what was saved), never on the click itself: clicking asks for the change
(``option_clicked``), and the window shows it when the write is on disk. Options are
lettered A, B, C… in the order this candidate sees them; a letter or a digit chooses.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from naas_centre.services.knowledge import ShownItem
from ui.written.knowledge_media import CaseFileView, ClipPlayer

LETTERS = "ABCDEFGHIJ"
# A box for "choose several", a circle for "choose one"; filled when chosen.
_MARKS = {(True, True): "☑", (True, False): "☐", (False, True): "●", (False, False): "○"}


def option_letter(index: int) -> str:
    return LETTERS[index] if index < len(LETTERS) else str(index + 1)


class OptionButton(QPushButton):
    """An option: "A  text", with a mark that says chosen or not in shape as well as colour."""

    def __init__(self, index: int, option_id: str, text: str, multiple: bool) -> None:
        super().__init__()
        self.setObjectName(f"knowledge_option_{index}")
        self.option_id = option_id
        self.index = index
        self.body = text
        self.multiple = multiple
        self.chosen = False
        self.pending = False
        self.setProperty("role", "knowledge-option")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._paint()

    def show_chosen(self, chosen: bool, pending: bool = False) -> None:
        if (chosen, pending) != (self.chosen, self.pending):
            self.chosen, self.pending = chosen, pending
            self._paint()

    def _paint(self) -> None:
        mark = _MARKS[(self.multiple, self.chosen)]
        saving = "  (saving…)" if self.pending else ""
        self.setText(f"{mark}  {option_letter(self.index)}.  {self.body}{saving}")
        state = "chosen" if self.chosen else "not chosen"
        self.setAccessibleName(f"Option {option_letter(self.index)}, {state}: {self.body}")
        self.setProperty("chosen", self.chosen)
        self.style().unpolish(self)
        self.style().polish(self)


class ItemView(QWidget):
    """Shows one item at a time; ``show_item`` swaps it in place (no new window, no fetch)."""

    option_clicked = Signal(str)  # option id
    clip_played = Signal(str, int)  # item id, plays so far

    def __init__(self, video_replays: int) -> None:
        super().__init__()
        self.setObjectName("knowledge_item")
        self.video_replays = video_replays
        self.plays: dict[str, int] = {}
        self.item: ShownItem | None = None
        self.options: list[OptionButton] = []
        self.players: list[ClipPlayer] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(24, 16, 24, 16)
        box.setSpacing(10)
        self.number = QLabel("")
        self.number.setObjectName("knowledge_number")
        box.addWidget(self.number)
        self.media = QVBoxLayout()
        box.addLayout(self.media)
        self.stem = QLabel("")
        self.stem.setObjectName("knowledge_stem")
        self.stem.setWordWrap(True)
        self.stem.setTextFormat(Qt.TextFormat.PlainText)
        box.addWidget(self.stem)
        self.hint = QLabel("")
        self.hint.setObjectName("knowledge_hint")
        box.addWidget(self.hint)
        self.option_box = QVBoxLayout()
        self.option_box.setSpacing(6)
        box.addLayout(self.option_box)
        box.addStretch(1)

    def show_item(self, index: int, total: int, item: ShownItem, chosen: tuple[str, ...]) -> None:
        self._clear()
        self.item = item
        self.number.setText(f"Question {index + 1} of {total}")
        self.stem.setText(item.stem)
        if item.answer_type == "multiple":
            self.hint.setText(f"Choose {item.choose}. Press a letter to choose or unchoose an option.")
        else:
            self.hint.setText("Choose one. Press its letter, or click it.")
        for media in item.media:
            if media.kind == "case":
                self.media.addWidget(CaseFileView(media))
            else:
                player = ClipPlayer(media, 1 + self.video_replays, self.plays.get(item.id, 0))
                player.played.connect(lambda n, i=item.id: self._played(i, n))
                self.players.append(player)
                self.media.addWidget(player)
        for n, (option_id, text) in enumerate(item.options):
            button = OptionButton(n, option_id, text, item.answer_type == "multiple")
            button.show_chosen(option_id in chosen)
            button.clicked.connect(lambda _=False, o=option_id: self.option_clicked.emit(o))
            self.options.append(button)
            self.option_box.addWidget(button)

    def show_answer(self, chosen: tuple[str, ...], pending: tuple[str, ...] = ()) -> None:
        for button in self.options:
            button.show_chosen(button.option_id in chosen, button.option_id in pending)

    def option_for_key(self, text: str) -> str | None:
        """The option a typed letter (A…) or digit (1…) names on this item, if any."""
        if len(text) != 1:
            return None
        key = text.upper()
        for button in self.options:
            if key in (option_letter(button.index), str(button.index + 1)):
                return button.option_id
        return None

    def stop_media(self) -> None:
        for player in self.players:
            player.stop()

    def _played(self, item_id: str, plays: int) -> None:
        self.plays[item_id] = plays
        self.clip_played.emit(item_id, plays)

    def _clear(self) -> None:
        self.stop_media()
        for layout in (self.media, self.option_box):
            while layout.count():
                child = layout.takeAt(0)
                widget = child.widget() if child is not None else None
                if widget is not None:
                    widget.hide()
                    widget.deleteLater()
        self.options = []
        self.players = []


class Separator(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.VLine)
