"""Drives the real kiosk with real key events (``launch.py --kiosk MODE``, used by
``tests/e2e/test_kill_kiosk.py``).

``type``    presses Start if the clock has not started, then types ``CORPUS`` into the
            editor a word at a time through key events, and after each word prints
            ``autopilot typed <unix time> <characters typed>``.
``report``  once the kiosk shows, prints ``autopilot resumed {json}`` (the sitting, the
            text's length and hash, the clock) and quits the application.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from ui.written.kiosk_window import KioskWindow

WORD_MS = 90
_PROSE = (
    "the family were seen at home on tuesday afternoon and both parents spoke openly about "
    "the pressures of night shifts broken sleep and caring for an autistic child whose "
    "distress shows in head banging the plan is to restore short breaks refer mother to "
    "talking therapies and review in four weeks with the school and the health visitor"
)
_WORDS = _PROSE.split()


def corpus(words: int = 4000) -> list[str]:
    """The words the autopilot types, in order; every twelfth ends its paragraph."""
    return [_WORDS[i % len(_WORDS)] + ("\n" if i % 12 == 11 else " ") for i in range(words)]


def typed_text(characters: int) -> str:
    """The first ``characters`` characters the autopilot types."""
    return "".join(corpus())[:characters]


class Autopilot(QObject):
    def __init__(self, kiosk: KioskWindow, mode: str) -> None:
        super().__init__(kiosk)
        self.kiosk = kiosk
        self.mode = mode
        self.words = corpus()
        self.next = 0
        self.typed = 0
        self.timer = QTimer(self)
        self.timer.setInterval(WORD_MS)
        self.timer.timeout.connect(self._step)

    def begin(self) -> None:
        if self.mode == "report":
            QTimer.singleShot(300, self._report)
        elif self.mode == "type":
            self.timer.start()

    def _step(self) -> None:
        kiosk = self.kiosk
        reading = kiosk.reading_now()
        if reading.status == "not_started":
            if kiosk.cover.current is kiosk.cover.start and kiosk.cover.start.start.isEnabled():
                QTest.mouseClick(kiosk.cover.start.start, Qt.MouseButton.LeftButton)
            return
        if kiosk.editor.isReadOnly() or self.next >= len(self.words):
            return
        word = self.words[self.next]
        self.next += 1
        QTest.keyClicks(kiosk.editor, word.rstrip("\n "))
        if word.endswith("\n"):
            QTest.keyClick(kiosk.editor, Qt.Key.Key_Return)
        else:
            QTest.keyClick(kiosk.editor, Qt.Key.Key_Space)
        self.typed += len(word)
        print(f"autopilot typed {time.time():.3f} {self.typed}", flush=True)

    def _report(self) -> None:
        kiosk = self.kiosk
        text = kiosk.editor.toPlainText()
        reading = kiosk.reading_now()
        state = {
            "sitting_id": kiosk.grant.sitting_id,
            "length": len(text),
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "words": kiosk.editor.word_count,
            "status": reading.status,
            "remaining_ms": reading.remaining_ms,
            "length_ms": reading.length_ms,
            "at": datetime.now(UTC).isoformat(),
            "downtime_ms": kiosk.downtime_ms,
            "read_only": kiosk.editor.isReadOnly(),
            "full_screen": kiosk.isFullScreen(),
        }
        print("autopilot resumed " + json.dumps(state), flush=True)
        kiosk.release()  # a kiosk refuses to close, and so would stop the quit; it reopens next time
        QTimer.singleShot(0, QApplication.quit)


def attach(kiosk: KioskWindow, mode: str) -> Autopilot:
    pilot = Autopilot(kiosk, mode)
    pilot.begin()
    return pilot
