"""Bad command lines, as a newcomer types them: one plain line and exit 2, never a trace.

Every case runs the real ``python -m ui.main`` in a subprocess. One scored demo centre
(and its reports) is made once for the module; cases that need no database run without
one, and independent cases run a few at a time so the file stays quick.

The full disk is real: a small tmpfs mounted in a mount namespace of the test's own
(``unshare -m``), skipped where that cannot be done.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

LONG = "n" * 300  # one name longer than the 255 bytes any file system allows
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Ran:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def plain(self, code: int = 2, prefix: str = "naas-centre: ") -> str:
        """The one line said, once it is known to be one plain line with this exit status."""
        where = f"{self.args}: exit {self.returncode}\n{self.stderr}"
        assert self.returncode == code, where
        assert "Traceback" not in self.stderr, where
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(prefix), where
        return lines[0]


def env_for(data_dir: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "NAAS_DATA_DIR")}
    if data_dir is not None:
        env["NAAS_DATA_DIR"] = str(data_dir)
    return {**env, **extra}


def run(
    *args: str,
    data_dir: Path | None,
    env: dict[str, str] | None = None,
    stdout: int | None = None,
    timeout: float = 120,  # a hang (a FIFO read) fails here instead of stalling the suite
) -> Ran:
    r = subprocess.run(
        [sys.executable, "-m", "ui.main", *args],
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env if env is not None else env_for(data_dir),
        cwd=ROOT,
        check=False,
        timeout=timeout,
    )
    return Ran(tuple(args), r.returncode, r.stdout or "", r.stderr)


def run_many(cases: Sequence[tuple[str, ...]], data_dir: Path | None) -> list[Ran]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(lambda args: run(*args, data_dir=data_dir), cases))


@dataclass(frozen=True)
class Centre:
    db: Path
    data_dir: Path
    day: str
    reports: list[Path]


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    root = tmp_path_factory.mktemp("centre")
    data_dir, db = root / "data", root / "scored.db"
    # Half a minute on an idle machine; several on a busy one.
    made = run("demo", "--scored", "--history", "none", "--db", str(db), data_dir=data_dir, timeout=900)
    assert made.returncode == 0, made.stderr
    # "... a day of six candidates on Tuesday 01 December 2026."
    day = datetime.strptime(made.stdout.split(" on ", 1)[1].split(".")[0], "%A %d %B %Y").date()
    out = root / "reports"
    args = ("reports", "--db", str(db), "--out", str(out), "--day", day.isoformat(), "--workers", "2")
    written = run(*args, data_dir=data_dir, timeout=900)
    assert written.returncode == 0, written.stderr
    yield Centre(db, data_dir, day.isoformat(), sorted(out.glob("*.pdf")))


# --- the help, and the subcommands it names -----------------------------------------------


def test_help_ends_with_the_subcommands_the_parser_has() -> None:
    from naas_centre.cli import SUBCOMMANDS, subcommands
    from ui.main import FALLBACK_SUBCOMMANDS

    names = [name for name, _ in subcommands()]
    assert sorted(names) == sorted(SUBCOMMANDS) == sorted(FALLBACK_SUBCOMMANDS)
    r = run("--help", data_dir=None)
    assert r.returncode == 0, r.stderr
    tail = r.stdout[r.stdout.index("subcommands (") :]
    assert [line.split()[0] for line in tail.splitlines()[1:] if line.strip()] == names
    assert "accounts" not in r.stdout
    for name in ("reports", "verify", "ca", "db"):
        assert f"  {name} " in tail


# --- paths: too long, a file for a folder, a folder that cannot be written ----------------


def test_a_name_longer_than_255_bytes_is_one_plain_line_for_every_path_argument(
    centre: Centre, tmp_path: Path
) -> None:
    long = str(tmp_path / LONG)
    db = str(centre.db)
    password = tmp_path / "password"
    password.write_text("x\n", encoding="utf-8")
    cases = [
        ("demo", "--db", f"{long}.db"),
        ("db", "upgrade", "--db", f"{long}.db"),
        ("audit", "verify", "--db", f"{long}.db"),
        ("scenarios", "validate", f"{long}.yaml"),
        ("scenarios", "list", "--data-dir", long),
        ("verify", f"{long}.pdf", "--db", db),
        ("verify", str(centre.reports[0]), "--ca", f"{long}.pem", "--db", db),
        ("verify", str(centre.reports[0]), "--crl", f"{long}.crl", "--db", db),
        ("ca", "export", "--out", f"{long}.pem", "--db", db),
        ("ca", "export", "--out", str(tmp_path / "ca.pem"), "--crl-out", f"{long}.crl", "--db", db),
        ("ca", "revoke", "someone", "--reason", "r", "--admin", "a", "--password-file", long, "--db", db),
        ("reports", "--out", long, "--db", db),
        ("reports", "--out", str(tmp_path / "r"), "--db", db, "--signer", "x", "--passphrase-file", long),
    ]
    for r in run_many(cases, centre.data_dir):
        if r.args[:2] == ("scenarios", "validate"):  # its report goes to stdout, one line a problem
            assert r.returncode == 2 and r.stderr == "", r
            assert len(r.stdout.splitlines()) == 1 and "File name too long" in r.stdout, r
            continue
        # verify names each file it was given as it checks them, at the start of the line
        line = r.plain(prefix="" if r.args[0] == "verify" else "naas-centre: ")
        assert "longer than 255 bytes" in line or "File name too long" in line, r


def test_bad_database_urls_are_one_plain_line(centre: Centre) -> None:
    cases = []
    for url in ("foo://bar", "mysql://user@host/db", "://", "postgresql+nosuchdriver://u@h/d"):
        cases += [("audit", "verify", "--db", url), ("verify", str(centre.reports[0]), "--db", url)]
    for r in run_many(cases, centre.data_dir):
        assert r.args[-1].split("://")[0] in r.plain() or "not a database URL" in r.plain(), r


def test_a_data_folder_that_cannot_be_used_is_one_plain_line(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    too_long = "/".join(["x" * 200] * 25)  # over the 4096 bytes of a whole path
    unwritable = ["/proc", "/proc/no-such-folder"]  # refused even to root
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        unwritable.append(str(locked))
    folders = [str(a_file), str(tmp_path / LONG), too_long, *unwritable]
    cases = [("scenarios", "list", "--data-dir", f) for f in folders]
    cases += [("db", "upgrade", "--data-dir", f) for f in folders]
    results = run_many(cases, None)
    # The same through NAAS_DATA_DIR, the one place it is read.
    results += [run("scenarios", "list", data_dir=Path(f)) for f in folders]
    for r in results:
        line = r.plain()
        assert "data folder" in line or "longer than" in line, r
    assert not (tmp_path / "a-file").stat().st_size  # nothing written into the file


def test_reports_out_under_proc_is_one_plain_line(centre: Centre) -> None:
    r = run("reports", "--out", "/proc/reports", "--db", str(centre.db), data_dir=centre.data_dir)
    assert "/proc/reports" in r.plain()


# --- files that are not files: FIFOs and devices ------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_is_refused_not_waited_on(centre: Centre, tmp_path: Path) -> None:
    fifo = tmp_path / "report.pdf"
    os.mkfifo(fifo)  # no writer: opening it to read would wait for ever
    verify, validate = run_many(
        [("verify", str(fifo), "--db", str(centre.db)), ("scenarios", "validate", str(fifo))],
        centre.data_dir,
    )
    assert verify.returncode == 2 and "not a regular file" in verify.stderr, verify
    assert "Traceback" not in verify.stderr
    assert validate.returncode == 2 and "not a regular file" in validate.stdout, validate


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_ca_export_never_replaces_a_device(centre: Centre, tmp_path: Path) -> None:
    for args in (("--out", "/dev/full"), ("--out", str(tmp_path / "ca.pem"), "--crl-out", "/dev/full")):
        r = run("ca", "export", *args, "--db", str(centre.db), data_dir=centre.data_dir)
        assert "not a regular file" in r.plain()
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert not (tmp_path / "ca.pem").exists()
    good = tmp_path / "ca.pem"
    r = run("ca", "export", "--out", str(good), "--db", str(centre.db), data_dir=centre.data_dir)
    assert r.returncode == 0, r.stderr
    assert good.read_text(encoding="ascii").startswith("-----BEGIN CERTIFICATE-----")
    assert [p.name for p in tmp_path.iterdir()] == ["ca.pem"]  # no temporary file left


# --- a reader that goes away: ``... | head`` ----------------------------------------------


def test_a_closed_pipe_is_one_plain_line(centre: Centre) -> None:
    # The reading end is closed before the command starts, so its first write fails:
    # what ``| head`` does once it has its lines, without depending on timing.
    for args in (("verify", *map(str, centre.reports), "--db", str(centre.db)), ("scenarios", "list")):
        read, write = os.pipe()
        os.close(read)
        try:
            r = run(*args, data_dir=centre.data_dir, stdout=write)
        finally:
            os.close(write)
        assert r.returncode == 2, (args[0], r.returncode, r.stderr)
        assert r.stderr.splitlines() == [
            "naas-centre: the output was closed before all of it was written (its reader stopped reading)"
        ], (args[0], r.stderr)


# --- the audit trail with a row edited into nonsense -------------------------------------


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("UPDATE audit_entries SET at = 'not a time' WHERE seq = 7", "entry 7 is malformed"),
        ("UPDATE audit_entries SET at = '2026-02-31 25:00:00' WHERE seq = 3", "entry 3 is malformed"),
        ("UPDATE audit_entries SET seq = 'seven' WHERE seq = 5", "entry"),
        ("UPDATE audit_entries SET after = '{not json' WHERE seq = 2", "entry 2"),
        ("UPDATE sittings SET created_at = 'yesterday' WHERE rowid = 1", "sittings"),
    ],
    ids=["at-text", "at-impossible", "seq-text", "after-not-json", "audited-row-time"],
)
def test_audit_verify_names_a_malformed_row_and_never_crashes(
    centre: Centre, tmp_path: Path, sql: str, named: str
) -> None:
    db = tmp_path / "edited.db"
    shutil.copyfile(centre.db, db)
    with sqlite3.connect(db) as conn:
        conn.execute(sql)
    r = run("audit", "verify", "--db", str(db), data_dir=centre.data_dir)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("audit trail BROKEN: ") and named in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


# --- a full disk ----------------------------------------------------------------------------


def _can_mount_tmpfs(where: Path) -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k none '{where}'"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def run_on_small_disk(size: str, disk: Path, *args: str, data_dir: Path | None) -> tuple[Ran, list[str]]:
    """The command with ``disk`` a tmpfs of ``size`` (in a mount namespace of its own, gone
    when it ends), and what the command left on that disk."""
    script = (
        'mount -t tmpfs -o size="$1" none "$2" || exit 99; disk="$2"; shift 2; '
        '"$@" >/dev/null; echo "exit $?"; cd "$disk" && find . -mindepth 1 | sort'
    )
    r = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", size, str(disk), sys.executable, "-m", "ui.main", *args],
        capture_output=True,
        text=True,
        env=env_for(data_dir),
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    lines = r.stdout.splitlines()
    assert lines and lines[0].startswith("exit "), (r.stdout, r.stderr)
    return Ran(tuple(args), int(lines[0].split()[1]), "", r.stderr), lines[1:]


def test_a_full_disk_is_one_plain_line_and_leaves_nothing_half_written(
    centre: Centre, tmp_path: Path
) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _can_mount_tmpfs(disk):
        pytest.skip("cannot mount a small tmpfs here (needs unshare -m and mount)")
    demo, left = run_on_small_disk(
        "2m",
        disk,
        "demo",
        "--scored",
        "--db",
        str(disk / "demo.db"),
        "--data-dir",
        str(disk / "data"),
        data_dir=None,
    )
    assert "full" in demo.plain(), demo
    assert not [name for name in left if "demo.db" in name or name.endswith(".part")], left

    reports, left = run_on_small_disk(
        "150k",
        disk,
        "reports",
        "--db",
        str(centre.db),
        "--out",
        str(disk / "out"),
        "--workers",
        "1",
        "--day",
        centre.day,
        data_dir=centre.data_dir,
    )
    assert "No space left on device" in reports.plain(), reports
    written = [name for name in left if name.startswith("./out/")]
    assert all(name.endswith(".pdf") and "/." not in name for name in written), left  # whole reports only


def test_verify_names_a_missing_file_before_any_database_and_says_how_to_check_without_one(
    tmp_path: Path, centre: Centre
) -> None:
    empty = tmp_path / "no-centre-here"
    missing = run("verify", str(tmp_path / "missing.pdf"), data_dir=empty)
    assert missing.plain(prefix="") == f"{tmp_path / 'missing.pdf'}: no such file"
    no_db = run("verify", str(centre.reports[0]), data_dir=empty)
    line = no_db.plain()
    assert f"{empty / 'centre.db'}: no such database" in line and "--ca FILE" in line and "--db" in line
    assert not (empty / "centre.db").exists()  # verifying never makes a database


# --- the log file ------------------------------------------------------------------------


def test_every_warning_and_error_reaches_the_log_file_in_the_data_folder(tmp_path: Path) -> None:
    import logging

    from naas_centre import logs

    path = logs.install(tmp_path)
    try:
        assert path == tmp_path / "logs" / logs.FILE_NAME and logs.current() == path
        logging.getLogger("naas_centre.ui.kiosk").warning("autosave failed: the disk is full")
        logging.getLogger("naas_centre.ui").error("unexpected error")
        logging.getLogger("naas_centre").info("not kept: only warnings and errors are")
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = path.read_text(encoding="utf-8")
        assert "naas_centre.ui.kiosk: autosave failed" in text and "unexpected error" in text
        assert "not kept" not in text
        assert logs.install(tmp_path) == path  # once only
        assert sum(getattr(h, "baseFilename", "") == str(path) for h in logging.getLogger().handlers) == 1
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "baseFilename", "") == str(path):
                logging.getLogger().removeHandler(handler)
                handler.close()
