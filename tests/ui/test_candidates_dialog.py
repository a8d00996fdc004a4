"""The candidates screen on the demo centre: the list, a file with problems previewed and
refused, its problem list saved, a clean file imported, an endorsement recorded."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from tests.ui.conftest import DemoCentre
from ui.centre.candidates.candidates_dialog import CandidatesDialog
from ui.centre.candidates.endorsement_dialog import EndorsementDialog
from ui.centre.candidates.import_dialog import ImportPreviewDialog
from ui.work.tasks import TaskManager

HEADER = [
    "Full name",
    "Registration number",
    "Employer",
    "Level",
    "Endorsed by",
    "Endorsed on",
    "Extra time (%)",
]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


@pytest.fixture
def dialog(qtbot: QtBot, tasks: TaskManager, demo: DemoCentre) -> Iterator[CandidatesDialog]:
    d = CandidatesDialog(tasks, demo.db, demo.actor("manager"))
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.loaded, timeout=10_000):
        d.show()
    yield d
    for child in d.findChildren(QDialog):
        child.close()
    d.close()
    tasks.wait()


def open_preview(qtbot: QtBot, d: CandidatesDialog, path: Path) -> ImportPreviewDialog:
    with qtbot.waitSignal(d.preview_opened, timeout=5_000) as opened:
        d.open_import(path)
    p: ImportPreviewDialog = opened.args[0]
    if p.preview is None:
        qtbot.waitSignal(p.previewed, timeout=10_000).wait()
    return p


def test_the_list_shows_the_demo_candidates_endorsed_and_fits_the_screen(dialog: CandidatesDialog) -> None:
    rows = dialog.shown_rows()
    assert len(rows) == 6
    assert all(r[4] != "Not endorsed" and r[4].startswith("Practice lead, ") for r in rows)
    assert all(r[5].startswith("1: ") for r in rows)  # each booked for a first attempt
    assert dialog.heading.text() == "6 candidates · 6 endorsed"
    assert dialog.width() <= 1366 and dialog.height() <= 768
    dialog.search.setText(rows[0][1])  # by registration number
    assert len(dialog.shown_rows()) == 1
    assert not dialog.endorse_button.isEnabled()  # nobody chosen


def test_a_file_with_problems_is_shown_and_cannot_be_imported(
    qtbot: QtBot, dialog: CandidatesDialog, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "cohort.csv",
        [
            ["Aisha Rahman", "SW700001", "Leeds City Council", "practitioner", "Jo Bell", "2026-01-05", "25"],
            ["Ben Carter", "SW700002", "Narnia Council", "expert", "", "", ""],
            ["Cara Dunn", "SW700001", "Bury Council", "leader", "", "", ""],
        ],
    )
    p = open_preview(qtbot, dialog, path)
    assert p.preview is not None and not p.preview.clean
    assert not p.import_button.isEnabled()
    assert p.save_button.isEnabled()
    assert p.highlighted_rows() == [3, 4]
    assert p.rows.topLevelItemCount() == 3 and p.problems.topLevelItemCount() == len(p.preview.problems)
    assert "3 errors in cohort.csv" in p.heading.text()
    assert any(
        line == "cohort.csv:4: Registration number: SW700001 is also on row 2: one row per candidate."
        for line in p.problem_lines()
    )
    target = tmp_path / "cohort-problems.csv"
    with qtbot.waitSignal(p.problems_saved, timeout=10_000) as saved:
        p.save_problems_to(target)
    assert saved.args == [3]
    with target.open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) == 4
    p.accept_import()  # pressed anyway: nothing happens
    assert p.outcome is None
    with qtbot.waitSignal(p.failed, timeout=10_000):
        p.save_problems_to(tmp_path / "no-such-folder" / "p.csv")
    assert "cannot be written" in p.status.text()


def test_a_clean_file_is_imported_and_the_list_refreshes(
    qtbot: QtBot, dialog: CandidatesDialog, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "cohort.csv",
        [
            ["Aisha Rahman", "SW700001", "Leeds City Council", "practitioner", "Jo Bell", "2026-01-05", "25"],
            ["Ben Carter", "SW700002", "Bury Council", "leader", "", "", ""],
        ],
    )
    p = open_preview(qtbot, dialog, path)
    assert p.import_button.isEnabled()
    assert p.heading.text() == "2 candidates ready to import (1 with an endorsement)"
    with qtbot.waitSignal(dialog.loaded, timeout=10_000), qtbot.waitSignal(p.imported, timeout=10_000):
        p.import_button.click()
    assert "Imported 2 candidates and 1 endorsements" in dialog.message.text()
    rows = {r[1]: r for r in dialog.shown_rows()}
    assert rows["SW700001"][4] == "Jo Bell, 5 January 2026"
    assert rows["SW700001"][6] == "25% extra time"
    assert rows["SW700002"][4] == "Not endorsed" and rows["SW700002"][5] == "None yet"

    # Record Ben Carter's endorsement: first with nobody named (refused), then properly.
    ben = next(c for c in dialog.entries if c.registration_number == "SW700002")
    dialog.select(ben.id)
    assert dialog.endorse_button.isEnabled()
    with qtbot.waitSignal(dialog.endorsement_opened) as opened:
        dialog.endorse_button.click()
    e: EndorsementDialog = opened.args[0]
    assert e.level.currentData() == "leader"
    with qtbot.waitSignal(e.failed, timeout=10_000):
        e.save()
    assert "Say who endorsed" in e.message.text()
    e.endorsed_by.setText("Ann Lee, head of service")
    with qtbot.waitSignal(dialog.loaded, timeout=10_000), qtbot.waitSignal(e.recorded, timeout=10_000):
        e.save()
    rows = {r[1]: r for r in dialog.shown_rows()}
    assert rows["SW700002"][4].startswith("Ann Lee, head of service, ")


def test_a_file_that_cannot_be_read_says_so(qtbot: QtBot, dialog: CandidatesDialog, tmp_path: Path) -> None:
    with qtbot.waitSignal(dialog.preview_opened, timeout=5_000) as opened:
        dialog.open_import(tmp_path / "absent.csv")
    p: ImportPreviewDialog = opened.args[0]
    qtbot.waitUntil(lambda: "There is no file at" in p.heading.text(), timeout=10_000)
    assert not p.import_button.isEnabled()


def test_an_assessor_is_refused_by_the_services(qtbot: QtBot, tasks: TaskManager, demo: DemoCentre) -> None:
    d = CandidatesDialog(tasks, demo.db, demo.actor("assessor1"))
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.loaded, timeout=10_000):
        d.show()
    assert "cannot do this" in d.heading.text()
    assert d.shown_rows() == []
    d.close()
    tasks.wait()
