"""A centre with a QA history at national scale, for the QA benchmark: the demo plus
``candidates`` sittings played as circuits over past days, each station with two
assessors of its own (from a pool of 200), every sheet scored, judged and submitted.

Levels follow the candidate's ability, the station, the assessor's leniency (a few
lenient and stringent ones, one who drifts across the day) and noise, so every section
of the analysis has something to find. Bulk inserted with the driver's ``executemany``
(no audit entries, no services): only the size and shape of the tables matter here.
Deterministic for a given seed.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from db.models import PackRow, RoomRow
from naas_centre.demo.centre import DemoResult, create_demo
from naas_centre.packs.loader import builtin_packs
from naas_centre.packs.schema import Pack
from naas_centre.services import packs
from tests.bench._national import EMPLOYERS, LEVEL_SHARE, STAMP, _insert

ASSESSORS = 200
CIRCUIT = 10  # candidates through one circuit in a day, one a slot
CIRCUITS_PER_DAY = 6
FIRST_DAY = date(2025, 1, 6)


def qa_centre(path: Path, candidates: int = 30_000, seed: int = 14) -> DemoResult:
    demo = create_demo(path, data_dir=path.parent)
    rnd = random.Random(seed)
    ws = demo.db.workstation_id
    stamp = (STAMP, STAMP, ws)
    with demo.db.write() as s:
        for loaded in builtin_packs():
            if loaded.pack is not None:
                packs.store(s, loaded.pack)
        by_level: dict[str, tuple[str, Pack]] = {}
        for row in s.scalars(select(PackRow)):
            by_level.setdefault(row.level, (row.id, packs.pack_of_row(row)))
        rooms = list(s.scalars(select(RoomRow.id)))
        conn = s.connection()
        people = [str(uuid.uuid4()) for _ in range(ASSESSORS)]
        lean = dict.fromkeys(people, 0.0)  # honest, but for the two below
        lean[people[0]], lean[people[1]] = 0.6, -0.6  # a dove and a hawk, in levels
        drifting = people[2]
        accounts = [
            (
                a,
                f"bench-assessor-{i:03d}",
                f"Assessor {i:03d}",
                "assessor",
                "x",
                None,
                None,
                True,
                False,
                0,
                *stamp,
            )
            for i, a in enumerate(people)
        ]
        cand, sit, links, scores, judg = [], [], [], [], []
        for i in range(candidates):
            cid, sid = str(uuid.uuid4()), str(uuid.uuid4())
            level = rnd.choices([lv for lv, _ in LEVEL_SHARE], [w for _, w in LEVEL_SHARE])[0]
            pack_id, pack = by_level[level]
            circuit, slot = divmod(i, CIRCUIT)
            day = FIRST_DAY + timedelta(days=circuit // CIRCUITS_PER_DAY)
            if slot == 0:  # a new circuit: each station's two assessors for the day
                stations = [st for st, _ in pack.rubrics()]
                drawn = rnd.sample(people, 2 * len(stations))
                pairs = {st: drawn[2 * k : 2 * k + 2] for k, st in enumerate(stations)}
            employer = EMPLOYERS[i % len(EMPLOYERS)]
            cand.append(
                (cid, f"Candidate {i:05d}", f"SW{i:06d}", employer, level, 0, 0, False, "", False, *stamp)
            )
            starts = f"{day.isoformat()} {9 + slot // 2:02d}:{30 * (slot % 2):02d}:00.000000"
            sit.append((sid, cid, pack_id, rnd.choice(rooms), day.isoformat(), starts, 1, "complete", *stamp))
            ability = rnd.gauss(2.9, 0.55)
            observes: dict[str, list[str]] = {}
            for st, rubric in pack.rubrics():
                pair = pairs.get(st) or pairs[next(iter(pairs))]
                hard = rnd.gauss(0, 0.2)
                seen = [ability - hard + rnd.gauss(0, 0.3) for _ in rubric.criteria]
                for a in pair:
                    observes.setdefault(a, []).append(st)
                    shift = lean[a] + (0.12 * slot if a == drifting else 0.0)
                    given = [max(1, min(4, round(x + shift + rnd.gauss(0, 0.35)))) for x in seen]
                    for c, lv in zip(rubric.criteria, given, strict=True):
                        scores.append((str(uuid.uuid4()), sid, a, st, c.id, lv, "", *stamp))
                    view = sum(given) / len(given) + rnd.gauss(0, 0.25)
                    verdict = "met" if view >= 2.5 else "not_met"
                    judg.append((str(uuid.uuid4()), sid, a, st, verdict, abs(view - 2.5) < 0.2, "", *stamp))
            for a, sts in observes.items():
                links.append((str(uuid.uuid4()), sid, a, starts, ",".join(sts), *stamp))
        common = ("created_at", "updated_at", "workstation_id")
        _insert(
            conn,
            "accounts",
            (
                "id",
                "username",
                "display_name",
                "role",
                "password_hash",
                "employer",
                "registration_number",
                "active",
                "password_temporary",
                "failed_logins",
                *common,
            ),
            accounts,
        )
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
            (
                "id",
                "sitting_id",
                "assessor_id",
                "station_id",
                "judgement",
                "borderline",
                "rationale",
                *common,
            ),
            judg,
        )
    return demo
