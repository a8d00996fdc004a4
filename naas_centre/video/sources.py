"""Where pictures come from: a camera by its index, a network camera by its URL, or a file.

Every source is read on the recorder's clock: ``frame_at(t)`` gives the picture the
source shows ``t`` seconds after recording began, or None when it delivers nothing (the
camera is lost). A file plays at its own frame rate, as a camera would, and starts again
at its end; a live source is read by a thread of its own that keeps only the newest
picture, so a slow reader never backs up the camera. OpenCV is imported here only.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from naas_centre.video.errors import SourceUnavailable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]  # height x width x 3, BGR
else:
    Image = Any

DEFAULT_FPS = 25.0
OPEN_TIMEOUT_MS = 5000
LOST_AFTER = 1.0  # seconds without a new picture from a live source: the camera is lost


@dataclass(frozen=True)
class SourceSpec:
    """What ``--source`` named: exactly one of camera, url, path."""

    camera: int | None = None
    url: str | None = None
    path: Path | None = None

    @staticmethod
    def parse(text: str) -> SourceSpec:
        text = text.strip()
        if not text:
            raise SourceUnavailable("the source is empty: give a camera number, a URL or a video file")
        if text.isdigit():
            return SourceSpec(camera=int(text))
        if "://" in text:
            return SourceSpec(url=text)
        return SourceSpec(path=Path(text))

    def describe(self) -> str:
        if self.camera is not None:
            return f"camera {self.camera}"
        if self.url is not None:
            return _without_password(self.url)
        return str(self.path)


class FrameSource(Protocol):
    fps: float
    size: tuple[int, int]  # width, height
    description: str

    def frame_at(self, media_time: float) -> Image | None: ...

    def reopen(self) -> bool:
        """Try once to get the source back; True when it delivers again."""
        ...

    def close(self) -> None: ...


def open_frame_source(spec: SourceSpec) -> FrameSource:
    if spec.path is not None:
        return FileFrames(spec.path)
    return LiveFrames(spec)


def cv2_module() -> Any:
    # OpenCV's warnings ("can't open camera by index") and those of its FFmpeg ("moov atom
    # not found") would print beside the plain message that says the same in words.
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    import cv2

    silent = 0  # LOG_LEVEL_SILENT: in cv2 itself up to 4.x, in cv2.utils.logging from 5
    if hasattr(cv2, "setLogLevel"):
        cv2.setLogLevel(silent)
    else:
        cv2.utils.logging.setLogLevel(silent)
    return cv2


class FileFrames:
    """A video file as a camera: the frame shown at each moment, by the file's own rate."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise SourceUnavailable(f"{path}: no such file")
        if not path.is_file() or not os.access(path, os.R_OK):
            raise SourceUnavailable(f"{path}: not a readable file")
        self.description = str(path)
        self._path = path
        self._cv2 = cv2_module()
        self._capture = self._cv2.VideoCapture(str(path), self._cv2.CAP_FFMPEG)
        ok, first = self._capture.read() if self._capture.isOpened() else (False, None)
        if not ok or first is None:
            self._capture.release()
            raise SourceUnavailable(f"{path}: not a video file (no picture could be read from it)")
        fps = float(self._capture.get(self._cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if 1.0 <= fps <= 240.0 else DEFAULT_FPS
        count = int(self._capture.get(self._cv2.CAP_PROP_FRAME_COUNT) or 0)
        self._count: int | None = count if count > 0 else None
        self.size = (int(first.shape[1]), int(first.shape[0]))
        self._frame: Image = first
        self._next = 1  # the index of the frame the next read gives

    def frame_at(self, media_time: float) -> Image | None:
        target = int(media_time * self.fps + 1e-6)
        if self._count:
            target %= self._count
        while target != self._next - 1:
            if target < self._next - 1:
                self._rewind()
                continue
            if target > self._next:  # skipped frames are not decoded
                ok = bool(self._capture.grab())
            else:
                ok, frame = self._capture.read()
                ok = ok and frame is not None
                if ok:
                    self._frame = frame
            if ok:
                self._next += 1
                continue
            if self._next == 0:  # the file gives nothing even from its start
                return self._frame
            # The container's frame count was wrong or missing: the true one is where it ended.
            self._count = self._next
            target %= self._count
            self._rewind()
        return self._frame

    def _rewind(self) -> None:
        self._capture.set(self._cv2.CAP_PROP_POS_FRAMES, 0)
        self._next = 0

    def reopen(self) -> bool:
        return True

    def close(self) -> None:
        self._capture.release()


class LiveFrames:
    """A camera or a network camera, read as fast as it delivers by a thread of its own."""

    def __init__(self, spec: SourceSpec, lost_after: float = LOST_AFTER) -> None:
        self._spec = spec
        self.description = spec.describe()
        self._cv2 = cv2_module()
        self._lost_after = lost_after
        self._lock = threading.Lock()
        self._latest: tuple[Image, float] | None = None
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None
        self._capture: Any = None
        first = self._open()
        if first is None:
            if spec.camera is not None:
                raise SourceUnavailable(f"no camera {spec.camera} (no picture could be read from it)")
            raise SourceUnavailable(f"{self.description}: unreachable, or not a video stream")
        capture: Any = self._capture
        fps = float(capture.get(self._cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if 1.0 <= fps <= 120.0 else DEFAULT_FPS
        self.size = (int(first.shape[1]), int(first.shape[0]))

    def _open(self) -> Image | None:
        cv2 = self._cv2
        timeouts = (cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, cv2.CAP_PROP_READ_TIMEOUT_MSEC)
        params = [value for key in timeouts for value in (key, OPEN_TIMEOUT_MS)]
        if self._spec.camera is not None:
            capture = cv2.VideoCapture(self._spec.camera, cv2.CAP_ANY)
        else:
            capture = cv2.VideoCapture(self._spec.url, cv2.CAP_FFMPEG, params)
        ok, first = capture.read() if capture.isOpened() else (False, None)
        if not ok or first is None:
            capture.release()
            return None
        self._capture = capture
        with self._lock:
            self._latest = (first, time.monotonic())
        self._stop.clear()
        self._reader = threading.Thread(target=self._read, name="video-source", daemon=True)
        self._reader.start()
        return first  # type: ignore[no-any-return]

    def _read(self) -> None:
        capture = self._capture
        while not self._stop.is_set():
            ok, frame = capture.read()
            if not ok or frame is None:
                return  # lost: frame_at notices no new picture comes
            with self._lock:
                self._latest = (frame, time.monotonic())

    def frame_at(self, media_time: float) -> Image | None:
        with self._lock:
            latest = self._latest
        if latest is None or time.monotonic() - latest[1] > self._lost_after:
            return None
        return latest[0]

    def reopen(self) -> bool:
        self._halt()
        return self._open() is not None

    def _halt(self) -> None:
        self._stop.set()
        if self._reader is not None:
            self._reader.join(timeout=OPEN_TIMEOUT_MS / 1000 + 1)
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        with self._lock:
            self._latest = None

    def close(self) -> None:
        self._halt()


def _without_password(url: str) -> str:
    """A URL as it may be printed: rtsp://user:secret@host/ shows as rtsp://user@host/."""
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.partition("@")
    if at and ":" in credentials:
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return url
