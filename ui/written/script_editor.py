"""The candidate's editor: plain text, a live word count that stays cheap in a huge
script, and pasting from outside the editor blocked unless the pack allows it.

The word count is kept per paragraph (text block) and updated only for the paragraphs
a change touched, so a keystroke costs the same in a 20,000-word script as in an
empty one. Words are runs of non-space characters, as ``written.word_count`` counts
them, so the number on screen is the number stored.
"""

from __future__ import annotations

import re
import secrets

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QResizeEvent, QTextOption
from PySide6.QtWidgets import QPlainTextEdit, QWidget

_WORD = re.compile(r"\S+")
# Marks what this editor itself put on the clipboard (copy, cut, drag, selection), so
# a centre that blocks outside paste still lets a candidate move their own sentences.
OWN_FORMAT = "application/x-naas-centre-script"


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


class ScriptEditor(QPlainTextEdit):
    word_count_changed = Signal(int)
    paste_blocked = Signal()

    def __init__(self, allow_paste: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("script_editor")
        self.setAccessibleName("Your script")
        self.allow_paste = allow_paste
        self._token = secrets.token_hex(16).encode()
        self._counts: list[int] = [0]  # words in each text block, in document order
        self._total = 0
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setTabChangesFocus(False)
        self.document().setDocumentMargin(18)
        font = QFont(self.font())
        font.setPointSizeF(max(12.0, font.pointSizeF() + 1.5))
        self.setFont(font)
        self.document().contentsChange.connect(self._contents_changed)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Tab is typed into the script; Ctrl+Tab (with Shift, backwards) moves on to the
        # kiosk's buttons, so a candidate who uses no mouse is never held in the editor.
        tab = event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
        if tab and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            backwards = event.key() == Qt.Key.Key_Backtab or bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            )
            # QWidget's own step: QPlainTextEdit's refuses while Tab is typed as text.
            QWidget.focusNextPrevChild(self, not backwards)
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # A column of about 80 characters, centred: long lines are hard to read back.
        column = self.fontMetrics().averageCharWidth() * 80 + 2 * round(self.document().documentMargin())
        spare = max(0, self.width() - self.verticalScrollBar().sizeHint().width() - column - 4)
        self.setViewportMargins(spare // 2, 0, spare - spare // 2, 0)
        super().resizeEvent(event)

    # -- the word count ------------------------------------------------------------------

    @property
    def word_count(self) -> int:
        return self._total

    def recount(self) -> int:
        """Counts every paragraph again (after loading a whole script)."""
        counts = []
        block = self.document().begin()
        while block.isValid():
            counts.append(count_words(block.text()))
            block = block.next()
        self._counts = counts or [0]
        self._set_total(sum(self._counts))
        return self._total

    def _contents_changed(self, position: int, _removed: int, added: int) -> None:
        doc = self.document()
        first = doc.findBlock(position)
        last = doc.findBlock(position + added)
        if not first.isValid():
            first = doc.lastBlock()
        if not last.isValid():
            last = doc.lastBlock()
        start, end = first.blockNumber(), last.blockNumber()
        # Blocks after ``end`` are unchanged, only renumbered by the change in block count.
        old_end = end - (doc.blockCount() - len(self._counts))
        if start > old_end + 1 or old_end >= len(self._counts) or start < 0:
            self.recount()  # a change we cannot place: count it all (never seen in practice)
            return
        fresh = []
        block = first
        while True:
            fresh.append(count_words(block.text()))
            if block == last or not block.isValid():
                break
            block = block.next()
        gone = self._counts[start : old_end + 1]
        self._counts[start : old_end + 1] = fresh
        self._set_total(self._total - sum(gone) + sum(fresh))

    def _set_total(self, total: int) -> None:
        if total != self._total:
            self._total = total
            self.word_count_changed.emit(total)

    def load(self, text: str) -> None:
        """Shows a saved script, with the cursor at its end and nothing to undo."""
        self.setPlainText(text)
        self.recount()
        self.moveCursor(self.textCursor().MoveOperation.End)

    # -- exam conditions: paste ------------------------------------------------------------

    def createMimeDataFromSelection(self) -> QMimeData:
        data = super().createMimeDataFromSelection()
        data.setData(OWN_FORMAT, self._token)
        return data

    def _is_own(self, source: QMimeData) -> bool:
        # Not ``hasFormat``: Qt's text-edit mime data lists only the formats it makes itself.
        return bytes(source.data(OWN_FORMAT).data()) == self._token

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        if not source.hasText():
            return False
        return self.allow_paste or self._is_own(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if not source.hasText():
            return
        if not (self.allow_paste or self._is_own(source)):
            self.paste_blocked.emit()
            return
        self.textCursor().insertText(source.text())  # always as plain text
        self.ensureCursorVisible()
