"""A scripted workstation on a centre server, for the multi-workstation test and the
exchange benchmark: one process, one assessor, the services only (no screen).

    python -m tests.drivers.pg_workstation PLAN

PLAN is a JSON object (or the path of a file holding one):

    {"url": "postgresql+psycopg://...", "login": ["assessor1", "password"],
     "day": "2026-03-02", "clicks": 120, "pace_ms": 0, "offset": 0, "notes_every": 5}

It signs in as a workstation of its own (a new workstation id), reads the sittings it
scores that day and the stations it observes in each, prints ``ready``, and waits for a
line on standard input, so that every workstation starts together. Then it makes
``clicks`` changes, one service call each: a level (cycling through its criteria,
``offset`` sittings along), every ``notes_every``-th an evidence note under an id of its
own, and a judgement for each station it has scored. ``pace_ms`` apart (0: at once).
At the end it prints one line ``done {json}``: its workstation id, the final level it
gave each criterion, the note ids, the judgements, and each call's time in ms.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from db.engine import Database
from naas_centre.services import access, accounts, packs, scoring, sittings


@dataclass
class Done:
    workstation_id: str
    account_id: str
    levels: dict[str, int] = field(default_factory=dict)  # "sitting/station/criterion" → level
    notes: list[str] = field(default_factory=list)
    judgements: dict[str, str] = field(default_factory=dict)  # "sitting/station" → judgement
    call_ms: list[float] = field(default_factory=list)


def plan_of(arg: str) -> dict[str, Any]:
    text = arg if arg.lstrip().startswith("{") else Path(arg).read_text(encoding="utf-8")
    plan: dict[str, Any] = json.loads(text)
    return plan


def run(plan: dict[str, Any]) -> Done:
    db = Database(plan["url"], str(uuid.uuid4()))
    try:
        return _work(db, plan)
    finally:
        db.dispose()


def _work(db: Database, plan: dict[str, Any]) -> Done:
    username, password = plan["login"]
    actor = accounts.authenticate(db, username, password)
    day = date.fromisoformat(plan["day"])
    mine = sittings.list_for_assessor(db, actor, day)
    offset = int(plan.get("offset", 0)) % max(1, len(mine))
    mine = mine[offset:] + mine[:offset]
    targets: list[tuple[str, str, str]] = []  # (sitting, station, criterion) in scoring order
    for summary in mine:
        pack = packs.pack_for_sitting(db, actor, summary.id)
        scenarios = {s.id for s in pack.scenarios}
        with db.read() as s:
            observed = access.observed_stations(s, summary.id, actor.account_id, pack)
        for station, criterion in pack.criteria():
            if station in observed and station in scenarios:
                targets.append((summary.id, station, criterion.id))
    if not targets:
        raise SystemExit(f"{username} scores nothing on {day}")
    done = Done(db.workstation_id, actor.account_id)
    print("ready", flush=True)
    sys.stdin.readline()  # the go: every workstation starts at once

    pace = float(plan.get("pace_ms", 0)) / 1000
    notes_every = int(plan.get("notes_every", 5))
    next_at = time.perf_counter()
    for i in range(int(plan["clicks"])):
        sitting_id, station, criterion = targets[i % len(targets)]
        start = time.perf_counter()
        if notes_every and i % notes_every == notes_every - 1:
            note_id = str(uuid.uuid4())
            scoring.add_note(
                db,
                actor,
                sitting_id,
                station,
                f"Note {i} from {username}: asked an open question.",
                note_id=note_id,
            )
            done.notes.append(note_id)
        elif i % len(targets) == len(targets) - 1 or targets[(i + 1) % len(targets)][1] != station:
            verdict = "met" if i % 3 else "not_met"
            scoring.set_judgement(db, actor, sitting_id, station, verdict)
            done.judgements[f"{sitting_id}/{station}"] = verdict
        else:
            lv = 1 + (i * 7 + len(username)) % 4
            scoring.record_level(db, actor, sitting_id, station, criterion, lv)
            done.levels[f"{sitting_id}/{station}/{criterion}"] = lv
        done.call_ms.append((time.perf_counter() - start) * 1000)
        if pace:
            next_at += pace
            time.sleep(max(0.0, next_at - time.perf_counter()))  # the assessor's pace, not a wait
    return done


ROOT = Path(__file__).resolve().parents[2]


def run_workstations(plans: list[dict[str, Any]], timeout_s: float = 600) -> list[dict[str, Any]]:
    """Starts one process per plan, lets them go together once all are ready, and
    returns what each reported (in the plans' order). Raises if any of them failed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.drivers.pg_workstation", json.dumps(plan)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for plan in plans
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if line.strip() != "ready":
                _, err = proc.communicate(timeout=timeout_s)
                raise RuntimeError(f"a workstation did not get ready: {line.strip()} {err.strip()[-2000:]}")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=timeout_s)
            lines = [ln for ln in out.splitlines() if ln.startswith("done ")]
            if proc.returncode != 0 or not lines:
                raise RuntimeError(f"a workstation failed (exit {proc.returncode}): {err.strip()[-2000:]}")
            results.append(json.loads(lines[-1].removeprefix("done ")))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def main() -> None:
    done = run(plan_of(sys.argv[1]))
    print("done " + json.dumps(done.__dict__), flush=True)


if __name__ == "__main__":
    main()
