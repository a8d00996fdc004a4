"""The quality-assurance windows from the Centre menu: offered to whom the services allow."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import close_window, open_window, trigger
from ui.common.settings import Settings
from ui.work.tasks import TaskManager

OFFERED = {
    "qa": {"centre.quality", "centre.pass_marks"},
    "manager": {"centre.quality", "centre.pass_marks"},
    "admin": {"centre.quality", "centre.pass_marks"},
    "assessor1": {"centre.my_figures"},
}
QA_ACTIONS = {"centre.quality", "centre.pass_marks", "centre.my_figures"}


@pytest.mark.parametrize("username", sorted(OFFERED))
def test_each_role_is_offered_its_own_qa_windows(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings, username: str
) -> None:
    w = open_window(qtbot, tasks, demo, settings, username)
    try:
        enabled = {a for a in QA_ACTIONS if w.action_set[a].isEnabled()}
        assert enabled == OFFERED[username]
    finally:
        close_window(w, tasks)


def test_the_qa_lead_opens_the_dashboard_and_an_assessor_their_figures(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    from ui.qa.personal_sheet_dialog import PersonalSheetDialog
    from ui.qa.qa_dashboard import QaDashboard
    from ui.qa.standard_setting_dialog import StandardSettingDialog

    w = open_window(qtbot, tasks, demo, settings, "qa")
    try:
        assert isinstance(trigger(w, "centre.quality"), QaDashboard)
        assert isinstance(trigger(w, "centre.pass_marks"), StandardSettingDialog)
    finally:
        close_window(w, tasks)
    w = open_window(qtbot, tasks, demo, settings, "assessor1")
    try:
        assert isinstance(trigger(w, "centre.my_figures"), PersonalSheetDialog)
    finally:
        close_window(w, tasks)
