"""My figures, for a signed-in assessor, on a centre with a past (the demo's history):
the dialog shows the service's figures for that assessor and names no colleague."""

from __future__ import annotations

from PySide6.QtCharts import QLineSeries
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import AccountRow, CandidateRow
from naas_centre.qa import stringency
from naas_centre.services import qa_analysis
from tests.ui.qa_support import HistoryCentre
from tests.ui.qa_support import history as history  # the fixtures: a centre with a past
from tests.ui.qa_support import history_template as history_template
from ui.qa.personal_sheet_dialog import PersonalSheetDialog
from ui.work.tasks import TaskManager

TIMEOUT = 120_000


def test_an_assessor_sees_their_own_figures_and_no_colleague(
    qtbot: QtBot, tasks: TaskManager, history: HistoryCentre
) -> None:
    me = history.actor("assessor1")
    dialog = PersonalSheetDialog(tasks, history.db, me)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.show()
    served = qa_analysis.personal_sheet(history.db, me)
    assert dialog.sheet == served
    assert served.station_scores > 0
    text = dialog.text()
    assert f"{served.station_scores} station scores of yours counted" in text
    if served.agreement is not None:
        assert f"over {served.agreement.n} criterion levels" in text
    # Their own drift through the day, as the service fitted it, slot by slot.
    mine = served.examiner
    assert isinstance(mine, stringency.PersonalSheet) and mine.slot is not None
    drawn = [
        series.count()
        for chart in dialog.charts
        for series in (chart.chart().series() if chart.chart() is not None else [])
        if isinstance(series, QLineSeries) and series.name().startswith("my scores")
    ]
    assert drawn == [len(mine.slot.points)]
    assert f"Your effect: {mine.effect.effect:+.2f} score points" in text
    with history.db.read() as s:
        people = [
            *s.scalars(select(AccountRow.display_name).where(AccountRow.id != me.account_id)),
            *s.scalars(select(CandidateRow.full_name)),
        ]
    assert people
    shown = text + dialog.windowTitle()
    assert not [name for name in people if name and name in shown]
    assert dialog.heading.text() == f"My figures: {me.display_name}"
    dialog.close()


def test_someone_who_never_scored_is_told_so(
    qtbot: QtBot, tasks: TaskManager, history: HistoryCentre
) -> None:
    qa = history.actor("qa")
    dialog = PersonalSheetDialog(tasks, history.db, qa)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.show()
    assert dialog.sheet is not None and dialog.sheet.station_scores == 0
    assert dialog.status.text() == (dialog.sheet.note or "You have no submitted station scores yet.")
    dialog.close()
