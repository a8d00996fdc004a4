"""What a recording holds, read back from the file: streams, duration, frames, fragments, sync.

Sync is measured, not assumed: where the room shows a flash and sounds a click at the
same instant (the test source, or a clapper board), the time from each flash to its
click is the drift between picture and sound. Without such pairs the streams' own
start and end are compared, which shows a stream that stalled or was cut short.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from naas_centre.video.index import RecordingIndex, read_index
from naas_centre.video.media_file import opened, source

FLASH_LEVEL, DARK_LEVEL = 200.0, 150.0  # mean brightness (0-255) of a flash, and of the frame before
CLICK_LEVEL = 16000  # sample magnitude of a click
CLICK_GAP = 0.25  # seconds: a click closer than this to the last is the same click


@dataclass(frozen=True)
class StreamFacts:
    kind: str  # video or audio
    codec: str
    detail: str  # "1280x720, 25 fps" or "48000 Hz, mono"
    start: float
    end: float


@dataclass(frozen=True)
class RecordingFacts:
    index: RecordingIndex
    path: Path
    size_bytes: int
    streams: tuple[StreamFacts, ...]
    duration: float
    frames: int
    fragments: int
    flash_click_ms: tuple[float, ...]  # picture minus sound at each flash, milliseconds

    @property
    def stream_end_gap_ms(self) -> float | None:
        ends = [s.end for s in self.streams]
        return abs(ends[0] - ends[1]) * 1000 if len(ends) == 2 else None


def count_fragments(path: Path, passphrase: str | None = None) -> int:
    """The MP4's complete fragments (``moof`` boxes followed by their whole ``mdat``)."""
    given = source(path, passphrase)
    mp4: BinaryIO = open(given, "rb") if isinstance(given, str) else cast(BinaryIO, given)  # noqa: SIM115
    size = path.stat().st_size if isinstance(given, str) else given.size
    complete = 0
    with mp4:
        offset, pending = 0, False
        while offset + 8 <= size:
            mp4.seek(offset)
            header = mp4.read(16)
            length, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if length == 1:
                length = int.from_bytes(header[8:16], "big")
            if length < 8 or offset + length > size:
                break
            if kind == b"moof":
                pending = True
            elif kind == b"mdat" and pending:
                complete, pending = complete + 1, False
            offset += length
    return complete


def describe(folder: Path, measure_sync: bool = True, passphrase: str | None = None) -> RecordingFacts:
    """``passphrase``: the encrypted centre's, for a sealed recording."""
    index = read_index(folder)
    path = folder / index.file
    with opened(path, passphrase) as container:
        streams = list(container.streams.video[:1]) + list(container.streams.audio[:1])
        first: dict[int, float] = {}
        last: dict[int, float] = {}
        frames = 0
        for packet in container.demux(streams):
            if packet.pts is None or packet.time_base is None:
                continue
            start = float(packet.pts * packet.time_base)
            end = start + float((packet.duration or 0) * packet.time_base)
            first.setdefault(packet.stream.index, start)
            last[packet.stream.index] = max(last.get(packet.stream.index, 0.0), end)
            frames += packet.stream.type == "video"
        facts = tuple(
            StreamFacts(
                kind=s.type,
                codec=s.codec_context.name,
                detail=(
                    f"{s.codec_context.width}x{s.codec_context.height}, {index.fps} fps"
                    if s.type == "video"
                    else f"{s.codec_context.sample_rate} Hz, {s.codec_context.layout.name}"
                ),
                start=first.get(s.index, 0.0),
                end=last.get(s.index, 0.0),
            )
            for s in streams
        )
    duration = max((s.end for s in facts), default=0.0)
    sync = tuple(flash_click_ms(path, passphrase)) if measure_sync and len(facts) == 2 else ()
    return RecordingFacts(
        index=index,
        path=path,
        size_bytes=path.stat().st_size,
        streams=facts,
        duration=duration,
        frames=frames,
        fragments=count_fragments(path, passphrase),
        flash_click_ms=sync,
    )


def flash_click_ms(path: Path, passphrase: str | None = None) -> list[float]:
    """Each flash's time minus its nearest click's, in milliseconds; empty without pairs."""
    flashes, clicks = _flashes(path, passphrase), _clicks(path, passphrase)
    if not flashes or not clicks:
        return []
    pairs = [min((f - c for c in clicks), key=abs) for f in flashes]
    return [round(d * 1000, 1) for d in pairs if abs(d) < CLICK_GAP]


def _flashes(path: Path, passphrase: str | None) -> list[float]:
    found: list[float] = []
    with opened(path, passphrase) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        before = 255.0
        for frame in container.decode(stream):
            level = float(frame.reformat(width=16, height=16, format="gray").to_ndarray().mean())
            if level > FLASH_LEVEL and before < DARK_LEVEL and frame.time is not None:
                found.append(float(frame.time))
            before = level
    return found


def _clicks(path: Path, passphrase: str | None) -> list[float]:
    import av
    import numpy as np

    found: list[float] = []
    with opened(path, passphrase) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=stream.codec_context.sample_rate)
        last = -1.0
        for frame in container.decode(stream):
            for mono in resampler.resample(frame):
                if mono.time is None:
                    continue
                samples = np.abs(mono.to_ndarray().reshape(-1).astype(np.int32))
                for at in np.flatnonzero(samples > CLICK_LEVEL):
                    when = float(mono.time) + int(at) / mono.sample_rate
                    if when - last > CLICK_GAP:
                        found.append(when)
                    last = when
    return found
