"""A real keyring for tests: GNOME Keyring's Secret Service, unlocked, on a D-Bus session
bus of the test's own (``./test`` installs dbus-daemon and gnome-keyring)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def keyring_session(home: Path) -> Iterator[dict[str, str]]:
    """An environment (``os.environ`` with a HOME of its own and the bus's address) whose
    session bus has an unlocked GNOME Keyring on it; the bus and the keyring go after."""
    if not (shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")):
        pytest.skip("dbus-daemon and gnome-keyring are installed by ./test")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / "share"), "XDG_RUNTIME_DIR": str(home)}
    bus = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True, text=True, env=env, check=True, timeout=60,
    )  # fmt: skip
    address, pid = bus.stdout.split()[:2]
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    try:
        # --unlock returns once the Secret Service answers on the bus (it reads the
        # keyring's own password from stdin: the login keyring is made with it the first time).
        subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
            input="keyring of the test", capture_output=True, text=True, env=env, check=True, timeout=60,
        )  # fmt: skip
        yield env
    finally:
        os.kill(int(pid), signal.SIGTERM)  # the keyring daemon leaves with its bus
