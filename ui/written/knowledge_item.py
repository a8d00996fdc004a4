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
        self.players: list[ClipPlayer] = []  # the item's clips, shown
        # Made once and reused from item to item: making either takes longer than a frame.
        self._spare: list[ClipPlayer] = []
        self._spare_cases: list[CaseFileView] = []
        self._clip_items: dict[int, str] = {}  # id(player) → the item its clip belongs to
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
                case = self._spare_cases.pop() if self._spare_cases else self._new_case()
                case.load(media)
                self.media.addWidget(case)
                case.show()
            else:
                player = self._spare.pop() if self._spare else self._new_player()
                player.load(media, 1 + self.video_replays, self.plays.get(item.id, 0))
                self._clip_items[id(player)] = item.id
                self.players.append(player)
                self.media.addWidget(player)
                player.show()
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

    def prepare_media(self, clips: bool, cases: bool) -> None:
        """Makes a player and a case-file view ahead of the first item that needs one
        (the first of each takes longest to make)."""
        if clips and not self._spare and not self.players:
            self._spare.append(self._new_player())
        if cases and not self.findChildren(CaseFileView):  # a spare, or the first item's own
            self._spare_cases.append(self._new_case())

    def _new_case(self) -> CaseFileView:
        case = CaseFileView()
        case.setMarkdown("…")  # the first Markdown read is the slow part: done here, ahead
        case.setParent(self)
        case.hide()
        return case

    def _new_player(self) -> ClipPlayer:
        player = ClipPlayer()
        player.setParent(self)  # never a window of its own while spare
        # Shown once and hidden in the same call (nothing is painted between): the first
        # show polishes it and makes its video surface, which the first clip would wait on.
        player.show()
        player.hide()
        player.played.connect(lambda n, p=player: self._played(self._clip_items.get(id(p), ""), n))
        return player

    def _played(self, item_id: str, plays: int) -> None:
        self.plays[item_id] = plays
        self.clip_played.emit(item_id, plays)

    def _clear(self) -> None:
        self.stop_media()
        for layout in (self.media, self.option_box):
            while layout.count():
                child = layout.takeAt(0)
                widget = child.widget() if child is not None else None
                if widget is None:
                    continue
                widget.hide()
                if isinstance(widget, ClipPlayer):
                    self._spare.append(widget)  # kept, parented to this view
                elif isinstance(widget, CaseFileView):
                    self._spare_cases.append(widget)
                else:
                    widget.deleteLater()
        self.options = []
        self.players = []


class Separator(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.VLine)
