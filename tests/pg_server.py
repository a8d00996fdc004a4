"""A throwaway PostgreSQL server of a test's own: a cluster made with initdb in a
temporary folder, listening on a free loopback port (and a socket in that folder),
that the test can stop and start again as a server room would (``pg_ctl stop -m
immediate`` is the server losing power). As root it runs as the ``postgres`` user,
since PostgreSQL refuses to run as root. Removed when the test is done.

``tools/throwaway-postgres.sh`` does the same for ``./test``; this one is for tests
and benchmarks that need a server they may take down.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

PG_ROOT = Path("/usr/lib/postgresql")


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None when there is none."""
    found = sorted(
        (p for p in PG_ROOT.glob("*/bin") if (p / "pg_ctl").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def require_pg_bin() -> Path:
    """The bin folder for a test: skipped without one, failed under CI (./test installs it)."""
    found = pg_bin()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no PostgreSQL server binaries under /usr/lib/postgresql: ./test installs them")
        pytest.skip("no PostgreSQL server binaries (./test installs postgresql)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PgServer:
    """One cluster in its own folder, on 127.0.0.1:``port``; trust authentication for ``naas``."""

    def __init__(self, bin_dir: Path, folder: Path, port: int) -> None:
        self.bin = bin_dir
        self.folder = folder
        self.port = port
        self.data = folder / "data"
        self.log = folder / "log"
        self._as: tuple[str, ...] = ("runuser", "-u", "postgres", "--") if os.geteuid() == 0 else ()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://naas@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self._as, *args], capture_output=True, text=True, check=False, timeout=120, cwd=self.folder
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip()}\n{log}")

    def initdb(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "naas",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    def start(self) -> None:
        """Starts the server and waits until it takes connections (pg_ctl -w)."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=on"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start"
        )

    def stop(self, mode: str = "immediate") -> None:
        """``immediate``: every backend killed at once, no checkpoint (a power cut, for clients)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running():
            with suppress(RuntimeError):
                self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def create_server(bin_dir: Path) -> PgServer:
    """A new, started cluster in a new folder under the system's temporary folder.

    Not under pytest's own temporary folders: those are private to this user, and the
    server runs as ``postgres`` when we are root.
    """
    folder = Path(tempfile.mkdtemp(prefix="naas-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    server = PgServer(bin_dir, folder, free_port())
    try:
        server.initdb()
        server.start()
    except BaseException:
        server.remove()
        raise
    return server


@contextmanager
def throwaway_server(bin_dir: Path) -> Iterator[PgServer]:
    server = create_server(bin_dir)
    try:
        yield server
    finally:
        server.remove()


@contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """A database of its own on a server, by URL, dropped afterwards (its connections too)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
