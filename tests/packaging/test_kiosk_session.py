"""The candidate workstation's X session (``packaging/linux/kiosk/naas-kiosk-session``)
under a real X server (Xvfb, 1366x768) with no window manager: the kiosk left open on
this workstation comes back full screen and is the only window on the screen; killed,
the session starts it again; the session ends cleanly when told to."""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from naas_centre import paths
from naas_centre.demo.centre import create_demo
from naas_centre.services import accounts, sittings, written

ROOT = Path(__file__).resolve().parents[2]
SESSION = ROOT / "packaging" / "linux" / "kiosk" / "naas-kiosk-session"
WIDTH, HEIGHT = 1366, 768
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not all(shutil.which(t) for t in ("Xvfb", "xdotool", "xwininfo")),
        reason="needs Xvfb, xdotool and xwininfo (Debian xvfb, xdotool, x11-utils)",
    ),
]


def _kiosk_left_open(folder: Path) -> None:
    """A demo centre whose first sitting's candidate is in the kiosk on this workstation."""
    made = create_demo(paths.demo_db_path(folder), data_dir=folder)
    try:
        a1 = accounts.authenticate(made.db, "assessor1", "demo-assessor-2026")
        sitting_id = sittings.list_for_assessor(made.db, a1, made.day)[0].id
        sittings.set_status(made.db, a1, sitting_id, "checked_in")
        written.open_kiosk(made.db, a1, sitting_id)
    finally:
        made.db.dispose()


@dataclass
class Display:
    name: str
    server: subprocess.Popen[bytes]


@pytest.fixture
def x_server() -> Iterator[Display]:
    """A fresh X server with no window manager; its number chosen by the server."""
    read, write = os.pipe()
    screen = f"{WIDTH}x{HEIGHT}x24"
    # -noreset: by default the server resets when its last client goes (the killed kiosk),
    # and refuses connections meanwhile; xdotool would then find no display at all.
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", screen, "-nolisten", "tcp", "-noreset"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()  # written once the server accepts clients
    assert number.isdigit(), "Xvfb did not start"
    yield Display(f":{number}", server)
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture
def display(x_server: Display) -> str:
    return x_server.name


def _x(display: str, *command: str, timeout: float = 120) -> str:
    run = subprocess.run(
        command, env={**os.environ, "DISPLAY": display}, capture_output=True, text=True, timeout=timeout
    )
    assert run.returncode == 0, (command, run.stdout, run.stderr)
    return run.stdout


def _wait_for_window(display: str, title: str) -> int:
    # --sync: xdotool waits for the window to be mapped, without polling from here.
    found = _x(display, "xdotool", "search", "--sync", "--onlyvisible", "--name", f"^{title}$").split()
    assert len(found) == 1, found
    return int(found[0])


def _viewable_top_level_windows(display: str) -> list[int]:
    tree = _x(display, "xwininfo", "-root", "-children")
    ids = re.findall(r"^\s+(0x[0-9a-f]+)", tree, re.MULTILINE)
    return [int(wid, 16) for wid in ids if "Map State: IsViewable" in _x(display, "xwininfo", "-id", wid)]


def _geometry(display: str, wid: int) -> tuple[int, int, int, int]:
    info = _x(display, "xwininfo", "-id", str(wid))

    def field(name: str) -> int:
        match = re.search(rf"{name}:\s+(-?\d+)", info)
        assert match, info
        return int(match.group(1))

    return field("Absolute upper-left X"), field("Absolute upper-left Y"), field("Width"), field("Height")


def _start_session(tmp_path: Path, display: str) -> tuple[subprocess.Popen[bytes], Path]:
    """The session script, as a display manager starts it, running the checkout's app on
    a demo centre whose kiosk was left open."""
    folder = tmp_path / "data"
    folder.mkdir()
    _kiosk_left_open(folder)
    conf = tmp_path / "kiosk.conf"
    conf.write_text(
        f'NAAS_KIOSK_PROGRAM="{sys.executable}"\nNAAS_KIOSK_ARGS="-m ui.main --demo --data-dir {folder}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "NAAS_DATA_DIR")}
    env |= {"DISPLAY": display, "NAAS_KIOSK_CONF": str(conf)}
    log = tmp_path / "session.log"
    with log.open("w", encoding="utf-8") as err:
        return subprocess.Popen([str(SESSION)], cwd=ROOT, env=env, stdout=err, stderr=err), log


def test_the_session_shows_the_kiosk_alone_full_screen_and_restarts_it(tmp_path: Path, display: str) -> None:
    session, log = _start_session(tmp_path, display)
    try:
        kiosk = _wait_for_window(display, "Written exercise")
        assert _geometry(display, kiosk) == (0, 0, WIDTH, HEIGHT), log.read_text(encoding="utf-8")
        assert _viewable_top_level_windows(display) == [kiosk]

        pid = int(_x(display, "xdotool", "getwindowpid", str(kiosk)))
        # The desktop's keys have no desktop to reach, and the kiosk's own leaving keys are
        # swallowed: afterwards the kiosk is still the same program, alone, full screen.
        keys = ("alt+Tab", "super", "alt+F2", "ctrl+alt+t", "super+d", "alt+F4", "Escape", "ctrl+q", "ctrl+w")
        _x(display, "xdotool", "key", "--delay", "50", *keys)
        assert int(_x(display, "xdotool", "getwindowpid", str(kiosk))) == pid
        assert _viewable_top_level_windows(display) == [kiosk]
        assert _geometry(display, kiosk) == (0, 0, WIDTH, HEIGHT)
        gone = os.pidfd_open(pid)
        os.kill(pid, signal.SIGKILL)  # the program dies; the session must bring the kiosk back
        assert select.select([gone], [], [], 60)[0], "the kiosk did not die"
        os.close(gone)
        again = _wait_for_window(display, "Written exercise")  # X may give it the same id
        assert int(_x(display, "xdotool", "getwindowpid", str(again))) != pid
        assert _geometry(display, again) == (0, 0, WIDTH, HEIGHT)
        assert _viewable_top_level_windows(display) == [again]
        assert "starting it again" in log.read_text(encoding="utf-8")
    finally:
        session.terminate()
        code = session.wait(timeout=60)
    assert code == 0, log.read_text(encoding="utf-8")


def test_the_session_ends_when_its_x_server_goes(tmp_path: Path, x_server: Display) -> None:
    session, log = _start_session(tmp_path, x_server.name)
    try:
        _wait_for_window(x_server.name, "Written exercise")
        x_server.server.terminate()
        x_server.server.wait(timeout=30)
        code = session.wait(timeout=60)  # not a loop of restarts without a display
    finally:
        if session.poll() is None:
            session.terminate()
            session.wait(timeout=60)
    assert code == 1
    assert "the X server has gone" in log.read_text(encoding="utf-8")
