"""The recorder: pictures and sound on one clock, into a fragmented MP4 and its index.

Three threads of its own: one takes a picture on every tick of the clock, one takes the
sound every ``SOUND_TICK`` seconds, one encodes and writes. Between them are bounded
queues: when the writer falls behind, a picture is dropped and counted, and the source
and the caller never wait. Each picture's time and each sample's place come from the
same clock, so sound and picture cannot drift apart, whatever the source's own clock
does (``placing.py``). The newest picture is kept in a slot that a preview reads
without waiting (``latest``).

A source that stops delivering marks the recording ``camera_lost`` and is retried every
``RETRY_SECONDS`` until it is back; the recording's time runs on through the gap, which
the index marks. Free space is checked before the start and every second: under
``warn_bytes`` the status says so, under ``stop_bytes`` the recording closes cleanly.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from naas_centre.video.clock import Clock, MonotonicClock
from naas_centre.video.errors import RecordingRefused
from naas_centre.video.index import (
    INDEX_NAME,
    VIDEO_NAME,
    Mark,
    MarkKind,
    RecordingIndex,
    write_index,
)
from naas_centre.video.placing import SoundPlacer
from naas_centre.video.status import IDLE, RecorderStatus
from naas_centre.video.writer import FRAGMENT_SECONDS, FragmentedWriter

if TYPE_CHECKING:
    from naas_centre.video.sound import Samples, SampleSource
    from naas_centre.video.sources import FrameSource, Image

log = logging.getLogger("naas_centre.video")
SOUND_TICK = 0.02
RETRY_SECONDS = 1.0
CATCH_UP = 0.5  # seconds of ticks a late capture thread catches up; beyond, they are dropped
PICTURE_QUEUE = 50  # two seconds at 25 fps
SOUND_QUEUE = 200  # four seconds of sound ticks
WARN_BYTES = 2 * 1024**3
STOP_BYTES = 512 * 1024**2


@dataclass(frozen=True)
class PreviewFrame:
    image: Image
    at: float  # seconds of recording time


def free_bytes_of(folder: Path) -> int:
    return shutil.disk_usage(folder).free


class Recorder:
    def __init__(
        self,
        folder: Path,
        pictures: FrameSource,
        sound: SampleSource | None = None,
        *,
        fps: int | None = None,
        clock: Clock | None = None,
        free_bytes: Callable[[Path], int] = free_bytes_of,
        warn_bytes: int = WARN_BYTES,
        stop_bytes: int = STOP_BYTES,
        on_status: Callable[[RecorderStatus], None] | None = None,
        seal: str | None = None,
    ) -> None:
        """``seal``: the encrypted centre's passphrase; the file is then sealed as written."""
        self.folder = folder
        self._seal = seal
        self._pictures, self._sound = pictures, sound
        self.fps = fps or max(1, min(60, round(pictures.fps)))
        width, height = pictures.size
        self.size = (width - width % 2, height - height % 2)  # H.264 in 4:2:0 wants even sides
        self._clock = clock or MonotonicClock()
        self._free_bytes, self._warn_bytes, self._stop_bytes = free_bytes, warn_bytes, stop_bytes
        self._on_status = on_status
        self._lock = threading.Lock()
        self._status = IDLE
        self._stop = threading.Event()
        self._pictures_queue: queue.Queue[tuple[int, Image]] = queue.Queue(PICTURE_QUEUE)
        self._sound_queue: queue.Queue[tuple[int, Samples]] = queue.Queue(SOUND_QUEUE)
        self._latest: PreviewFrame | None = None
        self._threads: list[threading.Thread] = []
        self._start_at = 0.0
        self._index: RecordingIndex | None = None
        self._stopped_at: float | None = None

    # -- what a caller does ------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            raise RecordingRefused("this recorder has already been started")
        if (self.folder / INDEX_NAME).exists():
            raise RecordingRefused(f"{self.folder}: already holds a recording")
        free = self._free_bytes(self.folder)
        if free < self._stop_bytes:
            raise RecordingRefused(
                f"{self.folder}: only {free // 1024**2} MB free, too little to record (free some space)"
            )
        sample_rate = self._sound.sample_rate if self._sound is not None else None
        try:
            self._writer = FragmentedWriter(
                self.folder / VIDEO_NAME, self.fps, self.size, sample_rate, self._seal
            )
        except OSError as exc:  # PyAV's file errors are OSErrors too
            raise RecordingRefused(f"{self.folder}: the recording cannot be written ({exc})") from None
        self._index = RecordingIndex(
            started=datetime.now(UTC).isoformat(timespec="milliseconds"),
            source=self._pictures.description,
            fps=self.fps,
            width=self.size[0],
            height=self.size[1],
            sample_rate=sample_rate,
            fragment_seconds=FRAGMENT_SECONDS,
            extra={"sound": self._sound.description} if self._sound is not None else {},
        )
        write_index(self.folder, self._index)
        self._start_at = self._clock.now()
        if free < self._warn_bytes:  # low from the start: marked at once, not only on a later fall
            self._mark("disk_low", f"{free // 1024**2} MB free at the start", at=0.0)
        self._update(recording=True, disk_low=free < self._warn_bytes)
        self._threads = [
            threading.Thread(target=self._take_pictures, name="video-capture", daemon=True),
            threading.Thread(target=self._write, name="video-encode", daemon=True),
        ]
        if self._sound is not None:
            sound = threading.Thread(target=self._take_sound, name="video-sound-capture", daemon=True)
            self._threads.append(sound)
        for thread in self._threads:
            thread.start()

    def stop(self) -> RecorderStatus:
        """Stop, write what is queued, close the file; the final status."""
        self._halt()
        for thread in self._threads:
            thread.join()
        return self.status()

    def mark_pause(self, note: str = "") -> None:
        self._mark("pause", note)
        self._update(paused=True)

    def mark_resume(self, note: str = "") -> None:
        self._mark("resume", note)
        self._update(paused=False)

    def status(self) -> RecorderStatus:
        with self._lock:
            status = self._status
        if status.recording:
            stopped = self._stopped_at
            status = replace(status, duration=self.recording_time() if stopped is None else stopped)
        return status

    def latest(self) -> PreviewFrame | None:
        """The newest picture, for a preview; never waits (None before the first)."""
        return self._latest

    def recording_time(self) -> float:
        return max(0.0, self._clock.now() - self._start_at)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the recording stops (by ``stop`` or by itself); False on timeout."""
        for thread in self._threads:
            thread.join(timeout)
            if thread.is_alive():
                return False
        return True

    # -- the threads --------------------------------------------------------------------

    def _take_pictures(self) -> None:
        tick = 0
        lost = False
        next_retry = 0.0
        while self._clock.wait_until(self._start_at + tick / self.fps, self._stop):
            media_time = tick / self.fps
            behind = int((self._clock.now() - self._start_at) * self.fps) - tick
            # A late tick is caught up (each picture still the one for its own time); only a
            # source that is far behind loses the ticks it missed.
            if behind > self.fps * CATCH_UP and not lost:
                self._count(dropped=behind)
                tick += behind
                continue
            image = None if lost else self._pictures.frame_at(media_time)
            if image is None:
                if not lost:
                    lost, next_retry = True, media_time
                    self._mark("camera_lost", self._pictures.description)
                    self._update(camera_lost=True)
                if media_time >= next_retry:
                    image = self._retry(media_time)
                    next_retry = self.recording_time() + RETRY_SECONDS
                # The time ran on while the source was tried: on with the clock's tick.
                now_tick = int(self.recording_time() * self.fps)
                if image is None:
                    tick = max(tick + 1, now_tick)
                    continue
                lost, tick = False, max(tick, now_tick)
                media_time = tick / self.fps
            image = self._fit(image)
            self._latest = PreviewFrame(image, media_time)
            try:
                self._pictures_queue.put_nowait((tick, image))
            except queue.Full:
                self._count(dropped=1)
            tick += 1

    def _retry(self, media_time: float) -> Image | None:
        """One try to get a lost source back; its picture when it is."""
        if not self._pictures.reopen():
            return None
        image = self._pictures.frame_at(media_time)
        if image is not None:
            self._mark("camera_back")
            self._update(camera_lost=False)
        return image

    def _fit(self, image: Image) -> Image:
        """The picture at the recording's size (a camera may come back at another)."""
        width, height = self.size
        if image.shape[1] == width and image.shape[0] == height:
            return image
        if image.shape[1] - width in (0, 1) and image.shape[0] - height in (0, 1):
            return image[:height, :width]  # an odd side, cropped to even
        from naas_centre.video.sources import cv2_module

        cv2 = cv2_module()
        return cv2.resize(image, self.size, interpolation=cv2.INTER_AREA)  # type: ignore[no-any-return]

    def _take_sound(self) -> None:
        assert self._sound is not None
        placer = SoundPlacer(self._sound.sample_rate, self._sound.latency)
        step = 0
        while self._clock.wait_until(self._start_at + step * SOUND_TICK, self._stop):
            media_time = self.recording_time()
            step = int(media_time / SOUND_TICK) + 1
            first, samples = placer.place(self._sound.take(media_time), media_time)
            if samples.size == 0:
                continue
            try:
                self._sound_queue.put_nowait((first, samples))
            except queue.Full:
                placer.unplace(first, samples)  # the stall is filled with silence

    def _write(self) -> None:
        next_check = 0.0
        error: str | None = None
        try:
            while True:
                finishing = self._stop.is_set() and all(
                    not t.is_alive() for t in self._threads if t is not threading.current_thread()
                )
                self._drain_sound()
                try:
                    tick, image = self._pictures_queue.get(timeout=0.05)
                except queue.Empty:
                    if finishing:
                        break
                    continue
                self._writer.write_picture(image, tick)
                self._count(written=1)
                now = self.recording_time()
                if now >= next_check:
                    next_check = now + 1.0
                    self._check_disk()
                    if self._on_status is not None:  # the counters, once a second
                        self._on_status(self.status())
            self._drain_sound()
        except Exception as exc:  # the encoder or the disk failed: stop, and say so
            log.exception("the recording in %s stopped", self.folder)
            error = f"recording stopped: {exc}"
            self._halt()
        finally:
            duration = self._stopped_at if self._stopped_at is not None else self.recording_time()
            try:
                self._writer.close()
            except Exception as exc:
                log.exception("the recording in %s could not be closed", self.folder)
                error = error or f"recording could not be closed: {exc}"
            self._finish(duration, error)

    def _drain_sound(self) -> None:
        while True:
            try:
                first, samples = self._sound_queue.get_nowait()
            except queue.Empty:
                return
            self._writer.write_sound(samples, first)

    def _check_disk(self) -> None:
        free = self._free_bytes(self.folder)
        low = free < self._warn_bytes
        if low and not self._status.disk_low:
            self._mark("disk_low", f"{free // 1024**2} MB free")
        self._update(disk_low=low)
        if free < self._stop_bytes:
            self._update(stopped_reason=f"disk nearly full ({free // 1024**2} MB free)")
            self._halt()

    # -- state --------------------------------------------------------------------------

    def _halt(self) -> None:
        """The recording ends now: its duration is the time of this call."""
        with self._lock:
            if self._stopped_at is None:
                self._stopped_at = self.recording_time()
        self._stop.set()

    def _finish(self, duration: float, error: str | None) -> None:
        with self._lock:
            self._status = replace(self._status, recording=False, duration=duration, error=error)
            status = self._status
        assert self._index is not None
        self._mark("stopped", status.stopped_reason or error or "", at=duration)
        with self._lock:
            self._index = replace(
                self._index,
                finished=True,
                duration=round(duration, 3),
                frames_written=status.frames_written,
                frames_dropped=status.frames_dropped,
            )
            index = self._index
        write_index(self.folder, index)
        if self._on_status is not None:
            self._on_status(status)

    def _mark(self, kind: MarkKind, note: str = "", at: float | None = None) -> None:
        with self._lock:
            if self._index is None:
                return
            when = self.recording_time() if at is None else at
            self._index = self._index.with_mark(Mark(kind, round(when, 3), note))
            index = self._index
        write_index(self.folder, index)

    def _count(self, written: int = 0, dropped: int = 0) -> None:
        with self._lock:
            self._status = replace(
                self._status,
                frames_written=self._status.frames_written + written,
                frames_dropped=self._status.frames_dropped + dropped,
            )

    def _update(self, **changes: Any) -> None:
        with self._lock:
            before = self._status
            self._status = replace(before, **changes)
            changed = self._status != before
        if changed and self._on_status is not None:
            self._on_status(self.status())
