"""A sealed recording as a ``QIODevice`` for ``QMediaPlayer.setSourceDevice``: the player
reads the clear MP4 from memory, record by record, and no clear byte reaches the disk.

Qt's FFmpeg backend reads the device from its own threads (its loader and its demuxer),
never the GUI thread, so decrypting a record (a second of video) never holds up the
screen; a lock keeps those threads from interleaving a seek and a read. The sealed file
is opened (its key derived, its records indexed) in a worker, before the device is made
here; a record that fails its tag ends the read, and the player reports an error.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QIODevice, QObject

from naas_centre.errors import UserError
from naas_centre.protection.sealed_media import SealedMediaFile


class SealedMediaDevice(QIODevice):
    def __init__(self, media: SealedMediaFile, parent: QObject) -> None:
        super().__init__(parent)
        self.media = media
        self._lock = threading.Lock()
        self.failure = ""  # the plain error of a record that could not be read, if one was met

    def isSequential(self) -> bool:
        return False

    def size(self) -> int:
        return self.media.size

    def bytesAvailable(self) -> int:
        return max(0, self.media.size - self.pos()) + super().bytesAvailable()

    def readData(self, maxlen: int) -> bytes:
        with self._lock:
            try:
                self.media.seek(self.pos())
                return self.media.read(maxlen) or b""
            except UserError as exc:
                self.failure = str(exc)
                return b""

    def writeData(self, data: bytes | bytearray | memoryview, len: int) -> int:
        return -1

    def close(self) -> None:
        super().close()
        with self._lock:
            self.media.close()
