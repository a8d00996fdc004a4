"""``pip install .`` into a clean virtual environment gives a working app, used from
outside the checkout: packs, migrations and resources included."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests import drivers

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
# Building, installing every dependency into a fresh environment and running the app four
# times: each step has its own limit, and together they outlast the suite's default.
@pytest.mark.timeout(1500)
def test_installed_wheel_works_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        cwd=tmp_path,
        timeout=300,
    )
    (wheel,) = wheels.glob("naas_centre-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
        cwd=tmp_path,
        timeout=600,
    )
    app = env_dir / "bin" / "naas-centre"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY", "VIRTUAL_ENV")}
    env["NAAS_DATA_DIR"] = str(outside / "data")

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(app), *args],
            cwd=outside,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    where = subprocess.run(
        [str(py), "-c", "import naas_centre, db, ui; print(naas_centre.__file__)"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(env_dir) in where.stdout  # the installed copy, not the checkout

    listed = run("scenarios", "list")
    assert listed.returncode == 0, listed.stderr
    for name in ("naas-practitioner", "naas-supervisor", "naas-leader"):
        assert name in listed.stdout

    demo = run("demo", "--db", str(outside / "demo.db"))
    assert demo.returncode == 0, demo.stderr
    verify = run("audit", "verify", "--db", str(outside / "demo.db"))
    assert verify.returncode == 0, verify.stderr

    # The installed GUI, started by the tests' launcher with the installed interpreter (so the
    # installed ``ui``, not the checkout's), quits once its sign-in window is on screen.
    gui = subprocess.run(
        drivers.command("--quit-after-shown", app_args=["--demo"], python=py),
        cwd=outside,
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert gui.returncode == 0, gui.stdout + gui.stderr
