"""Where sound comes from: samples handed over by the app, a WAV file, or the camera's own.

A ``SampleSource`` gives 16-bit mono samples: ``take(t)`` returns what it has for the
recording up to ``t`` seconds after the first picture. The app pushes the microphone's
PCM (from Qt's ``QAudioSource``) into ``PushedSamples``; a WAV file plays at its own rate
and starts again at its end, as a file does for pictures; ``ContainerSamples`` reads the
sound of a network camera's stream or of a video file with PyAV. The recorder puts each
sample where the clock says it belongs (``recorder``), so sound and picture share one clock.
"""

from __future__ import annotations

import contextlib
import threading
import wave
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from naas_centre.video.errors import SourceUnavailable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Samples = npt.NDArray[np.int16]  # one channel
else:
    Samples = Any

AHEAD_SECONDS = 2.0  # how far a file's decoder runs ahead of the recording
RETRY_SECONDS = 1.0
# A live stream counts as broken after 5 s without data; it is probed for half a second
# only (the default, 5 s of sound, would hold the start and every reconnection that long).
LIVE_OPTIONS = {"timeout": "5000000", "analyzeduration": "500000", "probesize": "32768"}


class NoSound(SourceUnavailable):
    """The stream or file has pictures only."""


class SampleSource(Protocol):
    sample_rate: int
    description: str
    latency: float  # seconds from a sample being heard to its being given by ``take``

    def take(self, media_time: float) -> Samples:
        """The samples not yet taken, up to ``media_time`` seconds of recording."""
        ...

    def close(self) -> None: ...


def _mono(data: Any, channels: int) -> Samples:
    import numpy as np

    if channels == 1:
        return np.asarray(data, dtype=np.int16)
    frames = np.asarray(data).reshape(-1, channels).astype(np.int32)
    return np.asarray(frames.mean(axis=1), dtype=np.int16)


class PushedSamples:
    """PCM handed over by the caller (the microphone, through Qt); thread-safe."""

    def __init__(
        self,
        sample_rate: int = 48000,
        channels: int = 1,
        latency: float = 0.0,
        description: str = "microphone",
    ) -> None:
        """``latency``: how long after a sample is heard it is pushed (the device's period)."""
        self.sample_rate = sample_rate
        self.latency = latency
        self.description = description
        self._channels = channels
        self._lock = threading.Lock()
        self._chunks: deque[bytes] = deque()
        self._partial = b""

    def push(self, pcm: bytes) -> None:
        """Interleaved signed 16-bit little-endian samples, any length."""
        with self._lock:
            self._chunks.append(pcm)

    def take(self, media_time: float) -> Samples:
        import numpy as np

        with self._lock:
            data = self._partial + b"".join(self._chunks)
            self._chunks.clear()
            whole = len(data) - len(data) % (2 * self._channels)
            self._partial = data[whole:]
        return _mono(np.frombuffer(data[:whole], dtype="<i2"), self._channels)

    def close(self) -> None:
        pass


class WavSamples:
    """A WAV file (16-bit PCM) as a microphone: played at its own rate, again at its end."""

    def __init__(self, path: Path) -> None:
        import numpy as np

        try:
            with wave.open(str(path), "rb") as wav:
                if wav.getsampwidth() != 2:
                    bits = 8 * wav.getsampwidth()
                    raise SourceUnavailable(f"{path}: the sound must be 16-bit PCM, this is {bits}-bit")
                rate, channels = wav.getframerate(), wav.getnchannels()
                raw = wav.readframes(wav.getnframes())
        except FileNotFoundError:
            raise SourceUnavailable(f"{path}: no such file") from None
        except (wave.Error, EOFError, OSError) as exc:
            why = f" ({exc})" if str(exc) else ""
            raise SourceUnavailable(f"{path}: not a WAV sound file{why}") from None
        samples = _mono(np.frombuffer(raw, dtype="<i2"), channels)
        if samples.size == 0:
            raise SourceUnavailable(f"{path}: the sound file holds no samples")
        self.sample_rate = rate
        self.description = str(path)
        self.latency = 0.0
        self._samples = samples
        self._taken = 0

    def take(self, media_time: float) -> Samples:
        import numpy as np

        wanted = int(media_time * self.sample_rate) - self._taken
        if wanted <= 0:
            return np.zeros(0, dtype=np.int16)
        length = self._samples.size
        positions = (np.arange(self._taken, self._taken + wanted)) % length
        self._taken += wanted
        return np.asarray(self._samples[positions], dtype=np.int16)

    def close(self) -> None:
        pass


