"""The exchange screens on real services: a room's results sent to a real signed,
encrypted file, collected at the centre, refusals said plainly per file with nothing
changed, and a conflict resolved with a reason.

Two copies of the demo centre (one centre CA, made first) stand for the manager's
workstation and a room's; the room has an audit trail of its own, as a workstation set
up from a day bundle has. Every wait is on a signal or a state.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditEntryRow, ExchangeConflictRow, ScoreRow, SittingRow
from naas_centre.exchange.container import signer_of
from naas_centre.exchange.results import export_results, import_results
from naas_centre.services import audit, certificates, packs, scoring, sittings
from tests.exchange.sides import CENTRE_WS, PASSWORDS, ROOM_WS, Side, copy_side, demo_with_ca, score_a_station
from tests.ui.conftest import WaitUntil
from ui.exchange import open_collect_results, open_conflicts, open_send_results
from ui.exchange.collect_dialog import CollectResultsDialog
from ui.exchange.send_dialog import SendResultsDialog, default_name
from ui.work.tasks import TaskManager

PASSPHRASE = "oak room, second of march"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    return demo_with_ca(tmp_path_factory.mktemp("exchange-demo"))


@pytest.fixture
def centre(tmp_path: Path, demo: tuple[Path, date]) -> Iterator[Side]:
    side = copy_side(demo, tmp_path / "centre", CENTRE_WS)
    yield side
    side.db.dispose()


@pytest.fixture
def room(tmp_path: Path, demo: tuple[Path, date]) -> Iterator[Side]:
    side = copy_side(demo, tmp_path / "room", ROOM_WS, own_trail=True)
    yield side
    side.db.dispose()


def _score_a_station(room: Side) -> tuple[str, str, list[str]]:
    return score_a_station(room, cycle=3)


def _export(room: Side, path: Path) -> None:
    who = room.login("assessor1")
    identity = certificates.unlock_signer(room.db, who, PASSWORDS["assessor1"], room.data_dir)
    export_results(room.db, who, path, PASSPHRASE, signer_of(identity))


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            int(s.scalar(select(func.count()).select_from(ScoreRow)) or 0),
            int(s.scalar(select(func.count()).select_from(AuditEntryRow)) or 0),
            int(s.scalar(select(func.count()).select_from(ExchangeConflictRow)) or 0),
        )


def _collect(qtbot: QtBot, dialog: CollectResultsDialog, passphrase: str) -> None:
    dialog.passphrase.setText(passphrase)
    with qtbot.waitSignal(dialog.collected, timeout=60_000):
        dialog.start_button.click()


def test_a_room_sends_its_results_and_the_centre_collects_them(
    qtbot: QtBot, tasks: TaskManager, centre: Side, room: Side, tmp_path: Path, wait_until: WaitUntil
) -> None:
    _, _, criteria = _score_a_station(room)
    assessor = room.login("assessor1")
    send = SendResultsDialog(tasks, room.db, assessor, room.data_dir, None, day=room.day, folder=tmp_path)
    qtbot.addWidget(send)
    send.show()
    room_name = sittings.list_for_assessor(room.db, assessor, room.day)[0].room
    expected = tmp_path / default_name(room_name, room.day)
    assert expected.name.startswith("results-") and expected.name.endswith(
        f"-{room.day.isoformat()}.naasbundle"
    )
    wait_until(lambda: send.file.text() == str(expected))  # the room, read off the GUI thread

    send.password.setText(PASSWORDS["assessor1"])
    send.passphrase.setText(PASSPHRASE)
    send.passphrase_again.setText(PASSPHRASE + " typo")
    send.start_button.click()
    assert not send.running and "differ" in send.status.text() and not expected.exists()
    send.passphrase_again.setText(PASSPHRASE)
    with qtbot.waitSignal(send.sent, timeout=60_000) as done:
        send.start_button.click()
    sent = done.args[0]
    assert sent.path == expected and expected.stat().st_size > 0
    assert str(expected) in send.status.text() and "Take this file" in send.status.text()
    assert sent.signer.startswith(assessor.display_name)
    send.close()

    before = _counts(centre.db)
    collect = open_collect_results(None, tasks, centre.db, centre.login("manager"), centre.data_dir)
    collect.add_file(expected)
    _collect(qtbot, collect, PASSPHRASE)
    summary = collect.summary.toPlainText()
    assert summary.startswith(expected.name)
    assert f"Scores: {len(criteria)} added, 0 already there." in summary
    assert "0 in conflict" in summary and "Audit trail:" in summary
    assert "1 of 1 file(s) merged." in collect.status.text()
    assert _counts(centre.db)[0] == before[0] + len(criteria)

    # The same file again: nothing changes, and the summary says it was all there.
    after = _counts(centre.db)
    _collect(qtbot, collect, PASSPHRASE)
    assert f"Scores: 0 added, {len(criteria)} already there." in collect.summary.toPlainText()
    assert _counts(centre.db) == after
    assert audit.verify(centre.db).ok
    collect.close()


def test_a_wrong_passphrase_or_a_cut_file_is_said_for_that_file_and_changes_nothing(
    qtbot: QtBot, tasks: TaskManager, centre: Side, room: Side, tmp_path: Path
) -> None:
    _, _, criteria = _score_a_station(room)
    bundle = tmp_path / "results-oak.naasbundle"
    _export(room, bundle)
    cut = tmp_path / "results-cut.naasbundle"
    cut.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 2])
    before = _counts(centre.db)
    dialog = CollectResultsDialog(tasks, centre.db, centre.login("manager"), None, files=[bundle])
    qtbot.addWidget(dialog)
    dialog.show()

    _collect(qtbot, dialog, "not the passphrase")
    text = dialog.summary.toPlainText()
    assert "Refused:" in text and "passphrase" in text and "Traceback" not in text
    assert "Nothing was changed by this file." in text
    assert "0 of 1 file(s) merged, 1 refused." in dialog.status.text()
    assert _counts(centre.db) == before

    # A cut file is refused plainly; the next file is still read and merged.
    dialog.files.clear()
    dialog.add_file(cut)
    dialog.add_file(bundle)
    _collect(qtbot, dialog, PASSPHRASE)
    outcomes = dialog.last.outcomes if dialog.last else ()
    assert [o.path for o in outcomes] == [cut, bundle]
    assert outcomes[0].refused is not None and "cut short" in outcomes[0].refused
    assert outcomes[1].refused is None
    assert "1 of 2 file(s) merged, 1 refused." in dialog.status.text()
    assert _counts(centre.db)[0] == before[0] + len(criteria)
    dialog.close()


def test_conflicts_are_shown_in_words_and_resolved_only_with_a_reason(
    qtbot: QtBot, tasks: TaskManager, centre: Side, room: Side, tmp_path: Path, wait_until: WaitUntil
) -> None:
    sid, station, criteria = _score_a_station(room)
    first = tmp_path / "first.naasbundle"
    _export(room, first)
    manager = centre.login("manager")
    import_results(centre.db, manager, first, PASSPHRASE)
    # Both sides change the same records afterwards: the sitting's status and one score.
    scoring.record_level(room.db, room.login("assessor1"), sid, station, criteria[0], 4)
    scoring.record_level(centre.db, centre.login("assessor1"), sid, station, criteria[0], 2)
    sittings.set_status(room.db, room.login("assessor1"), sid, "checked_in")
    sittings.set_status(centre.db, manager, sid, "withdrawn")
    second = tmp_path / "second.naasbundle"
    _export(room, second)
    assert import_results(centre.db, manager, second, PASSPHRASE).report.conflicts == 2

    dialog = open_conflicts(None, tasks, centre.db, manager)
    wait_until(lambda: dialog.model.rowCount() == 2)
    lines = {line.kind: line for line in dialog.model.lines}
    detail = sittings.sitting_detail(centre.db, manager, sid).summary
    pack = packs.pack_for_sitting(centre.db, manager, sid)
    heading = next(c.heading() for st, c in pack.criteria() if st == station and c.id == criteria[0])
    score = lines["score"]
    assert detail.candidate_name in score.record and f"«{heading}»" in score.record
    assert "scored by" in score.record
    assert score.here.startswith("level 2 (") and score.room.startswith("level 4 (")
    status = lines["sitting"]
    assert detail.candidate_name in status.record and detail.room in status.record
    assert status.here.startswith("withdrawn") and status.room.startswith("checked in")

    # No reason: the service's refusal is shown, and nothing is resolved.
    dialog.select(status.id)
    with qtbot.waitSignal(dialog.refused, timeout=20_000) as refused:
        dialog.keep_incoming.click()
    assert "reason is required" in refused.args[0] and refused.args[0] == dialog.status.text()
    assert _counts(centre.db)[2] == 2 and len(dialog.model.lines) == 2

    dialog.reason.setText("The candidate arrived late; the room checked them in.")
    with qtbot.waitSignal(dialog.resolved, timeout=20_000):
        dialog.keep_incoming.click()
    wait_until(lambda: dialog.model.rowCount() == 1)
    assert dialog.model.lines[0].kind == "score"
    with centre.db.read() as s:
        sitting = s.get(SittingRow, sid)
        assert sitting is not None and sitting.status == "checked_in"
        kept = s.scalars(
            select(ExchangeConflictRow).where(ExchangeConflictRow.resolved_at.is_not(None))
        ).one()
        assert kept.kept == "incoming" and (kept.reason or "").startswith("The candidate arrived late")

    dialog.select(score.id)
    dialog.reason.setText("Checked with the assessor: level 2 is the sheet they signed.")
    with qtbot.waitSignal(dialog.resolved, timeout=20_000):
        dialog.keep_local.click()
    wait_until(lambda: dialog.model.rowCount() == 0 and "No open conflicts" in dialog.status.text())
    assert not dialog.keep_local.isEnabled() and not dialog.keep_incoming.isEnabled()
    with centre.db.read() as s:
        level = s.scalar(
            select(ScoreRow.level).where(
                ScoreRow.sitting_id == sid,
                ScoreRow.station_id == station,
                ScoreRow.criterion_id == criteria[0],
            )
        )
    assert level == 2
    assert audit.verify(centre.db).ok
    dialog.close()


def test_an_assessor_cannot_collect_and_is_told_so(
    qtbot: QtBot, tasks: TaskManager, centre: Side, room: Side, tmp_path: Path
) -> None:
    _score_a_station(room)
    bundle = tmp_path / "results.naasbundle"
    _export(room, bundle)
    before = _counts(centre.db)
    dialog = CollectResultsDialog(tasks, centre.db, centre.login("assessor2"), None, files=[bundle])
    qtbot.addWidget(dialog)
    _collect(qtbot, dialog, PASSPHRASE)
    assert "Assessor accounts cannot do this" in dialog.summary.toPlainText()
    assert _counts(centre.db) == before
    dialog.close()


def test_the_screens_open_from_the_package_and_fit_a_small_laptop(
    qtbot: QtBot, tasks: TaskManager, centre: Side, wait_until: WaitUntil
) -> None:
    manager = centre.login("manager")
    conflicts = open_conflicts(None, tasks, centre.db, manager)
    wait_until(lambda: "No open conflicts" in conflicts.status.text())
    for dialog in (
        open_collect_results(None, tasks, centre.db, manager),
        open_send_results(None, tasks, centre.db, manager, centre.data_dir, day=centre.day),
        conflicts,
    ):
        assert dialog.isVisible()
        hint = dialog.sizeHint()
        assert dialog.width() <= 1366 and dialog.height() <= 768
        assert hint.width() <= 1366 and hint.height() <= 768
        dialog.close()


def test_recordings_go_with_the_results_only_when_ticked_and_land_at_the_centre(
    qtbot: QtBot, tasks: TaskManager, centre: Side, room: Side, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt

    from tests.services.calibration_support import record_station

    scratch = tmp_path / "sources"
    scratch.mkdir()
    record_station(room.db, room.login("assessor1"), room.day, room.data_dir, scratch, seconds=2.0)
    held = sorted(p for p in (room.data_dir / "recordings").rglob("*") if p.is_file())
    assessor = room.login("assessor1")
    send = SendResultsDialog(tasks, room.db, assessor, room.data_dir, None, day=room.day, folder=tmp_path)
    qtbot.addWidget(send)
    send.show()
    box = send.with_recordings
    assert not box.isChecked() and "grows by the recordings' size" in box.text()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked()
    target = tmp_path / "with-recordings.naasbundle"
    send.file.setText(str(target))
    qtbot.keyClicks(send.password, PASSWORDS["assessor1"])
    qtbot.keyClicks(send.passphrase, PASSPHRASE)
    qtbot.keyClicks(send.passphrase_again, PASSPHRASE)
    with qtbot.waitSignal(send.sent, timeout=60_000) as done:
        qtbot.mouseClick(send.start_button, Qt.MouseButton.LeftButton)
    assert done.args[0].recordings == 1 and "the media of 1 recording(s)" in send.status.text()
    send.close()

    collect = open_collect_results(None, tasks, centre.db, centre.login("manager"), centre.data_dir)
    collect.add_file(target)
    _collect(qtbot, collect, PASSPHRASE)
    summary = collect.summary.toPlainText()
    assert f"Recording files: {len(held)} added, 0 already there." in summary
    assert "Recordings: 1 added, 0 already there." in summary
    for path in held:
        arrived = centre.data_dir / path.relative_to(room.data_dir)
        assert arrived.read_bytes() == path.read_bytes()
    collect.close()
