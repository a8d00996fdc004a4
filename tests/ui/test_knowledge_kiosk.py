"""The knowledge test on the kiosk, as a candidate uses it: real clicks and keys, real
services and a real database; what is "saved" is read back through a second connection."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import KnowledgeAnswerRow, KnowledgeFormRow
from naas_centre.services import knowledge, packs, sittings
from naas_centre.services.knowledge import KnowledgeStart
from naas_centre.services.views import Actor
from tests.ui.conftest import PASSWORDS, DemoCentre, WaitUntil
from ui.work.tasks import TaskManager
from ui.written.knowledge_media import CaseFileView, ClipPlayer
from ui.written.knowledge_window import KnowledgeKioskWindow

MakeKiosk = Callable[..., KnowledgeKioskWindow]


@pytest.fixture
def assessor(demo: DemoCentre) -> Actor:
    return demo.actor("assessor1")


@pytest.fixture
def sitting_id(demo: DemoCentre, assessor: Actor) -> str:
    sid = sittings.list_for_assessor(demo.db, assessor, demo.day)[0].id
    sittings.set_status(demo.db, assessor, sid, "checked_in")
    return sid


@pytest.fixture
def make_kiosk(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> Iterator[MakeKiosk]:
    made: list[KnowledgeKioskWindow] = []

    def make(start: KnowledgeStart | None = None) -> KnowledgeKioskWindow:
        start = start or knowledge.open_and_start(demo.db, assessor, sitting_id)
        kiosk = KnowledgeKioskWindow(tasks, demo.db, start)
        qtbot.addWidget(kiosk)
        made.append(kiosk)
        kiosk.present()
        qtbot.waitExposed(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.release()
        kiosk.close()
    tasks.wait()
    for kiosk in made:
        kiosk.deleteLater()


def saved_answers(demo: DemoCentre) -> dict[str, tuple[list[str], bool]]:
    fresh = demo.fresh()
    try:
        with fresh.read() as s:
            return {
                r.item_id: (json.loads(r.chosen), r.flagged) for r in s.scalars(select(KnowledgeAnswerRow))
            }
    finally:
        fresh.dispose()


def test_a_click_shows_the_option_chosen_only_once_it_is_on_disk(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, wait_until: WaitUntil
) -> None:
    kiosk = make_kiosk()
    item = kiosk.items[0]
    button = kiosk.item_view.options[1]
    with qtbot.waitSignal(kiosk.answer_saved, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert kiosk.item_view.options[1].chosen and not kiosk.item_view.options[1].pending
    assert saved_answers(demo)[item.id][0] == [item.options[1][0]]
    assert kiosk.navigator.buttons[0].text() == "1 ✓"
    assert "answered" in kiosk.navigator.buttons[0].accessibleName()


def test_keys_choose_move_and_the_navigator_says_what_is_flagged(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, wait_until: WaitUntil
) -> None:
    kiosk = make_kiosk()
    kiosk.next_button.setFocus()
    first = kiosk.items[0]
    with qtbot.waitSignal(kiosk.answer_saved, timeout=10_000):
        qtbot.keyClick(kiosk.next_button, Qt.Key.Key_A)
    assert saved_answers(demo)[first.id][0] == [first.options[0][0]]
    qtbot.keyClick(kiosk.next_button, Qt.Key.Key_Right)
    assert kiosk.index == 1 and kiosk.item_view.number.text().startswith("Question 2 of")
    with qtbot.waitSignal(kiosk.answer_saved, timeout=10_000):
        qtbot.mouseClick(kiosk.flag_button, Qt.MouseButton.LeftButton)
    assert kiosk.navigator.buttons[1].text() == "2 ⚑"
    assert kiosk.navigator.buttons[1].accessibleName() == "Question 2: not answered, flagged"
    assert saved_answers(demo)[kiosk.items[1].id] == ([], True)
    qtbot.keyClick(kiosk.flag_button, Qt.Key.Key_Left)
    assert kiosk.index == 0 and kiosk.item_view.options[0].chosen
    qtbot.mouseClick(kiosk.navigator.buttons[5], Qt.MouseButton.LeftButton)
    assert kiosk.index == 5


def test_a_multiple_item_takes_as_many_as_it_asks_for(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre
) -> None:
    kiosk = make_kiosk()
    index = next(n for n, i in enumerate(kiosk.items) if i.answer_type == "multiple")
    kiosk.show_item(index)
    item = kiosk.items[index]
    for n in range(item.choose):
        with qtbot.waitSignal(kiosk.answer_saved, timeout=10_000):
            qtbot.mouseClick(kiosk.item_view.options[n], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.item_view.options[item.choose], Qt.MouseButton.LeftButton)
    assert "unchoose one" in kiosk.notice.text()
    assert saved_answers(demo)[item.id][0] == [o for o, _ in item.options[: item.choose]]
    with qtbot.waitSignal(kiosk.answer_saved, timeout=10_000):
        qtbot.keyClick(kiosk.item_view.options[0], Qt.Key.Key_1)  # a digit unchooses it again
    assert saved_answers(demo)[item.id][0] == [o for o, _ in item.options[1 : item.choose]]


def test_submitting_lists_what_is_unanswered_and_marks_the_form(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> None:
    kiosk = make_kiosk()
    with qtbot.waitSignal(kiosk.answer_saved, timeout=10_000):
        qtbot.mouseClick(kiosk.item_view.options[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.submit_button, Qt.MouseButton.LeftButton)
    assert kiosk.pages.currentWidget() is kiosk.confirm_page
    total = len(kiosk.items)
    assert f"{total - 1} question(s) not answered: 2, 3," in kiosk.confirm_text.text()
    qtbot.mouseClick(kiosk.keep_button, Qt.MouseButton.LeftButton)
    assert kiosk.pages.currentWidget() is kiosk.test_page
    qtbot.mouseClick(kiosk.submit_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.submitted, timeout=10_000):
        qtbot.mouseClick(kiosk.confirm_button, Qt.MouseButton.LeftButton)
    assert kiosk.pages.currentWidget() is kiosk.done_page
    assert "submitted" in kiosk.done_text.text()
    assert "mark" not in kiosk.done_text.text().lower()  # the candidate is shown no marks
    (result,) = knowledge.result(demo.db, demo.actor("manager"), sitting_id)
    assert result.available == total and result.marks <= 1
    qtbot.keyClick(kiosk.done_page, Qt.Key.Key_B)  # nothing answers any more
    assert len(saved_answers(demo)) == 1


def test_leaving_needs_a_staff_password(qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre) -> None:
    kiosk = make_kiosk()
    kiosk.close()
    assert kiosk.isVisible()
    qtbot.keyClick(kiosk.item_view, Qt.Key.Key_Escape)
    assert kiosk.isVisible()
    qtbot.mouseClick(kiosk.staff_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(kiosk.username, "qa")
    qtbot.keyClicks(kiosk.password, PASSWORDS["qa"])
    qtbot.mouseClick(kiosk.leave_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Only an assessor" in kiosk.staff_message.text(), timeout=10_000)
    kiosk.username.clear()
    kiosk.password.clear()
    qtbot.keyClicks(kiosk.username, "assessor1")
    qtbot.keyClicks(kiosk.password, PASSWORDS["assessor1"])
    with qtbot.waitSignal(kiosk.left, timeout=10_000) as left:
        qtbot.mouseClick(kiosk.leave_button, Qt.MouseButton.LeftButton)
    assert left.args is not None and left.args[0].username == "assessor1"
    assert not kiosk.isVisible()


def test_a_resume_shows_the_same_order_answers_and_clock(
    qtbot: QtBot, make_kiosk: MakeKiosk, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> None:
    kiosk = make_kiosk()
    order = [i.id for i in kiosk.items]
    with qtbot.waitSignal(kiosk.answer_saved, timeout=10_000):
        qtbot.mouseClick(kiosk.item_view.options[1], Qt.MouseButton.LeftButton)
    kiosk.release()
    kiosk.close()
    again = knowledge.left_open(demo.db)
    assert again is not None
    second = make_kiosk(knowledge.start(demo.db, again))
    assert [i.id for i in second.items] == order
    assert second.item_view.options[1].chosen and second.navigator.buttons[0].text() == "1 ✓"
    assert abs(second.remaining_ms() - kiosk.remaining_ms()) < 60_000
    with demo.db.read() as s:
        row = s.scalar(select(KnowledgeFormRow))
        assert row is not None
    assert second.start.started_at == row.started_at
    pack = packs.pack_for_sitting(demo.db, assessor, sitting_id)
    assert pack.knowledge_test is not None


def test_after_the_written_exercise_the_candidate_goes_on_to_the_knowledge_test(
    qtbot: QtBot,
    tasks: TaskManager,
    demo: DemoCentre,
    assessor: Actor,
    sitting_id: str,
    wait_until: WaitUntil,
) -> None:
    from naas_centre.services import written
    from naas_centre.services.kiosk import open_for_sitting
    from ui.written.kiosk_window import KioskWindow

    start = open_for_sitting(demo.db, assessor, sitting_id)
    written.submit(demo.db, start.grant, "A short record.", "candidate")
    kiosk = KioskWindow(tasks, demo.db, open_for_sitting(demo.db, assessor, sitting_id))
    qtbot.addWidget(kiosk)
    try:
        kiosk.present()
        qtbot.waitExposed(kiosk)
        wait_until(lambda: kiosk.knowledge_button is not None)
        assert kiosk.knowledge_button is not None
        qtbot.mouseClick(kiosk.knowledge_button, Qt.MouseButton.LeftButton)
        wait_until(lambda: kiosk.knowledge is not None and kiosk.knowledge.isVisible())
        assert kiosk.knowledge is not None and not kiosk.isVisible()
        assert len(kiosk.knowledge.items) > 0
        with qtbot.waitSignal(kiosk.left, timeout=10_000):
            qtbot.mouseClick(kiosk.knowledge.staff_button, Qt.MouseButton.LeftButton)
            qtbot.keyClicks(kiosk.knowledge.username, "assessor1")
            qtbot.keyClicks(kiosk.knowledge.password, PASSWORDS["assessor1"])
            qtbot.mouseClick(kiosk.knowledge.leave_button, Qt.MouseButton.LeftButton)
    finally:
        if kiosk.knowledge is not None:
            kiosk.knowledge.release()
            kiosk.knowledge.close()
        kiosk.release()
        kiosk.close()
        tasks.wait()
        kiosk.deleteLater()


def test_media_views_are_made_once_and_each_item_keeps_its_own_plays(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk()
    view = kiosk.item_view
    clips = [n for n, item in enumerate(kiosk.items) if any(m.kind != "case" for m in item.media)]
    cases = [n for n, item in enumerate(kiosk.items) if any(m.kind == "case" for m in item.media)]
    assert clips and cases, "the practitioner form draws a clip and a case file"
    # Made ahead, once the form is on screen: the first item with media does not wait for them.
    # The first item may itself show a clip or a case file; either way one of each is made.
    made_ahead = lambda: (view.findChildren(ClipPlayer), view.findChildren(CaseFileView))  # noqa: E731
    qtbot.waitUntil(lambda: tuple(map(len, made_ahead())) == (1, 1), timeout=10_000)
    made = (made_ahead()[0][0], made_ahead()[1][0])
    kiosk.show_item(clips[0])
    assert view.players == [made[0]]
    player = made[0]
    qtbot.waitUntil(lambda: player.player.source().toLocalFile().endswith(".mp4"), timeout=10_000)
    qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)
    player.stop()
    qtbot.waitUntil(lambda: player.plays_note.text().endswith("left."), timeout=10_000)
    assert player.plays == 1
    kiosk.show_item(cases[0])
    assert not view.players and view.media.itemAt(0).widget() is made[1]
    assert view.findChildren(CaseFileView) == [made[1]] and view.findChildren(ClipPlayer) == [player]
    assert made[1].isVisible() and made[1].toPlainText().strip() not in ("", "…")  # the case's own text
    kiosk.show_item(clips[0])
    assert view.players == [player] and player.plays == 1 and player.play_button.text() == "Play it again"
