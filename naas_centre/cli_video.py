"""The command line for recording: ``naas-centre video check``.

Kept beside ``naas_centre.cli``, which adds it to its parser with ``add_parsers``.
``video check`` records a few seconds from a room's camera (its index), a network camera
(its URL) or a file, with a WAV file or the source's own sound, and says what was
written, so a centre can try its rooms before the day. It opens no database. A bad
source, length or folder is one plain line and exit status 2, with nothing left behind.
OpenCV and PyAV are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from naas_centre.errors import UserError

if TYPE_CHECKING:
    from naas_centre.video.probe import RecordingFacts
    from naas_centre.video.sound import SampleSource
    from naas_centre.video.sources import FrameSource
    from naas_centre.video.status import RecorderStatus

EXIT_OK = 0
SUBCOMMANDS = ("video",)
MAX_SECONDS = 24 * 3600


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"the seconds must be more than 0 and at most {MAX_SECONDS}: {text}")
    return value


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    video = sub.add_parser("video", help="recording: try a room's camera and sound before the day")
    video_sub = video.add_subparsers(dest="action", metavar="ACTION", parser_class=parser_class)
    video.set_defaults(run=_no_action, data_dir=None)
    check = video_sub.add_parser(
        "check",
        help="record a few seconds and say what was written",
        description="Records from a camera (its number, such as 0), a network camera (an rtsp:// URL) or "
        "a video file, and prints the streams, duration, frames, dropped frames, sync and fragments of "
        "what was written. Sync is measured where the picture flashes and the sound clicks at once "
        "(a clapper board in front of the camera). docs/video.md describes the format.",
    )
    check.add_argument(
        "--source", required=True, metavar="SOURCE", help="a camera number, a URL or a video file"
    )
    check.add_argument("--seconds", required=True, type=_seconds, metavar="N", help="how long to record")
    check.add_argument("--out", required=True, type=Path, metavar="DIR", help="the folder to record into")
    check.add_argument(
        "--audio",
        type=Path,
        metavar="FILE.wav",
        help="the sound to record (default: the source's own sound, if it has any)",
    )
    check.set_defaults(run=_check, data_dir=None)


def _no_action(args: argparse.Namespace) -> int:
    raise UserError("video needs an action: naas-centre video check --source SOURCE --seconds N --out DIR")


def _check(args: argparse.Namespace) -> int:
    from naas_centre.video.probe import describe
    from naas_centre.video.sound import WavSamples, open_own_sound
    from naas_centre.video.sources import SourceSpec, open_frame_source

    spec = SourceSpec.parse(args.source)
    sound: SampleSource | None = WavSamples(args.audio) if args.audio is not None else None
    pictures = open_frame_source(spec)
    try:
        if sound is None and spec.camera is None:
            sound = open_own_sound(str(spec.path or spec.url), live=spec.url is not None)
        with _recording_folder(args.out) as folder:
            final = _record(folder, pictures, sound, args.seconds)
            facts = describe(folder)
    finally:
        pictures.close()
        if sound is not None:
            sound.close()
    print("\n".join(_lines(facts, final.frames_dropped, final.stopped_reason or final.error)))
    return EXIT_OK


def _record(
    folder: Path, pictures: FrameSource, sound: SampleSource | None, seconds: float
) -> RecorderStatus:
    from naas_centre.video.recorder import Recorder

    recorder = Recorder(folder, pictures, sound)
    recorder.start()
    try:
        ended = threading.Event()
        # The recorder's clock says when the time is up; a recorder that stopped itself ends it early.
        while not ended.wait(0.05) and recorder.recording_time() < seconds and recorder.status().recording:
            pass
    finally:
        final = recorder.stop()
    return final


@contextlib.contextmanager
def _recording_folder(out: Path) -> Iterator[Path]:
    """``out``, made if missing and checked writable; removed again if the check fails."""
    from naas_centre.video.errors import RecordingRefused
    from naas_centre.video.index import INDEX_NAME, VIDEO_NAME

    made = not out.exists()
    if out.exists() and not out.is_dir():
        raise RecordingRefused(f"{out}: not a folder")
    if (out / INDEX_NAME).exists() or (out / VIDEO_NAME).exists():
        raise RecordingRefused(f"{out}: already holds a recording (give an empty or new folder)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        if made:
            shutil.rmtree(out, ignore_errors=True)
        raise RecordingRefused(f"{out}: cannot be written to ({exc.strerror or exc})") from None
    try:
        yield out
    except BaseException:
        if made:
            shutil.rmtree(out, ignore_errors=True)
        else:
            for name in (VIDEO_NAME, INDEX_NAME, f".{INDEX_NAME}.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(out / name)
        raise


def _lines(facts: RecordingFacts, dropped: int, stopped: str | None) -> list[str]:
    from naas_centre.video.index import INDEX_NAME

    index = facts.index
    expected = max(1, facts.frames + dropped)
    sound = f"; sound from {index.extra['sound']}" if "sound" in index.extra else ""
    lines = [
        f"recording: {facts.path} ({facts.size_bytes / 1e6:.1f} MB)",
        f"index:     {facts.path.parent / INDEX_NAME}",
        f"source:    {index.source}{sound}",
        "streams:   " + "; ".join(f"{s.kind} {s.codec} ({s.detail})" for s in facts.streams),
        f"duration:  {facts.duration:.2f} s",
        f"frames:    {facts.frames} written, {dropped} dropped ({100 * dropped / expected:.2f} %)",
    ]
    if len(facts.streams) < 2:
        lines.append("sync:      no sound recorded (give --audio FILE.wav, or a source with sound)")
    elif facts.flash_click_ms:
        worst = max(abs(d) for d in facts.flash_click_ms)
        pairs = len(facts.flash_click_ms)
        lines.append(f"sync:      {worst:.1f} ms at worst, measured from flash to click ({pairs} pairs)")
    else:
        gap = facts.stream_end_gap_ms or 0.0
        lines.append(
            f"sync:      picture and sound end {gap:.0f} ms apart (no flash and click to measure by)"
        )
    fragment = f"{index.fragment_seconds:g} s"
    lines.append(f"segments:  {facts.fragments} fragments of {fragment} (a kill loses at most the last)")
    gaps = index.gaps()
    if gaps:
        shown = ", ".join(f"{a:.1f}-{'end' if b is None else f'{b:.1f}'} s" for a, b in gaps)
        lines.append(f"camera lost: {shown}")
    if stopped:
        lines.append(f"stopped early: {stopped}")
    return lines
