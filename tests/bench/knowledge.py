"""Knowledge-test forms: assembling a 60-item form from a 2,000-item bank.

A synthetic bank of 2,000 items (10 KSS areas × 4 item types × 50), and a blueprint of
60 items over 24 cells. Each run assembles one candidate's form from its own seed
(picks, item order, option order), as the kiosk will when a form starts; the time is
the median and worst of many runs. Also timed: turning the shipped practitioner pack's
bank into the plain data assembly uses (done once per pack, not per candidate).
Prints one JSON object on its last line.

    python tests/bench/knowledge.py [--runs 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from naas_centre.core.test_form import AnswerType, BankEntry, Cell, assemble_form
from naas_centre.packs.blueprint import bank_entries, form_plan
from naas_centre.packs.loader import builtin_packs

AREAS = [f"p{n}" for n in range(1, 11)]
TYPES = ["single", "multiple", "yes_no", "video"]


def synthetic_bank(per_cell: int = 50) -> list[BankEntry]:
    shapes: dict[str, tuple[AnswerType, tuple[str, ...], frozenset[str], int | None]] = {
        "single": ("single", tuple("abcd"), frozenset("b"), None),
        "multiple": ("multiple", tuple("abcdefg"), frozenset("ace"), 3),
        "yes_no": ("yes_no", ("yes", "no"), frozenset({"no"}), None),
        "video": ("single", tuple("abcd"), frozenset("c"), None),
    }
    return [
        BankEntry(f"{area}-{kind}-{n}", 1, area, kind, *shapes[kind])
        for area in AREAS
        for kind in TYPES
        for n in range(per_cell)
    ]


def blueprint() -> list[Cell]:
    # 60 items: every area 4 single; areas p1-p8 one multiple; p1-p6 one yes/no; p1-p6 one video.
    cells = [Cell(a, "single", 4) for a in AREAS]
    cells += [Cell(a, "multiple", 1) for a in AREAS[:8]]
    cells += [Cell(a, "yes_no", 1) for a in AREAS[:6]]
    cells += [Cell(a, "video", 1) for a in AREAS[:6]]
    return cells


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    bank = synthetic_bank()
    cells = blueprint()
    assert len(bank) == 2000 and sum(c.count for c in cells) == 60
    times: list[float] = []
    for run in range(args.runs):
        t = time.perf_counter()
        form = assemble_form(bank, cells, seed=f"candidate-{run}")
        times.append((time.perf_counter() - t) * 1000)
        assert len(form.items) == 60

    (practitioner,) = [
        lp.pack for lp in builtin_packs() if lp.pack is not None and lp.pack.name == "naas-practitioner"
    ]
    test = practitioner.knowledge_test
    assert test is not None
    t = time.perf_counter()
    entries = bank_entries(test.bank)
    plan = form_plan(test, test.forms[0])
    prepare_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    shipped = assemble_form(entries, plan.cells, seed="candidate-0")
    shipped_ms = (time.perf_counter() - t) * 1000

    result = {
        "bank_items": len(bank),
        "form_items": 60,
        "runs": args.runs,
        "form_assemble_ms": round(statistics.median(times), 3),
        "form_assemble_max_ms": round(max(times), 3),
        "shipped_bank_items": len(entries),
        "shipped_form_items": len(shipped.items),
        "shipped_prepare_ms": round(prepare_ms, 3),
        "shipped_assemble_ms": round(shipped_ms, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
