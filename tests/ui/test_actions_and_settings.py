"""Actions are declared once and all reachable; settings are declared once with defaults."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from ui.common.settings import SETTINGS, Settings
from ui.shell.actions import ACTIONS, MENUS
from ui.shell.main_window import MainWindow


def test_every_action_has_a_handler_a_menu_and_a_unique_shortcut() -> None:
    ids = [spec.id for spec in ACTIONS]
    assert len(ids) == len(set(ids))
    keys = [QKeySequence(spec.shortcut).toString() for spec in ACTIONS if spec.shortcut is not None]
    assert len(keys) == len(set(keys))
    for spec in ACTIONS:
        assert callable(getattr(MainWindow, spec.handler, None)), spec.handler
        assert spec.menu in MENUS


def test_settings_are_declared_with_a_description_and_kept_apart_from_data(
    tmp_path: Path, qapp: QApplication
) -> None:
    assert all(s.description for s in SETTINGS)
    settings = Settings.for_data_dir(tmp_path)
    assert settings.get("idle_lock_minutes") == 10.0
    assert settings.get("theme") == "light"
    settings.set("idle_lock_minutes", 2.5)
    settings.set("theme", "purple")  # not a choice: the default wins
    settings.set("window_geometry", b"\x01\x02")
    settings.sync()
    again = Settings.for_data_dir(tmp_path)
    assert again.get("idle_lock_minutes") == 2.5
    assert again.get("theme") == "light"
    assert again.get("window_geometry") == b"\x01\x02"
    assert (tmp_path / "ui-settings.ini").exists()
