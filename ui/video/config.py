"""Where a room's pictures and sound come from, and where its recordings go.

``source`` is what ``naas-centre video check --source`` takes: a camera's number, a
network camera's URL or a video file (for rehearsal). ``sound`` is "microphone" (the
workstation's default input, through Qt), "source" (the stream's or file's own sound),
"none", or a WAV file's path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from naas_centre.video.sound import SampleSource
    from naas_centre.video.sources import FrameSource

SOUND_CHOICES = ("microphone", "source", "none")
GIB, MIB = 1024**3, 1024**2


@dataclass(frozen=True)
class VideoConfig:
    source: str
    data_dir: Path  # recordings go in its ``recordings`` folder
    sound: str = "microphone"
    # Free space under which the control warns, and under which recording stops cleanly.
    warn_bytes: int = 2 * GIB
    stop_bytes: int = 512 * MIB

    def open_pictures(self) -> FrameSource:
        """Opens the source (a camera may take seconds: call from a worker)."""
        from naas_centre.video.sources import SourceSpec, open_frame_source

        return open_frame_source(SourceSpec.parse(self.source))

    def open_sound(self) -> SampleSource | None:
        """The sound when it is not the microphone's (which the screen pushes in itself)."""
        from naas_centre.video.sound import WavSamples, open_own_sound
        from naas_centre.video.sources import SourceSpec

        if self.sound in ("microphone", "none"):
            return None
        if self.sound == "source":
            spec = SourceSpec.parse(self.source)
            if spec.camera is not None:
                return None  # a USB camera's sound is a microphone of its own
            location = spec.url if spec.url is not None else str(spec.path)
            return open_own_sound(location, live=spec.url is not None)
        return WavSamples(Path(self.sound))
