"""The packaging files agree with the application: one version everywhere, every resource
the wheel ships also in the bundle, and desktop files a desktop accepts."""

from __future__ import annotations

import ast
import configparser
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import naas_centre

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))
import version  # noqa: E402  (packaging/version.py)


def _spec_resources() -> dict[str, list[str]]:
    tree = ast.parse((PACKAGING / "naas-centre.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "RESOURCES" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, dict)
            return value
    raise AssertionError("the spec names no RESOURCES")


def _matched(folder: Path, patterns: list[str]) -> set[Path]:
    return {
        p
        for pattern in patterns
        for p in folder.glob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_one_version_everywhere() -> None:
    assert version.app_version() == naas_centre.__version__
    assert version.stamped_versions() == {
        "org.naas_centre.NaasCentre.metainfo.xml": naas_centre.__version__,
        "naas-centre.iss": naas_centre.__version__,
    }


def test_the_version_check_catches_a_file_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    metainfo = tmp_path / "metainfo.xml"
    inno = tmp_path / "setup.iss"
    shutil.copy(version.METAINFO, metainfo)
    inno.write_text(
        version.INNO.read_text(encoding="utf-8").replace(naas_centre.__version__, "0.0.1"), "utf-8"
    )
    monkeypatch.setattr(version, "METAINFO", metainfo)
    monkeypatch.setattr(version, "INNO", inno)
    assert version.main(["--check"]) == 1
    version.stamp("9.8.7")
    assert version.stamped_versions() == {"metainfo.xml": "9.8.7", "setup.iss": "9.8.7"}
    assert metainfo.read_text(encoding="utf-8").count("<release ") == 2  # the old release kept as history


def test_every_resource_the_wheel_ships_is_in_the_bundle() -> None:
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]
    bundled: set[Path] = set()
    for folder, patterns in _spec_resources().items():
        bundled |= _matched(ROOT / folder, patterns)
    shipped: set[Path] = set()
    for package, patterns in package_data.items():
        shipped |= _matched(ROOT / package.replace(".", "/"), patterns)
    assert shipped, "the wheel ships no package data?"
    assert sorted(p.relative_to(ROOT) for p in shipped - bundled) == []
    manual = _matched(ROOT / "docs" / "manual", ["*.md"])
    assert manual and manual <= bundled


def test_the_desktop_entries_name_what_is_installed() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(PACKAGING / "linux" / "naas-centre.desktop", encoding="utf-8")
    app = entry["Desktop Entry"]
    assert app["Exec"].split()[0] == "naas-centre" and app["Icon"] == "org.naas_centre.NaasCentre"
    session = configparser.ConfigParser(interpolation=None)
    session.read(PACKAGING / "linux" / "kiosk" / "naas-kiosk.desktop", encoding="utf-8")
    assert session["Desktop Entry"]["Exec"] == "/opt/naas-centre/kiosk/naas-kiosk-session"
    install = (PACKAGING / "linux" / "install").read_text(encoding="utf-8")
    assert '"$OPT/kiosk/naas-kiosk-session"' in install
    for png in (48, 128, 256):
        assert (PACKAGING / "icons" / f"naas-centre-{png}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="needs appstreamcli (Debian appstream)")
def test_the_appstream_metadata_is_valid() -> None:
    run = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(version.METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="needs desktop-file-utils")
def test_the_desktop_files_are_valid() -> None:
    for path in (
        PACKAGING / "linux" / "naas-centre.desktop",
        PACKAGING / "linux" / "kiosk" / "naas-kiosk.desktop",
    ):
        run = subprocess.run(
            ["desktop-file-validate", str(path)], capture_output=True, text=True, check=False
        )
        assert run.returncode == 0 and not run.stdout.strip(), run.stdout + run.stderr
