"""The timer's alert: a soft two-note chime, or the system beep where there is no sound device.

The chime is a WAV file shipped in ``ui/resources`` and made by ``chime_wav`` (a test
checks that the shipped file is exactly what it makes), so nothing is downloaded and
its source is here to read. Qt Multimedia is loaded at the first alert, not at start.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from contextlib import ExitStack
from importlib.resources import as_file, files
from typing import Any

from PySide6.QtCore import QObject, QUrl
from PySide6.QtWidgets import QApplication

RATE = 22_050
FILE_NAME = "alert-chime.wav"


def chime_wav() -> bytes:
    """Two bell-like notes (A5, then E6), 0.9 s in all, 16-bit mono: deterministic."""
    notes = ((880.0, 0.0), (1318.5, 0.22))
    length = int(RATE * 0.9)
    samples = []
    for i in range(length):
        t = i / RATE
        value = 0.0
        for freq, start in notes:
            if t < start:
                continue
            dt = t - start
            envelope = math.exp(-dt * 5.5) * min(1.0, dt / 0.004)  # a quick attack, a bell's decay
            value += envelope * (math.sin(2 * math.pi * freq * dt) + 0.25 * math.sin(4 * math.pi * freq * dt))
        fade = min(1.0, (length - i) / (RATE * 0.05))
        samples.append(int(max(-1.0, min(1.0, value * 0.32 * fade)) * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return out.getvalue()


class AlertSound(QObject):
    """Plays the chime (``times`` over) unless muted; the beep when no device can play it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.muted = False
        self.played: list[str] = []  # what each alert did: "chime", "beep" or "muted"
        self._effect: Any = None
        self._probed = False
        self._files = ExitStack()
        self.destroyed.connect(lambda *_: self._files.close())

    def play(self, times: int = 1) -> str:
        if self.muted:
            self.played.append("muted")
            return "muted"
        effect = self._sound_effect()
        if effect is not None:
            effect.setLoopCount(times)
            effect.play()
            how = "chime"
        else:
            QApplication.beep()
            how = "beep"
        self.played.append(how)
        return how

    def _sound_effect(self) -> Any:
        if self._probed:
            return self._effect
        self._probed = True
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError:
            return None
        if not QMediaDevices.audioOutputs():
            return None  # no sound device here: the beep (which a terminal or desktop may show)
        path = self._files.enter_context(as_file(files("ui.common").joinpath("resources", FILE_NAME)))
        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(path)))
        effect.setVolume(0.8)
        self._effect = effect
        return effect
