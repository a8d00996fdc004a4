"""How the past's levels are drawn: what the candidate showed, and how each assessor read it.

On each criterion the candidate shows something on the day: the centre's typical level,
plus their ability times how well the station follows ability, plus the day's own
noise. Both assessors in the room watched the same conversation, so they start from the
same showing; each then reads it with a little noise of their own, shifted by how they
mark (``content/history.yaml``): leniency or stringency spread over the station's
criteria, and drift through the slots of the day. Levels are whole steps on the pack's
scale.

Moderation settles each difference on the level nearer what the candidate showed; a
judgement follows its levels (``levels.station_met``), borderline when the station's
mean lies within ``borderline_within`` of the pass mark.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from naas_centre.demo.history_content import HistoryContent, Marking
from naas_centre.demo.levels import station_met
from naas_centre.packs.schema import Pack, Rubric


@dataclass(frozen=True)
class Judged:
    met: bool
    rationale: str
    borderline: bool


def showing(
    content: HistoryContent, rng: random.Random, station: str, rubric: Rubric, ability: float
) -> dict[str, float]:
    """What the candidate showed on each criterion, on the level scale (not yet a level)."""
    model = content.stations[station]
    base = content.centre_level + model.ability * ability
    return {c.id: base + rng.gauss(0.0, model.noise) for c in rubric.criteria}


def read_levels(
    content: HistoryContent,
    rng: random.Random,
    station: str,
    shown: Mapping[str, float],
    marking: Marking,
    slot_offset: float,
    scale: Sequence[int],
) -> dict[str, int]:
    """One assessor's levels for what was shown: their own noise, leniency and drift.

    ``slot_offset`` is the visit's slot less the day's middle slot; leniency and drift
    are in station score points, so each criterion moves by its share of them.
    """
    spread = content.stations[station].marking
    shift = (marking.leniency + marking.drift * slot_offset) / len(shown)
    low, high = min(scale), max(scale)
    return {
        cid: min(high, max(low, round(value + shift + rng.gauss(0.0, spread))))
        for cid, value in shown.items()
    }


def settle(shown: Mapping[str, float], sheets: Sequence[Mapping[str, int]]) -> dict[str, int]:
    """The agreed levels: where the sheets differ, the level nearer what was shown."""
    out: dict[str, int] = {}
    for cid, value in shown.items():
        given = sorted({sheet[cid] for sheet in sheets})
        out[cid] = min(given, key=lambda lv: (abs(lv - value), lv))
    return out


def judge(content: HistoryContent, pack: Pack, rubric: Rubric, levels: Mapping[str, int]) -> Judged:
    """The station's judgement from its levels, in the words of the demo's judgements."""
    met, rationale = station_met(pack, rubric, levels)
    mean = statistics.fmean(levels[c.id] for c in rubric.criteria)
    near = abs(mean - pack.outcome.area_pass_mark) <= content.borderline_within + 1e-9
    return Judged(met, rationale, near)
