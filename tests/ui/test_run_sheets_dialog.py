"""The run-sheets screen: written in the background, refusals said plainly."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from db.engine import Database
from tests.services.circuit_day import DAY, make_circuit
from ui.centre.run_sheets_dialog import RunSheetsDialog
from ui.work.tasks import TaskManager


def test_the_day_is_written_in_the_background(
    qtbot: QtBot, tasks: TaskManager, sqlite_db: Database, tmp_path: Path
) -> None:
    c = make_circuit(sqlite_db)
    dialog = RunSheetsDialog(tasks, c.db, c.manager, None, day=DAY, folder=tmp_path / "sheets")
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sheets_written, timeout=30_000) as done:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        assert dialog.running and not dialog.start_button.isEnabled()  # the screen stays free
    files = done.args[0]
    assert len(files) == 4 and all(f.exists() for f in files)
    assert dialog.status.text().startswith("Done. Wrote 4 PDF file(s)")
    assert dialog.open_button.isVisible() and dialog.start_button.isEnabled()
    dialog.close()
    tasks.wait()


def test_a_day_without_a_plan_is_refused_plainly(
    qtbot: QtBot, tasks: TaskManager, sqlite_db: Database, tmp_path: Path
) -> None:
    c = make_circuit(sqlite_db)
    dialog = RunSheetsDialog(tasks, c.db, c.manager, None, day=DAY.replace(day=3), folder=tmp_path / "sheets")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    assert dialog.status.text() == (
        "There is no circuit plan for 3 December 2026: plan the day before printing its run-sheets."
    )
    assert not (tmp_path / "sheets").exists()
    dialog.folder.setText("")
    dialog.start()
    assert dialog.status.text() == "Choose the folder to write the run-sheets to." and not dialog.running
    dialog.close()
    tasks.wait()
