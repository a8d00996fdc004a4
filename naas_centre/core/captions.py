"""WebVTT captions, as the kiosk shows them under a clip: cues with their times.

Only what the pack's clips use: cue timings (``00:01.500 --> 00:04.000`` or with hours),
an optional cue id line, and the cue's text lines. Styling, regions and notes are
skipped; a cue that cannot be read is left out rather than stopping the clip.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})"
_TIMING = re.compile(rf"^{_TIME}\s+-->\s+{_TIME}")


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def parse_vtt(text: str) -> tuple[Cue, ...]:
    """The cues of a WebVTT file, in time order."""
    cues: list[Cue] = []
    for block in re.split(r"\r?\n\s*\r?\n", text.lstrip("\ufeff")):
        lines = [line.strip() for line in block.strip().splitlines()]
        for n, line in enumerate(lines):
            match = _TIMING.match(line)
            if match:
                g = match.groups()
                words = " ".join(lines[n + 1 :]).strip()
                if words:
                    cues.append(Cue(_ms(*g[:4]), _ms(*g[4:]), words))
                break
    return tuple(sorted(cues, key=lambda c: c.start_ms))


def cue_at(cues: tuple[Cue, ...], position_ms: int) -> str:
    """The caption showing at ``position_ms`` ("" between cues)."""
    i = bisect_right([c.start_ms for c in cues], position_ms) - 1
    if i >= 0 and position_ms < cues[i].end_ms:
        return cues[i].text
    return ""
