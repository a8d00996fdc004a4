"""Rebuilds the knowledge test's video-simulation clips from their scripts, reproducibly.

    .venv/bin/python tools/make_clips.py [--out scenarios/knowledge/clips] [--items]

Each scene is a few slides drawn with Pillow (where we are, who speaks, what they say)
and a voice for each line from espeak-ng (a British English voice per speaker), muxed
by PyAV into a small H.264 and AAC MP4, with a WebVTT captions file timed to the lines.
The same scripts, espeak-ng and PyAV give the same files: no clock, no randomness, one
encoding thread. Only FFmpeg's version stamps in them ("Lavf…", "Lavc…") follow the wheel's
build; the frames and samples do not. ``--items`` prints the bank items that use the clips, to append at the
end of the bank files.

Needs espeak-ng (``apt-get install -y espeak-ng``).
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "naas_centre" / "reports" / "fonts"
WIDTH, HEIGHT, FPS = 640, 360, 5
RATE = 22050
GAP_S = 0.4  # silence after each line


@dataclass(frozen=True)
class Line:
    speaker: str
    voice: str  # espeak-ng voice, e.g. en-gb+f3
    text: str


@dataclass(frozen=True)
class Scene:
    name: str  # the file name, without .mp4
    title: str
    setting: str
    lines: tuple[Line, ...]


SW = "en-gb+m3"
SCENES = (
    Scene(
        "p-vid-01",
        "A home visit: at the door",
        "Tuesday, 4 pm. An unannounced visit after a referral from the health visitor "
        "about a baby of four months. You knock at the flat door.",
        (
            Line(
                "Ms Kelly (mother)",
                "en-gb+f3",
                "Oh. You again. Look, it's not a good time. The baby's asleep.",
            ),
            Line("Social worker", SW, "I understand. I won't keep you long. May I come in and see Leo?"),
            Line(
                "Ms Kelly (mother)",
                "en-gb+f3",
                "No. Come back next week. My partner's not well, he's lying down.",
            ),
            Line(
                "Narrator",
                "en-gb+m1",
                "A strong smell of cannabis comes from the flat. A man shouts: who is it? "
                "The baby starts to cry and nobody goes to him.",
            ),
        ),
    ),
    Scene(
        "p-vid-02",
        "A call from school",
        "Monday, 11 am. The designated safeguarding lead of a secondary school phones the "
        "duty team about a pupil of fourteen.",
        (
            Line(
                "Mrs Osei (teacher)",
                "en-gb+f2",
                "Aisha told her form tutor this morning that she doesn't want to "
                "go home. She says her stepdad lost his temper and pushed her into a door on Saturday.",
            ),
            Line(
                "Mrs Osei (teacher)",
                "en-gb+f2",
                "There's a bruise on her upper arm. She begged us not to tell "
                "anyone, because she says it will make things worse.",
            ),
            Line("Social worker", SW, "Thank you for calling straight away. Where is Aisha now?"),
            Line(
                "Mrs Osei (teacher)",
                "en-gb+f2",
                "In the inclusion room with her tutor. School finishes at three.",
            ),
        ),
    ),
    Scene(
        "p-vid-03",
        "A strategy discussion",
        "Wednesday, 2 pm. A strategy discussion by phone about a baby of ten weeks with a "
        "bruise on the cheek, seen by the health visitor at a routine visit.",
        (
            Line(
                "Health visitor",
                "en-gb+f4",
                "Mum said he must have done it himself with his fist. He is ten "
                "weeks old and not yet rolling.",
            ),
            Line(
                "Police officer",
                "en-gb+m2",
                "Mum has been cooperative and there's no history. I'd say this "
                "is a single agency matter. Advice and a leaflet.",
            ),
            Line(
                "Social worker",
                SW,
                "A bruise on a baby who is not mobile needs a medical explanation. "
                "Let's decide together what happens next.",
            ),
        ),
    ),
)

ITEMS = Path(__file__).with_name("clip_items.yaml")  # the bank items that use the clips


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def slide(title: str, heading: str, body: str) -> Image.Image:
    """One slide: the scene's title, who speaks (or where we are), and what is said."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (24, 38, 56))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 44), fill=(40, 70, 100))
    draw.text((20, 11), title, font=_font(20, bold=True), fill=(255, 255, 255))
    draw.text((20, 70), heading, font=_font(24, bold=True), fill=(255, 214, 120))
    y = 118
    font = _font(21)
    for line in _wrap(draw, body, font, WIDTH - 40):
        draw.text((20, y), line, font=font, fill=(235, 235, 235))
        y += 30
    return image


def speak(line: Line) -> np.ndarray:
    """The line as mono 16-bit samples at RATE, from espeak-ng, with a short silence after."""
    wav = subprocess.run(
        ["espeak-ng", "-v", line.voice, "-s", "155", "--stdout", line.text],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        rate = w.getframerate()
    if rate != RATE:  # espeak-ng speaks at 22050 Hz; resample plainly if it ever does not
        positions = np.linspace(0, samples.size - 1, round(samples.size * RATE / rate))
        samples = np.interp(positions, np.arange(samples.size), samples).astype(np.int16)
    return np.concatenate([samples, np.zeros(round(GAP_S * RATE), dtype=np.int16)])


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def build(scene: Scene, out: Path) -> None:
    """Writes ``<name>.mp4`` and ``<name>.vtt`` into ``out``."""
    parts = [(slide(scene.title, "Where we are", scene.setting), np.zeros(4 * RATE, dtype=np.int16), None)]
    for line in scene.lines:
        parts.append((slide(scene.title, line.speaker, line.text), speak(line), line))
    cues = []
    t = 0.0
    for _, audio, line in parts:
        length = audio.size / RATE
        if line is not None:
            cues.append(f"{_stamp(t)} --> {_stamp(t + length - GAP_S)}\n{line.speaker}: {line.text}")
        t += length
    vtt = "WEBVTT\n\n" + "\n\n".join(cues) + "\n"
    (out / f"{scene.name}.vtt").write_text(vtt, encoding="utf-8")

    path = out / f"{scene.name}.mp4"
    tmp = path.with_suffix(".mp4.tmp")
    with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        container.metadata.clear()
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"crf": "30", "preset": "medium", "tune": "stillimage", "threads": "1"}
        video.thread_count = 1
        audio_stream = container.add_stream("aac", rate=RATE)
        audio_stream.layout = "mono"
        frame_index = 0
        for image, audio, _ in parts:
            frames = max(1, round(audio.size / RATE * FPS))
            for _ in range(frames):
                frame = av.VideoFrame.from_image(image)
                frame.pts = frame_index
                frame.time_base = Fraction(1, FPS)
                frame_index += 1
                for packet in video.encode(frame):
                    container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        samples = np.concatenate([a for _, a, _ in parts])
        step = 1024
        for start in range(0, samples.size, step):
            chunk = samples[start : start + step]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = RATE
            frame.pts = start
            frame.time_base = Fraction(1, RATE)
            for packet in audio_stream.encode(frame):
                container.mux(packet)
        for packet in audio_stream.encode():
            container.mux(packet)
    tmp.replace(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "scenarios" / "knowledge" / "clips")
    parser.add_argument("--items", action="store_true", help="print the bank items that use the clips")
    args = parser.parse_args()
    if args.items:
        print(ITEMS.read_text(encoding="utf-8").strip("\n"))
        return 0
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed: apt-get install -y espeak-ng", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for scene in SCENES:
        build(scene, args.out)
        size = (args.out / f"{scene.name}.mp4").stat().st_size
        print(f"{scene.name}.mp4 {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
