"""A recording process for the kill test: records from a file and a WAV on the real clock,
printing its recording time and frames written four times a second, until it is killed.

    python -m tests.video.record_until_killed CAMERA.mp4 SOUND.wav FOLDER [PASSPHRASE]

With a passphrase, the recording is sealed under it, as an encrypted centre's is.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from naas_centre.video.recorder import Recorder
from naas_centre.video.sound import WavSamples
from naas_centre.video.sources import FileFrames


def main() -> None:
    camera, sound, folder = (Path(a) for a in sys.argv[1:4])
    seal = sys.argv[4] if len(sys.argv) > 4 else None
    recorder = Recorder(folder, FileFrames(camera), WavSamples(sound), seal=seal)
    recorder.start()
    tick = threading.Event()
    while not tick.wait(0.25):
        status = recorder.status()
        print(f"{status.duration:.3f} {status.frames_written}", flush=True)


if __name__ == "__main__":
    main()
