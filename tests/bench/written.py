"""The written exercise with a large script: keystroke to repaint, and one durable save.

In the real kiosk (offscreen Qt, the real demo database, autosave running on the real
write worker) with a 20,000-word script loaded, keys are typed at about 25 a second,
half at the end of the script and half in the middle of a paragraph. Measured for each
key: from sending it (QTest) to the end of the editor's next paint. Then one save of the
whole 20,000-word script through ``written.save`` (a durable commit), timed again and
again. Prints one JSON object on its last line.

    python tests/bench/written.py [--words 20000] [--keys 400] [--saves 30]
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


PROSE = (
    "the family were seen at home and both parents spoke openly about the pressures of "
    "night shifts broken sleep and caring for an autistic child whose distress shows in "
    "head banging at school the plan is to restore short breaks and review in four weeks"
)


def big_script(words: int) -> str:
    """Paragraphs of about 120 words, like a long case record."""
    vocabulary = PROSE.split()
    out, paragraph = [], []
    for i in range(words):
        paragraph.append(vocabulary[i % len(vocabulary)])
        if len(paragraph) == 120:
            out.append(" ".join(paragraph) + ".")
            paragraph = []
    if paragraph:
        out.append(" ".join(paragraph) + ".")
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--keys", type=int, default=400)
    parser.add_argument("--saves", type=int, default=30)
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtGui import QPaintEvent, QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from naas_centre.demo.centre import create_demo
    from naas_centre.services import accounts, sittings, written
    from naas_centre.services.kiosk import open_for_sitting
    from ui.common import theme
    from ui.work.tasks import TaskManager
    from ui.written import kiosk_window
    from ui.written.script_editor import ScriptEditor

    theme.apply(app, "light", 11)

    class TimedEditor(ScriptEditor):
        """The kiosk's editor, noting when each paint of its text ends."""

        painted_at = 0.0
        waiting: QEventLoop | None = None

        def paintEvent(self, event: QPaintEvent) -> None:
            super().paintEvent(event)
            TimedEditor.painted_at = time.perf_counter()
            if TimedEditor.waiting is not None:
                TimedEditor.waiting.quit()

    def idle(ms: int) -> None:
        """The GUI thread waits in its event loop, as in the app (the GIL is free meanwhile)."""
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    kiosk_window.ScriptEditor = TimedEditor  # type: ignore[attr-defined]
    text = big_script(args.words)

    with tempfile.TemporaryDirectory() as tmp:
        made = create_demo(Path(tmp) / "demo.db", data_dir=Path(tmp))
        db = made.db
        a1 = accounts.authenticate(db, "assessor1", "demo-assessor-2026")
        sid = sittings.list_for_assessor(db, a1, made.day)[0].id
        start = open_for_sitting(db, a1, sid, check_in=True)
        t = time.perf_counter()
        written.save(db, start.grant, text)
        first_save_ms = (time.perf_counter() - t) * 1000
        start = open_for_sitting(db, a1, sid)  # with the big script, as after a restart
        tasks = TaskManager()
        kiosk = kiosk_window.KioskWindow(tasks, db, start)
        kiosk.resize(1366, 768)
        kiosk.present()
        kiosk.resize(1366, 768)
        idle(200)
        kiosk.cover.start.start.click()
        deadline = time.monotonic() + 10
        while kiosk.editor.isReadOnly() and time.monotonic() < deadline:
            idle(20)
        editor = kiosk.editor
        assert editor.word_count == args.words, editor.word_count
        commits: list[float] = []
        flushes: list[float] = []
        sent_at: list[float] = []
        kiosk.autosaver.saved.connect(lambda *_: commits.append(time.perf_counter()))
        kiosk.autosaver.saving.connect(lambda: flushes.append(time.perf_counter()))

        def type_keys(n: int, where: str) -> list[float]:
            cursor = editor.textCursor()
            if where == "end":
                cursor.movePosition(QTextCursor.MoveOperation.End)
            else:
                cursor.setPosition(len(text) // 2)
            editor.setTextCursor(cursor)
            idle(100)
            out = []
            for i in range(n):
                key = Qt.Key.Key_Space if i % 6 == 5 else Qt.Key.Key_A + (i % 26)
                TimedEditor.painted_at = 0.0
                loop = QEventLoop()
                TimedEditor.waiting = loop
                QTimer.singleShot(1000, loop.quit)  # a paint that never comes counts as a second
                sent = time.perf_counter()
                sent_at.append(sent)
                QTest.keyClick(editor, key)
                if TimedEditor.painted_at < sent:
                    loop.exec()
                TimedEditor.waiting = None
                out.append(((TimedEditor.painted_at or time.perf_counter()) - sent) * 1000)
                idle(40)  # about 25 keys a second, with the autosave running
            return out

        at_end = type_keys(args.keys // 2, "end")
        in_middle = type_keys(args.keys - args.keys // 2, "middle")
        idle(2500)
        autosaves = len(commits)
        # For each key, the commit of the first save asked for after it: how stale the disk got.
        stale = []
        for key_at in sent_at:
            flush = flushes[bisect.bisect_left(flushes, key_at)]
            stale.append((commits[bisect.bisect_left(commits, flush)] - key_at) * 1000)
        final = written.script(db, start.grant)
        assert final.text == editor.toPlainText(), "the last keys did not reach the database"
        kiosk.release()
        kiosk.close()
        tasks.shutdown()

        big = final.text
        saves = []
        for i in range(args.saves):
            changed = big + f" {i}"
            t = time.perf_counter()
            written.save(db, start.grant, changed)
            saves.append((time.perf_counter() - t) * 1000)
        db.dispose()

    keys = at_end + in_middle
    result = {
        "words": args.words,
        "keys": len(keys),
        "keystroke_p50_ms": round(statistics.median(keys), 2),
        "keystroke_p99_ms": round(pct(keys, 99), 2),
        "keystroke_max_ms": round(max(keys), 2),
        "keystroke_end_p99_ms": round(pct(at_end, 99), 2),
        "keystroke_middle_p99_ms": round(pct(in_middle, 99), 2),
        "autosaves_while_typing": autosaves,
        "key_to_disk_p99_ms": round(pct(stale, 99), 1),
        "key_to_disk_max_ms": round(max(stale), 1),
        "save_ms": round(statistics.median(saves), 2),
        "save_p99_ms": round(pct(saves, 99), 2),
        "save_max_ms": round(max(saves), 2),
        "first_save_ms": round(first_save_ms, 2),
        "script_bytes": len(big.encode()),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
