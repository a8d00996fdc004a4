"""The index beside a recording: what it holds and what happened while it was made.

``recording.json`` sits beside ``recording.mp4``. It is written at the start, at every
mark (a pause or resume of the phase, a camera lost and back, low disk) and at the end,
each time whole to a temporary file that then replaces the old one, so a kill leaves the
last complete index. ``finished`` is false until the recording was closed; a recording
killed midway still plays up to its last complete fragment. Positions are seconds of
recording time from the first picture.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from naas_centre.errors import UserError

INDEX_NAME = "recording.json"
VIDEO_NAME = "recording.mp4"
FORMAT = "naas-centre-recording"
VERSION = 1
MarkKind = Literal["pause", "resume", "camera_lost", "camera_back", "disk_low", "stopped"]
MARK_KINDS: tuple[str, ...] = ("pause", "resume", "camera_lost", "camera_back", "disk_low", "stopped")


@dataclass(frozen=True)
class Mark:
    kind: MarkKind
    at: float  # seconds of recording time
    note: str = ""


@dataclass(frozen=True)
class RecordingIndex:
    started: str  # the wall-clock instant of the first picture, ISO 8601 in UTC
    source: str
    fps: int
    width: int
    height: int
    sample_rate: int | None  # None: the recording has no sound
    fragment_seconds: float
    file: str = VIDEO_NAME
    marks: tuple[Mark, ...] = ()
    finished: bool = False
    duration: float | None = None
    frames_written: int = 0
    frames_dropped: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def with_mark(self, mark: Mark) -> RecordingIndex:
        return replace(self, marks=(*self.marks, mark))

    def gaps(self) -> list[tuple[float, float | None]]:
        """Where the camera was lost: (from, to) in recording time, ``to`` None if never back."""
        found: list[tuple[float, float | None]] = []
        for mark in self.marks:
            if mark.kind == "camera_lost":
                found.append((mark.at, None))
            elif mark.kind == "camera_back" and found and found[-1][1] is None:
                found[-1] = (found[-1][0], mark.at)
        return found

    def pauses(self) -> list[tuple[float, float | None]]:
        found: list[tuple[float, float | None]] = []
        for mark in self.marks:
            if mark.kind == "pause":
                found.append((mark.at, None))
            elif mark.kind == "resume" and found and found[-1][1] is None:
                found[-1] = (found[-1][0], mark.at)
        return found


def write_index(folder: Path, index: RecordingIndex) -> None:
    data = {"format": FORMAT, "version": VERSION, **asdict(index)}
    target = folder / INDEX_NAME
    temporary = folder / f".{INDEX_NAME}.tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, ensure_ascii=False)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)


def read_index(folder: Path) -> RecordingIndex:
    path = folder / INDEX_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{folder}: not a recording (no {INDEX_NAME})") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: not a readable recording index ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError(f"{path}: not a recording index")
    if data.get("version") != VERSION:
        version = data.get("version")
        raise UserError(f"{path}: a recording index of version {version}, this app reads {VERSION}")
    try:
        marks = tuple(
            Mark(kind=m["kind"], at=float(m["at"]), note=str(m.get("note", "")))
            for m in data["marks"]
            if m["kind"] in MARK_KINDS
        )
        return RecordingIndex(
            started=str(data["started"]),
            source=str(data["source"]),
            fps=int(data["fps"]),
            width=int(data["width"]),
            height=int(data["height"]),
            sample_rate=None if data["sample_rate"] is None else int(data["sample_rate"]),
            fragment_seconds=float(data["fragment_seconds"]),
            file=str(data["file"]),
            marks=marks,
            finished=bool(data["finished"]),
            duration=None if data["duration"] is None else float(data["duration"]),
            frames_written=int(data["frames_written"]),
            frames_dropped=int(data["frames_dropped"]),
            extra=dict(data.get("extra") or {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{path}: a recording index with a missing or bad field ({exc})") from None
