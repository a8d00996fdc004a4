"""Video from the main window: the camera chosen in Preferences reaches the sitting screen,
and the recordings of a sitting open from the Reports menu for whom may review them."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from naas_centre.services import sittings
from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import choose_sitting, close_window, open_window, trigger
from tests.ui.test_scoring import open_sitting
from ui.common.settings import Settings
from ui.work.tasks import TaskManager


def test_without_a_camera_the_sitting_has_no_record_control(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    w = open_window(qtbot, tasks, demo, settings, "assessor1")
    try:
        assert open_sitting(qtbot, w).video is None
    finally:
        close_window(w, tasks)


def test_the_camera_from_preferences_reaches_the_sitting_screen(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    settings.set("video_source", str(demo.folder / "rehearsal.mp4"))  # opened only when recording starts
    settings.set("video_sound", "none")
    w = open_window(qtbot, tasks, demo, settings, "assessor1")
    try:
        view = open_sitting(qtbot, w)
        assert view.video is not None
        assert (
            view.video.config.source.endswith("rehearsal.mp4") and view.video.config.data_dir == demo.folder
        )
    finally:
        close_window(w, tasks)


@pytest.mark.parametrize(("username", "offered"), [("manager", True), ("assessor1", False), ("qa", False)])
def test_recordings_of_a_sitting_for_whom_may_review_them(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings, username: str, offered: bool
) -> None:
    from ui.video.recordings_dialog import RecordingsDialog

    w = open_window(qtbot, tasks, demo, settings, username)
    try:
        assert w.action_set["reports.recordings"].isEnabled() == offered
        if offered:
            first = sittings.day_overview(demo.db, demo.actor(username), demo.day).sittings[0]
            choose_sitting(w, first.id)
            assert isinstance(trigger(w, "reports.recordings"), RecordingsDialog)
    finally:
        close_window(w, tasks)
