"""Benchmark: signed reports. Prints one JSON object on its last line.

    python tests/bench/reports.py [--candidates 30] [--workers 2]

- ``one_report_ms``: one observation report gathered, drawn, signed (PAdES, visible
  block) and stored, with the signer's key already unlocked (as after the password
  prompt); the median of several.
- ``day_30_s``: a whole day written and signed by ``naas-centre reports``'s engine: 30
  candidates × (three observations, a written exercise and an outcome report), using
  every core. Targets: 250 ms and 30 s on a 2-core machine.

Setting the day up (scoring every sitting through the services) is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from naas_centre.demo.centre import CANDIDATES, demo_packs  # noqa: E402
from naas_centre.reports import batch  # noqa: E402
from naas_centre.reports.data import ReportKind  # noqa: E402
from naas_centre.reports.gather import refs_for_sitting  # noqa: E402
from naas_centre.services import accounts, centre, signatures, sittings  # noqa: E402
from naas_centre.services.views import Role  # noqa: E402
from tests.reports.filling import complete  # noqa: E402

PASSWORD = "bench-password-2026"


def build(folder: Path, candidates: int):  # type: ignore[no-untyped-def]
    db = centre.create_centre(
        folder / "bench.db", "Bench Assessment Centre", "admin", "Admin", PASSWORD, data_dir=folder
    )
    admin = accounts.authenticate(db, "admin", PASSWORD)
    a1 = accounts.create_account(
        db, admin, "assessor1", "Helen Brady", Role.ASSESSOR, PASSWORD, "Stockport Council", temporary=False
    )
    a2 = accounts.create_account(
        db,
        admin,
        "assessor2",
        "Tomasz Nowicki",
        Role.ASSESSOR,
        PASSWORD,
        "Salford City Council",
        temporary=False,
    )
    room = sittings.add_room(db, admin, "Room 1")
    actor = sittings.add_actor(db, admin, "Sinéad Gallagher", True)
    pack = demo_packs()["practitioner"]
    london = ZoneInfo("Europe/London")
    day = datetime(2026, 11, 23).date()
    ids = []
    for i in range(candidates):
        name, _reg, employer = CANDIDATES[i % 4][:3]
        cid = sittings.add_candidate(
            db,
            admin,
            sittings.CandidateInput(f"{name} {i + 1}", f"SW{300000 + i}", employer, "practitioner"),
        )
        start = datetime.combine(day, dtime(8, 0), london) + timedelta(minutes=15 * i)
        sid = sittings.plan_sitting(db, admin, cid, pack, room, start.astimezone(ZoneInfo("UTC")), day=day)
        for acc in (a1, a2):
            sittings.assign_assessor(db, admin, sid, acc.id)
        for sc in pack.scenarios:
            sittings.assign_actor(db, admin, sid, sc.id, actor)
        ids.append(sid)
    assessors = [accounts.authenticate(db, u, PASSWORD) for u in ("assessor1", "assessor2")]
    for i, sid in enumerate(ids):
        complete(db, sid, assessors, seed=i, low=i % 5 == 0)
    return db, day, ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        db, day, ids = build(folder, args.candidates)
        setup_s = time.perf_counter() - t0
        signer = accounts.authenticate(db, "assessor1", PASSWORD)
        identity = signatures.unlock_signer(db, signer, PASSWORD, folder)

        # one report: the first observation of a few sittings, each signed for the first time
        samples = []
        for sid in ids[-5:]:
            ref = next(r for r in refs_for_sitting(db, signer, sid) if r.kind == ReportKind.OBSERVATION)
            t = time.perf_counter()
            signatures.sign_report(db, signer, identity, ref)
            samples.append((time.perf_counter() - t) * 1000)
        db.dispose()
        # the day: a second centre, built the same way, with nothing signed yet
        day_folder = folder / "day"
        day_folder.mkdir()
        db, day, ids = build(day_folder, args.candidates)
        signer = accounts.authenticate(db, "assessor1", PASSWORD)
        identity = signatures.unlock_signer(db, signer, PASSWORD, day_folder)
        t = time.perf_counter()
        result = batch.run(db, signer, folder / "out", day=day, identity=identity, workers=args.workers)
        day_s = time.perf_counter() - t
        db.dispose()
    print(
        f"setup {setup_s:.1f} s; one report {statistics.median(samples):.0f} ms "
        f"(samples {[round(x) for x in samples]}); day: {result.signed} signed, "
        f"{len(result.written)} written in {day_s:.1f} s with {args.workers} workers",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "one_report_ms": round(statistics.median(samples), 1),
                "day_30_s": round(day_s, 2),
                "candidates": args.candidates,
                "reports_signed": result.signed,
                "reports_written": len(result.written),
                "workers": args.workers,
                "skipped": len(result.skipped),
            }
        )
    )


if __name__ == "__main__":
    main()
