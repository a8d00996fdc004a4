"""A circuit seen on screen: an assessor who observes one station of a sitting gets one
tab, numbered as in the sitting; a centre manager sees every station; the assessor's
day list says which station is theirs, and when and where."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import SittingAssessorRow
from naas_centre.formatting import local_time
from naas_centre.services import packs, sittings
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre
from tests.ui.scoring_station_support import close_view, first_sitting, open_view, partner
from ui.day.assessor_day_view import AssessorDayView
from ui.day.sittings_table_model import COLUMNS
from ui.work.tasks import TaskManager


def _split(demo: DemoCentre) -> tuple[str, list[str], Actor]:
    """The first sitting of assessor1, with assessor1 observing only its first station
    and their partner every other one; the sitting, the pack's station ids and the partner."""
    a1 = demo.actor("assessor1")
    sid = first_sitting(demo, a1)
    other = partner(demo, sid, "assessor1")
    pack = packs.pack_for_sitting(demo.db, a1, sid)
    stations = [station for station, _ in pack.rubrics()]
    with demo.db.write() as s:
        for link in s.scalars(select(SittingAssessorRow).where(SittingAssessorRow.sitting_id == sid)):
            if link.assessor_id == a1.account_id:
                link.stations = stations[0]
            elif link.assessor_id == other.account_id:
                link.stations = ",".join(stations[1:])
    return sid, stations, other


def test_an_assessor_with_one_station_sees_one_tab(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre
) -> None:
    sid, stations, other = _split(demo)
    view = open_view(qtbot, tasks, demo, demo.actor("assessor1"), sid)
    assert view.tabs.count() == 1
    assert list(view.panels) == [stations[0]]
    assert view.tabs.tabText(0).startswith("1 · ")
    # The progress counts their own station only.
    _scored, total, _judged, count = view.counts()
    assert count == 1 and total == len(dict(view.pack.rubrics())[stations[0]].criteria)
    close_view(view, tasks, qtbot)

    # Their partner has the other stations, numbered as in the sitting.
    theirs = open_view(qtbot, tasks, demo, other, sid)
    assert list(theirs.panels) == stations[1:]
    assert theirs.tabs.tabText(0).startswith("2 · ")
    close_view(theirs, tasks, qtbot)


def test_a_centre_manager_sees_every_station(qtbot: QtBot, tasks: TaskManager, demo: DemoCentre) -> None:
    sid, stations, _other = _split(demo)
    view = open_view(qtbot, tasks, demo, demo.actor("manager"), sid)
    assert list(view.panels) == stations
    assert view.tabs.count() == len(stations)
    close_view(view, tasks, qtbot)


def test_the_day_list_names_the_assessors_station(qtbot: QtBot, tasks: TaskManager, demo: DemoCentre) -> None:
    sid, stations, _other = _split(demo)
    a1 = demo.actor("assessor1")
    day = AssessorDayView(tasks, demo.db, a1)
    qtbot.addWidget(day)
    day.show_day(demo.day, sittings.list_for_assessor(demo.db, a1, demo.day))
    model = day.model
    row = next(r for r in range(model.rowCount()) if model.sitting_id(r) == sid)
    summary = model.sitting_at(row)
    assert summary is not None
    title = sittings.sitting_detail(demo.db, a1, sid).stations[0].title
    text = model.index(row, COLUMNS.index("Your stations")).data()
    assert text == f"{title}, {local_time(summary.starts_at)}, {summary.room}"
    # The row's time and room are those of their own station.
    assert model.index(row, COLUMNS.index("Time")).data() == local_time(summary.starts_at)
    assert model.index(row, COLUMNS.index("Room")).data() == summary.room
    assert len(stations) > 1
