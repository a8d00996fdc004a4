"""How a demo candidate answers the knowledge test: most questions right, a few wrong.

Every demo candidate reaches the pass mark, so the demo's outcomes are decided where its
content says (the levels; ``content/day.yaml`` and ``history.yaml``), and the knowledge
test counts towards them as it would for anyone. Each candidate gets between none and
a sixth of the form wrong, drawn from their own random stream so the rest of the demo
draws the same levels whether or not the pack has a knowledge test.
"""

from __future__ import annotations

import json
import random

from naas_centre.packs.schema import Pack


def keys_of(pack: Pack) -> dict[str, frozenset[str]]:
    """The key of each item a form can be drawn from (one live version per item), by id."""
    assert pack.knowledge_test is not None
    return {i.id: i.key_ids() for i in pack.knowledge_test.bank.items if not i.retired}


def choose(
    items: list[tuple[str, tuple[str, ...]]], keys: dict[str, frozenset[str]], rng: random.Random
) -> dict[str, tuple[str, ...]]:
    """Item id → the options chosen, for items as drawn: (id, options in the order shown)."""
    wrong = set(rng.sample(range(len(items)), rng.randint(0, len(items) // 6)))
    out: dict[str, tuple[str, ...]] = {}
    for n, (item_id, options) in enumerate(items):
        key = keys[item_id]
        if n in wrong:
            out[item_id] = (next(o for o in options if o not in key),)
        else:
            out[item_id] = tuple(o for o in options if o in key)
    return out


def drawn(items_json: str) -> list[tuple[str, tuple[str, ...]]]:
    """A stored form's items (``KnowledgeFormRow.items``) as ``choose`` takes them."""
    return [(str(i["id"]), tuple(str(o) for o in i["options"])) for i in json.loads(items_json)]
