"""The candidate kiosk: locked, timed, autosaved, and left only with a staff password.

Real widgets on the real services and a real database; what is "saved" is read back
through a second, independent connection (``demo.fresh()``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import AuditEntryRow, PhaseEventRow, ScriptRow
from naas_centre.services import packs, sittings, timing, written
from naas_centre.services.kiosk import KioskStart, open_for_sitting
from naas_centre.services.views import Actor
from tests.ui.conftest import PASSWORDS, DemoCentre, WaitUntil
from ui.common.settings import Settings
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager
from ui.written.kiosk_window import KioskWindow

MakeKiosk = Callable[..., KioskWindow]


@pytest.fixture
def assessor(demo: DemoCentre) -> Actor:
    return demo.actor("assessor1")


@pytest.fixture
def sitting_id(demo: DemoCentre, assessor: Actor) -> str:
    return sittings.list_for_assessor(demo.db, assessor, demo.day)[0].id


@pytest.fixture
def make_kiosk(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> Iterator[MakeKiosk]:
    made: list[KioskWindow] = []

    def make(*, started_ms_ago: int | None = None, present: bool = True) -> KioskWindow:
        start = open_for_sitting(demo.db, assessor, sitting_id, check_in=True)
        if started_ms_ago is not None:
            at = datetime.now(UTC) - timedelta(milliseconds=started_ms_ago)
            timing.record_event(
                demo.db, start.grant.actor, sitting_id, start.grant.station_id, "writing", "start", at=at
            )
            start = KioskStart(
                start.grant, start.material, start.script, written.kiosk_timing(demo.db, start.grant)
            )
        kiosk = KioskWindow(tasks, demo.db, start)
        qtbot.addWidget(kiosk)
        made.append(kiosk)
        if present:
            kiosk.present()
            qtbot.waitExposed(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.release()
        kiosk.close()
    tasks.wait()
    for kiosk in made:
        kiosk.deleteLater()  # deleted here, on the GUI thread, never by a worker's garbage collection


def saved_script(demo: DemoCentre, sitting_id: str) -> ScriptRow:
    fresh = demo.fresh()
    try:
        with fresh.read() as s:
            row = s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == sitting_id))
            assert row is not None
            return row
    finally:
        fresh.dispose()


def start_writing(qtbot: QtBot, kiosk: KioskWindow) -> None:
    assert kiosk.cover.current is kiosk.cover.start
    with qtbot.waitSignal(kiosk.clock_changed, timeout=10_000):
        qtbot.mouseClick(kiosk.cover.start.start, Qt.MouseButton.LeftButton)
    assert kiosk.cover.current is None and not kiosk.editor.isReadOnly()


# -- from the main window ---------------------------------------------------------------------


@pytest.fixture
def window(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, settings: Settings
) -> Iterator[MainWindow]:
    w = MainWindow(tasks, demo.db, assessor, "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.day_view.day_loaded, timeout=10_000):
        w.show()
    yield w
    kiosk = w.written.kiosk
    if kiosk is not None:
        kiosk.release()
        kiosk.close()
    w.close()
    tasks.wait()


def test_start_written_exercise_checks_in_and_hands_the_screen_over(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> None:
    action = window.action_set["sitting.written"]
    assert action.isEnabled() and window.action_set["sitting.mark"].isEnabled()
    assert window.written.kiosk is None
    action.trigger()
    box = window.written.box
    assert box is not None and "not checked in yet" in box.informativeText()
    with qtbot.waitSignal(window.written.kiosk_shown, timeout=10_000) as shown:
        box.button(box.StandardButton.Yes).click()
    kiosk = shown.args[0]
    assert isinstance(kiosk, KioskWindow) and kiosk.isVisible() and kiosk.isFullScreen()
    assert not window.isVisible()  # no menus, no other window
    assert sittings.sitting_detail(demo.db, assessor, sitting_id).summary.status == "checked_in"
    assert kiosk.grant.sitting_id == sitting_id
    assert (
        kiosk.material.candidate_name
        == sittings.list_for_assessor(demo.db, assessor, demo.day)[0].candidate_name
    )

    # Taking it back: the assessor's own password, then their window again.
    kiosk.ask_staff()
    staff = kiosk.cover.staff
    staff.username.setText("assessor1")
    staff.password.setText(PASSWORDS["assessor1"])
    with qtbot.waitSignal(window.written.kiosk_closed, timeout=10_000) as closed:
        qtbot.mouseClick(staff.leave, Qt.MouseButton.LeftButton)
    assert closed.args[0].username == "assessor1"
    assert window.isVisible() and not window.locked
    assert not kiosk.isVisible()


def test_check_in_action_records_arrival(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> None:
    # The day list shows the arrival by itself: the write announces that the sitting's
    # status changed, and the day page, watching for that, reads the day again.
    with (
        qtbot.waitSignal(window.written.checked_in, timeout=10_000) as done,
        qtbot.waitSignal(
            window.tasks.changed,
            check_params_cb=lambda c, _o: c.status and c.touches(sitting_id),
            timeout=10_000,
        ),
        qtbot.waitSignal(window.day_view.day_loaded, timeout=10_000),
    ):
        window.action_set["sitting.check_in"].trigger()
    assert done.args == [sitting_id]
    assert sittings.sitting_detail(demo.db, assessor, sitting_id).summary.status == "checked_in"
    shown = {s.id: s.status for s in window.day_view.model.sittings}  # type: ignore[attr-defined]
    assert shown[sitting_id] == "checked_in"


# -- locked -----------------------------------------------------------------------------------


def test_the_kiosk_cannot_be_closed_or_left_by_keys(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    start_writing(qtbot, kiosk)
    assert not kiosk.close()  # a close request (Alt+F4 from the window manager) is refused
    assert kiosk.isVisible()
    before = kiosk.guard.swallowed
    Mod = Qt.KeyboardModifier
    for key, mods in (
        (Qt.Key.Key_Escape, Mod.NoModifier),
        (Qt.Key.Key_F4, Mod.AltModifier),
        (Qt.Key.Key_W, Mod.ControlModifier),
        (Qt.Key.Key_Q, Mod.ControlModifier),
        (Qt.Key.Key_F4, Mod.ControlModifier),
    ):
        qtbot.keyClick(kiosk.editor, key, mods)
    assert kiosk.guard.swallowed >= before + 5
    assert kiosk.isVisible() and kiosk.editor.toPlainText() == ""

    # Input aimed at any widget outside the kiosk never arrives.
    from PySide6.QtWidgets import QLineEdit

    outside = QLineEdit()
    qtbot.addWidget(outside)
    QApplication.sendEvent(
        outside, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    )
    assert outside.text() == ""
    qtbot.keyClicks(kiosk.editor, "ok")
    assert kiosk.editor.toPlainText() == "ok"


def test_the_kiosk_shows_only_candidate_material(
    make_kiosk: MakeKiosk, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> None:
    kiosk = make_kiosk()
    pack = packs.pack_for_sitting(demo.db, assessor, sitting_id)
    assert pack.written_exercise is not None
    shown = kiosk.reading.toPlainText()
    assert "Your task" in shown and "Case material" in shown
    assert "Using the case material" in " ".join(shown.split())
    flowing = " ".join(shown.split())
    for scenario in pack.scenarios:  # never an actor's brief
        opening = " ".join(scenario.actor_brief.split()[:8])
        assert opening and opening not in flowing
    assert not hasattr(kiosk.material, "actor_brief")
    assert "Pasting from outside your script is off" in kiosk.conditions.text()
    assert "Spell checking is off" in kiosk.conditions.text()


def test_a_wrong_password_is_refused_and_audited(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, wait_until: WaitUntil
) -> None:
    kiosk = make_kiosk()
    kiosk.ask_staff()
    staff = kiosk.cover.staff
    for username, password in (("assessor1", "not the password"), ("qa", PASSWORDS["qa"])):
        staff.username.setText(username)
        staff.password.setText(password)
        qtbot.mouseClick(staff.leave, Qt.MouseButton.LeftButton)
        wait_until(lambda: staff.error.isVisible() and staff.leave.isEnabled())
        staff.error.hide()
    assert kiosk.isVisible() and not kiosk.released
    with demo.db.read() as s:
        refused = s.scalars(
            select(AuditEntryRow.action).where(AuditEntryRow.action == "kiosk.exit_refused")
        ).all()
    assert len(refused) == 2

    staff.username.setText("manager")
    staff.password.setText(PASSWORDS["manager"])
    with qtbot.waitSignal(kiosk.left, timeout=10_000) as left:
        qtbot.mouseClick(staff.leave, Qt.MouseButton.LeftButton)
    assert left.args[0].username == "manager"
    assert kiosk.released and not kiosk.isVisible()


# -- autosave -----------------------------------------------------------------------------------


def test_typing_reaches_the_database_within_two_seconds_and_saved_shows_after_commit(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, sitting_id: str, wait_until: WaitUntil
) -> None:
    kiosk = make_kiosk()
    start_writing(qtbot, kiosk)
    assert not kiosk.saved_label.text().startswith("Saved")
    committed: list[str] = []
    kiosk.script_saved.connect(lambda state: committed.append(state.text))
    # Typing without a pause: the cap, not the quiet time, must bring it to disk. The
    # cap is what promises "within two seconds"; the machine's speed is not asserted.
    saver = kiosk.autosaver
    assert saver.cap.interval() <= 1_500 and saver.quiet.interval() < saver.cap.interval()
    for i in range(30):
        qtbot.keyClicks(kiosk.editor, f"w{i} ")
        assert saver.cap.isActive() or saver.busy or not saver.dirty  # a save is always on its way
        qtbot.wait(100)
    last = kiosk.editor.toPlainText()
    wait_until(lambda: saved_script(demo, sitting_id).text == last, timeout=15_000)
    assert committed and kiosk.saved_label.text().startswith("Saved ")
    # While typing, saves were made along the way (not only at the end).
    assert len(committed) >= 2
    assert saved_script(demo, sitting_id).word_count == 30


def test_a_focus_change_saves_at_once(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, sitting_id: str, wait_until: WaitUntil
) -> None:
    kiosk = make_kiosk()
    start_writing(qtbot, kiosk)
    for timer in (kiosk.autosaver.quiet, kiosk.autosaver.cap):
        timer.setInterval(60_000)  # only the focus change can save it now
    kiosk.editor.setFocus()
    qtbot.keyClicks(kiosk.editor, "Analysis first.")
    kiosk.reading.setFocus()
    wait_until(lambda: saved_script(demo, sitting_id).text == "Analysis first.", timeout=2_000)


# -- exam conditions ---------------------------------------------------------------------------


def test_paste_from_outside_is_blocked_but_own_text_can_be_moved(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    start_writing(qtbot, kiosk)
    editor = kiosk.editor
    QApplication.clipboard().setText("text from another program")
    with qtbot.waitSignal(editor.paste_blocked):
        editor.paste()
    assert editor.toPlainText() == ""
    assert "Pasting" in kiosk.notice.text()

    qtbot.keyClicks(editor, "Risk is moderate.")
    editor.selectAll()
    editor.copy()
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    editor.paste()
    assert editor.toPlainText() == "Risk is moderate.Risk is moderate."


def test_a_pack_that_allows_paste_gets_paste() -> None:
    from ui.written.script_editor import ScriptEditor

    editor = ScriptEditor(allow_paste=True)
    QApplication.clipboard().setText("allowed here")
    editor.paste()
    assert editor.toPlainText() == "allowed here"
    editor.deleteLater()


# -- time ---------------------------------------------------------------------------------------


def test_pause_needs_a_password_and_a_reason_and_resume_carries_on(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, sitting_id: str, wait_until: WaitUntil
) -> None:
    kiosk = make_kiosk()
    start_writing(qtbot, kiosk)
    kiosk.ask_staff()
    staff = kiosk.cover.staff
    staff.username.setText("assessor1")
    staff.password.setText(PASSWORDS["assessor1"])
    qtbot.mouseClick(staff.clock_button, Qt.MouseButton.LeftButton)
    assert "reason" in staff.error.text()  # no reason chosen: nothing recorded
    staff.reason.setCurrentIndex(2)  # candidate unwell
    with qtbot.waitSignal(kiosk.clock_changed, timeout=10_000):
        qtbot.mouseClick(staff.clock_button, Qt.MouseButton.LeftButton)
    assert kiosk.reading_now().status == "paused" and kiosk.editor.isReadOnly()
    assert kiosk.clock_note.text() == "paused" and "candidate unwell" in kiosk.alert.text()
    paused_left = kiosk.reading_now().remaining_ms
    qtbot.wait(300)
    assert kiosk.reading_now().remaining_ms == paused_left  # a paused clock stands still

    kiosk.ask_staff()
    assert staff.clock_button.text() == "Resume the clock"
    staff.username.setText("assessor1")
    staff.password.setText(PASSWORDS["assessor1"])
    with qtbot.waitSignal(kiosk.clock_changed, timeout=10_000):
        qtbot.mouseClick(staff.clock_button, Qt.MouseButton.LeftButton)
    assert kiosk.reading_now().status == "running" and not kiosk.editor.isReadOnly()
    with demo.db.read() as s:
        events = s.execute(
            select(PhaseEventRow.kind, PhaseEventRow.reason).where(
                PhaseEventRow.sitting_id == sitting_id, PhaseEventRow.phase == "writing"
            )
        ).all()
    assert [e.kind for e in events] == ["start", "pause", "resume"]
    assert events[1].reason == "candidate unwell"


def test_the_clock_includes_the_candidates_extra_time(make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    reading = kiosk.reading_now()
    # The first demo candidate has 25% extra time on a 60-minute exercise.
    assert reading.length_ms == 75 * 60_000 and reading.planned_ms == 60 * 60_000
    assert kiosk.clock_label.text() == "75:00"
    assert "15 minutes of extra time" in kiosk.cover.start.details.text()


def test_an_alert_point_is_shown(qtbot: QtBot, make_kiosk: MakeKiosk, wait_until: WaitUntil) -> None:
    five_minutes_left_in_a_second = 75 * 60_000 - 5 * 60_000 - 1_000
    kiosk = make_kiosk(started_ms_ago=five_minutes_left_in_a_second)
    assert not kiosk.alert.isVisible()
    wait_until(lambda: kiosk.alert.isVisible(), timeout=4_000)
    assert kiosk.alert.text().startswith("5 minutes left")
    assert kiosk.clock_label.property("alert") == "soon"


def test_at_time_up_the_editor_locks_and_the_script_is_submitted(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, sitting_id: str, wait_until: WaitUntil
) -> None:
    kiosk = make_kiosk(started_ms_ago=75 * 60_000 - 1_500)
    qtbot.keyClicks(kiosk.editor, "Last words")
    with qtbot.waitSignal(kiosk.submitted, timeout=6_000):
        pass
    assert kiosk.editor.isReadOnly()
    assert kiosk.cover.current is kiosk.cover.done
    row = saved_script(demo, sitting_id)
    assert row.submitted_how == "time_up" and row.text == "Last words" and row.word_count == 2
    with demo.db.read() as s:
        kinds = s.scalars(
            select(PhaseEventRow.kind).where(
                PhaseEventRow.sitting_id == sitting_id, PhaseEventRow.phase == "writing"
            )
        ).all()
    assert kinds == ["start", "end"]


def test_early_submission_asks_first(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, sitting_id: str
) -> None:
    kiosk = make_kiosk()
    start_writing(qtbot, kiosk)
    qtbot.keyClicks(kiosk.editor, "A plan with reasons.")
    qtbot.mouseClick(kiosk.submit_button, Qt.MouseButton.LeftButton)
    assert kiosk.cover.current is kiosk.cover.confirm
    assert "4 words" in kiosk.cover.confirm.message.text()
    qtbot.mouseClick(kiosk.cover.confirm.keep, Qt.MouseButton.LeftButton)
    assert kiosk.cover.current is None and not kiosk.editor.isReadOnly()
    assert saved_script(demo, sitting_id).submitted_at is None

    qtbot.mouseClick(kiosk.submit_button, Qt.MouseButton.LeftButton)
    with (
        qtbot.waitSignal(kiosk.submitted, timeout=10_000),
        qtbot.waitSignal(  # announced: the marking list and the day board refresh by themselves
            kiosk.tasks.changed,
            check_params_cb=lambda c, _o: c.scripts and c.status and c.touches(sitting_id),
            timeout=10_000,
        ),
    ):
        qtbot.mouseClick(kiosk.cover.confirm.submit, Qt.MouseButton.LeftButton)
    row = saved_script(demo, sitting_id)
    assert row.submitted_how == "candidate" and row.text == "A plan with reasons."
    assert kiosk.editor.isReadOnly() and "4 words" in kiosk.cover.done.message.text()
    assert not kiosk.close()  # still locked after submitting: an assessor closes it


# -- after a crash: the app reopens the kiosk at start ----------------------------------------


def test_the_app_reopens_a_kiosk_left_open_and_signs_in_whoever_closes_it(
    qtbot: QtBot, settings: Settings, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> None:
    from naas_centre.opening import StartOptions
    from ui.shell.app import CentreApp

    sittings.set_status(demo.db, assessor, sitting_id, "checked_in")
    grant = written.open_kiosk(demo.db, assessor, sitting_id)
    written.save(demo.db, grant, "Saved before the crash.")
    app = CentreApp(settings, StartOptions(data_dir=demo.folder, demo=True))
    app.start()
    try:
        qtbot.waitUntil(lambda: app.kiosk is not None, timeout=15_000)
        kiosk = app.kiosk
        assert isinstance(kiosk, KioskWindow)
        assert kiosk.editor.toPlainText() == "Saved before the crash."
        assert kiosk.isVisible() and not app.login.isVisible()
        kiosk.ask_staff()
        kiosk.cover.staff.username.setText("assessor1")
        kiosk.cover.staff.password.setText(PASSWORDS["assessor1"])
        with qtbot.waitSignal(app.signed_in, timeout=10_000) as signed:
            qtbot.mouseClick(kiosk.cover.staff.leave, Qt.MouseButton.LeftButton)
        assert signed.args[0].username == "assessor1"
        assert app.main_window is not None and app.main_window.isVisible()
    finally:
        if app.kiosk is not None:
            app.kiosk.release()
            app.kiosk.close()
        if app.main_window is not None:
            app.main_window.close()
        app.login.close()
        app.shutdown()


def test_a_script_submitted_before_a_crash_ends_its_clock_when_reopened(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, sitting_id: str, wait_until: WaitUntil
) -> None:
    kiosk = make_kiosk(started_ms_ago=60_000, present=False)
    written.submit(demo.db, kiosk.grant, "All of it.", "candidate")  # then the app stopped
    kiosk.release()
    kiosk.close()
    again = make_kiosk()
    assert again.cover.current is again.cover.done and again.editor.isReadOnly()
    wait_until(lambda: _kinds(demo, sitting_id) == ["start", "end"])


def _kinds(demo: DemoCentre, sitting_id: str) -> list[str]:
    with demo.db.read() as s:
        return list(
            s.scalars(
                select(PhaseEventRow.kind).where(
                    PhaseEventRow.sitting_id == sitting_id, PhaseEventRow.phase == "writing"
                )
            )
        )
