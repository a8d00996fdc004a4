"""The shipped clips play inside the kiosk (Qt Multimedia, offscreen), with their captions,
as many times as the blueprint allows; and the clips are what tools/make_clips.py makes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from pytestqt.qtbot import QtBot

from naas_centre.core.captions import cue_at, parse_vtt
from naas_centre.services.knowledge import ShownMedia
from ui.written.knowledge_media import ClipPlayer

ROOT = Path(__file__).resolve().parents[2]
CLIPS = ROOT / "scenarios" / "knowledge" / "clips"
NAMES = ("p-vid-01", "p-vid-02", "p-vid-03")


def _media(name: str) -> ShownMedia:
    return ShownMedia("clip", CLIPS / f"{name}.mp4", CLIPS / f"{name}.vtt", "")


def test_a_clip_plays_offscreen_with_its_captions_and_its_replays(qtbot: QtBot) -> None:
    player = ClipPlayer(_media("p-vid-02"), plays_allowed=2)
    qtbot.addWidget(player)
    player.show()
    cues = parse_vtt((CLIPS / "p-vid-02.vtt").read_text(encoding="utf-8"))
    assert cues and cues[0].text.startswith("Mrs Osei (teacher): Aisha told")
    qtbot.waitUntil(
        lambda: player.player.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia, timeout=10_000
    )
    assert player.player.duration() > 20_000
    qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: player.player.position() > 0, timeout=10_000)
    assert not player.play_button.isEnabled()  # no second play while it plays
    player.player.setPosition(cues[0].start_ms + 500)
    qtbot.waitUntil(lambda: player.caption.text() == cues[0].text, timeout=10_000)
    player.stop()
    qtbot.waitUntil(player.play_button.isEnabled, timeout=10_000)
    assert player.plays_note.text() == "1 play left."
    qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)
    player.stop()
    qtbot.waitUntil(lambda: player.plays_note.text().startswith("You have watched"), timeout=10_000)
    assert not player.play_button.isEnabled()
    player.play()
    assert player.plays == 2


def test_captions_are_read_with_their_times() -> None:
    cues = parse_vtt(
        "WEBVTT\n\nintro\n00:01.000 --> 00:02.500\nHello\nthere\n\n00:00:03.000 --> 00:00:04.000\nBye\n"
    )
    assert [(c.start_ms, c.end_ms, c.text) for c in cues] == [
        (1000, 2500, "Hello there"),
        (3000, 4000, "Bye"),
    ]
    assert cue_at(cues, 1200) == "Hello there" and cue_at(cues, 2700) == "" and cue_at(cues, 3999) == "Bye"


def _unstamped(data: bytes) -> bytes:
    """The bytes but for FFmpeg's version stamps, the muxer's ("Lavf62.12.102") and the AAC
    encoder's in its fill elements ("Lavc62.28.102"): a rebuilt PyAV wheel moves them on
    without changing a frame or a sample (seen: .102 → .103, the decoded streams equal)."""
    return re.sub(rb"Lav[fc]\d+\.\d+\.\d+", b"Lav", data)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_clips_are_rebuilt_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_clips.py"), "--out", str(tmp_path)], check=True
    )
    for name in NAMES:
        for suffix in (".mp4", ".vtt"):
            built = _unstamped((tmp_path / f"{name}{suffix}").read_bytes())
            assert built == _unstamped((CLIPS / f"{name}{suffix}").read_bytes()), name + suffix
        assert (CLIPS / f"{name}.mp4").stat().st_size < 400_000  # small enough to ship
