"""``packaging/build`` builds the one-folder bundle and smoke-tests it (a demo centre,
the GUI signed in to the day offscreen, ``verify`` on a signed report and on a changed
copy, then statistics, a spreadsheet export and a video check, which load what is
imported only when used); what it leaves in ``packaging/dist`` is the program alone,
with every resource. About three minutes from cold on two cores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "packaging" / "dist" / "naas-centre"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),  # about five minutes on two cores: analysis, then the demo day
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the build script is for Linux"),
]


def test_the_build_script_builds_and_smoke_tests_the_bundle() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NAAS_DATA_DIR", "DISPLAY", "QT_QPA_PLATFORM")}
    run = subprocess.run(
        [str(ROOT / "packaging" / "build"), "--venv", str(Path(sys.executable).parent.parent)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1700,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-6000:]
    said = run.stderr
    steps = (
        "smoke: naas-centre ",
        "smoke: the GUI, signed in as assessor",
        "smoke: quality-assurance statistics, a spreadsheet export, a video check",
        "smoke test passed",
    )
    for step in steps:
        assert step in said, said[-3000:]

    assert (BUNDLE / "naas-centre").is_file()
    assert not (BUNDLE / "naas-centre-smoke").exists()  # the hook never ships
    internal = BUNDLE / "_internal"
    for resource in (
        "db/migrations/env.py",
        "scenarios/practitioner.yaml",
        "scenarios/knowledge",
        "scenarios/knowledge/clips/p-vid-01.mp4",
        "naas_centre/services/passwords/common-passwords.txt",
        "naas_centre/reports/fonts/DejaVuSans.ttf",
        "naas_centre/demo/content/day.yaml",
        "ui/common/resources/light.qss",
        "docs/manual/assessor.md",
    ):
        assert (internal / resource).exists(), resource
    assert not any(internal.glob("**/QtTest*")), "a test module was bundled"


def test_the_built_bundle_refuses_bad_input_plainly(tmp_path: Path) -> None:
    if not (BUNDLE / "naas-centre").is_file():
        pytest.skip("no bundle built (run packaging/build or the test above)")
    run = subprocess.run(
        [
            str(BUNDLE / "naas-centre"),
            "verify",
            str(tmp_path / "missing.pdf"),
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.strip().endswith(f"{tmp_path / 'missing.pdf'}: no such file"), run.stderr
    assert "Traceback" not in run.stderr


def test_the_install_script_puts_the_bundle_and_the_kiosk_session_in_place(tmp_path: Path) -> None:
    if not (BUNDLE / "naas-centre").is_file() or (BUNDLE / "naas-centre-smoke").exists():
        pytest.skip("no smoke-tested bundle (run packaging/build or the test above)")
    root = tmp_path / "root"
    run = subprocess.run(
        ["sh", str(ROOT / "packaging" / "linux" / "install"), "--kiosk"],
        env={**os.environ, "DESTDIR": str(root)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    app = root / "opt" / "naas-centre" / "naas-centre"
    assert app.is_file() and os.access(app, os.X_OK)
    assert os.readlink(root / "usr" / "local" / "bin" / "naas-centre") == "/opt/naas-centre/naas-centre"
    for path in (
        "usr/local/share/applications/naas-centre.desktop",
        "usr/local/share/metainfo/org.naas_centre.NaasCentre.metainfo.xml",
        "usr/local/share/icons/hicolor/scalable/apps/org.naas_centre.NaasCentre.svg",
        "usr/local/share/icons/hicolor/256x256/apps/org.naas_centre.NaasCentre.png",
        "usr/share/xsessions/naas-kiosk.desktop",
        "etc/X11/xorg.conf.d/50-naas-kiosk.conf",
        "etc/naas-centre/kiosk.conf",
    ):
        assert (root / path).is_file(), path
    assert os.access(root / "opt" / "naas-centre" / "kiosk" / "naas-kiosk-session", os.X_OK)
    version = subprocess.run([str(app), "--version"], capture_output=True, text=True, timeout=60, check=True)
    assert version.stdout.startswith("naas-centre ")
