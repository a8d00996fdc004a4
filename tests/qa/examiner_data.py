"""Generated centre days with known examiner effects, for the stringency and drift tests.

Each circuit-day has three stations, two assessors at each (six drawn from the pool),
and ``per_day`` candidates, every one scored by both assessors at every station. The
candidates rotate round the circuit (a Latin square), so the candidate in position j
reaches station s in slot (j + s) mod ``per_day``. A score is the station's mean, the
candidate's ability, the assessor's effect, their drift (centred on the middle of the
day, so it leaves their mean effect alone) and noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np

from naas_centre.qa.stringency import Observation

STATIONS = ("home visit", "teenager", "professional")
STATION_MEANS = (20.0, 18.0, 22.0)


def generated(
    candidates: int,
    assessors: int,
    *,
    seed: int,
    effects: Mapping[int, float] | None = None,
    slot_drift: Mapping[int, float] | None = None,
    per_day: int = 6,
    ability_sd: float = 2.0,
    noise_sd: float = 1.5,
) -> list[Observation]:
    rng = np.random.default_rng(seed)
    effect = np.zeros(assessors)
    drift = np.zeros(assessors)
    for who, value in (effects or {}).items():
        effect[who] = value
    for who, value in (slot_drift or {}).items():
        drift[who] = value
    middle = (per_day - 1) / 2
    out: list[Observation] = []
    first = date(2026, 1, 5)
    days = -(-candidates // per_day)
    ability = rng.normal(0.0, ability_sd, candidates)
    for d in range(days):
        panel = rng.choice(assessors, 2 * len(STATIONS), replace=False)
        day = first + timedelta(days=d)
        for position in range(per_day):
            c = d * per_day + position
            if c >= candidates:
                break
            for s, (station, mean) in enumerate(zip(STATIONS, STATION_MEANS, strict=True)):
                slot = (position + s) % per_day
                for a in panel[2 * s : 2 * s + 2]:
                    score = (
                        mean + ability[c] + effect[a] + drift[a] * (slot - middle) + rng.normal(0.0, noise_sd)
                    )
                    out.append(Observation(f"C{c:05d}", station, f"A{a:03d}", float(score), day, slot))
    return out
