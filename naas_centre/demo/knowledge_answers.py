"""How a demo candidate answers the knowledge test: most questions right, a few wrong,
as a real cohort would.

Each candidate has an ability and each item a difficulty from its band; the chance of
a right answer rises with ability above difficulty (a two-parameter logistic model), so
abler candidates get more right and harder items fewer. About one item in twelve
barely tells abler candidates from others, as a weak item of a real bank does, so the
item statistics have something to flag besides items that are merely easy. Every demo
candidate still reaches the pass mark (70 %), with never more than 29 % of the form
wrong, so the
demo's outcomes are decided where its content says (the levels; ``content/day.yaml``
and ``history.yaml``). Each candidate draws from their own random stream, so the rest
of the demo draws the same levels whether or not the pack has a knowledge test.
"""

from __future__ import annotations

import json
import math
import random
import zlib
from dataclasses import dataclass

from naas_centre.packs.question_bank import Difficulty
from naas_centre.packs.schema import Pack

# Logit difficulty of each band, the cohort's ability (mean and spread) and the items'
# discrimination (a weak item's apart). With these a typical candidate answers about
# seven in eight right.
_DIFFICULTY = {Difficulty.EASY: -1.0, Difficulty.MEDIUM: 0.0, Difficulty.HARD: 1.0}
_ABILITY_MEAN, _ABILITY_SD = 1.8, 0.9
_DISCRIMINATION, _WEAK_DISCRIMINATION, _WEAK_ONE_IN = 1.7, 0.3, 12
_MOST_WRONG = 0.29  # of the form: below the 70 % pass mark's 30 %


@dataclass(frozen=True)
class Answerable:
    """What a demo candidate's answer depends on: the item's key, its difficulty and
    how sharply it tells abler candidates from others."""

    key: frozenset[str]
    difficulty: float
    discrimination: float


def keys_of(pack: Pack) -> dict[str, Answerable]:
    """Each item a form can be drawn from (one live version per item), by id."""
    assert pack.knowledge_test is not None
    return {
        i.id: Answerable(i.key_ids(), _DIFFICULTY[i.difficulty], _discrimination(i.id))
        for i in pack.knowledge_test.bank.items
        if not i.retired
    }


def _discrimination(item_id: str) -> float:
    # The weak items are the same on every run and in every demo (a hash of the id).
    weak = zlib.crc32(item_id.encode()) % _WEAK_ONE_IN == 0
    return _WEAK_DISCRIMINATION if weak else _DISCRIMINATION


def choose(
    items: list[tuple[str, tuple[str, ...]]], keys: dict[str, Answerable], rng: random.Random
) -> dict[str, tuple[str, ...]]:
    """Item id → the options chosen, for items as drawn: (id, options in the order shown)."""
    ability = rng.gauss(_ABILITY_MEAN, _ABILITY_SD)
    # Each item's margin: above zero, answered right. The most doubtful wrong answers
    # beyond the most a form may have wrong are turned right, so no demo candidate fails.
    margins = []
    for item_id, _options in items:
        item = keys[item_id]
        margins.append(item.discrimination * (ability - item.difficulty) + _logistic_noise(rng))
    wrong = sorted((m, n) for n, m in enumerate(margins) if m < 0)
    kept = {n for _, n in wrong[: int(len(items) * _MOST_WRONG)]}
    out: dict[str, tuple[str, ...]] = {}
    for n, (item_id, options) in enumerate(items):
        key = keys[item_id].key
        if n in kept:
            # A plausible slip: the first distractor as shown (different per candidate).
            out[item_id] = (next(o for o in options if o not in key),)
        else:
            out[item_id] = tuple(o for o in options if o in key)
    return out


def _logistic_noise(rng: random.Random) -> float:
    """A draw whose cumulative distribution is the logistic function: adding it to a
    margin makes the chance of staying above zero the logistic of that margin."""
    u = min(max(rng.random(), 1e-12), 1 - 1e-12)
    return math.log(u / (1 - u))


def drawn(items_json: str) -> list[tuple[str, tuple[str, ...]]]:
    """A stored form's items (``KnowledgeFormRow.items``) as ``choose`` takes them."""
    return [(str(i["id"]), tuple(str(o) for o in i["options"])) for i in json.loads(items_json)]
