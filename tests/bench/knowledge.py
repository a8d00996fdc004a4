"""Knowledge-test forms: assembling a 60-item form from a 2,000-item bank.

A synthetic bank of 2,000 items (10 KSS areas × 4 item types × 50), and a blueprint of
60 items over 24 cells. Each run assembles one candidate's form from its own seed
(picks, item order, option order), as the kiosk will when a form starts; the time is
the median and worst of many runs. Also timed: turning the shipped practitioner pack's
bank into the plain data assembly uses (done once per pack, not per candidate).

Then the kiosk: a candidate clicks options in the real knowledge-test window (offscreen
Qt, the real write worker, a demo centre on this disk), one answer after another at a
candidate's pace, moving to the next item each time; ``answer_save_p99_ms`` is the 99th
percentile from the mouse click to the answer's commit on disk (the kiosk's
``answer_saved``), ``next_item_ms`` the worst time to show the next item.
Prints one JSON object on its last line.

    python tests/bench/knowledge.py [--runs 200] [--answers 120]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def bare_commits(folder: Path, count: int) -> list[float]:
    """One-row SQLite commits (WAL, synchronous=FULL) on the same disk at the same pace: the floor."""
    import sqlite3

    con = sqlite3.connect(folder / "floor.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    out = []
    for n in range(count):
        t = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT OR REPLACE INTO t VALUES (?, ?)", (n % 60, "a"))
        con.execute("COMMIT")
        out.append((time.perf_counter() - t) * 1000)
        time.sleep(0.15)
    con.close()
    return out


def kiosk_answers(answers: int) -> tuple[list[float], list[float], list[float]]:
    """Click-to-durable times and next-item times in the real kiosk, in milliseconds."""
    import tempfile

    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from naas_centre import paths
    from naas_centre.demo.centre import create_demo
    from naas_centre.services import accounts, centre, knowledge, sittings
    from ui.work.tasks import TaskManager
    from ui.written.knowledge_window import KnowledgeKioskWindow

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="knowledge-bench-"))
    made = create_demo(paths.demo_db_path(folder), data_dir=folder)
    made.db.dispose()
    db = centre.open_database(paths.demo_db_path(folder), folder)
    a1 = accounts.authenticate(db, "assessor1", "demo-assessor-2026")
    sid = sittings.list_for_assessor(db, a1, made.day)[0].id
    sittings.set_status(db, a1, sid, "checked_in")
    tasks = TaskManager()
    kiosk = KnowledgeKioskWindow(tasks, db, knowledge.open_and_start(db, a1, sid))
    kiosk.present()
    saves: list[float] = []
    moves: list[float] = []
    saved_at: list[float] = []
    kiosk.answer_saved.connect(lambda _state: saved_at.append(time.perf_counter()))
    loop = QEventLoop()
    for n in range(answers):
        index = n % len(kiosk.items)
        t = time.perf_counter()
        kiosk.show_item(index)
        moves.append((time.perf_counter() - t) * 1000)
        options = kiosk.item_view.options
        target = options[(n // len(kiosk.items) + 1) % len(options)]
        if target.chosen:
            target = options[(n // len(kiosk.items) + 2) % len(options)]
        before = len(saved_at)
        t = time.perf_counter()
        QTest.mouseClick(target, Qt.MouseButton.LeftButton)
        while len(saved_at) == before:  # answered through the event loop when not in the click
            QTimer.singleShot(1, loop.quit)
            loop.exec()
        saves.append((saved_at[-1] - t) * 1000)
        QTimer.singleShot(150, loop.quit)  # a candidate's pace: a few answers a second at most
        loop.exec()
    kiosk.release()
    kiosk.close()
    tasks.shutdown()
    db.dispose()
    app.processEvents()
    return saves, moves, bare_commits(folder, answers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--answers", type=int, default=120)
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
    saves, moves, floor = kiosk_answers(args.answers)
    result |= {
        "answers": len(saves),
        "answer_save_median_ms": round(statistics.median(saves), 3),
        "answer_save_p99_ms": round(pct(saves, 99), 3),
        "answer_save_max_ms": round(max(saves), 3),
        "next_item_max_ms": round(max(moves), 3),
        "bare_commit_median_ms": round(statistics.median(floor), 3),
        "bare_commit_p99_ms": round(pct(floor, 99), 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
