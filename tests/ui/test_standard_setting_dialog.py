"""The station pass-mark dialog on a month of hand-worked sheets: propose, try a mark in
the what-if, adopt it with a reason; refused plainly to whoever may not."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from naas_centre.services import standard_setting as ss
from tests.services.standard_setting_centre import SECOND_DAY, Month
from tests.services.test_standard_setting import PACK_KEY
from tests.services.test_standard_setting import month as month  # the fixtures: a month of 24
from tests.services.test_standard_setting import month_template as month_template
from ui.qa.standard_setting_dialog import TRY_COLUMN, StandardSettingDialog
from ui.work.tasks import TaskManager

NEW_YEAR = datetime(2027, 1, 1, 10, 0, tzinfo=UTC)


def _open(qtbot: QtBot, tasks: TaskManager, month: Month, who: str = "manager") -> StandardSettingDialog:
    actor = {"manager": month.manager, "qa": month.qa, "assessor": month.assessor}[who]
    dialog = StandardSettingDialog(tasks, month.db, actor, clock=lambda: NEW_YEAR)
    qtbot.addWidget(dialog)
    return dialog


def _cell(dialog: StandardSettingDialog, table: str, row: int, col: int) -> str:
    widget = getattr(dialog, table)
    item = widget.item(row, col)
    return item.text() if item is not None else ""


def _propose_january(qtbot: QtBot, dialog: StandardSettingDialog) -> None:
    qtbot.waitUntil(lambda: dialog.propose_button.isEnabled(), timeout=10_000)
    dialog.start.setDate(QDate(2027, 1, 1))
    dialog.end.setDate(QDate(2027, 1, 31))
    with qtbot.waitSignal(dialog.proposed, timeout=20_000):
        qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)


def test_propose_try_and_adopt_a_home_visit_mark(qtbot: QtBot, tasks: TaskManager, month: Month) -> None:
    dialog = _open(qtbot, tasks, month)
    dialog.show()
    _propose_january(qtbot, dialog)
    assert _cell(dialog, "proposal_table", 0, 0) == "Home visit"
    assert (_cell(dialog, "proposal_table", 0, 1), _cell(dialog, "proposal_table", 0, 2)) == ("24", "12")
    assert _cell(dialog, "proposal_table", 0, 5) == "5.33"  # the borderline group: 64 / 12
    assert not dialog.adopt_button.isEnabled()  # no reason yet

    for row in range(dialog.proposal_table.rowCount()):
        spin = dialog.proposal_table.cellWidget(row, TRY_COLUMN)
        spin.setValue(6 if row == 0 else 0)  # type: ignore[attr-defined]
    assert dialog.tried() == {"home-visit": 6}
    with qtbot.waitSignal(dialog.what_if_shown, timeout=20_000):
        qtbot.mouseClick(dialog.what_if_button, Qt.MouseButton.LeftButton)
    assert _cell(dialog, "what_if_table", 0, 2) == "83% (20 of 24)"
    assert _cell(dialog, "what_if_table", 0, 4) == "50% (12 of 24)"
    assert "8 that meet the standard now would not" in dialog.what_if_summary.text()
    assert "quality-assurance lead only" in dialog.groups_note.text()
    assert not dialog.groups_table.isVisibleTo(dialog)

    dialog.station_choice.setCurrentIndex(dialog.station_choice.findData("home-visit"))
    dialog.method_choice.setCurrentIndex(dialog.method_choice.findData(ss.Method.BY_HAND.value))
    dialog.effective.setDate(QDate(SECOND_DAY.year, SECOND_DAY.month, SECOND_DAY.day))
    qtbot.keyClicks(dialog.reason, "Agreed at the standard-setting panel on 1 January.")
    assert dialog.adopt_button.isEnabled()
    with qtbot.waitSignal(dialog.adopted, timeout=20_000) as adopted:
        qtbot.mouseClick(dialog.adopt_button, Qt.MouseButton.LeftButton)
    mark = adopted.args[0]
    assert (mark.version, mark.pass_mark, mark.effective_from) == (1, 6.0, SECOND_DAY)
    assert "version 1, in force from 18 January 2027" in dialog.status.text()
    (stored,) = ss.history(month.db, month.manager, PACK_KEY)
    assert (stored.method, stored.reason, stored.n) == (
        ss.Method.BY_HAND,
        "Agreed at the standard-setting panel on 1 January.",
        None,
    )
    assert dialog.reason.text() == "" and not dialog.adopt_button.isEnabled()
    dialog.close()
    tasks.wait()


def test_the_qa_lead_may_propose_but_adopting_is_refused_plainly(
    qtbot: QtBot, tasks: TaskManager, month: Month
) -> None:
    dialog = _open(qtbot, tasks, month, "qa")
    _propose_january(qtbot, dialog)
    qtbot.keyClicks(dialog.reason, "Trying.")
    with qtbot.waitSignal(dialog.failed, timeout=20_000) as failed:
        qtbot.mouseClick(dialog.adopt_button, Qt.MouseButton.LeftButton)
    assert "cannot do this" in failed.args[0] and dialog.status.text() == failed.args[0]
    assert ss.history(month.db, month.manager, PACK_KEY) == ()
    dialog.close()
    tasks.wait()


def test_an_assessor_is_refused_before_anything_is_shown(
    qtbot: QtBot, tasks: TaskManager, month: Month
) -> None:
    dialog = _open(qtbot, tasks, month, "assessor")
    qtbot.waitUntil(lambda: "cannot do this" in dialog.status.text(), timeout=10_000)
    assert dialog.pack_choice.count() == 0 and not dialog.propose_button.isEnabled()
    dialog.close()
    tasks.wait()


def test_no_effective_day_before_tomorrow_can_be_chosen(
    qtbot: QtBot, tasks: TaskManager, month: Month
) -> None:
    dialog = _open(qtbot, tasks, month)
    dialog.effective.setDate(QDate(2026, 12, 1))
    assert dialog.effective.date() == QDate(2027, 1, 2)  # the day after today
    dialog.close()
    tasks.wait()
