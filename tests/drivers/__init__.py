"""Drivers for the end-to-end tests and the benchmarks: the real program, driven from outside.

``launch.py`` starts the application through its public entry (``ui.shell.app.run_gui``)
and drives it through its public signals and widgets; nothing here ships in the
package. Run it by path, so that it uses whichever ``ui`` the interpreter has installed
(the checkout's, or a wheel's in ``tests/e2e/test_install.py``)::

    python tests/drivers/launch.py [DRIVER OPTIONS] -- [naas-centre OPTIONS]
"""

from __future__ import annotations

import sys
from pathlib import Path

LAUNCH = Path(__file__).resolve().parent / "launch.py"


def command(
    *driver_args: str, app_args: list[str] | tuple[str, ...] = (), python: str | Path | None = None
) -> list[str]:
    """The command line that starts the app under ``launch.py`` with these drivers."""
    return [str(python or sys.executable), str(LAUNCH), *driver_args, "--", *app_args]
