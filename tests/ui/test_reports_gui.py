"""A sitting's reports in the GUI: states, the in-app preview, signing (with a password,
countersigning, a new version with a reason), saving, and the day's batch with Cancel.

Real services on the scored demo day; every wait is on a signal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtPdfWidgets import QPdfView
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import AccountRow
from naas_centre.demo.signing import moderate_day
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import ReportRef, refs_for_sitting
from naas_centre.services import access, completeness, moderation, packs, signatures, sittings
from naas_centre.signing.verify import verify_pdf
from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import choose_sitting, close_window, open_window, password, trigger
from ui.common.settings import Settings
from ui.reports.batch_reports_dialog import BatchOutcome, BatchReportsDialog
from ui.reports.reports_dialog import ReportsDialog
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager

Opener = Callable[[str], MainWindow]


@pytest.fixture
def window(qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, settings: Settings) -> Iterator[Opener]:
    opened: list[MainWindow] = []

    def open_as(username: str) -> MainWindow:
        w = open_window(qtbot, tasks, scored, settings, username)
        opened.append(w)
        return w

    yield open_as
    for w in opened:
        close_window(w, tasks)


def first_sitting(scored: DemoCentre, username: str = "assessor1") -> str:
    return sittings.list_for_assessor(scored.db, scored.actor(username), scored.day)[0].id


def observers_of(scored: DemoCentre, sitting_id: str, station_id: str) -> list[str]:
    """The usernames of the assessors who observe one station of a sitting (in a circuit,
    not every assessor of the sitting), in assignment order."""
    pack = packs.pack_for_sitting(scored.db, scored.actor("manager"), sitting_id)
    with scored.db.read() as s:
        ids = access.observers(s, sitting_id, pack)[station_id]
        names = dict(
            s.execute(select(AccountRow.id, AccountRow.username).where(AccountRow.id.in_(ids))).all()
        )
    observers = [str(names[i]) for i in ids]
    assert observers, f"nobody observes {station_id}"
    return observers


def open_reports(qtbot: QtBot, w: MainWindow, sitting_id: str) -> ReportsDialog:
    choose_sitting(w, sitting_id)
    dialog = trigger(w, "reports.sitting")
    assert isinstance(dialog, ReportsDialog)
    with qtbot.waitSignal(dialog.preview_shown, timeout=20_000):
        qtbot.waitSignal(dialog.reports_loaded, timeout=15_000).wait()
    return dialog


def sign_as(scored: DemoCentre, username: str, ref: ReportRef, reason: str | None = None) -> None:
    actor = scored.actor(username)
    identity = signatures.unlock_signer(scored.db, actor, password(username), scored.folder)
    signatures.sign_report(scored.db, actor, identity, ref, reason=reason)


def test_an_assessor_sees_each_report_with_its_state(
    qtbot: QtBot, window: Opener, scored: DemoCentre
) -> None:
    """Nothing is "ready to sign" while moderation is outstanding: a station's report waits
    for the differences at that station, the outcome for every one."""
    sid = first_sitting(scored)
    assessor = scored.actor("assessor1")
    choose_sitting(w := window("assessor1"), sid)
    dialog = trigger(w, "reports.sitting")
    assert isinstance(dialog, ReportsDialog)
    qtbot.waitSignal(dialog.reports_loaded, timeout=15_000).wait()
    data = dialog.data
    assert data is not None
    kinds = [r.ref.kind for r in data.reports]
    assert kinds == [ReportKind.OBSERVATION] * 3 + [
        ReportKind.WRITTEN,
        ReportKind.KNOWLEDGE,
        ReportKind.OUTCOME,
    ]
    states = [dialog.table.item(row, 1).text() for row in range(dialog.table.rowCount())]
    lacking = [completeness.for_report(scored.db, assessor, sid, r.ref.station_id) for r in data.reports]
    assert states == ["Not ready" if items else "Ready to sign" for items in lacking]
    assert states[-1] == "Not ready" and "Not ready" in states[:-1]  # this sitting has differences
    outcome = data.reports[-1]
    assert outcome.not_ready is not None and "moderation" in outcome.not_ready
    dialog.table.selectRow(5)
    assert "Not ready." in dialog.detail_state.text() and "moderation" in dialog.detail_state.text()
    assert not dialog.sign_button.isEnabled() and not dialog.save_button.isEnabled()
    assert "Nothing to show yet" in dialog.preview.message.text()
    ready = states.count("Ready to sign")
    assert dialog.counts.text() == f"0 of 6 reports signed · {ready} ready to sign"

    moderate_day(scored.db, scored.day)
    with qtbot.waitSignal(dialog.reports_loaded, timeout=15_000):
        dialog.reload()
    states = [dialog.table.item(row, 1).text() for row in range(dialog.table.rowCount())]
    assert states == ["Ready to sign"] * 6
    assert dialog.table.item(4, 0).text() == "Knowledge test\nKnowledge test: marks by KSS area"


def test_the_preview_draws_the_draft_with_pages_and_zoom(
    qtbot: QtBot, window: Opener, scored: DemoCentre
) -> None:
    moderate_day(scored.db, scored.day)  # nothing is offered for signing before moderation
    dialog = open_reports(qtbot, window("assessor1"), first_sitting(scored))
    preview = dialog.preview
    pages = preview.page_count()
    assert pages >= 2
    assert preview.stack.currentWidget() is preview.view
    assert "Draft" in preview.caption.text()
    assert preview.page_label.text() == f"Page 1 of {pages}"
    assert not preview.previous_page.isEnabled()
    preview.next_page.click()
    assert preview.current_page() == 1
    assert preview.page_label.text() == f"Page 2 of {pages}"
    preview.zoom_in_button.click()
    assert preview.view.zoomMode() == QPdfView.ZoomMode.Custom
    assert preview.zoom_factor() == pytest.approx(1.25)
    preview.zoom_out_button.click()
    preview.zoom_out_button.click()
    assert preview.zoom_factor() == pytest.approx(0.8)
    preview.fit_button.click()
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    # Another report: its own draft replaces the first.
    with qtbot.waitSignal(dialog.preview_shown, timeout=20_000):
        dialog.table.selectRow(3)
    assert preview.page_count() >= 1 and preview.current_page() == 0


def test_signing_asks_the_password_and_makes_a_verified_signed_version(
    qtbot: QtBot, window: Opener, scored: DemoCentre
) -> None:
    moderate_day(scored.db, scored.day)  # nothing is offered for signing before moderation
    sid = first_sitting(scored)
    dialog = open_reports(qtbot, window("assessor1"), sid)
    state = dialog.current_state()
    assert state is not None and state.can_sign and state.ref.kind == ReportKind.OBSERVATION
    dialog.sign_button.click()
    sign = dialog.sign_dialog
    assert sign is not None and sign.reason is None  # a first signature needs no reason
    assert not sign.sign_button.isEnabled()
    qtbot.keyClicks(sign.password, "not my password")
    with qtbot.waitSignal(sign.sign_button.clicked):
        sign.sign_button.click()
    qtbot.waitUntil(lambda: sign.error.isVisibleTo(sign), timeout=10_000)
    assert "password is wrong" in sign.error.text()
    assert signatures.documents(scored.db, scored.actor("assessor1"), state.ref) == []

    sign.password.clear()
    qtbot.keyClicks(sign.password, password("assessor1"))
    with (
        qtbot.waitSignal(dialog.reports_loaded, timeout=30_000),
        qtbot.waitSignal(dialog.signed, timeout=30_000) as signed,
    ):
        sign.sign_button.click()
    view = signed.args[0]
    assert view.version == 1 and view.signers == ("Helen Brady",)
    assert dialog.sign_dialog is None
    assert dialog.table.item(0, 1).text() == "Signed v1"
    assert "Helen Brady" in dialog.versions.text()

    fresh = scored.fresh()
    try:
        found = signatures.latest(fresh, scored.actor("manager"), state.ref)
        assert found is not None
        verdict = verify_pdf(found[1], signatures.trusted_cas(fresh))
    finally:
        fresh.dispose()
    assert verdict.ok, verdict.problem
    assert [s.signer for s in verdict.signatures] == ["Helen Brady"]


def test_a_manager_countersigns_a_signed_report(qtbot: QtBot, window: Opener, scored: DemoCentre) -> None:
    moderate_day(scored.db, scored.day)
    sid = first_sitting(scored)
    ref = refs_for_sitting(scored.db, scored.actor("manager"), sid)[0]
    sign_as(scored, "assessor1", ref)
    dialog = open_reports(qtbot, window("manager"), sid)
    dialog.select_report(ref.key)
    assert dialog.sign_button.text() == "Countersign…" and dialog.sign_button.isEnabled()
    assert "Signed version 1" in dialog.preview.caption.text()
    dialog.sign_button.click()
    sign = dialog.sign_dialog
    assert sign is not None
    qtbot.keyClicks(sign.password, password("manager"))
    with qtbot.waitSignal(dialog.signed, timeout=30_000) as signed:
        sign.sign_button.click()
    view = signed.args[0]
    assert view.version == 1 and view.signers == ("Helen Brady", "Ngozi Okafor")
    found = signatures.latest(scored.db, scored.actor("manager"), ref)
    assert found is not None
    verdict = verify_pdf(found[1], signatures.trusted_cas(scored.db))
    assert verdict.ok and len(verdict.signatures) == 2


def test_changed_data_asks_a_reason_and_makes_a_new_version(
    qtbot: QtBot, window: Opener, scored: DemoCentre
) -> None:
    moderate_day(scored.db, scored.day)
    manager = scored.actor("manager")
    sid = first_sitting(scored)
    outcome = ReportRef(ReportKind.OUTCOME, sid)
    sign_as(scored, "assessor1", outcome)
    first = signatures.documents(scored.db, manager, outcome)[0]
    # After signing, moderation changes a level: the outcome's data is no longer what was signed.
    diff = next(d for d in moderation.differences(scored.db, manager, sid) if not d.is_judgement)
    other = max(level for _, level in diff.levels if level is not None)
    moderation.agree(
        scored.db, manager, sid, diff.station_id, diff.criterion_id, other, "Second look at notes"
    )
    assert signatures.changed_since_signed(scored.db, manager, outcome) is True

    dialog = open_reports(qtbot, window("assessor1"), sid)
    dialog.select_report(outcome.key)
    row = [r.ref.key for r in dialog.data.reports].index(outcome.key) if dialog.data else -1
    assert dialog.table.item(row, 1).text() == "Changed since v1"
    assert "makes version 2, with your reason" in dialog.detail_state.text()
    choices = [dialog.show_choice.itemText(i) for i in range(dialog.show_choice.count())]
    assert choices == ["Draft (not signed)", "Signed v1 (latest)"]

    dialog.sign_button.click()
    sign = dialog.sign_dialog
    assert sign is not None and sign.reason is not None
    qtbot.keyClicks(sign.password, password("assessor1"))
    assert not sign.sign_button.isEnabled()  # the reason comes first
    qtbot.keyClicks(sign.reason, "Levels agreed again at moderation after a second look at the notes")
    with qtbot.waitSignal(dialog.signed, timeout=30_000) as signed:
        sign.sign_button.click()
    view = signed.args[0]
    assert view.version == 2 and view.supersedes_id == first.id
    assert view.reason == "Levels agreed again at moderation after a second look at the notes"
    versions = signatures.documents(scored.db, manager, outcome)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].sha256 == first.sha256  # the old version stays as it was
    for v in versions:
        assert verify_pdf(
            signatures.document_pdf(scored.db, manager, v.id), signatures.trusted_cas(scored.db)
        ).ok


def test_save_pdf_writes_the_latest_signed_version_atomically(
    qtbot: QtBot, window: Opener, scored: DemoCentre, tmp_path: Path
) -> None:
    moderate_day(scored.db, scored.day)  # nothing is offered for signing before moderation
    sid = first_sitting(scored)
    ref = refs_for_sitting(scored.db, scored.actor("manager"), sid)[1]
    assert ref.kind == ReportKind.OBSERVATION and ref.station_id is not None
    signer = observers_of(scored, sid, ref.station_id)[0]  # only an observer signs a station
    sign_as(scored, signer, ref)
    dialog = open_reports(qtbot, window(signer), sid)
    dialog.table.selectRow(0)
    assert not dialog.save_button.isEnabled()  # never signed: nothing to save
    dialog.select_report(ref.key)
    assert dialog.save_button.isEnabled()
    out = tmp_path / "saved"
    out.mkdir()
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save_to(out / "observation")
    path = Path(saved.args[0])
    assert path == out / "observation.pdf"
    found = signatures.latest(scored.db, scored.actor(signer), ref)
    assert found is not None and path.read_bytes() == found[1]
    assert sorted(p.name for p in out.iterdir()) == ["observation.pdf"]  # no temporary file left


def test_cancel_stops_the_days_batch(
    qtbot: QtBot, window: Opener, scored: DemoCentre, tmp_path: Path
) -> None:
    w = window("manager")
    dialog = trigger(w, "reports.day")
    assert isinstance(dialog, BatchReportsDialog)
    dialog.folder.setText(str(tmp_path / "day"))
    seen: list[tuple[int, int, str]] = []

    def first_step(done: int, total: int, step: str) -> None:
        seen.append((done, total, step))
        if len(seen) == 1:
            dialog.cancel_button.click()

    dialog.progressed.connect(first_step)
    with qtbot.waitSignal(dialog.run_finished, timeout=60_000) as finished:
        dialog.start_button.click()
        assert dialog.pages.currentIndex() == 1 and dialog.cancel_button.isVisible()
    outcome = finished.args[0]
    assert isinstance(outcome, BatchOutcome)
    total = seen[0][1]
    assert outcome.result.cancelled
    assert len(outcome.result.written) < total
    assert seen[-1][0] < total
    assert sorted(p.name for p in (tmp_path / "day").iterdir() if not p.name.startswith(".")) == sorted(
        p.name for p in outcome.result.written
    )
    assert "Stopped." in dialog.summary.text()


def test_the_days_batch_signs_what_is_complete_then_writes_every_report(
    qtbot: QtBot, window: Opener, scored: DemoCentre, tmp_path: Path
) -> None:
    w = window("manager")
    dialog = trigger(w, "reports.day")
    assert isinstance(dialog, BatchReportsDialog)
    dialog.folder.setText(str(tmp_path / "day"))
    dialog.sign_first.setChecked(True)
    qtbot.keyClicks(dialog.password, "wrong")
    dialog.start_button.click()
    qtbot.waitUntil(lambda: "password is wrong" in dialog.error.text(), timeout=10_000)
    assert dialog.pages.currentIndex() == 0

    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password("manager"))
    with qtbot.waitSignal(dialog.run_finished, timeout=120_000) as finished:
        dialog.start_button.click()
    result = finished.args[0].result
    assert not result.cancelled
    assert result.signed == 1  # the day summary: no assessor has signed yet, so nothing to countersign
    summary = [p for p in result.written if "day-summary" in p.name]
    assert [p.name for p in summary] == [f"{scored.day}_day-summary_v1.pdf"]
    assert verify_pdf(summary[0].read_bytes(), signatures.trusted_cas(scored.db)).ok
    outcomes_left_out = {key for key, _ in result.skipped if key.startswith("outcome/")}
    assert len(outcomes_left_out) == 6  # not moderated yet
    shown = dialog.skipped.toPlainText().splitlines()
    assert len(shown) == len({key for key, _ in result.skipped})  # one line per report
    assert all("not written" in line and "moderation" in line for line in shown if "outcome" in line)


def test_a_locked_screen_hides_the_reports_until_unlocked(
    qtbot: QtBot, window: Opener, scored: DemoCentre
) -> None:
    moderate_day(scored.db, scored.day)  # nothing is offered for signing before moderation
    w = window("assessor1")
    dialog = open_reports(qtbot, w, first_sitting(scored))
    dialog.sign_button.click()
    sign = dialog.sign_dialog
    assert sign is not None and sign.isVisible()
    w.lock_now()
    assert not dialog.isVisible() and not sign.isVisible()
    qtbot.keyClicks(w.overlay.password, password("assessor1"))
    with qtbot.waitSignal(w.locked_changed, timeout=10_000):
        w.overlay.unlock_button.click()
    assert dialog.isVisible() and sign.isVisible()