class ContainerSamples:
    """The sound track of a stream or a file, decoded by PyAV on a thread of its own.

    A file is decoded a little ahead of the recording and starts again at its end; a
    live stream gives what has arrived.
    """

    def __init__(self, location: str, live: bool, sample_rate: int = 48000) -> None:
        import av

        self.sample_rate = sample_rate
        self.description = f"{location} (its own sound)"
        self.latency = 0.0
        self._location, self._live = location, live
        try:
            self._container: Any = av.open(location, options=LIVE_OPTIONS if live else {})
        except (av.error.FFmpegError, OSError) as exc:
            raise SourceUnavailable(f"{location}: cannot be read for sound ({exc})") from None
        if not self._container.streams.audio:
            self._container.close()
            raise NoSound(f"{location}: has no sound of its own")
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
        self._lock = threading.Condition()
        self._buffer: deque[Samples] = deque()
        self._buffered = 0
        self._taken = 0
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._decode, name="video-sound", daemon=True)
        self._thread.start()

    def _decode(self) -> None:
        import av

        while not self._stop.is_set():
            with contextlib.suppress(av.error.FFmpegError, OSError):  # broken: tried again below
                self._decode_until_end()
            if self._stop.is_set():
                return
            if not self._live:
                self._container.seek(0)  # a file starts again, as its pictures do
                continue
            # A stream that ended or broke is opened again, once a second, until it is back;
            # meanwhile the recorder fills the sound with silence.
            self.lost = True
            while not self._stop.wait(RETRY_SECONDS):
                try:
                    self._container.close()
                    self._container = av.open(self._location, options=LIVE_OPTIONS)
                except (av.error.FFmpegError, OSError):
                    continue
                if self._container.streams.audio:
                    self.lost = False
                    break

    def _decode_until_end(self) -> None:
        import numpy as np

        stream = self._container.streams.audio[0]
        for frame in self._container.decode(stream):
            for converted in self._resampler.resample(frame):
                self._append(np.asarray(converted.to_ndarray().reshape(-1), dtype=np.int16))
            if self._stop.is_set():
                return

    def _append(self, samples: Samples) -> None:
        with self._lock:
            while not self._live and self._buffered > self._taken + AHEAD_SECONDS * self.sample_rate:
                if self._stop.is_set():
                    return
                self._lock.wait(0.1)
            self._buffer.append(samples)
            self._buffered += samples.size

    def take(self, media_time: float) -> Samples:
        import numpy as np

        with self._lock:
            wanted = None if self._live else int(media_time * self.sample_rate) - self._taken
            parts: list[Samples] = []
            got = 0
            while self._buffer and (wanted is None or got < wanted):
                head = self._buffer.popleft()
                if wanted is not None and got + head.size > wanted:
                    self._buffer.appendleft(head[wanted - got :])
                    head = head[: wanted - got]
                parts.append(head)
                got += head.size
            self._taken += got
            self._lock.notify_all()
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        self._thread.join(timeout=6)
        self._container.close()


def open_own_sound(spec_location: str, live: bool) -> ContainerSamples | None:
    """The source's own sound, or None when it has none."""
    try:
        return ContainerSamples(spec_location, live)
    except NoSound:
        return None
