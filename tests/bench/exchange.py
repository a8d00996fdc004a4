"""Exchange figures: a centre server under many workstations (and, later, bundles).

``pg_commit``: 8 workstation processes (``tests/drivers/pg_workstation.py``) score the
demo day at once on one PostgreSQL database, each at an assessor's brisk pace (a click
every 250 ms) for a fixed number of clicks; measured is each click's service call
(a level, a note or a judgement, durable when it returns), and reported its p50 and
p99 over all workstations. The demo has six assessors: the seventh and eighth
workstations sign in as the first two again, three sittings along.

On ``NAAS_TEST_PG_URL`` when it is set; otherwise on a throwaway server of its own
(``tests/pg_server.py``). Each figure is one function taking the run's ``Context`` and
returning its keys; ``FIGURES`` lists them, so the bundle figures (``bundle_export_s``,
``bundle_import_s``, ``reimport_s``: ``bundles``) go beside. Prints one JSON object on its last line.

    python tests/bench/exchange.py [--writers 8] [--clicks 120] [--pace-ms 250]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


@dataclass(frozen=True)
class Context:
    server_url: str  # a PostgreSQL server's maintenance database; a figure makes its own
    folder: Path  # scratch space for data folders and files
    args: argparse.Namespace


Figure = Callable[[Context], dict[str, Any]]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


@contextmanager
def new_database(server_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"naas_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pg_commit(ctx: Context) -> dict[str, Any]:
    from naas_centre.demo.centre import ACCOUNTS, create_demo
    from naas_centre.services import audit
    from tests.drivers.pg_workstation import run_workstations

    assessors = [a for a in ACCOUNTS if a.username.startswith("assessor")]
    writers, clicks = ctx.args.writers, ctx.args.clicks
    with new_database(ctx.server_url) as url:
        made = create_demo(url, data_dir=ctx.folder / "pg-commit")
        plans = [
            {
                "url": url,
                "login": [assessors[n % len(assessors)].username, assessors[n % len(assessors)].password],
                "day": made.day.isoformat(),
                "clicks": clicks,
                "pace_ms": ctx.args.pace_ms,
                "offset": n + 3 * (n // len(assessors)),
                "notes_every": 5,
            }
            for n in range(writers)
        ]
        t = time.perf_counter()
        results = run_workstations(plans)
        wall_s = time.perf_counter() - t
        verdict = audit.verify(made.db)
        made.db.dispose()
    calls = [ms for r in results for ms in r["call_ms"]]
    return {
        "pg_writers": writers,
        "pg_clicks": len(calls),
        "pg_pace_ms": ctx.args.pace_ms,
        "pg_commit_p50_ms": round(statistics.median(calls), 3),
        "pg_commit_p99_ms": round(pct(calls, 99), 3),
        "pg_commit_max_ms": round(max(calls), 3),
        "pg_wall_s": round(wall_s, 2),
        "pg_audit_ok": verdict.ok,
    }


RESULT_TABLES = (
    "document_signatures",
    "signed_documents",
    "moderations",
    "scripts",
    "presence",
    "phase_events",
    "evidence_notes",
    "judgements",
    "scores",
)


def bundles(ctx: Context) -> dict[str, Any]:
    """A room of ``--room-candidates`` candidates, every sitting played through and every
    report signed (the reports benchmark's centre), sent as a result bundle to a centre
    database that holds the day's plan but none of its results; then the same file again.
    Targets (40 candidates): export and import <= 5 s each, the second import <= 2 s."""
    import shutil
    import sqlite3

    from db.engine import Database
    from naas_centre.exchange.container import signer_of
    from naas_centre.exchange.results import export_results, import_results
    from naas_centre.reports import batch
    from naas_centre.services import accounts, audit, signatures
    from tests.bench.reports import PASSWORD, build

    folder = ctx.folder / "bundles"
    folder.mkdir()
    db, day, _ids = build(folder, ctx.args.room_candidates)
    signer = accounts.authenticate(db, "assessor1", PASSWORD)
    identity = signatures.unlock_signer(db, signer, PASSWORD, folder)
    signed = batch.run(db, signer, folder / "out", day=day, identity=identity, workers=2).signed
    room_ws = db.workstation_id
    db.dispose()
    # The centre: the same day as planned, before any of the room's results.
    centre_path = folder / "centre.db"
    shutil.copy(folder / "bench.db", centre_path)
    with sqlite3.connect(centre_path) as conn:
        for table in RESULT_TABLES:
            conn.execute(f"DELETE FROM {table}")
    room = Database(folder / "bench.db", room_ws)
    with room.write() as s:
        audit.start_own_chain(s)
    bundle = folder / "room.naasbundle"
    who = accounts.authenticate(room, "assessor1", PASSWORD)
    t = time.perf_counter()
    sent = export_results(room, who, bundle, PASSPHRASE, signer_of(identity))
    export_s = time.perf_counter() - t
    room.dispose()
    centre = Database(centre_path, "00000000-0000-4000-8000-00000000c0de")
    manager = accounts.authenticate(centre, "admin", PASSWORD)
    t = time.perf_counter()
    first = import_results(centre, manager, bundle, PASSPHRASE)
    import_s = time.perf_counter() - t
    t = time.perf_counter()
    again = import_results(centre, manager, bundle, PASSPHRASE)
    reimport_s = time.perf_counter() - t
    centre.dispose()
    added = sum(m.added for m in first.report.tables)
    assert sum(m.added for m in again.report.tables) == 0, "the second import added rows"
    return {
        "bundle_candidates": ctx.args.room_candidates,
        "bundle_reports_signed": signed,
        "bundle_rows": sent.rows,
        "bundle_mb": round(bundle.stat().st_size / 2**20, 1),
        "bundle_export_s": round(export_s, 2),
        "bundle_import_s": round(import_s, 2),
        "bundle_rows_added": added,
        "reimport_s": round(reimport_s, 2),
    }


PASSPHRASE = "bench room, long table"
FIGURES: dict[str, Figure] = {"pg_commit": pg_commit, "bundles": bundles}


@contextmanager
def server() -> Iterator[str]:
    """``NAAS_TEST_PG_URL``, or a throwaway server started (and removed) here."""
    given = os.environ.get("NAAS_TEST_PG_URL")
    if given:
        yield given
        return
    from tests.pg_server import pg_bin, throwaway_server

    found = pg_bin()
    if found is None:
        raise SystemExit("no PostgreSQL server binaries (install postgresql) and NAAS_TEST_PG_URL is not set")
    with throwaway_server(found) as made:
        yield made.url()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--clicks", type=int, default=120, help="per workstation")
    parser.add_argument("--pace-ms", type=int, default=250, help="between one workstation's clicks")
    parser.add_argument("--room-candidates", type=int, default=40, help="in the room of the bundle figures")
    parser.add_argument("--only", choices=sorted(FIGURES), action="append", help="these figures only")
    args = parser.parse_args()
    chosen = args.only or list(FIGURES)
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, server() as url:
        ctx = Context(url, Path(tmp), args)
        for name in chosen:
            result.update(FIGURES[name](ctx))
    result["cpus"] = os.cpu_count()
    result["load_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
