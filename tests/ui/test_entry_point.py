"""The entry point: subcommands go to the CLI, the GUI needs a display, and ``ui.main``
imports neither Qt nor SQLAlchemy (so a subcommand or an error answers at once)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ui import main as entry

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "cli"),
    [
        ([], False),
        (["--demo"], False),
        (["--db", "audit"], False),  # a database called "audit" is not the subcommand
        (["--version"], True),
        (["demo"], True),
        (["audit", "verify"], True),
        (["scenarios", "validate", "x.yaml"], True),
    ],
)
def test_subcommands_go_to_the_cli(argv: list[str], cli: bool) -> None:
    assert entry.wants_cli(argv) is cli


def test_no_display_is_a_plain_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert entry.main(["--demo"]) == 2
    err = capsys.readouterr().err
    assert "no display" in err and "xvfb-run ./start --demo" in err and "QT_QPA_PLATFORM=offscreen" in err


def test_display_is_found_from_the_environment() -> None:
    assert entry.has_display({"QT_QPA_PLATFORM": "offscreen"})
    assert entry.has_display({"DISPLAY": ":0"}) or not sys.platform.startswith("linux")
    assert entry.has_display({"WAYLAND_DISPLAY": "wayland-0"})


def test_db_and_demo_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert entry.main(["--db", "x.db", "--demo"]) == 2
    assert "--db and --demo" in capsys.readouterr().err


def test_importing_the_entry_point_loads_no_qt_and_no_sqlalchemy() -> None:
    code = (
        "import sys, ui.main;"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy')];"
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_help_lists_the_gui_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        entry.build_parser().parse_args(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for option in ("--db", "--data-dir", "--demo", "--dark", "--light"):
        assert option in out
