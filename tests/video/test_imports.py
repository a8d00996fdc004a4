"""The video command and the recorder's modules load no video or numeric library until used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_command_and_the_recorder_imports_neither_opencv_nor_pyav_nor_numpy() -> None:
    code = (
        "import sys, naas_centre.cli_video, naas_centre.video.recorder, naas_centre.video.reader,"
        " naas_centre.video.probe, naas_centre.video.sources, naas_centre.video.sound;"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'cv2', 'av', 'numpy'});"
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
