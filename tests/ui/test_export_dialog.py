"""The score-sheet export screen: filters from the centre's own lists, the file written
in the background and said where, Stop that really stops (no file), and the services'
refusals shown plainly. Real services and widgets; every wait is on a signal or a state."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.engine import Database
from db.models import CandidateRow, SittingRow
from naas_centre.services.views import Actor, Role
from tests.conftest import WORKSTATION
from tests.ui.conftest import PASSWORDS, DemoCentre, WaitUntil
from ui.centre.export_dialog import ExportDialog
from ui.work.tasks import TaskManager


def opened(qtbot: QtBot, tasks: TaskManager, db: Database, actor: Actor, target: Path) -> ExportDialog:
    dialog = ExportDialog(tasks, db, actor, None, target=target)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.ready or "cannot" in dialog.status.text(), timeout=20_000)
    return dialog


def press_export(qtbot: QtBot, dialog: ExportDialog, password: str) -> None:
    """Export, then the password asked again, typed and confirmed as a person would."""
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    confirm = dialog.password_dialog
    assert confirm is not None and confirm.isVisible()
    qtbot.keyClicks(confirm.password, password)
    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)


def test_exports_the_chosen_employer_and_says_where(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, tmp_path: Path
) -> None:
    with demo.db.read() as s:
        employer = s.scalars(select(CandidateRow.employer).join(SittingRow)).first()
    assert employer is not None
    dialog = opened(qtbot, tasks, demo.db, demo.actor("manager"), tmp_path / "sheets.csv")
    employers = [dialog.employer.itemText(i) for i in range(dialog.employer.count())]
    assert employers[0] == "Every employer" and employer in employers
    dialog.choose(employer=employer, day=demo.day)
    with qtbot.waitSignal(dialog.exported, timeout=60_000, raising=False) as done:
        press_export(qtbot, dialog, PASSWORDS["manager"])
    assert done.signal_triggered, dialog.status.text()
    result = done.args[0]
    assert result.path == tmp_path / "sheets.csv" and result.rows >= 1
    assert dialog.status.text() == f"Done. Wrote {result.rows} row(s) to {tmp_path / 'sheets.csv'}."
    with open(tmp_path / "sheets.csv", encoding="utf-8-sig", newline="") as fh:
        assert {r["Employer"] for r in csv.DictReader(fh)} == {employer}

    dialog.format.setCurrentIndex(dialog.format.findData("xlsx"))
    assert dialog.file.text() == str(tmp_path / "sheets.xlsx")
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        press_export(qtbot, dialog, PASSWORDS["manager"])
    assert (tmp_path / "sheets.xlsx").read_bytes()[:2] == b"PK"
    dialog.close()


def test_a_refusal_is_said_plainly_and_writes_nothing(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, tmp_path: Path, wait_until: WaitUntil
) -> None:
    dialog = opened(qtbot, tasks, demo.db, demo.actor("manager"), tmp_path / "missing" / "sheets.csv")
    press_export(qtbot, dialog, PASSWORDS["manager"])
    wait_until(lambda: not dialog.running and "no such folder" in dialog.status.text())
    dialog.close()


def test_a_wrong_password_exports_nothing_and_says_so(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, tmp_path: Path, wait_until: WaitUntil
) -> None:
    dialog = opened(qtbot, tasks, demo.db, demo.actor("manager"), tmp_path / "sheets.csv")
    press_export(qtbot, dialog, "not my password")
    wait_until(lambda: not dialog.running and "password is wrong" in dialog.status.text())
    assert "nothing was done" in dialog.status.text() and not (tmp_path / "sheets.csv").exists()
    dialog.close()


def test_an_assessor_is_refused_by_the_service_and_told_so(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, tmp_path: Path
) -> None:
    dialog = opened(qtbot, tasks, demo.db, demo.actor("assessor1"), tmp_path / "sheets.csv")
    assert not dialog.ready
    assert "Assessor accounts cannot do this" in dialog.status.text()
    dialog.start_button.click()  # disabled: nothing runs
    assert not dialog.running and not (tmp_path / "sheets.csv").exists()
    dialog.close()


def test_quality_assurance_sees_the_lists_but_cannot_export_names(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, tmp_path: Path, wait_until: WaitUntil
) -> None:
    dialog = opened(qtbot, tasks, demo.db, demo.actor("qa"), tmp_path / "sheets.csv")
    press_export(qtbot, dialog, PASSWORDS["qa"])
    wait_until(lambda: not dialog.running and "cannot do this" in dialog.status.text())
    assert not (tmp_path / "sheets.csv").exists()
    dialog.close()


@pytest.fixture(scope="module")
def large_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough sittings that an export takes many progress points."""
    from tests.bench._national import national_centre

    path = tmp_path_factory.mktemp("export-large") / "large.db"
    national_centre(path, candidates=3000).db.dispose()
    return path


@pytest.fixture
def large(tmp_path: Path, large_template: Path) -> Iterator[Database]:
    path = tmp_path / "large.db"
    shutil.copy(large_template, path)
    db = Database(path, WORKSTATION)
    yield db
    db.dispose()


def test_stop_really_stops_and_leaves_no_file(
    qtbot: QtBot, tasks: TaskManager, large: Database, tmp_path: Path, wait_until: WaitUntil
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "sheets.xlsx"
    target.write_bytes(b"last week's sheets")
    manager = Actor("", "manager", "Centre manager", Role.CENTRE_MANAGER)
    dialog = opened(qtbot, tasks, large, manager, target)
    dialog.format.setCurrentIndex(dialog.format.findData("xlsx"))
    seen: list[tuple[int, int]] = []
    dialog.progressed.connect(lambda done, total: seen.append((done, total)))
    # Stop as soon as the first rows are reported, as a person would press Stop.
    dialog.progressed.connect(lambda done, total: dialog.stop() if done > 0 else None)
    press_export(qtbot, dialog, "any")  # an actor without an account: no password is checked
    assert dialog.close_button.text() == "Stop"
    wait_until(lambda: not dialog.running, timeout=120_000)
    assert dialog.status.text() == "Stopped: no file was written."
    assert seen and seen[-1][0] < seen[-1][1] == 3006  # it stopped before the end
    assert target.read_bytes() == b"last week's sheets"
    assert sorted(p.name for p in folder.iterdir()) == ["sheets.xlsx"]
    dialog.close()
