"""A recording for review: one timeline to seek in, step through and take stills from.

Seeking goes to the key frame before the time and decodes forward to the exact frame,
so a position is frame-accurate whatever the fragment layout. A recording that was
killed midway opens too: it ends with its last complete fragment. Decoding happens in
the caller's thread; the app calls this from a worker, never the GUI thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from naas_centre.errors import UserError
from naas_centre.video.index import RecordingIndex, read_index
from naas_centre.video.media_file import open_container

if TYPE_CHECKING:
    from naas_centre.video.sources import Image


@dataclass(frozen=True)
class ReviewFrame:
    at: float  # seconds of recording time
    image: Image  # BGR


class RecordingReader:
    def __init__(self, folder: Path, passphrase: str | None = None) -> None:
        """``passphrase``: the encrypted centre's, for a sealed recording."""
        self.index: RecordingIndex = read_index(folder)
        path = folder / self.index.file
        self._container: Any
        self._container, self._sealed = open_container(path, passphrase)
        if not self._container.streams.video:
            self.close()
            raise UserError(f"{path}: the recording has no pictures")
        self._video = self._container.streams.video[0]
        self._video.thread_type = "AUTO"
        self.fps = self.index.fps
        duration = self._container.duration
        self.duration = float(duration) / 1_000_000 if duration else (self.index.duration or 0.0)
        self._frames: Iterator[Any] = iter(())
        self._pending: Any = None
        self.current: ReviewFrame | None = None
        # The first picture is recording time 0 (the writer keeps the file's times on it).
        first = next(self._container.decode(self._video), None)
        if first is None:
            self.close()
            raise UserError(f"{path}: the recording holds no complete picture")
        self._origin = float(first.time)

    def seek(self, at: float) -> ReviewFrame:
        """The frame on screen at ``at`` seconds (the first one before the start)."""
        at = max(0.0, at) + self._origin
        base = self._video.time_base or Fraction(1, 1_000_000)
        self._container.seek(int(at / base), stream=self._video, backward=True, any_frame=False)
        self._frames = self._container.decode(self._video)
        self._pending = None
        found: Any = None
        for frame in self._frames:
            if found is not None and frame.time > at + 1e-6:
                self._pending = frame
                break
            found = frame
        if found is None:
            raise UserError(f"the recording has no picture at {at - self._origin:.2f} s")
        self.current = self._review(found)
        return self.current

    def _review(self, frame: Any) -> ReviewFrame:
        at = max(0.0, round(float(frame.time) - self._origin, 6))
        return ReviewFrame(at, frame.to_ndarray(format="bgr24"))

    def step(self, frames: int = 1) -> ReviewFrame | None:
        """``frames`` forward (or back, if negative); None past the end."""
        if self.current is None:
            self.seek(0.0)
            assert self.current is not None
            frames -= 1 if frames > 0 else 0
        if frames < 0:
            return self.seek(self.current.at + (frames + 0.5) / self.fps)
        for _ in range(frames):
            frame = self._pending if self._pending is not None else next(self._frames, None)
            self._pending = None
            if frame is None:
                return None
            self.current = self._review(frame)
        return self.current

    def still_png(self, at: float) -> bytes:
        """The frame at ``at`` as a PNG (a still for a report)."""
        from naas_centre.video.sources import cv2_module

        ok, data = cv2_module().imencode(".png", self.seek(at).image)
        if not ok:
            raise UserError(f"the frame at {at:.2f} s could not be made into an image")
        return bytes(data)

    def close(self) -> None:
        self._container.close()
        if self._sealed is not None:
            self._sealed.close()

    def __enter__(self) -> RecordingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
