"""The workstation's microphone, through Qt's ``QAudioSource``, pushed into the recorder.

Qt delivers the PCM on the GUI thread as it arrives (a few kilobytes a time); it is only
appended to ``PushedSamples``, which the recorder's sound thread takes from.
"""

from __future__ import annotations

from PySide6.QtCore import QIODevice, QObject
from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices

from naas_centre.video.sound import PushedSamples

RATE = 48000


def has_microphone() -> bool:
    return not QMediaDevices.defaultAudioInput().isNull()


class Microphone(QObject):
    """The default input at 48 kHz, mono, 16-bit, into ``samples`` while started."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        device = QMediaDevices.defaultAudioInput()
        fmt = QAudioFormat()
        fmt.setSampleRate(RATE)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        self.samples = PushedSamples(
            RATE, 1, latency=0.02, description=f"microphone ({device.description()})"
        )
        self._source = QAudioSource(device, fmt, self)
        self._io: QIODevice | None = None

    def start(self) -> None:
        self._io = self._source.start()
        if self._io is not None:
            self._io.readyRead.connect(self._read)

    def _read(self) -> None:
        if self._io is not None:
            self.samples.push(bytes(self._io.readAll().data()))

    def stop(self) -> None:
        self._source.stop()
        self._io = None
