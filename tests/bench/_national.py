"""A national-scale centre for benchmarks: the demo plus 30,000 candidates, each with a
sitting played through (stations started, script submitted, the knowledge test sat and
marked, both sheets scored, judged and submitted), the differences moderated, and a few
sittings left incomplete (a sheet or the knowledge test not in).

Bulk inserted with the driver's ``executemany`` (no audit entries, no services): only
the size and shape of the tables matter here. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from db.models import AccountRow, PackRow, RoomRow
from naas_centre.demo.centre import DemoResult, create_demo
from naas_centre.packs.loader import builtin_packs
from naas_centre.packs.schema import Pack
from naas_centre.services import knowledge, packs

EMPLOYERS = (
    "Bury Council",
    "Leeds City Council",
    "Manchester City Council",
    "Oldham Council",
    "Wigan Council",
)
LEVEL_SHARE = (("practitioner", 0.7), ("supervisor", 0.2), ("leader", 0.1))
STAMP = "2026-01-05 08:00:00.000000"
INCOMPLETE_SHARE = 0.05  # one assessor has not submitted yet
DIFFER_SHARE = 0.04  # a criterion the two assessors scored differently
UNSAT_SHARE = 0.03  # the knowledge test not yet submitted
KNOWLEDGE_FAIL_SHARE = 0.08  # the knowledge test below its pass mark


def _insert(conn: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if rows:
        marks = ", ".join("?" for _ in columns)
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def national_centre(path: Path, candidates: int = 30_000, seed: int = 12) -> DemoResult:
    demo = create_demo(path, data_dir=path.parent)
    rnd = random.Random(seed)
    ws = demo.db.workstation_id
    with demo.db.write() as s:
        for loaded in builtin_packs():  # the demo stores only the packs its day uses
            if loaded.pack is not None:
                packs.store(s, loaded.pack)
        by_level: dict[str, tuple[str, Pack]] = {}
        for row in s.scalars(select(PackRow)):
            by_level.setdefault(row.level, (row.id, packs.pack_of_row(row)))
        rooms = list(s.scalars(select(RoomRow.id)))
        assessors = list(s.scalars(select(AccountRow.id).where(AccountRow.role == "assessor")))
        moderator = s.scalar(select(AccountRow.id).where(AccountRow.role == "centre_manager"))
        conn = s.connection()
        stamp = (STAMP, STAMP, ws)
        cand, sit, links, scores, judg, mods, events, scripts = [], [], [], [], [], [], [], []
        forms: list[tuple[Any, ...]] = []
        # One drawn form per pack stands for every candidate's: only the marks are read here.
        drawn = {
            pid: (p.knowledge_test.forms, knowledge.drawn_items(p, p.knowledge_test.forms[0].id, "national"))
            for pid, p in by_level.values()
            if p.knowledge_test is not None
        }
        for i in range(candidates):
            cid, sid = str(uuid.uuid4()), str(uuid.uuid4())
            level = rnd.choices([lv for lv, _ in LEVEL_SHARE], [w for _, w in LEVEL_SHARE])[0]
            pack_id, pack = by_level[level]
            day = date(2026, 1, 5) + timedelta(days=i // 60)
            employer = EMPLOYERS[i % len(EMPLOYERS)]
            cand.append(
                (cid, f"Candidate {i:05d}", f"SW{i:06d}", employer, level, 0, 0, False, "", False, *stamp)
            )
            starts = f"{day.isoformat()} {9 + (i % 3) * 3:02d}:00:00.000000"
            sit.append((sid, cid, pack_id, rnd.choice(rooms), day.isoformat(), starts, 1, "complete", *stamp))
            pair = rnd.sample(assessors, 2)
            waiting = rnd.random() < INCOMPLETE_SHARE
            for n, a in enumerate(pair):
                submitted = None if (waiting and n == 1) else starts
                links.append((str(uuid.uuid4()), sid, a, submitted, "", *stamp))
            strong = rnd.random() < 0.8
            for station, rubric in pack.rubrics():
                for c in rubric.criteria:
                    base = rnd.choice((2, 3, 3, 4)) if strong else rnd.choice((1, 2, 2, 3))
                    other = base
                    if rnd.random() < DIFFER_SHARE:
                        other = max(1, min(4, base + rnd.choice((-1, 1))))
                        if other != base:
                            mods.append(
                                (
                                    str(uuid.uuid4()),
                                    sid,
                                    station,
                                    c.id,
                                    min(base, other),
                                    None,
                                    "Agreed.",
                                    moderator,
                                    *stamp,
                                )
                            )
                    for a, lv in zip(pair, (base, other), strict=True):
                        scores.append((str(uuid.uuid4()), sid, a, station, c.id, lv, "", *stamp))
                verdict = "met" if strong else "not_met"
                for a in pair:
                    judg.append((str(uuid.uuid4()), sid, a, station, verdict, "", *stamp))
            for sc in pack.scenarios:
                events.append((str(uuid.uuid4()), sid, sc.id, "role_play", "start", starts, *stamp))
            if pack.written_exercise is not None:
                events.append(
                    (str(uuid.uuid4()), sid, pack.written_exercise.id, "writing", "start", starts, *stamp)
                )
                scripts.append(
                    (str(uuid.uuid4()), sid, "A case record.", 3, 1, starts, starts, "candidate", *stamp)
                )
            if pack_id in drawn:
                blueprints, items = drawn[pack_id]
                for form in blueprints:
                    n = form.size()
                    sat = rnd.random() >= UNSAT_SHARE
                    passed = rnd.random() >= KNOWLEDGE_FAIL_SHARE
                    marks = str(n - rnd.randint(0, n // 5)) if passed else str(n // 2)
                    forms.append(
                        (
                            str(uuid.uuid4()),
                            sid,
                            pack_id,
                            form.id,
                            "national",
                            items,
                            starts,
                            3_600_000,
                            starts if sat else None,
                            "candidate" if sat else None,
                            marks if sat else None,
                            passed if sat else None,
                            *stamp,
                        )
                    )
        common = ("created_at", "updated_at", "workstation_id")
        _insert(
            conn,
            "candidates",
            (
                "id",
                "full_name",
                "registration_number",
                "employer",
                "level",
                "extra_time_percent",
                "extra_time_minutes",
                "break_between_scenarios",
                "adjustment_notes",
                "training_footage_opt_out",
                *common,
            ),
            cand,
        )
        _insert(
            conn,
            "sittings",
            ("id", "candidate_id", "pack_id", "room_id", "day", "starts_at", "attempt", "status", *common),
            sit,
        )
        _insert(
            conn,
            "sitting_assessors",
            ("id", "sitting_id", "assessor_id", "submitted_at", "stations", *common),
            links,
        )
        _insert(
            conn,
            "scores",
            ("id", "sitting_id", "assessor_id", "station_id", "criterion_id", "level", "reason", *common),
            scores,
        )
        _insert(
            conn,
            "judgements",
            ("id", "sitting_id", "assessor_id", "station_id", "judgement", "rationale", *common),
            judg,
        )
        _insert(
            conn,
            "moderations",
            (
                "id",
                "sitting_id",
                "station_id",
                "criterion_id",
                "level",
                "judgement",
                "reason",
                "moderator_id",
                *common,
            ),
            mods,
        )
        _insert(
            conn, "phase_events", ("id", "sitting_id", "station_id", "phase", "kind", "at", *common), events
        )
        _insert(
            conn,
            "scripts",
            (
                "id",
                "sitting_id",
                "text",
                "word_count",
                "revision",
                "saved_at",
                "submitted_at",
                "submitted_how",
                *common,
            ),
            scripts,
        )
        _insert(
            conn,
            "knowledge_forms",
            (
                "id",
                "sitting_id",
                "pack_id",
                "form_id",
                "seed",
                "items",
                "started_at",
                "allowed_ms",
                "submitted_at",
                "submitted_how",
                "marks",
                "passed",
                *common,
            ),
            forms,
        )
    return demo
