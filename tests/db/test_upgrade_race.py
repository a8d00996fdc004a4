"""Two programs opening an older database at once upgrade it once: one backup made
before the upgrade, both programs on the newest schema, no failure. Real processes
released together (the same barrier as ``test_one_centre``), many trials."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command

from db.engine import Database
from db.migrate import alembic_config, current_revision, head_revision
from tests.conftest import WORKSTATION

TRIALS = 8
CHILD = """
import sys
from naas_centre import cli

print("ready", flush=True)
sys.stdin.read()  # the barrier: returns when the test closes every child's input
sys.exit(cli.main(["db", "upgrade", "--db", sys.argv[1], "--data-dir", sys.argv[2]]))
"""


def _older(path: Path) -> None:
    db = Database(path, WORKSTATION)
    cfg = alembic_config(db.url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008")
    db.dispose()


def test_two_programs_upgrading_an_older_database_at_once_upgrade_it_once(tmp_path: Path) -> None:
    template = tmp_path / "template.db"
    _older(template)
    for trial in range(TRIALS):
        folder = tmp_path / f"trial-{trial}"
        folder.mkdir()
        target = folder / "centre.db"
        target.write_bytes(template.read_bytes())
        children = [
            subprocess.Popen(
                [sys.executable, "-c", CHILD, str(target), str(folder / "data")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in (1, 2)
        ]
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.close()
        for child in children:
            assert child.stdout is not None and child.stderr is not None
            out, err = child.stdout.read(), child.stderr.read()
            assert child.wait(timeout=120) == 0, (trial, err)
            assert "up to date" in out, (trial, out)
            child.stdout.close()
            child.stderr.close()
        db = Database(target, WORKSTATION)
        try:
            assert current_revision(db.engine) == head_revision()
        finally:
            db.dispose()
        made = sorted(p.name for p in (folder / "backups").iterdir())
        assert len(made) == 1 and "before-upgrade-0008" in made[0], (trial, made)
