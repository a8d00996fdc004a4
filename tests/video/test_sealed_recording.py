"""A recording of an encrypted centre: sealed as it is written, read back through the
decrypting reader, as it is on the disk (real files, real PyAV, ffprobe)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from naas_centre.errors import UserError
from naas_centre.protection import sealed, sealed_media
from naas_centre.protection.sealed_media import SealedMediaFile
from naas_centre.video.probe import count_fragments, describe
from naas_centre.video.reader import RecordingReader
from naas_centre.video.recorder import Recorder
from naas_centre.video.sound import WavSamples
from naas_centre.video.sources import FileFrames
from tests.video.media import FPS, ScaledClock, probe

PASSPHRASE = "Correct horse battery 1"
SECONDS = 4.0


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    sealed.forget()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory, camera_file: Path, microphone_file: Path) -> Path:
    """A recording folder (named as a recording's is), sealed under the passphrase."""
    folder = tmp_path_factory.mktemp("recordings") / "rec-1"
    folder.mkdir()
    clock = ScaledClock(2.0)
    recorder = Recorder(
        folder, FileFrames(camera_file), WavSamples(microphone_file), clock=clock, seal=PASSPHRASE
    )
    recorder.start()
    clock.wait_until(clock.now() + SECONDS - recorder.recording_time(), threading.Event())
    recorder.stop()
    return folder


def _clear_copy(sealed_folder: Path, into: Path) -> Path:
    """The recording's folder with its MP4 decrypted (as an export writes it)."""
    into.mkdir()
    shutil.copy2(sealed_folder / "recording.json", into / "recording.json")
    with open(into / "recording.mp4", "wb") as out:
        sealed_media.copy_clear(sealed_folder / "recording.mp4", PASSPHRASE, out)
    return into


def _copy(folder: Path, parent: Path) -> Path:
    """The recording's folder under ``parent``, with the same name (its identity)."""
    target = parent / folder.name
    parent.mkdir(exist_ok=True)
    shutil.copytree(folder, target)
    return target


def _frames(reader: RecordingReader) -> list[np.ndarray]:
    frames = []
    frame = reader.seek(0.0)
    while frame is not None:
        frames.append(frame.image)
        frame = reader.step()
    return frames


def test_no_box_name_and_no_run_of_the_clear_bytes_is_on_the_disk(recorded: Path, tmp_path: Path) -> None:
    raw = (recorded / "recording.mp4").read_bytes()
    for box in (b"ftyp", b"moov", b"moof", b"mdat", b"avc1", b"mp4a"):
        assert box not in raw
    clear = (_clear_copy(recorded, tmp_path / "clear") / "recording.mp4").read_bytes()
    assert clear[4:8] == b"ftyp"
    runs = [clear[at : at + 24] for at in range(0, len(clear) - 24, 997)]
    assert len(runs) > 100
    assert not [run for run in runs if run in raw]
    assert (recorded / "recording.mp4").stat().st_mode & 0o077 == 0


def test_the_reader_decodes_the_frames_of_the_clear_mp4(recorded: Path, tmp_path: Path) -> None:
    clear = _clear_copy(recorded, tmp_path / "clear")
    with RecordingReader(recorded, PASSPHRASE) as sealed_reader, RecordingReader(clear) as plain_reader:
        assert sealed_reader.duration == pytest.approx(plain_reader.duration)
        mine, theirs = _frames(sealed_reader), _frames(plain_reader)
    assert len(mine) == len(theirs) >= (SECONDS - 0.2) * FPS
    assert all(np.array_equal(a, b) for a, b in zip(mine, theirs, strict=True))
    facts = describe(recorded, passphrase=PASSPHRASE)
    assert {s.kind for s in facts.streams} == {"video", "audio"}
    assert facts.frames == len(mine)
    assert facts.fragments == count_fragments(clear / "recording.mp4") >= SECONDS - 1
    assert facts.duration == pytest.approx(describe(clear).duration)


def test_without_the_passphrase_or_with_another_it_is_refused_plainly(recorded: Path) -> None:
    with pytest.raises(UserError, match=r"recording\.mp4: the recording is encrypted"):
        RecordingReader(recorded)
    with pytest.raises(UserError, match=r"recording\.mp4: the database.s passphrase does not open"):
        RecordingReader(recorded, "another passphrase")


def test_a_file_moved_to_another_recording_is_refused(recorded: Path, tmp_path: Path) -> None:
    other = tmp_path / "rec-2"
    shutil.copytree(recorded, other)
    with pytest.raises(UserError, match="belongs to another recording"):
        RecordingReader(other, PASSPHRASE)


def test_a_flipped_byte_anywhere_is_refused_plainly(recorded: Path, tmp_path: Path) -> None:
    size = (recorded / "recording.mp4").stat().st_size
    for n, at in enumerate((30, 200, size // 3, size - 40)):
        folder = _copy(recorded, tmp_path / f"flip-{n}")
        data = bytearray((folder / "recording.mp4").read_bytes())
        data[at] ^= 0x01
        (folder / "recording.mp4").write_bytes(data)
        with pytest.raises(UserError, match=re.escape(str(folder / "recording.mp4"))):
            with RecordingReader(folder, PASSPHRASE) as reader:
                _frames(reader)
            with SealedMediaFile(folder / "recording.mp4", PASSPHRASE) as media:
                for _ in media.chunks():
                    pass


def test_killed_midway_it_opens_with_its_complete_records(recorded: Path, tmp_path: Path) -> None:
    path = recorded / "recording.mp4"
    with SealedMediaFile(path, PASSPHRASE) as whole:
        records, clear_size = whole.records, whole.size
        lengths = [len(r) for r in whole.chunks()]
    assert records >= SECONDS  # the start, a record a fragment, the end
    with RecordingReader(recorded, PASSPHRASE) as reader:
        all_frames = len(_frames(reader))
    size = path.stat().st_size
    for n, cut in enumerate((size // 2, size // 2 + 1, size - 1, size * 3 // 4)):
        folder = _copy(recorded, tmp_path / f"cut-{n}")
        with open(folder / "recording.mp4", "r+b") as fh:
            fh.truncate(cut)
        with SealedMediaFile(folder / "recording.mp4", PASSPHRASE) as media:
            assert 1 <= media.records < records
            assert media.size == sum(lengths[: media.records])
            kept = b"".join(media.chunks())
        with RecordingReader(folder, PASSPHRASE) as reader:
            frames = _frames(reader)
        assert 0 < len(frames) <= all_frames
        assert len(frames) < all_frames or cut == size - 1  # that cut tore the end record only
        assert len(kept) < clear_size
    # Cut inside the header lines: nothing to read, told plainly.
    folder = _copy(recorded, tmp_path / "cut-header")
    with open(folder / "recording.mp4", "r+b") as fh:
        fh.truncate(40)
    with pytest.raises(UserError, match="header is damaged"):
        RecordingReader(folder, PASSPHRASE)


def test_exported_it_is_an_mp4_ffprobe_reads_for_its_whole_time(recorded: Path, tmp_path: Path) -> None:
    clear = _clear_copy(recorded, tmp_path / "clear")
    facts = probe(clear / "recording.mp4")
    assert facts.codecs == {"video": "h264", "audio": "aac"}
    assert facts.duration == pytest.approx(SECONDS, abs=0.25)


def test_resealed_under_a_new_passphrase_then_written_back_in_clear(recorded: Path, tmp_path: Path) -> None:
    folder = _copy(recorded, tmp_path / "reseal")
    path = folder / "recording.mp4"
    clear = (_clear_copy(recorded, tmp_path / "clear") / "recording.mp4").read_bytes()
    sealed_media.reseal(path, PASSPHRASE, "a new passphrase")
    with pytest.raises(UserError, match="passphrase does not open"):
        SealedMediaFile(path, PASSPHRASE)
    with SealedMediaFile(path, "a new passphrase") as media:
        assert b"".join(media.chunks()) == clear
    with RecordingReader(folder, "a new passphrase") as reader:
        assert len(_frames(reader)) >= (SECONDS - 0.2) * FPS
    sealed_media.reseal(path, "a new passphrase", None)
    assert path.read_bytes() == clear
    assert not list(folder.glob("*.reseal"))
    sealed_media.reseal(path, None, PASSPHRASE)  # a plain centre's recording, encrypted later
    with SealedMediaFile(path, PASSPHRASE) as media:
        assert b"".join(media.chunks()) == clear


@pytest.mark.slow
def test_a_sealed_recording_killed_midway_keeps_its_whole_fragments(
    tmp_path: Path, camera_file: Path, microphone_file: Path
) -> None:
    folder = tmp_path / "rec-killed"
    folder.mkdir()
    command = [sys.executable, "-m", "tests.video.record_until_killed"]
    args = [str(camera_file), str(microphone_file), str(folder), PASSPHRASE]
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen([*command, *args], cwd=root, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        recorded = 0.0
        try:
            for line in child.stdout:  # the child's own report, never a timer
                recorded = float(line.split()[0])
                if recorded >= 3.5:
                    break
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    path = folder / "recording.mp4"
    assert b"mdat" not in path.read_bytes()
    with RecordingReader(folder, PASSPHRASE) as reader:
        assert reader.seek(recorded - 2.0).at == pytest.approx(recorded - 2.0, abs=1 / FPS)
    assert count_fragments(path, PASSPHRASE) >= int(recorded - 2.0)
    clear = _clear_copy(folder, tmp_path / "clear")
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(clear / "recording.mp4"), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert decoded.returncode == 0, decoded.stderr
